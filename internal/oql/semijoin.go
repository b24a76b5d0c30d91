package oql

import "strings"

// semiJoin is a limited query whose joined sources only narrow its selected
// one down through one key: `SELECT Ticket AS t JOIN Organization AS o ON
// t.org_id = o.id JOIN Person AS p ON p.org_id = o.id WHERE p.id IN
// (:callers_list) AND t.status != 'closed'`, the pop's list of an
// organization's tickets. It compiles to a condition on the selected source
// alone, `t.org_id = (SELECT o.id FROM … WHERE p.id = ?)`, rather than to a
// join whose rows must all be found, deduplicated and sorted before the
// limit applies: with the key given, the database walks an index on the key
// and the sort columns newest first and stops at the limit (an
// organization's 20 newest of 100,000 tickets read 20 index entries).
type semiJoin struct {
	// link is the selected source's attribute the first join compares, key
	// the joined source's attribute it equals.
	link, key *attrRef
	// own are the conditions of the WHERE clause on the selected source
	// alone, others those on the joined sources alone.
	own, others []expr
}

// semiJoinOf returns s as a semiJoin when it is one: the selected source is
// the first, the first join links it to the joined ones by one equality,
// the other joins are equalities among the joined sources, and each
// condition of the WHERE clause (AND-ed) names either the selected source
// or joined ones, never both, and holds no subquery. It compiles nothing.
func (c *compiler) semiJoinOf(s *selectQuery) (*semiJoin, bool) {
	if s.sel != s.from || len(s.joins) == 0 {
		return nil, false
	}
	for _, j := range s.joins {
		if j.op != joinEqual || j.not {
			return nil, false
		}
	}
	j0 := s.joins[0]
	sj := &semiJoin{}
	switch {
	case j0.left.src == s.sel && j0.right.src == j0.src:
		sj.link, sj.key = j0.left, j0.right
	case j0.right.src == s.sel && j0.left.src == j0.src:
		sj.link, sj.key = j0.right, j0.left
	default:
		return nil, false
	}
	for _, j := range s.joins[1:] {
		if j.left.src == s.sel || j.right.src == s.sel {
			return nil, false
		}
	}
	for _, e := range conjuncts(s.where) {
		srcs, ok := sourcesOf(e, nil)
		if !ok {
			return nil, false
		}
		onSel, onOthers := false, false
		for _, src := range srcs {
			if src == s.sel {
				onSel = true
			} else {
				onOthers = true
			}
		}
		switch {
		case onSel && onOthers:
			return nil, false
		case onOthers:
			sj.others = append(sj.others, e)
		default:
			sj.own = append(sj.own, e)
		}
	}
	return sj, true
}

