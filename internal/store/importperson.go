package store

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// ImportPersons implements desk.ImportService.
func (db *DB) ImportPersons(ctx context.Context, rows iter.Seq2[*desk.PersonImport, error], opt desk.ImportOptions) (desk.ImportResult, error) {
	var res desk.ImportResult
	for _, action := range []string{desk.ActionCreate, desk.ActionModify} {
		if err := desk.Authorize(ctx, action, desk.ClassPerson); err != nil {
			return res, err
		}
	}
	if !db.Postgres() {
		defer db.widenCache(ctx)()
	}
	next, stop := iter.Pull2(rows)
	defer stop()
	im := &personImporter{
		opt:       opt,
		orgByName: map[string]orgRef{},
		orgByCode: map[string]orgRef{},
		orgByID:   map[int64]bool{},
		locByName: map[string][]locRef{},
	}
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassPerson)
	if err != nil {
		return res, err
	}
	defer func() {
		if tx != nil {
			tx.Rollback()
		}
	}()
	if err := tx.advisoryLock(ctx, lockImport); err != nil {
		return res, fmt.Errorf("import persons: %w", err)
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM person)").Scan(&exists); err != nil {
		return res, fmt.Errorf("import persons: %w", err)
	}
	var indexes []string
	if !exists {
		// Into an empty table: one transaction, indexes built at the end (on
		// SQLite), and matches found in memory (every person is one of this
		// import's).
		im.known = map[string]int64{}
		if !db.Postgres() {
			if indexes, err = dropIndexes(ctx, tx, "person", "person_number"); err != nil {
				return res, err
			}
		}
	} else {
		tx.Rollback() // a transaction a batch, not held while reading
		tx = nil
	}
	// The next batch is read, and its numbers parsed (numbersAhead), while
	// the current one is written. A batch cut by an error is not written.
	pull := func() ([]*desk.PersonImport, error) {
		var batch []*desk.PersonImport
		for len(batch) < importBatch {
			row, err, ok := next()
			if !ok {
				break
			} else if err != nil {
				return nil, err
			} else if row != nil {
				batch = append(batch, row)
			}
		}
		return batch, nil
	}
	// Into an empty table every row makes a person: parse ahead from the
	// first batch. Otherwise the first batch parses what it needs and tells
	// whether the next should parse ahead.
	im.speculate = !exists
	var began time.Time
	cur, readErr := pull()
	curAhead := im.parseAhead(db.Phone, cur)
	for len(cur) > 0 {
		var nxt []*desk.PersonImport
		if readErr == nil {
			nxt, readErr = pull()
		}
		nxtAhead := im.parseAhead(db.Phone, nxt)
		if tx == nil {
			if tx, err = db.beginWrite(ctx, desk.ActionCreate, desk.ClassPerson); err != nil {
				return im.result(exists), err
			}
			if err := tx.advisoryLock(ctx, lockImport); err != nil {
				return im.result(exists), fmt.Errorf("import persons: %w", err)
			}
			began = time.Now()
		}
		if err := im.batch(ctx, tx, cur, curAhead); err != nil {
			return im.result(exists), edgeError(err)
		}
		if exists && (len(nxt) == 0 || time.Since(began) >= importCommitAfter) {
			if err := tx.commit(); err != nil {
				return im.result(exists), err
			}
			tx = nil
			im.committed = im.res
		}
		if opt.Progress != nil {
			opt.Progress(desk.ImportProgress{Stage: "rows", Rows: im.res.Rows(), LastRow: cur[len(cur)-1].Row})
		}
		cur, curAhead = nxt, nxtAhead
	}
	if readErr != nil {
		return im.result(exists), readErr
	}
	if tx == nil {
		return im.res, nil
	}
	if len(indexes) > 0 && opt.Progress != nil {
		opt.Progress(desk.ImportProgress{Stage: "indexes", Rows: im.res.Rows(), LastRow: im.lastRow})
	}
	for _, create := range indexes {
		if _, err := tx.Tx.ExecContext(ctx, create); err != nil { // not for the statement cache
			return im.result(exists), fmt.Errorf("import persons: build index: %w", err)
		}
	}
	if err := tx.commit(); err != nil {
		return im.result(exists), err
	}
	return im.res, nil
}

// importCacheKiB is the page cache of the writer connection while a person
// import runs: the index pages a batch touches (rdigits above all, random)
// do not fit in the usual cache when the directory is large, and each miss
// is a read. 256 MiB holds those of about a million persons.
const importCacheKiB = 256 << 10

// widenCache raises the page cache of the writer connection to
// importCacheKiB, unless it is larger, and returns the function that sets it
// back. It must be called outside any transaction of the writer.
func (db *DB) widenCache(ctx context.Context) (restore func()) {
	var old int64
	if err := db.write.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&old); err != nil {
		return func() {}
	}
	// A negative size is in KiB, a positive one in pages (of 4 KiB here).
	if -old >= importCacheKiB || old*4 >= importCacheKiB {
		return func() {}
	}
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -importCacheKiB)); err != nil {
		return func() {}
	}
	return func() { db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", old)) }
}

// personImporter is the state of one ImportPersons.
type personImporter struct {
	opt desk.ImportOptions
	res desk.ImportResult
	// committed is res as of the last commit.
	committed desk.ImportResult

	orgByName map[string]orgRef
	orgByCode map[string]orgRef
	orgByID   map[int64]bool // visible or not
	locByName map[string][]locRef
	// known maps the match keys of the persons this import wrote to their
	// ids, when the import started on an empty table; nil otherwise.
	known map[string]int64
	// speculate: parse the numbers of every row of the next batch while
	// the current one is written (numbersAhead). Set for an empty table,
	// and when most rows of the last batch created a person or changed a
	// number: a file imported again unchanged parses nothing ahead.
	speculate bool
	lastRow   int
}

