package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// BenchmarkPopPage opens the screen pop through a real server, as the phone
// system makes the agent's browser do: GET /pop?phone=… for numbers of
// persons spread over the directory, logged in as the demo agent, with the
// default configuration (caller query, two ticket lists). It reports the
// median and 99th percentile latency and the pops per second, serially and
// with parallel clients.
//
// It runs on the database CTIDESK_BENCH_DB names, skipped without it:
//
//	go run ./cmd/ctidesk demo --persons 1000000 --db sqlite:/tmp/ctidesk-demo-1m.db
//	CTIDESK_BENCH_DB=sqlite:/tmp/ctidesk-demo-1m.db go test ./cmd/ctidesk -run '^$' -bench PopPage
func BenchmarkPopPage(b *testing.B) {
	dsn := os.Getenv("CTIDESK_BENCH_DB")
	if dsn == "" {
		b.Skip("set CTIDESK_BENCH_DB to a database made by ctidesk demo (see the comment)")
	}
	m, out := MustServe(b, "--demo", "--db", dsn)
	base := "http://" + m.Addr()
	client := mustHTTPLogin(b, base, "agent", demoPasswords(out)["agent"])

	// The numbers of 2,000 persons spread over the directory.
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	_, total, err := s.FindPersons(ctx, desk.PersonFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i := range 4000 {
		ids = append(ids, int64((i*7919)%max(1, total))+1) // ids are dense in demo data
	}
	persons, _, err := s.FindPersons(ctx, desk.PersonFilter{IDs: ids, Limit: len(ids)})
	if err != nil {
		b.Fatal(err)
	}
	var numbers []string
	for _, p := range persons {
		if p.Phone != "" && len(numbers) < 2000 {
			numbers = append(numbers, p.Phone)
		}
	}
	s.Close()
	if len(numbers) == 0 {
		b.Fatal("no person with a phone number")
	}
	get := func(i int) time.Duration { return timedPop(b, client, base, numbers[i%len(numbers)]) }
	for i := range 200 { // warm the caches, as a server that has been running
		get(i)
	}
	report := func(b *testing.B, durations []time.Duration, cpu0 time.Duration) {
		slices.Sort(durations)
		b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-us")
		b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-us")
		b.ReportMetric(float64(len(durations))/b.Elapsed().Seconds(), "pops/s")
		// The CPU the process (server and client) spent a pop: on a machine
		// busy with other work, latency measures the others as much as the
		// pop; this measures the pop.
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(len(durations)), "cpu-us/pop")
	}
	b.Run("serial", func(b *testing.B) {
		cpu0 := processCPU()
		var durations []time.Duration
		i := 0
		for b.Loop() {
			durations = append(durations, get(i))
			i++
		}
		report(b, durations, cpu0)
	})
	b.Run("parallel", func(b *testing.B) {
		cpu0 := processCPU()
		var mu sync.Mutex
		var durations []time.Duration
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			i := 0
			for pb.Next() {
				mine = append(mine, get(i))
				i += 7
			}
			mu.Lock()
			durations = append(durations, mine...)
			mu.Unlock()
		})
		report(b, durations, cpu0)
	})
}

// timedPop opens the screen pop of number and returns how long the answer
// took to arrive whole; a status other than 200 ends the benchmark.
func timedPop(b *testing.B, client *http.Client, base, number string) time.Duration {
	start := time.Now()
	resp, err := client.Get(base + "/pop?phone=" + url.QueryEscape(number))
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("pop: status %d", resp.StatusCode)
	}
	return time.Since(start)
}

var csrfHidden = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// mustHTTPLogin returns an HTTP client logged in through the login form.
func mustHTTPLogin(tb testing.TB, base, login, password string) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	resp, err := c.Get(base + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := csrfHidden.FindSubmatch(page)
	if token == nil {
		tb.Fatal("no CSRF token on the login page")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"login": {login}, "password": {password}, "csrf_token": {string(token[1])}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path == "/login" {
		tb.Fatalf("log in as %s failed", login)
	}
	return c
}
