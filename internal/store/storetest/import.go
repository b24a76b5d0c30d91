package storetest

import (
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// rowsOf returns rows as an import iterator, then err when not nil.
func rowsOf[T any](rows []T, err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// rejections collects the rejected rows of an import.
type rejections map[int]error

func (r rejections) options(create bool) desk.ImportOptions {
	return desk.ImportOptions{CreateOrganizations: create, Reject: func(row int, err error) { r[row] = err }}
}

// want fails unless exactly the rows of fields were rejected, each on the
// attribute given.
func (r rejections) want(t *testing.T, fields map[int]string) {
	t.Helper()
	for row, field := range fields {
		if err := r[row]; err == nil {
			t.Errorf("row %d was not rejected, want a rejection on %s", row, field)
		} else if got := desk.ErrorField(err); got != field {
			t.Errorf("row %d rejected on %q (%v), want %q", row, got, err, field)
		}
	}
	for row, err := range r {
		if _, ok := fields[row]; !ok {
			t.Errorf("row %d rejected: %v", row, err)
		}
	}
}

func wantResult(t *testing.T, got, want desk.ImportResult) {
	t.Helper()
	if got != want {
		t.Fatalf("import result %+v, want %+v", got, want)
	}
}

// findOne returns the only person filter finds, as the agent sees it.
func (f *fixture) findOne(t *testing.T, filter desk.PersonFilter) *desk.Person {
	t.Helper()
	persons, total, err := f.db.FindPersons(f.agent, filter)
	must(t, err)
	if total != 1 {
		t.Fatalf("%d persons found by %+v, want 1", total, filter)
	}
	return persons[0]
}

func countPersons(t *testing.T, db *store.DB, f *fixture) int {
	t.Helper()
	_, total, err := db.FindPersons(f.sys, desk.PersonFilter{Limit: 1})
	must(t, err)
	return total
}

func testImportPersons(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	before := countPersons(t, db, f)
	rows := func() []*desk.PersonImport {
		return []*desk.PersonImport{
			// New, by organization name, with a location of that organization.
			{Row: 2, Person: desk.Person{FirstName: "Carol", Name: "New", OrgName: "Alpha Corp", LocationName: "Alpha HQ",
				Email: "carol@alpha.example", Phone: "+1 (303) 555-0123", EmployeeNumber: "A-2001"}},
			// Alice, by her email in another case: a new mobile, the rest kept.
			{Row: 3, Person: desk.Person{Email: "ALICE@Alpha.Example", MobilePhone: "+1 720 555 0144", Function: "CFO"}},
			// Bob, by organization id and employee number... he has none: new.
			{Row: 4, Person: desk.Person{FirstName: "Dan", Name: "Nomail", OrgID: f.orgB.ID, EmployeeNumber: "B-77"}},
			// Bad email.
			{Row: 5, Person: desk.Person{Name: "Bad", OrgName: "Alpha Corp", Email: "x@"}},
			// Unknown organization (not created without the option).
			{Row: 6, Person: desk.Person{Name: "Lost", OrgName: "Gamma LLC", Email: "lost@gamma.example"}},
			// No organization at all, for a new person.
			{Row: 7, Person: desk.Person{Name: "Orphan"}},
			// A location of another organization.
			{Row: 8, Person: desk.Person{Name: "Misplaced", OrgName: "Alpha Corp", LocationName: "Beta HQ"}},
			// Neither email nor employee number: always created.
			{Row: 9, Person: desk.Person{Name: "Anon", OrgID: f.orgA.ID}},
			// The same email as row 2 in the same import: updates Carol.
			{Row: 10, Person: desk.Person{Email: "Carol@alpha.example", Function: "Buyer"}},
			// By employee number: Alice (A-1001) moves to Beta, leaving her location.
			{Row: 11, Person: desk.Person{EmployeeNumber: "A-1001", OrgName: "Beta Inc"}},
			// Alice again, as she now is: unchanged.
			{Row: 12, Person: desk.Person{Email: "alice@alpha.example", OrgID: f.orgB.ID}},
			// By organization code: none has one.
			{Row: 13, Person: desk.Person{Name: "Coded"}, OrgCode: "ZZ"},
			// A bad status on a matched person leaves it as it was.
			{Row: 14, Person: desk.Person{Email: "bob@beta.example", Status: "retired"}},
		}
	}
	rej := rejections{}
	res, err := db.ImportPersons(f.agent, rowsOf(rows(), nil), rej.options(false))
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: 3, Updated: 3, Unchanged: 1, Rejected: 6})
	rej.want(t, map[int]string{5: "email", 6: "org_name", 7: "org_name", 8: "location_name", 13: "org_code", 14: "status"})
	if err := rej[5]; english(err) != `"x@" is not an email address.` {
		t.Errorf("row 5: %q", english(err))
	}
	if got := countPersons(t, db, f); got != before+3 {
		t.Fatalf("%d persons after the import, want %d", got, before+3)
	}

	// Row 10's email differs from Carol's in case only: the stored one stays.
	carol := f.findOne(t, desk.PersonFilter{Email: ptr("carol@alpha.example")})
	if carol.OrgID != f.orgA.ID || carol.LocationID != f.locA.ID || carol.Function != "Buyer" || carol.Status != desk.StatusActive {
		t.Errorf("Carol = %+v", carol)
	}
	alice, err := db.FindPersonByID(f.agent, f.alice.ID)
	must(t, err)
	if alice.MobilePhone != "+1 720 555 0144" || alice.Function != "CFO" || alice.Phone != f.alice.Phone ||
		alice.Name != "Martin" || alice.OrgID != f.orgB.ID || alice.LocationID != 0 {
		t.Errorf("Alice after the import = %+v", alice)
	}
	// The number keys follow the imported numbers.
	if p := f.findOne(t, desk.PersonFilter{Query: "7205550144"}); p.ID != f.alice.ID {
		t.Errorf("new mobile finds %d, want Alice", p.ID)
	}
	if persons, _, err := db.FindPersons(f.agent, desk.PersonFilter{Query: "0612345678"}); err != nil || len(persons) != 0 {
		t.Errorf("old mobile finds %d persons (%v), want none", len(persons), err)
	}
	if p := f.findOne(t, desk.PersonFilter{Query: "212 555 0100"}); p.ID != f.alice.ID {
		t.Errorf("unchanged phone finds %d, want Alice", p.ID)
	}
	if p := f.findOne(t, desk.PersonFilter{Query: "303 555 0123"}); p.ID != carol.ID {
		t.Errorf("Carol's phone finds %d, want %d", p.ID, carol.ID)
	}

	// Twice: nothing new, but the person without email nor employee number.
	rej = rejections{}
	res, err = db.ImportPersons(f.agent, rowsOf(rows(), nil), rej.options(false))
	must(t, err)
	// Empty values keep what is stored: row 2 does not take back the
	// function row 10 gave Carol.
	wantResult(t, res, desk.ImportResult{Created: 1, Unchanged: 6, Rejected: 6})
	if got := countPersons(t, db, f); got != before+4 {
		t.Fatalf("%d persons after the second import, want %d", got, before+4)
	}

	// With the option, a missing organization is created.
	rej = rejections{}
	res, err = db.ImportPersons(f.sys, rowsOf([]*desk.PersonImport{
		{Row: 2, Person: desk.Person{Name: "Lost", OrgName: "Gamma LLC", Email: "lost@gamma.example"}},
		{Row: 3, Person: desk.Person{Name: "Found", OrgName: "Gamma LLC"}},
	}, nil), rej.options(true))
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: 2})
	orgs, _, err := db.FindOrganizations(f.sys, desk.OrganizationFilter{Name: ptr("Gamma LLC")})
	must(t, err)
	if len(orgs) != 1 {
		t.Fatalf("%d organizations named Gamma LLC, want 1", len(orgs))
	}
	if p := f.findOne(t, desk.PersonFilter{Email: ptr("lost@gamma.example")}); p.OrgID != orgs[0].ID || p.OrgName != "Gamma LLC" {
		t.Errorf("imported person %+v, want organization %d", p, orgs[0].ID)
	}

	// An error from the rows ends the import; the batches before it stay.
	res, err = db.ImportPersons(f.agent, rowsOf([]*desk.PersonImport{
		{Row: 2, Person: desk.Person{Name: "Early", OrgID: f.orgA.ID, Email: "early@alpha.example"}},
	}, errors.New("disk on fire")), desk.ImportOptions{})
	if err == nil || err.Error() != "disk on fire" {
		t.Fatalf("import with a failing reader: %v", err)
	}
	wantResult(t, res, desk.ImportResult{})
	if persons, _, err := db.FindPersons(f.agent, desk.PersonFilter{Email: ptr("early@alpha.example")}); err != nil || len(persons) != 0 {
		t.Errorf("the batch cut by the error was written: %d persons, %v", len(persons), err)
	}
}

