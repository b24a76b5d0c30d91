package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestTeamPages: an admin creates a team with the form (CSRF), adds members
// with roles and removes one; agents read the pages but get no forms; a
// scoped agent does not find another organization's team.
func TestTeamPages(t *testing.T) {
	e := MustEnv(t)
	admin := e.MustLogin(t, "admin")
	admin.get("/teams/new")
	r := admin.post("/teams", url.Values{"name": {"Service desk"}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)},
		"email": {"desk@acme.example"}, "status": {"active"}, "csrf_token": {"forged"}})
	wantStatus(t, "a team posted without the form's token", r, http.StatusForbidden)
	admin.get("/teams/new")
	r = admin.post("/teams", url.Values{"name": {""}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)}, "status": {"active"}})
	wantStatus(t, "a team without a name", r, http.StatusUnprocessableEntity)
	r = admin.post("/teams", url.Values{"name": {"Service desk"}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)},
		"email": {"desk@acme.example"}, "status": {"active"}})
	wantStatus(t, "create a team", r, http.StatusSeeOther)
	teams, _, err := e.svc.Teams.FindTeams(e.sys, desk.TeamFilter{})
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams after the creation: %v %v", teams, err)
	}
	team := teams[0]
	page := "/teams/" + strconv.FormatInt(team.ID, 10)
	if r.location != page {
		t.Fatalf("created: redirected to %s, want %s", r.location, page)
	}
	r = admin.get(page)
	wantContains(t, "the new team's page", r, "Service desk", "Acme Corp", "desk@acme.example", `id="member-form"`)

	// Members: Alice as lead; the ticket assigned to the team shows.
	r = admin.post(page+"/members", url.Values{"person_id": {strconv.FormatInt(e.personA.ID, 10)}, "role": {"Lead"}})
	wantStatus(t, "add Alice", r, http.StatusSeeOther)
	r = admin.post(page+"/members", url.Values{"person_id": {""}, "role": {"Member"}})
	wantStatus(t, "add nobody", r, http.StatusUnprocessableEntity)
	wantContains(t, "the member form's error", r, `id="member-error"`, "Choose a person.")
	agentContacts, _, err := e.svc.Persons.FindPersons(e.sys, desk.PersonFilter{Query: "Ada Agent"})
	if err != nil || len(agentContacts) != 1 {
		t.Fatalf("the agent's contact: %v %v", agentContacts, err)
	}
	ada := agentContacts[0]
	r = admin.post(page+"/members", url.Values{"person_id": {strconv.FormatInt(ada.ID, 10)}, "role": {"Member"}})
	wantStatus(t, "add Ada", r, http.StatusSeeOther)
	if _, err := e.svc.Tickets.UpdateTicket(e.sys, e.ticketA.ID, desk.TicketUpdate{TeamID: &team.ID}); err != nil {
		t.Fatal(err)
	}
	r = admin.get(page)
	wantContains(t, "the team's members and tickets", r, "Alice Anders", "Lead", "Ada Agent", "Printer jams in accounting")
	r = admin.get("/teams")
	wantContains(t, "the team list", r, "Service desk", "Acme Corp", `<td class="c-num" data-label="Members">2</td>`)

	// An agent reads, without forms; he cannot post one either.
	agent := e.MustLogin(t, "agent")
	r = agent.get(page)
	wantStatus(t, "an agent reads the team", r, http.StatusOK)
	wantLacks(t, "the agent's team page", r, `id="member-form"`, `id="edit-team"`)
	r = agent.post(page+"/members", url.Values{"person_id": {strconv.FormatInt(e.personA.ID, 10)}})
	wantStatus(t, "an agent adds a member", r, http.StatusForbidden)
	wantStatus(t, "an agent opens the form", agent.get("/teams/new"), http.StatusForbidden)

	// My team's tickets: Ada's team has the printer ticket; not Globex's.
	r = agent.get("/tickets?agent=team")
	wantContains(t, "my team's tickets", r, "Printer jams in accounting", `<option value="team" selected>`)
	wantLacks(t, "my team's tickets", r, "Globex mail server down")
	r = agent.get("/tickets?team_id=" + strconv.FormatInt(team.ID, 10))
	wantContains(t, "the team filter", r, "Printer jams in accounting")
	wantLacks(t, "the team filter", r, "Globex mail server down")
	wantStatus(t, "a bad agent filter", agent.get("/tickets?agent=them"), http.StatusBadRequest)

	// Remove Ada: her team's tickets are none.
	r = admin.post(page+"/members/"+strconv.FormatInt(ada.ID, 10)+"/delete", nil)
	wantStatus(t, "remove Ada", r, http.StatusSeeOther)
	r = agent.get("/tickets?agent=team")
	wantLacks(t, "my team's tickets out of the team", r, "Printer jams in accounting")

	// Edit the team; a scoped agent of Acme sees it, not Globex's team.
	admin.get(page + "/edit")
	r = admin.post(page, url.Values{"name": {"Acme desk"}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)}, "status": {"active"}})
	wantStatus(t, "edit the team", r, http.StatusSeeOther)
	globex := &desk.Team{Name: "Globex IT", OrgID: e.orgB.ID}
	if err := e.svc.Teams.CreateTeam(e.sys, globex); err != nil {
		t.Fatal(err)
	}
	scoped := e.MustLogin(t, "scoped")
	r = scoped.get("/teams")
	wantContains(t, "the scoped agent's teams", r, "Acme desk")
	wantLacks(t, "the scoped agent's teams", r, "Globex IT")
	wantStatus(t, "another organization's team", scoped.get("/teams/"+strconv.FormatInt(globex.ID, 10)), http.StatusNotFound)
}

