package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Teams (desk.Team) and their members (desk.TeamMember); the tables are in
// migrations/*/0017_teams.sql. A team belongs to an organization: a user
// sees the teams of the organizations he sees, their members, and (in
// ticket.go) their tickets. Agents read teams; admins write them.

// FindTeamByID returns the team of id, ENOTFOUND when it does not exist or
// belongs to an organization outside the user's.
func (db *DB) FindTeamByID(ctx context.Context, id int64) (*desk.Team, error) {
	tx, err := db.beginRead(ctx, desk.ClassTeam)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findTeamByID(ctx, tx, id)
}

// FindTeams returns the teams matching filter, by name, and their total
// count.
func (db *DB) FindTeams(ctx context.Context, filter desk.TeamFilter) ([]*desk.Team, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassTeam)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findTeams(ctx, tx, filter)
}

// CreateTeam validates t, inserts it and sets its ID.
func (db *DB) CreateTeam(ctx context.Context, t *desk.Team) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassTeam)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := t.Validate(); err != nil {
		return err
	}
	if err := checkOrg(ctx, tx, t.OrgID, "org_id"); err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, "INSERT INTO team (name, org_id, email, phone, status) VALUES (?, ?, ?, ?, ?) RETURNING id",
		t.Name, t.OrgID, t.Email, t.Phone, t.Status).Scan(&t.ID)
	if isUnique(err) {
		return teamNameTaken(t.Name)
	} else if err != nil {
		return fmt.Errorf("insert team: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT name FROM organization WHERE id = ?", t.OrgID).Scan(&t.OrgName); err != nil {
		return fmt.Errorf("insert team: %w", err)
	}
	t.MemberCount = 0
	return tx.commit()
}

// UpdateTeam changes the set fields of upd on the team of id.
func (db *DB) UpdateTeam(ctx context.Context, id int64, upd desk.TeamUpdate) (*desk.Team, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassTeam)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.lockRow(ctx, "team", id); err != nil {
		return nil, err
	}
	t, err := findTeamByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	old := *t
	upd.Apply(t)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.OrgID != old.OrgID {
		if err := checkOrg(ctx, tx, t.OrgID, "org_id"); err != nil {
			return nil, err
		}
		// A ticket's team is of the ticket's organization: a team with
		// tickets stays in its organization.
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM ticket WHERE team_id = ?", id).Scan(&n); err != nil {
			return nil, fmt.Errorf("update team: %w", err)
		} else if n > 0 {
			return nil, desk.Invalid("org_id", "error.team_has_tickets", n)
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE team SET name = ?, org_id = ?, email = ?, phone = ?, status = ? WHERE id = ?",
		t.Name, t.OrgID, t.Email, t.Phone, t.Status, id)
	if isUnique(err) {
		return nil, teamNameTaken(t.Name)
	} else if err != nil {
		return nil, fmt.Errorf("update team: %w", err)
	}
	if t, err = findTeamByID(ctx, tx, id); err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// FindTeamMembers returns the members of the team of id, by name.