// semiJoinConds returns the conditions of the selected source of s (as
// compiler.conds does for the whole of s), the joined sources reduced to
// the condition on its link.
func (c *compiler) semiJoinConds(s *selectQuery, sj *semiJoin) ([]string, error) {
	conds := c.kindCond(s.sel)
	if cond := c.scopeCond(s.sel); cond != "" {
		conds = append(conds, cond)
	}
	for _, e := range sj.own {
		w, err := c.expr(e)
		if err != nil {
			return nil, err
		}
		conds = append(conds, w)
	}
	var sub strings.Builder
	j0 := s.joins[0]
	sub.WriteString("SELECT " + c.ref(sj.key) + " FROM " + table(j0.src.class) + " " + alias(j0.src))
	for _, j := range s.joins[1:] {
		sub.WriteString(" JOIN " + table(j.src.class) + " " + alias(j.src) + " ON " + c.joinCond(j))
	}
	var where []string
	for _, j := range s.joins {
		where = append(where, c.kindCond(j.src)...)
		if cond := c.scopeCond(j.src); cond != "" {
			where = append(where, cond)
		}
	}
	for _, e := range sj.others {
		w, err := c.expr(e)
		if err != nil {
			return nil, err
		}
		where = append(where, w)
	}
	if len(where) > 0 {
		sub.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	// When the joined sources are one row at most (each found by its id,
	// from a value or from another such source), the key is one value,
	// compared with =, which lets the database walk the index in order;
	// else it is a list (IN), and the rows are sorted.
	link := c.ref(sj.link)
	if c.oneRow(s.joins, sj.others) {
		return append(conds, link+" = ("+sub.String()+")"), nil
	}
	return append(conds, c.env.Dialect.inIDs(link, sub.String())), nil
}

// oneRow reports whether the joined sources are each one row at most: found
// by its id equal to a single value, or to an attribute of another source
// found so, through the joins after the first and the conditions on them.
func (c *compiler) oneRow(joins []*join, conds []expr) bool {
	var eqs [][2]operand
	for _, j := range joins[1:] {
		eqs = append(eqs, [2]operand{j.left, j.right})
	}
	for _, e := range conds {
		switch e := e.(type) {
		case *comparison:
			if e.op == "=" {
				eqs = append(eqs, [2]operand{e.l, e.r})
			}
		case *membership:
			if !e.not && e.sub == nil && len(e.list) == 1 {
				eqs = append(eqs, [2]operand{e.x, e.list[0]})
			}
		}
	}
	one := map[*source]bool{}
	for changed := true; changed; {
		changed = false
		for _, eq := range eqs {
			for _, p := range [][2]operand{{eq[0], eq[1]}, {eq[1], eq[0]}} {
				a, ok := p[0].(*attrRef)
				if ok && a.attr.Name == "id" && !one[a.src] && c.single(p[1], one) {
					one[a.src], changed = true, true
				}
			}
		}
	}
	for _, j := range joins {
		if !one[j.src] {
			return false
		}
	}
	return true
}

// single reports whether o is one value: a literal, an attribute of the
// object in context or the reader's contact, a parameter of one value, or
// an attribute of a source that is one row.
func (c *compiler) single(o operand, one map[*source]bool) bool {
	switch o := o.(type) {
	case *attrRef:
		return one[o.src]
	case *literal, *objectRef:
		return true
	case *paramRef:
		return len(c.paramValues(o)) == 1
	}
	return false
}

// paramValues returns the values of parameter p: the one a branch of a
// list expanded by value gives it (compiler.only), else its values.
func (c *compiler) paramValues(p *paramRef) []any {
	if v, ok := c.only[p]; ok {
		return []any{v}
	}
	return listOf(c.env.Params[p.name])
}

// maxExpanded bounds the values of a list a limited query is expanded by.
const maxExpanded = 8

// expandedList returns the list parameter of s a limited query is best run
// once per value of: the one parameter of `x IN (:list)`, AND-ed with the
// rest, when it has from 2 to maxExpanded values. With one value the key
// of an index walk is one (the caller's tickets, his organization's), and
// each run stops at the limit; with the list, the database reads every
// row of every value and sorts them. nil when there is none.
func (c *compiler) expandedList(s *selectQuery) *paramRef {
	for _, e := range conjuncts(s.where) {
		m, ok := e.(*membership)
		if !ok || m.not || m.sub != nil || len(m.list) != 1 {
			continue
		}
		if p, ok := m.list[0].(*paramRef); ok {
			if n := len(listOf(c.env.Params[p.name])); n >= 2 && n <= maxExpanded {
				return p
			}
		}
	}
	return nil
}

// conjuncts returns the conditions e AND-s together (e itself when it is
// not an AND); none for nil.
func conjuncts(e expr) []expr {
	if e == nil {
		return nil
	}
	if l, ok := e.(*logical); ok && l.op == "AND" {
		return append(conjuncts(l.l), conjuncts(l.r)...)
	}
	return []expr{e}
}

// sourcesOf adds to srcs the sources whose attributes e names; false when
// e holds a subquery, whose sources may be any.
func sourcesOf(e any, srcs []*source) ([]*source, bool) {
	ok := true
	switch e := e.(type) {
	case *logical:
		if srcs, ok = sourcesOf(e.l, srcs); ok {
			srcs, ok = sourcesOf(e.r, srcs)
		}
	case *not:
		srcs, ok = sourcesOf(e.x, srcs)
	case *comparison:
		if srcs, ok = sourcesOf(e.l, srcs); ok {
			srcs, ok = sourcesOf(e.r, srcs)
		}
	case *membership:
		if e.sub != nil {
			return srcs, false
		}
		srcs, ok = sourcesOf(e.x, srcs)
		for _, o := range e.list {
			if !ok {
				break
			}
			srcs, ok = sourcesOf(o, srcs)
		}
	case *attrRef:
		srcs = append(srcs, e.src)
	case *call:
		for _, a := range e.args {
			if !ok {
				break
			}
			srcs, ok = sourcesOf(a, srcs)
		}
	case *interval:
		srcs, ok = sourcesOf(e.n, srcs)
	}
	return srcs, ok
}
