package storetest

import (
	"context"
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

	t.Run("Tree", func(t *testing.T) {
		// Group above Alpha Corp above Alpha Sales: a parent may be set at
		// creation or later, and named.
		group := &desk.Organization{Name: "Group"}
		must(t, db.CreateOrganization(f.admin, group))
		sales := &desk.Organization{Name: "Alpha Sales", ParentID: f.orgA.ID}
		must(t, db.CreateOrganization(f.admin, sales))
		if sales.ParentName != "Alpha Corp" {
			t.Fatalf("created %+v, want the parent's name", sales)
		}
		alpha, err := db.UpdateOrganization(f.admin, f.orgA.ID, desk.OrganizationUpdate{ParentID: &group.ID})
		must(t, err)
		if alpha.ParentID != group.ID || alpha.ParentName != "Group" {
			t.Fatalf("updated %+v, want it under Group", alpha)
		}
		got, err := db.FindOrganizationByID(f.agent, sales.ID)
		must(t, err)
		if *got != *sales {
			t.Fatalf("found %+v, want %+v", got, sales)
		}
		// The organizations stay a tree: none under itself or one below it.
		for _, c := range []struct {
			id, parent int64
		}{{group.ID, group.ID}, {group.ID, f.orgA.ID}, {group.ID, sales.ID}, {f.orgA.ID, sales.ID}, {f.orgA.ID, 99999}} {
			_, err := db.UpdateOrganization(f.admin, c.id, desk.OrganizationUpdate{ParentID: &c.parent})
			wantField(t, err, "parent_id")
		}
		// A scoped user cannot put an organization under one he does not
		// see, nor see that one's name; changing other attributes keeps the
		// parent.
		_, err = db.UpdateOrganization(f.admin, f.orgA.ID, desk.OrganizationUpdate{ParentID: &f.orgB.ID})
		must(t, err)
		scopedAdmin := desk.NewContextWithUser(context.Background(), &desk.User{ID: f.scopedUser.ID, Login: "scoped admin",
			Roles: []string{desk.RoleAdmin}, AllowedOrgIDs: []int64{f.orgA.ID, group.ID}})
		_, err = db.UpdateOrganization(scopedAdmin, group.ID, desk.OrganizationUpdate{ParentID: &f.orgP.ID})
		wantField(t, err, "parent_id")
		alpha, err = db.UpdateOrganization(scopedAdmin, f.orgA.ID, desk.OrganizationUpdate{Code: ptr("ALPHA")})
		must(t, err)
		if alpha.ParentID != f.orgB.ID || alpha.ParentName != "" || alpha.Code != "ALPHA" {
			t.Fatalf("updated %+v, want it still under Beta Inc, unnamed", alpha)
		}
		// Back as it was for the other tests.
		for _, id := range []int64{f.orgA.ID, sales.ID} {
			_, err = db.UpdateOrganization(f.admin, id, desk.OrganizationUpdate{ParentID: ptr(int64(0)), Code: ptr("")})
			must(t, err)
		}
	})
}
