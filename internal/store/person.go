package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// minNumberDigits is the number of digits from which a person query made only
// of digits and punctuation is a phone number search (the end of a number)
// rather than a text search: fewer digits would match most of the directory.
const minNumberDigits = 4

// numberDigits returns the match key of a phone number: its digits, with any
// extension cut off. It is the one place that normalizes numbers;
// internal/phone will replace it.
func numberDigits(number string) string {
	number = cutExtension(number)
	var b strings.Builder
	for i := 0; i < len(number); i++ {
		if c := number[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cutExtension returns number without its extension, which starts at "x",
// "ext" (";ext=" too) or "#", in any case.
func cutExtension(number string) string {
	lower := []byte(number) // ASCII folding only, so that offsets stay
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	end := len(number)
	if i := strings.Index(string(lower), "ext"); i >= 0 {
		end = i
	}
	if i := strings.IndexAny(string(lower), "x#"); i >= 0 && i < end {
		end = i
	}
	return number[:end]
}

// reverse returns the ASCII string s backwards.
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// numberQuery returns the digits of q when q is a phone number search: at
// least minNumberDigits digits and no letter before any extension.
func numberQuery(q string) (string, bool) {
	if strings.IndexFunc(cutExtension(q), unicode.IsLetter) >= 0 {
		return "", false
	}
	digits := numberDigits(q)
	return digits, len(digits) >= minNumberDigits
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
// references of all the persons. The writer holds the database, so the ids
// follow the largest one and the rows go in multi-row INSERTs.
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
	var last int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM person").Scan(&last); err != nil {
		return fmt.Errorf("insert persons: %w", err)
	}
	persons := newBulkInsert(tx, "person", personInsertColumns, 100, nil)
	defer persons.close()
	numbers := newBulkInsert(tx, "person_number", numberInsertColumns, 200, persons)
	defer numbers.close()
	for _, p := range part {
		last++
		p.ID = last
		if err := persons.add(ctx, append([]any{p.ID}, personArgs(p)...)...); err != nil {
			return fmt.Errorf("insert persons: %w", err)
		}
		for _, n := range numberKeys(p) {
			if err := numbers.add(ctx, p.ID, n.Attribute, n.Value, reverse(n.Value)); err != nil {
				return fmt.Errorf("insert number keys: %w", err)
			}
		}
	}
	if err := numbers.flush(ctx); err != nil {
		return fmt.Errorf("insert persons: %w", err)
	}
	return tx.commit()
}

var (
	personInsertColumns = []string{"id", "first_name", "name", "org_id", "location_id", "email", "phone", "mobile_phone",
		"home_phone", "employee_number", "support_id", "function", "status"}
	numberInsertColumns = []string{"person_id", "attribute", "digits", "rdigits"}
)

// checkPersonRefs checks the organizations and locations of many persons.
func checkPersonRefs(ctx context.Context, tx *Tx, persons []*desk.Person) error {
	orgIDs := make([]int64, len(persons))
	var locIDs []int64
	for i, p := range persons {
		orgIDs[i] = p.OrgID
		if p.LocationID != 0 {
			locIDs = append(locIDs, p.LocationID)
		}
	}
	if err := checkOrgs(ctx, tx, orgIDs, "org_id"); err != nil {
		return err
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
			return itemError("Person", i, desk.FieldErrorf("location_id", "Unknown location."))
		} else if org != p.OrgID {
			return itemError("Person", i, desk.FieldErrorf("location_id", "The location belongs to another organization."))
		}
	}
	return nil
}

// itemError prefixes the message of a desk error with the item's position.
func itemError(kind string, i int, err error) error {
	var e *desk.Error
	if errors.As(err, &e) {
		return &desk.Error{Code: e.Code, Field: e.Field, Message: fmt.Sprintf("%s %d: %s", kind, i+1, e.Message)}
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
		return nil, desk.Errorf(desk.ENOTFOUND, "Person not found.")
	}
	return persons[0], nil
}

const personColumns = `p.id, p.first_name, p.name, p.org_id, o.name, COALESCE(p.location_id, 0), COALESCE(l.name, ''),
	p.email, p.phone, p.mobile_phone, p.home_phone, p.employee_number, p.support_id, p.function, p.status`

// personQuery returns the SQL counting and selecting the persons of filter
// visible with scope, and the arguments of the WHERE clause; the select takes
// LIMIT and OFFSET arguments after them.
func personQuery(scope []int64, filter desk.PersonFilter) (count, query string, args []any) {
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
		if digits, ok := numberQuery(q); ok {
			// The numbers ending with digits: their reversed digits start with
			// the reversed query, a range on the rdigits index. An employee
			// number or support id equal to the query matches too (indexed).
			from := reverse(digits)
			to := from[:len(from)-1] + string(from[len(from)-1]+1)
			c.add(`p.id IN (SELECT person_id FROM person_number WHERE rdigits >= ? AND rdigits < ?
				UNION SELECT id FROM person WHERE employee_number = ?
				UNION SELECT id FROM person WHERE support_id = ?)`, from, to, q, q)
		} else {
			pat := likePattern(q)
			c.add(`(p.name `+likeOp+` ? ESCAPE '\' OR p.first_name `+likeOp+` ? ESCAPE '\'
				OR p.first_name || ' ' || p.name `+likeOp+` ? ESCAPE '\'
				OR p.email `+likeOp+` ? ESCAPE '\' OR p.employee_number `+likeOp+` ? ESCAPE '\')`,
				pat, pat, pat, pat, pat)
		}
	}
	count = "SELECT COUNT(*) FROM person p" + c.where()
	query = `SELECT ` + personColumns + ` FROM person p
		JOIN organization o ON o.id = p.org_id
		LEFT JOIN location l ON l.id = p.location_id` + c.where() +
		" ORDER BY p.name, p.first_name, p.id LIMIT ? OFFSET ?"
	return count, query, c.args
}

