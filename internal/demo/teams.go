package demo

import (
	"context"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The demo's teams (docs/teams.md): the service desk's own team, which the
// queue "support" rings, and two teams per customer, "Service desk" and
// "Network", made of the desk's agents; a share of each customer's tickets
// is assigned to them.

// Demo team names.
const (
	TeamServiceDesk = "Service desk"
	TeamNetwork     = "Network"
	// QueueSupport is the queue mapped to the provider's service desk.
	QueueSupport = "support"
)

// demoTeams are the teams of the demo: by organization, the ids of its
// Service desk and Network teams.
type demoTeams struct {
	byOrg map[int64][2]int64
	desk  int64 // the provider's service desk
}

// teamMember is a membership loadTeams makes.
type teamMember struct {
	team int64
	a    agentRef
	role string
}

// loadTeams creates the teams. The agents' persons are the members: the
// first agent (the admin's contact) leads the provider's desk, the second
// (the agent's) every Service desk, the third (the scoped agent's) the
// Service desk of the scoped agent's organization; the others share the
// Network teams.
func loadTeams(ctx context.Context, svc desk.Services, g *generator, agents []agentRef, progress func(string, int, int)) (*demoTeams, error) {
	dt := &demoTeams{byOrg: map[int64][2]int64{}}
	agent := func(i int) agentRef { return agents[i%len(agents)] }
	add := func(team int64, a agentRef, role string) error {
		if err := svc.Teams.AddTeamMember(ctx, &desk.TeamMember{TeamID: team, PersonID: a.id, Role: role}); err != nil {
			return fmt.Errorf("demo: add %s to a team: %w", a.name, err)
		}
		return nil
	}
	create := func(name string, org *desk.Organization) (int64, error) {
		t := &desk.Team{Name: name, OrgID: org.ID, Status: desk.StatusActive}
		if org.Status == desk.StatusInactive {
			t.Status = desk.StatusInactive
		}
		if err := svc.Teams.CreateTeam(ctx, t); err != nil {
			return 0, fmt.Errorf("demo: create team %s of %s: %w", name, org.Name, err)
		}
		return t.ID, nil
	}
	for oi := range g.orgs {
		org := &g.orgs[oi].org
		sd, err := create(TeamServiceDesk, org)
		if err != nil {
			return nil, err
		}
		nw, err := create(TeamNetwork, org)
		if err != nil {
			return nil, err
		}
		dt.byOrg[org.ID] = [2]int64{sd, nw}
		members := []teamMember{{sd, agent(1), "Lead"}, {sd, agent(3 + oi%3), "Member"}, {nw, agent(6 + oi%4), "Lead"},
			{nw, agent(7 + oi%4), "Member"}}
		switch oi {
		case 0:
			dt.desk = sd
			members = append(members, teamMember{sd, agent(0), "Manager"}, teamMember{sd, agent(2), "Member"})
		case 1: // the scoped agent's organization
			members = append(members, teamMember{sd, agent(2), "Member"})
		}
		for _, m := range members {
			if err := add(m.team, m.a, m.role); err != nil {
				return nil, err
			}
		}
		progress("teams", oi+1, len(g.orgs))
	}
	return dt, nil
}

// assign gives some of the tickets a team of their organization: one in
// two the Service desk, one in six the Network team, by their position n
// in the whole load (so that any chunking assigns the same).
func (dt *demoTeams) assign(tickets []*desk.Ticket, n int) {
	for i, t := range tickets {
		teams, ok := dt.byOrg[t.OrgID]
		if !ok {
			continue
		}
		switch (n + i) % 6 {
		case 0, 2, 4:
			t.TeamID = teams[0]
		case 1:
			t.TeamID = teams[1]
		}
	}
}
