package cti_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// TestTransition runs the call's state machine over event sequences.
func TestTransition(t *testing.T) {
	const (
		ann, bob, cid = 11, 12, 13
	)
	ev := func(event, dir string, opts ...func(*cti.Event)) *cti.Event {
		e := &cti.Event{Event: event, Direction: dir, From: "+14155550142", To: "100", CallID: "x"}
		for _, o := range opts {
			o(e)
		}
		if err := e.Validate(); err != nil { // as Handle does: it reads the causes
			t.Fatal(err)
		}
		return e
	}
	to := func(v string) func(*cti.Event) { return func(e *cti.Event) { e.To = v } }
	queue := func(v string) func(*cti.Event) { return func(e *cti.Event) { e.Queue = v } }
	cause := func(c string) func(*cti.Event) { return func(e *cti.Event) { e.Cause = c } }
	voicemail := func(e *cti.Event) { e.User = []string{"VoiceMail"} }
	type step struct {
		ev *cti.Event
		f  cti.CallFacts
	}
	in, out := desk.DirectionIn, desk.DirectionOut
	blocked := func(t *testing.T, c *desk.Call) {
		if !c.Blocked {
			t.Error("the call lost its blocked mark")
		}
	}
	wantQueue := func(q string) func(*testing.T, *desk.Call) {
		return func(t *testing.T, c *desk.Call) {
			if c.Queue != q {
				t.Errorf("queue %q, want %q", c.Queue, q)
			}
		}
	}
	for _, tt := range []struct {
		name     string
		steps    []step
		state    string
		agent    int64
		ringing  []int64
		answered bool
		ended    bool
		// check, when set, checks more of the call.
		check func(t *testing.T, c *desk.Call)
	}{
		{"ringing", []step{{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann, bob}}}},
			desk.CallRinging, 0, []int64{ann, bob}, false, false, nil},
		{"rings for more agents", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{bob, ann}}}},
			desk.CallRinging, 0, []int64{ann, bob}, false, false, nil},
		{"answered", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann, bob}}},
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: bob}},
			{ev(cti.EventHangup, in, cause(cti.CauseNormalClearing)), cti.CallFacts{}}},
			desk.CallAnswered, bob, []int64{ann, bob}, true, true, nil},
		{"answered without an agent named, one agent rung", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventAnswer, in), cti.CallFacts{}}},
			desk.CallAnswered, ann, []int64{ann}, true, false, nil},
		{"answered without an agent named, two rung", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann, bob}}},
			{ev(cti.EventAnswer, in), cti.CallFacts{}}},
			desk.CallAnswered, 0, []int64{ann, bob}, true, false, nil},
		{"missed: the caller hung up", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventHangup, in, cause(cti.CauseCancel)), cti.CallFacts{}}},
			desk.CallMissed, 0, []int64{ann}, false, true, nil},
		{"missed: nobody answered", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{}},
			{ev(cti.EventHangup, in, cause(cti.CauseNoAnswer)), cti.CallFacts{}}},
			desk.CallMissed, 0, nil, false, true, nil},
		{"missed: voicemail", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventAnswer, in, voicemail), cti.CallFacts{}},
			{ev(cti.EventHangup, in, cause(cti.CauseNormalClearing)), cti.CallFacts{}}},
			desk.CallMissed, 0, []int64{ann}, false, true, nil},
		{"forwarded elsewhere while ringing", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventHangup, in, cause(cti.CauseForwarded)), cti.CallFacts{}}},
			desk.CallUnanswered, 0, []int64{ann}, false, true, nil},
		{"rejected", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Blocked: true, Ringing: []int64{ann}}},
			{ev(cti.EventHangup, in, cause(cti.CauseBusy)), cti.CallFacts{}}},
			desk.CallRejected, 0, nil, false, true, blocked},
		{"blocked, put through anyway and answered", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Blocked: true, Ringing: []int64{ann}}},
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: ann}},
			{ev(cti.EventHangup, in, cause(cti.CauseNormalClearing)), cti.CallFacts{}}},
			desk.CallAnswered, ann, nil, true, true, func(t *testing.T, c *desk.Call) {
				blocked(t, c)
				if c.Duration() != time.Minute {
					t.Errorf("talked %v, want 1m", c.Duration())
				}
			}},
		{"ring group: the legs that lost the race end nothing", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann, bob, cid}}},
			{ev(cti.EventHangup, in, cause("LOSE_RACE")), cti.CallFacts{Leg: bob}}, // before the answer
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: ann}},
			{ev(cti.EventHangup, in, cause("LOSE_RACE")), cti.CallFacts{Leg: cid}},
			{ev(cti.EventHangup, in, cause("NORMAL_CLEARING")), cti.CallFacts{Leg: ann}}},
			desk.CallAnswered, ann, []int64{ann, bob, cid}, true, true, func(t *testing.T, c *desk.Call) {
				if c.Duration() != 2*time.Minute || c.Cause != cti.CauseNormalClearing {
					t.Errorf("talked %v, cause %q; want 2m from the answer to the answering leg's hangup", c.Duration(), c.Cause)
				}
			}},
		{"answered: another agent's leg ends nothing", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann, bob}}},
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: ann}},
			{ev(cti.EventHangup, in, cause("NO_ANSWER")), cti.CallFacts{Leg: bob}},
			{ev(cti.EventHangup, in, cause("NORMAL_CLEARING")), cti.CallFacts{}}},
			desk.CallAnswered, ann, []int64{ann, bob}, true, true, func(t *testing.T, c *desk.Call) {
				if !c.EndedAt.Equal(t0.Add(3 * time.Minute)) {
					t.Errorf("ended %v, want at the last hangup", c.EndedAt)
				}
			}},
		{"ringing: a leg that lost the race leaves it ringing", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann, bob}}},
			{ev(cti.EventHangup, in, cause("LOSE_RACE")), cti.CallFacts{Leg: bob}}},
			desk.CallRinging, 0, []int64{ann, bob}, false, false, nil},
		{"the queue is to when to is a name", []step{
			{ev(cti.EventNewCall, in, to("support")), cti.CallFacts{}}},
			desk.CallRinging, 0, nil, false, false, wantQueue("support")},
		{"the queue given wins", []step{
			{ev(cti.EventNewCall, in, to("support"), queue("sales")), cti.CallFacts{}}},
			desk.CallRinging, 0, nil, false, false, wantQueue("sales")},
		{"no queue from a number", []step{
			{ev(cti.EventNewCall, in, to("+442079460000")), cti.CallFacts{}},
			{ev(cti.EventAnswer, in, queue("first-line")), cti.CallFacts{Agent: ann}}},
			desk.CallAnswered, ann, nil, true, false, wantQueue("first-line")},
		{"transferred", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: ann}},
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: cid}},
			{ev(cti.EventHangup, in), cti.CallFacts{}}},
			desk.CallAnswered, cid, []int64{ann}, true, true, nil},
		{"late events change nothing", []step{
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{ann}}},
			{ev(cti.EventHangup, in, cause(cti.CauseCancel)), cti.CallFacts{}},
			{ev(cti.EventAnswer, in), cti.CallFacts{Agent: ann}},
			{ev(cti.EventNewCall, in), cti.CallFacts{Ringing: []int64{bob}}},
			{ev(cti.EventHangup, in, cause(cti.CauseNormalClearing)), cti.CallFacts{}}},
			desk.CallMissed, 0, []int64{ann}, false, true, nil},
		{"answer without newCall", []step{{ev(cti.EventAnswer, in), cti.CallFacts{Agent: bob}}},
			desk.CallAnswered, bob, nil, true, false, nil},
		{"outbound answered", []step{
			{ev(cti.EventNewCall, out), cti.CallFacts{Agent: ann, Ringing: []int64{bob}}},
			{ev(cti.EventAnswer, out), cti.CallFacts{Agent: bob}},
			{ev(cti.EventHangup, out), cti.CallFacts{}}},
			desk.CallAnswered, ann, nil, true, true, nil},
		{"outbound not answered", []step{
			{ev(cti.EventNewCall, out), cti.CallFacts{Agent: ann}},
			{ev(cti.EventHangup, out, cause(cti.CauseNoAnswer)), cti.CallFacts{}}},
			desk.CallUnanswered, ann, nil, false, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &desk.Call{}
			for i, s := range tt.steps {
				s.f.Now = t0.Add(time.Duration(i) * time.Minute)
				cti.Transition(c, s.ev, s.f)
				c.ID = 1 // recorded after the first event
			}
			if c.State != tt.state || c.AgentUserID != tt.agent || !slices.Equal(c.RingingUserIDs, tt.ringing) ||
				(c.AnsweredAt != nil) != tt.answered || c.Ended() != tt.ended {
				t.Fatalf("call %+v\nwant state %s, agent %d, ringing %v, answered %v, ended %v", c, tt.state, tt.agent,
					tt.ringing, tt.answered, tt.ended)
			}
			if !c.StartedAt.Equal(t0) {
				t.Errorf("started %v, want %v", c.StartedAt, t0)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

// callsFixture is a store with Ann of Alpha and Bob of Beta as customers,
// three agents with extensions (the third limited to Alpha), a user
// without extension, and the call events use case on an in-memory bus.
type callsFixture struct {
	db    *store.DB
	svc   desk.Services
	sys   context.Context
	now   time.Time
	bus   *cti.MemoryBus
	calls *cti.Calls
	integ *desk.Integration

	ann, bob              *desk.Person
	alice, bruno, scoped  *desk.User
	other                 *desk.User
	aliceCtx, scopedCtx   context.Context
	aliceP, brunoP        *desk.Person
	inbox                 map[int64]<-chan desk.PushEvent
	alpha, beta, provider *desk.Organization
}

func mustCallsFixture(t testing.TB) *callsFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "calls.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must(t, db.Migrate(ctx))
	f := &callsFixture{db: db, svc: db.Services(), sys: desk.NewSystemContext(ctx), now: t0,
		inbox: map[int64]<-chan desk.PushEvent{}}
	db.Now = func() time.Time { return f.now }
	org := func(name string) *desk.Organization {
		o := &desk.Organization{Name: name}
		must(t, f.svc.Organizations.CreateOrganization(f.sys, o))
		return o
	}
	f.alpha, f.beta, f.provider = org("Alpha"), org("Beta"), org("Provider")
	person := func(p *desk.Person) *desk.Person {
		must(t, f.svc.Persons.CreatePerson(f.sys, p))
		return p
	}
	f.ann = person(&desk.Person{FirstName: "Ann", Name: "Smith", OrgID: f.alpha.ID, Phone: "+1 212 555 0100"})
	f.bob = person(&desk.Person{FirstName: "Bob", Name: "Jones", OrgID: f.beta.ID, Phone: "+1 415 555 0199"})
	f.aliceP = person(&desk.Person{FirstName: "Alice", Name: "Agent", OrgID: f.provider.ID})
	f.brunoP = person(&desk.Person{FirstName: "Bruno", Name: "Agent", OrgID: f.provider.ID, Phone: "+1 646 555 0202"})
	user := func(u *desk.User, ext string) *desk.User {
		u.PasswordHash = "x"
		must(t, f.svc.Users.CreateUser(f.sys, u))
		if ext != "" {
			_, err := f.svc.Telephony.UpdateAgentSettings(f.sys, u.ID, desk.AgentSettingsUpdate{Extension: &ext})
			must(t, err)
		}
		return u
	}
	f.alice = user(&desk.User{Login: "alice", Roles: []string{desk.RoleAgent}, ContactID: f.aliceP.ID}, "201")
	f.bruno = user(&desk.User{Login: "bruno", Roles: []string{desk.RoleAgent}, ContactID: f.brunoP.ID}, "202")
	f.scoped = user(&desk.User{Login: "scoped", Roles: []string{desk.RoleAgent}, AllowedOrgIDs: []int64{f.alpha.ID}}, "203")
	f.other = user(&desk.User{Login: "other", Roles: []string{desk.RoleAgent}}, "")
	f.aliceCtx = desk.NewContextWithUser(ctx, f.alice)
	f.scopedCtx = desk.NewContextWithUser(ctx, f.scoped)
	admin := desk.NewContextWithUser(ctx, &desk.User{ID: -1, Login: "admin", Roles: []string{desk.RoleAdmin}})
	_, f.integ, err = f.svc.Telephony.CreateIntegration(admin, "PBX")
	must(t, err)
	f.bus = cti.NewMemoryBus(cti.MemoryBusOptions{Now: func() time.Time { return f.now }})
	f.calls = &cti.Calls{Services: f.svc, Bus: f.bus, Now: func() time.Time { return f.now }}
	for _, u := range []*desk.User{f.alice, f.bruno, f.scoped, f.other} {
		ch, cancel := f.bus.Subscribe(u.ID, 0)
		t.Cleanup(cancel)
		f.inbox[u.ID] = ch
	}
	return f
}

// post handles one event and returns the reply and the call.
func (f *callsFixture) post(t testing.TB, ev cti.Event) (*cti.Reply, *desk.Call) {
	t.Helper()
	reply, call, err := f.calls.Handle(context.Background(), f.integ, &ev)
	if err != nil {
		t.Fatalf("%s %s: %v", ev.Event, ev.CallID, err)
	}
	return reply, call
}

// received is a notice as an agent got it.
type received struct {
	typ    string
	notice cti.Notice
}

// drain returns what each agent received since the last drain (the bus
// publishes synchronously: everything is there once Handle returns).
func (f *callsFixture) drain(t testing.TB) map[int64][]received {
	t.Helper()
	out := map[int64][]received{}
	for id, ch := range f.inbox {
		for {
			select {
			case ev := <-ch:
				var n cti.Notice
				if err := json.Unmarshal(ev.Data, &n); err != nil {
					t.Fatal(err)
				}
				out[id] = append(out[id], received{ev.Type, n})
				continue
			default:
			}
			break
		}
	}
	return out
}

// types returns the notice types of each agent, by login.
func (f *callsFixture) types(got map[int64][]received) map[string]string {
	out := map[string]string{}
	for _, u := range []*desk.User{f.alice, f.bruno, f.scoped, f.other} {
		var ts []string
		for _, r := range got[u.ID] {
			ts = append(ts, r.typ)
		}
		if len(ts) > 0 {
			out[u.Login] = strings.Join(ts, ",")
		}
	}
	return out
}

func wantTypes(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: notices %v, want %v", what, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: notices %v, want %v", what, got, want)
		}
	}
}

