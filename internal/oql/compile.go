package oql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// Env is what a compilation needs besides the query: the dialect, the
// parameter values and the reader's organization scope.
type Env struct {
	Dialect Dialect
	// Params holds the parameter values by name (without the colon).
	Params desk.QueryParams
	// Scope lists the organizations the reader may see; nil: all of them.
	Scope []int64
	// ContactID is the reader's contact: a phone call tied to no ticket and
	// no contact is visible to its agent only, and :current_contact->name is
	// his.
	ContactID int64
	// Phone, when set, makes phone attributes compared with a parameter
	// match by number (docs/configuration.md, phone) through the person_number keys.
	Phone *phone.Normalizer
	// Limit bounds the objects returned; 0: no bound.
	Limit int
	// Total, with a Limit, adds to each row the number of objects the query
	// finds in all, limit or not (Statement.Total reads it).
	Total bool
	// Cap, with Total, stops the count at Cap+1 objects: a count that does
	// not read every object found, which a list shows as "20 of 1,000+".
	// 0: every object is counted.
	Cap int
	// This is the object in context, whose attributes :this->name are (its
	// class and id); nil when there is none.
	This *desk.Object
	// Now is the time of NOW(); zero: the time of the compilation.
	Now time.Time
}

// Statement is a compiled query: SQL text with numbered placeholders and its
// arguments. Its rows hold the id, the friendly name, the Columns, and for a
// ticket class the kind.
type Statement struct {
	SQL  string
	Args []any
	// Columns are the attributes the rows hold after id and friendlyname.
	Columns []desk.Attribute
	class   *desk.Class
	// total tells that the rows end with the number of objects found (Env.Total).
	total bool
}

