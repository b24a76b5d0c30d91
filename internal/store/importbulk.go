package store

import (
	"context"
	"fmt"
	"strings"
)

// dropIndexes drops the indexes of tables, but for unique ones, which must
// hold throughout, and returns the statements that create them again.
func dropIndexes(ctx context.Context, tx *Tx, tables ...string) ([]string, error) {
	args := make([]any, len(tables))
	for i, t := range tables {
		args[i] = t
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND upper(sql) NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (`+placeholders(len(tables))+`) ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list indexes: %w", err)
		}
		names = append(names, name)
		creates = append(creates, create)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	for _, name := range names {
		// name comes from the schema, not from input.
		if _, err := tx.Tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return creates, nil
}