// TestTicketFormTeam: the ticket form offers the teams of the ticket's
// organization; the team chosen is saved, and another organization's is
// refused on the field.
func TestTicketFormTeam(t *testing.T) {
	e := MustEnv(t)
	acme := &desk.Team{Name: "Acme desk", OrgID: e.orgA.ID}
	globex := &desk.Team{Name: "Globex IT", OrgID: e.orgB.ID}
	for _, tm := range []*desk.Team{acme, globex} {
		if err := e.svc.Teams.CreateTeam(e.sys, tm); err != nil {
			t.Fatal(err)
		}
	}
	agent := e.MustLogin(t, "agent")
	edit := "/tickets/" + strconv.FormatInt(e.ticketA.ID, 10)
	r := agent.get(edit + "/edit")
	wantContains(t, "the edit form", r, `<select id="f-team_id" name="team_id"`, "Acme desk")
	wantLacks(t, "the edit form", r, "Globex IT")
	form := url.Values{"title": {e.ticketA.Title}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)},
		"caller_id": {strconv.FormatInt(e.personA.ID, 10)}, "origin": {"phone"}, "priority": {"3"}, "urgency": {"3"}, "impact": {"3"}}
	form.Set("team_id", strconv.FormatInt(globex.ID, 10))
	r = agent.post(edit, form)
	wantStatus(t, "another organization's team", r, http.StatusUnprocessableEntity)
	wantContains(t, "the team's error", r, `id="f-team_id-error"`)
	form.Set("team_id", strconv.FormatInt(acme.ID, 10))
	r = agent.post(edit, form)
	wantStatus(t, "the team chosen", r, http.StatusSeeOther)
	got, err := e.svc.Tickets.FindTicketByID(e.sys, e.ticketA.ID)
	if err != nil || got.TeamID != acme.ID {
		t.Fatalf("ticket after the edit: %+v %v", got, err)
	}
	r = agent.get("/tickets")
	wantContains(t, "the list's team column", r, `data-label="Team"><a href="/teams/`+strconv.FormatInt(acme.ID, 10)+`"`)
}

// TestTelephonyQueueTeam: the telephony page's queue map chooses a team
// (CSRF form); the list names it; an agent and a team together are refused
// on the team's field.
func TestTelephonyQueueTeam(t *testing.T) {
	e := MustEnv(t)
	team := &desk.Team{Name: "Acme desk", OrgID: e.orgA.ID}
	if err := e.svc.Teams.CreateTeam(e.sys, team); err != nil {
		t.Fatal(err)
	}
	admin := e.MustLogin(t, "admin")
	r := admin.get("/admin/telephony")
	wantContains(t, "the queue form", r, `<select id="f-queue-team" name="team_id"`, "Acme desk · Acme Corp")
	id := strconv.FormatInt(team.ID, 10)
	r = admin.post("/admin/telephony/queues", url.Values{"queue": {"support"}, "team_id": {id}, "csrf_token": {"forged"}})
	wantStatus(t, "a forged form", r, http.StatusForbidden)
	admin.get("/admin/telephony")
	r = admin.post("/admin/telephony/queues", url.Values{"queue": {"support"}, "team_id": {id}})
	wantStatus(t, "map the queue to the team", r, http.StatusSeeOther)
	r = admin.get("/admin/telephony")
	wantContains(t, "the queue map", r, `<a href="/teams/`+id+`">Team Acme desk</a>`)
	agent := e.userOf(t, "agent")
	r = admin.post("/admin/telephony/queues", url.Values{"queue": {"sales"}, "team_id": {id}, "user_id": {strconv.FormatInt(agent.ID, 10)}})
	wantStatus(t, "an agent and a team", r, http.StatusUnprocessableEntity)
	wantContains(t, "the error", r, `id="f-queue-team-error"`, "A queue&#39;s target is an agent or a team, not both.")
	users, err := e.svc.Telephony.FindQueueAgents(e.sys, "support")
	if err != nil || len(users) != 0 {
		t.Fatalf("a team without members rings %v (%v)", users, err)
	}
}
