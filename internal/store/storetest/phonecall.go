package storetest

import (
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testPhoneCall(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	tk := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "No dial tone", OrgID: f.orgA.ID, CallerID: f.alice.ID})

	in := &desk.PhoneCall{ContactID: f.alice.ID, AgentID: f.agentP.ID, TicketID: tk.ID, Flow: desk.FlowInbound,
		Number: " +1 212 555 0100 ", Note: "Reported the outage.", Duration: 95}
	must(t, db.CreatePhoneCall(f.agent, in))
	if in.ID == 0 || !in.Date.Equal(Start) || in.Number != "+1 212 555 0100" || in.ContactName != "Alice Martin" ||
		in.AgentName != "Ann Agent" || in.TicketRef != tk.Ref {
		t.Fatalf("created %+v", in)
	}
	got, err := db.FindPhoneCallByID(f.viewer, in.ID)
	must(t, err)
	if !samePhoneCall(got, in) {
		t.Fatalf("found\n%+v\nwant\n%+v", got, in)
	}

	// A call not yet tied to a ticket, from an unknown number, an hour later.
	f.advance(time.Hour)
	loose := &desk.PhoneCall{AgentID: f.agentP.ID, Flow: desk.FlowInbound, Number: "+1 999 555 0000"}
	must(t, db.CreatePhoneCall(f.agent, loose))
	out := &desk.PhoneCall{ContactID: f.bob.ID, AgentID: f.agentP.ID, Flow: desk.FlowOutbound, Date: Start.Add(30 * time.Minute)}
	must(t, db.CreatePhoneCall(f.agent, out))

	for _, tt := range []struct {
		name   string
		filter desk.PhoneCallFilter
		want   []int64
	}{
		{"all, newest first", desk.PhoneCallFilter{}, []int64{loose.ID, out.ID, in.ID}},
		{"ticket", desk.PhoneCallFilter{TicketID: &tk.ID}, []int64{in.ID}},
		{"no ticket", desk.PhoneCallFilter{TicketID: ptr(int64(0))}, []int64{loose.ID, out.ID}},
		{"contact", desk.PhoneCallFilter{ContactID: &f.bob.ID}, []int64{out.ID}},
		{"no contact", desk.PhoneCallFilter{ContactID: ptr(int64(0))}, []int64{loose.ID}},
		{"agent", desk.PhoneCallFilter{AgentID: &f.agentP.ID}, []int64{loose.ID, out.ID, in.ID}},
		{"flow", desk.PhoneCallFilter{Flow: desk.FlowOutbound}, []int64{out.ID}},
		{"from", desk.PhoneCallFilter{From: ptr(Start.Add(30 * time.Minute))}, []int64{loose.ID, out.ID}},
		{"to", desk.PhoneCallFilter{To: ptr(Start.Add(30 * time.Minute))}, []int64{in.ID}},
		{"from, other zone", desk.PhoneCallFilter{From: ptr(Start.Add(time.Hour).In(time.FixedZone("EST", -5*3600)))}, []int64{loose.ID}},
	} {
		calls, total, err := db.FindPhoneCalls(f.viewer, tt.filter)
		must(t, err)
		wantIDs(t, tt.name, callIDs(calls), tt.want)
		if total != len(tt.want) {
			t.Fatalf("%s: total = %d, want %d", tt.name, total, len(tt.want))
		}
	}

	t.Run("Update", func(t *testing.T) {
		got, err := db.UpdatePhoneCall(f.agent, loose.ID, desk.PhoneCallUpdate{Note: ptr("Wrong number."), Duration: ptr(12)})
		must(t, err)
		if got.Note != "Wrong number." || got.Duration != 12 || got.TicketID != 0 {
			t.Fatalf("updated %+v", got)
		}
		got, err = db.UpdatePhoneCall(f.agent, loose.ID, desk.PhoneCallUpdate{TicketID: &tk.ID})
		must(t, err)
		if got.TicketID != tk.ID || got.TicketRef != tk.Ref || got.Note != "Wrong number." {
			t.Fatalf("tied %+v", got)
		}
		other := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Other", OrgID: f.orgA.ID})
		_, err = db.UpdatePhoneCall(f.agent, loose.ID, desk.PhoneCallUpdate{TicketID: &other.ID, Note: ptr("moved")})
		wantField(t, err, "ticket_id")
		_, err = db.UpdatePhoneCall(f.agent, loose.ID, desk.PhoneCallUpdate{TicketID: ptr(int64(0))})
		wantField(t, err, "ticket_id")
		_, err = db.UpdatePhoneCall(f.agent, out.ID, desk.PhoneCallUpdate{TicketID: ptr(int64(99999))})
		wantField(t, err, "ticket_id")
		_, err = db.UpdatePhoneCall(f.agent, out.ID, desk.PhoneCallUpdate{Duration: ptr(-1)})
		wantField(t, err, "duration")
		_, err = db.UpdatePhoneCall(f.viewer, out.ID, desk.PhoneCallUpdate{Note: ptr("x")})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdatePhoneCall(f.agent, 99999, desk.PhoneCallUpdate{Note: ptr("x")})
		wantCode(t, err, desk.ENOTFOUND)
		got, err = db.FindPhoneCallByID(f.agent, loose.ID)
		must(t, err)
		if got.TicketID != tk.ID || got.Note != "Wrong number." {
			t.Fatalf("refused updates changed the call: %+v", got)
		}
		got, err = db.FindPhoneCallByID(f.agent, out.ID)
		must(t, err)
		if got.TicketID != 0 || got.Duration != 0 {
			t.Fatalf("refused updates changed the call: %+v", got)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		_, before, err := db.FindPhoneCalls(f.admin, desk.PhoneCallFilter{})
		must(t, err)
		for _, tt := range []struct {
			c     desk.PhoneCall
			field string
		}{
			{desk.PhoneCall{Flow: desk.FlowInbound}, "agent_id"},
			{desk.PhoneCall{AgentID: 99999, Flow: desk.FlowInbound}, "agent_id"},
			{desk.PhoneCall{AgentID: f.agentP.ID, Flow: "sideways"}, "flow"},
			{desk.PhoneCall{AgentID: f.agentP.ID, Flow: desk.FlowInbound, ContactID: 99999}, "contact_id"},
			{desk.PhoneCall{AgentID: f.agentP.ID, Flow: desk.FlowInbound, TicketID: 99999}, "ticket_id"},
			{desk.PhoneCall{AgentID: f.agentP.ID, Flow: desk.FlowInbound, Duration: -5}, "duration"},
		} {
			c := tt.c
			wantField(t, db.CreatePhoneCall(f.agent, &c), tt.field)
		}
		_, after, err := db.FindPhoneCalls(f.admin, desk.PhoneCallFilter{})
		must(t, err)
		if after != before {
			t.Fatalf("%d phone calls after refused creations, want %d", after, before)
		}
	})
}

func samePhoneCall(a, b *desk.PhoneCall) bool {
	return a.ID == b.ID && a.ContactID == b.ContactID && a.ContactName == b.ContactName && a.AgentID == b.AgentID &&
		a.AgentName == b.AgentName && a.TicketID == b.TicketID && a.TicketRef == b.TicketRef && a.Date.Equal(b.Date) &&
		a.Flow == b.Flow && a.Note == b.Note && a.Number == b.Number && a.Duration == b.Duration
}
