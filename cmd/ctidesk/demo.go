package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ctidesk/ctidesk/internal/demo"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func (m *Main) parseDemo(args []string) error {
	fs := m.newFlagSet("demo")
	persons := fs.Int("persons", 500, "number of persons to create")
	tickets := fs.Int("tickets", 2000, "number of tickets to create")
	if rest, err := parseFlags(fs, args, m.Getenv); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("demo: unexpected argument %q", rest[0])
	}
	if *persons < 50 || *tickets < 0 {
		return fmt.Errorf("demo: --persons must be at least 50 and --tickets not negative")
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		if empty, err := m.DB.IsEmpty(ctx); err != nil {
			return err
		} else if !empty {
			return fmt.Errorf("%s already holds data; demo data loads only into an empty database", store.RedactDSN(m.DSN))
		}
		// The load has the database to itself, set for a bulk load
		// (store.BulkLoad): this program's connections close first.
		norm := m.DB.Phone
		if err := m.DB.Close(); err != nil {
			return err
		}
		m.DB = nil
		start := time.Now()
		progress := m.progress()
		var logins []demo.Login
		err := store.BulkLoad(ctx, m.DSN, func(db *store.DB) { db.Phone = norm }, func(db *store.DB) error {
			var err error
			logins, err = demo.Load(ctx, db.Services(), demo.Options{Persons: *persons, Tickets: *tickets, Progress: progress})
			return err
		}, func(done, total int) { progress("indexes", done, total) })
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(m.Stderr, "demo data loaded in %s\n", time.Since(start).Round(time.Millisecond))
		m.printLogins(logins)
		return nil
	}
	return nil
}

// progress returns a progress display on stderr: one line per stage,
// rewritten in place at most a few times a second.
func (m *Main) progress() func(stage string, done, total int) {
	var last time.Time
	var finished string // the last stage whose final line was printed
	return func(stage string, done, total int) {
		if stage == finished || (done < total && time.Since(last) < 200*time.Millisecond) {
			return
		}
		last = time.Now()
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		fmt.Fprintf(m.Stderr, "\r%-14s %9d / %-9d %3d%%", stage, done, total, pct)
		if done >= total {
			finished = stage
			fmt.Fprintln(m.Stderr)
		}
	}
}