// Compile returns the SQL of q with env. A parameter without a value, a list
// given where one value is expected, or an attribute of an object in
// context (:this->name) when there is none, is EINVALID. No value of a
// parameter or literal reaches the SQL text: all are arguments.
func (q *Query) Compile(env Env) (*Statement, error) {
	c := &compiler{env: env}
	for _, p := range q.params {
		if _, ok := env.Params[p.Name]; !ok {
			return nil, desk.NewError(desk.EINVALID, "error.query_param_missing", p.Name)
		}
	}
	if err := c.checkThis(q.this); err != nil {
		return nil, err
	}
	st := &Statement{class: q.class}
	n := len(q.class.Attributes)
	if q.columns != nil {
		n = min(n, len(q.columns))
	}
	st.Columns = make([]desk.Attribute, 0, n)
	for _, attr := range q.class.Attributes {
		if attr.Type != desk.TypeLog && attr.Name != "id" && attr.Name != "friendlyname" && !attr.QueryOnly &&
			(q.columns == nil || slices.Contains(q.columns, attr.Name)) {
			st.Columns = append(st.Columns, attr)
		}
	}

	// The conditions of each SELECT: kinds, scope, then its WHERE clause.
	// The objects are selected by id, in a subquery, when they may be found
	// several times (joins, UNION: each is returned once), and when a limit
	// applies: the subquery orders and limits the ids alone, so that the
	// columns, derived names among them, are worked out only for the
	// objects returned rather than for every object found before the sort.
	// A limited query whose joins only narrow the selected source down
	// (semiJoin) selects from that source alone, found once each.
	first := q.branches[0]
	limited := env.Limit > 0
	from := c.from(first)
	var conds []string
	var err error
	sj, reduced := (*semiJoin)(nil), false
	if limited && len(q.branches) == 1 {
		sj, reduced = c.semiJoinOf(first)
	}
	multi := len(q.branches) > 1 || (len(first.joins) > 0 && !reduced)
	st.total = limited && env.Total
	// expanded is the list parameter the query runs once per value of
	// (expandedList), nil when none; the count, when it needs the
	// conditions as they are (no cap), keeps the list whole.
	var expanded *paramRef
	if limited && !multi && (!st.total || env.Cap > 0) {
		expanded = c.expandedList(first)
	}
	// condsOf returns the conditions of the first SELECT, its joins reduced
	// when it is a semi-join; the count and the expanded list compile them
	// again, with enums as lists or one value of the list.
	condsOf := func() ([]string, error) {
		if reduced {
			return c.semiJoinConds(first, sj)
		}
		return c.conds(first)
	}
	if reduced {
		from = " FROM " + table(first.sel.class) + " " + alias(first.sel)
	}
	argsBefore := len(c.args)
	conds, err = condsOf()
	if err != nil {
		return nil, err
	}
	if expanded != nil {
		// Each branch compiles its own conditions: these, compiled for
		// their errors, are not written, nor their arguments.
		c.args, conds = c.args[:argsBefore], nil
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	idsSQL := "SELECT " + alias(first.sel) + ".id" + from + where
	for _, b := range q.branches[1:] {
		sql, err := c.selectIDs(b)
		if err != nil {
			return nil, err
		}
		idsSQL += " UNION " + sql
	}
	// count is the scalar subquery of the total: the objects found, up to
	// Cap+1 when Cap is set.
	var count string
	if limited {
		order, body := alias(first.sel), from+where
		if multi {
			// Each object once, then ordered and limited.
			order = "s"
			body = " FROM " + table(q.class) + " s WHERE s.id IN (" + idsSQL + ")"
		}
		if st.total {
			counted := "SELECT 1" + body
			if env.Cap > 0 && !multi {
				// The count reads the objects in any order, up to the cap:
				// its conditions with enums as lists let an index on the
				// key and the status give the open tickets of an
				// organization, without its history of closed ones.
				// A list expanded by value counts each value's up to the
				// cap, and their union up to the cap.
				values := []any{nil}
				if expanded != nil {
					values = listOf(env.Params[expanded.name])
				}
				c.enumLists = true
				var parts []string
				for i, v := range values {
					if expanded != nil {
						c.only = map[*paramRef]any{expanded: v}
					}
					cc, err := condsOf()
					if err != nil {
						return nil, err
					}
					part := "SELECT " + alias(first.sel) + ".id" + from
					if len(cc) > 0 {
						part += " WHERE " + strings.Join(cc, " AND ")
					}
					if expanded != nil {
						k := "c" + strconv.Itoa(i)
						part = "SELECT " + k + ".id FROM (" + part + " LIMIT " + strconv.Itoa(env.Cap+1) + ") " + k
					}
					parts = append(parts, part)
				}
				c.enumLists, c.only = false, nil
				counted = strings.Join(parts, " UNION ")
			}
			if env.Cap > 0 {
				counted += " LIMIT " + strconv.Itoa(env.Cap+1)
			}
			count = "(SELECT COUNT(*) FROM (" + counted + ") k)"
		}
		// The limits are numbers of the program, never of a query or a
		// request, and written as such: PostgreSQL's plan for any values
		// (a prepared statement's) then knows them, where it takes a
		// parameter's LIMIT for a tenth of the rows and hashes the table.
		idsSQL = "SELECT " + order + ".id" + body + " ORDER BY " + orderBy(q, order) + " LIMIT " + strconv.Itoa(env.Limit)
		if expanded != nil {
			// One walk per value, each stopping at the limit; the outer
			// query orders their rows and keeps the limit.
			var branches []string
			for i, v := range listOf(env.Params[expanded.name]) {
				c.only = map[*paramRef]any{expanded: v}
				bc, err := condsOf()
				if err != nil {
					return nil, err
				}
				branch := "SELECT " + order + ".id" + from
				if len(bc) > 0 {
					branch += " WHERE " + strings.Join(bc, " AND ")
				}
				branch += " ORDER BY " + orderBy(q, order) + " LIMIT " + strconv.Itoa(env.Limit)
				branches = append(branches, "SELECT b"+strconv.Itoa(i)+".id FROM ("+branch+") b"+strconv.Itoa(i))
			}
			c.only = nil
			idsSQL = strings.Join(branches, " UNION ")
		}
	}

	out := alias(first.sel)
	if multi || limited {
		out = "r"
	}
	var b strings.Builder
	if len(c.trees) > 0 {
		b.WriteString("WITH RECURSIVE " + strings.Join(c.trees, ", ") + " ")
	}
	b.WriteString("SELECT " + out + ".id, " + friendlyName(q.class, out))
	for _, attr := range st.Columns {
		b.WriteString(", " + c.column(q.class, attr, out))
	}
	if hasKind(q.class) {
		b.WriteString(", " + out + ".kind")
	}
	if count != "" {
		b.WriteString(", " + count)
	}
	switch {
	case out == alias(first.sel):
		b.WriteString(" FROM " + table(q.class) + " " + out + where)
	case limited:
		// The ids found, each once, joined to their rows: PostgreSQL
		// probes the primary key for each rather than hashing a
		// semi-join with the whole table.
		b.WriteString(" FROM (" + idsSQL + ") w JOIN " + table(q.class) + " " + out + " ON " + out + ".id = w.id")
	default:
		b.WriteString(" FROM " + table(q.class) + " " + out + " WHERE " + out + ".id IN (" + idsSQL + ")")
	}
	b.WriteString(" ORDER BY " + orderBy(q, out))
	if expanded != nil {
		b.WriteString(" LIMIT " + strconv.Itoa(env.Limit))
	}
	st.SQL, st.Args = b.String(), c.args
	return st, nil
}

// alias returns the SQL alias of a source: never the one written in the
// query, so that no text of the query reaches the SQL.
func alias(s *source) string { return "a" + strconv.Itoa(s.index) }

type compiler struct {
	env  Env
	args []any
	// trees are the WITH tables of the hierarchies the query follows.
	trees []string
	// aliases counts the aliases of the scope conditions' subqueries.
	aliases int
	// enumLists writes an enum compared with values it is not (!=, NOT IN)
	// as the list of the values it may be instead (IN): the same objects,
	// found by an index on the enum (the open tickets of an organization
	// without reading its closed ones). For a count, which needs no order.
	enumLists bool
	// only gives a parameter one of its values, in one branch of a list
	// expanded by value (expandedList).
	only map[*paramRef]any
}

// arg adds an argument and returns its placeholder.
func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return c.env.Dialect.placeholder(len(c.args))
}

