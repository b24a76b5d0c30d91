package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// testAtomically: several store calls in Atomically are one action: all
// done, or, when the function fails, none; reads inside see the writes
// before; rights and scope still apply to each call; a nested Atomically
// joins the outer one.
func testAtomically(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	count := func() int {
		t.Helper()
		_, n, err := db.FindTickets(f.sys, desk.TicketFilter{Limit: 1})
		must(t, err)
		return n
	}
	before := count()

	// A ticket, its log entry and its phone call, all or nothing.
	var created *desk.Ticket
	failure := errors.New("the call could not be recorded")
	err := db.Atomically(f.agent, func(ctx context.Context) error {
		created = &desk.Ticket{Kind: desk.KindUserRequest, Title: "Half", OrgID: f.orgA.ID, CallerID: f.alice.ID}
		if err := db.CreateTicket(ctx, created); err != nil {
			return err
		}
		if _, err := db.AddLogEntry(ctx, created.ID, desk.PublicLog, "Call from Alice"); err != nil {
			return err
		}
		// Inside, the ticket is there, with its entry.
		got, err := db.FindTicketByID(ctx, created.ID)
		if err != nil || len(got.PublicLog) != 1 {
			t.Errorf("inside: %v, %v; want the ticket with its entry", got, err)
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("Atomically returned %v, want the function's error", err)
	}
	if n := count(); n != before {
		t.Fatalf("%d tickets after a failed action, want %d: part of it stayed", n, before)
	}
	if _, err := db.FindTicketByID(f.sys, created.ID); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("the ticket of a failed action: %v, want not found", err)
	}

	err = db.Atomically(f.agent, func(ctx context.Context) error {
		created = &desk.Ticket{Kind: desk.KindUserRequest, Title: "Whole", OrgID: f.orgA.ID, CallerID: f.alice.ID}
		if err := db.CreateTicket(ctx, created); err != nil {
			return err
		}
		return db.Atomically(ctx, func(ctx context.Context) error { // nested: the same transaction
			return db.CreatePhoneCall(ctx, &desk.PhoneCall{TicketID: created.ID, ContactID: f.alice.ID,
				AgentID: f.agentP.ID, Flow: desk.FlowInbound, Number: "+1 212 555 0100", Date: f.now})
		})
	})
	must(t, err)
	calls, _, err := db.FindPhoneCalls(f.sys, desk.PhoneCallFilter{TicketID: &created.ID})
	must(t, err)
	if len(calls) != 1 || count() != before+1 {
		t.Fatalf("after a whole action: %d phone calls, %d tickets; want 1 and %d", len(calls), count(), before+1)
	}

	// Rights and scope apply to each call: the scoped agent cannot write in
	// Beta from inside either, and the refusal undoes his first write.
	err = db.Atomically(f.scoped, func(ctx context.Context) error {
		if err := db.CreateTicket(ctx, &desk.Ticket{Kind: desk.KindIncident, Title: "Mine", OrgID: f.orgA.ID}); err != nil {
			return err
		}
		return db.CreateTicket(ctx, &desk.Ticket{Kind: desk.KindIncident, Title: "Theirs", OrgID: f.orgB.ID})
	})
	if desk.ErrorCode(err) != desk.EINVALID {
		t.Fatalf("scoped agent writing in another organization: %v, want EINVALID", err)
	}
	if n := count(); n != before+1 {
		t.Fatalf("%d tickets after a refused action, want %d", n, before+1)
	}
	if err := db.Atomically(f.anon, func(context.Context) error { return nil }); desk.ErrorCode(err) != desk.EUNAUTHORIZED {
		t.Errorf("Atomically without a user: %v, want EUNAUTHORIZED", err)
	}
}
