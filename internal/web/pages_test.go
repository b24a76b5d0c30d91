package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestPagesRender(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	admin := e.MustLogin(t, "admin")
	pA, tA := e.personA.ID, e.ticketA.ID
	for _, tt := range []struct {
		c    *client
		path string
		want []string
	}{
		{agent, "/", []string{"Printer jams in accounting"}},
		{agent, "/persons", []string{"Alice Anders", "Bob Brightside", `id="new-person"`}},
		{agent, "/persons?q=anders", []string{"Alice Anders"}},
		{agent, "/persons?org_id=" + itoa(e.orgA.ID), []string{"Alice Anders"}},
		{agent, "/persons?page=2", nil},
		{agent, "/persons?page=abc", nil},
		{agent, idPath("/persons", pA), []string{"Alice Anders", "alice@acme.example", "Acme Corp", "Printer jams in accounting", `id="new-user-request"`}},
		{agent, "/persons/new", []string{`name="first_name"`, "Acme Corp"}},
		{agent, "/persons/new?org_id=" + itoa(e.orgA.ID), []string{`name="location_id"`}},
		{agent, idPath("/persons", pA, "/edit"), []string{`value="Anders"`}},
		{agent, "/organizations", []string{"Acme Corp", "Globex Inc"}},
		{agent, "/organizations?q=acme", []string{"Acme Corp"}},
		{agent, idPath("/organizations", e.orgA.ID), []string{"Acme Corp", "Alice Anders", "Printer jams in accounting"}},
		{admin, "/organizations/new", []string{`name="name"`}},
		{admin, idPath("/organizations", e.orgA.ID, "/edit"), []string{`value="Acme Corp"`}},
		{agent, "/tickets", []string{"Printer jams in accounting", "Globex mail server down"}},
		{agent, "/tickets?ongoing=1&kind=UserRequest&status=new&org_id=" + itoa(e.orgA.ID), []string{"Printer jams in accounting"}},
		{agent, "/tickets?caller_id=" + itoa(pA), []string{"Printer jams in accounting", "Alice Anders"}},
		{agent, "/tickets?q=printer", []string{"Printer jams in accounting"}},
		{agent, idPath("/tickets", tA), []string{e.ticketA.Ref, "Printer jams in accounting", "Alice Anders", `action="/tickets/` + itoa(tA) + `/log"`}},
		{agent, "/tickets/new", []string{`name="title"`}},
		{agent, "/tickets/new?kind=Incident", []string{`name="priority"`}},
		{agent, "/tickets/new?kind=Problem", []string{`name="title"`}},
		{agent, "/tickets/new?kind=Change", []string{`name="title"`}},
		{agent, "/tickets/new?kind=UserRequest&caller_id=" + itoa(pA), []string{"Alice Anders"}},
		{agent, idPath("/tickets", tA, "/edit"), []string{`value="Printer jams in accounting"`}},
		{agent, "/search", nil},
		{agent, "/search?q=alice", []string{"Alice Anders"}},
		{agent, "/search?q=printer", []string{"Printer jams in accounting"}},
		{agent, "/search?q=555-010-0199", []string{"Alice Anders"}},
	} {
		r := tt.c.get(tt.path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200\n%s", tt.path, r.status, truncate(r.body))
			continue
		}
		wantContains(t, "GET "+tt.path, r, tt.want...)
		wantContains(t, "GET "+tt.path, r, `action="/logout"`, `id="search-q"`)
	}
}

func TestBadPaths(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/persons/abc", http.StatusNotFound},
		{"/persons/-1", http.StatusNotFound},
		{"/persons/999999", http.StatusNotFound},
		{"/persons/99999999999999999999999", http.StatusNotFound},
		{"/persons/abc/edit", http.StatusNotFound},
		{"/tickets/R-000001", http.StatusNotFound},
		{"/tickets/999999", http.StatusNotFound},
		{"/organizations/x", http.StatusNotFound},
		{"/no/such/page", http.StatusNotFound},
		{"/tickets?org_id=abc", http.StatusBadRequest},
		{"/tickets?caller_id=1x", http.StatusBadRequest},
		{"/tickets?kind=Nonsense", http.StatusBadRequest},
		{"/tickets?status=nonsense", http.StatusBadRequest},
		{"/tickets/new?kind=Nonsense", http.StatusBadRequest},
		{"/tickets/new?org_id=abc", http.StatusBadRequest},
		{"/persons?org_id=abc", http.StatusBadRequest},
	} {
		r := c.get(tt.path)
		if r.status != tt.want {
			t.Errorf("GET %s: status %d, want %d", tt.path, r.status, tt.want)
		}
		if !strings.Contains(r.body, `id="error"`) {
			t.Errorf("GET %s: not the error page", tt.path)
		}
	}
	for _, path := range []string{"/persons/abc", idPath("/tickets", 999999, "/log"), "/tickets/abc/status"} {
		if r := c.post(path, url.Values{"text": {"x"}}); r.status != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", path, r.status)
		}
	}
}

