package storetest

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testLocation(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	loc := &desk.Location{Name: "Alpha Annex", OrgID: f.orgA.ID, Address: "2 Side St"}
	must(t, db.CreateLocation(f.admin, loc))
	if loc.ID == 0 || loc.OrgName != "Alpha Corp" {
		t.Fatalf("created %+v, want an id and org name", loc)
	}
	got, err := db.FindLocationByID(f.agent, loc.ID)
	must(t, err)
	if *got != *loc {
		t.Fatalf("found %+v, want %+v", got, loc)
	}
	locs, total, err := db.FindLocations(f.agent, desk.LocationFilter{OrgID: &f.orgA.ID})
	must(t, err)
	if total != 2 || locs[0].Name != "Alpha Annex" || locs[1].Name != "Alpha HQ" {
		t.Fatalf("locations of A: %d, want Alpha Annex, Alpha HQ", total)
	}

	wantField(t, db.CreateLocation(f.admin, &desk.Location{OrgID: f.orgA.ID}), "name")
	wantField(t, db.CreateLocation(f.admin, &desk.Location{Name: "Nowhere", OrgID: 99999}), "org_id")
	wantCode(t, db.CreateLocation(f.agent, &desk.Location{Name: "Agent's", OrgID: f.orgA.ID}), desk.EFORBIDDEN)
	_, total, err = db.FindLocations(f.admin, desk.LocationFilter{})
	must(t, err)
	if total != 3 {
		t.Fatalf("%d locations after refused creations, want 3", total)
	}
}
