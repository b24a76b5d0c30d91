package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestCallSimulator: the administrator simulates a call from a number to an
// agent, then answers and hangs it up, through the real call events path:
// the agent's stream gets the ringing notice, the pop, the end; the call log
// has the row; the page shows what was posted and answered.
func TestCallSimulator(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	agentID := strconv.FormatInt(ce.userOf(t, "agent").ID, 10)
	agent := openStream(t, ce.MustLogin(t, "agent"), "")
	french := openStream(t, ce.MustLogin(t, "french"), "")
	admin := ce.MustLogin(t, "admin")
	page := admin.get("/admin/telephony")
	wantContains(t, "page", page, "Simulate a call", `id="simulator-form"`, `value="+14155550142"`, "The built-in call simulator")

	r := admin.post("/admin/telephony/simulate", url.Values{"step": {"ring"}, "from": {"+1 (555) 010-0199"}, "agent_id": {agentID},
		"queue": {"support"}})
	wantStatus(t, "ring", r, http.StatusOK)
	callID := regexp1(t, r.body, `name="call_id" value="(sim-[0-9a-f]+)"`)
	wantContains(t, "ring", r, "Ring, posted as Call simulator:", "event=newCall", "user%5B%5D=agent", "to=201", `id="simulation-reply">{}<`,
		"Ringing", "It rang for: Ada Agent (agent)", `data-step="answer"`, `data-step="miss"`, "queue support")
	ev, n := agent.nextEvent()
	if ev.event != "ringing" || n.Number != "+1 (555) 010-0199" || n.Queue != "support" || len(n.Callers) != 1 ||
		n.Callers[0].Name != "Alice Anders" {
		t.Fatalf("the agent is told %s %+v, want the ringing of Alice's call", ev.event, n)
	}

	next := func(step string) *response {
		t.Helper()
		r := admin.post("/admin/telephony/simulate", url.Values{"step": {step}, "call_id": {callID}, "from": {"+1 (555) 010-0199"},
			"agent_id": {agentID}, "queue": {"support"}})
		wantStatus(t, step, r, http.StatusOK)
		return r
	}
	r = next("answer")
	wantContains(t, "answer", r, "Answer, posted as Call simulator:", "answeringNumber=201", "Answered", "Ada Agent", `data-step="hangup"`)
	if ev, n := agent.nextEvent(); ev.event != "answered" || !n.Open {
		t.Fatalf("the agent is told %s %+v, want the pop", ev.event, n)
	}
	r = next("hangup")
	wantContains(t, "hangup", r, "cause=normalClearing")
	wantLacks(t, "hangup", r, `id="simulation-next"`)
	if ev, _ := agent.nextEvent(); ev.event != "ended" {
		t.Fatalf("the agent is told %s, want the end", ev.event)
	}
	calls, _, err := ce.svc.Calls.FindCalls(ce.sys, desk.CallFilter{CallID: &callID})
	noErr(t, err)
	if len(calls) != 1 || calls[0].State != desk.CallAnswered || !calls[0].Ended() || calls[0].ContactID != ce.personA.ID ||
		calls[0].Queue != "support" {
		t.Fatalf("simulated call %+v", calls)
	}
	wantContains(t, "call log", ce.MustLogin(t, "agent").get("/calls"), "Alice Anders", "support", "Ada Agent", "Answered")
	integs, err := ce.svc.Telephony.FindIntegrations(ce.sys)
	noErr(t, err)
	if integs[0].Name != cti.SimulatorIntegration || calls[0].IntegrationID != integs[0].ID {
		t.Fatalf("integrations %+v, want the simulator's made and used", integs)
	}

	t.Run("Nobody named, missed, as a chosen integration", func(t *testing.T) {
		admin.get("/admin/telephony")
		r := admin.post("/admin/telephony/simulate", url.Values{"step": {"ring"}, "from": {"+33 9 87 65 43 21"},
			"integration_id": {strconv.FormatInt(ce.integ.ID, 10)}})
		wantStatus(t, "ring", r, http.StatusOK)
		wantContains(t, "ring", r, "posted as PBX")
		callID := regexp1(t, r.body, `name="call_id" value="(sim-[0-9a-f]+)"`)
		// Every agent who may see Bob (Globex): not the scoped agent.
		if rang := regexp1(t, r.body, `id="simulation-rang">([^<]*)</p>`); rang != "It rang for: Ada Agent (agent), french" {
			t.Errorf("rang %q", rang)
		}
		for _, s := range []*stream{agent, french} {
			if ev, n := s.nextEvent(); ev.event != "ringing" || len(n.Callers) != 1 || n.Callers[0].Name != "Bob Brightside" {
				t.Fatalf("told %s %+v, want Bob's call ringing", ev.event, n)
			}
		}
		r = admin.post("/admin/telephony/simulate", url.Values{"step": {"miss"}, "call_id": {callID}, "from": {"+33 9 87 65 43 21"},
			"integration_id": {strconv.FormatInt(ce.integ.ID, 10)}})
		wantContains(t, "miss", r, "cause=noAnswer", "Missed")
		for _, s := range []*stream{agent, french} {
			if ev, n := s.nextEvent(); ev.event != "ended" || n.State != desk.CallMissed {
				t.Fatalf("told %s %+v, want the missed call", ev.event, n)
			}
		}
	})

	t.Run("Refused", func(t *testing.T) {
		admin.get("/admin/telephony")
		before := len(mustCalls(t, ce))
		r := admin.post("/admin/telephony/simulate", url.Values{"step": {"ring"}, "csrf_token": {"forged"}})
		wantStatus(t, "forged", r, http.StatusForbidden)
		agentClient := ce.MustLogin(t, "agent")
		agentClient.get("/calls")
		wantStatus(t, "not an admin", agentClient.post("/admin/telephony/simulate", url.Values{"step": {"ring"}}), http.StatusForbidden)
		r = admin.post("/admin/telephony/simulate", url.Values{"step": {"explode"}})
		wantStatus(t, "bad step", r, http.StatusUnprocessableEntity)
		wantContains(t, "bad step", r, "Choose a step")
		r = admin.post("/admin/telephony/simulate", url.Values{"step": {"answer"}})
		wantStatus(t, "answer what", r, http.StatusUnprocessableEntity)
		wantContains(t, "answer what", r, "Make a call ring first")
		r = admin.post("/admin/telephony/simulate", url.Values{"step": {"ring"}, "integration_id": {"9999"}})
		wantStatus(t, "unknown integration", r, http.StatusUnprocessableEntity)
		wantContains(t, "unknown integration", r, "Integration 9999 is not an active integration.")
		r = admin.post("/admin/telephony/simulate", url.Values{"step": {"ring"}, "agent_id": {"9999"}, "from": {"+1 555"}})
		wantStatus(t, "unknown agent", r, http.StatusUnprocessableEntity)
		wantContains(t, "unknown agent", r, `value="+1 555"`)
		if after := len(mustCalls(t, ce)); after != before {
			t.Fatalf("%d calls after the refusals, %d before", after, before)
		}
	})
}

