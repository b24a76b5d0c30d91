package loadgen

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]int
		wantErr string
	}{
		{"callers", map[string]int{Callers: 1}, ""},
		{"pop=1, callers=3,events=0", map[string]int{Pop: 1, Callers: 3, Events: 0}, ""},
		{"pop=x", nil, "not a whole number"},
		{"pop=-1", nil, "not a whole number"},
		{"lunch=2", nil, `unknown endpoint "lunch"`},
		{"pop=0", nil, "no endpoint with a weight"},
		{"", nil, "no endpoint with a weight"},
	}
	for _, tt := range tests {
		got, err := ParseMix(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMix(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("ParseMix(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseMix(%q)[%s] = %d, want %d", tt.in, k, got[k], v)
			}
		}
	}
}

func TestReadNumbers(t *testing.T) {
	got, err := ReadNumbers(strings.NewReader("# numbers\n+1 512 555 0100\n\n  0612345678 \n"))
	if err != nil || len(got) != 2 || got[0] != "+1 512 555 0100" || got[1] != "0612345678" {
		t.Errorf("ReadNumbers = %q, %v", got, err)
	}
	if _, err := ReadNumbers(strings.NewReader("# none\n")); err == nil {
		t.Error("ReadNumbers of no number: no error")
	}
}

func TestReport(t *testing.T) {
	s := &Stats{Endpoint: Callers, Requests: 100, Errors: map[string]int{"status 500": 2}}
	for i := range 100 {
		s.Latencies = append(s.Latencies, time.Duration(i+1)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 51 * time.Millisecond}, {99, 100 * time.Millisecond}, {100, 100 * time.Millisecond}} {
		if got := s.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if (&Stats{}).Percentile(50) != 0 {
		t.Error("Percentile of no request is not 0")
	}
	var buf bytes.Buffer
	(&Report{Elapsed: 2 * time.Second, Endpoints: []*Stats{s}}).Write(&buf)
	for _, want := range []string{"callers", "50", "51.00ms", "100.00ms", "error callers: 2x status 500"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestReportRate(t *testing.T) {
	s := &Stats{Endpoint: Callers, Requests: 980, Errors: map[string]int{}}
	r := &Report{Elapsed: time.Second, Endpoints: []*Stats{s}, Rate: 1000, Due: 1000, Sent: 980, Busy: 3}
	var buf bytes.Buffer
	r.Write(&buf)
	if want := "offered 1000/s, achieved 980/s (980 of 1000 slots sent, 98.0%; 3 found every client busy)"; !strings.Contains(buf.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, buf.String())
	}
	if r.FellBehind() || strings.Contains(buf.String(), "WARNING") {
		t.Errorf("a run at 98%% of its rate reported as behind:\n%s", buf.String())
	}
	r.Sent, r.Busy = 900, 250
	buf.Reset()
	r.Write(&buf)
	if !r.FellBehind() || !strings.Contains(buf.String(), "WARNING: the generator could not keep up") ||
		!strings.Contains(buf.String(), "NOT valid at 1000/s") {
		t.Errorf("a run at 90%% of its rate not reported as behind:\n%s", buf.String())
	}
	buf.Reset()
	(&Report{Elapsed: time.Second, Endpoints: []*Stats{s}}).Write(&buf)
	if strings.Contains(buf.String(), "offered") {
		t.Errorf("a closed-loop report speaks of a rate:\n%s", buf.String())
	}
}

func TestRunNegativeRate(t *testing.T) {
	_, err := Run(context.Background(), Config{Base: "http://127.0.0.1:1", Token: "t", Mix: map[string]int{Callers: 1},
		Connections: 1, Duration: time.Second, Rate: -1, Numbers: []string{"1"}})
	if err == nil || !strings.Contains(err.Error(), "rate -1: must not be negative") {
		t.Errorf("Run with rate -1 = %v, want an error that the rate must not be negative", err)
	}
}

// TestRunRate checks that an open-loop run follows its schedule: about
// Rate×Duration draws against a server that answers at once (a closed
// loop would send far more), three requests an events draw. A busy
// machine may send fewer than due, never more: the lower bound on the
// requests is only that some were sent.
func TestRunRate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	for _, tt := range []struct {
		endpoint string
		perDraw  int
		duration time.Duration
	}{{Callers, 1, time.Second}, {Events, 3, 500 * time.Millisecond}} {
		const rate = 200
		r, err := Run(context.Background(), Config{Base: srv.URL, Token: "t", IntegrationToken: "i",
			Mix: map[string]int{tt.endpoint: 1}, Connections: 4, Duration: tt.duration, Rate: rate, Numbers: []string{"1", "2"}})
		if err != nil {
			t.Fatal(err)
		}
		want := rate * tt.duration.Seconds()
		if r.Rate != rate || float64(r.Due) < 0.5*want || float64(r.Due) > 1.5*want || r.Sent > r.Due {
			t.Errorf("%s: rate %v, %d slots due, %d sent; want %v due", tt.endpoint, r.Rate, r.Due, r.Sent, want)
		}
		got := r.Endpoints[0].Requests
		if got == 0 || float64(got) > 1.5*want*float64(tt.perDraw) {
			t.Errorf("%s: %d requests at %d/s for %s, want about %v", tt.endpoint, got, rate, tt.duration, want*float64(tt.perDraw))
		}
		if n := r.Endpoints[0].ErrorCount(); n > 0 {
			t.Errorf("%s: %d errors: %v", tt.endpoint, n, r.Endpoints[0].Errors)
		}
	}
}

// TestRunRateLatencyFromSchedule checks that an open-loop run counts the
// time a request waited for a busy client: one connection to a server
// that takes 50 ms a request, offered a request every 10 ms, falls behind
// by 40 ms more at each request, which the latencies must show (timed
// from the send they would all be about 50 ms); the slots due must count
// those never sent, and the report must say the run could not keep up.
func TestRunRateLatencyFromSchedule(t *testing.T) {
	var inFlight, overlap atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		if inFlight.Add(1) > 1 {
			overlap.Add(1)
		}
		defer inFlight.Add(-1)
		time.Sleep(50 * time.Millisecond)
	}))
	defer srv.Close()
	r, err := Run(context.Background(), Config{Base: srv.URL, Token: "t", Mix: map[string]int{Callers: 1},
		Connections: 1, Duration: 600 * time.Millisecond, Rate: 100, Numbers: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	if overlap.Load() > 0 {
		t.Errorf("one connection sent %d overlapping requests", overlap.Load())
	}
	s := r.Endpoints[0]
	if s.Requests < 3 {
		t.Fatalf("%d requests in 600 ms at 50 ms each", s.Requests)
	}
	if p99 := s.Percentile(99); p99 < 150*time.Millisecond {
		t.Errorf("p99 %v over %d requests of 50 ms each, falling 40 ms behind each: the wait for the schedule is not counted (latencies %v)",
			p99, s.Requests, s.Latencies)
	}
	var buf bytes.Buffer
	r.Write(&buf)
	if r.Due < 30 || r.Due > 120 || r.Sent > 20 {
		t.Errorf("%d slots due, %d sent in 600 ms at 100/s of 50 ms each; want about 60 due and 12 sent", r.Due, r.Sent)
	}
	if !r.FellBehind() || !strings.Contains(buf.String(), "could not keep up") {
		t.Errorf("a run sending %d of %d slots not reported as behind:\n%s", r.Sent, r.Due, buf.String())
	}
}
