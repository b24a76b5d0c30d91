package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDisplay is the pop on demand: a program posts a ticket for an
// agent (by extension) and his open ctidesk tab shows it by itself; the pop
// of a number likewise.
func TestBrowserDisplay(t *testing.T) {
	d := mustPopData(t)
	mustIntegration(t, d.db, "agent", "201") // gives the agent extension 201
	out, err := runCommand(t, "", nil, "token", "create", "agent", "--db", d.db)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	token := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	ctx := MustBrowser(t)
	m, _ := MustServe(t, "--db", d.db)
	base := "http://" + m.Addr()
	display := func(agent string, body any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/agents/"+agent+"/display", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := display("201", map[string]any{"ticket": d.annTicket.Ref}); got != http.StatusConflict {
		t.Fatalf("without an open tab: %d, want 409", got)
	}
	if err := browserLogin(ctx, base, "agent", popAgentPassword); err != nil {
		t.Fatalf("log in: %v", err)
	}
	connected := chromedp.CSS(`#call-notices[data-connected="true"]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tickets"), chromedp.WaitReady(connected)); err != nil {
		t.Fatalf("event stream: %v", err)
	}
	if got := display("201", map[string]any{"ticket": d.annTicket.Ref}); got != http.StatusOK {
		t.Fatalf("display: %d, want 200", got)
	}
	want := fmt.Sprintf("/tickets/%d", d.annTicket.ID)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("phone-calls"))); err != nil {
		t.Fatalf("the tab did not open the ticket: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, want) {
		t.Errorf("the tab shows %s, want %s", loc, want)
	}
	if h1 := popText(ctx, "h1"); !strings.Contains(h1, d.annTicket.Ref) {
		t.Errorf("the tab's title %q, want %s", h1, d.annTicket.Ref)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(connected)); err != nil {
		t.Fatal(err)
	}
	if got := display("agent", map[string]any{"pop": map[string]string{"phone": "+1 415 555 0142"}}); got != http.StatusOK {
		t.Fatalf("display the pop: %d, want 200", got)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("pop"))); err != nil {
		t.Fatalf("the tab did not open the pop: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/pop?phone=") {
		t.Errorf("the tab shows %s, want the pop", loc)
	}
}
