package phone

import "strings"

// Keys is what the store indexes for one stored number, one row of the side
// table of match keys (docs/configuration.md, phone).
type Keys struct {
	// Digits are Number.Digits, kept for display and debugging; no probe
	// uses them (a suffix probe on them would be a LIKE '%...' scan).
	Digits string
	// Reversed is Reverse(Digits), the key of both suffix probes: "ends
	// with" on Digits is "starts with" on Reversed, which an ordinary
	// B-tree index serves as a range.
	Reversed string
	// E164 is Number.E164, "" when unknown. It is read back with each row
	// found by the suffix probes, to rank it (Match, Better); matching needs
	// no index on it.
	E164 string
}

// Keys returns the match keys of a stored number. Numbers shorter than
// MinMatchDigits get keys too: no probe reaches them (see SuffixRange and
// ShorterKeys), and keeping them means a change of MinMatchDigits needs no
// reindex.
func (x Number) Keys() Keys {
	return Keys{Digits: x.Digits, Reversed: Reverse(x.Digits), E164: x.E164}
}

// Reverse returns digits in reverse order. It reverses bytes, which is right
// for Digits (ASCII only) and makes Reverse(Reverse(s)) == s for any s.
func Reverse(digits string) string {
	b := make([]byte, len(digits))
	for i := 0; i < len(digits); i++ {
		b[len(digits)-1-i] = digits[i]
	}
	return string(b)
}

// Match says how strongly a caller number matches a stored number.
type Match struct {
	// E164Equal: both numbers have the same E.164 form, the best match.
	E164Equal bool
	// SuffixLen is the length of the common suffix of the two Digits, which
	// is the whole of the shorter one; when E164Equal, the number of digits
	// of the E.164 form (the numbers are the same), so that all E.164-equal
	// matches of a caller tie.
	SuffixLen int
}

// Match reports whether caller matches stored and how strongly:
//   - if either has fewer than MinMatchDigits significant digits, no match
//     (a short number would match too many people);
//   - equal E.164 forms match with E164Equal set;
//   - otherwise the shorter Digits must be a suffix of the longer one; the
//     match is as strong as that suffix is long.
//
// Extensions are ignored. Match is symmetric: swapping caller and stored
// gives the same answer, so it can also compare two stored numbers (finding
// duplicates, people sharing a number).
func (n *Normalizer) Match(caller, stored Number) (Match, bool) {
	if len(caller.Digits) < n.min || len(stored.Digits) < n.min {
		return Match{}, false
	}
	short, long := caller.Digits, stored.Digits
	if len(short) > len(long) {
		short, long = long, short
	}
	if caller.E164 != "" && caller.E164 == stored.E164 {
		// The same number, whichever way each side was written: every
		// digit of the E.164 form is in common, so that people sharing a
		// number tie whatever form each was stored in (and are then
		// ordered by name). Digits of equal E.164 forms always end one
		// another (equal, or one is the national significant number of
		// the other), so the length check above applies to both alike.
		return Match{E164Equal: true, SuffixLen: len(caller.E164) - 1}, true
	}
	if !strings.HasSuffix(long, short) {
		return Match{}, false
	}
	return Match{SuffixLen: len(short)}, true
}

// Better reports whether a ranks before b: an equal E.164 form first, then
// the longer common suffix (the one with more digits in common, so "4567890"
// ranks after "123-456-7890" for a caller "+11234567890"). Neither is better
// when both are equal; such ties are resolved by the caller, by person name
// (docs/configuration.md, phone).
func (a Match) Better(b Match) bool {
	if a.E164Equal != b.E164Equal {
		return a.E164Equal
	}
	return a.SuffixLen > b.SuffixLen
}

// TooShort reports whether the caller number has fewer significant digits
// than MinMatchDigits. Such a number (an internal extension "12", a
// truncated caller ID) matches nothing; the pop then says the number is too
// short rather than offering everybody whose number ends with those digits.
func (n *Normalizer) TooShort(caller Number) bool {
	return len(caller.Digits) < n.min
}

// SuffixRange returns the range [lo, hi) of reversed-digit keys (Keys.Reversed)
// that a store probes with `rkey >= lo AND rkey < hi` to find every stored
// number whose Digits end with the caller's Digits, that is equal or longer
// stored numbers: a stored "+1 (123) 456 7890" ("11234567890", reversed
// "09876543211") for a caller "4567890" (reversed "0987654", the prefix).
// ok is false when the caller is TooShort; the store must not probe then.
//
// The keys starting with lo are exactly those in [lo, hi) where hi is lo with
// its last byte incremented ("0987654" -> "0987655"; a final '9' becomes ':',
// the byte after '9', which sorts after every digit). This is a plain range
// on a plain index, unlike SQLite's LIKE 'prefix%', which does not use one.
//
// Stored numbers SHORTER than the caller's are not in that range: a stored
// "4567890" (reversed "0987654") for a caller "11234567890" (reversed
// "09876543211") is a prefix of the caller's key, not the other way round.
// A key that is a prefix of the reversed caller digits can only be one of
// the prefixes themselves, so the store finds those with an exact probe
// `rkey IN (ShorterKeys(caller)...)`.
//
// The two probes return exactly the stored numbers Match accepts, each by
// index, without scanning; no probe on the E.164 column is needed, since
// numbers with equal E.164 forms always have Digits that end one another.
// The store reads E164 back with each row to rank the rows with Match and
// Better.
func (n *Normalizer) SuffixRange(caller Number) (lo, hi string, ok bool) {
	if n.TooShort(caller) {
		return "", "", false
	}
	lo = Reverse(caller.Digits)
	b := []byte(lo)
	b[len(b)-1]++ // Digits are ASCII digits, so no overflow past 0xff
	return lo, string(b), true
}

// ShorterKeys returns the reversed-digit keys of the stored numbers shorter
// than the caller's that Match accepts: the prefixes of Reverse(caller.Digits)
// of every length from MinMatchDigits to len(caller.Digits)-1, shortest
// first. The full length is left out because SuffixRange already covers
// stored numbers of the caller's length, so the two probes never return the
// same row. The store probes them with `rkey IN (...)`; there are at most
// 15-MinMatchDigits of them for a real number. nil when the caller is
// TooShort or has no digit beyond MinMatchDigits.
func (n *Normalizer) ShorterKeys(caller Number) []string {
	if n.TooShort(caller) || len(caller.Digits) == n.min {
		return nil
	}
	r := Reverse(caller.Digits)
	keys := make([]string, 0, len(r)-n.min)
	for l := n.min; l < len(r); l++ {
		keys = append(keys, r[:l])
	}
	return keys
}

// KeyRange returns the range [lo, hi) of reversed digits that holds every
// stored number matching the caller's significant digits (at least the
// minimum): those starting with reversed, the caller's digits reversed
// (stored numbers ending with the caller's), and reversed's prefixes of at
// least the minimum length (stored numbers the caller's ends with). Keys in
// the range that are neither share only the caller's last digits; a query
// drops them with `k >= reversed OR k is a prefix of reversed`.
func (n *Normalizer) KeyRange(digits string) (lo, hi, reversed string) {
	r := Reverse(digits)
	return r[:min(n.min, len(r))], r[:len(r)-1] + string(r[len(r)-1]+1), r
}