func (db *DB) FindTeamMembers(ctx context.Context, team int64) ([]*desk.TeamMember, error) {
	tx, err := db.beginRead(ctx, desk.ClassTeam)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := findTeamByID(ctx, tx, team); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.person_id, p.first_name, p.name, p.email, l.team_id, t.name, l.role
		FROM lnk_person_to_team l JOIN person p ON p.id = l.person_id JOIN team t ON t.id = l.team_id
		WHERE l.team_id = ? ORDER BY p.name, p.first_name, p.id`, team)
	members, err := collect(rows, err, "find team members", func(rows *sql.Rows) (*desk.TeamMember, error) {
		var m desk.TeamMember
		var p desk.Person
		err := rows.Scan(&m.ID, &m.PersonID, &p.FirstName, &p.Name, &m.PersonEmail, &m.TeamID, &m.TeamName, &m.Role)
		m.PersonName = p.FriendlyName()
		return &m, err
	})
	if members == nil && err == nil {
		members = []*desk.TeamMember{}
	}
	return members, err
}

// AddTeamMember makes person m.PersonID a member of team m.TeamID with
// m.Role, or changes his role when he is one already, and sets m's ID and
// names. The user must see both the team and the person.
func (db *DB) AddTeamMember(ctx context.Context, m *desk.TeamMember) error {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassTeam)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := m.Validate(); err != nil {
		return err
	}
	team, err := findTeamByID(ctx, tx, m.TeamID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return desk.Invalid("team_id", "error.team_not_found")
	} else if err != nil {
		return err
	}
	if _, err := checkPerson(ctx, tx, m.PersonID, "person_id"); err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, "SELECT id FROM lnk_person_to_team WHERE team_id = ? AND person_id = ?", m.TeamID, m.PersonID).Scan(&m.ID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = tx.QueryRowContext(ctx, "INSERT INTO lnk_person_to_team (person_id, team_id, role) VALUES (?, ?, ?) RETURNING id",
			m.PersonID, m.TeamID, m.Role).Scan(&m.ID)
	case err == nil:
		_, err = tx.ExecContext(ctx, "UPDATE lnk_person_to_team SET role = ? WHERE id = ?", m.Role, m.ID)
	}
	if err != nil {
		return fmt.Errorf("add team member: %w", err)
	}
	var p desk.Person
	if err := tx.QueryRowContext(ctx, "SELECT first_name, name, email FROM person WHERE id = ?", m.PersonID).Scan(&p.FirstName, &p.Name,
		&m.PersonEmail); err != nil {
		return fmt.Errorf("add team member: %w", err)
	}
	m.PersonName, m.TeamName = p.FriendlyName(), team.Name
	return tx.commit()
}

// RemoveTeamMember ends the membership of person in team; ENOTFOUND when
// he is not a member (or the user does not see the team).
func (db *DB) RemoveTeamMember(ctx context.Context, team, person int64) error {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassTeam)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findTeamByID(ctx, tx, team); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM lnk_person_to_team WHERE team_id = ? AND person_id = ?", team, person)
	if err != nil {
		return fmt.Errorf("remove team member: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("remove team member: %w", err)
	} else if n == 0 {
		return desk.NewError(desk.ENOTFOUND, "error.team_member_not_found")
	}
	return tx.commit()
}

// FindTeamAgents returns the users whose contact person is a member of the
// team of id, by login, with roles and organizations: the agents the calls
// of a queue mapped to the team ring for. Only a reader of users (an admin,
// the system) calls it.
func (db *DB) FindTeamAgents(ctx context.Context, team int64) ([]*desk.User, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var c conds
	c.add("u.contact_id IN (SELECT person_id FROM lnk_person_to_team WHERE team_id = ?)", team)
	c.add("u.disabled_at IS NULL")
	return agentUsers(ctx, tx, c)
}

func findTeamByID(ctx context.Context, tx *Tx, id int64) (*desk.Team, error) {
	teams, _, err := findTeams(ctx, tx, desk.TeamFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(teams) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.team_not_found")
	}
	return teams[0], nil
}

func findTeams(ctx context.Context, tx *Tx, filter desk.TeamFilter) ([]*desk.Team, int, error) {
	if err := checkQuery(filter.Query); err != nil {
		return nil, 0, err
	}
	var c conds
	if scope := tx.scope(); scope != nil {
		c.addIn("t.org_id", scope)
	}
	if filter.ID != nil {
		c.add("t.id = ?", *filter.ID)
	}
	if filter.IDs != nil {
		c.addIn("t.id", filter.IDs)
	}
	if filter.OrgID != nil {
		c.add("t.org_id = ?", *filter.OrgID)
	}
	if filter.Name != nil {
		c.add("lower(t.name) = lower(?)", strings.TrimSpace(*filter.Name))
	}
	if filter.MemberID != nil {
		c.add("t.id IN (SELECT team_id FROM lnk_person_to_team WHERE person_id = ?)", *filter.MemberID)
	}
	if q := strings.TrimSpace(filter.Query); q != "" {
		c.add(`t.name `+tx.like()+` ? ESCAPE '\'`, likePattern(q))
	}
	offset, limit := page(filter.Offset, filter.Limit)
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.name, t.org_id, o.name, t.email, t.phone, t.status,
		(SELECT COUNT(*) FROM lnk_person_to_team l WHERE l.team_id = t.id)
		FROM team t JOIN organization o ON o.id = t.org_id`+c.where()+
		" ORDER BY lower(t.name), o.name, t.id LIMIT ? OFFSET ?", append(c.args, limit, offset)...)
	teams, err := collect(rows, err, "find teams", func(rows *sql.Rows) (*desk.Team, error) {
		var t desk.Team
		err := rows.Scan(&t.ID, &t.Name, &t.OrgID, &t.OrgName, &t.Email, &t.Phone, &t.Status, &t.MemberCount)
		return &t, err
	})
	if err != nil {
		return nil, 0, err
	}
	total := offset + len(teams)
	if needCount(offset, limit, len(teams)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM team t"+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count teams: %w", err)
		}
	}
	return teams, total, nil
}

// checkTeam returns EINVALID on field unless team id exists, the user sees
// it, and it belongs to organization orgID (a ticket's team is of the
// ticket's organization).
func checkTeam(ctx context.Context, tx *Tx, id, orgID int64, field string) error {
	var teamOrg int64
	err := tx.QueryRowContext(ctx, "SELECT org_id FROM team WHERE id = ?", id).Scan(&teamOrg)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !tx.user.SeesOrg(teamOrg)) {
		return desk.Invalid(field, "error.unknown_team")
	} else if err != nil {
		return fmt.Errorf("check team: %w", err)
	} else if orgID != 0 && teamOrg != orgID {
		return desk.Invalid(field, "error.team_other_org")
	}
	return nil
}

func teamNameTaken(name string) error {
	return &desk.Error{Code: desk.ECONFLICT, Field: "name", Key: "error.team_name_taken", Args: []any{name}}
}
