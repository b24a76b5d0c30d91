package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// tokenUseInterval is how stale last_used_at may get: AuthenticateAPIToken
// writes it at most this often per token, so that API reads do not each wait
// for the writer.
const tokenUseInterval = time.Minute

// CreateAPIToken returns a new random token for the user (desk.APITokenPrefix
// and 32 bytes in base64url) and its record; only the token's SHA-256 is
// kept. Only an admin may create a token for another user.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *desk.APIToken, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	if tx.user.ID != userID && !tx.user.Can(desk.ActionModify, desk.ClassUser) {
		return "", nil, desk.NewError(desk.EFORBIDDEN, "error.you_not_create_api_token")
	}
	name, err = desk.ValidateAPITokenName(name)
	if err != nil {
		return "", nil, err
	}
	t := &desk.APIToken{UserID: userID, Name: name, CreatedAt: tx.now}
	err = tx.QueryRowContext(ctx, "SELECT login FROM users WHERE id = ?", userID).Scan(&t.Login)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, desk.NewError(desk.ENOTFOUND, "error.user_not_found")
	} else if err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	token := desk.APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	if err := tx.QueryRowContext(ctx, `INSERT INTO api_token (token_hash, user_id, name, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, tokenHash(token), userID, t.Name, t.CreatedAt).Scan(&t.ID); err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	if err := tx.commit(); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// FindAPITokenByID returns the token of id: ENOTFOUND when it does not exist,
// or is another user's and the user in ctx is not an admin.
func (db *DB) FindAPITokenByID(ctx context.Context, id int64) (*desk.APIToken, error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAPIToken(ctx, tx, id)
}

// FindAPITokens returns the tokens matching filter, newest first, and their
// total count: a user who is not an admin finds only his own.
func (db *DB) FindAPITokens(ctx context.Context, filter desk.APITokenFilter) ([]*desk.APIToken, int, error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findAPITokens(ctx, tx, filter)
}

// RevokeAPIToken revokes the token of id, found as FindAPITokenByID finds it,
// and returns it; a token revoked already keeps its first revocation time.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64) (*desk.APIToken, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.lockRow(ctx, "api_token", id); err != nil {
		return nil, err
	}
	t, err := findAPIToken(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if t.RevokedAt == nil {
		if _, err := tx.ExecContext(ctx, "UPDATE api_token SET revoked_at = ? WHERE id = ?", tx.now, id); err != nil {
			return nil, fmt.Errorf("revoke API token: %w", err)
		}
		now := tx.now
		t.RevokedAt = &now
	}
	return t, tx.commit()
}

// AuthenticateAPIToken returns the record of token and its user, with roles and
// allowed organizations (not the password hash, which a token's request does
// not need); EUNAUTHORIZED for an unknown or revoked token. It runs once per
// API request, so it reads with one statement, without a transaction (as the
// caller lookups do), and records the use at most once every
// tokenUseInterval.
func (db *DB) AuthenticateAPIToken(ctx context.Context, token string) (*desk.APIToken, *desk.User, error) {
	if !strings.HasPrefix(token, desk.APITokenPrefix) || len(token) > 256 {
		return nil, nil, desk.NewError(desk.EUNAUTHORIZED, "error.unknown_api_token")
	}
	rows, err := db.queryReadSQL(ctx, authenticateAPITokenSQL[db.dialect], tokenHash(token))
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate API token: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("authenticate API token: %w", err)
		}
		return nil, nil, desk.NewError(desk.EUNAUTHORIZED, "error.unknown_api_token")
	}
	var t desk.APIToken
	var u desk.User
	var contact desk.Person
	var used, revoked sql.NullTime
	var roles, orgs string
	if err := rows.Scan(&t.ID, &t.UserID, &t.Login, &t.Name, &t.CreatedAt, &used, &revoked, &u.ContactID,
		&contact.FirstName, &contact.Name, &u.Language, &u.CreatedAt, &roles, &orgs); err != nil {
		return nil, nil, fmt.Errorf("authenticate API token: %w", err)
	}
	rows.Close()
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), timePtr(used), timePtr(revoked)
	if t.Revoked() {
		return nil, nil, desk.NewError(desk.EUNAUTHORIZED, "error.api_token_revoked")
	}
	u.ID, u.Login, u.ContactName, u.CreatedAt = t.UserID, t.Login, contact.FriendlyName(), u.CreatedAt.UTC()
	if err := setRolesAndOrgs(&u, roles, orgs); err != nil {
		return nil, nil, fmt.Errorf("authenticate API token: %w", err)
	}
	now := db.now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= tokenUseInterval {
		if _, err := db.write.ExecContext(ctx, db.sql(`UPDATE api_token SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`),
			now, t.ID, now.Add(-tokenUseInterval)); err != nil {
			return nil, nil, fmt.Errorf("record API token use: %w", err)
		}
		t.LastUsedAt = &now
	}
	return &t, &u, nil
}

// authenticateAPITokenSQL is the statement of AuthenticateAPIToken, by
// dialect, built once: it runs at every API request.
var authenticateAPITokenSQL = map[oql.Dialect]string{
	oql.SQLite:     authenticateAPITokenQuery(oql.SQLite),
	oql.PostgreSQL: authenticateAPITokenQuery(oql.PostgreSQL),
}

func authenticateAPITokenQuery(d oql.Dialect) string {
	return rebind(d, `SELECT t.id, t.user_id, u.login, t.name, t.created_at, t.last_used_at, t.revoked_at,
		COALESCE(u.contact_id, 0), COALESCE(p.first_name, ''), COALESCE(p.name, ''), u.language, u.created_at,
		`+userGrantColumns(d)+`
		FROM api_token t JOIN users u ON u.id = t.user_id LEFT JOIN person p ON p.id = u.contact_id
		WHERE t.token_hash = ? AND u.disabled_at IS NULL`)
}

const apiTokenSelect = `SELECT t.id, t.user_id, u.login, t.name, t.created_at, t.last_used_at, t.revoked_at
	FROM api_token t JOIN users u ON u.id = t.user_id`

func findAPIToken(ctx context.Context, tx *Tx, id int64) (*desk.APIToken, error) {
	tokens, _, err := findAPITokens(ctx, tx, desk.APITokenFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(tokens) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.api_token_not_found")
	}
	return tokens[0], nil
}

func findAPITokens(ctx context.Context, tx *Tx, filter desk.APITokenFilter) ([]*desk.APIToken, int, error) {
	var c conds
	if !tx.user.Can(desk.ActionModify, desk.ClassUser) {
		c.add("t.user_id = ?", tx.user.ID)
	}
	if filter.ID != nil {
		c.add("t.id = ?", *filter.ID)
	}
	if filter.UserID != nil {
		c.add("t.user_id = ?", *filter.UserID)
	}
	if filter.Active {
		c.add("t.revoked_at IS NULL")
	}
	offset, limit := page(filter.Offset, filter.Limit)
	tokens, err := scanAPITokens(ctx, tx, apiTokenSelect+c.where()+" ORDER BY t.id DESC LIMIT ? OFFSET ?",
		append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	total := offset + len(tokens)
	if needCount(offset, limit, len(tokens)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM api_token t"+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count API tokens: %w", err)
		}
	}
	return tokens, total, nil
}

// scanAPITokens runs a query of apiTokenSelect's columns.
func scanAPITokens(ctx context.Context, tx *Tx, query string, args ...any) ([]*desk.APIToken, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	return collect(rows, err, "find API tokens", func(rows *sql.Rows) (*desk.APIToken, error) {
		var t desk.APIToken
		var used, revoked sql.NullTime
		err := rows.Scan(&t.ID, &t.UserID, &t.Login, &t.Name, &t.CreatedAt, &used, &revoked)
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), timePtr(used), timePtr(revoked)
		return &t, err
	})
}