func mustCalls(t *testing.T, ce *callEnv) []*desk.Call {
	t.Helper()
	calls, _, err := ce.svc.Calls.FindCalls(ce.sys, desk.CallFilter{})
	noErr(t, err)
	return calls
}

// TestQueueTargetsPage: the queues' targets on the telephony page.
func TestQueueTargetsPage(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	admin := ce.MustLogin(t, "admin")
	admin.get("/admin/telephony")
	french := strconv.FormatInt(ce.userOf(t, "french").ID, 10)
	r := admin.post("/admin/telephony/queues", url.Values{"queue": {"support"}, "user_id": {french}})
	wantStatus(t, "add", r, http.StatusSeeOther)
	r = admin.post("/admin/telephony/queues", url.Values{"queue": {"Support"}, "user_id": {french}})
	wantStatus(t, "again", r, http.StatusUnprocessableEntity)
	wantContains(t, "again", r, `already told of the calls of the queue "Support"`, `value="Support"`)
	r = admin.post("/admin/telephony/queues", url.Values{"queue": {" "}, "user_id": {french}})
	wantStatus(t, "no queue", r, http.StatusUnprocessableEntity)
	page := admin.get("/admin/telephony")
	wantContains(t, "page", page, `id="queue-list"`, "Remove french from the queue support")
	targets, err := ce.svc.Telephony.FindQueueTargets(ce.sys)
	noErr(t, err)
	if len(targets) != 1 {
		t.Fatalf("targets %+v", targets)
	}
	// The queue's target is rung for a call to support that names nobody.
	frenchStream := openStream(t, ce.MustLogin(t, "french"), "")
	wantAPIStatus(t, "newCall", ce.event(t, url.Values{"event": {"newCall"}, "callId": {"q"}, "from": {"+15550100199"},
		"to": {"support"}, "direction": {"in"}}), http.StatusOK)
	if ev, n := frenchStream.nextEvent(); ev.event != "ringing" || n.Queue != "support" {
		t.Fatalf("told %s %+v", ev.event, n)
	}
	wantStatus(t, "remove", admin.post(idPath("/admin/telephony/queues", targets[0].ID, "/delete"), nil), http.StatusSeeOther)
	wantStatus(t, "remove again", admin.post(idPath("/admin/telephony/queues", targets[0].ID, "/delete"), nil), http.StatusNotFound)
	wantStatus(t, "not an admin", ce.MustLogin(t, "agent").post("/admin/telephony/queues", url.Values{"queue": {"x"}}), http.StatusForbidden)
}
