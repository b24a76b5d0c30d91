package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// popData is the directory the pop's browser tests call into: Ann alone on
// her number; Bob, Cid and Dee of Acme behind one switchboard number; Eve of
// Globex. Cid's first ticket is older than his 50 latest.
type popData struct {
	db                   string
	ann, bob, cid, eve   *desk.Person
	annTicket, bobTicket *desk.Ticket
	annIncident          *desk.Ticket
	cidTicket, cidOld    *desk.Ticket
}

const popAgentPassword = "pop browser agent password"

func mustPopData(t *testing.T) *popData {
	t.Helper()
	d := &popData{db: "sqlite:" + filepath.Join(t.TempDir(), "pop.db")}
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, d.db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	acme, globex, desk1 := &desk.Organization{Name: "Acme"}, &desk.Organization{Name: "Globex"}, &desk.Organization{Name: "Service desk"}
	for _, o := range []*desk.Organization{acme, globex, desk1} {
		must(s.CreateOrganization(ctx, o))
	}
	person := func(p *desk.Person) *desk.Person {
		must(s.CreatePerson(ctx, p))
		return p
	}
	hq := &desk.Location{Name: "Head office", OrgID: acme.ID}
	must(s.CreateLocation(ctx, hq))
	d.ann = person(&desk.Person{FirstName: "Ann", Name: "Archer", OrgID: acme.ID, Phone: "+1 (212) 555-0100",
		MobilePhone: "0612345678", Email: "ann@acme.example", Function: "Accountant", LocationID: hq.ID,
		EmployeeNumber: "E-1001", SupportID: "S-ANN"})
	d.bob = person(&desk.Person{FirstName: "Bob", Name: "Baker", OrgID: acme.ID, Phone: "+1 212 555 0199"})
	d.cid = person(&desk.Person{FirstName: "Cid", Name: "Carter", OrgID: acme.ID, Phone: "212-555-0199"})
	person(&desk.Person{FirstName: "Dee", Name: "Dunn", OrgID: acme.ID, Phone: "(212) 555 0199"})
	d.eve = person(&desk.Person{FirstName: "Eve", Name: "Evans", OrgID: globex.ID, Phone: "+1 415 555 0142"})
	pat := person(&desk.Person{FirstName: "Pat", Name: "Agent", OrgID: desk1.ID})
	person(&desk.Person{FirstName: "Fay", Name: "Fox", OrgID: globex.ID, Email: "fay@globex.example"})
	ticket := func(tk *desk.Ticket) *desk.Ticket {
		must(s.CreateTicket(ctx, tk))
		return tk
	}
	now := time.Now().UTC()
	at := func(d time.Duration) time.Time { return now.Add(d).Truncate(time.Second) }
	d.cidOld = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Cid's old request", OrgID: acme.ID, CallerID: d.cid.ID,
		StartDate: at(-1000 * time.Hour), LastUpdate: at(-1000 * time.Hour)})
	for i := range 50 {
		ticket(&desk.Ticket{Kind: desk.KindIncident, Title: fmt.Sprintf("Cid's closed incident %d", i), OrgID: acme.ID,
			CallerID: d.cid.ID, Status: desk.TicketClosed, StartDate: at(time.Duration(i-900) * time.Hour), LastUpdate: at(-time.Hour)})
	}
	d.annTicket = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Ann's printer", OrgID: acme.ID, CallerID: d.ann.ID})
	d.annIncident = ticket(&desk.Ticket{Kind: desk.KindIncident, Title: "Ann's network is down", OrgID: acme.ID, CallerID: d.ann.ID})
	d.bobTicket = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Bob's VPN", OrgID: acme.ID, CallerID: d.bob.ID})
	d.cidTicket = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Cid's laptop", OrgID: acme.ID, CallerID: d.cid.ID})
	for i := range 24 { // more than a list shows at first
		ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: fmt.Sprintf("Eve's request %02d", i), OrgID: globex.ID,
			CallerID: d.eve.ID, StartDate: at(time.Duration(i-100) * time.Hour), LastUpdate: at(-time.Hour)})
	}
	hash, err := desk.HashPassword(popAgentPassword)
	must(err)
	must(s.CreateUser(ctx, &desk.User{Login: "agent", PasswordHash: hash, Roles: []string{desk.RoleAgent}, ContactID: pat.ID}))
	must(s.CreateUser(ctx, &desk.User{Login: "agentfr", PasswordHash: hash, Roles: []string{desk.RoleAgent}, ContactID: pat.ID,
		Language: "FR FR"}))
	return d
}

