package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestImportTeams: `ctidesk import teams` then `import team-members`, as
// docs/teams.md shows them; bad rows are named by line and reason, the
// others imported; importing again changes nothing.
func TestImportTeams(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "teams.db")
	out, err := runCommand(t, "name,code\nAcme,AC\nBeta,BE\n", nil, "import", "organizations", "-", "--db", db)
	if err != nil {
		t.Fatalf("import organizations: %v\n%s", err, out)
	}
	out, err = runCommand(t, "first_name,name,email,employee_number,org_name\nAnn,Agent,ann@acme.example,E1,Acme\n"+
		"Bob,Tech,bob@acme.example,E2,Acme\nCid,Beta,cid@beta.example,E3,Beta\n", nil, "import", "persons", "-", "--db", db)
	if err != nil {
		t.Fatalf("import persons: %v\n%s", err, out)
	}

	teams := "Team;Organization;Email;Phone;Status\nService desk;Acme;desk@acme.example;+1 212 555 0100;active\n" +
		"Network;Acme;;;\nService desk;Beta;;;\nGhosts;Nowhere Ltd;;;\n;Acme;;;\n"
	out, err = runCommand(t, teams, nil, "import", "teams", "-", "--db", db)
	if err == nil || !strings.Contains(out, "teams from stdin: created 3, updated 0, unchanged 0, skipped 2 (bad rows)") ||
		!strings.Contains(out, `line 5: org_name: no organization is named "Nowhere Ltd"`) ||
		!strings.Contains(out, "line 6: name: a team's name is required") {
		t.Fatalf("import teams: %v\n%s", err, out)
	}
	out, err = runCommand(t, "name,org_name,email\nNetwork,Acme,net@acme.example\nService desk,Beta,\n", nil,
		"import", "teams", "-", "--db", db)
	if err != nil || !strings.Contains(out, "created 0, updated 1, unchanged 1, skipped 0") {
		t.Fatalf("import teams again: %v\n%s", err, out)
	}

	members := "team_name,org_name,person_email,employee_number,role\nService desk,Acme,ann@acme.example,,Lead\n" +
		"Service desk,Acme,,E2,Member\nNetwork,,bob@acme.example,,\nService desk,,cid@beta.example,,\n" +
		"Service desk,Beta,nobody@beta.example,,\n"
	out, err = runCommand(t, members, nil, "import", "team-members", "-", "--db", db)
	if err == nil || !strings.Contains(out, "team-members from stdin: created 3, updated 0, unchanged 0, skipped 2 (bad rows)") ||
		!strings.Contains(out, `line 5: team_name: several organizations have a team named "Service desk"`) ||
		!strings.Contains(out, `line 6: person_email: no person has "nobody@beta.example"`) {
		t.Fatalf("import team members: %v\n%s", err, out)
	}
	out, err = runCommand(t, "team,organization,email,role\nService desk,Acme,ann@acme.example,Manager\n", nil,
		"import", "team-members", "-", "--db", db)
	if err != nil || !strings.Contains(out, "created 0, updated 1, unchanged 0, skipped 0") {
		t.Fatalf("change a role: %v\n%s", err, out)
	}

	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sys := desk.NewSystemContext(ctx)
	name := "Service desk"
	found, _, err := s.FindTeams(sys, desk.TeamFilter{Name: &name})
	if err != nil || len(found) != 2 || found[0].OrgName != "Acme" || found[0].MemberCount != 2 || found[0].Email != "desk@acme.example" {
		t.Fatalf("teams %+v, %v", found, err)
	}
	got, err := s.FindTeamMembers(sys, found[0].ID)
	if err != nil || len(got) != 2 || got[0].PersonName != "Ann Agent" || got[0].Role != "Manager" || got[1].Role != "Member" {
		t.Fatalf("members %+v, %v", got, err)
	}
}
