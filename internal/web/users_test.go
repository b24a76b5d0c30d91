package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// TestUsersPage: an administrator adds a user, who then logs in; changes his
// role, organizations and extension; resets his password; ends his
// sessions; disables him (he cannot log in, his session is over) and
// enables him again. Agents, viewers and scoped agents get 403, forms
// without the CSRF token too.
func TestUsersPage(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	for _, login := range []string{"agent", "viewer", "scoped"} {
		c := e.MustLogin(t, login)
		wantStatus(t, login+" GET /admin/users", c.get("/admin/users"), http.StatusForbidden)
		wantStatus(t, login+" POST /admin/users", c.post("/admin/users", url.Values{"login": {"mallory"},
			"password": {"a long password"}, "role": {"admin"}, "language": {"EN US"}}), http.StatusForbidden)
		wantStatus(t, login+" GET /admin/users/1", c.get("/admin/users/1"), http.StatusForbidden)
		wantStatus(t, login+" POST /admin/users/1/disable", c.post("/admin/users/1/disable", url.Values{"disabled": {"1"}}), http.StatusForbidden)
		wantLacks(t, login+" menu", c.get("/"), `href="/admin/users"`)
	}
	admin := e.MustLogin(t, "admin")
	r := admin.get("/admin/users")
	wantStatus(t, "users", r, http.StatusOK)
	wantContains(t, "users", r, `data-user="agent"`, `data-user="scoped"`, "Acme Corp", "5 users<")
	wantStatus(t, "no CSRF", admin.post("/admin/users", url.Values{"csrf_token": {"forged"}, "login": {"x"}}), http.StatusForbidden)

	// Add: a short password and a login taken are said on the form.
	r = admin.post("/admin/users", url.Values{"login": {"carol"}, "password": {"short"}, "role": {"agent"}, "language": {"FR FR"}})
	wantStatus(t, "short password", r, http.StatusUnprocessableEntity)
	wantContains(t, "short password", r, `value="carol"`)
	r = admin.post("/admin/users", url.Values{"login": {"Agent"}, "password": {"a long password"}, "role": {"agent"}, "language": {"FR FR"}})
	wantStatus(t, "login taken", r, http.StatusUnprocessableEntity)
	r = admin.post("/admin/users", url.Values{"login": {"carol"}, "password": {"a long password"}, "role": {"agent"},
		"language": {"FR FR"}, "allowed_org_ids": {itoa(e.orgB.ID)}, "contact_id": {itoa(e.personB.ID)}, "extension": {"207"}})
	wantStatus(t, "add carol", r, http.StatusSeeOther)
	carolPage := r.location[:len(r.location)-len("?saved=added")]
	r = admin.get(r.location)
	wantContains(t, "carol's page", r, "The user is added", `value="207"`, "Bob Brightside")
	if !regexp.MustCompile(`<option value="` + itoa(e.orgB.ID) + `" selected>Globex Inc`).MatchString(r.body) {
		t.Errorf("carol's organization is not selected:\n%s", truncate(r.body))
	}

	// Carol logs in, in French, and sees Globex only.
	carol := e.newClient(t)
	carol.get("/login")
	r = carol.post("/login", url.Values{"login": {"carol"}, "password": {"a long password"}})
	wantStatus(t, "carol logs in", r, http.StatusSeeOther)
	r = carol.get("/tickets")
	wantContains(t, "carol's tickets", r, "Globex mail server down", "Tickets")
	wantLacks(t, "carol's tickets", r, "Printer jams in accounting")

	// Edit: every organization, a viewer.
	r = admin.post(carolPage, url.Values{"role": {"viewer"}, "language": {"EN US"}, "contact_id": {""}, "extension": {""}})
	wantStatus(t, "edit carol", r, http.StatusSeeOther)
	r = carol.get("/tickets")
	wantContains(t, "carol, every organization", r, "Printer jams in accounting")
	wantLacks(t, "carol, viewer", r, `href="/tickets/new`)

	// Reset the password: the new one works.
	wantStatus(t, "reset short", admin.post(carolPage+"/password", url.Values{"password": {"short"}}), http.StatusUnprocessableEntity)
	wantStatus(t, "reset", admin.post(carolPage+"/password", url.Values{"password": {"another long one"}}), http.StatusSeeOther)
	again := e.newClient(t)
	again.get("/login")
	wantStatus(t, "old password", again.post("/login", url.Values{"login": {"carol"}, "password": {"a long password"}}), http.StatusUnauthorized)
	wantStatus(t, "new password", again.post("/login", url.Values{"login": {"carol"}, "password": {"another long one"}}), http.StatusSeeOther)

	// End her sessions: both browsers are logged out.
	r = admin.post("/users/"+carolPage[len("/admin/users/"):]+"/logout", url.Values{"next": {carolPage + "?saved=sessions"}})
	wantStatus(t, "end sessions", r, http.StatusSeeOther)
	for _, c := range []*client{carol, again} {
		if r := c.get("/tickets"); r.status != http.StatusSeeOther {
			t.Errorf("a session of carol outlived End all his sessions: %d", r.status)
		}
	}

	// Disable: she cannot log in; enable: she can.
	wantStatus(t, "disable", admin.post(carolPage+"/disable", url.Values{"disabled": {"1"}}), http.StatusSeeOther)
	wantContains(t, "users", admin.get("/admin/users"), "Disabled")
	carol.get("/login")
	wantStatus(t, "disabled login", carol.post("/login", url.Values{"login": {"carol"}, "password": {"another long one"}}), http.StatusUnauthorized)
	wantStatus(t, "enable", admin.post(carolPage+"/disable", url.Values{"disabled": {"0"}}), http.StatusSeeOther)
	wantStatus(t, "enabled login", carol.post("/login", url.Values{"login": {"carol"}, "password": {"another long one"}}), http.StatusSeeOther)
	// The administrator does not disable himself.
	adminUser, err := e.svc.Users.FindUserByLogin(e.sys, "admin")
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "disable himself", admin.post(idPath("/admin/users", adminUser.ID, "/disable"), url.Values{"disabled": {"1"}}),
		http.StatusUnprocessableEntity)
}
