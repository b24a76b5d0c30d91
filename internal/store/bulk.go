package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// BulkLoad runs load, which fills the empty database at dsn (demo data, a
// copy), with a DB set for a bulk load, and returns when the database is
// ready to serve. index, when not nil, is told how far the rebuild of the
// indexes is (done of total).
//
// On SQLite a load through the serving settings writes many times the
// database's size (ctidesk demo --persons 100000 wrote 293 MB for a 50 MB
// file): every batch's commit is synced and rewrites the index pages it
// touched to the WAL, which checkpoints copy again to the file. For the load
// the database leaves WAL for a rollback journal held in memory, without
// syncs, with a large page cache, and without its secondary indexes, which
// are built once at the end from the sorted rows (docs/performance.md). A
// load that fails, or a crash during it, leaves a database to delete; no
// other program may use it meanwhile; a load that fails gets its indexes
// back. On PostgreSQL load runs on an ordinary connection pool, and the tables
// are vacuumed and analyzed after it (vacuumAnalyze).
func BulkLoad(ctx context.Context, dsn string, configure func(*DB), load func(*DB) error, index func(done, total int)) (err error) {
	if !strings.HasPrefix(dsn, "sqlite:") {
		db, err := Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		configure(db)
		if err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := load(db); err != nil {
			return err
		}
		return db.vacuumAnalyze(ctx)
	}
	// The schema first, through the serving settings.
	db, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	configure(db)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	path := db.path
	if err := db.Close(); err != nil {
		return err
	}
	bulk, err := openBulk(ctx, path)
	if err != nil {
		return err
	}
	configure(bulk)
	defer func() {
		if cerr := bulk.Close(); err == nil {
			err = cerr
		}
	}()
	indexes, err := dropLoadIndexes(ctx, bulk.write)
	if err != nil {
		return err
	}
	// The indexes come back after a load that failed too: a load that
	// rolls its transaction back (a copy whose checksums differ) leaves
	// the database as it was.
	err = load(bulk)
	for i, create := range indexes {
		if _, ierr := bulk.write.ExecContext(context.WithoutCancel(ctx), create); ierr != nil {
			return errors.Join(err, fmt.Errorf("bulk load: %s: %w", create, ierr))
		}
		if index != nil && err == nil {
			index(i+1, len(indexes))
		}
	}
	if err != nil {
		return err
	}
	// Back to WAL, which only the last connection may do.
	if err := bulk.read.Close(); err != nil {
		return err
	}
	var mode string
	if err := bulk.write.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil || mode != "wal" {
		return fmt.Errorf("bulk load: back to WAL: %q, %v", mode, err)
	}
	_, err = bulk.write.ExecContext(ctx, "PRAGMA synchronous = FULL")
	return err
}

// bulkCacheKiB is the page cache of the writer during a bulk load.
const bulkCacheKiB = 256 << 10

// openBulk opens the SQLite database at path for a bulk load: a writer with
// a rollback journal in memory and no syncs, and two readers.
func openBulk(ctx context.Context, path string) (*DB, error) {
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(MEMORY)" +
		"&_pragma=synchronous(OFF)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	write, err := sql.Open("sqlite", path+"?"+common+fmt.Sprintf("&_pragma=cache_size(%d)", -bulkCacheKiB)+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	var mode string
	if err := write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "memory" {
		write.Close()
		return nil, errors.Join(fmt.Errorf("open database %s for a bulk load: journal mode %q (is another program using it?)", path, mode), err)
	}
	read, err := sql.Open("sqlite", path+"?"+common+"&_pragma=cache_size(-8192)&_query_only=1")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read.SetMaxOpenConns(2)
	read.SetMaxIdleConns(2)
	return &DB{write: write, read: read, lookup: read, path: path, dialect: oql.SQLite, stmts: newStmtCache(), Now: time.Now,
		Phone: phone.MustNew(phone.Options{})}, nil
}

// dropLoadIndexes drops the indexes of every table, but for unique ones,
// which must hold throughout (as dropIndexes does for an import), and
// returns the statements that create them again.
func dropLoadIndexes(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND upper(sql) NOT LIKE 'CREATE UNIQUE%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("bulk load: indexes: %w", err)
	}
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, err
		}
		names, creates = append(names, name), append(creates, create)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		// name comes from the schema, not from input.
		if _, err := db.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return nil, fmt.Errorf("bulk load: drop index %s: %w", name, err)
		}
	}
	return creates, nil
}
