package phone_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// The 4me matrix: a person stored with any of these numbers is found from
// any of these callers (region US). Area code 123 is invalid for
// libphonenumber, so no E.164 form helps: suffix matching carries it all.
func TestMatch4meMatrix(t *testing.T) {
	n := normalizer(t, "US")
	stored := []string{"+1 (123) 456 7890", "123-456-7890", "4567890"}
	callers := []struct {
		value     string
		fromQuery bool
	}{
		{"+11234567890", false},
		{"0011234567890", false},
		{"4567890", false},
		{"1 123 456 7890", false},
		{"1%20123%20456%207890", true}, // %20 left in the query value
		{" 11234567890", true},         // '+' arrived as a space
	}
	for _, s := range stored {
		st := n.Parse(s)
		for _, c := range callers {
			var cl phone.Number
			if c.fromQuery {
				cl = n.FromQuery(c.value)
			} else {
				cl = n.Parse(c.value)
			}
			m, ok := n.Match(cl, st)
			if !ok {
				t.Errorf("caller %q does not match stored %q (%+v vs %+v)", c.value, s, cl, st)
				continue
			}
			if m.E164Equal {
				t.Errorf("caller %q vs stored %q: E164Equal without a valid number", c.value, s)
			}
			want := min(len(cl.Digits), len(st.Digits))
			if m.SuffixLen != want {
				t.Errorf("caller %q vs stored %q: SuffixLen %d, want %d", c.value, s, m.SuffixLen, want)
			}
			assertProbesFind(t, n, cl, st)
		}
	}
}

// National versus international forms, French and British, read with the
// country's own region (E.164 equal) and with region US (suffix only).
func TestMatchNationalVersusInternational(t *testing.T) {
	for _, tc := range []struct {
		region, stored, caller string
		e164Equal              bool
		suffixLen              int
	}{
		{"FR", "01 23 45 67 89", "+33123456789", true, 11},
		{"FR", "01 23 45 67 89", "0033123456789", true, 11},
		{"FR", "01 23 45 67 89", "0123456789", true, 11},
		{"FR", "+33 (0)1 23 45 67 89", "+33123456789", true, 11},
		{"FR", "+33 1 23 45 67 89", "01 23 45 67 89", true, 11},
		{"US", "01 23 45 67 89", "+33123456789", false, 9},
		{"US", "01 23 45 67 89", "0033123456789", false, 9},
		{"US", "01 23 45 67 89", "011 33 1 23 45 67 89", false, 9},
		{"US", "+33 (0)1 23 45 67 89", "0033123456789", true, 11},
		{"GB", "020 7946 0958", "+44 20 7946 0958", true, 12},
		{"GB", "020 7946 0958", "00442079460958", true, 12},
		{"GB", "+44 (0)20 7946 0958", "02079460958", true, 12},
		{"US", "020 7946 0958", "+44 20 7946 0958", false, 10},
		{"US", "020 7946 0958", "011 44 20 7946 0958", false, 10},
		{"DE", "030/1234567", "+49 30 1234567", true, 11},
		{"DE", "1234567", "+49 30 1234567", false, 7}, // stored without area code
		{"DE", "+49 (0)30 1234567", "0301234567", true, 11},
		{"US", "+1 (212) 555-0100", "2125550100", true, 11},
		{"US", "212-555-0100", "1 212 555 0100", true, 11},
		{"US", "555-0100", "+1 212 555 0100", false, 7},
	} {
		n := normalizer(t, tc.region)
		st, cl := n.Parse(tc.stored), n.Parse(tc.caller)
		m, ok := n.Match(cl, st)
		want := phone.Match{E164Equal: tc.e164Equal, SuffixLen: tc.suffixLen}
		if !ok || m.E164Equal != want.E164Equal || m.SuffixLen != want.SuffixLen {
			t.Errorf("%s: caller %q vs stored %q = %+v, %v; want %+v, true (%+v vs %+v)", tc.region, tc.caller, tc.stored, m, ok, want, cl, st)
		}
		assertProbesFind(t, n, cl, st)
	}
}

