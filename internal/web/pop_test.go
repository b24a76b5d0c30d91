package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// alicePop is the pop URL of a call from Alice's desk phone, as a trunk
// sends it.
const alicePop = "/pop?phone=%2B15550100199"

func TestPopPage(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")

	t.Run("Login first, then back to the pop", func(t *testing.T) {
		c := e.newClient(t)
		r := c.get(alicePop)
		wantStatus(t, "anonymous pop", r, http.StatusSeeOther)
		if !strings.HasPrefix(r.location, "/login") || !strings.Contains(r.location, url.QueryEscape(alicePop)) {
			t.Fatalf("redirect to %q, want the login page with the pop to come back to", r.location)
		}
		c.get(r.location)
		next, _ := url.Parse(r.location)
		r = c.post("/login", url.Values{"login": {"agent"}, "password": {testPassword}, "next": {next.Query().Get("next")}})
		if r.location != alicePop {
			t.Fatalf("after login: redirect to %q, want %q", r.location, alicePop)
		}
	})

	t.Run("One caller", func(t *testing.T) {
		r := agent.get(alicePop)
		wantStatus(t, "pop", r, http.StatusOK)
		wantContains(t, "pop", r, "<title>Alice Anders — +15550100199 · ctidesk</title>", `id="caller-card"`,
			`<span class="caller-name">Alice Anders</span> <span class="caller-org">Acme Corp</span>`,
			`href="mailto:alice@acme.example"`, `<span class="number matched"><span class="number-kind">phone</span>`,
			`<span class="why">phone, the same national number</span>`, `href="tel:0612345678"`,
			"Contacts with phone number +15550100199",
			`value="`+strconv.FormatInt(e.personA.ID, 10)+`" checked`, "Unknown contact",
			`value="UserRequest" data-offer="UserRequest" class="primary" autofocus`, `value="Person" data-offer="Person"`,
			"Open tickets of this caller", e.ticketA.Ref)
		wantLacks(t, "pop", r, "All contacts found", e.ticketB.Ref)
		// The ticket links carry the call.
		want := fmt.Sprintf(`/tickets/%d?pop=1&amp;pop_caller=%d&amp;pop_number=%%2B15550100199`, e.ticketA.ID, e.personA.ID)
		wantContains(t, "ticket link", r, want)
	})

	t.Run("Nobody found", func(t *testing.T) {
		r := agent.get("/pop?phone=%2B442079460000")
		wantStatus(t, "pop", r, http.StatusOK)
		wantContains(t, "pop", r, "Nobody was found for this call.", `value="0" checked`)
		wantLacks(t, "pop", r, "Open tickets of this caller")
	})

	t.Run("Missing parameter", func(t *testing.T) {
		r := agent.get("/pop?foo=bar")
		wantStatus(t, "pop without phone", r, http.StatusBadRequest)
		wantContains(t, "pop without phone", r, "The URL gives nothing to find the caller by: give one of phone")
	})

	t.Run("Scoped agent does not find another organization's caller", func(t *testing.T) {
		scoped := e.MustLogin(t, "scoped")
		r := scoped.get("/pop?phone=%2B33987654321")
		wantStatus(t, "scoped pop", r, http.StatusOK)
		wantContains(t, "scoped pop", r, "Nobody was found for this call.")
		wantLacks(t, "scoped pop", r, "Brightside")
	})

	t.Run("Viewer gets no creation button", func(t *testing.T) {
		r := e.MustLogin(t, "viewer").get(alicePop)
		wantStatus(t, "viewer pop", r, http.StatusOK)
		wantContains(t, "viewer pop", r, "Alice Anders")
		wantLacks(t, "viewer pop", r, "data-offer=")
	})

	t.Run("List rows are escaped", func(t *testing.T) {
		// The rows of the lists are written by hand (Server.rows), not by
		// html/template: a title with markup comes back escaped.
		tk := e.MustTicket(t, &desk.Ticket{Kind: desk.KindUserRequest, Title: `"><img src=x onerror=alert(1)> & <script>alert(1)</script>`,
			OrgID: e.orgA.ID, CallerID: e.personA.ID})
		r := agent.get(alicePop)
		wantStatus(t, "pop", r, http.StatusOK)
		wantContains(t, "pop", r, tk.Ref, `&#34;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;`)
		for _, m := range []string{"<script>alert(1)", "<img src=x onerror", `"><img`} {
			if strings.Contains(r.body, m) {
				t.Errorf("pop: the title's %q reached the page unescaped", m)
			}
		}
	})

	t.Run("Caller card and list labels are escaped", func(t *testing.T) {
		// The caller card and the lists are written by hand too
		// (pophtml.go): a name, an organization and a function with
		// markup come back escaped, as html/template escapes them.
		org := e.MustOrg(t, `Evil <b>Org</b> & "Co"`)
		e.MustPerson(t, &desk.Person{FirstName: `<script>alert(1)</script>`, Name: `O'Hara "><img src=x>`,
			OrgID: org.ID, Function: `<i>boss</i> + 1`, Phone: "+1 555 010 7777"})
		r := agent.get("/pop?phone=%2B15550107777")
		wantStatus(t, "pop", r, http.StatusOK)
		wantContains(t, "pop", r, `<span class="caller-name">&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Hara &#34;&gt;&lt;img src=x&gt;</span>`,
			`<span class="caller-org">Evil &lt;b&gt;Org&lt;/b&gt; &amp; &#34;Co&#34;</span>`,
			`<span class="card-line">&lt;i&gt;boss&lt;/i&gt; &#43; 1</span>`, `aria-label="Open tickets of this caller"`)
		for _, m := range []string{"<script>alert(1)", "<img src=x", "<b>Org", "<i>boss"} {
			if strings.Contains(r.body, m) {
				t.Errorf("pop: %q reached the page unescaped", m)
			}
		}
	})

	t.Run("Parameters are escaped", func(t *testing.T) {
		r := agent.get("/pop?phone=" + url.QueryEscape(`<script>alert(1)</script> 5550100199`))
		wantStatus(t, "hostile pop", r, http.StatusOK)
		if strings.Contains(r.body, "<script>alert(1)") {
			t.Error("the phone parameter reached the page unescaped")
		}
	})
}

