package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

// callEnv is a server with call events on an in-memory bus, an integration,
// and extensions: 201 the agent's, 203 the scoped agent's.
type callEnv struct {
	*env
	bus   *cti.MemoryBus
	calls *cti.Calls
	integ *desk.Integration
	token string
}

func mustCallEnv(tb testing.TB, configure func(*web.Options)) *callEnv {
	tb.Helper()
	return mustCallEnvOn(tb, "sqlite:"+filepath.Join(tb.TempDir(), "t.db"), configure)
}

// mustCallEnvOn is mustCallEnv on the database dsn.
func mustCallEnvOn(tb testing.TB, dsn string, configure func(*web.Options)) *callEnv {
	tb.Helper()
	ce := &callEnv{}
	e := mustEnvOn(tb, dsn, func(o *web.Options) {
		ce.bus = cti.NewMemoryBus(cti.MemoryBusOptions{})
		ce.calls = &cti.Calls{Services: o.Services, Bus: ce.bus}
		o.Calls, o.Bus = ce.calls, ce.bus
		if configure != nil {
			configure(o)
		}
	})
	// The streams end before the test server waits for its requests.
	tb.Cleanup(e.web.CloseStreams)
	ce.env = e
	var err error
	if ce.token, ce.integ, err = e.svc.Telephony.CreateIntegration(e.sys, "PBX"); err != nil {
		tb.Fatal(err)
	}
	for login, ext := range map[string]string{"agent": "201", "scoped": "203"} {
		ext := ext
		if _, err := e.svc.Telephony.UpdateAgentSettings(e.sys, e.userOf(tb, login).ID, desk.AgentSettingsUpdate{Extension: &ext}); err != nil {
			tb.Fatal(err)
		}
	}
	return ce
}

// event posts a call event as a form, the token in the path.
func (ce *callEnv) event(tb testing.TB, form url.Values) *apiResponse {
	tb.Helper()
	c := ce.newAPIClient(tb, "")
	c.header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(http.MethodPost, "/api/v1/cti/events/"+ce.token, form.Encode())
}

func callForm(event, callID, from string, more ...string) url.Values {
	f := url.Values{"event": {event}, "callId": {callID}, "from": {from}, "to": {"100"}, "direction": {"in"}}
	for i := 0; i+1 < len(more); i += 2 {
		f.Add(more[i], more[i+1])
	}
	return f
}

