package desk

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// AttributeType is the type of a class attribute, as the query language and
// the telephony configuration see it.
type AttributeType string

// Attribute types.
const (
	TypeID       AttributeType = "id"       // the object's own id
	TypeString   AttributeType = "string"   // one line of text
	TypeText     AttributeType = "text"     // several lines of text
	TypeEmail    AttributeType = "email"    // an email address
	TypePhone    AttributeType = "phone"    // a phone number, compared by number matching (docs/configuration.md, phone)
	TypeEnum     AttributeType = "enum"     // one of Values
	TypeInt      AttributeType = "int"      // an integer; Values, when set, lists the allowed ones
	TypeDateTime AttributeType = "datetime" // a date and time
	TypeExtKey   AttributeType = "extkey"   // the id of an object of Target
	TypeLog      AttributeType = "log"      // an append-only list of entries
)

// Attribute describes one attribute of a class.
type Attribute struct {
	Name string
	Type AttributeType
	// Target is the class an external key points to.
	Target string
	// Values lists the allowed values of an enum, or of a bounded int.
	Values []string
	// Kinds lists the kinds of an abstract class that have the attribute;
	// nil means all of them.
	Kinds []string
	// Foreign lists values that iTop's attribute has and ctidesk never
	// stores (the statuses of iTop's lifecycles that ctidesk's lacks): a
	// query may name them, and no object has them.
	Foreign []string
	// Order is the attribute's rank in the natural order of the class's
	// objects, from 1; negative for a descending order. Without any, the
	// objects come by name.
	Order int
	// Derived attributes are computed (friendlyname, org_name...): they can
	// be read and compared, never set.
	Derived bool
	// Required attributes must be set on creation.
	Required bool
	// ReadOnly attributes are set by ctidesk itself (ref, last_update).
	ReadOnly bool
	// Hierarchical marks an external key to the attribute's own class that
	// makes a tree (Organization.parent_id): a query's BELOW and ABOVE
	// follow it.
	Hierarchical bool
	// Naming attributes make the friendly name of an object, in their order
	// (a person's first name and name); without any, its name.
	Naming bool
	// Scope marks the attribute by which an object belongs to organizations,
	// to limit a reader to his: an organization's own id, or an external key
	// to an organization or to an object that belongs to one. Without it, the
	// class's org_id.
	Scope bool
	// QueryOnly attributes are the names iTop's queries use for what ctidesk
	// computes from other attributes (finalclass, operational_status...):
	// queries compare them, objects do not carry them.
	QueryOnly bool
}

// Writable reports whether a preset or an update may set the attribute.
func (a Attribute) Writable() bool {
	return !a.Derived && !a.ReadOnly && a.Type != TypeID
}

// Class describes a class of objects: its attributes, and for an abstract
// class the concrete kinds it stands for.
type Class struct {
	Name string
	// Abstract classes (Ticket) cannot be created; querying one selects
	// every one of its Kinds.
	Abstract bool
	// Kinds are the concrete classes the class covers: its own name for a
	// concrete class.
	Kinds []string
	// Parent is the abstract class a kind belongs to (Ticket), or "".
	Parent     string
	Attributes []Attribute
}

