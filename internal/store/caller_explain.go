package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// nearMissRows bounds the rows an explanation reads: numbers sharing the
// caller's last digits, most of which a large directory may hold for a short
// suffix.
const nearMissRows = 200

// ExplainCallersByNumber is FindCallersByNumber with the near misses: the
// persons, visible to the user, whose numbers share at least the caller's
// last MinMatchDigits digits (all of an internal extension) without
// matching, and why (phone.Normalizer.Explain). It reads the rows of one
// range of the rdigits index, at most nearMissRows of them; it is meant for
// a person asking why (ctidesk lookup --explain, the API's explain=1), not
// for every call.
func (db *DB) ExplainCallersByNumber(ctx context.Context, number string) ([]*desk.CallerMatch, []*desk.NearMiss, error) {
	matches, err := db.FindCallersByNumber(ctx, number)
	if err != nil {
		return nil, nil, err
	}
	user, err := db.readUser(ctx, desk.ClassPerson)
	if err != nil {
		return nil, nil, err
	}
	norm := db.Phone
	caller := norm.FromQuery(number)
	internal := norm.Internal(caller)
	r := phone.Reverse(caller.Digits)
	lo := r
	if !internal {
		lo = r[:norm.Options().MinMatchDigits]
	}
	hi := lo[:len(lo)-1] + string(lo[len(lo)-1]+1)
	var c conds
	c.add("k.rdigits >= ? AND k.rdigits < ?", lo, hi)
	if scope := user.OrgScope(); scope != nil {
		c.addIn("p.org_id", scope)
	}
	rows, err := db.queryRead(ctx, `SELECT k.attribute, k.rdigits, k.e164, `+personColumns+`
		FROM person_number k
		JOIN person p ON p.id = k.person_id
		JOIN organization o ON o.id = p.org_id
		LEFT JOIN location l ON l.id = p.location_id`+c.where()+`
		ORDER BY k.rdigits LIMIT `+fmt.Sprint(nearMissRows), c.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("explain callers: %w", err)
	}
	defer rows.Close()
	matched := map[int64]bool{}
	for _, m := range matches {
		matched[m.Person.ID] = true
	}
	misses := []*desk.NearMiss{}
	seen := map[int64]bool{}
	for rows.Next() {
		var attribute, rdigits, e164 string
		p, err := scanPerson(rows, &attribute, &rdigits, &e164)
		if err != nil {
			return nil, nil, fmt.Errorf("explain callers: %w", err)
		}
		if matched[p.ID] || seen[p.ID] {
			continue
		}
		stored := phone.Number{Digits: phone.Reverse(rdigits), E164: e164}
		_, rej := norm.Explain(caller, stored)
		if rej == "" {
			continue
		}
		reason := string(rej)
		if internal {
			reason = desk.RejectExtension
		}
		seen[p.ID] = true
		misses = append(misses, &desk.NearMiss{Person: p, Attribute: attribute, Stored: phoneAttribute(p, attribute),
			SuffixLen: commonSuffix(caller.Digits, stored.Digits), Reason: reason})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("explain callers: %w", err)
	}
	if internal {
		// The extension of an agent without a contact person finds nobody:
		// say whose it is, so that the admin knows what to set.
		agent, err := db.findAgentExtension(ctx, caller.Digits)
		if err != nil {
			return nil, nil, err
		}
		if agent != nil && agent.ContactID == 0 {
			misses = append(misses, &desk.NearMiss{Person: &desk.Person{Name: agent.Login}, Attribute: desk.AttrAgentExtension,
				Stored: agent.Extension, SuffixLen: len(caller.Digits), Reason: desk.RejectAgentNoContact})
		}
	}
	slices.SortFunc(misses, func(a, b *desk.NearMiss) int {
		return cmp.Or(cmp.Compare(b.SuffixLen, a.SuffixLen), strings.Compare(a.Person.Name, b.Person.Name),
			strings.Compare(a.Person.FirstName, b.Person.FirstName), cmp.Compare(a.Person.ID, b.Person.ID))
	})
	return matches, misses[:min(len(misses), desk.MaxNearMisses)], nil
}

// commonSuffix returns the number of trailing characters a and b share.
func commonSuffix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}
