package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ctidesk/ctidesk/internal/csvimport"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The import of teams and of their members (docs/teams.md): a few hundred
// rows at most, written one by one through the team service, so that every
// row is checked as the pages check it. A team is found by its
// organization and name (any case) and updated, else created; a membership
// is added, or its role changed.

// teamImport counts what an import of teams or members did.
type teamImport struct {
	created, updated, unchanged, skipped int
}

// runTeamImport imports a CSV file of teams or of team members. Bad rows
// are reported on stderr with their line and skipped; the summary goes to
// stdout; it fails when any row was bad, after importing the others.
func (m *Main) runTeamImport(ctx context.Context, kind csvimport.Kind, path string) error {
	in, name, closeIn, err := m.openImportFile(path)
	if err != nil {
		return err
	}
	defer closeIn()
	r, err := csvimport.NewReader(in, kind)
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	ctx = desk.NewSystemContext(ctx)
	svc := m.DB.Services()
	var res teamImport
	bad := func(line int, err error) {
		res.skipped++
		var re *csvimport.RowError
		if errors.As(err, &re) {
			fmt.Fprintf(m.Stderr, "line %d: %s\n", re.Line, re.Reason)
			return
		}
		fmt.Fprintf(m.Stderr, "line %d: %s\n", line, rowReason(m.Messages, err))
	}
	for {
		var line int
		var err error
		if kind == csvimport.Teams {
			var row *csvimport.TeamRow
			if row, err = r.ReadTeam(); row != nil {
				line = row.Line
				err = importTeam(ctx, svc, row, &res)
			}
		} else {
			var row *csvimport.TeamMemberRow
			if row, err = r.ReadTeamMember(); row != nil {
				line = row.Line
				err = importTeamMember(ctx, svc, row, &res)
			}
		}
		var re *csvimport.RowError
		var de *desk.Error
		switch {
		case errors.Is(err, io.EOF):
		case errors.As(err, &re), errors.As(err, &de):
			bad(line, err)
			continue
		case err != nil:
			return fmt.Errorf("import %s: %w", name, err)
		default:
			continue
		}
		break
	}
	fmt.Fprintf(m.Stdout, "%s from %s: created %d, updated %d, unchanged %d, skipped %d (bad rows)\n",
		kind, name, res.created, res.updated, res.unchanged, res.skipped)
	if res.skipped > 0 {
		return fmt.Errorf("import %s: %d bad rows skipped (see above); the other rows were imported", name, res.skipped)
	}
	return nil
}

// importTeam creates or updates the team of row.
func importTeam(ctx context.Context, svc desk.Services, row *csvimport.TeamRow, res *teamImport) error {
	t := row.Team
	if t.OrgID == 0 {
		orgs, _, err := svc.Organizations.FindOrganizations(ctx, desk.OrganizationFilter{Name: &t.OrgName, Limit: 2})
		if err != nil {
			return err
		} else if len(orgs) == 0 {
			return desk.Invalid("org_name", "error.import_org_unknown", t.OrgName)
		}
		t.OrgID = orgs[0].ID
	}
	teams, _, err := svc.Teams.FindTeams(ctx, desk.TeamFilter{OrgID: &t.OrgID, Name: &t.Name, Limit: 2})
	if err != nil {
		return err
	}
	if len(teams) == 0 {
		if err := svc.Teams.CreateTeam(ctx, &t); err != nil {
			return err
		}
		res.created++
		return nil
	}
	old := teams[0]
	if t.Status == "" {
		t.Status = old.Status
	}
	if old.Name == strings.TrimSpace(t.Name) && old.Email == t.Email && old.Phone == t.Phone && old.Status == t.Status {
		res.unchanged++
		return nil
	}
	if _, err := svc.Teams.UpdateTeam(ctx, old.ID, desk.TeamUpdate{Name: &t.Name, Email: &t.Email, Phone: &t.Phone,
		Status: &t.Status}); err != nil {
		return err
	}
	res.updated++
	return nil
}

// importTeamMember adds the membership of row, or changes its role.
func importTeamMember(ctx context.Context, svc desk.Services, row *csvimport.TeamMemberRow, res *teamImport) error {
	filter := desk.TeamFilter{Name: &row.TeamName, Limit: 2}
	if row.OrgName != "" {
		orgs, _, err := svc.Organizations.FindOrganizations(ctx, desk.OrganizationFilter{Name: &row.OrgName, Limit: 2})
		if err != nil {
			return err
		} else if len(orgs) == 0 {
			return desk.Invalid("org_name", "error.import_org_unknown", row.OrgName)
		}
		filter.OrgID = &orgs[0].ID
	}
	teams, _, err := svc.Teams.FindTeams(ctx, filter)
	if err != nil {
		return err
	}
	switch len(teams) {
	case 0:
		return desk.Invalid("team_name", "error.import_team_unknown", row.TeamName)
	case 2:
		return desk.Invalid("team_name", "error.import_team_ambiguous", row.TeamName)
	}
	pf := desk.PersonFilter{Limit: 2}
	var field, value string
	switch {
	case row.PersonID != 0:
		pf.ID, field, value = &row.PersonID, "person_id", fmt.Sprint(row.PersonID)
	case row.PersonEmail != "":
		pf.Email, field, value = &row.PersonEmail, "person_email", row.PersonEmail
	default:
		pf.EmployeeNumber, field, value = &row.EmployeeNumber, "employee_number", row.EmployeeNumber
	}
	persons, _, err := svc.Persons.FindPersons(ctx, pf)
	if err != nil {
		return err
	}
	switch len(persons) {
	case 0:
		return desk.Invalid(field, "error.import_person_unknown", value)
	case 2:
		return desk.Invalid(field, "error.import_person_ambiguous", value)
	}
	members, err := svc.Teams.FindTeamMembers(ctx, teams[0].ID)
	if err != nil {
		return err
	}
	was := -1
	for i, mb := range members {
		if mb.PersonID == persons[0].ID {
			was = i
		}
	}
	role := strings.TrimSpace(row.Role)
	if was >= 0 && members[was].Role == role {
		res.unchanged++
		return nil
	}
	if err := svc.Teams.AddTeamMember(ctx, &desk.TeamMember{TeamID: teams[0].ID, PersonID: persons[0].ID, Role: role}); err != nil {
		return err
	}
	if was >= 0 {
		res.updated++
	} else {
		res.created++
	}
	return nil
}
