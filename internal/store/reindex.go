package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// reindexBatch is the number of persons Reindex rekeys per transaction: big
// enough that the statements are few, small enough that a server sharing the
// database never waits long for the writer.
const reindexBatch = 5000

// NumberKeysRegion returns the default region the number keys were built
// with, "" when they were not built by internal/phone yet (a database
// migrated from before it, until Migrate rebuilds them). When it differs from
// the region of db.Phone, the keys must be rebuilt with Reindex for lookups
// to follow the new region.
func (db *DB) NumberKeysRegion(ctx context.Context) (string, error) {
	var region string
	if err := db.read.QueryRowContext(ctx, "SELECT region FROM number_keys WHERE id = 1").Scan(&region); err != nil {
		return "", fmt.Errorf("read number keys region: %w", err)
	}
	return region, nil
}

// Reindex rebuilds the number keys of every person with db.Phone, after a
// change of default region or of the normalizer, reindexBatch persons a
// transaction, calling progress (when not nil) after each with the count
// done and the total. Like Migrate it is an administration task of the
// command line: it needs no user in ctx. Lookups keep working while it runs;
// each batch switches its persons to the new keys at once.
func (db *DB) Reindex(ctx context.Context, progress func(done, total int)) error {
	var total int
	if err := db.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM person").Scan(&total); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	done := 0
	var last int64
	for {
		n, next, err := db.reindexBatch(ctx, last)
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		if n == 0 {
			break
		}
		done, last = done+n, next
		if progress != nil {
			progress(done, max(total, done))
		}
	}
	if _, err := db.write.ExecContext(ctx, db.sql("UPDATE number_keys SET region = ? WHERE id = 1"),
		db.Phone.Options().DefaultRegion); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if progress != nil && done == 0 {
		progress(0, 0)
	}
	return nil
}

// reindexBatch rekeys the persons following id after, in one transaction,
// and returns how many it rekeyed and the last id.
func (db *DB) reindexBatch(ctx context.Context, after int64) (int, int64, error) {
	sys := desk.UserFromContext(desk.NewSystemContext(ctx))
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	tx := db.newTx(sqlTx, db.write, sys)
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, phone, mobile_phone, home_phone FROM person
		WHERE id > ? ORDER BY id LIMIT ?`, after, reindexBatch)
	if err != nil {
		return 0, 0, err
	}
	var persons []*desk.Person
	for rows.Next() {
		var p desk.Person
		if err := rows.Scan(&p.ID, &p.Phone, &p.MobilePhone, &p.HomePhone); err != nil {
			rows.Close()
			return 0, 0, err
		}
		persons = append(persons, &p)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, 0, err
	}
	last := after
	if len(persons) > 0 {
		last = persons[len(persons)-1].ID
	} else {
		// Past the last person: no key may remain (none does: keys cascade
		// with their person), so that the table holds only rebuilt keys.
		last = 1<<63 - 1
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM person_number WHERE person_id > ? AND person_id <= ?", after, last); err != nil {
		return 0, 0, err
	}
	keys := manyNumberKeys(tx.phone, persons)
	numbers := newBulkInsert(tx, "person_number", numberInsertColumns, 200, nil)
	defer numbers.close()
	for i, p := range persons {
		for _, k := range keys[i] {
			if err := numbers.add(ctx, numberArgs(p.ID, k)...); err != nil {
				return 0, 0, err
			}
		}
	}
	if err := numbers.flush(ctx); err != nil {
		return 0, 0, err
	}
	if err := tx.commit(); err != nil {
		return 0, 0, err
	}
	return len(persons), last, nil
}

// finishNumberKeys completes migrations 0002 and 0007 once the SQL
// migrations ran: keys written before them came from an older digit logic,
// and SQL cannot compute the new ones, so they are rebuilt here (the
// migrations mark them unbuilt: an empty region). On a database without
// persons it only records the region.
func (db *DB) finishNumberKeys(ctx context.Context) error {
	region, err := db.NumberKeysRegion(ctx)
	if err != nil || region != "" {
		return err
	}
	var persons int
	if err := db.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM person").Scan(&persons); err != nil {
		return fmt.Errorf("number keys: %w", err)
	}
	if persons > 0 {
		if db.KeysRebuild != nil {
			db.KeysRebuild(0, persons)
		}
		return db.Reindex(ctx, db.KeysRebuild)
	}
	if _, err := db.write.ExecContext(ctx, db.sql("UPDATE number_keys SET region = ? WHERE id = 1"),
		db.Phone.Options().DefaultRegion); err != nil {
		return fmt.Errorf("number keys: %w", err)
	}
	return nil
}
