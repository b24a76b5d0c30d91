package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// viewports are the screens the desk pages are tried on: a phone, a laptop,
// a desktop.
var viewports = []struct {
	name          string
	width, height int64
}{
	{"phone", 390, 844},
	{"laptop", 1366, 900},
	{"desktop", 1920, 1080},
}

// screenshot saves a PNG of the page in $CTIDESK_SCREENSHOTS, when set, to
// look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("CTIDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// pageFit measures a page as it shows: how much wider than the window it
// is, the header's height and whether its parts stand in one row, and how
// many rows of its first list are in view without scrolling.
type pageFit struct {
	Overflow     int  `json:"overflow"`
	HeaderHeight int  `json:"headerHeight"`
	HeaderOneRow bool `json:"headerOneRow"`
	RowsInView   int  `json:"rowsInView"`
	Rows         int  `json:"rows"`
}

const measureFit = `(() => {
  const doc = document.documentElement;
  const header = document.querySelector('header.top');
  const parts = header ? [...header.children].filter(e => e.offsetParent !== null) : [];
  const tops = parts.map(e => e.getBoundingClientRect());
  const oneRow = tops.every(r => r.top < tops[0].bottom && r.bottom > tops[0].top);
  const rows = [...document.querySelectorAll('main table.list tbody tr')];
  return {
    overflow: Math.max(0, doc.scrollWidth - doc.clientWidth),
    headerHeight: header ? Math.round(header.getBoundingClientRect().height) : 0,
    headerOneRow: oneRow,
    rowsInView: rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length,
    rows: rows.length,
  };
})()`

