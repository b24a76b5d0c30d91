package phone

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// This file is a faster path through libphonenumber for the one kind of input
// this package hands it: ASCII digits, with or without a leading '+'. It
// gives the same answers as phonenumbers.Parse / ParseAndKeepRawInput,
// IsValidNumber and Format(E164) (TestLibAgreesWithPhonenumbers and
// FuzzLibAgreesWithPhonenumbers compare them), about five times faster.
//
// Why: those calls cost 10 to 30 microseconds a number, most of it spent on
// work that cannot matter for digits (matching the extension and punctuation
// patterns), on building the same pattern strings and looking them up in a
// locked cache at every call, and on matching each number-type pattern twice.
// That was more than the whole budget of a caller lookup (20 us at the
// median then, docs/performance.md), and tripled the time of an import or a reindex.
//
// The steps below follow parseHelper, maybeExtractCountryCode,
// maybeStripNationalPrefixAndCarrierCode, testNumberLength, IsValidNumber and
// getNumberTypeHelper of github.com/nyaruka/phonenumbers v1.8.1 (MIT
// licence), reading the same metadata (phonenumbers.MetadataCollection) and
// compiling the same patterns once. When upgrading phonenumbers, run the
// comparison test and fuzzer.

// libNumber is a parsed number, as phonenumbers.PhoneNumber holds it.
type libNumber struct {
	cc     int
	nsn    string // national significant number, leading zeros included
	source phonenumbers.PhoneNumber_CountryCodeSource
}

// e164 is Format(E164) of a valid number.
func (x libNumber) e164() string { return "+" + strconv.Itoa(x.cc) + x.nsn }

// libDesc is a compiled phonenumbers.PhoneNumberDesc.
type libDesc struct {
	lengths      []int32
	localLengths []int32
	pattern      *regexp.Regexp // "^(?:pattern)$"
}

// matches is isNumberMatchingDesc.
func (d *libDesc) matches(nsn string) bool {
	if d == nil {
		return nsn == "" // an absent desc has the empty pattern
	}
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			if int32(len(nsn)) == l {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return d.pattern.MatchString(nsn)
}

// libMeta is the compiled metadata of a region or non-geographic entity.
type libMeta struct {
	cc            int
	general       *libDesc
	types         []*libDesc // number types, fixed line and mobile first (see hasType)
	leadingDigits *regexp.Regexp
	idd           *regexp.Regexp // international prefix, unanchored
	nationalPfx   *regexp.Regexp // national prefix for parsing, "^(?:...)"
	transformRule string
}

// libMetadata holds the compiled metadata, compiled once per region on first
// use (compiling all of it would cost a fraction of a second at start-up).
var libMetadata struct {
	once         sync.Once
	regions      map[string]*phonenumbers.PhoneMetadata
	nonGeo       map[int]*phonenumbers.PhoneMetadata
	callingCodes map[int]bool
	byID         sync.Map // region (string) or non-geographic calling code (int) -> *libMeta
}

func libInit() {
	libMetadata.once.Do(func() {
		libMetadata.regions = map[string]*phonenumbers.PhoneMetadata{}
		libMetadata.nonGeo = map[int]*phonenumbers.PhoneMetadata{}
		libMetadata.callingCodes = map[int]bool{}
		for cc := range phonenumbers.GetSupportedCallingCodes() {
			libMetadata.callingCodes[cc] = true
		}
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			panic(err) // phonenumbers itself panics at init if its data does not load
		}
		for _, m := range coll.GetMetadata() {
			if m.GetId() == "001" {
				libMetadata.nonGeo[int(m.GetCountryCode())] = m
			} else {
				libMetadata.regions[m.GetId()] = m
			}
		}
	})
}

// metaForRegion is getMetadataForRegion, compiled; nil for an unknown region.
func metaForRegion(region string) *libMeta {
	if m, ok := libMetadata.byID.Load(region); ok {
		return m.(*libMeta)
	}
	libInit()
	pm := libMetadata.regions[region]
	if pm == nil {
		return nil
	}
	m := compileMeta(pm)
	v, _ := libMetadata.byID.LoadOrStore(region, m)
	return v.(*libMeta)
}

// metaForNonGeo is getMetadataForNonGeographicalRegion, compiled.
func metaForNonGeo(cc int) *libMeta {
	if m, ok := libMetadata.byID.Load(cc); ok {
		return m.(*libMeta)
	}
	libInit()
	pm := libMetadata.nonGeo[cc]
	if pm == nil {
		return nil
	}
	m := compileMeta(pm)
	v, _ := libMetadata.byID.LoadOrStore(cc, m)
	return v.(*libMeta)
}

// metaForRegionOrCallingCode is getMetadataForRegionOrCallingCode.
func metaForRegionOrCallingCode(cc int, region string) *libMeta {
	if region == "001" {
		return metaForNonGeo(cc)
	}
	return metaForRegion(region)
}