// now returns the time of NOW(), to the second as MySQL's.
func (c *compiler) now() time.Time {
	if c.env.Now.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return c.env.Now.UTC().Truncate(time.Second)
}

// conds returns the conditions of s: the kinds and scope of its sources,
// then its WHERE clause.
func (c *compiler) conds(s *selectQuery) ([]string, error) {
	var conds []string
	for _, src := range s.sources() {
		conds = append(conds, c.kindCond(src)...)
		if cond := c.scopeCond(src); cond != "" {
			conds = append(conds, cond)
		}
	}
	if s.where != nil {
		w, err := c.expr(s.where)
		if err != nil {
			return nil, err
		}
		conds = append(conds, w)
	}
	return conds, nil
}

// from returns the FROM clause of s with its joins.
func (c *compiler) from(s *selectQuery) string {
	sql := " FROM " + table(s.from.class) + " " + alias(s.from)
	for _, j := range s.joins {
		sql += " JOIN " + table(j.src.class) + " " + alias(j.src) + " ON " + c.joinCond(j)
	}
	return sql
}

// selectIDs returns the SQL of the ids of the objects s selects.
func (c *compiler) selectIDs(s *selectQuery) (string, error) {
	conds, err := c.conds(s)
	if err != nil {
		return "", err
	}
	sql := "SELECT " + alias(s.sel) + ".id" + c.from(s)
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	return sql, nil
}

// joinCond returns the ON condition of j: equal keys, or the pair of
// objects in the tree of a hierarchical key.
func (c *compiler) joinCond(j *join) string {
	if j.op == joinEqual {
		return c.ref(j.left) + " = " + c.ref(j.right)
	}
	tree := treeSQL(j.left.src.class, j.left.attr)
	if !slices.Contains(c.trees, tree) {
		c.trees = append(c.trees, tree)
	}
	node, other := alias(j.left.src)+".id", alias(j.right.src)+".id"
	if j.op == joinAbove || j.op == joinAboveStrict {
		node, other = other, node
	}
	cond := "EXISTS (SELECT 1 FROM " + treeName(j.left.src.class, j.left.attr) + " h WHERE h.id = " + node + " AND h.ancestor = " + other
	if strings.HasSuffix(j.op, "STRICT") {
		cond += " AND h.id <> h.ancestor"
	}
	cond += ")"
	if j.not {
		return "NOT " + cond
	}
	return cond
}

func (c *compiler) ref(r *attrRef) string { return c.column(r.src.class, r.attr, alias(r.src)) }

// column returns the SQL of attr of class (alias a), the query-only
// attributes and a user's status included: the values they are made of are
// arguments, as every value of a query.
func (c *compiler) column(class *desk.Class, attr desk.Attribute, a string) string {
	if v, ok := constant(class, attr); ok {
		return "CAST(" + c.arg(v) + " AS TEXT)"
	}
	if attr.Name == "operational_status" {
		sql := "CASE " + a + ".status"
		for _, s := range []string{desk.TicketResolved, desk.TicketClosed} {
			sql += " WHEN " + c.arg(s) + " THEN " + c.arg(s)
		}
		return sql + " ELSE " + c.arg(desk.OperationalStatuses[0]) + " END"
	}
	if attr.Name == "status" && class.Name == desk.ClassUser {
		return "CASE WHEN " + a + ".disabled_at IS NULL THEN " + c.arg(desk.UserEnabled) + " ELSE " + c.arg(desk.UserDisabled) + " END"
	}
	return column(class, attr, a)
}

// kindCond selects the kind of a ticket class.
func (c *compiler) kindCond(s *source) []string {
	if !hasKind(s.class) || s.class.Abstract {
		return nil
	}
	// Most tickets may be of one kind: the kind is not the index to start
	// from either.
	return []string{c.env.Dialect.NoIndex(alias(s)+".kind") + " = " + c.arg(s.class.Name)}
}

// scopeCond limits a source to the reader's organizations, as the store's
// own reads do.
func (c *compiler) scopeCond(s *source) string {
	if c.env.Scope == nil {
		return ""
	}
	return c.scopeOf(s.class, alias(s))
}

