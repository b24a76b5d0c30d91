package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

const agentSettingsSelect = `SELECT u.id, u.login, COALESCE(p.first_name, ''), COALESCE(p.name, ''),
	COALESCE(a.extension, ''), COALESCE(a.pop_on_answer, ?)
	FROM users u LEFT JOIN cti_agent a ON a.user_id = u.id LEFT JOIN person p ON p.id = u.contact_id`

func scanAgentSettings(rows *sql.Rows) (*desk.AgentSettings, error) {
	var a desk.AgentSettings
	var p desk.Person
	if err := rows.Scan(&a.UserID, &a.Login, &p.FirstName, &p.Name, &a.Extension, &a.PopOnAnswer); err != nil {
		return nil, err
	}
	a.Name = agentName(a.Login, p)
	return &a, nil
}

// FindAgentSettings returns the telephony settings of a user: his own, or
// anyone's for an admin; another user's are ENOTFOUND to others. It reads
// with one statement (at every answered call).
func (db *DB) FindAgentSettings(ctx context.Context, userID int64) (*desk.AgentSettings, error) {
	tx, err := db.beginReadOne(ctx, "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAgentSettings(ctx, tx, userID)
}

func findAgentSettings(ctx context.Context, tx *Tx, userID int64) (*desk.AgentSettings, error) {
	if userID != tx.user.ID && !tx.user.Can(desk.ActionRead, desk.ClassUser) {
		return nil, desk.NewError(desk.ENOTFOUND, "error.user_not_found")
	}
	rows, err := tx.QueryContext(ctx, agentSettingsSelect+" WHERE u.id = ?", true, userID)
	if err != nil {
		return nil, fmt.Errorf("find agent settings: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find agent settings: %w", err)
		}
		return nil, desk.NewError(desk.ENOTFOUND, "error.user_not_found")
	}
	a, err := scanAgentSettings(rows)
	if err != nil {
		return nil, fmt.Errorf("find agent settings: %w", err)
	}
	return a, nil
}

// FindAgentsSettings returns the settings of the users who have an
// extension, by login. Only an admin reads them.
func (db *DB) FindAgentsSettings(ctx context.Context) ([]*desk.AgentSettings, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, agentSettingsSelect+" WHERE a.extension <> '' ORDER BY lower(u.login), u.id", true)
	return collect(rows, err, "find agents settings", scanAgentSettings)
}

// UpdateAgentSettings changes the settings of user userID: the extension
// only for an admin, PopOnAnswer for the user himself too.
func (db *DB) UpdateAgentSettings(ctx context.Context, userID int64, upd desk.AgentSettingsUpdate) (*desk.AgentSettings, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	admin := tx.user.Can(desk.ActionModify, desk.ClassUser)
	if (userID != tx.user.ID || upd.Extension != nil) && !admin {
		return nil, desk.NewError(desk.EFORBIDDEN, "error.telephony_admin_only")
	}
	a, err := findAgentSettings(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if upd.Extension != nil {
		a.Extension = *upd.Extension
	}
	if upd.PopOnAnswer != nil {
		a.PopOnAnswer = *upd.PopOnAnswer
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cti_agent (user_id, extension, pop_on_answer) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET extension = excluded.extension, pop_on_answer = excluded.pop_on_answer`,
		userID, a.Extension, a.PopOnAnswer)
	if isUnique(err) {
		return nil, &desk.Error{Code: desk.ECONFLICT, Field: "extension", Key: "error.extension_taken",
			Args: []any{a.Extension}}
	} else if err != nil {
		return nil, fmt.Errorf("update agent settings: %w", err)
	}
	return a, tx.commit()
}

// findAgentsQuery finds the users a key designates, ranked: extension,
// login, contact's number (digits, then E.164 form), contact's name; its
// parameters are key, key, digits, E.164 form, key, key.
//
// The contact's numbers and name are read from the users, a few, through
// the primary keys of person_number and person, in subqueries run once per
// user: no index serves digits, e164 or a name's lower case, and joins from
// those tables scanned them (SQLite: every number, 200 ms a call event at
// 1,000,000 persons; PostgreSQL, which turns EXISTS and joins into merge
// joins: every number and every person, 860 ms; docs/performance.md).
const findAgentsQuery = `SELECT u.id, 1 FROM users u JOIN cti_agent a ON a.user_id = u.id
		WHERE a.extension = ? AND a.extension <> ''
	UNION ALL SELECT u.id, 2 FROM users u WHERE lower(u.login) = lower(?)
	UNION ALL SELECT u.id, 3 FROM users u WHERE (SELECT count(*) FROM person_number k
		WHERE k.person_id = u.contact_id AND ((k.digits = ? AND k.digits <> '') OR (k.e164 = ? AND k.e164 <> ''))) > 0
	UNION ALL SELECT u.id, 4 FROM users u WHERE (SELECT count(*) FROM person p
		WHERE p.id = u.contact_id AND (lower(p.first_name || ' ' || p.name) = lower(?) OR lower(p.name) = lower(?))) > 0
	ORDER BY 2, 1`

// FindAgents returns the users that key designates, by the first of these
// that finds any: extension, login (any case), the E.164 form or
// significant digits of their contact's phone numbers, their contact's
// full name (any case). It runs at call events, without a transaction: one
// statement finds the ids, one more (when some are found) reads their users;
// a user deleted in between is not found.
func (db *DB) FindAgents(ctx context.Context, key string) ([]*desk.User, error) {
	tx, err := db.beginReadOne(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 255 {
		return []*desk.User{}, nil
	}
	n := tx.phone.FromQuery(key)
	rows, err := tx.QueryContext(ctx, findAgentsQuery, key, key, n.Digits, n.E164, key, key)
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	var ids []int64
	best := 0
	for rows.Next() {
		var id int64
		var rank int
		if err := rows.Scan(&id, &rank); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find agents: %w", err)
		}
		if best == 0 {
			best = rank
		}
		if rank == best && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	users := []*desk.User{}
	if len(ids) == 0 {
		return users, nil
	}
	var c conds
	c.addIn("u.id", ids)
	found, _, err := findUsersWhere(ctx, tx, desk.UserFilter{Limit: maxLimit}, c)
	if err != nil {
		return nil, err
	}
	for _, id := range ids { // in the order of the ids
		if i := slices.IndexFunc(found, func(u *desk.User) bool { return u.ID == id }); i >= 0 {
			found[i].PasswordHash = ""
			users = append(users, found[i])
		}
	}
	return users, nil
}
