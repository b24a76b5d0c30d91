package oql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// maxDepth bounds the nesting of conditions and subqueries, so that a
// hostile text cannot exhaust the stack.
const maxDepth = 100

// Parse parses text and checks it against the classes of internal/desk:
// unknown classes, aliases and attributes, constructs of iTop's language
// that ctidesk does not support, and comparisons that cannot hold, are
// errors of type *Error with their position.
func Parse(text string) (*Query, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, q: &Query{text: text}}
	branches, class, err := p.union()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorAt(t.pos, "expected %s, found %s", p.expectedAfter(branches[len(branches)-1], "the end of the query"), t)
	}
	p.q.branches, p.q.class = branches, class
	return p.q, nil
}

// MustParse is Parse for queries written in the program: it panics on error.
func MustParse(text string) *Query {
	q, err := Parse(text)
	if err != nil {
		panic(fmt.Sprintf("oql: %q: %v", text, err))
	}
	return q
}

type parser struct {
	toks []token
	i    int
	q    *Query
	// scopes are the SELECTs being read, the innermost last: an alias is
	// looked for from the innermost out, so that a subquery may use the
	// aliases around it, and its own hide theirs.
	scopes []*scope
	// sources counts the sources of the whole query, to number them.
	sources int
	depth   int
}

// scope is a SELECT being read: its sources so far, and the one an
// attribute without alias belongs to.
type scope struct {
	sources []*source
	sel     *source
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tokKeyword && t.text == kw
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == s
}

// expect consumes the keyword or punctuation s, or fails naming what came.
func (p *parser) expect(s string) (token, error) {
	t := p.peek()
	if (t.kind == tokKeyword || t.kind == tokPunct || t.kind == tokOp) && t.text == s {
		return p.next(), nil
	}
	return t, errorAt(t.pos, "expected %s, found %s", s, t)
}

// expectedAfter says what may follow the SELECT s, which ends with end.
func (p *parser) expectedAfter(s *selectQuery, end string) string {
	switch {
	case s.where != nil:
		return "AND, OR, UNION or " + end
	case len(s.joins) > 0:
		return "JOIN, WHERE, UNION or " + end
	}
	return "WHERE, JOIN, UNION or " + end
}

// union reads SELECTs joined by UNION, and returns them with the class of
// their objects.
func (p *parser) union() ([]*selectQuery, *desk.Class, error) {
	var branches []*selectQuery
	var class *desk.Class
	for {
		s, err := p.selectQuery()
		if err != nil {
			return nil, nil, err
		}
		if class, err = commonClass(class, s.sel); err != nil {
			return nil, nil, err
		}
		branches = append(branches, s)
		if !p.isKeyword("UNION") {
			return branches, class, nil
		}
		p.next()
	}
}

// commonClass returns the class of the objects of a UNION whose branches so
// far return objects of class, and of one more returning src's: the same
// class, or Ticket for different kinds of tickets.
func commonClass(class *desk.Class, src *source) (*desk.Class, error) {
	switch c := src.class; {
	case class == nil || class == c:
		return c, nil
	case class.Is(desk.ClassTicket) && c.Is(desk.ClassTicket):
		ticket, _ := desk.FindClass(desk.ClassTicket)
		return ticket, nil
	}
	return nil, errorAt(src.pos, "the SELECTs of a UNION must return objects of one class: %s and %s are not", class.Name, src.class.Name)
}