func callerNames(n cti.Notice) []string {
	var out []string
	for _, c := range n.Callers {
		out = append(out, c.Name)
	}
	return out
}

func TestCallsAnswered(t *testing.T) {
	f := mustCallsFixture(t)
	in := cti.Event{From: "+12125550100", To: "100", Direction: "in", CallID: "call-1", Queue: "support"}

	ev := in
	ev.Event, ev.User = cti.EventNewCall, []string{"201", "Bruno Agent"} // an extension and a name
	reply, call := f.post(t, ev)
	if *reply != (cti.Reply{}) || call.State != desk.CallRinging || call.ContactID != f.ann.ID || call.Queue != "support" {
		t.Fatalf("newCall: reply %+v, call %+v", reply, call)
	}
	got := f.drain(t)
	wantTypes(t, "newCall", f.types(got), map[string]string{"alice": "ringing", "bruno": "ringing"})
	n := got[f.alice.ID][0].notice
	if n.Call != call.ID || n.Number != "+12125550100" || n.Queue != "support" || !slices.Equal(callerNames(n), []string{"Ann Smith"}) ||
		n.Callers[0].Organization != "Alpha" || n.PopURL != "/pop?call=1&phone=%2B12125550100" || n.Open {
		t.Fatalf("ringing notice %+v", n)
	}

	f.now = f.now.Add(4 * time.Second)
	ev.Event, ev.User, ev.AnsweringNumber = cti.EventAnswer, nil, "202"
	f.post(t, ev)
	got = f.drain(t)
	wantTypes(t, "answer", f.types(got), map[string]string{"alice": "taken", "bruno": "answered"})
	if n := got[f.bruno.ID][0].notice; !n.Open || n.State != desk.CallAnswered || n.PopURL == "" || len(n.Callers) != 1 {
		t.Fatalf("answered notice %+v", n)
	}
	if n := got[f.alice.ID][0].notice; n.Agent != "Bruno Agent" {
		t.Fatalf("taken notice %+v", n)
	}

	f.now = f.now.Add(2 * time.Minute)
	ev.Event, ev.Cause = cti.EventHangup, "normalClearing"
	_, call = f.post(t, ev)
	wantTypes(t, "hangup", f.types(f.drain(t)), map[string]string{"bruno": "ended"})
	if call.State != desk.CallAnswered || call.AgentUserID != f.bruno.ID || call.Duration() != 2*time.Minute ||
		call.Cause != cti.CauseNormalClearing {
		t.Fatalf("call after hangup %+v", call)
	}
	// A hangup posted again changes and tells nothing.
	f.now = f.now.Add(time.Minute)
	_, again := f.post(t, ev)
	wantTypes(t, "hangup again", f.types(f.drain(t)), map[string]string{})
	if !again.EndedAt.Equal(*call.EndedAt) {
		t.Fatalf("ended again: %v, want %v", again.EndedAt, call.EndedAt)
	}

	t.Run("LinkCall", func(t *testing.T) {
		tk := &desk.Ticket{Kind: desk.KindUserRequest, Title: "Printer", OrgID: f.alpha.ID, CallerID: f.ann.ID}
		must(t, f.svc.Tickets.CreateTicket(f.sys, tk))
		brunoCtx := desk.NewContextWithUser(context.Background(), f.bruno)
		pc, err := f.calls.LinkCall(brunoCtx, call.ID, tk.ID, f.ann.ID, "")
		must(t, err)
		if pc.AgentID != f.brunoP.ID || pc.Duration != 120 || pc.Number != "+12125550100" || pc.TicketID != tk.ID ||
			pc.Flow != desk.FlowInbound {
			t.Fatalf("phone call %+v", pc)
		}
		// A user without a contact ties nothing.
		if pc, err := f.calls.LinkCall(f.scopedCtx, call.ID, tk.ID, 0, ""); err != nil || pc != nil {
			t.Fatalf("scoped user without contact: %+v, %v", pc, err)
		}
	})
}

