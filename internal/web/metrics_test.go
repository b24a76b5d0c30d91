package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/web"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Services: db.Services()})
	if err != nil {
		t.Fatal(err)
	}
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return w
	}
	if w := get(); w.Code != http.StatusOK || w.Body.String() != "ok\n" {
		t.Errorf("database up: %d %q, want 200 \"ok\\n\"", w.Code, w.Body.String())
	}
	db.Close()
	w := get()
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("database closed: status %d, want 503", w.Code)
	}
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("503: X-Content-Type-Options %q", got)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	admin, agent := ce.MustToken(t, "admin"), ce.MustToken(t, "agent")

	metrics := func(t *testing.T, header string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, ce.srv.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		c := ce.newClient(t)
		r := c.do(req)
		return r.status, r.body
	}
	t.Run("access", func(t *testing.T) {
		for _, tt := range []struct {
			name, header string
			want         int
		}{
			{"no token", "", http.StatusUnauthorized},
			{"not bearer", "Basic YWRtaW46eA==", http.StatusUnauthorized},
			{"empty bearer", "Bearer ", http.StatusUnauthorized},
			{"unknown token", "Bearer ctd_nope", http.StatusUnauthorized},
			{"integration token", "Bearer " + ce.token, http.StatusUnauthorized},
			{"agent's token", "Bearer " + agent, http.StatusForbidden},
			{"admin's token", "Bearer " + admin, http.StatusOK},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if got, body := metrics(t, tt.header); got != tt.want {
					t.Errorf("status %d, want %d\n%s", got, tt.want, truncate(body))
				}
			})
		}
		// A logged-in admin's browser session is not enough.
		c := ce.MustLogin(t, "admin")
		wantStatus(t, "admin session", c.get("/metrics"), http.StatusUnauthorized)
	})

	t.Run("content", func(t *testing.T) {
		c := ce.MustLogin(t, "agent")
		wantStatus(t, "pop", c.get("/pop?phone=5550100199"), http.StatusOK)
		wantStatus(t, "person", c.get(idPath("/persons", ce.personA.ID)), http.StatusOK)
		api := ce.newAPIClient(t, agent)
		if r := api.get("/api/v1/callers?phone=5550100199"); r.status != http.StatusOK {
			t.Fatalf("callers: %d", r.status)
		}
		for _, ev := range []string{"newCall", "answer", "hangup"} {
			if r := ce.event(t, callForm(ev, "m-1", "+15550100199", "user", "201", "queue", "support")); r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", ev, r.status, r.body)
			}
		}
		ce.missCall(t, "m-2", "+15550100199", "201")
		// An open event stream.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ce.srv.URL+"/events", nil)
		for _, ck := range c.hc.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("events: %d", resp.StatusCode)
		}
		bufio.NewReader(resp.Body).Peek(1) // the stream has started once a byte came
		_, body := metrics(t, "Bearer "+admin)
		for _, want := range []string{
			`ctidesk_http_request_duration_seconds_count{code="200",route="GET /pop"} 1`,
			`ctidesk_http_request_duration_seconds_count{code="200",route="GET /persons/{id}"} 1`,
			`ctidesk_http_request_duration_seconds_count{code="200",route="GET /api/v1/callers"} 1`,
			`ctidesk_http_request_duration_seconds_count{code="200",route="POST /api/v1/cti/events/{token}"} 5`,
			`ctidesk_pops_served_total 1`,
			`ctidesk_caller_lookups_total{source="pop"} 1`,
			`ctidesk_caller_lookups_total{source="api"} 1`,
			`ctidesk_call_events_total{event="newCall"} 2`,
			`ctidesk_call_events_total{event="hangup"} 2`,
			`ctidesk_calls_total{queue="support",state="answered"} 1`,
			`ctidesk_calls_total{queue="",state="missed"} 1`,
			`ctidesk_call_answer_seconds_count 1`,
			`ctidesk_sse_clients 1`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		// No raw path (ids, tokens) in a label.
		if m := regexp.MustCompile(`route="[^"]*(/\d+|cti_[A-Za-z0-9_-]{8,})[^"]*"`).FindString(body); m != "" {
			t.Errorf("a raw path in a label: %s", m)
		}
		cancel()
		// The stream's end is seen soon after.
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, body := metrics(t, "Bearer "+admin); strings.Contains(body, "ctidesk_sse_clients 0") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("ctidesk_sse_clients did not fall back to 0")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
