package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// minNumberDigits is the number of digits from which a person query made only
// of a number (and maybe its extension) is a phone number search, the end of
// a number, rather than a text search: fewer digits would match most of the
// directory.
const minNumberDigits = 4

// numberSearch is a person query read as a phone number.
type numberSearch struct {
	// caller is set when the query has enough significant digits to be
	// looked up as a caller number: the search then finds exactly whom
	// FindCallersByNumber finds.
	caller *phone.Number
	// suffix, otherwise, are the digits the stored numbers must end with:
	// the query's digits as typed ("0100" finds "+1 212 555 0100").
	suffix string
}

// numberQuery reads q as a phone number search when it is made of a number
// and nothing else but an extension: everything from its first letter, '#'
// or ';' on adds no significant digit ("212-555-0100 ext 3"), and it has at
// least minNumberDigits digits.
func numberQuery(norm *phone.Normalizer, q string) (numberSearch, bool) {
	num := norm.Parse(q)
	head := q
	if i := strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || r == '#' || r == ';' }); i >= 0 {
		head = q[:i]
		if norm.Parse(head).Digits != num.Digits {
			return numberSearch{}, false // words around a number: a text search
		}
	}
	if !norm.TooShort(num) {
		return numberSearch{caller: &num}, true
	}
	var b []byte
	for i := 0; i < len(head); i++ {
		if c := head[i]; c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return numberSearch{suffix: string(b)}, len(b) >= minNumberDigits
}

// numberKey is one row of person_number: the match keys of one phone
// attribute of a person.
type numberKey struct {
	attribute string
	keys      phone.Keys
	extension string
}

// numberKeys returns the match keys of each phone number of p, by attribute;
// numbers without significant digits (only an extension) have none.
func numberKeys(norm *phone.Normalizer, p *desk.Person) []numberKey {
	var keys []numberKey
	for _, n := range p.Numbers() {
		num := norm.Parse(n.Value)
		if num.Digits != "" {
			keys = append(keys, numberKey{attribute: n.Attribute, keys: num.Keys(), extension: num.Extension})
		}
	}
	return keys
}

// manyNumberKeys returns numberKeys of every person, parsing on every CPU: a
// number takes one to a few microseconds to parse, which a million persons
// with three numbers each feel.
func manyNumberKeys(norm *phone.Normalizer, persons []*desk.Person) [][]numberKey {
	keys := make([][]numberKey, len(persons))
	onEveryCPU(len(persons), func(i int) { keys[i] = numberKeys(norm, persons[i]) })
	return keys
}

// parseNumbers returns the number key of each number (attribute unset; no
// keys.Digits for a number without significant digits), parsing on every
// CPU.
func parseNumbers(norm *phone.Normalizer, numbers []string) []numberKey {
	keys := make([]numberKey, len(numbers))
	onEveryCPU(len(numbers), func(i int) {
		if num := norm.Parse(numbers[i]); num.Digits != "" {
			keys[i] = numberKey{keys: num.Keys(), extension: num.Extension}
		}
	})
	return keys
}

// onEveryCPU calls do(i) for i from 0 to n-1, on as many goroutines as
// there are CPUs when n is large enough to pay for them.
func onEveryCPU(n int, do func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+255)/256)
	if workers <= 1 {
		for i := range n {
			do(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	const chunk = 64
	for range workers {
		wg.Go(func() {
			for {
				from := int(next.Add(chunk)) - chunk
				if from >= n {
					return
				}
				for i := from; i < min(from+chunk, n); i++ {
					do(i)
				}
			}
		})
	}
	wg.Wait()
}

// numberArgs returns the person_number column values of k (numberInsertColumns).
func numberArgs(personID int64, k numberKey) []any {
	return []any{personID, k.attribute, k.keys.Digits, k.keys.Reversed, k.keys.E164, k.extension}
}

// FindPersonByID returns the person of id, ENOTFOUND when it does not exist or
// belongs to an organization outside the user's.
func (db *DB) FindPersonByID(ctx context.Context, id int64) (*desk.Person, error) {
	tx, err := db.beginRead(ctx, desk.ClassPerson)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findPersonByID(ctx, tx, id)
}

// FindPersons returns the persons matching filter, ordered by name, first name
// and id, and their total count.
func (db *DB) FindPersons(ctx context.Context, filter desk.PersonFilter) ([]*desk.Person, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassPerson)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findPersons(ctx, tx, filter)
}

// CreatePerson validates p, inserts it with its number keys and sets its ID
// and derived names.
func (db *DB) CreatePerson(ctx context.Context, p *desk.Person) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassPerson)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createPerson(ctx, tx, p); err != nil {
		return edgeError(err)
	}
	return tx.commit()
}