// TestBrowserDeskPagesFit opens every desk page on a phone, a laptop and a
// desktop: none scrolls sideways, the laptop's header is one row, and the
// ticket list shows a screenful of rows.
func TestBrowserDeskPagesFit(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "fit.db"))
	base := "http://" + m.Addr()
	pw := demoPasswords(out)
	if err := browserLogin(ctx, base, "admin", pw["admin"]); err != nil {
		t.Fatalf("log in as admin: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("a[data-ticket]"))); err != nil {
		t.Fatal(err)
	}
	ticket, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[data-ticket]').getAttribute('href')`))
	if err != nil {
		t.Fatalf("find a ticket: %v", err)
	}
	pages := []string{"/", "/tickets", "/tickets?sort=last_update&dir=desc&ongoing=1", ticket, "/tickets/new",
		"/persons", "/persons/1", "/organizations", "/organizations/1", "/calls", "/phonecalls", "/search?q=a",
		"/admin/tokens", "/admin/telephony", "/admin/users", "/admin/users/1", ticket + "/edit", "/persons/new",
		"/persons/1/edit", "/organizations/new", "/search?q=R-000001", "/teams", "/teams/1", "/teams/new", "/teams/1/edit",
		"/stats"}
	for _, vp := range viewports {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height)); err != nil {
			t.Fatal(err)
		}
		for _, page := range pages {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
				t.Fatalf("%s %s: %v", vp.name, page, err)
			}
			fit, err := chromedp.Run(ctx, chromedp.Evaluate[pageFit](measureFit))
			if err != nil {
				t.Fatalf("%s %s: measure: %v", vp.name, page, err)
			}
			name := vp.name + strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(page)
			screenshot(t, ctx, name)
			if fit.Overflow > 0 {
				t.Errorf("%s (%dx%d) %s: %d px wider than the window", vp.name, vp.width, vp.height, page, fit.Overflow)
			}
			if vp.width >= 1366 && (!fit.HeaderOneRow || fit.HeaderHeight > 56) {
				t.Errorf("%s %s: the header wraps (%d px high)", vp.name, page, fit.HeaderHeight)
			}
			if vp.width < 600 && fit.HeaderHeight > 120 {
				t.Errorf("%s %s: the header is %d px high", vp.name, page, fit.HeaderHeight)
			}
			if strings.HasPrefix(page, "/tickets?") {
				want := map[string]int{"phone": 3, "laptop": 15, "desktop": 20}[vp.name]
				if fit.RowsInView < want {
					t.Errorf("%s %s: %d of %d rows in view, want %d at least", vp.name, page, fit.RowsInView, fit.Rows, want)
				}
			}
		}
	}
	// On a phone the menu folds behind its button, keyboard included.
	err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`header .menu-toggle`)))
	if err != nil {
		t.Fatalf("phone menu: %v", err)
	}
	navShown := `getComputedStyle(document.getElementById('main-nav')).display !== 'none'`
	if shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](navShown)); shown {
		t.Error("phone: the menu is unfolded before its button is pressed")
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`header .menu-toggle`)), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](navShown))
	expanded, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('header .menu-toggle').getAttribute('aria-expanded')`))
	if !shown || expanded != "true" {
		t.Errorf("phone: after Enter on Menu the menu shows %v, aria-expanded %q", shown, expanded)
	}
	screenshot(t, ctx, "phone-menu")
	// In French, whose words are longer, the laptop's header is one row too.
	err = chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS(`header .me summary`)),
		chromedp.Click(chromedp.CSS(`button[name="language"][value="FR FR"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] main`)))
	if err != nil {
		t.Fatalf("switch to French: %v", err)
	}
	for _, page := range []string{"/", "/admin/users"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatal(err)
		}
		fit, err := chromedp.Run(ctx, chromedp.Evaluate[pageFit](measureFit))
		if err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "laptop-fr"+strings.ReplaceAll(page, "/", "_"))
		if !fit.HeaderOneRow || fit.HeaderHeight > 56 || fit.Overflow > 0 {
			t.Errorf("French %s at 1366 px: header one row %v (%d px), %d px too wide", page, fit.HeaderOneRow, fit.HeaderHeight, fit.Overflow)
		}
	}
}

// TestBrowserCallerSearch creates a ticket from the keyboard alone: the
// caller search suggests as the agent types, Down and Enter pick the first
// person, which fills the caller and his organization without a page load.
func TestBrowserCallerSearch(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "search.db"))
	base := "http://" + m.Addr()
	if err := browserLogin(ctx, base, "agent", demoPasswords(out)["agent"]); err != nil {
		t.Fatalf("log in as agent: %v", err)
	}
	// A person to find: the first of the list, by his email.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/persons"), chromedp.WaitVisible(chromedp.CSS("a[data-person]"))); err != nil {
		t.Fatal(err)
	}
	person, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
	  const tr = document.querySelector('a[data-person]').closest('tr');
	  return {id: tr.querySelector('a[data-person]').getAttribute('href').split('/').pop(),
	    name: tr.querySelector('a[data-person]').textContent.trim(),
	    org: tr.querySelector('a[href^="/organizations/"]').getAttribute('href').split('/').pop(),
	    email: tr.querySelector('a[href^="mailto:"]').textContent.trim()};
	})()`))
	if err != nil {
		t.Fatalf("read a person: %v", err)
	}
	search := chromedp.ID("f-caller_q")
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/tickets/new"),
		chromedp.WaitVisible(search),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "Cannot print from the new laptop"),
		chromedp.Focus(search),
		chromedp.SendKeys(search, person["email"][:strings.Index(person["email"], "@")]),
		chromedp.WaitVisible(chromedp.CSS(`#caller-suggestions li[data-id="`+person["id"]+`"]`)),
	)
	if err != nil {
		t.Fatalf("type in the caller search: %v", err)
	}
	screenshot(t, ctx, "caller-search")
	expanded, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('f-caller_q').getAttribute('aria-expanded')`))
	if expanded != "true" {
		t.Errorf("aria-expanded = %q with the suggestions shown", expanded)
	}
	// Down to the person (he is among the first: the search is his
	// email's), then Enter.
	var picked bool
	for range 10 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		active, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('f-caller_q').getAttribute('aria-activedescendant') || ''`))
		if active == "caller-suggestions-"+person["id"] {
			picked = true
			break
		}
	}
	if !picked {
		t.Fatalf("Down never reached %s", person["name"])
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({
	  caller: document.querySelector('select[name="caller_id"]').value,
	  org: document.querySelector('select[name="org_id"]').value,
	  search: document.getElementById('f-caller_q').value,
	  expanded: document.getElementById('f-caller_q').getAttribute('aria-expanded'),
	  path: location.pathname})`))
	if err != nil {
		t.Fatal(err)
	}
	if got["caller"] != person["id"] || got["org"] != person["org"] || got["search"] != person["name"] ||
		got["expanded"] != "false" || got["path"] != "/tickets/new" {
		t.Fatalf("after Enter: %v, want caller %s of organization %s, the list closed, no page load", got, person["id"], person["org"])
	}
	// Enter again: the form is sent, the ticket has the caller.
	err = chromedp.Do(ctx,
		chromedp.Submit(chromedp.CSS(`input[name="title"]`)),
		chromedp.WaitVisible(chromedp.ID("ticket")),
	)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("ticket")))
	if !strings.Contains(text, person["name"]) || !strings.Contains(text, "Cannot print from the new laptop") {
		t.Errorf("the ticket shows %q, want the caller %s", text, person["name"])
	}
}

// awaitPromise makes Evaluate wait for the promise the expression returns.
func awaitPromise(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }

// TestBrowserSortAndFilter: an agent sorts the tickets by a header, reverses
// it, then filters his own: the order stays, the URL says it all.
func TestBrowserSortAndFilter(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "sort.db"))
	base := "http://" + m.Addr()
	if err := browserLogin(ctx, base, "agent", demoPasswords(out)["agent"]); err != nil {
		t.Fatalf("log in as agent: %v", err)
	}
	titles := func() []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('table.tickets td.c-title')].map(td => td.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	header := chromedp.CSS(`a[data-sort="title"]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(header), chromedp.Click(header),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"] a[data-sort="title"]`))); err != nil {
		t.Fatalf("sort by title: %v", err)
	}
	up := titles()
	if !slices.IsSortedFunc(up, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("by title: %v", up)
	}
	if err := chromedp.Do(ctx, chromedp.Click(header),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="descending"] a[data-sort="title"]`))); err != nil {
		t.Fatalf("sort by title, descending: %v", err)
	}
	down := titles()
	if len(down) == 0 || down[0] < up[len(up)-1] {
		t.Errorf("descending starts with %q, after the ascending list's last %q", down[0], up[len(up)-1])
	}
	// Mine, from the filter form: the order is kept.
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("f-agent"), "me"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`#f-agent option[value="me"][selected]`)),
	)
	if err != nil {
		t.Fatalf("filter mine: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/tickets?agent=me&sort=title&dir=desc") {
		t.Errorf("after the filter the URL is %s, want /tickets?agent=me&sort=title&dir=desc", loc)
	}
	agents, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll('table.tickets tbody tr td.c-agent')].map(td => td.textContent.trim()))]`))
	if err != nil {
		t.Fatal(err)
	}
	me, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`header .me summary`)))
	if len(agents) != 1 || agents[0] != strings.TrimSpace(me) {
		t.Errorf("mine lists the tickets of %v, want %q's only", agents, me)
	}
	screenshot(t, ctx, "tickets-mine-by-title")
}

// TestBrowserUsersPage: an administrator adds a user on the Users page, who
// then logs in; an agent gets 403 there.
func TestBrowserUsersPage(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "users.db"))
	base := "http://" + m.Addr()
	pw := demoPasswords(out)
	if err := browserLogin(ctx, base, "agent", pw["agent"]); err != nil {
		t.Fatalf("log in as agent: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('/admin/users').then(r => r.status)`, awaitPromise))
	if err != nil || status != 403 {
		t.Errorf("agent: /admin/users answers %d (%v), want 403", status, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`))); err != nil {
		t.Fatal(err)
	}
	if err := browserLogin(ctx, base, "admin", pw["admin"]); err != nil {
		t.Fatalf("log in as admin: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/users"),
		chromedp.WaitVisible(chromedp.ID("add-user")),
		chromedp.SendKeys(chromedp.CSS(`#add-user input[name="login"]`), "dana"),
		chromedp.SendKeys(chromedp.CSS(`#add-user input[name="password"]`), "a long password"),
		chromedp.SetValue(chromedp.CSS(`#add-user select[name="role"]`), "agent"),
		chromedp.SendKeys(chromedp.CSS(`#add-user input[name="extension"]`), "299"),
		// The contact person, from the keyboard: the first suggestion.
		chromedp.SendKeys(chromedp.ID("f-contact_q"), "anders"),
		chromedp.WaitVisible(chromedp.CSS(`#contact-suggestions li[data-id]`)),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
	)
	if err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	contact, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({id: document.getElementById('f-contact_id').value,
	  name: document.getElementById('f-contact_q').value,
	  first: document.querySelector('#contact-suggestions li[data-id]').getAttribute('data-name')})`))
	if contact["id"] == "" || contact["name"] != contact["first"] {
		t.Fatalf("contact picked: %v", contact)
	}
	screenshot(t, ctx, "users")
	if err := chromedp.Do(ctx, chromedp.Submit(chromedp.CSS(`#add-user input[name="login"]`)),
		chromedp.WaitVisible(chromedp.ID("user-saved"))); err != nil {
		t.Fatalf("add dana: %v", err)
	}
	screenshot(t, ctx, "user")
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-contact_id"))); v != contact["id"] {
		t.Errorf("dana's contact person is %q, want %s", v, contact["id"])
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`))); err != nil {
		t.Fatal(err)
	}
	if err := browserLogin(ctx, base, "dana", "a long password"); err != nil {
		t.Fatalf("dana logs in: %v", err)
	}
	who, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('header .me summary').title`))
	name, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`header .me summary`)))
	if who != "dana" || strings.TrimSpace(name) != contact["name"] {
		t.Errorf("logged in as %q (%q), want dana (%s)", who, name, contact["name"])
	}
}
