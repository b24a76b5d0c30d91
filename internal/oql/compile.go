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
	// no contact is visible to its agent only.
	ContactID int64
	// Phone, when set, makes phone attributes compared with a parameter
	// match by number (DESIGN.md section 4) through the person_number keys.
	Phone *phone.Normalizer
	// Limit bounds the objects returned; 0: no bound.
	Limit int
	// Total, with a Limit, adds to each row the number of objects the query
	// finds in all, limit or not (Statement.Total reads it).
	Total bool
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

// Compile returns the SQL of q with env. A parameter without a value, or a
// list given where one value is expected, is EINVALID. No value of a
// parameter or literal reaches the SQL text: all are arguments.
func (q *Query) Compile(env Env) (*Statement, error) {
	c := &compiler{env: env}
	for _, p := range q.params {
		if _, ok := env.Params[p.Name]; !ok {
			return nil, desk.Errorf(desk.EINVALID, "The query parameter :%s has no value.", p.Name)
		}
	}
	sel := q.sel
	st := &Statement{class: sel.class}
	for _, attr := range sel.class.Attributes {
		if attr.Type != desk.TypeLog && attr.Name != "id" && attr.Name != "friendlyname" && !attr.QueryOnly &&
			(q.columns == nil || slices.Contains(q.columns, attr.Name)) {
			st.Columns = append(st.Columns, attr)
		}
	}

	// The conditions on the sources: kinds, scope, then the WHERE clause.
	var conds []string
	srcs := []*source{sel}
	for _, j := range q.joins {
		srcs = append(srcs, j.src)
	}
	for _, s := range srcs {
		conds = append(conds, c.kindCond(s)...)
		if cond := c.scopeCond(s); cond != "" {
			conds = append(conds, cond)
		}
	}
	if q.where != nil {
		w, err := c.expr(q.where)
		if err != nil {
			return nil, err
		}
		conds = append(conds, w)
	}

	// The objects are selected by id, in a subquery, when joins may find
	// one several times (each is returned once), and when a limit applies:
	// the subquery orders and limits the ids alone, so that the columns,
	// derived names among them, are worked out only for the objects
	// returned rather than for every object found before the sort.
	limited := env.Limit > 0
	st.total = limited && env.Total
	// The window counts the ids found before the limit keeps some: the
	// total costs no second run of the conditions.
	idCols := func(a string) string {
		if st.total {
			return a + ".id, COUNT(*) OVER () AS total"
		}
		return a + ".id"
	}
	var ids strings.Builder
	if st.total && len(q.joins) == 0 {
		ids.WriteString("SELECT " + idCols(alias(sel)))
	} else {
		ids.WriteString("SELECT " + alias(sel) + ".id")
	}
	ids.WriteString(" FROM " + table(sel.class) + " " + alias(sel))
	for _, j := range q.joins {
		ids.WriteString(" JOIN " + table(j.src.class) + " " + alias(j.src) + " ON " + c.ref(j.left) + " = " + c.ref(j.right))
	}
	if len(conds) > 0 {
		ids.WriteString(" WHERE " + strings.Join(conds, " AND "))
	}
	idsSQL := ids.String()
	if limited {
		order := alias(sel)
		if len(q.joins) > 0 {
			// Each object once, as the joins may find it several times,
			// then ordered and limited.
			order = "s"
			idsSQL = "SELECT " + idCols(order) + " FROM " + table(sel.class) + " s WHERE s.id IN (" + idsSQL + ")"
		}
		idsSQL += " ORDER BY " + orderBy(sel.class, order) + " LIMIT " + c.arg(int64(env.Limit))
	}

	out := alias(sel)
	if len(q.joins) > 0 || limited {
		out = "r"
	}
	var b strings.Builder
	b.WriteString("SELECT " + out + ".id, " + friendlyName(sel.class, out))
	for _, attr := range st.Columns {
		b.WriteString(", " + column(sel.class, attr, out))
	}
	if hasKind(sel.class) {
		b.WriteString(", " + out + ".kind")
	}
	switch {
	case st.total:
		b.WriteString(", w.total FROM (" + idsSQL + ") w JOIN " + table(sel.class) + " " + out + " ON " + out + ".id = w.id")
	case out == alias(sel):
		b.WriteString(" FROM " + table(sel.class) + " " + out)
		if len(conds) > 0 {
			b.WriteString(" WHERE " + strings.Join(conds, " AND "))
		}
	default:
		b.WriteString(" FROM " + table(sel.class) + " " + out + " WHERE " + out + ".id IN (" + idsSQL + ")")
	}
	b.WriteString(" ORDER BY " + orderBy(sel.class, out))
	st.SQL, st.Args = b.String(), c.args
	return st, nil
}

// alias returns the SQL alias of a source: never the one written in the
// query, so that no text of the query reaches the SQL.
func alias(s *source) string { return "a" + strconv.Itoa(s.index) }

type compiler struct {
	env  Env
	args []any
}

// arg adds an argument and returns its placeholder.
func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return c.env.Dialect.placeholder(len(c.args))
}

func (c *compiler) ref(r *attrRef) string { return column(r.src.class, r.attr, alias(r.src)) }

// kindCond selects the kind of a ticket class.
func (c *compiler) kindCond(s *source) []string {
	if !hasKind(s.class) || s.class.Abstract {
		return nil
	}
	// Most tickets may be of one kind: the kind is not the index to start
	// from either.
	return []string{c.env.Dialect.noIndex(alias(s)+".kind") + " = " + c.arg(s.class.Name)}
}

