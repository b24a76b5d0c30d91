package storetest

import (
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testTicket(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	req := &desk.Ticket{Kind: desk.KindUserRequest, Title: " New laptop ", Description: "For the new hire.",
		OrgID: f.orgA.ID, CallerID: f.alice.ID, AgentID: f.agentP.ID}
	must(t, db.CreateTicket(f.agent, req))
	t.Run("Create", func(t *testing.T) {
		want := desk.Ticket{ID: req.ID, Kind: desk.KindUserRequest, Ref: desk.TicketRef(desk.KindUserRequest, req.ID),
			Title: "New laptop", Description: "For the new hire.", OrgID: f.orgA.ID, OrgName: "Alpha Corp",
			CallerID: f.alice.ID, CallerName: "Alice Martin", AgentID: f.agentP.ID, AgentName: "Ann Agent",
			Status: desk.TicketNew, Origin: "phone", Priority: 3, Urgency: 3, Impact: 3, StartDate: Start, LastUpdate: Start}
		if req.Ref != want.Ref || req.OrgName != want.OrgName || req.CallerName != want.CallerName ||
			req.AgentName != want.AgentName || !req.StartDate.Equal(Start) || !req.LastUpdate.Equal(Start) {
			t.Fatalf("created %+v, want %+v", req, want)
		}
		got, err := db.FindTicketByID(f.viewer, req.ID)
		must(t, err)
		if !sameTicket(got, &want) || len(got.PublicLog) != 0 || len(got.PrivateLog) != 0 {
			t.Fatalf("found\n%+v\nwant\n%+v", got, &want)
		}
		// Kinds without levels have none.
		prb := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindProblem, Title: "Disk failures", OrgID: f.orgA.ID,
			Priority: 1, Urgency: 2, Impact: 2})
		got, err = db.FindTicketByID(f.agent, prb.ID)
		must(t, err)
		if got.Ref != desk.TicketRef(desk.KindProblem, prb.ID) || got.Priority != 0 || got.Urgency != 0 || got.Impact != 0 ||
			got.CallerID != 0 || got.CallerName != "" {
			t.Fatalf("problem %+v, want no levels and no caller", got)
		}
		// Imported dates are kept.
		imp := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindChange, Title: "Old change", OrgID: f.orgB.ID,
			Status: desk.TicketClosed, StartDate: Start.Add(-48 * time.Hour), LastUpdate: Start.Add(-24 * time.Hour)})
		got, err = db.FindTicketByID(f.agent, imp.ID)
		must(t, err)
		if !got.StartDate.Equal(Start.Add(-48*time.Hour)) || !got.LastUpdate.Equal(Start.Add(-24*time.Hour)) ||
			got.CloseDate == nil || !got.CloseDate.Equal(Start) {
			t.Fatalf("imported %+v, want its dates kept and a close date", got)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		_, before, err := db.FindTickets(f.admin, desk.TicketFilter{})
		must(t, err)
		for _, tt := range []struct {
			t     desk.Ticket
			field string
		}{
			{desk.Ticket{Kind: "Task", Title: "x", OrgID: f.orgA.ID}, "kind"},
			{desk.Ticket{Kind: desk.KindIncident, Title: " ", OrgID: f.orgA.ID}, "title"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x"}, "org_id"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: 99999}, "org_id"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID, Status: "open"}, "status"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID, Urgency: 7}, "urgency"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID, CallerID: 99999}, "caller_id"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID, CallerID: f.bob.ID}, "caller_id"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID, AgentID: 99999}, "agent_id"},
			{desk.Ticket{Kind: desk.KindIncident, Title: "x", OrgID: f.orgA.ID,
				PublicLog: []desk.LogEntry{{Text: " "}}}, "text"},
		} {
			tk := tt.t
			wantField(t, db.CreateTicket(f.agent, &tk), tt.field)
		}
		_, err = db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{OrgID: &f.orgB.ID, Title: ptr("moved")}) // caller in A
		wantField(t, err, "caller_id")
		_, err = db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{Status: ptr("done")})
		wantField(t, err, "status")
		got, err := db.FindTicketByID(f.agent, req.ID)
		must(t, err)
		if got.Title != "New laptop" || got.OrgID != f.orgA.ID || got.Status != desk.TicketNew || !got.LastUpdate.Equal(Start) {
			t.Fatalf("refused updates changed the ticket: %+v", got)
		}
		_, after, err := db.FindTickets(f.admin, desk.TicketFilter{})
		must(t, err)
		if after != before {
			t.Fatalf("%d tickets after refused creations, want %d", after, before)
		}
		_, err = db.UpdateTicket(f.agent, 99999, desk.TicketUpdate{Title: ptr("x")})
		wantCode(t, err, desk.ENOTFOUND)
	})

	t.Run("Update", func(t *testing.T) {
		got, err := db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{})
		must(t, err)
		if !got.LastUpdate.Equal(Start) {
			t.Fatalf("an empty update moved last_update to %v", got.LastUpdate)
		}
		t1 := f.advance(time.Hour)
		got, err = db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{Title: ptr("New laptop, 16 GB"),
			Status: ptr(desk.TicketAssigned), Priority: ptr(1), AgentID: ptr(int64(0))})
		must(t, err)
		if got.Title != "New laptop, 16 GB" || got.Priority != 1 || got.AgentID != 0 || got.AgentName != "" ||
			got.CallerName != "Alice Martin" || !got.LastUpdate.Equal(t1) || got.CloseDate != nil {
			t.Fatalf("updated %+v", got)
		}
		t2 := f.advance(time.Hour)
		got, err = db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{Status: ptr(desk.TicketClosed)})
		must(t, err)
		if got.CloseDate == nil || !got.CloseDate.Equal(t2) {
			t.Fatalf("closed ticket has close date %v, want %v", got.CloseDate, t2)
		}
		found, err := db.FindTicketByID(f.agent, req.ID)
		must(t, err)
		if found.CloseDate == nil || !found.CloseDate.Equal(t2) || !found.LastUpdate.Equal(t2) || found.Status != desk.TicketClosed {
			t.Fatalf("found %+v after closing", found)
		}
		f.advance(time.Hour)
		_, err = db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{Title: ptr("still closed")})
		must(t, err)
		found, err = db.FindTicketByID(f.agent, req.ID)
		must(t, err)
		if found.CloseDate == nil || !found.CloseDate.Equal(t2) {
			t.Fatalf("editing a closed ticket moved its close date to %v", found.CloseDate)
		}
		got, err = db.UpdateTicket(f.agent, req.ID, desk.TicketUpdate{Status: ptr(desk.TicketAssigned)})
		must(t, err)
		found, err = db.FindTicketByID(f.agent, req.ID)
		must(t, err)
		if got.CloseDate != nil || found.CloseDate != nil {
			t.Fatal("reopening kept the close date")
		}
	})

	t.Run("Find", func(t *testing.T) {
		db := open(t)
		f := newFixture(t, func(*testing.T) *store.DB { return db })
		a1 := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Mail down", OrgID: f.orgA.ID, CallerID: f.alice.ID})
		a2 := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Password reset", OrgID: f.orgA.ID,
			CallerID: f.alice.ID, Status: desk.TicketClosed})
		b1 := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindUserRequest, Title: "VPN access", OrgID: f.orgB.ID, CallerID: f.bob.ID})
		b2 := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindChange, Title: "Mail migration", OrgID: f.orgB.ID})
		for _, tt := range []struct {
			name   string
			filter desk.TicketFilter
			want   []int64
		}{
			{"all, newest first", desk.TicketFilter{}, []int64{b2.ID, b1.ID, a2.ID, a1.ID}},
			{"abstract class", desk.TicketFilter{Kind: "Ticket"}, []int64{b2.ID, b1.ID, a2.ID, a1.ID}},
			{"kind", desk.TicketFilter{Kind: desk.KindUserRequest}, []int64{b1.ID, a2.ID}},
			{"status", desk.TicketFilter{Status: desk.TicketClosed}, []int64{a2.ID}},
			{"ongoing", desk.TicketFilter{Ongoing: true}, []int64{b2.ID, b1.ID, a1.ID}},
			{"org", desk.TicketFilter{OrgID: &f.orgB.ID}, []int64{b2.ID, b1.ID}},
			{"caller", desk.TicketFilter{CallerID: &f.alice.ID, Ongoing: true}, []int64{a1.ID}},
			{"callers", desk.TicketFilter{CallerIDs: []int64{f.alice.ID, f.bob.ID}}, []int64{b1.ID, a2.ID, a1.ID}},
			{"no callers", desk.TicketFilter{CallerIDs: []int64{}}, []int64{}},
			{"ids", desk.TicketFilter{IDs: []int64{a1.ID, b2.ID}}, []int64{b2.ID, a1.ID}},
			{"title", desk.TicketFilter{Query: "MAIL"}, []int64{b2.ID, a1.ID}},
			{"ref", desk.TicketFilter{Query: b1.Ref}, []int64{b1.ID}},
			{"ref in lower case", desk.TicketFilter{Query: "r-" + b1.Ref[2:]}, []int64{b1.ID}},
		} {
			tickets, total, err := db.FindTickets(f.viewer, tt.filter)
			must(t, err)
			wantIDs(t, tt.name, ticketIDs(tickets), tt.want)
			if total != len(tt.want) {
				t.Fatalf("%s: total = %d, want %d", tt.name, total, len(tt.want))
			}
		}
		tickets, total, err := db.FindTickets(f.viewer, desk.TicketFilter{Limit: 1, Offset: 1})
		must(t, err)
		wantIDs(t, "page 2", ticketIDs(tickets), []int64{b1.ID})
		if total != 4 || tickets[0].CallerName != "Bob Durand" || tickets[0].OrgName != "Beta Inc" {
			t.Fatalf("page 2: total %d, %+v", total, tickets[0])
		}
	})
}

