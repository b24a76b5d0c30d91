package store

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
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

// importKeysBatch is the number of new persons whose number keys are
// computed while the previous ones are written.
const importKeysBatch = 1000

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
	// The next batch is read, and its number keys computed, while the
	// current one is written. A batch cut by an error is not written.
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
	im.speculate = !exists
	var began time.Time
	cur, readErr := pull()
	curKeys := im.rowKeys(db, cur)
	for len(cur) > 0 {
		var nxt []*desk.PersonImport
		if readErr == nil {
			nxt, readErr = pull()
		}
		nxtKeys := im.rowKeys(db, nxt)
		if tx == nil {
			if tx, err = db.beginWrite(ctx, desk.ActionCreate, desk.ClassPerson); err != nil {
				return im.result(exists), err
			}
			if err := tx.advisoryLock(ctx, lockImport); err != nil {
				return im.result(exists), fmt.Errorf("import persons: %w", err)
			}
			began = time.Now()
		}
		if err := im.batch(ctx, tx, cur, curKeys); err != nil {
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
		cur, curKeys = nxt, nxtKeys
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

// orgRef is an organization a row names: its id, or why there is none.
type orgRef struct {
	id  int64
	err error
}

// locRef is a location found by name.
type locRef struct {
	id, orgID int64
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
	// speculate: compute the number keys of every row of the next batch
	// while the current one is written, as if every row made a new person.
	// Set when most rows of the last batch did (and for an empty table).
	speculate bool
	lastRow   int
}

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
	row  int          // of a new person, the index of the row that made it
}

// matchKey returns the key a person row matches on: its email ignoring ASCII
// case (as SQLite's NOCASE), else its employee number, else "".
func matchKey(email, employeeNumber string) string {
	if email = strings.TrimSpace(email); email != "" {
		return "e:" + asciiLower(email)
	}
	if employeeNumber = strings.TrimSpace(employeeNumber); employeeNumber != "" {
		return "n:" + employeeNumber
	}
	return ""
}

// personKeys returns the keys rows find p by: its email's and its employee
// number's.
func personKeys(p *desk.Person) []string {
	var keys []string
	if p.Email != "" {
		keys = append(keys, matchKey(p.Email, ""))
	}
	if p.EmployeeNumber != "" {
		keys = append(keys, matchKey("", p.EmployeeNumber))
	}
	return keys
}

// asciiLower returns s with ASCII letters in lower case, as SQLite's lower()
// and NOCASE fold them.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// batch imports rows in tx.
func (im *personImporter) batch(ctx context.Context, tx *Tx, rows []*desk.PersonImport, rk *rowKeys) error {
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
			e = &importEntry{p: p, row: i}
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
	if err := im.insert(ctx, tx, created, rows, rk); err != nil {
		return err
	}
	im.speculate = len(created)*2 > len(rows)
	im.lastRow = rows[len(rows)-1].Row
	if err := updateImported(ctx, tx, matched); err != nil {
		return err
	}
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

// rowOrg returns the organization a row names, 0 when it names none.
func (im *personImporter) rowOrg(row *desk.PersonImport) (int64, error) {
	switch p := &row.Person; {
	case p.OrgID != 0:
		if !im.orgByID[p.OrgID] {
			return 0, desk.FieldErrorf("org_id", "%d is not an organization.", p.OrgID)
		}
		return p.OrgID, nil
	case strings.TrimSpace(p.OrgName) != "":
		ref := im.orgByName[strings.TrimSpace(p.OrgName)]
		return ref.id, ref.err
	case strings.TrimSpace(row.OrgCode) != "":
		ref := im.orgByCode[strings.TrimSpace(row.OrgCode)]
		return ref.id, ref.err
	}
	return 0, nil
}

// rowLocation returns the location a row names in organization orgID, 0 when
// it names none.
func (im *personImporter) rowLocation(row *desk.PersonImport, orgID int64) (int64, error) {
	if id := row.Person.LocationID; id != 0 {
		for _, locs := range im.locByName {
			for _, l := range locs {
				if l.id == id && l.orgID == orgID {
					return id, nil
				}
			}
		}
		return 0, desk.FieldErrorf("location_id", "%d is not a location of the person's organization.", id)
	}
	name := strings.TrimSpace(row.Person.LocationName)
	if name == "" {
		return 0, nil
	}
	for _, l := range im.locByName[name] {
		if l.orgID == orgID {
			return l.id, nil
		}
	}
	return 0, desk.FieldErrorf("location_name", "%q is not a location of the person's organization.", name)
}

// newPerson returns the person a row that matches none creates.
func (im *personImporter) newPerson(row *desk.PersonImport) (*desk.Person, error) {
	orgID, err := im.rowOrg(row)
	if err != nil {
		return nil, err
	}
	if orgID == 0 {
		return nil, desk.FieldErrorf("org_name", "A new person needs an organization (org_name, org_code or org_id).")
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

// resolveOrgs finds the organizations the rows name that are not known yet,
// and creates those named by OrgName that do not exist, when the options and
// the user's rights allow.
func (im *personImporter) resolveOrgs(ctx context.Context, tx *Tx, rows []*desk.PersonImport) error {
	var ids []int64
	var names, codes []string
	seen := map[string]bool{}
	for _, row := range rows {
		p := &row.Person
		switch name, code := strings.TrimSpace(p.OrgName), strings.TrimSpace(row.OrgCode); {
		case p.OrgID != 0:
			if _, ok := im.orgByID[p.OrgID]; !ok {
				ids = append(ids, p.OrgID)
			}
		case name != "":
			if _, ok := im.orgByName[name]; !ok && !seen["n"+name] {
				seen["n"+name] = true
				names = append(names, name)
			}
		case code != "":
			if _, ok := im.orgByCode[code]; !ok && !seen["c"+code] {
				seen["c"+code] = true
				codes = append(codes, code)
			}
		}
	}
	if len(ids) > 0 {
		found, err := idMap(ctx, tx, "SELECT id, id FROM organization WHERE id IN ", distinct(ids))
		if err != nil {
			return err
		}
		for _, id := range ids {
			_, ok := found[id]
			im.orgByID[id] = ok && tx.user.SeesOrg(id)
		}
	}
	for _, name := range names {
		im.orgByName[name] = orgRef{err: desk.FieldErrorf("org_name", "%q is not an organization.", name)}
	}
	err := inStrings(ctx, tx, "SELECT id, name FROM organization WHERE name IN ", names, func(scan func(...any) error) error {
		var id int64
		var name string
		if err := scan(&id, &name); err != nil {
			return err
		}
		if tx.user.SeesOrg(id) {
			im.orgByName[name] = orgRef{id: id}
			im.orgByID[id] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find organizations: %w", err)
	}
	mayCreate := im.opt.CreateOrganizations && tx.user.Can(desk.ActionCreate, desk.ClassOrganization)
	for _, name := range names {
		if im.orgByName[name].id != 0 {
			continue
		}
		if !mayCreate {
			if im.opt.CreateOrganizations {
				im.orgByName[name] = orgRef{err: desk.FieldErrorf("org_name",
					"%q is not an organization, and you are not allowed to create organizations.", name)}
			}
			continue
		}
		org := &desk.Organization{Name: name}
		if err := createOrganization(ctx, tx, org); err != nil {
			if desk.ErrorCode(err) == desk.EINTERNAL {
				return err
			}
			// Invalid, or the name of an organization the user does not see.
			im.orgByName[name] = orgRef{err: &desk.Error{Code: desk.EINVALID, Field: "org_name", Message: desk.ErrorMessage(err)}}
			continue
		}
		im.orgByName[name] = orgRef{id: org.ID}
		im.orgByID[org.ID] = true
	}
	for _, code := range codes {
		im.orgByCode[code] = orgRef{err: desk.FieldErrorf("org_code", "%q is not the code of an organization.", code)}
	}
	count := map[string]int{}
	err = inStrings(ctx, tx, "SELECT id, code FROM organization WHERE code IN ", codes, func(scan func(...any) error) error {
		var id int64
		var code string
		if err := scan(&id, &code); err != nil {
			return err
		}
		if !tx.user.SeesOrg(id) {
			return nil
		}
		if count[code]++; count[code] == 1 {
			im.orgByCode[code] = orgRef{id: id}
			im.orgByID[id] = true
		} else {
			im.orgByCode[code] = orgRef{err: desk.FieldErrorf("org_code", "%q is the code of %d organizations.", code, count[code])}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find organizations: %w", err)
	}
	return nil
}

// loadLocations loads the locations the rows name that are not known yet.
func (im *personImporter) loadLocations(ctx context.Context, tx *Tx, rows []*desk.PersonImport) error {
	var names []string
	var ids []int64
	seen := map[string]bool{}
	for _, row := range rows {
		if id := row.Person.LocationID; id != 0 {
			ids = append(ids, id)
		} else if name := strings.TrimSpace(row.Person.LocationName); name != "" {
			if _, ok := im.locByName[name]; !ok && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		im.locByName[name] = nil
	}
	add := func(scan func(...any) error) error {
		var l locRef
		var name string
		if err := scan(&l.id, &l.orgID, &name); err != nil {
			return err
		}
		for _, old := range im.locByName[name] {
			if old.id == l.id {
				return nil
			}
		}
		im.locByName[name] = append(im.locByName[name], l)
		return nil
	}
	if err := inStrings(ctx, tx, "SELECT id, org_id, name FROM location WHERE name IN ", names, add); err != nil {
		return fmt.Errorf("find locations: %w", err)
	}
	ids = distinct(ids)
	err := chunks(ids, 500, func(part []int64) error {
		return scanRows(ctx, tx, "SELECT id, org_id, name FROM location WHERE id IN ("+placeholders(len(part))+")",
			int64Args(part), add)
	})
	if err != nil {
		return fmt.Errorf("find locations: %w", err)
	}
	return nil
}

// importPersonColumns are the stored attributes of a person, without the
// derived names, as merge compares them.
const importPersonColumns = `id, first_name, name, org_id, COALESCE(location_id, 0), email, phone, mobile_phone,
	home_phone, employee_number, support_id, function, status`

// findMatches returns the persons the rows match, by match key; the one with
// the lowest id when several do.
func (im *personImporter) findMatches(ctx context.Context, tx *Tx, rows []*desk.PersonImport) (map[string]*desk.Person, error) {
	found := map[string]*desk.Person{}
	add := func(key string, p *desk.Person) {
		if old := found[key]; old == nil || p.ID < old.ID {
			found[key] = p
		}
	}
	scanPersonRow := func(scan func(...any) error) (*desk.Person, error) {
		p := &desk.Person{}
		err := scan(&p.ID, &p.FirstName, &p.Name, &p.OrgID, &p.LocationID, &p.Email, &p.Phone, &p.MobilePhone,
			&p.HomePhone, &p.EmployeeNumber, &p.SupportID, &p.Function, &p.Status)
		return p, err
	}
	if im.known != nil {
		// Every person is one this import wrote: look the keys up in memory.
		var ids []int64
		keyOf := map[int64][]string{}
		for _, row := range rows {
			key := matchKey(row.Person.Email, row.Person.EmployeeNumber)
			if id, ok := im.known[key]; ok && key != "" {
				ids = append(ids, id)
				keyOf[id] = append(keyOf[id], key)
			}
		}
		err := chunks(distinct(ids), 500, func(part []int64) error {
			return scanRows(ctx, tx, "SELECT "+importPersonColumns+" FROM person WHERE id IN ("+placeholders(len(part))+")",
				int64Args(part), func(scan func(...any) error) error {
					p, err := scanPersonRow(scan)
					if err != nil {
						return err
					}
					for _, k := range keyOf[p.ID] {
						add(k, p)
					}
					return nil
				})
		})
		if err != nil {
			return nil, fmt.Errorf("find persons: %w", err)
		}
		return found, nil
	}
	var emails, numbers []string
	seen := map[string]bool{}
	for _, row := range rows {
		key := matchKey(row.Person.Email, row.Person.EmployeeNumber)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		if strings.HasPrefix(key, "e:") {
			emails = append(emails, strings.TrimSpace(row.Person.Email))
		} else {
			numbers = append(numbers, key[2:])
		}
	}
	scope := tx.scope()
	if scope != nil && len(scope) == 0 {
		return found, nil
	}
	for _, q := range []struct {
		attr   string
		values []string
		key    func(p *desk.Person) string
	}{
		{"email", emails, func(p *desk.Person) string { return "e:" + asciiLower(p.Email) }},
		{"employee_number", numbers, func(p *desk.Person) string { return "n:" + p.EmployeeNumber }},
	} {
		err := chunkStrings(q.values, 500, func(part []string) error {
			query, args := importMatchQuery(tx.dialect, q.attr, part, scope)
			return scanRows(ctx, tx, query, args, func(scan func(...any) error) error {
				p, err := scanPersonRow(scan)
				if err != nil {
					return err
				}
				add(q.key(p), p)
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("find persons: %w", err)
		}
	}
	return found, nil
}

// importMatchQuery returns the query finding the persons whose attribute
// (email, ignoring case, or employee_number) is one of values, among the
// organizations of scope (nil: all).
func importMatchQuery(d oql.Dialect, attr string, values []string, scope []int64) (string, []any) {
	cond := "employee_number IN (" + placeholders(len(values)) + ")"
	if attr == "email" {
		cond = emailIn(d, "email", len(values)) // served by the person_email_nocase (lower) index
	}
	args := make([]any, 0, len(values)+len(scope))
	for _, v := range values {
		args = append(args, v)
	}
	query := "SELECT " + importPersonColumns + " FROM person WHERE " + cond
	if scope != nil {
		// Not person_org_id, which would read every person of the
		// organizations (see noIndex).
		query += " AND " + d.NoIndex("org_id") + " IN (" + placeholders(len(scope)) + ")"
		args = append(args, int64Args(scope)...)
	}
	return query, args
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

// ImportOrganizations implements desk.ImportService.
func (db *DB) ImportOrganizations(ctx context.Context, rows iter.Seq2[*desk.OrganizationImport, error], opt desk.ImportOptions) (desk.ImportResult, error) {
	var res desk.ImportResult
	for _, action := range []string{desk.ActionCreate, desk.ActionModify} {
		if err := desk.Authorize(ctx, action, desk.ClassOrganization); err != nil {
			return res, err
		}
	}
	next, stop := iter.Pull2(rows)
	defer stop()
	batch := make([]*desk.OrganizationImport, 0, importBatch)
	for done := false; !done; {
		batch = batch[:0]
		for len(batch) < importBatch {
			row, err, ok := next()
			if !ok {
				done = true
				break
			} else if err != nil {
				return res, err
			} else if row != nil {
				batch = append(batch, row)
			}
		}
		if len(batch) == 0 {
			break
		}
		r, err := db.importOrganizationBatch(ctx, batch, opt)
		if err != nil {
			return res, edgeError(err)
		}
		res.Created += r.Created
		res.Updated += r.Updated
		res.Unchanged += r.Unchanged
		res.Rejected += r.Rejected
		if opt.Progress != nil {
			opt.Progress(desk.ImportProgress{Stage: "rows", Rows: res.Rows(), LastRow: batch[len(batch)-1].Row})
		}
	}
	return res, nil
}

// importOrganizationBatch imports rows in one transaction. A row matches the
// organization of the same name that the user sees; one the user does not
// see cannot be created again (its name is taken).
func (db *DB) importOrganizationBatch(ctx context.Context, rows []*desk.OrganizationImport, opt desk.ImportOptions) (desk.ImportResult, error) {
	var res desk.ImportResult
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassOrganization)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	var names []string
	for _, row := range rows {
		if name := strings.TrimSpace(row.Organization.Name); name != "" {
			names = append(names, name)
		}
	}
	type entry struct{ org, orig *desk.Organization }
	byName := map[string]*entry{}
	hidden := map[string]bool{} // names of organizations the user does not see
	err = inStrings(ctx, tx, "SELECT id, name, code, status, support_id FROM organization WHERE name IN ", distinctStrings(names),
		func(scan func(...any) error) error {
			o := &desk.Organization{}
			if err := scan(&o.ID, &o.Name, &o.Code, &o.Status, &o.SupportID); err != nil {
				return err
			}
			if tx.user.SeesOrg(o.ID) {
				orig := *o
				byName[o.Name] = &entry{org: o, orig: &orig}
			} else {
				hidden[o.Name] = true
			}
			return nil
		})
	if err != nil {
		return res, fmt.Errorf("find organizations: %w", err)
	}
	reject := func(row *desk.OrganizationImport, err error) {
		res.Rejected++
		if opt.Reject != nil {
			opt.Reject(row.Row, err)
		}
	}
	var created []*entry
	rowEntries := make([]*entry, len(rows))
	for i, row := range rows {
		in := row.Organization
		name := strings.TrimSpace(in.Name)
		e := byName[name]
		if e == nil && hidden[name] {
			reject(row, nameTaken(name))
			continue
		}
		if e == nil {
			org := &desk.Organization{Name: name, Code: in.Code, Status: strings.ToLower(strings.TrimSpace(in.Status)), SupportID: in.SupportID}
			if err := org.Validate(); err != nil {
				reject(row, err)
				continue
			}
			e = &entry{org: org}
			byName[name] = e
			created = append(created, e)
			rowEntries[i] = e
			res.Created++
			continue
		}
		m := *e.org
		for _, f := range []struct {
			dst *string
			v   string
		}{
			{&m.Code, in.Code}, {&m.Status, strings.ToLower(in.Status)}, {&m.SupportID, in.SupportID},
		} {
			if v := strings.TrimSpace(f.v); v != "" {
				*f.dst = v
			}
		}
		if err := m.Validate(); err != nil {
			reject(row, err)
			continue
		}
		rowEntries[i] = e
		if m == *e.org {
			res.Unchanged++
			continue
		}
		*e.org = m
		res.Updated++
	}
	for _, e := range created {
		if err := createOrganization(ctx, tx, e.org); err != nil {
			return res, err
		}
	}
	for _, e := range byName {
		if e.orig == nil || *e.org == *e.orig {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE organization SET code = ?, status = ?, support_id = ? WHERE id = ?",
			e.org.Code, e.org.Status, e.org.SupportID, e.org.ID); err != nil {
			return res, fmt.Errorf("update organization: %w", err)
		}
	}
	for i, row := range rows {
		if e := rowEntries[i]; e != nil {
			row.Organization.ID = e.org.ID
		}
	}
	return res, tx.commit()
}