// CreatePersons validates every person and checks its references first, so
// that bad input writes nothing, then inserts them batchSize a transaction,
// calling progress after each. IDs are set; derived names are not.
func (db *DB) CreatePersons(ctx context.Context, persons []*desk.Person, progress func(done int)) error {
	if err := desk.Authorize(ctx, desk.ActionCreate, desk.ClassPerson); err != nil {
		return err
	}
	for i, p := range persons {
		if err := p.Validate(); err != nil {
			return itemError("Person", i, err)
		}
	}
	for done := 0; done < len(persons); {
		part := persons[done:min(done+batchSize, len(persons))]
		if err := db.createPersonBatch(ctx, part, done == 0, persons); err != nil {
			return edgeError(err)
		}
		done += len(part)
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// createPersonBatch inserts part in one transaction; the first one checks the
// references of all the persons.
func (db *DB) createPersonBatch(ctx context.Context, part []*desk.Person, first bool, all []*desk.Person) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassPerson)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if first {
		if err := checkPersonRefs(ctx, tx, all); err != nil {
			return err
		}
	}
	if err := insertPersons(ctx, tx, part, manyNumberKeys(tx.phone, part)); err != nil {
		return err
	}
	return tx.commit()
}

// insertPersons inserts valid persons whose references were checked, with
// their number keys (keys[i] those of persons[i], see manyNumberKeys), and
// sets their IDs (see nextIDs); the rows go in multi-row INSERTs.
func insertPersons(ctx context.Context, tx *Tx, part []*desk.Person, keys [][]numberKey) error {
	ids, err := tx.nextIDs(ctx, "person", len(part))
	if err != nil {
		return fmt.Errorf("insert persons: %w", err)
	}
	persons := newBulkInsert(tx, "person", personInsertColumns, 100, nil)
	defer persons.close()
	numbers := newBulkInsert(tx, "person_number", numberInsertColumns, 200, persons)
	defer numbers.close()
	for i, p := range part {
		p.ID = ids[i]
		if err := persons.add(ctx, append([]any{p.ID}, personArgs(p)...)...); err != nil {
			return fmt.Errorf("insert persons: %w", err)
		}
		for _, k := range keys[i] {
			if err := numbers.add(ctx, numberArgs(p.ID, k)...); err != nil {
				return fmt.Errorf("insert number keys: %w", err)
			}
		}
	}
	if err := numbers.flush(ctx); err != nil {
		return fmt.Errorf("insert persons: %w", err)
	}
	return nil
}

var (
	personInsertColumns = []string{"id", "first_name", "name", "org_id", "location_id", "email", "phone", "mobile_phone",
		"home_phone", "employee_number", "support_id", "function", "status", "manager_id"}
	numberInsertColumns = []string{"person_id", "attribute", "digits", "rdigits", "e164", "extension"}
)

