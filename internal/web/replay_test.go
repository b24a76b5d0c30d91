package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The call events of real clients, replayed byte for byte: the bodies that
// scripts written for Zammad's Generic CTI post, sent to Zammad's URL shape
// (/api/v1/cti/TOKEN) with the Content-Type they send (or none). For each,
// the tests check the reply, the call log, and the notices on the /events
// stream of every user: those who should be told, and nobody else.

// replay is a call server with the event streams of five users open: agent
// (extension 201, every organization), scoped (203, Acme only), french
// (204), admin (no agent role) and viewer. Carol Clarke of Globex calls from
// +44 20 7946 0002. Its clock is the calls' (a minute passes when asked).
type replay struct {
	*callEnv
	t       *testing.T
	streams map[string]*stream
	clock   atomic.Int64 // unix seconds
	carol   *desk.Person
	checks  int
}

// replayUsers are the users whose streams are open.
var replayUsers = []string{"agent", "scoped", "french", "admin", "viewer"}

func mustReplay(t *testing.T) *replay {
	t.Helper()
	rp := &replay{t: t, streams: map[string]*stream{}}
	rp.clock.Store(time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC).Unix())
	rp.callEnv = mustCallEnv(t, nil)
	rp.calls.Now = func() time.Time { return time.Unix(rp.clock.Load(), 0).UTC() }
	ext := "204"
	_, err := rp.svc.Telephony.UpdateAgentSettings(rp.sys, rp.userOf(t, "french").ID, desk.AgentSettingsUpdate{Extension: &ext})
	noErr(t, err)
	rp.carol = rp.MustPerson(t, &desk.Person{FirstName: "Carol", Name: "Clarke", OrgID: rp.orgB.ID, Phone: "+44 20 7946 0002"})
	for _, login := range replayUsers {
		rp.streams[login] = openStream(t, rp.MustLogin(t, login), "")
	}
	return rp
}