func findPersons(ctx context.Context, tx *Tx, filter desk.PersonFilter) ([]*desk.Person, int, error) {
	count, query, args := personQuery(tx.scope(), filter)
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
			&p.Email, &p.Phone, &p.MobilePhone, &p.HomePhone, &p.EmployeeNumber, &p.SupportID, &p.Function, &p.Status); err != nil {
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
		employee_number, support_id, function, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	insertNumberSQL = "INSERT INTO person_number (person_id, attribute, digits, rdigits) VALUES (?, ?, ?, ?)"
)

func personArgs(p *desk.Person) []any {
	return []any{p.FirstName, p.Name, p.OrgID, nullID(p.LocationID), p.Email, p.Phone, p.MobilePhone, p.HomePhone,
		p.EmployeeNumber, p.SupportID, p.Function, p.Status}
}

// checkPersonWrite checks the references of a person about to be written.
func checkPersonWrite(ctx context.Context, tx *Tx, p *desk.Person) error {
	if err := checkOrg(ctx, tx, p.OrgID, "org_id"); err != nil {
		return err
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
	if err := tx.QueryRowContext(ctx, `SELECT o.name, COALESCE(l.name, '') FROM organization o
		LEFT JOIN location l ON l.id = ? WHERE o.id = ?`, nullID(p.LocationID), p.OrgID).Scan(&p.OrgName, &p.LocationName); err != nil {
		return fmt.Errorf("person names: %w", err)
	}
	return nil
}

// numberKeys returns the digits of each phone number of p, by attribute;
// numbers made only of an extension have none.
func numberKeys(p *desk.Person) []desk.AttributeValue {
	var keys []desk.AttributeValue
	for _, n := range p.Numbers() {
		if digits := numberDigits(n.Value); digits != "" {
			keys = append(keys, desk.AttributeValue{Attribute: n.Attribute, Value: digits})
		}
	}
	return keys
}

// writeNumbers replaces the number keys of p.
func writeNumbers(ctx context.Context, tx *Tx, p *desk.Person) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM person_number WHERE person_id = ?", p.ID); err != nil {
		return fmt.Errorf("delete number keys: %w", err)
	}
	for _, n := range numberKeys(p) {
		if _, err := tx.ExecContext(ctx, insertNumberSQL, p.ID, n.Attribute, n.Value, reverse(n.Value)); err != nil {
			return fmt.Errorf("insert number keys: %w", err)
		}
	}
	return nil
}

func updatePerson(ctx context.Context, tx *Tx, id int64, upd desk.PersonUpdate) (*desk.Person, error) {
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
		phone = ?, mobile_phone = ?, home_phone = ?, employee_number = ?, support_id = ?, function = ?, status = ?
		WHERE id = ?`, append(personArgs(p), id)...); err != nil {
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
		return desk.Errorf(desk.ECONFLICT, "The person cannot be deleted: %d tickets, %d phone calls and %d users refer to it.",
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
		return 0, desk.FieldErrorf(field, "Unknown person.")
	} else if err != nil {
		return 0, fmt.Errorf("check person: %w", err)
	}
	return orgID, nil
}

// personOrgs returns the organization of each existing person of ids.
func personOrgs(ctx context.Context, tx *Tx, ids []int64) (map[int64]int64, error) {
	return idMap(ctx, tx, "SELECT id, org_id FROM person WHERE id IN ", distinct(ids))
}
