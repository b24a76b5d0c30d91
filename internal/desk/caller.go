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
	// AttrAgentExtension is the extension of an agent (a user's telephony
	// settings) whose contact person an internal number found.
	AttrAgentExtension = "agent_extension"
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
	// Rule is the rule that matched a number: "e164" (same E.164 form),
	// "national" (same national number), "suffix" (the last SuffixLen
	// digits) or "extension" (an internal extension, exactly); "" for exact
	// attribute matches. "match.rule.<Rule>" is the message key that says it
	// in words.
	Rule string
	// Rank is the position of the match's strength: 1 for the best matches;
	// matches of equal strength share a rank (1, 1, 3), and are ordered by
	// person name, first name and id.
	Rank int
}

// Rules by which a number matched (CallerMatch.Rule), strongest first.
const (
	RuleE164      = "e164"
	RuleNational  = "national"
	RuleSuffix    = "suffix"
	RuleExtension = "extension"
)

// MatchRuleKey returns the message key that says rule in words; the suffix
// rule's takes the number of digits in common ("the last %d digits"). ""
// for no rule (an exact attribute match).
func MatchRuleKey(rule string) string {
	switch rule {
	case RuleE164:
		return "match.rule.e164"
	case RuleNational:
		return "match.rule.national"
	case RuleSuffix:
		return "match.rule.suffix"
	case RuleExtension:
		return "match.rule.extension"
	}
	return ""
}

// MatchRuleText says rule in words with t, a message printer's T: only the
// suffix rule takes the number of digits.
func MatchRuleText(t func(key string, args ...any) string, rule string, suffixLen int) string {
	key := MatchRuleKey(rule)
	switch {
	case key == "":
		return ""
	case rule == RuleSuffix:
		return t(key, suffixLen)
	}
	return t(key)
}

// NearMiss is a stored number that shares the caller's last digits (at
// least phone.min_match_digits of them, or all of an internal extension)
// without matching it, and why: an explanation of a lookup.
type NearMiss struct {
	Person    *Person
	Attribute string
	Stored    string
	// SuffixLen is the number of trailing digits the two numbers share.
	SuffixLen int
	// Reason is why it does not match: "complete" (two complete numbers
	// that differ: another country or area code), "digits" (they share only
	// their last digits), "extension" (an internal extension matches only
	// the same extension, never a number ending with it) or
	// "agent_no_contact" (the extension of an agent who has no contact
	// person: Person then holds only the agent's login as Name).
	Reason string
}

// MaxNearMisses bounds the near misses of an explanation: enough to see why
// the expected person was not found, few enough to read.
const MaxNearMisses = 10

// Reasons of a NearMiss.
const (
	RejectComplete  = "complete"
	RejectDigits    = "digits"
	RejectExtension = "extension"
	// RejectAgentNoContact: the extension of an agent without a contact
	// person.
	RejectAgentNoContact = "agent_no_contact"
)

// RejectReasonKey returns the message key that says reason in words, with
// the number of digits in common as its argument.
func RejectReasonKey(reason string) string {
	switch reason {
	case RejectComplete:
		return "match.reject.complete"
	case RejectDigits:
		return "match.reject.digits"
	case RejectExtension:
		return "match.reject.extension"
	case RejectAgentNoContact:
		return "match.reject.agent_no_contact"
	}
	return ""
}

// RejectReasonText says why n does not match in words with t, a message
// printer's T: the number of digits in common, or for an agent without a
// contact person, the agent.
func RejectReasonText(t func(key string, args ...any) string, n *NearMiss) string {
	key := RejectReasonKey(n.Reason)
	switch {
	case key == "":
		return ""
	case n.Reason == RejectAgentNoContact:
		return t(key, n.Person.Name)
	}
	return t(key, n.SuffixLen)
}

// NearMissReport is a NearMiss as the CLI (lookup --explain --json) and the
// API (/api/v1/callers?explain=1) write it, so that both say the same.
type NearMissReport struct {
	ID           int64  `json:"id"`
	FriendlyName string `json:"friendlyname"`
	OrgName      string `json:"org_name"`
	Attribute    string `json:"attribute"`
	Stored       string `json:"stored"`
	SuffixLen    int    `json:"suffix_len"`
	Reason       string `json:"reason"`
	Why          string `json:"why"`
	// URL is the person's page; the API gives it, the CLI has no base URL.
	URL string `json:"url,omitempty"`
}

// Report returns the near miss as written out, its reason in words by t
// (a message catalog's T).
func (n *NearMiss) Report(t func(key string, args ...any) string) NearMissReport {
	return NearMissReport{ID: n.Person.ID, FriendlyName: n.Person.FriendlyName(), OrgName: n.Person.OrgName,
		Attribute: n.Attribute, Stored: n.Stored, SuffixLen: n.SuffixLen, Reason: n.Reason,
		Why: RejectReasonText(t, n)}
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
	// ExplainCallersByNumber is FindCallersByNumber, with the near misses:
	// the persons whose numbers share the caller's last
	// digits without matching, most digits in common first (at most
	// MaxNearMisses).
	ExplainCallersByNumber(ctx context.Context, number string) ([]*CallerMatch, []*NearMiss, error)
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