func TestPopLists(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	both := strconv.FormatInt(e.personA.ID, 10) + "," + strconv.FormatInt(e.personB.ID, 10)
	for _, tt := range []struct {
		caller    string
		want, not []string
	}{
		{strconv.FormatInt(e.personA.ID, 10), []string{e.ticketA.Ref}, []string{e.ticketB.Ref}},
		{"all", []string{e.ticketA.Ref}, nil}, // ticketB is an incident: not in the default lists
		{"0", nil, []string{e.ticketA.Ref, "User Requests opened"}},
	} {
		r := agent.get("/pop/lists?phone=5550100199&callers=" + both + "&caller=" + tt.caller)
		wantStatus(t, "lists "+tt.caller, r, http.StatusOK)
		wantContains(t, "lists "+tt.caller, r, tt.want...)
		wantLacks(t, "lists "+tt.caller, r, tt.not...)
		wantLacks(t, "lists "+tt.caller, r, "<html")
	}
	r := agent.get("/pop/lists?callers=1,x&caller=all")
	wantStatus(t, "bad callers", r, http.StatusBadRequest)
}

// TestPopListsShowAll: a list shows its newest cti.ListRows tickets and the
// count of all; "Show all" (a page load, or the fragment app.js asks for)
// shows them all.
func TestPopListsShowAll(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	var oldest, newest *desk.Ticket
	for i := range 24 { // with ticketA, 25 open requests of Alice
		tk := e.MustTicket(t, &desk.Ticket{Kind: desk.KindUserRequest, Title: fmt.Sprintf("Request %02d", i),
			OrgID: e.orgA.ID, CallerID: e.personA.ID})
		if i == 0 {
			oldest = tk
		}
		newest = tk
	}
	rowCount := func(r *response) int { return strings.Count(r.body, "data-ticket=") }
	alice := strconv.FormatInt(e.personA.ID, 10)

	r := agent.get(alicePop)
	wantStatus(t, "pop", r, http.StatusOK)
	// Alice's open tickets are 25; her organization's others, which leave
	// hers out, none.
	if n := rowCount(r); n != 20 {
		t.Errorf("pop: %d rows, want 20 of Alice's list and none of her organization's others", n)
	}
	wantContains(t, "pop", r, "(20 of 25)", newest.Ref, "Show all 25",
		`&amp;caller=`+alice+`&amp;all=1" data-all="1"`)
	wantLacks(t, "pop", r, oldest.Ref+"<")

	r = agent.get(alicePop + "&caller=" + alice + "&all=1")
	wantStatus(t, "pop, all rows", r, http.StatusOK)
	if n := rowCount(r); n != 25 {
		t.Errorf("pop, all rows: %d rows, want Alice's 25", n)
	}
	wantContains(t, "pop, all rows", r, "(25)", oldest.Ref+"<")
	wantLacks(t, "pop, all rows", r, "Show all")

	lists := "/pop/lists?phone=5550100199&callers=" + alice + "&caller=" + alice
	r = agent.get(lists)
	wantStatus(t, "lists", r, http.StatusOK)
	if n := rowCount(r); n != 20 {
		t.Errorf("lists: %d rows, want 20", n)
	}
	wantContains(t, "lists", r, "(20 of 25)", "Show all 25")
	r = agent.get(lists + "&all=1")
	if n := rowCount(r); n != 25 {
		t.Errorf("lists, all rows: %d rows, want 25", n)
	}
	wantLacks(t, "lists, all rows", r, "Show all", "of 25")
}