func compileDesc(d *phonenumbers.PhoneNumberDesc) *libDesc {
	if d == nil {
		return nil
	}
	return &libDesc{
		lengths:      d.PossibleLength,
		localLengths: d.PossibleLengthLocalOnly,
		pattern:      regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$"),
	}
}

func compileMeta(pm *phonenumbers.PhoneMetadata) *libMeta {
	m := &libMeta{
		cc:            int(pm.GetCountryCode()),
		general:       compileDesc(pm.GetGeneralDesc()),
		transformRule: pm.GetNationalPrefixTransformRule(),
	}
	// getNumberTypeHelper tries premium rate, toll free, shared cost, VoIP,
	// personal, pager, UAN, voicemail, fixed line, then mobile unless it has
	// the fixed line's pattern. Which type matches does not matter here,
	// only whether one does, so the common ones go first.
	types := []*phonenumbers.PhoneNumberDesc{pm.GetFixedLine()}
	if !pm.GetSameMobileAndFixedLinePattern() {
		types = append(types, pm.GetMobile())
	}
	types = append(types, pm.GetPremiumRate(), pm.GetTollFree(), pm.GetSharedCost(), pm.GetVoip(),
		pm.GetPersonalNumber(), pm.GetPager(), pm.GetUan(), pm.GetVoicemail())
	for _, d := range types {
		m.types = append(m.types, compileDesc(d))
	}
	if ld := pm.GetLeadingDigits(); ld != "" {
		m.leadingDigits = regexp.MustCompile("^(?:" + ld + ")")
	}
	idd := pm.GetInternationalPrefix()
	if idd == "" {
		idd = "NonMatch" // as maybeExtractCountryCode: a prefix that never matches digits
	}
	m.idd = regexp.MustCompile(idd)
	if p := pm.GetNationalPrefixForParsing(); p != "" {
		m.nationalPfx = regexp.MustCompile("^(?:" + p + ")")
	}
	if m.general == nil {
		m.general = &libDesc{pattern: regexp.MustCompile("^(?:)$")}
	}
	return m
}

// hasType is getNumberTypeHelper(nsn, m) != UNKNOWN.
func (m *libMeta) hasType(nsn string) bool {
	if !m.general.matches(nsn) {
		return false
	}
	for _, d := range m.types {
		if d.matches(nsn) {
			return true
		}
	}
	return false
}

