package store

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ctidesk/ctidesk/internal/oql"
)

// The store writes its SQL once, in the dialect both databases share, with ?
// placeholders; the few differences are the functions of this file, and
// rebind turns the placeholders into PostgreSQL's $n when a statement runs
// there. SQL compiled by internal/oql is already in the dialect's form and is
// never rebound.

// rebind returns query with its ? placeholders numbered $1, $2... for
// PostgreSQL, and query itself for SQLite. A ? inside a string literal, a
// quoted identifier or a comment is left alone.
func rebind(d oql.Dialect, query string) string {
	if d != oql.PostgreSQL || strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		case c == '\'' || c == '"':
			// Up to the closing quote; a doubled quote is part of the text.
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j, len(query)-1)
			b.WriteString(query[i : j+1])
			i = j
			continue
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// keysFirstJoin returns the join that makes SQLite read the table on its
// left first (CROSS JOIN fixes the order of SQLite's joins); PostgreSQL plans
// a plain join, and allows no ON clause after CROSS JOIN.
func keysFirstJoin(d oql.Dialect) string {
	if d == oql.PostgreSQL {
		return "JOIN"
	}
	return "CROSS JOIN"
}

// emailEquals returns the condition comparing the email column col with one
// argument, ignoring case: SQLite's NOCASE (the person_email_nocase index),
// PostgreSQL's lower() (the person_email_lower index).
func emailEquals(d oql.Dialect, col string) string {
	if d == oql.PostgreSQL {
		return "lower(" + col + ") = lower(?)"
	}
	return col + " = ? COLLATE NOCASE"
}

// emailIn returns the condition "the email column col is one of n
// arguments, ignoring case", served by the same indexes as emailEquals.
func emailIn(d oql.Dialect, col string, n int) string {
	if d == oql.PostgreSQL {
		return "lower(" + col + ") IN (" + strings.TrimSuffix(strings.Repeat("lower(?), ", n), ", ") + ")"
	}
	return col + " COLLATE NOCASE IN (" + placeholders(n) + ")"
}

// groupConcat returns the aggregate joining the text of expr with commas.
func groupConcat(d oql.Dialect, expr string) string {
	if d == oql.PostgreSQL {
		return "string_agg(" + expr + "::text, ',')"
	}
	return "group_concat(" + expr + ")"
}

// groupConcatOrdered is groupConcat, the texts in the order of order.
func groupConcatOrdered(d oql.Dialect, expr, order string) string {
	if d == oql.PostgreSQL {
		return "string_agg(" + expr + "::text, ',' ORDER BY " + order + ")"
	}
	return "group_concat(" + expr + ", ',' ORDER BY " + order + ")"
}

// PostgreSQL error codes (SQLSTATE) the store turns into desk codes.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// sqliteCode returns the extended result code of a SQLite error, 0 for any
// other error.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for any other error.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	code := sqliteCode(err)
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY ||
		pgCode(err) == pgUniqueViolation
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	if err == nil {
		return false
	}
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY || pgCode(err) == pgForeignKeyViolation
}
