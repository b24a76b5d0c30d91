package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ctidesk/ctidesk/internal/store/storetest"
)

// BenchmarkAPICallers measures GET /api/v1/callers?phone=… end to end: token
// authentication (one read of the token and its user), the caller lookup
// and the JSON answer, over CTIDESK_BENCH_PERSONS persons (default 10,000),
// each request a different caller, after one warm-up pass. "handler" calls the server in process;
// "http" goes through a loopback connection with keep-alive. Both run on
// every core (RunParallel) and report requests per second.
//
//	go test ./internal/web -run '^$' -bench APICallers -benchtime 5s
func BenchmarkAPICallers(b *testing.B) {
	n := 10000
	if v := os.Getenv("CTIDESK_BENCH_PERSONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("CTIDESK_BENCH_PERSONS=%q", v)
		}
	}
	e := MustEnv(b)
	if err := e.svc.Persons.CreatePersons(e.sys, storetest.Persons(n, e.orgA.ID), nil); err != nil {
		b.Fatal(err)
	}
	token := e.MustToken(b, "agent")
	// The phone of storetest person i, as a phone system sends it.
	path := func(i int) string {
		return fmt.Sprintf("/api/v1/callers?phone=%%2B1646%03d%04d", i/10000%1000, i%10000)
	}
	// One warm-up pass over every number, as the store's benchmark does, so
	// that the pages the lookups read are in memory.
	for i := range n {
		if _, err := e.svc.Callers.FindCallersByNumber(e.sys, fmt.Sprintf("+1646%03d%04d", i/10000%1000, i%10000)); err != nil {
			b.Fatal(err)
		}
	}
	// Every answer is checked once, outside the timing.
	check := e.newAPIClient(b, token)
	if r := check.get(path(n / 2)); r.status != http.StatusOK || len(r.body) < 100 {
		b.Fatalf("callers: %d %s", r.status, r.body)
	}

	b.Run("handler", func(b *testing.B) {
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(7919)) % n
				req := httptest.NewRequest(http.MethodGet, path(i), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				e.web.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Errorf("status %d: %s", w.Code, w.Body)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})

	b.Run("http", func(b *testing.B) {
		client := e.srv.Client()
		client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
		var next atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(7919)) % n
				req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path(i), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}