// selectQuery reads `SELECT Class [AS alias] ...` or `SELECT alias FROM
// Class [AS alias] ...`, its joins and its condition.
func (p *parser) selectQuery() (*selectQuery, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errorAt(p.peek().pos, "subqueries are nested more than %d deep", maxDepth)
	}
	if _, err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	sc := &scope{}
	p.scopes = append(p.scopes, sc)
	defer func() { p.scopes = p.scopes[:len(p.scopes)-1] }()

	s := &selectQuery{}
	first := p.next()
	if first.kind != tokIdent {
		return nil, errorAt(first.pos, "expected a class name, found %s", first)
	}
	var selected []token // the aliases of SELECT ... FROM
	if p.isPunct(",") || p.isKeyword("FROM") {
		selected = append(selected, first)
		for p.isPunct(",") {
			p.next()
			t := p.next()
			if t.kind != tokIdent {
				return nil, errorAt(t.pos, "expected an alias, found %s", t)
			}
			selected = append(selected, t)
		}
		if _, err := p.expect("FROM"); err != nil {
			return nil, err
		}
		first = p.next()
	}
	from, err := p.source(first)
	if err != nil {
		return nil, err
	}
	s.from, s.sel, sc.sel = from, from, from
	for p.isKeyword("JOIN") {
		p.next()
		j, err := p.join()
		if err != nil {
			return nil, err
		}
		s.joins = append(s.joins, j)
	}
	if len(selected) > 1 {
		var names []string
		for _, t := range selected {
			names = append(names, t.text)
		}
		return nil, unsupportedAt(selected[1].pos, "several selected classes",
			"SELECT %s selects several classes: ctidesk returns the objects of one class, select one alias", strings.Join(names, ", "))
	}
	if len(selected) == 1 {
		t := selected[0]
		i := slices.IndexFunc(sc.sources, func(src *source) bool { return src.alias == t.text })
		if i < 0 {
			var aliases []string
			for _, src := range sc.sources {
				aliases = append(aliases, src.alias)
			}
			return nil, errorAt(t.pos, "unknown alias %q%s", t.text, Suggest(t.text, aliases))
		}
		s.sel, sc.sel = sc.sources[i], sc.sources[i]
	}
	if p.isKeyword("WHERE") {
		p.next()
		if s.where, err = p.or(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// contactHint says why ctidesk has no Contact, iTop's abstract parent of
// Person and Team: they are two tables, whose ids are numbered apart, so
// that a contact's id (a ticket's caller_id, :current_contact_id) could be
// a person's and a team's at once, and a query over both would find wrong
// objects.
const contactHint = ": persons and teams are two classes in ctidesk, with ids of their own; use Person or Team"

// source reads `[AS alias]` after the class name t.
func (p *parser) source(t token) (*source, error) {
	if t.kind != tokIdent {
		return nil, errorAt(t.pos, "expected a class name, found %s", t)
	}
	class, ok := desk.FindClass(t.text)
	if !ok {
		hint := Suggest(t.text, desk.ClassNames())
		if t.text == "Contact" {
			hint = contactHint
		}
		e := errorAt(t.pos, "unknown class %q%s", t.text, hint)
		e.Kind, e.Name = ErrUnknownClass, t.text
		return nil, e
	}
	s := &source{class: class, alias: class.Name, pos: t.pos, index: p.sources}
	if p.isKeyword("AS") {
		p.next()
		a := p.next()
		if a.kind != tokIdent {
			return nil, errorAt(a.pos, "expected an alias after AS, found %s", a)
		}
		s.alias, s.pos = a.text, a.pos
	}
	sc := p.scopes[len(p.scopes)-1]
	for _, other := range sc.sources {
		if other.alias == s.alias {
			return nil, errorAt(s.pos, "alias %q is used twice", s.alias)
		}
	}
	p.sources++
	sc.sources = append(sc.sources, s)
	if !slices.Contains(p.q.classes, class) {
		p.q.classes = append(p.q.classes, class)
	}
	return s, nil
}

// join reads `Class [AS alias] ON a.x = b.y` (after JOIN): one side is the
// new alias, the other an earlier one of the same SELECT, and one is an
// external key to the other's class; or `ON a.parent_id BELOW b.id` (ABOVE,
// NOT, STRICT), which follows a hierarchical key.
func (p *parser) join() (*join, error) {
	src, err := p.source(p.next())
	if err != nil {
		return nil, err
	}
	if _, err := p.expect("ON"); err != nil {
		return nil, err
	}
	left, err := p.qualifiedRef()
	if err != nil {
		return nil, err
	}
	j := &join{src: src, left: left, op: joinEqual}
	if p.isKeyword("NOT") {
		p.next()
		j.not = true
	}
	switch t := p.peek(); {
	case !j.not && t.kind == tokOp && t.text == "=":
		p.next()
	case p.isKeyword("BELOW") || p.isKeyword("ABOVE"):
		p.next()
		j.op = t.text
		if p.isKeyword("STRICT") {
			p.next()
			j.op += " STRICT"
		}
	case j.not:
		return nil, errorAt(t.pos, "expected BELOW or ABOVE after NOT, found %s", t)
	default:
		return nil, errorAt(t.pos, "expected =, BELOW or ABOVE, found %s", t)
	}
	if j.right, err = p.qualifiedRef(); err != nil {
		return nil, err
	}
	right := j.right
	sc := p.scopes[len(p.scopes)-1]
	for _, r := range []*attrRef{left, right} {
		if !slices.Contains(sc.sources, r.src) {
			return nil, errorAt(r.pos, "the ON condition of JOIN %s must compare aliases of its own SELECT", src.class.Name)
		}
	}
	if left.src != src && right.src != src {
		return nil, errorAt(left.pos, "the ON condition of JOIN %s must use the alias %q", src.class.Name, src.alias)
	}
	if left.src == right.src {
		return nil, errorAt(right.pos, "the ON condition must compare %q with an earlier alias", src.alias)
	}
	if j.op != joinEqual {
		if !left.attr.Hierarchical {
			return nil, errorAt(left.pos, "%s follows a hierarchical key (Organization.parent_id), and %s.%s is not one",
				j.op, left.src.alias, left.attr.Name)
		}
		if right.attr.Type != desk.TypeID || !joinable(left, right) {
			return nil, errorAt(right.pos, "%s.%s %s needs the id of a %s on its right, not %s.%s",
				left.src.alias, left.attr.Name, j.op, left.attr.Target, right.src.alias, right.attr.Name)
		}
		return j, nil
	}
	if !joinable(left, right) && !joinable(right, left) {
		return nil, errorAt(left.pos, "%s.%s = %s.%s does not follow an external key: JOIN needs an external key on one side and the id of its class on the other",
			left.src.alias, left.attr.Name, right.src.alias, right.attr.Name)
	}
	return j, nil
}

// joinable reports whether key is an external key to the class of id.
func joinable(key, id *attrRef) bool {
	if key.attr.Type != desk.TypeExtKey || id.attr.Type != desk.TypeID {
		return false
	}
	target, _ := desk.FindClass(key.attr.Target)
	return id.src.class.Is(key.attr.Target) || target != nil && target.Is(id.src.class.Name)
}

// qualifiedRef reads `alias.attribute` in an ON condition.
func (p *parser) qualifiedRef() (*attrRef, error) {
	t := p.peek()
	if t.kind != tokIdent {
		return nil, errorAt(t.pos, "expected alias.attribute, found %s", t)
	}
	o, err := p.operand()
	if err != nil {
		return nil, err
	}
	a, ok := o.(*attrRef)
	if !ok {
		return nil, errorAt(t.pos, "expected alias.attribute, found a function")
	}
	return a, nil
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		t := p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &logical{op: "OR", l: l, r: r, pos: t.pos}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		t := p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &logical{op: "AND", l: l, r: r, pos: t.pos}
	}
	return l, nil
}

func (p *parser) unary() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errorAt(p.peek().pos, "conditions are nested more than %d deep", maxDepth)
	}
	switch {
	case p.isKeyword("NOT"):
		t := p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &not{x: x, pos: t.pos}, nil
	case p.isPunct("("):
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return x, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (expr, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	op := ""
	switch {
	case t.kind == tokOp:
		op = t.text
		if op == "<>" {
			op = "!="
		}
		p.next()
	case p.isKeyword("LIKE"):
		op = "LIKE"
		p.next()
	case p.isKeyword("IN"):
		p.next()
		return p.membership(l, false, t.pos)
	case p.isKeyword("NOT"):
		p.next()
		switch {
		case p.isKeyword("LIKE"):
			p.next()
			op = "NOT LIKE"
		case p.isKeyword("IN"):
			p.next()
			return p.membership(l, true, t.pos)
		default:
			n := p.peek()
			return nil, errorAt(n.pos, "expected LIKE or IN after NOT, found %s", n)
		}
	case p.isKeyword("MATCHES"):
		return nil, unsupportedAt(t.pos, "MATCHES",
			"MATCHES is not supported: it searches iTop's tag sets and full-text indexes, which ctidesk does not have; use LIKE")
	case p.isKeyword("REGEXP"):
		return nil, unsupportedAt(t.pos, "REGEXP", "REGEXP is not supported: use LIKE")
	case p.isKeyword("BELOW") || p.isKeyword("ABOVE"):
		return nil, errorAt(t.pos, "%s compares organizations in the ON condition of a JOIN (JOIN Organization AS root ON o.parent_id %s root.id)", t.text, t.text)
	case t.kind == tokArith:
		return nil, arithmetic(t)
	default:
		// iTop takes a number for a condition: WHERE 1.
		if lit, ok := l.(*literal); ok && lit.number {
			n, _ := strconv.ParseFloat(lit.text, 64)
			return &truth{value: n != 0, pos: lit.pos}, nil
		}
		return nil, errorAt(t.pos, "expected a comparison (=, !=, <, <=, >, >=, LIKE, NOT LIKE, IN, NOT IN), found %s", t)
	}
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	c := &comparison{op: op, l: l, r: r, pos: t.pos}
	if err := checkComparison(c); err != nil {
		return nil, err
	}
	return c, nil
}

// arithmetic returns the error of an arithmetic operator.
func arithmetic(t token) error {
	return unsupportedAt(t.pos, "arithmetic", "the operator %s is not supported: ctidesk compares values, it does not compute them", t.text)
}

// membership reads `(item, ...)` or `(SELECT ...)` after [NOT] IN.
func (p *parser) membership(x operand, negated bool, at pos) (expr, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	m := &membership{not: negated, x: x, pos: at}
	if p.isKeyword("SELECT") {
		return p.subquery(m)
	}
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		if _, ok := o.(*attrRef); ok {
			return nil, errorAt(o.at(), "expected a value or a parameter in the IN list, found an attribute")
		}
		if pr, ok := o.(*paramRef); ok {
			p.markList(pr.name)
		}
		if err := checkOperands(x, o, "IN", m.pos); err != nil {
			return nil, err
		}
		m.list = append(m.list, o)
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	if a, ok := x.(*attrRef); ok && a.attr.Type == desk.TypeLog {
		return nil, errorAt(a.pos, "%s is a log: it can only be compared with LIKE or NOT LIKE", a.attr.Name)
	}
	return m, nil
}

// subquery reads `SELECT ...)` after m's IN (: the ids of the objects it
// selects, for an id or external key to their class.
func (p *parser) subquery(m *membership) (expr, error) {
	start := p.peek().pos
	branches, class, err := p.union()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); !(t.kind == tokPunct && t.text == ")") {
		return nil, errorAt(t.pos, "expected %s, found %s", p.expectedAfter(branches[len(branches)-1], ")"), t)
	}
	p.next()
	a, ok := m.x.(*attrRef)
	if !ok || a.attr.Type != desk.TypeID && a.attr.Type != desk.TypeExtKey {
		return nil, errorAt(m.x.at(), "IN (SELECT ...) compares an id or an external key with the objects the subquery selects")
	}
	target := a.src.class
	if a.attr.Type == desk.TypeExtKey {
		target, _ = desk.FindClass(a.attr.Target)
	}
	if !target.Is(class.Name) && !class.Is(target.Name) {
		return nil, errorAt(start, "%s is %s, but the subquery selects objects of %s", a.attr.Name, aClass(target.Name), class.Name)
	}
	m.sub = &subquery{branches: branches, class: class}
	return m, nil
}

