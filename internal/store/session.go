package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// tokenHash returns the hex SHA-256 of a session token, which is all the
// database keeps of it.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession returns a new random token (32 bytes, base64url) for the user,
// valid for ttl. Only an admin (or the system) may open a session for another
// user. Expired sessions are purged on the way.
func (db *DB) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, *desk.Session, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	if tx.user.ID != userID && !tx.user.Can(desk.ActionModify, desk.ClassUser) {
		return "", nil, desk.NewError(desk.EFORBIDDEN, "error.you_not_open_session_another")
	}
	if ttl < time.Second {
		return "", nil, desk.Invalid("ttl", "error.session_too_short")
	}
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", userID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return "", nil, desk.NewError(desk.ENOTFOUND, "error.user_not_found")
	} else if err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("create session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	s := &desk.Session{UserID: userID, CreatedAt: tx.now, ExpiresAt: dbTime(tx.now.Add(ttl))}
	if _, err := tx.ExecContext(ctx, "DELETE FROM session WHERE expires_at <= ?", tx.now); err != nil {
		return "", nil, fmt.Errorf("purge sessions: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "INSERT INTO session (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id",
		tokenHash(token), userID, s.CreatedAt, s.ExpiresAt).Scan(&s.ID); err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	if err := tx.commit(); err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// FindSession returns the unexpired session of token and its user, with roles
// and organizations; ENOTFOUND for an unknown or expired token.
func (db *DB) FindSession(ctx context.Context, token string) (*desk.Session, *desk.User, error) {
	if desk.UserFromContext(ctx) == nil {
		return nil, nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	// One statement, the user's roles and organizations with him, on the
	// lookups' prepared statements: every page and pop starts here, and on
	// PostgreSQL a transaction of four reads was six round trips.
	rows, err := db.queryReadSQL(ctx, findSessionSQL[db.dialect], tokenHash(token))
	if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("find session: %w", err)
		}
		return nil, nil, desk.NewError(desk.ENOTFOUND, "error.session_not_found")
	}
	var s desk.Session
	var u desk.User
	var contact desk.Person
	var disabled sql.NullTime
	var roles, orgs string
	if err := rows.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.ExpiresAt, &u.Login, &u.PasswordHash, &u.ContactID,
		&contact.FirstName, &contact.Name, &u.Language, &u.CreatedAt, &disabled, &roles, &orgs); err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	rows.Close()
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	if !db.now().Before(s.ExpiresAt) {
		return nil, nil, desk.NewError(desk.ENOTFOUND, "error.session_expired")
	}
	u.ID, u.DisabledAt = s.UserID, timePtr(disabled)
	u.ContactName, u.CreatedAt = contact.FriendlyName(), u.CreatedAt.UTC()
	if u.Disabled() {
		return nil, nil, desk.NewError(desk.ENOTFOUND, "error.session_not_found")
	}
	if err := setRolesAndOrgs(&u, roles, orgs); err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	return &s, &u, nil
}

// findSessionSQL is the statement of FindSession, by dialect, built once.
var findSessionSQL = map[oql.Dialect]string{
	oql.SQLite:     findSessionQuery(oql.SQLite),
	oql.PostgreSQL: findSessionQuery(oql.PostgreSQL),
}

func findSessionQuery(d oql.Dialect) string {
	return rebind(d, `SELECT s.id, s.user_id, s.created_at, s.expires_at, u.login, u.password_hash,
		COALESCE(u.contact_id, 0), COALESCE(p.first_name, ''), COALESCE(p.name, ''), u.language, u.created_at,
		u.disabled_at,
		`+userGrantColumns(d)+`
		FROM session s JOIN users u ON u.id = s.user_id LEFT JOIN person p ON p.id = u.contact_id
		WHERE s.token_hash = ?`)
}

// DeleteSession ends the session of token; an unknown token is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM session WHERE token_hash = ?", tokenHash(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return tx.commit()
}

// DeleteUserSessions ends every session of the user and returns how many
// there were. A user may end his own; an admin (or the system) anyone's.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if tx.user.ID != userID && !tx.user.Can(desk.ActionModify, desk.ClassUser) {
		return 0, desk.NewError(desk.EFORBIDDEN, "error.you_not_end_sessions_another")
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM session WHERE user_id = ?", userID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	if err := tx.commit(); err != nil {
		return 0, err
	}
	return int(n), nil
}

// loginFailureKeep is how long a failed login is kept: longer than any
// window the web layer counts over.
const loginFailureKeep = 24 * time.Hour

// RecordLoginFailure keeps a failed login of login from address, and purges
// the failures older than a day. Logging in needs no user: the caller is the
// system.
func (db *DB) RecordLoginFailure(ctx context.Context, login, address string) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM login_failure WHERE failed_at < ?", dbTime(tx.now.Add(-loginFailureKeep))); err != nil {
		return fmt.Errorf("purge login failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO login_failure (login, address, failed_at) VALUES (?, ?, ?)",
		login, address, dbTime(tx.now)); err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return tx.commit()
}

// CountLoginFailures returns how many failed logins of login, and how many
// from address, happened at since or later.
func (db *DB) CountLoginFailures(ctx context.Context, login, address string, since time.Time) (byLogin, byAddress int, err error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failure WHERE login = ? AND failed_at >= ?",
		login, dbTime(since)).Scan(&byLogin); err != nil {
		return 0, 0, fmt.Errorf("count login failures: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failure WHERE address = ? AND failed_at >= ?",
		address, dbTime(since)).Scan(&byAddress); err != nil {
		return 0, 0, fmt.Errorf("count login failures: %w", err)
	}
	return byLogin, byAddress, nil
}

// ClearLoginFailures forgets the failed logins of login (an empty login is
// never counted). They still count against their address: a guesser does not get a fresh count by logging in to an
// account of his own.
func (db *DB) ClearLoginFailures(ctx context.Context, login string) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The rows stay, without their login, to count against their address.
	if _, err := tx.ExecContext(ctx, "UPDATE login_failure SET login = '' WHERE login = ?", login); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return tx.commit()
}
