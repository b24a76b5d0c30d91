package oql

import "strconv"

// The differences between SQLite and PostgreSQL in the date functions the
// compiler leaves to the database (functions.go); the others are in
// dialect.go.

// sqliteTime is how the store keeps times in SQLite (the driver's
// _time_format=sqlite), so that a computed time compares with stored ones.
const sqliteTime = "%Y-%m-%d %H:%M:%S+00:00"

// shiftDate returns the SQL of the time x moved by n units (seconds,
// minutes, hours, days or months, from intervalAmount); arg adds an
// argument and returns its placeholder.
func (d Dialect) shiftDate(x string, n int64, unit string, arg func(any) string) string {
	amount := strconv.FormatInt(n, 10) + " " + unit
	if d == PostgreSQL {
		return "(" + x + " + CAST(" + arg(amount) + " AS INTERVAL))"
	}
	return "strftime(" + arg(sqliteTime) + ", " + x + ", " + arg(amount) + ")"
}

// formatDate returns the SQL of the time x formatted by format (a
// placeholder of formatFor's result).
func (d Dialect) formatDate(x, format string, arg func(any) string) string {
	if d == PostgreSQL {
		return "to_char(" + x + " AT TIME ZONE " + arg("UTC") + ", " + format + ")"
	}
	return "strftime(" + format + ", " + x + ")"
}
