// Package oql implements the subset of iTop's object query language that
// ctidesk's configuration uses (docs/oql.md): a lexer and parser to an
// AST with positions, checked against the class metadata of internal/desk,
// and a compiler to parameterized SQL for SQLite and PostgreSQL.
//
// A query is parsed once, when the configuration is loaded, and compiled and
// run many times with different parameters; no parameter value ever reaches
// the SQL text.
package oql

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Error is a syntax or meaning error in a query, at a position of its text.
type Error struct {
	Line, Column int // 1-based
	Message      string
	// Kind sorts the mistakes: a class or attribute ctidesk does not have, a
	// construct of iTop's language it does not support, or any other.
	Kind ErrorKind
	// Name is the unknown class or attribute, or the construct not
	// supported (MATCHES, a function's name...).
	Name string
}

// ErrorKind is the kind of an Error.
type ErrorKind int

// Error kinds.
const (
	// ErrInvalid is a query that is not well written or means nothing.
	ErrInvalid ErrorKind = iota
	// ErrUnknownClass names a class ctidesk does not have.
	ErrUnknownClass
	// ErrUnknownAttribute names an attribute its class does not have.
	ErrUnknownAttribute
	// ErrUnsupported is a construct of iTop's language that ctidesk does
	// not support.
	ErrUnsupported
)

// Error returns the message and its position: `unknown class "Persn" at 1:8;
// did you mean "Person"?` puts the suggestion after the position.
func (e *Error) Error() string {
	msg, hint := e.Message, ""
	if i := indexHint(msg); i >= 0 {
		msg, hint = e.Message[:i], e.Message[i:]
	}
	return fmt.Sprintf("%s at %d:%d%s", msg, e.Line, e.Column, hint)
}

// Query is a parsed and checked query. It is immutable and safe for
// concurrent use.
type Query struct {
	text string
	// branches are the SELECTs of the query, joined by UNION: one mostly.
	branches []*selectQuery
	// class is the class of the objects returned: the selected class, or
	// the one the branches of a UNION have in common.
	class  *desk.Class
	params []Param
	// this lists the attributes of the object in context the query uses
	// (:this->org_id).
	this []string
	// classes are every class the query reads, subqueries included.
	classes []*desk.Class
	// columns, when not nil, are the only attributes the objects hold
	// (see Columns).
	columns []string
	// order, when set, is the attribute the objects are ordered by, before
	// the class's own order (see OrderedBy); desc orders it descending.
	order *desk.Attribute
	desc  bool
}

// OrderedBy returns q whose objects come ordered by attribute first (then by
// the class's own order), descending when desc: a list that shows the
// newest activity first orders by last_update. An attribute the class lacks
// (or one that is not stored, as a derived name) leaves the order as it is.
func (q *Query) OrderedBy(attribute string, desc bool) *Query {
	c := *q
	if a, ok := q.class.Attribute(attribute); ok && !a.QueryOnly && a.Type != desk.TypeLog && !a.Derived {
		c.order, c.desc = &a, desc
	}
	return &c
}

// Columns returns q whose objects hold only the attributes named, of those
// its class has (names it lacks are ignored), besides the id, friendly name
// and kind every object has: a list showing a few attributes reads no more
// (derived names each cost a lookup per object).
func (q *Query) Columns(names ...string) *Query {
	c := *q
	c.columns = slices.Clone(names)
	if c.columns == nil {
		c.columns = []string{}
	}
	return &c
}

// Param is a named parameter a query uses.
type Param struct {
	Name string
	// List tells that the parameter is used in an IN list, where a list of
	// values is expected (:callers_list).
	List bool
}

// Text returns the query as it was written.
func (q *Query) Text() string { return q.text }

// String returns the query as it was written.
func (q *Query) String() string { return q.text }

// Class returns the class of the objects the query returns: the selected
// class, or the class the branches of a UNION have in common.
func (q *Query) Class() *desk.Class { return q.class }

// SelectedClass returns the class of the objects returned (desk.Query).
func (q *Query) SelectedClass() *desk.Class { return q.class }

// Alias returns the alias of the selected class (its name when none is
// given), of the first SELECT of a UNION.
func (q *Query) Alias() string { return q.branches[0].sel.alias }

// Params lists the named parameters the query uses, in order of first use.
func (q *Query) Params() []Param { return q.params }

// ThisAttributes lists the attributes of the object in context the query
// uses (:this->org_id), in order of first use: a query that uses any runs
// only where a caller gives an object (desk.ParamThis).
func (q *Query) ThisAttributes() []string { return q.this }

// indexHint returns where the suggestion of a message starts, or -1.
func indexHint(msg string) int { return strings.Index(msg, "; did you mean") }

// errorAt returns an Error at p.
func errorAt(p pos, format string, args ...any) *Error {
	return &Error{Line: p.line, Column: p.col, Message: fmt.Sprintf(format, args...)}
}

// unsupportedAt returns an Error at p about construct, which ctidesk does
// not support.
func unsupportedAt(p pos, construct, format string, args ...any) *Error {
	e := errorAt(p, format, args...)
	e.Kind, e.Name = ErrUnsupported, construct
	return e
}

// Suggest returns `; did you mean "x"?` for the candidate closest to word,
// or "" when none is close enough to be a likely typo. The configuration's
// checks use it too, so that every message suggests alike.
func Suggest(word string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := Distance(strings.ToLower(word), strings.ToLower(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(1, len(word)/3) {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// Distance is the edit distance of a and b (bytes) counting a swap of two
// neighbours as one edit, the commonest typo ("nmae").
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b)) // no suggestion for such words; bounded work
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Classes returns the classes the query reads: the selected one, then the
// joined ones, those of the other branches of a UNION and of subqueries,
// each once.
func (q *Query) Classes() []*desk.Class { return q.classes }