func TestPersonCreateAndEdit(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	c.get("/persons/new")
	r := c.post("/persons", url.Values{
		"first_name": {"Carol"}, "name": {"Cruz"}, "org_id": {itoa(e.orgA.ID)}, "email": {"carol@acme.example"},
		"phone": {"+1 212 555 0123"}, "employee_number": {"E-77"}, "function": {"Accountant"}, "status": {"active"},
	})
	wantStatus(t, "POST /persons", r, http.StatusSeeOther)
	if !regexp.MustCompile(`^/persons/\d+$`).MatchString(r.location) {
		t.Fatalf("redirect to %q, want /persons/ID", r.location)
	}
	page := c.get(r.location)
	wantStatus(t, "GET new person", page, http.StatusOK)
	wantContains(t, "new person page", page, "Carol Cruz", "carol@acme.example", "E-77", "Accountant", "Acme Corp",
		`href="tel:+12125550123"`)

	edit := r.location
	c.get(edit + "/edit")
	r = c.post(edit, url.Values{
		"first_name": {"Carol"}, "name": {"Cruz-Diaz"}, "org_id": {itoa(e.orgB.ID)}, "email": {""},
		"phone": {"+1 212 555 0123"}, "status": {"inactive"},
	})
	wantStatus(t, "POST edit", r, http.StatusSeeOther)
	if r.location != edit {
		t.Errorf("after edit: redirect to %q, want %q", r.location, edit)
	}
	page = c.get(edit)
	wantContains(t, "edited person", page, "Carol Cruz-Diaz", "Globex Inc", "Inactive")
	wantLacks(t, "edited person", page, "carol@acme.example")
}

func TestTicketCreateAndWork(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")

	// The person page's button presets the caller and the organization.
	p := c.get(idPath("/persons", e.personA.ID))
	link := regexp.MustCompile(`id="new-user-request" href="([^"]+)"`).FindStringSubmatch(p.body)
	if link == nil {
		t.Fatalf("person page has no new-user-request link\n%s", truncate(p.body))
	}
	form := c.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	wantStatus(t, "GET new ticket form", form, http.StatusOK)
	selected := regexp.MustCompile(`<option value="` + itoa(e.personA.ID) + `" selected>`)
	if !selected.MatchString(form.body) {
		t.Errorf("new ticket form: caller %d not selected\n%s", e.personA.ID, truncate(form.body))
	}

	r := c.post("/tickets", url.Values{
		"kind": {"UserRequest"}, "title": {"Headset crackles"}, "description": {"Since <Monday>."},
		"org_id": {itoa(e.orgA.ID)}, "caller_id": {itoa(e.personA.ID)}, "origin": {"phone"},
		"priority": {"2"}, "urgency": {"2"}, "impact": {"3"},
	})
	wantStatus(t, "POST /tickets", r, http.StatusSeeOther)
	ticketURL := r.location
	page := c.get(ticketURL)
	wantStatus(t, "GET new ticket", page, http.StatusOK)
	wantContains(t, "new ticket", page, "Headset crackles", "Alice Anders", "Since &lt;Monday&gt;.", "2 – High")

	// A public log entry, then a private one.
	for _, l := range []struct{ log, text string }{{"public_log", "Called back, <b>no answer</b>."}, {"private_log", "Caller sounds annoyed."}} {
		r = c.post(ticketURL+"/log", url.Values{"log": {l.log}, "text": {l.text}})
		wantStatus(t, "POST log", r, http.StatusSeeOther)
	}
	page = c.get(ticketURL)
	wantContains(t, "ticket logs", page, "Called back, &lt;b&gt;no answer&lt;/b&gt;.", "Caller sounds annoyed.")
	if i, j := strings.Index(page.body, `id="public-log"`), strings.Index(page.body, "Called back"); i < 0 || j < i {
		t.Errorf("the public entry is not in the public log")
	}

	// Status change.
	r = c.post(ticketURL+"/status", url.Values{"status": {"resolved"}})
	wantStatus(t, "POST status", r, http.StatusSeeOther)
	wantContains(t, "resolved ticket", c.get(ticketURL), "Resolved")

	// Edit: new title, no caller, assigned to me.
	c.get(ticketURL + "/edit")
	agentForm := c.get(ticketURL + "/edit").body
	me := regexp.MustCompile(`<option value="(\d+)"[^>]*>Ada Agent \(me\)`).FindStringSubmatch(agentForm)
	if me == nil {
		t.Fatalf("edit form offers no 'me' agent\n%s", truncate(agentForm))
	}
	r = c.post(ticketURL, url.Values{
		"title": {"Headset crackles on every call"}, "org_id": {itoa(e.orgA.ID)}, "caller_id": {""},
		"agent_id": {me[1]}, "origin": {"mail"}, "priority": {"1"}, "urgency": {"1"}, "impact": {"1"},
	})
	wantStatus(t, "POST edit ticket", r, http.StatusSeeOther)
	page = c.get(ticketURL)
	wantContains(t, "edited ticket", page, "Headset crackles on every call", "Ada Agent", "1 – Critical")

	// The ticket is among the person's tickets? No longer: its caller is gone.
	// The new one from before is found by the search by reference.
	id, _ := strconv.ParseInt(strings.TrimPrefix(ticketURL, "/tickets/"), 10, 64)
	r = c.get("/search?q=" + url.QueryEscape(desk.TicketRef(desk.KindUserRequest, id)))
	wantStatus(t, "search by ref", r, http.StatusSeeOther)
	if r.location != ticketURL {
		t.Errorf("search by ref: redirect to %q, want %q", r.location, ticketURL)
	}
	r = c.get("/search?q=" + url.QueryEscape(strings.ToLower(desk.TicketRef(desk.KindUserRequest, id))))
	wantStatus(t, "search by lower-case ref", r, http.StatusSeeOther)
}

