package cti_test

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// fixture is a store with two organizations, a few persons and tickets.
type fixture struct {
	lookup          *cti.CallerLookup
	sys, scoped     context.Context
	viewer, nobody  context.Context
	alice, bob, eve *desk.Person
	aliceTicket     *desk.Ticket
	bobTicket       *desk.Ticket
	noCallerTicket  *desk.Ticket
}

func mustFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "cti.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{sys: desk.NewSystemContext(ctx)}
	svc := db.Services()
	f.lookup = &cti.CallerLookup{Services: svc}
	orgA, orgB := &desk.Organization{Name: "Alpha"}, &desk.Organization{Name: "Beta"}
	must(t, svc.Organizations.CreateOrganization(f.sys, orgA))
	must(t, svc.Organizations.CreateOrganization(f.sys, orgB))
	person := func(p *desk.Person) *desk.Person {
		t.Helper()
		must(t, svc.Persons.CreatePerson(f.sys, p))
		return p
	}
	f.alice = person(&desk.Person{FirstName: "Alice", Name: "Martin", OrgID: orgA.ID, Phone: "+1 (212) 555-0100",
		EmployeeNumber: "E-1", SupportID: "S-ALPHA"})
	f.bob = person(&desk.Person{FirstName: "Bob", Name: "Durand", OrgID: orgB.ID, Phone: "+1 (415) 555-0199",
		EmployeeNumber: "E-2", SupportID: "S-BETA"})
	f.eve = person(&desk.Person{FirstName: "Eve", Name: "Adams", OrgID: orgA.ID, Phone: "212-555-0100",
		SupportID: "S-ALPHA"})
	ticket := func(tk *desk.Ticket) *desk.Ticket {
		t.Helper()
		must(t, svc.Tickets.CreateTicket(f.sys, tk))
		return tk
	}
	f.aliceTicket = ticket(&desk.Ticket{Kind: desk.KindIncident, Title: "A", OrgID: orgA.ID, CallerID: f.alice.ID})
	f.bobTicket = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "B", OrgID: orgB.ID, CallerID: f.bob.ID})
	f.noCallerTicket = ticket(&desk.Ticket{Kind: desk.KindUserRequest, Title: "C", OrgID: orgA.ID})
	f.scoped = desk.NewContextWithUser(ctx, &desk.User{ID: 100, Login: "scoped", Roles: []string{desk.RoleAgent},
		AllowedOrgIDs: []int64{orgA.ID}})
	f.viewer = desk.NewContextWithUser(ctx, &desk.User{ID: 101, Login: "viewer", Roles: []string{desk.RoleViewer}})
	f.nobody = ctx
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ids(ms []*desk.CallerMatch) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.Person.ID)
	}
	return out
}

