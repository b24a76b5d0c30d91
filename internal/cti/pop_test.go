package cti_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/store"
)

// popFixture is a store with two customer organizations and an agent: Ann
// and Carl of Alpha share a switchboard number that Ann has in E.164 form;
// Dora of Beta; the agent user's contact is Pat of the provider.
type popFixture struct {
	db                    *store.DB
	svc                   desk.Services
	sys, agent, scoped    context.Context
	viewer                context.Context
	alpha, beta           *desk.Organization
	ann, carl, dora, pat  *desk.Person
	annOpen, annClosed    *desk.Ticket
	carlOpen, doraOpen    *desk.Ticket
	annIncident           *desk.Ticket
	now                   time.Time
	agentUser, scopedUser *desk.User
}

func mustPopFixture(t *testing.T) *popFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "pop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must(t, db.Migrate(ctx))
	f := &popFixture{db: db, svc: db.Services(), sys: desk.NewSystemContext(ctx),
		now: time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)}
	db.Now = func() time.Time { return f.now }
	org := func(name string) *desk.Organization {
		o := &desk.Organization{Name: name}
		must(t, f.svc.Organizations.CreateOrganization(f.sys, o))
		return o
	}
	f.alpha, f.beta = org("Alpha"), org("Beta")
	provider := org("Provider")
	person := func(p *desk.Person) *desk.Person {
		must(t, f.svc.Persons.CreatePerson(f.sys, p))
		return p
	}
	f.ann = person(&desk.Person{FirstName: "Ann", Name: "Smith", OrgID: f.alpha.ID, Phone: "+1 212 555 0100", EmployeeNumber: "E-1"})
	f.carl = person(&desk.Person{FirstName: "Carl", Name: "Brown", OrgID: f.alpha.ID, Phone: "555-0100", MobilePhone: "+1 917 555 0111"})
	f.dora = person(&desk.Person{FirstName: "Dora", Name: "Jones", OrgID: f.beta.ID, Phone: "+1 415 555 0199", SupportID: "S-B"})
	f.pat = person(&desk.Person{FirstName: "Pat", Name: "Agent", OrgID: provider.ID})
	ticket := func(tk *desk.Ticket) *desk.Ticket {
		must(t, f.svc.Tickets.CreateTicket(f.sys, tk))
		return tk
	}
	f.annClosed = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Old", OrgID: f.alpha.ID, CallerID: f.ann.ID, Status: desk.TicketClosed})
	f.annOpen = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Printer", OrgID: f.alpha.ID, CallerID: f.ann.ID})
	f.annIncident = ticket(&desk.Ticket{Kind: desk.KindIncident, Title: "Mail down", OrgID: f.alpha.ID, CallerID: f.ann.ID})
	f.carlOpen = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "VPN", OrgID: f.alpha.ID, CallerID: f.carl.ID})
	f.doraOpen = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "Laptop", OrgID: f.beta.ID, CallerID: f.dora.ID})
	user := func(u *desk.User) *desk.User {
		u.PasswordHash = "x"
		must(t, f.svc.Users.CreateUser(f.sys, u))
		return u
	}
	f.agentUser = user(&desk.User{Login: "agent", Roles: []string{desk.RoleAgent}, ContactID: f.pat.ID})
	f.scopedUser = user(&desk.User{Login: "scoped", Roles: []string{desk.RoleAgent}, ContactID: f.pat.ID, AllowedOrgIDs: []int64{f.beta.ID}})
	viewer := user(&desk.User{Login: "viewer", Roles: []string{desk.RoleViewer}, Language: "FR FR"})
	f.agent = desk.NewContextWithUser(ctx, f.agentUser)
	f.scoped = desk.NewContextWithUser(ctx, f.scopedUser)
	f.viewer = desk.NewContextWithUser(ctx, viewer)
	return f
}

// pop returns the use case with the configuration yaml over the defaults
// ("" for the defaults alone).
func (f *popFixture) pop(t *testing.T, yaml string) *cti.Pop {
	t.Helper()
	cfg := config.Default()
	if yaml != "" {
		var err error
		if cfg, err = config.Parse("test.yaml", []byte(yaml)); err != nil {
			t.Fatalf("config: %v", err)
		}
	}
	return &cti.Pop{Config: cfg, Services: f.svc, Now: func() time.Time { return f.now }}
}

