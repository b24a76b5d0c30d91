package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestCallsMenu: one Calls menu item, two tabs (the call log, the Phone Call
// records), durations as m:ss, and an empty call log that says how calls
// arrive and, to an administrator, links the integration set-up.
func TestCallsMenu(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	admin, agent := e.MustLogin(t, "admin"), e.MustLogin(t, "agent")
	r := agent.get("/calls")
	wantStatus(t, "calls", r, http.StatusOK)
	if n := strings.Count(r.body, `href="/calls"`); n != 2 { // the menu item and the tab
		t.Errorf("%d links to /calls, want the menu item and the tab", n)
	}
	wantLacks(t, "menu", r, `<li><a href="/phonecalls"`)
	wantContains(t, "calls", r, `<a href="/calls" id="tab-log" aria-current="page">`, `<a href="/phonecalls" id="tab-records">`,
		`id="calls-empty"`, "posts its call events", "An administrator sets up the phone systems")
	wantLacks(t, "agent's empty call log", r, `href="/admin/telephony"`)
	wantContains(t, "admin's empty call log", admin.get("/calls"), `<a class="button primary" href="/admin/telephony">`)

	pc := &desk.PhoneCall{TicketID: e.ticketA.ID, ContactID: e.personA.ID, Flow: desk.FlowInbound, Number: "+1 555 0100",
		Duration: 185, Note: "Printer fixed"}
	agentUser, err := e.svc.Users.FindUserByLogin(e.sys, "agent")
	if err != nil {
		t.Fatal(err)
	}
	pc.AgentID = agentUser.ContactID
	if err := e.svc.PhoneCalls.CreatePhoneCall(e.sys, pc); err != nil {
		t.Fatal(err)
	}
	r = agent.get("/phonecalls")
	wantContains(t, "records", r, `<a href="/phonecalls" id="tab-records" aria-current="page">`, "3:05", "1 phone call<")
	wantLacks(t, "records", r, "185 s")
	wantContains(t, "ticket", agent.get(idPath("/tickets", e.ticketA.ID)), "3:05")
	wantContains(t, "record", agent.get(idPath("/phonecalls", pc.ID)), "3:05")
}
