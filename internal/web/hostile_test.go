package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

// hostileValues are parameter values an attacker or a broken phone system
// sends: overlong, invalid UTF-8, SQL and OQL metacharacters, markup,
// control characters, numbers of the wrong kind.
var hostileValues = []struct{ name, value string }{
	{"overlong", strings.Repeat("A", 100_000)},
	{"overlong digits", strings.Repeat("9", 20_000)},
	{"invalid UTF-8", "caf\xc3\x28\xff\xfe"},
	{"truncated UTF-8", "\xe2\x82"},
	{"NUL", "a\x00b"},
	{"CRLF header", "x\r\nSet-Cookie: evil=1"},
	{"SQL quote", `' OR '1'='1`},
	{"SQL drop", `1; DROP TABLE person; --`},
	{"SQL comment", `%' --`},
	{"SQL union", `0 UNION SELECT token_hash FROM session`},
	{"OQL select", `SELECT Person WHERE 1=1`},
	{"OQL param", `:current_user`},
	{"OQL paren", `') OR (1=1`},
	{"placeholder", `$phone$`},
	{"script", `<script>alert(1)</script>`},
	{"attribute break", `"><img src=x onerror=alert(1)>`},
	{"javascript URL", `javascript:alert(1)`},
	{"negative", "-1"},
	{"huge number", "99999999999999999999999"},
	{"float", "1e9"},
	{"hex", "0x10"},
}

// markup are the pieces of hostile markup that must never come back as is.
var markup = []string{"<script>alert(1)", "<img src=x onerror", `"><img`}

// snapshot returns every row a request could change, as JSON.
func (e *env) snapshot(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	add := func(name string, v any, n int, err error) {
		if err != nil {
			tb.Fatalf("snapshot %s: %v", name, err)
		}
		js, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s\n", name, n, js)
	}
	const all = 10_000
	orgs, n, err := e.svc.Organizations.FindOrganizations(e.sys, desk.OrganizationFilter{Limit: all})
	add("organizations", orgs, n, err)
	locs, n, err := e.svc.Locations.FindLocations(e.sys, desk.LocationFilter{Limit: all})
	add("locations", locs, n, err)
	persons, n, err := e.svc.Persons.FindPersons(e.sys, desk.PersonFilter{Limit: all})
	add("persons", persons, n, err)
	tickets, n, err := e.svc.Tickets.FindTickets(e.sys, desk.TicketFilter{Limit: all})
	add("tickets", tickets, n, err)
	for _, t := range tickets {
		full, err := e.svc.Tickets.FindTicketByID(e.sys, t.ID)
		add("ticket", full, 1, err)
	}
	calls, n, err := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{Limit: all})
	add("phonecalls", calls, n, err)
	users, n, err := e.svc.Users.FindUsers(e.sys, desk.UserFilter{Limit: all})
	add("users", users, n, err)
	ctiCalls, n, err := e.svc.Calls.FindCalls(e.sys, desk.CallFilter{Limit: all})
	add("calls", ctiCalls, n, err)
	return b.String()
}

// hostileCase is one request, by a kind of client, and what it may answer.
type hostileCase struct {
	name   string
	who    string // anon, forged, agent, scoped, viewer, api-agent, api-scoped, api-viewer, integration
	method string
	path   string
	// form is posted as a form with the client's CSRF token unless csrf
	// says otherwise; body is posted as is (JSON for the API).
	form url.Values
	body string
	csrf string // "" the session's, "none", or a forged value
	// refused: the request must be refused (4xx, or 303 to the login page)
	// and change nothing; otherwise it must only not fail (no 5xx).
	refused bool
}

// TestHostileInput sends every hostile request to a server on SQLite and on
// PostgreSQL: none may fail (5xx), the refused ones change nothing, and
// nothing comes back unescaped.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	for _, db := range testDatabases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testHostileInput(t, mustCallEnvOn(t, db.dsn(t), func(o *web.Options) { o.LoginLimit = 1_000_000 }))
		})
	}
}

