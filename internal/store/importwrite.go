package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// importKeysBatch is the number of new persons whose number keys are
// computed while the previous ones are written.
const importKeysBatch = 1000

// rowKeys are the number keys of the rows of a batch, as given, computed on
// other goroutines; keys is set when done is closed.
type rowKeys struct {
	done chan struct{}
	keys [][]numberKey
}

// rowKeys starts computing the number keys of rows, when the importer
// speculates that they make new persons; nil otherwise.
func (im *personImporter) rowKeys(db *DB, rows []*desk.PersonImport) *rowKeys {
	if !im.speculate || len(rows) == 0 {
		return nil
	}
	persons := make([]*desk.Person, len(rows))
	for i, r := range rows {
		// A copy: the batch sets the row's ID while the keys are computed.
		p := desk.Person{Phone: r.Person.Phone, MobilePhone: r.Person.MobilePhone, HomePhone: r.Person.HomePhone}
		persons[i] = &p
	}
	rk := &rowKeys{done: make(chan struct{})}
	norm := db.Phone
	go func() {
		defer close(rk.done)
		rk.keys = manyNumberKeys(norm, persons)
	}()
	return rk
}

// insert inserts the new persons. Their number keys were computed while the
// previous batch was written (rk), or else the keys of the next
// importKeysBatch persons are computed while the previous ones are written:
// libphonenumber costs more than the insert.
func (im *personImporter) insert(ctx context.Context, tx *Tx, entries []*importEntry, rows []*desk.PersonImport, rk *rowKeys) error {
	if len(entries) == 0 {
		return nil
	}
	persons := make([]*desk.Person, len(entries))
	for i, e := range entries {
		persons[i] = e.p
	}
	if rk != nil {
		<-rk.done
		keys := make([][]numberKey, len(entries))
		for i, e := range entries {
			if r := &rows[e.row].Person; e.p.Phone == r.Phone && e.p.MobilePhone == r.MobilePhone && e.p.HomePhone == r.HomePhone {
				keys[i] = rk.keys[e.row]
			} else { // changed by a later row of the batch
				keys[i] = numberKeys(tx.phone, e.p)
			}
		}
		return insertPersons(ctx, tx, persons, keys)
	}
	type part struct {
		persons []*desk.Person
		keys    [][]numberKey
	}
	parts := make(chan part, 1)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		defer close(parts)
		for from := 0; from < len(persons); from += importKeysBatch {
			ps := persons[from:min(from+importKeysBatch, len(persons))]
			select {
			case parts <- part{ps, manyNumberKeys(tx.phone, ps)}:
			case <-quit:
				return
			}
		}
	}()
	for p := range parts {
		if err := insertPersons(ctx, tx, p.persons, p.keys); err != nil {
			return err
		}
	}
	return nil
}

// updateImported writes the matched persons that changed (from orig; some
// did not, or were changed back by a later row): one UPDATE of the changed
// columns each, so that SQLite leaves the indexes of the others alone; then
// the number keys of the phone attributes that changed, computed on other
// goroutines meanwhile, as writeNumbers does for one person.
func updateImported(ctx context.Context, tx *Tx, entries []*importEntry) error {
	var renumbered []*importEntry
	var persons []*desk.Person
	for _, e := range entries {
		if p, o := e.p, e.orig; p.Phone != o.Phone || p.MobilePhone != o.MobilePhone || p.HomePhone != o.HomePhone {
			renumbered = append(renumbered, e)
			persons = append(persons, e.p)
		}
	}
	computed := make(chan [][]numberKey, 1)
	go func() { computed <- manyNumberKeys(tx.phone, persons) }()
	cols := personInsertColumns[1:] // as personArgs
	for _, e := range entries {
		if *e.p == *e.orig {
			continue
		}
		values, old := personArgs(e.p), personArgs(e.orig)
		var set []string
		var args []any
		for i, col := range cols {
			if values[i] != old[i] {
				set = append(set, col+" = ?")
				args = append(args, values[i])
			}
		}
		// The columns are constants of this package.
		if _, err := tx.ExecContext(ctx, "UPDATE person SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, e.p.ID)...); err != nil {
			return fmt.Errorf("update person: %w", err)
		}
	}
	keys := <-computed
	if len(renumbered) == 0 {
		return nil
	}
	// The keys of the attributes whose number changed are deleted, then
	// those of the new numbers inserted.
	var gone []any // person_id, attribute pairs
	numbers := newBulkInsert(tx, "person_number", numberInsertColumns, 200, nil)
	defer numbers.close()
	var fresh [][]any
	for i, e := range renumbered {
		for _, a := range []struct {
			attr     string
			now, was string
		}{
			{"phone", e.p.Phone, e.orig.Phone}, {"mobile_phone", e.p.MobilePhone, e.orig.MobilePhone},
			{"home_phone", e.p.HomePhone, e.orig.HomePhone},
		} {
			if a.now == a.was {
				continue
			}
			gone = append(gone, e.p.ID, a.attr)
			for _, k := range keys[i] {
				if k.attribute == a.attr {
					fresh = append(fresh, numberArgs(e.p.ID, k))
				}
			}
		}
	}
	for len(gone) > 0 {
		part := gone[:min(len(gone), 2*250)]
		gone = gone[len(part):]
		if _, err := tx.ExecContext(ctx, deleteKeysQuery(tx.dialect, len(part)/2), part...); err != nil {
			return fmt.Errorf("delete number keys: %w", err)
		}
	}
	for _, args := range fresh {
		if err := numbers.add(ctx, args...); err != nil {
			return fmt.Errorf("insert number keys: %w", err)
		}
	}
	if err := numbers.flush(ctx); err != nil {
		return fmt.Errorf("insert number keys: %w", err)
	}
	return nil
}

// deleteKeysQuery returns the statement deleting the number keys of n
// (person_id, attribute) pairs, by primary key. PostgreSQL compares the
// pairs with a list of rows, whose ? take the columns' types (in a VALUES
// list they would be text); SQLite knows only the VALUES form.
func deleteKeysQuery(d oql.Dialect, n int) string {
	pairs := strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ")
	if d == oql.PostgreSQL {
		return "DELETE FROM person_number WHERE (person_id, attribute) IN (" + pairs + ")"
	}
	return "DELETE FROM person_number WHERE (person_id, attribute) IN (VALUES " + pairs + ")"
}