// popText returns the text of the element sel, "" when there is none.
func popText(ctx context.Context, sel string) string {
	nodes, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil || nodes == 0 {
		return ""
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		return ""
	}
	return text
}

// waitText waits until the element sel contains want.
func waitText(ctx context.Context, sel, want string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := popText(ctx, sel)
		if strings.Contains(text, want) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s shows %q, want %q", sel, text, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitEval waits until the expression js evaluates to want, and returns
// what it last evaluated to.
func waitEval(ctx context.Context, js, want string) (string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err == nil && got == want {
			return got, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("%s is %q, want %q", js, got, want)
			}
			return got, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkedCaller returns the label of the selected caller.
func checkedCaller(ctx context.Context) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="caller"]:checked').parentElement.textContent.trim()`))
}

// waitLists waits until the first list (the caller's requests) shows want
// and not the others; with want "", until there is no list.
func waitLists(ctx context.Context, want string, not ...string) error {
	deadline := time.Now().Add(10 * time.Second)
	sel := "#pop-lists .pop-list:first-of-type"
	if want == "" {
		sel = "#pop-lists"
	}
	for {
		text := popText(ctx, sel)
		ok := strings.Contains(text, want)
		for _, n := range not {
			ok = ok && !strings.Contains(text, n)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lists show %q, want %q without %q", text, want, not)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBrowserPop(t *testing.T) {
	d := mustPopData(t)
	ctx := MustBrowser(t)
	m, _ := MustServe(t, "--db", d.db)
	base := "http://" + m.Addr()
	if err := browserLogin(ctx, base, "agent", popAgentPassword); err != nil {
		t.Fatalf("log in: %v", err)
	}

	t.Run("Unknown number", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=%2B442079460000"), chromedp.WaitVisible(chromedp.ID("pop-nobody")))
		if err != nil {
			t.Fatal(err)
		}
		if label, _ := checkedCaller(ctx); label != "Unknown contact" {
			t.Errorf("selected %q, want Unknown contact", label)
		}
		if text := popText(ctx, "#pop-lists"); strings.TrimSpace(text) != "" {
			t.Errorf("lists for an unknown caller: %q, want none", text)
		}
	})

	t.Run("Unknown number added to a person, who the next pop finds", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=%2B442079460000"), chromedp.WaitVisible(chromedp.ID("pop-add-number")),
			chromedp.SendKeys(chromedp.ID("pop-person-q"), "fay glob"), chromedp.WaitVisible(chromedp.ID("pop-add-number-form")))
		if err != nil {
			t.Fatal(err)
		}
		if found := popText(ctx, "#pop-persons"); !strings.Contains(found, "Fay Fox") || strings.Contains(found, "Eve Evans") {
			t.Errorf("persons found %q, want Fay Fox alone", found)
		}
		err = chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("pop-add-attribute"), "mobile_phone"),
			chromedp.Submit(chromedp.ID("pop-add-attribute")), chromedp.WaitVisible(chromedp.ID("caller-card")))
		if err != nil {
			t.Fatal(err)
		}
		if err := waitText(ctx, "#caller-card", "Fay Fox"); err != nil {
			t.Fatal(err)
		}
		if card := popText(ctx, "#caller-card"); !strings.Contains(card, "Fay Fox") || !strings.Contains(card, "mobile, the same number") {
			t.Errorf("after adding the number the pop shows %q, want Fay found by her mobile", card)
		}
		if label, _ := checkedCaller(ctx); !strings.HasPrefix(label, "Fay Fox") {
			t.Errorf("selected %q, want Fay Fox", label)
		}
		if popText(ctx, "#pop-add-number") != "" {
			t.Error("still offers to add the number, now that it finds her")
		}
	})

	t.Run("Unknown number: New person with it, whom the pop then finds", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=%2B442079460001"), chromedp.WaitVisible(chromedp.ID("pop-new-person")),
			chromedp.Click(chromedp.ID("pop-new-person")), chromedp.WaitVisible(chromedp.ID("person-form")))
		if err != nil {
			t.Fatal(err)
		}
		if phone, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-phone"))); phone != "+442079460001" {
			t.Errorf("phone preset %q, want the number that rang", phone)
		}
		// The form says which call the person is for, as the ticket form.
		if banner := popText(ctx, "#pop-banner"); !strings.Contains(banner, "+442079460001") || !strings.Contains(banner, "Unknown contact") {
			t.Errorf("person form banner %q, want the number that rang", banner)
		}
		orgs, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#f-org_id option')).find(o => o.textContent === 'Globex').value`))
		err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f-first_name"), "Gus"), chromedp.SendKeys(chromedp.ID("f-name"), "Grant"),
			chromedp.SetValue(chromedp.ID("f-org_id"), orgs), chromedp.Submit(chromedp.ID("f-name")), chromedp.WaitVisible(chromedp.ID("caller-card")))
		if err != nil {
			t.Fatal(err)
		}
		if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`)); !strings.HasPrefix(path, "/pop?") {
			t.Errorf("after creating the person on %q, want the pop", path)
		}
		if card := popText(ctx, "#caller-card"); !strings.Contains(card, "Gus Grant") || !strings.Contains(card, "phone, the same number") {
			t.Errorf("the pop shows %q, want Gus Grant found by his phone", card)
		}
		if created := popText(ctx, "#pop-person-created"); !strings.Contains(created, "Gus Grant was created with this number") {
			t.Errorf("confirmation %q, want Gus Grant named", created)
		}
	})

	t.Run("Too short a number says so", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=12"), chromedp.WaitVisible(chromedp.ID("pop-nobody")))
		if err != nil {
			t.Fatal(err)
		}
		if text := popText(ctx, "#pop-nobody"); !strings.Contains(text, "fewer than 7 significant digits") {
			t.Errorf("pop of 12 says %q, want that it is too short to match", text)
		}
		if title, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`)); title != "Unknown contact — 12 · ctidesk" {
			t.Errorf("tab title %q", title)
		}
	})

	t.Run("One caller, Enter creates the request", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=%2B12125550100"), chromedp.WaitVisible(chromedp.ID("pop-offers")))
		if err != nil {
			t.Fatal(err)
		}
		if label, _ := checkedCaller(ctx); !strings.HasPrefix(label, "Ann Archer") {
			t.Errorf("selected %q, want Ann Archer", label)
		}
		// The caller card: name, organization, function, location, email,
		// every number, the one that matched and why.
		card := popText(ctx, "#caller-card")
		for _, want := range []string{"Ann Archer", "Acme", "Accountant", "Head office", "ann@acme.example",
			"+1 (212) 555-0100", "phone, the same number", "0612345678"} {
			if !strings.Contains(card, want) {
				t.Errorf("caller card %q lacks %q", card, want)
			}
		}
		if matched := popText(ctx, "#caller-card .number.matched a.tel"); matched != "+1 (212) 555-0100" {
			t.Errorf("matched number %q", matched)
		}
		if title, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`)); title != "Ann Archer — +12125550100 · ctidesk" {
			t.Errorf("tab title %q", title)
		}
		if err := waitLists(ctx, "Ann's printer", "Bob's VPN"); err != nil {
			t.Error(err)
		}
		// The caller's list: kind, ref, title, status, agent, priority, last
		// update; not the caller's name again. Her incident shows.
		heads, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#pop-lists .pop-list:first-of-type th')].map(th => th.textContent.trim())`))
		if got := strings.Join(heads, "|"); got != "Type|Reference|Title|Status|Agent|Priority|Last update|Edit" {
			t.Errorf("the caller's list columns %q", got)
		}
		if kinds := popText(ctx, "#pop-lists .pop-list:first-of-type tbody"); !strings.Contains(kinds, "Incident") || strings.Contains(kinds, "Ann Archer") {
			t.Errorf("the caller's list %q, want her incident, without her name", kinds)
		}
		// Each status its own colour.
		colours, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['new','assigned','pending','resolved','closed'].map(st => {
			const s = document.createElement('span'); s.className = 'status status-' + st; document.body.append(s);
			const c = getComputedStyle(s); const v = c.color + ' on ' + c.backgroundColor; s.remove(); return v })`))
		seen := map[string]bool{}
		for _, c := range colours {
			seen[c] = true
		}
		if len(colours) != 5 || len(seen) != 5 {
			t.Errorf("status colours %q, want five different", colours)
		}
		// autofocus applies at the page's next rendering, which a busy
		// machine may leave for after WaitVisible: wait for it.
		if focused, err := waitEval(ctx, `document.activeElement.getAttribute('data-offer') || ''`, "UserRequest"); err != nil {
			t.Fatalf("focus on %q (%v), want the first creation button", focused, err)
		}
		// The live note: typed on the pop, saved without a button.
		err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("pop-note"), "Wants a new toner by Friday"))
		if err != nil {
			t.Fatal(err)
		}
		if err := waitText(ctx, "#pop-note-status", "Saved."); err != nil {
			t.Fatal(err)
		}
		title := chromedp.CSS(`input[name="title"]`)
		err = chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`button[data-offer="UserRequest"]`)), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(title))
		if err != nil {
			t.Fatalf("Enter on the pop: %v", err)
		}
		caller, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-caller_id")))
		if err != nil || caller != fmt.Sprint(d.ann.ID) {
			t.Errorf("caller preset %q (%v), want Ann (%d)", caller, err, d.ann.ID)
		}
		if banner := popText(ctx, "#pop-banner"); !strings.Contains(banner, "+12125550100") || !strings.Contains(banner, "Ann Archer") {
			t.Errorf("creation banner %q, want the number and the caller", banner)
		}
		logText, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-pop_log_text")))
		if !strings.HasPrefix(logText, "Call from customer dated ") {
			t.Errorf("log entry preset %q", logText)
		}
		// Create: back on the pop, which names the new ticket.
		err = chromedp.Do(ctx, chromedp.SendKeys(title, "Toner empty"), chromedp.Submit(title), chromedp.WaitVisible(chromedp.ID("pop-created")))
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		created := popText(ctx, "#pop-created")
		if !strings.Contains(created, "R-") || !strings.Contains(created, "Toner empty") {
			t.Errorf("confirmation %q, want the new ticket named", created)
		}
		if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/pop" {
			t.Errorf("after Create on %q, want the pop", path)
		}
		if note, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("pop-note"))); note != "" {
			t.Errorf("the note %q is left on the pop after it went to the phone call", note)
		}
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pop-created a")), chromedp.WaitVisible(chromedp.ID("phone-calls")))
		if err != nil {
			t.Fatal(err)
		}
		calls := popText(ctx, "#phone-calls")
		if !strings.Contains(calls, "+12125550100") || !strings.Contains(calls, "Ann Archer") || !strings.Contains(calls, "Wants a new toner by Friday") {
			t.Errorf("the new ticket's phone calls: %q, want the call from Ann on +12125550100 with the agent's note", calls)
		}
		if log := popText(ctx, "#public-log"); !strings.Contains(log, "Call from customer dated ") {
			t.Errorf("public log %q, want the preset entry", log)
		}
		details := popText(ctx, "dl.details")
		if !strings.Contains(details, "Pat Agent") || !strings.Contains(details, "Assigned") {
			t.Errorf("ticket details %q, want assigned to Pat Agent, who took the call", details)
		}
	})

	t.Run("Shared number: nobody chosen, the agent picks with ↓ and Enter", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=2125550199"), chromedp.WaitVisible(chromedp.ID("pop-offers")),
			chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
		if err != nil {
			t.Fatal(err)
		}
		labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#pop-callers label')).map(l => (l.querySelector('.caller-name') || l).textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"All contacts found (3)", "Bob Baker", "Cid Carter", "Dee Dunn", "Unknown contact"}
		if strings.Join(labels, "|") != strings.Join(want, "|") {
			t.Errorf("callers %q, want %q", labels, want)
		}
		if shared := popText(ctx, "#pop-shared"); shared != "Shared number: 3 persons" {
			t.Errorf("shared mark %q", shared)
		}
		// Nobody is chosen for the agent: All contacts found is, the lists
		// show every caller's tickets, the focus is on the choice.
		if label, _ := checkedCaller(ctx); label != "All contacts found (3)" {
			t.Errorf("selected %q, want All contacts found", label)
		}
		if err := waitLists(ctx, "Bob's VPN"); err != nil {
			t.Fatal(err)
		}
		if err := waitLists(ctx, "Cid's laptop"); err != nil {
			t.Fatal(err)
		}
		// autofocus applies once the page is rendered: wait for it.
		var focused string
		for deadline := time.Now().Add(5 * time.Second); focused != "caller=all" && time.Now().Before(deadline); {
			focused, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.name + '=' + document.activeElement.value`))
			if focused != "caller=all" {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if focused != "caller=all" {
			t.Fatalf("focus on %q, want the caller choice", focused)
		}
		// ↓ ↓ picks Cid; the lists follow without a page load.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		if err := waitLists(ctx, "Cid's laptop", "Bob's VPN"); err != nil {
			t.Fatal(err)
		}
		if label, _ := checkedCaller(ctx); !strings.HasPrefix(label, "Cid Carter") {
			t.Errorf("after ↓ ↓ selected %q, want Cid Carter", label)
		}
		if title, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`)); title != "Cid Carter — 2125550199 · ctidesk" {
			t.Errorf("tab title %q", title)
		}
		// Enter picks him and moves to the first creation button, without
		// creating anything yet.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		focused, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute('data-offer') || document.activeElement.tagName`))
		if focused != "UserRequest" {
			t.Fatalf("after Enter the focus is on %q, want the first creation button", focused)
		}
		if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.samePage === true`)); err != nil || !same {
			t.Fatal("the page was left or reloaded by picking a caller")
		}
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="caller"][value="0"]`)))
		if err != nil {
			t.Fatal(err)
		}
		if err := waitLists(ctx, "", "Bob's VPN", "Cid's laptop"); err != nil {
			t.Fatal(err)
		}
		// Enter with Cid selected opens his request.
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="caller"][value="%d"]`, d.cid.ID))),
			chromedp.Focus(chromedp.CSS(`button[data-offer="UserRequest"]`)), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`input[name="title"]`)))
		if err != nil {
			t.Fatal(err)
		}
		if caller, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-caller_id"))); caller != fmt.Sprint(d.cid.ID) {
			t.Errorf("caller preset %q, want Cid (%d)", caller, d.cid.ID)
		}
	})

	t.Run("Show all of a list, from the keyboard", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=%2B14155550142"), chromedp.WaitVisible(chromedp.ID("pop-offers")),
			chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
		if err != nil {
			t.Fatal(err)
		}
		rows := func() int {
			n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#pop-lists .pop-list:first-of-type tbody tr').length`))
			return n
		}
		head := popText(ctx, "#pop-lists .pop-list:first-of-type h2")
		if n := rows(); n != 20 || !strings.Contains(head, "(20 of 24)") || !strings.Contains(popText(ctx, "#pop-lists"), "Eve's request 23") {
			t.Fatalf("first list: %d rows, heading %q; want the 20 newest of 24", n, head)
		}
		// Tab to "Show all 24" and press Enter: the rows come without a page
		// load, and the focus goes to the list's heading.
		err = chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#pop-lists .pop-list:first-of-type a[data-all]`)), chromedp.KeyEvent(kb.Enter))
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for rows() != 24 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if n := rows(); n != 24 || !strings.Contains(popText(ctx, "#pop-lists"), "Eve's request 00") {
			t.Fatalf("after Show all: %d rows, want 24 with the oldest", n)
		}
		if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.samePage === true`)); err != nil || !same {
			t.Errorf("the page was reloaded by Show all")
		}
		focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.tagName + ' ' + document.activeElement.textContent`))
		if !strings.HasPrefix(focused, "H2 ") || !strings.Contains(focused, "(24)") {
			t.Errorf("focus on %q, want the list's heading", focused)
		}
		if link := popText(ctx, "#pop-lists a[data-all]"); link != "" {
			t.Errorf("a Show all link is left: %q", link)
		}
	})

	t.Run("Usable at 390 px", func(t *testing.T) {
		// The pop's own content fits (the header and menu are the layout's).
		for _, u := range []string{"/pop?phone=%2B12125550100", "/pop?phone=2125550199", "/pop?phone=%2B442079460000"} {
			err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+u), chromedp.WaitVisible(chromedp.ID("pop-offers")))
			if err != nil {
				t.Fatal(err)
			}
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#pop, #pop *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`))
			if len(wide) > 0 {
				t.Errorf("%s at 390 px: wider than the window: %q", u, wide)
			}
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Request among the caller's latest tickets", func(t *testing.T) {
		u := base + "/pop?" + url.Values{"request": {d.bobTicket.Ref}, "phone": {"+14155550142"}}.Encode()
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("pop-request"))); err != nil {
			t.Fatal(err)
		}
		if text := popText(ctx, "#pop-request"); !strings.Contains(text, d.bobTicket.Ref) || !strings.Contains(text, "Bob's VPN") {
			t.Errorf("request panel %q", text)
		}
		if label, _ := checkedCaller(ctx); !strings.HasPrefix(label, "Bob Baker") {
			t.Errorf("selected %q, want Bob Baker", label)
		}
	})

	t.Run("Request older than the latest 50: its caller, the ticket not opened", func(t *testing.T) {
		u := base + "/pop?" + url.Values{"request": {d.cidOld.Ref}, "telephone": {"+14155550142"}}.Encode()
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("pop-offers"))); err != nil {
			t.Fatal(err)
		}
		if label, _ := checkedCaller(ctx); !strings.HasPrefix(label, "Cid Carter") {
			t.Errorf("selected %q, want Cid Carter, the request's caller, as the API finds him", label)
		}
		if popText(ctx, "#pop-request") != "" {
			t.Error("an old request was opened")
		}
	})
}

