package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/pgtest"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/store/storetest"
)

// openPostgres opens and migrates a store in a new PostgreSQL schema of its
// own (internal/pgtest), dropped when the test ends.
func openPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	db, _ := openPostgresURL(tb)
	return db
}

// openPostgresURL is openPostgres, and returns the URL of the schema too.
func openPostgresURL(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	_, url := pgtest.Open(tb)
	ctx := context.Background()
	db, err := store.Open(ctx, url)
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
	return db, url
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.DB { return openPostgres(t) })
}

// TestPostgresConcurrentAccess writes through two stores on one schema, as
// two instances behind a load balancer do.
func TestPostgresConcurrentAccess(t *testing.T) {
	db, url := openPostgresURL(t)
	other, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	testConcurrentAccess(t, db, other)
}

// TestPostgresMigrateConcurrent runs Migrate from several stores on one new
// schema at once, as `ctidesk migrate` may run while other instances start:
// each migration is applied once, and every run succeeds.
func TestPostgresMigrateConcurrent(t *testing.T) {
	admin, url := pgtest.Open(t)
	ctx := context.Background()
	const n = 4
	dbs := make([]*store.DB, n)
	for i := range dbs {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	rows, err := admin.QueryContext(ctx, "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v, count int
		if err := rows.Scan(&v, &count); err != nil {
			t.Fatal(err)
		}
		if count != 1 {
			t.Errorf("migration %d recorded %d times", v, count)
		}
		versions = append(versions, v)
	}
	if len(versions) == 0 || versions[0] != 1 {
		t.Errorf("migrations recorded: %v", versions)
	}
	// The tables are in the schema of the URL's search_path.
	var tables int
	if err := admin.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name IN ('person', 'ticket', 'users')`).Scan(&tables); err != nil || tables != 3 {
		t.Errorf("%d of the tables in the test's schema (%v), want 3", tables, err)
	}
	if region, err := dbs[0].NumberKeysRegion(ctx); err != nil || region != "US" {
		t.Errorf("number keys region %q (%v), want US", region, err)
	}
}

// TestPostgresLookupPlan checks that PostgreSQL serves every caller lookup
// and number search with the indexes SQLite uses (TestCallerLookupPlan,
// TestNumberSearchPlan, TestImportMatchPlan), even for a user limited to an
// organization that holds every person: with sequential scans discouraged
// (on tables this small the planner would rather scan), no plan scans
// person or person_number, nor probes person_org_id instead.
func TestPostgresLookupPlan(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	org, _ := mustEveryone(t, db, 5000)
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, what string, plan []string, index string) {
		t.Helper()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, index) {
			t.Errorf("%s: plan does not use %s:\n%s", what, index, text)
		}
		for _, table := range []string{"person", "person_number"} {
			if strings.Contains(text, "Seq Scan on "+table+" ") {
				t.Errorf("%s: plan scans %s:\n%s", what, table, text)
			}
		}
	}
	for _, scope := range [][]int64{nil, {org.ID}, {org.ID, 2, 3, 4, 5, 6, 7, 8, 9, 10}} {
		for _, number := range []string{"+1 (212) 555-0100", "5550100", " 33 1 23 45 67 89"} {
			plan, err := db.ExplainFindCallersByNumber(ctx, scope, number)
			if err != nil {
				t.Fatal(err)
			}
			check(t, number, plan, "person_number_rdigits")
		}
		for _, tt := range []struct{ attribute, index string }{
			{desk.AttrEmployeeNumber, "person_employee_number"},
			{desk.AttrSupportID, "person_support_id"},
			{desk.AttrEmail, "person_email_lower"},
		} {
			plan, err := db.ExplainFindCallersByAttribute(ctx, scope, tt.attribute, "X-1")
			if err != nil {
				t.Fatal(err)
			}
			check(t, tt.attribute, plan, tt.index)
		}
		for _, tt := range []struct{ attr, index string }{{"email", "person_email_lower"}, {"employee_number", "person_employee_number"}} {
			plan, err := db.ExplainImportMatch(ctx, tt.attr, []string{"a@example.com", "B@example.com"}, scope)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "import by "+tt.attr, plan, tt.index)
		}
		count, query, err := db.ExplainFindPersons(ctx, scope, desk.PersonFilter{Query: "+1 (212) 555-0100"})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "number search (count)", count, "person_number_rdigits")
		check(t, "number search", query, "person_number_rdigits")
		plan, err := db.ExplainQuery(ctx, oql.MustParse(`SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`),
			desk.QueryParams{"phone": "+1 212 555 0100"}, scope)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "OQL caller query", plan, "person_number_rdigits")
	}
	plan, err := db.ExplainDeleteKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "delete of number keys", plan, "person_number_pkey")
}

// TestPostgresPlansAtScale runs the statements of a pop and of a call event
// under EXPLAIN ANALYZE on 50,000 persons, planned for their values and for
// any values (sequential scans allowed), and checks what they read:
// a caller found by number, and the agents a call names, are found by
// probes, not by reading the persons or their numbers. PostgreSQL planned
// the caller query of the default configuration (phone OR mobile_phone,
// with the pop's limit) as a walk of all persons in name order, and the
// agents' query as merge joins over every number and every person: seconds
// at 1,000,000 persons, and plans that TestPostgresLookupPlan, which looks
// at their shape on little data, did not catch.
func TestPostgresPlansAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 50,000 persons")
	}
	db := openPostgres(t)
	ctx := context.Background()
	sys := desk.NewSystemContext(ctx)
	_, persons := mustEveryone(t, db, 50000)
	hash, err := desk.HashPassword("agent password")
	if err != nil {
		t.Fatal(err)
	}
	for i, login := range []string{"ann", "bob", "cid"} {
		u := &desk.User{Login: login, PasswordHash: hash, Roles: []string{desk.RoleAgent}, ContactID: persons[i*1000].ID}
		if err := db.CreateUser(sys, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	// read returns the rows the plan's steps removed by their filters,
	// and the tables it read in full.
	read := func(plan []string) (removed int, scans []string) {
		for _, line := range plan {
			if _, n, ok := strings.Cut(line, "Rows Removed by Filter: "); ok {
				var k int
				fmt.Sscan(n, &k)
				removed += k
			}
			for _, table := range []string{"person", "person_number"} {
				if strings.Contains(line, "Seq Scan on "+table+" ") {
					scans = append(scans, table)
				}
			}
		}
		return removed, scans
	}
	caller := oql.MustParse(`SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`)
	for _, c := range []struct {
		name  string
		query func() (string, []any, error)
	}{
		{"caller by number, the pop's limit", func() (string, []any, error) {
			return db.CompileQuery(caller, desk.QueryParams{"phone": persons[12345].Phone}, 100)
		}},
		{"caller by number, no limit", func() (string, []any, error) {
			return db.CompileQuery(caller, desk.QueryParams{"phone": persons[12345].Phone}, 0)
		}},
		{"agents by extension", func() (string, []any, error) {
			q, args := store.FindAgentsQuery("201", "201", "")
			return q, args, nil
		}},
		{"agents by a contact's number", func() (string, []any, error) {
			q, args := store.FindAgentsQuery("+1 646 000 1000", "16460001000", "+16460001000")
			return q, args, nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, args, err := c.query()
			if err != nil {
				t.Fatal(err)
			}
			// The plan for the values, and the one for any values, which
			// PostgreSQL may keep for a prepared statement.
			for kind, explain := range map[string]func(context.Context, string, []any) ([]string, error){
				"for the values": db.ExplainAnalyzePostgres, "for any values": db.ExplainGenericPostgres,
			} {
				plan, err := explain(ctx, q, args)
				if err != nil {
					t.Fatal(err)
				}
				if removed, scans := read(plan); removed > 100 || len(scans) > 0 {
					t.Errorf("the plan %s read %d rows it did not need and scanned %v:\n%s", kind, removed, scans, strings.Join(plan, "\n"))
				}
			}
		})
	}
}

// mustEveryone creates an organization holding n persons (storetest.Persons).
func mustEveryone(t *testing.T, db *store.DB, n int) (*desk.Organization, []*desk.Person) {
	t.Helper()
	sys := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Everyone"}
	if err := db.CreateOrganization(sys, org); err != nil {
		t.Fatal(err)
	}
	persons := storetest.Persons(n, org.ID)
	if err := db.CreatePersons(sys, persons, nil); err != nil {
		t.Fatal(err)
	}
	return org, persons
}

// checkVacuumed checks that the tables of the schema at url are analyzed and
// vacuumed, every page in the visibility map: ready for the planner after a
// bulk load.
func checkVacuumed(t *testing.T, url string, tables ...string) {
	t.Helper()
	catalog, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer catalog.Close()
	for _, table := range tables {
		var pages, visible int
		var tuples float64
		if err := catalog.QueryRowContext(context.Background(), `SELECT relpages, relallvisible, reltuples FROM pg_class
			WHERE oid = to_regclass($1)`, table).Scan(&pages, &visible, &tuples); err != nil {
			t.Fatal(err)
		}
		if pages == 0 || visible < pages || tuples <= 0 {
			t.Errorf("%s after the load: %d pages, %d all visible, %.0f rows estimated; want it vacuumed and analyzed",
				table, pages, visible, tuples)
		}
	}
}