// scopeOf returns the condition that the object of class (alias a) belongs
// to the reader's organizations: by its scope attributes (an organization
// by its id, most objects by their organization, a link by the object it
// links, a user's allowed organization by both), and for a phone call by its ticket's, else its contact's, else
// only for its agent.
func (c *compiler) scopeOf(class *desk.Class, a string) string {
	scope := c.env.Scope
	// The organization is never the index to start from: one organization
	// may hold most of the directory, while the query's own conditions
	// (a number, a caller) select a few rows.
	in := func(col string) string {
		col = c.env.Dialect.NoIndex(col)
		if len(scope) == 0 {
			return "1 = 0"
		}
		ph := make([]string, len(scope))
		for i, id := range scope {
			ph[i] = c.arg(id)
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	if table(class) == "phonecall" {
		return "(EXISTS (SELECT 1 FROM ticket st WHERE st.id = " + a + ".ticket_id AND " + in("st.org_id") + ")" +
			" OR (" + a + ".ticket_id IS NULL AND (EXISTS (SELECT 1 FROM person sp WHERE sp.id = " + a + ".contact_id AND " + in("sp.org_id") + ")" +
			" OR (" + a + ".contact_id IS NULL AND " + a + ".agent_id = " + c.arg(c.env.ContactID) + "))))"
	}
	attrs := scopeAttributes(class)
	if attrs == nil {
		panic("oql: class " + class.Name + " has no scope attribute")
	}
	conds := make([]string, len(attrs))
	for i, attr := range attrs {
		if attr.Type == desk.TypeID || attr.Target == desk.ClassOrganization {
			conds[i] = in(column(class, attr, a))
			continue
		}
		target, _ := desk.FindClass(attr.Target)
		s := "sc" + strconv.Itoa(c.aliases)
		c.aliases++
		conds[i] = "EXISTS (SELECT 1 FROM " + table(target) + " " + s + " WHERE " + s + ".id = " + column(class, attr, a) + " AND " + c.scopeOf(target, s) + ")"
	}
	return strings.Join(conds, " AND ")
}

func (c *compiler) expr(e expr) (string, error) {
	switch e := e.(type) {
	case *logical:
		l, err := c.expr(e.l)
		if err != nil {
			return "", err
		}
		r, err := c.expr(e.r)
		if err != nil {
			return "", err
		}
		return "(" + l + " " + e.op + " " + r + ")", nil
	case *not:
		x, err := c.expr(e.x)
		if err != nil {
			return "", err
		}
		return "NOT (" + x + ")", nil
	case *comparison:
		return c.comparison(e)
	case *membership:
		return c.membership(e)
	case *truth:
		return boolSQL(e.value), nil
	}
	panic(fmt.Sprintf("oql: unknown expression %T", e))
}

// boolSQL returns a condition that always holds, or never.
func boolSQL(v bool) string {
	if v {
		return "1 = 1"
	}
	return "1 = 0"
}

// conversion is the type a value compared with another takes: the type of
// its values, and for an id the class, so that a ticket's may be given by
// its reference. The zero conversion leaves a value as it is.
type conversion struct {
	typ    desk.AttributeType
	target string
}

// typeOf returns the conversion of a value compared with o: to o's type,
// when o is an attribute or a function; none for a value compared with a
// value.
func (c *compiler) typeOf(o operand) conversion {
	switch o := o.(type) {
	case *attrRef:
		if o.attr.Type == desk.TypeID {
			return conversion{typ: desk.TypeID, target: o.src.class.Name}
		}
		return conversion{typ: o.attr.Type, target: o.attr.Target}
	case *objectRef:
		class, attr := c.objectAttribute(o)
		if attr.Type == desk.TypeID {
			return conversion{typ: desk.TypeID, target: class.Name}
		}
		return conversion{typ: attr.Type, target: attr.Target}
	case *call:
		typ, _ := valueType(o)
		return conversion{typ: typ}
	}
	return conversion{}
}

func (c *compiler) comparison(e *comparison) (string, error) {
	l, r := e.l, e.r
	if c.enumLists && e.op == "!=" {
		for _, pair := range [][2]operand{{l, r}, {r, l}} {
			if a, ok := pair[0].(*attrRef); ok {
				if cond, ok := c.enumList(a, []operand{pair[1]}); ok {
					return cond, nil
				}
			}
		}
	}
	// Phone attributes compared with a parameter match by number.
	if c.env.Phone != nil && (e.op == "=" || e.op == "LIKE" || e.op == "!=" || e.op == "NOT LIKE") {
		a, isAttr := l.(*attrRef)
		p, isParam := r.(*paramRef)
		if !isAttr || !isParam {
			a, isAttr = r.(*attrRef)
			p, isParam = l.(*paramRef)
		}
		if isAttr && isParam && a.attr.Type == desk.TypePhone {
			cond, err := c.numberMatch(a, p)
			if err != nil {
				return "", err
			}
			if e.op == "!=" || e.op == "NOT LIKE" {
				return "NOT (" + cond + ")", nil
			}
			return cond, nil
		}
	}
	for _, o := range []operand{l, r} {
		if a, ok := o.(*attrRef); ok && a.attr.Type == desk.TypeLog {
			other := r
			if o == r {
				other = l
			}
			v, err := c.value(other, conversion{})
			if err != nil {
				return "", err
			}
			cond := "EXISTS (SELECT 1 FROM ticket_log g WHERE g.ticket_id = " + alias(a.src) + ".id AND g.log = " +
				c.arg(a.attr.Name) + " AND g.text " + c.env.Dialect.Like() + " " + v + ")"
			if e.op == "NOT LIKE" {
				return "NOT " + cond, nil
			}
			return cond, nil
		}
	}
	// Two values known here (a function of parameters, ISNULL of a key)
	// compare here: a database cannot type two arguments compared.
	if knowable(l) && knowable(r) {
		lv, lok, err := c.known(l)
		if err != nil {
			return "", err
		}
		rv, rok, err := c.known(r)
		if err != nil {
			return "", err
		}
		if lok && rok {
			return boolSQL(compareKnown(e.op, convert(lv, c.typeOf(r)), convert(rv, c.typeOf(l)))), nil
		}
	}
	// An attribute every object has the same value of (finalclass of a
	// class of one kind) compared with a value is known at once.
	if e.op == "=" || e.op == "!=" {
		if v, other, ok := c.constantAttribute(l, r); ok {
			w, known, err := c.constantValue(other)
			if err != nil {
				return "", err
			}
			if known {
				return boolSQL((fmt.Sprint(w) == v) == (e.op == "=")), nil
			}
		}
	}
	// An unset external key is NULL in the store and 0 in iTop.
	if e.op == "=" || e.op == "!=" {
		if a, v, ok := c.nullKey(l, r); ok {
			if v == 0 {
				return c.ref(a) + map[string]string{"=": " IS NULL", "!=": " IS NOT NULL"}[e.op], nil
			}
			if e.op == "!=" {
				other := r
				if operand(a) == r {
					other = l
				}
				vs, err := c.value(other, c.typeOf(a))
				if err != nil {
					return "", err
				}
				return "(" + c.ref(a) + " IS NULL OR " + c.ref(a) + " != " + vs + ")", nil
			}
		}
	}
	ls, err := c.value(l, c.typeOf(r))
	if err != nil {
		return "", err
	}
	rs, err := c.value(r, c.typeOf(l))
	if err != nil {
		return "", err
	}
	op := e.op
	switch op {
	case "LIKE":
		op = c.env.Dialect.Like()
	case "NOT LIKE":
		op = "NOT " + c.env.Dialect.Like()
	}
	return ls + " " + op + " " + rs, nil
}

// constantAttribute returns the value of l or r when it is an attribute
// every object has the same value of (see constant), and the other operand.
func (c *compiler) constantAttribute(l, r operand) (string, operand, bool) {
	for _, pair := range [][2]operand{{l, r}, {r, l}} {
		if a, ok := pair[0].(*attrRef); ok {
			if v, ok := constant(a.src.class, a.attr); ok {
				return v, pair[1], true
			}
		}
	}
	return "", nil, false
}

// constantValue returns the value of a literal or parameter, and whether o
// is one.
func (c *compiler) constantValue(o operand) (any, bool, error) {
	switch o := o.(type) {
	case *literal:
		return o.text, true, nil
	case *paramRef:
		v := c.env.Params[o.name]
		switch v.(type) {
		case []string, []int64, []any:
			return nil, false, listError(o.name)
		}
		return v, true, nil
	}
	return nil, false, nil
}

func listError(name string) error {
	return desk.NewError(desk.EINVALID, "error.query_param_list", name)
}

// nullKey returns the optional external key of a comparison between one and
// a value, and that value as a number.
func (c *compiler) nullKey(l, r operand) (*attrRef, int64, bool) {
	a, ok := l.(*attrRef)
	other := r
	if !ok {
		a, ok = r.(*attrRef)
		other = l
	}
	if !ok || a.attr.Type != desk.TypeExtKey || a.attr.Required {
		return nil, 0, false
	}
	var raw any
	switch o := other.(type) {
	case *literal:
		raw = o.text
	case *paramRef:
		raw = c.env.Params[o.name]
	default:
		return nil, 0, false
	}
	v, ok := toInt(raw, "")
	return a, v, ok
}

func (c *compiler) membership(e *membership) (string, error) {
	if a, ok := e.x.(*attrRef); ok && c.enumLists && e.not && e.sub == nil {
		if cond, ok := c.enumList(a, e.list); ok {
			return cond, nil
		}
	}
	t := c.typeOf(e.x)
	var items []string
	if e.sub != nil {
		var branches []string
		for _, b := range e.sub.branches {
			sql, err := c.selectIDs(b)
			if err != nil {
				return "", err
			}
			branches = append(branches, sql)
		}
		items = []string{strings.Join(branches, " UNION ")}
	}
	var known []string // the values of a list, for an attribute known at once
	value, isConstant := "", false
	if a, ok := e.x.(*attrRef); ok {
		value, isConstant = constant(a.src.class, a.attr)
	}
	for _, o := range e.list {
		if p, ok := o.(*paramRef); ok {
			for _, v := range c.paramValues(p) {
				if isConstant {
					known = append(known, fmt.Sprint(v))
				} else {
					items = append(items, c.arg(convert(v, t)))
				}
			}
			continue
		}
		if isConstant {
			if lit, ok := o.(*literal); ok {
				known = append(known, lit.text)
			}
			continue
		}
		s, err := c.value(o, t)
		if err != nil {
			return "", err
		}
		items = append(items, s)
	}
	if isConstant && e.sub == nil {
		return boolSQL(slices.Contains(known, value) != e.not), nil
	}
	if len(items) == 0 {
		// Nothing is in an empty list.
		return boolSQL(e.not), nil
	}
	x, err := c.value(e.x, conversion{})
	if err != nil {
		return "", err
	}
	if !e.not {
		return x + " IN (" + strings.Join(items, ", ") + ")", nil
	}
	cond := x + " NOT IN (" + strings.Join(items, ", ") + ")"
	if a, ok := e.x.(*attrRef); ok && a.attr.Type == desk.TypeExtKey && !a.attr.Required {
		// An unset key is 0 in iTop, which no list of ids holds.
		return "(" + x + " IS NULL OR " + cond + ")", nil
	}
	return cond, nil
}

// value returns the SQL of an operand; a literal or parameter compared with
// an attribute (t) is converted to its type.
func (c *compiler) value(o operand, t conversion) (string, error) {
	switch o := o.(type) {
	case *attrRef:
		return c.ref(o), nil
	case *literal:
		if o.number && t.typ == "" {
			if n, err := strconv.ParseInt(o.text, 10, 64); err == nil {
				return c.arg(n), nil
			}
			f, _ := strconv.ParseFloat(o.text, 64)
			return c.arg(f), nil
		}
		return c.arg(convert(o.text, t)), nil
	case *paramRef:
		v := c.env.Params[o.name]
		switch v.(type) {
		case []string, []int64, []any:
			return "", listError(o.name)
		}
		return c.arg(convert(v, t)), nil
	case *objectRef:
		return c.object(o), nil
	case *call:
		return c.call(o, t)
	}
	panic(fmt.Sprintf("oql: unknown operand %T", o))
}

// checkThis checks that the attributes of the object in context that the
// query uses are known: there is one, of a known class that has them.
func (c *compiler) checkThis(attrs []string) error {
	if len(attrs) == 0 {
		return nil
	}
	this := c.env.This
	if this == nil {
		return desk.NewError(desk.EINVALID, "error.query_needs_object", attrs[0])
	}
	class, ok := desk.FindClass(this.Class)
	if !ok {
		return desk.NewError(desk.EINVALID, "error.query_object_class", this.Class)
	}
	for _, name := range attrs {
		if _, ok := class.Attribute(name); !ok {
			return desk.NewError(desk.EINVALID, "error.query_object_attribute", name, class.Name)
		}
	}
	return nil
}

// objectAttribute returns the class and attribute of o: the object in
// context's (checked by checkThis), or the reader's person's.
func (c *compiler) objectAttribute(o *objectRef) (*desk.Class, desk.Attribute) {
	if o.object == objectThis {
		class, _ := desk.FindClass(c.env.This.Class)
		attr, _ := class.Attribute(o.attr.Name)
		return class, attr
	}
	person, _ := desk.FindClass(desk.ClassPerson)
	return person, o.attr
}

// object returns the SQL of the attribute of an object in context: its id,
// or a subquery that reads its attribute within the reader's scope.
func (c *compiler) object(o *objectRef) string {
	class, attr := c.objectAttribute(o)
	id := c.env.ContactID
	if o.object == objectThis {
		id = c.env.This.ID
	}
	if attr.Type == desk.TypeID {
		return c.arg(id)
	}
	sql := "(SELECT " + c.column(class, attr, "x") + " FROM " + table(class) + " x WHERE x.id = " + c.arg(id)
	if c.env.Scope != nil {
		sql += " AND " + c.scopeOf(class, "x")
	}
	return sql + ")"
}

// call returns the SQL of a function's result: its value, computed here
// when its arguments are known, else the database's computation.
func (c *compiler) call(f *call, t conversion) (string, error) {
	v, known, err := c.evaluate(f)
	if err != nil {
		return "", err
	}
	if known {
		return c.arg(convert(v, t)), nil
	}
	d := c.env.Dialect
	switch f.fn {
	case "DATE_ADD", "DATE_SUB":
		x, err := c.value(f.args[0], conversion{typ: desk.TypeDateTime})
		if err != nil {
			return "", err
		}
		n, unit, err := c.amount(f)
		if err != nil {
			return "", err
		}
		amount, unit := intervalAmount(n, unit)
		return d.shiftDate(x, amount, unit, c.arg), nil
	case "DATE_FORMAT":
		x, err := c.value(f.args[0], conversion{typ: desk.TypeDateTime})
		if err != nil {
			return "", err
		}
		parts, err := c.format(f)
		if err != nil {
			return "", err
		}
		return d.formatDate(x, c.arg(formatFor(d, parts)), c.arg), nil
	case "ISNULL":
		x, err := c.value(f.args[0], conversion{})
		if err != nil {
			return "", err
		}
		return "CASE WHEN " + x + " IS NULL THEN 1 ELSE 0 END", nil
	}
	panic("oql: no SQL for function " + f.fn)
}

// evaluate returns the value of f when it is known at compilation: NOW(),
// and a function of values known (literals, parameters, other functions so
// known).
func (c *compiler) evaluate(f *call) (any, bool, error) {
	switch f.fn {
	case "NOW":
		return c.now(), true, nil
	case "CURRENT_DATE":
		return c.now().Truncate(24 * time.Hour), true, nil
	case "ISNULL":
		if a, ok := f.args[0].(*attrRef); ok && a.attr.Type == desk.TypeExtKey {
			return int64(0), true, nil // an unset key is 0 in iTop, not NULL
		}
	}
	x, known, err := c.known(f.args[0])
	if err != nil || !known {
		return nil, false, err
	}
	switch f.fn {
	case "ISNULL":
		if x == nil {
			return int64(1), true, nil
		}
		return int64(0), true, nil
	case "DATE_ADD", "DATE_SUB":
		tm, ok := toTime(x)
		if !ok {
			return nil, true, nil // not a date: NULL, as in MySQL
		}
		n, unit, err := c.amount(f)
		if err != nil {
			return nil, false, err
		}
		return shift(tm, n, unit), true, nil
	case "DATE_FORMAT":
		tm, ok := toTime(x)
		if !ok {
			return nil, true, nil
		}
		parts, err := c.format(f)
		if err != nil {
			return nil, false, err
		}
		return formatGo(tm, parts), true, nil
	}
	return nil, false, nil
}

// knowable reports whether o may be known at compilation (see known): a
// literal, a parameter or a function of them.
func knowable(o operand) bool {
	switch o := o.(type) {
	case *literal, *paramRef:
		return true
	case *call:
		return o.fn == "NOW" || o.fn == "CURRENT_DATE" || o.fn == "ISNULL" || knowable(o.args[0])
	}
	return false
}

// known returns the value of o when it is known at compilation.
func (c *compiler) known(o operand) (any, bool, error) {
	switch o := o.(type) {
	case *call:
		return c.evaluate(o)
	case *literal, *paramRef:
		return c.constantValue(o)
	}
	return nil, false, nil
}

// compareKnown compares two values known at compilation as the database
// would: numbers and dates by value, others as text, LIKE ignoring case. A
// NULL compares with nothing.
func compareKnown(op string, a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	if op == "LIKE" || op == "NOT LIKE" {
		return likeMatch(fmt.Sprint(a), fmt.Sprint(b)) == (op == "LIKE")
	}
	var cmp int
	af, aNum := number(a)
	bf, bNum := number(b)
	at, aTime := a.(time.Time)
	bt, bTime := b.(time.Time)
	switch {
	case aNum && bNum:
		cmp = compareFloat(af, bf)
	case aTime && bTime:
		cmp = at.Compare(bt)
	default:
		cmp = strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	}
	switch op {
	case "=":
		return cmp == 0
	case "!=":
		return cmp != 0
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	}
	return cmp >= 0
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// likeMatch reports whether s matches the LIKE pattern p (% any text, _ one
// byte), ignoring case, in time bounded by their lengths' product.
func likeMatch(s, p string) bool {
	s, p = strings.ToLower(s), strings.ToLower(p)
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '_' || p[pi] == s[si]):
			si, pi = si+1, pi+1
		case pi < len(p) && p[pi] == '%':
			star, mark, pi = pi, si, pi+1
		case star >= 0:
			mark++
			si, pi = mark, star+1
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

func toTime(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), true
	case string:
		return ParseTime(v)
	}
	return time.Time{}, false
}

// amount returns the INTERVAL of DATE_ADD or DATE_SUB f, negative for
// DATE_SUB.
func (c *compiler) amount(f *call) (int64, string, error) {
	iv := f.args[1].(*interval)
	var n int64
	switch o := iv.n.(type) {
	case *literal:
		n, _ = strconv.ParseInt(o.text, 10, 64)
	case *paramRef:
		v, ok := toInt(c.env.Params[o.name], "")
		if !ok {
			return 0, "", desk.NewError(desk.EINVALID, "error.query_interval_param", o.name)
		}
		n = v
	}
	if f.fn == "DATE_SUB" {
		n = -n
	}
	return n, iv.unit, nil
}

// format returns the parts of the format of DATE_FORMAT f.
func (c *compiler) format(f *call) ([]formatPart, error) {
	switch o := f.args[1].(type) {
	case *literal:
		return dateFormat(o.text)
	case *paramRef:
		parts, err := dateFormat(fmt.Sprint(c.env.Params[o.name]))
		if err != nil {
			return nil, desk.NewError(desk.EINVALID, "error.query_date_format_param", o.name, fmt.Sprint(c.env.Params[o.name]))
		}
		return parts, nil
	}
	panic("oql: DATE_FORMAT without a format")
}

// numberMatch returns the condition that a phone attribute matches the
// number in a parameter: the person's number keys found by the same range
// probe as the caller lookup. A number too short to match anything safely
// matches nothing.
func (c *compiler) numberMatch(a *attrRef, p *paramRef) (string, error) {
	v := c.env.Params[p.name]
	s, ok := v.(string)
	if !ok {
		if _, isList := v.([]string); isList {
			return "", listError(p.name)
		}
		s = fmt.Sprint(v)
	}
	norm := c.env.Phone
	num := norm.FromQuery(s)
	if norm.TooShort(num) {
		return "1 = 0", nil
	}
	lo, hi, rev := norm.KeyRange(num.Digits)
	d := c.env.Dialect
	ph := c.arg(rev)
	return d.inIDs(alias(a.src)+".id", "SELECT k.person_id FROM person_number k WHERE k.attribute = "+c.arg(a.attr.Name)+
		" AND k.rdigits >= "+c.arg(lo)+" AND k.rdigits < "+c.arg(hi)+
		" AND ("+d.NoIndex("k.rdigits")+" >= "+ph+" OR substr("+ph+", 1, length(k.rdigits)) = k.rdigits)"), nil
}

// listOf returns the values of a list parameter; a single value is a list of
// one.
func listOf(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case []int64:
		out := make([]any, len(v))
		for i, n := range v {
			out[i] = n
		}
		return out
	case nil:
		return nil
	}
	return []any{v}
}

