package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestBrowserOutboundCall clicks the call action of a ticket: the outbound
// call is recorded on the ticket and the phone system (a fake CTI server
// here) receives the caller's number in a new tab. A viewer sees no call
// action; without ecall_parameters nobody does; numbers are tel: links.
func TestBrowserOutboundCall(t *testing.T) {
	d := mustPopData(t)
	dialed := make(chan url.Values, 4)
	cti := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dialed <- r.URL.Query()
		fmt.Fprint(w, "<!doctype html><title>Dialing</title><p>Dialing")
	}))
	t.Cleanup(cti.Close)
	cfg := filepath.Join(t.TempDir(), "ctidesk.yaml")
	err := os.WriteFile(cfg, []byte("ecall_parameters:\n  url: "+cti.URL+"/dial\n  url_parameters:\n    telephone: phone\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	// A viewer, who may not record calls.
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, d.db)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := desk.HashPassword(popAgentPassword)
	if err := s.CreateUser(ctx, &desk.User{Login: "viewer", PasswordHash: hash, Roles: []string{desk.RoleViewer}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	m, _ := MustServe(t, "--db", d.db, "--config", cfg)
	base := "http://" + m.Addr()
	browser := MustBrowser(t)
	if err := browserLogin(browser, base, "agent", popAgentPassword); err != nil {
		t.Fatal(err)
	}
	ticketPage := fmt.Sprintf("%s/tickets/%d", base, d.annTicket.ID)
	callButton := chromedp.CSS(`button[data-call="phone"]`)
	if err := chromedp.Do(browser, chromedp.Navigate(ticketPage), chromedp.WaitVisible(callButton)); err != nil {
		t.Fatalf("call action on the ticket: %v", err)
	}
	href, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector('#ticket a.tel').getAttribute('href')`))
	if err != nil || href != "tel:+12125550100" {
		t.Errorf("the caller's number links to %q (%v), want tel:+12125550100", href, err)
	}
	if err := chromedp.Do(browser, chromedp.Click(callButton)); err != nil {
		t.Fatal(err)
	}
	select {
	case q := <-dialed:
		if q.Get("telephone") != "+1 (212) 555-0100" {
			t.Errorf("the phone system was asked to dial %q, want Ann's number", q.Get("telephone"))
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the phone system's URL was not opened")
	}
	if err := chromedp.Do(browser, chromedp.Navigate(ticketPage), chromedp.WaitVisible(chromedp.ID("phone-calls"))); err != nil {
		t.Fatal(err)
	}
	calls := popText(browser, "#phone-calls")
	if !strings.Contains(calls, "Outbound") || !strings.Contains(calls, "+1 (212) 555-0100") {
		t.Errorf("the ticket's phone calls: %q, want the outbound call to Ann", calls)
	}

	// A viewer has no call action.
	viewer := MustBrowser(t)
	if err := browserLogin(viewer, base, "viewer", popAgentPassword); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(viewer, chromedp.Navigate(ticketPage), chromedp.WaitVisible(chromedp.ID("ticket"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(viewer, chromedp.Evaluate[int](`document.querySelectorAll('[data-call]').length`)); n != 0 {
		t.Errorf("a viewer sees %d call actions, want none", n)
	}

	// Without ecall_parameters, no call action.
	plain, _ := MustServe(t, "--db", d.db)
	plainBase := "http://" + plain.Addr()
	other := MustBrowser(t)
	if err := browserLogin(other, plainBase, "agent", popAgentPassword); err != nil {
		t.Fatalf("log in on the server without ecall_parameters: %v", err)
	}
	if err := chromedp.Do(other, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", plainBase, d.annTicket.ID)),
		chromedp.WaitVisible(chromedp.ID("ticket"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(other, chromedp.Evaluate[int](`document.querySelectorAll('[data-call]').length`)); n != 0 {
		t.Errorf("without ecall_parameters %d call actions, want none", n)
	}
}
