package oql

import "github.com/ctidesk/ctidesk/internal/desk"

// source is a class of a query with its alias: the selected one or a join.
type source struct {
	class *desk.Class
	alias string
	pos   pos
	// index numbers the sources of the whole query, subqueries and UNION
	// branches included, from 0: the SQL alias of the source.
	index int
}

// selectQuery is one SELECT: `SELECT Class [AS alias] ...`, or
// `SELECT alias FROM Class [AS alias] ...`, with its joins and condition.
type selectQuery struct {
	sel   *source // the source whose objects it returns
	from  *source // the first class, which the joins join to
	joins []*join
	where expr // nil: no condition
}

// sources returns the sources of s: its first class, then its joins.
func (s *selectQuery) sources() []*source {
	out := []*source{s.from}
	for _, j := range s.joins {
		out = append(out, j.src)
	}
	return out
}

// Join operators.
const (
	joinEqual = "="
	// The hierarchical ones: left.parent_id BELOW right.id holds when left
	// is right or under it in the tree; STRICT leaves right out; ABOVE is
	// the other way up.
	joinBelow       = "BELOW"
	joinBelowStrict = "BELOW STRICT"
	joinAbove       = "ABOVE"
	joinAboveStrict = "ABOVE STRICT"
)

// join is `JOIN Class AS alias ON left op right`.
type join struct {
	src         *source
	left, right *attrRef
	op          string // joinEqual, joinBelow...
	not         bool   // NOT BELOW, NOT ABOVE
}

// expr is a condition of the WHERE clause.
type expr interface{ at() pos }

// logical is AND or OR.
type logical struct {
	op   string
	l, r expr
	pos  pos
}

// not negates a condition.
type not struct {
	x   expr
	pos pos
}

// comparison is `l op r`, op one of = != < <= > >= LIKE, NOT LIKE.
type comparison struct {
	op   string
	l, r operand
	pos  pos
}

// membership is `x [NOT] IN (list)` or `x [NOT] IN (SELECT ...)`.
type membership struct {
	not  bool
	x    operand
	list []operand
	sub  *subquery // instead of list
	pos  pos
}

// subquery is the SELECT of `IN (SELECT ...)`, UNION branches included.
type subquery struct {
	branches []*selectQuery
	class    *desk.Class // of the objects it selects
}

// truth is a number standing for a condition, as iTop writes `WHERE 1`.
type truth struct {
	value bool
	pos   pos
}

func (e *logical) at() pos    { return e.pos }
func (e *not) at() pos        { return e.pos }
func (e *comparison) at() pos { return e.pos }
func (e *membership) at() pos { return e.pos }
func (e *truth) at() pos      { return e.pos }

// operand is a value: an attribute, a literal, a parameter, an attribute of
// an object in context, or a function's result.
type operand interface{ at() pos }

// attrRef is `[alias.]attribute`.
type attrRef struct {
	src  *source
	attr desk.Attribute
	pos  pos
}

// literal is a quoted string or a number.
type literal struct {
	text   string
	number bool
	pos    pos
}

// paramRef is `:name`.
type paramRef struct {
	name string
	pos  pos
}

// Objects a query may take attributes of.
const (
	// objectThis is the object in context (desk.ParamThis).
	objectThis = "this"
	// objectContact is the reader's person; contact is its name in iTop's
	// portal.
	objectContact       = "current_contact"
	objectPortalContact = "contact"
)

// objectRef is `:this->attribute` or `:current_contact->attribute`.
type objectRef struct {
	object string // objectThis or objectContact
	// attr is the attribute, of Person for the contact; for :this only its
	// name is known until the object is (Compile).
	attr desk.Attribute
	pos  pos
}

// call is a function call: NOW(), DATE_SUB(start_date, INTERVAL 1 DAY)...
type call struct {
	fn   string // upper-cased
	args []operand
	pos  pos
}

// interval is `INTERVAL n UNIT`, an argument of DATE_ADD and DATE_SUB.
type interval struct {
	n    operand // a number or a parameter
	unit string  // upper-cased: SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR
	pos  pos
}

func (o *attrRef) at() pos   { return o.pos }
func (o *literal) at() pos   { return o.pos }
func (o *paramRef) at() pos  { return o.pos }
func (o *objectRef) at() pos { return o.pos }
func (o *call) at() pos      { return o.pos }
func (o *interval) at() pos  { return o.pos }
