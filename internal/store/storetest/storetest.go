// Package storetest is the test suite of the store, independent of the
// database behind it: the SQLite tests (TestSQLite) and the PostgreSQL ones
// (TestPostgres) run it.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/store"
)

// Start is the time the fixed clock of the suite starts at.
var Start = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// Run runs the suite. open must return a new, migrated, empty database, and
// close it when the test ends.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) *store.DB)
	}{
		{"Migrate", testMigrate},
		{"Organization", testOrganization},
		{"Location", testLocation},
		{"Person", testPerson},
		{"PersonManager", testPersonManager},
		{"PersonNumberSearch", testPersonNumberSearch},
		{"PersonBatch", testPersonBatch},
		{"Caller", testCaller},
		{"Query", testQuery},
		{"ImportPersons", testImportPersons},
		{"ImportScope", testImportScope},
		{"ImportBatches", testImportBatches},
		{"ImportLaterRow", testImportLaterRow},
		{"ImportEmpty", testImportEmpty},
		{"ImportEmptyFails", testImportEmptyFails},
		{"ImportOrganizations", testImportOrganizations},
		{"Ticket", testTicket},
		{"TicketLog", testTicketLog},
		{"TicketBatch", testTicketBatch},
		{"TicketList", testTicketList},
		{"PhoneCall", testPhoneCall},
		{"Scope", testScope},
		{"Rights", testRights},
		{"User", testUser},
		{"Session", testSession},
		{"UserDisable", testUserDisable},
		{"LoginFailures", testLoginFailures},
		{"Token", testToken},
		{"Call", testCall},
		{"StaleCalls", testStaleCalls},
		{"Telephony", testTelephony},
		{"Atomically", testAtomically},
		{"PopNote", testPopNote},
		{"QueueTargets", testQueueTargets},
		{"Teams", testTeams},
		{"Callbacks", testCallbacks},
		{"Stats", testStats},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Persons returns n generated persons of organization orgID, for batch tests
// and benchmarks. Person i has the phone "+1 (646) DDD-DDDD" with the last
// seven digits of i, employee number E + i on seven digits, and every other
// one a mobile phone.
func Persons(n int, orgID int64) []*desk.Person {
	first := []string{"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken"}
	last := []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"}
	persons := make([]*desk.Person, n)
	for i := range persons {
		h := uint32(i) * 2654435761 // spread the names over the index
		p := &desk.Person{
			FirstName:      first[h%uint32(len(first))],
			Name:           fmt.Sprintf("%s %d", last[(h>>8)%uint32(len(last))], h%1000),
			OrgID:          orgID,
			Email:          fmt.Sprintf("person%d@example.com", i),
			Phone:          fmt.Sprintf("+1 (646) %03d-%04d", i/10000%1000, i%10000),
			EmployeeNumber: fmt.Sprintf("E%07d", i),
		}
		if i%2 == 0 {
			p.MobilePhone = fmt.Sprintf("+33 6 %02d %02d %02d %02d", h%100, h/100%100, h/10000%100, h/1000000%100)
		}
		persons[i] = p
	}
	return persons
}

// fixture is a database with two customer organizations, A and B, a provider
// organization P whose persons are the agents, and a user of every kind.
type fixture struct {
	db  *store.DB
	now time.Time

	sys, admin, agent, viewer, scoped, anon context.Context
	adminUser, agentUser, viewerUser        *desk.User
	scopedUser                              *desk.User

	orgA, orgB, orgP *desk.Organization
	locA, locB       *desk.Location
	// alice is in A, bob in B; agentP is the agent user's contact (in P),
	// scopedP the scoped user's (in A).
	alice, bob, agentP, scopedP *desk.Person
}

func newFixture(t *testing.T, open func(t *testing.T) *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: open(t), now: Start}
	f.db.Now = func() time.Time { return f.now }
	f.sys = desk.NewSystemContext(context.Background())
	f.anon = context.Background()

	f.orgA = f.org(t, "Alpha Corp")
	f.orgB = f.org(t, "Beta Inc")
	f.orgP = f.org(t, "Provider")
	f.locA = &desk.Location{Name: "Alpha HQ", OrgID: f.orgA.ID, Address: "1 Main St"}
	must(t, f.db.CreateLocation(f.sys, f.locA))
	f.locB = &desk.Location{Name: "Beta HQ", OrgID: f.orgB.ID}
	must(t, f.db.CreateLocation(f.sys, f.locB))

	f.alice = f.person(t, &desk.Person{FirstName: "Alice", Name: "Martin", OrgID: f.orgA.ID, LocationID: f.locA.ID,
		Email: "alice@alpha.example", Phone: "+1 (212) 555-0100", MobilePhone: "06 12 34 56 78", EmployeeNumber: "A-1001"})
	f.bob = f.person(t, &desk.Person{FirstName: "Bob", Name: "Durand", OrgID: f.orgB.ID, Email: "bob@beta.example",
		Phone: "+1 (415) 555-0199"})
	f.agentP = f.person(t, &desk.Person{FirstName: "Ann", Name: "Agent", OrgID: f.orgP.ID})
	f.scopedP = f.person(t, &desk.Person{FirstName: "Sam", Name: "Scoped", OrgID: f.orgA.ID})

	f.adminUser = f.user(t, &desk.User{Login: "admin", Roles: []string{desk.RoleAdmin}})
	f.agentUser = f.user(t, &desk.User{Login: "agent", Roles: []string{desk.RoleAgent}, ContactID: f.agentP.ID})
	f.viewerUser = f.user(t, &desk.User{Login: "viewer", Roles: []string{desk.RoleViewer}})
	f.scopedUser = f.user(t, &desk.User{Login: "scoped", Roles: []string{desk.RoleAgent}, ContactID: f.scopedP.ID,
		AllowedOrgIDs: []int64{f.orgA.ID}})
	f.admin = desk.NewContextWithUser(context.Background(), f.adminUser)
	f.agent = desk.NewContextWithUser(context.Background(), f.agentUser)
	f.viewer = desk.NewContextWithUser(context.Background(), f.viewerUser)
	f.scoped = desk.NewContextWithUser(context.Background(), f.scopedUser)
	return f
}

