package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Health: /healthz says the process is alive and the database answers a
// read (liveness: a failure asks for a restart); /readyz says this instance
// can serve now (readiness: a failure takes it out of the load balancer
// until it recovers): the database takes a write, and on PostgreSQL the
// event bus listens. docs/deployment.md shows both to nginx and Kubernetes.

// ReadinessCheck is one thing an instance needs to serve, checked by
// /readyz: Check returns why it is not ready, nil when it is.
type ReadinessCheck struct {
	// Name labels the check in /readyz's answer and in the metric
	// ctidesk_ready{check=...}: database_write, event_bus.
	Name  string
	Check func(ctx context.Context) error
}

// readinessCacheFor is how long a readiness answer is reused: load
// balancers ask every few seconds, each instance, and a write probe is a
// write.
const readinessCacheFor = 3 * time.Second

// readiness runs the checks at most once per readinessCacheFor.
type readiness struct {
	checks []ReadinessCheck
	gauge  *prometheus.GaugeVec

	mu      sync.Mutex
	at      time.Time
	failing []string // "name: reason" of the checks that failed
}

func newReadiness(checks []ReadinessCheck, gauge *prometheus.GaugeVec) *readiness {
	for _, c := range checks {
		gauge.WithLabelValues(c.Name) // known from the start, for alerts on absence
	}
	return &readiness{checks: checks, gauge: gauge}
}

// state returns the failing checks, running them when the last run is
// older than readinessCacheFor.
func (rd *readiness) state(ctx context.Context, now time.Time) []string {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if !rd.at.IsZero() && now.Sub(rd.at) < readinessCacheFor {
		return rd.failing
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	rd.failing = nil
	for _, c := range rd.checks {
		if err := c.Check(ctx); err != nil {
			rd.failing = append(rd.failing, c.Name+": "+err.Error())
			rd.gauge.WithLabelValues(c.Name).Set(0)
		} else {
			rd.gauge.WithLabelValues(c.Name).Set(1)
		}
	}
	rd.at = now
	return rd.failing
}

// handleReady answers 200 "ready" when every readiness check passes, 503
// with the failing ones otherwise: for load balancers, no login.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	failing := s.readiness.state(r.Context(), s.now())
	if len(failing) > 0 {
		s.log.Warn("not ready", "checks", strings.Join(failing, "; "))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n" + strings.Join(failing, "\n") + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// handleHealth answers 200 "ok" when the database answers a query within two
// seconds, 503 otherwise: liveness, for load balancers and orchestrators, no
// login.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// A real read of a table, rather than a ping: the schema is there too.
	if _, _, err := s.svc.Sessions.CountLoginFailures(desk.NewSystemContext(ctx), "", "", s.now()); err != nil {
		s.log.Error("health check", "err", err)
		s.metrics.live.Set(0)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	s.metrics.live.Set(1)
	w.Write([]byte("ok\n"))
}
