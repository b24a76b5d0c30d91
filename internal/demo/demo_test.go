package demo_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/demo"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// dataset is what a load left behind, read back from the store, or what Load
// asked the store to create.
type dataset struct {
	orgs    []*desk.Organization
	locs    []*desk.Location
	persons []*desk.Person
	tickets []*desk.Ticket // with their logs
	calls   []*desk.PhoneCall
}

// digestParts are the parts of a dataset that digest hashes.
var digestParts = []string{"organizations", "persons", "tickets", "phone calls"}

// TestLoad loads the default demo three times side by side, each in its own
// database: a, which the read-only subtests share; b, its twin, to compare
// with and to reset the passwords of; c, with fewer tickets.
func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := desk.NewSystemContext(context.Background())
	loads := loadAll(t, demo.Options{}, demo.Options{}, demo.Options{Tickets: 100})
	a, b, c := loads[0], loads[1], loads[2]
	d := readDataset(t, ctx, a.db.Services())
	checkDataset(t, d, demo.DefaultPersons, demo.DefaultTickets)

	t.Run("Progress", func(t *testing.T) {
		t.Parallel()
		want := []string{"organizations", "persons", "teams", "tickets", "phone calls", "users", "call log"}
		if !slices.Equal(a.stages, want) {
			t.Errorf("stages = %q, want %q", a.stages, want)
		}
	})

	t.Run("SameAsTheGenerators", func(t *testing.T) {
		t.Parallel()
		sent := a.rec.dataset()
		for _, part := range digestParts {
			if got, want := d.digest(part), sent.digest(part); got != want {
				t.Errorf("%s in the store differ from those generated: digest %s, want %s", part, got, want)
			}
		}
	})

	t.Run("Logins", func(t *testing.T) {
		t.Parallel()
		checkLogins(t, a.logins)
		persons, deskID := d.personByID(), d.deskOrg().ID
		for _, l := range a.logins {
			u, err := a.db.FindUserByLogin(ctx, l.Login)
			if err != nil {
				t.Fatalf("FindUserByLogin(%s): %v", l.Login, err)
			}
			if !u.CheckPassword(l.Password) {
				t.Errorf("%s: password %q does not match the stored hash", l.Login, l.Password)
			}
			if !u.HasRole(l.Role) {
				t.Errorf("%s: roles %v, want %s", l.Login, u.Roles, l.Role)
			}
			if contact := persons[u.ContactID]; contact == nil || contact.OrgID != deskID {
				t.Errorf("%s: contact %d is not of the service desk", l.Login, u.ContactID)
			}
			switch l.Login {
			case "scoped":
				if len(u.AllowedOrgIDs) != 1 || u.AllowedOrgIDs[0] == deskID {
					t.Errorf("scoped: allowed organizations %v, want one customer", u.AllowedOrgIDs)
				}
			default:
				if len(u.AllowedOrgIDs) != 0 {
					t.Errorf("%s: allowed organizations %v, want all", l.Login, u.AllowedOrgIDs)
				}
			}
		}
	})

	t.Run("Teams", func(t *testing.T) {
		t.Parallel()
		teams, total, err := a.db.FindTeams(ctx, desk.TeamFilter{Limit: 1000})
		if err != nil || total != 2*len(d.orgs) {
			t.Fatalf("%d teams (%v), want a Service desk and a Network per organization (%d)", total, err, 2*len(d.orgs))
		}
		assigned := 0
		for _, tk := range d.tickets {
			if tk.TeamID != 0 {
				assigned++
			}
		}
		if assigned < len(d.tickets)/2 || assigned == len(d.tickets) {
			t.Errorf("%d of %d tickets assigned to a team, want about two in three", assigned, len(d.tickets))
		}
		agent, err := a.db.FindUserByLogin(ctx, "agent")
		if err != nil {
			t.Fatal(err)
		}
		mine, _, err := a.db.FindTeams(ctx, desk.TeamFilter{MemberID: &agent.ContactID, Limit: 1000})
		if err != nil || len(mine) != len(d.orgs) || mine[0].Name != demo.TeamServiceDesk || teams[0].MemberCount < 2 {
			t.Errorf("the agent's teams: %d (%v), want every Service desk", len(mine), err)
		}
		queue, err := a.db.FindQueueAgents(ctx, demo.QueueSupport)
		if err != nil || len(queue) != 3 {
			t.Errorf("queue support rings %d users (%v), want the service desk's three", len(queue), err)
		}
	})

	t.Run("Scoped", func(t *testing.T) {
		t.Parallel()
		u, err := a.db.FindUserByLogin(ctx, "scoped")
		if err != nil {
			t.Fatal(err)
		}
		if len(u.AllowedOrgIDs) != 1 {
			t.Fatalf("scoped: allowed organizations %v, want one", u.AllowedOrgIDs)
		}
		org := u.AllowedOrgIDs[0]
		sctx := desk.NewContextWithUser(context.Background(), u)
		persons := page(t, func(o, l int) ([]*desk.Person, int, error) {
			return a.db.FindPersons(sctx, desk.PersonFilter{Offset: o, Limit: l})
		})
		tickets := page(t, func(o, l int) ([]*desk.Ticket, int, error) {
			return a.db.FindTickets(sctx, desk.TicketFilter{Offset: o, Limit: l})
		})
		var wantPersons, wantTickets int
		var other *desk.Person
		for _, p := range d.persons {
			if p.OrgID == org {
				wantPersons++
			} else if other == nil {
				other = p
			}
		}
		for _, tk := range d.tickets {
			if tk.OrgID == org {
				wantTickets++
			}
		}
		if len(persons) != wantPersons || len(tickets) != wantTickets || wantPersons == 0 || wantTickets == 0 {
			t.Errorf("scoped sees %d persons and %d tickets, want %d and %d", len(persons), len(tickets), wantPersons, wantTickets)
		}
		for _, p := range persons {
			if p.OrgID != org {
				t.Errorf("scoped sees person %s of organization %d", p.FriendlyName(), p.OrgID)
			}
		}
		for _, tk := range tickets {
			if tk.OrgID != org {
				t.Errorf("scoped sees ticket %s of organization %d", tk.Ref, tk.OrgID)
			}
		}
		if p, err := a.db.FindPersonByID(sctx, other.ID); err == nil {
			t.Errorf("scoped reads person %s of organization %d", p.FriendlyName(), p.OrgID)
		}
	})

	t.Run("LoadTwice", func(t *testing.T) {
		t.Parallel()
		_, err := demo.Load(ctx, a.db.Services(), demo.Options{})
		if got := desk.ErrorCode(err); got != desk.ECONFLICT {
			t.Errorf("second Load: code %q (%v), want %q", got, err, desk.ECONFLICT)
		}
		want := [5]int{len(d.orgs), len(d.locs), len(d.persons), len(d.tickets), len(d.calls)}
		if got := counts(t, ctx, a.db.Services()); got != want {
			t.Errorf("second Load wrote: organizations, locations, persons, tickets, phone calls = %v, want %v", got, want)
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		t.Parallel()
		other := readDataset(t, ctx, b.db.Services())
		for _, part := range digestParts {
			if got, want := other.digest(part), d.digest(part); got != want {
				t.Errorf("%s differ between two loads: digest %s, want %s", part, got, want)
			}
		}
		if a.logins[0].Password == b.logins[0].Password {
			t.Errorf("two loads gave the same password %q", a.logins[0].Password)
		}
	})

	t.Run("TicketCountKeepsPersons", func(t *testing.T) {
		t.Parallel()
		fewer := readDataset(t, ctx, c.db.Services())
		if got, want := fewer.digest("persons"), d.digest("persons"); got != want {
			t.Errorf("persons depend on the ticket count")
		}
		if got := len(fewer.tickets); got != 100 {
			t.Errorf("tickets = %d, want 100", got)
		}
	})

	// ResetPasswords changes the users of b, which Deterministic does not read.
	t.Run("ResetPasswords", func(t *testing.T) {
		t.Parallel()
		again, err := demo.ResetPasswords(ctx, b.db.Services())
		if err != nil {
			t.Fatal(err)
		}
		checkLogins(t, again)
		for i, l := range again {
			if l.Password == b.logins[i].Password {
				t.Errorf("%s: password unchanged", l.Login)
			}
			u, err := b.db.FindUserByLogin(ctx, l.Login)
			if err != nil {
				t.Fatalf("FindUserByLogin(%s): %v", l.Login, err)
			}
			if !u.CheckPassword(l.Password) || u.CheckPassword(b.logins[i].Password) {
				t.Errorf("%s: after ResetPasswords, the new password works %v, the old one %v", l.Login,
					u.CheckPassword(l.Password), u.CheckPassword(b.logins[i].Password))
			}
		}
		if len(again) == 3 && !strings.Contains(again[2].Description, "Northwind Traders") {
			t.Errorf("scoped description = %q, want its organization named", again[2].Description)
		}
		none, err := demo.ResetPasswords(ctx, MustOpenStore(t).Services())
		if err != nil || len(none) != 0 {
			t.Errorf("ResetPasswords on an empty database = %v, %v; want none", none, err)
		}
	})
}

