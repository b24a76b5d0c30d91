package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// suggestJSON asks /persons/suggest for JSON and returns the names and
// organizations found, and the total.
func suggestJSON(t *testing.T, c *client, q string) ([]string, int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+"/persons/suggest?q="+url.QueryEscape(q), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	r := c.do(req)
	wantStatus(t, "suggest "+q, r, http.StatusOK)
	var out struct {
		Persons []struct {
			ID      int64  `json:"id"`
			Name    string `json:"name"`
			OrgName string `json:"org_name"`
			Numbers []struct {
				Attribute string `json:"attribute"`
				Value     string `json:"value"`
			} `json:"numbers"`
		} `json:"persons"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("suggest %q: %v\n%s", q, err, r.body)
	}
	var names []string
	for _, p := range out.Persons {
		names = append(names, p.Name+" ("+p.OrgName+")")
	}
	return names, out.Total
}

// TestPersonSuggest: the caller search finds persons by name, email, any
// number as typed, or employee number, among the user's organizations only,
// as JSON or as the options of a listbox.
func TestPersonSuggest(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	e.MustPerson(t, &desk.Person{FirstName: "Carol", Name: "Anders", OrgID: e.orgB.ID, EmployeeNumber: "E-2044",
		MobilePhone: "+44 20 7946 0000"})
	agent := e.MustLogin(t, "agent")
	for _, tt := range []struct {
		q    string
		want string
	}{
		{"anders", "Alice Anders (Acme Corp),Carol Anders (Globex Inc)"},
		{"alice and", "Alice Anders (Acme Corp)"},
		{"bob@globex", "Bob Brightside (Globex Inc)"},
		{"(555) 010-0199", "Alice Anders (Acme Corp)"},
		{"0612345678", "Alice Anders (Acme Corp)"},
		{"020 7946 0000", "Carol Anders (Globex Inc)"},
		{"E-2044", "Carol Anders (Globex Inc)"},
		{"a", ""}, // too short to suggest
		{"nobody here", ""},
	} {
		names, _ := suggestJSON(t, agent, tt.q)
		if got := strings.Join(names, ","); got != tt.want {
			t.Errorf("suggest %q: %q, want %q", tt.q, got, tt.want)
		}
	}
	// The scoped agent sees Acme's persons only.
	if names, total := suggestJSON(t, e.MustLogin(t, "scoped"), "anders"); strings.Join(names, ",") != "Alice Anders (Acme Corp)" || total != 1 {
		t.Errorf("scoped suggest: %v (total %d)", names, total)
	}
	// The HTML fragment: options of a listbox, the person escaped.
	r := agent.get("/persons/suggest?q=bob")
	wantStatus(t, "suggest HTML", r, http.StatusOK)
	wantContains(t, "suggest HTML", r, `<li role="option" id="suggest-`+itoa(e.personB.ID)+`"`,
		`data-org-id="`+itoa(e.orgB.ID)+`"`, `data-org-name="Globex Inc"`, "Bob Brightside")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("suggest HTML: Content-Type %q", ct)
	}
	wantStatus(t, "bad limit", agent.get("/persons/suggest?q=bob&limit=500"), http.StatusBadRequest)
	// Without a session: to the login page.
	if r := e.newClient(t).get("/persons/suggest?q=bob"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Errorf("suggest without a session: %d %q", r.status, r.location)
	}
}

// TestCallerSearchWithoutJavaScript: the ticket form's Find button searches
// with a page load; the caller picked among the results brings his
// organization.
func TestCallerSearchWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	c.get("/tickets/new")
	r := c.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Mail bounces"}, "org_id": {""},
		"caller_q": {"brightside"}, "find_caller": {"1"}})
	wantStatus(t, "find the caller", r, http.StatusOK)
	wantContains(t, "found callers", r, `<option value="`+itoa(e.personB.ID)+`">`,
		"Bob Brightside · Globex Inc", `value="Mail bounces"`, `value="brightside"`)
	wantLacks(t, "found callers", r, "Alice Anders")
	// Saved with the caller and no organization (or another): the caller's.
	for _, org := range []string{"", itoa(e.orgA.ID)} {
		r = c.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Mail bounces"}, "org_id": {org},
			"caller_q": {"Bob Brightside"}, "caller_id": {itoa(e.personB.ID)}})
		wantStatus(t, "create with the caller found", r, http.StatusSeeOther)
		id := r.location[strings.LastIndex(r.location, "/")+1:]
		r = c.get("/tickets/" + id)
		wantContains(t, "ticket", r, "Bob Brightside", "Globex Inc")
	}
	// No result: said so.
	r = c.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"x"}, "caller_q": {"zzzz"}, "find_caller": {"1"}})
	wantContains(t, "no caller found", r, `id="caller-search-none"`)
	// The scoped agent cannot reach another organization's person this way.
	s := e.MustLogin(t, "scoped")
	s.get("/tickets/new")
	r = s.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"x"}, "caller_q": {"brightside"}, "find_caller": {"1"}})
	wantLacks(t, "scoped search", r, "Bob Brightside")
	r = s.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"x"}, "caller_q": {"Bob"}, "caller_id": {itoa(e.personB.ID)}})
	if r.status == http.StatusSeeOther {
		t.Errorf("the scoped agent created a ticket for another organization's caller")
	}
}
