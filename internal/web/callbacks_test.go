package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

// missCall posts a missed inbound call from number, ringing extension ext.
func (ce *callEnv) missCall(tb testing.TB, id, number, ext string) {
	tb.Helper()
	wantAPIStatus(tb, "newCall", ce.event(tb, callForm("newCall", id, number, "user[]", ext)), http.StatusOK)
	wantAPIStatus(tb, "hangup", ce.event(tb, callForm("hangup", id, number, "cause", "cancel")), http.StatusOK)
}

// TestCallbacksPage: missed calls become callbacks on /calls/callbacks, one
// a number; an agent takes one, marks an attempt, marks two done at once
// with a note; the count of callbacks due shows on the home page; the
// scoped agent sees only his organizations' callbacks and the unknown
// number's that rang for him.
func TestCallbacksPage(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	ce.missCall(t, "a1", "+15550100199", "201") // Alice Anders, of Acme
	ce.missCall(t, "a2", "+1 555 010 0199", "201")
	ce.missCall(t, "b1", "+33987654321", "201") // Bob, of Globex
	ce.missCall(t, "u1", "+12125550000", "203") // unknown, rang for the scoped agent
	agent := ce.MustLogin(t, "agent")
	r := agent.get("/calls/callbacks")
	wantStatus(t, "callbacks", r, http.StatusOK)
	for _, want := range []string{"3 callbacks", "Alice Anders", "2 missed calls", "Bob Brightside", "2125550000"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("callbacks page lacks %q", want)
		}
	}
	home := agent.get("/")
	if !strings.Contains(home.body, `data-callbacks-due="2"`) || !strings.Contains(home.body, "2 callbacks due") {
		t.Errorf("home page does not show the agent's 2 callbacks due")
	}
	scoped := ce.MustLogin(t, "scoped")
	r = scoped.get("/calls/callbacks")
	if strings.Contains(r.body, "Bob Brightside") || !strings.Contains(r.body, "Alice Anders") ||
		!strings.Contains(r.body, "2125550000") || !strings.Contains(r.body, "2 callbacks") {
		t.Errorf("the scoped agent's callbacks:\n%s", truncate(r.body))
	}

	cbs, _, err := ce.svc.Callbacks.FindCallbacks(ce.sys, desk.CallbackFilter{})
	noErr(t, err)
	byNumber := map[string]*desk.Callback{}
	for _, k := range cbs {
		byNumber[k.Number] = k
	}
	alice, bob, unknown := byNumber["+1 555 010 0199"], byNumber["+33987654321"], byNumber["+12125550000"]
	if alice == nil || bob == nil || unknown == nil || alice.Count != 2 {
		t.Fatalf("callbacks %+v", byNumber)
	}
	// The scoped agent may not take Bob's: not found, whatever the form.
	wantStatus(t, "scoped takes Bob's", scoped.post(idPath("/calls/callbacks", bob.ID, "/take"), nil), http.StatusNotFound)
	wantStatus(t, "no CSRF", agent.post(idPath("/calls/callbacks", bob.ID, "/take"), url.Values{"csrf_token": {"x"}}),
		http.StatusForbidden)
	r = agent.post(idPath("/calls/callbacks", unknown.ID, "/take"), nil)
	wantStatus(t, "take", r, http.StatusSeeOther)
	r = agent.post(idPath("/calls/callbacks", bob.ID, "/attempted"), nil)
	wantStatus(t, "attempted", r, http.StatusSeeOther)
	r = agent.get("/calls/callbacks")
	if !strings.Contains(r.body, "(1 attempt)") {
		t.Errorf("the attempt does not show:\n%s", r.body)
	}
	r = agent.post("/calls/callbacks/done", url.Values{"id": {fmt.Sprint(alice.ID), fmt.Sprint(bob.ID)},
		"note": {"Called back: fixed"}})
	wantStatus(t, "bulk done", r, http.StatusSeeOther)
	r = agent.get(r.location)
	if !strings.Contains(r.body, "2 callbacks marked done.") || !strings.Contains(r.body, "1 callback") {
		t.Errorf("after bulk done:\n%s", truncate(r.body))
	}
	r = agent.get("/calls/callbacks?show=done")
	if !strings.Contains(r.body, "Called back: fixed") || strings.Count(r.body, `data-state="done"`) != 2 {
		t.Errorf("done list:\n%s", truncate(r.body))
	}
	// The unknown number is the agent's now: no longer the scoped agent's.
	r = scoped.get("/calls/callbacks")
	if !strings.Contains(r.body, "No callback to make.") {
		t.Errorf("the scoped agent still sees a callback:\n%s", truncate(r.body))
	}
	wantStatus(t, "bad list", agent.get("/calls/callbacks?show=all"), http.StatusBadRequest)
	// An answered call from the number closes its callback.
	wantAPIStatus(t, "newCall", ce.event(t, callForm("newCall", "u2", "+12125550000", "user[]", "201")), http.StatusOK)
	wantAPIStatus(t, "answer", ce.event(t, callForm("answer", "u2", "+12125550000", "user[]", "201")), http.StatusOK)
	wantAPIStatus(t, "hangup", ce.event(t, callForm("hangup", "u2", "+12125550000")), http.StatusOK)
	if k, _ := ce.svc.Callbacks.FindCallbackByID(ce.sys, unknown.ID); k.State != desk.CallbackDone || k.DoneCallID == 0 {
		t.Errorf("after an answered call: %+v", k)
	}
	if home := agent.get("/"); strings.Contains(home.body, "data-callbacks-due") {
		t.Errorf("home page shows callbacks due when none is")
	}
}