// sameTicket compares the attributes of two tickets, logs aside.
func sameTicket(a, b *desk.Ticket) bool {
	closeEqual := (a.CloseDate == nil) == (b.CloseDate == nil) && (a.CloseDate == nil || a.CloseDate.Equal(*b.CloseDate))
	return a.ID == b.ID && a.Kind == b.Kind && a.Ref == b.Ref && a.Title == b.Title && a.Description == b.Description &&
		a.OrgID == b.OrgID && a.OrgName == b.OrgName && a.CallerID == b.CallerID && a.CallerName == b.CallerName &&
		a.AgentID == b.AgentID && a.AgentName == b.AgentName && a.Status == b.Status && a.Origin == b.Origin &&
		a.Priority == b.Priority && a.Urgency == b.Urgency && a.Impact == b.Impact &&
		a.StartDate.Equal(b.StartDate) && a.LastUpdate.Equal(b.LastUpdate) && closeEqual
}

func testTicketLog(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	old := Start.Add(-72 * time.Hour)
	tk := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Screen flickers", OrgID: f.orgA.ID,
		CallerID: f.alice.ID, PublicLog: []desk.LogEntry{{Text: "Called in."}, {Date: old, Author: "Importer", Text: "Imported."}}})
	got, err := db.FindTicketByID(f.agent, tk.ID)
	must(t, err)
	want := []desk.LogEntry{{Date: Start, Author: "Ann Agent", Text: "Called in."}, {Date: old, Author: "Importer", Text: "Imported."}}
	wantLog(t, "public log at creation", got.PublicLog, want)

	t1 := f.advance(time.Minute)
	got, err = db.AddLogEntry(f.agent, tk.ID, desk.PublicLog, "Asked to restart.")
	must(t, err)
	want = append(want, desk.LogEntry{Date: t1, Author: "Ann Agent", Text: "Asked to restart."})
	wantLog(t, "returned public log", got.PublicLog, want)
	if !got.LastUpdate.Equal(t1) {
		t.Fatalf("last_update = %v after a log entry, want %v", got.LastUpdate, t1)
	}
	t2 := f.advance(time.Minute)
	_, err = db.AddLogEntry(f.sys, tk.ID, desk.PrivateLog, "Probably the cable.")
	must(t, err)
	t3 := f.advance(time.Minute)
	_, err = db.AddLogEntry(f.admin, tk.ID, desk.PublicLog, "Cable replaced.")
	must(t, err)
	want = append(want, desk.LogEntry{Date: t3, Author: "admin", Text: "Cable replaced."})

	got, err = db.FindTicketByID(f.viewer, tk.ID)
	must(t, err)
	wantLog(t, "public log", got.PublicLog, want)
	wantLog(t, "private log", got.PrivateLog, []desk.LogEntry{{Date: t2, Author: "system", Text: "Probably the cable."}})
	if !got.LastUpdate.Equal(t3) {
		t.Fatalf("last_update = %v, want %v", got.LastUpdate, t3)
	}

	_, err = db.AddLogEntry(f.agent, tk.ID, "diary", "x")
	wantField(t, err, "log")
	_, err = db.AddLogEntry(f.agent, tk.ID, desk.PublicLog, "  ")
	wantField(t, err, "text")
	_, err = db.AddLogEntry(f.viewer, tk.ID, desk.PublicLog, "I only look.")
	wantCode(t, err, desk.EFORBIDDEN)
	_, err = db.AddLogEntry(f.agent, 99999, desk.PublicLog, "Lost.")
	wantCode(t, err, desk.ENOTFOUND)
	got, err = db.FindTicketByID(f.viewer, tk.ID)
	must(t, err)
	if len(got.PublicLog) != 4 || len(got.PrivateLog) != 1 {
		t.Fatalf("refused entries were written: %d public, %d private", len(got.PublicLog), len(got.PrivateLog))
	}
	// Lists do not carry logs.
	tickets, _, err := db.FindTickets(f.agent, desk.TicketFilter{ID: &tk.ID})
	must(t, err)
	if len(tickets) != 1 || len(tickets[0].PublicLog) != 0 {
		t.Fatalf("FindTickets returned %d tickets with logs", len(tickets))
	}
}