func testImportScope(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	rej := rejections{}
	res, err := db.ImportPersons(f.scoped, rowsOf([]*desk.PersonImport{
		// Another organization's: unknown to the scoped user, and he may not
		// create organizations.
		{Row: 2, Person: desk.Person{Name: "Intruder", OrgName: "Beta Inc"}},
		{Row: 3, Person: desk.Person{Name: "Intruder", OrgID: f.orgB.ID}},
		{Row: 4, Person: desk.Person{Name: "Intruder", OrgName: "Delta"}},
		// Bob's email: Bob is not seen, so a new person is made in Alpha,
		// and Bob is left alone.
		{Row: 5, Person: desk.Person{Name: "Twin", OrgName: "Alpha Corp", Email: "Bob@beta.example", Phone: "+1 212 555 0999"}},
		// Alice is seen: updated, but she may not move to Beta.
		{Row: 6, Person: desk.Person{Email: "alice@alpha.example", Function: "Scoped"}},
		{Row: 7, Person: desk.Person{Email: "alice@alpha.example", OrgName: "Beta Inc"}},
	}, nil), rej.options(true))
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: 1, Updated: 1, Rejected: 4})
	rej.want(t, map[int]string{2: "org_name", 3: "org_id", 4: "org_name", 7: "org_name"})
	bob, err := db.FindPersonByID(f.sys, f.bob.ID)
	must(t, err)
	if bob.Name != "Durand" || bob.OrgID != f.orgB.ID || bob.Phone != f.bob.Phone {
		t.Errorf("Bob changed by a scoped import: %+v", bob)
	}
	twins, _, err := db.FindPersons(f.sys, desk.PersonFilter{Query: "bob@beta"})
	must(t, err)
	if len(twins) != 2 {
		t.Errorf("%d persons with Bob's email, want Bob and the scoped user's new one", len(twins))
	}
	alice, err := db.FindPersonByID(f.sys, f.alice.ID)
	must(t, err)
	if alice.Function != "Scoped" || alice.OrgID != f.orgA.ID {
		t.Errorf("Alice = %+v", alice)
	}
	orgs, _, err := db.FindOrganizations(f.sys, desk.OrganizationFilter{Name: ptr("Delta")})
	must(t, err)
	if len(orgs) != 0 {
		t.Errorf("the scoped agent created an organization")
	}

	// Rights: a viewer may not import, an agent may not import organizations.
	_, err = db.ImportPersons(f.viewer, rowsOf([]*desk.PersonImport{{Row: 2, Person: desk.Person{Name: "X", OrgID: f.orgA.ID}}}, nil), desk.ImportOptions{})
	wantCode(t, err, desk.EFORBIDDEN)
	_, err = db.ImportPersons(f.anon, rowsOf([]*desk.PersonImport{}, nil), desk.ImportOptions{})
	wantCode(t, err, desk.EUNAUTHORIZED)
	_, err = db.ImportOrganizations(f.agent, rowsOf([]*desk.OrganizationImport{{Row: 2, Organization: desk.Organization{Name: "X"}}}, nil), desk.ImportOptions{})
	wantCode(t, err, desk.EFORBIDDEN)
}

