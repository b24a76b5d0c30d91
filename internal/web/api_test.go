package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func TestAPIAuthentication(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	token := e.MustToken(t, "agent")
	revoked := e.MustToken(t, "agent")
	toks, _, err := e.svc.Tokens.FindAPITokens(e.sys, desk.APITokenFilter{UserID: &e.userOf(t, "agent").ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Tokens.RevokeAPIToken(e.sys, toks[0].ID); err != nil { // the newest: revoked
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		header string
		status int
		msg    string
	}{
		{"no token", "", http.StatusUnauthorized, "An API token is required"},
		{"basic scheme", "Basic " + token, http.StatusUnauthorized, "An API token is required"},
		{"empty bearer", "Bearer ", http.StatusUnauthorized, "An API token is required"},
		{"wrong token", "Bearer " + token + "x", http.StatusUnauthorized, "Unknown API token."},
		{"not a token", "Bearer hello", http.StatusUnauthorized, "Unknown API token."},
		{"revoked token", "Bearer " + revoked, http.StatusUnauthorized, "The API token was revoked."},
		{"valid token", "Bearer " + token, http.StatusOK, ""},
		{"scheme in any case", "bearer " + token, http.StatusOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := e.newAPIClient(t, "")
			if tt.header != "" {
				c.header.Set("Authorization", tt.header)
			}
			r := c.get("/api/v1/persons")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", r.status, tt.status, r.body)
			}
			if tt.status == http.StatusUnauthorized {
				if e := r.err(); e.Code != desk.EUNAUTHORIZED || !strings.HasPrefix(e.Message, tt.msg) {
					t.Errorf("error %+v, want unauthorized %q", e, tt.msg)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
				}
			}
		})
	}

	t.Run("session cookie is not enough", func(t *testing.T) {
		browser := e.MustLogin(t, "admin") // logged in: a session cookie
		r := browser.get("/api/v1/persons")
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"unauthorized"`) {
			t.Errorf("API with a session cookie only: %d %s", r.status, r.body)
		}
	})

	t.Run("unknown path needs a token, then is a JSON 404", func(t *testing.T) {
		wantAPIError(t, "anonymous", e.newAPIClient(t, "").get("/api/v1/nothing"), http.StatusUnauthorized, desk.EUNAUTHORIZED, "")
		wantAPIError(t, "with token", e.newAPIClient(t, token).get("/api/v1/nothing"), http.StatusNotFound, desk.ENOTFOUND, "")
	})

	t.Run("wrong method is a JSON 405", func(t *testing.T) {
		r := e.newAPIClient(t, token).do(http.MethodPut, "/api/v1/persons", "{}")
		wantAPIError(t, "PUT /api/v1/persons", r, http.StatusMethodNotAllowed, "method_not_allowed", "")
		if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
			t.Errorf("Allow %q", allow)
		}
	})

	t.Run("the use is recorded", func(t *testing.T) {
		tk, err := e.svc.Tokens.FindAPITokenByID(e.sys, toks[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.LastUsedAt == nil {
			t.Error("last_used_at not set after use")
		}
		if log := e.logBuf.String(); !strings.Contains(log, "path=/api/v1/persons") || !strings.Contains(log, "login=agent") ||
			strings.Contains(log, token) {
			t.Errorf("request log lacks the API request's login, or holds the token:\n%s", log)
		}
	})
}

func TestAPICallers(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent := e.MustAPI(t, "agent")
	scoped := e.MustAPI(t, "scoped")
	viewer := e.MustAPI(t, "viewer")
	e.MustPerson(t, &desk.Person{FirstName: "Carl", Name: "Cole", OrgID: e.orgB.ID, EmployeeNumber: "E-77",
		SupportID: "GLOBEX"})
	type caller struct {
		ID                int64
		Name              string
		OrgName           string `json:"org_name"`
		Attribute, Stored string
		Rank              int
		PopURL            string `json:"pop_url"`
		URL               string `json:"url"`
		Email, Phone      string
		MobilePhone       string `json:"mobile_phone"`
		FirstName         string `json:"first_name"`
		FriendlyName      string `json:"friendlyname"`
		OrgID             int64  `json:"org_id"`
		HomePhone         string `json:"home_phone"`
		EmployeeNumber    string `json:"employee_number"`
		SupportID         string `json:"support_id"`
	}
	type answer struct {
		Matched  string
		Tried    []string
		Callers  []caller
		TicketID int64 `json:"ticket_id"`
	}
	for _, tt := range []struct {
		name        string
		c           *apiClient
		query       string
		wantMatched string
		wantNames   []string
		wantAttr    string
	}{
		{"phone", agent, "phone=%2B1%20555%20010%200199", "phone", []string{"Anders"}, "phone"},
		{"phone, + decoded to a space", agent, "phone=+1+555+010+0199", "phone", []string{"Anders"}, "phone"},
		{"telephone alias, mobile", agent, "telephone=0612345678", "phone", []string{"Anders"}, "mobile_phone"},
		{"employee number before phone", agent, "phone=%2B33987654321&employee_number=E-77", "employee_number",
			[]string{"Cole"}, "employee_number"},
		{"employeeID alias", agent, "employeeID=E-77", "employee_number", []string{"Cole"}, "employee_number"},
		{"unknown employee number falls back to phone", agent, "phone=%2B33987654321&employee_number=E-404", "phone",
			[]string{"Brightside"}, "phone"},
		{"support id", viewer, "supportID=GLOBEX", "support_id", []string{"Cole"}, "support_id"},
		{"request", agent, "request=" + e.ticketB.Ref + "&phone=%2B15550100199", "request", []string{"Brightside"}, "request"},
		{"scoped: another organization's ticket falls back", scoped, "request=" + e.ticketB.Ref + "&phone=%2B15550100199",
			"phone", []string{"Anders"}, "phone"},
		{"scoped: another organization's caller is not found", scoped, "phone=%2B33987654321", "", nil, ""},
		{"nobody", agent, "phone=%2B44%2020%207946%200000", "", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.get("/api/v1/callers?" + tt.query)
			wantAPIStatus(t, tt.query, r, http.StatusOK)
			var a answer
			r.decode(t, &a)
			var names []string
			for _, c := range a.Callers {
				names = append(names, c.Name)
				if c.Attribute != tt.wantAttr || c.Rank != 1 {
					t.Errorf("caller %s: attribute %q rank %d, want %q, 1", c.Name, c.Attribute, c.Rank, tt.wantAttr)
				}
				pop, err := url.Parse(c.PopURL)
				if err != nil || pop.Path != "/pop" || pop.Query().Get(tt.wantMatched) == "" ||
					pop.Query().Get("caller") != fmt.Sprint(c.ID) || !strings.HasPrefix(c.PopURL, e.srv.URL) {
					t.Errorf("pop_url %q", c.PopURL)
				}
				if c.URL != fmt.Sprintf("%s/persons/%d", e.srv.URL, c.ID) || c.OrgName == "" || c.FriendlyName == "" {
					t.Errorf("caller %+v", c)
				}
			}
			if a.Matched != tt.wantMatched || strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
				t.Errorf("matched %q callers %v, want %q %v", a.Matched, names, tt.wantMatched, tt.wantNames)
			}
			if (a.Matched == "request") != (a.TicketID != 0) {
				t.Errorf("ticket_id %d with matched %q", a.TicketID, a.Matched)
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		wantAPIError(t, "no parameter", agent.get("/api/v1/callers"), http.StatusBadRequest, desk.EINVALID, "")
		wantAPIError(t, "only unknown parameters", agent.get("/api/v1/callers?name=Bob"), http.StatusBadRequest, desk.EINVALID, "")
		wantAPIError(t, "number too short", agent.get("/api/v1/callers?phone=10"), http.StatusUnprocessableEntity,
			desk.EINVALID, "phone")
		wantAPIError(t, "bad reference", agent.get("/api/v1/callers?request=x-y"), http.StatusUnprocessableEntity,
			desk.EINVALID, "request")
	})

	t.Run("explain", func(t *testing.T) {
		// Issue 21, item 6: why each caller matched, and why a number
		// sharing the last digits did not.
		near := e.MustPerson(t, &desk.Person{FirstName: "Nia", Name: "Near", OrgID: e.orgB.ID, Phone: "+44 20 5010 0199"})
		type explained struct {
			Callers []struct {
				Name, Rule, Why string
			}
			NearMisses []struct {
				ID        int64
				Reason    string
				Why       string
				SuffixLen int `json:"suffix_len"`
			} `json:"near_misses"`
		}
		var a explained
		agent.get("/api/v1/callers?phone=%2B15550100199&explain=1").decode(t, &a)
		// 555-010-0199 is no valid US number: it has no E.164 form.
		if len(a.Callers) != 1 || a.Callers[0].Rule != "national" ||
			a.Callers[0].Why != "the same national number" {
			t.Errorf("callers %+v", a.Callers)
		}
		if len(a.NearMisses) != 1 || a.NearMisses[0].ID != near.ID || a.NearMisses[0].Reason != "digits" ||
			a.NearMisses[0].SuffixLen != 8 || a.NearMisses[0].Why != "only the last 8 digits are the same" {
			t.Errorf("near misses %+v", a.NearMisses)
		}
		var plain explained
		agent.get("/api/v1/callers?phone=%2B15550100199").decode(t, &plain)
		if len(plain.Callers) != 1 || plain.Callers[0].Rule != "national" || plain.Callers[0].Why != "" || plain.NearMisses != nil {
			t.Errorf("without explain: %+v", plain)
		}
		// A near miss of another organization stays out of a scoped answer.
		var scopedAnswer explained
		scoped.get("/api/v1/callers?phone=%2B15550100199&explain=1").decode(t, &scopedAnswer)
		if len(scopedAnswer.Callers) != 1 || len(scopedAnswer.NearMisses) != 0 {
			t.Errorf("scoped: %+v", scopedAnswer)
		}
	})
}

func TestAPIPersons(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	e.MustUser(t, &desk.User{Login: "scopedviewer", Roles: []string{desk.RoleViewer}, AllowedOrgIDs: []int64{e.orgA.ID}})
	agent := e.MustAPI(t, "agent")
	scoped := e.MustAPI(t, "scoped")
	viewer := e.MustAPI(t, "scopedviewer")
	pathA, pathB := idPath("/api/v1/persons", e.personA.ID), idPath("/api/v1/persons", e.personB.ID)

	t.Run("list", func(t *testing.T) {
		all, total := listOf[desk.Person](t, agent.get("/api/v1/persons"))
		if total != e.personCount(t) || len(all) != total {
			t.Fatalf("%d of %d persons, want all %d", len(all), total, e.personCount(t))
		}
		page, total2 := listOf[desk.Person](t, agent.get("/api/v1/persons?limit=1&offset=1"))
		if len(page) != 1 || total2 != total || page[0].ID != all[1].ID {
			t.Errorf("page 2 of 1: %+v of %d", page, total2)
		}
		for _, tt := range []struct {
			query string
			want  []int64
		}{
			{"org_id=" + fmt.Sprint(e.orgB.ID), []int64{e.personB.ID}},
			{"email=alice@acme.example", []int64{e.personA.ID}},
			{"q=brightside", []int64{e.personB.ID}},
			{"q=%2B33+9+87+65+43+21", []int64{e.personB.ID}},
		} {
			got, n := listOf[desk.Person](t, agent.get("/api/v1/persons?"+tt.query))
			if n != len(tt.want) || len(got) != len(tt.want) || got[0].ID != tt.want[0] {
				t.Errorf("%s: %d persons %+v, want %v", tt.query, n, got, tt.want)
			}
		}
		scopedAll, n := listOf[desk.Person](t, scoped.get("/api/v1/persons"))
		for _, p := range scopedAll {
			if p.OrgID != e.orgA.ID {
				t.Errorf("scoped lists %s of another organization", p.Name)
			}
		}
		if n == 0 || n >= total {
			t.Errorf("scoped lists %d of %d persons", n, total)
		}
		wantAPIError(t, "limit 0", agent.get("/api/v1/persons?limit=0"), 422, desk.EINVALID, "limit")
		wantAPIError(t, "limit too big", agent.get("/api/v1/persons?limit=1001"), 422, desk.EINVALID, "limit")
		wantAPIError(t, "negative offset", agent.get("/api/v1/persons?offset=-1"), 422, desk.EINVALID, "offset")
		wantAPIError(t, "bad org_id", agent.get("/api/v1/persons?org_id=x"), 422, desk.EINVALID, "org_id")
	})

	t.Run("get", func(t *testing.T) {
		var p desk.Person
		r := agent.get(pathA)
		wantAPIStatus(t, "GET person", r, http.StatusOK)
		r.decode(t, &p)
		if p.ID != e.personA.ID || p.OrgName != "Acme Corp" || p.Email != "alice@acme.example" {
			t.Errorf("person %+v", p)
		}
		wantAPIStatus(t, "scoped, own organization", scoped.get(pathA), http.StatusOK)
		wantAPIError(t, "scoped, another organization", scoped.get(pathB), 404, desk.ENOTFOUND, "")
		wantAPIError(t, "unknown id", agent.get("/api/v1/persons/999999"), 404, desk.ENOTFOUND, "")
		wantAPIError(t, "not an id", agent.get("/api/v1/persons/abc"), 404, desk.ENOTFOUND, "")
	})

	var created desk.Person
	t.Run("create", func(t *testing.T) {
		before := e.personCount(t)
		r := agent.do(http.MethodPost, "/api/v1/persons", map[string]any{"first_name": "Dora", "name": "Diaz",
			"org_id": e.orgA.ID, "email": "dora@acme.example", "mobile_phone": "+1 555 010 0777", "employee_number": "E-9"})
		wantAPIStatus(t, "POST person", r, http.StatusCreated)
		r.decode(t, &created)
		if created.ID == 0 || created.Name != "Diaz" || created.OrgName != "Acme Corp" || created.Status != "active" ||
			r.header.Get("Location") != idPath("/api/v1/persons", created.ID) {
			t.Fatalf("created %+v at %q", created, r.header.Get("Location"))
		}
		if e.personCount(t) != before+1 {
			t.Error("no person added")
		}
		// The new number is found at once.
		var a struct{ Callers []struct{ ID int64 } }
		agent.get("/api/v1/callers?phone=5550100777").decode(t, &a)
		if len(a.Callers) != 1 || a.Callers[0].ID != created.ID {
			t.Errorf("callers of the new number: %+v", a.Callers)
		}

		for _, tt := range []struct {
			name   string
			c      *apiClient
			body   any
			status int
			code   string
			field  string
		}{
			{"no name", agent, map[string]any{"org_id": e.orgA.ID}, 422, desk.EINVALID, "name"},
			{"bad email", agent, map[string]any{"name": "X", "org_id": e.orgA.ID, "email": "x@"}, 422, desk.EINVALID, "email"},
			{"unknown organization", agent, map[string]any{"name": "X", "org_id": 999999}, 422, desk.EINVALID, "org_id"},
			{"scoped: another organization", scoped, map[string]any{"name": "X", "org_id": e.orgB.ID}, 422, desk.EINVALID, "org_id"},
			{"unknown field", agent, `{"name": "X", "org_id": 1, "nmae": "typo"}`, 422, desk.EINVALID, "nmae"},
			{"read-only field", agent, `{"name": "X", "org_id": 1, "id": 5}`, 422, desk.EINVALID, "id"},
			{"wrong type", agent, `{"name": "X", "org_id": "one"}`, 422, desk.EINVALID, "org_id"},
			{"malformed JSON", agent, `{"name": "X",`, 400, desk.EINVALID, ""},
			{"not JSON", agent, `name=X`, 400, desk.EINVALID, ""},
			{"empty body", agent, ``, 400, desk.EINVALID, ""},
			{"an array", agent, `[]`, 400, desk.EINVALID, ""},
			{"two values", agent, `{"name": "X", "org_id": 1} {}`, 400, desk.EINVALID, ""},
			{"oversized body", agent, `{"name": "` + strings.Repeat("x", 1<<20) + `", "org_id": 1}`, 413, "too_large", ""},
			{"viewer may not create", viewer, map[string]any{"name": "X", "org_id": e.orgA.ID}, 403, desk.EFORBIDDEN, ""},
		} {
			n := e.personCount(t)
			wantAPIError(t, tt.name, tt.c.do(http.MethodPost, "/api/v1/persons", tt.body), tt.status, tt.code, tt.field)
			if e.personCount(t) != n {
				t.Errorf("%s: a person was created", tt.name)
			}
		}
	})

	t.Run("update", func(t *testing.T) {
		path := idPath("/api/v1/persons", created.ID)
		var p desk.Person
		r := agent.do(http.MethodPatch, path, map[string]any{"function": "Buyer", "phone": "+1 555 010 0888"})
		wantAPIStatus(t, "PATCH", r, http.StatusOK)
		r.decode(t, &p)
		if p.Function != "Buyer" || p.Phone != "+1 555 010 0888" || p.Name != "Diaz" || p.Email != "dora@acme.example" {
			t.Errorf("updated %+v", p)
		}
		wantAPIError(t, "empty name", agent.do(http.MethodPatch, path, map[string]any{"name": ""}), 422, desk.EINVALID, "name")
		wantAPIError(t, "unknown field", agent.do(http.MethodPatch, path, `{"nmae": "x"}`), 422, desk.EINVALID, "nmae")
		wantAPIError(t, "malformed", agent.do(http.MethodPatch, path, `{`), 400, desk.EINVALID, "")
		// Another organization's person is not found, before any right is
		// refused: its existence does not leak.
		wantAPIError(t, "scoped viewer, another organization", viewer.do(http.MethodPatch, pathB, map[string]any{"function": "x"}),
			404, desk.ENOTFOUND, "")
		wantAPIError(t, "scoped viewer, own organization", viewer.do(http.MethodPatch, pathA, map[string]any{"function": "x"}),
			403, desk.EFORBIDDEN, "")
		wantAPIError(t, "scoped agent, another organization", scoped.do(http.MethodPatch, pathB, map[string]any{"function": "x"}),
			404, desk.ENOTFOUND, "")
		wantAPIError(t, "move to an organization out of scope", scoped.do(http.MethodPatch, pathA,
			map[string]any{"org_id": e.orgB.ID}), 422, desk.EINVALID, "org_id")
		got, err := e.svc.Persons.FindPersonByID(e.sys, e.personB.ID)
		if err != nil || got.Function != "" {
			t.Errorf("refused updates changed Bob: %+v %v", got, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		wantAPIError(t, "scoped, another organization", scoped.do(http.MethodDelete, pathB, nil), 404, desk.ENOTFOUND, "")
		wantAPIError(t, "viewer", viewer.do(http.MethodDelete, pathA, nil), 403, desk.EFORBIDDEN, "")
		wantAPIError(t, "still referred to", agent.do(http.MethodDelete, pathA, nil), 409, desk.ECONFLICT, "")
		path := idPath("/api/v1/persons", created.ID)
		r := agent.do(http.MethodDelete, path, nil)
		wantAPIStatus(t, "DELETE", r, http.StatusNoContent)
		wantAPIError(t, "deleted", agent.get(path), 404, desk.ENOTFOUND, "")
		wantAPIError(t, "again", agent.do(http.MethodDelete, path, nil), 404, desk.ENOTFOUND, "")
	})
}

func TestAPIOrganizations(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	admin := e.MustAPI(t, "admin")
	agent := e.MustAPI(t, "agent")
	scoped := e.MustAPI(t, "scoped")

	orgs, total := listOf[desk.Organization](t, agent.get("/api/v1/organizations"))
	if total != 2 || len(orgs) != 2 || orgs[0].Name != "Acme Corp" {
		t.Fatalf("organizations %+v (%d)", orgs, total)
	}
	if orgs, total := listOf[desk.Organization](t, scoped.get("/api/v1/organizations")); total != 1 || orgs[0].ID != e.orgA.ID {
		t.Errorf("scoped lists %+v", orgs)
	}
	if orgs, _ := listOf[desk.Organization](t, agent.get("/api/v1/organizations?name=Globex+Inc")); len(orgs) != 1 ||
		orgs[0].ID != e.orgB.ID {
		t.Errorf("by name: %+v", orgs)
	}
	if orgs, _ := listOf[desk.Organization](t, agent.get("/api/v1/organizations?q=glob")); len(orgs) != 1 {
		t.Errorf("by q: %+v", orgs)
	}

	r := admin.do(http.MethodPost, "/api/v1/organizations", map[string]any{"name": "Initech", "code": "INI"})
	wantAPIStatus(t, "POST organization", r, http.StatusCreated)
	var o desk.Organization
	r.decode(t, &o)
	if o.ID == 0 || o.Name != "Initech" || o.Status != "active" {
		t.Fatalf("created %+v", o)
	}
	wantAPIError(t, "name taken", admin.do(http.MethodPost, "/api/v1/organizations", map[string]any{"name": "Initech"}),
		409, desk.ECONFLICT, "name")
	wantAPIError(t, "no name", admin.do(http.MethodPost, "/api/v1/organizations", map[string]any{"code": "X"}),
		422, desk.EINVALID, "name")
	wantAPIError(t, "agent may not create", agent.do(http.MethodPost, "/api/v1/organizations", map[string]any{"name": "X"}),
		403, desk.EFORBIDDEN, "")

	path := idPath("/api/v1/organizations", o.ID)
	r = admin.do(http.MethodPatch, path, map[string]any{"status": "inactive", "support_id": "S-1"})
	wantAPIStatus(t, "PATCH organization", r, http.StatusOK)
	r.decode(t, &o)
	if o.Status != "inactive" || o.SupportID != "S-1" || o.Code != "INI" {
		t.Errorf("updated %+v", o)
	}
	wantAPIError(t, "bad status", admin.do(http.MethodPatch, path, map[string]any{"status": "asleep"}), 422, desk.EINVALID, "status")
	wantAPIStatus(t, "GET organization", agent.get(path), http.StatusOK)
	wantAPIError(t, "scoped GET another organization", scoped.get(path), 404, desk.ENOTFOUND, "")
	wantAPIError(t, "scoped PATCH another organization", scoped.do(http.MethodPatch, path, map[string]any{"code": "x"}),
		404, desk.ENOTFOUND, "")
	wantAPIError(t, "agent PATCH", agent.do(http.MethodPatch, path, map[string]any{"code": "x"}), 403, desk.EFORBIDDEN, "")
}

func TestAPITickets(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent := e.MustAPI(t, "agent")
	scoped := e.MustAPI(t, "scoped")
	viewer := e.MustAPI(t, "viewer")
	closed := e.MustTicket(t, &desk.Ticket{Kind: desk.KindIncident, Title: "Old outage", OrgID: e.orgA.ID,
		CallerID: e.personA.ID, Status: desk.TicketClosed})

	type summary struct {
		ID         int64
		Kind, Ref  string
		Status     string
		PublicLog  []desk.LogEntry `json:"public_log"`
		PrivateLog []desk.LogEntry `json:"private_log"`
	}
	for _, tt := range []struct {
		name  string
		c     *apiClient
		query string
		want  []int64
	}{
		{"all, newest first", agent, "", []int64{closed.ID, e.ticketB.ID, e.ticketA.ID}},
		{"kind", agent, "kind=Incident", []int64{closed.ID, e.ticketB.ID}},
		{"status", agent, "status=closed", []int64{closed.ID}},
		{"ongoing", agent, "ongoing=true", []int64{e.ticketB.ID, e.ticketA.ID}},
		{"caller", agent, "caller_id=" + fmt.Sprint(e.personA.ID), []int64{closed.ID, e.ticketA.ID}},
		{"organization and ongoing", agent, "org_id=" + fmt.Sprint(e.orgA.ID) + "&ongoing=1", []int64{e.ticketA.ID}},
		{"reference", agent, "q=" + e.ticketB.Ref, []int64{e.ticketB.ID}},
		{"scoped", scoped, "", []int64{closed.ID, e.ticketA.ID}},
		{"page", agent, "limit=1&offset=1", []int64{e.ticketB.ID}},
	} {
		items, total := listOf[summary](t, tt.c.get("/api/v1/tickets?"+tt.query))
		var got []int64
		for _, it := range items {
			got = append(got, it.ID)
			if it.PublicLog != nil || it.PrivateLog != nil || it.Ref == "" {
				t.Errorf("%s: list item %+v carries logs or lacks a reference", tt.name, it)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || (tt.query != "limit=1&offset=1" && total != len(tt.want)) {
			t.Errorf("%s: %v (total %d), want %v", tt.name, got, total, tt.want)
		}
	}
	for _, q := range []string{"kind=Bug", "status=open", "ongoing=maybe", "caller_id=-1", "org_id=x"} {
		field, _, _ := strings.Cut(q, "=")
		wantAPIError(t, q, agent.get("/api/v1/tickets?"+q), 422, desk.EINVALID, field)
	}

	var tk desk.Ticket
	t.Run("create", func(t *testing.T) {
		r := agent.do(http.MethodPost, "/api/v1/tickets", map[string]any{"kind": "UserRequest", "title": "Need a headset",
			"org_id": e.orgA.ID, "caller_id": e.personA.ID, "urgency": 2})
		wantAPIStatus(t, "POST ticket", r, http.StatusCreated)
		r.decode(t, &tk)
		if tk.ID == 0 || tk.Ref != desk.TicketRef(desk.KindUserRequest, tk.ID) || tk.Status != "new" || tk.Origin != "phone" ||
			tk.Urgency != 2 || tk.Priority != 3 || tk.CallerName != "Alice Anders" || tk.PublicLog == nil ||
			r.header.Get("Location") != idPath("/api/v1/tickets", tk.ID) {
			t.Fatalf("created %+v at %q", tk, r.header.Get("Location"))
		}
		for _, c := range []struct {
			name  string
			c     *apiClient
			body  any
			code  int
			field string
		}{
			{"no kind", agent, map[string]any{"title": "x", "org_id": e.orgA.ID}, 422, "kind"},
			{"no title", agent, map[string]any{"kind": "Incident", "org_id": e.orgA.ID}, 422, "title"},
			{"bad urgency", agent, map[string]any{"kind": "Incident", "title": "x", "org_id": e.orgA.ID, "urgency": 9}, 422, "urgency"},
			{"caller of another organization", agent, map[string]any{"kind": "Incident", "title": "x", "org_id": e.orgA.ID,
				"caller_id": e.personB.ID}, 422, "caller_id"},
			{"scoped: organization out of scope", scoped, map[string]any{"kind": "Incident", "title": "x", "org_id": e.orgB.ID}, 422, "org_id"},
			{"read-only ref", agent, `{"kind": "Incident", "title": "x", "org_id": 1, "ref": "R-1"}`, 422, "ref"},
			{"logs are added apart", agent, `{"kind": "Incident", "title": "x", "org_id": 1, "public_log": []}`, 422, "public_log"},
			{"malformed", agent, `{"kind": `, 400, ""},
			{"viewer", viewer, map[string]any{"kind": "Incident", "title": "x", "org_id": e.orgA.ID}, 403, ""},
		} {
			n := e.ticketCount(t)
			r := c.c.do(http.MethodPost, "/api/v1/tickets", c.body)
			if r.status != c.code || r.err().Field != c.field {
				t.Errorf("%s: %d %+v, want %d field %q", c.name, r.status, r.err(), c.code, c.field)
			}
			if e.ticketCount(t) != n {
				t.Errorf("%s: a ticket was created", c.name)
			}
		}
	})

	t.Run("get and update", func(t *testing.T) {
		path := idPath("/api/v1/tickets", tk.ID)
		var got desk.Ticket
		agent.get(path).decode(t, &got)
		if got.ID != tk.ID || got.Title != "Need a headset" || got.PublicLog == nil || got.PrivateLog == nil {
			t.Errorf("got %+v", got)
		}
		r := agent.do(http.MethodPatch, path, map[string]any{"status": "closed", "agent_id": 0, "title": "Headset"})
		wantAPIStatus(t, "PATCH ticket", r, http.StatusOK)
		r.decode(t, &got)
		if got.Status != "closed" || got.CloseDate == nil || got.Title != "Headset" {
			t.Errorf("closed %+v", got)
		}
		wantAPIError(t, "bad status", agent.do(http.MethodPatch, path, map[string]any{"status": "done"}), 422, desk.EINVALID, "status")
		pathB := idPath("/api/v1/tickets", e.ticketB.ID)
		wantAPIError(t, "scoped GET another organization", scoped.get(pathB), 404, desk.ENOTFOUND, "")
		wantAPIError(t, "scoped PATCH another organization", scoped.do(http.MethodPatch, pathB, map[string]any{"title": "x"}),
			404, desk.ENOTFOUND, "")
		wantAPIError(t, "viewer PATCH", viewer.do(http.MethodPatch, pathB, map[string]any{"title": "x"}), 403, desk.EFORBIDDEN, "")
	})

	t.Run("log", func(t *testing.T) {
		path := idPath("/api/v1/tickets", e.ticketA.ID, "/log")
		var got desk.Ticket
		r := agent.do(http.MethodPost, path, map[string]any{"log": "public_log", "text": "Called back, fixed."})
		wantAPIStatus(t, "POST log", r, http.StatusOK)
		r.decode(t, &got)
		if len(got.PublicLog) != 1 || got.PublicLog[0].Text != "Called back, fixed." || got.PublicLog[0].Author != "Ada Agent" {
			t.Errorf("public log %+v", got.PublicLog)
		}
		agent.do(http.MethodPost, path, map[string]any{"text": "Private note"}).decode(t, &got)
		if len(got.PrivateLog) != 1 || got.PrivateLog[0].Text != "Private note" {
			t.Errorf("private log by default: %+v", got.PrivateLog)
		}
		wantAPIError(t, "bad log", agent.do(http.MethodPost, path, map[string]any{"log": "diary", "text": "x"}), 422, desk.EINVALID, "log")
		wantAPIError(t, "empty text", agent.do(http.MethodPost, path, map[string]any{"text": " "}), 422, desk.EINVALID, "text")
		wantAPIError(t, "scoped, another organization", scoped.do(http.MethodPost, idPath("/api/v1/tickets", e.ticketB.ID, "/log"),
			map[string]any{"text": "x"}), 404, desk.ENOTFOUND, "")
		wantAPIError(t, "unknown ticket", agent.do(http.MethodPost, "/api/v1/tickets/999999/log", map[string]any{"text": "x"}),
			404, desk.ENOTFOUND, "")
		wantAPIError(t, "viewer", viewer.do(http.MethodPost, path, map[string]any{"text": "x"}), 403, desk.EFORBIDDEN, "")
	})
}

func TestAPIPhoneCalls(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent := e.MustAPI(t, "agent")
	scoped := e.MustAPI(t, "scoped")
	nocontact := e.MustAPI(t, "french") // an agent without a contact person
	agentContact := e.userOf(t, "agent").ContactID

	var in desk.PhoneCall
	r := agent.do(http.MethodPost, "/api/v1/phonecalls", map[string]any{"contact_id": e.personA.ID, "ticket_id": e.ticketA.ID,
		"flow": "inbound", "number": "+1 555 010 0199", "duration": 75, "note": "Printer again", "date": "2025-03-04T10:00:00Z"})
	wantAPIStatus(t, "POST phone call", r, http.StatusCreated)
	r.decode(t, &in)
	if in.ID == 0 || in.AgentID != agentContact || in.AgentName != "Ada Agent" || in.TicketRef != e.ticketA.Ref ||
		in.ContactName != "Alice Anders" || in.Date.Format("2006-01-02T15:04:05Z07:00") != "2025-03-04T10:00:00Z" {
		t.Fatalf("created %+v", in)
	}
	var loose, other desk.PhoneCall
	agent.do(http.MethodPost, "/api/v1/phonecalls", map[string]any{"flow": "outbound", "number": "0100"}).decode(t, &loose)
	agent.do(http.MethodPost, "/api/v1/phonecalls", map[string]any{"flow": "inbound", "contact_id": e.personB.ID,
		"ticket_id": e.ticketB.ID}).decode(t, &other)

	for _, tt := range []struct {
		name  string
		c     *apiClient
		query string
		want  []int64
	}{
		{"ticket", agent, "ticket_id=" + fmt.Sprint(e.ticketA.ID), []int64{in.ID}},
		{"without ticket", agent, "ticket_id=0", []int64{loose.ID}},
		{"without contact", agent, "contact_id=0", []int64{loose.ID}},
		{"flow", agent, "flow=outbound", []int64{loose.ID}},
		{"period", agent, "from=2025-03-04T09:00:00Z&to=2025-03-04T11:00:00Z", []int64{in.ID}},
		{"scoped", scoped, "ticket_id=" + fmt.Sprint(e.ticketB.ID), []int64{}},
	} {
		items, total := listOf[desk.PhoneCall](t, tt.c.get("/api/v1/phonecalls?"+tt.query))
		got := []int64{}
		for _, c := range items {
			got = append(got, c.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || total != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, q := range []string{"flow=up", "from=yesterday", "ticket_id=-1", "agent_id=x"} {
		field, _, _ := strings.Cut(q, "=")
		wantAPIError(t, q, agent.get("/api/v1/phonecalls?"+q), 422, desk.EINVALID, field)
	}

	path := idPath("/api/v1/phonecalls", loose.ID)
	r = agent.do(http.MethodPatch, path, map[string]any{"ticket_id": e.ticketA.ID, "note": "Was about the printer", "duration": 20})
	wantAPIStatus(t, "PATCH phone call", r, http.StatusOK)
	var got desk.PhoneCall
	r.decode(t, &got)
	if got.TicketID != e.ticketA.ID || got.Note != "Was about the printer" || got.Duration != 20 {
		t.Errorf("updated %+v", got)
	}
	wantAPIError(t, "tied already", agent.do(http.MethodPatch, path, map[string]any{"ticket_id": e.ticketB.ID}), 422,
		desk.EINVALID, "ticket_id")
	wantAPIError(t, "negative duration", agent.do(http.MethodPatch, path, map[string]any{"duration": -1}), 422,
		desk.EINVALID, "duration")
	wantAPIStatus(t, "GET phone call", agent.get(path), http.StatusOK)
	otherPath := idPath("/api/v1/phonecalls", other.ID)
	wantAPIError(t, "scoped GET another organization's call", scoped.get(otherPath), 404, desk.ENOTFOUND, "")
	wantAPIError(t, "scoped PATCH another organization's call", scoped.do(http.MethodPatch, otherPath,
		map[string]any{"note": "x"}), 404, desk.ENOTFOUND, "")
	wantAPIError(t, "no agent", nocontact.do(http.MethodPost, "/api/v1/phonecalls", map[string]any{"flow": "inbound"}),
		422, desk.EINVALID, "agent_id")
	wantAPIError(t, "bad flow", agent.do(http.MethodPost, "/api/v1/phonecalls", map[string]any{"flow": "sideways"}),
		422, desk.EINVALID, "flow")
	wantAPIError(t, "bad date", agent.do(http.MethodPost, "/api/v1/phonecalls", `{"flow": "inbound", "date": "today"}`),
		422, desk.EINVALID, "date")
	wantAPIError(t, "ticket out of scope", scoped.do(http.MethodPost, "/api/v1/phonecalls", map[string]any{"flow": "inbound",
		"agent_id": agentContact, "ticket_id": e.ticketB.ID}), 422, desk.EINVALID, "ticket_id")
}

func TestAPI3CX(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent := e.MustAPI(t, "agent")
	scoped := e.MustAPI(t, "scoped")
	agentContact := e.userOf(t, "agent").ContactID

	type contact struct {
		ID            int64
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
		Company       string
		Email         string
		PhoneBusiness string `json:"phone_business"`
		PhoneMobile   string `json:"phone_mobile"`
		ContactURL    string `json:"contact_url"`
	}
	lookup := func(c *apiClient, number string) []contact {
		t.Helper()
		r := c.get("/api/v1/3cx/lookup?number=" + url.QueryEscape(number))
		wantAPIStatus(t, "lookup "+number, r, http.StatusOK)
		var a struct{ Contacts []contact }
		r.decode(t, &a)
		return a.Contacts
	}
	cs := lookup(agent, "+15550100199")
	if len(cs) != 1 || cs[0].ID != e.personA.ID || cs[0].FirstName != "Alice" || cs[0].LastName != "Anders" ||
		cs[0].Company != "Acme Corp" || cs[0].Email != "alice@acme.example" || cs[0].PhoneMobile != "06 12 34 56 78" ||
		!strings.HasPrefix(cs[0].PhoneBusiness, "+1 (555)") {
		t.Fatalf("contacts %+v", cs)
	}
	if u, err := url.Parse(cs[0].ContactURL); err != nil || u.Path != "/pop" || u.Query().Get("phone") != "+15550100199" {
		t.Errorf("contact_url %q", cs[0].ContactURL)
	}
	if cs := lookup(agent, "101"); len(cs) != 0 {
		t.Errorf("an extension finds %+v", cs)
	}
	if cs := lookup(scoped, "+33987654321"); len(cs) != 0 {
		t.Errorf("scoped finds another organization's %+v", cs)
	}
	wantAPIError(t, "no number", agent.get("/api/v1/3cx/lookup"), 422, desk.EINVALID, "number")

	for _, tt := range []struct {
		name        string
		body        any
		form        url.Values
		wantFlow    string
		wantContact int64
		wantAgent   int64
		wantSecs    int
		wantDate    string
	}{
		{"inbound, entity id", map[string]any{"call_type": "Inbound", "number": "+15550100199", "entity_id": fmt.Sprint(e.personB.ID),
			"duration": "00:01:05", "start_utc": "2025-03-04 10:00:00", "agent": "101"}, nil,
			"inbound", e.personB.ID, agentContact, 65, "2025-03-04T10:00:00Z"},
		{"missed, contact by number", map[string]any{"call_type": "Missed", "number": "+33 9 87 65 43 21", "duration": "0"}, nil,
			"inbound", e.personB.ID, agentContact, 0, ""},
		{"outbound, agent by email", map[string]any{"call_type": "Outbound", "number": "0612345678",
			"agent_email": "ALICE@acme.example", "duration": 30}, nil, "outbound", e.personA.ID, e.personA.ID, 30, ""},
		{"not answered, unknown number", map[string]any{"call_type": "Notanswered", "number": "+44 20 7946 0000",
			"unknown_key": "ignored"}, nil, "outbound", 0, agentContact, 0, ""},
		{"form-encoded", nil, url.Values{"call_type": {"Inbound"}, "number": {"5550100199"}, "duration": {"01:00:00"},
			"end_utc": {"2025-03-04T12:00:00Z"}}, "inbound", e.personA.ID, agentContact, 3600, "2025-03-04T11:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r *apiResponse
			if tt.form != nil {
				c := *agent
				c.header = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
				r = c.do(http.MethodPost, "/api/v1/3cx/calls", tt.form.Encode())
			} else {
				r = agent.do(http.MethodPost, "/api/v1/3cx/calls", tt.body)
			}
			wantAPIStatus(t, "ReportCall", r, http.StatusCreated)
			var c desk.PhoneCall
			r.decode(t, &c)
			if c.Flow != tt.wantFlow || c.ContactID != tt.wantContact || c.AgentID != tt.wantAgent || c.Duration != tt.wantSecs ||
				c.TicketID != 0 || !strings.HasPrefix(c.Note, "3CX ") {
				t.Errorf("recorded %+v", c)
			}
			if tt.wantDate != "" && c.Date.UTC().Format("2006-01-02T15:04:05Z") != tt.wantDate {
				t.Errorf("date %v, want %s", c.Date, tt.wantDate)
			}
			stored, err := e.svc.PhoneCalls.FindPhoneCallByID(e.sys, c.ID)
			if err != nil || stored.Number == "" {
				t.Errorf("stored %+v %v", stored, err)
			}
		})
	}
	for _, tt := range []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"bad call type", `{"call_type": "Sideways", "number": "1"}`, 422, "call_type"},
		{"bad duration", `{"call_type": "Inbound", "duration": "soon"}`, 422, "duration"},
		{"malformed", `{"call_type": "Inbound"`, 400, ""},
		{"oversized", `{"call_type": "Inbound", "name": "` + strings.Repeat("x", 1<<20) + `"}`, 413, ""},
	} {
		r := agent.do(http.MethodPost, "/api/v1/3cx/calls", tt.body)
		if r.status != tt.status || r.err().Field != tt.field {
			t.Errorf("%s: %d %+v, want %d field %q", tt.name, r.status, r.err(), tt.status, tt.field)
		}
	}
	wantAPIError(t, "viewer may not journal", e.MustAPI(t, "viewer").do(http.MethodPost, "/api/v1/3cx/calls",
		map[string]any{"call_type": "Inbound"}), 403, desk.EFORBIDDEN, "")
	wantAPIError(t, "user without contact", e.MustAPI(t, "french").do(http.MethodPost, "/api/v1/3cx/calls",
		map[string]any{"call_type": "Inbound", "number": "+15550100199"}), 422, desk.EINVALID, "agent_email")
}
