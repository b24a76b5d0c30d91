package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
	"github.com/ctidesk/ctidesk/internal/store"
)

// mustDemoDB loads the smallest demo data set into a new database and
// returns its --db value and a person with a phone, a mobile phone and an
// employee number.
func mustDemoDB(t *testing.T) (string, *desk.Person) {
	t.Helper()
	db := "sqlite:" + filepath.Join(t.TempDir(), "lookup.db")
	if out, err := runCommand(t, "", nil, "demo", "--persons", "50", "--tickets", "0", "--db", db); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	persons, _, err := s.FindPersons(ctx, desk.PersonFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range persons {
		if p.Phone != "" && p.MobilePhone != "" && p.EmployeeNumber != "" {
			return db, p
		}
	}
	t.Fatal("no demo person has a phone, a mobile phone and an employee number")
	return "", nil
}

// lookupJSON runs lookup --json and decodes its output.
func lookupJSON(t *testing.T, env map[string]string, args ...string) []callerJSON {
	t.Helper()
	out, err := runCommand(t, "", env, append([]string{"lookup", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("lookup --json %q: %v\n%s", args, err, out)
	}
	var got []callerJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("lookup --json %q: %v\n%s", args, err, out)
	}
	return got
}

func TestLookup(t *testing.T) {
	db, p := mustDemoDB(t)

	t.Run("Table", func(t *testing.T) {
		out, err := runCommand(t, "", nil, "lookup", "--db", db, p.MobilePhone)
		if err != nil {
			t.Fatalf("lookup: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 {
			t.Fatalf("lookup of a mobile phone printed %d lines, want a header and one match:\n%s", len(lines), out)
		}
		for _, col := range []string{"RANK", "ID", "NAME", "ORGANIZATION", "ATTRIBUTE", "STORED"} {
			if !strings.Contains(lines[0], col) {
				t.Errorf("header %q lacks %s", lines[0], col)
			}
		}
		for _, want := range []string{p.FriendlyName(), p.OrgName, "mobile_phone", p.MobilePhone} {
			if !strings.Contains(lines[1], want) {
				t.Errorf("match line %q lacks %q", lines[1], want)
			}
		}
		if !strings.HasPrefix(lines[1], "1 ") {
			t.Errorf("match line %q does not start with rank 1", lines[1])
		}
	})

	t.Run("JSON", func(t *testing.T) {
		// The phone may be a switchboard shared by colleagues: all rank 1.
		got := lookupJSON(t, nil, "--db", db, p.Phone)
		found := false
		for _, c := range got {
			if c.Rank != 1 || c.Attribute != "phone" || c.OrgName != p.OrgName {
				t.Errorf("lookup of %q: %+v, want rank 1 matches on phone in %s", p.Phone, c, p.OrgName)
			}
			if c.ID == p.ID {
				found = true
				if c.FriendlyName != p.FriendlyName() || c.Stored != p.Phone {
					t.Errorf("lookup of %q: %+v, want %s with the stored phone", p.Phone, c, p.FriendlyName())
				}
			}
		}
		if !found {
			t.Fatalf("lookup of %q: %+v, want person %d among them", p.Phone, got, p.ID)
		}
		got = lookupJSON(t, nil, "--db", db, "--employee-number", p.EmployeeNumber)
		if len(got) != 1 || got[0].ID != p.ID || got[0].Attribute != "employee_number" || got[0].Stored != p.EmployeeNumber {
			t.Fatalf("lookup --employee-number %s: %+v", p.EmployeeNumber, got)
		}
		got = lookupJSON(t, nil, "--db", db, "--email", strings.ToUpper(p.Email))
		if len(got) != 1 || got[0].ID != p.ID || got[0].Attribute != "email" {
			t.Fatalf("lookup --email %s: %+v", strings.ToUpper(p.Email), got)
		}
	})

	t.Run("NoMatch", func(t *testing.T) {
		out, err := runCommand(t, "", nil, "lookup", "--db", db, "+81 3 1234 5678")
		if err != nil || !strings.Contains(out, "No person found for +81 3 1234 5678.") {
			t.Fatalf("lookup of an unknown number: %v\n%s", err, out)
		}
		out, err = runCommand(t, "", nil, "lookup", "--json", "--db", db, "+81", "3", "1234", "5678")
		if err != nil || strings.TrimSpace(out) != "[]" {
			t.Fatalf("lookup --json of an unknown number: %v\n%s, want []", err, out)
		}
		out, err = runCommand(t, "", nil, "lookup", "--db", db, "--support-id", "nobody has this")
		if err != nil || !strings.Contains(out, "No person found for support_id nobody has this.") {
			t.Fatalf("lookup of an unknown support id: %v\n%s", err, out)
		}
	})

	t.Run("TooShort", func(t *testing.T) {
		_, err := runCommand(t, "", nil, "lookup", "--db", db, "1 2") // 3 to 6 digits are an internal extension
		if err == nil || !strings.Contains(err.Error(), "fewer than 7 significant digits") {
			t.Fatalf("lookup of a short number: %v, want an error saying it is too short", err)
		}
		_, err = runCommand(t, "", nil, "lookup", "--db", db, "--min-match-digits", "12", p.Phone)
		if err == nil || !strings.Contains(err.Error(), "fewer than 12 significant digits") {
			t.Fatalf("lookup with --min-match-digits 12: %v, want an error saying the number is too short", err)
		}
	})
}

func TestLookupFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no number", []string{"lookup"}, nil, "usage: ctidesk lookup"},
		{"number and email", []string{"lookup", "--email", "a@b.example", "5550100"}, nil, "not several"},
		{"two attributes", []string{"lookup", "--email", "a@b.example", "--support-id", "S"}, nil, "not several"},
		{"bad region", []string{"lookup", "--phone-region", "XX", "5550100"}, nil, `unknown default region "XX"`},
		{"bad region in the environment", []string{"migrate"}, map[string]string{"CTIDESK_PHONE_REGION": "France"},
			`CTIDESK_PHONE_REGION="France"`},
		{"too few digits", []string{"reindex", "--min-match-digits", "3"}, nil, "below 4"},
		{"too many digits", []string{"serve", "--min-match-digits", "16"}, nil, "above 15"},
		{"not a number", []string{"lookup", "--min-match-digits", "seven", "5550100"}, nil, "not a number"},
		{"reindex argument", []string{"reindex", "now"}, nil, `unexpected argument "now"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := testMain("", tt.env)
			err := m.ParseFlags(context.Background(), tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
	m, _, _ := testMain("", map[string]string{"CTIDESK_PHONE_REGION": "fr", "CTIDESK_MIN_MATCH_DIGITS": "9"})
	if err := m.ParseFlags(context.Background(), []string{"lookup", "5550100"}); err != nil {
		t.Fatal(err)
	}
	if m.Phone.DefaultRegion != "FR" || m.Phone.MinMatchDigits != 9 {
		t.Errorf("from the environment: %+v, want region FR and 9 digits", m.Phone)
	}
}

func TestReindex(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "reindex.db")
	if out, err := runCommand(t, "", nil, "migrate", "--db", db); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	org := &desk.Organization{Name: "Paris"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	p := &desk.Person{FirstName: "Jeanne", Name: "Dupont", OrgID: org.ID, Phone: "01 23 45 67 89"}
	if err := s.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Keys built for the US: the French national form is matched by its
	// digits only.
	got := lookupJSON(t, nil, "--db", db, "+33 1 23 45 67 89")
	if len(got) != 1 || got[0].ID != p.ID {
		t.Fatalf("before reindex: %+v", got)
	}
	out, err := runCommand(t, "", map[string]string{"CTIDESK_PHONE_REGION": "FR"}, "lookup", "--db", db, "+33123456789")
	if err != nil || !strings.Contains(out, "built for region US, not FR") || !strings.Contains(out, "ctidesk reindex") {
		t.Fatalf("lookup with another region than the keys': %v\n%s, want a warning", err, out)
	}

	out, err = runCommand(t, "", nil, "reindex", "--phone-region", "FR", "--db", db)
	if err != nil || !strings.Contains(out, "phone number keys rebuilt for region FR") || !strings.Contains(out, "number keys") ||
		!strings.Contains(out, "1 / 1") || strings.Contains(out, "warning") {
		t.Fatalf("reindex: %v\n%s", err, out)
	}
	out, err = runCommand(t, "", map[string]string{"CTIDESK_PHONE_REGION": "FR"}, "lookup", "--db", db, "0123456789")
	if err != nil || strings.Contains(out, "warning") || !strings.Contains(out, "Jeanne Dupont") {
		t.Fatalf("lookup after reindex: %v\n%s", err, out)
	}
}

// TestLookupExplain: lookup --explain says by which rule each number
// matched, and why a number sharing the last digits did not (issue 21,
// item 6).
func TestLookupExplain(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "explain.db")
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s.Phone = phone.MustNew(phone.Options{DefaultRegion: "DE"})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := &desk.Organization{Name: "Acme"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*desk.Person{
		{FirstName: "Ann", Name: "Same", OrgID: org.ID, Phone: "+1 506 210 8069"},
		{FirstName: "Bob", Name: "Germany", OrgID: org.ID, Phone: "05062/108069"}, // issue 21's example
		{FirstName: "Cat", Name: "Local", OrgID: org.ID, MobilePhone: "2108069"},
		{FirstName: "Dan", Name: "London", OrgID: org.ID, Phone: "+44 20 3210 8069"},
	} {
		if err := s.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	out, err := runCommand(t, "", nil, "lookup", "--db", db, "--phone-region", "DE", "--explain", "+1 506 210 8069")
	if err != nil {
		t.Fatalf("lookup --explain: %v\n%s", err, out)
	}
	for _, want := range []string{"WHY", "Ann Same", "the same number", "Cat Local", "the last 7 digits",
		"Near misses", "Bob Germany", "two complete numbers that differ", "Dan London", "only the last 7 digits"} {
		if !strings.Contains(out, want) {
			t.Errorf("lookup --explain lacks %q:\n%s", want, out)
		}
	}
	out, err = runCommand(t, "", nil, "lookup", "--db", db, "--phone-region", "DE", "--explain", "--json", "+1 506 210 8069")
	if err != nil {
		t.Fatalf("lookup --explain --json: %v\n%s", err, out)
	}
	var got struct {
		Callers    []callerJSON          `json:"callers"`
		NearMisses []desk.NearMissReport `json:"near_misses"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Callers) != 2 || got.Callers[0].Rule != "e164" || got.Callers[1].Rule != "suffix" ||
		got.Callers[1].SuffixLen != 7 || len(got.NearMisses) != 2 || got.NearMisses[0].Reason != "complete" ||
		got.NearMisses[0].SuffixLen != 10 || got.NearMisses[1].Reason != "digits" || got.NearMisses[1].SuffixLen != 7 {
		t.Errorf("lookup --explain --json = %+v", got)
	}
}

// TestMigrateAnnouncesKeysRebuild: when a migration marks the number keys
// stale (0007, issue 21's number matching), migrate says what it rebuilds,
// how long it takes and how far it is, rather than staying silent for
// minutes at 1,000,000 persons.
func TestMigrateAnnouncesKeysRebuild(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "rebuild.db")
	if out, err := runCommand(t, "", nil, "migrate", "--db", db); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	org := &desk.Organization{Name: "Moscow"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"+7 301 125 99 17", "+33 1 23 45 67 89", "+49 30 847541"} {
		if err := s.CreatePerson(ctx, &desk.Person{Name: "P" + n, OrgID: org.ID, Phone: n}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// What migration 0007 does to a database written before it.
	raw, err := sql.Open("sqlite", strings.TrimPrefix(db, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE number_keys SET region = ''"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	out, err := runCommand(t, "", nil, "migrate", "--db", db)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, want := range []string{"Rebuilding the phone number keys of 3 persons for region US", "migration 0007",
		"a few minutes at 1,000,000 persons", "number keys", "3 / 3", "100%", "database is up to date"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate says\n%s\nwant %q", out, want)
		}
	}
	// Once rebuilt, nothing more to say.
	if out, err := runCommand(t, "", nil, "migrate", "--db", db); err != nil || strings.Contains(out, "Rebuilding") {
		t.Errorf("migrate again: %v\n%s", err, out)
	}
	if got := lookupJSON(t, nil, "--db", db, "+7 301 125 99 17"); len(got) != 1 {
		t.Errorf("lookup after the rebuild: %+v", got)
	}
}

// TestLookupExplainAgentExtension: an agent's extension finds his contact
// person; the extension of an agent without one finds nobody, and --explain
// says whose extension it is (issue 21, item 5).
func TestLookupExplainAgentExtension(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "agents.db")
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := &desk.Organization{Name: "Desk"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	eve := &desk.Person{FirstName: "Eve", Name: "Agent", OrgID: org.ID}
	if err := s.CreatePerson(ctx, eve); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		user *desk.User
		ext  string
	}{
		{&desk.User{Login: "eve", ContactID: eve.ID, Roles: []string{desk.RoleAgent}}, "2041"},
		{&desk.User{Login: "bob.alone", Roles: []string{desk.RoleAgent}}, "2042"},
	} {
		if err := s.CreateUser(ctx, a.user); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateAgentSettings(ctx, a.user.ID, desk.AgentSettingsUpdate{Extension: &a.ext}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	out, err := runCommand(t, "", nil, "lookup", "--db", db, "--explain", "2041")
	if err != nil || !strings.Contains(out, "Eve Agent") || !strings.Contains(out, "agent_extension") ||
		!strings.Contains(out, "the same internal extension") {
		t.Errorf("lookup --explain 2041: %v\n%s", err, out)
	}
	out, err = runCommand(t, "", nil, "lookup", "--db", db, "--explain", "2042")
	if err != nil || !strings.Contains(out, "No person found for 2042") ||
		!strings.Contains(out, "extension of agent bob.alone (no contact person)") {
		t.Errorf("lookup --explain 2042: %v\n%s", err, out)
	}
}
