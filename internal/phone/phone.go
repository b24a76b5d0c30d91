// Package phone turns phone numbers, as people store them and as phone
// systems send them, into match keys, and decides and ranks matches between a
// caller's number and stored numbers (docs/configuration.md, phone).
//
// The same number is written many ways: "+1 (123) 456 7890", "123-456-7890",
// "4567890", "0011234567890", "tel:+1-123-456-7890;ext=12". Exact comparison
// of E.164 forms alone (what Zendesk Talk does) misses most of them, and
// libphonenumber alone cannot help with numbers it finds invalid (area code
// 123 is not a real US area code, yet people do store "123-456-7890"). So a
// number gets two identities here:
//
//   - E164, when libphonenumber finds the number valid: the strongest
//     evidence, compared for equality;
//   - Digits, its significant digits (international and trunk prefixes
//     dropped): compared by suffix, the shorter against the longer, over at
//     least MinMatchDigits digits.
//
// The package is pure: no database. The store keeps the Keys of each stored
// number in a side table, probes it by index with SuffixRange and ShorterKeys
// (which between them find exactly what Match accepts), then ranks what it
// found with Match and Better, ties by person name.
package phone

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Defaults, as docs/configuration.md gives them: phone.default_region and phone.min_match_digits.
const (
	DefaultRegion         = "US"
	DefaultMinMatchDigits = 7
)

// Bounds of MinMatchDigits. Below 4 digits a suffix matches a large share of
// any directory (a pop would offer half the company); above 15 no real number
// has enough significant digits (E.164 allows 15), so suffix matching would
// silently never fire: both are configuration mistakes better reported at
// start-up.
const (
	minMinMatchDigits = 4
	maxMinMatchDigits = 15
)

// maxParseDigits bounds what is handed to libphonenumber: an E.164 number has
// at most 15 digits, plus at most 4 for an international prefix ("0011") and
// 5 for a national prefix with a carrier code written after the country code
// (China's "11000" in "00 86 11000 170 0000 0000", which libphonenumber reads
// as +86 170 0000 0000). Longer digit strings are not numbers and are kept as
// they are, which also keeps the cost of a hostile input (fuzzing, a pasted
// paragraph) linear.
const maxParseDigits = 24

// maxLastDigits is the longest number starting with 0 read as the last
// digits of a number rather than a trunk prefix and a number (see resolve).
const maxLastDigits = 8

// maxShortNational is the longest national number, trunk prefix included,
// that may be the last digits of a longer number ("062340191" is a valid
// German number, and the last 9 digits of +1 506 234 0191): such a number
// gets no E.164 form (see resolve).
const maxShortNational = 9

// Options configure a Normalizer. The zero value means the defaults.
type Options struct {
	// DefaultRegion is the ISO 3166-1 region ("US", "FR", "GB"...) whose
	// national conventions (trunk prefix, international prefix, numbering
	// plan) apply to numbers written without a country code. Case does not
	// matter. Empty means "US".
	DefaultRegion string
	// MinMatchDigits is the least number of significant digits a suffix match
	// must cover, and the least a caller number must have to be looked up at
	// all. 0 means 7; values outside 4..15 are refused by New.
	MinMatchDigits int
	// InternalDigits is the range of lengths of internal extensions: a
	// number of that many digits (and no E.164 form) is an extension, which
	// matches a stored number that is exactly that extension, never by
	// suffix. The zero value means 3 to 6; a maximum from MinMatchDigits up
	// is lowered to MinMatchDigits-1.
	InternalDigits Range
}

// Range is a range of numbers of digits, both ends included.
type Range struct{ Min, Max int }

// DefaultInternalDigits is the default of phone.internal_digits.
var DefaultInternalDigits = Range{3, 6}

// String writes r as the configuration does: "3-6".
func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Min, r.Max) }

// ParseRange reads a Range as the configuration writes it: "3-6", or "4"
// for a single length.
func ParseRange(s string) (Range, error) {
	lo, hi, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		hi = lo
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || a < 1 || b < a {
		return Range{}, fmt.Errorf("want a range of lengths such as 3-6, not %q", s)
	}
	return Range{a, b}, nil
}

