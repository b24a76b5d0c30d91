package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered .sql file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the migrations of a dialect, in order.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, migration{version: version, name: name, sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same number", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// Migrate applies the embedded migrations not applied yet, each in its own
// transaction, and records them in schema_migrations. Running it again does
// nothing; two processes running it at once apply each migration once (on
// PostgreSQL every step holds an advisory lock, so that `ctidesk migrate`
// may run while other instances serve or migrate). When migration 0002 finds
// persons, their number keys are rebuilt with db.Phone (see Reindex), so set
// db.Phone first.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations(db.dialect.String())
	if err != nil {
		return err
	}
	timeType := "DATETIME"
	if db.Postgres() {
		timeType = "TIMESTAMPTZ"
	}
	err = db.migrateTx(ctx, func(tx *Tx) error {
		// timeType is one of the constants above.
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at `+timeType+` NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		var applied bool
		err := db.migrateTx(ctx, func(tx *Tx) (err error) {
			applied, err = db.migrate(ctx, tx, m)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if applied && db.Migrated != nil {
			db.Migrated(m.version, m.name)
		}
	}
	return db.finishNumberKeys(ctx)
}

// migrateTx runs fn in a transaction of the writer that holds the migration
// lock (see advisoryLock), and commits.
func (db *DB) migrateTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := db.newTx(sqlTx, db.write, nil)
	defer tx.Rollback()
	if err := tx.advisoryLock(ctx, lockMigrate); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// migrate applies m in tx unless schema_migrations records it.
func (db *DB) migrate(ctx context.Context, tx *Tx, m migration) (applied bool, err error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
		return false, err
	} else if n > 0 {
		return false, nil
	}
	// The migration's statements run as one script, without arguments
	// (PostgreSQL's simple protocol), and not through the statement cache.
	if _, err := tx.Tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, db.now())
	return err == nil, err
}