// result returns what an import that ends with an error did: the batches
// committed.
func (im *personImporter) result(exists bool) desk.ImportResult {
	if !exists {
		return desk.ImportResult{}
	}
	return im.committed
}

// importEntry is a person an import batch creates or matches.
type importEntry struct {
	p    *desk.Person
	orig *desk.Person // as stored; nil for a new person
}

// batch imports rows in tx.
func (im *personImporter) batch(ctx context.Context, tx *Tx, rows []*desk.PersonImport, ahead *numbersAhead) error {
	if err := im.resolveOrgs(ctx, tx, rows); err != nil {
		return err
	}
	if err := im.loadLocations(ctx, tx, rows); err != nil {
		return err
	}
	existing, err := im.findMatches(ctx, tx, rows)
	if err != nil {
		return err
	}
	// byKey holds the persons of the batch by every key they have, so that a
	// row matches a person an earlier row created or changed as it would
	// match the stored one; a stored person found for a key comes first.
	byKey := map[string]*importEntry{}
	byID := map[int64]*importEntry{}
	register := func(e *importEntry) {
		for _, k := range personKeys(e.p) {
			if byKey[k] == nil && (existing[k] == nil || existing[k].ID == e.p.ID) {
				byKey[k] = e
			}
		}
	}
	var created, matched []*importEntry
	rowEntries := make([]*importEntry, len(rows))
	for i, row := range rows {
		key := matchKey(row.Person.Email, row.Person.EmployeeNumber)
		e := byKey[key]
		if e == nil && key != "" {
			if p := existing[key]; p != nil {
				if e = byID[p.ID]; e == nil {
					orig := *p
					e = &importEntry{p: p, orig: &orig}
					byID[p.ID] = e
					matched = append(matched, e)
					register(e)
				}
				byKey[key] = e
			}
		}
		if e == nil {
			p, err := im.newPerson(row)
			if err != nil {
				im.reject(row, err)
				continue
			}
			e = &importEntry{p: p}
			register(e)
			created = append(created, e)
			rowEntries[i] = e
			im.res.Created++
			continue
		}
		merged, err := im.merge(e.p, row)
		if err != nil {
			im.reject(row, err)
			continue
		}
		rowEntries[i] = e
		if merged == *e.p {
			im.res.Unchanged++
			continue
		}
		*e.p = merged
		im.res.Updated++
		register(e)
	}
	if err := im.insert(ctx, tx, created, ahead); err != nil {
		return err
	}
	renumbered, err := updateImported(ctx, tx, matched, ahead)
	if err != nil {
		return err
	}
	im.speculate = (len(created)+renumbered)*2 > len(rows)
	im.lastRow = rows[len(rows)-1].Row
	for i, row := range rows {
		if e := rowEntries[i]; e != nil {
			row.Person.ID = e.p.ID
		}
	}
	if im.known != nil {
		for _, entries := range [][]*importEntry{created, matched} {
			for _, e := range entries {
				for _, k := range personKeys(e.p) {
					if _, ok := im.known[k]; !ok {
						im.known[k] = e.p.ID
					}
				}
			}
		}
	}
	return nil
}

// reject counts a rejected row and reports it.
func (im *personImporter) reject(row *desk.PersonImport, err error) {
	im.res.Rejected++
	if im.opt.Reject != nil {
		im.opt.Reject(row.Row, err)
	}
}

// newPerson returns the person a row that matches none creates.
func (im *personImporter) newPerson(row *desk.PersonImport) (*desk.Person, error) {
	orgID, err := im.rowOrg(row)
	if err != nil {
		return nil, err
	}
	if orgID == 0 {
		return nil, desk.Invalid("org_name", "error.import_org_missing")
	}
	p := row.Person
	p.ID, p.OrgID, p.OrgName, p.LocationName = 0, orgID, "", ""
	if p.LocationID, err = im.rowLocation(row, orgID); err != nil {
		return nil, err
	}
	p.Status = strings.ToLower(strings.TrimSpace(p.Status))
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// merge returns p with the non-empty values of row, validated.
func (im *personImporter) merge(p *desk.Person, row *desk.PersonImport) (desk.Person, error) {
	m := *p
	r := row.Person
	email := r.Email
	if matchKey(email, "") == matchKey(m.Email, "") {
		email = "" // the same but for case: the stored spelling stays
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&m.FirstName, r.FirstName}, {&m.Name, r.Name}, {&m.Email, email}, {&m.Phone, r.Phone},
		{&m.MobilePhone, r.MobilePhone}, {&m.HomePhone, r.HomePhone}, {&m.EmployeeNumber, r.EmployeeNumber},
		{&m.SupportID, r.SupportID}, {&m.Function, r.Function}, {&m.Status, strings.ToLower(r.Status)},
	} {
		if v := strings.TrimSpace(f.v); v != "" {
			*f.dst = v
		}
	}
	orgID, err := im.rowOrg(row)
	if err != nil {
		return m, err
	}
	if orgID != 0 && orgID != m.OrgID {
		m.OrgID, m.LocationID = orgID, 0
	}
	if r.LocationID != 0 || strings.TrimSpace(r.LocationName) != "" {
		if m.LocationID, err = im.rowLocation(row, m.OrgID); err != nil {
			return m, err
		}
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	return m, nil
}
