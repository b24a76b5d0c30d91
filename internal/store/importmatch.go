package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

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
