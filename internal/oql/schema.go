package oql

import (
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The mapping of classes to the store's tables lives here, next to the
// compiler that needs it; the store's tests run every attribute of every class
// through the compiler against the real schema, so the two cannot drift.
//
// A class is stored in the table named after it (its abstract parent for a
// kind) in lower case, each attribute in the column of its name; a kind is
// told apart by the kind column. Derived attributes are computed here.

// table returns the table of class.
func table(c *desk.Class) string {
	if c.Parent != "" {
		return strings.ToLower(c.Parent)
	}
	return strings.ToLower(c.Name)
}

// hasKind reports whether class's table holds several kinds.
func hasKind(c *desk.Class) bool { return c.Parent != "" || c.Abstract }

// friendlyName returns the SQL of the name iTop shows for an object of c
// (alias a): what desk's FriendlyName methods compute.
func friendlyName(c *desk.Class, a string) string {
	switch table(c) {
	case "person":
		return "TRIM(" + a + ".first_name || ' ' || " + a + ".name)"
	case "ticket":
		return a + ".ref"
	case "phonecall":
		return a + ".number"
	}
	return a + ".name"
}

// column returns the SQL of attribute attr of class c (alias a). A derived
// attribute named after an external key (org_name for org_id, ticket_ref
// for ticket_id) is the friendly name of the object the key points to.
func column(c *desk.Class, attr desk.Attribute, a string) string {
	if !attr.Derived {
		return a + "." + attr.Name
	}
	if attr.Name == "friendlyname" {
		return friendlyName(c, a)
	}
	if i := strings.LastIndexByte(attr.Name, '_'); i > 0 {
		if key, ok := c.Attribute(attr.Name[:i] + "_id"); ok && key.Type == desk.TypeExtKey {
			target, _ := desk.FindClass(key.Target)
			return "(SELECT " + friendlyName(target, "d") + " FROM " + table(target) + " d WHERE d.id = " + a + "." + key.Name + ")"
		}
	}
	panic("oql: no SQL for derived attribute " + c.Name + "." + attr.Name)
}

// orderBy returns the natural order of class c (alias a): persons and
// organizations by name, tickets and phone calls newest first.
func orderBy(c *desk.Class, a string) string {
	switch table(c) {
	case "person":
		return a + ".name, " + a + ".first_name, " + a + ".id"
	case "ticket":
		return a + ".start_date DESC, " + a + ".id DESC"
	case "phonecall":
		return a + ".date DESC, " + a + ".id DESC"
	}
	return a + ".name, " + a + ".id"
}
