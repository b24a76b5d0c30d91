package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

func TestNewNeedsServices(t *testing.T) {
	t.Parallel()
	if _, err := web.New(web.Options{}); err == nil {
		t.Fatal("New without services: no error")
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)

	t.Run("not logged in goes to login and back", func(t *testing.T) {
		c := e.newClient(t)
		r := c.get("/persons?q=anders")
		wantStatus(t, "GET /persons", r, http.StatusSeeOther)
		if want := "/login?next=" + url.QueryEscape("/persons?q=anders"); r.location != want {
			t.Fatalf("redirect to %q, want %q", r.location, want)
		}
		r = c.get(r.location)
		wantStatus(t, "GET /login", r, http.StatusOK)
		wantContains(t, "login page", r, `name="login"`, `name="password"`, `value="/persons?q=anders"`)
		r = c.post("/login", url.Values{"login": {"agent"}, "password": {testPassword}, "next": {"/persons?q=anders"}})
		wantStatus(t, "POST /login", r, http.StatusSeeOther)
		if r.location != "/persons?q=anders" {
			t.Fatalf("after login: redirect to %q, want /persons?q=anders", r.location)
		}
		r = c.get(r.location)
		wantStatus(t, "GET /persons after login", r, http.StatusOK)
		wantContains(t, "persons page", r, "Anders", `action="/logout"`)
	})

	t.Run("session cookie flags", func(t *testing.T) {
		c := e.newClient(t)
		c.get("/login")
		req, _ := http.NewRequest(http.MethodPost, c.base+"/login", strings.NewReader(url.Values{
			"login": {"agent"}, "password": {testPassword}, "csrf_token": {c.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var found bool
		for _, ck := range resp.Cookies() {
			if ck.Name == "ctidesk_session" && ck.Value != "" {
				found = true
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie: HttpOnly=%v SameSite=%v, want HttpOnly and Lax", ck.HttpOnly, ck.SameSite)
				}
			}
		}
		if !found {
			t.Fatal("no session cookie after login")
		}
	})

	for _, tt := range []struct {
		name, login, password string
	}{
		{"wrong password", "agent", "not the password"},
		{"unknown login", "nobody", testPassword},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := e.newClient(t)
			c.get("/login")
			r := c.post("/login", url.Values{"login": {tt.login}, "password": {tt.password}})
			wantStatus(t, "POST /login", r, http.StatusUnauthorized)
			wantContains(t, "login page", r, "Unknown login or wrong password.")
			if r := c.get("/"); r.status != http.StatusSeeOther {
				t.Errorf("after a failed login GET / = %d, want 303 to login", r.status)
			}
		})
	}

	t.Run("next must be local", func(t *testing.T) {
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil"} {
			c := e.newClient(t)
			c.get("/login")
			r := c.post("/login", url.Values{"login": {"agent"}, "password": {testPassword}, "next": {next}})
			wantStatus(t, "POST /login next="+next, r, http.StatusSeeOther)
			if r.location != "/" {
				t.Errorf("next=%q: redirect to %q, want /", next, r.location)
			}
		}
	})

	t.Run("logout", func(t *testing.T) {
		c := e.MustLogin(t, "agent")
		r := c.post("/logout", nil)
		wantStatus(t, "POST /logout", r, http.StatusSeeOther)
		if r := c.get("/tickets"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
			t.Errorf("after logout GET /tickets = %d %q, want 303 to /login", r.status, r.location)
		}
	})
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"/tickets/1", "/tickets/1"},
		{"/persons?q=a%20b", "/persons?q=a%20b"},
		{"", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/x", "/"},
		{"tickets", "/"},
		{"/x\r\nLocation: http://evil", "/"},
	} {
		if got := web.LocalPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)

	t.Run("login without token", func(t *testing.T) {
		c := e.newClient(t)
		r := c.post("/login", url.Values{"login": {"agent"}, "password": {testPassword}})
		wantStatus(t, "POST /login without token", r, http.StatusForbidden)
		c.get("/login")
		r = c.post("/login", url.Values{"login": {"agent"}, "password": {testPassword}, "csrf_token": {strings.Repeat("0", 64)}})
		wantStatus(t, "POST /login with a wrong token", r, http.StatusForbidden)
	})

	c := e.MustLogin(t, "agent")
	person := url.Values{"name": {"Mallory"}, "org_id": {itoa(e.orgA.ID)}}
	for _, tt := range []struct {
		name, token string
	}{
		{"missing", ""},
		{"wrong", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.personCount(t)
			form := url.Values{}
			for k, v := range person {
				form[k] = v
			}
			if tt.token != "" {
				form.Set("csrf_token", tt.token)
			}
			r := c.postRaw("/persons", form.Encode())
			wantStatus(t, "POST /persons", r, http.StatusForbidden)
			if after := e.personCount(t); after != before {
				t.Errorf("persons: %d after, %d before", after, before)
			}
			r = c.postRaw(idPath("/tickets", e.ticketA.ID, "/status"), url.Values{"status": {"closed"}, "csrf_token": {tt.token}}.Encode())
			wantStatus(t, "POST status", r, http.StatusForbidden)
			tk, err := e.svc.Tickets.FindTicketByID(e.sys, e.ticketA.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Status == desk.TicketClosed {
				t.Error("the ticket was closed without a CSRF token")
			}
			r = c.postRaw("/logout", url.Values{"csrf_token": {tt.token}}.Encode())
			wantStatus(t, "POST /logout", r, http.StatusForbidden)
			if r := c.get("/"); r.status != http.StatusOK {
				t.Errorf("logout without a token ended the session: GET / = %d", r.status)
			}
		})
	}

	t.Run("another session's token", func(t *testing.T) {
		other := e.MustLogin(t, "agent")
		r := c.post("/persons", url.Values{"name": {"Mallory"}, "org_id": {itoa(e.orgA.ID)}, "csrf_token": {other.csrf}})
		wantStatus(t, "POST /persons with another session's token", r, http.StatusForbidden)
	})
}
