package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// CreateIntegration returns a new random token (desk.IntegrationTokenPrefix
// and 32 bytes in base64url) for a new integration; only its SHA-256 is kept.
func (db *DB) CreateIntegration(ctx context.Context, name string) (string, *desk.Integration, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return "", nil, err
	}
	if name, err = desk.ValidateIntegrationName(name); err != nil {
		return "", nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("create integration: %w", err)
	}
	token := desk.IntegrationTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	i := &desk.Integration{Name: name, CreatedAt: tx.now, RingAllAgents: true}
	if err := tx.QueryRowContext(ctx, `INSERT INTO cti_integration (name, token_hash, created_at) VALUES (?, ?, ?)
		RETURNING id`, name, tokenHash(token), tx.now).Scan(&i.ID); err != nil {
		return "", nil, fmt.Errorf("create integration: %w", err)
	}
	if err := tx.commit(); err != nil {
		return "", nil, err
	}
	return token, i, nil
}

// FindIntegrations returns every integration, newest first.
func (db *DB) FindIntegrations(ctx context.Context) ([]*desk.Integration, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findIntegrations(ctx, tx, nil)
}

func findIntegrations(ctx context.Context, tx *Tx, id *int64) ([]*desk.Integration, error) {
	var c conds
	if id != nil {
		c.add("id = ?", *id)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, name, created_at, last_used_at, revoked_at, ring_all_agents FROM cti_integration"+
		c.where()+" ORDER BY id DESC", c.args...)
	return collect(rows, err, "find integrations", func(rows *sql.Rows) (*desk.Integration, error) {
		var i desk.Integration
		var used, revoked sql.NullTime
		err := rows.Scan(&i.ID, &i.Name, &i.CreatedAt, &used, &revoked, &i.RingAllAgents)
		i.CreatedAt, i.LastUsedAt, i.RevokedAt = i.CreatedAt.UTC(), timePtr(used), timePtr(revoked)
		return &i, err
	})
}

// RevokeIntegration revokes the integration of id for good; revoking it
// again keeps the first revocation time.
func (db *DB) RevokeIntegration(ctx context.Context, id int64) (*desk.Integration, error) {
	return db.changeIntegration(ctx, id, func(tx *Tx, i *desk.Integration) error {
		if i.RevokedAt != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cti_integration SET revoked_at = ? WHERE id = ?", tx.now, i.ID); err != nil {
			return fmt.Errorf("revoke integration: %w", err)
		}
		now := tx.now
		i.RevokedAt = &now
		return nil
	})
}

// UpdateIntegration changes the settings of the integration of id that upd
// sets.
func (db *DB) UpdateIntegration(ctx context.Context, id int64, upd desk.IntegrationUpdate) (*desk.Integration, error) {
	return db.changeIntegration(ctx, id, func(tx *Tx, i *desk.Integration) error {
		if upd.RingAllAgents != nil {
			i.RingAllAgents = *upd.RingAllAgents
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cti_integration SET ring_all_agents = ? WHERE id = ?", i.RingAllAgents, i.ID); err != nil {
			return fmt.Errorf("update integration: %w", err)
		}
		return nil
	})
}

// changeIntegration runs change on the integration of id, in a write
// transaction of a user who may change the telephony settings, and commits.
// An unknown id is ENOTFOUND.
func (db *DB) changeIntegration(ctx context.Context, id int64, change func(tx *Tx, i *desk.Integration) error) (*desk.Integration, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return nil, err
	}
	found, err := findIntegrations(ctx, tx, &id)
	if err != nil {
		return nil, err
	} else if len(found) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.integration_not_found")
	}
	if err := change(tx, found[0]); err != nil {
		return nil, err
	}
	return found[0], tx.commit()
}

// AuthenticateIntegration returns the integration of token, EUNAUTHORIZED
// for an unknown or revoked one. It runs at every call event, so it reads
// with one prepared statement (as AuthenticateAPIToken does), and records
// the use at most once every tokenUseInterval.
func (db *DB) AuthenticateIntegration(ctx context.Context, token string) (*desk.Integration, error) {
	if !strings.HasPrefix(token, desk.IntegrationTokenPrefix) || len(token) > 256 {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.unknown_integration_token")
	}
	var i desk.Integration
	var used, revoked sql.NullTime
	rows, err := db.queryReadSQL(ctx, authenticateIntegrationSQL[db.dialect], tokenHash(token))
	if err != nil {
		return nil, fmt.Errorf("authenticate integration: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("authenticate integration: %w", err)
		}
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.unknown_integration_token")
	}
	if err := rows.Scan(&i.ID, &i.Name, &i.CreatedAt, &used, &revoked, &i.RingAllAgents); err != nil {
		return nil, fmt.Errorf("authenticate integration: %w", err)
	}
	rows.Close()
	i.CreatedAt, i.LastUsedAt, i.RevokedAt = i.CreatedAt.UTC(), timePtr(used), timePtr(revoked)
	if i.Revoked() {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.integration_token_revoked")
	}
	now := db.now()
	if i.LastUsedAt == nil || now.Sub(*i.LastUsedAt) >= tokenUseInterval {
		if _, err := db.write.ExecContext(ctx, db.sql(`UPDATE cti_integration SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`), now, i.ID, now.Add(-tokenUseInterval)); err != nil {
			return nil, fmt.Errorf("record integration use: %w", err)
		}
		i.LastUsedAt = &now
	}
	return &i, nil
}

// authenticateIntegrationSQL is the statement of AuthenticateIntegration, by
// dialect, built once: the same text at every event, so that the statement
// cache finds it prepared (SQLite preparing it cost 4 % of a call event's
// CPU).
var authenticateIntegrationSQL = map[oql.Dialect]string{
	oql.SQLite:     rebind(oql.SQLite, authenticateIntegrationQuery),
	oql.PostgreSQL: rebind(oql.PostgreSQL, authenticateIntegrationQuery),
}

const authenticateIntegrationQuery = `SELECT id, name, created_at, last_used_at, revoked_at, ring_all_agents
	FROM cti_integration WHERE token_hash = ?`