// testImportEmpty imports into an empty person table, which the store may do
// differently (SQLite: one transaction, indexes built at the end), across
// several batches.
func testImportEmpty(t *testing.T, open func(t *testing.T) *store.DB) {
	db := open(t)
	f := &fixture{db: db}
	f.sys = desk.NewSystemContext(t.Context())
	f.agent = f.sys
	org := f.org(t, "Only")
	const n = 25000
	rows := func() []*desk.PersonImport {
		var rows []*desk.PersonImport
		for i, p := range Persons(n, 0) {
			p.OrgName = "Only"
			p.OrgID = 0
			if i%3 == 0 {
				p.Email = ""
			}
			rows = append(rows, &desk.PersonImport{Row: i + 2, Person: *p})
		}
		// Later rows for earlier persons, in other batches: by email (in
		// another case), by employee number, and one unchanged.
		rows = append(rows,
			&desk.PersonImport{Row: n + 2, Person: desk.Person{Email: "PERSON1@example.com", HomePhone: "+1 415 555 0101"}},
			&desk.PersonImport{Row: n + 3, Person: desk.Person{EmployeeNumber: "E0000003", Function: "Moved"}},
			&desk.PersonImport{Row: n + 4, Person: desk.Person{Email: "person2@example.com"}},
			&desk.PersonImport{Row: n + 5, Person: desk.Person{Name: "Bad", OrgName: "Only", Email: "bad@"}},
		)
		return rows
	}
	rej := rejections{}
	var progress []desk.ImportProgress
	opt := rej.options(false)
	opt.Progress = func(p desk.ImportProgress) { progress = append(progress, p) }
	rs := rows()
	res, err := db.ImportPersons(f.sys, rowsOf(rs, nil), opt)
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: n, Updated: 2, Unchanged: 1, Rejected: 1})
	rej.want(t, map[int]string{n + 5: "email"})
	if len(progress) < 3 || progress[len(progress)-1].Rows != n+4 {
		t.Errorf("progress %v, want it to reach %d rows", progress, n+4)
	}
	for _, r := range rs[:n] {
		if r.Person.ID == 0 {
			t.Fatalf("row %d: no id set", r.Row)
		}
	}
	if rs[n].Person.ID != rs[1].Person.ID || rs[n+1].Person.ID != rs[3].Person.ID {
		t.Errorf("later rows set ids %d, %d; want %d, %d", rs[n].Person.ID, rs[n+1].Person.ID, rs[1].Person.ID, rs[3].Person.ID)
	}
	if got := countPersons(t, db, f); got != n {
		t.Fatalf("%d persons, want %d", got, n)
	}
	p1 := f.findOne(t, desk.PersonFilter{Query: "4155550101"})
	if p1.Email != "person1@example.com" || p1.OrgID != org.ID {
		t.Errorf("home phone of person 1 finds %+v", p1)
	}
	if p := f.findOne(t, desk.PersonFilter{EmployeeNumber: ptr("E0000003")}); p.Function != "Moved" {
		t.Errorf("person 3 = %+v", p)
	}
	if p := f.findOne(t, desk.PersonFilter{Query: "646-001-2345"}); p.EmployeeNumber != "E0012345" {
		t.Errorf("number search after the import finds %+v", p)
	}

	// Again: every row matches, nothing changes.
	rej = rejections{}
	res, err = db.ImportPersons(f.sys, rowsOf(rows(), nil), rej.options(false))
	must(t, err)
	// The first rows of persons 1 and 3 do not take back what later rows
	// added: their empty values keep what is stored.
	wantResult(t, res, desk.ImportResult{Unchanged: n + 3, Rejected: 1})
	if got := countPersons(t, db, f); got != n {
		t.Fatalf("%d persons after the second import, want %d", got, n)
	}
}