func TestLookup(t *testing.T) {
	f := mustFixture(t)
	for _, tt := range []struct {
		name        string
		ctx         context.Context
		order       []string
		params      params
		wantMatched string
		wantIDs     []int64
		wantTried   []string
		wantAttr    string
	}{
		{"phone", f.sys, nil, params{"phone": "+1 212 555 0100"}, "phone",
			[]int64{f.eve.ID, f.alice.ID}, []string{"phone"}, desk.AttrPhone},
		{"phone decoded from a URL, + as space", f.sys, nil, params{"phone": " 1 212 555 0100"}, "phone",
			[]int64{f.eve.ID, f.alice.ID}, []string{"phone"}, desk.AttrPhone},
		{"employee number first", f.sys, nil, params{"phone": "+1 212 555 0100", "employee_number": "E-2"},
			"employee_number", []int64{f.bob.ID}, []string{"employee_number"}, desk.AttrEmployeeNumber},
		{"unknown employee number falls back to the phone", f.sys, nil,
			params{"phone": "+1 415 555 0199", "employee_number": "E-404"},
			"phone", []int64{f.bob.ID}, []string{"employee_number", "phone"}, desk.AttrPhone},
		{"support id finds everyone sharing it", f.sys, nil, params{"support_id": "S-ALPHA"},
			"support_id", []int64{f.eve.ID, f.alice.ID}, []string{"support_id"}, desk.AttrSupportID},
		{"request first", f.sys, nil,
			params{"request": f.bobTicket.Ref, "employee_number": "E-1", "phone": "+1 212 555 0100"},
			"request", []int64{f.bob.ID}, []string{"request"}, "request"},
		{"request by id", f.sys, nil, params{"request": "  " + itoa(f.aliceTicket.ID) + " "},
			"request", []int64{f.alice.ID}, []string{"request"}, "request"},
		{"ticket without caller falls back", f.sys, nil,
			params{"request": f.noCallerTicket.Ref, "support_id": "S-BETA"},
			"support_id", []int64{f.bob.ID}, []string{"request", "support_id"}, desk.AttrSupportID},
		{"unknown ticket falls back", f.sys, nil, params{"request": "R-999999", "employee_number": "E-1"},
			"employee_number", []int64{f.alice.ID}, []string{"request", "employee_number"}, desk.AttrEmployeeNumber},
		{"bad reference falls back", f.sys, nil, params{"request": "nonsense", "employee_number": "E-1"},
			"employee_number", []int64{f.alice.ID}, []string{"request", "employee_number"}, desk.AttrEmployeeNumber},
		{"short number falls back", f.sys, []string{"phone", "support_id"},
			params{"phone": "10", "support_id": "S-BETA"},
			"support_id", []int64{f.bob.ID}, []string{"phone", "support_id"}, desk.AttrSupportID},
		{"nobody", f.sys, nil, params{"phone": "+44 20 7946 0000", "employee_number": "E-404"},
			"", []int64{}, []string{"employee_number", "phone"}, ""},
		{"configured order: phone first", f.sys, []string{"phone", "employee_number"},
			params{"phone": "+1 415 555 0199", "employee_number": "E-1"},
			"phone", []int64{f.bob.ID}, []string{"phone"}, desk.AttrPhone},
		{"configured order leaves a parameter out", f.sys, []string{"phone"},
			params{"employee_number": "E-1", "phone": "+44 20 7946 0000"},
			"", []int64{}, []string{"phone"}, ""},
		{"scoped: another organization's ticket is not found", f.scoped, nil,
			params{"request": f.bobTicket.Ref, "phone": "+1 212 555 0100"},
			"phone", []int64{f.eve.ID, f.alice.ID}, []string{"request", "phone"}, desk.AttrPhone},
		{"scoped: another organization's caller is not found", f.scoped, nil,
			params{"employee_number": "E-2"}, "", []int64{}, []string{"employee_number"}, ""},
		{"viewer reads", f.viewer, nil, params{"employee_number": "E-2"},
			"employee_number", []int64{f.bob.ID}, []string{"employee_number"}, desk.AttrEmployeeNumber},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := withOrder(f.lookup, tt.order).Lookup(tt.ctx, tt.params.query())
			must(t, err)
			if res.Matched != tt.wantMatched || !slices.Equal(ids(res.Callers), tt.wantIDs) ||
				!slices.Equal(res.Tried, tt.wantTried) {
				t.Fatalf("matched %q, callers %v, tried %v; want %q, %v, %v", res.Matched, ids(res.Callers),
					res.Tried, tt.wantMatched, tt.wantIDs, tt.wantTried)
			}
			if res.Matched != "" && res.Value != tt.params[res.Matched] {
				t.Errorf("value %q, want %q", res.Value, tt.params[res.Matched])
			}
			for _, c := range res.Callers {
				if c.Attribute != tt.wantAttr || c.Rank < 1 {
					t.Errorf("caller %d: attribute %q rank %d, want %q", c.Person.ID, c.Attribute, c.Rank, tt.wantAttr)
				}
			}
			if tt.wantMatched == "request" {
				if res.Ticket == nil || res.Ticket.CallerID != tt.wantIDs[0] || res.Callers[0].Stored != res.Ticket.Ref {
					t.Errorf("request: ticket %+v, stored %q", res.Ticket, res.Callers[0].Stored)
				}
			} else if res.Ticket != nil {
				t.Errorf("ticket %+v without a request match", res.Ticket)
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	f := mustFixture(t)
	for _, tt := range []struct {
		name      string
		ctx       context.Context
		params    params
		wantCode  string
		wantField string
	}{
		{"no parameter", f.sys, params{}, desk.EINVALID, ""},
		{"blank parameters", f.sys, params{"phone": "  ", "request": ""}, desk.EINVALID, ""},
		{"other parameters only", f.sys, params{"email": "alice@example.com"}, desk.EINVALID, ""},
		{"number too short", f.sys, params{"phone": "10"}, desk.EINVALID, "phone"},
		{"bad reference, no match after", f.sys, params{"request": "x-1", "employee_number": "E-404"},
			desk.EINVALID, "request"},
		{"not logged in", f.nobody, params{"phone": "+1 212 555 0100"}, desk.EUNAUTHORIZED, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := lookupError(f.lookup.Lookup(tt.ctx, tt.params.query()))
			if desk.ErrorCode(err) != tt.wantCode || desk.ErrorField(err) != tt.wantField {
				t.Fatalf("error %v (field %q), want code %q field %q", err, desk.ErrorField(err), tt.wantCode, tt.wantField)
			}
		})
	}
}

// TestLookupInput: the parameters a lookup reads from a URL, aliases
// included, in lookup order.
func TestLookupInput(t *testing.T) {
	l := &cti.CallerLookup{}
	for _, tt := range []struct {
		query string
		want  []cti.LookupParam
	}{
		{"phone=+1+212+555+0100", []cti.LookupParam{{Name: "phone", Attribute: "phone", Value: " 1 212 555 0100"}}},
		{"telephone=0612345678", []cti.LookupParam{{Name: "phone", Attribute: "phone", Value: "0612345678"}}},
		{"phone=1&telephone=2", []cti.LookupParam{{Name: "phone", Attribute: "phone", Value: "1"}}},
		{"employeeID=E-1&supportID=S-1", []cti.LookupParam{{Name: "employee_number", Attribute: "employee_number", Value: "E-1"},
			{Name: "support_id", Attribute: "support_id", Value: "S-1"}}},
		{"employee_number=E-1&employeeID=E-2", []cti.LookupParam{{Name: "employee_number", Attribute: "employee_number", Value: "E-1"}}},
		{"phone=555&request=R-000001&other=x", []cti.LookupParam{{Name: "request", Attribute: "request", Value: "R-000001"},
			{Name: "phone", Attribute: "phone", Value: "555"}}},
	} {
		q, err := url.ParseQuery(tt.query)
		must(t, err)
		in, err := l.Input(q)
		must(t, err)
		if !slices.Equal(in.Params, tt.want) {
			t.Errorf("%q: %+v, want %+v", tt.query, in.Params, tt.want)
		}
		for _, p := range in.Params {
			if in.Values[p.Name] != p.Value {
				t.Errorf("%q: value of %s %q, want %q", tt.query, p.Name, in.Values[p.Name], p.Value)
			}
		}
		if _, ok := in.Values["other"]; ok {
			t.Errorf("%q: a parameter the lookup does not know is among its values", tt.query)
		}
	}
	if names := cti.ParamNames(); !slices.Contains(names, "telephone") || !slices.Contains(names, "request") {
		t.Errorf("ParamNames() = %v", names)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// params are the parameters of a lookup URL.
type params map[string]string

func (p params) query() url.Values {
	q := url.Values{}
	for k, v := range p {
		q.Set(k, v)
	}
	return q
}

// withOrder returns the lookup with the configuration's lookup_order set to
// order (nil: the default).
func withOrder(l *cti.CallerLookup, order []string) *cti.CallerLookup {
	if order == nil {
		return l
	}
	cfg := *config.Default()
	cfg.LookupOrder = order
	return &cti.CallerLookup{Config: &cfg, Services: l.Services}
}

// lookupError returns what the API answers when nothing is found: the error
// of the lookup, or why a parameter could not be looked up.
func lookupError(res *cti.LookupResult, err error) error {
	if err == nil && res.Matched == "" {
		return res.Invalid
	}
	return err
}
