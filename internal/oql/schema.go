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
// told apart by the kind column. Derived attributes are computed here. What
// else a class needs (its friendly name, order, scope, tree) is read from its
// attributes (desk's oql tags), so that a class added to desk, a link class
// among them, needs no code here.

// table returns the table of class: a link class's (lnkPersonToTeam) is
// named in snake case (lnk_person_to_team), as the store names tables of
// several words; users are in users (user is a reserved word of
// PostgreSQL), their allowed organizations in user_org.
func table(c *desk.Class) string {
	switch c.Name {
	case desk.ClassUser:
		return "users"
	case desk.ClassUserOrg:
		return "user_org"
	}
	if c.Parent != "" {
		return strings.ToLower(c.Parent)
	}
	if strings.HasPrefix(c.Name, "lnk") {
		var b strings.Builder
		for i, r := range c.Name {
			if 'A' <= r && r <= 'Z' {
				if i > 0 {
					b.WriteByte('_')
				}
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return strings.ToLower(c.Name)
}

// hasKind reports whether class's table holds several kinds.
func hasKind(c *desk.Class) bool { return c.Parent != "" || c.Abstract }

// friendlyName returns the SQL of the name iTop shows for an object of c
// (alias a): its naming attributes joined by spaces, else its name, as
// desk's FriendlyName methods compute it.
func friendlyName(c *desk.Class, a string) string {
	n, last := 0, -1
	for i := range c.Attributes {
		if c.Attributes[i].Naming {
			n, last = n+1, i
		}
	}
	switch n {
	case 0:
		return a + ".name"
	case 1:
		return column(c, c.Attributes[last], a)
	}
	var b strings.Builder
	b.Grow(48)
	b.WriteString("TRIM(")
	for i := range c.Attributes {
		if attr := &c.Attributes[i]; attr.Naming {
			writeColumn(&b, c, *attr, a)
			n--
			if n > 0 {
				b.WriteString(" || ' ' || ")
			}
		}
	}
	b.WriteString(")")
	return b.String()
}

// column returns the SQL of attribute attr of class c (alias a). An
// external field (User.first_name) is the attribute of the object its key
// points to; a derived attribute named after an external key (org_name for
// org_id, ticket_ref for ticket_id) is the friendly name of that object;
// the query-only ones that are not constants, and a user's status, are
// computed from others by compiler.column, which sees to them all.
func column(c *desk.Class, attr desk.Attribute, a string) string {
	if !attr.Derived {
		return a + "." + stored(attr)
	}
	if attr.ExtKey != "" {
		key, _ := c.Attribute(attr.ExtKey)
		target, _ := desk.FindClass(key.Target)
		remote, _ := target.Attribute(attr.ExtAttribute)
		// The alias is the outer one's, lengthened: one external field
		// may be read through another (User.org_name is its contact's
		// org_name, itself a subquery), and no alias hides the one it
		// reads.
		e := a + "e"
		return "(SELECT " + column(target, remote, e) + " FROM " + table(target) + " " + e + " WHERE " + e + ".id = " +
			column(c, key, a) + ")"
	}
	switch attr.Name {
	case "friendlyname":
		return friendlyName(c, a)
	case "creation_date":
		return a + ".start_date"
	case "role_name":
		return a + ".role"
	case "finalclass":
		if hasKind(c) {
			return a + ".kind"
		}
	}
	if i := strings.LastIndexByte(attr.Name, '_'); i > 0 {
		if key, ok := c.Attribute(attr.Name[:i] + "_id"); ok && key.Type == desk.TypeExtKey {
			target, _ := desk.FindClass(key.Target)
			return "(SELECT " + friendlyName(target, "d") + " FROM " + table(target) + " d WHERE d.id = " + a + "." + stored(key) + ")"
		}
	}
	panic("oql: no SQL for derived attribute " + c.Name + "." + attr.Name)
}

// writeColumn writes column(c, attr, a) to b, a stored attribute without
// building its text first.
func writeColumn(b *strings.Builder, c *desk.Class, attr desk.Attribute, a string) {
	if attr.Derived {
		b.WriteString(column(c, attr, a))
		return
	}
	b.WriteString(a)
	b.WriteByte('.')
	b.WriteString(stored(attr))
}

// stored returns the column of a stored attribute.
func stored(attr desk.Attribute) string {
	if attr.Column != "" {
		return attr.Column
	}
	return attr.Name
}

// constant returns the value every object of c has for attr, for the
// query-only attributes that are constants: the class of an object of a
// class of one kind, the escalation flag of a ticket ctidesk never
// escalates.
func constant(c *desk.Class, attr desk.Attribute) (string, bool) {
	switch {
	case attr.Name == "finalclass" && !hasKind(c):
		return c.Name, true
	case attr.Name == "escalation_flag":
		return "no", true
	}
	return "", false
}

// orderBy returns the order of the objects of q (alias a): by the attribute
// OrderedBy gave, if any, then the natural order of its class.
func orderBy(q *Query, a string) string {
	if q.order == nil {
		return naturalOrder(q.class, a)
	}
	var b strings.Builder
	writeColumn(&b, q.class, *q.order, a)
	if q.desc {
		b.WriteString(" DESC")
	}
	return b.String() + ", " + naturalOrder(q.class, a)
}

// naturalOrder returns the natural order of class c (alias a): by its order
// attributes (persons by name, tickets and phone calls newest first), else
// by name, then by id the same way.
func naturalOrder(c *desk.Class, a string) string {
	var b strings.Builder
	b.Grow(32)
	desc := false
	for rank := 1; ; rank++ {
		i := -1
		for j := range c.Attributes {
			if o := c.Attributes[j].Order; o == rank || o == -rank {
				i = j
			}
		}
		if i < 0 {
			break
		}
		attr := c.Attributes[i]
		writeColumn(&b, c, attr, a)
		if attr.Order < 0 {
			b.WriteString(" DESC")
			desc = desc || rank == 1
		}
		b.WriteString(", ")
	}
	if b.Len() == 0 {
		if _, ok := c.Attribute("name"); ok {
			b.WriteString(a)
			b.WriteString(".name, ")
		}
	}
	b.WriteString(a)
	b.WriteString(".id")
	if desc {
		b.WriteString(" DESC")
	}
	return b.String()
}

// scopeAttributes returns the attributes by which an object of c belongs
// to organizations (desk.Attribute.Scope), else its org_id: a reader sees
// the object when he sees each (a user's allowed organization, when he sees
// both the user and the organization).
func scopeAttributes(c *desk.Class) []desk.Attribute {
	var attrs []desk.Attribute
	for i := range c.Attributes {
		if c.Attributes[i].Scope {
			attrs = append(attrs, c.Attributes[i])
		}
	}
	if attrs == nil {
		if org, ok := c.Attribute("org_id"); ok {
			attrs = append(attrs, org)
		}
	}
	return attrs
}

// treeName returns the name of the table of the pairs (object, object it
// is under or is) of the tree attr makes (the organizations'), which the
// compiler puts in a WITH clause.
func treeName(c *desk.Class, attr desk.Attribute) string {
	return "tree_" + table(c) + "_" + attr.Name
}

// treeSQL returns that table, each object being under itself; UNION rather
// than UNION ALL ends on a cycle of the tree.
func treeSQL(c *desk.Class, attr desk.Attribute) string {
	name, t := treeName(c, attr), table(c)
	return name + "(id, ancestor) AS (SELECT id, id FROM " + t + " UNION SELECT h.id, p." + attr.Name +
		" FROM " + name + " h JOIN " + t + " p ON p.id = h.ancestor WHERE p." + attr.Name + " IS NOT NULL)"
}
