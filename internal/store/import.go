package store

import (
	"context"
	"time"
)

// Imports (desk.ImportService) work a batch of rows at a time:
//
//  1. resolve the organizations and locations the rows name, creating
//     missing organizations when allowed;
//  2. find the persons the rows match, with one indexed query per few
//     hundred rows (email COLLATE NOCASE, employee_number);
//  3. merge each row into its person in memory, validate, and tell created,
//     updated and unchanged apart;
//  4. write: new persons with insertPersons, in multi-row INSERTs, their
//     number keys computed on other goroutines while the previous batch was
//     written (parsing numbers costs about as much as inserting them);
//     changed persons with one UPDATE of the changed columns each, and new
//     number keys for those whose numbers changed.
//
// Batches are committed every two seconds, so that other writers get the
// database in between, except into an empty person table (a first import of
// the directory): then the whole import is one transaction that drops the
// indexes of person and person_number first and builds them at the end,
// which is several times faster than growing them row by row. Nothing of it
// is visible until it ends, and other writers wait for it. On PostgreSQL the
// indexes stay (dropping one would lock the table against every reader of
// every instance), and each import transaction takes an advisory lock, so
// that imports run one batch at a time there too: a batch sees the persons
// the batches of another import committed, as on SQLite.

// importBatch is the number of rows an import works on at a time.
const importBatch = 10000

// importCommitAfter is how long an import into a table that is not empty
// keeps a transaction open, batch after batch, before it commits: long
// enough that pages written by several batches (index pages above all) are
// written to the WAL and checkpointed once, short enough that other writers
// do not wait long.
const importCommitAfter = 2 * time.Second

// inStrings runs query, which ends with "IN ", for values in chunks, calling
// fn with the scan of each row.
func inStrings(ctx context.Context, tx *Tx, query string, values []string, fn func(scan func(...any) error) error) error {
	return chunkStrings(values, 500, func(part []string) error {
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = v
		}
		return scanRows(ctx, tx, query+"("+placeholders(len(part))+")", args, fn)
	})
}

// chunkStrings calls fn with successive slices of values of at most n
// elements.
func chunkStrings(values []string, n int, fn func([]string) error) error {
	for len(values) > 0 {
		k := min(n, len(values))
		if err := fn(values[:k]); err != nil {
			return err
		}
		values = values[k:]
	}
	return nil
}

// scanRows runs query and calls fn with the scan of each row.
func scanRows(ctx context.Context, tx *Tx, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