// numberLength is testNumberLength(number, m, UNKNOWN), which reads the
// general desc.
func (m *libMeta) numberLength(number string) phonenumbers.ValidationResult {
	lengths, local := m.general.lengths, m.general.localLengths
	if len(lengths) == 0 || lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	n := int32(len(number))
	for _, l := range local {
		if l == n {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case lengths[0] == n:
		return phonenumbers.IS_POSSIBLE
	case lengths[0] > n:
		return phonenumbers.TOO_SHORT
	case lengths[len(lengths)-1] < n:
		return phonenumbers.TOO_LONG
	}
	for _, l := range lengths[1:] {
		if l == n {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode, without the
// carrier code nobody here reads.
func (m *libMeta) stripNationalPrefix(number string) string {
	if number == "" || m.nationalPfx == nil || !m.nationalPfx.MatchString(number) {
		return number
	}
	viable := m.general.pattern.MatchString(number)
	groups := m.nationalPfx.FindStringSubmatchIndex(number)
	numOfGroups := len(groups)/2 - 1
	if m.transformRule == "" || groups[numOfGroups*2] < 0 {
		if viable && !m.general.pattern.MatchString(number[groups[1]:]) {
			return number
		}
		return number[groups[1]:]
	}
	transformed := m.nationalPfx.ReplaceAllString(number, m.transformRule)
	if viable && !m.general.pattern.MatchString(transformed) {
		return number
	}
	return transformed
}

// extractCountryCode is extractCountryCode: the country calling code that
// starts full, and the rest, or 0.
func extractCountryCode(full string) (int, string) {
	if full == "" || full[0] == '0' {
		return 0, ""
	}
	libInit()
	for i := 1; i <= 3 && i <= len(full); i++ {
		cc, _ := strconv.Atoi(full[:i])
		if libMetadata.callingCodes[cc] {
			return cc, full[i:]
		}
	}
	return 0, ""
}

// extractResult is what maybeExtractCountryCode leaves.
type extractResult int

const (
	extractOK extractResult = iota
	extractTooShortAfterIDD
	extractInvalidCountryCode
)

// maybeExtractCountryCode is maybeExtractCountryCode on a number of ASCII
// digits with an optional leading '+' (normalize leaves those unchanged). It
// returns the country code (0: none written), the national number and the
// source.
func (def *libMeta) maybeExtractCountryCode(number string) (int, string, phonenumbers.PhoneNumber_CountryCodeSource, extractResult) {
	if number == "" {
		return 0, "", phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY, extractOK
	}
	full := number
	source := phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY
	if rest := strings.TrimLeft(number, "+"); len(rest) < len(number) {
		full, source = rest, phonenumbers.PhoneNumber_FROM_NUMBER_WITH_PLUS_SIGN
	} else if ind := def.idd.FindStringIndex(number); ind != nil && ind[0] == 0 &&
		(ind[1] == len(number) || number[ind[1]] != '0') {
		// parsePrefixAsIdd: not when the next digit is a 0, which no
		// country code starts with.
		full, source = number[ind[1]:], phonenumbers.PhoneNumber_FROM_NUMBER_WITH_IDD
	}
	if source != phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY {
		if len(full) <= phonenumbers.MIN_LENGTH_FOR_NSN {
			return 0, "", source, extractTooShortAfterIDD
		}
		if cc, national := extractCountryCode(full); cc != 0 {
			return cc, national, source, extractOK
		}
		return 0, "", source, extractInvalidCountryCode
	}
	ccs := strconv.Itoa(def.cc)
	if rest, ok := strings.CutPrefix(full, ccs); ok {
		potential := def.stripNationalPrefix(rest)
		fullValid := def.general.pattern.MatchString(full)
		nationalValid := def.general.pattern.MatchString(potential)
		if (!fullValid && nationalValid) || def.numberLength(full) == phonenumbers.TOO_LONG {
			return def.cc, potential, phonenumbers.PhoneNumber_FROM_NUMBER_WITHOUT_PLUS_SIGN, extractOK
		}
	}
	return 0, "", source, extractOK
}

// libStatus is how libParse ended.
type libStatus int

const (
	libOK       libStatus = iota
	libError              // phonenumbers.Parse returns an error
	libFallback           // a case left to phonenumbers itself
)

// libParse is parseHelper (as Parse and ParseAndKeepRawInput call it) on
// digits, all ASCII digits, written after a '+' when plus is set, in region.
// digits must have 3 to maxParseDigits digits (as resolve ensures): the
// viability checks of parseHelper then always pass, and digits hold no
// extension.
func libParse(plus bool, digits, region string) (libNumber, libStatus) {
	def := metaForRegion(region)
	if def == nil || len(digits) < 3 || len(digits) > maxParseDigits {
		return libNumber{}, libFallback
	}
	input := digits
	if plus {
		input = "+" + digits
	}
	cc, national, source, res := def.maybeExtractCountryCode(input)
	if res != extractOK {
		// parseHelper tries again without the '+', if there was one.
		if res != extractInvalidCountryCode || !plus {
			return libNumber{}, libError
		}
		cc, national, source, res = def.maybeExtractCountryCode(digits)
		if res != extractOK || cc == 0 {
			return libNumber{}, libError
		}
	}
	meta := def
	if cc != 0 {
		if r := phonenumbers.GetRegionCodeForCountryCode(cc); r != region {
			meta = metaForRegionOrCallingCode(cc, r)
		}
	} else {
		national = digits
		cc = def.cc
	}
	if len(national) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return libNumber{}, libError
	}
	if meta != nil {
		potential := meta.stripNationalPrefix(national)
		switch meta.numberLength(potential) {
		case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
		default:
			national = potential
		}
	}
	if len(national) < phonenumbers.MIN_LENGTH_FOR_NSN || len(national) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return libNumber{}, libError
	}
	// phonenumbers keeps the national number as an integer and a count of
	// leading zeros, which give back the same string
	// (setItalianLeadingZerosForPhoneNumber, GetNationalSignificantNumber),
	// but for a number of zeros only, whose value 0 makes Format return the
	// raw input: left to phonenumbers.
	if strings.Trim(national, "0") == "" {
		return libNumber{}, libFallback
	}
	return libNumber{cc: cc, nsn: national, source: source}, libOK
}

// libValid is IsValidNumber.
func libValid(x libNumber) bool {
	regions := phonenumbers.GetRegionCodesForCountryCode(x.cc)
	region := ""
	switch len(regions) {
	case 0:
		return false
	case 1:
		region = regions[0]
	default:
		for _, r := range regions {
			m := metaForRegion(r)
			if m == nil {
				continue
			}
			if m.leadingDigits != nil {
				if m.leadingDigits.MatchString(x.nsn) {
					region = r
					break
				}
			} else if m.hasType(x.nsn) {
				// IsValidNumberForRegion would check the same again: the
				// region has the number's country code (it is in its list).
				return true
			}
		}
	}
	m := metaForRegionOrCallingCode(x.cc, region)
	if m == nil || (region != "001" && x.cc != m.cc) {
		return false
	}
	return m.hasType(x.nsn)
}
