package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestCallerLookupPlan checks that every caller lookup is served by indexes:
// a range of the rdigits index for numbers, the attribute's index for the
// exact lookups, and never a SCAN of person or person_number, whatever the
// user's scope.
func TestCallerLookupPlan(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	check := func(t *testing.T, what string, plan []string, index string) {
		t.Helper()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, index) {
			t.Errorf("%s: plan does not use %s:\n%s", what, index, text)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s: plan scans (%s):\n%s", what, step, text)
			}
		}
		t.Logf("plan of %s:\n%s", what, text)
	}
	for _, scope := range [][]int64{nil, {1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}} {
		for _, number := range []string{"+1 (212) 555-0100", "2125550100", "5550100", " 33 1 23 45 67 89", "0011234567890"} {
			plan, err := db.ExplainFindCallersByNumber(ctx, scope, number)
			if err != nil {
				t.Fatal(err)
			}
			check(t, number, plan, "person_number_rdigits (rdigits>? AND rdigits<?)")
		}
		for _, tt := range []struct{ attribute, index string }{
			{desk.AttrEmployeeNumber, "person_employee_number"},
			{desk.AttrSupportID, "person_support_id"},
			{desk.AttrEmail, "person_email_nocase"},
		} {
			plan, err := db.ExplainFindCallersByAttribute(ctx, scope, tt.attribute, "X-1")
			if err != nil {
				t.Fatal(err)
			}
			check(t, tt.attribute, plan, tt.index)
		}
	}
}

// TestMigrateRebuildsNumberKeys checks that Migrate finishes migration 0002
// on a database whose keys came from the provisional digit logic before it:
// the keys are rebuilt, and lookups find what they missed.
func TestMigrateRebuildsNumberKeys(t *testing.T) {
	db := openTemp(t)
	ctx := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Old"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	p := &desk.Person{Name: "Paris", OrgID: org.ID, Phone: "01 23 45 67 89"}
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	// As migration 0001 and the code before 0002 left it: every digit,
	// trunk 0 included, no E.164, region unknown.
	raw, err := sql.Open("sqlite", db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		"UPDATE person_number SET digits = '0123456789', rdigits = '9876543210', e164 = ''",
		"UPDATE number_keys SET region = ''",
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if ms, err := db.FindCallersByNumber(ctx, "+33123456789"); err != nil || len(ms) != 0 {
		t.Fatalf("with the old keys: %d found, %v; want none", len(ms), err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if region, err := db.NumberKeysRegion(ctx); err != nil || region != "US" {
		t.Fatalf("NumberKeysRegion after Migrate = %q, %v; want US", region, err)
	}
	ms, err := db.FindCallersByNumber(ctx, "+33123456789")
	if err != nil || len(ms) != 1 || ms[0].Person.ID != p.ID {
		t.Fatalf("after Migrate: %v, %v; want the person found", ms, err)
	}
}
