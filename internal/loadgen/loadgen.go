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
	"math"
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
	// Rate, when above 0, is the total number of draws per second offered
	// over all the connections (open loop, as wrk2): one scheduler hands
	// out send times 1/Rate apart to whichever client is idle, and a
	// request's latency is counted from its scheduled time, not from when
	// it was sent, so that the time a request waited for a busy client
	// counts (no coordinated omission). A draw is one request, except an
	// events draw: its three requests take one slot, the newCall timed
	// from the slot, the answer and the hangup from their own sends. At 0
	// each client sends its next request as soon as the last one answered
	// (closed loop).
	Rate float64
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
	// Rate is the offered rate of an open-loop run (Config.Rate), 0 for
	// a closed-loop run; the fields below are set only with a rate.
	Rate float64
	// Due is the number of slots whose send time came during the run,
	// Sent the number of them a client took and sent, and Busy the number
	// of slots that found every client busy at the time the scheduler
	// handed them out (they were sent late, or not at all).
	Due, Sent, Busy int
}

// KeptUp is the share of the offered rate below which an open-loop run
// is reported as not valid at that rate.
const KeptUp = 0.95

// Achieved returns the rate at which slots were sent, per second.
func (r *Report) Achieved() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent) / r.Elapsed.Seconds()
}

// FellBehind reports whether an open-loop run sent fewer than KeptUp of
// its due slots: the clients were all busy and the latencies measured
// are not those at the offered rate (the slots never sent are missing).
func (r *Report) FellBehind() bool {
	return r.Rate > 0 && float64(r.Sent) < KeptUp*float64(r.Due)
}

// Write prints the report as a table, after the offered and achieved
// rates of an open-loop run.
func (r *Report) Write(w io.Writer) {
	if r.Rate > 0 {
		share := 0.0
		if r.Due > 0 {
			share = 100 * float64(r.Sent) / float64(r.Due)
		}
		fmt.Fprintf(w, "offered %s/s, achieved %s/s (%d of %d slots sent, %.1f%%; %d found every client busy); latency from the scheduled send time\n",
			strconv.FormatFloat(r.Rate, 'f', -1, 64), strconv.FormatFloat(r.Achieved(), 'f', 0, 64), r.Sent, r.Due, share, r.Busy)
		if r.FellBehind() {
			fmt.Fprintf(w, "WARNING: the generator could not keep up with the offered rate (below %.0f%% of the slots sent; every client busy): the latencies below are NOT valid at %s/s; raise --connections or lower --rate\n",
				100*KeptUp, strconv.FormatFloat(r.Rate, 'f', -1, 64))
		}
	}
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
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("rate %v: must not be negative (requests per second; 0 runs closed-loop)", cfg.Rate)
	}
	if math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0) {
		return nil, fmt.Errorf("rate %v: must be a finite number of requests per second", cfg.Rate)
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
	// slots hands out the scheduled send times of an open-loop run.
	var slots chan time.Time
	if cfg.Rate > 0 {
		slots = make(chan time.Time)
	}
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
				var scheduled time.Time // zero: timed from the send
				if slots != nil {
					select {
					case scheduled = <-slots:
					case <-ctx.Done():
						return
					}
				}
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
					w.do(ctx, scheduled, Pop, http.MethodGet, "/pop?phone="+url.QueryEscape(number), "", "")
				case Callers:
					w.do(ctx, scheduled, Callers, http.MethodGet, "/api/v1/callers?phone="+url.QueryEscape(number), "", "Bearer "+cfg.Token)
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
						if !w.do(ctx, scheduled, Events, http.MethodPost, "/api/v1/cti/events", form.Encode(), "Bearer "+cfg.IntegrationToken) {
							break
						}
						scheduled = time.Time{} // the answer and the hangup follow at once
					}
				}
			}
		})
	}
	var sched schedule
	if slots != nil {
		wg.Go(func() { sched = runSchedule(ctx, slots, start, cfg.Rate) })
	}
	wg.Wait()
	report := &Report{Elapsed: time.Since(start), Rate: cfg.Rate, Due: sched.due, Sent: sched.sent, Busy: sched.busy}
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

// schedule counts the slots of an open-loop run.
type schedule struct{ due, sent, busy int }

// runSchedule hands out the send times start, start+1/rate, … on slots
// until ctx is done, each at its time to an idle client or, when every
// client is busy, to the next client free (late: its latency counts the
// wait). A run that falls behind ends with slots due and not sent: due
// counts every slot whose time came before the end, handed out or not.
func runSchedule(ctx context.Context, slots chan<- time.Time, start time.Time, rate float64) (s schedule) {
	defer func() {
		s.due = max(s.sent, int(math.Floor(time.Since(start).Seconds()*rate))+1)
	}()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := 0; ; i++ {
		t := start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
		if d := time.Until(t); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return s
			}
		}
		if ctx.Err() != nil {
			return s
		}
		select {
		case slots <- t:
			s.sent++
			continue
		default:
		}
		s.busy++
		select {
		case slots <- t:
			s.sent++
		case <-ctx.Done():
			return s
		}
	}
}

// worker is one connection's state.
type worker struct {
	client *http.Client
	base   string
	cfg    *Config
	stats  map[string]*Stats
}

// do makes one request and records it, its latency counted from scheduled
// or, when that is zero, from the send; a request cut short by the end of
// the run is not counted. It reports whether the request succeeded.
func (w *worker) do(ctx context.Context, scheduled time.Time, endpoint, method, path, form, auth string) bool {
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
	start := scheduled
	if start.IsZero() {
		start = time.Now()
	}
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