func callerIDs(r *cti.PopResult) []int64 { return r.CallerIDs() }

func TestPopCallers(t *testing.T) {
	f := mustPopFixture(t)
	def := f.pop(t, "")
	for _, tt := range []struct {
		name    string
		ctx     context.Context
		query   string
		want    []int64
		matched string
	}{
		{"one caller by mobile", f.agent, "phone=%2B19175550111", []int64{f.carl.ID}, "phone"},
		{"shared number, exact E.164 first", f.agent, "phone=2125550100", []int64{f.ann.ID, f.carl.ID}, "phone"},
		{"plus decoded to a space", f.agent, "phone=+1+415+555+0199", []int64{f.dora.ID}, "phone"},
		{"unknown number", f.agent, "phone=%2B33987654321", []int64{}, ""},
		{"4me telephone alias", f.agent, "telephone=4155550199", []int64{f.dora.ID}, "phone"},
		{"employeeID before the phone", f.agent, "employeeID=E-1&telephone=4155550199", []int64{f.ann.ID}, "employee_number"},
		{"unknown employee falls back to the phone", f.agent, "employee_number=E-404&phone=4155550199", []int64{f.dora.ID}, "phone"},
		{"support id", f.agent, "supportID=S-B", []int64{f.dora.ID}, "support_id"},
		{"other organization is not found", f.scoped, "phone=2125550100", []int64{}, ""},
		{"too short a number finds nobody", f.agent, "phone=0100", []int64{}, ""},
		{"extra parameters are ignored", f.agent, "phone=4155550199&foo=bar", []int64{f.dora.ID}, "phone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			res, err := def.Open(tt.ctx, q)
			if err != nil {
				t.Fatalf("Open(%s): %v", tt.query, err)
			}
			if got := callerIDs(res); !slices.Equal(got, tt.want) {
				t.Errorf("callers %v, want %v", got, tt.want)
			}
			if res.Matched != tt.matched {
				t.Errorf("matched by %q, want %q", res.Matched, tt.matched)
			}
		})
	}

	t.Run("Display and label", func(t *testing.T) {
		res, err := def.Open(f.agent, url.Values{"phone": {"+1 917 555 0111"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.CallerLabel != "Contacts with phone number +1 917 555 0111" {
			t.Errorf("label %q", res.CallerLabel)
		}
		if res.Callers[0].Display != "Carl Brown, Alpha" || res.Callers[0].Attribute != "mobile_phone" {
			t.Errorf("caller %+v, want Carl Brown, Alpha found by mobile_phone", res.Callers[0])
		}
		if res.Number != "+1 917 555 0111" || res.Direct != "" || !slices.Equal(res.Offers, []string{"UserRequest", "Person"}) {
			t.Errorf("number %q, direct %q, offers %v", res.Number, res.Direct, res.Offers)
		}
	})

	t.Run("Viewer gets no creation", func(t *testing.T) {
		res, err := def.Open(f.viewer, url.Values{"phone": {"4155550199"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Offers) != 0 || res.Direct != "" {
			t.Errorf("viewer offers %v, direct %q; want none", res.Offers, res.Direct)
		}
	})
}

func TestPopParameterErrors(t *testing.T) {
	f := mustPopFixture(t)
	withMail := f.pop(t, `
url_parameters:
  telephone: phone
  mailaddress: email
caller_information:
  label: Contacts with phone number $telephone$
  query: SELECT Person WHERE phone LIKE :telephone OR email = :mailaddress
indirect_creation:
  Person:
    enabled: true
    preset:
      phone: ":telephone"
`)
	for _, tt := range []struct {
		pop   *cti.Pop
		query string
		field string
		msg   string
	}{
		{f.pop(t, ""), "", "", "The URL gives nothing to find the caller by: give one of phone, request, employee_number, support_id."},
		{f.pop(t, ""), "foo=bar", "", "The URL gives nothing to find the caller by"},
		{withMail, "telephone=2125550100", "mailaddress", "The URL lacks the parameter mailaddress, which the configuration requires (url_parameters)."},
	} {
		q, _ := url.ParseQuery(tt.query)
		_, err := tt.pop.Open(f.agent, q)
		if desk.ErrorCode(err) != desk.EINVALID || desk.ErrorField(err) != tt.field || !strings.HasPrefix(locale.MustLoad().Printer(locale.English).Error(err), tt.msg) {
			t.Errorf("Open(%q): %v (field %q), want EINVALID on %s: %s", tt.query, err, desk.ErrorField(err), tt.field, tt.msg)
		}
	}
	res, err := withMail.Open(f.agent, url.Values{"telephone": {"999"}, "mailaddress": {"nobody@example.com"}})
	if err != nil || len(res.Callers) != 0 {
		t.Errorf("both parameters given: %v, %v; want nobody found and no error", res, err)
	}
}

func TestPopRequest(t *testing.T) {
	f := mustPopFixture(t)
	p := f.pop(t, "")
	res, err := p.Open(f.agent, url.Values{"request": {f.annIncident.Ref}, "phone": {"4155550199"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Request == nil || res.Request.ID != f.annIncident.ID || !slices.Equal(callerIDs(res), []int64{f.ann.ID}) || res.Matched != "request" {
		t.Fatalf("request: ticket %v, callers %v, matched %q; want the ticket opened and Ann selected", res.Request, callerIDs(res), res.Matched)
	}

	// 50 newer tickets of Ann's push the incident out of her latest ones:
	// it still names its caller, but is not opened, as 4me does.
	for i := range cti.RecentTickets {
		f.now = f.now.Add(time.Minute)
		must(t, f.svc.Tickets.CreateTicket(f.sys, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Newer " + string(rune('A'+i%26)),
			OrgID: f.alpha.ID, CallerID: f.ann.ID, Status: desk.TicketClosed}))
	}
	res, err = p.Open(f.agent, url.Values{"request": {f.annIncident.Ref}, "phone": {"4155550199"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Request != nil || !slices.Equal(callerIDs(res), []int64{f.ann.ID}) || res.Matched != "request" {
		t.Errorf("old request with a phone: ticket %v, callers %v, matched %q; want Ann by the request, the ticket not opened",
			res.Request, callerIDs(res), res.Matched)
	}
	res, err = p.Open(f.agent, url.Values{"request": {f.annIncident.Ref}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Request != nil || !slices.Equal(callerIDs(res), []int64{f.ann.ID}) {
		t.Errorf("old request alone: ticket %v, callers %v; want Ann selected, the ticket not opened", res.Request, callerIDs(res))
	}
	res, err = p.Open(f.scoped, url.Values{"request": {f.annIncident.Ref}, "phone": {"4155550199"}})
	if err != nil || res.Request != nil || !slices.Equal(callerIDs(res), []int64{f.dora.ID}) {
		t.Errorf("request of another organization: %v, callers %v; want the phone to decide", err, callerIDs(res))
	}
}

func TestPopLists(t *testing.T) {
	f := mustPopFixture(t)
	p := f.pop(t, `
display_tickets:
  lists:
    - enabled: true
      label: User Requests opened for this caller
      label/FR FR: Demandes ouvertes de l'appelant
      query: SELECT UserRequest AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'
    - enabled: true
      label: User Requests opened for the organization of the caller
      query: SELECT UserRequest AS u JOIN Organization AS o ON u.org_id = o.id JOIN Person AS p ON p.org_id = o.id WHERE p.id IN (:callers_list) AND u.status != 'closed'
    - enabled: false
      label: Problems
      query: SELECT Problem AS u WHERE u.caller_id IN (:callers_list)
    - enabled: true
      label: Incidents of $phone$
      query: SELECT Incident AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'
`)
	values := map[string]string{"phone": "2125550100"}
	objectIDs := func(l *cti.TicketList) []int64 {
		var ids []int64
		for _, o := range l.Objects {
			ids = append(ids, o.ID)
		}
		return ids
	}
	lists, err := p.Lists(f.agent, []int64{f.ann.ID}, values, cti.ListRows)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 3 {
		t.Fatalf("%d lists, want the 3 enabled ones", len(lists))
	}
	for i, want := range []struct {
		label string
		ids   []int64
	}{
		{"User Requests opened for this caller", []int64{f.annOpen.ID}},
		{"User Requests opened for the organization of the caller", []int64{f.carlOpen.ID, f.annOpen.ID}},
		{"Incidents of 2125550100", []int64{f.annIncident.ID}},
	} {
		if lists[i].Label != want.label || !slices.Equal(objectIDs(lists[i]), want.ids) || lists[i].Total != len(want.ids) {
			t.Errorf("list %d: %q %v of %d, want %q %v", i, lists[i].Label, objectIDs(lists[i]), lists[i].Total, want.label, want.ids)
		}
	}
	// The objects hold what the lists show.
	o := lists[0].Objects[0]
	for attr, want := range map[string]any{"title": "Printer", "caller_id": f.ann.ID, "caller_name": "Ann Smith", "status": desk.TicketNew} {
		if got := o.Value(attr); got != want {
			t.Errorf("list object's %s = %#v, want %#v", attr, got, want)
		}
	}
	if _, ok := o.Value("start_date").(time.Time); !ok {
		t.Errorf("list object's start_date = %#v, want a time", o.Value("start_date"))
	}
	// Fewer rows than found: the newest, and the count of them all.
	lists, err = p.Lists(f.agent, []int64{f.ann.ID}, values, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := objectIDs(lists[1]); !slices.Equal(got, []int64{f.carlOpen.ID}) || lists[1].Total != 2 {
		t.Errorf("one row of the organization's list: %v of %d, want [%d] of 2", got, lists[1].Total, f.carlOpen.ID)
	}
	if got := objectIDs(lists[0]); !slices.Equal(got, []int64{f.annOpen.ID}) || lists[0].Total != 1 {
		t.Errorf("one row of the caller's list: %v of %d, want [%d] of 1", got, lists[0].Total, f.annOpen.ID)
	}
	// All contacts found: every caller's tickets.
	lists, err = p.Lists(f.agent, []int64{f.ann.ID, f.dora.ID}, values, cti.ListRows)
	if err != nil {
		t.Fatal(err)
	}
	if got := objectIDs(lists[0]); !slices.Equal(got, []int64{f.doraOpen.ID, f.annOpen.ID}) {
		t.Errorf("all contacts: %v, want Dora's and Ann's open requests", got)
	}
	// The unknown contact: no list at all.
	if lists, err = p.Lists(f.agent, nil, values, cti.ListRows); err != nil || len(lists) != 0 {
		t.Errorf("unknown contact: %d lists, %v; want none", len(lists), err)
	}
	// Localized label; scoped user sees only his organizations.
	vl, err := p.Lists(f.viewer, []int64{f.ann.ID}, values, cti.ListRows)
	if err != nil || vl[0].Label != "Demandes ouvertes de l'appelant" {
		t.Errorf("French label: %v, %v", vl, err)
	}
	sl, err := p.Lists(f.scoped, []int64{f.ann.ID, f.dora.ID}, values, cti.ListRows)
	if err != nil || !slices.Equal(objectIDs(sl[0]), []int64{f.doraOpen.ID}) {
		t.Errorf("scoped lists: %v, %v; want Dora's only", sl, err)
	}
}

// TestPopObjectInContext checks the ticket of a pop opened for a request as
// the object of :this in lists and presets: a list that needs it shows in
// such a pop only, and within the user's organizations.
func TestPopObjectInContext(t *testing.T) {
	f := mustPopFixture(t)
	p := f.pop(t, `
indirect_creation:
  UserRequest:
    preset:
      org_id: SELECT Organization WHERE id = :this->org_id
      agent_id: ':current_contact_id'
display_tickets:
  lists:
    - label: Open requests of the ticket's organization
      query: SELECT UserRequest WHERE org_id = :this->org_id AND id != :this->id AND status NOT IN ('closed', 'rejected')
    - label: The caller's
      query: SELECT Ticket WHERE caller_id IN (:callers_list)
`)
	objectIDs := func(l *cti.TicketList) []int64 {
		var ids []int64
		for _, o := range l.Objects {
			ids = append(ids, o.ID)
		}
		return ids
	}
	lists, err := p.Lists(f.agent, []int64{f.ann.ID}, map[string]string{"request": f.annIncident.Ref}, cti.ListRows)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || !slices.Equal(objectIDs(lists[0]), []int64{f.carlOpen.ID, f.annOpen.ID}) {
		t.Fatalf("lists of a request pop: %+v, want the open requests of Alpha but the incident", lists)
	}
	lists, err = p.Lists(f.agent, []int64{f.ann.ID}, map[string]string{"phone": "2125550100"}, cti.ListRows)
	if err != nil || len(lists) != 1 || lists[0].Label != "The caller's" {
		t.Fatalf("lists of a phone pop: %+v, %v; want the caller's list only", lists, err)
	}
	lists, err = p.Lists(f.scoped, []int64{f.dora.ID}, map[string]string{"request": f.annIncident.Ref}, cti.ListRows)
	if err != nil || len(lists) != 2 || len(lists[0].Objects) != 0 {
		t.Fatalf("a request of another organization: %+v, %v; want nothing of it", lists, err)
	}

	pf, err := p.Prefill(f.agent, "UserRequest", false, f.ann.ID, map[string]string{"request": f.doraOpen.Ref})
	if err != nil || pf.ID("org_id") != f.beta.ID || pf.ID("agent_id") != f.pat.ID {
		t.Errorf("prefill of a request pop: %+v, %v; want the ticket's organization and the agent", pf, err)
	}
	pf, err = p.Prefill(f.agent, "UserRequest", false, f.ann.ID, map[string]string{"phone": "2125550100"})
	if err != nil || pf.ID("org_id") != 0 || pf.ID("agent_id") != f.pat.ID {
		t.Errorf("prefill of a phone pop: %+v, %v; want no organization", pf, err)
	}
}

func TestPopPrefill(t *testing.T) {
	f := mustPopFixture(t)
	p := f.pop(t, `
direct_creation:
  Incident:
    enabled: true
    preset:
      org_id: SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller
      caller_id: ":selected_caller"
      agent_id: ":current_contact"
      origin: phone
      title: Call from $phone$
      private_log: Call from customer dated $datetime$
`)
	values := map[string]string{"phone": "+1 415 555 0199"}
	res, err := p.Open(f.agent, url.Values{"phone": {values["phone"]}})
	if err != nil || res.Direct != "Incident" {
		t.Fatalf("direct: %q, %v; want Incident", res.Direct, err)
	}
	pf, err := p.Prefill(f.agent, "Incident", true, res.Selected(), values)
	if err != nil {
		t.Fatal(err)
	}
	if pf.ID("org_id") != f.beta.ID || pf.ID("caller_id") != f.dora.ID || pf.ID("agent_id") != f.pat.ID ||
		pf.String("origin") != "phone" || pf.String("title") != "Call from +1 415 555 0199" {
		t.Errorf("prefill %+v", pf.Values)
	}
	if got := pf.Logs["private_log"]; got != "Call from customer dated 2026-03-04 10:30:00" {
		t.Errorf("private_log entry %q", got)
	}
	// The unknown contact: no caller, no organization.
	pf, err = p.Prefill(f.agent, "Incident", true, 0, values)
	if err != nil || pf.ID("org_id") != 0 || pf.ID("caller_id") != 0 || pf.String("origin") != "phone" {
		t.Errorf("unknown contact prefill %+v, %v", pf, err)
	}
	// Indirect creation of a Person: the phone preset.
	pf, err = f.pop(t, "").Prefill(f.agent, "Person", false, 0, values)
	if err != nil || pf.String("phone") != "+1 415 555 0199" {
		t.Errorf("person prefill %+v, %v", pf, err)
	}
	if _, err := f.pop(t, "").Prefill(f.agent, "Change", false, 0, values); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Errorf("prefill of a class not offered: %v, want ENOTFOUND", err)
	}
	if _, err := f.pop(t, "").Prefill(f.viewer, "UserRequest", false, 0, values); desk.ErrorCode(err) != desk.EFORBIDDEN {
		t.Errorf("prefill for a viewer: %v, want EFORBIDDEN", err)
	}
}

func TestPopRecordCall(t *testing.T) {
	f := mustPopFixture(t)
	p := f.pop(t, "")
	call, err := p.RecordCall(f.agent, f.doraOpen.ID, f.dora.ID, " +1 415 555 0199", "Laptop will not start")
	if err != nil || call == nil {
		t.Fatalf("RecordCall: %v, %v", call, err)
	}
	if call.Flow != desk.FlowInbound || call.AgentID != f.pat.ID || call.ContactID != f.dora.ID || call.Number != "+1 415 555 0199" ||
		!call.Date.Equal(f.now) || call.Note != "Laptop will not start" {
		t.Errorf("call %+v", call)
	}
	f.now = f.now.Add(5 * time.Minute)
	again, err := p.RecordCall(f.agent, f.doraOpen.ID, f.dora.ID, "+1 415 555 0199", "")
	if err != nil || again.ID != call.ID {
		t.Errorf("second change during the call: %v, %v; want the same call", again, err)
	}
	f.now = f.now.Add(cti.CallWindow)
	later, err := p.RecordCall(f.agent, f.doraOpen.ID, f.dora.ID, "+1 415 555 0199", "")
	if err != nil || later.ID == call.ID {
		t.Errorf("a later call: %v, %v; want a new record", later, err)
	}
	ticketID := f.doraOpen.ID
	calls, _, err := f.svc.PhoneCalls.FindPhoneCalls(f.sys, desk.PhoneCallFilter{TicketID: &ticketID})
	if err != nil || len(calls) != 2 {
		t.Errorf("%d calls on the ticket, %v; want 2", len(calls), err)
	}
}

// TestPopHistory: the pop shows the caller's latest calls, from the call
// log and from the tickets' phone calls, each once, newest first, and the
// missed calls since the last call that reached him.
func TestPopHistory(t *testing.T) {
	f := mustPopFixture(t)
	p := f.pop(t, "")
	_, integ, err := f.svc.Telephony.CreateIntegration(f.sys, "PBX")
	must(t, err)
	at := func(m int) time.Time { return f.now.Add(time.Duration(m) * time.Minute) }
	logCall := func(id string, start int, state string, contact *desk.Person) *desk.Call {
		c, err := f.svc.Calls.ApplyCall(f.sys, integ.ID, id, func(c *desk.Call) error {
			c.Direction, c.From, c.To, c.State, c.StartedAt = desk.DirectionIn, contact.Phone, "100", state, at(start)
			c.ContactID, c.CallerIDs = contact.ID, []int64{contact.ID}
			if state == desk.CallAnswered {
				ans, end := at(start+1), at(start+4)
				c.AnsweredAt, c.EndedAt = &ans, &end
			} else {
				end := at(start + 1)
				c.EndedAt = &end
			}
			return nil
		})
		must(t, err)
		return c
	}
	must(t, f.svc.PhoneCalls.CreatePhoneCall(f.sys, &desk.PhoneCall{ContactID: f.dora.ID, AgentID: f.pat.ID,
		TicketID: f.doraOpen.ID, Date: at(-60), Flow: desk.FlowOutbound, Number: "+1 415 555 0199", Duration: 90}))
	first := logCall("h-1", -50, desk.CallMissed, f.dora)
	answered := logCall("h-2", -40, desk.CallAnswered, f.dora)
	m1 := logCall("h-3", -30, desk.CallMissed, f.dora)
	m2 := logCall("h-4", -20, desk.CallMissed, f.dora)
	logCall("other", -10, desk.CallMissed, f.carl) // another caller's
	// A call answered and tied to a ticket shows once.
	_, err = f.svc.Calls.LinkCall(f.agent, answered.ID, &desk.PhoneCall{TicketID: f.doraOpen.ID, ContactID: f.dora.ID, AgentID: f.pat.ID})
	must(t, err)

	h, err := p.History(f.agent, []int64{f.dora.ID})
	must(t, err)
	var got []string
	for _, c := range h.Recent {
		got = append(got, fmt.Sprintf("%s %s %s %v", c.Date.Sub(f.now), c.Flow, c.State, c.TicketRef != ""))
	}
	want := []string{"-20m0s inbound missed false", "-30m0s inbound missed false", "-40m0s inbound answered true",
		"-50m0s inbound missed false", "-1h0m0s outbound  true"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("recent calls\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(h.Missed) != 2 || h.Missed[0].ID != m2.ID || h.Missed[1].ID != m1.ID {
		t.Errorf("missed calls %v, want the two since the answered one (not %d, before it)", h.Missed, first.ID)
	}
	if h.Recent[2].Duration != 3*time.Minute || !h.Recent[2].Talked || h.Recent[4].Duration != 90*time.Second {
		t.Errorf("durations %v %v", h.Recent[2].Duration, h.Recent[4].Duration)
	}
}
