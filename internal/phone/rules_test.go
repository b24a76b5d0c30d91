package phone_test

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// TestMatchRules checks each rule of Match on the examples of issue 21, with
// the rule and the reason of a rejection that the explanations show.
func TestMatchRules(t *testing.T) {
	for _, tc := range []struct {
		region, caller, stored string
		rule                   phone.Rule
		reject                 phone.Rejection
		suffixLen              int
	}{
		// Item 2: two complete numbers of different countries never match
		// by suffix.
		{"DE", "+1 506 210 8069", "05062/108069", "", phone.RejectComplete, 0},
		{"US", "+1 506 210 8069", "+49 5062 108069", "", phone.RejectDigits, 0},   // the 4 of 49 differs from the 1
		{"FR", "+49 1512 3456789", "01 23 45 67 89", "", phone.RejectComplete, 0}, // a German mobile, a French landline
		{"FR", "+44 20 7946 0958", "+33 9 79 46 09 58", "", phone.RejectDigits, 0},
		// Suffix matching stays for a side without a country code or a
		// shortened number.
		{"US", "+33 1 23 45 67 89", "01 23 45 67 89", phone.RuleNational, "", 9},
		{"US", "+33 1 23 45 67 89", "0033 1 23 45 67 89", phone.RuleE164, "", 11},
		{"DE", "+49 30 1234567", "1234567", phone.RuleSuffix, "", 7},
		{"US", "+1 212 555 0100", "555-0100", phone.RuleSuffix, "", 7},
		{"US", "2125550100", "+1 212 555 0100", phone.RuleE164, "", 11},
		{"US", "0123456789", "01 23 45 67 89", phone.RuleNational, "", 9},
		// Item 3: a short number starting with 0 is the last digits.
		{"US", "0853964", "+33 1 20 85 39 64", phone.RuleSuffix, "", 7},
		{"FR", "0853964", "+33 1 20 85 39 64", phone.RuleSuffix, "", 7},
		{"US", "08539641", "+33 1 08 53 96 41", phone.RuleSuffix, "", 8},
		{"GB", "0853964", "+44 20 7085 3964", phone.RuleSuffix, "", 7},
	} {
		n := phone.MustNew(phone.Options{DefaultRegion: tc.region})
		c, s := n.Parse(tc.caller), n.Parse(tc.stored)
		m, rej := n.Explain(c, s)
		if m.Rule != tc.rule || rej != tc.reject || (tc.rule != "" && m.SuffixLen != tc.suffixLen) {
			t.Errorf("%s: caller %q vs stored %q = %+v, %q; want rule %q, rejection %q, %d digits (%+v vs %+v)",
				tc.region, tc.caller, tc.stored, m, rej, tc.rule, tc.reject, tc.suffixLen, c, s)
		}
		if _, ok := n.Match(c, s); ok != (tc.rule != "") {
			t.Errorf("%s: Match(%q, %q) = %v, Explain says %q", tc.region, tc.caller, tc.stored, ok, rej)
		}
	}
}

// TestShortNumberWithZero: a PBX that sends only the last 7 digits, starting
// with 0, is no longer refused as too short; a valid national number that is
// too short still is.
func TestShortNumberWithZero(t *testing.T) {
	for _, tc := range []struct {
		region, raw string
		min         int
		short       bool
	}{
		{"US", "0853964", 7, false},
		{"FR", "0853964", 7, false},
		{"US", "085396", 7, true},
		{"FR", "01 23 45 67 89", 10, true}, // trunk and nine national digits
	} {
		n := phone.MustNew(phone.Options{DefaultRegion: tc.region, MinMatchDigits: tc.min})
		if got := n.TooShort(n.Parse(tc.raw)); got != tc.short {
			t.Errorf("%s/%d TooShort(%q) = %v, want %v (%+v)", tc.region, tc.min, tc.raw, got, tc.short, n.Parse(tc.raw))
		}
	}
}
