package phone

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// extensionMarker is a word people write between a number and its extension.
type extensionMarker struct {
	lang   string // BCP 47 language, for the tests and the docs
	marker string // as written; case does not matter
}

// extensionMarkerTable lists the extension markers of the languages ctidesk's
// users write numbers in. Markers ending in '.' are abbreviations and need
// their dot ("p." is a marker, "p" is not); a marker made of letters must
// start a word ("App." yes, "Happ." no), except "x", which people glue to
// the number ("0100x12"). Adding a language is adding rows here and a case
// to TestExtensionMarkers.
var extensionMarkerTable = []extensionMarker{
	{"en", "extension"}, {"en", "ext"}, {"en", "x"}, {"en", "#"},
	{"fr", "poste"}, {"fr", "p."},
	{"de", "Durchwahl"}, {"de", "DW"}, {"de", "App."}, {"de", "Apparat"}, {"de", "intern"}, {"de", "Nebenstelle"},
	{"nl", "toestel"}, {"nl", "tst."}, {"nl", "toestelnummer"},
	{"es", "extensión"}, {"es", "anexo"}, {"es", "interno"}, {"es", "int."},
	{"pt", "ramal"}, {"pt", "extensão"},
	{"it", "interno"}, {"it", "int."},
	{"sv", "anknytning"}, {"sv", "ankn."},
	{"da", "lokal"}, {"da", "lok."},
	{"nb", "linje"},
	{"fi", "alanumero"},
	{"pl", "wewnętrzny"}, {"pl", "wew."}, {"pl", "wewn."},
	// Beyond the languages of issue 21, for the regions of its corpus.
	{"en", "extn"}, {"de", "Klappe"}, {"pt", "r."},
	{"ru", "доб."}, {"ru", "добавочный"}, {"hu", "mellék"},
	{"ja", "内線"}, {"zh", "转"}, {"zh", "分机"},
}

// extensionMarkers are the distinct markers of extensionMarkerTable, longest
// first, so that "extension" is not read as "ext" followed by "ension".
var extensionMarkers = func() []string {
	var ms []string
	for _, m := range extensionMarkerTable {
		if !slices.ContainsFunc(ms, func(s string) bool { return strings.EqualFold(s, m.marker) }) {
			ms = append(ms, m.marker)
		}
	}
	slices.SortStableFunc(ms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return ms
}()

// cutExtension cuts an extension off s at the first marker that follows at
// least one digit and is followed (after spaces, '.', ':', '=' or '-') by a
// digit; the extension is that run of digits, and anything after it is
// dropped ("x12 (desk)"). Requiring digits on both sides keeps "Fax: ..."
// and vanity letters ("1-800-TAXI") from being read as markers.
func cutExtension(s string) (number, ext string) {
	sawDigit := false
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			sawDigit = true
			continue
		}
		if !sawDigit {
			continue
		}
		for _, m := range extensionMarkers {
			if !hasPrefixFold(s[i:], m) || (len(m) > 1 && isLetter(m[0]) && letterBefore(s, i)) {
				continue
			}
			j := i + len(m)
			if isLetter(m[len(m)-1]) && letterAt(s, j) {
				continue // "intern" in "international": not a marker
			}
			for j < len(s) && strings.IndexByte(" \t.:=-", s[j]) >= 0 {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				k := j
				for k < len(s) && isDigit(s[k]) {
					k++
				}
				return s[:i], s[j:k]
			}
			break // a longer marker matched but no digits follow: neither do they for a shorter one
		}
	}
	return s, ""
}

// isLetter reports whether the byte b starts a letter (any non-ASCII byte
// counts: every marker's letters are in words of letters).
func isLetter(b byte) bool {
	return b >= 0x80 || (b|0x20 >= 'a' && b|0x20 <= 'z')
}

// letterBefore reports whether the rune ending just before s[i] is a letter.
func letterBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && unicode.IsLetter(r)
}

// letterAt reports whether the rune starting at s[j] is a letter.
func letterAt(s string, j int) bool {
	r, _ := utf8.DecodeRuneInString(s[j:])
	return j < len(s) && unicode.IsLetter(r)
}
