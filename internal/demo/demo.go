// Package demo fills a database with demonstration data: organizations,
// locations, persons whose phone numbers are written in every way people
// write them, tickets of every kind and status with their logs, phone calls,
// and three users to log in with.
//
// The data is the same on every run with the same options (a seeded PCG
// generator and dates derived from a fixed base date); only the passwords,
// drawn from crypto/rand, change. Everything goes through the desk service
// interfaces, so the store's rules apply to demo data as to any other.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Defaults and limits of Options.
const (
	DefaultPersons       = 500
	DefaultTickets       = 2000
	DefaultOrganizations = 24
	MinOrganizations     = 20
)

// Options sizes the demo data. Zero values take the defaults.
type Options struct {
	// Persons counts every person, the service desk's agents included
	// (default 500). A million loads in minutes: persons are made and
	// inserted in chunks.
	Persons int
	// Tickets is the number of tickets (default 2000), whatever Persons is.
	Tickets int
	// Organizations counts the internal service desk and the customers
	// (default 24; fewer than 20 counts as 20).
	Organizations int
	// CallLogDays is how many days back the call log goes, from the time
	// of the load (default DefaultCallLogDays; negative: no call log).
	CallLogDays int
	// Progress, when not nil, is told how far each stage is: stage is one of
	// "organizations", "persons", "tickets", "phone calls", "users", "call
	// log".
	Progress func(stage string, done, total int)
}

// Login is a demo user and its password, as the command line prints them.
type Login struct {
	Login, Password, Role, Description string
}

// The demo users, in the order Load and ResetPasswords return them.
const (
	LoginAdmin  = "admin"
	LoginAgent  = "agent"
	LoginScoped = "scoped"
)

var demoLogins = []string{LoginAdmin, LoginAgent, LoginScoped}

// Chunk sizes: how many persons or tickets are held in memory at once.
const (
	personChunk = 10_000
	ticketChunk = 5_000
)

// Load creates the demo data through svc; ctx must act as the system
// (desk.NewSystemContext). It returns the three demo logins with their new
// passwords: admin (role admin), agent (role agent, every organization) and
// scoped (role agent, one customer organization only). Load refuses, before
// writing anything, when one of these logins exists already.
func Load(ctx context.Context, svc desk.Services, opt Options) ([]Login, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	for _, login := range demoLogins {
		_, err := svc.Users.FindUserByLogin(ctx, login)
		if err == nil {
			return nil, desk.NewError(desk.ECONFLICT, "error.demo_loaded", login)
		} else if desk.ErrorCode(err) != desk.ENOTFOUND {
			return nil, fmt.Errorf("demo: find user %s: %w", login, err)
		}
	}
	g := newGenerator(opt)

	// Organizations and their locations.
	for i, o := range g.orgs {
		if err := svc.Organizations.CreateOrganization(ctx, &o.org); err != nil {
			return nil, fmt.Errorf("demo: create organization %s: %w", o.org.Name, err)
		}
		for j := range o.locs {
			l := &o.locs[j].loc
			l.OrgID = o.org.ID
			if err := svc.Locations.CreateLocation(ctx, l); err != nil {
				return nil, fmt.Errorf("demo: create location %s: %w", l.Name, err)
			}
		}
		progress("organizations", i+1, len(g.orgs))
	}

	// Persons, a chunk at a time; only what tickets need of them is kept.
	tp := &ticketPlan{g: g, r: newRand(streamTickets), callers: make([][]personRef, len(g.orgs))}
	for done := 0; done < opt.Persons; {
		persons, meta := g.persons(min(personChunk, opt.Persons-done))
		err := svc.Persons.CreatePersons(ctx, persons, func(n int) { progress("persons", done+n, opt.Persons) })
		if err != nil {
			return nil, fmt.Errorf("demo: create persons: %w", err)
		}
		for k, p := range persons {
			if p.ID == 0 {
				return nil, fmt.Errorf("demo: create persons: no id for person %s", p.EmployeeNumber)
			}
			m := meta[k]
			switch {
			case m.org == 0:
				tp.agents = append(tp.agents, agentRef{id: p.ID, name: p.FriendlyName()})
			case m.active:
				tp.callers[m.org] = append(tp.callers[m.org], personRef{id: p.ID, first: m.first, last: m.last})
			}
		}
		done += len(persons)
		progress("persons", done, opt.Persons)
	}
	for oi := 1; oi < len(g.orgs); oi++ {
		if n := len(tp.callers[oi]); n > 0 {
			tp.all = append(tp.all, oi)
			tp.allWeights = append(tp.allWeights, n)
			if g.orgs[oi].org.Status == desk.StatusActive {
				tp.active = append(tp.active, oi)
				tp.activeWeights = append(tp.activeWeights, n)
			}
		}
	}
	if len(tp.active) == 0 {
		return nil, fmt.Errorf("demo: no active customer has an active person")
	}
	tp.activeWeights = ticketShares(tp.activeWeights)

	// Teams, made of the agents, and assigned a share of the tickets.
	teams, err := loadTeams(ctx, svc, g, tp.agents, progress)
	if err != nil {
		return nil, err
	}

	// Tickets, a chunk at a time, and the phone calls that go with them.
	var calls []desk.PhoneCall
	for done := 0; done < opt.Tickets; {
		tickets, plans := tp.tickets(min(ticketChunk, opt.Tickets-done))
		teams.assign(tickets, done)
		err := svc.Tickets.CreateTickets(ctx, tickets, func(n int) { progress("tickets", done+n, opt.Tickets) })
		if err != nil {
			return nil, fmt.Errorf("demo: create tickets: %w", err)
		}
		for _, p := range plans {
			if p.ticket.ID == 0 {
				return nil, fmt.Errorf("demo: create tickets: no id for ticket %q", p.ticket.Title)
			}
			p.call.TicketID = p.ticket.ID
			calls = append(calls, p.call)
		}
		done += len(tickets)
		progress("tickets", done, opt.Tickets)
	}
	for i := range calls {
		c := &calls[i]
		caller, err := svc.Persons.FindPersonByID(ctx, c.ContactID)
		if err != nil {
			return nil, fmt.Errorf("demo: find caller of phone call: %w", err)
		}
		if nums := caller.Numbers(); len(nums) > 0 {
			c.Number = dialled(nums[0].Value)
		} else {
			c.Note = "Number withheld. " + c.Note
		}
		if err := svc.PhoneCalls.CreatePhoneCall(ctx, c); err != nil {
			return nil, fmt.Errorf("demo: create phone call: %w", err)
		}
		progress("phone calls", i+1, len(calls))
	}

	// Users, whose contacts are the first persons of the service desk.
	scopedOrg := g.orgs[1].org
	users := []struct {
		login, role string
		orgs        []int64
		what        string
	}{
		{LoginAdmin, desk.RoleAdmin, nil, "administrator: every right, the configuration and the users"},
		{LoginAgent, desk.RoleAgent, nil, "agent: sees every organization"},
		{LoginScoped, desk.RoleAgent, []int64{scopedOrg.ID}, "agent who sees only " + scopedOrg.Name + ", to show organization scoping"},
	}
	var logins []Login
	for i, u := range users {
		password, hash, err := newPassword()
		if err != nil {
			return nil, err
		}
		contact := tp.agents[i]
		du := &desk.User{Login: u.login, PasswordHash: hash, ContactID: contact.id, Language: desk.Languages[0],
			Roles: []string{u.role}, AllowedOrgIDs: u.orgs}
		if err := svc.Users.CreateUser(ctx, du); err != nil {
			return nil, fmt.Errorf("demo: create user %s: %w", u.login, err)
		}
		logins = append(logins, Login{Login: u.login, Password: password, Role: u.role,
			Description: u.what + " (contact: " + contact.name + ")"})
		progress("users", i+1, len(users))
	}

	// The queue "support" rings the provider's service desk; its missed
	// calls' callbacks are the team's.
	if err := svc.Telephony.CreateQueueTarget(ctx, &desk.QueueTarget{Queue: QueueSupport, TeamID: teams.desk}); err != nil {
		return nil, fmt.Errorf("demo: map queue %s: %w", QueueSupport, err)
	}

	// The call log, and the callbacks of its missed calls.
	plan := callLogPlan{callers: tp.callers, orgs: tp.active, scoped: 1, logins: []string{LoginAgent, LoginScoped}}
	if err := loadCallLog(ctx, svc, plan, opt.CallLogDays, time.Now(), progress); err != nil {
		return nil, err
	}
	return logins, nil
}