func TestCallEventsAPI(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	anon := ce.newAPIClient(t, "")
	form := callForm("newCall", "api-1", "+15550100199", "user[]", "201").Encode()
	post := func(c *apiClient, path, contentType, body string) *apiResponse {
		t.Helper()
		c.header.Set("Content-Type", contentType)
		return c.do(http.MethodPost, path, body)
	}
	const formType = "application/x-www-form-urlencoded"

	t.Run("Tokens", func(t *testing.T) {
		r := post(anon, "/api/v1/cti/events", formType, form)
		wantAPIError(t, "no token", r, http.StatusUnauthorized, "unauthorized", "")
		if r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		wantAPIError(t, "unknown token in the path", post(anon, "/api/v1/cti/events/cti_nope", formType, form),
			http.StatusUnauthorized, "unauthorized", "")
		// An API token is not an integration's, and an integration's is
		// not an API token.
		api := ce.MustAPI(t, "admin")
		wantAPIError(t, "API token", post(api, "/api/v1/cti/events", formType, form), http.StatusUnauthorized, "unauthorized", "")
		integ := ce.newAPIClient(t, ce.token)
		wantAPIError(t, "integration token on the API", integ.get("/api/v1/persons"), http.StatusUnauthorized, "unauthorized", "")
		_, revoked, err := ce.svc.Telephony.CreateIntegration(ce.sys, "Old PBX")
		noErr(t, err)
		token, _, err := ce.svc.Telephony.CreateIntegration(ce.sys, "Gone")
		noErr(t, err)
		_ = revoked
		gone, err := ce.svc.Telephony.AuthenticateIntegration(ce.sys, token)
		noErr(t, err)
		_, err = ce.svc.Telephony.RevokeIntegration(ce.sys, gone.ID)
		noErr(t, err)
		wantAPIError(t, "revoked token", post(anon, "/api/v1/cti/events/"+token, formType, form), http.StatusUnauthorized, "unauthorized", "")
		if strings.Contains(ce.logBuf.String(), ce.token) || strings.Contains(ce.logBuf.String(), token) {
			t.Error("the request log holds an integration token")
		}
	})

	t.Run("Events", func(t *testing.T) {
		// The token in the path, a form; then in the header, JSON; then
		// the event in the query of an empty POST.
		r := post(anon, "/api/v1/cti/events/"+ce.token, formType, form)
		wantAPIStatus(t, "newCall", r, http.StatusOK)
		if strings.TrimSpace(r.body) != "{}" {
			t.Errorf("newCall answered %s, want {}", r.body)
		}
		byHeader := ce.newAPIClient(t, ce.token)
		r = post(byHeader, "/api/v1/cti/events", "application/json",
			`{"event": "answer", "callId": "api-1", "from": "+15550100199", "to": "100", "direction": "in", "answeringNumber": 201}`)
		wantAPIStatus(t, "answer", r, http.StatusOK)
		q := callForm("hangup", "api-1", "+15550100199", "cause", "normalClearing").Encode()
		r = anon.do(http.MethodPost, "/api/v1/cti/events/"+ce.token+"?"+q, nil)
		wantAPIStatus(t, "hangup in the query", r, http.StatusOK)
		calls, _, err := ce.svc.Calls.FindCalls(ce.sys, desk.CallFilter{CallID: strPtr("api-1")})
		noErr(t, err)
		if len(calls) != 1 || calls[0].State != desk.CallAnswered || !calls[0].Ended() || calls[0].ContactID != ce.personA.ID ||
			calls[0].AgentUserID != ce.userOf(t, "agent").ID || calls[0].Cause != "normalClearing" {
			t.Fatalf("calls %+v", calls)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		for _, tt := range []struct {
			name, ct, body string
			status         int
			field          string
		}{
			{"direction", formType, "event=newCall&callId=x&from=1&to=2&direction=inbound", http.StatusUnprocessableEntity, "direction"},
			{"event", formType, "event=ring&callId=x&from=1&to=2&direction=in", http.StatusUnprocessableEntity, "event"},
			{"call id", formType, "event=newCall&from=1&to=2&direction=in", http.StatusUnprocessableEntity, "callId"},
			{"broken JSON", "application/json", `{"event": `, http.StatusBadRequest, ""},
			{"empty", formType, "", http.StatusUnprocessableEntity, "event"},
		} {
			r := post(anon, "/api/v1/cti/events/"+ce.token, tt.ct, tt.body)
			wantAPIError(t, tt.name, r, tt.status, "invalid", tt.field)
		}
		r := post(anon, "/api/v1/cti/events/"+ce.token, formType, "event=newCall&callId=x&from=1&to=2&direction=sideways")
		if msg := r.errorMessage(); msg != `Invalid direction "sideways": use in or out.` {
			t.Errorf("message %q", msg)
		}
		r = post(anon, "/api/v1/cti/events/"+ce.token, formType, strings.Repeat("x", 1<<20+1))
		wantAPIError(t, "too large", r, http.StatusRequestEntityTooLarge, "too_large", "")
		if _, total, _ := ce.svc.Calls.FindCalls(ce.sys, desk.CallFilter{CallID: strPtr("x")}); total != 0 {
			t.Fatal("an invalid event recorded a call")
		}
	})

	t.Run("Replies", func(t *testing.T) {
		noErr(t, ce.svc.Telephony.CreateBlockedNumber(ce.sys, &desk.BlockedNumber{Number: "+33 9 87 65 43 21"}))
		noErr(t, ce.svc.Telephony.CreateCallerIDRule(ce.sys, &desk.CallerIDRule{Pattern: "+33*", CallerID: "+33 1 70 00 00 00"}))
		r := post(anon, "/api/v1/cti/events/"+ce.token, formType, callForm("newCall", "blocked", "0987654321").Encode())
		wantAPIStatus(t, "blocked", r, http.StatusOK)
		if strings.TrimSpace(r.body) != `{"action":"reject","reason":"busy"}` {
			t.Errorf("blocked number answered %s", r.body)
		}
		out := url.Values{"event": {"newCall"}, "callId": {"out-1"}, "from": {"201"}, "to": {"+33612345678"}, "direction": {"out"}}
		r = post(anon, "/api/v1/cti/events/"+ce.token, formType, out.Encode())
		var reply map[string]string
		r.decode(t, &reply)
		if reply["action"] != "dial" || reply["caller_id"] != "+33 1 70 00 00 00" || reply["number"] != "+33612345678" {
			t.Errorf("outbound call answered %s", r.body)
		}
	})
}

func TestCallEventsDisabled(t *testing.T) {
	t.Parallel()
	e := MustEnv(t) // no Calls
	token, _, err := e.svc.Telephony.CreateIntegration(e.sys, "PBX")
	noErr(t, err)
	c := e.newAPIClient(t, token)
	r := c.do(http.MethodPost, "/api/v1/cti/events", `{"event": "newCall", "callId": "1", "direction": "in"}`)
	wantAPIError(t, "events off", r, http.StatusUnprocessableEntity, "invalid", "event")
}

// stream is a browser's /events.
type stream struct {
	tb   testing.TB
	body io.ReadCloser
	rd   *bufio.Reader
}

// sse is one event of a stream; comment is a heartbeat or other comment.
type sse struct {
	id, event, data, comment string
	retry                    string
}

// openStream opens /events as the client c, with Last-Event-ID last ("":
// none), and reads up to its retry field.
func openStream(tb testing.TB, c *client, last string) *stream {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/events", nil)
	if err != nil {
		tb.Fatal(err)
	}
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		tb.Fatalf("GET /events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{tb: tb, body: resp.Body, rd: bufio.NewReader(resp.Body)}
	if first := s.next(); first.retry == "" {
		tb.Fatalf("first event %+v, want the retry field", first)
	}
	return s
}

// next reads the next event or comment block. A stream that ends fails the
// test; so does one that stays silent (the test's deadline).
func (s *stream) next() sse {
	s.tb.Helper()
	var ev sse
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			s.tb.Fatalf("event stream: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return ev
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			ev.comment = value
		case "id":
			ev.id = value
		case "event":
			ev.event = value
		case "data":
			ev.data = value
		case "retry":
			ev.retry = value
		}
	}
}

// nextEvent reads past comments to the next event.
func (s *stream) nextEvent() (sse, cti.Notice) {
	s.tb.Helper()
	for {
		ev := s.next()
		if ev.event == "" {
			continue
		}
		var n cti.Notice
		if err := json.Unmarshal([]byte(ev.data), &n); err != nil {
			s.tb.Fatalf("event %+v: %v", ev, err)
		}
		return ev, n
	}
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	agent, scoped := ce.MustLogin(t, "agent"), ce.MustLogin(t, "scoped")
	agentStream, scopedStream := openStream(t, agent, ""), openStream(t, scoped, "")

	// Alice's call rings for the agent only (extension 201).
	wantAPIStatus(t, "newCall", ce.event(t, callForm("newCall", "s-1", "+15550100199", "user", "201", "queue", "support")), http.StatusOK)
	ringing, n := agentStream.nextEvent()
	if ringing.event != "ringing" || ringing.id == "" || n.Number != "+15550100199" || n.Queue != "support" ||
		len(n.Callers) != 1 || n.Callers[0].Name != "Alice Anders" || !strings.HasPrefix(n.PopURL, "/pop?call=") {
		t.Fatalf("agent's ringing event %+v %+v", ringing, n)
	}
	// Bob's call rings for the scoped user (203), limited to Acme: he is
	// told of the number, not of Bob (Globex); and this is the first event
	// he gets, so Alice's call did not reach him.
	wantAPIStatus(t, "newCall", ce.event(t, callForm("newCall", "s-2", "+33987654321", "user", "203")), http.StatusOK)
	ev, n := scopedStream.nextEvent()
	if ev.event != "ringing" || n.Number != "+33987654321" || len(n.Callers) != 0 {
		t.Fatalf("scoped user's first event %+v %+v, want the ringing of Bob's call, Bob not named", ev, n)
	}

	// The agent answers: his tab is told to open the pop.
	wantAPIStatus(t, "answer", ce.event(t, callForm("answer", "s-1", "+15550100199", "answeringNumber", "201")), http.StatusOK)
	answered, n := agentStream.nextEvent()
	if answered.event != "answered" || !n.Open || n.State != desk.CallAnswered || n.PopURL == "" {
		t.Fatalf("answered %+v %+v", answered, n)
	}
	wantAPIStatus(t, "hangup", ce.event(t, callForm("hangup", "s-2", "+33987654321", "cause", "cancel")), http.StatusOK)
	ev, n = scopedStream.nextEvent()
	if ev.event != "ended" || n.State != desk.CallMissed {
		t.Fatalf("scoped user's second event %+v %+v, want the missed call", ev, n)
	}

	t.Run("Last-Event-ID", func(t *testing.T) {
		// A browser that saw the ringing reconnects: it gets the answer
		// again, then what follows.
		resumed := openStream(t, agent, ringing.id)
		ev, _ := resumed.nextEvent()
		if ev.event != "answered" || ev.id != answered.id {
			t.Fatalf("resumed with %+v, want the answer again", ev)
		}
		wantAPIStatus(t, "hangup", ce.event(t, callForm("hangup", "s-1", "+15550100199")), http.StatusOK)
		for _, s := range []*stream{resumed, agentStream} {
			if ev, n := s.nextEvent(); ev.event != "ended" || n.State != desk.CallAnswered {
				t.Fatalf("after the hangup %+v %+v", ev, n)
			}
		}
		id, _ := strconv.ParseUint(answered.id, 10, 64)
		if id == 0 {
			t.Fatalf("event id %q is not a number", answered.id)
		}
	})

	t.Run("Not logged in", func(t *testing.T) {
		resp, err := http.Get(ce.srv.URL + "/events")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous /events: %d, want 401", resp.StatusCode)
		}
	})
}

