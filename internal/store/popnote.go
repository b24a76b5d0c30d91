package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

var _ desk.PopNoteService = (*DB)(nil)

// popNoteKeep is how long a note no phone call took is kept: a call long
// over, its note never used.
const popNoteKeep = 7 * 24 * time.Hour

// SavePopNote keeps the user's note of the call key, replacing the one
// before; an empty text removes it. Notes of the user older than
// popNoteKeep go at the same time.
func (db *DB) SavePopNote(ctx context.Context, key, text string) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n := &desk.PopNote{UserID: tx.user.ID, Key: key, Text: text, UpdatedAt: tx.now}
	if err := n.Validate(); err != nil {
		return err
	}
	if text == "" {
		_, err = tx.ExecContext(ctx, "DELETE FROM pop_note WHERE user_id = ? AND call_key = ?", n.UserID, key)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO pop_note (user_id, call_key, note, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, call_key) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at`,
			n.UserID, key, text, n.UpdatedAt)
	}
	if err != nil {
		return fmt.Errorf("save pop note: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM pop_note WHERE user_id = ? AND updated_at < ?",
		n.UserID, tx.now.Add(-popNoteKeep)); err != nil {
		return fmt.Errorf("prune pop notes: %w", err)
	}
	return tx.commit()
}

// FindPopNote returns the user's note of the call key, "" when none.
func (db *DB) FindPopNote(ctx context.Context, key string) (string, error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var text string
	err = tx.QueryRowContext(ctx, "SELECT note FROM pop_note WHERE user_id = ? AND call_key = ?", tx.user.ID, key).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("find pop note: %w", err)
	}
	return text, nil
}

// DeletePopNote removes the user's note of the call key.
func (db *DB) DeletePopNote(ctx context.Context, key string) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM pop_note WHERE user_id = ? AND call_key = ?", tx.user.ID, key); err != nil {
		return fmt.Errorf("delete pop note: %w", err)
	}
	return tx.commit()
}
