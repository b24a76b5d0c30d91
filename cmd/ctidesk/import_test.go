package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/store"
)

// personsCSV has a quoted field over two lines (line 3), so that the bad
// email is on line 5 of the file though it is the fourth row, and a row of
// the wrong length.
const personsCSV = "\xEF\xBB\xBFFirst name;Last name;E-mail;Phone;Mobile;Company;Job title\r\n" +
	"Ada;Lovelace;ada@example.com;+44 20 7946 0958;;Analytical Engines;Countess\r\n" +
	"Alan;Turing;alan@example.com;+44 161 496 0000;;Bletchley Park;\"Code breaker;\r\nmathematician\"\r\n" +
	"Grace;Hopper;x@;+1 212 555 0100;;Navy;Admiral\r\n" +
	"Edsger;Dijkstra;edsger@example.com;+31 20 123 4567;+31 6 12345678;TU Eindhoven;Professor\r\n" +
	"Barbara;Liskov;barbara@example.com\r\n"

func TestImportPersons(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "import.db")
	file := filepath.Join(dir, "persons.csv")
	if err := os.WriteFile(file, []byte(personsCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCommand(t, "", nil, "import", "persons", file, "--db", db)
	if err == nil || !strings.Contains(err.Error(), "2 bad rows skipped") {
		t.Errorf("import with bad rows: %v, want an error counting them", err)
	}
	for _, want := range []string{
		"line 5: email \"x@\" is not an email address\n",
		"line 7: 3 fields, but the header has 7\n",
		"created 3, updated 0, unchanged 0, skipped 2 (bad rows)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "line 5:"), strings.Index(out, "line 7:"); i > j {
		t.Errorf("bad rows out of line order:\n%s", out)
	}

	// The good rows are there, their organizations created, their numbers
	// found.
	ctx := desk.NewSystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	persons, total, err := s.FindPersons(ctx, desk.PersonFilter{})
	if err != nil || total != 3 {
		t.Fatalf("%d persons imported (%v), want 3", total, err)
	}
	got := map[string]*desk.Person{}
	for _, p := range persons {
		got[p.Email] = p
	}
	if p := got["alan@example.com"]; p == nil || p.Function != "Code breaker; mathematician" || p.OrgName != "Bletchley Park" {
		t.Errorf("Alan = %+v", p)
	}
	if found, _, err := s.FindPersons(ctx, desk.PersonFilter{Query: "+31 6 1234 5678"}); err != nil || len(found) != 1 ||
		found[0].Name != "Dijkstra" {
		t.Errorf("number search after the import: %v, %v", found, err)
	}
	s.Close()

	// Again, from stdin: nothing new.
	out, _ = runCommand(t, personsCSV, nil, "import", "persons", "-", "--db", db)
	if !strings.Contains(out, "persons from stdin: created 0, updated 0, unchanged 3, skipped 2 (bad rows)") {
		t.Errorf("second import:\n%s", out)
	}

	// Without --create-orgs, an unknown organization is a bad row.
	if err := os.WriteFile(file, []byte("name,org_name\nKnuth,Stanford\nHopper,Navy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runCommand(t, "", map[string]string{"CTIDESK_CREATE_ORGS": "false"}, "import", "persons", file, "--db", db)
	if err == nil || !strings.Contains(out, `line 2: org_name "Stanford" is not an organization`) ||
		!strings.Contains(out, "created 1,") {
		t.Errorf("import without --create-orgs: %v\n%s", err, out)
	}
}

func TestImportOrganizations(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "orgs.db")
	out, err := runCommand(t, "name,code,status\nAcme,AC,active\nBeta,BE,inactive\n", nil, "import", "organizations", "-", "--db", db)
	if err != nil || !strings.Contains(out, "organizations from stdin: created 2, updated 0, unchanged 0, skipped 0") {
		t.Fatalf("import organizations: %v\n%s", err, out)
	}
	out, err = runCommand(t, "name,code\nAcme,AX\n", nil, "import", "organizations", "-", "--db", db)
	if err != nil || !strings.Contains(out, "created 0, updated 1, unchanged 0, skipped 0") {
		t.Fatalf("update organizations: %v\n%s", err, out)
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "errors.db")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no file", "", []string{"import", "persons"}, "usage: ctidesk import persons|organizations|teams|team-members FILE.csv"},
		{"unknown kind", "", []string{"import", "tickets", "x.csv"}, `unknown kind "tickets"`},
		{"missing file", "", []string{"import", "persons", filepath.Join(dir, "none.csv")}, "no such file"},
		{"unknown column", "name,emial\nDoe,doe@example.com\n", []string{"import", "persons", "-"},
			`unknown column "emial" (column 2); did you mean "email"?`},
		{"empty input", "", []string{"import", "organizations", "-"}, "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, tt.stdin, nil, append(tt.args, "--db", db)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q = %v (%s), want an error containing %q", tt.args, err, out, tt.want)
			}
		})
	}
	// A header error imports nothing; the database was not even opened.
	if _, err := os.Stat(filepath.Join(dir, "errors.db")); !os.IsNotExist(err) {
		t.Errorf("the database was created: %v", err)
	}
}

func TestRowReason(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{desk.Invalid("email", "error.not_email", "x@"), `email "x@" is not an email address`},
		{desk.Invalid("name", "error.last_name_required"), "name: Last name is required"},
		{desk.Invalid("org_id", "error.not_organization_id", 7), "org_id 7 is not an organization"},
		{desk.NewError(desk.ECONFLICT, "error.value_taken"), "This value is already used by another object"},
	} {
		if got := rowReason(locale.MustLoad().Printer(locale.English), tt.err); got != tt.want {
			t.Errorf("rowReason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
