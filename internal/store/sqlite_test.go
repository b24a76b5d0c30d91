package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/store/storetest"
)

// openTemp opens and migrates a new SQLite database in a temporary directory.
func openTemp(tb testing.TB) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "ctidesk.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.DB { return openTemp(t) })
}

// TestNumberSearchPlan checks that a phone number search probes the rdigits
// index and scans no table, whatever the size of the directory.
func TestNumberSearchPlan(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tt := range []struct {
		scope  []int64
		filter desk.PersonFilter
	}{
		{nil, desk.PersonFilter{Query: "+1 (212) 555-0100"}},
		{nil, desk.PersonFilter{Query: "0100", OrgID: ptr(int64(1))}},
		{[]int64{1, 2, 3}, desk.PersonFilter{Query: "555 0100"}},
	} {
		filter := tt.filter
		count, query, err := db.ExplainFindPersons(ctx, tt.scope, filter)
		if err != nil {
			t.Fatal(err)
		}
		for _, plan := range [][]string{count, query} {
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, "person_number_rdigits") {
				t.Errorf("query %q: plan does not use the rdigits index:\n%s", filter.Query, text)
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") {
					t.Errorf("query %q: plan scans (%s):\n%s", filter.Query, step, text)
				}
			}
		}
		t.Logf("plan of %q:\n%s", filter.Query, strings.Join(query, "\n"))
	}
}

// TestQueryPlan checks that the queries of the default telephony
// configuration are served by indexes: no table is scanned, whatever the size
// of the directory.
func TestQueryPlan(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tt := range []struct {
		query  string
		params desk.QueryParams
		scope  []int64
	}{
		{`SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`, desk.QueryParams{"phone": "+1 212 555 0100"}, nil},
		{`SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`, desk.QueryParams{"phone": "+1 212 555 0100"}, []int64{1, 2}},
		{`SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller`, desk.QueryParams{"selected_caller": 1}, nil},
		{`SELECT UserRequest AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'`, desk.QueryParams{"callers_list": []int64{1, 2}}, []int64{1}},
		{`SELECT UserRequest AS u JOIN Organization AS o ON u.org_id = o.id JOIN Person AS p ON p.org_id = o.id WHERE p.id IN (:callers_list) AND u.status != 'closed'`,
			desk.QueryParams{"callers_list": []int64{1, 2}}, nil},
	} {
		plan, err := db.ExplainQuery(ctx, oql.MustParse(tt.query), tt.params, tt.scope)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("query %q: plan scans (%s):\n%s", tt.query, step, text)
			}
		}
		t.Logf("plan of %q:\n%s", tt.query, text)
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkCreatePersons inserts persons 10,000 at a time into a growing
// database.
func BenchmarkCreatePersons(b *testing.B) {
	db := openTemp(b)
	ctx := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Bench"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		b.Fatal(err)
	}
	persons := storetest.Persons(10000, org.ID)
	n := 0
	for b.Loop() {
		if err := db.CreatePersons(ctx, persons, nil); err != nil {
			b.Fatal(err)
		}
		n += len(persons)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "persons/s")
}

// BenchmarkFindPersonsByNumber looks a number up among 100,000 persons
// (200,000 number keys and more), as the screen pop does.
func BenchmarkFindPersonsByNumber(b *testing.B) {
	const n = 100000
	db := openTemp(b)
	ctx := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Bench"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		b.Fatal(err)
	}
	if err := db.CreatePersons(ctx, storetest.Persons(n, org.ID), nil); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		k := (i * 7919) % n
		i++
		persons, total, err := db.FindPersons(ctx, desk.PersonFilter{Query: fmt.Sprintf("646 %03d %04d", k/10000%1000, k%10000)})
		if err != nil || total != 1 || len(persons) != 1 {
			b.Fatalf("person %d: %d found, %v", k, total, err)
		}
	}
}

