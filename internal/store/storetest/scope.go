package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// testScope checks that a user limited to organization A never sees, nor
// writes into, organization B.
func testScope(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	tkA := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "A's ticket", OrgID: f.orgA.ID, CallerID: f.alice.ID})
	tkB := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "B's ticket", OrgID: f.orgB.ID, CallerID: f.bob.ID})
	call := func(c *desk.PhoneCall) *desk.PhoneCall {
		t.Helper()
		c.Flow = desk.FlowInbound
		must(t, db.CreatePhoneCall(f.sys, c))
		return c
	}
	callA := call(&desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tkA.ID, ContactID: f.alice.ID})
	callB := call(&desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tkB.ID, ContactID: f.bob.ID})
	// With a ticket of B, the contact of A does not make it visible.
	callBviaA := call(&desk.PhoneCall{AgentID: f.agentP.ID, TicketID: tkB.ID, ContactID: f.alice.ID})
	looseA := call(&desk.PhoneCall{AgentID: f.agentP.ID, ContactID: f.alice.ID})
	looseB := call(&desk.PhoneCall{AgentID: f.agentP.ID, ContactID: f.bob.ID})
	unknownOther := call(&desk.PhoneCall{AgentID: f.agentP.ID})
	unknownMine := call(&desk.PhoneCall{AgentID: f.scopedP.ID})
	locA2 := &desk.Location{Name: "Alpha Annex", OrgID: f.orgA.ID}
	must(t, db.CreateLocation(f.sys, locA2))

	t.Run("Read", func(t *testing.T) {
		ctx := f.scoped
		for _, tt := range []struct {
			what string
			err  error
		}{
			{"organization B", second(db.FindOrganizationByID(ctx, f.orgB.ID))},
			{"location of B", second(db.FindLocationByID(ctx, f.locB.ID))},
			{"person of B", second(db.FindPersonByID(ctx, f.bob.ID))},
			{"ticket of B", second(db.FindTicketByID(ctx, tkB.ID))},
			{"call of B's ticket", second(db.FindPhoneCallByID(ctx, callB.ID))},
			{"call of B's ticket with A's contact", second(db.FindPhoneCallByID(ctx, callBviaA.ID))},
			{"call without ticket of B's contact", second(db.FindPhoneCallByID(ctx, looseB.ID))},
			{"unknown caller, other agent", second(db.FindPhoneCallByID(ctx, unknownOther.ID))},
		} {
			if code := desk.ErrorCode(tt.err); code != desk.ENOTFOUND {
				t.Errorf("%s: error code %q (%v), want %q", tt.what, code, tt.err, desk.ENOTFOUND)
			}
		}
		for _, c := range []*desk.PhoneCall{callA, looseA, unknownMine} {
			if _, err := db.FindPhoneCallByID(ctx, c.ID); err != nil {
				t.Errorf("call %d: %v, want it visible", c.ID, err)
			}
		}
		if _, err := db.FindTicketByID(ctx, tkA.ID); err != nil {
			t.Fatal(err)
		}

		orgs, total, err := db.FindOrganizations(ctx, desk.OrganizationFilter{})
		must(t, err)
		if total != 1 || len(orgs) != 1 || orgs[0].ID != f.orgA.ID {
			t.Fatalf("organizations seen: %d, want only A", total)
		}
		_, total, err = db.FindOrganizations(ctx, desk.OrganizationFilter{Name: ptr("Beta Inc")})
		must(t, err)
		if total != 0 {
			t.Fatal("organization B found by name")
		}
		_, total, err = db.FindLocations(ctx, desk.LocationFilter{})
		must(t, err)
		if total != 2 {
			t.Fatalf("%d locations seen, want A's 2", total)
		}
		persons, total, err := db.FindPersons(ctx, desk.PersonFilter{})
		must(t, err)
		wantIDs(t, "persons seen", personIDs(persons), []int64{f.alice.ID, f.scopedP.ID})
		if total != 2 {
			t.Fatalf("%d persons counted, want 2", total)
		}
		_, total, err = db.FindPersons(ctx, desk.PersonFilter{OrgID: &f.orgB.ID})
		must(t, err)
		if total != 0 {
			t.Fatalf("%d persons of B counted", total)
		}
		_, total, err = db.FindPersons(ctx, desk.PersonFilter{Query: "bob"})
		must(t, err)
		if total != 0 {
			t.Fatal("bob found by name")
		}
		tickets, total, err := db.FindTickets(ctx, desk.TicketFilter{CallerIDs: []int64{f.alice.ID, f.bob.ID}})
		must(t, err)
		wantIDs(t, "tickets seen", ticketIDs(tickets), []int64{tkA.ID})
		if total != 1 {
			t.Fatalf("%d tickets counted, want 1", total)
		}
		calls, total, err := db.FindPhoneCalls(ctx, desk.PhoneCallFilter{})
		must(t, err)
		wantIDs(t, "calls seen", callIDs(calls), []int64{unknownMine.ID, looseA.ID, callA.ID})
		if total != 3 {
			t.Fatalf("%d calls counted, want 3", total)
		}
		// The unscoped agent sees everything.
		_, total, err = db.FindPhoneCalls(f.agent, desk.PhoneCallFilter{})
		must(t, err)
		if total != 7 {
			t.Fatalf("%d calls for an unscoped agent, want 7", total)
		}
	})

	t.Run("Write", func(t *testing.T) {
		ctx := f.scoped
		wantField(t, db.CreatePerson(ctx, &desk.Person{Name: "Intruder", OrgID: f.orgB.ID}), "org_id")
		wantField(t, db.CreateTicket(ctx, &desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgB.ID}), "org_id")
		wantField(t, db.CreateTicket(ctx, &desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID,
			AgentID: f.agentP.ID}), "agent_id")
		wantField(t, db.CreatePhoneCall(ctx, &desk.PhoneCall{AgentID: f.scopedP.ID, Flow: desk.FlowInbound,
			TicketID: tkB.ID}), "ticket_id")
		wantField(t, db.CreatePhoneCall(ctx, &desk.PhoneCall{AgentID: f.scopedP.ID, Flow: desk.FlowInbound,
			ContactID: f.bob.ID}), "contact_id")
		_, err := db.UpdatePerson(ctx, f.alice.ID, desk.PersonUpdate{OrgID: &f.orgB.ID, LocationID: ptr(int64(0))})
		wantField(t, err, "org_id")
		_, err = db.UpdatePerson(ctx, f.bob.ID, desk.PersonUpdate{Function: ptr("x")})
		wantCode(t, err, desk.ENOTFOUND)
		wantCode(t, db.DeletePerson(ctx, f.bob.ID), desk.ENOTFOUND)
		_, err = db.UpdateTicket(ctx, tkB.ID, desk.TicketUpdate{Title: ptr("x")})
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.AddLogEntry(ctx, tkB.ID, desk.PublicLog, "x")
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.UpdatePhoneCall(ctx, looseA.ID, desk.PhoneCallUpdate{TicketID: &tkB.ID})
		wantField(t, err, "ticket_id")

		// Inside A, and with himself as the agent, all is fine.
		p := &desk.Person{Name: "Newcomer", OrgID: f.orgA.ID, LocationID: locA2.ID}
		must(t, db.CreatePerson(ctx, p))
		tk := &desk.Ticket{Kind: desk.KindUserRequest, Title: "Badge", OrgID: f.orgA.ID, CallerID: p.ID, AgentID: f.scopedP.ID}
		must(t, db.CreateTicket(ctx, tk))
		c := &desk.PhoneCall{AgentID: f.scopedP.ID, ContactID: p.ID, Flow: desk.FlowInbound}
		must(t, db.CreatePhoneCall(ctx, c))
		_, err = db.UpdatePhoneCall(ctx, c.ID, desk.PhoneCallUpdate{TicketID: &tk.ID})
		must(t, err)
		// An unscoped agent may still edit a scoped ticket with an agent
		// the scoped user cannot see.
		_, err = db.UpdateTicket(f.agent, tk.ID, desk.TicketUpdate{AgentID: &f.agentP.ID})
		must(t, err)
		_, err = db.UpdateTicket(ctx, tk.ID, desk.TicketUpdate{Status: ptr(desk.TicketAssigned)})
		must(t, err)

		// Nothing reached B.
		_, total, err := db.FindPersons(f.agent, desk.PersonFilter{OrgID: &f.orgB.ID})
		must(t, err)
		if total != 1 {
			t.Fatalf("%d persons in B, want 1", total)
		}
		_, total, err = db.FindTickets(f.agent, desk.TicketFilter{OrgID: &f.orgB.ID})
		must(t, err)
		if total != 1 {
			t.Fatalf("%d tickets in B, want 1", total)
		}
	})
}

