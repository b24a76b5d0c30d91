package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/pgtest"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestServeLogin serves the demo on each database and logs in over HTTP, as
// a browser does (login form, CSRF token, session cookie), then reads a page
// that needs the session.
func TestServeLogin(t *testing.T) {
	for _, tt := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "demo.db") }},
		{"postgres", func(t *testing.T) string { _, url := pgtest.Open(t); return url }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dsn := tt.dsn(t)
			m, out := MustServe(t, "--demo", "--db", dsn)
			pw := demoPasswords(out)
			base := "http://" + m.Addr()
			c := mustHTTPLogin(t, base, "agent", pw["agent"])
			mustGetPage(t, c, base+"/tickets", "R-")
			m.Close()

			// Sessions live in the database: another instance on the same
			// database knows the session, with no sticky sessions.
			m2, _ := MustServe(t, "--db", dsn)
			mustGetPage(t, c, strings.Replace(base+"/tickets", m.Addr(), m2.Addr(), 1), "R-")
		})
	}
}

// mustGetPage fails unless the client c reads url with status 200, on a page
// containing want (not the login page).
func mustGetPage(t *testing.T, c *http.Client, url, want string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" || !strings.Contains(string(body), want) {
		t.Fatalf("GET %s = %d at %s, want a page with %q:\n%.2000s", url, resp.StatusCode, resp.Request.URL, want, body)
	}
}

var copyLine = regexp.MustCompile(`(?m)^\s*(\w+)\s+(\d+)\s+([0-9a-f]{16})\s*$`)

// TestCopy moves the demo data from SQLite to PostgreSQL, checks the copy
// (row counts, a login, a new id after the copied ones), then refuses a
// second copy into the same database.
func TestCopy(t *testing.T) {
	t.Run("sqlite_to_postgres", func(t *testing.T) {
		sqliteDSN := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
		out, err := runCommand(t, "", nil, "demo", "--db", sqliteDSN)
		if err != nil {
			t.Fatalf("demo: %v\n%s", err, out)
		}
		pw := demoPasswords(out)
		_, pgURL := pgtest.Open(t)

		out, err = runCommand(t, "", nil, "copy", "--from", sqliteDSN, "--to", pgURL)
		if err != nil {
			t.Fatalf("copy: %v\n%s", err, out)
		}
		if !strings.Contains(out, "row counts and checksums agree") {
			t.Fatalf("copy printed no agreement:\n%s", out)
		}
		copied := map[string]int{}
		for _, m := range copyLine.FindAllStringSubmatch(out, -1) {
			copied[m[1]], _ = strconv.Atoi(m[2])
		}
		// The demo's sizes (internal/demo defaults), as copied.
		for table, want := range map[string]int{"organization": 24, "person": 500, "ticket": 2000, "users": 3, "number_keys": 1} {
			if copied[table] != want {
				t.Errorf("copy reports %d rows of %s, want %d:\n%s", copied[table], table, want, out)
			}
		}
		for _, table := range []string{"location", "person_number", "ticket_log", "phonecall", "user_role", "user_org"} {
			if copied[table] == 0 {
				t.Errorf("copy reports no row of %s:\n%s", table, out)
			}
		}
		if strings.Contains(out, "schema_migrations") {
			t.Errorf("copy copied schema_migrations, which each database keeps for itself:\n%s", out)
		}

		// Every table of the source has the same count in the target.
		ctx := desk.NewSystemContext(context.Background())
		src, err := store.Open(ctx, sqliteDSN)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst, err := store.Open(ctx, pgURL)
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		for _, count := range []func(*store.DB) (int, error){
			func(db *store.DB) (int, error) { _, n, err := db.FindPersons(ctx, desk.PersonFilter{}); return n, err },
			func(db *store.DB) (int, error) { _, n, err := db.FindTickets(ctx, desk.TicketFilter{}); return n, err },
			func(db *store.DB) (int, error) {
				_, n, err := db.FindPhoneCalls(ctx, desk.PhoneCallFilter{})
				return n, err
			},
		} {
			a, err1 := count(src)
			b, err2 := count(dst)
			if err1 != nil || err2 != nil || a != b || a == 0 {
				t.Errorf("source %d (%v), target %d (%v)", a, err1, b, err2)
			}
		}
		// The number keys came along: a caller lookup finds the same persons.
		persons, _, err := src.FindPersons(ctx, desk.PersonFilter{Limit: 1})
		if err != nil || len(persons) == 0 || persons[0].Phone == "" {
			t.Fatalf("a person with a phone: %v, %v", persons, err)
		}
		want, err1 := src.FindCallersByNumber(ctx, persons[0].Phone)
		got, err2 := dst.FindCallersByNumber(ctx, persons[0].Phone)
		if err1 != nil || err2 != nil || len(got) == 0 || len(got) != len(want) || got[0].Person.ID != want[0].Person.ID {
			t.Errorf("callers of %q: source %d (%v), target %d (%v)", persons[0].Phone, len(want), err1, len(got), err2)
		}
		// The sequences follow the copied ids.
		last, _, err := dst.FindTickets(ctx, desk.TicketFilter{Limit: 1})
		if err != nil || len(last) != 1 {
			t.Fatal(last, err)
		}
		tk := &desk.Ticket{Kind: desk.KindUserRequest, Title: "After the copy", OrgID: last[0].OrgID}
		if err := dst.CreateTicket(ctx, tk); err != nil || tk.ID <= last[0].ID {
			t.Errorf("new ticket after the copy: id %d (%v), want more than %d", tk.ID, err, last[0].ID)
		}

		// The demo logins work on the copy, over HTTP.
		m, _ := MustServe(t, "--db", pgURL)
		base := "http://" + m.Addr()
		mustGetPage(t, mustHTTPLogin(t, base, "scoped", pw["scoped"]), base+"/tickets", "R-")

		// A database that holds data is never a target.
		out, err = runCommand(t, "", nil, "copy", "--from", sqliteDSN, "--to", pgURL)
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("copy into a database with data: %v, want a refusal\n%s", err, out)
		}

		// Back to a new SQLite database, loaded in bulk (its indexes built
		// at the end): the same callers are found; copied again onto it,
		// the copy is refused and the target still finds them.
		back := "sqlite:" + filepath.Join(t.TempDir(), "back.db")
		for i := range 2 {
			out, err = runCommand(t, "", nil, "copy", "--from", pgURL, "--to", back)
			if i == 0 && err != nil {
				t.Fatalf("copy back: %v\n%s", err, out)
			} else if i == 1 && (err == nil || !strings.Contains(err.Error(), "not empty")) {
				t.Errorf("copy back again: %v, want a refusal\n%s", err, out)
			}
			bdb, err := store.Open(ctx, back)
			if err != nil {
				t.Fatal(err)
			}
			got, err := bdb.FindCallersByNumber(ctx, persons[0].Phone)
			bdb.Close()
			if err != nil || len(got) != len(want) || got[0].Person.ID != want[0].Person.ID {
				t.Errorf("copy %d back to SQLite: callers of %q: %d (%v), want %d", i+1, persons[0].Phone, len(got), err, len(want))
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "a.db")
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"copy", "--from", db}, "usage: ctidesk copy"},
			{[]string{"copy", "--from", db, "--to", db}, "the same database"},
			{[]string{"copy", "--to", db, "extra"}, `unexpected argument "extra"`},
		} {
			if _, err := runCommand(t, "", nil, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q: %v, want an error about %q", tt.args, err, tt.want)
			}
		}
	})
}