func TestCallsMissedAndScope(t *testing.T) {
	f := mustCallsFixture(t)
	// Bob of Beta calls the scoped agent's extension and Alice's: the
	// scoped agent, limited to Alpha, is told of the call but not of Bob.
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "4155550199", To: "203", Direction: "in", CallID: "m",
		User: []string{"203", "alice"}})
	got := f.drain(t)
	wantTypes(t, "newCall", f.types(got), map[string]string{"alice": "ringing", "scoped": "ringing"})
	if names := callerNames(got[f.alice.ID][0].notice); !slices.Equal(names, []string{"Bob Jones"}) {
		t.Errorf("Alice is told of %v, want Bob", names)
	}
	if n := got[f.scoped.ID][0].notice; len(n.Callers) != 0 || n.Number != "4155550199" {
		t.Errorf("the scoped agent is told %+v, want the number without Bob", n)
	}
	f.now = f.now.Add(20 * time.Second)
	_, call := f.post(t, cti.Event{Event: cti.EventHangup, From: "4155550199", To: "203", Direction: "in", CallID: "m",
		Cause: cti.CauseCancel})
	got = f.drain(t)
	wantTypes(t, "hangup", f.types(got), map[string]string{"alice": "ended", "scoped": "ended"})
	if call.State != desk.CallMissed || got[f.alice.ID][0].notice.State != desk.CallMissed {
		t.Fatalf("call %+v, notice %+v; want missed", call, got[f.alice.ID][0].notice)
	}
	// The missed call is in the log of those who may see Bob.
	missed, _, err := f.svc.Calls.FindCalls(f.aliceCtx, desk.CallFilter{States: []string{desk.CallMissed}})
	must(t, err)
	if len(missed) != 1 || missed[0].ID != call.ID || missed[0].ContactName != "Bob Jones" {
		t.Fatalf("Alice's missed calls %+v", missed)
	}
	if _, total, _ := f.svc.Calls.FindCalls(f.scopedCtx, desk.CallFilter{}); total != 0 {
		t.Fatalf("the scoped agent sees %d calls, want none (Bob is of Beta)", total)
	}

	t.Run("Called extension", func(t *testing.T) {
		// Without user, the number called finds the agent: an unknown
		// caller rings for extension 203 alone.
		_, call := f.post(t, cti.Event{Event: cti.EventNewCall, From: "+33 1 23 45 67 89", To: "203", Direction: "in", CallID: "u"})
		wantTypes(t, "newCall", f.types(f.drain(t)), map[string]string{"scoped": "ringing"})
		if call.ContactID != 0 || len(call.CallerIDs) != 0 {
			t.Fatalf("unknown caller found: %+v", call)
		}
		// An unknown caller's call that rang for him is in his log.
		if _, err := f.svc.Calls.FindCallByID(f.scopedCtx, call.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Voicemail", func(t *testing.T) {
		f.post(t, cti.Event{Event: cti.EventNewCall, From: "2125550100", To: "100", Direction: "in", CallID: "v", User: []string{"alice"}})
		f.drain(t)
		f.post(t, cti.Event{Event: cti.EventAnswer, From: "2125550100", To: "100", Direction: "in", CallID: "v",
			User: []string{"voicemail"}})
		wantTypes(t, "voicemail", f.types(f.drain(t)), map[string]string{"alice": "ended"})
		_, call := f.post(t, cti.Event{Event: cti.EventHangup, From: "2125550100", To: "100", Direction: "in", CallID: "v"})
		wantTypes(t, "hangup", f.types(f.drain(t)), map[string]string{})
		if call.State != desk.CallMissed || !call.Voicemail || !call.Ended() {
			t.Fatalf("voicemail call %+v", call)
		}
	})
}