// aClass names a class with its article: "a Person", "an Organization".
func aClass(name string) string {
	if strings.ContainsRune("AEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// operand reads an attribute, a literal, a parameter, an attribute of an
// object in context, or a function call.
func (p *parser) operand() (operand, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return &literal{text: t.text, pos: t.pos}, nil
	case tokNumber:
		if _, err := strconv.ParseFloat(t.text, 64); err != nil {
			return nil, errorAt(t.pos, "%q is not a number", t.text)
		}
		return &literal{text: t.text, number: true, pos: t.pos}, nil
	case tokParam:
		if t.text == objectThis {
			return nil, errorAt(t.pos, ":this is the object in context: name one of its attributes (:this->org_id)")
		}
		p.useParam(t.text)
		return &paramRef{name: t.text, pos: t.pos}, nil
	case tokObject:
		return p.objectRef(t)
	case tokArith:
		return nil, arithmetic(t)
	case tokPunct:
		if t.text != "(" || p.isKeyword("SELECT") {
			break
		}
		// A value in parentheses: = (1), or iTop's arithmetic = (3-1).
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		if a := p.peek(); a.kind == tokArith {
			return nil, arithmetic(a)
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return o, nil
	case tokKeyword:
		if t.text == "INTERVAL" {
			return nil, errorAt(t.pos, "INTERVAL is the second argument of DATE_ADD and DATE_SUB: DATE_SUB(NOW(), INTERVAL 7 DAY)")
		}
	case tokIdent:
		if p.isPunct("(") {
			return p.call(t)
		}
		sc := p.scopes[len(p.scopes)-1]
		src, name, namePos := sc.sel, t.text, t.pos
		if p.isPunct(".") {
			p.next()
			a := p.next()
			if a.kind != tokIdent {
				return nil, errorAt(a.pos, "expected an attribute name after %q, found %s", t.text+".", a)
			}
			src = p.alias(t.text)
			if src == nil {
				return nil, errorAt(t.pos, "unknown alias %q%s", t.text, Suggest(t.text, p.aliases()))
			}
			name, namePos = a.text, a.pos
		}
		if src == nil {
			return nil, errorAt(t.pos, "expected a class name, found %s", t)
		}
		attr, ok := src.class.Attribute(name)
		if !ok {
			return nil, unknownAttribute(namePos, name, src.class)
		}
		return &attrRef{src: src, attr: attr, pos: t.pos}, nil
	}
	return nil, errorAt(t.pos, "expected an attribute, a value or a :parameter, found %s", t)
}

// unknownAttribute returns the error of an attribute class lacks.
func unknownAttribute(at pos, name string, class *desk.Class) *Error {
	e := errorAt(at, "unknown attribute %q of class %s%s", name, class.Name, Suggest(name, class.AttributeNames()))
	e.Kind, e.Name = ErrUnknownAttribute, name
	return e
}

// objectRef checks `:object->attribute`: the object in context, whose
// attributes are known once it is, or the reader's person.
func (p *parser) objectRef(t token) (operand, error) {
	switch t.text {
	case objectThis:
		if !slices.Contains(p.q.this, t.attr) {
			p.q.this = append(p.q.this, t.attr)
		}
		return &objectRef{object: objectThis, attr: desk.Attribute{Name: t.attr}, pos: t.pos}, nil
	case objectContact, objectPortalContact:
		person, _ := desk.FindClass(desk.ClassPerson)
		attr, ok := person.Attribute(t.attr)
		if !ok {
			return nil, unknownAttribute(t.pos, t.attr, person)
		}
		return &objectRef{object: objectContact, attr: attr, pos: t.pos}, nil
	case "current_user":
		return nil, unsupportedAt(t.pos, ":current_user->attr", "ctidesk reads no attribute of :current_user: use :current_user_id, the user's id (SELECT User WHERE id = :current_user_id), or :current_contact->%s", t.attr)
	}
	return nil, errorAt(t.pos, "unknown object :%s: a query may name the attributes of :this, the object in context, and of :current_contact, the user's person", t.text)
}

// Functions of iTop's language that ctidesk supports.
var functions = []string{"NOW", "CURRENT_DATE", "DATE_ADD", "DATE_SUB", "DATE_FORMAT", "ISNULL"}

// intervalUnits are the units of INTERVAL.
var intervalUnits = []string{"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}

// call reads the arguments of the function t, at its "(".
func (p *parser) call(t token) (operand, error) {
	c := &call{fn: strings.ToUpper(t.text), pos: t.pos}
	if !slices.Contains(functions, c.fn) {
		return nil, unsupportedAt(t.pos, "function "+c.fn, "the function %s is not supported: ctidesk knows %s", c.fn,
			strings.Join(functions, "(), ")+"()")
	}
	p.next() // (
	arg := func() error {
		o, err := p.operand()
		if err == nil {
			c.args = append(c.args, o)
		}
		return err
	}
	switch c.fn {
	case "DATE_ADD", "DATE_SUB":
		if err := arg(); err != nil {
			return nil, err
		}
		if typ, ok := valueType(c.args[0]); ok && typ != desk.TypeDateTime {
			return nil, errorAt(c.args[0].at(), "%s adds to a date, not to a %s", c.fn, typ)
		}
		if _, err := p.expect(","); err != nil {
			return nil, err
		}
		iv, err := p.interval()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, iv)
	case "DATE_FORMAT":
		if err := arg(); err != nil {
			return nil, err
		}
		if typ, ok := valueType(c.args[0]); ok && typ != desk.TypeDateTime {
			return nil, errorAt(c.args[0].at(), "DATE_FORMAT formats a date, not a %s", typ)
		}
		if _, err := p.expect(","); err != nil {
			return nil, err
		}
		if err := arg(); err != nil {
			return nil, err
		}
		switch f := c.args[1].(type) {
		case *literal:
			if _, err := dateFormat(f.text); err != nil {
				return nil, errorAt(f.pos, "%v", err)
			}
		case *paramRef:
		default:
			return nil, errorAt(f.at(), "the format of DATE_FORMAT is a string or a :parameter")
		}
	case "ISNULL":
		if err := arg(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return c, nil
}

// interval reads `INTERVAL n UNIT`.
func (p *parser) interval() (*interval, error) {
	t, err := p.expect("INTERVAL")
	if err != nil {
		return nil, err
	}
	iv := &interval{pos: t.pos}
	switch n := p.next(); n.kind {
	case tokNumber:
		if _, err := strconv.ParseInt(n.text, 10, 32); err != nil {
			return nil, errorAt(n.pos, "INTERVAL takes a whole number, not %s", n.text)
		}
		iv.n = &literal{text: n.text, number: true, pos: n.pos}
	case tokParam:
		p.useParam(n.text)
		iv.n = &paramRef{name: n.text, pos: n.pos}
	default:
		return nil, errorAt(n.pos, "expected a number or a :parameter after INTERVAL, found %s", n)
	}
	u := p.next()
	iv.unit = strings.ToUpper(u.text)
	if u.kind != tokIdent || !slices.Contains(intervalUnits, iv.unit) {
		return nil, errorAt(u.pos, "expected a unit of INTERVAL (%s), found %s", strings.Join(intervalUnits, ", "), u)
	}
	return iv, nil
}

// alias returns the source of an alias, from the innermost SELECT out.
func (p *parser) alias(name string) *source {
	for i := len(p.scopes) - 1; i >= 0; i-- {
		for _, s := range p.scopes[i].sources {
			if s.alias == name {
				return s
			}
		}
	}
	return nil
}

func (p *parser) aliases() []string {
	var out []string
	for _, sc := range p.scopes {
		for _, s := range sc.sources {
			out = append(out, s.alias)
		}
	}
	return out
}

func (p *parser) useParam(name string) {
	if !slices.ContainsFunc(p.q.params, func(pr Param) bool { return pr.Name == name }) {
		p.q.params = append(p.q.params, Param{Name: name})
	}
}

func (p *parser) markList(name string) {
	for i := range p.q.params {
		if p.q.params[i].Name == name {
			p.q.params[i].List = true
		}
	}
}

// valueType returns the type of the values of o, when the query tells it: an
// attribute's, the user's person's, a function's result.
func valueType(o operand) (desk.AttributeType, bool) {
	switch o := o.(type) {
	case *attrRef:
		return o.attr.Type, true
	case *objectRef:
		return o.attr.Type, o.object == objectContact
	case *call:
		switch o.fn {
		case "DATE_FORMAT":
			return desk.TypeString, true
		case "ISNULL":
			return desk.TypeInt, true
		}
		return desk.TypeDateTime, true
	}
	return "", false
}

// family sorts the types of values that may be compared with each other.
func family(t desk.AttributeType) string {
	switch t {
	case desk.TypeID, desk.TypeExtKey, desk.TypeInt:
		return "number"
	case desk.TypeDateTime:
		return "date"
	case desk.TypeLog:
		return "log"
	}
	return "text"
}

// checkComparison refuses comparisons that cannot hold or mean nothing.
func checkComparison(c *comparison) error {
	for _, o := range []operand{c.l, c.r} {
		if a, ok := o.(*attrRef); ok && a.attr.Type == desk.TypeLog && c.op != "LIKE" && c.op != "NOT LIKE" {
			return errorAt(a.pos, "%s is a log: it can only be compared with LIKE or NOT LIKE", a.attr.Name)
		}
	}
	lt, lok := valueType(c.l)
	rt, rok := valueType(c.r)
	if lok && rok && family(lt) != family(rt) && c.op != "LIKE" && c.op != "NOT LIKE" {
		return errorAt(c.pos, "%s is a %s and %s a %s: they cannot be compared", describe(c.l), family(lt), describe(c.r), family(rt))
	}
	if err := checkOperands(c.l, c.r, c.op, c.pos); err != nil {
		return err
	}
	return checkOperands(c.r, c.l, c.op, c.pos)
}

// describe names an operand in a message.
func describe(o operand) string {
	switch o := o.(type) {
	case *attrRef:
		return o.attr.Name
	case *objectRef:
		return ":" + o.object + "->" + o.attr.Name
	case *call:
		return o.fn + "()"
	}
	return "the value"
}

// checkOperands checks a literal compared with a typed value: a number for
// numeric attributes, one of the values of an enum, a date for a date.
func checkOperands(x, y operand, op string, at pos) error {
	typ, ok := valueType(x)
	lit, isLit := y.(*literal)
	if !ok || !isLit {
		return nil
	}
	name := describe(x)
	switch typ {
	case desk.TypeID, desk.TypeExtKey, desk.TypeInt:
		if op == "LIKE" || op == "NOT LIKE" {
			return nil
		}
		if _, err := strconv.ParseInt(lit.text, 10, 64); err != nil {
			return errorAt(lit.pos, "%s is a number: %q cannot be compared with it", name, lit.text)
		}
	case desk.TypeEnum:
		a, isAttr := x.(*attrRef)
		if !isAttr || op != "=" && op != "!=" && op != "IN" {
			return nil
		}
		if a.attr.Name == "finalclass" {
			// Class names compare whatever their case, as in iTop's
			// (MySQL's) tables.
			if i := slices.IndexFunc(a.attr.Values, func(v string) bool { return strings.EqualFold(v, lit.text) }); i >= 0 {
				lit.text = a.attr.Values[i]
			}
		}
		if !slices.Contains(a.attr.Values, lit.text) && !slices.Contains(a.attr.Foreign, lit.text) {
			return errorAt(lit.pos, "%q is not a value of %s (%s)%s", lit.text, a.attr.Name,
				strings.Join(a.attr.Values, ", "), Suggest(lit.text, append(slices.Clone(a.attr.Values), a.attr.Foreign...)))
		}
	case desk.TypeDateTime:
		if op == "LIKE" || op == "NOT LIKE" {
			return nil
		}
		if _, ok := ParseTime(lit.text); !ok {
			return errorAt(lit.pos, "%q is not a date: write 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'", lit.text)
		}
	}
	return nil
}

// ParseTime reads a date as iTop writes it: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM'
// or 'YYYY-MM-DD HH:MM:SS', in UTC, or RFC 3339.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04", time.DateTime, time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