func wantLog(t *testing.T, what string, got, want []desk.LogEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries %+v, want %d %+v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if !got[i].Date.Equal(want[i].Date) || got[i].Author != want[i].Author || got[i].Text != want[i].Text {
			t.Fatalf("%s[%d] = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

func testTicketBatch(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	const n = 12000
	tickets := make([]*desk.Ticket, n)
	for i := range tickets {
		tickets[i] = &desk.Ticket{Kind: desk.TicketKinds[i%4], Title: "Batch ticket", OrgID: f.orgA.ID, CallerID: f.alice.ID,
			Status: desk.TicketStatuses[i%5], PrivateLog: []desk.LogEntry{{Text: "Generated."}}}
	}
	var progress []int
	must(t, db.CreateTickets(f.agent, tickets, func(done int) { progress = append(progress, done) }))
	if len(progress) == 0 || progress[len(progress)-1] != n {
		t.Fatalf("progress %v, want it to end at %d", progress, n)
	}
	last := tickets[n-1]
	got, err := db.FindTicketByID(f.agent, last.ID)
	must(t, err)
	if got.Ref != desk.TicketRef(last.Kind, last.ID) || got.Ref != last.Ref || got.CallerName != "Alice Martin" ||
		len(got.PrivateLog) != 1 || got.PrivateLog[0].Author != "Ann Agent" {
		t.Fatalf("batch ticket %+v", got)
	}
	_, total, err := db.FindTickets(f.agent, desk.TicketFilter{Kind: desk.KindProblem, CallerID: &f.alice.ID})
	must(t, err)
	if total != n/4 {
		t.Fatalf("%d problems, want %d", total, n/4)
	}

	bad := []*desk.Ticket{
		{Kind: desk.KindIncident, Title: "fine", OrgID: f.orgA.ID},
		{Kind: desk.KindIncident, Title: "wrong caller", OrgID: f.orgA.ID, CallerID: f.bob.ID},
	}
	wantField(t, db.CreateTickets(f.agent, bad, nil), "caller_id")
	wantField(t, db.CreateTickets(f.scoped, []*desk.Ticket{{Kind: desk.KindIncident, Title: "B", OrgID: f.orgB.ID}}, nil), "org_id")
	_, after, err := db.FindTickets(f.admin, desk.TicketFilter{})
	must(t, err)
	if after != n {
		t.Fatalf("%d tickets after refused batches, want %d", after, n)
	}
}
