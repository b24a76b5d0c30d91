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
		return "", nil, desk.Errorf(desk.EFORBIDDEN, "You may not open a session for another user.")
	}
	if ttl < time.Second {
		return "", nil, desk.FieldErrorf("ttl", "A session must last at least a second.")
	}
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", userID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return "", nil, desk.Errorf(desk.ENOTFOUND, "User not found.")
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
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var s desk.Session
	err = tx.QueryRowContext(ctx, "SELECT id, user_id, created_at, expires_at FROM session WHERE token_hash = ?",
		tokenHash(token)).Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, desk.Errorf(desk.ENOTFOUND, "Session not found.")
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	if !tx.now.Before(s.ExpiresAt) {
		return nil, nil, desk.Errorf(desk.ENOTFOUND, "Session expired.")
	}
	// The token proves who the user is: read him whatever the acting user.
	tx.user = &desk.User{Roles: []string{desk.RoleAdmin}}
	u, err := findUser(ctx, tx, desk.UserFilter{ID: &s.UserID})
	if err != nil {
		return nil, nil, err
	}
	return &s, u, nil
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
