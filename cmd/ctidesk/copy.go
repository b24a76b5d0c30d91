package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ctidesk/ctidesk/internal/phone"
	"github.com/ctidesk/ctidesk/internal/store"
)

func (m *Main) parseCopy(args []string) error {
	fs := m.newFlagSet("copy")
	from := fs.String("from", "", "the database to copy: sqlite:PATH or a postgres:// URL (default: --db)")
	to := fs.String("to", "", "the new, empty database to copy into: a postgres:// URL or sqlite:PATH")
	sanitize := fs.Bool("sanitize", false, "take NUL bytes out of texts and replace bytes that are not UTF-8, which PostgreSQL refuses, rather than fail")
	if rest, err := parseFlags(fs, args, m.Getenv); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("copy: unexpected argument %q", rest[0])
	}
	if *to == "" {
		return errors.New("usage: ctidesk copy [--from DATABASE] --to DATABASE")
	}
	m.run = func(ctx context.Context) error {
		src := *from
		if src == "" {
			src = m.DSN
		}
		if src == *to {
			return fmt.Errorf("copy: --from and --to are the same database, %s", store.RedactDSN(src))
		}
		return m.copy(ctx, src, *to, *sanitize)
	}
	return nil
}

// copy opens and migrates both databases, copies every row of src into dst
// (store.Copy) and prints each table's row count and checksum, which the
// copy compared in both.
func (m *Main) copy(ctx context.Context, src, dst string, sanitize bool) error {
	norm, err := phone.New(m.Phone)
	if err != nil {
		return err
	}
	open := func(dsn string) (*store.DB, error) {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		db.Phone = norm
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate %s: %w", store.RedactDSN(dsn), err)
		}
		return db, nil
	}
	from, err := open(src)
	if err != nil {
		return err
	}
	defer from.Close()
	// The target is written in bulk (store.BulkLoad): on SQLite without
	// its indexes, built at the end, and without syncs, so that a copy
	// writes little more than the database's size.
	fmt.Fprintf(m.Stderr, "copying %s to %s\n", store.RedactDSN(src), store.RedactDSN(dst))
	start := time.Now()
	progress := m.progress()
	var tables []store.TableCopy
	err = store.BulkLoad(ctx, dst, func(db *store.DB) { db.Phone = norm }, func(to *store.DB) error {
		var err error
		tables, err = store.Copy(ctx, to, from, store.CopyOptions{Progress: progress, Sanitize: sanitize})
		return err
	}, func(done, total int) { progress("indexes", done, total) })
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "table\trows\tchecksum (source = target)")
	total := 0
	for _, t := range tables {
		fmt.Fprintf(w, "%s\t%d\t%s\n", t.Table, t.Rows, t.Checksum[:16])
		total += t.Rows
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "copied %d rows of %d tables in %s; row counts and checksums agree\n", total, len(tables),
		time.Since(start).Round(time.Millisecond))
	return nil
}
