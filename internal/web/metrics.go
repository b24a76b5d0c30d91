package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// metrics are the Prometheus metrics of one Server, in its own registry.
type metrics struct {
	registry *prometheus.Registry
	// requests is the latency of every request by route pattern (never the
	// raw path, which holds ids and tokens) and status.
	requests *prometheus.HistogramVec
	// pops counts the screen pops served (a page, not its lists).
	pops prometheus.Counter
	// lookups counts the caller lookups: source "pop" or "api".
	lookups *prometheus.CounterVec
	// callEvents counts the call events accepted by the webhook, by event.
	callEvents *prometheus.CounterVec
	// sseClients is the number of event streams open on this instance.
	sseClients prometheus.Gauge
	// calls counts the calls that ended, by state and queue; answer is the
	// time inbound calls rang before they were answered.
	calls  *prometheus.CounterVec
	answer prometheus.Histogram
	// queues are the queue label values seen, at most maxQueueLabels: a
	// phone system cannot grow the label values without bound.
	queuesMu sync.Mutex
	queues   map[string]bool
	// live is the last answer of /healthz; ready that of each check of
	// /readyz (1 passes, 0 fails).
	live    prometheus.Gauge
	ready   *prometheus.GaugeVec
	handler http.Handler
}

// newMetrics registers the metrics of a Server in reg; nil: a new registry,
// with the Go runtime's and the process's collectors.
func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &metrics{
		registry: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ctidesk_http_request_duration_seconds",
			Help:    "Latency of the HTTP requests, by route pattern and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "code"}),
		pops: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ctidesk_pops_served_total",
			Help: "Screen pops served (GET /pop answered without error).",
		}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ctidesk_caller_lookups_total",
			Help: "Caller lookups answered, by source: pop (the screen pop) or api (/api/v1/callers, 3CX).",
		}, []string{"source"}),
		callEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ctidesk_call_events_total",
			Help: "Call events accepted from phone systems, by event (newCall, answer, hangup).",
		}, []string{"event"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ctidesk_calls_total",
			Help: "Calls that ended, by state (answered, missed, rejected, unanswered) and queue (\"\" for none).",
		}, []string{"state", "queue"}),
		answer: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ctidesk_call_answer_seconds",
			Help:    "Time inbound calls rang before they were answered.",
			Buckets: []float64{2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300},
		}),
		queues: map[string]bool{},
		sseClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ctidesk_sse_clients",
			Help: "Event streams (/events) open on this instance.",
		}),
		live: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ctidesk_live",
			Help: "1 when the last /healthz found the database answering, 0 when not.",
		}),
		ready: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ctidesk_ready",
			Help: "1 when the last /readyz found the check passing, 0 when not, by check (database_write, event_bus).",
		}, []string{"check"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.pops, m.lookups, m.callEvents, m.sseClients, m.live, m.ready,
		m.calls, m.answer} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// Every source is there from the start, at zero, for rate() to work.
	m.lookups.WithLabelValues("pop")
	m.lookups.WithLabelValues("api")
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m, nil
}

// observe records a request that ended: its latency by route, and the
// counters its route stands for.
func (m *metrics) observe(route string, status int, d time.Duration) {
	if route == "" {
		route = "other" // answered before routing
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
	if status >= 400 {
		return
	}
	switch route {
	case "GET /pop":
		m.pops.Inc()
		m.lookups.WithLabelValues("pop").Inc()
	case "GET /api/v1/callers", "GET /api/v1/3cx/lookup":
		m.lookups.WithLabelValues("api").Inc()
	}
}

// callEvent counts an accepted call event; an unknown name is counted as
// "other", so that a client cannot grow the label values.
func (m *metrics) callEvent(event string) {
	switch event {
	case "newCall", "answer", "hangup":
	default:
		event = "other"
	}
	m.callEvents.WithLabelValues(event).Inc()
}

// maxQueueLabels bounds the queue label values of ctidesk_calls_total;
// the queues beyond count as "other".
const maxQueueLabels = 100

// observeCall counts what changed of a call (cti.Calls.Observe): its end,
// by state and queue, and the time an inbound call rang before its answer.
func (m *metrics) observeCall(before, after *desk.Call) {
	if before.AnsweredAt == nil && after.AnsweredAt != nil && after.Direction == desk.DirectionIn &&
		!after.AnsweredAt.Before(after.StartedAt) {
		m.answer.Observe(after.AnsweredAt.Sub(after.StartedAt).Seconds())
	}
	if before.EndedAt != nil || after.EndedAt == nil {
		return
	}
	queue := after.Queue
	m.queuesMu.Lock()
	if !m.queues[queue] {
		if len(m.queues) < maxQueueLabels {
			m.queues[queue] = true
		} else {
			queue = "other"
		}
	}
	m.queuesMu.Unlock()
	m.calls.WithLabelValues(after.State, queue).Inc()
}

// handleMetrics serves the metrics in Prometheus' text format to an admin's
// API token (Authorization: Bearer ctd_…) only: they tell the load and the
// routes of the desk. Loopback is not trusted instead, since a reverse proxy
// on the same machine would make every client local.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk"`)
		http.Error(w, "An admin's API token is required: Authorization: Bearer <token>.", http.StatusUnauthorized)
		return
	}
	_, user, err := s.svc.Tokens.AuthenticateAPIToken(r.Context(), token)
	switch code := desk.ErrorCode(err); {
	case err == nil:
	case code == desk.EUNAUTHORIZED || code == desk.ENOTFOUND:
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk", error="invalid_token"`)
		http.Error(w, "The API token is not valid.", http.StatusUnauthorized)
		return
	default:
		s.log.Error("metrics: authenticate", "err", err)
		http.Error(w, "The API token could not be checked.", http.StatusServiceUnavailable)
		return
	}
	if !user.HasRole(desk.RoleAdmin) {
		http.Error(w, "The metrics are for administrators only.", http.StatusForbidden)
		return
	}
	request.SetLogin(r.Context(), user.Login)
	s.metrics.handler.ServeHTTP(w, r)
}
