package demo_test

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// memory is an in-memory stand-in for the store, enough for Load and
// ResetPasswords: it validates, numbers and keeps copies of what it gets, so
// the generators can be checked without a database.
type memory struct {
	mu       sync.Mutex
	orgs     []*desk.Organization
	locs     []*desk.Location
	persons  []*desk.Person
	tickets  []*desk.Ticket
	calls    []*desk.PhoneCall
	users    []*desk.User
	batches  int // CreatePersons calls
	progress []string
}

func (m *memory) services() desk.Services {
	return desk.Services{
		Organizations: memOrgs{m: m},
		Locations:     memLocs{m: m},
		Persons:       memPersons{m: m},
		Tickets:       memTickets{m: m},
		PhoneCalls:    memCalls{m: m},
		Users:         memUsers{m: m},
	}
}

func notFound() error { return desk.Errorf(desk.ENOTFOUND, "Not found.") }

func byID[T any](items []*T, id int64) *T {
	if id < 1 || int(id) > len(items) {
		return nil
	}
	return items[id-1]
}

// Embedding the interfaces satisfies them; a method Load is not meant to
// call panics on the nil interface.
type memOrgs struct {
	desk.OrganizationService
	m *memory
}

func (s memOrgs) CreateOrganization(_ context.Context, o *desk.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	for _, x := range s.m.orgs {
		if x.Name == o.Name {
			return desk.Errorf(desk.ECONFLICT, "Organization %q exists.", o.Name)
		}
	}
	o.ID = int64(len(s.m.orgs) + 1)
	c := *o
	s.m.orgs = append(s.m.orgs, &c)
	return nil
}

func (s memOrgs) FindOrganizationByID(_ context.Context, id int64) (*desk.Organization, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if o := byID(s.m.orgs, id); o != nil {
		c := *o
		return &c, nil
	}
	return nil, notFound()
}

type memLocs struct {
	desk.LocationService
	m *memory
}

func (s memLocs) CreateLocation(_ context.Context, l *desk.Location) error {
	if err := l.Validate(); err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if byID(s.m.orgs, l.OrgID) == nil {
		return desk.FieldErrorf("org_id", "No organization %d.", l.OrgID)
	}
	l.ID = int64(len(s.m.locs) + 1)
	c := *l
	s.m.locs = append(s.m.locs, &c)
	return nil
}

type memPersons struct {
	desk.PersonService
	m *memory
}

func (s memPersons) CreatePersons(_ context.Context, persons []*desk.Person, progress func(int)) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.batches++
	for i, p := range persons {
		if err := p.Validate(); err != nil {
			return err
		}
		if byID(s.m.orgs, p.OrgID) == nil {
			return desk.FieldErrorf("org_id", "No organization %d.", p.OrgID)
		}
		if l := byID(s.m.locs, p.LocationID); p.LocationID != 0 && (l == nil || l.OrgID != p.OrgID) {
			return desk.FieldErrorf("location_id", "Location %d is not of organization %d.", p.LocationID, p.OrgID)
		}
		p.ID = int64(len(s.m.persons) + 1)
		c := *p
		s.m.persons = append(s.m.persons, &c)
		if progress != nil && (i+1)%1000 == 0 {
			progress(i + 1)
		}
	}
	return nil
}

func (s memPersons) FindPersonByID(_ context.Context, id int64) (*desk.Person, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if p := byID(s.m.persons, id); p != nil {
		c := *p
		return &c, nil
	}
	return nil, notFound()
}

type memTickets struct {
	desk.TicketService
	m *memory
}

func (s memTickets) CreateTickets(_ context.Context, tickets []*desk.Ticket, progress func(int)) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	for _, t := range tickets {
		if err := t.Validate(); err != nil {
			return err
		}
		if byID(s.m.orgs, t.OrgID) == nil || byID(s.m.persons, t.CallerID) == nil ||
			t.AgentID != 0 && byID(s.m.persons, t.AgentID) == nil {
			return desk.Errorf(desk.EINVALID, "Bad reference in ticket %q.", t.Title)
		}
		t.ID = int64(len(s.m.tickets) + 1)
		t.Ref = desk.TicketRef(t.Kind, t.ID)
		c := *t
		s.m.tickets = append(s.m.tickets, &c)
	}
	if progress != nil {
		progress(len(tickets))
	}
	return nil
}

type memCalls struct {
	desk.PhoneCallService
	m *memory
}

func (s memCalls) CreatePhoneCall(_ context.Context, c *desk.PhoneCall) error {
	if err := c.Validate(); err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if byID(s.m.tickets, c.TicketID) == nil || byID(s.m.persons, c.AgentID) == nil {
		return desk.Errorf(desk.EINVALID, "Bad reference in phone call.")
	}
	c.ID = int64(len(s.m.calls) + 1)
	cc := *c
	s.m.calls = append(s.m.calls, &cc)
	return nil
}

type memUsers struct {
	desk.UserService
	m *memory
}

func (s memUsers) FindUserByLogin(_ context.Context, login string) (*desk.User, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	for _, u := range s.m.users {
		if u.Login == login {
			c := *u
			if p := byID(s.m.persons, u.ContactID); p != nil {
				c.ContactName = p.FriendlyName()
			}
			return &c, nil
		}
	}
	return nil, notFound()
}

func (s memUsers) CreateUser(_ context.Context, u *desk.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if byID(s.m.persons, u.ContactID) == nil {
		return desk.FieldErrorf("contact_id", "No person %d.", u.ContactID)
	}
	u.ID = int64(len(s.m.users) + 1)
	c := *u
	s.m.users = append(s.m.users, &c)
	return nil
}

func (s memUsers) UpdateUser(_ context.Context, id int64, upd desk.UserUpdate) (*desk.User, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	u := byID(s.m.users, id)
	if u == nil {
		return nil, notFound()
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
	}
	c := *u
	return &c, nil
}

// sortedKeys returns the keys of a map in order, for stable messages.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
