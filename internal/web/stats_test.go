package web_test

import (
	"github.com/ctidesk/ctidesk/internal/desk"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestStatsPage: /stats counts the calls of the period, as charts with
// their tables and as CSV; an agent counts his own calls, an administrator
// every call, a scoped agent only those of his organizations.
func TestStatsPage(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	answer := func(id, from, ext string) {
		t.Helper()
		for _, ev := range []string{"newCall", "answer", "hangup"} {
			wantAPIStatus(t, ev, ce.event(t, callForm(ev, id, from, "user[]", ext, "queue", "support")), http.StatusOK)
		}
	}
	answer("s1", "+15550100199", "201") // Alice (Acme), the agent
	answer("s2", "+33987654321", "201") // Bob (Globex), the agent
	ce.missCall(t, "s3", "+15550100199", "203")
	answer("s4", "+15550100199", "203") // Alice, the scoped agent: closes her callback

	admin := ce.MustLogin(t, "admin")
	r := admin.get("/stats")
	wantStatus(t, "stats", r, http.StatusOK)
	for _, want := range []string{`id="stat-answered"><strong>3</strong>`, `id="stat-missed"><strong>1</strong>`,
		`id="stat-rate"><strong>75 %</strong>`, `<svg class="chart"`, `id="table-hours"`, `id="table-days"`,
		`<th scope="row">support</th><td>3</td><td>0</td><td>100 %</td>`, `<th scope="row">(no queue)</th><td>0</td><td>1</td>`, `id="stat-callbacks"><strong>1 of 1</strong>`,
		"Every call you may see."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("admin's statistics lack %q", want)
		}
	}
	scoped := ce.MustLogin(t, "scoped")
	r = scoped.get("/stats")
	for _, want := range []string{`id="stat-answered"><strong>1</strong>`, `id="stat-missed"><strong>1</strong>`,
		"Your calls"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the scoped agent's statistics lack %q", want)
		}
	}
	agent := ce.MustLogin(t, "agent")
	r = agent.get("/stats")
	if !strings.Contains(r.body, `id="stat-answered"><strong>2</strong>`) || !strings.Contains(r.body, `id="stat-missed"><strong>0</strong>`) {
		t.Errorf("the agent's own statistics are not his 2 answered calls")
	}
	r = admin.get("/stats.csv")
	wantStatus(t, "csv", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV content type %q", ct)
	}
	lines := strings.Split(r.body, "\n")
	if lines[0] != "group,key,answered,missed,outbound,answer_rate,answer_p50_s,answer_p90_s,talk_avg_s,talk_total_s" ||
		!strings.HasPrefix(lines[1], "all,,3,1,0,0.7500,") || !strings.Contains(r.body, "\nqueue,support,3,0,0,1.0000,") ||
		!strings.Contains(r.body, "\ncallbacks,,1,0,") {
		t.Errorf("CSV:\n%s", r.body)
	}
	for _, q := range []string{"from=yesterday", "from=2026-01-10&to=2026-01-01", "from=2020-01-01&to=2026-01-01"} {
		wantStatus(t, q, admin.get("/stats?"+q), http.StatusBadRequest)
	}
	wantStatus(t, "viewer", ce.MustLogin(t, "viewer").get("/stats"), http.StatusOK)

	// A team made of the agent's person: its statistics are the agent's
	// calls, for him (a member) and for the admin; the scoped agent, no
	// member, may not choose it.
	ada, _, err := ce.svc.Persons.FindPersons(ce.sys, desk.PersonFilter{Query: "Ada Agent"})
	if err != nil || len(ada) != 1 {
		t.Fatalf("the agent's contact: %v %v", ada, err)
	}
	team := &desk.Team{Name: "First line", OrgID: ada[0].OrgID}
	if err := ce.svc.Teams.CreateTeam(ce.sys, team); err != nil {
		t.Fatal(err)
	}
	if err := ce.svc.Teams.AddTeamMember(ce.sys, &desk.TeamMember{TeamID: team.ID, PersonID: ada[0].ID}); err != nil {
		t.Fatal(err)
	}
	q := "/stats?team_id=" + strconv.FormatInt(team.ID, 10)
	for _, c := range []*client{agent, admin} {
		r = c.get(q)
		wantStatus(t, "team statistics", r, http.StatusOK)
		wantContains(t, "team statistics", r, `id="stat-answered"><strong>2</strong>`, `id="stat-missed"><strong>0</strong>`,
			`id="stat-rate"><strong>100 %</strong>`, "The calls of team First line", `<option value="`+strconv.FormatInt(team.ID, 10)+`" selected>`,
			`<th scope="row">support</th><td>2</td><td>0</td><td>100 %</td>`, "team_id="+strconv.FormatInt(team.ID, 10))
	}
	r = agent.get("/stats.csv?team_id=" + strconv.FormatInt(team.ID, 10))
	if !strings.Contains(r.body, "\nall,,2,0,0,1.0000,") {
		t.Errorf("team CSV:\n%s", r.body)
	}
	wantStatus(t, "the scoped agent asks another's team", scoped.get(q), http.StatusForbidden)
}