// TestEventStreamHeartbeat checks the heartbeat comments, and that a stream
// outlives the server's read timeout, which would otherwise end it.
func TestEventStreamHeartbeat(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, func(o *web.Options) { o.Heartbeat = 40 * time.Millisecond })
	srv := httptest.NewUnstartedServer(ce.web)
	srv.Config.ReadTimeout = 10 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(ce.web.CloseStreams)
	agent := ce.MustLogin(t, "agent")
	agent.base = srv.URL
	s := openStream(t, agent, "")
	// Three heartbeats: the stream lives well past the read timeout.
	for range 3 {
		if ev := s.next(); ev.comment != "heartbeat" {
			t.Fatalf("got %+v, want a heartbeat", ev)
		}
	}
	wantAPIStatus(t, "newCall", ce.event(t, callForm("newCall", "h-1", "+15550100199", "user", "agent")), http.StatusOK)
	if ev, _ := s.nextEvent(); ev.event != "ringing" {
		t.Fatalf("got %+v after the heartbeats, want the ringing", ev)
	}
	// Closing the streams (the server shutting down) ends the stream.
	ce.web.CloseStreams()
	for {
		if _, err := s.rd.ReadString('\n'); err != nil {
			break
		}
	}
}

func TestCallLogPage(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	post := func(form url.Values) {
		t.Helper()
		wantAPIStatus(t, form.Get("event")+" "+form.Get("callId"), ce.event(t, form), http.StatusOK)
	}
	// Answered (Alice, queue support), missed (Bob, rang for the agent),
	// rejected (blocked), and an unknown caller missed by the scoped user.
	post(callForm("newCall", "l-1", "+15550100199", "user", "201", "queue", "support"))
	post(callForm("answer", "l-1", "+15550100199", "answeringNumber", "201"))
	post(callForm("hangup", "l-1", "+15550100199"))
	post(callForm("newCall", "l-2", "+33987654321", "user", "201"))
	post(callForm("hangup", "l-2", "+33987654321", "cause", "cancel"))
	noErr(t, ce.svc.Telephony.CreateBlockedNumber(ce.sys, &desk.BlockedNumber{Number: "+1 555 010 9999"}))
	post(callForm("newCall", "l-3", "+15550109999"))
	post(callForm("newCall", "l-4", "+442079460000", "user", "203"))
	post(callForm("hangup", "l-4", "+442079460000"))
	agent := ce.MustLogin(t, "agent")

	r := agent.get("/calls")
	wantStatus(t, "call log", r, http.StatusOK)
	wantContains(t, "call log", r, "4 calls", "Alice Anders", "Bob Brightside", "support", "Ada Agent", "Answered", "Missed",
		"Rejected", `class="missed"`, `href="tel:+33987654321" data-callback`, "Not found", "Open the pop")
	wantLacks(t, "call log", r, `href="tel:+15550100199" data-callback`) // answered: no call back

	for _, tt := range []struct {
		query     string
		want, not []string
	}{
		{"state=missed", []string{"2 calls", "Bob Brightside", "+442079460000"}, []string{"Alice Anders"}},
		{"state=answered", []string{"1 call", "Alice Anders"}, []string{"Bob Brightside"}},
		{"queue=support", []string{"1 call", "Alice Anders"}, []string{"Bob Brightside"}},
		{"agent=" + strconv.FormatInt(ce.userOf(t, "agent").ID, 10), []string{"1 call", "Alice Anders"}, nil},
		{"direction=out", []string{"0 calls", "No call."}, nil},
	} {
		r := agent.get("/calls?" + tt.query)
		wantStatus(t, tt.query, r, http.StatusOK)
		wantContains(t, tt.query, r, tt.want...)
		wantLacks(t, tt.query, r, tt.not...)
	}
	wantStatus(t, "bad state", agent.get("/calls?state=lost"), http.StatusBadRequest)
	wantStatus(t, "bad agent", agent.get("/calls?agent=x"), http.StatusBadRequest)

	// The scoped user (Acme only) sees Alice's call and the unknown number
	// that rang for him, not Bob's (Globex) nor the rejected one.
	scoped := ce.MustLogin(t, "scoped")
	r = scoped.get("/calls")
	wantContains(t, "scoped call log", r, "2 calls", "Alice Anders", "+442079460000")
	wantLacks(t, "scoped call log", r, "Bob Brightside", "+33987654321")
	r = ce.MustLogin(t, "french").get("/calls?state=missed")
	wantContains(t, "French call log", r, "Journal d'appels", "Manqué", "Rappeler")

	t.Run("Settings", func(t *testing.T) {
		id := ce.userOf(t, "agent").ID
		wantContains(t, "settings", r, "") // the French page rendered
		page := agent.get("/calls")
		wantContains(t, "settings", page, "extension 201", `name="pop_on_answer" value="1" checked`)
		r := agent.post("/calls/settings", url.Values{"csrf_token": {"forged"}})
		wantStatus(t, "forged", r, http.StatusForbidden)
		r = agent.post("/calls/settings", url.Values{})
		wantStatus(t, "turn off", r, http.StatusSeeOther)
		s, err := ce.svc.Telephony.FindAgentSettings(ce.sys, id)
		noErr(t, err)
		if s.PopOnAnswer || s.Extension != "201" {
			t.Fatalf("settings %+v, want pop on answer off, extension kept", s)
		}
		page = agent.get(r.location)
		wantContains(t, "saved", page, "Your setting is saved.")
		wantLacks(t, "saved", page, `value="1" checked`)
		agent.post("/calls/settings", url.Values{"pop_on_answer": {"1"}})
		if s, _ := ce.svc.Telephony.FindAgentSettings(ce.sys, id); !s.PopOnAnswer {
			t.Fatal("pop on answer still off")
		}
	})

	// A viewer's pop on answer is a preference of his own tab, not desk
	// data: he may change it, and only his.
	t.Run("Viewer's own setting", func(t *testing.T) {
		viewer := ce.MustLogin(t, "viewer")
		viewer.get("/calls")
		wantStatus(t, "viewer turns it off", viewer.post("/calls/settings", url.Values{}), http.StatusSeeOther)
		v, err := ce.svc.Telephony.FindAgentSettings(ce.sys, ce.userOf(t, "viewer").ID)
		noErr(t, err)
		a, err := ce.svc.Telephony.FindAgentSettings(ce.sys, ce.userOf(t, "agent").ID)
		noErr(t, err)
		if v.PopOnAnswer || !a.PopOnAnswer {
			t.Fatalf("viewer's setting %+v, agent's %+v: want the viewer's off, the agent's untouched", v, a)
		}
		// The form names no user: there is no other's setting to reach.
		viewer.post("/calls/settings", url.Values{"user_id": {fmt.Sprint(ce.userOf(t, "agent").ID)}})
		if a, _ := ce.svc.Telephony.FindAgentSettings(ce.sys, ce.userOf(t, "agent").ID); !a.PopOnAnswer {
			t.Fatal("the viewer changed the agent's setting")
		}
	})
}

