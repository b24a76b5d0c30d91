package phone

import (
	"strconv"
	"strings"
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
	for i := range nationalPrefixTable {
		e := &nationalPrefixTable[i]
		m := metaForRegion(e.region)
		if m == nil || m.nationalPfx == nil || !m.nationalPfx.MatchString(d) {
			continue
		}
		nsn := m.stripNationalPrefix(d)
		if len(nsn) >= len(d) || len(nsn) < n.min || !m.hasType(nsn) {
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
