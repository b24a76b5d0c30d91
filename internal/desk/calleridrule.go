package desk

import (
	"strings"
	"time"
)

// CallerIDRule tells the phone system which caller id to present for an
// outbound call to the numbers Pattern matches: digits and +, with * for
// any run of characters ("+33*", "0044*", "*"). The first rule that
// matches, in ID order, wins.
type CallerIDRule struct {
	ID        int64     `json:"id"`
	Pattern   string    `json:"pattern"`
	CallerID  string    `json:"caller_id"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the rule.
func (r *CallerIDRule) Validate() error {
	r.Pattern = strings.TrimSpace(r.Pattern)
	r.CallerID = strings.TrimSpace(r.CallerID)
	switch {
	case r.Pattern == "":
		return Invalid("pattern", "error.number_pattern_required")
	case len(r.Pattern) > 64 || strings.Trim(r.Pattern, "0123456789+*#") != "":
		return Invalid("pattern", "error.number_pattern_form")
	case r.CallerID == "":
		return Invalid("caller_id", "error.caller_id_required")
	case len(r.CallerID) > 64 || strings.Trim(r.CallerID, "0123456789+ ") != "":
		return Invalid("caller_id", "error.caller_id_not_number")
	case len(r.Note) > 255:
		return Invalid("note", "error.note_too_long_255")
	}
	return nil
}

// Matches reports whether number (as the phone system sends it) is one the
// rule applies to: the pattern matches the number as given, spaces and
// punctuation left out.
func (r *CallerIDRule) Matches(number string) bool {
	var b strings.Builder
	for _, c := range strings.TrimSpace(number) {
		if (c >= '0' && c <= '9') || c == '+' || c == '#' {
			b.WriteRune(c)
		}
	}
	return wildcardMatch(r.Pattern, b.String())
}

// wildcardMatch reports whether s matches pattern, where * stands for any
// run of characters and every other character for itself.
func wildcardMatch(pattern, s string) bool {
	// Greedy with backtracking to the last star: linear in practice.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
