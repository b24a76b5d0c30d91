package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/store/storetest"
)

// TestBulkLoad fills an empty database through store.BulkLoad and checks
// that it comes back as a migrated database would: its rows, every index
// (rebuilt at the end, progress told), found by the number keys, in WAL on
// SQLite; and that a load that fails says so and leaves the indexes.
func TestBulkLoad(t *testing.T) {
	ctx := context.Background()
	sys := desk.NewSystemContext(ctx)
	sqlite := "sqlite:" + filepath.Join(t.TempDir(), "bulk.db")
	_, pg := openPostgresURL(t)
	for name, dsn := range map[string]string{"sqlite": sqlite, "postgres": pg} {
		t.Run(name, func(t *testing.T) {
			var indexed, total int
			err := store.BulkLoad(ctx, dsn, func(*store.DB) {}, func(db *store.DB) error {
				org := &desk.Organization{Name: "Bulk"}
				if err := db.CreateOrganization(sys, org); err != nil {
					return err
				}
				return db.CreatePersons(sys, storetest.Persons(3000, org.ID), nil)
			}, func(done, n int) { indexed, total = done, n })
			if err != nil {
				t.Fatal(err)
			}
			if name == "sqlite" && (indexed == 0 || indexed != total) {
				t.Errorf("indexes: progress %d of %d", indexed, total)
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			persons, n, err := db.FindPersons(sys, desk.PersonFilter{Query: "646 000 1234"})
			if err != nil || n != 1 || len(persons) != 1 {
				t.Errorf("lookup after the load: %d found, %v", n, err)
			}
			if name != "sqlite" {
				checkVacuumed(t, dsn, "person", "person_number")
				return
			}
			plan, err := db.ExplainFindCallersByNumber(sys, nil, "+1 646 000 1234")
			if err != nil || !slices.ContainsFunc(plan, func(s string) bool { return contains(s, "person_number_rdigits") }) {
				t.Errorf("the number keys' index after the load: %v %v", plan, err)
			}
			if mode := db.JournalMode(ctx); mode != "wal" {
				t.Errorf("journal mode after the load: %q, want wal", mode)
			}
			fresh := openTemp(t)
			if got, want := db.IndexNames(ctx), fresh.IndexNames(ctx); !slices.Equal(got, want) {
				t.Errorf("indexes after the load:\n%v\nwant\n%v", got, want)
			}
		})
	}
	// A load that fails says so, and leaves the database with its indexes.
	failed := errors.New("the load failed")
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "failed.db")
	err := store.BulkLoad(ctx, dsn, func(*store.DB) {}, func(*store.DB) error { return failed }, nil)
	if !errors.Is(err, failed) {
		t.Errorf("a failed load: %v", err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := db.IndexNames(ctx), openTemp(t).IndexNames(ctx); !slices.Equal(got, want) {
		t.Errorf("indexes after a failed load:\n%v\nwant\n%v", got, want)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
