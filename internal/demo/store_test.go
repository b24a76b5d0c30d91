package demo_test

import (
	"context"
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

// page reads every page of a Find method.
func page[T any](tb testing.TB, find func(offset, limit int) ([]T, int, error)) []T {
	tb.Helper()
	var all []T
	for {
		items, total, err := find(len(all), 1000)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, items...)
		if len(items) == 0 || len(all) >= total {
			return all
		}
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
	slices.SortFunc(d.orgs, func(a, b *desk.Organization) int { return int(a.ID - b.ID) })
	slices.SortFunc(d.locs, func(a, b *desk.Location) int { return int(a.ID - b.ID) })
	slices.SortFunc(d.persons, func(a, b *desk.Person) int { return int(a.ID - b.ID) })
	slices.SortFunc(d.tickets, func(a, b *desk.Ticket) int { return int(a.ID - b.ID) })
	slices.SortFunc(d.calls, func(a, b *desk.PhoneCall) int { return int(a.ID - b.ID) })
	return d
}

func TestLoadStore(t *testing.T) {
	t.Parallel()
	ctx := desk.NewSystemContext(context.Background())
	// Two databases, loaded side by side, must hold the same data.
	dbs := [2]*store.DB{MustOpenStore(t), MustOpenStore(t)}
	var (
		wg        sync.WaitGroup
		allLogins [2][]demo.Login
		errs      [2]error
		took      [2]time.Duration
	)
	for i, db := range dbs {
		wg.Go(func() {
			start := time.Now()
			allLogins[i], errs[i] = demo.Load(ctx, db.Services(), demo.Options{})
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
	}
	t.Logf("loaded 500 persons and 2000 tickets in %v (two loads side by side)", took[0].Round(time.Millisecond))
	db, logins := dbs[0], allLogins[0]
	d := readDataset(t, ctx, db.Services())
	checkDataset(t, d, demo.DefaultPersons, demo.DefaultTickets)

	t.Run("TwoDatabases", func(t *testing.T) {
		other := readDataset(t, ctx, dbs[1].Services())
		for _, part := range []string{"organizations", "persons", "tickets", "phone calls"} {
			if got, want := other.digest(part), d.digest(part); got != want {
				t.Errorf("%s differ between two databases: digest %s, want %s", part, got, want)
			}
		}
		if allLogins[0][0].Password == allLogins[1][0].Password {
			t.Errorf("two loads gave the same password")
		}
	})

	t.Run("SameAsTheGenerators", func(t *testing.T) {
		m, _ := MustLoadMemory(t, demo.Options{})
		md := m.dataset()
		for _, part := range []string{"organizations", "persons", "tickets", "phone calls"} {
			if got, want := d.digest(part), md.digest(part); got != want {
				t.Errorf("%s in the store differ from those generated: digest %s, want %s", part, got, want)
			}
		}
	})

	t.Run("Logins", func(t *testing.T) {
		checkLogins(t, logins)
		for _, l := range logins {
			u, err := db.FindUserByLogin(ctx, l.Login)
			if err != nil {
				t.Fatalf("FindUserByLogin(%s): %v", l.Login, err)
			}
			if !u.CheckPassword(l.Password) {
				t.Errorf("%s: the returned password does not authenticate", l.Login)
			}
			if !u.HasRole(l.Role) {
				t.Errorf("%s: roles %v, want %s", l.Login, u.Roles, l.Role)
			}
		}
		again, err := demo.ResetPasswords(ctx, db.Services())
		if err != nil {
			t.Fatal(err)
		}
		checkLogins(t, again)
		for i, l := range again {
			u, _ := db.FindUserByLogin(ctx, l.Login)
			if !u.CheckPassword(l.Password) || u.CheckPassword(logins[i].Password) {
				t.Errorf("%s: after ResetPasswords, the new password works %v, the old one %v", l.Login,
					u.CheckPassword(l.Password), u.CheckPassword(logins[i].Password))
			}
		}
		if _, err := demo.Load(ctx, db.Services(), demo.Options{}); desk.ErrorCode(err) != desk.ECONFLICT {
			t.Errorf("Load on a loaded database: %v, want a conflict", err)
		}
	})

	t.Run("Scoped", func(t *testing.T) {
		u, err := db.FindUserByLogin(ctx, "scoped")
		if err != nil {
			t.Fatal(err)
		}
		if len(u.AllowedOrgIDs) != 1 {
			t.Fatalf("scoped: allowed organizations %v, want one", u.AllowedOrgIDs)
		}
		org := u.AllowedOrgIDs[0]
		sctx := desk.NewContextWithUser(context.Background(), u)
		persons := page(t, func(o, l int) ([]*desk.Person, int, error) {
			return db.FindPersons(sctx, desk.PersonFilter{Offset: o, Limit: l})
		})
		tickets := page(t, func(o, l int) ([]*desk.Ticket, int, error) {
			return db.FindTickets(sctx, desk.TicketFilter{Offset: o, Limit: l})
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
		if p, err := db.FindPersonByID(sctx, other.ID); err == nil {
			t.Errorf("scoped reads person %s of organization %d", p.FriendlyName(), p.OrgID)
		}
	})
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
