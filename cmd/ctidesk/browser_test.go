package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip,
// saying so, except under CI=true where they must run.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("requires chromium: not found on PATH, and CI=true forbids skipping (apt-get install chromium)")
	}
	tb.Skip("requires chromium: not found on PATH (apt-get install chromium)")
	return ""
}

// MustBrowser returns a chromedp context on a fresh headless chromium that
// ends with the test.
func MustBrowser(tb testing.TB) context.Context {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	tb.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// browserLogin logs in through the login form.
func browserLogin(ctx context.Context, base, login, password string) error {
	return chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
}

// TestBrowserCreateRequestForPerson is the agent's everyday path: log in, open
// a person, create a user request for them, and find it in their tickets.
func TestBrowserCreateRequestForPerson(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "browser.db"))
	base := "http://" + m.Addr()
	password := demoPasswords(out)["agent"]
	if password == "" {
		t.Fatalf("no agent password in the serve output:\n%s", out)
	}
	if err := browserLogin(ctx, base, "agent", password); err != nil {
		t.Fatalf("log in as agent: %v", err)
	}

	// Open the first person of the list.
	personLink := chromedp.CSS(`a[href^="/persons/"][data-person]`)
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/persons"), chromedp.WaitVisible(personLink))
	if err != nil {
		t.Fatalf("list persons: %v", err)
	}
	personName, err := chromedp.Run(ctx, chromedp.Text(personLink))
	if err != nil {
		t.Fatalf("read the first person: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(personLink), chromedp.WaitVisible(chromedp.ID("new-user-request"))); err != nil {
		t.Fatalf("open a person: %v", err)
	}
	personURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	// Create a user request for that person from their page.
	title := "Headset crackles on every call " + time.Now().Format("150405")
	titleInput := chromedp.CSS(`input[name="title"]`)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("new-user-request")),
		chromedp.WaitVisible(titleInput),
		chromedp.SendKeys(titleInput, title),
		chromedp.Submit(titleInput),
		chromedp.WaitVisible(chromedp.ID("ticket")),
	)
	if err != nil {
		t.Fatalf("create a user request: %v", err)
	}
	ticketText, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("ticket")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ticketText, title) || !strings.Contains(ticketText, strings.TrimSpace(personName)) {
		t.Errorf("new ticket page shows %q, want title %q and caller %q", ticketText, title, personName)
	}

	// The request is among the person's tickets.
	err = chromedp.Do(ctx, chromedp.Navigate(personURL), chromedp.WaitVisible(chromedp.ID("person-tickets")))
	if err != nil {
		t.Fatalf("back to the person: %v", err)
	}
	tickets, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("person-tickets")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tickets, title) {
		t.Errorf("person's tickets do not list %q:\n%s", title, tickets)
	}
}
