package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// testTicketList is the ticket list an agent sorts and filters: every sort
// key in both directions, "mine" and "unassigned", each within the user's
// organizations, and a sort key outside the list refused.
func testTicketList(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	// Four tickets: created one hour apart, updated in another order.
	a := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Beta printer", OrgID: f.orgB.ID,
		CallerID: f.bob.ID, AgentID: f.agentP.ID, Priority: 2})
	f.advance(time.Hour)
	b := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Alpha laptop", OrgID: f.orgA.ID,
		CallerID: f.alice.ID, Priority: 1})
	f.advance(time.Hour)
	c := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindProblem, Title: "Crashes", OrgID: f.orgA.ID,
		AgentID: f.scopedP.ID, Status: desk.TicketPending})
	f.advance(time.Hour)
	d := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindChange, Title: "Do upgrade", OrgID: f.orgA.ID,
		Status: desk.TicketClosed})
	f.advance(time.Hour)
	_, err := db.AddLogEntry(f.agent, a.ID, desk.PrivateLog, "Still jams") // a: the latest activity
	must(t, err)

	find := func(ctx any, filter desk.TicketFilter) []int64 {
		t.Helper()
		tickets, total, err := db.FindTickets(f.admin, filter)
		if ctx == "scoped" {
			tickets, total, err = db.FindTickets(f.scoped, filter)
		}
		must(t, err)
		if total != len(tickets) && filter.Offset == 0 {
			t.Fatalf("%+v: total %d for %d tickets", filter, total, len(tickets))
		}
		return ticketIDs(tickets)
	}
	for _, tt := range []struct {
		key  string
		want []*desk.Ticket // ascending
	}{
		{"", []*desk.Ticket{d, c, b, a}}, // newest first, whatever the direction
		{"kind", []*desk.Ticket{d, a, c, b}},
		{"ref", []*desk.Ticket{a, b, c, d}},
		{"title", []*desk.Ticket{b, a, c, d}},
		{"organization", []*desk.Ticket{d, c, b, a}}, // Alpha Corp (newest first among equals), Beta Inc
		{"caller", []*desk.Ticket{a, b, d, c}},       // Durand, Martin, then nobody
		{"agent", []*desk.Ticket{a, c, d, b}},        // Agent, Scoped, then nobody
		{"priority", []*desk.Ticket{b, a, d, c}},     // 1, 2, then kinds without levels
		{"status", []*desk.Ticket{b, a, c, d}},       // new (newest first), pending, closed
		{"last_update", []*desk.Ticket{b, c, d, a}},
	} {
		want := ticketIDs(tt.want)
		if got := find(nil, desk.TicketFilter{Sort: tt.key}); !slices.Equal(got, want) {
			t.Errorf("sort %q: %v, want %v", tt.key, got, want)
		}
		if tt.key == "" || tt.key == "caller" || tt.key == "agent" || tt.key == "priority" || tt.key == "organization" ||
			tt.key == "status" {
			continue // ties and missing values do not simply reverse
		}
		slices.Reverse(want)
		if got := find(nil, desk.TicketFilter{Sort: tt.key, Desc: true}); !slices.Equal(got, want) {
			t.Errorf("sort %q desc: %v, want %v", tt.key, got, want)
		}
	}
	// The caller's name sorts the callers; nobody stays last going down too.
	if got, want := find(nil, desk.TicketFilter{Sort: "caller", Desc: true}), ticketIDs([]*desk.Ticket{b, a, d, c}); !slices.Equal(got, want) {
		t.Errorf("sort caller desc: %v, want %v", got, want)
	}
	// Paging keeps the order.
	page2 := find(nil, desk.TicketFilter{Sort: "last_update", Desc: true, Offset: 2, Limit: 2})
	if want := ticketIDs([]*desk.Ticket{c, b}); !slices.Equal(page2, want) {
		t.Errorf("second page by last update: %v, want %v", page2, want)
	}

	// Mine and unassigned.
	if got, want := find(nil, desk.TicketFilter{AgentID: &f.agentP.ID}), ticketIDs([]*desk.Ticket{a}); !slices.Equal(got, want) {
		t.Errorf("assigned to the agent: %v, want %v", got, want)
	}
	if got, want := find(nil, desk.TicketFilter{Unassigned: true, Sort: "last_update", Desc: true}),
		ticketIDs([]*desk.Ticket{d, b}); !slices.Equal(got, want) {
		t.Errorf("unassigned: %v, want %v", got, want)
	}
	if got, want := find(nil, desk.TicketFilter{Unassigned: true, Ongoing: true}), ticketIDs([]*desk.Ticket{b}); !slices.Equal(got, want) {
		t.Errorf("unassigned and ongoing: %v, want %v", got, want)
	}
	// The scoped user sees his organization's only, sorted the same.
	if got, want := find("scoped", desk.TicketFilter{Sort: "title"}), ticketIDs([]*desk.Ticket{b, c, d}); !slices.Equal(got, want) {
		t.Errorf("scoped, by title: %v, want %v", got, want)
	}
	if got := find("scoped", desk.TicketFilter{AgentID: &f.agentP.ID}); len(got) != 0 {
		t.Errorf("scoped sees the agent's ticket of another organization: %v", got)
	}

	// A sort key that is not a column is refused, not put in the query.
	for _, key := range []string{"t.id; DROP TABLE ticket", "description", "LAST_UPDATE"} {
		_, _, err := db.FindTickets(f.admin, desk.TicketFilter{Sort: key})
		wantField(t, err, "sort")
	}
}