func TestCallsRejected(t *testing.T) {
	f := mustCallsFixture(t)
	admin := desk.NewContextWithUser(context.Background(), &desk.User{ID: -1, Login: "admin", Roles: []string{desk.RoleAdmin}})
	must(t, f.svc.Telephony.CreateBlockedNumber(admin, &desk.BlockedNumber{Number: "+1 (212) 555-0100"}))
	reply, call := f.post(t, cti.Event{Event: cti.EventNewCall, From: "2125550100", To: "100", Direction: "in", CallID: "r",
		User: []string{"alice"}})
	if *reply != (cti.Reply{Action: "reject", Reason: "busy"}) || call.State != desk.CallRejected || len(call.RingingUserIDs) != 0 {
		t.Fatalf("blocked newCall: reply %+v, call %+v", reply, call)
	}
	b, _ := json.Marshal(reply)
	if string(b) != `{"action":"reject","reason":"busy"}` {
		t.Errorf("reply %s", b)
	}
	_, call = f.post(t, cti.Event{Event: cti.EventHangup, From: "2125550100", To: "100", Direction: "in", CallID: "r", Cause: "busy"})
	wantTypes(t, "rejected call", f.types(f.drain(t)), map[string]string{})
	if call.State != desk.CallRejected || !call.Ended() {
		t.Fatalf("rejected call after hangup %+v", call)
	}
	// Another number is not blocked; a known call is not checked again.
	reply, _ = f.post(t, cti.Event{Event: cti.EventNewCall, From: "2125550101", To: "100", Direction: "in", CallID: "ok"})
	if *reply != (cti.Reply{}) {
		t.Fatalf("reply %+v", reply)
	}
}

