package store

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// numbersAhead are the number keys of the numbers a batch's rows give,
// by number as written, parsed on other goroutines while the previous batch
// is written: libphonenumber costs more than the writes. It is the import's
// one read-ahead: new persons and matched persons whose numbers change take
// their keys from it; a number no row gave as is (a later row of the batch
// changed it) is parsed when needed.
type numbersAhead struct {
	done chan struct{}
	// byNumber is set when done is closed; a number without significant
	// digits maps to a key with no keys.Digits, which stores nothing.
	byNumber map[string]numberKey
}

// parseAhead starts parsing the numbers of rows, when the importer
// speculates that most rows create persons or change numbers; nil otherwise.
func (im *personImporter) parseAhead(norm *phone.Normalizer, rows []*desk.PersonImport) *numbersAhead {
	if !im.speculate || len(rows) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var numbers []string
	for _, r := range rows {
		for _, n := range r.Person.Numbers() {
			// As the person will hold it: Validate trims.
			if v := strings.TrimSpace(n.Value); v != "" && !seen[v] {
				seen[v] = true
				numbers = append(numbers, v)
			}
		}
	}
	ahead := &numbersAhead{done: make(chan struct{})}
	go func() {
		defer close(ahead.done)
		keys := parseNumbers(norm, numbers)
		ahead.byNumber = make(map[string]numberKey, len(numbers))
		for i, n := range numbers {
			ahead.byNumber[n] = keys[i]
		}
	}()
	return ahead
}

// keys returns the number keys of each person (as numberKeys), from what
// was parsed ahead (a may be nil), parsing the other numbers now on every
// CPU.
func (a *numbersAhead) keys(norm *phone.Normalizer, persons []*desk.Person) [][]numberKey {
	keys := make([][]numberKey, len(persons))
	var byNumber map[string]numberKey
	if a != nil {
		<-a.done
		byNumber = a.byNumber
	}
	var missing []string
	for _, p := range persons {
		for _, n := range p.Numbers() {
			if _, ok := byNumber[n.Value]; !ok {
				missing = append(missing, n.Value)
			}
		}
	}
	if len(missing) > 0 {
		parsed := parseNumbers(norm, missing)
		if byNumber == nil {
			byNumber = make(map[string]numberKey, len(missing))
		} else {
			byNumber = maps.Clone(byNumber) // a's map is read, never written
		}
		for i, n := range missing {
			byNumber[n] = parsed[i]
		}
	}
	for i, p := range persons {
		for _, n := range p.Numbers() {
			if k := byNumber[n.Value]; k.keys.Digits != "" {
				k.attribute = n.Attribute
				keys[i] = append(keys[i], k)
			}
		}
	}
	return keys
}

// insert inserts the new persons, with their number keys.
func (im *personImporter) insert(ctx context.Context, tx *Tx, entries []*importEntry, ahead *numbersAhead) error {
	if len(entries) == 0 {
		return nil
	}
	persons := make([]*desk.Person, len(entries))
	for i, e := range entries {
		persons[i] = e.p
	}
	return insertPersons(ctx, tx, persons, ahead.keys(tx.phone, persons))
}

// updateImported writes the matched persons that changed (from orig; some
// did not, or were changed back by a later row): one UPDATE of the changed
// columns each, so that SQLite leaves the indexes of the others alone; then
// the number keys of the phone attributes that changed, as writeNumbers does
// for one person. It returns how many persons' numbers changed.
func updateImported(ctx context.Context, tx *Tx, entries []*importEntry, ahead *numbersAhead) (int, error) {
	var renumbered []*importEntry
	var persons []*desk.Person
	for _, e := range entries {
		if p, o := e.p, e.orig; p.Phone != o.Phone || p.MobilePhone != o.MobilePhone || p.HomePhone != o.HomePhone {
			renumbered = append(renumbered, e)
			persons = append(persons, e.p)
		}
	}
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
			return 0, fmt.Errorf("update person: %w", err)
		}
	}
	if len(renumbered) == 0 {
		return 0, nil
	}
	keys := ahead.keys(tx.phone, persons)
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
			return 0, fmt.Errorf("delete number keys: %w", err)
		}
	}
	for _, args := range fresh {
		if err := numbers.add(ctx, args...); err != nil {
			return 0, fmt.Errorf("insert number keys: %w", err)
		}
	}
	if err := numbers.flush(ctx); err != nil {
		return 0, fmt.Errorf("insert number keys: %w", err)
	}
	return len(renumbered), nil
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
