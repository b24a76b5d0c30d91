package store

import (
	"context"
	"fmt"
	"strings"
)

// vacuumAnalyze readies a PostgreSQL schema just bulk-loaded (by copy or
// demo) for planning: the statistics of its new rows (ANALYZE), and the
// visibility map (VACUUM), without which the planner prices every index-only
// scan as reading the table too. Without it, a pop for a customer with a
// modest history walked the newest tickets of all customers to find 20 of
// his (51 ms where the list index reads 60 entries in 1.3 ms,
// docs/performance.md) until autovacuum came by. Nothing on SQLite.
func (db *DB) vacuumAnalyze(ctx context.Context) error {
	if !db.Postgres() {
		return nil
	}
	rows, err := db.write.QueryContext(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`)
	if err != nil {
		return fmt.Errorf("vacuum: tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("vacuum: tables: %w", err)
		}
		tables = append(tables, quoteIdent(t))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("vacuum: tables: %w", err)
	}
	if len(tables) == 0 {
		return nil
	}
	// Named tables only: VACUUM alone would visit every schema of the
	// database, others' included.
	if _, err := db.write.ExecContext(ctx, "VACUUM (ANALYZE) "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}
