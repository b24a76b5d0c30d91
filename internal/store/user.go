package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// FindUserByID returns the user of id. A user who may not read users (not an
// admin) finds only himself; others are ENOTFOUND. It reads with one
// statement (a call event's notice reads its agent).
func (db *DB) FindUserByID(ctx context.Context, id int64) (*desk.User, error) {
	tx, err := db.beginReadOne(ctx, "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUser(ctx, tx, desk.UserFilter{ID: &id})
}

// FindUserByLogin returns the user of login, whatever its case; login calls
// it under desk.NewSystemContext.
func (db *DB) FindUserByLogin(ctx context.Context, login string) (*desk.User, error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUser(ctx, tx, desk.UserFilter{Login: &login})
}

// FindUsers returns the users matching filter, by login, and their total
// count; only himself for a user who may not read users.
func (db *DB) FindUsers(ctx context.Context, filter desk.UserFilter) ([]*desk.User, int, error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findUsers(ctx, tx, filter)
}

// CreateUser validates u, checks its contact and organizations, inserts it and
// sets its ID and creation time. A login already used, in any case, is
// ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *desk.User) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassUser)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createUser(ctx, tx, u); err != nil {
		return edgeError(err)
	}
	return tx.commit()
}

// UpdateUser changes the attributes set in upd and returns the user. Without
// the right to modify users, a user may only change his own language.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd desk.UserUpdate) (*desk.User, error) {
	me := desk.UserFromContext(ctx)
	class := desk.ClassUser
	if me != nil && !me.Can(desk.ActionModify, desk.ClassUser) && me.ID == id && upd.PasswordHash == nil &&
		upd.ContactID == nil && upd.Roles == nil && upd.AllowedOrgIDs == nil && upd.Disabled == nil {
		class = "" // his own language
	}
	tx, err := db.beginWrite(ctx, desk.ActionModify, class)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := updateUser(ctx, tx, id, upd)
	if err != nil {
		return nil, edgeError(err)
	}
	return u, tx.commit()
}

func findUser(ctx context.Context, tx *Tx, filter desk.UserFilter) (*desk.User, error) {
	filter.Limit = 2 // one at most; 2 spares the count
	users, _, err := findUsers(ctx, tx, filter)
	if err != nil {
		return nil, err
	} else if len(users) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.user_not_found")
	}
	return users[0], nil
}

func findUsers(ctx context.Context, tx *Tx, filter desk.UserFilter) ([]*desk.User, int, error) {
	return findUsersWhere(ctx, tx, filter, conds{})
}

