package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/web"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// env is a running server on a fresh database with two organizations, a
// person and a ticket in each, and one user per kind of right.
type env struct {
	srv    *httptest.Server
	web    *web.Server
	svc    desk.Services
	sys    context.Context
	logBuf *syncBuffer

	orgA, orgB       *desk.Organization
	personA, personB *desk.Person
	ticketA, ticketB *desk.Ticket
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// MustEnv starts a server on a new SQLite database.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	return MustEnvWith(tb, nil)
}

// MustEnvWith is MustEnv with options changed by configure (nil: none).
func MustEnvWith(tb testing.TB, configure func(*web.Options)) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	e := &env{svc: db.Services(), sys: desk.NewSystemContext(ctx), logBuf: &syncBuffer{}}
	opt := web.Options{
		Services: e.svc,
		Logger:   slog.New(slog.NewTextHandler(e.logBuf, nil)),
		Pop:      &cti.Pop{Config: config.Default(), Services: e.svc},
	}
	if configure != nil {
		configure(&opt)
	}
	e.web, err = web.New(opt)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	e.srv = httptest.NewServer(e.web)
	tb.Cleanup(e.srv.Close)

	e.orgA = e.MustOrg(tb, "Acme Corp")
	e.orgB = e.MustOrg(tb, "Globex Inc")
	e.personA = e.MustPerson(tb, &desk.Person{FirstName: "Alice", Name: "Anders", OrgID: e.orgA.ID,
		Email: "alice@acme.example", Phone: "+1 (555) 010-0199 ext. 12", MobilePhone: "06 12 34 56 78"})
	e.personB = e.MustPerson(tb, &desk.Person{FirstName: "Bob", Name: "Brightside", OrgID: e.orgB.ID,
		Email: "bob@globex.example", Phone: "+33 9 87 65 43 21"})
	e.ticketA = e.MustTicket(tb, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Printer jams in accounting",
		OrgID: e.orgA.ID, CallerID: e.personA.ID})
	e.ticketB = e.MustTicket(tb, &desk.Ticket{Kind: desk.KindIncident, Title: "Globex mail server down",
		OrgID: e.orgB.ID, CallerID: e.personB.ID})

	agentContact := e.MustPerson(tb, &desk.Person{FirstName: "Ada", Name: "Agent", OrgID: e.orgA.ID})
	e.MustUser(tb, &desk.User{Login: "admin", Roles: []string{desk.RoleAdmin}})
	e.MustUser(tb, &desk.User{Login: "agent", Roles: []string{desk.RoleAgent}, ContactID: agentContact.ID})
	e.MustUser(tb, &desk.User{Login: "viewer", Roles: []string{desk.RoleViewer}})
	e.MustUser(tb, &desk.User{Login: "scoped", Roles: []string{desk.RoleAgent}, AllowedOrgIDs: []int64{e.orgA.ID}})
	e.MustUser(tb, &desk.User{Login: "french", Roles: []string{desk.RoleAgent}, Language: "FR FR"})
	return e
}

func (e *env) MustOrg(tb testing.TB, name string) *desk.Organization {
	tb.Helper()
	o := &desk.Organization{Name: name}
	if err := e.svc.Organizations.CreateOrganization(e.sys, o); err != nil {
		tb.Fatalf("create organization: %v", err)
	}
	return o
}

func (e *env) MustPerson(tb testing.TB, p *desk.Person) *desk.Person {
	tb.Helper()
	if err := e.svc.Persons.CreatePerson(e.sys, p); err != nil {
		tb.Fatalf("create person: %v", err)
	}
	return p
}

func (e *env) MustTicket(tb testing.TB, t *desk.Ticket) *desk.Ticket {
	tb.Helper()
	if err := e.svc.Tickets.CreateTicket(e.sys, t); err != nil {
		tb.Fatalf("create ticket: %v", err)
	}
	return t
}

func (e *env) MustUser(tb testing.TB, u *desk.User) *desk.User {
	tb.Helper()
	h, err := desk.HashPassword(testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	u.PasswordHash = h
	if err := e.svc.Users.CreateUser(e.sys, u); err != nil {
		tb.Fatalf("create user %s: %v", u.Login, err)
	}
	return u
}

// personCount returns how many persons the database holds.
func (e *env) personCount(tb testing.TB) int {
	tb.Helper()
	_, n, err := e.svc.Persons.FindPersons(e.sys, desk.PersonFilter{Limit: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// ticketCount returns how many tickets the database holds.
func (e *env) ticketCount(tb testing.TB) int {
	tb.Helper()
	_, n, err := e.svc.Tickets.FindTickets(e.sys, desk.TicketFilter{Limit: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// client is a browser: a cookie jar that does not follow redirects, and the
// CSRF token of the last page it read.
type client struct {
	tb     testing.TB
	base   string
	hc     *http.Client
	csrf   string
	header http.Header // sent with every request
}

// response is what a request returned, body read.
type response struct {
	status   int
	body     string
	header   http.Header
	location string
}

func (e *env) newClient(tb testing.TB) *client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &client{tb: tb, base: e.srv.URL, header: http.Header{}, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func (c *client) do(req *http.Request) *response {
	c.tb.Helper()
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	r := &response{status: resp.StatusCode, body: string(body), header: resp.Header, location: resp.Header.Get("Location")}
	if m := csrfInput.FindStringSubmatch(r.body); m != nil {
		c.csrf = m[1]
	}
	return r
}

// get requests path.
func (c *client) get(path string) *response {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	return c.do(req)
}

// post posts form to path with the client's CSRF token, unless the form has
// a csrf_token of its own.
func (c *client) post(path string, form url.Values) *response {
	c.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", c.csrf)
	}
	return c.postRaw(path, form.Encode())
}

// postRaw posts a form body as is.
func (c *client) postRaw(path, body string) *response {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// MustLogin returns a client logged in as login, holding a session CSRF token.
func (e *env) MustLogin(tb testing.TB, login string) *client {
	tb.Helper()
	c := e.newClient(tb)
	c.get("/login")
	r := c.post("/login", url.Values{"login": {login}, "password": {testPassword}})
	if r.status != http.StatusSeeOther {
		tb.Fatalf("log in as %s: status %d, want 303\n%s", login, r.status, r.body)
	}
	if r := c.get("/"); r.status != http.StatusOK {
		tb.Fatalf("home page after login as %s: status %d", login, r.status)
	}
	return c
}

// wantStatus fails the test when r's status is not want.
func wantStatus(tb testing.TB, what string, r *response, want int) {
	tb.Helper()
	if r.status != want {
		tb.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, truncate(r.body))
	}
}

// wantContains fails the test when the body lacks one of the strings, each
// HTML-escaped as the page would show it.
func wantContains(tb testing.TB, what string, r *response, texts ...string) {
	tb.Helper()
	for _, s := range texts {
		if !strings.Contains(r.body, s) && !strings.Contains(r.body, html.EscapeString(s)) &&
			!strings.Contains(html.UnescapeString(r.body), s) {
			tb.Errorf("%s: body lacks %q\n%s", what, s, truncate(r.body))
		}
	}
}

// wantLacks fails the test when the body holds one of the strings.
func wantLacks(tb testing.TB, what string, r *response, texts ...string) {
	tb.Helper()
	for _, s := range texts {
		if strings.Contains(r.body, s) || strings.Contains(r.body, html.EscapeString(s)) {
			tb.Errorf("%s: body holds %q", what, s)
		}
	}
}

func truncate(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

func idPath(prefix string, id int64, suffix ...string) string {
	return fmt.Sprintf("%s/%d%s", prefix, id, strings.Join(suffix, ""))
}
