package storetest

import (
	"fmt"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testPerson(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	t.Run("RoundTrip", func(t *testing.T) {
		p := &desk.Person{FirstName: " Carol ", Name: "Leroy", OrgID: f.orgA.ID, LocationID: f.locA.ID,
			Email: "carol@alpha.example", Phone: "01 23 45 67 89", HomePhone: "+33 1 98 76 54 32",
			EmployeeNumber: "A-2002", SupportID: "SUP-7", Function: "Accountant"}
		must(t, db.CreatePerson(f.agent, p))
		if p.ID == 0 || p.FirstName != "Carol" || p.Status != desk.StatusActive ||
			p.OrgName != "Alpha Corp" || p.LocationName != "Alpha HQ" {
			t.Fatalf("created %+v, want an id, trimmed names, status active and derived names", p)
		}
		got, err := db.FindPersonByID(f.viewer, p.ID)
		must(t, err)
		if *got != *p {
			t.Fatalf("found\n%+v\nwant\n%+v", got, p)
		}

		upd, err := db.UpdatePerson(f.agent, p.ID, desk.PersonUpdate{OrgID: &f.orgB.ID, LocationID: &f.locB.ID,
			Function: ptr("Controller")})
		must(t, err)
		if upd.OrgName != "Beta Inc" || upd.LocationName != "Beta HQ" || upd.Function != "Controller" || upd.Name != "Leroy" {
			t.Fatalf("updated %+v", upd)
		}
		got, err = db.FindPersonByID(f.viewer, p.ID)
		must(t, err)
		if *got != *upd {
			t.Fatalf("found\n%+v\nafter update, want\n%+v", got, upd)
		}
		upd, err = db.UpdatePerson(f.agent, p.ID, desk.PersonUpdate{LocationID: ptr(int64(0))})
		must(t, err)
		if upd.LocationID != 0 || upd.LocationName != "" {
			t.Fatalf("location not cleared: %+v", upd)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		_, before, err := db.FindPersons(f.admin, desk.PersonFilter{})
		must(t, err)
		for _, tt := range []struct {
			p     desk.Person
			field string
		}{
			{desk.Person{FirstName: "No", OrgID: f.orgA.ID}, "name"},
			{desk.Person{Name: "Orphan"}, "org_id"},
			{desk.Person{Name: "Lost", OrgID: 99999}, "org_id"},
			{desk.Person{Name: "Mail", OrgID: f.orgA.ID, Email: "not an address"}, "email"},
			{desk.Person{Name: "Phone", OrgID: f.orgA.ID, MobilePhone: "none"}, "mobile_phone"},
			{desk.Person{Name: "Status", OrgID: f.orgA.ID, Status: "gone"}, "status"},
			{desk.Person{Name: "Elsewhere", OrgID: f.orgA.ID, LocationID: f.locB.ID}, "location_id"},
			{desk.Person{Name: "Nowhere", OrgID: f.orgA.ID, LocationID: 99999}, "location_id"},
		} {
			p := tt.p
			wantField(t, db.CreatePerson(f.agent, &p), tt.field)
		}
		_, err = db.UpdatePerson(f.agent, f.alice.ID, desk.PersonUpdate{Email: ptr("bad@"), Function: ptr("changed")})
		wantField(t, err, "email")
		_, err = db.UpdatePerson(f.agent, f.alice.ID, desk.PersonUpdate{OrgID: &f.orgB.ID}) // location stays in A
		wantField(t, err, "location_id")
		got, err := db.FindPersonByID(f.agent, f.alice.ID)
		must(t, err)
		if *got != *f.alice {
			t.Fatalf("refused updates changed the person:\n%+v\nwant\n%+v", got, f.alice)
		}
		_, after, err := db.FindPersons(f.admin, desk.PersonFilter{})
		must(t, err)
		if after != before {
			t.Fatalf("%d persons after refused creations, want %d", after, before)
		}
		_, err = db.UpdatePerson(f.agent, 99999, desk.PersonUpdate{Function: ptr("x")})
		wantCode(t, err, desk.ENOTFOUND)
	})

	t.Run("Find", func(t *testing.T) {
		persons, total, err := db.FindPersons(f.agent, desk.PersonFilter{OrgID: &f.orgA.ID})
		must(t, err)
		// By name: Martin (Alice), Scoped (Sam), plus Leroy when RoundTrip moved it to B.
		wantIDs(t, "persons of A", personIDs(persons), []int64{f.alice.ID, f.scopedP.ID})
		if total != 2 {
			t.Fatalf("total = %d, want 2", total)
		}
		for _, tt := range []struct {
			name   string
			filter desk.PersonFilter
			want   []int64
		}{
			{"email", desk.PersonFilter{Email: ptr("bob@beta.example")}, []int64{f.bob.ID}},
			{"employee number", desk.PersonFilter{EmployeeNumber: ptr("A-1001")}, []int64{f.alice.ID}},
			{"ids", desk.PersonFilter{IDs: []int64{f.bob.ID, f.alice.ID}}, []int64{f.bob.ID, f.alice.ID}},
			{"no ids", desk.PersonFilter{IDs: []int64{}}, []int64{}},
			{"name, any case", desk.PersonFilter{Query: "mart"}, []int64{f.alice.ID}},
			{"first name", desk.PersonFilter{Query: "ALICE"}, []int64{f.alice.ID}},
			{"full name", desk.PersonFilter{Query: "alice martin"}, []int64{f.alice.ID}},
			{"email part", desk.PersonFilter{Query: "@beta."}, []int64{f.bob.ID}},
			{"employee number part", desk.PersonFilter{Query: "a-100"}, []int64{f.alice.ID}},
			{"percent is literal", desk.PersonFilter{Query: "%"}, []int64{}},
			{"underscore is literal", desk.PersonFilter{Query: "_"}, []int64{}},
		} {
			persons, total, err := db.FindPersons(f.agent, tt.filter)
			must(t, err)
			wantIDs(t, tt.name, personIDs(persons), tt.want)
			if total != len(tt.want) {
				t.Fatalf("%s: total = %d, want %d", tt.name, total, len(tt.want))
			}
		}
		// Order and paging: name, first name, id.
		for i := range 5 {
			f.person(t, &desk.Person{FirstName: fmt.Sprint(4 - i), Name: "Zed", OrgID: f.orgP.ID})
		}
		persons, total, err = db.FindPersons(f.agent, desk.PersonFilter{Query: "zed", Limit: 2, Offset: 1})
		must(t, err)
		if total != 5 || len(persons) != 2 || persons[0].FirstName != "1" || persons[1].FirstName != "2" {
			t.Fatalf("page 2 of Zed: %d of %d, want first names 1 and 2 of 5", len(persons), total)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		p := f.person(t, &desk.Person{Name: "Temp", OrgID: f.orgA.ID, Phone: "+1 999 555 4242"})
		must(t, db.DeletePerson(f.agent, p.ID))
		_, err := db.FindPersonByID(f.agent, p.ID)
		wantCode(t, err, desk.ENOTFOUND)
		wantCode(t, db.DeletePerson(f.agent, p.ID), desk.ENOTFOUND)
		persons, _, err := db.FindPersons(f.agent, desk.PersonFilter{Query: "9995554242"})
		must(t, err)
		wantIDs(t, "number search after delete", personIDs(persons), []int64{})

		f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "Printer", OrgID: f.orgA.ID, CallerID: f.alice.ID})
		wantCode(t, db.DeletePerson(f.agent, f.alice.ID), desk.ECONFLICT)
		wantCode(t, db.DeletePerson(f.agent, f.agentP.ID), desk.ECONFLICT) // a user's contact
		wantCode(t, db.DeletePerson(f.viewer, f.bob.ID), desk.EFORBIDDEN)
		if _, err := db.FindPersonByID(f.agent, f.alice.ID); err != nil {
			t.Fatalf("refused delete removed the person: %v", err)
		}
	})
}

// testPersonManager checks a person's manager: set at creation or later,
// named, a person the user sees, not himself, and unset when the manager
// goes.
func testPersonManager(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	boss := f.person(t, &desk.Person{FirstName: "Bea", Name: "Boss", OrgID: f.orgA.ID})
	p := &desk.Person{Name: "Staff", OrgID: f.orgA.ID, ManagerID: boss.ID}
	must(t, db.CreatePerson(f.agent, p))
	if p.ManagerName != "Bea Boss" {
		t.Fatalf("created %+v, want the manager's name", p)
	}
	got, err := db.FindPersonByID(f.agent, p.ID)
	must(t, err)
	if *got != *p {
		t.Fatalf("found\n%+v\nwant\n%+v", got, p)
	}
	upd, err := db.UpdatePerson(f.agent, f.alice.ID, desk.PersonUpdate{ManagerID: &boss.ID})
	must(t, err)
	if upd.ManagerID != boss.ID || upd.ManagerName != "Bea Boss" {
		t.Fatalf("updated %+v, want Bea Boss as manager", upd)
	}
	// The caller lookup reads the same person, but for the manager's name.
	ms, err := db.FindCallersByNumber(f.agent, "+12125550100")
	must(t, err)
	if len(ms) != 1 || ms[0].Person.ManagerID != boss.ID {
		t.Fatalf("caller lookup: %+v, want alice with her manager", ms)
	}
	_, err = db.UpdatePerson(f.agent, boss.ID, desk.PersonUpdate{ManagerID: &boss.ID})
	wantField(t, err, "manager_id")
	_, err = db.UpdatePerson(f.agent, p.ID, desk.PersonUpdate{ManagerID: ptr(int64(99999))})
	wantField(t, err, "manager_id")
	_, err = db.UpdatePerson(f.scoped, f.alice.ID, desk.PersonUpdate{ManagerID: &f.bob.ID}) // Beta Inc is not the scoped user's
	wantField(t, err, "manager_id")
	err = db.CreatePersons(f.agent, []*desk.Person{{Name: "Batch", OrgID: f.orgA.ID, ManagerID: 99999}}, nil)
	wantField(t, err, "manager_id")
	batch := []*desk.Person{{Name: "Batch", OrgID: f.orgA.ID, ManagerID: boss.ID}}
	must(t, db.CreatePersons(f.agent, batch, nil))
	got, err = db.FindPersonByID(f.agent, batch[0].ID)
	must(t, err)
	if got.ManagerID != boss.ID {
		t.Fatalf("batch person %+v, want Bea Boss as manager", got)
	}

	must(t, db.DeletePerson(f.agent, boss.ID))
	for _, id := range []int64{p.ID, f.alice.ID, batch[0].ID} {
		got, err := db.FindPersonByID(f.agent, id)
		must(t, err)
		if got.ManagerID != 0 || got.ManagerName != "" {
			t.Fatalf("after the manager's deletion: %+v, want no manager", got)
		}
	}
}

func testPersonNumberSearch(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	ext := f.person(t, &desk.Person{Name: "Extension", OrgID: f.orgA.ID, Phone: "tel:+1-303-555-0177;ext=42",
		HomePhone: "(720) 555-0188 x 7", MobilePhone: "720 555 0166 #9"})
	digitsEmployee := f.person(t, &desk.Person{Name: "Digits", OrgID: f.orgA.ID, EmployeeNumber: "20240117"})

	// find searches as the agent, or as the scoped user when who is "scoped".
	find := func(t *testing.T, who string, q string, want ...int64) {
		t.Helper()
		ctx := f.agent
		if who == "scoped" {
			ctx = f.scoped
		}
		persons, total, err := db.FindPersons(ctx, desk.PersonFilter{Query: q})
		must(t, err)
		if want == nil {
			want = []int64{}
		}
		wantIDs(t, fmt.Sprintf("persons found by %q", q), personIDs(persons), want)
		if total != len(want) {
			t.Fatalf("%q: total = %d, want %d", q, total, len(want))
		}
	}
	for _, q := range []string{"2125550100", "+12125550100", "5550100", "555-0100", "(212) 555 0100", "0100",
		"212.555.0100 ext 3", "212-555-0100 X12", " 1 212 555 0100"} {
		find(t, "", q, f.alice.ID) // the end of alice's phone
	}
	find(t, "", "0612345678", f.alice.ID) // her mobile
	find(t, "", "5678", f.alice.ID)
	find(t, "", "010")            // under 4 digits: a text search, and no name contains 010
	find(t, "", "212555")         // the start of a number does not match
	find(t, "", "99992125550100") // longer than the number
	// Extensions are cut off.
	find(t, "", "3035550177", ext.ID)
	find(t, "", "7205550188", ext.ID)
	find(t, "", "7205550166", ext.ID)
	find(t, "", "017742")
	// A query of digits also matches an employee number exactly.
	find(t, "", "20240117", digitsEmployee.ID)
	// Other organizations stay hidden.
	find(t, "", "4155550199", f.bob.ID)
	find(t, "scoped", "4155550199")
	find(t, "scoped", "2125550100", f.alice.ID)

	// Numbers follow updates.
	_, err := db.UpdatePerson(f.agent, f.alice.ID, desk.PersonUpdate{Phone: ptr("+1 646 555 0111"), MobilePhone: ptr("")})
	must(t, err)
	find(t, "", "2125550100")
	find(t, "", "0612345678")
	find(t, "", "6465550111", f.alice.ID)
}

func testPersonBatch(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	const n = 20000
	persons := Persons(n, f.orgB.ID)
	var progress []int
	must(t, db.CreatePersons(f.agent, persons, func(done int) { progress = append(progress, done) }))
	if len(progress) == 0 || progress[len(progress)-1] != n {
		t.Fatalf("progress %v, want it to end at %d", progress, n)
	}
	for i := 1; i < len(progress); i++ {
		if progress[i] <= progress[i-1] {
			t.Fatalf("progress %v does not increase", progress)
		}
	}
	for _, p := range persons {
		if p.ID == 0 {
			t.Fatal("a batch-created person has no id")
		}
	}
	_, total, err := db.FindPersons(f.agent, desk.PersonFilter{OrgID: &f.orgB.ID})
	must(t, err)
	if total != n+1 { // and bob
		t.Fatalf("%d persons in B, want %d", total, n+1)
	}
	found, total, err := db.FindPersons(f.agent, desk.PersonFilter{Query: "646-001-2345"})
	must(t, err)
	if total != 1 || found[0].ID != persons[12345].ID || found[0].OrgName != "Beta Inc" {
		t.Fatalf("number search in the batch: %d found, want person 12345", total)
	}
	found, _, err = db.FindPersons(f.agent, desk.PersonFilter{Query: "0012345"})
	must(t, err)
	if len(found) != 1 || found[0].ID != persons[12345].ID {
		t.Fatalf("suffix search in the batch: %v, want person 12345", personIDs(found))
	}

	// Bad input writes nothing.
	bad := Persons(7000, f.orgA.ID)
	bad[6500].Email = "nope"
	err = db.CreatePersons(f.agent, bad, nil)
	wantField(t, err, "email")
	scopedBatch := Persons(10, f.orgB.ID)
	wantField(t, db.CreatePersons(f.scoped, scopedBatch, nil), "org_id")
	wantCode(t, db.CreatePersons(f.viewer, Persons(1, f.orgA.ID), nil), desk.EFORBIDDEN)
	_, total, err = db.FindPersons(f.agent, desk.PersonFilter{OrgID: &f.orgA.ID})
	must(t, err)
	if total != 2 {
		t.Fatalf("%d persons in A after refused batches, want 2", total)
	}
}