// post sends body as it is to path (Zammad's shape, with the integration's
// token, when path is ""), with contentType ("": no Content-Type at all),
// and returns the answer, checked against openapi.yaml.
func (rp *replay) post(path, contentType, body string) *apiResponse {
	rp.t.Helper()
	if path == "" {
		path = "/api/v1/cti/" + rp.token
	}
	req, err := http.NewRequest(http.MethodPost, rp.srv.URL+path, strings.NewReader(body))
	noErr(rp.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := rp.srv.Client().Do(req)
	noErr(rp.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	noErr(rp.t, err)
	r := &apiResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
	urlPath, _, _ := strings.Cut(path, "?")
	if problems := mustSpec(rp.t).check(http.MethodPost, urlPath, r.status, resp.Header.Get("Content-Type"), b); len(problems) > 0 {
		rp.t.Errorf("POST %s: answer %d does not match openapi.yaml: %v\n%s", path, r.status, problems, r.body)
	}
	return r
}

// ok posts an event that must be answered 200 with reply.
func (rp *replay) ok(contentType, body, reply string) {
	rp.t.Helper()
	r := rp.post("", contentType, body)
	if r.status != http.StatusOK || strings.TrimSpace(r.body) != reply {
		rp.t.Fatalf("POST %s: %d %s, want 200 %s", body, r.status, r.body, reply)
	}
}

func (rp *replay) wait(d time.Duration) { rp.clock.Add(int64(d / time.Second)) }

// call returns the call of callID as recorded.
func (rp *replay) call(callID string) *desk.Call {
	rp.t.Helper()
	calls, _, err := rp.svc.Calls.FindCalls(rp.sys, desk.CallFilter{CallID: &callID})
	noErr(rp.t, err)
	if len(calls) != 1 {
		rp.t.Fatalf("call %s: %d recorded", callID, len(calls))
	}
	return calls[0]
}

// told is a notice a user should get: its type and the phone system's id of
// its call.
type told struct{ typ, callID string }

// told checks the next notices of login, in order, and returns them.
func (rp *replay) told(login string, want ...told) []cti.Notice {
	rp.t.Helper()
	var out []cti.Notice
	for _, w := range want {
		ev, n := rp.streams[login].nextEvent()
		if ev.event != w.typ || n.Call != rp.call(w.callID).ID {
			rp.t.Fatalf("%s was told %s of call %d (%+v), want %s of %s", login, ev.event, n.Call, n, w.typ, w.callID)
		}
		out = append(out, n)
	}
	return out
}

// toldNothing checks that nothing more reached the users: a call that names
// each of them rings, and it is the next notice he gets.
func (rp *replay) toldNothing(logins ...string) {
	rp.t.Helper()
	for _, login := range logins {
		rp.checks++
		id := "check-" + strconv.Itoa(rp.checks)
		rp.ok("application/x-www-form-urlencoded", "event=newCall&direction=in&from=100&to=999&user="+login+"&callId="+id, "{}")
		rp.told(login, told{"ringing", id})
	}
}

// callers returns the names a notice gives.
func callersOf(n cti.Notice) string {
	var names []string
	for _, c := range n.Callers {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// TestReplayFusionPBX replays lcx/zammad-fusionpbx-cti, the FusionPBX and
// FreeSWITCH scripts written for Zammad: zam_newcall.lua on the inbound
// route, zam_answercall.lua (execute_on_answer) and zam_hangupcall.lua
// (api_hangup_hook) exported to every leg the call rings, each posting with
// mod_curl's "curl URL post DATA": the values raw (sip_from_user's + as
// it is), user[]=Ticket%20System (a label, no agent), and libcurl's
// Content-Type of a POST, application/x-www-form-urlencoded.
func TestReplayFusionPBX(t *testing.T) {
	t.Parallel()
	rp := mustReplay(t)
	const form = "application/x-www-form-urlencoded"
	// What each script posts for the call id: zam_newcall.lua, then
	// zam_answercall.lua and zam_hangupcall.lua on the leg of extension leg.
	newCall := func(id string) {
		rp.ok(form, "event=newCall&from=+442079460002&to=442079460000&direction=in&callId="+id+"&user[]=Ticket%20System", "{}")
	}
	answer := func(id, leg string) {
		rp.ok(form, "event=answer&user="+leg+"&from=+442079460002&to=442079460000&direction=in&callId="+id, "{}")
	}
	hangup := func(id, leg, cause string) {
		rp.ok(form, "event=hangup&answeringNumber="+leg+"&from=+442079460002&to=442079460000&direction=in&callId="+id+
			"&cause="+cause, "{}")
	}
	// rings posts a newCall, which rings for every agent who may see Carol.
	rings := func(id string) {
		newCall(id)
		rp.told("agent", told{"ringing", id})
		rp.told("french", told{"ringing", id})
	}

	t.Run("Answered", func(t *testing.T) {
		const id = "0c5e5ee5-71a2-4b61-9a3c-6f8d2e1b7a10@203.0.113.10"
		newCall(id)
		c := rp.call(id)
		if c.From != "+442079460002" || c.To != "442079460000" || c.Queue != "" || c.ContactID != rp.carol.ID || c.State != desk.CallRinging {
			t.Fatalf("call %+v, want +442079460002 ringing, Carol found, no queue (to is a number)", c)
		}
		// Nobody named, to a DID: every agent who may see Carol (Globex)
		// is told, not the scoped agent (Acme), nor the admin and the
		// viewer (not agents).
		if n := rp.told("agent", told{"ringing", id}); callersOf(n[0]) != "Carol Clarke" || n[0].Number != "+442079460002" {
			t.Errorf("ringing notice %+v", n[0])
		}
		rp.told("french", told{"ringing", id})

		rp.wait(8 * time.Second)
		answer(id, "201")
		if n := rp.told("agent", told{"answered", id}); !n[0].Open || callersOf(n[0]) != "Carol Clarke" {
			t.Errorf("answered notice %+v, want the pop opened", n[0])
		}
		rp.told("french", told{"taken", id})

		rp.wait(95 * time.Second)
		hangup(id, "201", "NORMAL_CLEARING")
		rp.told("agent", told{"ended", id})
		c = rp.call(id)
		if c.State != desk.CallAnswered || c.AgentUserID != rp.userOf(t, "agent").ID || c.Duration() != 95*time.Second ||
			c.Cause != cti.CauseNormalClearing {
			t.Fatalf("call %+v, want answered by the agent, 95 s, normal clearing", c)
		}
		rp.toldNothing(replayUsers...)
	})

	t.Run("Ring group, legs that lost the race", func(t *testing.T) {
		// A ring group rings 201 and 204; 201 answers. Leg 204's hangup
		// hook (LOSE_RACE) posts before 201's answer script has; a third
		// leg's comes after.
		const id = "6b0e3d3c-7f45-4c1e-8a7c-2f5d9e8a1b22@203.0.113.10"
		rings(id)
		rp.wait(5 * time.Second)
		hangup(id, "204", "LOSE_RACE")
		answer(id, "201")
		hangup(id, "203", "LOSE_RACE")
		rp.told("agent", told{"answered", id})
		rp.told("french", told{"taken", id})
		rp.wait(42 * time.Second)
		hangup(id, "201", "NORMAL_CLEARING")
		rp.told("agent", told{"ended", id})
		c := rp.call(id)
		if c.State != desk.CallAnswered || c.AgentUserID != rp.userOf(t, "agent").ID || c.Duration() != 42*time.Second {
			t.Fatalf("call %+v, want answered by the agent, 42 s", c)
		}
		rp.toldNothing(replayUsers...)
	})

	t.Run("Missed", func(t *testing.T) {
		// Nobody answers: the caller hangs up, and each leg's hook posts
		// ORIGINATOR_CANCEL.
		const id = "e4a1c2b3-0d9f-4e8d-b7a6-c5d4e3f2a1b0@203.0.113.10"
		rings(id)
		rp.wait(20 * time.Second)
		hangup(id, "201", "ORIGINATOR_CANCEL")
		hangup(id, "204", "ORIGINATOR_CANCEL")
		for _, login := range []string{"agent", "french"} {
			if n := rp.told(login, told{"ended", id}); n[0].State != desk.CallMissed || callersOf(n[0]) != "Carol Clarke" {
				t.Errorf("%s is told %+v, want Carol's missed call", login, n[0])
			}
		}
		if c := rp.call(id); c.State != desk.CallMissed || c.Cause != cti.CauseCancel {
			t.Fatalf("call %+v, want missed, cancel", c)
		}
		rp.toldNothing(replayUsers...)
	})

	// The call log: the number as dialled back, +44.
	page := rp.MustLogin(t, "agent").get("/calls")
	wantContains(t, "call log", page, "Carol Clarke", `href="tel:+442079460002" data-callback`, "1:35", "0:42", "Missed", "Answered")
	wantLacks(t, "call log", page, "tel: 442079460002", "tel:442079460002")
	wantLacks(t, "scoped call log", rp.MustLogin(t, "scoped").get("/calls"), "Carol Clarke", "+442079460002")
}

// TestReplayAsteriskBridge replays martinvonwittich/asterisk-zammad-cti-
// bridge, which follows Asterisk's queue events (AMI, read = agent) and
// posts with AnyEvent::HTTP's http_post: no Content-Type at all, bodies
// built by WWW::Form::UrlEncoded (%20, %2B), to=<queue name> with no user
// on newCall, user=<SIP peer> on answer, no from or to after newCall.
func TestReplayAsteriskBridge(t *testing.T) {
	t.Parallel()
	rp := mustReplay(t)
	noErr(t, rp.svc.Telephony.CreateQueueTarget(rp.sys, &desk.QueueTarget{Queue: "support", UserID: rp.userOf(t, "french").ID}))

	t.Run("QueueCallerJoin, AgentConnect, AgentComplete", func(t *testing.T) {
		const id = "1545241916.41"
		rp.ok("", "event=newCall&from=%2B33%209%2087%2065%2043%2021&to=support&direction=in&callId="+id, "{}")
		c := rp.call(id)
		if c.Queue != "support" || c.From != "+33 9 87 65 43 21" || c.ContactID != rp.personB.ID {
			t.Fatalf("call %+v, want queue support (to), Bob found", c)
		}
		// The queue's target alone is told.
		if n := rp.told("french", told{"ringing", id}); callersOf(n[0]) != "Bob Brightside" || n[0].Queue != "support" {
			t.Errorf("ringing notice %+v", n[0])
		}
		rp.wait(6 * time.Second)
		rp.ok("", "event=answer&direction=in&user=french&callId="+id, "{}")
		if n := rp.told("french", told{"answered", id}); !n[0].Open {
			t.Errorf("answered notice %+v, want the pop opened", n[0])
		}
		rp.wait(3 * time.Minute)
		rp.ok("", "event=hangup&direction=in&callId="+id+"&cause=normalClearing", "{}")
		rp.told("french", told{"ended", id})
		c = rp.call(id)
		if c.State != desk.CallAnswered || c.AgentUserID != rp.userOf(t, "french").ID || c.Duration() != 3*time.Minute ||
			c.From != "+33 9 87 65 43 21" {
			t.Fatalf("call %+v, want answered by french for 3 min, the number kept", c)
		}
		rp.toldNothing(replayUsers...)
	})

	t.Run("QueueCallerAbandon", func(t *testing.T) {
		const id = "1545244062.103"
		rp.ok("", "event=newCall&from=%2B33%209%2087%2065%2043%2021&to=support&direction=in&callId="+id, "{}")
		rp.told("french", told{"ringing", id})
		rp.wait(time.Second)
		rp.ok("", "event=hangup&direction=in&callId="+id+"&cause=cancel", "{}")
		if n := rp.told("french", told{"ended", id}); n[0].State != desk.CallMissed {
			t.Errorf("notice %+v, want missed", n[0])
		}
		rp.toldNothing(replayUsers...)
	})

	t.Run("A queue without target", func(t *testing.T) {
		// Nobody named, a queue nobody is mapped to: every agent who may
		// see Bob (Globex).
		const id = "1545250001.7"
		rp.ok("", "event=newCall&from=%2B33%209%2087%2065%2043%2021&to=sales&direction=in&callId="+id, "{}")
		rp.told("agent", told{"ringing", id})
		rp.told("french", told{"ringing", id})
		if c := rp.call(id); c.Queue != "sales" {
			t.Fatalf("call %+v, want queue sales", c)
		}
		rp.toldNothing(replayUsers...)
	})

	page := rp.MustLogin(t, "agent").get("/calls?queue=support")
	wantContains(t, "call log", page, "2 calls", "Bob Brightside", "french", "3:00", "Missed", `href="tel:+33987654321" data-callback`)
}

// TestReplayTolerance: what Zammad takes, ctidesk takes: a raw ; in a
// form, a raw + and spaces (curl --data, as Zammad's documentation shows
// it), the URL's query merged with the body; a blocked caller the phone
// system put through is recorded as it went; bad input is a clear 4xx that
// changes nothing and tells nobody.
func TestReplayTolerance(t *testing.T) {
	t.Parallel()
	rp := mustReplay(t)
	const form = "application/x-www-form-urlencoded"

	t.Run("A raw ;", func(t *testing.T) {
		// sip_from_user of a From of sip:+442079460002;cpc=ordinary@…;user=phone.
		const id = "a84b4c76e66710@pc33.example.com"
		rp.ok(form, "event=newCall&from=+442079460002;cpc=ordinary&to=201&direction=in&callId="+id+"&user[]=Ticket%20System", "{}")
		c := rp.call(id)
		if c.From != "+442079460002;cpc=ordinary" || c.ContactID != rp.carol.ID {
			t.Fatalf("call %+v, want the number as posted, Carol found", c)
		}
		rp.told("agent", told{"ringing", id}) // to is his extension
		rp.toldNothing(replayUsers...)
	})

	t.Run("A raw + and spaces", func(t *testing.T) {
		rp.ok(form, "event=newCall&from=+44 20 7946 0002&to=support desk&direction=in&callId=curl-1", "{}")
		c := rp.call("curl-1")
		if c.From != "+44 20 7946 0002" || c.ContactID != rp.carol.ID || c.Queue != "support desk" {
			t.Fatalf("call %+v, want +44 20 7946 0002, Carol found, queue support desk", c)
		}
		rp.told("agent", told{"ringing", "curl-1"})
		rp.told("french", told{"ringing", "curl-1"})
		rp.toldNothing(replayUsers...)
	})

	t.Run("The query merged with the body", func(t *testing.T) {
		r := rp.post("/api/v1/cti/"+rp.token+"?direction=in&from=%2B442079460002&to=999&user=french", form,
			"event=newCall&callId=q-1&to=204")
		wantAPIStatus(t, "query and body", r, http.StatusOK)
		if c := rp.call("q-1"); c.From != "+442079460002" || c.To != "204" || c.Direction != desk.DirectionIn {
			t.Fatalf("call %+v, want from the query, to from the body", c)
		}
		rp.told("french", told{"ringing", "q-1"})
		rp.toldNothing(replayUsers...)
	})

	t.Run("A blocked caller put through", func(t *testing.T) {
		// The AMI adapter cannot act on the reject: the call rings on, the
		// agent answers.
		noErr(t, rp.svc.Telephony.CreateBlockedNumber(rp.sys, &desk.BlockedNumber{Number: "+1 900 555 0100"}))
		rp.ok("application/json", `{"event":"newCall","from":"+19005550100","to":"100","direction":"in","callId":"1709546400.12"}`,
			`{"action":"reject","reason":"busy"}`)
		rp.wait(9 * time.Second)
		rp.ok("application/json", `{"event":"answer","from":"+19005550100","to":"100","direction":"in","callId":"1709546400.12","answeringNumber":"201"}`, "{}")
		if n := rp.told("agent", told{"answered", "1709546400.12"}); !n[0].Open {
			t.Errorf("answered notice %+v", n[0])
		}
		rp.wait(time.Minute)
		rp.ok("application/json", `{"event":"hangup","from":"+19005550100","to":"100","direction":"in","callId":"1709546400.12","cause":"normalClearing"}`, "{}")
		rp.told("agent", told{"ended", "1709546400.12"})
		c := rp.call("1709546400.12")
		if c.State != desk.CallAnswered || !c.Blocked || c.AgentUserID != rp.userOf(t, "agent").ID || c.Duration() != time.Minute {
			t.Fatalf("call %+v, want answered by the agent, 1 min, marked blocked", c)
		}
		wantContains(t, "call log", rp.MustLogin(t, "agent").get("/calls"), "(blocked number)")
		rp.toldNothing(replayUsers...)
	})

	t.Run("Bad input", func(t *testing.T) {
		_, before, err := rp.svc.Calls.FindCalls(rp.sys, desk.CallFilter{})
		noErr(t, err)
		_, apiToken, _ := strings.Cut(rp.MustToken(t, "admin"), "_")
		revoked, integ, err := rp.svc.Telephony.CreateIntegration(rp.sys, "Old PBX")
		noErr(t, err)
		_, err = rp.svc.Telephony.RevokeIntegration(rp.sys, integ.ID)
		noErr(t, err)
		const zammadToken = "c0ffee3b1f9d4b2e8a7c6d5e4f3a2b1c"
		body := "event=newCall&from=%2B442079460002&to=100&direction=in&callId=bad-1"
		for _, tt := range []struct {
			name, path, ct, body string
			status               int
			message              string
		}{
			{"direction", "", form, "event=newCall&from=1&to=2&direction=inbound&callId=bad-1", 422, `Invalid direction "inbound": use in or out.`},
			{"no call id", "", form, "event=newCall&from=1&to=2&direction=in", 422, "call id is required"},
			{"a bad escape", "", form, "event=newCall&from=%zz&to=2&direction=in&callId=bad-1", 400, "neither a JSON object nor a form"},
			{"a bad query", "/api/v1/cti/" + rp.token + "?from=%zz", form, body, 400, "query is not a form"},
			{"no token", "/api/v1/cti/events", form, body, 401, "/api/v1/cti/TOKEN"},
			{"a Zammad token", "/api/v1/cti/" + zammadToken, form, body, 401, "not a ctidesk integration token"},
			{"an API token", "/api/v1/cti/ctd_" + apiToken, form, body, 401, "API token"},
			{"an unknown token", "/api/v1/cti/cti_nope0000000000", form, body, 401, "Unknown integration token"},
			{"a revoked token", "/api/v1/cti/events/" + revoked, form, body, 401, "revoked"},
		} {
			r := rp.post(tt.path, tt.ct, tt.body)
			if r.status != tt.status || !strings.Contains(r.errorMessage(), tt.message) {
				t.Errorf("%s: %d %q, want %d with %q", tt.name, r.status, r.errorMessage(), tt.status, tt.message)
			}
			if tt.status == 401 && (!strings.Contains(r.errorMessage(), rp.srv.URL+"/api/v1/cti/TOKEN") ||
				!strings.Contains(r.header.Get("WWW-Authenticate"), "Bearer")) {
				t.Errorf("%s: %q, %q: want the URL the webhook takes its token in", tt.name, r.errorMessage(),
					r.header.Get("WWW-Authenticate"))
			}
		}
		if _, after, _ := rp.svc.Calls.FindCalls(rp.sys, desk.CallFilter{}); after != before {
			t.Errorf("%d calls after the bad input, %d before", after, before)
		}
		for _, secret := range []string{zammadToken, revoked, apiToken} {
			if strings.Contains(rp.logBuf.String(), secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
		rp.toldNothing(replayUsers...)
	})

	t.Run("Ringing every agent turned off", func(t *testing.T) {
		admin := rp.MustLogin(t, "admin")
		admin.get("/admin/telephony")
		r := admin.post(idPath("/admin/telephony/integrations", rp.integ.ID, "/settings"), url.Values{"ring_all_agents": {"0"}})
		wantStatus(t, "turn off", r, http.StatusSeeOther)
		wantContains(t, "page", admin.get("/admin/telephony"), "Ring every agent for the calls of PBX that name nobody")
		rp.ok(form, "event=newCall&from=+442079460002&to=442079460000&direction=in&callId=off-1&user[]=Ticket%20System", "{}")
		if c := rp.call("off-1"); c.State != desk.CallRinging || len(c.RingingUserIDs) != 0 {
			t.Fatalf("call %+v, want recorded, ringing for nobody", c)
		}
		rp.toldNothing(replayUsers...)
	})
}
