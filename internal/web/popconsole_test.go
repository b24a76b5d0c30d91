package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestPopAgentExtension: an internal call from an agent's extension finds
// his contact person, in the API and the pop, and says so; an agent without
// a contact person finds nobody, and the explanation says whose extension it
// is (issue 21, item 5).
func TestPopAgentExtension(t *testing.T) {
	e := MustEnv(t)
	ada := e.userOf(t, "agent") // contact: Ada Agent
	ext := "4821"
	if _, err := e.svc.Telephony.UpdateAgentSettings(e.sys, ada.ID, desk.AgentSettingsUpdate{Extension: &ext}); err != nil {
		t.Fatal(err)
	}
	lone := e.MustUser(t, &desk.User{Login: "lone.agent", Roles: []string{desk.RoleAgent}})
	ext2 := "4822"
	if _, err := e.svc.Telephony.UpdateAgentSettings(e.sys, lone.ID, desk.AgentSettingsUpdate{Extension: &ext2}); err != nil {
		t.Fatal(err)
	}
	// A number that ends with the extension is not found by it.
	e.MustPerson(t, &desk.Person{FirstName: "Out", Name: "Side", OrgID: e.orgB.ID, Phone: "+1 415 555 4821"})

	api := e.MustAPI(t, "admin")
	type explained struct {
		Callers []struct {
			FriendlyName string
			Attribute    string
			Stored       string
			Rule, Why    string
		}
		NearMisses []struct {
			FriendlyName string
			Attribute    string
			Stored       string
			Reason, Why  string
		} `json:"near_misses"`
	}
	var a explained
	r := api.get("/api/v1/callers?phone=4821&explain=1")
	wantAPIStatus(t, "4821", r, http.StatusOK)
	r.decode(t, &a)
	if len(a.Callers) != 1 || a.Callers[0].FriendlyName != "Ada Agent" || a.Callers[0].Attribute != "agent_extension" ||
		a.Callers[0].Stored != "4821" || a.Callers[0].Rule != "extension" || a.Callers[0].Why != "the same internal extension" {
		t.Errorf("4821: %+v", a.Callers)
	}
	var b explained
	api.get("/api/v1/callers?phone=4822&explain=1").decode(t, &b)
	if len(b.Callers) != 0 || len(b.NearMisses) != 1 || b.NearMisses[0].Reason != "agent_no_contact" ||
		b.NearMisses[0].Stored != "4822" || b.NearMisses[0].Why != "extension of agent lone.agent (no contact person)" {
		t.Errorf("4822: %+v", b)
	}

	agent := e.MustLogin(t, "agent")
	p := agent.get("/pop?phone=4821")
	wantStatus(t, "pop 4821", p, http.StatusOK)
	wantContains(t, "pop 4821", p, `<span class="caller-name">Ada Agent</span>`,
		`<span class="why">agent extension, the same internal extension</span>`)
	wantLacks(t, "pop 4821", p, "Out Side", `id="pop-near-misses"`)
	p = agent.get("/pop?phone=4822")
	wantStatus(t, "pop 4822", p, http.StatusOK)
	wantContains(t, "pop 4822", p, `id="pop-nobody"`, `id="pop-near-misses"`,
		"4822 of agent lone.agent: an agent without a contact person")
}

// TestPopNearMisses: the pop of an unknown number shows, briefly, the
// numbers close to it that the lookup rejected, and why; a known number
// shows none (issue 19, item 2).
func TestPopNearMisses(t *testing.T) {
	e := MustEnv(t)
	e.MustPerson(t, &desk.Person{FirstName: "Jean", Name: "Dupont", OrgID: e.orgA.ID, Phone: "(506) 210-8069"})
	agent := e.MustLogin(t, "agent")
	// The same last 10 digits, another country: two complete numbers.
	r := agent.get("/pop?phone=%2B495062108069")
	wantStatus(t, "pop", r, http.StatusOK)
	wantContains(t, "pop", r, `id="pop-nobody"`, `id="pop-near-misses"`,
		"(506) 210-8069 of Jean Dupont: another country or area code")
	r = agent.get("/pop?phone=%2B15062108069")
	wantContains(t, "known", r, `<span class="caller-name">Jean Dupont</span>`, "phone, the same number")
	wantLacks(t, "known", r, `id="pop-near-misses"`)
	fr := e.MustLogin(t, "french")
	r = fr.get("/pop?phone=%2B495062108069")
	wantContains(t, "french", r, "(506) 210-8069 de Jean Dupont : autre pays ou autre indicatif")
}

