package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateSaysWhatItApplied: ctidesk migrate names each migration it
// applies, so that an upgrade says what it changed, and none when the
// database was up to date.
func TestMigrateSaysWhatItApplied(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "migrate.db")
	out, err := runCommand(t, "", nil, "migrate", "--db", db)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, want := range []string{"applied migration 0001_init.sql\n", "applied migration 0017_teams.sql\n",
		"applied migration 0020_user_org_id.sql\n", "database is up to date: " + db} {
		if !strings.Contains(out, want) {
			t.Errorf("first migrate does not say %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "0001_init") > strings.Index(out, "0017_teams") {
		t.Errorf("migrations not reported in their order:\n%s", out)
	}
	out, err = runCommand(t, "", nil, "migrate", "--db", db)
	if err != nil {
		t.Fatalf("migrate again: %v\n%s", err, out)
	}
	if strings.Contains(out, "applied migration") || !strings.Contains(out, "database is up to date") {
		t.Errorf("migrate of an up-to-date database says:\n%s", out)
	}
}