// Normalizer parses and matches numbers under one set of Options. It holds
// only immutable configuration (libphonenumber's metadata is loaded once,
// globally, and its regexp cache is locked), so one Normalizer is safe for
// concurrent use by any number of goroutines.
type Normalizer struct {
	trunk    bool   // the region writes national numbers behind a trunk prefix other than its country code (0, 8, 06)
	region   string // upper case, known to libphonenumber
	min      int
	internal Range
	nanp     bool // region in the North American Numbering Plan: "011" is its international prefix
	// read remembers what Parse and FromQuery read lately (see readCache).
	read *readCache
}

// readCache remembers the numbers Parse and FromQuery read, by value: a call
// event looks its number up several times (its callers, the block list, each
// agent's notice, the callbacks), the three events of a call do it again,
// every call to one line names the same called number, and every inbound
// call compares its number with each number of the block list, while
// parsing a number costs libphonenumber tens of microseconds (7 % of a call
// event's CPU). The reading of a value depends on the Normalizer's options
// alone, fixed at New, so a remembered reading is the reading. It holds at
// most maxReadCache values: full, it starts anew.
type readCache struct {
	mu     sync.Mutex
	number map[readKey]Number
}

type readKey struct {
	query bool // FromQuery, else Parse
	value string
}

// maxReadCache bounds the values a Normalizer remembers (a few hundred
// kilobytes).
const maxReadCache = 4096

// maxReadValue is the longest value remembered: a phone number with an
// extension is shorter.
const maxReadValue = 64

// remember returns the reading of value by Parse (query false) or FromQuery,
// remembered or read now.
func (n *Normalizer) remember(query bool, value string) Number {
	read := n.parse
	if query {
		read = n.fromQuery
	}
	c := n.read
	if c == nil || len(value) > maxReadValue { // a Normalizer not made by New, a long text
		return read(value)
	}
	key := readKey{query, value}
	c.mu.Lock()
	num, ok := c.number[key]
	c.mu.Unlock()
	if ok {
		return num
	}
	num = read(value)
	c.mu.Lock()
	if len(c.number) >= maxReadCache {
		clear(c.number)
	}
	c.number[key] = num
	c.mu.Unlock()
	return num
}

// New checks opt and builds a Normalizer. It fails for a region unknown to
// libphonenumber (a typo there would otherwise silently disable every E.164
// match) and for MinMatchDigits outside 4..15.
func New(opt Options) (*Normalizer, error) {
	region := strings.ToUpper(strings.TrimSpace(opt.DefaultRegion))
	if region == "" {
		region = DefaultRegion
	}
	cc := phonenumbers.GetCountryCodeForRegion(region)
	if cc == 0 {
		return nil, fmt.Errorf("phone: unknown default region %q (want an ISO 3166-1 code such as US, FR, GB)", opt.DefaultRegion)
	}
	min := opt.MinMatchDigits
	if min == 0 {
		min = DefaultMinMatchDigits
	}
	if min < minMinMatchDigits {
		return nil, fmt.Errorf("phone: min match digits %d is below %d: short suffixes would match most of the directory", min, minMinMatchDigits)
	}
	if min > maxMinMatchDigits {
		return nil, fmt.Errorf("phone: min match digits %d is above %d: no number has that many significant digits", min, maxMinMatchDigits)
	}
	internal := opt.InternalDigits
	if internal == (Range{}) {
		internal = DefaultInternalDigits
	}
	// Extensions stay shorter than the suffixes, whatever MinMatchDigits is.
	internal.Max = internal.Max - max(0, internal.Max-min+1)
	if internal.Min < 1 || internal.Max < internal.Min {
		return nil, fmt.Errorf("phone: internal digits %s: want a range of lengths from 1 to below the min match digits (%d)", internal, min)
	}
	np := phonenumbers.GetNddPrefixForRegion(region, true)
	trunk := np != "" && np != strconv.Itoa(cc)
	return &Normalizer{region: region, min: min, nanp: cc == 1, internal: internal, trunk: trunk,
		read: &readCache{number: map[readKey]Number{}}}, nil
}