// Numbers that differ in any of their last 7 digits never match, whatever
// their formats and the region.
func TestMatchDifferingLast7NeverMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, region := range []string{"US", "FR", "GB", "DE"} {
		n := normalizer(t, region)
		for range 2000 {
			a := randomDigits(rng, 7+rng.IntN(6))
			b := []byte(a)
			pos := len(b) - 1 - rng.IntN(7)
			b[pos] = '0' + (b[pos]-'0'+1+byte(rng.IntN(9)))%10
			// b may also gain or lose leading digits: still a different tail.
			bs := randomDigits(rng, rng.IntN(4)) + string(b)
			na, nb := n.Parse(randomFormat(rng, a)), n.Parse(randomFormat(rng, bs))
			if m, ok := n.Match(na, nb); ok {
				t.Fatalf("%s: %q and %q differ in their last 7 digits but match: %+v (%+v vs %+v)", region, na.Raw, nb.Raw, m, na, nb)
			}
		}
	}
}

// Several people sharing a number (a switchboard, a family line) are all
// found, and rank equal: the store then orders them by name.
func TestMatchSharedNumbers(t *testing.T) {
	n := normalizer(t, "FR")
	people := []struct{ name, number string }{
		{"Zoé", "+33 1 23 45 67 89"},
		{"Adam", "01 23 45 67 89"},
		{"Marc", "01.23.45.67.89 ext. 14"},
		{"Other", "01 23 45 67 88"},
	}
	caller := n.Parse("+33123456789")
	var found []string
	var first phone.Match
	for _, p := range people {
		m, ok := n.Match(caller, n.Parse(p.number))
		if !ok {
			continue
		}
		if len(found) == 0 {
			first = m
		} else if m.Better(first) || first.Better(m) {
			t.Errorf("%s ranks differently (%+v) from %s (%+v) for the same number", p.name, m, found[0], first)
		}
		found = append(found, p.name)
	}
	if want := []string{"Zoé", "Adam", "Marc"}; !slices.Equal(found, want) {
		t.Errorf("shared number found %v, want %v", found, want)
	}
}

// A caller number with fewer significant digits than MinMatchDigits matches
// nothing, and the store is told not to probe.
func TestTooShort(t *testing.T) {
	for _, tc := range []struct {
		region string
		min    int
		raw    string
		short  bool
	}{
		{"US", 7, "", true},
		{"US", 7, "12", true},
		{"US", 7, "x12", true},
		{"US", 7, "456789", true},
		{"US", 7, "4567890", false},
		{"US", 7, "1-800-FLOWERS", true},
		{"US", 7, "0 45678", true},   // the trunk 0 is not significant
		{"US", 7, "0 456789", false}, // too short without its 0: the last 7 digits (issue 21, item 3)
		{"AT", 7, "12345", true},     // valid for libphonenumber, still too short
		{"US", 4, "4567", false},
		{"US", 10, "456 7890", true},
		{"US", 10, "123 456 7890", false},
		{"FR", 10, "01 23 45 67 89", true}, // nine national digits
		{"FR", 10, "+33 1 23 45 67 89", false},
	} {
		n, err := phone.New(phone.Options{DefaultRegion: tc.region, MinMatchDigits: tc.min})
		if err != nil {
			t.Fatal(err)
		}
		c := n.Parse(tc.raw)
		if got := n.TooShort(c); got != tc.short {
			t.Errorf("%s/%d TooShort(%q) = %v, want %v (%+v)", tc.region, tc.min, tc.raw, got, tc.short, c)
		}
		if !tc.short {
			continue
		}
		// Matches nothing, not even itself or a number ending with it.
		for _, other := range []string{tc.raw, "+1 212 555 0100", "+43 1 2345", "+1 (123) 4" + c.Digits, c.Digits} {
			o := n.Parse(other)
			if m, ok := n.Match(c, o); ok && !(n.Internal(c) && o.Digits == c.Digits && m.Rule == phone.RuleExtension) {
				t.Errorf("%s/%d: too short %q matches %q: %+v", tc.region, tc.min, tc.raw, other, m)
			}
		}
		if lo, hi, ok := n.SuffixRange(c); ok || lo != "" || hi != "" {
			t.Errorf("SuffixRange(too short %q) = %q, %q, %v; want no probe", tc.raw, lo, hi, ok)
		}
		if keys := n.ShorterKeys(c); keys != nil {
			t.Errorf("ShorterKeys(too short %q) = %q, want nil", tc.raw, keys)
		}
	}
}

