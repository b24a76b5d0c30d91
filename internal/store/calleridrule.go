package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// FindCallerIDRules returns the caller id rules, in the order they apply.
func (db *DB) FindCallerIDRules(ctx context.Context) ([]*desk.CallerIDRule, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id, pattern, caller_id, note, created_at FROM cti_caller_id_rule ORDER BY id")
	return collect(rows, err, "find caller id rules", func(rows *sql.Rows) (*desk.CallerIDRule, error) {
		var r desk.CallerIDRule
		err := rows.Scan(&r.ID, &r.Pattern, &r.CallerID, &r.Note, &r.CreatedAt)
		r.CreatedAt = r.CreatedAt.UTC()
		return &r, err
	})
}

// CreateCallerIDRule validates r, adds it after the others and sets its ID.
func (db *DB) CreateCallerIDRule(ctx context.Context, r *desk.CallerIDRule) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	r.Note = strings.TrimSpace(r.Note)
	if err := r.Validate(); err != nil {
		return err
	}
	r.CreatedAt = tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO cti_caller_id_rule (pattern, caller_id, note, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, r.Pattern, r.CallerID, r.Note, r.CreatedAt).Scan(&r.ID); err != nil {
		return fmt.Errorf("create caller id rule: %w", err)
	}
	return tx.commit()
}

// DeleteCallerIDRule removes a caller id rule.
func (db *DB) DeleteCallerIDRule(ctx context.Context, id int64) error {
	return db.deleteTelephonyRow(ctx, "cti_caller_id_rule", id, desk.NewError(desk.ENOTFOUND, "error.caller_id_rule_not_found"))
}
