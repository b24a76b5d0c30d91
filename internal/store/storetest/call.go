package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// ring records a new inbound call through ApplyCall, as the call events use
// case does, and returns it.
func (f *fixture) ring(t *testing.T, integ int64, callID, from string, callers []int64, ringing ...int64) *desk.Call {
	t.Helper()
	c, err := f.db.ApplyCall(f.sys, integ, callID, func(c *desk.Call) error {
		if c.ID != 0 {
			t.Errorf("call %s: ApplyCall gave ID %d to a new call", callID, c.ID)
		}
		c.Direction, c.From, c.To, c.State, c.StartedAt = desk.DirectionIn, from, "100", desk.CallRinging, f.now
		c.CallerIDs, c.RingingUserIDs = callers, ringing
		if len(callers) > 0 {
			c.ContactID = callers[0]
		}
		return nil
	})
	must(t, err)
	return c
}

func callIDsOf(cs []*desk.Call) []int64 { return ids(cs, func(c *desk.Call) int64 { return c.ID }) }

func testCall(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	t.Run("Integration", func(t *testing.T) {
		_, _, err := db.CreateIntegration(f.agent, "PBX")
		wantCode(t, err, desk.EFORBIDDEN)
		_, _, err = db.CreateIntegration(f.admin, "  ")
		wantField(t, err, "name")
		token, i, err := db.CreateIntegration(f.admin, " Asterisk ")
		must(t, err)
		if !strings.HasPrefix(token, desk.IntegrationTokenPrefix) || i.ID == 0 || i.Name != "Asterisk" || !i.CreatedAt.Equal(Start) {
			t.Fatalf("created %q %+v", token, i)
		}
		got, err := db.AuthenticateIntegration(f.anon, token)
		must(t, err)
		if got.ID != i.ID || got.LastUsedAt == nil {
			t.Fatalf("authenticated %+v", got)
		}
		for _, bad := range []string{"", "cti_nope", "ctd_" + token[4:], strings.Repeat("x", 300)} {
			_, err := db.AuthenticateIntegration(f.anon, bad)
			wantCode(t, err, desk.EUNAUTHORIZED)
		}
		list, err := db.FindIntegrations(f.admin)
		must(t, err)
		if len(list) != 1 || list[0].ID != i.ID {
			t.Fatalf("integrations %+v", list)
		}
		_, err = db.FindIntegrations(f.agent)
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.RevokeIntegration(f.agent, i.ID)
		wantCode(t, err, desk.EFORBIDDEN)
		f.advance(time.Minute)
		r, err := db.RevokeIntegration(f.admin, i.ID)
		must(t, err)
		again, err := db.RevokeIntegration(f.admin, i.ID)
		must(t, err)
		if r.RevokedAt == nil || !again.RevokedAt.Equal(*r.RevokedAt) {
			t.Fatalf("revoked %+v, again %+v", r, again)
		}
		_, err = db.AuthenticateIntegration(f.anon, token)
		wantCode(t, err, desk.EUNAUTHORIZED)
		_, err = db.RevokeIntegration(f.admin, 9999)
		wantCode(t, err, desk.ENOTFOUND)
	})

	t.Run("IntegrationSettings", func(t *testing.T) {
		token, i, err := db.CreateIntegration(f.admin, "FusionPBX")
		must(t, err)
		if !i.RingAllAgents {
			t.Fatalf("new integration %+v, want it to ring every agent", i)
		}
		_, err = db.UpdateIntegration(f.agent, i.ID, desk.IntegrationUpdate{RingAllAgents: ptr(false)})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdateIntegration(f.admin, 9999, desk.IntegrationUpdate{RingAllAgents: ptr(false)})
		wantCode(t, err, desk.ENOTFOUND)
		got, err := db.UpdateIntegration(f.admin, i.ID, desk.IntegrationUpdate{RingAllAgents: ptr(false)})
		must(t, err)
		authed, err := db.AuthenticateIntegration(f.anon, token)
		must(t, err)
		list, err := db.FindIntegrations(f.admin)
		must(t, err)
		if got.RingAllAgents || authed.RingAllAgents || list[0].ID != i.ID || list[0].RingAllAgents {
			t.Fatalf("turned off: %+v, authenticated %+v, listed %+v", got, authed, list[0])
		}
		got, err = db.UpdateIntegration(f.admin, i.ID, desk.IntegrationUpdate{})
		must(t, err)
		if got.RingAllAgents {
			t.Fatal("an empty update turned the setting back on")
		}
	})

	_, integ, err := db.CreateIntegration(f.admin, "FreeSWITCH")
	must(t, err)
	_, other, err := db.CreateIntegration(f.admin, "3CX")
	must(t, err)

	// Alice's call rings for the agent and the scoped user, and the agent
	// answers; an unknown number rings for the scoped user only; Bob's call
	// rings for the agent and is missed.
	alice := f.ring(t, integ.ID, "c-1", "+1 212 555 0100", []int64{f.alice.ID}, f.agentUser.ID, f.scopedUser.ID)
	if alice.ID == 0 || alice.ContactName != "Alice Martin" || alice.State != desk.CallRinging ||
		!equalIDs(alice.RingingUserIDs, []int64{f.agentUser.ID, f.scopedUser.ID}) || !equalIDs(alice.CallerIDs, []int64{f.alice.ID}) {
		t.Fatalf("rang %+v", alice)
	}
	answeredAt := f.advance(5 * time.Second)
	alice, err = db.ApplyCall(f.sys, integ.ID, "c-1", func(c *desk.Call) error {
		if c.ID != alice.ID || c.State != desk.CallRinging {
			t.Errorf("apply sees %+v", c)
		}
		c.State, c.AnsweredAt, c.AgentUserID, c.Queue = desk.CallAnswered, &answeredAt, f.agentUser.ID, "support"
		return nil
	})
	must(t, err)
	if alice.AgentName != "Ann Agent" || alice.Queue != "support" || !alice.AnsweredAt.Equal(answeredAt) {
		t.Fatalf("answered %+v", alice)
	}
	f.advance(time.Minute)
	unknown := f.ring(t, integ.ID, "c-2", "+1 999 555 0000", nil, f.scopedUser.ID)
	f.advance(time.Minute)
	bob := f.ring(t, integ.ID, "c-3", "+1 415 555 0199", []int64{f.bob.ID}, f.agentUser.ID)
	endedAt := f.advance(10 * time.Second)
	bob, err = db.ApplyCall(f.sys, integ.ID, "c-3", func(c *desk.Call) error {
		c.State, c.EndedAt, c.Cause = desk.CallMissed, &endedAt, "cancel"
		return nil
	})
	must(t, err)
	// The same call id of another integration is another call.
	sameID := f.ring(t, other.ID, "c-1", "+1 212 555 0100", []int64{f.alice.ID})
	if sameID.ID == alice.ID {
		t.Fatal("two integrations share a call")
	}

	t.Run("ApplyCall", func(t *testing.T) {
		// An error of apply changes nothing; an invalid call is refused.
		_, err := db.ApplyCall(f.sys, integ.ID, "c-1", func(c *desk.Call) error {
			c.State = desk.CallMissed
			return desk.Invalid("state", "error.state_one_of", "nothing")
		})
		wantCode(t, err, desk.EINVALID)
		_, err = db.ApplyCall(f.sys, integ.ID, "c-1", func(c *desk.Call) error {
			c.Direction = "sideways"
			return nil
		})
		wantField(t, err, "direction")
		_, err = db.ApplyCall(f.sys, integ.ID, "c-9", func(c *desk.Call) error { return nil })
		wantField(t, err, "direction") // a new call that apply left empty
		_, err = db.ApplyCall(f.sys, integ.ID, "  ", func(c *desk.Call) error { return nil })
		wantField(t, err, "callId")
		_, err = db.ApplyCall(f.sys, integ.ID, "c-1", func(c *desk.Call) error {
			c.AgentUserID = 99999
			return nil
		})
		wantField(t, err, "agent_user_id")
		_, err = db.ApplyCall(f.viewer, integ.ID, "c-1", func(c *desk.Call) error { return nil })
		wantCode(t, err, desk.EFORBIDDEN)
		got, err := db.FindCallByID(f.admin, alice.ID)
		must(t, err)
		if got.State != desk.CallAnswered || got.Direction != desk.DirectionIn {
			t.Fatalf("after failed applies %+v", got)
		}
		if _, total, _ := db.FindCalls(f.admin, desk.CallFilter{CallID: ptr("c-9")}); total != 0 {
			t.Fatal("a failed apply left a call")
		}
	})

	t.Run("Find", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			ctx    context.Context
			filter desk.CallFilter
			want   []int64
		}{
			{"all, latest first", f.admin, desk.CallFilter{}, []int64{sameID.ID, bob.ID, unknown.ID, alice.ID}},
			{"integration", f.admin, desk.CallFilter{IntegrationID: &integ.ID}, []int64{bob.ID, unknown.ID, alice.ID}},
			{"missed", f.viewer, desk.CallFilter{States: []string{desk.CallMissed}}, []int64{bob.ID}},
			{"ringing or answered", f.viewer, desk.CallFilter{States: []string{desk.CallRinging, desk.CallAnswered}},
				[]int64{sameID.ID, unknown.ID, alice.ID}},
			{"no state", f.viewer, desk.CallFilter{States: []string{}}, []int64{}},
			{"agent", f.viewer, desk.CallFilter{AgentUserID: &f.agentUser.ID}, []int64{alice.ID}},
			{"queue", f.viewer, desk.CallFilter{Queue: ptr("support")}, []int64{alice.ID}},
			{"outbound", f.viewer, desk.CallFilter{Direction: desk.DirectionOut}, []int64{}},
			{"from", f.viewer, desk.CallFilter{From: &unknown.StartedAt}, []int64{sameID.ID, bob.ID, unknown.ID}},
			{"to", f.viewer, desk.CallFilter{To: &unknown.StartedAt}, []int64{alice.ID}},
			// The scoped user sees Alice's call (contact of A) and the
			// unknown number that rang for him, not Bob's (B).
			{"scoped", f.scoped, desk.CallFilter{}, []int64{sameID.ID, unknown.ID, alice.ID}},
		} {
			calls, total, err := db.FindCalls(tt.ctx, tt.filter)
			must(t, err)
			wantIDs(t, tt.name, callIDsOf(calls), tt.want)
			if total != len(tt.want) {
				t.Fatalf("%s: total %d, want %d", tt.name, total, len(tt.want))
			}
		}
		_, err := db.FindCallByID(f.scoped, bob.ID)
		wantCode(t, err, desk.ENOTFOUND)
		// The unknown number rang for the scoped user only: the agent, who
		// is unscoped, sees it; a scoped user it did not ring for would not.
		if _, err := db.FindCallByID(f.agent, unknown.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.FindCalls(f.anon, desk.CallFilter{})
		wantCode(t, err, desk.EUNAUTHORIZED)
		agents, queues, err := db.FindCallFacets(f.viewer)
		must(t, err)
		if len(agents) != 1 || agents[0].UserID != f.agentUser.ID || agents[0].Name != "Ann Agent" ||
			len(queues) != 1 || queues[0] != "support" {
			t.Fatalf("facets %+v %v", agents, queues)
		}
	})

	t.Run("LinkCall", func(t *testing.T) {
		tk := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Printer", OrgID: f.orgA.ID, CallerID: f.alice.ID})
		_, err := db.LinkCall(f.viewer, alice.ID, &desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tk.ID})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.LinkCall(f.scoped, bob.ID, &desk.PhoneCall{AgentID: f.scopedP.ID, TicketID: tk.ID})
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.LinkCall(f.agent, alice.ID, &desk.PhoneCall{AgentID: f.agentP.ID})
		wantField(t, err, "ticket_id")
		pc, err := db.LinkCall(f.agent, alice.ID, &desk.PhoneCall{ContactID: f.alice.ID, AgentID: f.agentP.ID, TicketID: tk.ID})
		must(t, err)
		if pc.ID == 0 || pc.Flow != desk.FlowInbound || pc.Number != "+1 212 555 0100" || !pc.Date.Equal(alice.StartedAt) ||
			pc.Duration != 0 || pc.TicketRef != tk.Ref || pc.ContactName != "Alice Martin" {
			t.Fatalf("linked %+v", pc)
		}
		again, err := db.LinkCall(f.agent, alice.ID, &desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tk.ID})
		must(t, err)
		if again.ID != pc.ID {
			t.Fatalf("linked again: phone call %d, want %d", again.ID, pc.ID)
		}
		other := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Other", OrgID: f.orgA.ID})
		_, err = db.LinkCall(f.agent, alice.ID, &desk.PhoneCall{AgentID: f.agentP.ID, TicketID: other.ID})
		wantCode(t, err, desk.ECONFLICT)
		got, err := db.FindCallByID(f.agent, alice.ID)
		must(t, err)
		if got.PhoneCallID != pc.ID || got.TicketID != tk.ID || got.TicketRef != tk.Ref {
			t.Fatalf("linked call %+v", got)
		}
		// The hangup gives the phone call its duration: answered 5 s after
		// the start, ended 95 s after the answer.
		end := answeredAt.Add(95 * time.Second)
		_, err = db.ApplyCall(f.sys, integ.ID, "c-1", func(c *desk.Call) error {
			c.EndedAt, c.Cause = &end, "normalClearing"
			return nil
		})
		must(t, err)
		pcs, _, err := db.FindPhoneCalls(f.agent, desk.PhoneCallFilter{TicketID: &tk.ID})
		must(t, err)
		if len(pcs) != 1 || pcs[0].Duration != 95 {
			t.Fatalf("the ticket's phone calls %+v, want one of 95 s", pcs)
		}
		// Tied to a ticket of A, the call stays visible to the scoped user.
		if _, err := db.FindCallByID(f.scoped, alice.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		// The first events of a new call arrive at once: one call is
		// created, and each apply sees what the others saved.
		users := []int64{f.adminUser.ID, f.agentUser.ID, f.viewerUser.ID, f.scopedUser.ID}
		errs := make(chan error, len(users))
		for _, u := range users {
			go func() {
				_, err := db.ApplyCall(f.sys, other.ID, "race", func(c *desk.Call) error {
					if c.ID == 0 {
						c.Direction, c.From, c.State, c.StartedAt = desk.DirectionIn, "+1 212 555 0100", desk.CallRinging, f.now
					}
					c.RingingUserIDs = append(c.RingingUserIDs, u)
					return nil
				})
				errs <- err
			}()
		}
		for range users {
			must(t, <-errs)
		}
		calls, total, err := db.FindCalls(f.admin, desk.CallFilter{IntegrationID: &other.ID, CallID: ptr("race")})
		must(t, err)
		if total != 1 || len(calls[0].RingingUserIDs) != len(users) {
			t.Fatalf("calls %+v, want one that rang for %v", calls, users)
		}
	})

	t.Run("Callers within scope", func(t *testing.T) {
		// A number shared by persons of A and B: a scoped user counts only
		// those of his organizations among its callers ("and N others").
		shared := f.ring(t, integ.ID, "c-shared", "+1 212 555 0199", []int64{f.alice.ID, f.bob.ID, f.scopedP.ID})
		for _, tt := range []struct {
			ctx  context.Context
			want []int64
		}{{f.admin, []int64{f.alice.ID, f.bob.ID, f.scopedP.ID}}, {f.scoped, []int64{f.alice.ID, f.scopedP.ID}}} {
			got, err := db.FindCallByID(tt.ctx, shared.ID)
			must(t, err)
			wantIDs(t, "callers of a shared number", got.CallerIDs, tt.want)
		}
	})
	t.Run("ConcurrentEvents", func(t *testing.T) {
		// Events of many calls at once are committed together; one that
		// fails (its apply's error, an unknown agent, a new call left
		// empty) fails alone and writes nothing, the others are recorded.
		const n = 60
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = db.ApplyCall(f.sys, integ.ID, fmt.Sprintf("grouped-%d", i), func(c *desk.Call) error {
					c.Direction, c.From, c.To, c.State, c.StartedAt = desk.DirectionIn, fmt.Sprintf("+1 212 555 %04d", i),
						"100", desk.CallRinging, f.now
					switch i % 4 {
					case 1:
						return desk.Invalid("state", "error.state_one_of", "nothing")
					case 2:
						c.AgentUserID = 99999
					case 3:
						c.Direction = ""
					}
					return nil
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			callID := fmt.Sprintf("grouped-%d", i)
			found, _, ferr := db.FindCalls(f.admin, desk.CallFilter{IntegrationID: &integ.ID, CallID: &callID})
			must(t, ferr)
			if i%4 == 0 {
				must(t, err)
				if len(found) != 1 || found[0].From != fmt.Sprintf("+1 212 555 %04d", i) {
					t.Errorf("call %s acknowledged, recorded as %+v", callID, found)
				}
				continue
			}
			if desk.ErrorCode(err) != desk.EINVALID {
				t.Errorf("call %s: %v, want it refused", callID, err)
			}
			if len(found) != 0 {
				t.Errorf("call %s refused, but recorded: %+v", callID, found[0])
			}
		}
		// A page without its count (the pop's history) counts its rows.
		_, all, err := db.FindCalls(f.admin, desk.CallFilter{IntegrationID: &integ.ID, Limit: 2})
		must(t, err)
		page, total, err := db.FindCalls(f.admin, desk.CallFilter{IntegrationID: &integ.ID, Limit: 2, NoCount: true})
		must(t, err)
		if all < n/4 || len(page) != 2 || total != 2 {
			t.Errorf("counted %d calls; without the count, %d calls and a total of %d, want 2 and 2", all, len(page), total)
		}
	})

	t.Run("ApplyCallReturnsTheCallAsRecorded", func(t *testing.T) {
		// ApplyCall returns the call it wrote without reading it again: it
		// must be the call a read finds, names, lists and times included.
		same := func(what string, got *desk.Call) {
			t.Helper()
			read, err := db.FindCallByID(f.admin, got.ID)
			must(t, err)
			if !reflect.DeepEqual(got, read) {
				t.Fatalf("%s: returned %+v\nread     %+v", what, got, read)
			}
		}
		apply := func(what string, fn func(c *desk.Call)) *desk.Call {
			t.Helper()
			c, err := db.ApplyCall(f.sys, integ.ID, "as-recorded", func(c *desk.Call) error {
				fn(c)
				return nil
			})
			must(t, err)
			same(what, c)
			return c
		}
		subSecond := f.now.Add(1234567 * time.Nanosecond)
		c := apply("new", func(c *desk.Call) {
			c.Direction, c.From, c.To, c.State, c.StartedAt = desk.DirectionIn, "+1 212 555 0100", "100", desk.CallRinging, subSecond
			c.CallerIDs, c.ContactID = []int64{f.alice.ID, f.bob.ID, f.alice.ID}, f.alice.ID
			c.RingingUserIDs = []int64{f.scopedUser.ID, f.agentUser.ID, f.agentUser.ID}
		})
		if c.ContactName != "Alice Martin" || len(c.RingingUserIDs) != 2 {
			t.Fatalf("new call %+v", c)
		}
		tk := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "As recorded", OrgID: f.orgB.ID, CallerID: f.bob.ID})
		_, err := db.LinkCall(f.agent, c.ID, &desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tk.ID})
		must(t, err)
		answered := f.advance(3 * time.Second).Add(987654321 * time.Nanosecond)
		c = apply("answered", func(c *desk.Call) {
			if c.TicketID != tk.ID {
				t.Errorf("apply sees ticket %d, want %d", c.TicketID, tk.ID)
			}
			c.State, c.AnsweredAt, c.AgentUserID = desk.CallAnswered, &answered, f.agentUser.ID
			c.RingingUserIDs, c.CallerIDs = []int64{f.agentUser.ID}, []int64{}         // the users rung stay
			c.AgentName, c.ContactName, c.TicketRef = "someone", "else", "not written" // derived: not written
		})
		if c.AgentName != "Ann Agent" || c.TicketID != tk.ID || len(c.RingingUserIDs) != 2 {
			t.Fatalf("answered %+v", c)
		}
		ended := f.advance(time.Minute)
		c = apply("ended", func(c *desk.Call) {
			c.EndedAt, c.Cause, c.ContactID, c.CallerIDs = &ended, "normalClearing", f.bob.ID, []int64{f.bob.ID}
		})
		if c.ContactName == "" || c.ContactName == "Alice Martin" || c.EndedAt == nil {
			t.Fatalf("ended %+v", c)
		}
		c = apply("again", func(c *desk.Call) {})
		// Without its lists (the call events' first read), the call is the
		// same but for them.
		light, _, err := db.FindCalls(f.admin, desk.CallFilter{IntegrationID: &integ.ID, CallID: ptr("as-recorded"),
			Limit: 2, NoLists: true})
		must(t, err)
		want := *c
		want.CallerIDs, want.RingingUserIDs = nil, nil
		if len(light) != 1 || !reflect.DeepEqual(light[0], &want) {
			t.Fatalf("without lists %+v, want %+v", light, want)
		}
	})
}

