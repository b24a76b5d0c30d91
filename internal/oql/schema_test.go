package oql

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestLinkClassIsData checks that a class described by its attributes
// alone, as a link class such as iTop's lnkPersonToTeam will be, gets its
// friendly name, order and scope from them: the compiler needs no code for
// it.
func TestLinkClassIsData(t *testing.T) {
	link := &desk.Class{Name: "lnkPersonToLocation", Kinds: []string{"lnkPersonToLocation"}, Attributes: []desk.Attribute{
		{Name: "id", Type: desk.TypeID},
		{Name: "person_id", Type: desk.TypeExtKey, Target: desk.ClassPerson, Required: true, Scope: true},
		{Name: "person_name", Type: desk.TypeString, Derived: true, Naming: true},
		{Name: "location_id", Type: desk.TypeExtKey, Target: desk.ClassLocation, Required: true},
		{Name: "location_name", Type: desk.TypeString, Derived: true, Naming: true},
		{Name: "role", Type: desk.TypeString, Order: 1},
	}}
	if got, want := table(link), "lnk_person_to_location"; got != want {
		t.Errorf("table = %s, want %s", got, want)
	}
	if got, want := friendlyName(link, "a"), "TRIM((SELECT TRIM(d.first_name || ' ' || d.name) FROM person d WHERE d.id = a.person_id)"+
		" || ' ' || (SELECT d.name FROM location d WHERE d.id = a.location_id))"; got != want {
		t.Errorf("friendly name\n got %s\nwant %s", got, want)
	}
	if got, want := naturalOrder(link, "a"), "a.role, a.id"; got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
	c := &compiler{env: Env{Dialect: PostgreSQL, Scope: []int64{7}}}
	if got, want := c.scopeOf(link, "a"), "EXISTS (SELECT 1 FROM person sc0 WHERE sc0.id = a.person_id AND sc0.org_id IN ($1))"; got != want {
		t.Errorf("scope\n got %s\nwant %s", got, want)
	}
}