// MustNew is New for options known to be right (tests, constants); it panics
// on error.
func MustNew(opt Options) *Normalizer {
	n, err := New(opt)
	if err != nil {
		panic(err)
	}
	return n
}

// Options returns the effective options, defaults filled in, so that callers
// (the settings page, the reindex command) can show what is in force.
func (n *Normalizer) Options() Options {
	return Options{DefaultRegion: n.region, MinMatchDigits: n.min, InternalDigits: n.internal}
}

// Number is the parsed form of one number.
type Number struct {
	// Raw is the input exactly as given.
	Raw string
	// Digits are the significant digits, the ones suffix matching compares:
	// only ASCII digits, extension cut off, international prefix (+, 00, 011)
	// and national trunk 0 dropped.
	//
	// When E164 is known and the country code was written (after +, 00,
	// 011, or the region's own code without '+': "1 212 555 0100"), Digits
	// is E164 without its '+': country code and national significant number
	// ("12125550100"). When the country code was only inferred from the
	// default region ("212-555-0100", "01 23 45 67 89"), Digits is the
	// national significant number alone ("2125550100", "123456789"): digits
	// nobody wrote must not take part in suffix matching. Either way a
	// stored "+1 (212) 555-0100" and a caller "2125550100" match (equal
	// E.164, and one Digits ends the other), and in regions whose numbers
	// vary in length a local number stored without its area code still
	// matches the full number: libphonenumber finds "4567890" a valid German
	// number, and as "494567890" it would no longer be a suffix of
	// "+49 30 4567890".
	Digits string
	// Extension is the extension cut off the number ("12" from "x12",
	// "ext. 12", ";ext=12", "#12"), digits only; "" when there is none.
	// Matching ignores it: caller IDs rarely carry one, and the main line
	// is what identifies the organization.
	Extension string
	// E164 is the E.164 form ("+12125550100") when libphonenumber finds the
	// number valid, read with its own country code or else with the default
	// region; otherwise "". A number written without a country code only
	// gets one when its national significant number has at least
	// MinMatchDigits digits, the length below which a number matches nothing
	// (TooShort): libphonenumber finds some very short national numbers
	// valid (Austria "12345"), and an internal extension must not match
	// whoever is stored as +43 1 2345 through its E.164 form.
	//
	// Only a complete number has one: written with its country code, or
	// with its trunk prefix and more than maxShortNational digits, or in a
	// region written without trunk prefix (NANP). A local number without
	// its area code, or the last digits of a number ("4567890",
	// "062340191" in Germany), has none, so that it still matches the
	// complete number by suffix: two different complete numbers never
	// match (see Match).
	E164 string
}

// Parse reads a number as stored in a contact or as received from a phone
// system. It never fails: what it cannot make sense of still yields the
// digits it contains, which is what suffix matching needs.
//
// Rules, in order:
//   - digits from other scripts (fullwidth, Arabic-Indic) count as digits;
//   - a "<...>" wrapper (SIP From header), a "tel:", "sip:" or "sips:"
//     scheme, a SIP host ("@host") and URI parameters (";user=phone") are
//     dropped; ";ext=" gives the extension;
//   - else an extension marker of one of the languages in extensionMarkers
//     ("ext", "x", "#", "poste", "Durchwahl", "ramal"..., any case) after at
//     least one digit and followed by digits cuts the extension off;
//   - a "(0)", the trunk prefix some write after the country code
//     ("+33 (0)1 23 45 67 89"), is dropped;
//   - a '+' before the first digit marks the international form; every other
//     character is ignored: spaces, dots, dashes, slashes ("030/1234567"),
//     brackets, and letters (vanity numbers keep only their digits:
//     "1-800-FLOWERS" reads as "1800", too short to match anyone, which is
//     better than guessing a keypad mapping nobody stores);
//   - with fewer than 3 digits the digits are kept as they are;
//   - after a '+' or "00" the rest is parsed as an international number;
//     otherwise, or failing that, the digits are parsed as a national number
//     of the default region (libphonenumber also knows the region's own
//     international prefix: US "011", AU "0011"); failing that, a leading
//     "011" is taken as an international prefix (always in NANP regions,
//     elsewhere only before a valid international number: UK "0118" is
//     Reading); failing all, the digits are kept without their "+", "00"
//     or national trunk "0".
func (n *Normalizer) Parse(raw string) Number { return n.remember(false, raw) }

