package desk_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func TestClasses(t *testing.T) {
	ticket, ok := desk.FindClass("Ticket")
	if !ok || !ticket.Abstract || !slices.Equal(ticket.Kinds, desk.TicketKinds) {
		t.Fatalf("Ticket = %+v, want an abstract class of every ticket kind", ticket)
	}
	for _, kind := range desk.TicketKinds {
		c, ok := desk.FindClass(kind)
		if !ok || c.Abstract || c.Parent != "Ticket" || !c.Is("Ticket") {
			t.Errorf("%s = %+v, want a concrete kind of Ticket", kind, c)
			continue
		}
		_, hasPriority := c.Attribute("priority")
		if hasPriority != desk.HasLevels(kind) {
			t.Errorf("%s has priority: %v, want %v", kind, hasPriority, desk.HasLevels(kind))
		}
	}
	if _, ok := desk.FindClass("person"); ok {
		t.Error(`FindClass("person") found a class: class names are case-sensitive, as in iTop`)
	}
	person, _ := desk.FindClass("Person")
	for name, want := range map[string]desk.AttributeType{"phone": desk.TypePhone, "mobile_phone": desk.TypePhone,
		"home_phone": desk.TypePhone, "email": desk.TypeEmail, "org_id": desk.TypeExtKey, "friendlyname": desk.TypeString} {
		if a, ok := person.Attribute(name); !ok || a.Type != want {
			t.Errorf("Person.%s = %+v, want type %s", name, a, want)
		}
	}
	if a, _ := person.Attribute("org_name"); a.Writable() {
		t.Error("Person.org_name is writable; derived attributes are not")
	}
	for _, c := range desk.Classes() {
		if _, ok := c.Attribute("friendlyname"); !ok {
			t.Errorf("%s has no friendlyname", c.Name)
		}
		for _, a := range c.Attributes {
			if a.Type == desk.TypeExtKey {
				if _, ok := desk.FindClass(a.Target); !ok {
					t.Errorf("%s.%s points to unknown class %q", c.Name, a.Name, a.Target)
				}
			}
			if a.Type == desk.TypeEnum && len(a.Values) == 0 {
				t.Errorf("%s.%s is an enum without values", c.Name, a.Name)
			}
		}
	}
}

// TestClassesForITop checks what the query language needs of every class:
// its finalclass, how it belongs to organizations, and iTop's statuses.
func TestClassesForITop(t *testing.T) {
	for _, c := range desk.Classes() {
		if a, ok := c.Attribute("finalclass"); !ok || !a.QueryOnly || !slices.Equal(a.Values, c.Kinds) {
			t.Errorf("%s.finalclass = %+v, want the class's kinds", c.Name, a)
		}
		scoped := slices.ContainsFunc(c.Attributes, func(a desk.Attribute) bool { return a.Scope })
		if _, hasOrg := c.Attribute("org_id"); !scoped && !hasOrg && c.Name != desk.ClassPhoneCall {
			t.Errorf("%s says neither by which attribute it belongs to organizations nor has org_id", c.Name)
		}
	}
	org, _ := desk.FindClass(desk.ClassOrganization)
	if a, _ := org.Attribute("parent_id"); !a.Hierarchical || a.Target != desk.ClassOrganization {
		t.Errorf("Organization.parent_id = %+v, want the organizations' tree", a)
	}
	ur, _ := desk.FindClass(desk.KindUserRequest)
	status, _ := ur.Attribute("status")
	for _, s := range []string{"new", "escalated_tto", "assigned", "escalated_ttr", "waiting_for_approval", "approved", "rejected",
		"pending", "dispatched", "redispatched", "resolved", "closed"} {
		kept, ok := desk.TicketStatusOf(s)
		if !ok || !slices.Contains(desk.TicketStatuses, kept) || !slices.Contains(status.Values, s) && !slices.Contains(status.Foreign, s) {
			t.Errorf("iTop's UserRequest status %s: kept as %q (%v), known to queries: %v", s, kept, ok, status.Foreign)
		}
	}
	for s := range desk.ITopTicketStatuses {
		if slices.Contains(desk.TicketStatuses, s) {
			t.Errorf("%s is ctidesk's own status, not only iTop's", s)
		}
	}
	if _, ok := desk.TicketStatusOf("escalated"); ok {
		t.Error(`TicketStatusOf("escalated") found a status`)
	}
}

// TestClassesCoverTypes checks that every field of the domain types is an
// attribute of its class, so that a field added without its oql tag fails
// here rather than being invisible to queries and configuration.
func TestClassesCoverTypes(t *testing.T) {
	for _, tt := range []struct {
		class  string
		v      any
		except []string
	}{
		{"Organization", desk.Organization{}, nil},
		{"Location", desk.Location{}, nil},
		{"Person", desk.Person{}, nil},
		{"Ticket", desk.Ticket{}, []string{"kind", "phone_time"}},
		{"PhoneCall", desk.PhoneCall{}, nil},
	} {
		c, _ := desk.FindClass(tt.class)
		typ := reflect.TypeOf(tt.v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if slices.Contains(tt.except, name) {
				continue
			}
			if _, ok := c.Attribute(name); !ok {
				t.Errorf("%s field %s (%s) is not an attribute of class %s", typ.Name(), typ.Field(i).Name, name, tt.class)
			}
		}
	}
}
