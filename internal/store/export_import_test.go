package store

import (
	"context"
	"fmt"
)

// ExplainImportMatch returns the query plan of the query an import
// finds the persons of values by, attribute email or employee_number, as
// seen by a user limited to the organizations of scope (nil: all).
func (db *DB) ExplainImportMatch(ctx context.Context, attr string, values []string, scope []int64) ([]string, error) {
	query, args := importMatchQuery(db.dialect, attr, values, scope)
	return db.explain(ctx, query, args)
}

// ExplainDeleteKeys returns the query plan of the statement an
// import deletes the number keys of changed phone attributes with.
func (db *DB) ExplainDeleteKeys(ctx context.Context) ([]string, error) {
	return db.explain(ctx, deleteKeysQuery(db.dialect, 2), []any{1, "phone", 2, "mobile_phone"})
}

// WriterCacheSize returns the cache_size of the writer connection.
func (db *DB) WriterCacheSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.write.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n)
	return n, err
}

// Indexes returns the indexes of the database and their SQL, by name.
func (db *DB) Indexes(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index'")
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			return nil, err
		}
		out[name] = sql
	}
	return out, rows.Err()
}

// ExplainFindAgents returns the query plan of FindAgents.
func (db *DB) ExplainFindAgents(ctx context.Context) ([]string, error) {
	return db.explain(ctx, findAgentsQuery, []any{"201", "201", "5125550100", "+15125550100", "201", "201"})
}
