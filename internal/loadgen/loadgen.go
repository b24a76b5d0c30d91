// Package loadgen drives a running ctidesk with a mix of screen pops, caller
// lookups and call events at a given concurrency, and reports throughput,
// latency percentiles and errors per endpoint (cmd/ctidesk-bench,
// docs/performance.md).
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The endpoints a load mixes.
const (
	Pop     = "pop"     // GET /pop?phone=… as the logged-in agent's browser
	Callers = "callers" // GET /api/v1/callers?phone=… with an API token
	Events  = "events"  // POST /api/v1/cti/events: newCall, answer, hangup
)

// Config is one load run.
type Config struct {
	// Base is the server's URL, as http://127.0.0.1:8080.
	Base string
	// Token is an API token (ctd_…) for /api/v1/callers.
	Token string
	// Login and Password log in through the form for /pop.
	Login, Password string
	// IntegrationToken (cti_…) posts the call events.
	IntegrationToken string
	// EventUser, when set, is sent as the user a newCall rings and who
	// answers.
	EventUser string
	// Mix weighs the endpoints: {"pop": 1, "callers": 3}. An events draw
	// posts the three events of one call, each counted as a request.
	Mix map[string]int
	// Connections is the number of concurrent clients.
	Connections int
	// Duration is how long the load runs.
	Duration time.Duration
	// Numbers are the phone numbers looked up, used in turn.
	Numbers []string
}

// ParseMix reads a mix as "pop=1,callers=3,events=1"; a name without a
// weight weighs 1.
func ParseMix(s string) (map[string]int, error) {
	mix := map[string]int{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, found := strings.Cut(part, "=")
		weight := 1
		if found {
			n, err := strconv.Atoi(w)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("mix %q: weight %q is not a whole number", s, w)
			}
			weight = n
		}
		switch name {
		case Pop, Callers, Events:
		default:
			return nil, fmt.Errorf("mix %q: unknown endpoint %q (use pop, callers, events)", s, name)
		}
		mix[name] = weight
	}
	total := 0
	for _, w := range mix {
		total += w
	}
	if total == 0 {
		return nil, fmt.Errorf("mix %q: no endpoint with a weight", s)
	}
	return mix, nil
}

// Stats are one endpoint's results.
type Stats struct {
	Endpoint string
	Requests int
	// Errors counts failed requests by cause: "status 500", or the error.
	Errors    map[string]int
	Latencies []time.Duration // sorted
}

// Percentile returns the latency below which p (0–100) percent of the
// requests were answered.
func (s *Stats) Percentile(p float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(s.Latencies)) * p / 100)
	return s.Latencies[min(i, len(s.Latencies)-1)]
}

// ErrorCount returns the number of failed requests.
func (s *Stats) ErrorCount() int {
	n := 0
	for _, c := range s.Errors {
		n += c
	}
	return n
}

// Report is the result of a run.
type Report struct {
	Elapsed   time.Duration
	Endpoints []*Stats // in the order pop, callers, events; only those run
}

// Write prints the report as a table.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "%-8s %9s %10s %9s %9s %9s %9s %7s\n", "endpoint", "requests", "req/s", "p50", "p95", "p99", "max", "errors")
	for _, s := range r.Endpoints {
		fmt.Fprintf(w, "%-8s %9d %10.0f %9s %9s %9s %9s %7d\n", s.Endpoint, s.Requests,
			float64(s.Requests)/r.Elapsed.Seconds(), ms(s.Percentile(50)), ms(s.Percentile(95)),
			ms(s.Percentile(99)), ms(s.Percentile(100)), s.ErrorCount())
	}
	for _, s := range r.Endpoints {
		causes := make([]string, 0, len(s.Errors))
		for c := range s.Errors {
			causes = append(causes, c)
		}
		sort.Strings(causes)
		for _, c := range causes {
			fmt.Fprintf(w, "error %s: %dx %s\n", s.Endpoint, s.Errors[c], c)
		}
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + "ms"
}