func (n *Normalizer) parse(raw string) Number {
	num := Number{Raw: raw}
	s := foldDigits(raw)
	s, ext, hasExt := splitURI(s)
	if !hasExt {
		s, ext = cutExtension(s)
	}
	num.Extension = ext
	s = dropParenZero(s)
	plus, d := digitsOf(s)
	n.resolve(&num, plus, d)
	return num
}

// FromQuery reads a number as it arrives in a URL query parameter (3CX
// "?phone=%CallerNumber%", ServiceNow "sysparm_caller_phone=") whose value
// has already been URL-decoded once by the HTTP server. Two accidents of
// that decoding are undone:
//   - an unencoded '+' in the URL became a space, so a leading space before
//     the first digit is read as '+' (" 33123456789" is +33123456789);
//   - a value encoded twice still holds escapes ("1%20123%20456%207890",
//     "%2B33..."), whose hex digits would otherwise count as number digits;
//     such a value is decoded once more, leaving '+' alone and any '%' not
//     followed by two hex digits as it is.
//
// Raw is the value as given.
func (n *Normalizer) FromQuery(value string) Number { return n.remember(true, value) }

func (n *Normalizer) fromQuery(value string) Number {
	s := value
	if hasEscape(s) {
		s = unescape(s)
	}
	trimmed := strings.TrimLeft(s, " \t")
	if len(trimmed) < len(s) && trimmed != "" && isDigit(trimmed[0]) {
		s = "+" + trimmed
	}
	num := n.parse(s)
	num.Raw = value
	return num
}

// resolve fills Digits and E164 from the digits d of a number, plus telling
// whether it was written in international form.
func (n *Normalizer) resolve(num *Number, plus bool, d string) {
	if len(d) < 3 {
		num.Digits = d
		return
	}
	if plus {
		if e := n.international(d); e != "" {
			num.E164, num.Digits = e, e[1:]
			return
		}
		num.Digits = d
		return
	}
	// The last 7 or 8 digits of a number, as a phone system that keeps only
	// those sends them, may start with 0 ("0853964"): no number written
	// with a trunk or international prefix is that short, so the 0 is a
	// digit of the number.
	if d[0] == '0' && len(d) >= n.min && len(d) <= maxLastDigits {
		num.Digits = d
		return
	}
	// "00" is the international prefix of most of the world, and no
	// national number starts with it (a trunk 0 is never followed by
	// another 0), so it is always an international prefix. libphonenumber
	// in region US reads "0011234567890" as +1 0011234567890: strip it here.
	if rest, ok := strings.CutPrefix(d, "00"); ok {
		if e := n.international(rest); e != "" {
			num.E164, num.Digits = e, e[1:]
			return
		}
		// Some regions' own international prefix starts with 00 (AU 0011),
		// which libphonenumber knows.
		if e, digits := n.national(d); e != "" {
			num.E164, num.Digits = e, digits
			return
		}
		num.Digits = rest
		return
	}
	if e, digits := n.national(d); e != "" {
		num.Digits = digits
		// Only a complete number gets its E.164 form: written with its
		// country code, or with a trunk prefix and long enough not to be
		// the last digits of another number, or where national numbers
		// are written without a trunk prefix (NANP). Others are a local
		// number without its area code or the last digits of a number
		// (Germany "4567890", "062340191"): their E.164 form would be a
		// guess, and would keep them from matching the complete number by
		// suffix (see Match).
		written := digits == e[1:]
		trunk := !written && digits != d
		// Where national numbers are written with a trunk prefix, a long
		// number written with neither it nor a country code is no way of
		// writing a number of the default region, though libphonenumber
		// may find it valid (in Germany, Russia's "8 (301) 125-99-17" reads
		// as 8301 1259917). When another region's national prefix reads it
		// (see foreignNational), that reading is kept.
		if n.trunk && !written && !trunk && len(d) > maxShortNational {
			if nsn := n.foreignNational(d); nsn != "" {
				num.Digits = nsn
				return
			}
		}
		if written || (trunk && len(d) > maxShortNational) || (!trunk && !n.trunk) {
			num.E164 = e
		}
		return
	}
	// "011" is NANP's international prefix, but elsewhere it can be the
	// start of a national number (UK 0118 is Reading), so outside NANP it is
	// only taken as a prefix when what follows is a valid international
	// number. (In NANP libphonenumber already stripped it for valid numbers.)
	if rest, ok := strings.CutPrefix(d, "011"); ok {
		if e := n.international(rest); e != "" {
			num.E164, num.Digits = e, e[1:]
			return
		}
		if n.nanp && len(rest) >= n.min {
			num.Digits = rest
			return
		}
	}
	// Another region's national prefix: RU "8 (301) 125-99-17".
	if nsn := n.foreignNational(d); nsn != "" {
		num.Digits = nsn
		return
	}
	// National trunk prefix: FR "01 23 45 67 89", UK "020 7946 0958". But
	// a number that would be too short without its 0 is not trunk and
	// number: it is the last digits of a number, as a phone system that
	// keeps only the last 7 or 8 sends them ("0853964").
	if rest, ok := strings.CutPrefix(d, "0"); ok && (len(rest) >= n.min || len(d) < n.min || n.validNational(d)) {
		d = rest
	}
	num.Digits = d
}