func TestBrowserPopDirectCreation(t *testing.T) {
	d := mustPopData(t)
	cfg := filepath.Join(t.TempDir(), "ctidesk.yaml")
	err := os.WriteFile(cfg, []byte(`direct_creation:
  Incident:
    enabled: true
    preset:
      org_id: SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller
      caller_id: ":selected_caller"
      origin: phone
      title: Call from $phone$
      private_log: Call from customer dated $datetime$
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ctx := MustBrowser(t)
	m, _ := MustServe(t, "--db", d.db, "--config", cfg)
	base := "http://" + m.Addr()
	if err := browserLogin(ctx, base, "agent", popAgentPassword); err != nil {
		t.Fatalf("log in: %v", err)
	}
	title := chromedp.CSS(`input[name="title"]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?phone=2125550199"), chromedp.WaitVisible(title)); err != nil {
		t.Fatalf("direct creation: %v", err)
	}
	heading := popText(ctx, "h1")
	got, _ := chromedp.Run(ctx, chromedp.Value(title))
	caller, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-caller_id")))
	if heading != "New incident" || got != "Call from 2125550199" || caller != fmt.Sprint(d.bob.ID) {
		t.Errorf("form %q, title %q, caller %q; want a new incident for Bob, the first found", heading, got, caller)
	}
	// Create: back on the pop (not the form again), which names the
	// incident.
	err = chromedp.Do(ctx, chromedp.Submit(title), chromedp.WaitVisible(chromedp.ID("pop-created")),
		chromedp.Click(chromedp.CSS("#pop-created a")), chromedp.WaitVisible(chromedp.ID("phone-calls")))
	if err != nil {
		t.Fatal(err)
	}
	if log := popText(ctx, "#private-log"); !strings.Contains(log, "Call from customer dated ") {
		t.Errorf("private log %q, want the preset entry", log)
	}
	if calls := popText(ctx, "#phone-calls"); !strings.Contains(calls, "2125550199") || !strings.Contains(calls, "Bob Baker") {
		t.Errorf("phone calls %q, want the call from Bob", calls)
	}
}

// TestBrowserPopTellsTheTruth: what the pop says of the callers is true and
// readable: an open incident shows, no lookup leaves a raw placeholder, and a
// French agent reads French.
func TestBrowserPopTellsTheTruth(t *testing.T) {
	d := mustPopData(t)
	ctx := MustBrowser(t)
	m, _ := MustServe(t, "--db", d.db)
	base := "http://" + m.Addr()
	if err := browserLogin(ctx, base, "agent", popAgentPassword); err != nil {
		t.Fatalf("log in: %v", err)
	}
	open := func(t *testing.T, query url.Values) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/pop?"+query.Encode()), chromedp.WaitVisible(chromedp.ID("pop-offers"))); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("An open incident shows", func(t *testing.T) {
		open(t, url.Values{"phone": {"+12125550100"}})
		if err := waitLists(ctx, "Ann's network is down"); err != nil {
			t.Error(err)
		}
		if err := waitLists(ctx, "Ann's printer"); err != nil {
			t.Error(err)
		}
	})

	for _, c := range []struct {
		name   string
		query  url.Values
		legend string
	}{
		{"employee number", url.Values{"employee_number": {"E-1001"}}, "Caller with employee number E-1001"},
		{"support id", url.Values{"support_id": {"S-ANN"}}, "Callers with support ID S-ANN"},
		{"request", url.Values{"request": {d.annTicket.Ref}}, "Caller of ticket " + d.annTicket.Ref},
	} {
		t.Run("No placeholder: "+c.name, func(t *testing.T) {
			open(t, c.query)
			legend := popText(ctx, "#pop-callers legend")
			if legend != c.legend {
				t.Errorf("legend %q, want %q", legend, c.legend)
			}
			if page := popText(ctx, "#pop"); strings.Contains(page, "$") {
				t.Errorf("the pop shows a raw placeholder: %q", page)
			}
			if card := popText(ctx, "#caller-card"); !strings.Contains(card, "Ann Archer") {
				t.Errorf("caller card %q, want Ann Archer", card)
			}
		})
	}

	t.Run("A French agent reads French", func(t *testing.T) {
		fr := MustBrowser(t)
		if err := browserLogin(fr, base, "agentfr", popAgentPassword); err != nil {
			t.Fatalf("log in: %v", err)
		}
		err := chromedp.Do(fr, chromedp.Navigate(base+"/pop?phone=2125550199"), chromedp.WaitVisible(chromedp.ID("pop-offers")))
		if err != nil {
			t.Fatal(err)
		}
		page := popText(fr, "#pop")
		for _, want := range []string{"Contacts au numéro 2125550199", "Numéro partagé : 3 personnes", "Tous les contacts trouvés (3)",
			"Tickets ouverts de l'appelant", "téléphone, ", "Nouvelle demande utilisateur"} {
			if !strings.Contains(page, want) {
				t.Errorf("French pop lacks %q:\n%s", want, page)
			}
		}
		for _, english := range []string{"Open tickets of this caller", "Shared number", "All contacts found", "Unknown contact"} {
			if strings.Contains(page, english) {
				t.Errorf("French pop shows %q", english)
			}
		}
	})
}