// ResetPasswords gives the demo logins that exist new random passwords and
// returns them, so that a newcomer restarting the demo on a loaded database
// can still log in. Logins that do not exist are left out; ctx must act as
// the system.
func ResetPasswords(ctx context.Context, svc desk.Services) ([]Login, error) {
	var logins []Login
	for _, login := range demoLogins {
		u, err := svc.Users.FindUserByLogin(ctx, login)
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("demo: find user %s: %w", login, err)
		}
		password, hash, err := newPassword()
		if err != nil {
			return nil, err
		}
		if _, err := svc.Users.UpdateUser(ctx, u.ID, desk.UserUpdate{PasswordHash: &hash}); err != nil {
			return nil, fmt.Errorf("demo: reset password of %s: %w", login, err)
		}
		role := strings.Join(u.Roles, ", ")
		what := role + ": sees every organization"
		if u.HasRole(desk.RoleAdmin) {
			what = "administrator: every right, the configuration and the users"
		} else if len(u.AllowedOrgIDs) > 0 {
			var names []string
			for _, id := range u.AllowedOrgIDs {
				name := fmt.Sprintf("organization %d", id)
				if o, err := svc.Organizations.FindOrganizationByID(ctx, id); err == nil {
					name = o.Name
				}
				names = append(names, name)
			}
			what = role + " who sees only " + strings.Join(names, ", ") + ", to show organization scoping"
		}
		if u.ContactName != "" {
			what += " (contact: " + u.ContactName + ")"
		}
		logins = append(logins, Login{Login: login, Password: password, Role: role, Description: what})
	}
	return logins, nil
}

// passwordAlphabet leaves out characters that read alike (0 O o, 1 l I).
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newPassword returns a random password of three groups of four readable
// characters (about 70 bits), and its hash.
func newPassword() (password, hash string, err error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 14 {
		if b.Len() == 4 || b.Len() == 9 {
			b.WriteByte('-')
			continue
		}
		if _, err := rand.Read(buf); err != nil {
			return "", "", fmt.Errorf("demo: password: %w", err)
		}
		// Reject the top of the byte range so that every character is as likely.
		if int(buf[0]) >= 256/len(passwordAlphabet)*len(passwordAlphabet) {
			continue
		}
		b.WriteByte(passwordAlphabet[int(buf[0])%len(passwordAlphabet)])
	}
	password = b.String()
	hash, err = desk.HashPassword(password)
	if err != nil {
		return "", "", fmt.Errorf("demo: password: %w", err)
	}
	return password, hash, nil
}
