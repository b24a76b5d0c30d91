package phone

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libInputs returns digit strings that exercise every step of parsing in
// region: its example numbers of every type (so, valid ones), behind its
// national prefix, its country code with and without its international
// prefix, other countries' codes, then variants with digits changed, added
// and removed, and random digits.
func libInputs(region string, rnd *rand.Rand) []string {
	cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
	var nsns []string
	for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE,
		phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP,
		phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL} {
		if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
			nsns = append(nsns, phonenumbers.GetNationalSignificantNumber(ex))
		}
	}
	prefixes := []string{"", "0", "1", "00", "011", "0011", "8", "810", "15", "9", "01", "02", "0" + cc, cc, "00" + cc,
		"011" + cc, "+", "1" + cc, "44", "33", "49", "39", "7", "86", "800", "882", "0044", "01133"}
	var out []string
	for _, nsn := range nsns {
		for _, p := range prefixes {
			out = append(out, p+nsn)
		}
		for range 10 {
			b := []byte(nsn)
			switch rnd.IntN(4) {
			case 0:
				b[rnd.IntN(len(b))] = byte('0' + rnd.IntN(10))
			case 1:
				b = b[:max(1, len(b)-1-rnd.IntN(3))]
			case 2:
				b = append(b, byte('0'+rnd.IntN(10)))
			default:
				b = slices.Insert(b, rnd.IntN(len(b)), byte('0'+rnd.IntN(10)))
			}
			out = append(out, prefixes[rnd.IntN(len(prefixes))]+string(b))
		}
	}
	for range 40 {
		b := make([]byte, 3+rnd.IntN(17))
		for i := range b {
			b[i] = byte('0' + rnd.IntN(10))
		}
		out = append(out, string(b))
	}
	return out
}

// agree fails unless the fast path through libphonenumber (lib.go) gives the
// same results as phonenumbers' own functions for d, in both uses.
func agree(t *testing.T, n *Normalizer, d string) (fallbacks int) {
	t.Helper()
	if len(d) >= 3 && len(d) <= maxParseDigits {
		if _, s := libParse(true, d, n.region); s == libFallback {
			fallbacks++
		}
		if _, s := libParse(false, d, n.region); s == libFallback {
			fallbacks++
		}
	}
	if len(d) > maxParseDigits {
		// Not a number: ctidesk keeps its digits without asking
		// libphonenumber (see maxParseDigits).
		if got := n.international(d); got != "" {
			t.Errorf("region %s, international(%q) = %q, want none: too long", n.region, d, got)
		}
		return 0
	}
	if got, want := n.international(d), n.slowInternational(d); got != want {
		t.Errorf("region %s, international(%q) = %q, phonenumbers gives %q", n.region, d, got, want)
	}
	e, g := n.national(d)
	we, wg := n.slowNational(d)
	if e != we || g != wg {
		t.Errorf("region %s, national(%q) = %q, %q; phonenumbers gives %q, %q", n.region, d, e, g, we, wg)
	}
	return fallbacks
}

// TestLibAgreesWithPhonenumbers compares lib.go with phonenumbers in every
// region libphonenumber knows, on each region's example numbers and variants
// of them, with the phonenumbers release go.mod names: an upgrade of
// phonenumbers whose metadata or parsing lib.go no longer follows fails here
// (CI runs it in full) rather than silently changing matches.
func TestLibAgreesWithPhonenumbers(t *testing.T) {
	regions := []string{}
	for r := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	if testing.Short() {
		regions = []string{"US", "FR", "GB", "DE", "IT", "AR", "MX", "BR", "AU", "JP", "RU", "CN", "IN"}
	}
	rnd := rand.New(rand.NewPCG(4, 2))
	total, fallbacks := 0, 0
	for _, r := range regions {
		n := MustNew(Options{DefaultRegion: r})
		for _, d := range libInputs(r, rnd) {
			total++
			fallbacks += agree(t, n, d)
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d inputs in %d regions, %d left to phonenumbers", total, len(regions), fallbacks)
}

// FuzzLibAgreesWithPhonenumbers compares lib.go with phonenumbers on
// arbitrary digits in a few regions.
func FuzzLibAgreesWithPhonenumbers(f *testing.F) {
	for _, s := range []string{"12125550100", "0011234567890", "0123456789", "33123456789", "0442079460958",
		"01133123456789", "3906698", "5491187654321", "0115491187654321", "8800555"} {
		f.Add(s, uint8(0))
	}
	regions := []string{"US", "FR", "GB", "DE", "IT", "AR", "MX", "BR", "AU", "RU", "CN", "IN", "CH", "JP"}
	normalizers := map[string]*Normalizer{}
	for _, r := range regions {
		normalizers[r] = MustNew(Options{DefaultRegion: r})
	}
	f.Fuzz(func(t *testing.T, s string, region uint8) {
		var b []byte
		for i := 0; i < len(s) && len(b) <= maxParseDigits; i++ {
			if isDigit(s[i]) {
				b = append(b, s[i])
			}
		}
		agree(t, normalizers[regions[int(region)%len(regions)]], string(b))
	})
}

// BenchmarkLib compares the two paths on the inputs of a lookup.
func BenchmarkLib(b *testing.B) {
	n := MustNew(Options{})
	inputs := []string{"12125550100", "2125550100", "33612345678", "442079460958", "11234567890"}
	b.Run("lib", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			n.international(inputs[i%len(inputs)])
		}
	})
	b.Run("phonenumbers", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			n.slowInternational(inputs[i%len(inputs)])
		}
	})
}

// TestLibCompilesAllMetadata compiles the patterns of every region and
// non-geographic entity, which lib.go does at first use of each.
func TestLibCompilesAllMetadata(t *testing.T) {
	libInit()
	for r := range libMetadata.regions {
		if metaForRegion(r) == nil {
			t.Errorf("no metadata for region %s", r)
		}
	}
	for cc := range libMetadata.nonGeo {
		if metaForNonGeo(cc) == nil {
			t.Errorf("no metadata for calling code %d", cc)
		}
	}
	if len(libMetadata.regions) < 200 || len(libMetadata.nonGeo) < 5 {
		t.Errorf("%d regions and %d non-geographic entities, want all of them", len(libMetadata.regions), len(libMetadata.nonGeo))
	}
}

// TestLibConcurrentFirstUse parses numbers of regions nobody used yet from
// many goroutines at once: each region's metadata is compiled at first use.
func TestLibConcurrentFirstUse(t *testing.T) {
	regions := []string{"NZ", "SG", "PL", "SE", "NO", "FI", "DK", "PT", "GR", "TR"}
	inputs := []string{"+6493001234", "+6561234567", "+48123456789", "+46812345678", "+4721234567",
		"+358912345678", "+4532123456", "+351212345678", "+302101234567", "+902121234567"}
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for g := range results {
		wg.Go(func() {
			for i, r := range regions {
				n := MustNew(Options{DefaultRegion: r})
				results[g] = append(results[g], n.Parse(inputs[i]).E164, n.Parse(inputs[(i+1)%len(inputs)]).E164)
			}
		})
	}
	wg.Wait()
	for g := range results {
		if !slices.Equal(results[g], results[0]) {
			t.Fatalf("goroutine %d: %v, goroutine 0: %v", g, results[g], results[0])
		}
	}
	for i, in := range inputs {
		if results[0][2*i] != in {
			t.Errorf("E164 of %q = %q", in, results[0][2*i])
		}
	}
}
