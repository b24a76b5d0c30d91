package oql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// maxDepth bounds the nesting of conditions, so that a hostile text cannot
// exhaust the stack.
const maxDepth = 100

// Parse parses text and checks it against the classes of internal/desk:
// unknown classes, aliases and attributes, and comparisons that cannot hold,
// are errors of type *Error with their position.
func Parse(text string) (*Query, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, q: &Query{text: text}}
	if err := p.query(); err != nil {
		return nil, err
	}
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
	toks    []token
	i       int
	q       *Query
	sources []*source
	depth   int
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

func (p *parser) query() error {
	if _, err := p.expect("SELECT"); err != nil {
		return err
	}
	sel, err := p.source()
	if err != nil {
		return err
	}
	p.q.sel = sel
	for p.isKeyword("JOIN") {
		p.next()
		j, err := p.join()
		if err != nil {
			return err
		}
		p.q.joins = append(p.q.joins, j)
	}
	if p.isKeyword("WHERE") {
		p.next()
		e, err := p.or()
		if err != nil {
			return err
		}
		p.q.where = e
	}
	if t := p.peek(); t.kind != tokEOF {
		want := "WHERE, JOIN or the end of the query"
		switch {
		case p.q.where != nil:
			want = "AND, OR or the end of the query"
		case len(p.q.joins) > 0:
			want = "JOIN, WHERE or the end of the query"
		}
		return errorAt(t.pos, "expected %s, found %s", want, t)
	}
	return nil
}

// source reads `Class [AS alias]`.
func (p *parser) source() (*source, error) {
	t := p.next()
	if t.kind != tokIdent {
		return nil, errorAt(t.pos, "expected a class name, found %s", t)
	}
	class, ok := desk.FindClass(t.text)
	if !ok {
		return nil, errorAt(t.pos, "unknown class %q%s", t.text, Suggest(t.text, desk.ClassNames()))
	}
	s := &source{class: class, alias: class.Name, pos: t.pos, index: len(p.sources)}
	if p.isKeyword("AS") {
		p.next()
		a := p.next()
		if a.kind != tokIdent {
			return nil, errorAt(a.pos, "expected an alias after AS, found %s", a)
		}
		s.alias, s.pos = a.text, a.pos
	}
	for _, other := range p.sources {
		if other.alias == s.alias {
			return nil, errorAt(s.pos, "alias %q is used twice", s.alias)
		}
	}
	p.sources = append(p.sources, s)
	return s, nil
}

// join reads `Class [AS alias] ON a.x = b.y` (after JOIN): one side is the
// new alias, the other an earlier one, and one is an external key to the
// other's class.
func (p *parser) join() (*join, error) {
	src, err := p.source()
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
	if _, err := p.expect("="); err != nil {
		return nil, err
	}
	right, err := p.qualifiedRef()
	if err != nil {
		return nil, err
	}
	if left.src != src && right.src != src {
		return nil, errorAt(left.pos, "the ON condition of JOIN %s must use the alias %q", src.class.Name, src.alias)
	}
	if left.src == right.src {
		return nil, errorAt(right.pos, "the ON condition must compare %q with an earlier alias", src.alias)
	}
	if !joinable(left, right) && !joinable(right, left) {
		return nil, errorAt(left.pos, "%s.%s = %s.%s does not follow an external key: JOIN needs an external key on one side and the id of its class on the other",
			left.src.alias, left.attr.Name, right.src.alias, right.attr.Name)
	}
	return &join{src: src, left: left, right: right}, nil
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
	return o.(*attrRef), nil
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
	default:
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

// membership reads `(item, ...)` after [NOT] IN.
func (p *parser) membership(x operand, negated bool, at pos) (expr, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	m := &membership{not: negated, x: x, pos: at}
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

// operand reads an attribute, a literal or a parameter.
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
		p.useParam(t.text)
		return &paramRef{name: t.text, pos: t.pos}, nil
	case tokIdent:
		src, name, namePos := p.q.sel, t.text, t.pos
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
			return nil, errorAt(namePos, "unknown attribute %q of class %s%s", name, src.class.Name,
				Suggest(name, src.class.AttributeNames()))
		}
		return &attrRef{src: src, attr: attr, pos: t.pos}, nil
	}
	return nil, errorAt(t.pos, "expected an attribute, a value or a :parameter, found %s", t)
}

func (p *parser) alias(name string) *source {
	for _, s := range p.sources {
		if s.alias == name {
			return s
		}
	}
	return nil
}

func (p *parser) aliases() []string {
	var out []string
	for _, s := range p.sources {
		out = append(out, s.alias)
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

// checkComparison refuses comparisons that cannot hold or mean nothing.
func checkComparison(c *comparison) error {
	for _, o := range []operand{c.l, c.r} {
		if a, ok := o.(*attrRef); ok && a.attr.Type == desk.TypeLog && c.op != "LIKE" && c.op != "NOT LIKE" {
			return errorAt(a.pos, "%s is a log: it can only be compared with LIKE or NOT LIKE", a.attr.Name)
		}
	}
	if err := checkOperands(c.l, c.r, c.op, c.pos); err != nil {
		return err
	}
	return checkOperands(c.r, c.l, c.op, c.pos)
}

// checkOperands checks a literal compared with an attribute: a number for
// numeric attributes, one of the values of an enum, a date for a date.
func checkOperands(x, y operand, op string, at pos) error {
	a, ok := x.(*attrRef)
	lit, isLit := y.(*literal)
	if !ok || !isLit {
		return nil
	}
	switch a.attr.Type {
	case desk.TypeID, desk.TypeExtKey, desk.TypeInt:
		if op == "LIKE" || op == "NOT LIKE" {
			return nil
		}
		if _, err := strconv.ParseInt(lit.text, 10, 64); err != nil {
			return errorAt(lit.pos, "%s is a number: %q cannot be compared with it", a.attr.Name, lit.text)
		}
	case desk.TypeEnum:
		if (op == "=" || op == "!=" || op == "IN") && !slices.Contains(a.attr.Values, lit.text) {
			return errorAt(lit.pos, "%q is not a value of %s (%s)%s", lit.text, a.attr.Name,
				strings.Join(a.attr.Values, ", "), Suggest(lit.text, a.attr.Values))
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