func checkLogins(t *testing.T, logins []demo.Login) {
	t.Helper()
	var names []string
	for _, l := range logins {
		names = append(names, l.Login+":"+l.Role)
		if len(l.Password) < 12 || !regexp.MustCompile(`^[A-Za-z0-9-]+$`).MatchString(l.Password) {
			t.Errorf("%s: password %q is not 12+ readable characters", l.Login, l.Password)
		}
		if l.Description == "" {
			t.Errorf("%s: no description", l.Login)
		}
	}
	if want := []string{"admin:admin", "agent:agent", "scoped:agent"}; !slices.Equal(names, want) {
		t.Errorf("logins = %q, want %q", names, want)
	}
	if len(logins) == 3 && (logins[0].Password == logins[1].Password || logins[1].Password == logins[2].Password) {
		t.Errorf("passwords repeat: %q", logins)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	ctx := desk.NewSystemContext(context.Background())
	// The three loads run side by side; the subtests check them.
	loads := loadAll(t, demo.Options{Persons: 25_000, Tickets: 20},
		demo.Options{Organizations: 250, Persons: 2000, Tickets: 500},
		demo.Options{Organizations: 5, Persons: 60, Tickets: 40})
	chunks, many, few := loads[0], loads[1], loads[2]
	t.Run("TooFewPersons", func(t *testing.T) {
		t.Parallel()
		db := MustOpenStore(t)
		_, err := demo.Load(ctx, db.Services(), demo.Options{Persons: 10})
		if desk.ErrorCode(err) != desk.EINVALID {
			t.Errorf("Load with 10 persons: %v, want EINVALID", err)
		}
		if got := counts(t, ctx, db.Services()); got != [5]int{} {
			t.Errorf("Load with 10 persons wrote: organizations, locations, persons, tickets, phone calls = %v, want nothing", got)
		}
	})
	t.Run("AtLeast20Organizations", func(t *testing.T) {
		t.Parallel()
		if got := counts(t, ctx, few.db.Services())[0]; got != 20 {
			t.Errorf("organizations = %d, want 20", got)
		}
	})
	t.Run("ManyOrganizations", func(t *testing.T) {
		t.Parallel()
		d := readDataset(t, ctx, many.db.Services())
		if got := len(d.orgs); got != 250 {
			t.Errorf("organizations = %d, want 250", got)
		}
		checkOrganizations(t, d)
		checkPersons(t, d, 2000)
	})
	t.Run("Chunks", func(t *testing.T) {
		t.Parallel()
		if got := chunks.rec.createPersons; got != 3 {
			t.Errorf("CreatePersons calls = %d, want 3 chunks", got)
		}
		checkPersons(t, readDataset(t, ctx, chunks.db.Services()), 25_000)
	})
}

// checkDataset checks everything the demo promises about its data.
// The checks only read d, so they run in parallel.
func checkDataset(t *testing.T, d dataset, persons, tickets int) {
	t.Run("Organizations", func(t *testing.T) { t.Parallel(); checkOrganizations(t, d) })
	t.Run("Persons", func(t *testing.T) { t.Parallel(); checkPersons(t, d, persons) })
	t.Run("PhoneFormats", func(t *testing.T) { t.Parallel(); checkPhoneFormats(t, d) })
	t.Run("Tickets", func(t *testing.T) { t.Parallel(); checkTickets(t, d, tickets) })
	t.Run("PhoneCalls", func(t *testing.T) { t.Parallel(); checkCalls(t, d) })
}

func (d dataset) deskOrg() *desk.Organization {
	for _, o := range d.orgs {
		if o.Name == "IT Service Desk" {
			return o
		}
	}
	return &desk.Organization{}
}

func (d dataset) orgByID() map[int64]*desk.Organization {
	m := map[int64]*desk.Organization{}
	for _, o := range d.orgs {
		m[o.ID] = o
	}
	return m
}

func (d dataset) personByID() map[int64]*desk.Person {
	m := make(map[int64]*desk.Person, len(d.persons))
	for _, p := range d.persons {
		m[p.ID] = p
	}
	return m
}

func checkOrganizations(t *testing.T, d dataset) {
	t.Helper()
	if len(d.orgs) < 20 {
		t.Errorf("organizations = %d, want at least 20", len(d.orgs))
	}
	if d.deskOrg().ID == 0 {
		t.Fatalf("no IT Service Desk organization")
	}
	names, codes, supportIDs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	inactive := 0
	for _, o := range d.orgs {
		if names[o.Name] || codes[o.Code] || o.Code == "" {
			t.Errorf("organization %q: name or code %q repeats or is empty", o.Name, o.Code)
		}
		names[o.Name], codes[o.Code] = true, true
		if o.Status == desk.StatusInactive {
			inactive++
		}
		if o.ID == d.deskOrg().ID {
			continue
		}
		if o.SupportID == "" || supportIDs[o.SupportID] {
			t.Errorf("organization %q: support_id %q empty or repeated", o.Name, o.SupportID)
		}
		supportIDs[o.SupportID] = true
	}
	if inactive == 0 || inactive > len(d.orgs)/4 {
		t.Errorf("inactive organizations = %d, want a few", inactive)
	}
	perOrg := map[int64]int{}
	for _, l := range d.locs {
		perOrg[l.OrgID]++
		if len(l.Address) < 15 || !strings.ContainsAny(l.Address, "0123456789") {
			t.Errorf("location %q: address %q", l.Name, l.Address)
		}
	}
	for _, o := range d.orgs {
		if n := perOrg[o.ID]; n < 1 || n > 3 {
			t.Errorf("organization %q has %d locations, want 1 to 3", o.Name, n)
		}
	}
}

// numberCore returns the digits that number matching compares by suffix:
// extension cut off, international prefix or trunk 0 dropped.
func numberCore(s string) string {
	for _, sep := range []string{";ext=", " ext", " x"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.ReplaceAll(s, "(0)", "")
	var digits []byte
	for _, c := range []byte(s) {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	d := string(digits)
	if strings.HasPrefix(d, "00") {
		d = d[2:]
	} else if strings.HasPrefix(d, "0") {
		d = d[1:]
	}
	return d
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// checkNumbers checks that no two persons' numbers match by the suffix rule
// of number lookup, but for an organization's switchboard, shared by a few
// of its persons as their main phone.
func checkNumbers(t *testing.T, d dataset) {
	t.Helper()
	type held struct {
		rev    string // reversed core: a suffix becomes a prefix
		person *desk.Person
		attr   string
	}
	var all []held
	for _, p := range d.persons {
		for _, n := range p.Numbers() {
			core := numberCore(n.Value)
			if len(core) < 9 {
				t.Errorf("person %s: %s %q is too short", p.FriendlyName(), n.Attribute, n.Value)
			}
			all = append(all, held{reverse(core), p, n.Attribute})
		}
	}
	slices.SortFunc(all, func(a, b held) int { return strings.Compare(a.rev, b.rev) })
	sharers := map[int64]map[int64]bool{} // org -> persons sharing its switchboard
	for i, a := range all {
		for _, b := range all[i+1:] {
			if !strings.HasPrefix(b.rev, a.rev) {
				break
			}
			if a.person.OrgID != b.person.OrgID || a.attr != "phone" || b.attr != "phone" {
				t.Errorf("%s's %s %q and %s's %s %q are the same number", a.person.FriendlyName(), a.attr,
					reverse(a.rev), b.person.FriendlyName(), b.attr, reverse(b.rev))
				continue
			}
			if sharers[a.person.OrgID] == nil {
				sharers[a.person.OrgID] = map[int64]bool{}
			}
			sharers[a.person.OrgID][a.person.ID] = true
			sharers[a.person.OrgID][b.person.ID] = true
		}
	}
	for org, ps := range sharers {
		if len(ps) > 6 {
			t.Errorf("organization %d: %d persons share the switchboard, want at most 6", org, len(ps))
		}
	}
	if len(sharers) < len(d.orgs)/2 {
		t.Errorf("organizations with a shared switchboard = %d, want most of %d", len(sharers), len(d.orgs))
	}
}

// employeeNumber is how every employee number is written.
var employeeNumber = regexp.MustCompile(`^E\d{5,}$`)

func checkPersons(t *testing.T, d dataset, want int) {
	t.Helper()
	if len(d.persons) != want {
		t.Errorf("persons = %d, want %d", len(d.persons), want)
	}
	orgs := d.orgByID()
	locOrg := map[int64]int64{}
	for _, l := range d.locs {
		locOrg[l.ID] = l.OrgID
	}
	deskID := d.deskOrg().ID
	employee, emails := map[string]bool{}, map[string]bool{}
	var accented, agents, none, mobiles, homes, inactive int
	names := map[string]bool{}
	for _, p := range d.persons {
		o := orgs[p.OrgID]
		if o == nil {
			t.Fatalf("person %s: no organization %d", p.FriendlyName(), p.OrgID)
		}
		if locOrg[p.LocationID] != p.OrgID {
			t.Errorf("person %s: location %d is not of organization %d", p.FriendlyName(), p.LocationID, p.OrgID)
		}
		if !employeeNumber.MatchString(p.EmployeeNumber) || employee[p.EmployeeNumber] {
			t.Errorf("person %s: employee number %q bad or repeated", p.FriendlyName(), p.EmployeeNumber)
		}
		employee[p.EmployeeNumber] = true
		if p.SupportID != o.SupportID {
			t.Errorf("person %s: support_id %q, want its organization's %q", p.FriendlyName(), p.SupportID, o.SupportID)
		}
		if p.Email != "" {
			if emails[p.Email] {
				t.Errorf("email %q repeats", p.Email)
			}
			emails[p.Email] = true
		}
		if p.FirstName == "" || p.Function == "" {
			t.Errorf("person %q: first name or function missing", p.FriendlyName())
		}
		if strings.ContainsAny(p.FriendlyName(), "éèüöñçïëåøłś") {
			accented++
		}
		names[p.FriendlyName()] = true
		if p.OrgID == deskID {
			agents++
		}
		if p.Status == desk.StatusInactive {
			inactive++
		}
		nums := p.Numbers()
		if len(nums) == 0 {
			none++
		}
		if p.MobilePhone != "" {
			mobiles++
		}
		if p.HomePhone != "" {
			homes++
		}
	}
	for _, name := range []string{"Hélène Lefèvre", "José Muñoz"} {
		if !names[name] {
			t.Errorf("no person named %s", name)
		}
	}
	checkNumbers(t, d)
	n := len(d.persons)
	for _, c := range []struct {
		what     string
		got      int
		min, max int
	}{
		{"persons with accented names", accented, n / 20, n},
		{"service desk persons", agents, 3, 25},
		{"persons without any number", none, 1, n / 8},
		{"persons with a mobile", mobiles, n / 5, n * 2 / 3},
		{"persons with a home number", homes, n / 50, n / 5},
		{"inactive persons", inactive, 1, n / 10},
	} {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %d, want %d to %d", c.what, c.got, c.min, c.max)
		}
	}
}

// phoneFormats are the ways of writing a number the demo must show.
var phoneFormats = []struct{ example, pattern string }{
	{"+1 (212) 555-0100", `^\+1 \(\d{3}\) 555-01\d\d$`},
	{"212.555.0100", `^\d{3}\.555\.\d{4}$`},
	{"212-555-0142", `^\d{3}-555-\d{4}$`},
	{"(212) 555 0143", `^\(\d{3}\) 555 \d{4}$`},
	{"+12125550144", `^\+1\d{3}555\d{4}$`},
	{"0033 1 23 45 67 89", `^0033 \d( \d\d){4}$`},
	{"01 23 45 67 89", `^0\d( \d\d){4}$`},
	{"+33 (0)1 23 45 67 89", `^\+33 \(0\)\d( \d\d){4}$`},
	{"+33 6 12 34 56 78", `^\+33 6( \d\d){4}$`},
	{"+44 20 7946 0958", `^\+44 20 7946 \d{4}$`},
	{"020 7946 0958", `^020 7946 \d{4}$`},
	{"+49 30 1234567", `^\+49 30 \d{7,8}$`},
	{"030/1234567", `^030/\d{7,8}$`},
	{"+1 212 555 0100 x123", `^\+1 \d{3} 555 \d{4} x\d+$`},
	{"01 23 45 67 89 ext. 45", `^0\d( \d\d){4} ext\. \d+$`},
	{";ext=12", `;ext=\d+$`},
}

func checkPhoneFormats(t *testing.T, d dataset) {
	t.Helper()
	for _, f := range phoneFormats {
		re := regexp.MustCompile(f.pattern)
		found := ""
		for _, p := range d.persons {
			for _, n := range p.Numbers() {
				if re.MatchString(n.Value) {
					found = n.Value
					break
				}
			}
			if found != "" {
				break
			}
		}
		if found == "" {
			t.Errorf("no number written like %s", f.example)
		}
	}
}

func checkTickets(t *testing.T, d dataset, want int) {
	t.Helper()
	if len(d.tickets) != want {
		t.Errorf("tickets = %d, want %d", len(d.tickets), want)
	}
	persons := d.personByID()
	deskID := d.deskOrg().ID
	combos, kinds, origins := map[string]int{}, map[string]int{}, map[string]int{}
	for _, tk := range d.tickets {
		combos[tk.Kind+"/"+tk.Status]++
		kinds[tk.Kind]++
		origins[tk.Origin]++
		where := tk.Ref + " " + tk.Title
		if strings.Contains(tk.Title, "{") || strings.Contains(tk.Description, "{") || tk.Description == "" {
			t.Errorf("%s: template not filled: %q", where, tk.Description)
		}
		caller := persons[tk.CallerID]
		if caller == nil || caller.OrgID != tk.OrgID || caller.OrgID == deskID {
			t.Errorf("%s: caller %d is not a customer of the ticket's organization %d", where, tk.CallerID, tk.OrgID)
		}
		agent := persons[tk.AgentID]
		if tk.Status == desk.TicketNew && tk.AgentID != 0 {
			t.Errorf("%s: new ticket with an agent", where)
		}
		if tk.Status != desk.TicketNew && (agent == nil || agent.OrgID != deskID) {
			t.Errorf("%s: %s ticket without a service desk agent", where, tk.Status)
		}
		if desk.HasLevels(tk.Kind) && (tk.Priority < 1 || tk.Priority > 4) {
			t.Errorf("%s: priority %d", where, tk.Priority)
		}
		if tk.StartDate.Before(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)) || tk.LastUpdate.Before(tk.StartDate) {
			t.Errorf("%s: start %v, last update %v", where, tk.StartDate, tk.LastUpdate)
		}
		if (tk.Status == desk.TicketClosed) != (tk.CloseDate != nil) {
			t.Errorf("%s: status %s with close date %v", where, tk.Status, tk.CloseDate)
		}
		logs := append(slices.Clone(tk.PublicLog), tk.PrivateLog...)
		if len(logs) < 1 || len(logs) > 4 {
			t.Errorf("%s: %d log entries, want 1 to 4", where, len(logs))
		}
		for _, e := range logs {
			if e.Author == "" || e.Date.Before(tk.StartDate) || e.Date.After(tk.LastUpdate) {
				t.Errorf("%s: log entry %+v outside %v..%v or without author", where, e, tk.StartDate, tk.LastUpdate)
			}
		}
	}
	for _, k := range desk.TicketKinds {
		for _, s := range desk.TicketStatuses {
			if combos[k+"/"+s] == 0 {
				t.Errorf("no %s ticket with status %s", k, s)
			}
		}
	}
	if !(kinds[desk.KindUserRequest] > kinds[desk.KindIncident] && kinds[desk.KindIncident] > kinds[desk.KindProblem] &&
		kinds[desk.KindIncident] > kinds[desk.KindChange]) {
		t.Errorf("kinds = %v, want UserRequest most, then Incident, then Problem and Change", kinds)
	}
	for _, o := range desk.TicketOrigins {
		if origins[o] == 0 {
			t.Errorf("no ticket of origin %s", o)
		}
	}
}

func checkCalls(t *testing.T, d dataset) {
	t.Helper()
	tickets := map[int64]*desk.Ticket{}
	for _, tk := range d.tickets {
		tickets[tk.ID] = tk
	}
	flows := map[string]int{}
	for _, c := range d.calls {
		flows[c.Flow]++
		tk := tickets[c.TicketID]
		if tk == nil || c.ContactID != tk.CallerID || c.AgentID == 0 {
			t.Errorf("phone call %d: ticket %d, contact %d, agent %d do not fit", c.ID, c.TicketID, c.ContactID, c.AgentID)
		}
	}
	if flows[desk.FlowInbound] < 10 || flows[desk.FlowOutbound] < 3 {
		t.Errorf("phone calls by flow = %v, want some of each", flows)
	}
}

// digest hashes one part of the data, every attribute but none of the
// store's timestamps, to compare two loads.
func (d dataset) digest(part string) string {
	h := sha256.New()
	switch part {
	case "organizations":
		for _, o := range d.orgs {
			fmt.Fprintf(h, "%d|%s|%s|%s|%s\n", o.ID, o.Name, o.Code, o.Status, o.SupportID)
		}
		for _, l := range d.locs {
			fmt.Fprintf(h, "%d|%s|%d|%s\n", l.ID, l.Name, l.OrgID, l.Address)
		}
	case "persons":
		for _, p := range d.persons {
			fmt.Fprintf(h, "%d|%s|%s|%d|%d|%s|%s|%s|%s|%s|%s|%s|%s\n", p.ID, p.FirstName, p.Name, p.OrgID, p.LocationID,
				p.Email, p.Phone, p.MobilePhone, p.HomePhone, p.EmployeeNumber, p.SupportID, p.Function, p.Status)
		}
	case "tickets":
		for _, tk := range d.tickets {
			fmt.Fprintf(h, "%d|%s|%s|%s|%s|%d|%d|%d|%s|%s|%d|%d|%d|%s|%s|", tk.ID, tk.Kind, tk.Ref, tk.Title, tk.Description,
				tk.OrgID, tk.CallerID, tk.AgentID, tk.Status, tk.Origin, tk.Priority, tk.Urgency, tk.Impact,
				tk.StartDate.UTC().Format(time.RFC3339), tk.LastUpdate.UTC().Format(time.RFC3339))
			if tk.CloseDate != nil {
				fmt.Fprint(h, tk.CloseDate.UTC().Format(time.RFC3339))
			}
			for _, e := range append(slices.Clone(tk.PublicLog), tk.PrivateLog...) {
				fmt.Fprintf(h, "|%s|%s|%s", e.Date.UTC().Format(time.RFC3339), e.Author, e.Text)
			}
			fmt.Fprintln(h)
		}
	case "phone calls":
		for _, c := range d.calls {
			fmt.Fprintf(h, "%d|%d|%d|%d|%s|%s|%s|%s|%d\n", c.ID, c.ContactID, c.AgentID, c.TicketID,
				c.Date.UTC().Format(time.RFC3339), c.Flow, c.Note, c.Number, c.Duration)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}