// convert returns v as the argument compared with attribute t: a number for
// numeric attributes (nil when v is not one, so that nothing matches), a
// time for dates, else a string.
func convert(v any, t conversion) any {
	if t.typ == "" {
		switch v := v.(type) {
		case int:
			return int64(v)
		case int64, string, time.Time:
			return v
		case nil:
			return nil
		}
		return fmt.Sprint(v)
	}
	switch t.typ {
	case desk.TypeID, desk.TypeExtKey, desk.TypeInt:
		if n, ok := toInt(v, t.target); ok {
			return n
		}
		return nil
	case desk.TypeDateTime:
		switch v := v.(type) {
		case time.Time:
			return v.UTC()
		case string:
			if tm, ok := ParseTime(v); ok {
				return tm
			}
		}
		return nil
	}
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return nil
	}
	return fmt.Sprint(v)
}

// toInt reads an id or a number; the id of a ticket may be given by its
// reference (R-000123), as the request parameter of a pop is.
func toInt(v any, target string) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
		if target == desk.ClassTicket || slices.Contains(desk.TicketKinds, target) {
			return desk.ParseTicketRef(s)
		}
	}
	return 0, false
}

// enumList returns the condition that the enum a is none of the values of
// list, written as the list of the other values it may have; false when a
// is no stored enum or list holds other than literals and parameters.
func (c *compiler) enumList(a *attrRef, list []operand) (string, bool) {
	if a.attr.Type != desk.TypeEnum || len(a.attr.Values) == 0 || a.attr.QueryOnly || a.attr.Derived {
		return "", false
	}
	if _, ok := constant(a.src.class, a.attr); ok {
		return "", false
	}
	var not []string
	for _, o := range list {
		switch o := o.(type) {
		case *literal:
			not = append(not, o.text)
		case *paramRef:
			for _, v := range c.paramValues(o) {
				not = append(not, fmt.Sprint(v))
			}
		default:
			return "", false
		}
	}
	var items []string
	for _, v := range a.attr.Values {
		if !slices.Contains(not, v) {
			items = append(items, c.arg(v))
		}
	}
	if len(items) == 0 {
		return boolSQL(false), true
	}
	return c.ref(a) + " IN (" + strings.Join(items, ", ") + ")", true
}
