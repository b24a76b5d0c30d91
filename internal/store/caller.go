package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// keyRange returns the condition on the person_number rows (alias k) whose
// digits end one another with digits, the significant digits of a caller
// number (at least the normalizer's minimum), and its arguments. These are
// the rows phone.SuffixRange and phone.ShorterKeys designate: reversed digits
// r starting with Reverse(digits) (stored numbers ending with the caller's),
// or equal to one of its prefixes of at least min digits (stored numbers the
// caller's ends with).
//
// All of them lie in one range of the rdigits index, from the shortest such
// prefix to the end of SuffixRange, so one index descent and a short walk find
// them; the walk also meets keys that share the caller's last min digits but
// not more, which the rest of the condition drops on the index entries,
// before any person is read. One descent instead of one per prefix halves the
// cost of a lookup, and the statement has one shape whatever the number, so it
// is prepared once. (The unary + keeps SQLite from splitting the OR into
// other probes; see oql.Dialect.NoIndex.)
func keyRange(d oql.Dialect, norm *phone.Normalizer, digits string) (string, []any) {
	lo, hi, r := norm.KeyRange(digits)
	cond := keyRangeSQLite
	if d == oql.PostgreSQL {
		cond = keyRangePostgres
	}
	return cond, []any{lo, hi, r, r}
}

// The condition of keyRange, by dialect (see oql.Dialect.NoIndex), written
// out: it is in every caller lookup.
const (
	keyRangeSQLite   = `k.rdigits >= ? AND k.rdigits < ? AND (+k.rdigits >= ? OR substr(?, 1, length(k.rdigits)) = k.rdigits)`
	keyRangePostgres = `k.rdigits >= ? AND k.rdigits < ? AND (k.rdigits >= ? OR substr(?, 1, length(k.rdigits)) = k.rdigits)`
)

// numberProbe returns the SQL selecting the person_id of the numbers a
// person query finds (see numberQuery) and its arguments.
func numberProbe(d oql.Dialect, norm *phone.Normalizer, num numberSearch) (string, []any) {
	if num.caller != nil {
		cond, args := keyRange(d, norm, num.caller.Digits)
		return "SELECT k.person_id FROM person_number k WHERE " + cond, args
	}
	lo := phone.Reverse(num.suffix)
	hi := lo[:len(lo)-1] + string(lo[len(lo)-1]+1)
	return "SELECT k.person_id FROM person_number k WHERE k.rdigits >= ? AND k.rdigits < ?", []any{lo, hi}
}

// callerQueries caches the SQL text of FindCallersByNumber, as the database
// runs it, by size of the user's scope (-1: unscoped) and whether the number
// is an internal extension, the only things that change it for one database:
// building it and hashing it for the statement cache at every call costs
// more than a microsecond (docs/architecture.md).
type callerQueries struct {
	byShape sync.Map // callerQueryKey -> string
}

type callerQueryKey struct {
	size     int
	internal bool
}

// callerNumberQuery returns the SQL of FindCallersByNumber, rebound for the
// dialect: the keys found by keyRange, with their persons, visible with
// scope. The keys come first (SQLite's CROSS JOIN keeps it from starting with
// the persons of the scope's organizations, which may be most of the
// directory).
func (db *DB) callerNumberQuery(norm *phone.Normalizer, scope []int64, caller phone.Number) (string, []any) {
	d := db.dialect
	var c conds
	internal := norm.Internal(caller)
	if internal {
		// An internal extension: the stored numbers that are exactly it.
		c.add("k.rdigits = ?", phone.Reverse(caller.Digits))
	} else {
		cond, args := keyRange(d, norm, caller.Digits)
		c.add(cond, args...)
	}
	if scope != nil {
		c.addIn("p.org_id", scope)
	}
	key := callerQueryKey{len(scope), internal}
	if scope == nil {
		key.size = -1
	}
	if q, ok := db.callerQueries.byShape.Load(key); ok {
		return q.(string), c.args
	}
	query := rebind(d, `SELECT k.attribute, k.rdigits, k.e164, `+personColumns+`
		FROM person_number k
		`+keysFirstJoin(d)+` person p ON p.id = k.person_id
		JOIN organization o ON o.id = p.org_id
		LEFT JOIN location l ON l.id = p.location_id`+c.where())
	if key.size <= maxCachedParams {
		db.callerQueries.byShape.Store(key, query)
	}
	return query, c.args
}