func TestCallsTransferred(t *testing.T) {
	f := mustCallsFixture(t)
	ev := cti.Event{From: "+12125550100", To: "100", Direction: "in", CallID: "t"}
	post := func(event string, edit func(*cti.Event)) *desk.Call {
		e := ev
		e.Event = event
		if edit != nil {
			edit(&e)
		}
		_, c := f.post(t, e)
		return c
	}
	post(cti.EventNewCall, func(e *cti.Event) { e.User = []string{"alice"} })
	f.drain(t)
	post(cti.EventAnswer, func(e *cti.Event) { e.AnsweringNumber = "201" })
	wantTypes(t, "answer", f.types(f.drain(t)), map[string]string{"alice": "answered"})
	// Alice transfers to Bruno, named by his contact's direct line.
	call := post(cti.EventAnswer, func(e *cti.Event) { e.AnsweringNumber = "+1 646 555 0202" })
	got := f.drain(t)
	wantTypes(t, "transfer", f.types(got), map[string]string{"alice": "taken", "bruno": "answered"})
	if call.AgentUserID != f.bruno.ID || !got[f.bruno.ID][0].notice.Open {
		t.Fatalf("transferred call %+v", call)
	}
	call = post(cti.EventHangup, nil)
	wantTypes(t, "hangup", f.types(f.drain(t)), map[string]string{"bruno": "ended"})
	if call.State != desk.CallAnswered || call.AgentUserID != f.bruno.ID {
		t.Fatalf("call %+v", call)
	}
}

