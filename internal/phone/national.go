package phone

import (
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/gentables -o national_table.go

// nationalPrefix is a region's national prefix for parsing (a pattern) and
// transform rule, as libphonenumber's metadata holds them: Russia's trunk
// "8", Hungary's "06", Argentina's "0" and mobile "15" (rewritten as 9 after
// the area code), Brazil's carrier codes, NANP's "1".
type nationalPrefix struct {
	region string
	cc     int
	prefix string // national_prefix_for_parsing
	rule   string // national_prefix_transform_rule, "" for none
}

// foreignNational reads d, digits that are no valid number of the default
// region, as a national number of another region written with that
// region's national prefix ("8 (301) 125-99-17", Russian), and returns its
// national significant number, or "" when no region reads it so. Without a
// country code the number stays a suffix to match ("3011259917" ends
// "+7 301 125 99 17"); the region is not guessed, so it gets no E.164 form.
//
// Every region of nationalPrefixTable whose prefix starts d is tried: the
// prefix must be stripped (or the number rewritten by the rule) to a
// shorter valid national number of that region, of at least MinMatchDigits
// digits. A prefix equal to the region's country code (NANP's "1") is not
// taken: such digits read better as country code and number, kept whole.
// When regions read d differently, the shortest reading is kept if the
// others end with it, else none.
func (n *Normalizer) foreignNational(d string) string {
	best := ""
	for _, e := range nationalPrefixesCompiled() {
		if !e.first[d[0]-'0'] {
			continue
		}
		m := metaForRegion(e.region)
		if m == nil || m.nationalPfx == nil {
			continue
		}
		nsn := m.stripNationalPrefix(d)
		// A trunk 0 alone is what resolve strips anyway: no need to
		// validate that reading here.
		if len(nsn) >= len(d) || len(nsn) < n.min || (d[0] == '0' && nsn == d[1:]) || !m.hasType(nsn) {
			continue
		}
		if e.rule == "" && d[:len(d)-len(nsn)] == strconv.Itoa(e.cc) {
			continue
		}
		switch {
		case best == "" || best == nsn:
			best = nsn
		case len(nsn) < len(best) && strings.HasSuffix(best, nsn):
			best = nsn
		case len(best) < len(nsn) && strings.HasSuffix(nsn, best):
		default:
			return "" // two readings, neither a shortening of the other
		}
	}
	return best
}

// nationalPrefixEntry is a row of nationalPrefixTable with the first digits
// its prefix pattern can start with, so that foreignNational tries only the
// few regions whose prefix may start the number (a regexp match costs a
// fraction of a microsecond, and the table has some 30 rows).
type nationalPrefixEntry struct {
	nationalPrefix
	first [10]bool
}

// nationalPrefixesCompiled returns the rows of nationalPrefixTable worth
// trying, computed once. NANP's rows are left out: their prefix is the
// country code 1, or a rule that prepends an area code to a 7-digit local
// number, and foreignNational takes neither.
var nationalPrefixesCompiled = sync.OnceValue(func() []nationalPrefixEntry {
	var out []nationalPrefixEntry
	for _, e := range nationalPrefixTable {
		if e.cc == 1 {
			continue
		}
		x := nationalPrefixEntry{nationalPrefix: e}
		re, err := syntax.Parse(e.prefix, syntax.Perl)
		if err != nil {
			x.first = [10]bool{true, true, true, true, true, true, true, true, true, true}
		} else if first, nullable := firstDigits(re.Simplify()); nullable {
			x.first = [10]bool{true, true, true, true, true, true, true, true, true, true}
		} else {
			x.first = first
		}
		out = append(out, x)
	}
	return out
})

// firstDigits returns the digits a match of re can start with, and whether
// re can match the empty string (then any digit can follow). Unknown
// operators count as matching anything.
func firstDigits(re *syntax.Regexp) (first [10]bool, nullable bool) {
	all := [10]bool{true, true, true, true, true, true, true, true, true, true}
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return first, true
		}
		if r := re.Rune[0]; r >= '0' && r <= '9' {
			first[r-'0'] = true
		}
		return first, false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], '0'); r <= min(re.Rune[i+1], '9'); r++ {
				first[r-'0'] = true
			}
		}
		return first, false
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpBeginLine, syntax.OpEndText, syntax.OpEndLine:
		return first, true
	case syntax.OpCapture, syntax.OpPlus:
		return firstDigits(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		f, _ := firstDigits(re.Sub[0])
		return f, true
	case syntax.OpRepeat:
		f, null := firstDigits(re.Sub[0])
		return f, null || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			f, null := firstDigits(sub)
			for i := range first {
				first[i] = first[i] || f[i]
			}
			if !null {
				return first, false
			}
		}
		return first, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			f, null := firstDigits(sub)
			for i := range first {
				first[i] = first[i] || f[i]
			}
			nullable = nullable || null
		}
		return first, nullable
	}
	return all, true
}
