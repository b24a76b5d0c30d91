package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestImportMatchPlan checks that an import finds the persons rows match by
// index, whatever the size of the directory.
func TestImportMatchPlan(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tt := range []struct {
		attr, index string
		scope       []int64
	}{
		{"email", "person_email_nocase", nil},
		{"email", "person_email_nocase", []int64{1, 2}},
		{"employee_number", "person_employee_number", nil},
		{"employee_number", "person_employee_number", []int64{3}},
	} {
		plan, err := db.ExplainImportMatch(ctx, tt.attr, []string{"a@example.com", "B@example.com", "c"}, tt.scope)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, tt.index) {
			t.Errorf("%s, scope %v: plan does not use %s:\n%s", tt.attr, tt.scope, tt.index, text)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s, scope %v: plan scans (%s):\n%s", tt.attr, tt.scope, step, text)
			}
		}
	}
}

// TestImportDeleteKeysPlan checks that the number keys of the phone
// attributes an import changes are deleted by primary key.
func TestImportDeleteKeysPlan(t *testing.T) {
	db := openTemp(t)
	plan, err := db.ExplainDeleteKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "PRIMARY KEY") || strings.Contains(text, "SCAN person_number") {
		t.Errorf("plan of the delete:\n%s", text)
	}
	t.Logf("plan:\n%s", text)
}

// TestFindAgentsPlan checks that FindAgents probes the numbers and names of
// the users' contacts by primary key: a scan of person_number, which holds
// every person's numbers, made each call event take 200 ms at 1,000,000
// persons.
func TestFindAgentsPlan(t *testing.T) {
	db := openTemp(t)
	plan, err := db.ExplainFindAgents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "SEARCH k USING PRIMARY KEY (person_id=?)") || !strings.Contains(text, "SEARCH p USING INTEGER PRIMARY KEY") ||
		strings.Contains(text, "SCAN k") || strings.Contains(text, "SCAN person_number") || strings.Contains(text, "SCAN p\n") {
		t.Errorf("plan of FindAgents:\n%s", text)
	}
	t.Logf("plan:\n%s", text)
}

// TestImportIndexes checks that an import into an empty person table, which
// drops the indexes of person and person_number while it writes, leaves
// every index as it was, whether it succeeds or fails; and the page cache.
func TestImportIndexes(t *testing.T) {
	db := openTemp(t)
	ctx := desk.NewSystemContext(context.Background())
	before, err := db.Indexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"person_name", "person_email_nocase", "person_employee_number", "person_number_rdigits"} {
		if before[name] == "" {
			t.Fatalf("no index %s to check among %v", name, slices.Sorted(maps.Keys(before)))
		}
	}
	rows := func(n int, fail error) func(yield func(*desk.PersonImport, error) bool) {
		return func(yield func(*desk.PersonImport, error) bool) {
			for i := range n {
				if !yield(&desk.PersonImport{Row: i + 2, Person: desk.Person{Name: fmt.Sprint("P", i), OrgName: "Org",
					Email: fmt.Sprintf("p%d@example.com", i), Phone: fmt.Sprintf("+1 212 555 %04d", i)}}, nil) {
					return
				}
			}
			if fail != nil {
				yield(nil, fail)
			}
		}
	}
	cache, err := db.WriterCacheSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		after, err := db.Indexes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(before, after) {
			t.Errorf("indexes %s:\n%v\nwant\n%v", when, after, before)
		}
		// The import widens the writer's page cache while it runs only.
		if got, err := db.WriterCacheSize(ctx); err != nil || got != cache {
			t.Errorf("cache_size %s: %d (%v), want %d", when, got, err, cache)
		}
	}
	opt := desk.ImportOptions{CreateOrganizations: true}
	if _, err := db.ImportPersons(ctx, rows(12000, errors.New("cut")), opt); err == nil {
		t.Fatal("failing import succeeded")
	}
	check("after a failed import into an empty table")
	res, err := db.ImportPersons(ctx, rows(12000, nil), opt)
	if err != nil || res.Created != 12000 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	check("after an import into an empty table")
	res, err = db.ImportPersons(ctx, rows(12000, nil), opt)
	if err != nil || res.Unchanged != 12000 {
		t.Fatalf("import again: %+v, %v", res, err)
	}
	check("after an import into a full table")
}
