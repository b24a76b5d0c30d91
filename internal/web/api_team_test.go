package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestAPITeams: /api/v1/teams over HTTP, every answer checked against
// openapi.yaml: admins create, change and staff teams; agents read; a
// scoped agent does not find another organization's team; tickets take a
// team and filter by it.
func TestAPITeams(t *testing.T) {
	e := MustEnv(t)
	admin, agent, scoped := e.MustAPI(t, "admin"), e.MustAPI(t, "agent"), e.MustAPI(t, "scoped")

	wantAPIError(t, "an agent creates a team", agent.do(http.MethodPost, "/api/v1/teams",
		map[string]any{"name": "Desk", "org_id": e.orgA.ID}), http.StatusForbidden, desk.EFORBIDDEN, "")
	wantAPIError(t, "a team without organization", admin.do(http.MethodPost, "/api/v1/teams",
		map[string]any{"name": "Desk"}), http.StatusUnprocessableEntity, desk.EINVALID, "org_id")
	r := admin.do(http.MethodPost, "/api/v1/teams", map[string]any{"name": "Acme desk", "org_id": e.orgA.ID, "email": "desk@acme.example"})
	wantAPIStatus(t, "create a team", r, http.StatusCreated)
	var acme desk.Team
	r.decode(t, &acme)
	if acme.ID == 0 || acme.OrgName != "Acme Corp" || acme.Status != "active" || r.header.Get("Location") != "/api/v1/teams/"+strconv.FormatInt(acme.ID, 10) {
		t.Fatalf("created %+v at %s", acme, r.header.Get("Location"))
	}
	wantAPIError(t, "the same name again", admin.do(http.MethodPost, "/api/v1/teams",
		map[string]any{"name": "ACME DESK", "org_id": e.orgA.ID}), http.StatusConflict, desk.ECONFLICT, "name")
	r = admin.do(http.MethodPost, "/api/v1/teams", map[string]any{"name": "Globex IT", "org_id": e.orgB.ID})
	wantAPIStatus(t, "create Globex's team", r, http.StatusCreated)
	var globex desk.Team
	r.decode(t, &globex)

	acmePath := "/api/v1/teams/" + strconv.FormatInt(acme.ID, 10)
	r = admin.do(http.MethodPatch, acmePath, map[string]any{"phone": "+1 555 0100"})
	wantAPIStatus(t, "change the team", r, http.StatusOK)
	var changed desk.Team
	r.decode(t, &changed)
	if changed.Phone != "+1 555 0100" || changed.Email != "desk@acme.example" {
		t.Fatalf("changed %+v", changed)
	}
	wantAPIError(t, "an agent changes the team", agent.do(http.MethodPatch, acmePath, map[string]any{"phone": ""}),
		http.StatusForbidden, desk.EFORBIDDEN, "")

	// Members: Alice as lead, twice is one membership with the last role.
	alice := acmePath + "/members/" + strconv.FormatInt(e.personA.ID, 10)
	wantAPIStatus(t, "add Alice", admin.do(http.MethodPut, alice, map[string]any{"role": "Member"}), http.StatusOK)
	wantAPIStatus(t, "Alice again", admin.do(http.MethodPut, alice, map[string]any{"role": "Lead"}), http.StatusOK)
	wantAPIError(t, "an agent adds a member", agent.do(http.MethodPut, alice, map[string]any{}), http.StatusForbidden, desk.EFORBIDDEN, "")
	wantAPIError(t, "an unknown person", admin.do(http.MethodPut, acmePath+"/members/99999", map[string]any{}),
		http.StatusUnprocessableEntity, desk.EINVALID, "person_id")
	members, total := listOf[desk.TeamMember](t, agent.get(acmePath+"/members"))
	if total != 1 || members[0].PersonName != "Alice Anders" || members[0].Role != "Lead" {
		t.Fatalf("members %d %+v", total, members)
	}
	teams, total := listOf[desk.Team](t, agent.get("/api/v1/teams?member_id="+strconv.FormatInt(e.personA.ID, 10)))
	if total != 1 || teams[0].ID != acme.ID || teams[0].MemberCount != 1 {
		t.Fatalf("Alice's teams %d %+v", total, teams)
	}

	// Scope: the scoped agent sees Acme's team only.
	teams, total = listOf[desk.Team](t, scoped.get("/api/v1/teams"))
	if total != 1 || teams[0].ID != acme.ID {
		t.Fatalf("the scoped agent's teams %d %+v", total, teams)
	}
	wantAPIError(t, "another organization's team", scoped.get("/api/v1/teams/"+strconv.FormatInt(globex.ID, 10)),
		http.StatusNotFound, desk.ENOTFOUND, "")

	// Tickets take a team of their organization, and filter by it.
	tpath := "/api/v1/tickets/" + strconv.FormatInt(e.ticketA.ID, 10)
	wantAPIError(t, "another organization's team", agent.do(http.MethodPatch, tpath, map[string]any{"team_id": globex.ID}),
		http.StatusUnprocessableEntity, desk.EINVALID, "team_id")
	r = agent.do(http.MethodPatch, tpath, map[string]any{"team_id": acme.ID})
	wantAPIStatus(t, "assign the ticket to the team", r, http.StatusOK)
	var tk desk.Ticket
	r.decode(t, &tk)
	if tk.TeamID != acme.ID || tk.TeamName != "Acme desk" {
		t.Fatalf("ticket %+v", tk)
	}
	tickets, total := listOf[desk.Ticket](t, agent.get("/api/v1/tickets?team_id="+strconv.FormatInt(acme.ID, 10)))
	if total != 1 || tickets[0].ID != e.ticketA.ID {
		t.Fatalf("the team's tickets %d", total)
	}

	wantAPIStatus(t, "remove Alice", admin.do(http.MethodDelete, alice, nil), http.StatusNoContent)
	wantAPIError(t, "remove Alice again", admin.do(http.MethodDelete, alice, nil), http.StatusNotFound, desk.ENOTFOUND, "")
}
