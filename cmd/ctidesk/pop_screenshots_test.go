package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestBrowserPopScreenshots writes the README's pictures of the pop from the
// demo data, so that they show the pop as it is: one caller, a shared
// number, an unknown number with its near misses, the person form opened
// from the pop; and, as an administrator sees them, the call statistics, the
// callbacks and the teams. It runs with CTIDESK_SCREENSHOTS=1:
//
//	CTIDESK_SCREENSHOTS=1 go test ./cmd/ctidesk -run TestBrowserPopScreenshots
//
// The pictures go to docs/img (CTIDESK_SCREENSHOTS_DIR elsewhere), 1366 px
// wide; CTIDESK_SCREENSHOTS_WIDTHS=390,1920 adds other widths, named
// NAME-WIDTH.png, to look at the pages on a phone or a large screen.
func TestBrowserPopScreenshots(t *testing.T) {
	if os.Getenv("CTIDESK_SCREENSHOTS") != "1" {
		t.Skip("set CTIDESK_SCREENSHOTS=1 to write docs/img/*.png")
	}
	dir := os.Getenv("CTIDESK_SCREENSHOTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "docs", "img")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	m, out := MustServe(t, "--demo", "--db", db)
	base := "http://" + m.Addr()
	one, shared, unknown := demoPopNumbers(t, db)

	ctx := MustBrowser(t)
	if err := browserLogin(ctx, base, "agent", demoPasswords(out)["agent"]); err != nil {
		t.Fatalf("log in: %v", err)
	}
	widths := []int64{1366}
	for _, w := range strings.Split(os.Getenv("CTIDESK_SCREENSHOTS_WIDTHS"), ",") {
		if n, err := strconv.ParseInt(strings.TrimSpace(w), 10, 64); err == nil && n >= 320 && n <= 3840 {
			widths = append(widths, n)
		}
	}
	shots := []struct{ name, path, click, ready string }{
		{"pop-one-caller", "/pop?" + url.Values{"phone": {one}}.Encode(), "", "pop-offers"},
		{"pop-shared-number", "/pop?" + url.Values{"phone": {shared}}.Encode(), "", "pop-offers"},
		{"pop-unknown-number", "/pop?" + url.Values{"phone": {unknown}}.Encode(), "", "pop-offers"},
		// The person form from the pop, with the call's banner.
		{"pop-new-person", "/pop?" + url.Values{"phone": {unknown}}.Encode(), "pop-new-person", "person-form"},
		{"stats", "/stats", "", "stats-csv"},
		{"callbacks", "/calls/callbacks", "", "callbacks-total"},
		{"teams", "/teams", "", "teams"},
	}
	for _, shot := range shots {
		if shot.name == "stats" { // the desk's pages as an administrator sees them
			err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.logout button`)),
				chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)))
			if err != nil {
				t.Fatalf("log out: %v", err)
			}
			if err := browserLogin(ctx, base, "admin", demoPasswords(out)["admin"]); err != nil {
				t.Fatalf("log in as admin: %v", err)
			}
		}
		for _, width := range widths {
			actions := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(width, 900), chromedp.Navigate(base + shot.path)}
			if shot.click != "" {
				actions = append(actions, chromedp.WaitVisible(chromedp.ID(shot.click)), chromedp.Click(chromedp.ID(shot.click)))
			}
			err := chromedp.Do(ctx, append(actions, chromedp.WaitVisible(chromedp.ID(shot.ready)))...)
			if err != nil {
				t.Fatalf("%s: %v", shot.name, err)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: %v", shot.name, err)
			}
			name := shot.name + ".png"
			if width != 1366 {
				name = shot.name + "-" + strconv.FormatInt(width, 10) + ".png"
			}
			if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// demoPopNumbers returns, from the demo data, the number of a person it
// alone has (with an email, a function and open tickets), a number several
// persons share (a switchboard) and a number of nobody that ends as some
// person's number ends (the pop shows it as a near miss).
func demoPopNumbers(t *testing.T, db string) (one, shared, unknown string) {
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	persons, _, err := s.FindPersons(ctx, desk.PersonFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range persons {
		if p.Phone == "" || (one != "" && shared != "") {
			continue
		}
		found, err := s.FindCallersByNumber(ctx, p.Phone)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case len(found) >= 3 && shared == "":
			shared = p.Phone
		case len(found) == 1 && one == "" && p.MobilePhone != "" && p.Email != "" && p.Function != "" && p.LocationID != 0:
			id := p.ID
			_, assigned, err := s.FindTickets(ctx, desk.TicketFilter{CallerID: &id, Status: desk.TicketAssigned, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if assigned >= 2 {
				one = p.Phone
			}
		}
	}
	// An unknown number with near misses: a Washington number ending as a
	// person's number ends, which the pop shows as close but not matched.
	for _, p := range persons {
		var digits []byte
		for _, c := range []byte(p.Phone) {
			if c >= '0' && c <= '9' {
				digits = append(digits, c)
			}
		}
		if len(digits) < 10 || digits[len(digits)-7] < '2' {
			continue
		}
		last := string(digits[len(digits)-7:])
		n := "+1 202 " + last[:3] + " " + last[3:]
		found, misses, err := s.ExplainCallersByNumber(ctx, n)
		if err == nil && len(found) == 0 && len(misses) > 0 {
			unknown = n
			break
		}
	}
	if one == "" || shared == "" || unknown == "" {
		t.Fatalf("demo numbers: one %q, shared %q, unknown %q", one, shared, unknown)
	}
	return one, shared, unknown
}
