package storetest

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testOrganization(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	t.Run("RoundTrip", func(t *testing.T) {
		o := &desk.Organization{Name: "  Gamma  ", Code: "GAM", SupportID: "S-9"}
		must(t, db.CreateOrganization(f.admin, o))
		if o.ID == 0 || o.Name != "Gamma" || o.Status != desk.StatusActive {
			t.Fatalf("created %+v, want an id, the trimmed name and status active", o)
		}
		got, err := db.FindOrganizationByID(f.agent, o.ID)
		must(t, err)
		if *got != *o {
			t.Fatalf("found %+v, want %+v", got, o)
		}
		upd, err := db.UpdateOrganization(f.admin, o.ID, desk.OrganizationUpdate{Status: ptr(desk.StatusInactive), Code: ptr("G")})
		must(t, err)
		if upd.Status != desk.StatusInactive || upd.Code != "G" || upd.Name != "Gamma" {
			t.Fatalf("updated %+v", upd)
		}
		got, err = db.FindOrganizationByID(f.agent, o.ID)
		must(t, err)
		if *got != *upd {
			t.Fatalf("found %+v after update, want %+v", got, upd)
		}
	})

	t.Run("Find", func(t *testing.T) {
		orgs, total, err := db.FindOrganizations(f.agent, desk.OrganizationFilter{})
		must(t, err)
		var names []string
		for _, o := range orgs {
			names = append(names, o.Name)
		}
		if total != 4 || len(orgs) != 4 || names[0] != "Alpha Corp" || names[3] != "Provider" {
			t.Fatalf("organizations %v (total %d), want 4 by name", names, total)
		}
		orgs, total, err = db.FindOrganizations(f.agent, desk.OrganizationFilter{Name: ptr("Beta Inc")})
		must(t, err)
		if total != 1 || orgs[0].ID != f.orgB.ID {
			t.Fatalf("by name: %d organizations, want Beta Inc", total)
		}
		orgs, total, err = db.FindOrganizations(f.agent, desk.OrganizationFilter{Query: "ALPHA"})
		must(t, err)
		if total != 1 || orgs[0].ID != f.orgA.ID {
			t.Fatalf("query ALPHA: %d organizations, want Alpha Corp", total)
		}
		orgs, total, err = db.FindOrganizations(f.agent, desk.OrganizationFilter{Limit: 2, Offset: 1})
		must(t, err)
		if total != 4 || len(orgs) != 2 || orgs[0].ID != f.orgB.ID {
			t.Fatalf("page: %d organizations of %d, want 2 of 4 starting with Beta", len(orgs), total)
		}
		_, err = db.FindOrganizationByID(f.agent, 99999)
		wantCode(t, err, desk.ENOTFOUND)
	})

	t.Run("Invalid", func(t *testing.T) {
		err := db.CreateOrganization(f.admin, &desk.Organization{Name: " "})
		wantField(t, err, "name")
		err = db.CreateOrganization(f.admin, &desk.Organization{Name: "X", Status: "closed"})
		wantField(t, err, "status")
		_, err = db.UpdateOrganization(f.admin, f.orgA.ID, desk.OrganizationUpdate{Name: ptr(""), Code: ptr("changed")})
		wantField(t, err, "name")
		got, err := db.FindOrganizationByID(f.admin, f.orgA.ID)
		must(t, err)
		if got.Name != "Alpha Corp" || got.Code != "" {
			t.Fatalf("a refused update changed the organization: %+v", got)
		}
		err = db.CreateOrganization(f.admin, &desk.Organization{Name: "Beta Inc"})
		wantCode(t, err, desk.ECONFLICT)
		_, err = db.UpdateOrganization(f.admin, f.orgA.ID, desk.OrganizationUpdate{Name: ptr("Beta Inc")})
		wantCode(t, err, desk.ECONFLICT)
		_, total, err := db.FindOrganizations(f.admin, desk.OrganizationFilter{})
		must(t, err)
		if total != 4 {
			t.Fatalf("%d organizations after refused writes, want 4", total)
		}
	})
}