func TestReloadCallers(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	c.get("/tickets/new")
	before := e.ticketCount(t)
	r := c.post("/tickets", url.Values{"kind": {"Incident"}, "title": {"Typed title"}, "org_id": {itoa(e.orgB.ID)}, "reload": {"1"}})
	wantStatus(t, "reload callers", r, http.StatusOK)
	wantContains(t, "reloaded form", r, "Bob Brightside", `value="Typed title"`)
	wantLacks(t, "reloaded form", r, "Alice Anders")
	if after := e.ticketCount(t); after != before {
		t.Errorf("reload created a ticket: %d tickets, %d before", after, before)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	org := itoa(e.orgA.ID)
	for _, tt := range []struct {
		name  string
		path  string
		form  url.Values
		field string // the id of the message element
		msg   string
		typed string // a typed value shown again
	}{
		{"person without name", "/persons", url.Values{"first_name": {"Nameless"}, "org_id": {org}},
			"f-name-error", "Last name is required.", `value="Nameless"`},
		{"person without organization", "/persons", url.Values{"name": {"Orphan"}},
			"f-org_id-error", "Organization is required.", `value="Orphan"`},
		{"person with a bad email", "/persons", url.Values{"name": {"Mailer"}, "org_id": {org}, "email": {"not-an-email"}},
			"f-email-error", `"not-an-email" is not an email address.`, `value="not-an-email"`},
		{"person with a bad number", "/persons", url.Values{"name": {"Dialer"}, "org_id": {org}, "phone": {"call me"}},
			"f-phone-error", `"call me" contains no digit.`, `value="call me"`},
		{"person with a non-numeric organization", "/persons", url.Values{"name": {"Typo"}, "org_id": {"12abc"}},
			"f-org_id-error", `"12abc" is not a valid identifier.`, `value="Typo"`},
		{"edit person without name", idPath("/persons", e.personA.ID), url.Values{"first_name": {"Alicia"}, "name": {" "}, "org_id": {org}},
			"f-name-error", "Last name is required.", `value="Alicia"`},
		{"ticket without title", "/tickets", url.Values{"kind": {"UserRequest"}, "org_id": {org}, "description": {"Typed description"}},
			"f-title-error", "Title is required.", "Typed description"},
		{"ticket without organization", "/tickets", url.Values{"kind": {"Incident"}, "title": {"No org"}},
			"f-org_id-error", "Organization is required.", `value="No org"`},
		{"ticket with a bad priority", "/tickets", url.Values{"kind": {"Incident"}, "title": {"Bad level"}, "org_id": {org}, "priority": {"9"}},
			"f-priority-error", "priority must be between 1 and 4.", `value="Bad level"`},
		{"ticket with a caller of another organization", "/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Wrong caller"},
			"org_id": {org}, "caller_id": {itoa(e.personB.ID)}},
			"f-caller_id-error", "The caller belongs to another organization than the ticket.", `value="Wrong caller"`},
		{"edit ticket without title", idPath("/tickets", e.ticketA.ID), url.Values{"title": {""}, "org_id": {org}, "description": {"Kept text"}},
			"f-title-error", "Title is required.", "Kept text"},
		{"empty log entry", idPath("/tickets", e.ticketA.ID, "/log"), url.Values{"log": {"public_log"}, "text": {"  "}},
			"f-text-error", "The log entry is empty.", "Printer jams in accounting"},
		{"bad status", idPath("/tickets", e.ticketA.ID, "/status"), url.Values{"status": {"done"}},
			"f-status-error", "Status must be one of", "Printer jams in accounting"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			persons, tickets := e.personCount(t), e.ticketCount(t)
			before, err := e.svc.Tickets.FindTicketByID(e.sys, e.ticketA.ID)
			if err != nil {
				t.Fatal(err)
			}
			r := c.post(tt.path, tt.form)
			wantStatus(t, "POST "+tt.path, r, http.StatusUnprocessableEntity)
			re := regexp.MustCompile(`id="` + tt.field + `">([^<]*)<`)
			m := re.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no element %s\n%s", tt.field, truncate(r.body))
			}
			if !strings.Contains(m[1], tt.msg) && !strings.Contains(m[1], strings.ReplaceAll(tt.msg, `"`, "&#34;")) {
				t.Errorf("message %q, want %q", m[1], tt.msg)
			}
			wantContains(t, "form shown again", r, tt.typed)
			if p, tk := e.personCount(t), e.ticketCount(t); p != persons || tk != tickets {
				t.Errorf("something was created: persons %d -> %d, tickets %d -> %d", persons, p, tickets, tk)
			}
			after, err := e.svc.Tickets.FindTicketByID(e.sys, e.ticketA.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Title != before.Title || after.Status != before.Status || len(after.PublicLog) != len(before.PublicLog) {
				t.Errorf("ticket changed: %+v", after)
			}
		})
	}
	p, err := e.svc.Persons.FindPersonByID(e.sys, e.personA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.FirstName != "Alice" || p.Name != "Anders" {
		t.Errorf("person changed by a failed edit: %s %s", p.FirstName, p.Name)
	}
}

