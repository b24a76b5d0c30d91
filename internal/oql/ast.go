package oql

import "github.com/ctidesk/ctidesk/internal/desk"

// source is a class of the query with its alias: the selected one or a join.
type source struct {
	class *desk.Class
	alias string
	pos   pos
	index int // 0 for the selected class, then the joins in order
}

// join is `JOIN Class AS alias ON left = right`.
type join struct {
	src         *source
	left, right *attrRef
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

// membership is `x [NOT] IN (list)`.
type membership struct {
	not  bool
	x    operand
	list []operand
	pos  pos
}

func (e *logical) at() pos    { return e.pos }
func (e *not) at() pos        { return e.pos }
func (e *comparison) at() pos { return e.pos }
func (e *membership) at() pos { return e.pos }

// operand is an attribute, a literal or a parameter.
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

func (o *attrRef) at() pos  { return o.pos }
func (o *literal) at() pos  { return o.pos }
func (o *paramRef) at() pos { return o.pos }