// TestAPICallbacks: GET and PATCH /api/v1/callbacks, one and several, with
// the organization scope, on both databases.
func TestAPICallbacks(t *testing.T) {
	t.Parallel()
	for _, db := range testDatabases {
		t.Run(db.name, func(t *testing.T) {
			ce := mustCallEnvOn(t, db.dsn(t), nil)
			ce.missCall(t, "a1", "+15550100199", "201")
			ce.missCall(t, "b1", "+33987654321", "201")
			agent, scoped, viewer := ce.MustAPI(t, "agent"), ce.MustAPI(t, "scoped"), ce.MustAPI(t, "viewer")
			items, total := listOf[desk.Callback](t, agent.get("/api/v1/callbacks?state=open"))
			if total != 2 || len(items) != 2 || items[0].PersonName != "Alice Anders" || items[0].Count != 1 ||
				len(items[0].OwnerNames) != 1 || items[0].OwnerNames[0] != "Ada Agent" {
				t.Fatalf("callbacks %+v", items)
			}
			alice, bob := items[0], items[1]
			sc, _ := listOf[desk.Callback](t, scoped.get("/api/v1/callbacks"))
			if len(sc) != 1 || sc[0].ID != alice.ID {
				t.Fatalf("the scoped agent's callbacks %+v", sc)
			}
			wantAPIError(t, "scoped GET Bob's", scoped.get(idPath("/api/v1/callbacks", bob.ID)), 404, desk.ENOTFOUND, "")
			wantAPIError(t, "scoped PATCH Bob's", scoped.do(http.MethodPatch, idPath("/api/v1/callbacks", bob.ID),
				map[string]any{"take": true}), 404, desk.ENOTFOUND, "")
			wantAPIError(t, "viewer PATCH", viewer.do(http.MethodPatch, idPath("/api/v1/callbacks", alice.ID),
				map[string]any{"take": true}), 403, desk.EFORBIDDEN, "")
			wantAPIError(t, "bad state", agent.get("/api/v1/callbacks?state=later"), 422, desk.EINVALID, "state")
			wantAPIError(t, "nothing", agent.do(http.MethodPatch, idPath("/api/v1/callbacks", alice.ID), map[string]any{}),
				422, desk.EINVALID, "state")

			var got desk.Callback
			r := scoped.do(http.MethodPatch, idPath("/api/v1/callbacks", alice.ID), map[string]any{"take": true})
			wantAPIStatus(t, "take", r, http.StatusOK)
			r.decode(t, &got)
			if len(got.OwnerUserIDs) != 1 || got.OwnerUserIDs[0] != ce.userOf(t, "scoped").ID {
				t.Fatalf("taken %+v", got)
			}
			// A bulk update with a callback the scoped agent may not see
			// changes nothing.
			wantAPIError(t, "scoped bulk", scoped.do(http.MethodPatch, "/api/v1/callbacks", map[string]any{
				"ids": []int64{alice.ID, bob.ID}, "state": "done"}), 404, desk.ENOTFOUND, "")
			r = agent.do(http.MethodPatch, "/api/v1/callbacks", map[string]any{"ids": []int64{alice.ID, bob.ID},
				"state": "done", "note": "Both called back"})
			wantAPIStatus(t, "bulk", r, http.StatusOK)
			done, _ := listOf[desk.Callback](t, r)
			if len(done) != 2 || done[0].State != desk.CallbackDone || done[1].Note != "Both called back" || done[0].DoneAt == nil {
				t.Fatalf("bulk done %+v", done)
			}
			if _, total := listOf[desk.Callback](t, agent.get("/api/v1/callbacks?state=open&state=attempted")); total != 0 {
				t.Fatalf("%d callbacks still open", total)
			}
			r = agent.do(http.MethodPatch, idPath("/api/v1/callbacks", bob.ID), map[string]any{"state": "open"})
			wantAPIStatus(t, "reopen", r, http.StatusOK)
		})
	}
}

// TestCallbacksCallBack: with outbound calls configured, a callback of a
// known caller offers the call action on the number that called, which
// records the outbound phone call and the attempt on the callback.
func TestCallbacksCallBack(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("test.yaml", []byte("ecall_parameters:\n  url: https://cti.example/call\n  url_parameters:\n    number: phone\n"))
	noErr(t, err)
	ce := mustCallEnv(t, func(o *web.Options) {
		o.Outbound = &cti.Outbound{ECall: cfg.ECall, PhoneCalls: o.Services.PhoneCalls, Callbacks: o.Services.Callbacks}
	})
	ce.missCall(t, "c1", "+15550100199", "201")
	agent := ce.MustLogin(t, "agent")
	r := agent.get("/calls/callbacks")
	action := fmt.Sprintf(`action="/persons/%d/call" target="_blank"`, ce.personA.ID)
	if !strings.Contains(r.body, action) || !strings.Contains(r.body, `value="phone" data-call="phone"`) ||
		strings.Contains(r.body, `value="mobile_phone"`) || strings.Contains(r.body, "data-attempted") {
		t.Fatalf("the callback does not offer the call action on the number that called:\n%s", truncate(r.body))
	}
	r = agent.post(idPath("/persons", ce.personA.ID, "/call"), url.Values{"number": {"phone"}})
	wantStatus(t, "call back", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.location, "https://cti.example/call?number=") {
		t.Errorf("call back goes to %q", r.location)
	}
	cbs, _, err := ce.svc.Callbacks.FindCallbacks(ce.sys, desk.CallbackFilter{})
	noErr(t, err)
	if len(cbs) != 1 || cbs[0].State != desk.CallbackAttempted || cbs[0].Attempts != 1 {
		t.Fatalf("after the call back: %+v", cbs)
	}
}
