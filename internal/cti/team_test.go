package cti_test

import (
	"context"
	"testing"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestCallsQueueTeam: a queue mapped to a team rings exactly the team's
// members' users (not the other agents, nor the team members without a
// user); a member removed rings no more; the queue's missed call owes its
// callback to the team.
func TestCallsQueueTeam(t *testing.T) {
	f := mustCallsFixture(t)
	admin := desk.NewContextWithUser(context.Background(), &desk.User{ID: -1, Login: "admin", Roles: []string{desk.RoleAdmin}})
	team := &desk.Team{Name: "Service desk", OrgID: f.provider.ID}
	must(t, f.svc.Teams.CreateTeam(admin, team))
	for _, p := range []*desk.Person{f.aliceP, f.brunoP, f.ann} { // Ann is a member without a user
		must(t, f.svc.Teams.AddTeamMember(admin, &desk.TeamMember{TeamID: team.ID, PersonID: p.ID}))
	}
	must(t, f.svc.Telephony.CreateQueueTarget(admin, &desk.QueueTarget{Queue: "support", TeamID: team.ID}))

	_, call := f.post(t, cti.Event{Event: cti.EventNewCall, From: "+14155550199", To: "100", Direction: "in", Queue: "Support",
		CallID: "team-1"})
	wantTypes(t, "a call of the team's queue", f.types(f.drain(t)), map[string]string{"alice": "ringing", "bruno": "ringing"})
	if len(call.RingingUserIDs) != 2 {
		t.Fatalf("the call rang for %v, want Alice and Bruno", call.RingingUserIDs)
	}

	must(t, f.svc.Teams.RemoveTeamMember(admin, team.ID, f.aliceP.ID))
	_, call = f.post(t, cti.Event{Event: cti.EventNewCall, From: "+14155550199", To: "support", Direction: "in", CallID: "team-2"})
	wantTypes(t, "without Alice", f.types(f.drain(t)), map[string]string{"bruno": "ringing"})
	f.post(t, cti.Event{Event: cti.EventHangup, Direction: "in", CallID: call.CallID, Cause: "cancel"})
	callbacks, _, err := f.svc.Callbacks.FindCallbacks(f.sys, desk.CallbackFilter{})
	must(t, err)
	if len(callbacks) != 1 || callbacks[0].TeamID != team.ID {
		t.Fatalf("callbacks %+v, want one for the team %d", callbacks, team.ID)
	}
}