// checkPersonRefs checks the organizations and locations of many persons.
func checkPersonRefs(ctx context.Context, tx *Tx, persons []*desk.Person) error {
	orgIDs := make([]int64, len(persons))
	var locIDs, managerIDs []int64
	for i, p := range persons {
		orgIDs[i] = p.OrgID
		if p.LocationID != 0 {
			locIDs = append(locIDs, p.LocationID)
		}
		if p.ManagerID != 0 {
			managerIDs = append(managerIDs, p.ManagerID)
		}
	}
	if err := checkOrgs(ctx, tx, orgIDs, "org_id"); err != nil {
		return err
	}
	if len(managerIDs) > 0 {
		managerOrgs, err := personOrgs(ctx, tx, managerIDs)
		if err != nil {
			return err
		}
		for i, p := range persons {
			if org, ok := managerOrgs[p.ManagerID]; p.ManagerID != 0 && (!ok || !tx.user.SeesOrg(org) && p.ManagerID != tx.user.ContactID) {
				return itemError("Person", i, desk.Invalid("manager_id", "error.unknown_person"))
			}
		}
	}
	locOrgs, err := locationOrgs(ctx, tx, locIDs)
	if err != nil {
		return err
	}
	for i, p := range persons {
		if p.LocationID == 0 {
			continue
		}
		if org, ok := locOrgs[p.LocationID]; !ok {
			return itemError("Person", i, desk.Invalid("location_id", "error.unknown_location"))
		} else if org != p.OrgID {
			return itemError("Person", i, desk.Invalid("location_id", "error.location_other_org"))
		}
	}
	return nil
}

// itemError prefixes the message of a desk error with the item's position.
func itemError(kind string, i int, err error) error {
	var e *desk.Error
	if errors.As(err, &e) {
		return &desk.Error{Code: e.Code, Field: e.Field, Key: "error.batch_item", Args: []any{locale.Key("class." + kind), i + 1, e}}
	}
	return err
}

// UpdatePerson changes the attributes set in upd, keeps the number keys in
// step and returns the person.
func (db *DB) UpdatePerson(ctx context.Context, id int64, upd desk.PersonUpdate) (*desk.Person, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassPerson)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := updatePerson(ctx, tx, id, upd)
	if err != nil {
		return nil, edgeError(err)
	}
	return p, tx.commit()
}

// DeletePerson deletes the person and its number keys; ECONFLICT while a
// ticket, phone call or user refers to it.
func (db *DB) DeletePerson(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassPerson)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := deletePerson(ctx, tx, id); err != nil {
		return edgeError(err)
	}
	return tx.commit()
}

func findPersonByID(ctx context.Context, tx *Tx, id int64) (*desk.Person, error) {
	persons, _, err := findPersons(ctx, tx, desk.PersonFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(persons) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.person_not_found")
	}
	return persons[0], nil
}

const personColumns = `p.id, p.first_name, p.name, p.org_id, o.name, COALESCE(p.location_id, 0), COALESCE(l.name, ''),
	p.email, p.phone, p.mobile_phone, p.home_phone, p.employee_number, p.support_id, p.function, p.status,
	COALESCE(p.manager_id, 0)`

// managerName is the friendly name of the manager m.
const managerName = `TRIM(m.first_name || ' ' || m.name)`

// managerNameColumn is the name of a person's manager, which the reads of
// persons add to personColumns and the caller lookups leave out: a lookup
// reads every candidate of a number, and the pop shows no manager.
const managerNameColumn = `COALESCE((SELECT ` + managerName + ` FROM person m WHERE m.id = p.manager_id), '')`

