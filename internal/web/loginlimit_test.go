package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/web"
)

// clock is a settable time for the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tryLogin posts a login with a fresh login form from client c.
func tryLogin(t *testing.T, c *client, login, password string) *response {
	t.Helper()
	c.get("/login")
	return c.post("/login", url.Values{"login": {login}, "password": {password}})
}

func TestLoginLimit(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now()}
	e := MustEnvWith(t, func(o *web.Options) { o.Now = clk.now })

	steps := []struct {
		what            string
		login, password string
		want            int
	}{
		{"agent: 1st failure", "agent", "wrong", http.StatusUnauthorized},
		{"agent: 2nd failure", "Agent ", "wrong", http.StatusUnauthorized},
		{"agent: 3rd failure", "agent", "", http.StatusUnauthorized},
		{"agent: 4th failure", "AGENT", "wrong", http.StatusUnauthorized},
		{"agent: 5th failure", "agent", "wrong", http.StatusUnauthorized},
		{"agent: right password refused", "agent", testPassword, http.StatusTooManyRequests},
		{"agent: wrong password refused alike", "agent", "wrong", http.StatusTooManyRequests},
		{"ghost: 1st failure", "ghost", "wrong", http.StatusUnauthorized},
		{"ghost: 2nd failure", "ghost", "wrong", http.StatusUnauthorized},
		{"ghost: 3rd failure", "ghost", "wrong", http.StatusUnauthorized},
		{"ghost: 4th failure", "ghost", "wrong", http.StatusUnauthorized},
		{"ghost: 5th failure", "ghost", "wrong", http.StatusUnauthorized},
		{"ghost: refused as a known login is", "ghost", "wrong", http.StatusTooManyRequests},
		{"viewer: another login from the same address still logs in", "viewer", testPassword, http.StatusSeeOther},
		{"viewer: 1st failure", "viewer", "wrong", http.StatusUnauthorized},
		{"viewer: 2nd failure", "viewer", "wrong", http.StatusUnauthorized},
		{"viewer: success clears the count", "viewer", testPassword, http.StatusSeeOther},
		{"viewer: 1st failure again", "viewer", "wrong", http.StatusUnauthorized},
		{"viewer: 2nd failure again", "viewer", "wrong", http.StatusUnauthorized},
		{"viewer: 3rd failure again", "viewer", "wrong", http.StatusUnauthorized},
		{"viewer: 4th failure again, not refused", "viewer", "wrong", http.StatusUnauthorized},
	}
	for _, st := range steps {
		c := e.newClient(t)
		r := tryLogin(t, c, st.login, st.password)
		if r.status != st.want {
			t.Fatalf("%s: status %d, want %d\n%s", st.what, r.status, st.want, truncate(r.body))
		}
		if st.want == http.StatusTooManyRequests {
			wantContains(t, st.what, r, "Too many failed logins. Wait 15 minutes")
			if got := r.header.Get("Retry-After"); got != "900" {
				t.Errorf("%s: Retry-After %q, want 900", st.what, got)
			}
			wantSecurityHeaders(t, st.what, r)
		}
	}

	// French, for a browser asking for it.
	c := e.newClient(t)
	c.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	r := tryLogin(t, c, "agent", testPassword)
	wantStatus(t, "refused login in French", r, http.StatusTooManyRequests)
	wantContains(t, "refused login in French", r, "Trop d'échecs de connexion. Attendez 15 minutes")

	// The window passes.
	clk.advance(20 * time.Minute) // the store writes with the real clock, a few seconds on
	if r := tryLogin(t, e.newClient(t), "agent", testPassword); r.status != http.StatusSeeOther {
		t.Fatalf("agent after the window: status %d, want 303", r.status)
	}
}

func TestLoginLimitByAddress(t *testing.T) {
	t.Parallel()
	// Limit 2 by login: 8 by address.
	e := MustEnvWith(t, func(o *web.Options) { o.LoginLimit = 2 })
	for i := range 8 {
		login := string(rune('a'+i)) + "-nobody"
		if r := tryLogin(t, e.newClient(t), login, "wrong"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, r.status)
		}
	}
	r := tryLogin(t, e.newClient(t), "admin", testPassword)
	wantStatus(t, "admin from an address with 8 failures", r, http.StatusTooManyRequests)
}

func TestLoginLimitBehindProxy(t *testing.T) {
	t.Parallel()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	try := func(e *env, forwardedFor, login, password string) int {
		t.Helper()
		c := e.newClient(t)
		if forwardedFor != "" {
			c.header.Set("X-Forwarded-For", forwardedFor)
		}
		return tryLogin(t, c, login, password).status
	}
	t.Run("trusted proxy", func(t *testing.T) {
		e := MustEnvWith(t, func(o *web.Options) { o.LoginLimit, o.TrustedProxies = 2, loopback })
		for i := range 8 { // 8 by address: a client forging the first hops changes nothing
			if got := try(e, fmt.Sprintf("10.9.9.%d, 198.51.100.1", i), fmt.Sprintf("nobody%d", i), "wrong"); got != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, got)
			}
		}
		for _, tt := range []struct {
			xff  string
			want int
		}{
			{"198.51.100.1", http.StatusTooManyRequests},
			{"203.0.113.7, 198.51.100.1", http.StatusTooManyRequests},
			{"198.51.100.1, 127.0.0.1", http.StatusTooManyRequests}, // a second trusted hop
			{"198.51.100.2", http.StatusSeeOther},
			{"", http.StatusSeeOther}, // the proxy itself
		} {
			if got := try(e, tt.xff, "admin", testPassword); got != tt.want {
				t.Errorf("X-Forwarded-For %q: status %d, want %d", tt.xff, got, tt.want)
			}
		}
	})
	t.Run("no trusted proxy: the header is ignored", func(t *testing.T) {
		e := MustEnvWith(t, func(o *web.Options) { o.LoginLimit = 2 })
		for i := range 8 {
			try(e, fmt.Sprintf("198.51.100.%d", i), fmt.Sprintf("nobody%d", i), "wrong")
		}
		if got := try(e, "198.51.100.200", "admin", testPassword); got != http.StatusTooManyRequests {
			t.Errorf("a forged X-Forwarded-For: status %d, want 429", got)
		}
	})
}

