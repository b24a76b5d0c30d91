package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/store"
)

// benchPersons is the size of the caller benchmarks' directory:
// CTIDESK_BENCH_PERSONS, 10,000 by default so that a casual -bench run is
// quick; the figures docs/performance.md gives are at 1,000,000.
func benchPersons(tb testing.TB) int {
	n := 10000
	if v := os.Getenv("CTIDESK_BENCH_PERSONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			tb.Fatalf("CTIDESK_BENCH_PERSONS=%q: want a number of persons, at least 100", v)
		}
	}
	return n
}

// benchAreas are valid US area codes: the generated numbers must be valid
// for libphonenumber, as real ones are, so that lookups take the E.164 path.
var benchAreas = []string{"212", "646", "415", "312", "617", "206", "512", "303", "718", "917"}

// benchPerson returns person i of the benchmark directory: three numbers, all
// valid and distinct from everyone else's, written the ways people write them.
// US phone (exchanges 200 up), French mobile, London home phone; national
// forms are read in region US, as the store is configured, so the French and
// British ones in national form only match by suffix.
func benchPerson(i int, orgID int64) *desk.Person {
	area, rest := benchAreas[i%len(benchAreas)], i/len(benchAreas)
	exchange, sub := 200+rest/10000, rest%10000
	p := &desk.Person{
		FirstName:      []string{"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John"}[i%8],
		Name:           fmt.Sprintf("Name %d", uint32(i)*2654435761%100000),
		OrgID:          orgID,
		EmployeeNumber: fmt.Sprintf("E%07d", i),
	}
	switch i % 3 {
	case 0:
		p.Phone = fmt.Sprintf("+1 (%s) %03d-%04d", area, exchange, sub)
	case 1:
		p.Phone = fmt.Sprintf("%s-%03d-%04d", area, exchange, sub)
	default:
		p.Phone = fmt.Sprintf("(%s) %03d %04d", area, exchange, sub)
	}
	m := fmt.Sprintf("%08d", i)
	if i%2 == 0 {
		p.MobilePhone = fmt.Sprintf("+33 6 %s %s %s %s", m[0:2], m[2:4], m[4:6], m[6:8])
	} else {
		p.MobilePhone = fmt.Sprintf("06 %s %s %s %s", m[0:2], m[2:4], m[4:6], m[6:8])
	}
	h := fmt.Sprintf("%07d", i)
	if i%4 == 0 {
		p.HomePhone = fmt.Sprintf("+44 20 7%s %s", h[0:3], h[3:7])
	} else {
		p.HomePhone = fmt.Sprintf("020 7%s %s", h[0:3], h[3:7])
	}
	return p
}

// benchCaller returns the number a phone system would send for person i, in
// one of four forms, and the digits a naive scan would look for.
func benchCaller(i, form int) (number, digits string) {
	area, rest := benchAreas[i%len(benchAreas)], i/len(benchAreas)
	us := fmt.Sprintf("%s%03d%04d", area, 200+rest/10000, rest%10000)
	switch form % 4 {
	case 0:
		return "+1" + us, us // E.164, as most trunks deliver it
	case 1:
		return us, us // national
	case 2:
		return fmt.Sprintf(" 336%08d", i), fmt.Sprintf("6%08d", i) // '+' decoded to a space
	default:
		return fmt.Sprintf("+44207%07d", i), fmt.Sprintf("207%07d", i)
	}
}

// benchDB returns the benchmark database of n persons, built once into a
// file under os.TempDir and reused by later runs (delete it to rebuild).
func benchDB(b *testing.B, n int) *store.DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ctidesk-bench-callers-v1-%d.db", n))
	if _, err := os.Stat(path); os.IsNotExist(err) {
		buildBenchDB(b, path, n)
	} else if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}

// buildBenchDB writes the database under a temporary name and renames it
// when complete, so that an interrupted build is never reused.
func buildBenchDB(b *testing.B, path string, n int) {
	b.Helper()
	start := time.Now()
	tmp := path + ".building"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	ctx := desk.NewSystemContext(context.Background())
	db, err := store.Open(ctx, "sqlite:"+tmp)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	fillBenchDB(b, db, n)
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s: %d persons in %v", path, n, time.Since(start).Round(time.Second))
}

