package oql_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/pgtest"
	"github.com/ctidesk/ctidesk/internal/phone"
	"github.com/ctidesk/ctidesk/internal/store"
)

// The fixed data set every compiled query runs on, in both dialects.
//
// Organizations: 1 Demo Corp, above 2 Other Inc, above 3 Hidden Ltd.
// Persons: 1 Ann Smith and 2 Bob Jones of Demo Corp share a number written
// two ways; 3 Cid Moore of Other Inc has French numbers; 4 Dan Lee of Hidden
// Ltd, managed by Cid; 5 Eve Agent, the agent, of Demo Corp, manages Ann
// and Bob.
var fixture = []struct {
	sql  string
	args []any
}{
	{"INSERT INTO organization (id, name, code, status, support_id) VALUES (?, ?, ?, ?, ?)", []any{1, "Demo Corp", "DEMO", "active", "S-100"}},
	{"INSERT INTO organization (id, name, code, status, support_id) VALUES (?, ?, ?, ?, ?)", []any{2, "Other Inc", "OTH", "active", "S-200"}},
	{"INSERT INTO organization (id, name, code, status, support_id) VALUES (?, ?, ?, ?, ?)", []any{3, "Hidden Ltd", "HID", "inactive", ""}},
	{"INSERT INTO location (id, name, org_id, address) VALUES (?, ?, ?, ?)", []any{1, "Paris", 1, "1 rue de la Paix"}},
}

type fixturePerson struct {
	id                                  int64
	first, name                         string
	org                                 int64
	location                            any
	email, phone, mobile, employee, sid string
}

var fixturePersons = []fixturePerson{
	{1, "Ann", "Smith", 1, int64(1), "ann@demo.example", "+1 (123) 456 7890", "555-0101", "E1", "S-100"},
	{2, "Bob", "Jones", 1, nil, "bob@demo.example", "123-456-7890 x12", "", "E2", "S-100"},
	{3, "Cid", "Moore", 2, nil, "cid@other.example", "+33 9 87 65 43 21", "+33 6 12 34 56 78", "E3", "S-200"},
	{4, "Dan", "Lee", 3, nil, "dan@hidden.example", "+1 222 333 4444", "", "E4", ""},
	{5, "Eve", "Agent", 1, nil, "eve@demo.example", "", "", "E5", ""},
}

type fixtureTicket struct {
	id            int64
	kind, title   string
	org           int64
	caller, agent any
	status        string
	priority      int
	start         string
	closed        any
}

var fixtureTickets = []fixtureTicket{
	{1, "UserRequest", "Printer jammed", 1, int64(1), int64(5), "new", 2, "2026-01-05 09:00:00", nil},
	{2, "UserRequest", "Password reset", 1, int64(1), int64(5), "closed", 3, "2026-01-02 10:00:00", "2026-01-03 10:00:00"},
	{3, "UserRequest", "VPN down", 1, int64(2), nil, "assigned", 1, "2026-01-06 11:30:00", nil},
	{4, "Incident", "Mail server slow", 1, int64(1), int64(5), "new", 2, "2026-01-07 08:00:00", nil},
	{5, "Problem", "Recurring disk errors", 2, int64(3), nil, "pending", 0, "2026-01-04 14:00:00", nil},
	{6, "UserRequest", "New laptop", 2, int64(3), nil, "new", 3, "2026-01-08 16:45:00", nil},
	{7, "Change", "Firewall upgrade", 3, int64(4), nil, "new", 0, "2026-01-09 07:15:00", nil},
	{8, "UserRequest", "Access rights", 3, int64(4), nil, "new", 3, "2026-01-10 12:00:00", nil},
	{9, "UserRequest", "Unknown caller's request", 1, nil, nil, "new", 3, "2026-01-11 12:00:00", nil},
}