func TestOrganizationAdmin(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	admin := e.MustLogin(t, "admin")
	wantContains(t, "admin's organization list", admin.get("/organizations"), `id="new-organization"`)
	admin.get("/organizations/new")
	r := admin.post("/organizations", url.Values{"name": {"Initech"}, "code": {"INI"}, "status": {"active"}})
	wantStatus(t, "POST /organizations", r, http.StatusSeeOther)
	wantContains(t, "new organization", admin.get(r.location), "Initech", "INI")

	r = admin.post("/organizations", url.Values{"name": {"Initech"}})
	wantStatus(t, "duplicate organization", r, http.StatusUnprocessableEntity)
	wantContains(t, "duplicate organization", r, `id="f-name-error"`)

	r = admin.post(idPath("/organizations", e.orgA.ID), url.Values{"name": {"Acme Corporation"}, "status": {"active"}})
	wantStatus(t, "POST edit organization", r, http.StatusSeeOther)
	wantContains(t, "renamed organization", admin.get(r.location), "Acme Corporation")

	agent := e.MustLogin(t, "agent")
	wantLacks(t, "agent's organization list", agent.get("/organizations"), `id="new-organization"`)
	wantLacks(t, "agent's organization page", agent.get(idPath("/organizations", e.orgA.ID)), `id="edit-organization"`)
	wantStatus(t, "agent GET /organizations/new", agent.get("/organizations/new"), http.StatusForbidden)
	wantStatus(t, "agent POST /organizations", agent.post("/organizations", url.Values{"name": {"Nope"}}), http.StatusForbidden)
}