func testImportEmptyFails(t *testing.T, open func(t *testing.T) *store.DB) {
	db := open(t)
	ctx := desk.NewSystemContext(t.Context())
	var rows []*desk.PersonImport
	for i := range 15000 {
		rows = append(rows, &desk.PersonImport{Row: i + 2, Person: desk.Person{Name: fmt.Sprint("P", i), OrgName: "New Org",
			Phone: fmt.Sprintf("+1 212 555 %04d", i%10000)}})
	}
	res, err := db.ImportPersons(ctx, rowsOf(rows, errors.New("read error")), desk.ImportOptions{CreateOrganizations: true})
	if err == nil {
		t.Fatal("import with a failing reader succeeded")
	}
	wantResult(t, res, desk.ImportResult{})
	empty, err := db.IsEmpty(ctx)
	must(t, err)
	if !empty {
		t.Error("a failed import into an empty database left data")
	}
	// The database works as before: a person and a number search.
	org := &desk.Organization{Name: "After"}
	must(t, db.CreateOrganization(ctx, org))
	p := &desk.Person{Name: "After", OrgID: org.ID, Phone: "+1 212 555 0100"}
	must(t, db.CreatePerson(ctx, p))
	found, _, err := db.FindPersons(ctx, desk.PersonFilter{Query: "2125550100"})
	must(t, err)
	wantIDs(t, "persons found", personIDs(found), []int64{p.ID})
}

