package demo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/demo"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// MustOpenStore opens and migrates a new SQLite database in a temporary
// directory.
func MustOpenStore(tb testing.TB) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "demo.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// loaded is a database the demo is loaded into, with what Load said and did
// on the way.
type loaded struct {
	db     *store.DB
	rec    *recorder
	logins []demo.Login
	stages []string // progress stages, in the order they came
}

// run loads the demo with opt into l.db, through l.rec. It may run on any
// goroutine: it reports through Errorf and its result only.
func (l *loaded) run(tb testing.TB, opt demo.Options) error {
	var mu sync.Mutex
	opt.Progress = func(stage string, done, total int) {
		if done > total {
			tb.Errorf("progress %s: done %d > total %d", stage, done, total)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(l.stages) == 0 || l.stages[len(l.stages)-1] != stage {
			l.stages = append(l.stages, stage)
		}
	}
	var err error
	l.logins, err = demo.Load(desk.NewSystemContext(context.Background()), l.rec.services(l.db.Services()), opt)
	return err
}

// loadAll loads the demo with each of opts into a new database, all side by
// side.
func loadAll(tb testing.TB, opts ...demo.Options) []*loaded {
	tb.Helper()
	loads := make([]*loaded, len(opts))
	for i := range opts {
		loads[i] = &loaded{db: MustOpenStore(tb), rec: &recorder{}}
	}
	errs := make([]error, len(opts))
	var wg sync.WaitGroup
	start := time.Now()
	for i, l := range loads {
		wg.Go(func() {
			if err := l.run(tb, opts[i]); err != nil {
				o := opts[i]
				errs[i] = fmt.Errorf("Load(persons %d, tickets %d, organizations %d): %w", o.Persons, o.Tickets, o.Organizations, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%d loads side by side in %v", len(opts), time.Since(start).Round(time.Millisecond))
	return loads
}

// recorder passes every call on to the real services of the store, keeping
// a copy of what Load asks them to create, as Load generated it (with the
// defaults Validate fills in) and numbered by the store, to compare with what
// the store gives back. It also counts the CreatePersons calls.
type recorder struct {
	mu            sync.Mutex
	sent          dataset
	createPersons int
}

// services returns svc with its Create methods recorded.
func (r *recorder) services(svc desk.Services) desk.Services {
	svc.Organizations = recOrgs{svc.Organizations, r}
	svc.Locations = recLocs{svc.Locations, r}
	svc.Persons = recPersons{svc.Persons, r}
	svc.Tickets = recTickets{svc.Tickets, r}
	svc.PhoneCalls = recCalls{svc.PhoneCalls, r}
	return svc
}

// dataset returns what was created, in ID order.
func (r *recorder) dataset() dataset {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent.sorted()
}

type recOrgs struct {
	desk.OrganizationService
	r *recorder
}

func (s recOrgs) CreateOrganization(ctx context.Context, o *desk.Organization) error {
	c := *o
	if err := s.OrganizationService.CreateOrganization(ctx, o); err != nil {
		return err
	}
	_ = c.Validate()
	c.ID = o.ID
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.sent.orgs = append(s.r.sent.orgs, &c)
	return nil
}

type recLocs struct {
	desk.LocationService
	r *recorder
}

func (s recLocs) CreateLocation(ctx context.Context, l *desk.Location) error {
	c := *l
	if err := s.LocationService.CreateLocation(ctx, l); err != nil {
		return err
	}
	_ = c.Validate()
	c.ID = l.ID
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.sent.locs = append(s.r.sent.locs, &c)
	return nil
}

// recPersons is the real PersonService, its CreatePersons calls counted.
type recPersons struct {
	desk.PersonService
	r *recorder
}

func (s recPersons) CreatePersons(ctx context.Context, persons []*desk.Person, progress func(int)) error {
	s.r.mu.Lock()
	s.r.createPersons++
	s.r.mu.Unlock()
	copies := make([]desk.Person, len(persons))
	for i, p := range persons {
		copies[i] = *p
	}
	if err := s.PersonService.CreatePersons(ctx, persons, progress); err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	for i := range copies {
		c := &copies[i]
		_ = c.Validate()
		c.ID = persons[i].ID
		s.r.sent.persons = append(s.r.sent.persons, c)
	}
	return nil
}

type recTickets struct {
	desk.TicketService
	r *recorder
}

func (s recTickets) CreateTickets(ctx context.Context, tickets []*desk.Ticket, progress func(int)) error {
	copies := make([]desk.Ticket, len(tickets))
	for i, t := range tickets {
		copies[i] = *t
		copies[i].PublicLog = slices.Clone(t.PublicLog)
		copies[i].PrivateLog = slices.Clone(t.PrivateLog)
	}
	if err := s.TicketService.CreateTickets(ctx, tickets, progress); err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	for i := range copies {
		c := &copies[i]
		_ = c.Validate()
		c.ID, c.Ref = tickets[i].ID, tickets[i].Ref
		s.r.sent.tickets = append(s.r.sent.tickets, c)
	}
	return nil
}

type recCalls struct {
	desk.PhoneCallService
	r *recorder
}

func (s recCalls) CreatePhoneCall(ctx context.Context, pc *desk.PhoneCall) error {
	c := *pc
	if err := s.PhoneCallService.CreatePhoneCall(ctx, pc); err != nil {
		return err
	}
	_ = c.Validate()
	c.ID = pc.ID
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.sent.calls = append(s.r.sent.calls, &c)
	return nil
}

// page reads every page of a Find method, as many rows a page as the store
// gives.
func page[T any](tb testing.TB, find func(offset, limit int) ([]T, int, error)) []T {
	tb.Helper()
	var all []T
	for {
		items, total, err := find(len(all), 1_000_000)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, items...)
		if len(items) == 0 || len(all) >= total {
			return all
		}
	}
}

// count returns the total of a Find method.
func count[T any](tb testing.TB, find func(offset, limit int) ([]T, int, error)) int {
	tb.Helper()
	items, total, err := find(0, 1)
	if err != nil {
		tb.Fatal(err)
	}
	if len(items) == 0 {
		return 0
	}
	return total
}

// counts returns how many organizations, locations, persons, tickets and
// phone calls the database holds.
func counts(tb testing.TB, ctx context.Context, svc desk.Services) [5]int {
	tb.Helper()
	return [5]int{
		count(tb, func(o, l int) ([]*desk.Organization, int, error) {
			return svc.Organizations.FindOrganizations(ctx, desk.OrganizationFilter{Offset: o, Limit: l})
		}),
		count(tb, func(o, l int) ([]*desk.Location, int, error) {
			return svc.Locations.FindLocations(ctx, desk.LocationFilter{Offset: o, Limit: l})
		}),
		count(tb, func(o, l int) ([]*desk.Person, int, error) {
			return svc.Persons.FindPersons(ctx, desk.PersonFilter{Offset: o, Limit: l})
		}),
		count(tb, func(o, l int) ([]*desk.Ticket, int, error) {
			return svc.Tickets.FindTickets(ctx, desk.TicketFilter{Offset: o, Limit: l})
		}),
		count(tb, func(o, l int) ([]*desk.PhoneCall, int, error) {
			return svc.PhoneCalls.FindPhoneCalls(ctx, desk.PhoneCallFilter{Offset: o, Limit: l})
		}),
	}
}

// readDataset reads back everything a load wrote, in ID order, tickets with
// their logs.
func readDataset(tb testing.TB, ctx context.Context, svc desk.Services) dataset {
	tb.Helper()
	var d dataset
	d.orgs = page(tb, func(o, l int) ([]*desk.Organization, int, error) {
		return svc.Organizations.FindOrganizations(ctx, desk.OrganizationFilter{Offset: o, Limit: l})
	})
	d.locs = page(tb, func(o, l int) ([]*desk.Location, int, error) {
		return svc.Locations.FindLocations(ctx, desk.LocationFilter{Offset: o, Limit: l})
	})
	d.persons = page(tb, func(o, l int) ([]*desk.Person, int, error) {
		return svc.Persons.FindPersons(ctx, desk.PersonFilter{Offset: o, Limit: l})
	})
	tickets := page(tb, func(o, l int) ([]*desk.Ticket, int, error) {
		return svc.Tickets.FindTickets(ctx, desk.TicketFilter{Offset: o, Limit: l})
	})
	// FindTickets leaves the logs out: read each ticket, four at a time.
	d.tickets = make([]*desk.Ticket, len(tickets))
	var wg sync.WaitGroup
	errs := make(chan error, len(tickets))
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(tickets); i += 4 {
				full, err := svc.Tickets.FindTicketByID(ctx, tickets[i].ID)
				if err != nil {
					errs <- err
					return
				}
				d.tickets[i] = full
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
	d.calls = page(tb, func(o, l int) ([]*desk.PhoneCall, int, error) {
		return svc.PhoneCalls.FindPhoneCalls(ctx, desk.PhoneCallFilter{Offset: o, Limit: l})
	})
	return d.sorted()
}

// sorted returns d with every list in ID order.
func (d dataset) sorted() dataset {
	d.orgs = slices.SortedFunc(slices.Values(d.orgs), func(a, b *desk.Organization) int { return int(a.ID - b.ID) })
	d.locs = slices.SortedFunc(slices.Values(d.locs), func(a, b *desk.Location) int { return int(a.ID - b.ID) })
	d.persons = slices.SortedFunc(slices.Values(d.persons), func(a, b *desk.Person) int { return int(a.ID - b.ID) })
	d.tickets = slices.SortedFunc(slices.Values(d.tickets), func(a, b *desk.Ticket) int { return int(a.ID - b.ID) })
	d.calls = slices.SortedFunc(slices.Values(d.calls), func(a, b *desk.PhoneCall) int { return int(a.ID - b.ID) })
	return d
}

// TestLoadMillion measures a load of a million persons; it runs only when
// CTIDESK_DEMO_PERSONS is set (to the number of persons), as it takes minutes.
func TestLoadMillion(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CTIDESK_DEMO_PERSONS"))
	if n == 0 {
		t.Skip("set CTIDESK_DEMO_PERSONS=1000000 to measure a large load")
	}
	ctx := desk.NewSystemContext(context.Background())
	db := MustOpenStore(t)
	start := time.Now()
	last := map[string]time.Time{}
	_, err := demo.Load(ctx, db.Services(), demo.Options{Persons: n, Progress: func(stage string, done, total int) {
		if time.Since(last[stage]) > 10*time.Second || done == total {
			last[stage] = time.Now()
			t.Logf("%7.1fs %s %d/%d", time.Since(start).Seconds(), stage, done, total)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d persons in %v", n, time.Since(start).Round(time.Second))
}
