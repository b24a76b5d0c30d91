package storetest

import (
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func callbackIDs(cs []*desk.Callback) []int64 {
	return ids(cs, func(c *desk.Callback) int64 { return c.ID })
}

// missed is a missed inbound call as cti.Calls hands it to RaiseCallback.
func (f *fixture) missed(id int64, from string, contact int64, ringing ...int64) *desk.Call {
	return &desk.Call{ID: 0, Direction: desk.DirectionIn, From: from, State: desk.CallMissed, StartedAt: f.now,
		ContactID: contact, RingingUserIDs: ringing}
}

func testCallbacks(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	due := Start.Add(2 * time.Hour)

	// Alice's number misses twice, written two ways: one callback, count 2,
	// for the agent it rang for, and her name.
	alice, err := db.RaiseCallback(f.sys, f.missed(0, "+1 212 555 0100", f.alice.ID, f.agentUser.ID), due)
	must(t, err)
	if alice.State != desk.CallbackOpen || alice.Count != 1 || alice.PersonName != "Alice Martin" ||
		alice.OrgName != "Alpha Corp" || !alice.DueAt.Equal(due) || !equalIDs(alice.OwnerUserIDs, []int64{f.agentUser.ID}) ||
		alice.OwnerNames[0] != "Ann Agent" {
		t.Fatalf("raised %+v", alice)
	}
	f.advance(10 * time.Minute)
	again, err := db.RaiseCallback(f.sys, f.missed(0, "(212) 555-0100", 0, f.scopedUser.ID), due.Add(time.Hour))
	must(t, err)
	if again.ID != alice.ID || again.Count != 2 || again.PersonID != f.alice.ID || !again.DueAt.Equal(due) ||
		!again.LastCallAt.Equal(f.now) || !again.FirstCallAt.Equal(Start) || !equalIDs(again.OwnerUserIDs, []int64{f.agentUser.ID}) {
		t.Fatalf("raised again %+v, want the first callback counting 2, due and owned as before", again)
	}
	// Bob's number, and an unknown number that rang for the scoped user;
	// an anonymous call raises nothing.
	bob, err := db.RaiseCallback(f.sys, f.missed(0, "+1 415 555 0199", f.bob.ID), due.Add(-time.Hour))
	must(t, err)
	unknown, err := db.RaiseCallback(f.sys, f.missed(0, "+1 999 555 0000", 0, f.scopedUser.ID), due.Add(time.Hour))
	must(t, err)
	none, err := db.RaiseCallback(f.sys, f.missed(0, "anonymous", 0), due)
	must(t, err)
	if none != nil {
		t.Fatalf("an anonymous call raised %+v", none)
	}

	t.Run("Find", func(t *testing.T) {
		all, total, err := db.FindCallbacks(f.agent, desk.CallbackFilter{})
		must(t, err)
		wantIDs(t, "callbacks by due time", callbackIDs(all), []int64{bob.ID, alice.ID, unknown.ID})
		if total != 3 {
			t.Fatalf("total %d", total)
		}
		// The scoped user sees Alice's (her organization) and the unknown
		// number's that rang for him, not Bob's; an unknown number that
		// rang for others is not his either.
		other, err := db.RaiseCallback(f.sys, f.missed(0, "+1 888 555 0000", 0, f.agentUser.ID), due)
		must(t, err)
		scoped, _, err := db.FindCallbacks(f.scoped, desk.CallbackFilter{})
		must(t, err)
		wantIDs(t, "the scoped user's callbacks", callbackIDs(scoped), []int64{alice.ID, unknown.ID})
		_, err = db.FindCallbackByID(f.scoped, bob.ID)
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.FindCallbackByID(f.scoped, other.ID)
		wantCode(t, err, desk.ENOTFOUND)
		_, _, err = db.FindCallbacks(f.anon, desk.CallbackFilter{})
		wantCode(t, err, desk.EUNAUTHORIZED)
		// Mine: the agent's (Alice's, the other number's) and the
		// unassigned (Bob's); due ones: those not done.
		mine, _, err := db.FindCallbacks(f.agent, desk.CallbackFilter{Mine: true})
		must(t, err)
		wantIDs(t, "the agent's callbacks", callbackIDs(mine), []int64{bob.ID, alice.ID, other.ID})
		n, err := db.CountDueCallbacks(f.agent)
		must(t, err)
		if n != 3 {
			t.Fatalf("the agent has %d callbacks due, want 3", n)
		}
		n, err = db.CountDueCallbacks(f.scoped)
		must(t, err)
		if n != 1 { // the unknown number's: Alice's is the agent's
			t.Fatalf("the scoped user has %d callbacks due, want 1", n)
		}
		_, err = db.UpdateCallbacks(f.admin, []int64{other.ID}, desk.CallbackUpdate{State: ptr(desk.CallbackDone)})
		must(t, err)
	})

	t.Run("Attempt and close", func(t *testing.T) {
		f.advance(time.Minute)
		got, err := db.AttemptCallback(f.agent, "2125550100")
		must(t, err)
		if got == nil || got.ID != alice.ID || got.State != desk.CallbackAttempted || got.Attempts != 1 ||
			!got.AttemptedAt.Equal(f.now) {
			t.Fatalf("attempted %+v", got)
		}
		if none, err := db.AttemptCallback(f.agent, "+1 646 555 0000"); err != nil || none != nil {
			t.Fatalf("attempt of a number without callback: %+v, %v", none, err)
		}
		// A missed call again counts 3, and stays attempted.
		got, err = db.RaiseCallback(f.sys, f.missed(0, "+12125550100", f.alice.ID), due)
		must(t, err)
		if got.ID != alice.ID || got.Count != 3 || got.State != desk.CallbackAttempted {
			t.Fatalf("raised after the attempt %+v", got)
		}
		// A call not answered closes nothing; an answered one does.
		call := &desk.Call{ID: 0, Direction: desk.DirectionOut, To: "+1 212 555 0100", State: desk.CallUnanswered}
		if none, err := db.CloseCallbacks(f.sys, call); err != nil || none != nil {
			t.Fatalf("closed by an unanswered call: %+v, %v", none, err)
		}
		f.advance(time.Minute)
		call.State = desk.CallAnswered
		got, err = db.CloseCallbacks(f.sys, call)
		must(t, err)
		if got == nil || got.ID != alice.ID || got.State != desk.CallbackDone || !got.DoneAt.Equal(f.now) || got.DoneByUserID != 0 {
			t.Fatalf("closed %+v", got)
		}
		// The next missed call opens a new callback.
		next, err := db.RaiseCallback(f.sys, f.missed(0, "+1 212 555 0100", f.alice.ID), due)
		must(t, err)
		if next.ID == alice.ID || next.Count != 1 || next.State != desk.CallbackOpen {
			t.Fatalf("raised after done %+v", next)
		}
		// Reopening the done one would give the number two: refused.
		_, err = db.UpdateCallbacks(f.agent, []int64{alice.ID}, desk.CallbackUpdate{State: ptr(desk.CallbackOpen)})
		wantCode(t, err, desk.ECONFLICT)
		_, err = db.UpdateCallbacks(f.agent, []int64{next.ID}, desk.CallbackUpdate{State: ptr(desk.CallbackDone)})
		must(t, err)
	})

	t.Run("Update", func(t *testing.T) {
		// The scoped user takes the unknown number's callback; the agent
		// marks Bob's and it done with a note, in one go.
		got, err := db.UpdateCallbacks(f.scoped, []int64{unknown.ID}, desk.CallbackUpdate{Take: true})
		must(t, err)
		if !equalIDs(got[0].OwnerUserIDs, []int64{f.scopedUser.ID}) || got[0].State != desk.CallbackOpen {
			t.Fatalf("taken %+v", got[0])
		}
		// Bob's is not the scoped user's to see: nothing changes.
		_, err = db.UpdateCallbacks(f.scoped, []int64{unknown.ID, bob.ID}, desk.CallbackUpdate{State: ptr(desk.CallbackDone)})
		wantCode(t, err, desk.ENOTFOUND)
		if k, _ := db.FindCallbackByID(f.admin, unknown.ID); k.State != desk.CallbackOpen {
			t.Fatalf("a refused bulk update changed %+v", k)
		}
		_, err = db.UpdateCallbacks(f.viewer, []int64{bob.ID}, desk.CallbackUpdate{State: ptr(desk.CallbackDone)})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdateCallbacks(f.agent, []int64{bob.ID}, desk.CallbackUpdate{State: ptr("later")})
		wantField(t, err, "state")
		_, err = db.UpdateCallbacks(f.agent, []int64{bob.ID}, desk.CallbackUpdate{Note: ptr("bad\x00")})
		wantField(t, err, "note")
		_, err = db.UpdateCallbacks(f.agent, nil, desk.CallbackUpdate{Take: true})
		wantField(t, err, "ids")
		f.advance(time.Minute)
		got, err = db.UpdateCallbacks(f.agent, []int64{bob.ID, unknown.ID},
			desk.CallbackUpdate{State: ptr(desk.CallbackDone), Note: ptr("Called back, fixed.")})
		must(t, err)
		for _, k := range got {
			if k.State != desk.CallbackDone || k.Note != "Called back, fixed." || k.DoneByUserID != f.agentUser.ID ||
				!k.DoneAt.Equal(f.now) {
				t.Fatalf("done %+v", k)
			}
		}
		open, _, err := db.FindCallbacks(f.agent, desk.CallbackFilter{States: []string{desk.CallbackOpen, desk.CallbackAttempted}})
		must(t, err)
		wantIDs(t, "callbacks not done", callbackIDs(open), []int64{})
		n, err := db.CountDueCallbacks(f.agent)
		must(t, err)
		if n != 0 {
			t.Fatalf("%d callbacks due after all are done", n)
		}
	})
}
