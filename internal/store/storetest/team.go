package storetest

import (
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func teamIDs(ts []*desk.Team) []int64 { return ids(ts, func(t *desk.Team) int64 { return t.ID }) }

func userIDs(us []*desk.User) []int64 { return ids(us, func(u *desk.User) int64 { return u.ID }) }

// testTeams: teams and their members, written by admins, read by agents
// within their organizations; tickets assigned to teams and "My team's
// tickets"; a queue mapped to a team rings its members, and its missed
// calls' callbacks are the team's.
func testTeams(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	// Service desk (Provider): the agent's person and the scoped agent's;
	// Alpha IT (A): Alice and the scoped agent's; Beta IT (B): Bob.
	desk1 := &desk.Team{Name: " Service desk ", OrgID: f.orgP.ID, Email: "desk@provider.example", Phone: "+1 212 555 0000"}
	wantCode(t, db.CreateTeam(f.agent, desk1), desk.EFORBIDDEN)
	must(t, db.CreateTeam(f.admin, desk1))
	if desk1.ID == 0 || desk1.Name != "Service desk" || desk1.OrgName != "Provider" || desk1.Status != desk.StatusActive {
		t.Fatalf("created %+v", desk1)
	}
	alphaIT := &desk.Team{Name: "Alpha IT", OrgID: f.orgA.ID}
	must(t, db.CreateTeam(f.admin, alphaIT))
	betaIT := &desk.Team{Name: "Beta IT", OrgID: f.orgB.ID}
	must(t, db.CreateTeam(f.admin, betaIT))
	wantCode(t, db.CreateTeam(f.admin, &desk.Team{Name: "ALPHA it", OrgID: f.orgA.ID}), desk.ECONFLICT)
	must(t, db.CreateTeam(f.admin, &desk.Team{Name: "Alpha IT", OrgID: f.orgB.ID})) // another organization's
	wantField(t, db.CreateTeam(f.admin, &desk.Team{Name: "", OrgID: f.orgA.ID}), "name")
	wantField(t, db.CreateTeam(f.admin, &desk.Team{Name: "X", OrgID: 99999}), "org_id")
	wantField(t, db.CreateTeam(f.admin, &desk.Team{Name: "X", OrgID: f.orgA.ID, Email: "not an address"}), "email")

	for _, m := range []*desk.TeamMember{{TeamID: desk1.ID, PersonID: f.agentP.ID, Role: "Lead"},
		{TeamID: desk1.ID, PersonID: f.scopedP.ID, Role: "Member"}, {TeamID: alphaIT.ID, PersonID: f.alice.ID},
		{TeamID: alphaIT.ID, PersonID: f.scopedP.ID}, {TeamID: betaIT.ID, PersonID: f.bob.ID}} {
		must(t, db.AddTeamMember(f.admin, m))
	}
	wantCode(t, db.AddTeamMember(f.agent, &desk.TeamMember{TeamID: alphaIT.ID, PersonID: f.bob.ID}), desk.EFORBIDDEN)
	wantField(t, db.AddTeamMember(f.admin, &desk.TeamMember{TeamID: alphaIT.ID, PersonID: 99999}), "person_id")
	wantField(t, db.AddTeamMember(f.admin, &desk.TeamMember{TeamID: 99999, PersonID: f.bob.ID}), "team_id")
	// Again: the role changes, the membership stays one.
	lead := &desk.TeamMember{TeamID: desk1.ID, PersonID: f.scopedP.ID, Role: "Deputy"}
	must(t, db.AddTeamMember(f.admin, lead))
	members, err := db.FindTeamMembers(f.agent, desk1.ID)
	must(t, err)
	if len(members) != 2 || members[0].PersonName != "Ann Agent" || members[0].Role != "Lead" ||
		members[1].PersonName != "Sam Scoped" || members[1].Role != "Deputy" || members[1].ID != lead.ID {
		t.Fatalf("members of the service desk: %+v %+v", members[0], members[1])
	}

	t.Run("Scope", func(t *testing.T) {
		teams, total, err := db.FindTeams(f.agent, desk.TeamFilter{})
		must(t, err)
		if total != 4 || teams[0].Name != "Alpha IT" || teams[0].MemberCount+teams[1].MemberCount != 2 {
			t.Fatalf("the agent's teams: %d %+v", total, teams[0])
		}
		// The scoped agent sees Alpha Corp's team only: not the service
		// desk he is a member of (Provider's), nor Beta's.
		teams, _, err = db.FindTeams(f.scoped, desk.TeamFilter{})
		must(t, err)
		wantIDs(t, "the scoped agent's teams", teamIDs(teams), []int64{alphaIT.ID})
		_, err = db.FindTeamByID(f.scoped, betaIT.ID)
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.FindTeamMembers(f.scoped, betaIT.ID)
		wantCode(t, err, desk.ENOTFOUND)
		teams, _, err = db.FindTeams(f.agent, desk.TeamFilter{MemberID: &f.scopedP.ID})
		must(t, err)
		wantIDs(t, "the teams of Sam", teamIDs(teams), []int64{alphaIT.ID, desk1.ID})
	})

	t.Run("Update", func(t *testing.T) {
		_, err := db.UpdateTeam(f.agent, alphaIT.ID, desk.TeamUpdate{Email: ptr("it@alpha.example")})
		wantCode(t, err, desk.EFORBIDDEN)
		got, err := db.UpdateTeam(f.admin, alphaIT.ID, desk.TeamUpdate{Email: ptr("it@alpha.example"), Status: ptr(desk.StatusInactive)})
		must(t, err)
		if got.Email != "it@alpha.example" || got.Status != desk.StatusInactive || got.MemberCount != 2 {
			t.Fatalf("updated %+v", got)
		}
		_, err = db.UpdateTeam(f.admin, alphaIT.ID, desk.TeamUpdate{Name: ptr("Service desk"), OrgID: &f.orgP.ID})
		wantCode(t, err, desk.ECONFLICT)
		_, err = db.UpdateTeam(f.admin, alphaIT.ID, desk.TeamUpdate{Status: ptr(desk.StatusActive)})
		must(t, err)
	})

	t.Run("Tickets", func(t *testing.T) {
		a := f.ticket(t, f.admin, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Alpha's", OrgID: f.orgA.ID, TeamID: alphaIT.ID})
		if a.TeamName != "Alpha IT" {
			t.Fatalf("created %+v, want the team's name", a)
		}
		b := f.ticket(t, f.admin, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Beta's", OrgID: f.orgB.ID, TeamID: betaIT.ID})
		f.ticket(t, f.admin, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Nobody's", OrgID: f.orgA.ID})
		// A team of another organization than the ticket's, or one the
		// user does not see, is refused.
		wantField(t, db.CreateTicket(f.admin, &desk.Ticket{Kind: desk.KindUserRequest, Title: "X", OrgID: f.orgA.ID, TeamID: betaIT.ID}), "team_id")
		wantField(t, db.CreateTicket(f.scoped, &desk.Ticket{Kind: desk.KindUserRequest, Title: "X", OrgID: f.orgA.ID, TeamID: desk1.ID}), "team_id")
		_, err := db.UpdateTicket(f.scoped, a.ID, desk.TicketUpdate{TeamID: &betaIT.ID})
		wantField(t, err, "team_id")
		got, err := db.UpdateTicket(f.agent, b.ID, desk.TicketUpdate{TeamID: ptr(int64(0))})
		must(t, err)
		if got.TeamID != 0 || got.TeamName != "" {
			t.Fatalf("unassigned from its team: %+v", got)
		}
		got, err = db.UpdateTicket(f.agent, b.ID, desk.TicketUpdate{TeamID: &betaIT.ID})
		must(t, err)
		if got.TeamName != "Beta IT" {
			t.Fatalf("assigned again: %+v", got)
		}

		tickets, _, err := db.FindTickets(f.agent, desk.TicketFilter{TeamIDs: []int64{alphaIT.ID, betaIT.ID}})
		must(t, err)
		wantIDs(t, "tickets of Alpha IT and Beta IT", ticketIDs(tickets), []int64{b.ID, a.ID})
		_, err = db.UpdateTeam(f.admin, alphaIT.ID, desk.TeamUpdate{OrgID: &f.orgB.ID})
		wantField(t, err, "org_id") // its tickets are Alpha's
		// My team's tickets: Sam is in Alpha IT and the service desk.
		tickets, _, err = db.FindTickets(f.scoped, desk.TicketFilter{TeamMemberID: &f.scopedP.ID})
		must(t, err)
		wantIDs(t, "Sam's teams' tickets", ticketIDs(tickets), []int64{a.ID})
		// Beta's ticket stays hidden from the scoped agent, by any filter.
		tickets, _, err = db.FindTickets(f.scoped, desk.TicketFilter{TeamIDs: []int64{betaIT.ID}})
		must(t, err)
		wantIDs(t, "Beta IT's tickets seen by the scoped agent", ticketIDs(tickets), []int64{})
		tickets, _, err = db.FindTickets(f.agent, desk.TicketFilter{TeamMemberID: &f.bob.ID})
		must(t, err)
		wantIDs(t, "Bob's teams' tickets", ticketIDs(tickets), []int64{b.ID})
		tickets, _, err = db.FindTickets(f.agent, desk.TicketFilter{Sort: "team", Limit: 3})
		must(t, err)
		if len(tickets) != 3 || tickets[0].TeamName != "Alpha IT" || tickets[1].TeamName != "Beta IT" || tickets[2].TeamName != "" {
			t.Fatalf("by team: %v", ticketIDs(tickets))
		}
	})

	t.Run("Queue", func(t *testing.T) {
		must(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "support", TeamID: desk1.ID}))
		wantCode(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "SUPPORT", TeamID: desk1.ID}), desk.ECONFLICT)
		wantField(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "x", TeamID: 99999}), "team_id")
		wantField(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "x", TeamID: desk1.ID, UserID: f.agentUser.ID}), "team_id")
		targets, err := db.FindQueueTargets(f.admin)
		must(t, err)
		if len(targets) != 1 || targets[0].TeamName != "Service desk" || targets[0].UserID != 0 {
			t.Fatalf("targets %+v", targets)
		}
		// The service desk's members' users: the agent and the scoped
		// agent; the team's agents are the same.
		users, err := db.FindQueueAgents(f.sys, "Support")
		must(t, err)
		wantIDs(t, "the agents of queue support", userIDs(users), []int64{f.agentUser.ID, f.scopedUser.ID})
		users, err = db.FindTeamAgents(f.sys, desk1.ID)
		must(t, err)
		wantIDs(t, "the service desk's agents", userIDs(users), []int64{f.agentUser.ID, f.scopedUser.ID})
		users, err = db.FindTeamAgents(f.sys, alphaIT.ID) // Alice has no user
		must(t, err)
		wantIDs(t, "Alpha IT's agents", userIDs(users), []int64{f.scopedUser.ID})
		// Removing a member stops his ringing.
		wantCode(t, db.RemoveTeamMember(f.agent, desk1.ID, f.scopedP.ID), desk.EFORBIDDEN)
		must(t, db.RemoveTeamMember(f.admin, desk1.ID, f.scopedP.ID))
		wantCode(t, db.RemoveTeamMember(f.admin, desk1.ID, f.scopedP.ID), desk.ENOTFOUND)
		users, err = db.FindQueueAgents(f.sys, "support")
		must(t, err)
		wantIDs(t, "the agents of queue support without Sam", userIDs(users), []int64{f.agentUser.ID})

		// A missed call of the queue: its callback is the team's.
		call := f.missed(0, "+1 415 555 0199", f.bob.ID, f.agentUser.ID)
		call.Queue = "SUPPORT"
		k, err := db.RaiseCallback(f.sys, call, f.now.Add(time.Hour))
		must(t, err)
		if k.TeamID != desk1.ID || k.TeamName != "Service desk" {
			t.Fatalf("callback of queue support: team %d %q, want %d", k.TeamID, k.TeamName, desk1.ID)
		}
		other := f.missed(0, "+1 212 555 0100", f.alice.ID)
		other.Queue = "sales"
		k, err = db.RaiseCallback(f.sys, other, f.now.Add(time.Hour))
		must(t, err)
		if k.TeamID != 0 {
			t.Fatalf("callback of queue sales: team %d, want none", k.TeamID)
		}
	})
}
