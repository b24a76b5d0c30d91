package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/web"
)

// TestReadyz: /readyz is 200 while every check passes and 503 naming the
// failing ones otherwise, with no login; the answer is reused for a few
// seconds; /healthz stays the liveness check; /metrics shows both.
func TestReadyz(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	e := MustEnvWith(t, func(o *web.Options) {
		o.Now = func() time.Time { return time.Unix(0, clock.Load()) }
		o.Readiness = []web.ReadinessCheck{{Name: "database_write", Check: func(context.Context) error {
			if failing.Load() {
				return errors.New("database or disk is full")
			}
			return nil
		}}}
	})
	anon := e.newClient(t)
	r := anon.get("/readyz")
	wantStatus(t, "ready", r, http.StatusOK)
	if strings.TrimSpace(r.body) != "ready" {
		t.Errorf("ready body %q", r.body)
	}

	failing.Store(true)
	wantStatus(t, "within the cache", anon.get("/readyz"), http.StatusOK)
	clock.Add(int64(4 * time.Second))
	r = anon.get("/readyz")
	wantStatus(t, "full disk", r, http.StatusServiceUnavailable)
	wantContains(t, "full disk", r, "database_write: database or disk is full")
	wantStatus(t, "liveness on a full disk", anon.get("/healthz"), http.StatusOK)

	token := e.MustToken(t, "admin")
	metricsOf := func() string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	metrics := metricsOf()
	for _, want := range []string{`ctidesk_ready{check="database_write"} 0`, "ctidesk_live 1"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	failing.Store(false)
	clock.Add(int64(4 * time.Second))
	wantStatus(t, "recovered", anon.get("/readyz"), http.StatusOK)
	if !strings.Contains(metricsOf(), `ctidesk_ready{check="database_write"} 1`) {
		t.Error("the metric did not recover")
	}
}