func TestBetter(t *testing.T) {
	e10 := phone.Match{E164Equal: true, SuffixLen: 10}
	s11 := phone.Match{SuffixLen: 11}
	s10 := phone.Match{SuffixLen: 10}
	s7 := phone.Match{SuffixLen: 7}
	for _, tc := range []struct {
		a, b phone.Match
		want bool
	}{
		{e10, s11, true}, // E.164 equal beats a longer suffix, by rule (Match itself gives E.164-equal matches the full length)
		{s11, e10, false},
		{s11, s7, true}, // longer suffix beats shorter
		{s7, s11, false},
		{s10, s10, false}, // ties: neither
		{e10, e10, false},
		{phone.Match{E164Equal: true, SuffixLen: 12}, e10, true},
	} {
		if got := tc.a.Better(tc.b); got != tc.want {
			t.Errorf("%+v.Better(%+v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// Ranking as the store will do it: Better, then person name.
func TestRanking(t *testing.T) {
	n := normalizer(t, "US")
	people := []struct{ name, number string }{
		{"Local", "555-0100"},
		{"Junk prefix", "9 1 212 555 0100"}, // invalid, longest suffix: the whole caller
		{"National", "(212) 555-0100"},
		{"International", "+1 212 555 0100"},
		{"Also national", "212.555.0100 x3"},
		{"Other", "+1 212 555 0199"},
		{"Seven", "5 550 100"},
	}
	caller := n.Parse("+12125550100")
	type hit struct {
		name string
		m    phone.Match
	}
	var hits []hit
	for _, p := range people {
		if m, ok := n.Match(caller, n.Parse(p.number)); ok {
			hits = append(hits, hit{p.name, m})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].m.Better(hits[j].m) || hits[j].m.Better(hits[i].m) {
			return hits[i].m.Better(hits[j].m)
		}
		return hits[i].name < hits[j].name
	})
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%s %v/%d", h.name, h.m.E164Equal, h.m.SuffixLen))
	}
	want := []string{
		"Also national true/11",
		"International true/11",
		"National true/11",
		"Junk prefix false/11",
		"Local false/7",
		"Seven false/7",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ranking:\n\tgot  %q\n\twant %q", got, want)
	}
}

func TestReverseAndKeys(t *testing.T) {
	for in, want := range map[string]string{"": "", "1": "1", "12": "21", "11234567890": "09876543211"} {
		if got := phone.Reverse(in); got != want {
			t.Errorf("Reverse(%q) = %q, want %q", in, got, want)
		}
	}
	n := normalizer(t, "US")
	got := n.Parse("+1 (212) 555-0100 x12").Keys()
	want := phone.Keys{Digits: "12125550100", Reversed: "00105552121", E164: "+12125550100"}
	if got != want {
		t.Errorf("Keys = %+v, want %+v", got, want)
	}
}

func TestSuffixRangeAndShorterKeys(t *testing.T) {
	n := normalizer(t, "US")
	c := n.Parse("+1 123 456 7890")
	lo, hi, ok := n.SuffixRange(c)
	if !ok || lo != "09876543211" || hi != "09876543212" {
		t.Errorf("SuffixRange = %q, %q, %v", lo, hi, ok)
	}
	wantKeys := []string{"0987654", "09876543", "098765432", "0987654321"}
	if got := n.ShorterKeys(c); !slices.Equal(got, wantKeys) {
		t.Errorf("ShorterKeys = %q, want %q", got, wantKeys)
	}
	// A final 9 rolls over to ':', which sorts after every digit.
	lo, hi, _ = n.SuffixRange(n.Parse("912 555 0100"))
	if lo != "0010555219" || hi != "001055521:" {
		t.Errorf("SuffixRange(...9) = %q, %q", lo, hi)
	}
	// Exactly MinMatchDigits: the range alone, no shorter key.
	if got := n.ShorterKeys(n.Parse("4567890")); got != nil {
		t.Errorf("ShorterKeys(7 digits) = %q, want nil", got)
	}
}

// index simulates the store's side table: reversed-digit keys sorted as a
// B-tree index would keep them, probed by range and by exact keys.
type index struct {
	keys []string // sorted Reversed keys
	rows map[string][]int
}

func newIndex(numbers []phone.Number) *index {
	ix := &index{rows: map[string][]int{}}
	for i, x := range numbers {
		k := x.Keys().Reversed
		if _, ok := ix.rows[k]; !ok {
			ix.keys = append(ix.keys, k)
		}
		ix.rows[k] = append(ix.rows[k], i)
	}
	sort.Strings(ix.keys)
	return ix
}

// probe returns the rows found by `rkey >= lo AND rkey < hi` plus
// `rkey IN (shorter...)`, failing the test if a row comes back twice.
func (ix *index) probe(t *testing.T, n *phone.Normalizer, caller phone.Number) map[int]bool {
	t.Helper()
	found := map[int]bool{}
	add := func(k string) {
		for _, r := range ix.rows[k] {
			if found[r] {
				t.Fatalf("row %d found twice for caller %+v", r, caller)
			}
			found[r] = true
		}
	}
	lo, hi, ok := n.SuffixRange(caller)
	if !ok {
		return found
	}
	for i := sort.SearchStrings(ix.keys, lo); i < len(ix.keys) && ix.keys[i] < hi; i++ {
		add(ix.keys[i])
	}
	for _, k := range n.ShorterKeys(caller) {
		add(k)
	}
	return found
}

// assertProbesFind checks that the index probes for caller find stored.
func assertProbesFind(t *testing.T, n *phone.Normalizer, caller, stored phone.Number) {
	t.Helper()
	if !newIndex([]phone.Number{stored}).probe(t, n, caller)[0] {
		t.Errorf("index probes for %q miss stored %q (%+v vs %+v)", caller.Raw, stored.Raw, caller, stored)
	}
}

// The index probes (SuffixRange and ShorterKeys) find exactly the stored
// numbers that a brute-force suffix check accepts, which are exactly those
// Match accepts, over a few thousand random numbers built to share tails.
func TestProbesAgreeWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 10))
	// A few tails shared by many numbers, so that suffixes collide a lot.
	tails := make([]string, 40)
	for i := range tails {
		tails[i] = randomDigits(rng, 4+rng.IntN(5))
	}
	var raws []string
	for range 3000 {
		raws = append(raws, randomNumber(rng, tails))
	}
	for _, cfg := range []struct {
		region string
		min    int
	}{{"US", 7}, {"FR", 7}, {"GB", 8}, {"DE", 7}, {"US", 4}, {"FR", 10}} {
		n, err := phone.New(phone.Options{DefaultRegion: cfg.region, MinMatchDigits: cfg.min})
		if err != nil {
			t.Fatal(err)
		}
		stored := make([]phone.Number, len(raws))
		for i, r := range raws {
			stored[i] = n.Parse(r)
		}
		ix := newIndex(stored)
		matches := 0
		for ci := 0; ci < len(raws); ci += 7 {
			caller := n.Parse(raws[ci])
			found := ix.probe(t, n, caller)
			for si, st := range stored {
				short, long := caller.Digits, st.Digits
				if len(short) > len(long) {
					short, long = long, short
				}
				// The probes find every suffix; Match then drops numbers
				// of different countries.
				suffix := len(short) >= cfg.min && strings.HasSuffix(long, short)
				brute := suffix && !differentCountries(n, caller, st) ||
					n.Internal(caller) && n.Internal(st) && caller.Digits == st.Digits
				m, ok := n.Match(caller, st)
				if ok != brute || found[si] != suffix {
					t.Fatalf("%s/%d caller %q (%+v) vs stored %q (%+v): brute %v, Match %v %+v, probes %v",
						cfg.region, cfg.min, raws[ci], caller, raws[si], st, brute, ok, m, found[si])
				}
				if ok {
					matches++
					if want := len(short); m.E164Equal {
						if m.SuffixLen != len(caller.E164)-1 {
							t.Fatalf("E.164 equal SuffixLen %d, want %d", m.SuffixLen, len(caller.E164)-1)
						}
					} else if m.SuffixLen != want {
						t.Fatalf("SuffixLen %d, want %d", m.SuffixLen, want)
					}
					if m.E164Equal != (caller.E164 != "" && caller.E164 == st.E164) {
						t.Fatalf("E164Equal %v for %+v vs %+v", m.E164Equal, caller, st)
					}
				}
				if caller.E164 != "" && caller.E164 == st.E164 && !n.TooShort(caller) && !ok {
					t.Fatalf("equal E.164 but no match: %+v vs %+v", caller, st)
				}
			}
		}
		if matches < 300 {
			t.Errorf("%s/%d: only %d matches, the generator does not exercise matching", cfg.region, cfg.min, matches)
		}
	}
}