func testImportOrganizations(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	rows := func() []*desk.OrganizationImport {
		return []*desk.OrganizationImport{
			{Row: 2, Organization: desk.Organization{Name: "Alpha Corp", Code: "AL", SupportID: "S-1"}},
			{Row: 3, Organization: desk.Organization{Name: "Gamma", Code: "GA", Status: "Inactive"}},
			{Row: 4, Organization: desk.Organization{Name: "Delta", Status: "closed"}},
			{Row: 5, Organization: desk.Organization{Name: ""}},
			{Row: 6, Organization: desk.Organization{Name: "Gamma", SupportID: "S-3"}},
			{Row: 7, Organization: desk.Organization{Name: "Beta Inc"}},
		}
	}
	rej := rejections{}
	res, err := db.ImportOrganizations(f.admin, rowsOf(rows(), nil), rej.options(false))
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: 1, Updated: 2, Unchanged: 1, Rejected: 2})
	rej.want(t, map[int]string{4: "status", 5: "name"})
	alpha, err := db.FindOrganizationByID(f.admin, f.orgA.ID)
	must(t, err)
	if alpha.Code != "AL" || alpha.SupportID != "S-1" || alpha.Status != desk.StatusActive {
		t.Errorf("Alpha = %+v", alpha)
	}
	gammas, _, err := db.FindOrganizations(f.admin, desk.OrganizationFilter{Name: ptr("Gamma")})
	must(t, err)
	if len(gammas) != 1 || gammas[0].Code != "GA" || gammas[0].Status != desk.StatusInactive || gammas[0].SupportID != "S-3" {
		t.Errorf("Gamma = %+v", gammas)
	}
	rej = rejections{}
	res, err = db.ImportOrganizations(f.admin, rowsOf(rows(), nil), rej.options(false))
	must(t, err)
	wantResult(t, res, desk.ImportResult{Unchanged: 4, Rejected: 2})

	// An administrator limited to Alpha neither sees Beta nor takes its name.
	scopedAdmin := f.user(t, &desk.User{Login: "scopedadmin", Roles: []string{desk.RoleAdmin}, AllowedOrgIDs: []int64{f.orgA.ID}})
	rej = rejections{}
	res, err = db.ImportOrganizations(desk.NewContextWithUser(t.Context(), scopedAdmin), rowsOf([]*desk.OrganizationImport{
		{Row: 2, Organization: desk.Organization{Name: "Beta Inc", Code: "BE"}},
		{Row: 3, Organization: desk.Organization{Name: "Alpha Corp", Code: "AA"}},
	}, nil), rej.options(false))
	must(t, err)
	wantResult(t, res, desk.ImportResult{Updated: 1, Rejected: 1})
	rej.want(t, map[int]string{2: "name"})
	beta, err := db.FindOrganizationByID(f.admin, f.orgB.ID)
	must(t, err)
	if beta.Code != "" {
		t.Errorf("Beta changed by an administrator who does not see it: %+v", beta)
	}
}

