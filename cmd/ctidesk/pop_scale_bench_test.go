package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// popScaleData names the demo data BenchmarkPopAtScale caches: change it
// when the demo generator or the schema changes what the data is.
const popScaleData = "demo-zipf-0016"

// BenchmarkPopAtScale opens the screen pop through a real server for
// callers of the organization with the most tickets of a large history and
// for callers of the one with the fewest, one after the other (A/B in one
// run, so that the machine's load weighs on both alike), and reports the
// median and 99th percentile latency of each and the ratio of the medians:
// a pop should cost what it shows, not what the caller's organization has
// accumulated (docs/performance.md).
//
// The database is built once by ctidesk demo and kept under os.TempDir,
// named by its parameters: CTIDESK_BENCH_PERSONS (default 20,000) and
// CTIDESK_BENCH_TICKETS (default 300,000, the largest organization about
// 100,000 of them). With CTIDESK_BENCH_POSTGRES set to the URL of an empty
// PostgreSQL database (or schema), the data is copied there once and the
// server runs on it.
//
//	go test ./cmd/ctidesk -run '^$' -bench PopAtScale -benchtime 1000x
func BenchmarkPopAtScale(b *testing.B) {
	persons, tickets := benchEnvInt(b, "CTIDESK_BENCH_PERSONS", 20000), benchEnvInt(b, "CTIDESK_BENCH_TICKETS", 300000)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ctidesk-popscale-%s-p%d-t%d.db", popScaleData, persons, tickets))
	if _, err := os.Stat(path); err != nil {
		b.Logf("building %s (once)", path)
		tmp := path + ".building"
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(f)
		}
		m, _, stderr := testMain("", nil)
		err := m.ParseFlags(context.Background(), []string{"demo", "--db", "sqlite:" + tmp,
			"--persons", strconv.Itoa(persons), "--tickets", strconv.Itoa(tickets)})
		if err == nil {
			err = m.Run(context.Background())
		}
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatalf("demo: %v\n%s", err, stderr)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	large, small := popScaleCallers(b, path)
	dsn := "sqlite:" + path
	if pg := os.Getenv("CTIDESK_BENCH_POSTGRES"); pg != "" {
		// The same data on PostgreSQL: copied once into that database,
		// which must be empty or hold this copy.
		dsn = pg
		m, _, stderr := testMain("", nil)
		err := m.ParseFlags(context.Background(), []string{"copy", "--from", "sqlite:" + path, "--to", pg})
		if err == nil {
			err = m.Run(context.Background())
		}
		m.Close()
		if err != nil && !strings.Contains(err.Error(), "not empty") {
			b.Fatalf("copy to PostgreSQL: %v\n%s", err, stderr)
		}
	}
	m, out := MustServe(b, "--demo", "--db", dsn)
	base := "http://" + m.Addr()
	client := mustHTTPLogin(b, base, "agent", demoPasswords(out)["agent"])
	get := func(number string) time.Duration { return timedPop(b, client, base, number) }
	for i := range 100 { // warm the caches, as a server that has been running
		get(large.numbers[i%len(large.numbers)])
		get(small.numbers[i%len(small.numbers)])
	}
	var l, s []time.Duration
	i := 0
	for b.Loop() {
		l = append(l, get(large.numbers[i%len(large.numbers)]))
		s = append(s, get(small.numbers[i%len(small.numbers)]))
		i++
	}
	slices.Sort(l)
	slices.Sort(s)
	p := func(d []time.Duration, q int) float64 { return float64(d[(len(d)-1)*q/100].Microseconds()) }
	b.ReportMetric(float64(large.tickets), "large-tickets")
	b.ReportMetric(p(l, 50), "large-p50-us")
	b.ReportMetric(p(l, 99), "large-p99-us")
	b.ReportMetric(float64(small.tickets), "small-tickets")
	b.ReportMetric(p(s, 50), "small-p50-us")
	b.ReportMetric(p(s, 99), "small-p99-us")
	b.ReportMetric(p(l, 50)/p(s, 50), "p50-ratio")
}

// popScaleOrg is an organization of the benchmark: its tickets and the
// phone numbers of its persons.
type popScaleOrg struct {
	tickets int
	numbers []string
}

// popScaleCallers returns the active customers with the most and the fewest
// tickets of the database at path, with the numbers of up to 200 of their
// persons.
func popScaleCallers(tb testing.TB, path string) (large, small popScaleOrg) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT t.org_id, COUNT(*) FROM ticket t JOIN organization o ON o.id = t.org_id
		WHERE o.status = 'active' AND o.id > 1 GROUP BY t.org_id ORDER BY 2 DESC`)
	if err != nil {
		tb.Fatal(err)
	}
	var orgs []int64
	var counts []int
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			tb.Fatal(err)
		}
		orgs, counts = append(orgs, id), append(counts, n)
	}
	rows.Close()
	if len(orgs) < 2 {
		tb.Fatalf("%d organizations with tickets", len(orgs))
	}
	numbers := func(org int64) []string {
		rows, err := db.Query(`SELECT phone FROM person WHERE org_id = ? AND phone <> '' AND status = 'active' ORDER BY id LIMIT 200`, org)
		if err != nil {
			tb.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				tb.Fatal(err)
			}
			out = append(out, n)
		}
		if len(out) == 0 {
			tb.Fatalf("no number in organization %d", org)
		}
		return out
	}
	last := len(orgs) - 1
	return popScaleOrg{counts[0], numbers(orgs[0])}, popScaleOrg{counts[last], numbers(orgs[last])}
}

func benchEnvInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q", name, v)
	}
	return n
}
