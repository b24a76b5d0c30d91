package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// testStats: the facts of the statistics keep the reader's scope (a scoped
// agent counts only his organizations' calls and the unknown numbers that
// rang for him) and, asked for, his own calls only; the period bounds
// them.
func testStats(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	_, integ, err := db.CreateIntegration(f.admin, "PBX")
	must(t, err)
	alice := f.ring(t, integ.ID, "s-1", "+1 212 555 0100", []int64{f.alice.ID}, f.agentUser.ID)
	f.advance(time.Minute)
	bob := f.ring(t, integ.ID, "s-2", "+1 415 555 0199", []int64{f.bob.ID}, f.agentUser.ID)
	f.advance(time.Minute)
	unknown := f.ring(t, integ.ID, "s-3", "+1 999 555 0000", nil, f.scopedUser.ID)
	_, err = db.RaiseCallback(f.sys, &desk.Call{Direction: desk.DirectionIn, From: "+1 212 555 0100", ContactID: f.alice.ID,
		StartedAt: f.now, RingingUserIDs: []int64{f.agentUser.ID}}, f.now.Add(time.Hour))
	must(t, err)
	_, err = db.RaiseCallback(f.sys, &desk.Call{Direction: desk.DirectionIn, From: "+1 415 555 0199", ContactID: f.bob.ID,
		StartedAt: f.now}, f.now.Add(time.Hour))
	must(t, err)
	f.advance(time.Hour)
	later := f.ring(t, integ.ID, "s-4", "+1 212 555 0100", []int64{f.alice.ID}, f.scopedUser.ID)

	period := desk.StatsFilter{From: Start, To: Start.Add(time.Hour)}
	for _, tt := range []struct {
		name      string
		ctx       context.Context
		filter    desk.StatsFilter
		calls     []int64
		callbacks int
	}{
		{"admin", f.admin, period, []int64{alice.ID, bob.ID, unknown.ID}, 2},
		{"scoped", f.scoped, period, []int64{alice.ID, unknown.ID}, 1},
		{"agent own", f.agent, desk.StatsFilter{From: period.From, To: period.To, OwnOnly: true}, []int64{alice.ID, bob.ID}, 1},
		{"scoped own, longer", f.scoped, desk.StatsFilter{From: Start, To: Start.Add(3 * time.Hour), OwnOnly: true},
			[]int64{unknown.ID, later.ID}, 0},
	} {
		calls, callbacks, err := db.FindCallFacts(tt.ctx, tt.filter)
		must(t, err)
		wantIDs(t, tt.name+": calls", ids(calls, func(c desk.CallFact) int64 { return c.ID }), tt.calls)
		if len(callbacks) != tt.callbacks {
			t.Errorf("%s: %d callbacks, want %d", tt.name, len(callbacks), tt.callbacks)
		}
	}
	// Teams: the provider's, made of the agent's person; Alpha's, of Alice
	// only. The team's statistics are the calls its members' users
	// answered or were rung for, and the callbacks they own.
	desk1 := &desk.Team{Name: "Service desk", OrgID: f.orgP.ID}
	must(t, db.CreateTeam(f.admin, desk1))
	must(t, db.AddTeamMember(f.admin, &desk.TeamMember{TeamID: desk1.ID, PersonID: f.agentP.ID}))
	alphaIT := &desk.Team{Name: "Alpha IT", OrgID: f.orgA.ID}
	must(t, db.CreateTeam(f.admin, alphaIT))
	must(t, db.AddTeamMember(f.admin, &desk.TeamMember{TeamID: alphaIT.ID, PersonID: f.alice.ID}))
	for _, ctx := range []context.Context{f.admin, f.agent} {
		calls, callbacks, err := db.FindCallFacts(ctx, desk.StatsFilter{From: period.From, To: period.To, TeamID: desk1.ID})
		must(t, err)
		wantIDs(t, "the service desk's calls", ids(calls, func(c desk.CallFact) int64 { return c.ID }), []int64{alice.ID, bob.ID})
		if len(callbacks) != 1 {
			t.Errorf("the service desk's callbacks: %d, want 1", len(callbacks))
		}
	}
	_, _, err = db.FindCallFacts(f.scoped, desk.StatsFilter{From: period.From, To: period.To, TeamID: desk1.ID})
	wantCode(t, err, desk.ENOTFOUND) // the provider's team: not in his organizations
	_, _, err = db.FindCallFacts(f.scoped, desk.StatsFilter{From: period.From, To: period.To, TeamID: alphaIT.ID})
	wantCode(t, err, desk.EFORBIDDEN) // not his team
	_, _, err = db.FindCallFacts(f.anon, period)
	wantCode(t, err, desk.EUNAUTHORIZED)
}