// international returns the E.164 form of d, digits written after an
// international prefix, or "" when libphonenumber does not find it valid.
func (n *Normalizer) international(d string) string {
	if len(d) < 3 || len(d) > maxParseDigits {
		return ""
	}
	x, status := libParse(true, d, n.region)
	switch status {
	case libError:
		return ""
	case libOK:
		if !libValid(x) {
			return ""
		}
		return x.e164()
	}
	return n.slowInternational(d)
}

// slowInternational is international through phonenumbers' own functions,
// for the cases lib.go leaves to them (and to compare with).
func (n *Normalizer) slowInternational(d string) string {
	p, err := phonenumbers.Parse("+"+d, n.region)
	if err != nil || !phonenumbers.IsValidNumber(p) {
		return ""
	}
	return phonenumbers.Format(p, phonenumbers.E164)
}

// national reads d in the default region. It returns the E.164 form and the
// Digits of d (see Number.Digits: without the country code when that was
// inferred from the region), or "", "" when libphonenumber does not find d
// valid, or when the country code was inferred and the national significant
// number is shorter than MinMatchDigits (see Number.E164).
func (n *Normalizer) national(d string) (e164, digits string) {
	if len(d) > maxParseDigits {
		return "", ""
	}
	x, status := libParse(false, d, n.region)
	switch status {
	case libError:
		return "", ""
	case libOK:
		if !libValid(x) {
			return "", ""
		}
		e164 = x.e164()
		if x.source != phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY {
			return e164, e164[1:] // see below
		}
		if len(x.nsn) < n.min {
			return "", ""
		}
		return e164, x.nsn
	}
	return n.slowNational(d)
}

// validNational reports whether d is a valid number of the default region,
// however short.
func (n *Normalizer) validNational(d string) bool {
	if len(d) > maxParseDigits {
		return false
	}
	x, status := libParse(false, d, n.region)
	switch status {
	case libError:
		return false
	case libOK:
		return libValid(x)
	}
	p, err := phonenumbers.Parse(d, n.region)
	return err == nil && phonenumbers.IsValidNumber(p)
}