func TestLogoutEverywhere(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	userID := func(login string) int64 {
		u, err := e.svc.Users.FindUserByLogin(e.sys, login)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	loggedIn := func(c *client) bool {
		t.Helper()
		return c.get("/").status == http.StatusOK
	}

	t.Run("own sessions", func(t *testing.T) {
		a1, a2, other := e.MustLogin(t, "agent"), e.MustLogin(t, "agent"), e.MustLogin(t, "viewer")
		wantContains(t, "home page", a1.get("/"), `action="/logout/everywhere"`, "Log out everywhere")
		r := a1.post("/logout/everywhere", nil)
		wantStatus(t, "POST /logout/everywhere", r, http.StatusSeeOther)
		if r.location != "/login" {
			t.Errorf("redirect to %q, want /login", r.location)
		}
		if loggedIn(a1) || loggedIn(a2) {
			t.Error("a session of agent survived logging out everywhere")
		}
		if !loggedIn(other) {
			t.Error("viewer's session ended with agent's")
		}
	})

	t.Run("without CSRF token", func(t *testing.T) {
		a := e.MustLogin(t, "agent")
		r := a.post("/logout/everywhere", url.Values{"csrf_token": {"forged"}})
		wantStatus(t, "POST /logout/everywhere, forged token", r, http.StatusForbidden)
		if !loggedIn(a) {
			t.Error("session ended by a forged form")
		}
	})

	t.Run("admin ends another user's sessions", func(t *testing.T) {
		v, agent, admin := e.MustLogin(t, "viewer"), e.MustLogin(t, "agent"), e.MustLogin(t, "admin")
		r := agent.post(idPath("/users", userID("viewer"), "/logout"), nil)
		wantStatus(t, "agent ends viewer's sessions", r, http.StatusForbidden)
		if !loggedIn(v) {
			t.Fatal("an agent ended viewer's sessions")
		}
		r = admin.post(idPath("/users", userID("viewer"), "/logout"), url.Values{"next": {"/admin/tokens"}})
		wantStatus(t, "admin ends viewer's sessions", r, http.StatusSeeOther)
		if r.location != "/admin/tokens" {
			t.Errorf("redirect to %q, want /admin/tokens", r.location)
		}
		if loggedIn(v) {
			t.Error("viewer still logged in")
		}
		if !loggedIn(admin) || !loggedIn(agent) {
			t.Error("other sessions ended too")
		}
		r = admin.post("/users/0/logout", nil)
		wantStatus(t, "unknown user", r, http.StatusNotFound)

		// The form of the API tokens page.
		v = e.MustLogin(t, "viewer")
		page := admin.get("/admin/tokens")
		wantContains(t, "API tokens page", page, `action="/users/logout"`, "End all sessions")
		r = admin.post("/users/logout", url.Values{"user_id": {"x"}})
		wantStatus(t, "no user chosen", r, http.StatusBadRequest)
		r = admin.post("/users/logout", url.Values{"user_id": {fmt.Sprint(userID("viewer"))}, "next": {"/admin/tokens"}})
		wantStatus(t, "end viewer's sessions from the form", r, http.StatusSeeOther)
		if loggedIn(v) {
			t.Error("viewer still logged in after the form")
		}
	})
}

// wantSecurityHeaders fails the test when a response lacks the security
// headers every response carries.
func wantSecurityHeaders(tb testing.TB, what string, r *response) {
	tb.Helper()
	csp := r.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			tb.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, d)
		}
	}
	if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
		tb.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	db.Now = clk.now
	srv, err := web.New(web.Options{Services: db.Services(), SessionTTL: time.Hour, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e := &env{srv: ts, svc: db.Services(), sys: desk.NewSystemContext(ctx)}
	e.MustUser(t, &desk.User{Login: "agent", Roles: []string{desk.RoleAgent}})
	c := e.MustLogin(t, "agent")

	clk.advance(time.Hour - time.Minute)
	wantStatus(t, "home a minute before the end", c.get("/"), http.StatusOK)
	clk.advance(time.Minute)
	r := c.get("/")
	wantStatus(t, "home after an hour", r, http.StatusSeeOther)
	if r.location != "/login" {
		t.Errorf("redirect to %q, want /login", r.location)
	}
	if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), "ctidesk_session=;") {
		t.Errorf("the expired session's cookie is not cleared: %q", r.header.Values("Set-Cookie"))
	}
}
