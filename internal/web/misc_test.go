package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/web"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	anon := e.newClient(t)
	agent := e.MustLogin(t, "agent")
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]+\.css)"`).FindStringSubmatch(agent.get("/").body)
	if css == nil {
		t.Fatal("no hashed stylesheet link on the home page")
	}
	for _, tt := range []struct {
		name string
		r    *response
	}{
		{"login page", anon.get("/login")},
		{"redirect to login", anon.get("/tickets")},
		{"home", agent.get("/")},
		{"404", agent.get("/nothing-here")},
		{"static", agent.get(css[1])},
		{"403", agent.postRaw("/persons", "")},
	} {
		h := tt.r.header
		if got := h.Get("Content-Security-Policy"); !strings.HasPrefix(got, "default-src 'self'; frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", tt.name, got)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", tt.name, got)
		}
		if got := h.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q", tt.name, got)
		}
	}
	// Pages hold no inline script or style, which the policy would block.
	for _, path := range []string{"/", "/login", idPath("/tickets", e.ticketA.ID), "/tickets/new"} {
		body := agent.get(path).body
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|style="|onclick=|onchange=`).MatchString(body) {
			t.Errorf("GET %s: inline script or style", path)
		}
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	home := c.get("/").body
	for _, re := range []string{`href="(/static/app\.[0-9a-f]{12}\.css)"`, `src="(/static/app\.[0-9a-f]{12}\.js)"`} {
		m := regexp.MustCompile(re).FindStringSubmatch(home)
		if m == nil {
			t.Fatalf("home page: no match for %s", re)
		}
		r := c.get(m[1])
		wantStatus(t, m[1], r, http.StatusOK)
		if got := r.header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
			t.Errorf("%s: Cache-Control %q", m[1], got)
		}
		if r.body == "" {
			t.Errorf("%s: empty", m[1])
		}
	}
	for _, path := range []string{"/static/app.css", "/static/app.000000000000.css", "/static/../server.go"} {
		if r := c.get(path); r.status == http.StatusOK {
			t.Errorf("GET %s: status 200, want none", path)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	before := e.personCount(t)
	body := url.Values{"csrf_token": {c.csrf}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)},
		"name": {strings.Repeat("x", 2<<20)}}.Encode()
	r := c.postRaw("/persons", body)
	wantStatus(t, "POST 2 MiB", r, http.StatusRequestEntityTooLarge)
	if e.personCount(t) != before {
		t.Error("a person was created from a too large form")
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	c.get("/search?q=secret-caller-555")
	log := e.logBuf.String()
	if !strings.Contains(log, "path=/search") || !strings.Contains(log, "status=200") || !strings.Contains(log, "login=agent") {
		t.Errorf("request log lacks path, status or login:\n%s", log)
	}
	if strings.Contains(log, "secret-caller-555") {
		t.Errorf("request log holds the query string:\n%s", log)
	}
	if strings.Contains(log, testPassword) {
		t.Errorf("request log holds the password")
	}
}

func TestTelURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"+1 (555) 010-0199", "tel:+15550100199"},
		{"0987654321", "tel:0987654321"},
		{"+33 9 87 65 43 21", "tel:+33987654321"},
		{"555-0100 x12", "tel:5550100;ext=12"},
		{"555 0100 ext. 7", "tel:5550100;ext=7"},
		{"5550100#34", "tel:5550100;ext=34"},
		{"tel:+1-555-0100;ext=12", "tel:+15550100;ext=12"},
		{`555 "><script>`, "tel:555"},
		{"1+2", "tel:12"},
	} {
		if got := web.TelURL(tt.in); got != tt.want {
			t.Errorf("telURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
