package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserPopOnAnswer is the push screen pop in the agent's browser: a
// call rings for him (a notice with the caller and a button), he answers on
// his phone, and the tab he has open on ctidesk opens the pop of the call by
// itself; the request he creates there gets the call. A missed call leaves a
// notice that survives a page load until dismissed.
func TestBrowserPopOnAnswer(t *testing.T) {
	d := mustPopData(t)
	token := mustIntegration(t, d.db, "agent", "201")
	ctx := MustBrowser(t)
	m, _ := MustServe(t, "--db", d.db)
	base := "http://" + m.Addr()
	post := func(form url.Values) {
		t.Helper()
		resp, err := http.PostForm(base+"/api/v1/cti/events/"+token, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", form.Get("event"), resp.Status)
		}
	}
	call := func(event, id, from string, more ...string) url.Values {
		f := url.Values{"event": {event}, "callId": {id}, "from": {from}, "to": {"100"}, "direction": {"in"}}
		for i := 0; i+1 < len(more); i += 2 {
			f.Set(more[i], more[i+1])
		}
		return f
	}
	if err := browserLogin(ctx, base, "agent", popAgentPassword); err != nil {
		t.Fatalf("log in: %v", err)
	}
	// The agent works on the ticket list; its event stream is open.
	connected := chromedp.CSS(`#call-notices[data-connected="true"]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tickets"), chromedp.WaitReady(connected)); err != nil {
		t.Fatalf("event stream: %v", err)
	}

	post(call("newCall", "b-1", "+12125550100", "user", "201", "queue", "support"))
	ringing := chromedp.CSS(`.call-notice[data-kind="ringing"]`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(ringing)); err != nil {
		t.Fatalf("ringing notice: %v", err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(ringing))
	for _, want := range []string{"Incoming call", "Ann Archer (Acme)", "+12125550100", "queue support", "Open the pop"} {
		if !strings.Contains(text, want) {
			t.Errorf("ringing notice %q lacks %q", text, want)
		}
	}

	// He answers: the tab opens the pop of the call by itself.
	post(call("answer", "b-1", "+12125550100", "answeringNumber", "201"))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("pop-call"))); err != nil {
		t.Fatalf("the pop did not open on answer: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/pop?call=") {
		t.Errorf("the tab shows %s, want the call's pop", loc)
	}
	if label, _ := checkedCaller(ctx); !strings.HasPrefix(label, "Ann Archer") {
		t.Errorf("selected %q, want Ann Archer", label)
	}
	if n := popText(ctx, `.call-notice[data-kind="ringing"]`); n != "" {
		t.Errorf("the ringing notice stayed: %q", n)
	}

	// Enter opens the request's form, whose banner tells the call and
	// counts its length live; Create returns to the pop, which names the
	// request; the request has the call.
	title := chromedp.CSS(`input[name="title"]`)
	err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[data-offer="UserRequest"]`)),
		chromedp.Focus(chromedp.CSS(`button[data-offer="UserRequest"]`)), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(title))
	if err != nil {
		t.Fatalf("open the request's form: %v", err)
	}
	banner := popText(ctx, "#pop-banner")
	if !strings.Contains(banner, "+12125550100") || !strings.Contains(banner, "Ann Archer") || !strings.Contains(banner, "Answered") {
		t.Errorf("creation banner %q, want the number, the caller and the call's state", banner)
	}
	since, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#pop-banner [data-since]')?.getAttribute('data-since') || ''`))
	if _, err := time.Parse(time.RFC3339, since); err != nil {
		t.Errorf("the banner counts no live duration (data-since %q)", since)
	}
	err = chromedp.Do(ctx, chromedp.SendKeys(title, "Printer jam"), chromedp.Submit(title),
		chromedp.WaitVisible(chromedp.ID("pop-created")))
	if err != nil {
		t.Fatalf("create the request: %v", err)
	}
	if created := popText(ctx, "#pop-created"); !strings.Contains(created, "Printer jam") {
		t.Errorf("confirmation %q", created)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pop-created a")), chromedp.WaitVisible(chromedp.ID("phone-calls"))); err != nil {
		t.Fatal(err)
	}
	if calls := popText(ctx, "#phone-calls"); !strings.Contains(calls, "+12125550100") || !strings.Contains(calls, "Ann Archer") {
		t.Errorf("the request's phone calls %q, want the call", calls)
	}
	ref := popText(ctx, "h1")
	post(call("hangup", "b-1", "+12125550100", "cause", "normalClearing"))
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/calls"), chromedp.WaitVisible(chromedp.ID("calls"))); err != nil {
		t.Fatal(err)
	}
	if row := popText(ctx, `#calls tbody tr`); !strings.Contains(row, "Answered") || !strings.Contains(row, "Ann Archer") ||
		!strings.Contains(row, "R-") {
		t.Errorf("call log row %q, want the answered call tied to the request (%s)", row, ref)
	}

	// A missed call leaves a notice, kept across a page load until
	// dismissed.
	if err := chromedp.Do(ctx, chromedp.WaitReady(connected)); err != nil {
		t.Fatal(err)
	}
	post(call("newCall", "b-2", "+14155550142", "user", "201"))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(ringing)); err != nil {
		t.Fatalf("second call: %v", err)
	}
	post(call("hangup", "b-2", "+14155550142", "cause", "cancel"))
	missed := chromedp.CSS(`.call-notice[data-kind="missed"]`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(missed)); err != nil {
		t.Fatalf("missed notice: %v", err)
	}
	if text := popText(ctx, `.call-notice[data-kind="missed"]`); !strings.Contains(text, "Missed call") || !strings.Contains(text, "Eve Evans") {
		t.Errorf("missed notice %q", text)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(missed),
		chromedp.Click(chromedp.CSS(`.call-notice[data-kind="missed"] .dismiss`)), chromedp.WaitNotPresent(missed))
	if err != nil {
		t.Fatalf("missed notice after a page load, then dismissed: %v", err)
	}
	if same := fmt.Sprint(popText(ctx, ".call-notice")); same != "" {
		t.Errorf("notices left: %q", same)
	}
}
