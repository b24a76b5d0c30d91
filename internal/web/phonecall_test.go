package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

// mustOutboundEnv is MustEnv with outbound calls to https://cti.example.
func mustOutboundEnv(t *testing.T, link string) *env {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(`ecall_parameters:
  url: https://cti.example/index.php
  url_parameters:
    telephone: phone
    mailaddress: email
`))
	if err != nil {
		t.Fatal(err)
	}
	return MustEnvWith(t, func(o *web.Options) {
		o.Outbound = &cti.Outbound{ECall: cfg.ECall, PhoneCalls: o.Services.PhoneCalls}
		o.PhoneLink = link
	})
}

func TestOutboundCall(t *testing.T) {
	e := mustOutboundEnv(t, "")
	agent := e.MustLogin(t, "agent")
	ticketPage := idPath("/tickets", e.ticketA.ID)

	r := agent.get(ticketPage)
	wantStatus(t, "ticket", r, http.StatusOK)
	wantContains(t, "ticket", r, fmt.Sprintf(`action="/tickets/%d/call" target="_blank"`, e.ticketA.ID),
		`value="phone" data-call="phone"`, `value="mobile_phone" data-call="mobile_phone"`)
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://cti.example;") {
		t.Errorf("CSP %q does not let the call form reach the phone system", csp)
	}

	r = agent.post(fmt.Sprintf("/tickets/%d/call", e.ticketA.ID), url.Values{"number": {"mobile_phone"}})
	wantStatus(t, "call", r, http.StatusSeeOther)
	if want := "https://cti.example/index.php?telephone=06+12+34+56+78&mailaddress=alice%40acme.example"; r.location != want {
		t.Errorf("call redirects to %q, want %q", r.location, want)
	}
	id := e.ticketA.ID
	calls, _, err := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{TicketID: &id})
	if err != nil || len(calls) != 1 || calls[0].Flow != desk.FlowOutbound || calls[0].ContactID != e.personA.ID ||
		calls[0].Number != "06 12 34 56 78" {
		t.Fatalf("calls %+v, %v; want one outbound call to Alice's mobile", calls, err)
	}
	r = agent.get(ticketPage)
	wantContains(t, "ticket after the call", r, "Outbound", fmt.Sprintf(`href="/phonecalls/%d"`, calls[0].ID))

	// The person page has the same action, without a ticket.
	r = agent.get(idPath("/persons", e.personA.ID))
	wantContains(t, "person", r, fmt.Sprintf(`action="/persons/%d/call"`, e.personA.ID))
	r = agent.post(fmt.Sprintf("/persons/%d/call", e.personA.ID), url.Values{"number": {"phone"}})
	wantStatus(t, "call from the person page", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.location, "https://cti.example/index.php?telephone=%2B1+%28555%29+010-0199+ext.+12&") {
		t.Errorf("person call redirects to %q", r.location)
	}

	for _, tt := range []struct {
		what   string
		login  string
		path   string
		form   url.Values
		status int
	}{
		{"viewer may not call", "viewer", fmt.Sprintf("/tickets/%d/call", e.ticketA.ID), url.Values{"number": {"phone"}}, http.StatusForbidden},
		{"unknown number attribute", "agent", fmt.Sprintf("/tickets/%d/call", e.ticketA.ID), url.Values{"number": {"fax"}}, http.StatusBadRequest},
		{"another organization's ticket", "scoped", fmt.Sprintf("/tickets/%d/call", e.ticketB.ID), url.Values{"number": {"phone"}}, http.StatusNotFound},
		{"no CSRF token", "agent", fmt.Sprintf("/tickets/%d/call", e.ticketA.ID), url.Values{"number": {"phone"}, "csrf_token": {"forged"}}, http.StatusForbidden},
	} {
		c := agent
		if tt.login != "agent" {
			c = e.MustLogin(t, tt.login)
		}
		r := c.post(tt.path, tt.form)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.what, r.status, tt.status)
		}
	}
	if calls, _, _ := e.svc.PhoneCalls.FindPhoneCalls(e.sys, desk.PhoneCallFilter{}); len(calls) != 2 {
		t.Errorf("%d calls recorded, want 2 (the refused ones record nothing)", len(calls))
	}
	// A viewer and a user without a contact person see no call action.
	for _, login := range []string{"viewer", "admin"} {
		r := e.MustLogin(t, login).get(ticketPage)
		wantLacks(t, login+"'s ticket page", r, "data-call=")
	}
}

func TestNoOutboundWithoutConfiguration(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	r := agent.get(idPath("/tickets", e.ticketA.ID))
	wantLacks(t, "ticket", r, "data-call=")
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Errorf("CSP %q, want form-action 'self' only", csp)
	}
	r = agent.post(fmt.Sprintf("/tickets/%d/call", e.ticketA.ID), url.Values{"number": {"phone"}})
	wantStatus(t, "call without configuration", r, http.StatusNotFound)
}