// testStaleCalls: the calls nothing was heard of for a while end, their
// hangup lost; each once, however many sweep at the same time.
func testStaleCalls(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	_, integ, err := db.CreateIntegration(f.admin, "PBX")
	must(t, err)
	apply := func(callID string, fn func(c *desk.Call)) *desk.Call {
		t.Helper()
		c, err := db.ApplyCall(f.sys, integ.ID, callID, func(c *desk.Call) error {
			fn(c)
			return nil
		})
		must(t, err)
		return c
	}
	start := f.now
	ringing := f.ring(t, integ.ID, "ringing", "+1 212 555 0100", []int64{f.alice.ID}, f.agentUser.ID)
	f.ring(t, integ.ID, "answered", "+1 415 555 0199", nil, f.agentUser.ID)
	lastEvent := f.advance(10 * time.Second)
	answered := apply("answered", func(c *desk.Call) {
		c.State, c.AnsweredAt, c.AgentUserID = desk.CallAnswered, &lastEvent, f.agentUser.ID
	})
	out := apply("out", func(c *desk.Call) {
		c.Direction, c.To, c.State, c.StartedAt, c.AgentUserID = desk.DirectionOut, "+33612345678", desk.CallRinging, f.now, f.agentUser.ID
	})
	f.ring(t, integ.ID, "over", "+1 212 555 0100", nil)
	over := apply("over", func(c *desk.Call) { c.State, c.EndedAt, c.Cause = desk.CallMissed, &lastEvent, "cancel" })
	blocked := apply("blocked", func(c *desk.Call) {
		c.Direction, c.From, c.State, c.Blocked, c.StartedAt = desk.DirectionIn, "+1 900 555 0100", desk.CallRejected, true, f.now
	})
	if !blocked.Blocked {
		t.Fatalf("blocked call %+v, want its mark kept", blocked)
	}
	// Tied to a ticket, the answered call's phone call keeps no duration
	// when its hangup is lost.
	tk := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Lost", OrgID: f.orgB.ID, CallerID: f.bob.ID})
	pc, err := db.LinkCall(f.agent, answered.ID, &desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tk.ID})
	must(t, err)
	// An hour later a new call rings; the others have heard nothing.
	f.advance(time.Hour)
	recent := f.ring(t, integ.ID, "recent", "+1 212 555 0100", nil, f.agentUser.ID)
	f.advance(time.Minute)

	_, err = db.EndStaleCalls(f.viewer, f.now)
	wantCode(t, err, desk.EFORBIDDEN)
	quiet := f.now.Add(-30 * time.Minute)
	ended, err := db.EndStaleCalls(f.sys, quiet)
	must(t, err)
	wantIDs(t, "ended", callIDsOf(ended), []int64{ringing.ID, answered.ID, out.ID, blocked.ID})
	byID := map[int64]*desk.Call{}
	for _, c := range ended {
		byID[c.ID] = c
	}
	for _, tt := range []struct {
		call  *desk.Call
		state string
		end   time.Time
	}{
		{ringing, desk.CallMissed, start},
		{answered, desk.CallAnswered, lastEvent},
		{out, desk.CallUnanswered, lastEvent},
		{blocked, desk.CallRejected, lastEvent},
	} {
		c := byID[tt.call.ID]
		if c == nil || c.State != tt.state || c.EndedAt == nil || !c.EndedAt.Equal(tt.end) || !c.HangupLost() ||
			c.Cause != desk.CauseHangupNotReceived {
			t.Errorf("call %s ended as %+v, want %s at its last event %v, hangup not received", tt.call.CallID, c, tt.state, tt.end)
		}
	}
	if c := byID[answered.ID]; c.Duration() != 0 || !c.AnsweredAt.Equal(lastEvent) || c.AgentUserID != f.agentUser.ID {
		t.Errorf("answered call %+v: want its answer and agent kept, no duration", c)
	}
	if c := byID[ringing.ID]; !equalIDs(c.RingingUserIDs, []int64{f.agentUser.ID}) || c.ContactID != f.alice.ID {
		t.Errorf("ringing call %+v: want whom it rang for and its contact", c)
	}
	if c := byID[blocked.ID]; !c.Blocked {
		t.Errorf("blocked call %+v lost its mark", c)
	}
	pcs, _, err := db.FindPhoneCalls(f.agent, desk.PhoneCallFilter{TicketID: &tk.ID})
	must(t, err)
	if len(pcs) != 1 || pcs[0].ID != pc.ID || pcs[0].Duration != 0 {
		t.Errorf("the lost call's phone call %+v, want no duration", pcs)
	}
	for _, c := range []*desk.Call{recent, over} {
		got, err := db.FindCallByID(f.sys, c.ID)
		must(t, err)
		if got.State != c.State || (got.EndedAt == nil) != (c.EndedAt == nil) || got.Cause != c.Cause {
			t.Errorf("call %s changed: %+v, was %+v", c.CallID, got, c)
		}
	}
	again, err := db.EndStaleCalls(f.sys, quiet)
	must(t, err)
	if len(again) != 0 {
		t.Fatalf("swept again: %+v", again)
	}

	t.Run("Concurrent", func(t *testing.T) {
		// Sweeps at once (instances on one database) end each call once.
		for i := range 5 {
			f.ring(t, integ.ID, "quiet-"+strconv.Itoa(i), "+1 212 555 0100", nil)
		}
		f.advance(time.Hour)
		sweeps := make(chan []*desk.Call, 4)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				ended, err := db.EndStaleCalls(f.sys, f.now.Add(-time.Minute))
				sweeps <- ended
				errs <- err
			}()
		}
		seen := map[int64]int{}
		for range 4 {
			must(t, <-errs)
			for _, c := range <-sweeps {
				seen[c.ID]++
			}
		}
		if len(seen) != 6 { // the five, and the recent call, now quiet too
			t.Errorf("swept %v, want 6 calls", seen)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("call %d ended by %d sweeps", id, n)
			}
		}
	})
}