// callerAttributeQuery returns the SQL of FindCallersByAttribute, or false for
// an attribute that is not one of desk.CallerAttributes.
func callerAttributeQuery(d oql.Dialect, scope []int64, attribute, value string) (string, []any, bool) {
	var c conds
	switch attribute {
	case desk.AttrEmployeeNumber:
		c.add("p.employee_number = ?", value)
	case desk.AttrSupportID:
		c.add("p.support_id = ?", value)
	case desk.AttrEmail:
		c.add(emailEquals(d, "p.email"), value) // the person_email_nocase (lower) index
	default:
		return "", nil, false
	}
	if scope != nil {
		// Not person_org_id but the attribute's index: an organization may
		// hold most persons.
		c.addIn(d.NoIndex("p.org_id"), scope)
	}
	query := `SELECT ` + personColumns + ` FROM person p
		JOIN organization o ON o.id = p.org_id
		LEFT JOIN location l ON l.id = p.location_id` + c.where() + `
		ORDER BY p.name, p.first_name, p.id`
	return query, c.args, true
}

// FindCallersByNumber returns the persons with a phone number matching number
// (as a phone system sends it in a URL parameter, decoded once), best first:
// E.164 equal, then the longest common suffix; ties by name, first name, id.
// An internal extension (phone.Normalizer.Internal) finds the persons with
// exactly that number. Each person is found once, by its best matching attribute (phone before
// mobile_phone before home_phone when equally good). A number with fewer
// significant digits than the normalizer's minimum is EINVALID.
//
// It runs one statement on the reader pool, without a transaction (one
// statement reads one snapshot), and ranks in Go: at 1,000,000 persons the
// statement costs a few tens of microseconds, and a transaction would add
// two more round trips.
func (db *DB) FindCallersByNumber(ctx context.Context, number string) ([]*desk.CallerMatch, error) {
	user, err := db.readUser(ctx, desk.ClassPerson)
	if err != nil {
		return nil, err
	}
	norm := db.Phone
	caller := norm.FromQuery(number)
	if norm.TooShort(caller) && !norm.Internal(caller) {
		return nil, desk.NewError(desk.EINVALID, "error.number_too_short",
			strings.TrimSpace(number), norm.Options().MinMatchDigits)
	}
	query, args := db.callerNumberQuery(norm, user.OrgScope(), caller)
	rows, err := db.queryReadSQL(ctx, query, args...) // rebound already
	if err != nil {
		return nil, fmt.Errorf("find callers by number: %w", err)
	}
	defer rows.Close()
	matches := []*desk.CallerMatch{}
	var byPerson map[int64]*desk.CallerMatch // once there are many matches
	for rows.Next() {
		var attribute, rdigits, e164 string
		p, err := scanPerson(rows, &attribute, &rdigits, &e164)
		if err != nil {
			return nil, fmt.Errorf("find callers by number: %w", err)
		}
		m, ok := norm.Match(caller, phone.Number{Digits: phone.Reverse(rdigits), E164: e164})
		if !ok {
			continue // the probes find every suffix, Match drops different countries
		}
		cm := &desk.CallerMatch{Person: p, Attribute: attribute, Stored: phoneAttribute(p, attribute),
			E164Equal: m.E164Equal, SuffixLen: m.SuffixLen, Rule: string(m.Rule)}
		prev := byPerson[p.ID]
		if byPerson == nil {
			for _, m := range matches {
				if m.Person.ID == p.ID {
					prev = m
					break
				}
			}
		}
		switch {
		case prev == nil:
			matches = append(matches, cm)
			if byPerson != nil {
				byPerson[p.ID] = cm
			} else if len(matches) == 16 {
				byPerson = make(map[int64]*desk.CallerMatch, 64)
				for _, m := range matches {
					byPerson[m.Person.ID] = m
				}
			}
		case betterAttribute(cm, prev):
			*prev = *cm
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find callers by number: %w", err)
	}
	if norm.Internal(caller) {
		// An agent's extension finds his contact person, unless a stored
		// number that is exactly the extension found him already.
		m, _, err := db.agentExtensionMatch(ctx, user.OrgScope(), caller.Digits)
		if err != nil {
			return nil, err
		}
		if m != nil && !slices.ContainsFunc(matches, func(o *desk.CallerMatch) bool { return o.Person.ID == m.Person.ID }) {
			matches = append(matches, m)
		}
	}
	rankCallers(matches)
	return matches, nil
}

// FindCallersByAttribute returns the persons whose employee_number or
// support_id equals value, or whose email equals it ignoring case, ordered by
// name, first name and id, all of rank 1.
func (db *DB) FindCallersByAttribute(ctx context.Context, attribute, value string) ([]*desk.CallerMatch, error) {
	user, err := db.readUser(ctx, desk.ClassPerson)
	if err != nil {
		return nil, err
	}
	value = strings.TrimSpace(value)
	query, args, ok := callerAttributeQuery(db.dialect, user.OrgScope(), attribute, value)
	if !ok {
		return nil, desk.NewError(desk.EINVALID, "error.lookup_attribute", attribute,
			strings.Join(desk.CallerAttributes, ", "))
	}
	if value == "" {
		return nil, desk.NewError(desk.EINVALID, "error.lookup_value_empty", attribute)
	}
	rows, err := db.queryRead(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find callers by %s: %w", attribute, err)
	}
	defer rows.Close()
	matches := []*desk.CallerMatch{}
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("find callers by %s: %w", attribute, err)
		}
		stored := p.EmployeeNumber
		switch attribute {
		case desk.AttrSupportID:
			stored = p.SupportID
		case desk.AttrEmail:
			stored = p.Email
		}
		matches = append(matches, &desk.CallerMatch{Person: p, Attribute: attribute, Stored: stored, Rank: 1})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find callers by %s: %w", attribute, err)
	}
	return matches, nil
}