// personQuery returns the SQL counting and selecting the persons of filter
// visible with scope, and the arguments of the WHERE clause; the select takes
// LIMIT and OFFSET arguments after them.
func personQuery(d oql.Dialect, norm *phone.Normalizer, scope []int64, filter desk.PersonFilter) (count, query string, args []any) {
	like := d.Like()
	var c conds
	if scope != nil {
		c.addIn("p.org_id", scope)
	}
	if filter.ID != nil {
		c.add("p.id = ?", *filter.ID)
	}
	if filter.IDs != nil {
		c.addIn("p.id", filter.IDs)
	}
	if filter.OrgID != nil {
		c.add("p.org_id = ?", *filter.OrgID)
	}
	if filter.Email != nil {
		c.add("p.email = ?", *filter.Email)
	}
	if filter.EmployeeNumber != nil {
		c.add("p.employee_number = ?", *filter.EmployeeNumber)
	}
	if filter.SupportID != nil {
		c.add("p.support_id = ?", *filter.SupportID)
	}
	if q := strings.TrimSpace(filter.Query); q != "" {
		if num, ok := numberQuery(norm, q); ok {
			// The numbers a caller with this number matches, or ending with
			// the digits typed: ranges and keys on the rdigits index (see
			// numberProbe). An employee number or support id equal to the
			// query matches too (indexed).
			probe, args := numberProbe(d, norm, num)
			c.add(`p.id IN (`+probe+`
				UNION SELECT id FROM person WHERE employee_number = ?
				UNION SELECT id FROM person WHERE support_id = ?)`, append(args, q, q)...)
		} else {
			pat := likePattern(q)
			c.add(`(p.name `+like+` ? ESCAPE '\' OR p.first_name `+like+` ? ESCAPE '\'
				OR p.first_name || ' ' || p.name `+like+` ? ESCAPE '\'
				OR p.email `+like+` ? ESCAPE '\' OR p.employee_number `+like+` ? ESCAPE '\')`,
				pat, pat, pat, pat, pat)
		}
	}
	count = "SELECT COUNT(*) FROM person p" + c.where()
	query = `SELECT ` + personColumns + `, ` + managerNameColumn + ` FROM person p
		JOIN organization o ON o.id = p.org_id
		LEFT JOIN location l ON l.id = p.location_id` + c.where() +
		" ORDER BY p.name, p.first_name, p.id LIMIT ? OFFSET ?"
	return count, query, c.args
}

func findPersons(ctx context.Context, tx *Tx, filter desk.PersonFilter) ([]*desk.Person, int, error) {
	if err := checkQuery(filter.Query); err != nil {
		return nil, 0, err
	}
	count, query, args := personQuery(tx.dialect, tx.phone, tx.scope(), filter)
	offset, limit := page(filter.Offset, filter.Limit)
	rows, err := tx.QueryContext(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find persons: %w", err)
	}
	defer rows.Close()
	var persons []*desk.Person
	for rows.Next() {
		var p desk.Person
		if err := rows.Scan(&p.ID, &p.FirstName, &p.Name, &p.OrgID, &p.OrgName, &p.LocationID, &p.LocationName,
			&p.Email, &p.Phone, &p.MobilePhone, &p.HomePhone, &p.EmployeeNumber, &p.SupportID, &p.Function, &p.Status,
			&p.ManagerID, &p.ManagerName); err != nil {
			return nil, 0, fmt.Errorf("find persons: %w", err)
		}
		persons = append(persons, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find persons: %w", err)
	}
	total := offset + len(persons)
	if needCount(offset, limit, len(persons)) {
		if err := tx.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count persons: %w", err)
		}
	}
	return persons, total, nil
}