// Run logs in as needed, then drives the mix until the duration has passed
// or ctx is done.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Connections < 1 {
		return nil, errors.New("connections must be at least 1")
	}
	if len(cfg.Numbers) == 0 && (cfg.Mix[Pop] > 0 || cfg.Mix[Callers] > 0 || cfg.Mix[Events] > 0) {
		return nil, errors.New("no phone numbers to look up")
	}
	if cfg.Mix[Callers] > 0 && cfg.Token == "" {
		return nil, errors.New("the callers endpoint needs an API token")
	}
	if cfg.Mix[Events] > 0 && cfg.IntegrationToken == "" {
		return nil, errors.New("the events endpoint needs an integration token")
	}
	base := strings.TrimRight(cfg.Base, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the server's URL %q is not an http:// or https:// URL", cfg.Base)
	}
	transport := &http.Transport{MaxIdleConns: cfg.Connections * 2, MaxIdleConnsPerHost: cfg.Connections * 2,
		IdleConnTimeout: 90 * time.Second}
	defer transport.CloseIdleConnections()
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var endpoints []string
	var weights []int
	for _, name := range []string{Pop, Callers, Events} {
		if cfg.Mix[name] > 0 {
			endpoints, weights = append(endpoints, name), append(weights, cfg.Mix[name])
		}
	}
	if cfg.Mix[Pop] > 0 {
		if err := login(ctx, client, base, cfg.Login, cfg.Password); err != nil {
			return nil, err
		}
	}
	total := 0
	for _, w := range weights {
		total += w
	}

	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	var callSeq atomic.Int64
	results := make([]map[string]*Stats, cfg.Connections)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cfg.Connections {
		stats := map[string]*Stats{}
		for _, e := range endpoints {
			stats[e] = &Stats{Endpoint: e, Errors: map[string]int{}}
		}
		results[c] = stats
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano())))
			w := &worker{client: client, base: base, cfg: &cfg, stats: stats}
			for i := c; ctx.Err() == nil; i += cfg.Connections {
				number := cfg.Numbers[i%len(cfg.Numbers)]
				pick := rng.IntN(total)
				e := endpoints[0]
				for k, wt := range weights {
					if pick < wt {
						e = endpoints[k]
						break
					}
					pick -= wt
				}
				switch e {
				case Pop:
					w.do(ctx, Pop, http.MethodGet, "/pop?phone="+url.QueryEscape(number), "", "")
				case Callers:
					w.do(ctx, Callers, http.MethodGet, "/api/v1/callers?phone="+url.QueryEscape(number), "", "Bearer "+cfg.Token)
				case Events:
					id := "bench-" + runID + "-" + strconv.FormatInt(callSeq.Add(1), 10)
					for _, ev := range []string{"newCall", "answer", "hangup"} {
						form := url.Values{"event": {ev}, "direction": {"in"}, "callId": {id}, "from": {number}, "to": {"100"}}
						if cfg.EventUser != "" {
							form.Set("user", cfg.EventUser)
						}
						if ev == "hangup" {
							form.Set("cause", "normalClearing")
						}
						if !w.do(ctx, Events, http.MethodPost, "/api/v1/cti/events", form.Encode(), "Bearer "+cfg.IntegrationToken) {
							break
						}
					}
				}
			}
		})
	}
	wg.Wait()
	report := &Report{Elapsed: time.Since(start)}
	for _, e := range endpoints {
		merged := &Stats{Endpoint: e, Errors: map[string]int{}}
		for _, r := range results {
			s := r[e]
			merged.Requests += s.Requests
			merged.Latencies = append(merged.Latencies, s.Latencies...)
			for k, v := range s.Errors {
				merged.Errors[k] += v
			}
		}
		slices.Sort(merged.Latencies)
		report.Endpoints = append(report.Endpoints, merged)
	}
	return report, nil
}

// worker is one connection's state.
type worker struct {
	client *http.Client
	base   string
	cfg    *Config
	stats  map[string]*Stats
}

// do makes one request and records it; a request cut short by the end of
// the run is not counted. It reports whether the request succeeded.
func (w *worker) do(ctx context.Context, endpoint, method, path, form, auth string) bool {
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	s := w.stats[endpoint]
	req, err := http.NewRequestWithContext(ctx, method, w.base+path, body)
	if err != nil {
		s.Requests++
		s.Errors[err.Error()]++
		return false
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	start := time.Now()
	resp, err := w.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return false // the run ended during the request
	}
	s.Requests++
	s.Latencies = append(s.Latencies, elapsed)
	switch {
	case err != nil:
		s.Errors[err.Error()]++
		return false
	case resp.StatusCode != http.StatusOK:
		s.Errors["status "+strconv.Itoa(resp.StatusCode)]++
		return false
	}
	return true
}

var csrfHidden = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// login logs client in through the login form, keeping the session cookie
// in its jar.
func login(ctx context.Context, client *http.Client, base, login, password string) error {
	if login == "" {
		return errors.New("the pop endpoint needs a login and a password")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := csrfHidden.FindSubmatch(page)
	if token == nil {
		return fmt.Errorf("log in: no CSRF token on the login page (status %d)", resp.StatusCode)
	}
	form := url.Values{"login": {login}, "password": {password}, "csrf_token": {string(token[1])}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || strings.HasPrefix(loc, "/login") {
		return fmt.Errorf("log in as %s failed (status %d)", login, resp.StatusCode)
	}
	return nil
}