// TestPopListsCapped: a list whose query finds more than desk.CountCap
// tickets says so ("20 of 1,000+") rather than counting the caller's whole
// history, in each language, and offers more rather than "all".
func TestPopListsCapped(t *testing.T) {
	e := MustEnv(t)
	var tickets []*desk.Ticket
	for i := range desk.CountCap + 5 {
		tickets = append(tickets, &desk.Ticket{Kind: desk.KindUserRequest, Title: fmt.Sprintf("Request %04d", i),
			OrgID: e.orgA.ID, CallerID: e.personA.ID, Status: desk.TicketNew, Origin: "phone"})
	}
	if err := e.svc.Tickets.CreateTickets(e.sys, tickets, nil); err != nil {
		t.Fatal(err)
	}
	r := e.MustLogin(t, "agent").get(alicePop)
	wantStatus(t, "pop", r, http.StatusOK)
	wantContains(t, "pop", r, "(20 of 1,000+)", "Show more")
	wantLacks(t, "pop", r, "Show all", "of 1006", "of 1000)")
	r = e.MustLogin(t, "french").get(alicePop)
	wantStatus(t, "French pop", r, http.StatusOK)
	wantContains(t, "French pop", r, "(20 sur 1\u202f000+)", "Afficher plus")
}

func TestPopCreateRecordsCall(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	alice := strconv.FormatInt(e.personA.ID, 10)

	r := agent.get("/pop/new?class=UserRequest&phone=%2B15550100199&pop_number=%2B15550100199&callers=" + alice + "&caller=" + alice)
	wantStatus(t, "creation form", r, http.StatusOK)
	wantContains(t, "creation form", r, `<option value="`+alice+`" selected>Alice Anders`,
		fmt.Sprintf(`<option value="%d" selected>Acme Corp`, e.orgA.ID), `<option value="phone" selected>`,
		`name="pop_number" value="+15550100199"`, "Call from customer dated ")
	// The agent who took the call is the ticket's agent, and it is his.
	ada := strconv.FormatInt(e.userOf(t, "agent").ContactID, 10)
	wantContains(t, "creation form", r, `<option value="`+ada+`" selected>`, `name="status" value="assigned"`)
	text := regexp.MustCompile(`name="pop_log_text"[^>]*>([^<]*)<`).FindStringSubmatch(r.body)
	if text == nil {
		t.Fatalf("no log entry field in the form:\n%s", truncate(r.body))
	}

	r = agent.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Cannot log in"}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)},
		"caller_id": {alice}, "agent_id": {ada}, "status": {"assigned"}, "origin": {"phone"}, "pop": {"1"},
		"pop_number": {"+15550100199"}, "pop_caller": {alice}, "pop_log": {"public_log"}, "pop_log_text": {text[1]}})
	wantStatus(t, "create from the pop", r, http.StatusSeeOther)
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(r.location, "?", 2)[0], "/tickets/"), 10, 64)
	if err != nil || !strings.Contains(r.location, "pop=1") {
		t.Fatalf("redirect to %q, want the new ticket's page, still in the call", r.location)
	}
	tk, err := e.svc.Tickets.FindTicketByID(e.sys, id)
	if err != nil || len(tk.PublicLog) != 1 || !strings.HasPrefix(tk.PublicLog[0].Text, "Call from customer dated ") {
		t.Fatalf("ticket %+v, %v; want the preset log entry", tk, err)
	}
	if fmt.Sprint(tk.AgentID) != ada || tk.Status != desk.TicketAssigned {
		t.Errorf("ticket's agent %d, status %s; want the agent who took the call, assigned", tk.AgentID, tk.Status)
	}
	calls := func() []*desk.PhoneCall {
		cs, _, err := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{TicketID: &id})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	cs := calls()
	if len(cs) != 1 || cs[0].Flow != desk.FlowInbound || cs[0].ContactID != e.personA.ID || cs[0].Number != "+15550100199" || cs[0].AgentID == 0 {
		t.Fatalf("phone calls %+v, want one inbound call from Alice on +15550100199", cs)
	}
	page := agent.get(r.location)
	wantContains(t, "ticket page", page, "+15550100199", `name="pop" value="1"`)

	// A log entry added during the same call records nothing more; one
	// added to another ticket from the pop records a call there.
	r = agent.post(fmt.Sprintf("/tickets/%d/log", id), url.Values{"log": {"private_log"}, "text": {"Reset the password"},
		"pop": {"1"}, "pop_number": {"+15550100199"}, "pop_caller": {alice}})
	wantStatus(t, "log entry from the pop", r, http.StatusSeeOther)
	if n := len(calls()); n != 1 {
		t.Errorf("%d calls after a second change in the same call, want 1", n)
	}
	r = agent.post(fmt.Sprintf("/tickets/%d/status", e.ticketA.ID), url.Values{"status": {"assigned"},
		"pop": {"1"}, "pop_number": {"+15550100199"}, "pop_caller": {alice}})
	wantStatus(t, "status from the pop", r, http.StatusSeeOther)
	ticketA := e.ticketA.ID
	if cs, _, _ := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{TicketID: &ticketA}); len(cs) != 1 {
		t.Errorf("%d calls on the ticket changed from the pop, want 1", len(cs))
	}
	// Without the pop, no call is recorded.
	r = agent.post(fmt.Sprintf("/tickets/%d/log", e.ticketB.ID), url.Values{"log": {"private_log"}, "text": {"Note"}})
	wantStatus(t, "log entry", r, http.StatusSeeOther)
	ticketB := e.ticketB.ID
	if cs, _, _ := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{TicketID: &ticketB}); len(cs) != 0 {
		t.Errorf("%d calls recorded outside the pop, want 0", len(cs))
	}

	// The person form from the pop: the number preset.
	r = agent.get("/pop/new?class=Person&phone=%2B15550109999&caller=0")
	wantStatus(t, "person form", r, http.StatusOK)
	wantContains(t, "person form", r, `value="+15550109999"`)
	// A class the pop does not offer.
	r = agent.get("/pop/new?class=Change&phone=%2B15550100199&caller=0")
	wantStatus(t, "change form", r, http.StatusNotFound)
}