func testHostileInput(t *testing.T, ce *callEnv) {
	e := ce.env
	clients := map[string]*client{
		"anon":   e.newClient(t),
		"forged": e.newClient(t),
		"agent":  e.MustLogin(t, "agent"),
		"scoped": e.MustLogin(t, "scoped"),
		"viewer": e.MustLogin(t, "viewer"),
		"admin":  e.MustLogin(t, "admin"),
	}
	clients["anon"].get("/login")
	tokens := map[string]string{
		"api-agent":   e.MustToken(t, "agent"),
		"api-scoped":  e.MustToken(t, "scoped"),
		"api-viewer":  e.MustToken(t, "viewer"),
		"integration": ce.token,
	}

	var cases []hostileCase
	// Every hostile value in every parameter a page or the API reads.
	gets := []string{
		"/search?q=%s", "/persons?q=%s", "/tickets?q=%s&page=%[1]s", "/organizations?q=%s", "/phonecalls?page=%s",
		"/calls?page=%s", "/calls?queue=%s", "/pop?phone=%s", "/pop?request=%s", "/pop?employee_number=%s&support_id=%[1]s",
		"/pop/lists?callers=%s&caller=%[1]s", "/pop/new?class=%s&caller=%[1]s&callers=%[1]s", "/login?next=%s",
		"/tickets/new?org_id=%s&caller_id=%[1]s", "/persons/new?org_id=%s",
	}
	for _, g := range gets {
		for _, v := range hostileValues {
			cases = append(cases, hostileCase{name: "agent GET " + g + " " + v.name, who: "agent", method: http.MethodGet,
				path: fmt.Sprintf(g, url.QueryEscape(v.value))})
		}
	}
	apiGets := []string{"/api/v1/callers?phone=%s", "/api/v1/callers?request=%s", "/api/v1/persons?q=%s&limit=%[1]s",
		"/api/v1/tickets?status=%s&org_id=%[1]s", "/api/v1/3cx/lookup?number=%s"}
	for _, g := range apiGets {
		for _, v := range hostileValues {
			cases = append(cases, hostileCase{name: "API GET " + g + " " + v.name, who: "api-agent", method: http.MethodGet,
				path: fmt.Sprintf(g, url.QueryEscape(v.value))})
		}
	}
	for _, v := range hostileValues {
		cases = append(cases,
			hostileCase{name: "GET path id " + v.name, who: "agent", method: http.MethodGet, path: "/persons/" + url.PathEscape(v.value)},
			hostileCase{name: "API path id " + v.name, who: "api-agent", method: http.MethodGet, path: "/api/v1/tickets/" + url.PathEscape(v.value)},
			hostileCase{name: "login " + v.name, who: "anon", method: http.MethodPost, path: "/login",
				form: url.Values{"login": {v.value}, "password": {v.value}, "next": {v.value}}, refused: true},
		)
	}

	pA, pB, tA, tB := e.personA.ID, e.personB.ID, e.ticketA.ID, e.ticketB.ID
	oA, oB := fmt.Sprint(e.orgA.ID), fmt.Sprint(e.orgB.ID)
	person := func(kv ...string) url.Values {
		f := url.Values{"first_name": {"Eve"}, "name": {"Intruder"}, "org_id": {oA}, "status": {"active"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	ticket := func(kv ...string) url.Values {
		f := url.Values{"kind": {"UserRequest"}, "title": {"Hostile"}, "org_id": {oA}, "caller_id": {fmt.Sprint(pA)}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	refused := []hostileCase{
		// CSRF and sessions.
		{name: "create person, no CSRF token", who: "agent", method: "POST", path: "/persons", form: person(), csrf: "none"},
		{name: "create person, forged CSRF token", who: "agent", method: "POST", path: "/persons", form: person(), csrf: strings.Repeat("0", 64)},
		{name: "create person, another session's CSRF token", who: "agent", method: "POST", path: "/persons", form: person(), csrf: "scoped"},
		{name: "ticket log, no CSRF token", who: "agent", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"public_log"}, "text": {"x"}}, csrf: "none"},
		{name: "ticket status, forged CSRF", who: "agent", method: "POST", path: idPath("/tickets", tA, "/status"), form: url.Values{"status": {"closed"}}, csrf: "x"},
		{name: "logout everywhere, no CSRF", who: "agent", method: "POST", path: "/logout/everywhere", csrf: "none"},
		{name: "create token, no CSRF", who: "agent", method: "POST", path: "/admin/tokens", form: url.Values{"login": {"agent"}}, csrf: "none"},
		{name: "login without its CSRF cookie", who: "forged", method: "POST", path: "/login", form: url.Values{"login": {"agent"}, "password": {testPassword}}, csrf: "none"},
		{name: "anonymous create person", who: "anon", method: "POST", path: "/persons", form: person()},
		{name: "forged session creates person", who: "forged", method: "POST", path: "/persons", form: person()},
		{name: "forged session ticket log", who: "forged", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"public_log"}, "text": {"x"}}},
		{name: "viewer creates person", who: "viewer", method: "POST", path: "/persons", form: person()},
		{name: "viewer creates ticket", who: "viewer", method: "POST", path: "/tickets", form: ticket()},
		{name: "viewer ends another's sessions", who: "viewer", method: "POST", path: "/users/1/logout"},
		// Another organization's ids.
		{name: "scoped creates person in B", who: "scoped", method: "POST", path: "/persons", form: person("org_id", oB)},
		{name: "scoped edits person of B", who: "scoped", method: "POST", path: idPath("/persons", pB), form: person("org_id", oB)},
		{name: "scoped moves person of A to B", who: "scoped", method: "POST", path: idPath("/persons", pA), form: person("org_id", oB, "first_name", "Alice", "name", "Anders")},
		{name: "scoped creates ticket in B", who: "scoped", method: "POST", path: "/tickets", form: ticket("org_id", oB, "caller_id", fmt.Sprint(pB))},
		{name: "scoped ticket in A for caller of B", who: "scoped", method: "POST", path: "/tickets", form: ticket("caller_id", fmt.Sprint(pB))},
		{name: "scoped logs on ticket of B", who: "scoped", method: "POST", path: idPath("/tickets", tB, "/log"), form: url.Values{"log": {"public_log"}, "text": {"x"}}},
		{name: "scoped closes ticket of B", who: "scoped", method: "POST", path: idPath("/tickets", tB, "/status"), form: url.Values{"status": {"closed"}}},
		{name: "scoped edits ticket of B", who: "scoped", method: "POST", path: idPath("/tickets", tB), form: ticket("org_id", oB, "caller_id", fmt.Sprint(pB))},
		{name: "scoped moves ticket of A to caller of B", who: "scoped", method: "POST", path: idPath("/tickets", tA), form: ticket("caller_id", fmt.Sprint(pB))},
		{name: "scoped calls person of B", who: "scoped", method: "POST", path: idPath("/persons", pB, "/call")},
		{name: "scoped ends admin's sessions", who: "scoped", method: "POST", path: "/users/1/logout"},
		// Wrong types and invalid values.
		{name: "org_id not a number", who: "agent", method: "POST", path: "/persons", form: person("org_id", "abc")},
		{name: "org_id SQL", who: "agent", method: "POST", path: "/persons", form: person("org_id", "1 OR 1=1")},
		{name: "org_id negative", who: "agent", method: "POST", path: "/persons", form: person("org_id", "-1")},
		{name: "org_id unknown", who: "agent", method: "POST", path: "/persons", form: person("org_id", "999999")},
		{name: "org_id overflow", who: "agent", method: "POST", path: "/persons", form: person("org_id", "99999999999999999999999")},
		{name: "status unknown", who: "agent", method: "POST", path: "/persons", form: person("status", "deleted")},
		{name: "email invalid", who: "agent", method: "POST", path: "/persons", form: person("email", "<script>@")},
		{name: "name empty", who: "agent", method: "POST", path: "/persons", form: person("name", "")},
		{name: "priority not a number", who: "agent", method: "POST", path: "/tickets", form: ticket("priority", "high")},
		{name: "ticket kind unknown", who: "agent", method: "POST", path: "/tickets", form: ticket("kind", "Person")},
		{name: "ticket kind SQL", who: "agent", method: "POST", path: "/tickets", form: ticket("kind", "UserRequest'; --")},
		{name: "ticket status unknown", who: "agent", method: "POST", path: idPath("/tickets", tA, "/status"), form: url.Values{"status": {"<script>"}}},
		{name: "ticket log unknown", who: "agent", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"secret_log"}, "text": {"x"}}},
		{name: "ticket log empty", who: "agent", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"public_log"}, "text": {""}}},
		{name: "language unknown", who: "agent", method: "POST", path: "/me/language", form: url.Values{"language": {"<script>"}}},
		{name: "invalid UTF-8 in a name", who: "agent", method: "POST", path: "/persons", form: person("name", "caf\xc3\x28\xff")},
		{name: "invalid UTF-8 in a ticket log", who: "agent", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"public_log"}, "text": {"\xff\xfe"}}},
		{name: "overlong name", who: "agent", method: "POST", path: "/persons", form: person("name", strings.Repeat("N", 100_000))},
		{name: "overlong title", who: "agent", method: "POST", path: "/tickets", form: ticket("title", strings.Repeat("T", 100_000))},
		{name: "huge form", who: "agent", method: "POST", path: "/persons", form: person("function", strings.Repeat("F", 2<<20))},
		{name: "bad form encoding", who: "agent", method: "POST", path: "/persons", body: "name=%zz&first_name=%"},
		{name: "unknown path id", who: "agent", method: "POST", path: "/persons/99999999999999999999", form: person()},
		// The API.
		{name: "API create without token", who: "anon", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oA + `}`},
		{name: "API create with session cookie only", who: "agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oA + `}`},
		{name: "API create with integration token", who: "integration", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oA + `}`},
		{name: "API viewer creates", who: "api-viewer", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oA + `}`},
		{name: "API org_id a string", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":"1 OR 1=1"}`},
		{name: "API org_id float", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":1.5}`},
		{name: "API name a number", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":1,"name":["x"],"org_id":` + oA + `}`},
		{name: "API unknown field", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oA + `,"id":1,"is_admin":true}`},
		{name: "API invalid JSON", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve",`},
		{name: "API JSON array", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `[1,2,3]`},
		{name: "API two JSON values", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oA + `}{}`},
		{name: "API invalid UTF-8", who: "api-agent", method: "POST", path: "/api/v1/persons", body: "{\"first_name\":\"\xff\",\"name\":\"X\",\"org_id\":" + oA + "}"},
		{name: "API huge body", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"` + strings.Repeat("x", 2<<20) + `","name":"X","org_id":` + oA + `}`},
		{name: "API deep JSON", who: "api-agent", method: "POST", path: "/api/v1/persons", body: strings.Repeat("[", 100_000)},
		{name: "API scoped creates in B", who: "api-scoped", method: "POST", path: "/api/v1/persons", body: `{"first_name":"Eve","name":"X","org_id":` + oB + `}`},
		{name: "API scoped patches person of B", who: "api-scoped", method: "PATCH", path: idPath("/api/v1/persons", pB), body: `{"name":"Owned"}`},
		{name: "API scoped moves person to B", who: "api-scoped", method: "PATCH", path: idPath("/api/v1/persons", pA), body: `{"org_id":` + oB + `}`},
		{name: "API scoped deletes person of B", who: "api-scoped", method: "DELETE", path: idPath("/api/v1/persons", pB)},
		{name: "API scoped ticket for B", who: "api-scoped", method: "POST", path: "/api/v1/tickets", body: `{"kind":"UserRequest","title":"x","org_id":` + oB + `,"caller_id":` + fmt.Sprint(pB) + `}`},
		{name: "API scoped patches ticket of B", who: "api-scoped", method: "PATCH", path: idPath("/api/v1/tickets", tB), body: `{"title":"Owned"}`},
		{name: "API scoped logs on ticket of B", who: "api-scoped", method: "POST", path: idPath("/api/v1/tickets", tB, "/log"), body: `{"log":"public_log","text":"x"}`},
		{name: "API viewer deletes", who: "api-viewer", method: "DELETE", path: idPath("/api/v1/persons", pA)},
		{name: "API ticket priority a string", who: "api-agent", method: "POST", path: "/api/v1/tickets", body: `{"kind":"Incident","title":"x","org_id":` + oA + `,"caller_id":` + fmt.Sprint(pA) + `,"priority":"high"}`},
		{name: "API phone call for ticket of B", who: "api-scoped", method: "POST", path: "/api/v1/phonecalls", body: `{"ticket_id":` + fmt.Sprint(tB) + `,"flow":"inbound","number":"1"}`},
		// The webhook.
		{name: "webhook without token", who: "anon", method: "POST", path: "/api/v1/cti/events", form: callForm("newCall", "h-1", "+15550100199")},
		{name: "webhook forged token", who: "anon", method: "POST", path: "/api/v1/cti/events/cti_" + strings.Repeat("A", 43), form: callForm("newCall", "h-1", "+15550100199")},
		{name: "webhook SQL token", who: "anon", method: "POST", path: "/api/v1/cti/events/" + url.PathEscape("' OR '1'='1"), form: callForm("newCall", "h-1", "+15550100199")},
		{name: "webhook API token", who: "api-agent", method: "POST", path: "/api/v1/cti/events", form: callForm("newCall", "h-1", "+15550100199")},
		{name: "webhook unknown event", who: "integration", method: "POST", path: "/api/v1/cti/events", form: callForm("<script>", "h-1", "+15550100199")},
		{name: "webhook no callId", who: "integration", method: "POST", path: "/api/v1/cti/events", form: url.Values{"event": {"newCall"}, "from": {"1"}, "direction": {"in"}}},
		{name: "webhook bad direction", who: "integration", method: "POST", path: "/api/v1/cti/events", form: url.Values{"event": {"newCall"}, "callId": {"h-1"}, "from": {"1"}, "direction": {"sideways"}}},
		{name: "webhook overlong callId", who: "integration", method: "POST", path: "/api/v1/cti/events", form: callForm("newCall", strings.Repeat("c", 100_000), "1")},
		{name: "webhook invalid JSON", who: "integration", method: "POST", path: "/api/v1/cti/events", body: `{"event":`},
		{name: "webhook JSON wrong types", who: "integration", method: "POST", path: "/api/v1/cti/events", body: `{"event":1,"callId":{},"from":[]}`},
		{name: "webhook huge body", who: "integration", method: "POST", path: "/api/v1/cti/events", body: `{"event":"newCall","callId":"x","from":"` + strings.Repeat("1", 2<<20) + `"}`},
		{name: "webhook JSON invalid UTF-8", who: "integration", method: "POST", path: "/api/v1/cti/events", body: "{\"event\":\"newCall\",\"callId\":\"u-1\",\"from\":\"\xff5550100199\",\"direction\":\"in\"}"},
		{name: "3CX call journal invalid UTF-8", who: "api-agent", method: "POST", path: "/api/v1/3cx/calls", body: "{\"number\":\"\xff\"}"},
		{name: "webhook invalid UTF-8", who: "integration", method: "POST", path: "/api/v1/cti/events", form: callForm("newCall", "\xff\xfe", "1")},
		// NUL and control characters, refused at every edge before a
		// database sees them (PostgreSQL would fail on them).
		{name: "NUL in a person's name", who: "agent", method: "POST", path: "/persons", form: person("name", "b\x00")},
		{name: "NUL in a ticket's title", who: "agent", method: "POST", path: "/tickets", form: ticket("title", "t\x00")},
		{name: "bell in a ticket's title", who: "agent", method: "POST", path: "/tickets", form: ticket("title", "t\x07")},
		{name: "line break in a title", who: "agent", method: "POST", path: "/tickets", form: ticket("title", "two\nlines")},
		{name: "NUL in an organization's name", who: "admin", method: "POST", path: "/organizations", form: url.Values{"name": {"o\x00"}}},
		{name: "NUL in a ticket log", who: "agent", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"public_log"}, "text": {"x\x00"}}},
		{name: "NUL in a login", who: "anon", method: "POST", path: "/login", form: url.Values{"login": {"ad\x00min"}, "password": {"x"}}},
		{name: "API NUL in a name", who: "api-agent", method: "POST", path: "/api/v1/persons", body: `{"first_name":"b\u0000","name":"X","org_id":` + oA + `}`},
		{name: "API NUL in a patch", who: "api-agent", method: "PATCH", path: idPath("/api/v1/persons", pA), body: `{"function":"\u0000"}`},
		{name: "API NUL in a ticket log", who: "api-agent", method: "POST", path: idPath("/api/v1/tickets", tA, "/log"), body: `{"log":"public_log","text":"\u0000"}`},
		{name: "API duration past int4", who: "api-agent", method: "POST", path: "/api/v1/phonecalls",
			body: `{"flow":"inbound","number":"1","contact_id":` + fmt.Sprint(pA) + `,"duration":9223372036854775807}`},
		{name: "API duration overflow", who: "api-agent", method: "POST", path: "/api/v1/phonecalls",
			body: `{"flow":"inbound","number":"1","contact_id":` + fmt.Sprint(pA) + `,"duration":92233720368547758070}`},
		{name: "webhook NUL in a number", who: "integration", method: "POST", path: "/api/v1/cti/events", form: callForm("newCall", "n-1", "+1555\x000100")},
		{name: "webhook JSON NUL in a queue", who: "integration", method: "POST", path: "/api/v1/cti/events", body: `{"event":"newCall","callId":"n-2","from":"1","direction":"in","queue":"\u0000"}`},
	}
	for i := range refused {
		refused[i].refused = true
	}
	cases = append(cases, refused...)
	if len(cases) < 100 {
		t.Fatalf("%d cases, want at least 100", len(cases))
	}

	// A forged session cookie, in several forms, on every kind of request.
	for _, v := range []string{"x", strings.Repeat("A", 43), "' OR '1'='1", strings.Repeat("z", 8000), "a;b=c"} {
		forged := e.newClient(t)
		u, _ := url.Parse(e.srv.URL)
		forged.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "ctidesk_session", Value: url.QueryEscape(v), Path: "/"}})
		clients["forged:"+v] = forged
		cases = append(cases,
			hostileCase{name: "forged cookie GET home " + v[:1], who: "forged:" + v, method: "GET", path: "/", refused: true},
			hostileCase{name: "forged cookie POST ticket " + v[:1], who: "forged:" + v, method: "POST", path: "/tickets", form: ticket(), refused: true},
		)
	}

	before := e.snapshot(t)
	for _, tt := range cases {
		r := doHostile(t, e, clients, tokens, tt)
		what := tt.name
		if r.status >= 500 {
			t.Errorf("%s: status %d\n%s", what, r.status, truncate(r.body))
		}
		if tt.refused {
			ok := r.status >= 400 || (r.status == http.StatusSeeOther && strings.HasPrefix(r.location, "/login"))
			if !ok {
				t.Errorf("%s: status %d (location %q), want it refused", what, r.status, r.location)
			}
		}
		for _, m := range markup {
			if strings.Contains(r.body, m) {
				t.Errorf("%s: markup %q echoed unescaped", what, m)
			}
		}
		if strings.Contains(r.header.Get("Set-Cookie"), "evil") {
			t.Errorf("%s: header injected", what)
		}
		wantSecurityHeaders(t, what, r)
		if tt.refused {
			if after := e.snapshot(t); after != before {
				t.Fatalf("%s changed the data:\nbefore %s\nafter  %s", what, truncate(before), truncate(after))
			}
		}
	}
	if after := e.snapshot(t); after != before {
		t.Fatalf("the hostile requests changed the data:\nbefore %s\nafter  %s", truncate(before), truncate(after))
	}
	// Hostile text that is valid input is kept as typed, and shown escaped
	// everywhere.
	script := `<script>alert(1)</script>`
	attr := `"><img src=x onerror=alert(1)>`
	accepted := []hostileCase{
		{name: "person named with markup", who: "agent", method: "POST", path: "/persons", form: person("first_name", script, "name", attr+" Zed",
			"function", "'; DROP TABLE person; --", "phone", "+1 555 0100 "+script, "email", "zed@example.com")},
		{name: "API person named with markup", who: "api-agent", method: "POST", path: "/api/v1/persons",
			body: `{"first_name":"<script>alert(1)</script>","name":"Zoe \"><img src=x onerror=alert(1)>","org_id":` + oA + `,"phone":"+1 555 0101"}`},
		{name: "ticket log with markup", who: "agent", method: "POST", path: idPath("/tickets", tA, "/log"), form: url.Values{"log": {"public_log"}, "text": {script + attr}}},
		{name: "ticket titled with markup", who: "agent", method: "POST", path: "/tickets", form: ticket("title", script, "description", attr)},
		{name: "call event from a number with markup", who: "integration", method: "POST", path: "/api/v1/cti/events",
			form: url.Values{"event": {"newCall"}, "callId": {"x-1"}, "from": {"+1 555 0100 <b>"}, "to": {script}, "direction": {"in"}, "user": {"201"}, "queue": {attr}}},
		{name: "hangup of a call never seen", who: "integration", method: "POST", path: "/api/v1/cti/events", form: callForm("hangup", "never-rang", "1")},
	}
	for _, tt := range accepted {
		r := doHostile(t, e, clients, tokens, tt)
		if r.status >= 400 {
			t.Errorf("%s: status %d, want it accepted\n%s", tt.name, r.status, truncate(r.body))
		}
	}
	for _, path := range []string{"/persons", "/persons?q=zed", "/search?q=zed", "/search?q=alert", idPath("/tickets", tA), "/tickets",
		"/tickets?q=script", "/pop?phone=%2B15550100", "/pop?phone=5550101", "/calls", "/phonecalls", "/"} {
		r := clients["agent"].get(path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: status %d", path, r.status)
		}
		for _, m := range markup {
			if strings.Contains(r.body, m) {
				t.Errorf("GET %s: markup %q unescaped", path, m)
			}
		}
		if path == "/persons?q=zed" && !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s: the name with markup is not shown escaped", path)
		}
	}

	// Every client is still who it was.
	for _, who := range []string{"agent", "scoped", "viewer"} {
		wantStatus(t, who+" still logged in", clients[who].get("/"), http.StatusOK)
	}
	t.Logf("%d hostile requests", len(cases))
}

// doHostile sends one case as its client.
func doHostile(t *testing.T, e *env, clients map[string]*client, tokens map[string]string, tt hostileCase) *response {
	t.Helper()
	var body, contentType string
	switch {
	case tt.form != nil || (tt.body == "" && tt.method == http.MethodPost && !strings.HasPrefix(tt.path, "/api/")):
		form := url.Values{}
		for k, v := range tt.form {
			form[k] = v
		}
		if c, ok := clients[tt.who]; ok {
			switch tt.csrf {
			case "":
				form.Set("csrf_token", c.csrf)
			case "none":
			default:
				if other, ok := clients[tt.csrf]; ok {
					form.Set("csrf_token", other.csrf)
				} else {
					form.Set("csrf_token", tt.csrf)
				}
			}
		}
		body, contentType = form.Encode(), "application/x-www-form-urlencoded"
	case tt.body != "":
		body = tt.body
		if strings.HasPrefix(tt.path, "/api/") {
			contentType = "application/json"
		} else {
			contentType = "application/x-www-form-urlencoded"
		}
	}
	var rd *strings.Reader
	if body != "" || tt.method != http.MethodGet {
		rd = strings.NewReader(body)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequest(tt.method, e.srv.URL+tt.path, rd)
	} else {
		req, err = http.NewRequest(tt.method, e.srv.URL+tt.path, nil)
	}
	if err != nil {
		t.Fatalf("%s: %v", tt.name, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok, ok := tokens[tt.who]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
		return clients["anon"].doNoCSRF(req)
	}
	c, ok := clients[tt.who]
	if !ok {
		t.Fatalf("%s: no client %q", tt.name, tt.who)
	}
	return c.doNoCSRF(req)
}

// doNoCSRF is do without taking the CSRF token of the answer: a hostile
// answer must not change the token later cases send.
func (c *client) doNoCSRF(req *http.Request) *response {
	c.tb.Helper()
	saved := c.csrf
	r := c.do(req)
	c.csrf = saved
	return r
}
