package storetest

import (
	"context"
	"errors"
	"slices"
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
	// The reads of one statement, which run without a transaction of their
	// own, see the writes before them inside too: a user created inside is
	// found, with his roles and organizations, as the call events find
	// agents; gone once the action failed.
	var inside *desk.User
	err = db.Atomically(f.sys, func(ctx context.Context) error {
		inside = &desk.User{Login: "inside", Roles: []string{desk.RoleAgent}, AllowedOrgIDs: []int64{f.orgA.ID},
			PasswordHash: "x"}
		if err := db.CreateUser(ctx, inside); err != nil {
			return err
		}
		same := func(u *desk.User) bool {
			return u.ID == inside.ID && slices.Equal(u.Roles, inside.Roles) && slices.Equal(u.AllowedOrgIDs, inside.AllowedOrgIDs)
		}
		if got, err := db.FindUserByID(ctx, inside.ID); err != nil || !same(got) {
			t.Errorf("inside, FindUserByID: %+v, %v; want %+v", got, err, inside)
		}
		if got, err := db.FindAgents(ctx, "INSIDE"); err != nil || len(got) != 1 || !same(got[0]) {
			t.Errorf("inside, FindAgents: %+v, %v; want %+v", got, err, inside)
		}
		agents, err := db.FindDeskAgents(ctx)
		if err != nil || !slices.ContainsFunc(agents, same) {
			t.Errorf("inside, FindDeskAgents: %+v, %v; want %+v among them", agents, err, inside)
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("Atomically returned %v, want the function's error", err)
	}
	if got, err := db.FindAgents(f.sys, "inside"); err != nil || len(got) != 0 {
		t.Errorf("after the failed action, FindAgents: %+v, %v; want nobody", got, err)
	}
	if _, err := db.FindUserByID(f.sys, inside.ID); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Errorf("after the failed action, FindUserByID: %v, want not found", err)
	}
	if err := db.Atomically(f.anon, func(context.Context) error { return nil }); desk.ErrorCode(err) != desk.EUNAUTHORIZED {
		t.Errorf("Atomically without a user: %v, want EUNAUTHORIZED", err)
	}
}