func (f *fixture) org(t *testing.T, name string) *desk.Organization {
	t.Helper()
	o := &desk.Organization{Name: name}
	must(t, f.db.CreateOrganization(f.sys, o))
	return o
}

func (f *fixture) person(t *testing.T, p *desk.Person) *desk.Person {
	t.Helper()
	must(t, f.db.CreatePerson(f.sys, p))
	return p
}

func (f *fixture) user(t *testing.T, u *desk.User) *desk.User {
	t.Helper()
	u.PasswordHash = "not a real hash"
	must(t, f.db.CreateUser(f.sys, u))
	return u
}

func (f *fixture) ticket(t *testing.T, ctx context.Context, tk *desk.Ticket) *desk.Ticket {
	t.Helper()
	must(t, f.db.CreateTicket(ctx, tk))
	return tk
}

// advance moves the clock on.
func (f *fixture) advance(d time.Duration) time.Time {
	f.now = f.now.Add(d)
	return f.now
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err has the desk code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := desk.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// wantField fails unless err is EINVALID on field.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	wantCode(t, err, desk.EINVALID)
	if got := desk.ErrorField(err); got != field {
		t.Fatalf("error field = %q (%v), want %q", got, err, field)
	}
}

func ptr[T any](v T) *T { return &v }

// ids returns the ids of the objects.
func ids[T any](objs []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, o := range objs {
		out = append(out, id(o))
	}
	return out
}

func personIDs(ps []*desk.Person) []int64 { return ids(ps, func(p *desk.Person) int64 { return p.ID }) }
func ticketIDs(ts []*desk.Ticket) []int64 { return ids(ts, func(t *desk.Ticket) int64 { return t.ID }) }
func callIDs(cs []*desk.PhoneCall) []int64 {
	return ids(cs, func(c *desk.PhoneCall) int64 { return c.ID })
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wantIDs fails unless got lists want, in order.
func wantIDs(t testing.TB, what string, got, want []int64) {
	t.Helper()
	if !equalIDs(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func testMigrate(t *testing.T, open func(t *testing.T) *store.DB) {
	db := open(t)
	ctx := context.Background()
	empty, err := db.IsEmpty(ctx)
	must(t, err)
	if !empty {
		t.Fatal("IsEmpty of a new database = false")
	}
	must(t, db.Migrate(ctx)) // again: nothing to do
	s := db.Services()
	if s.Organizations == nil || s.Locations == nil || s.Persons == nil || s.Tickets == nil || s.PhoneCalls == nil ||
		s.Users == nil || s.Sessions == nil || s.Callers == nil || s.Tokens == nil {
		t.Fatalf("Services() = %+v, want every service", s)
	}
	must(t, db.CreateOrganization(desk.NewSystemContext(ctx), &desk.Organization{Name: "One"}))
	must(t, db.Migrate(ctx))
	if empty, err := db.IsEmpty(ctx); err != nil || empty {
		t.Fatalf("IsEmpty with an organization = %v, %v; want false", empty, err)
	}
}

// english returns the message of err as an English reader reads it.
func english(err error) string {
	return locale.MustLoad().Printer(locale.English).Error(err)
}