// TestCreatePersons1M measures the import of a million persons; it runs only
// with CTIDESK_TEST_1M=1 set.
func TestCreatePersons1M(t *testing.T) {
	if os.Getenv("CTIDESK_TEST_1M") == "" {
		t.Skip("set CTIDESK_TEST_1M=1 to insert a million persons")
	}
	n := 1000000
	if v, err := strconv.Atoi(os.Getenv("CTIDESK_TEST_1M")); err == nil && v > 1 {
		n = v // another count, to experiment
	}
	db := openTemp(t)
	ctx := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Million"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	persons := storetest.Persons(n, org.ID)
	start, cpu := time.Now(), cpuTime()
	if err := db.CreatePersons(ctx, persons, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("CreatePersons: %d persons in %v, %v of CPU (%.0f persons/s)", n, time.Since(start).Round(time.Millisecond),
		(cpuTime() - cpu).Round(time.Millisecond), float64(n)/time.Since(start).Seconds())

	start = time.Now()
	const lookups = 1000
	for i := range lookups {
		k := (i * 7919) % n
		_, total, err := db.FindPersons(ctx, desk.PersonFilter{Query: fmt.Sprintf("646 %03d %04d", k/10000%1000, k%10000)})
		if err != nil || total != 1 {
			t.Fatalf("person %d: %d found, %v", k, total, err)
		}
	}
	t.Logf("FindPersons by number: %v per lookup", time.Since(start)/lookups)
	start = time.Now()
	_, total, err := db.FindPersons(ctx, desk.PersonFilter{})
	if err != nil || total != n {
		t.Fatalf("%d persons, %v", total, err)
	}
	t.Logf("FindPersons, first page and count of all: %v", time.Since(start))
}

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ dsn, want string }{
		// Nothing answers on port 1: the error names the server, never
		// the password.
		{"postgres://user:secret@127.0.0.1:1/ctidesk?sslmode=disable", "open database postgres://user:xxxxx@127.0.0.1:1/ctidesk"},
		{"postgresql://127.0.0.1:1/ctidesk?sslmode=disable&connect_timeout=5", "open database postgresql://127.0.0.1:1/ctidesk"},
		{"mysql://localhost/ctidesk", "expecting sqlite:PATH"},
		{"ctidesk.db", "expecting sqlite:PATH"},
		{"sqlite:", "needs a file path"},
		{"sqlite::memory:", "in-memory"},
	} {
		db, err := store.Open(ctx, tt.dsn)
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", tt.dsn)
		} else if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) = %v, want an error about %q", tt.dsn, err, tt.want)
		}
	}
	// sqlite:///abs/path is the absolute path.
	path := filepath.Join(t.TempDir(), "abs.db")
	db, err := store.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentAccess writes from several goroutines while others read: the
// single writer connection queues the writes, WAL lets the reads run, and no
// caller sees "database is locked".
func TestConcurrentAccess(t *testing.T) {
	db := openTemp(t)
	// A second handle on the same file, as a second process would have.
	other, err := store.Open(context.Background(), "sqlite:"+db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	testConcurrentAccess(t, db, other)
}

// testConcurrentAccess writes through two handles on one database (two
// processes, or instances) from several goroutines while others read. Every
// writer also appends to the log of one shared ticket: no entry is lost, and
// none takes another's place.
func testConcurrentAccess(t *testing.T, db, other *store.DB) {
	ctx := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Busy"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	shared := &desk.Ticket{Kind: desk.KindIncident, Title: "Shared", OrgID: org.ID}
	if err := db.CreateTicket(ctx, shared); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 6 {
		h := db
		if w%2 == 1 {
			h = other
		}
		wg.Go(func() {
			for i := range 30 {
				p := &desk.Person{Name: fmt.Sprintf("W%d-%d", w, i), OrgID: org.ID, Phone: fmt.Sprintf("+1 555 %03d %04d", w, i)}
				if err := h.CreatePerson(ctx, p); err != nil {
					errs <- err
					return
				}
				tk := &desk.Ticket{Kind: desk.KindIncident, Title: "Concurrent", OrgID: org.ID, CallerID: p.ID}
				if err := h.CreateTicket(ctx, tk); err != nil {
					errs <- err
					return
				}
				if _, err := h.AddLogEntry(ctx, tk.ID, desk.PublicLog, "Entry"); err != nil {
					errs <- err
					return
				}
				if _, err := h.AddLogEntry(ctx, shared.ID, desk.PrivateLog, fmt.Sprintf("W%d-%d", w, i)); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range 60 {
				if _, _, err := h.FindPersons(ctx, desk.PersonFilter{Query: "5550"}); err != nil {
					errs <- err
					return
				}
				if _, _, err := h.FindTickets(ctx, desk.TicketFilter{Ongoing: true}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, total, err := db.FindTickets(ctx, desk.TicketFilter{})
	if err != nil || total != 181 {
		t.Fatalf("%d tickets, %v; want 181", total, err)
	}
	tk, err := other.FindTicketByID(ctx, shared.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range tk.PrivateLog {
		seen[e.Text] = true
	}
	if len(tk.PrivateLog) != 180 || len(seen) != 180 {
		t.Fatalf("the shared ticket has %d entries, %d distinct; want 180", len(tk.PrivateLog), len(seen))
	}
}
