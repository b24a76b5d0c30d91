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
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// browserLogin logs in through the login form.
func browserLogin(ctx context.Context, base, login, password string) error {
	return chromedp.Run(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`input[name="login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="login"]`, login, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="password"]`, password, chromedp.ByQuery),
		chromedp.Submit(`input[name="password"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery),
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
	var personURL, personName string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/persons"),
		chromedp.WaitVisible(`a[href^="/persons/"][data-person]`, chromedp.ByQuery),
		chromedp.Text(`a[href^="/persons/"][data-person]`, &personName, chromedp.ByQuery),
		chromedp.Click(`a[href^="/persons/"][data-person]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#new-user-request`, chromedp.ByQuery),
		chromedp.Location(&personURL),
	)
	if err != nil {
		t.Fatalf("open a person: %v", err)
	}

	// Create a user request for that person from their page.
	title := "Headset crackles on every call " + time.Now().Format("150405")
	var ticketText string
	err = chromedp.Run(ctx,
		chromedp.Click(`#new-user-request`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name="title"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="title"]`, title, chromedp.ByQuery),
		chromedp.Submit(`input[name="title"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#ticket`, chromedp.ByQuery),
		chromedp.Text(`#ticket`, &ticketText, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("create a user request: %v", err)
	}
	if !strings.Contains(ticketText, title) || !strings.Contains(ticketText, strings.TrimSpace(personName)) {
		t.Errorf("new ticket page shows %q, want title %q and caller %q", ticketText, title, personName)
	}

	// The request is among the person's tickets.
	var tickets string
	err = chromedp.Run(ctx,
		chromedp.Navigate(personURL),
		chromedp.WaitVisible(`#person-tickets`, chromedp.ByQuery),
		chromedp.Text(`#person-tickets`, &tickets, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("back to the person: %v", err)
	}
	if !strings.Contains(tickets, title) {
		t.Errorf("person's tickets do not list %q:\n%s", title, tickets)
	}
}
