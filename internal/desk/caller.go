package desk

import "context"

// Attributes a caller can be found by (docs/configuration.md, phone and url_parameters): the phone
// attributes of a Person, and the exact identifiers a phone system or a caller
// may give instead of a number.
const (
	AttrPhone          = "phone"
	AttrMobilePhone    = "mobile_phone"
	AttrHomePhone      = "home_phone"
	AttrEmployeeNumber = "employee_number"
	AttrSupportID      = "support_id"
	AttrEmail          = "email"
)

// CallerAttributes are the attributes FindCallersByAttribute accepts.
var CallerAttributes = []string{AttrEmployeeNumber, AttrSupportID, AttrEmail}

// CallerMatch is one person found for a caller, with what matched and how
// strongly.
type CallerMatch struct {
	Person *Person
	// Attribute is the person's attribute that matched: phone, mobile_phone,
	// home_phone, employee_number, support_id or email. A person matching on
	// several attributes is found once, by the best one.
	Attribute string
	// Stored is the value of Attribute as stored, the one that matched.
	Stored string
	// E164Equal tells that the caller's number and the stored one have the
	// same E.164 form, the strongest match.
	E164Equal bool
	// SuffixLen is the number of trailing significant digits the two
	// numbers share (every digit of the E.164 form when E164Equal); 0 for
	// exact attribute matches.
	SuffixLen int
	// Rank is the position of the match's strength: 1 for the best matches;
	// matches of equal strength share a rank (1, 1, 3), and are ordered by
	// person name, first name and id.
	Rank int
}

// CallerService finds who is calling (docs/configuration.md, phone), within the
// organization scope of the user in ctx, who must be allowed to read persons.
type CallerService interface {
	// FindCallersByNumber returns the persons whose phone, mobile phone or
	// home phone matches number, best first. number is read as a phone
	// system sends it in a URL parameter, already URL-decoded once: a
	// leading space before the digits is the '+' the decoding turned into a
	// space. A number with too few significant digits to be matched safely
	// is EINVALID, with a message saying so; no match is an empty list.
	FindCallersByNumber(ctx context.Context, number string) ([]*CallerMatch, error)
	// FindCallersByAttribute returns the persons whose attribute
	// (employee_number, support_id or email) equals value: exactly, but for
	// the case of an email. Every person sharing a support id is returned.
	// All matches rank 1, ordered by name.
	FindCallersByAttribute(ctx context.Context, attribute, value string) ([]*CallerMatch, error)
}

// Rerank numbers the ranks of matches again after some were left out of a
// ranked list, keeping their order: matches that shared a rank still do.
func Rerank(matches []*CallerMatch) {
	prev := 0
	for i, m := range matches {
		old := m.Rank
		if i > 0 && old == prev {
			m.Rank = matches[i-1].Rank
		} else {
			m.Rank = i + 1
		}
		prev = old
	}
}