const (
	insertPersonSQL = `INSERT INTO person (first_name, name, org_id, location_id, email, phone, mobile_phone, home_phone,
		employee_number, support_id, function, status, manager_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	insertNumberSQL = `INSERT INTO person_number (person_id, attribute, digits, rdigits, e164, extension)
		VALUES (?, ?, ?, ?, ?, ?)`
)

func personArgs(p *desk.Person) []any {
	return []any{p.FirstName, p.Name, p.OrgID, nullID(p.LocationID), p.Email, p.Phone, p.MobilePhone, p.HomePhone,
		p.EmployeeNumber, p.SupportID, p.Function, p.Status, nullID(p.ManagerID)}
}

// checkPersonWrite checks the references of a person about to be written.
func checkPersonWrite(ctx context.Context, tx *Tx, p *desk.Person) error {
	if err := checkOrg(ctx, tx, p.OrgID, "org_id"); err != nil {
		return err
	}
	if p.ManagerID != 0 {
		if p.ManagerID == p.ID {
			return desk.Invalid("manager_id", "error.person_own_manager")
		}
		if _, err := checkPerson(ctx, tx, p.ManagerID, "manager_id"); err != nil {
			return err
		}
	}
	if p.LocationID != 0 {
		return checkLocation(ctx, tx, p.LocationID, p.OrgID)
	}
	return nil
}

func createPerson(ctx context.Context, tx *Tx, p *desk.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := checkPersonWrite(ctx, tx, p); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, insertPersonSQL, personArgs(p)...).Scan(&p.ID); err != nil {
		return fmt.Errorf("insert person: %w", err)
	}
	if err := writeNumbers(ctx, tx, p); err != nil {
		return err
	}
	return fillPersonNames(ctx, tx, p)
}

// fillPersonNames sets the derived names of p.
func fillPersonNames(ctx context.Context, tx *Tx, p *desk.Person) error {
	if err := tx.QueryRowContext(ctx, `SELECT o.name, COALESCE(l.name, ''),
		COALESCE((SELECT `+managerName+` FROM person m WHERE m.id = ?), '') FROM organization o
		LEFT JOIN location l ON l.id = ? WHERE o.id = ?`, nullID(p.ManagerID), nullID(p.LocationID), p.OrgID).Scan(
		&p.OrgName, &p.LocationName, &p.ManagerName); err != nil {
		return fmt.Errorf("person names: %w", err)
	}
	return nil
}

// writeNumbers replaces the number keys of p.
func writeNumbers(ctx context.Context, tx *Tx, p *desk.Person) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM person_number WHERE person_id = ?", p.ID); err != nil {
		return fmt.Errorf("delete number keys: %w", err)
	}
	for _, k := range numberKeys(tx.phone, p) {
		if _, err := tx.ExecContext(ctx, insertNumberSQL, numberArgs(p.ID, k)...); err != nil {
			return fmt.Errorf("insert number keys: %w", err)
		}
	}
	return nil
}

func updatePerson(ctx context.Context, tx *Tx, id int64, upd desk.PersonUpdate) (*desk.Person, error) {
	if err := tx.lockRow(ctx, "person", id); err != nil {
		return nil, err
	}
	p, err := findPersonByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	upd.Apply(p)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkPersonWrite(ctx, tx, p); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE person SET first_name = ?, name = ?, org_id = ?, location_id = ?, email = ?,
		phone = ?, mobile_phone = ?, home_phone = ?, employee_number = ?, support_id = ?, function = ?, status = ?,
		manager_id = ? WHERE id = ?`, append(personArgs(p), id)...); err != nil {
		return nil, fmt.Errorf("update person: %w", err)
	}
	if err := writeNumbers(ctx, tx, p); err != nil {
		return nil, err
	}
	if err := fillPersonNames(ctx, tx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func deletePerson(ctx context.Context, tx *Tx, id int64) error {
	if err := tx.lockRow(ctx, "person", id); err != nil {
		return err
	}
	if _, err := findPersonByID(ctx, tx, id); err != nil {
		return err
	}
	var tickets, calls, users int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM ticket WHERE caller_id = ? OR agent_id = ?),
		(SELECT COUNT(*) FROM phonecall WHERE contact_id = ? OR agent_id = ?),
		(SELECT COUNT(*) FROM users WHERE contact_id = ?)`, id, id, id, id, id).Scan(&tickets, &calls, &users); err != nil {
		return fmt.Errorf("delete person: %w", err)
	}
	if tickets+calls+users > 0 {
		return desk.NewError(desk.ECONFLICT, "error.person_in_use",
			tickets, calls, users)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM person_number WHERE person_id = ?", id); err != nil {
		return fmt.Errorf("delete person: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM person WHERE id = ?", id); err != nil {
		return edgeError(fmt.Errorf("delete person: %w", err))
	}
	return nil
}

// checkPerson returns the organization of person id, or EINVALID on field
// when it does not exist or the user may not see it. A user always sees his
// own contact.
func checkPerson(ctx context.Context, tx *Tx, id int64, field string) (int64, error) {
	var orgID int64
	err := tx.QueryRowContext(ctx, "SELECT org_id FROM person WHERE id = ?", id).Scan(&orgID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !tx.user.SeesOrg(orgID) && id != tx.user.ContactID) {
		return 0, desk.Invalid(field, "error.unknown_person")
	} else if err != nil {
		return 0, fmt.Errorf("check person: %w", err)
	}
	return orgID, nil
}

// personOrgs returns the organization of each existing person of ids.
func personOrgs(ctx context.Context, tx *Tx, ids []int64) (map[int64]int64, error) {
	return idMap(ctx, tx, "SELECT id, org_id FROM person WHERE id IN ", distinct(ids))
}