// testImportBatches imports many persons into a table that is not empty,
// batch after batch, then changes a number of each.
func testImportBatches(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	const n = 25000
	rows := func(mobile string) []*desk.PersonImport {
		var rows []*desk.PersonImport
		for i, p := range Persons(n, f.orgB.ID) {
			p.MobilePhone = fmt.Sprintf(mobile, i)
			rows = append(rows, &desk.PersonImport{Row: i + 2, Person: *p})
		}
		return rows
	}
	res, err := db.ImportPersons(f.agent, rowsOf(rows("+33 6 %08d"), nil), desk.ImportOptions{})
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: n})
	p := f.findOne(t, desk.PersonFilter{Query: "+33 6 00 02 34 56"})
	if p.EmployeeNumber != "E0023456" {
		t.Fatalf("mobile of person 23456 finds %+v", p)
	}
	res, err = db.ImportPersons(f.agent, rowsOf(rows("+33 7 %08d"), nil), desk.ImportOptions{})
	must(t, err)
	wantResult(t, res, desk.ImportResult{Updated: n})
	if p := f.findOne(t, desk.PersonFilter{Query: "07 00 02 34 56"}); p.EmployeeNumber != "E0023456" {
		t.Errorf("new mobile of person 23456 finds %+v", p)
	}
	if persons, _, err := db.FindPersons(f.agent, desk.PersonFilter{Query: "+33 6 00 02 34 56"}); err != nil || len(persons) != 0 {
		t.Errorf("old mobile finds %d persons (%v), want none", len(persons), err)
	}
	if p := f.findOne(t, desk.PersonFilter{Query: "646-002-3456"}); p.EmployeeNumber != "E0023456" {
		t.Errorf("unchanged phone of person 23456 finds %+v", p)
	}
}

// testImportLaterRow imports rows where a later row of the same batch
// changes the number an earlier row gave, for a new person and for a stored
// one: the numbers parsed ahead are those the rows gave, so the person must
// be found by the last number and not by the first.
func testImportLaterRow(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	res, err := db.ImportPersons(f.agent, rowsOf([]*desk.PersonImport{
		{Row: 2, Person: desk.Person{Name: "Later", OrgID: f.orgB.ID, Email: "later@beta.example", Phone: "+33 1 40 00 00 01"}},
		{Row: 3, Person: desk.Person{Email: "later@beta.example", Phone: "+33 1 40 00 00 02", MobilePhone: " +33 6 40 00 00 03 "}},
	}, nil), desk.ImportOptions{})
	must(t, err)
	wantResult(t, res, desk.ImportResult{Created: 1, Updated: 1})
	if p := f.findOne(t, desk.PersonFilter{Query: "01 40 00 00 02"}); p.Email != "later@beta.example" {
		t.Errorf("the later row's phone finds %+v", p)
	}
	if p := f.findOne(t, desk.PersonFilter{Query: "06 40 00 00 03"}); p.Email != "later@beta.example" {
		t.Errorf("the later row's mobile finds %+v", p)
	}
	if persons, _, err := db.FindPersons(f.agent, desk.PersonFilter{Query: "01 40 00 00 01"}); err != nil || len(persons) != 0 {
		t.Errorf("the earlier row's phone finds %d persons (%v), want none", len(persons), err)
	}
	// The same for a stored person, matched by email.
	res, err = db.ImportPersons(f.agent, rowsOf([]*desk.PersonImport{
		{Row: 2, Person: desk.Person{Email: "later@beta.example", Phone: "+33 1 40 00 00 04"}},
		{Row: 3, Person: desk.Person{Email: "later@beta.example", Phone: "+33 1 40 00 00 05"}},
	}, nil), desk.ImportOptions{})
	must(t, err)
	wantResult(t, res, desk.ImportResult{Updated: 2})
	if p := f.findOne(t, desk.PersonFilter{Query: "01 40 00 00 05"}); p.Email != "later@beta.example" {
		t.Errorf("the stored person's new phone finds %+v", p)
	}
	for _, gone := range []string{"01 40 00 00 02", "01 40 00 00 04"} {
		if persons, _, err := db.FindPersons(f.agent, desk.PersonFilter{Query: gone}); err != nil || len(persons) != 0 {
			t.Errorf("%s finds %d persons (%v), want none", gone, len(persons), err)
		}
	}
}