// openFixture returns a database of dialect d holding the fixed data set.
func openFixture(t *testing.T, d oql.Dialect) *sql.DB {
	t.Helper()
	var db *sql.DB
	switch d {
	case oql.SQLite:
		path := filepath.Join(t.TempDir(), "oql.db")
		s, err := store.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.Close()
		// Times as the store writes them.
		if db, err = sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_time_format=sqlite"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	case oql.PostgreSQL:
		var url string
		db, url = pgtest.Open(t)
		s, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	exec := func(query string, args ...any) {
		t.Helper()
		if d == oql.PostgreSQL {
			n := 0
			query = replaceEach(query, "?", func() string { n++; return "$" + strconv.Itoa(n) })
		}
		if _, err := db.Exec(query, args...); err != nil {
			t.Fatalf("%s %v: %v", query, args, err)
		}
	}
	for _, f := range fixture {
		exec(f.sql, f.args...)
	}
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	for _, p := range fixturePersons {
		exec(`INSERT INTO person (id, first_name, name, org_id, location_id, email, phone, mobile_phone, employee_number, support_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.id, p.first, p.name, p.org, p.location, p.email, p.phone, p.mobile, p.employee, p.sid)
		for _, n := range []struct{ attr, value string }{{"phone", p.phone}, {"mobile_phone", p.mobile}} {
			if n.value == "" {
				continue
			}
			num := norm.Parse(n.value)
			k := num.Keys()
			exec(`INSERT INTO person_number (person_id, attribute, digits, rdigits, e164, extension) VALUES (?, ?, ?, ?, ?, ?)`,
				p.id, n.attr, k.Digits, k.Reversed, k.E164, num.Extension)
		}
	}
	exec("UPDATE organization SET parent_id = ? WHERE id = ?", 1, 2)
	exec("UPDATE organization SET parent_id = ? WHERE id = ?", 2, 3)
	exec("UPDATE person SET manager_id = ? WHERE id IN (?, ?)", 5, 1, 2)
	exec("UPDATE person SET manager_id = ? WHERE id = ?", 3, 4)
	for _, tk := range fixtureTickets {
		start := mustTime(t, tk.start)
		var closed any
		if tk.closed != nil {
			closed = mustTime(t, tk.closed.(string))
		}
		ref := map[string]string{"UserRequest": "R", "Incident": "I", "Problem": "P", "Change": "C"}[tk.kind] + "-" + leftPad(tk.id)
		exec(`INSERT INTO ticket (id, kind, ref, title, org_id, caller_id, agent_id, status, origin, priority, start_date, last_update, close_date)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'phone', ?, ?, ?, ?)`, tk.id, tk.kind, ref, tk.title, tk.org, tk.caller, tk.agent, tk.status,
			tk.priority, start, start, closed)
	}
	// Teams: 1 Service desk of Demo Corp (Eve, its lead, and Ann), 2 Network
	// of Other Inc (Cid), 3 Audit of Hidden Ltd (Eve again); tickets 1 and 3
	// are Service desk's, 6 Network's, 8 Audit's.
	for _, tm := range []struct {
		id   int64
		name string
		org  int64
	}{{1, "Service desk", 1}, {2, "Network", 2}, {3, "Audit", 3}} {
		exec("INSERT INTO team (id, name, org_id, email, phone, status) VALUES (?, ?, ?, ?, '', 'active')", tm.id, tm.name, tm.org,
			strings.ToLower(strings.ReplaceAll(tm.name, " ", ""))+"@demo.example")
	}
	for i, m := range []struct {
		person, team int64
		role         string
	}{{5, 1, "Lead"}, {1, 1, "Member"}, {3, 2, "Member"}, {5, 3, "Member"}} {
		exec("INSERT INTO lnk_person_to_team (id, person_id, team_id, role) VALUES (?, ?, ?, ?)", i+1, m.person, m.team, m.role)
	}
	exec("UPDATE ticket SET team_id = 1 WHERE id IN (1, 3)")
	exec("UPDATE ticket SET team_id = 2 WHERE id = 6")
	exec("UPDATE ticket SET team_id = 3 WHERE id = 8")
	// Users: 1 eve (Eve Agent, allowed Demo Corp, her own, and Hidden Ltd),
	// 2 cid (Cid Moore, disabled), 3 admin (no contact: seen unscoped only),
	// 4 dan (Dan Lee of Hidden Ltd, allowed Demo Corp only, not his own).
	created := mustTime(t, "2026-01-01 08:00:00")
	for _, u := range []struct {
		id       int64
		login    string
		contact  any
		language string
		disabled any
	}{{1, "eve", int64(5), "EN US", nil}, {2, "cid", int64(3), "FR FR", created}, {3, "admin", nil, "EN US", nil},
		{4, "dan", int64(4), "EN US", nil}} {
		exec("INSERT INTO users (id, login, contact_id, language, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?)",
			u.id, u.login, u.contact, u.language, created, u.disabled)
	}
	exec("INSERT INTO user_org (id, user_id, org_id) VALUES (?, ?, ?)", 1, 1, 1)
	exec("INSERT INTO user_org (id, user_id, org_id) VALUES (?, ?, ?)", 2, 4, 1)
	exec("INSERT INTO user_org (id, user_id, org_id) VALUES (?, ?, ?)", 3, 1, 3)
	exec(`INSERT INTO ticket_log (ticket_id, log, position, date, author, text) VALUES (?, ?, ?, ?, ?, ?)`,
		1, "public_log", 1, mustTime(t, "2026-01-05 09:05:00"), "Eve Agent", "Called back: paper tray was empty")
	exec(`INSERT INTO ticket_log (ticket_id, log, position, date, author, text) VALUES (?, ?, ?, ?, ?, ?)`,
		3, "private_log", 1, mustTime(t, "2026-01-06 11:35:00"), "Eve Agent", "VPN concentrator rebooted")
	exec(`INSERT INTO phonecall (id, contact_id, agent_id, ticket_id, date, flow, note, number, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		1, int64(1), 5, int64(1), mustTime(t, "2026-01-05 09:00:00"), "inbound", "Printer", "+11234567890", 60)
	exec(`INSERT INTO phonecall (id, contact_id, agent_id, ticket_id, date, flow, note, number, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		2, int64(3), 5, int64(6), mustTime(t, "2026-01-08 16:45:00"), "outbound", "Laptop", "+33987654321", 120)
	exec(`INSERT INTO phonecall (id, contact_id, agent_id, ticket_id, date, flow, note, number, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		3, nil, 5, nil, mustTime(t, "2026-01-12 10:00:00"), "inbound", "", "+15550000000", 5)
	return db
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation(time.DateTime, s, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func leftPad(id int64) string {
	s := strconv.FormatInt(id, 10)
	return strings.Repeat("0", 6-len(s)) + s
}

func replaceEach(s, old string, repl func() string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i] + repl())
		s = s[i+len(old):]
	}
}