func TestPhoneLinks(t *testing.T) {
	for _, tt := range []struct {
		link, want string
	}{
		{"", `href="tel:&#43;15550100199;ext=12"`},
		{"sip:", `href="sip:&#43;15550100199"`},
		{"callto:", `href="callto:&#43;15550100199"`},
		{"tksuite:$number$?call", `href="tksuite:&#43;15550100199?call"`},
	} {
		e := mustOutboundEnv(t, tt.link)
		r := e.MustLogin(t, "agent").get(idPath("/persons", e.personA.ID))
		wantContains(t, "person with link "+tt.link, r, tt.want)
	}
	for _, bad := range []string{"javascript:alert($number$)", "data:text/html,$number$", "not a scheme", "sip:foo"} {
		_, err := web.New(web.Options{Services: MustEnv(t).svc, PhoneLink: bad})
		if err == nil {
			t.Errorf("phone link %q accepted", bad)
		}
	}
}

func TestPhoneCallPages(t *testing.T) {
	e := MustEnv(t)
	agent := e.MustLogin(t, "agent")
	agentUser, err := e.svc.Users.FindUserByLogin(e.sys, "agent")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 5, d, 10, 0, 0, 0, time.UTC) }
	in := &desk.PhoneCall{ContactID: e.personA.ID, AgentID: agentUser.ContactID, TicketID: e.ticketA.ID, Date: day(1),
		Flow: desk.FlowInbound, Number: "+15550100199", Note: "Printer <b>again</b>"}
	out := &desk.PhoneCall{ContactID: e.personA.ID, AgentID: agentUser.ContactID, TicketID: e.ticketA.ID, Date: day(3),
		Flow: desk.FlowOutbound, Number: "0612345678"}
	other := &desk.PhoneCall{ContactID: e.personB.ID, AgentID: e.personA.ID, TicketID: e.ticketB.ID, Date: day(5),
		Flow: desk.FlowInbound, Number: "+33987654321"}
	for _, c := range []*desk.PhoneCall{in, out, other} {
		if err := e.svc.PhoneCalls.CreatePhoneCall(e.sys, c); err != nil {
			t.Fatal(err)
		}
	}
	list := func(c *client, query string) []string {
		t.Helper()
		r := c.get("/phonecalls?" + query)
		wantStatus(t, "list "+query, r, http.StatusOK)
		var ids []string
		for _, part := range strings.Split(r.body, `data-phonecall="`)[1:] {
			ids = append(ids, part[:strings.IndexByte(part, '"')])
		}
		return ids
	}
	s := func(ids ...int64) string { return fmt.Sprint(ids) }
	for _, tt := range []struct {
		query string
		want  []int64
	}{
		{"", []int64{other.ID, out.ID, in.ID}},
		{"flow=inbound", []int64{other.ID, in.ID}},
		{fmt.Sprintf("agent_id=%d", agentUser.ContactID), []int64{out.ID, in.ID}},
		{"from=2026-05-02&to=2026-05-03", []int64{out.ID}},
		{"to=2026-05-01", []int64{in.ID}},
	} {
		got := list(agent, tt.query)
		want := make([]string, len(tt.want))
		for i, id := range tt.want {
			want[i] = fmt.Sprint(id)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("calls of %q: %v, want %v", tt.query, got, s(tt.want...))
		}
	}
	if got := list(e.MustLogin(t, "scoped"), ""); len(got) != 2 {
		t.Errorf("scoped agent sees %v, want the 2 calls of Acme's ticket", got)
	}
	r := agent.get("/phonecalls?from=yesterday")
	wantStatus(t, "bad date", r, http.StatusBadRequest)

	// A call's page escapes the note; its edit form changes the note only.
	r = agent.get(idPath("/phonecalls", in.ID))
	wantStatus(t, "call page", r, http.StatusOK)
	wantContains(t, "call page", r, "Printer &lt;b&gt;again&lt;/b&gt;", e.ticketA.Ref, "Inbound")
	r = agent.get(idPath("/phonecalls", in.ID) + "/edit")
	wantStatus(t, "edit form", r, http.StatusOK)
	r = agent.post(idPath("/phonecalls", in.ID), url.Values{"note": {"Printer fixed"}, "flow": {"outbound"}, "ticket_id": {"0"}})
	wantStatus(t, "save note", r, http.StatusSeeOther)
	c, err := e.svc.PhoneCalls.FindPhoneCallByID(e.sys, in.ID)
	if err != nil || c.Note != "Printer fixed" || c.Flow != desk.FlowInbound || c.TicketID != e.ticketA.ID {
		t.Errorf("call after edit %+v, %v; want the note changed, flow and ticket kept", c, err)
	}
	r = e.MustLogin(t, "viewer").post(idPath("/phonecalls", in.ID), url.Values{"note": {"x"}})
	wantStatus(t, "viewer edits a note", r, http.StatusForbidden)
	r = e.MustLogin(t, "scoped").get(idPath("/phonecalls", other.ID))
	wantStatus(t, "another organization's call", r, http.StatusNotFound)
}