func randomDigits(rng *rand.Rand, k int) string {
	b := make([]byte, k)
	for i := range b {
		b[i] = '0' + byte(rng.IntN(10))
	}
	return string(b)
}

// randomNumber writes a number ending with one of tails in one of the
// forms people and phone systems use.
func randomNumber(rng *rand.Rand, tails []string) string {
	tail := tails[rng.IntN(len(tails))]
	var d string
	switch rng.IntN(8) {
	case 0: // US, valid area codes and the 4me one
		d = []string{"1212", "1415", "1123", "1206"}[rng.IntN(4)] + randomDigits(rng, 7-min(len(tail), 7)) + tail
	case 1: // French
		d = "33" + []string{"1", "6", "9"}[rng.IntN(3)] + randomDigits(rng, 8-min(len(tail), 8)) + tail
	case 2: // British
		d = "44" + []string{"20", "118", "7700"}[rng.IntN(3)] + randomDigits(rng, 7) + tail
	case 3: // German
		d = "49" + []string{"30", "89", "176"}[rng.IntN(3)] + randomDigits(rng, rng.IntN(4)) + tail
	default: // anything ending with the tail, of any length
		d = randomDigits(rng, rng.IntN(9)) + tail
	}
	if rng.IntN(5) == 0 { // truncated: a local number, a clipped caller ID
		d = d[rng.IntN(len(d)):]
	}
	return randomFormat(rng, d)
}

