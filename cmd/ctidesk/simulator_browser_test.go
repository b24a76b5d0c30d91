package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCallSimulator is the administrator's rehearsal before he
// touches the phone system: on the Telephony page he simulates a call from
// Ann's number to the agent; the agent's tab, in another browser session,
// shows the ringing notice; he answers it from the simulator, and the
// agent's tab opens the pop of the call; he hangs up, and the call log has
// the answered call.
func TestBrowserCallSimulator(t *testing.T) {
	d := mustPopData(t)
	mustIntegration(t, d.db, "agent", "201")
	const adminPassword = "simulator admin password"
	if out, err := runCommand(t, adminPassword+"\n", nil, "user", "add", "admin", "--role", "admin", "--db", d.db); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	adminCtx := MustBrowser(t)
	agentCtx, cancel := chromedp.NewContext(adminCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	m, _ := MustServe(t, "--db", d.db)
	base := "http://" + m.Addr()

	// The agent works on the ticket list; its event stream is open.
	if err := browserLogin(agentCtx, base, "agent", popAgentPassword); err != nil {
		t.Fatalf("agent log in: %v", err)
	}
	connected := chromedp.CSS(`#call-notices[data-connected="true"]`)
	if err := chromedp.Do(agentCtx, chromedp.Navigate(base+"/tickets"), chromedp.WaitReady(connected)); err != nil {
		t.Fatalf("event stream: %v", err)
	}

	// The administrator simulates a call from Ann to the agent.
	if err := browserLogin(adminCtx, base, "admin", adminPassword); err != nil {
		t.Fatalf("admin log in: %v", err)
	}
	from := chromedp.ID("f-sim-from")
	if err := chromedp.Do(adminCtx, chromedp.Navigate(base+"/admin/telephony#simulator"), chromedp.WaitVisible(from)); err != nil {
		t.Fatalf("telephony page: %v", err)
	}
	err := chromedp.Do(adminCtx, chromedp.Clear(from), chromedp.SendKeys(from, "+1 (212) 555-0100"),
		chromedp.SetValue(chromedp.ID("f-sim-agent"), agentID(t, adminCtx)),
		chromedp.Click(chromedp.CSS(`#simulator-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("simulation")))
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	if text := popText(adminCtx, "#simulation"); !strings.Contains(text, "Ringing") || !strings.Contains(text, "It rang for: Pat Agent (agent)") {
		t.Errorf("simulation %q, want the call ringing for the agent", text)
	}

	// The agent's tab rings.
	ringing := chromedp.CSS(`.call-notice[data-kind="ringing"]`)
	if err := chromedp.Do(agentCtx, chromedp.WaitVisible(ringing)); err != nil {
		t.Fatalf("ringing notice: %v", err)
	}
	if text := popText(agentCtx, `.call-notice[data-kind="ringing"]`); !strings.Contains(text, "Ann Archer") ||
		!strings.Contains(text, "+1 (212) 555-0100") {
		t.Errorf("ringing notice %q, want Ann's call", text)
	}

	// Answered from the simulator: the agent's tab opens the pop.
	err = chromedp.Do(adminCtx, chromedp.Click(chromedp.CSS(`button[data-step="answer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-step="hangup"]`)))
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	if err := chromedp.Do(agentCtx, chromedp.WaitVisible(chromedp.ID("pop-call"))); err != nil {
		t.Fatalf("the pop did not open on answer: %v", err)
	}
	if label, _ := checkedCaller(agentCtx); !strings.HasPrefix(label, "Ann Archer") {
		t.Errorf("the pop selected %q, want Ann Archer", label)
	}

	// Hung up: the call log has the answered call.
	err = chromedp.Do(adminCtx, chromedp.Click(chromedp.CSS(`button[data-step="hangup"]`)),
		chromedp.WaitNotPresent(chromedp.ID("simulation-next")),
		chromedp.Navigate(base+"/calls"), chromedp.WaitVisible(chromedp.ID("calls")))
	if err != nil {
		t.Fatalf("hang up: %v", err)
	}
	if row := popText(adminCtx, "#calls tbody tr"); !strings.Contains(row, "Answered") || !strings.Contains(row, "Ann Archer") ||
		!strings.Contains(row, "Pat Agent") {
		t.Errorf("call log row %q, want Ann's call answered by the agent", row)
	}
}

// agentID returns the value of the agent's option in the simulator's select.
func agentID(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('#f-sim-agent option')).find(o => o.textContent.startsWith('agent')).value`))
	if err != nil || id == "" {
		t.Fatalf("the agent's option: %q, %v", id, err)
	}
	return id
}
