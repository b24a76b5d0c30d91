package oql

import "strconv"

// Dialect is the SQL dialect a query compiles to. Every difference between
// SQLite and PostgreSQL that the compiler meets is a method here; those the
// store meets as well (Like, NoIndex) are exported for it, so that each
// quirk is written once.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota
	PostgreSQL
)

func (d Dialect) String() string {
	if d == PostgreSQL {
		return "postgres"
	}
	return "sqlite"
}

// placeholder returns the text of the n-th (1-based) argument. Both dialects
// number them, so that fragments may be written in any order.
func (d Dialect) placeholder(n int) string {
	if d == PostgreSQL {
		return "$" + strconv.Itoa(n)
	}
	return "?" + strconv.Itoa(n)
}

// Like returns the operator of a LIKE that ignores case, as iTop's (MySQL's)
// does: SQLite's LIKE already does for ASCII letters, PostgreSQL's ILIKE for
// every letter.
func (d Dialect) Like() string {
	if d == PostgreSQL {
		return "ILIKE"
	}
	return "LIKE"
}

// NoIndex returns col written so that SQLite does not probe an index on it
// for this term (the unary +): an organization may hold most persons, and
// SQLite would split an OR on the number keys into more probes than the
// range needs. PostgreSQL's planner weighs its statistics and needs no hint.
func (d Dialect) NoIndex(col string) string {
	if d == PostgreSQL {
		return col
	}
	return "+" + col
}

// inIDs returns the condition that col is among the ids sub selects, a
// subquery that does not depend on the row. PostgreSQL cannot turn an IN
// subquery under an OR into a join: it tests every row against a hashed
// subquery (a caller found by phone OR mobile_phone scanned 1,000,000
// persons, 1.6 s), while = ANY(ARRAY(…)) runs the subquery once and probes
// the index with its ids (0.25 ms). SQLite probes the index with IN.
func (d Dialect) inIDs(col, sub string) string {
	if d == PostgreSQL {
		return col + " = ANY(ARRAY(" + sub + "))"
	}
	return col + " IN (" + sub + ")"
}