func TestCallsPopOnAnswerOff(t *testing.T) {
	f := mustCallsFixture(t)
	off := false
	_, err := f.svc.Telephony.UpdateAgentSettings(f.aliceCtx, f.alice.ID, desk.AgentSettingsUpdate{PopOnAnswer: &off})
	must(t, err)
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "2125550100", To: "201", Direction: "in", CallID: "p"})
	f.post(t, cti.Event{Event: cti.EventAnswer, From: "2125550100", To: "201", Direction: "in", CallID: "p"})
	got := f.drain(t)
	wantTypes(t, "answer", f.types(got), map[string]string{"alice": "ringing,answered"})
	if n := got[f.alice.ID][1].notice; n.Open {
		t.Fatalf("answered notice %+v opens the pop, though Alice turned it off", n)
	}
}

func TestCallsOutbound(t *testing.T) {
	f := mustCallsFixture(t)
	admin := desk.NewContextWithUser(context.Background(), &desk.User{ID: -1, Login: "admin", Roles: []string{desk.RoleAdmin}})
	must(t, f.svc.Telephony.CreateCallerIDRule(admin, &desk.CallerIDRule{Pattern: "+33*", CallerID: "+33 1 70 00 00 00"}))
	must(t, f.svc.Telephony.CreateCallerIDRule(admin, &desk.CallerIDRule{Pattern: "*", CallerID: "+1 212 555 0000"}))
	for _, tt := range []struct {
		to, callerID string
	}{{"+33 6 12 34 56 78", "+33 1 70 00 00 00"}, {"4155550199", "+1 212 555 0000"}} {
		reply, call := f.post(t, cti.Event{Event: cti.EventNewCall, From: "202", To: tt.to, Direction: "out", CallID: "o" + tt.to})
		if *reply != (cti.Reply{Action: "dial", CallerID: tt.callerID, Number: tt.to}) {
			t.Errorf("reply to %s: %+v", tt.to, reply)
		}
		if call.AgentUserID != f.bruno.ID || call.Number() != tt.to {
			t.Errorf("outbound call %+v, want Bruno's", call)
		}
	}
	_, call := f.post(t, cti.Event{Event: cti.EventHangup, From: "202", To: "4155550199", Direction: "out", CallID: "o4155550199",
		Cause: cti.CauseNoAnswer})
	if call.State != desk.CallUnanswered || call.ContactID != f.bob.ID {
		t.Fatalf("outbound call %+v", call)
	}
	wantTypes(t, "outbound calls", f.types(f.drain(t)), map[string]string{})
}