// TestPopListColumns: the pop's lists show kind, ref, title, status, agent,
// priority and last update; the caller's name only where the rows are not
// all the selected caller's (issue 19, item 1).
func TestPopListColumns(t *testing.T) {
	e := MustEnv(t)
	ada := e.userOf(t, "agent")
	colleague := e.MustPerson(t, &desk.Person{FirstName: "Carl", Name: "Colleague", OrgID: e.orgA.ID})
	inc := e.MustTicket(t, &desk.Ticket{Kind: desk.KindIncident, Title: "VPN down", OrgID: e.orgA.ID,
		CallerID: e.personA.ID, AgentID: ada.ContactID, Status: desk.TicketAssigned, Priority: 1})
	other := e.MustTicket(t, &desk.Ticket{Kind: desk.KindProblem, Title: "Recurring VPN drops", OrgID: e.orgA.ID,
		CallerID: colleague.ID, Priority: 2})
	agent := e.MustLogin(t, "agent")
	a := strconv.FormatInt(e.personA.ID, 10)
	r := agent.get("/pop/lists?phone=5550100199&callers=" + a + "&caller=" + a)
	wantStatus(t, "lists", r, http.StatusOK)
	mine, org, _ := cutSecondList(r.body)
	for _, want := range []string{">Type</th>", ">Agent</th>", ">Priority</th>", ">Last update</th>",
		">Incident</td>", inc.Ref, "Ada Agent", `<span class="prio prio-1"`, `<span class="status status-assigned">Assigned</span>`,
		`<td class="c-date"><time datetime=`} {
		if !strings.Contains(mine, want) {
			t.Errorf("the caller's list lacks %q:\n%s", want, mine)
		}
	}
	if strings.Contains(mine, ">Caller</th>") || strings.Contains(mine, "Alice Anders") {
		t.Errorf("the caller's list repeats the caller:\n%s", mine)
	}
	for _, want := range []string{">Caller</th>", "Carl Colleague", other.Ref, ">Problem</td>"} {
		if !strings.Contains(org, want) {
			t.Errorf("the organization's list lacks %q:\n%s", want, org)
		}
	}
	if strings.Contains(org, inc.Ref) || strings.Contains(org, e.ticketA.Ref) {
		t.Errorf("the organization's list repeats the caller's tickets:\n%s", org)
	}
	// The newest activity first: the incident, created after ticketA.
	if i, j := strings.Index(mine, inc.Ref), strings.Index(mine, e.ticketA.Ref); i < 0 || j < 0 || i > j {
		t.Errorf("the caller's list is not newest first (%d, %d)", i, j)
	}
	fr := e.MustLogin(t, "french")
	r = fr.get("/pop/lists?phone=5550100199&callers=" + a + "&caller=" + a)
	wantContains(t, "french", r, ">Type</th>", ">Priorité</th>", ">Dernière mise à jour</th>", ">Incident</td>")
}

// cutSecondList splits the lists fragment before its second list.
func cutSecondList(body string) (string, string, bool) {
	i := strings.Index(body, `<section class="pop-list"`)
	j := strings.Index(body[i+1:], `<section class="pop-list"`)
	if i < 0 || j < 0 {
		return body, "", false
	}
	return body[:i+1+j], body[i+1+j:], true
}