func TestViewerIsReadOnly(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "viewer")
	for _, tt := range []struct {
		path  string
		lacks []string
	}{
		{"/persons", []string{`id="new-person"`}},
		{idPath("/persons", e.personA.ID), []string{`id="new-user-request"`, `id="edit-person"`}},
		{"/tickets", []string{"data-new-ticket"}},
		{idPath("/tickets", e.ticketA.ID), []string{`id="edit-ticket"`, `id="log-form"`, `id="status-form"`}},
		{"/organizations", []string{`id="new-organization"`}},
	} {
		r := c.get(tt.path)
		wantStatus(t, "viewer GET "+tt.path, r, http.StatusOK)
		wantLacks(t, "viewer GET "+tt.path, r, tt.lacks...)
	}
	for _, path := range []string{"/persons/new", idPath("/persons", e.personA.ID, "/edit"), "/tickets/new",
		idPath("/tickets", e.ticketA.ID, "/edit")} {
		wantStatus(t, "viewer GET "+path, c.get(path), http.StatusForbidden)
	}
	persons, tickets := e.personCount(t), e.ticketCount(t)
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{"/persons", url.Values{"name": {"Viewer made"}, "org_id": {itoa(e.orgA.ID)}}},
		{idPath("/persons", e.personA.ID), url.Values{"name": {"Renamed"}, "org_id": {itoa(e.orgA.ID)}}},
		{"/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Viewer made"}, "org_id": {itoa(e.orgA.ID)}}},
		{idPath("/tickets", e.ticketA.ID), url.Values{"title": {"Renamed"}, "org_id": {itoa(e.orgA.ID)}}},
		{idPath("/tickets", e.ticketA.ID, "/log"), url.Values{"log": {"public_log"}, "text": {"viewer"}}},
		{idPath("/tickets", e.ticketA.ID, "/status"), url.Values{"status": {"closed"}}},
	} {
		wantStatus(t, "viewer POST "+tt.path, c.post(tt.path, tt.form), http.StatusForbidden)
	}
	if p, tk := e.personCount(t), e.ticketCount(t); p != persons || tk != tickets {
		t.Errorf("viewer created objects: persons %d -> %d, tickets %d -> %d", persons, p, tickets, tk)
	}
	tk, _ := e.svc.Tickets.FindTicketByID(e.sys, e.ticketA.ID)
	pr, _ := e.svc.Persons.FindPersonByID(e.sys, e.personA.ID)
	if tk.Title != e.ticketA.Title || tk.Status != desk.TicketNew || len(tk.PublicLog) != 0 || pr.Name != "Anders" {
		t.Errorf("viewer changed objects: ticket %q %s %d entries, person %q", tk.Title, tk.Status, len(tk.PublicLog), pr.Name)
	}
	// The viewer may still change his own language.
	r := c.post("/me/language", url.Values{"language": {"FR FR"}, "next": {"/persons"}})
	wantStatus(t, "viewer POST /me/language", r, http.StatusSeeOther)
}

func TestOrganizationScope(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "scoped")
	for _, path := range []string{
		idPath("/persons", e.personB.ID), idPath("/persons", e.personB.ID, "/edit"),
		idPath("/tickets", e.ticketB.ID), idPath("/tickets", e.ticketB.ID, "/edit"),
		idPath("/organizations", e.orgB.ID),
		"/tickets/new?caller_id=" + itoa(e.personB.ID),
	} {
		wantStatus(t, "scoped GET "+path, c.get(path), http.StatusNotFound)
	}
	for _, path := range []string{"/persons", "/persons?q=bob", "/tickets", "/organizations", "/search?q=globex",
		"/search?q=bob", "/search?q=" + url.QueryEscape(e.ticketB.Ref), "/", "/tickets/new?org_id=" + itoa(e.orgA.ID)} {
		r := c.get(path)
		wantStatus(t, "scoped GET "+path, r, http.StatusOK)
		wantLacks(t, "scoped GET "+path, r, "Bob Brightside", "Globex mail server down", "Globex Inc")
	}
	wantContains(t, "scoped person list", c.get("/persons"), "Alice Anders")

	before, _ := e.svc.Tickets.FindTicketByID(e.sys, e.ticketB.ID)
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{idPath("/tickets", e.ticketB.ID, "/log"), url.Values{"log": {"public_log"}, "text": {"sneaky"}}},
		{idPath("/tickets", e.ticketB.ID, "/status"), url.Values{"status": {"closed"}}},
		{idPath("/tickets", e.ticketB.ID), url.Values{"title": {"Renamed"}, "org_id": {itoa(e.orgB.ID)}}},
		{idPath("/persons", e.personB.ID), url.Values{"name": {"Renamed"}, "org_id": {itoa(e.orgB.ID)}}},
	} {
		wantStatus(t, "scoped POST "+tt.path, c.post(tt.path, tt.form), http.StatusNotFound)
	}
	after, _ := e.svc.Tickets.FindTicketByID(e.sys, e.ticketB.ID)
	if after.Status != before.Status || after.Title != before.Title || len(after.PublicLog) != len(before.PublicLog) {
		t.Errorf("scoped user changed another organization's ticket: %+v", after)
	}
	// Creating in another organization fails and creates nothing.
	persons := e.personCount(t)
	r := c.post("/persons", url.Values{"name": {"Intruder"}, "org_id": {itoa(e.orgB.ID)}})
	if r.status < 400 || r.status >= 500 {
		t.Errorf("scoped POST /persons in another organization: status %d, want 4xx", r.status)
	}
	if p := e.personCount(t); p != persons {
		t.Errorf("scoped user created a person in another organization")
	}
}