// TestPopNote: the agent's note of a call, saved from the pop, is his
// alone, shows when the pop opens again, and becomes the note of the phone
// call recorded when he creates a ticket from the pop.
func TestPopNote(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	alice := strconv.FormatInt(e.personA.ID, 10)
	page := agent.get(alicePop)
	wantContains(t, "pop", page, `id="pop-note"`)
	r := agent.post("/pop/note", url.Values{"pop_number": {"+15550100199"}, "pop_note": {"Printer on floor 2\nsince Monday"},
		"next": {alicePop}})
	wantStatus(t, "save the note", r, http.StatusSeeOther)
	wantContains(t, "pop again", agent.get(alicePop), "Printer on floor 2\nsince Monday</textarea>")
	wantLacks(t, "another agent's pop", e.MustLogin(t, "scoped").get(alicePop), "Printer on floor 2")

	ada := strconv.FormatInt(e.userOf(t, "agent").ContactID, 10)
	r = agent.post("/tickets", url.Values{"kind": {"UserRequest"}, "title": {"Printer"}, "org_id": {strconv.FormatInt(e.orgA.ID, 10)},
		"caller_id": {alice}, "agent_id": {ada}, "origin": {"phone"}, "pop": {"1"}, "pop_number": {"+15550100199"},
		"pop_caller": {alice}})
	wantStatus(t, "create from the pop", r, http.StatusSeeOther)
	id, _ := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(r.location, "?", 2)[0], "/tickets/"), 10, 64)
	calls, _, err := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{TicketID: &id})
	if err != nil || len(calls) != 1 || calls[0].Note != "Printer on floor 2\nsince Monday" {
		t.Fatalf("phone calls %+v (%v), want one with the agent's note", calls, err)
	}
	wantLacks(t, "pop after the note was used", agent.get(alicePop), "Printer on floor 2")
	// The call is among Alice's earlier calls now, with its ticket.
	tk, err := e.svc.Tickets.FindTicketByID(e.sys, id)
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "earlier calls", agent.get(alicePop), `id="recent-calls"`, ">"+tk.Ref+"</a>", "Ada Agent")
	wantStatus(t, "a note of no call", agent.post("/pop/note", url.Values{"pop_note": {"x"}}), http.StatusBadRequest)
}