// findUsersWhere is findUsers with the conditions of c besides the filter's
// (on users u).
func findUsersWhere(ctx context.Context, tx *Tx, filter desk.UserFilter, c conds) ([]*desk.User, int, error) {
	if !tx.user.Can(desk.ActionRead, desk.ClassUser) {
		c.add("u.id = ?", tx.user.ID)
	}
	if filter.ID != nil {
		c.add("u.id = ?", *filter.ID)
	}
	if filter.Login != nil {
		c.add("lower(u.login) = lower(?)", *filter.Login)
	}
	offset, limit := page(filter.Offset, filter.Limit)
	// The roles and organizations come with each user (subqueries by the
	// primary keys of user_role and user_org): one statement, which
	// beginReadOne runs without a transaction.
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.login, u.password_hash, COALESCE(u.contact_id, 0),
		COALESCE(p.first_name, ''), COALESCE(p.name, ''), u.language, u.created_at, u.disabled_at,
		`+userGrantColumns(tx.dialect)+`
		FROM users u LEFT JOIN person p ON p.id = u.contact_id`+c.where()+
		" ORDER BY lower(u.login), u.id LIMIT ? OFFSET ?", append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var users []*desk.User
	for rows.Next() {
		var u desk.User
		var contact desk.Person
		var disabled sql.NullTime
		var roles, orgs string
		if err := rows.Scan(&u.ID, &u.Login, &u.PasswordHash, &u.ContactID, &contact.FirstName, &contact.Name,
			&u.Language, &u.CreatedAt, &disabled, &roles, &orgs); err != nil {
			return nil, 0, fmt.Errorf("find users: %w", err)
		}
		u.DisabledAt = timePtr(disabled)
		u.ContactName, u.CreatedAt = contact.FriendlyName(), u.CreatedAt.UTC()
		if err := setRolesAndOrgs(&u, roles, orgs); err != nil {
			return nil, 0, fmt.Errorf("find users: %w", err)
		}
		users = append(users, &u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	rows.Close()
	total := offset + len(users)
	if needCount(offset, limit, len(users)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users u"+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count users: %w", err)
		}
	}
	return users, total, nil
}

// sortRoles orders roles as desk.Roles lists them.
func sortRoles(roles []string) {
	slices.SortFunc(roles, func(a, b string) int { return slices.Index(desk.Roles, a) - slices.Index(desk.Roles, b) })
}

// setRolesAndOrgs sets the roles and allowed organizations of u from their
// comma-separated aggregates, as the one-statement reads of a session and an
// API token return them ("" for none).
func setRolesAndOrgs(u *desk.User, roles, orgs string) error {
	if roles != "" {
		u.Roles = strings.Split(roles, ",")
		sortRoles(u.Roles)
	}
	ids, err := parseIDList(orgs)
	if err != nil {
		return fmt.Errorf("organizations: %w", err)
	}
	u.AllowedOrgIDs = ids
	slices.Sort(u.AllowedOrgIDs)
	return nil
}

// userGrantColumns returns the columns of a user's roles and organizations
// (the user aliased u), each a text of values separated by commas, which
// setRolesAndOrgs reads: subqueries by the primary keys of user_role and
// user_org, so that a user is read with his grants in one statement.
func userGrantColumns(d oql.Dialect) string {
	return `COALESCE((SELECT ` + groupConcat(d, "role") + ` FROM user_role WHERE user_id = u.id), ''),
		COALESCE((SELECT ` + groupConcat(d, "org_id") + ` FROM user_org WHERE user_id = u.id), '')`
}

// checkUserRefs checks the contact and the allowed organizations of u.
func checkUserRefs(ctx context.Context, tx *Tx, u *desk.User) error {
	if u.ContactID != 0 {
		if _, err := checkPerson(ctx, tx, u.ContactID, "contact_id"); err != nil {
			return err
		}
	}
	return checkOrgs(ctx, tx, u.AllowedOrgIDs, "allowed_org_ids")
}

func createUser(ctx context.Context, tx *Tx, u *desk.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.Roles = distinctStrings(u.Roles)
	u.AllowedOrgIDs = distinct(u.AllowedOrgIDs)
	if err := checkUserRefs(ctx, tx, u); err != nil {
		return err
	}
	u.CreatedAt = tx.now
	err := tx.QueryRowContext(ctx, `INSERT INTO users (login, password_hash, contact_id, language, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, u.Login, u.PasswordHash, nullID(u.ContactID), u.Language, u.CreatedAt).Scan(&u.ID)
	if isUnique(err) {
		return loginTaken(u.Login)
	} else if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	if err := writeUserGrants(ctx, tx, u, true, true); err != nil {
		return err
	}
	sortRoles(u.Roles)
	slices.Sort(u.AllowedOrgIDs)
	return fillUserContactName(ctx, tx, u)
}

func loginTaken(login string) error {
	return &desk.Error{Code: desk.ECONFLICT, Field: "login", Key: "error.login_taken", Args: []any{login}}
}

