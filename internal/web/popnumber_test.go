package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// TestPopAddNumber: the pop of an unknown number offers to add it to a
// person found by name or email; the person then gets it, and the pop finds
// him. The store's organization scope and the CSRF token hold.
func TestPopAddNumber(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	const pop = "/pop?phone=%2B442079460000"
	page := agent.get(pop)
	wantContains(t, "unknown number", page, `id="pop-add-number"`, "Add +442079460000 to a person", `id="pop-new-person"`)
	wantLacks(t, "pop of Alice's own number", agent.get(alicePop), `id="pop-add-number"`)
	wantLacks(t, "viewer's pop", e.MustLogin(t, "viewer").get(pop), `id="pop-add-number"`)

	// The search, without JavaScript (the pop) and with (the fragment).
	wantContains(t, "search", agent.get(pop+"&person_q=bright+glob"), "Bob Brightside", `name="person_id" value="`+
		strconv.FormatInt(e.personB.ID, 10)+`" checked`)
	wantLacks(t, "search", agent.get(pop+"&person_q=bright+glob"), "Alice Anders</strong>")
	frag := agent.get("/pop/persons?pop_number=%2B442079460000&back=%2Fpop%3Fphone%3D%252B442079460000&person_q=nobody-such")
	wantStatus(t, "fragment", frag, http.StatusOK)
	wantContains(t, "fragment", frag, "Nobody has that name or email.")
	wantLacks(t, "fragment", frag, "<html")

	bob := strconv.FormatInt(e.personB.ID, 10)
	form := func() url.Values {
		return url.Values{"person_id": {bob}, "attribute": {"home_phone"}, "pop_number": {"+442079460000"}, "back": {pop}}
	}
	// A scoped agent does not reach another organization's person.
	scoped := e.MustLogin(t, "scoped")
	scoped.get(pop)
	wantStatus(t, "scoped agent, other organization", scoped.post("/pop/number", form()), http.StatusNotFound)
	bad := url.Values{"person_id": {bob}, "attribute": {"email"}, "pop_number": {"+442079460000"}, "back": {pop}}
	wantStatus(t, "not a number attribute", agent.post("/pop/number", bad), http.StatusBadRequest)
	noCSRF := url.Values{"csrf_token": {"forged"}}
	for k, v := range form() {
		noCSRF[k] = v
	}
	wantStatus(t, "no CSRF token", agent.post("/pop/number", noCSRF), http.StatusForbidden)

	// Off-site back is refused: the pop of nothing instead.
	evil := url.Values{"person_id": {bob}, "attribute": {"home_phone"}, "pop_number": {"+442079460000"}, "back": {"//evil.example/pop?x"}}
	r := agent.post("/pop/number", evil)
	wantStatus(t, "add the number", r, http.StatusSeeOther)
	if r.location != "/pop" {
		t.Errorf("redirect to %q, want /pop", r.location)
	}
	r = agent.post("/pop/number", form())
	if wantStatus(t, "add the number", r, http.StatusSeeOther); r.location != pop {
		t.Errorf("redirect to %q, want the pop", r.location)
	}
	p, err := e.svc.Persons.FindPersonByID(e.sys, e.personB.ID)
	if err != nil || p.HomePhone != "+442079460000" || p.Phone != "+33 9 87 65 43 21" {
		t.Fatalf("Bob %+v (%v), want the number as his home phone, his phone kept", p, err)
	}
	wantContains(t, "the pop again", agent.get(pop), `<span class="caller-name">Bob Brightside</span>`, "home, the same number")
	wantLacks(t, "the pop again", agent.get(pop), `id="pop-add-number"`)
}