func TestFrench(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "french")
	wantContains(t, "French home", c.get("/"), `lang="fr"`, "Personnes", "Organisations", "Se déconnecter", "Rechercher")
	wantContains(t, "French person", c.get(idPath("/persons", e.personA.ID)), "Prénom", "Nouvelle demande utilisateur", "Tickets de cette personne")
	wantContains(t, "French ticket", c.get(idPath("/tickets", e.ticketA.ID)), "Demande utilisateur", "Nouveau", "Journal public", "Journal privé")
	wantContains(t, "French 404", c.get("/persons/999999"), "Introuvable", "Personne introuvable.")
	c.get("/persons/new")
	r := c.post("/persons", url.Values{"first_name": {"Sans"}, "org_id": {itoa(e.orgA.ID)}})
	wantStatus(t, "French validation", r, http.StatusUnprocessableEntity)
	wantContains(t, "French validation", r, "Le nom est obligatoire.")
	wantLacks(t, "French validation", r, "Last name is required.")

	anon := e.newClient(t)
	anon.header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.8")
	wantContains(t, "French login page", anon.get("/login"), "Mot de passe", "Se connecter")
	anon.header.Set("Accept-Language", "de-DE, en;q=0.5, fr;q=0.3")
	wantContains(t, "English login page", anon.get("/login"), "Password")

	// An English agent switches to French and back.
	agent := e.MustLogin(t, "agent")
	wantContains(t, "English home", agent.get("/"), "Persons", "Log out")
	r = agent.post("/me/language", url.Values{"language": {"FR FR"}, "next": {"/tickets?ongoing=1"}})
	wantStatus(t, "POST /me/language", r, http.StatusSeeOther)
	if r.location != "/tickets?ongoing=1" {
		t.Errorf("language switch: redirect to %q", r.location)
	}
	wantContains(t, "after the switch", agent.get("/tickets"), "Se déconnecter", "En cours seulement")
	wantStatus(t, "unknown language", agent.post("/me/language", url.Values{"language": {"DE DE"}}), http.StatusBadRequest)
	wantStatus(t, "language switch to //evil", agent.post("/me/language", url.Values{"language": {"EN US"}, "next": {"//evil.example"}}), http.StatusSeeOther)
	wantContains(t, "back in English", agent.get("/"), "Log out")
}

func TestTelLinks(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustLogin(t, "agent")
	wantContains(t, "person page", c.get(idPath("/persons", e.personA.ID)),
		`href="tel:+15550100199;ext=12"`, `href="tel:0612345678"`)
	wantContains(t, "person list", c.get("/persons"), `href="tel:+33987654321"`)
	wantContains(t, "ticket page", c.get(idPath("/tickets", e.ticketA.ID)), `href="tel:+15550100199;ext=12"`)
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	p := e.MustPerson(t, &desk.Person{FirstName: `<script>alert(1)</script>`, Name: `O"Neil & <b>`, OrgID: e.orgA.ID,
		Phone: `555 0100 "><script>`})
	c := e.MustLogin(t, "agent")
	for _, path := range []string{idPath("/persons", p.ID), "/persons", "/search?q=neil"} {
		r := c.get(path)
		wantStatus(t, path, r, http.StatusOK)
		if strings.Contains(r.body, "<script>alert(1)") || strings.Contains(r.body, "<b>") {
			t.Errorf("GET %s: unescaped markup", path)
		}
		if strings.Contains(r.body, `"><script>`) {
			t.Errorf("GET %s: unescaped number", path)
		}
	}
}
