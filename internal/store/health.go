package store

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// minFreeBytes is the free space below which a SQLite database is said not
// to take writes: SQLite reuses its write-ahead log, so a small write may
// still pass on a full disk while a larger one, or a checkpoint, fails with
// "database or disk is full".
const minFreeBytes = 4 << 20

// ProbeWrite reports whether the database takes a write now: it writes one
// row of health_probe, in a write transaction as any change does; for
// SQLite it also requires some free space on the database's file system. It
// is what /readyz asks, a few times a minute.
func (db *DB) ProbeWrite(ctx context.Context) error {
	if db.path != "" {
		if free, ok := freeBytes(filepath.Dir(db.path)); ok && free < minFreeBytes {
			return fmt.Errorf("probe write: %d bytes free on the database's file system", free)
		}
	}
	tx, err := db.beginWrite(desk.NewSystemContext(ctx), "", "")
	if err != nil {
		return fmt.Errorf("probe write: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO health_probe (id, checked_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, tx.now); err != nil {
		return fmt.Errorf("probe write: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("probe write: %w", err)
	}
	return nil
}