func TestTelephonyPage(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	wantStatus(t, "agent", ce.MustLogin(t, "agent").get("/admin/telephony"), http.StatusForbidden)
	admin := ce.MustLogin(t, "admin")
	r := admin.get("/admin/telephony")
	wantStatus(t, "page", r, http.StatusOK)
	wantContains(t, "page", r, "PBX", "Ada Agent", "201")

	r = admin.post("/admin/telephony/integrations", url.Values{"name": {"Asterisk"}})
	wantStatus(t, "create integration", r, http.StatusOK)
	token := regexp1(t, r.body, `id="new-integration-token">(cti_[^<]+)<`)
	wantContains(t, "create integration", r, ce.srv.URL+"/api/v1/cti/"+token, ce.srv.URL+"/api/v1/cti/events with the token")
	if _, err := ce.svc.Telephony.AuthenticateIntegration(ce.sys, token); err != nil {
		t.Fatalf("the token shown does not authenticate: %v", err)
	}
	wantStatus(t, "no name", admin.post("/admin/telephony/integrations", url.Values{"name": {" "}}), http.StatusUnprocessableEntity)
	integs, _ := ce.svc.Telephony.FindIntegrations(ce.sys)
	r = admin.post(fmt.Sprintf("/admin/telephony/integrations/%d/revoke", integs[0].ID), nil)
	wantStatus(t, "revoke", r, http.StatusSeeOther)
	if _, err := ce.svc.Telephony.AuthenticateIntegration(ce.sys, token); desk.ErrorCode(err) != desk.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}

	viewer := ce.userOf(t, "viewer")
	r = admin.post("/admin/telephony/extensions", url.Values{"user_id": {strconv.FormatInt(viewer.ID, 10)}, "extension": {"201"}})
	wantStatus(t, "extension taken", r, http.StatusUnprocessableEntity)
	wantContains(t, "extension taken", r, `The extension "201" is another user's.`, `aria-invalid="true"`)
	r = admin.post("/admin/telephony/extensions", url.Values{"user_id": {""}, "extension": {"209"}})
	wantStatus(t, "no user", r, http.StatusUnprocessableEntity)
	r = admin.post("/admin/telephony/extensions", url.Values{"user_id": {strconv.FormatInt(viewer.ID, 10)}, "extension": {"209"}})
	wantStatus(t, "set extension", r, http.StatusSeeOther)
	if users, _ := ce.svc.Telephony.FindAgents(ce.sys, "209"); len(users) != 1 || users[0].ID != viewer.ID {
		t.Fatalf("extension 209 finds %+v", users)
	}

	r = admin.post("/admin/telephony/blocked", url.Values{"number": {"+1 555 010 9999"}, "note": {"robocalls"}})
	wantStatus(t, "block", r, http.StatusSeeOther)
	r = admin.post("/admin/telephony/blocked", url.Values{"number": {"555-010-9999"}})
	wantStatus(t, "block again", r, http.StatusUnprocessableEntity)
	wantContains(t, "block again", r, "is blocked already")
	r = admin.post("/admin/telephony/rules", url.Values{"pattern": {"+33*"}, "caller_id": {"+33 1 70 00 00 00"}})
	wantStatus(t, "rule", r, http.StatusSeeOther)
	r = admin.post("/admin/telephony/rules", url.Values{"pattern": {"33 x"}, "caller_id": {"+1"}})
	wantStatus(t, "bad rule", r, http.StatusUnprocessableEntity)
	wantContains(t, "bad rule", r, `value="33 x"`)
	r = admin.get("/admin/telephony")
	wantContains(t, "page", r, "robocalls", "+33*", "+33 1 70 00 00 00", "209")
	blocked, _ := ce.svc.Telephony.FindBlockedNumbers(ce.sys)
	rules, _ := ce.svc.Telephony.FindCallerIDRules(ce.sys)
	wantStatus(t, "unblock", admin.post(fmt.Sprintf("/admin/telephony/blocked/%d/delete", blocked[0].ID), nil), http.StatusSeeOther)
	wantStatus(t, "remove rule", admin.post(fmt.Sprintf("/admin/telephony/rules/%d/delete", rules[0].ID), nil), http.StatusSeeOther)
	wantStatus(t, "remove again", admin.post(fmt.Sprintf("/admin/telephony/rules/%d/delete", rules[0].ID), nil), http.StatusNotFound)
	if b, _ := ce.svc.Telephony.FindBlockedNumbers(ce.sys); len(b) != 0 {
		t.Fatalf("block list %+v", b)
	}
	r = ce.MustLogin(t, "french").get("/calls")
	wantStatus(t, "french", r, http.StatusOK)
}

