package phone_test

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// FuzzParse feeds arbitrary text to Parse and FromQuery in two regions and
// checks the invariants the store relies on: no panic, Digits and Extension
// only ASCII digits, E164 consistent with Digits, Reverse an involution,
// Match symmetric, and the index probes finding whatever Match accepts.
// Seeds: the f.Add calls and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"+1 (123) 456 7890", "0011234567890", "01 23 45 67 89", "+33 (0)1 23 45 67 89",
		"tel:+1-123-456-7890;ext=12", "sip:+33123@host", " 33123456789", "1%20123%20456%207890",
		"030/1234567", "1-800-FLOWERS", "x12", "",
	} {
		f.Add(s)
	}
	us := phone.MustNew(phone.Options{DefaultRegion: "US"})
	fr := phone.MustNew(phone.Options{DefaultRegion: "FR", MinMatchDigits: 8})
	fixed := []string{"+1 (123) 456 7890", "4567890", "+33 1 23 45 67 89", "01 23 45 67 89"}
	f.Fuzz(func(t *testing.T, s string) {
		if phone.Reverse(phone.Reverse(s)) != s {
			t.Fatalf("Reverse(Reverse(%q)) != itself", s)
		}
		for _, n := range []*phone.Normalizer{us, fr} {
			a, q := n.Parse(s), n.FromQuery(s)
			for _, x := range []phone.Number{a, q} {
				if x.Raw != s {
					t.Fatalf("Raw %q, want %q", x.Raw, s)
				}
				checkDigits(t, "Digits", x.Digits)
				checkDigits(t, "Extension", x.Extension)
				if x.E164 != "" {
					checkDigits(t, "E164", x.E164[1:])
					if x.E164[0] != '+' || len(x.E164) > 16 {
						t.Fatalf("E164 %q of %q", x.E164, s)
					}
					// Digits is E164 without '+', or the national significant
					// number that ends it.
					if len(x.Digits) > len(x.E164)-1 || x.E164[len(x.E164)-len(x.Digits):] != x.Digits {
						t.Fatalf("Digits %q do not end E164 %q (%q)", x.Digits, x.E164, s)
					}
					// An E.164 form parses back to itself.
					if again := n.Parse(x.E164); again.E164 != x.E164 || again.Digits != x.E164[1:] {
						t.Fatalf("Parse(%q) = %+v", x.E164, again)
					}
				}
				if phone.Reverse(phone.Reverse(x.Digits)) != x.Digits {
					t.Fatalf("Reverse(Reverse(%q)) != itself", x.Digits)
				}
			}
			others := []phone.Number{q, a}
			for _, o := range fixed {
				others = append(others, n.Parse(o))
			}
			for _, x := range []phone.Number{a, q} {
				for _, y := range others {
					m1, ok1 := n.Match(x, y)
					m2, ok2 := n.Match(y, x)
					if ok1 != ok2 || m1 != m2 {
						t.Fatalf("Match not symmetric: (%+v, %+v) = %+v %v, swapped %+v %v", x, y, m1, ok1, m2, ok2)
					}
					if ok1 && n.Internal(x) {
						if x.Digits != y.Digits {
							t.Fatalf("extension %+v matches %+v", x, y)
						}
						continue // found by an exact probe
					}
					if ok1 && n.TooShort(x) {
						t.Fatalf("too short %+v matches %+v", x, y)
					}
					if ok1 && !probesFind(n, x, y) {
						t.Fatalf("probes for %+v miss %+v", x, y)
					}
				}
			}
		}
	})
}

func checkDigits(t *testing.T, what, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			t.Fatalf("%s %q holds a non-digit", what, s)
		}
	}
}

// probesFind reports whether SuffixRange or ShorterKeys for caller reach the
// key of stored.
func probesFind(n *phone.Normalizer, caller, stored phone.Number) bool {
	k := stored.Keys().Reversed
	lo, hi, ok := n.SuffixRange(caller)
	if !ok {
		return false
	}
	if k >= lo && k < hi {
		return true
	}
	for _, s := range n.ShorterKeys(caller) {
		if s == k {
			return true
		}
	}
	return false
}