// TestCallsWhoRings: an inbound call rings for the agents named in user
// that are known; else for those whose extension, login or number is to;
// else for the targets of its queue; else, as Zammad, for every agent who
// may see the caller, unless the integration says otherwise.
func TestCallsWhoRings(t *testing.T) {
	f := mustCallsFixture(t)
	admin := desk.NewContextWithUser(context.Background(), &desk.User{ID: -1, Login: "admin", Roles: []string{desk.RoleAdmin}})
	must(t, f.svc.Telephony.CreateQueueTarget(admin, &desk.QueueTarget{Queue: "support", UserID: f.bruno.ID}))
	must(t, f.svc.Telephony.CreateQueueTarget(admin, &desk.QueueTarget{Queue: "Sales", UserID: f.alice.ID}))
	n := 0
	ring := func(from, to, queue string, user ...string) *desk.Call {
		t.Helper()
		n++
		_, call := f.post(t, cti.Event{Event: cti.EventNewCall, From: from, To: to, Direction: "in", Queue: queue,
			CallID: "w-" + strconv.Itoa(n), User: user})
		return call
	}
	const ann, bob, unknown = "+12125550100", "+14155550199", "+33123456789"
	for _, tt := range []struct {
		name             string
		from, to, queue  string
		user             []string
		want             map[string]string
		wantQueue        string
		scopedSeesCaller bool
	}{
		{"a known agent in user", bob, "100", "", []string{"Ticket System", "bruno"},
			map[string]string{"bruno": "ringing"}, "", false},
		{"a label in user, to an extension", bob, "201", "", []string{"Ticket System"},
			map[string]string{"alice": "ringing"}, "", false},
		{"no user, to a queue's name", bob, "support", "", nil,
			map[string]string{"bruno": "ringing"}, "support", false},
		{"a queue given, in another case", bob, "100", "SALES", []string{"Ticket System"},
			map[string]string{"alice": "ringing"}, "SALES", false},
		{"nobody named: every agent who may see Bob (not the scoped agent)", bob, "100", "", []string{"Ticket System"},
			map[string]string{"alice": "ringing", "bruno": "ringing", "other": "ringing"}, "", false},
		{"nobody named: every agent who may see Ann", ann, "100", "", nil,
			map[string]string{"alice": "ringing", "bruno": "ringing", "scoped": "ringing", "other": "ringing"}, "", true},
		{"nobody named, a queue without target: every agent", unknown, "helpdesk", "", nil,
			map[string]string{"alice": "ringing", "bruno": "ringing", "scoped": "ringing", "other": "ringing"}, "helpdesk", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			call := ring(tt.from, tt.to, tt.queue, tt.user...)
			got := f.drain(t)
			wantTypes(t, tt.name, f.types(got), tt.want)
			if call.Queue != tt.wantQueue || call.State != desk.CallRinging {
				t.Errorf("call %+v, want ringing, queue %q", call, tt.wantQueue)
			}
			if r := got[f.scoped.ID]; len(r) > 0 && (len(r[0].notice.Callers) > 0) != tt.scopedSeesCaller {
				t.Errorf("the scoped agent is told of %v", callerNames(r[0].notice))
			}
		})
	}

	t.Run("Answered: the pop to the one who answered", func(t *testing.T) {
		call := ring(bob, "100", "", "Ticket System")
		f.drain(t)
		_, call = f.post(t, cti.Event{Event: cti.EventAnswer, Direction: "in", CallID: call.CallID, User: []string{"bruno"}})
		got := f.drain(t)
		wantTypes(t, "answer", f.types(got), map[string]string{"alice": "taken", "bruno": "answered", "other": "taken"})
		if call.AgentUserID != f.bruno.ID || !got[f.bruno.ID][0].notice.Open || call.From != bob {
			t.Fatalf("call %+v, pop %+v", call, got[f.bruno.ID])
		}
	})

	t.Run("Turned off", func(t *testing.T) {
		off := false
		integ, err := f.svc.Telephony.UpdateIntegration(admin, f.integ.ID, desk.IntegrationUpdate{RingAllAgents: &off})
		must(t, err)
		f.integ = integ
		call := ring(bob, "100", "", "Ticket System")
		wantTypes(t, "nobody named", f.types(f.drain(t)), map[string]string{})
		if call.State != desk.CallRinging || len(call.RingingUserIDs) != 0 {
			t.Fatalf("call %+v, want recorded, ringing for nobody", call)
		}
		// The queue's targets still ring.
		ring(bob, "support", "")
		wantTypes(t, "queue", f.types(f.drain(t)), map[string]string{"bruno": "ringing"})
	})
}

// TestCallsStale: a call nothing is heard of ends, its hangup lost; the
// agents it rang for are told it was missed, the agent of an answered one
// that it ended; the calls quiet for long end without a word.
func TestCallsStale(t *testing.T) {
	f := mustCallsFixture(t)
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "201", Direction: "in", CallID: "old"})
	f.now = f.now.Add(5 * time.Hour)
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "+14155550199", To: "100", Direction: "in", CallID: "rang", User: []string{"alice", "bruno"}})
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "100", Direction: "in", CallID: "talked", User: []string{"bruno"}})
	f.post(t, cti.Event{Event: cti.EventAnswer, From: "+12125550100", To: "100", Direction: "in", CallID: "talked", User: []string{"bruno"}})
	f.now = f.now.Add(time.Hour)
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "203", Direction: "in", CallID: "live"})
	f.drain(t)

	f.now = f.now.Add(4 * time.Hour)
	n, err := f.calls.EndStaleCalls(context.Background(), 4*time.Hour)
	must(t, err)
	if n != 3 {
		t.Fatalf("ended %d calls, want old, rang and talked", n)
	}
	got := f.drain(t)
	wantTypes(t, "stale", f.types(got), map[string]string{"alice": "ended", "bruno": "ended,ended"})
	if r := got[f.alice.ID][0].notice; r.State != desk.CallMissed || len(r.Callers) != 1 {
		t.Errorf("Alice is told %+v, want the missed call of Bob", r)
	}
	calls, _, err := f.svc.Calls.FindCalls(f.sys, desk.CallFilter{})
	must(t, err)
	for _, c := range calls {
		switch c.CallID {
		case "live":
			if c.Ended() {
				t.Errorf("the live call ended: %+v", c)
			}
		default:
			if !c.HangupLost() {
				t.Errorf("call %s %+v, want ended, hangup not received", c.CallID, c)
			}
		}
	}
	if n, _ := f.calls.EndStaleCalls(context.Background(), 4*time.Hour); n != 0 {
		t.Errorf("swept again: %d calls", n)
	}
	if got := cti.SweepInterval(4 * time.Hour); got != time.Minute {
		t.Errorf("sweep every %v for 4h, want a minute", got)
	}
	if got := cti.SweepInterval(30 * time.Second); got != 7500*time.Millisecond {
		t.Errorf("sweep every %v for 30s, want 7.5s", got)
	}
}