// TestPopTiesCall checks that a ticket created from the pop of a call makes
// the call that ticket's phone call.
func TestPopTiesCall(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	wantAPIStatus(t, "newCall", ce.event(t, callForm("newCall", "p-1", "+15550100199", "user", "201", "queue", "support")), http.StatusOK)
	wantAPIStatus(t, "answer", ce.event(t, callForm("answer", "p-1", "+15550100199", "answeringNumber", "201")), http.StatusOK)
	calls, _, err := ce.svc.Calls.FindCalls(ce.sys, desk.CallFilter{CallID: strPtr("p-1")})
	noErr(t, err)
	call := calls[0]
	agent := ce.MustLogin(t, "agent")
	r := agent.get(cti.PopURL(call))
	wantStatus(t, "pop", r, http.StatusOK)
	callID := strconv.FormatInt(call.ID, 10)
	wantContains(t, "pop", r, `id="pop-call" data-call="`+callID+`"`, "queue support", `name="pop_call" value="`+callID+`"`,
		"pop_call="+callID)
	alice := strconv.FormatInt(ce.personA.ID, 10)
	r = agent.get("/pop/new?class=UserRequest&phone=%2B15550100199&pop_number=%2B15550100199&pop_call=" + callID +
		"&callers=" + alice + "&caller=" + alice)
	wantContains(t, "creation form", r, `name="pop_call" value="`+callID+`"`)
	r = agent.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Cannot log in"},
		"org_id": {strconv.FormatInt(ce.orgA.ID, 10)}, "caller_id": {alice}, "origin": {"phone"}, "pop": {"1"},
		"pop_number": {"+15550100199"}, "pop_caller": {alice}, "pop_call": {callID}, "pop_log": {"public_log"}})
	wantStatus(t, "create from the pop", r, http.StatusSeeOther)
	if !strings.Contains(r.location, "pop_call="+callID) {
		t.Errorf("redirect to %q, want the call carried", r.location)
	}
	linked, err := ce.svc.Calls.FindCallByID(ce.sys, call.ID)
	noErr(t, err)
	if linked.PhoneCallID == 0 || linked.TicketID == 0 {
		t.Fatalf("call after the ticket %+v, want it tied", linked)
	}
	// A change of the same ticket records nothing more; the hangup gives
	// the phone call its duration.
	page := agent.get(r.location)
	wantContains(t, "ticket page", page, `name="pop_call" value="`+callID+`"`)
	r = agent.post(fmt.Sprintf("/tickets/%d/log", linked.TicketID), url.Values{"log": {"private_log"}, "text": {"Reset"},
		"pop": {"1"}, "pop_number": {"+15550100199"}, "pop_caller": {alice}, "pop_call": {callID}})
	wantStatus(t, "log entry", r, http.StatusSeeOther)
	wantAPIStatus(t, "hangup", ce.event(t, callForm("hangup", "p-1", "+15550100199")), http.StatusOK)
	pcs, _, err := ce.svc.PhoneCalls.FindPhoneCalls(ce.sys, desk.PhoneCallFilter{TicketID: &linked.TicketID})
	noErr(t, err)
	if len(pcs) != 1 || pcs[0].ID != linked.PhoneCallID || pcs[0].Number != "+15550100199" || pcs[0].ContactID != ce.personA.ID {
		t.Fatalf("the ticket's phone calls %+v, want the call", pcs)
	}
	// Another ticket from the same pop gets a phone call of its own.
	r = agent.post(fmt.Sprintf("/tickets/%d/log", ce.ticketA.ID), url.Values{"log": {"private_log"}, "text": {"Also"},
		"pop": {"1"}, "pop_number": {"+15550100199"}, "pop_caller": {alice}, "pop_call": {callID}})
	wantStatus(t, "other ticket", r, http.StatusSeeOther)
	pcs, _, err = ce.svc.PhoneCalls.FindPhoneCalls(ce.sys, desk.PhoneCallFilter{TicketID: &ce.ticketA.ID})
	noErr(t, err)
	if len(pcs) != 1 || pcs[0].ID == linked.PhoneCallID {
		t.Fatalf("the other ticket's phone calls %+v", pcs)
	}
	// The call log links the call to its ticket.
	r = agent.get("/calls")
	wantContains(t, "call log", r, fmt.Sprintf(`href="/tickets/%d"`, linked.TicketID))
}