// Attribute returns the attribute name of the class.
func (c *Class) Attribute(name string) (Attribute, bool) {
	for _, a := range c.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// AttributeNames lists the class's attribute names in their order.
func (c *Class) AttributeNames() []string {
	names := make([]string, len(c.Attributes))
	for i, a := range c.Attributes {
		names[i] = a.Name
	}
	return names
}

// Is reports whether the class is name or one of its kinds is: a UserRequest
// is a Ticket.
func (c *Class) Is(name string) bool { return c.Name == name || c.Parent == name }

// FindClass returns the class named name (case-sensitive, as in iTop).
func FindClass(name string) (*Class, bool) {
	for _, c := range Classes() {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// ClassNames lists every class name: the abstract classes before their kinds.
func ClassNames() []string {
	var names []string
	for _, c := range Classes() {
		names = append(names, c.Name)
	}
	return names
}

// Classes returns the metadata of every class the query language and the
// configuration know. It is read from the `oql` tags of the domain types, so
// that the types and the metadata cannot disagree; do not modify the result.
var Classes = sync.OnceValue(func() []*Class {
	ticketEnums := map[string][]string{"status": TicketStatuses, "origin": TicketOrigins, "priority": levelValues(),
		"urgency": levelValues(), "impact": levelValues()}
	statusEnums := map[string][]string{"status": {StatusActive, StatusInactive}}
	classes := []*Class{
		classOf(ClassOrganization, Organization{}, statusEnums),
		classOf(ClassLocation, Location{}, nil),
		classOf(ClassPerson, Person{}, statusEnums),
		classOf(ClassTeam, Team{}, statusEnums),
		teamMemberClass(),
		classOf(ClassPhoneCall, PhoneCall{}, map[string][]string{"flow": {FlowInbound, FlowOutbound}}),
	}
	ticket := classOf(ClassTicket, Ticket{}, ticketEnums)
	ticket.Abstract, ticket.Kinds = true, TicketKinds
	ticket.Attributes = append(ticket.Attributes, iTopTicketAttributes()...)
	for i, a := range ticket.Attributes {
		if a.Name == "status" {
			ticket.Attributes[i].Foreign = slices.Sorted(maps.Keys(ITopTicketStatuses))
		}
	}
	classes = append(classes, ticket)
	for _, kind := range TicketKinds {
		k := &Class{Name: kind, Kinds: []string{kind}, Parent: ClassTicket}
		for _, a := range ticket.Attributes {
			if a.Kinds == nil || slices.Contains(a.Kinds, kind) {
				a.Kinds = nil
				k.Attributes = append(k.Attributes, a)
			}
		}
		classes = append(classes, k)
	}
	for _, c := range classes {
		c.Attributes = append(c.Attributes, Attribute{Name: "finalclass", Type: TypeEnum, Derived: true, QueryOnly: true,
			Values: c.Kinds})
	}
	return classes
})

// teamMemberClass is lnkPersonToTeam, with role_name, iTop's name for the
// role a query compares (iTop's role_id points to a contact type, which
// ctidesk does not have: the role is its name).
func teamMemberClass() *Class {
	c := classOf(ClassTeamMember, TeamMember{}, nil)
	c.Attributes = append(c.Attributes, Attribute{Name: "role_name", Type: TypeString, Derived: true, QueryOnly: true})
	return c
}

// iTopTicketAttributes are the attributes of iTop's tickets that ctidesk
// computes from its own, for the queries written for iTop: creation_date is
// a change's start_date, operational_status sums up the status (ongoing,
// resolved, closed), and escalation_flag is "no", as ctidesk escalates no
// ticket.
func iTopTicketAttributes() []Attribute {
	return []Attribute{
		{Name: "creation_date", Type: TypeDateTime, Derived: true, QueryOnly: true, Kinds: []string{KindChange}},
		{Name: "operational_status", Type: TypeEnum, Derived: true, QueryOnly: true, Values: OperationalStatuses},
		{Name: "escalation_flag", Type: TypeEnum, Derived: true, QueryOnly: true, Values: []string{"yes", "no"},
			Kinds: []string{KindUserRequest, KindIncident}},
	}
}

func levelValues() []string {
	var out []string
	for _, l := range TicketLevels {
		out = append(out, strconv.Itoa(l))
	}
	return out
}

// classOf reads the attributes of a class from the `oql` tags of the fields
// of its type, named by their `json` tags: `oql:"type[=target][,derived]
// [,required][,readonly][,kinds=A|B][,hierarchical][,naming][,order=N]
// [,scope]"`. Every class also gets friendlyname, the name iTop shows for an
// object, and finalclass, the class of the object.
func classOf(name string, v any, enums map[string][]string) *Class {
	c := &Class{Name: name, Kinds: []string{name}}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		f := t.Field(i)
		spec, ok := f.Tag.Lookup("oql")
		if !ok {
			continue
		}
		a := Attribute{Name: strings.Split(f.Tag.Get("json"), ",")[0]}
		for j, part := range strings.Split(spec, ",") {
			key, value, _ := strings.Cut(part, "=")
			switch {
			case j == 0:
				a.Type, a.Target = AttributeType(key), value
			case key == "derived":
				a.Derived = true
			case key == "required":
				a.Required = true
			case key == "readonly":
				a.ReadOnly = true
			case key == "kinds":
				a.Kinds = strings.Split(value, "|")
			case key == "hierarchical":
				a.Hierarchical = true
			case key == "naming":
				a.Naming = true
			case key == "scope":
				a.Scope = true
			case key == "order":
				n, err := strconv.Atoi(value)
				if err != nil || n == 0 {
					panic(fmt.Sprintf("desk: field %s.%s: order=%q is not a rank", t.Name(), f.Name, value))
				}
				a.Order = n
			default:
				panic(fmt.Sprintf("desk: field %s.%s: unknown oql tag part %q", t.Name(), f.Name, part))
			}
		}
		a.Values = enums[a.Name]
		if a.Type == TypeEnum && a.Values == nil {
			panic(fmt.Sprintf("desk: field %s.%s: enum without values", t.Name(), f.Name))
		}
		c.Attributes = append(c.Attributes, a)
		if a.Type == TypeID {
			c.Attributes = append(c.Attributes, Attribute{Name: "friendlyname", Type: TypeString, Derived: true})
		}
	}
	return c
}