// randomFormat writes digits d (country code first when it has one) in a
// random form: with '+', 00, 011, a trunk 0, separators, an extension.
func randomFormat(rng *rand.Rand, d string) string {
	var b strings.Builder
	switch rng.IntN(6) {
	case 0:
		b.WriteString("+")
	case 1:
		b.WriteString("00")
	case 2:
		b.WriteString("011 ")
	case 3:
		b.WriteString("0")
	}
	seps := []string{"", " ", "-", ".", "/", " (0)"}
	sep := seps[rng.IntN(len(seps))]
	for i := 0; i < len(d); i++ {
		if i > 0 && i%3 == 0 {
			if sep == " (0)" {
				b.WriteString(" ")
			} else {
				b.WriteString(sep)
			}
		}
		b.WriteByte(d[i])
		if i == 1 && sep == " (0)" {
			b.WriteString(sep)
		}
	}
	switch rng.IntN(8) {
	case 0:
		b.WriteString(" x" + randomDigits(rng, 1+rng.IntN(4)))
	case 1:
		b.WriteString(";ext=" + randomDigits(rng, 2))
	case 2:
		b.WriteString(" ext. " + randomDigits(rng, 3))
	}
	s := b.String()
	if rng.IntN(10) == 0 {
		s = "tel:" + s
	}
	return s
}

// differentCountries reports whether a and b are different complete numbers,
// which never match by suffix.
func differentCountries(n *phone.Normalizer, a, b phone.Number) bool {
	if a.E164 == "" || b.E164 == "" || a.E164 == b.E164 {
		return false
	}
	_, rej := n.Explain(a, b)
	return rej == phone.RejectComplete
}