func regexp1(tb testing.TB, s, pattern string) string {
	tb.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		tb.Fatalf("no %s in\n%s", pattern, truncate(s))
	}
	return m[1]
}

// noErr fails the test on an error.
func noErr(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func strPtr(s string) *string { return &s }

// ended reports whether the stream ends before the deadline; it fails the
// test when an event other than a comment arrives first.
func (s *stream) ended(deadline time.Duration) bool {
	s.tb.Helper()
	done := make(chan error, 1)
	go func() {
		for {
			line, err := s.rd.ReadString('\n')
			if err != nil {
				done <- nil
				return
			}
			if strings.HasPrefix(line, "event:") {
				done <- fmt.Errorf("an event after the session ended: %q", line)
				return
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			s.tb.Fatal(err)
		}
		return true
	case <-time.After(deadline):
		return false
	}
}

// TestEventStreamEndsWithSession: a stream ends within seconds of its
// session's end, whatever ends it (log out everywhere from another browser,
// an administrator ending the sessions, the user's organizations changing),
// and delivers no call notice after; one session holds a bounded number of
// streams.
func TestEventStreamEndsWithSession(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, func(o *web.Options) { o.SessionCheck = 50 * time.Millisecond })

	t.Run("Log out everywhere", func(t *testing.T) {
		tab, other := ce.MustLogin(t, "agent"), ce.MustLogin(t, "agent")
		s := openStream(t, tab, "")
		r := other.post("/logout/everywhere", nil)
		wantStatus(t, "log out everywhere", r, http.StatusSeeOther)
		// The revocation, or the next check, ends it at once.
		if !s.ended(5 * time.Second) {
			t.Fatal("the stream outlived the session")
		}
	})

	t.Run("Revoked at once, without waiting for a check", func(t *testing.T) {
		slow := mustCallEnv(t, func(o *web.Options) { o.SessionCheck = time.Hour })
		tab, other := slow.MustLogin(t, "agent"), slow.MustLogin(t, "agent")
		s := openStream(t, tab, "")
		wantStatus(t, "log out everywhere", other.post("/logout/everywhere", nil), http.StatusSeeOther)
		if !s.ended(5 * time.Second) {
			t.Fatal("the revocation did not end the stream")
		}
	})

	t.Run("Organizations changed", func(t *testing.T) {
		scoped := ce.MustLogin(t, "scoped")
		s := openStream(t, scoped, "")
		u := ce.userOf(t, "scoped")
		orgs := []int64{ce.orgA.ID, ce.orgB.ID}
		if _, err := ce.svc.Users.UpdateUser(ce.sys, u.ID, desk.UserUpdate{AllowedOrgIDs: orgs}); err != nil {
			t.Fatal(err)
		}
		if !s.ended(5 * time.Second) {
			t.Fatal("the stream of the former rights outlived them")
		}
		// The browser reconnects with the new rights.
		openStream(t, scoped, "")
	})

	t.Run("Still logged in: the stream stays", func(t *testing.T) {
		agent := ce.MustLogin(t, "agent")
		s := openStream(t, agent, "")
		if s.ended(300 * time.Millisecond) {
			t.Fatal("a stream of a valid session ended")
		}
	})

	t.Run("Streams per session", func(t *testing.T) {
		tab := ce.MustLogin(t, "viewer")
		for range 8 {
			openStream(t, tab, "")
		}
		req, _ := http.NewRequest(http.MethodGet, tab.base+"/events", nil)
		resp, err := tab.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the 9th stream of a session: %d, want 429", resp.StatusCode)
		}
		// Another session of the same user has its own.
		openStream(t, ce.MustLogin(t, "viewer"), "")
	})
}

// TestTokenNeverLogged: the integration token in a webhook's path reaches no
// log line, however the path is spelled.
func TestTokenNeverLogged(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	secret := strings.TrimPrefix(ce.token, "cti_")
	for _, path := range []string{
		"/api/v1/cti/events/" + ce.token,
		"//api/v1/cti/events/" + ce.token,
		"/api/v1/cti//events/" + ce.token,
		"/api/v1/./cti/events/" + ce.token,
		"/API/v1/cti/events/" + ce.token,
		"/api/v1/cti/" + ce.token,
		"/api/v1/persons/" + ce.token,
	} {
		req, err := http.NewRequest(http.MethodPost, ce.srv.URL+path, strings.NewReader(callForm("newCall", "log-1", "+15550100199").Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := ce.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	log := ce.logBuf.String()
	if strings.Count(log, "http request") < 7 {
		t.Fatalf("the requests were not logged:\n%s", log)
	}
	if strings.Contains(log, secret) {
		t.Errorf("a token reached the log:\n%s", log)
	}
}