// writeUserGrants replaces the roles and/or the allowed organizations of u.
func writeUserGrants(ctx context.Context, tx *Tx, u *desk.User, roles, orgs bool) error {
	if roles {
		if _, err := tx.ExecContext(ctx, "DELETE FROM user_role WHERE user_id = ?", u.ID); err != nil {
			return fmt.Errorf("write user roles: %w", err)
		}
		for _, r := range u.Roles {
			if _, err := tx.ExecContext(ctx, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", u.ID, r); err != nil {
				return fmt.Errorf("write user roles: %w", err)
			}
		}
	}
	if orgs {
		if _, err := tx.ExecContext(ctx, "DELETE FROM user_org WHERE user_id = ?", u.ID); err != nil {
			return fmt.Errorf("write user organizations: %w", err)
		}
		for _, o := range u.AllowedOrgIDs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO user_org (user_id, org_id) VALUES (?, ?)", u.ID, o); err != nil {
				return fmt.Errorf("write user organizations: %w", err)
			}
		}
	}
	return nil
}

func fillUserContactName(ctx context.Context, tx *Tx, u *desk.User) error {
	u.ContactName = ""
	if u.ContactID == 0 {
		return nil
	}
	var p desk.Person
	if err := tx.QueryRowContext(ctx, "SELECT first_name, name FROM person WHERE id = ?", u.ContactID).Scan(&p.FirstName, &p.Name); err != nil {
		return fmt.Errorf("user contact name: %w", err)
	}
	u.ContactName = p.FriendlyName()
	return nil
}

func updateUser(ctx context.Context, tx *Tx, id int64, upd desk.UserUpdate) (*desk.User, error) {
	if err := tx.lockRow(ctx, "users", id); err != nil {
		return nil, err
	}
	u, err := findUser(ctx, tx, desk.UserFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
	}
	if upd.ContactID != nil {
		u.ContactID = *upd.ContactID
	}
	if upd.Language != nil {
		u.Language = *upd.Language
	}
	if upd.Roles != nil {
		u.Roles = distinctStrings(upd.Roles)
	}
	if upd.AllowedOrgIDs != nil {
		u.AllowedOrgIDs = distinct(upd.AllowedOrgIDs)
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if upd.ContactID != nil && u.ContactID != 0 {
		if _, err := checkPerson(ctx, tx, u.ContactID, "contact_id"); err != nil {
			return nil, err
		}
	}
	if upd.AllowedOrgIDs != nil {
		if err := checkOrgs(ctx, tx, u.AllowedOrgIDs, "allowed_org_ids"); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, contact_id = ?, language = ? WHERE id = ?",
		u.PasswordHash, nullID(u.ContactID), u.Language, id); err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	if err := writeUserGrants(ctx, tx, u, upd.Roles != nil, upd.AllowedOrgIDs != nil); err != nil {
		return nil, err
	}
	if upd.Disabled != nil && *upd.Disabled != u.Disabled() {
		if err := setUserDisabled(ctx, tx, u, *upd.Disabled); err != nil {
			return nil, err
		}
	}
	sortRoles(u.Roles)
	slices.Sort(u.AllowedOrgIDs)
	if err := fillUserContactName(ctx, tx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// distinctStrings returns the distinct values of s, in first-seen order.
func distinctStrings(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// setUserDisabled disables u, ending his sessions, or enables him again. An
// administrator does not disable himself: nobody might be left to enable
// anyone.
func setUserDisabled(ctx context.Context, tx *Tx, u *desk.User, disabled bool) error {
	if !disabled {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled_at = NULL WHERE id = ?", u.ID); err != nil {
			return fmt.Errorf("enable user: %w", err)
		}
		u.DisabledAt = nil
		return nil
	}
	if tx.user != nil && tx.user.ID == u.ID {
		return desk.Invalid("disabled", "error.user_disable_self")
	}
	now := tx.now.UTC()
	if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled_at = ? WHERE id = ?", now, u.ID); err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM session WHERE user_id = ?", u.ID); err != nil {
		return fmt.Errorf("disable user: end sessions: %w", err)
	}
	u.DisabledAt = &now
	return nil
}
