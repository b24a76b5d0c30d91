package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/demo"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/pgtest"
	"github.com/ctidesk/ctidesk/internal/store"
)

// sseEvent is one event of a /events stream.
type sseEvent struct {
	id, event string
	notice    cti.Notice
}

// openEvents opens the event stream of the logged-in client c on base, with
// Last-Event-ID last ("": none), and returns its next events, one by one.
func openEvents(t *testing.T, c *http.Client, base, last string) func() sseEvent {
	t.Helper()
	return nextOf(t, base, openEventChannel(t, c, base, last))
}

// nextOf returns the next events of a stream of base, one by one.
func nextOf(t *testing.T, base string, events <-chan sseEvent) func() sseEvent {
	return func() sseEvent {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the event stream of %s ended", base)
			}
			return ev
		case <-time.After(10 * time.Second):
			t.Fatalf("no event on %s/events after 10 s", base)
		}
		panic("unreachable")
	}
}

// openEventChannel is openEvents' stream as a channel, closed when the
// stream ends.
func openEventChannel(t *testing.T, c *http.Client, base, last string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET %s/events: %d %s", base, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan sseEvent, 16)
	go func() {
		defer close(events)
		rd := bufio.NewReader(resp.Body)
		var ev sseEvent
		var data string
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch {
			case line == "" && ev.event != "":
				json.Unmarshal([]byte(data), &ev.notice)
				events <- ev
				ev, data = sseEvent{}, ""
			case field == "id":
				ev.id = value
			case field == "event":
				ev.event = value
			case field == "data":
				data = value
			}
		}
	}()
	return events
}

// streamEnds fails the test when the stream gives an event, or has not
// ended after 10 s.
func streamEnds(t *testing.T, events <-chan sseEvent) {
	t.Helper()
	select {
	case ev, ok := <-events:
		if ok {
			t.Fatalf("an event after the session ended: %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream outlived its session by 10 s")
	}
}

// eventID returns the number of an SSE id.
func eventID(t *testing.T, id string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		t.Fatalf("event id %q: %v", id, err)
	}
	return n
}

// TestInstancesCallEvents serves two instances on one PostgreSQL database,
// as behind a load balancer: a call event the phone system posts to
// instance A reaches the agent whose browser holds its event stream on
// instance B, and a browser that reconnects to A resumes where it was.
func TestInstancesCallEvents(t *testing.T) {
	_, dsn := pgtest.Open(t)
	mA, out := MustServe(t, "--demo", "--db", dsn)
	mB, _ := MustServe(t, "--db", dsn)
	baseA, baseB := "http://"+mA.Addr(), "http://"+mB.Addr()
	agentPassword := demoPasswords(out)[demo.LoginAgent]

	// The administrator's settings: an integration, the agent's extension.
	sys := desk.NewSystemContext(context.Background())
	db, err := store.Open(sys, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	agent, err := db.FindUserByLogin(sys, demo.LoginAgent)
	if err != nil {
		t.Fatal(err)
	}
	ext := "201"
	if _, err := db.UpdateAgentSettings(sys, agent.ID, desk.AgentSettingsUpdate{Extension: &ext}); err != nil {
		t.Fatal(err)
	}
	token, _, err := db.CreateIntegration(sys, "PBX")
	if err != nil {
		t.Fatal(err)
	}
	callers, _, err := db.FindPersons(sys, desk.PersonFilter{Limit: 1})
	if err != nil || len(callers) != 1 {
		t.Fatal(callers, err)
	}
	caller := callers[0]

	// The agent's browser logs in on B and listens there.
	browser := mustHTTPLogin(t, baseB, demo.LoginAgent, agentPassword)
	onB := openEvents(t, browser, baseB, "")

	// The phone system posts to A.
	post := func(form url.Values) {
		t.Helper()
		resp, err := http.PostForm(baseA+"/api/v1/cti/events/"+token, form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s to A: %d %s", form.Get("event"), resp.StatusCode, body)
		}
	}
	call := func(event string, more ...string) url.Values {
		f := url.Values{"event": {event}, "callId": {"two-instances-1"}, "from": {caller.Phone}, "to": {"100"}, "direction": {"in"}}
		for i := 0; i+1 < len(more); i += 2 {
			f.Set(more[i], more[i+1])
		}
		return f
	}
	post(call("newCall", "user", ext))
	ringing := onB()
	if ringing.event != "ringing" || ringing.id == "" || ringing.notice.Number != caller.Phone ||
		len(ringing.notice.Callers) == 0 || ringing.notice.Callers[0].Name != caller.FriendlyName() {
		t.Fatalf("ringing on B: %+v, want %s calling", ringing, caller.FriendlyName())
	}
	post(call("answer", "answeringNumber", ext))
	answered := onB()
	if answered.event != "answered" || answered.notice.PopURL == "" || eventID(t, answered.id) <= eventID(t, ringing.id) {
		t.Fatalf("answered on B: %+v after %+v", answered, ringing)
	}

	// PostgreSQL drops the instances' listening connections (a restart, a
	// proxy's timeout): a second call rings while B is deaf, and B's agent
	// still gets its notice once B listens again.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if err := admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN "ctidesk_events_%'`).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("%d listening connections terminated (%v), want A's and B's", killed, err)
	}
	second := call("newCall", "user", ext)
	second.Set("callId", "two-instances-2")
	post(second)
	missed := onB()
	if missed.event != "ringing" || eventID(t, missed.id) <= eventID(t, answered.id) {
		t.Fatalf("the call that rang while B was deaf: %+v", missed)
	}

	// B stops; the browser reconnects to A, giving the id of the ringing
	// as if it had missed the answer: it gets the answer again, the second
	// call's ringing, then the hangup.
	if err := mB.Close(); err != nil {
		t.Fatal(err)
	}
	streamA := openEventChannel(t, browser, baseA, ringing.id)
	onA := nextOf(t, baseA, streamA)
	if again := onA(); again.event != "answered" || again.id != answered.id {
		t.Fatalf("resumed on A: %+v, want the answer again (%s)", again, answered.id)
	}
	if again := onA(); again.event != "ringing" || again.id != missed.id {
		t.Fatalf("resumed on A: %+v, want the second call's ringing (%s)", again, missed.id)
	}
	post(call("hangup", "cause", "normalClearing"))
	if ended := onA(); ended.event != "ended" {
		t.Fatalf("after the hangup on A: %+v", ended)
	}

	// The agent logs out everywhere on A: his stream on A ends within
	// seconds, and so would one on any instance (the bus carries the
	// revocation, and every stream checks its session).
	other := mustHTTPLogin(t, baseA, demo.LoginAgent, agentPassword)
	page, err := other.Get(baseA + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
	if csrf == nil {
		t.Fatal("no CSRF token on the home page")
	}
	resp, err := other.PostForm(baseA+"/logout/everywhere", url.Values{"csrf_token": {string(csrf[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	streamEnds(t, streamA)
}