// scopeCond limits a source to the reader's organizations, as the store's
// own reads do: by the organization of the object, and for a phone call by
// its ticket's, else its contact's, else only for its agent.
func (c *compiler) scopeCond(s *source) string {
	scope := c.env.Scope
	if scope == nil {
		return ""
	}
	a := alias(s)
	// The organization is never the index to start from: one organization
	// may hold most of the directory, while the query's own conditions
	// (a number, a caller) select a few rows.
	in := func(col string) string {
		col = c.env.Dialect.noIndex(col)
		if len(scope) == 0 {
			return "1 = 0"
		}
		ph := make([]string, len(scope))
		for i, id := range scope {
			ph[i] = c.arg(id)
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	switch table(s.class) {
	case "organization":
		return in(a + ".id")
	case "phonecall":
		return "(EXISTS (SELECT 1 FROM ticket st WHERE st.id = " + a + ".ticket_id AND " + in("st.org_id") + ")" +
			" OR (" + a + ".ticket_id IS NULL AND (EXISTS (SELECT 1 FROM person sp WHERE sp.id = " + a + ".contact_id AND " + in("sp.org_id") + ")" +
			" OR (" + a + ".contact_id IS NULL AND " + a + ".agent_id = " + c.arg(c.env.ContactID) + "))))"
	}
	return in(a + ".org_id")
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
	}
	panic(fmt.Sprintf("oql: unknown expression %T", e))
}

// typeOf returns the attribute whose type a value compared with o takes, or
// nil for a value compared with a value.
func typeOf(o operand) *desk.Attribute {
	if a, ok := o.(*attrRef); ok {
		attr := a.attr
		if attr.Type == desk.TypeID {
			attr.Target = a.src.class.Name // a ticket's id may be given by its reference
		}
		return &attr
	}
	return nil
}

func (c *compiler) comparison(e *comparison) (string, error) {
	l, r := e.l, e.r
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
			v, err := c.value(other, nil)
			if err != nil {
				return "", err
			}
			cond := "EXISTS (SELECT 1 FROM ticket_log g WHERE g.ticket_id = " + alias(a.src) + ".id AND g.log = " +
				c.arg(a.attr.Name) + " AND g.text " + c.env.Dialect.like() + " " + v + ")"
			if e.op == "NOT LIKE" {
				return "NOT " + cond, nil
			}
			return cond, nil
		}
	}
	// An unset external key is NULL in the store and 0 in iTop.
	if e.op == "=" || e.op == "!=" {
		if a, v, ok := c.nullKey(l, r); ok && v == 0 {
			return c.ref(a) + map[string]string{"=": " IS NULL", "!=": " IS NOT NULL"}[e.op], nil
		}
	}
	ls, err := c.value(l, typeOf(r))
	if err != nil {
		return "", err
	}
	rs, err := c.value(r, typeOf(l))
	if err != nil {
		return "", err
	}
	op := e.op
	switch op {
	case "LIKE":
		op = c.env.Dialect.like()
	case "NOT LIKE":
		op = "NOT " + c.env.Dialect.like()
	}
	return ls + " " + op + " " + rs, nil
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
	x, err := c.value(e.x, nil)
	if err != nil {
		return "", err
	}
	t := typeOf(e.x)
	var items []string
	for _, o := range e.list {
		if p, ok := o.(*paramRef); ok {
			for _, v := range listOf(c.env.Params[p.name]) {
				items = append(items, c.arg(convert(v, t)))
			}
			continue
		}
		s, err := c.value(o, t)
		if err != nil {
			return "", err
		}
		items = append(items, s)
	}
	if len(items) == 0 {
		// Nothing is in an empty list.
		if e.not {
			return "1 = 1", nil
		}
		return "1 = 0", nil
	}
	op := " IN ("
	if e.not {
		op = " NOT IN ("
	}
	return x + op + strings.Join(items, ", ") + ")", nil
}

// value returns the SQL of an operand; a literal or parameter compared with
// an attribute (t) is converted to its type.
func (c *compiler) value(o operand, t *desk.Attribute) (string, error) {
	switch o := o.(type) {
	case *attrRef:
		return c.ref(o), nil
	case *literal:
		if o.number && t == nil {
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
			return "", desk.Errorf(desk.EINVALID, "The query parameter :%s is a list; use it in an IN (…) condition.", o.name)
		}
		return c.arg(convert(v, t)), nil
	}
	panic(fmt.Sprintf("oql: unknown operand %T", o))
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
			return "", desk.Errorf(desk.EINVALID, "The query parameter :%s is a list; use it in an IN (…) condition.", p.name)
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
		" AND ("+d.noIndex("k.rdigits")+" >= "+ph+" OR substr("+ph+", 1, length(k.rdigits)) = k.rdigits)"), nil
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
func convert(v any, t *desk.Attribute) any {
	if t == nil {
		switch v := v.(type) {
		case int:
			return int64(v)
		case int64, string:
			return v
		case nil:
			return nil
		}
		return fmt.Sprint(v)
	}
	switch t.Type {
	case desk.TypeID, desk.TypeExtKey, desk.TypeInt:
		if n, ok := toInt(v, t.Target); ok {
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