// slowNational is national through phonenumbers' own functions, for the
// cases lib.go leaves to them (and to compare with).
func (n *Normalizer) slowNational(d string) (e164, digits string) {
	p, err := phonenumbers.ParseAndKeepRawInput(d, n.region)
	if err != nil || !phonenumbers.IsValidNumber(p) {
		return "", ""
	}
	e164 = phonenumbers.Format(p, phonenumbers.E164)
	if p.GetCountryCodeSource() != phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY {
		// Written: after the region's own international prefix (US
		// "011 33 1 23 45 67 89", FR "0033 1 23 45 67 89"), or the region's
		// country code without '+' (US "1 212 555 0100").
		return e164, e164[1:]
	}
	nsn := phonenumbers.GetNationalSignificantNumber(p)
	if len(nsn) < n.min {
		return "", ""
	}
	return e164, nsn
}

// isDigit reports whether b is an ASCII digit.
func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// foldDigits maps digits of other scripts to ASCII ones (and a fullwidth plus
// to '+'), so that a number typed with an East Asian or Arabic keyboard
// matches. Only the three digit blocks people actually type numbers in are
// handled; other runes go through unchanged and are later ignored.
func foldDigits(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '\uFF10' && r <= '\uFF19': // fullwidth
			b.WriteByte(byte('0' + r - '\uFF10'))
		case r >= '\u0660' && r <= '\u0669': // Arabic-Indic
			b.WriteByte(byte('0' + r - '\u0660'))
		case r >= '\u06F0' && r <= '\u06F9': // extended Arabic-Indic (Persian, Urdu)
			b.WriteByte(byte('0' + r - '\u06F0'))
		case r == '\uFF0B': // fullwidth plus
			b.WriteByte('+')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case, without allocating
// (strings.ToLower could also change byte offsets for non-ASCII input).
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// splitURI strips what a phone system wraps around a number: a "<...>"
// wrapper with a display name before it ("Bob" <sip:+33123@pbx>), a tel:,
// sip: or sips: scheme, a SIP host, and URI parameters, one of which may be
// the extension (RFC 3966 ";ext="). hasExt reports whether ";ext=" was found,
// in which case no other extension marker is looked for.
func splitURI(s string) (number, ext string, hasExt bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			inner := strings.TrimSpace(s[i+1 : i+j])
			if hasPrefixFold(inner, "tel:") || hasPrefixFold(inner, "sip:") || hasPrefixFold(inner, "sips:") {
				s = inner
			}
		}
	}
	for _, scheme := range [...]string{"tel:", "sip:", "sips:"} {
		if hasPrefixFold(s, scheme) {
			s = s[len(scheme):]
			break
		}
	}
	// The user part of a SIP URI; digits of the host (an IP address) must
	// not count.
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		params := s[i+1:]
		s = s[:i]
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			p = strings.TrimSpace(p)
			if hasPrefixFold(p, "ext=") {
				_, ext = digitsOf(p[len("ext="):])
				hasExt = true
			}
		}
	}
	return s, ext, hasExt
}

// dropParenZero removes a "(0)" (spaces allowed inside), the trunk prefix
// some people write after the country code: "+33 (0)1 23 45 67 89",
// "+44 (0)20 7946 0958". Kept, its 0 would sit between country code and
// national number and break both E.164 parsing and suffix matching.
func dropParenZero(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '(' {
			continue
		}
		k := i + 1
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if k >= len(s) || s[k] != '0' {
			continue
		}
		k++
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if k < len(s) && s[k] == ')' {
			s = s[:i] + " " + s[k+1:]
		}
	}
	return s
}

// digitsOf returns the ASCII digits of s and whether a '+' comes before the
// first of them.
func digitsOf(s string) (plus bool, digits string) {
	var b []byte
	seenDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if b == nil {
				b = make([]byte, 0, len(s)-i)
			}
			b = append(b, c)
			seenDigit = true
		case c == '+' && !seenDigit:
			plus = true
		}
	}
	return plus, string(b)
}

// hasEscape reports whether s holds a '%' followed by two hex digits.
func hasEscape(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2]) {
			return true
		}
	}
	return false
}

// unescape decodes each "%XX" of s once. Unlike url.QueryUnescape it keeps
// '+' (in a value already decoded once, a '+' is a real plus sign) and it
// never fails: a stray '%' stays as it is.
func unescape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