// fillBenchDB creates the n persons of the benchmark directory, in 20
// organizations.
func fillBenchDB(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := desk.NewSystemContext(context.Background())
	var orgs []int64
	for i := range 20 {
		o := &desk.Organization{Name: fmt.Sprintf("Bench %02d", i)}
		if err := db.CreateOrganization(ctx, o); err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, o.ID)
	}
	const chunk = 100000
	for from := 0; from < n; from += chunk {
		persons := make([]*desk.Person, min(chunk, n-from))
		for j := range persons {
			persons[j] = benchPerson(from+j, orgs[(from+j)%len(orgs)])
		}
		if err := db.CreatePersons(ctx, persons, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// reportPercentiles reports the median and 99th percentile of durations in
// microseconds, and returns the median.
func reportPercentiles(b *testing.B, durations []time.Duration) time.Duration {
	b.Helper()
	if len(durations) == 0 {
		return 0
	}
	slices.Sort(durations)
	p50 := durations[len(durations)/2]
	p99 := durations[min(len(durations)-1, len(durations)*99/100)]
	b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-us")
	b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-us")
	return p50
}

// BenchmarkFindCallersByNumber looks callers up among CTIDESK_BENCH_PERSONS
// persons (three numbers each) as the screen pop does, each call a different
// person (4,096 of them, spread over the directory, in turn) and a different
// form of number (E.164, national, '+' decoded to a space, foreign E.164),
// and reports the median and 99th percentile latency.
//
//	CTIDESK_BENCH_PERSONS=1000000 go test ./internal/store -run '^$' -bench 'FindCallers|NaiveLike'
func BenchmarkFindCallersByNumber(b *testing.B) {
	n := benchPersons(b)
	benchFindCallers(b, benchDB(b, n), n)
}

// BenchmarkFindCallersByNumberPostgres is BenchmarkFindCallersByNumber on
// PostgreSQL, in a new schema filled at every run (about a minute for
// 100,000 persons on two cores).
//
//	CTIDESK_BENCH_PERSONS=100000 go test ./internal/store -run '^$' -bench 'FindCallersByNumber'
func BenchmarkFindCallersByNumberPostgres(b *testing.B) {
	n := benchPersons(b)
	db := openPostgres(b)
	start := time.Now()
	fillBenchDB(b, db, n)
	// Fresh statistics, as autovacuum would have gathered on a server that
	// has been running a while.
	if err := db.Analyze(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled a PostgreSQL schema with %d persons in %v", n, time.Since(start).Round(time.Second))
	// The cost of a round trip to the server, which every lookup pays, as
	// the machine is now: "rtt-p50-us".
	rtt := make([]time.Duration, 0, 2000)
	for range cap(rtt) {
		start := time.Now()
		if err := db.LookupRoundTrip(context.Background()); err != nil {
			b.Fatal(err)
		}
		rtt = append(rtt, time.Since(start))
	}
	slices.Sort(rtt)
	benchFindCallers(b, db, n)
	b.ReportMetric(float64(rtt[len(rtt)/2].Nanoseconds())/1e3, "rtt-p50-us") // after the loop, which resets metrics
}

// benchFindCallers is the body of the FindCallersByNumber benchmarks, on db
// filled by fillBenchDB with n persons.
func benchFindCallers(b *testing.B, db *store.DB, n int) {
	ctx := desk.NewSystemContext(context.Background())
	type input struct{ number, employee string }
	inputs := make([]input, 4096)
	for j := range inputs {
		i := (j*7919 + 104729) % n // spread over the directory
		number, _ := benchCaller(i, j)
		inputs[j] = input{number, fmt.Sprintf("E%07d", i)}
	}
	// One pass first, untimed, as a server that has been running a while
	// has the pages of the index and the table in memory: this measures
	// lookups, not the disk.
	for _, in := range inputs {
		if _, err := db.FindCallersByNumber(ctx, in.number); err != nil {
			b.Fatal(err)
		}
	}
	durations := make([]time.Duration, 0, 1<<16)
	j := 0
	for b.Loop() {
		in := inputs[j%len(inputs)]
		j++
		start := time.Now()
		ms, err := db.FindCallersByNumber(ctx, in.number)
		durations = append(durations, time.Since(start))
		if err != nil || len(ms) != 1 || ms[0].Person.EmployeeNumber != in.employee {
			b.Fatalf("%q: %d found (%v), want person %s", in.number, len(ms), err, in.employee)
		}
	}
	reportPercentiles(b, durations)
}

// BenchmarkNaiveLikeScan is what the number keys avoid: finding the numbers
// ending with the caller's digits with LIKE '%digits', a scan of every key,
// on the same database as BenchmarkFindCallersByNumber. Besides its own
// latency it reports how many times slower than the lookup it is, both
// measured in this run ("x-lookup").
func BenchmarkNaiveLikeScan(b *testing.B) {
	n := benchPersons(b)
	db := benchDB(b, n)
	raw, err := sql.Open("sqlite", db.Path()+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	var durations []time.Duration
	j := 0
	for b.Loop() {
		i := (j*7919 + 104729) % n
		_, digits := benchCaller(i, j)
		j++
		start := time.Now()
		rows, err := raw.QueryContext(ctx, "SELECT person_id FROM person_number WHERE digits LIKE '%' || ?", digits)
		if err != nil {
			b.Fatal(err)
		}
		found := 0
		for rows.Next() {
			found++
		}
		if err := rows.Err(); err != nil || found != 1 {
			b.Fatalf("%s: %d found (%v), want 1", digits, found, err)
		}
		rows.Close()
		durations = append(durations, time.Since(start))
	}
	scan := reportPercentiles(b, durations)

	sys := desk.NewSystemContext(ctx)
	lookups := make([]time.Duration, 0, 2000)
	for j := range cap(lookups) {
		number, _ := benchCaller((j*7919+104729)%n, j)
		start := time.Now()
		if _, err := db.FindCallersByNumber(sys, number); err != nil {
			b.Fatal(err)
		}
		lookups = append(lookups, time.Since(start))
	}
	slices.Sort(lookups)
	b.ReportMetric(float64(scan)/float64(lookups[len(lookups)/2]), "x-lookup")
}

// BenchmarkFindObjectsCaller runs the caller query of iTop's default
// telephony configuration, compiled from OQL, on the same directory and
// callers as BenchmarkFindCallersByNumber (the forms its phone and mobile
// phone attributes cover), and reports the median and 99th percentile.
//
//	CTIDESK_BENCH_PERSONS=1000000 go test ./internal/store -run '^$' -bench 'FindObjects'
func BenchmarkFindObjectsCaller(b *testing.B) {
	n := benchPersons(b)
	db := benchDB(b, n)
	ctx := desk.NewSystemContext(context.Background())
	q := oql.MustParse(`SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`)
	type input struct{ number, employee string }
	inputs := make([]input, 4096)
	for j := range inputs {
		i := (j*7919 + 104729) % n
		number, _ := benchCaller(i, j%3)
		inputs[j] = input{number, fmt.Sprintf("E%07d", i)}
	}
	find := func(in input) error {
		objs, err := db.FindObjects(ctx, q, desk.QueryParams{"phone": in.number}, 0)
		if err != nil || len(objs) != 1 || objs[0].Value("employee_number") != in.employee {
			return fmt.Errorf("%q: %d found (%v), want person %s", in.number, len(objs), err, in.employee)
		}
		return nil
	}
	for _, in := range inputs {
		if err := find(in); err != nil {
			b.Fatal(err)
		}
	}
	durations := make([]time.Duration, 0, 1<<16)
	j := 0
	for b.Loop() {
		in := inputs[j%len(inputs)]
		j++
		start := time.Now()
		err := find(in)
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	reportPercentiles(b, durations)
}