// second returns the error of a two-result call.
func second[T any](_ T, err error) error { return err }

// testRights checks the roles: a viewer reads only, an agent does not
// administer, and no user may do nothing.
func testRights(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	tk := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID})
	pc := &desk.PhoneCall{AgentID: f.agentP.ID, Flow: desk.FlowInbound}
	must(t, db.CreatePhoneCall(f.agent, pc))

	writes := func(ctx context.Context) []struct {
		what string
		err  error
	} {
		return []struct {
			what string
			err  error
		}{
			{"create person", db.CreatePerson(ctx, &desk.Person{Name: "x", OrgID: f.orgA.ID})},
			{"create persons", db.CreatePersons(ctx, []*desk.Person{{Name: "x", OrgID: f.orgA.ID}}, nil)},
			{"update person", second(db.UpdatePerson(ctx, f.alice.ID, desk.PersonUpdate{Function: ptr("x")}))},
			{"delete person", db.DeletePerson(ctx, f.alice.ID)},
			{"create ticket", db.CreateTicket(ctx, &desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID})},
			{"create tickets", db.CreateTickets(ctx, []*desk.Ticket{{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID}}, nil)},
			{"update ticket", second(db.UpdateTicket(ctx, tk.ID, desk.TicketUpdate{Title: ptr("y")}))},
			{"add log entry", second(db.AddLogEntry(ctx, tk.ID, desk.PublicLog, "x"))},
			{"create phone call", db.CreatePhoneCall(ctx, &desk.PhoneCall{AgentID: f.agentP.ID, Flow: desk.FlowInbound})},
			{"update phone call", second(db.UpdatePhoneCall(ctx, pc.ID, desk.PhoneCallUpdate{Note: ptr("x")}))},
		}
	}
	adminWrites := func(ctx context.Context) []struct {
		what string
		err  error
	} {
		return []struct {
			what string
			err  error
		}{
			{"create organization", db.CreateOrganization(ctx, &desk.Organization{Name: "x"})},
			{"update organization", second(db.UpdateOrganization(ctx, f.orgA.ID, desk.OrganizationUpdate{Code: ptr("x")}))},
			{"create location", db.CreateLocation(ctx, &desk.Location{Name: "x", OrgID: f.orgA.ID})},
			{"create user", db.CreateUser(ctx, &desk.User{Login: "x", Roles: []string{desk.RoleAdmin}})},
			{"update user", second(db.UpdateUser(ctx, f.adminUser.ID, desk.UserUpdate{Language: ptr("FR FR")}))},
		}
	}
	for _, w := range append(writes(f.viewer), adminWrites(f.viewer)...) {
		if code := desk.ErrorCode(w.err); code != desk.EFORBIDDEN {
			t.Errorf("viewer: %s: code %q (%v), want %q", w.what, code, w.err, desk.EFORBIDDEN)
		}
	}
	for _, w := range adminWrites(f.agent) {
		if code := desk.ErrorCode(w.err); code != desk.EFORBIDDEN {
			t.Errorf("agent: %s: code %q (%v), want %q", w.what, code, w.err, desk.EFORBIDDEN)
		}
	}
	reads := []struct {
		what string
		err  error
	}{
		{"find organization", second(db.FindOrganizationByID(f.anon, f.orgA.ID))},
		{"find organizations", third(db.FindOrganizations(f.anon, desk.OrganizationFilter{}))},
		{"find location", second(db.FindLocationByID(f.anon, f.locA.ID))},
		{"find locations", third(db.FindLocations(f.anon, desk.LocationFilter{}))},
		{"find person", second(db.FindPersonByID(f.anon, f.alice.ID))},
		{"find persons", third(db.FindPersons(f.anon, desk.PersonFilter{}))},
		{"find ticket", second(db.FindTicketByID(f.anon, tk.ID))},
		{"find tickets", third(db.FindTickets(f.anon, desk.TicketFilter{}))},
		{"find phone call", second(db.FindPhoneCallByID(f.anon, pc.ID))},
		{"find phone calls", third(db.FindPhoneCalls(f.anon, desk.PhoneCallFilter{}))},
		{"find user", second(db.FindUserByID(f.anon, f.adminUser.ID))},
		{"find user by login", second(db.FindUserByLogin(f.anon, "admin"))},
		{"find users", third(db.FindUsers(f.anon, desk.UserFilter{}))},
		{"create session", third(db.CreateSession(f.anon, f.adminUser.ID, time.Hour))},
		{"find session", third(db.FindSession(f.anon, "token"))},
		{"delete session", db.DeleteSession(f.anon, "token")},
	}
	for _, w := range append(append(reads, writes(f.anon)...), adminWrites(f.anon)...) {
		if code := desk.ErrorCode(w.err); code != desk.EUNAUTHORIZED {
			t.Errorf("no user: %s: code %q (%v), want %q", w.what, code, w.err, desk.EUNAUTHORIZED)
		}
	}
	// Nothing was written.
	got, err := db.FindPersonByID(f.agent, f.alice.ID)
	must(t, err)
	if got.Function != "" {
		t.Fatalf("a refused update changed the person: %+v", got)
	}
	_, total, err := db.FindTickets(f.agent, desk.TicketFilter{})
	must(t, err)
	if total != 1 {
		t.Fatalf("%d tickets, want 1", total)
	}
}

// third returns the error of a three-result call.
func third[T, U any](_ T, _ U, err error) error { return err }