// BenchmarkRingAll is a newCall that names nobody, ringing every agent
// who may see the caller: the agents are read, and each gets his notice,
// its callers looked up as him.
func BenchmarkRingAll(b *testing.B) {
	for _, agents := range []int{0, 50, 200} {
		b.Run(strconv.Itoa(agents)+" more agents", func(b *testing.B) {
			f := mustCallsFixture(b)
			for i := range agents {
				u := &desk.User{Login: "a" + strconv.Itoa(i), Roles: []string{desk.RoleAgent}, PasswordHash: "x"}
				must(b, f.svc.Users.CreateUser(f.sys, u))
			}
			b.ResetTimer()
			for i := range b.N {
				f.post(b, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "100", Direction: "in",
					CallID: "b" + strconv.Itoa(i), User: []string{"Ticket System"}})
				f.drain(b)
			}
		})
	}
}

// TestCallsNoticeScopesInOneEvent: a number found in two organizations rings
// agents of every scope in one event; the lookup run once for the system and
// the agents who see everything, each agent's notice still names only the
// callers of his organizations, whoever was told first.
func TestCallsNoticeScopesInOneEvent(t *testing.T) {
	f := mustCallsFixture(t)
	carl := &desk.Person{FirstName: "Carl", Name: "Brown", OrgID: f.beta.ID, Phone: "+1 212 555 0100"} // Ann's number
	must(t, f.svc.Persons.CreatePerson(f.sys, carl))
	betaAgent := &desk.User{Login: "betty", Roles: []string{desk.RoleAgent}, AllowedOrgIDs: []int64{f.beta.ID},
		PasswordHash: "x"}
	must(t, f.svc.Users.CreateUser(f.sys, betaAgent))
	ch, cancel := f.bus.Subscribe(betaAgent.ID, 0)
	t.Cleanup(cancel)
	f.inbox[betaAgent.ID] = ch
	both, alpha, beta := []string{"Carl Brown", "Ann Smith"}, []string{"Ann Smith"}, []string{"Carl Brown"}
	check := func(t *testing.T, got map[int64][]received, typ string, want map[int64][]string) {
		t.Helper()
		for id, names := range want {
			if len(got[id]) != 1 || got[id][0].typ != typ {
				t.Fatalf("user %d got %+v, want one %s notice", id, got[id], typ)
			}
			if n := got[id][0].notice; !slices.Equal(callerNames(n), names) || n.More != 0 {
				t.Errorf("user %d is told of %v (and %d more), want %v", id, callerNames(n), n.More, names)
			}
		}
	}
	for i, users := range [][]string{
		{"alice", "203", "betty"}, // the agent who sees everything first
		{"203", "betty", "alice"}, // the scoped agents first
		{"betty", "203"},          // scoped agents only
	} {
		t.Run(strings.Join(users, ","), func(t *testing.T) {
			id := "s-" + strconv.Itoa(i)
			_, call := f.post(t, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "100", Direction: "in",
				CallID: id, User: users})
			if !slices.Equal(call.CallerIDs, []int64{carl.ID, f.ann.ID}) {
				t.Fatalf("the call's callers %v, want Carl and Ann (by name)", call.CallerIDs)
			}
			want := map[int64][]string{f.scoped.ID: alpha, betaAgent.ID: beta}
			if slices.Contains(users, "alice") {
				want[f.alice.ID] = both
			}
			got := f.drain(t)
			if len(got) != len(want) {
				t.Fatalf("notices to %d agents, want %d: %+v", len(got), len(want), got)
			}
			check(t, got, cti.NoticeRinging, want)
			// The scoped agent answers: his pop names Ann alone.
			f.post(t, cti.Event{Event: cti.EventAnswer, From: "+12125550100", To: "100", Direction: "in", CallID: id,
				AnsweringNumber: "203"})
			got = f.drain(t)
			check(t, got, cti.NoticeAnswered, map[int64][]string{f.scoped.ID: alpha})
		})
	}
	t.Run("Ringing every agent who may see a caller", func(t *testing.T) {
		f.post(t, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "100", Direction: "in", CallID: "all"})
		got := f.drain(t)
		check(t, got, cti.NoticeRinging, map[int64][]string{f.alice.ID: both, f.bruno.ID: both, f.other.ID: both,
			f.scoped.ID: alpha, betaAgent.ID: beta})
	})
}