// phoneAttributeOrder ranks a person's phone attributes when two match
// equally well: the main phone first.
func phoneAttributeOrder(attribute string) int {
	return slices.Index(desk.PhoneAttributes, attribute)
}

// betterAttribute reports whether a, a match of the same person as b, is the
// one to keep.
func betterAttribute(a, b *desk.CallerMatch) bool {
	ma, mb := phone.Match{E164Equal: a.E164Equal, SuffixLen: a.SuffixLen}, phone.Match{E164Equal: b.E164Equal, SuffixLen: b.SuffixLen}
	if ma.Better(mb) || mb.Better(ma) {
		return ma.Better(mb)
	}
	return phoneAttributeOrder(a.Attribute) < phoneAttributeOrder(b.Attribute)
}

// rankCallers sorts matches best first, ties by name, first name and id, and
// numbers their ranks: equally strong matches share one (1, 1, 3).
func rankCallers(matches []*desk.CallerMatch) {
	strength := func(m *desk.CallerMatch) phone.Match {
		return phone.Match{E164Equal: m.E164Equal, SuffixLen: m.SuffixLen}
	}
	slices.SortFunc(matches, func(a, b *desk.CallerMatch) int {
		sa, sb := strength(a), strength(b)
		switch {
		case sa.Better(sb):
			return -1
		case sb.Better(sa):
			return 1
		}
		return cmp.Or(strings.Compare(a.Person.Name, b.Person.Name),
			strings.Compare(a.Person.FirstName, b.Person.FirstName), cmp.Compare(a.Person.ID, b.Person.ID))
	})
	for i, m := range matches {
		if i > 0 && strength(m) == strength(matches[i-1]) {
			m.Rank = matches[i-1].Rank
		} else {
			m.Rank = i + 1
		}
	}
}

// phoneAttribute returns the value of one phone attribute of p.
func phoneAttribute(p *desk.Person, attribute string) string {
	switch attribute {
	case desk.AttrMobilePhone:
		return p.MobilePhone
	case desk.AttrHomePhone:
		return p.HomePhone
	}
	return p.Phone
}

// scanPerson scans extra columns, then the personColumns.
func scanPerson(rows *sql.Rows, extra ...any) (*desk.Person, error) {
	var p desk.Person
	dest := append(extra, &p.ID, &p.FirstName, &p.Name, &p.OrgID, &p.OrgName, &p.LocationID, &p.LocationName,
		&p.Email, &p.Phone, &p.MobilePhone, &p.HomePhone, &p.EmployeeNumber, &p.SupportID, &p.Function, &p.Status,
		&p.ManagerID)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	return &p, nil
}

// readUser returns the user in ctx after checking that he may read class,
// for the reads that run one statement without a transaction.
func (db *DB) readUser(ctx context.Context, class string) (*desk.User, error) {
	return actingUser(ctx, desk.ActionRead, class)
}

// queryRead runs one lookup query on the lookup pool, outside any
// transaction, with a cached prepared statement when there is one: a query
// served by the same index whatever its values (see openPostgres).
func (db *DB) queryRead(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.queryReadSQL(ctx, db.sql(query), args...)
}

// queryReadSQL is queryRead for a query in the database's own dialect
// (rebound already).
func (db *DB) queryReadSQL(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.queryPool(ctx, db.lookup, query, args...)
}

// queryPool runs one query in the database's own dialect on pool, outside
// any transaction, with a cached prepared statement when there is one.
func (db *DB) queryPool(ctx context.Context, pool *sql.DB, query string, args ...any) (*sql.Rows, error) {
	if s := db.stmts.get(pool, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return pool.QueryContext(ctx, query, args...)
}
