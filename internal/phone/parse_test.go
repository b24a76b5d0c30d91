package phone_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// normalizer builds a Normalizer for a region with the default
// MinMatchDigits, failing the test on error.
func normalizer(t testing.TB, region string) *phone.Normalizer {
	t.Helper()
	n, err := phone.New(phone.Options{DefaultRegion: region})
	if err != nil {
		t.Fatalf("New(%q): %v", region, err)
	}
	return n
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		opt     phone.Options
		want    phone.Options
		wantErr string
	}{
		{opt: phone.Options{}, want: phone.Options{DefaultRegion: "US", MinMatchDigits: 7, InternalDigits: phone.Range{3, 6}}},
		{opt: phone.Options{DefaultRegion: "fr"}, want: phone.Options{DefaultRegion: "FR", MinMatchDigits: 7, InternalDigits: phone.Range{3, 6}}},
		{opt: phone.Options{DefaultRegion: " GB ", MinMatchDigits: 9}, want: phone.Options{DefaultRegion: "GB", MinMatchDigits: 9, InternalDigits: phone.Range{3, 6}}},
		{opt: phone.Options{MinMatchDigits: 4}, want: phone.Options{DefaultRegion: "US", MinMatchDigits: 4, InternalDigits: phone.Range{3, 3}}}, // kept below the suffixes
		{opt: phone.Options{MinMatchDigits: 15}, want: phone.Options{DefaultRegion: "US", MinMatchDigits: 15, InternalDigits: phone.Range{3, 6}}},
		{opt: phone.Options{InternalDigits: phone.Range{4, 5}}, want: phone.Options{DefaultRegion: "US", MinMatchDigits: 7, InternalDigits: phone.Range{4, 5}}},
		{opt: phone.Options{InternalDigits: phone.Range{3, 7}}, want: phone.Options{DefaultRegion: "US", MinMatchDigits: 7, InternalDigits: phone.Range{3, 6}}},
		{opt: phone.Options{InternalDigits: phone.Range{5, 6}, MinMatchDigits: 5}, wantErr: "internal digits 5-4"},
		{opt: phone.Options{InternalDigits: phone.Range{5, 4}}, wantErr: "internal digits 5-4"},
		{opt: phone.Options{DefaultRegion: "XX"}, wantErr: "unknown default region"},
		{opt: phone.Options{DefaultRegion: "001"}, wantErr: "unknown default region"}, // non-geographic: no national numbers
		{opt: phone.Options{DefaultRegion: "France"}, wantErr: "unknown default region"},
		{opt: phone.Options{MinMatchDigits: 3}, wantErr: "below 4"},
		{opt: phone.Options{MinMatchDigits: -1}, wantErr: "below 4"},
		{opt: phone.Options{MinMatchDigits: 16}, wantErr: "above 15"},
	} {
		n, err := phone.New(tc.opt)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New(%+v) error = %v, want one containing %q", tc.opt, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%+v): %v", tc.opt, err)
			continue
		}
		if got := n.Options(); got != tc.want {
			t.Errorf("New(%+v).Options() = %+v, want %+v", tc.opt, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		region, raw       string
		digits, ext, e164 string
	}{
		// The 4me examples, region US. Area code 123 does not exist, so
		// libphonenumber finds none of them valid: suffix matching carries them.
		{"US", "+1 (123) 456 7890", "11234567890", "", ""},
		{"US", "123-456-7890", "1234567890", "", ""},
		{"US", "4567890", "4567890", "", ""},
		{"US", "+11234567890", "11234567890", "", ""},
		{"US", "0011234567890", "11234567890", "", ""}, // libphonenumber alone: +10011234567890
		{"US", "1 123 456 7890", "11234567890", "", ""},
		{"US", "011 1 123 456 7890", "11234567890", "", ""}, // NANP international prefix, even when invalid
		// Valid US numbers. Country code written: Digits is E164 without '+';
		// inferred from the region: the national significant number.
		{"US", "+1 (212) 555-0100", "12125550100", "", "+12125550100"},
		{"US", "1 212 555 0100", "12125550100", "", "+12125550100"},
		{"US", "001 212 555 0100", "12125550100", "", "+12125550100"},
		{"US", "2125550100", "2125550100", "", "+12125550100"},
		{"US", "(212) 555-0100", "2125550100", "", "+12125550100"},
		{"US", "212.555.0100", "2125550100", "", "+12125550100"},
		{"US", "555-0100", "5550100", "", ""}, // a local number is not a valid US number
		// French, national and international, region FR and US.
		{"FR", "01 23 45 67 89", "123456789", "", "+33123456789"},
		{"FR", "+33 1 23 45 67 89", "33123456789", "", "+33123456789"},
		{"FR", "+33123456789", "33123456789", "", "+33123456789"},
		{"FR", "0033123456789", "33123456789", "", "+33123456789"},
		{"FR", "+33 (0)1 23 45 67 89", "33123456789", "", "+33123456789"},
		{"FR", "+33 ( 0 ) 1 23 45 67 89", "33123456789", "", "+33123456789"},
		{"FR", "+33 9 87 65 43 21", "33987654321", "", "+33987654321"},
		{"FR", "0987654321", "987654321", "", "+33987654321"},
		{"FR", "01.23.45.67.89", "123456789", "", "+33123456789"},
		{"US", "01 23 45 67 89", "123456789", "", ""}, // trunk 0 dropped without a valid parse
		{"US", "+33123456789", "33123456789", "", "+33123456789"},
		{"US", "0033123456789", "33123456789", "", "+33123456789"},
		{"US", "011 33 1 23 45 67 89", "33123456789", "", "+33123456789"},
		{"US", "+33 (0)1 23 45 67 89", "33123456789", "", "+33123456789"},
		// UK, region GB and US.
		{"GB", "020 7946 0958", "2079460958", "", "+442079460958"},
		{"GB", "+44 20 7946 0958", "442079460958", "", "+442079460958"},
		{"GB", "+44 (0)20 7946 0958", "442079460958", "", "+442079460958"},
		{"GB", "0044 20 7946 0958", "442079460958", "", "+442079460958"},
		{"GB", "0118 496 0000", "1184960000", "", "+441184960000"}, // Reading: 011 is not a prefix here
		{"US", "020 7946 0958", "2079460958", "", ""},
		{"US", "+44 20 7946 0958", "442079460958", "", "+442079460958"},
		{"US", "+44 (0)20 7946 0958", "442079460958", "", "+442079460958"},
		// Germany: slashes are separators (a Zammad complaint).
		{"DE", "030/1234567", "301234567", "", "+49301234567"},
		{"DE", "+49 30/1234567", "49301234567", "", "+49301234567"},
		{"DE", "+49 (0)30 1234567", "49301234567", "", "+49301234567"},
		{"US", "030/1234567", "301234567", "", ""},
		// A local number without its area code, which libphonenumber finds a
		// valid German number: its Digits stay a suffix of the full number,
		// and written without trunk prefix it is not complete: no E.164.
		{"DE", "4567890", "4567890", "", ""},
		{"DE", "030 4567890", "304567890", "", "+49304567890"},
		{"DE", "030 456789", "30456789", "", ""}, // may be the last 9 digits of a number
		// Austria: libphonenumber finds "12345" valid, but a national number
		// shorter than MinMatchDigits gets no E.164 form (it matches nothing).
		{"AT", "12345", "12345", "", ""},
		{"AT", "+43 1 2345", "4312345", "", "+4312345"},
		// URIs.
		{"US", "tel:+1-123-456-7890;ext=12", "11234567890", "12", ""},
		{"US", "TEL:+1-212-555-0100", "12125550100", "", "+12125550100"},
		{"US", "tel:+1-212-555-0100;phone-context=example.com;EXT=7", "12125550100", "7", "+12125550100"},
		{"US", "tel:5550100;phone-context=+1-212", "5550100", "", ""},
		{"US", "sip:+33123@host", "33123", "", ""},
		{"US", "sip:+33123456789@10.0.0.1;user=phone", "33123456789", "", "+33123456789"},
		{"US", "sips:+33123456789@pbx.example.com:5061", "33123456789", "", "+33123456789"},
		{"US", `"Bob 2" <sip:+33123456789@192.168.1.10>`, "33123456789", "", "+33123456789"},
		{"US", "<tel:+12125550100>", "12125550100", "", "+12125550100"},
		{"US", "sip:1001@192.168.1.10", "1001", "", ""},
		// Letters: only digits count (vanity numbers too).
		{"US", "1-800-FLOWERS", "1800", "", ""},
		{"US", "1-800-TAXI", "1800", "", ""}, // the X of TAXI is no extension marker
		{"US", "Tel: +1 212 555 0100", "12125550100", "", "+12125550100"},
		{"US", "Fax: +1 212 555 0100", "12125550100", "", "+12125550100"},
		{"US", "+1 212 555 0100 (office)", "12125550100", "", "+12125550100"},
		// Digits of other scripts.
		{"FR", "０１ ２３ ４５ ６７ ８９", "123456789", "", "+33123456789"},
		{"FR", "＋٣٣١٢٣٤٥٦٧٨٩", "33123456789", "", "+33123456789"},
		// Fewer than 3 digits: as they are.
		{"US", "", "", "", ""},
		{"US", "+", "", "", ""},
		{"US", "12", "12", "", ""},
		{"US", "+1", "1", "", ""},
		{"US", "00", "00", "", ""},
		{"US", "0", "0", "", ""},
		{"US", "x12", "12", "", ""}, // no digit before the marker: not an extension
		{"US", "000", "0", "", ""},
		// Junk that is not a number at all still yields its digits.
		{"US", "+0 123 456 7890", "01234567890", "", ""},
		{"US", "99999999999999999999999999", "99999999999999999999999999", "", ""},
	} {
		n := normalizer(t, tc.region)
		got := n.Parse(tc.raw)
		want := phone.Number{Raw: tc.raw, Digits: tc.digits, Extension: tc.ext, E164: tc.e164}
		if got != want {
			t.Errorf("%s Parse(%q) =\n\t%+v, want\n\t%+v", tc.region, tc.raw, got, want)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	n := normalizer(t, "US")
	for _, raw := range []string{
		"+1 212 555 0100 x12",
		"+1 212 555 0100x12",
		"+1 212 555 0100 X12",
		"+1 212 555 0100 x 12",
		"+1 212 555 0100 x. 12",
		"+1 212 555 0100 ext12",
		"+1 212 555 0100 ext 12",
		"+1 212 555 0100 ext. 12",
		"+1 212 555 0100 Ext.12",
		"+1 212 555 0100 EXT: 12",
		"+1 212 555 0100 ext=12",
		"+1 212 555 0100 extension 12",
		"+1 212 555 0100 Extension: 12",
		"+1 212 555 0100 EXTENSION-12",
		"+1 212 555 0100;ext=12",
		"+1 212 555 0100 ;EXT=12",
		"+1 212 555 0100#12",
		"+1 212 555 0100 # 12",
		"+1 212 555 0100 x12 (front desk)",
		"tel:+1-212-555-0100;ext=12",
		"tel:+1-212-555-0100;ext=1-2",
		"sip:+12125550100;ext=12@pbx",
		"Fax: +1 212 555 0100 x12",
	} {
		got := n.Parse(raw)
		want := phone.Number{Raw: raw, Digits: "12125550100", Extension: "12", E164: "+12125550100"}
		if got != want {
			t.Errorf("Parse(%q) =\n\t%+v, want\n\t%+v", raw, got, want)
		}
	}
	// The extension is cut at the first marker only.
	if got := n.Parse("212 555 0100 x12 x34"); got.Extension != "12" || got.Digits != "2125550100" {
		t.Errorf("Parse(two markers) = %+v, want extension 12 on 2125550100", got)
	}
}

func TestFromQuery(t *testing.T) {
	us := normalizer(t, "US")
	for _, tc := range []struct {
		value, digits, e164 string
	}{
		// A '+' left unencoded in the URL arrives as a space.
		{" 33123456789", "33123456789", "+33123456789"},
		{"  33 1 23 45 67 89", "33123456789", "+33123456789"},
		{" 12125550100", "12125550100", "+12125550100"},
		{" 1 123 456 7890", "11234567890", ""},
		// Properly encoded, already decoded.
		{"+33123456789", "33123456789", "+33123456789"},
		{"1 123 456 7890", "11234567890", ""},
		// Still encoded (decoded once more): %20 and %2B digits must not count.
		{"1%20123%20456%207890", "11234567890", ""},
		{"%2B33123456789", "33123456789", "+33123456789"},
		{"%2b33%201%2023%2045%2067%2089", "33123456789", "+33123456789"},
		{"%2033123456789", "33123456789", "+33123456789"}, // an encoded space in front: the '+' lost one level up
		{"tel%3A%2B1-212-555-0100%3Bext%3D12", "12125550100", "+12125550100"},
		// No leading space before digits: nothing added.
		{" (212) 555-0100", "2125550100", "+12125550100"},
		{"2125550100 ", "2125550100", "+12125550100"},
		// A stray '%' is kept (and ignored, not a digit).
		{"100%", "100", ""},
		{"%2", "2", ""},
		{"", "", ""},
		{" ", "", ""},
	} {
		got := us.FromQuery(tc.value)
		if got.Raw != tc.value || got.Digits != tc.digits || got.E164 != tc.e164 {
			t.Errorf("FromQuery(%q) = %+v, want Digits %q, E164 %q, Raw as given", tc.value, got, tc.digits, tc.e164)
		}
	}
	if got := us.FromQuery("tel%3A%2B1-212-555-0100%3Bext%3D12"); got.Extension != "12" {
		t.Errorf("FromQuery(encoded tel URI).Extension = %q, want 12", got.Extension)
	}
}

// TestConcurrentUse runs one Normalizer from many goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	n := normalizer(t, "FR")
	inputs := []string{"01 23 45 67 89", "+33 1 23 45 67 89", "0033123456789", "tel:+1-123-456-7890;ext=12", " 33123456789"}
	want := make([]phone.Number, len(inputs))
	for i, in := range inputs {
		want[i] = n.Parse(in)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				for i, in := range inputs {
					if got := n.Parse(in); got != want[i] {
						t.Errorf("concurrent Parse(%q) = %+v, want %+v", in, got, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestFromQueryRemembered: Parse and FromQuery remember what they read, by
// Normalizer and apart from each other: a value read again, by another
// Normalizer, by the other function, by many goroutines at once, or after the
// memory filled up and started anew, reads as it did the first time.
func TestFromQueryRemembered(t *testing.T) {
	us, fr := normalizer(t, "US"), normalizer(t, "FR")
	values := []string{"0123456789", " 33123456789", "2125550100", "100", "+1 (212) 555-0100 x12", "1%20212%20555%200100"}
	want := map[*phone.Normalizer][]phone.Number{}
	for _, n := range []*phone.Normalizer{us, fr} {
		for _, v := range values {
			want[n] = append(want[n], n.FromQuery(v))
		}
	}
	if want[us][0] == want[fr][0] {
		t.Fatalf("0123456789 reads %+v in US and in France: the test needs a value read differently", want[us][0])
	}
	if got := us.Parse("+33123456789"); got.E164 != want[us][1].E164 || got.Digits != want[us][1].Digits {
		t.Fatalf("FromQuery(\" 33123456789\") %+v, Parse(\"+33123456789\") %+v", want[us][1], got)
	}
	// Parse reads the same values its own way (a leading space is no +).
	parsed := map[*phone.Normalizer][]phone.Number{}
	for _, n := range []*phone.Normalizer{us, fr} {
		for _, v := range values {
			parsed[n] = append(parsed[n], n.Parse(v))
		}
	}
	if parsed[us][1] == want[us][1] || parsed[us][1].E164 != "" {
		t.Fatalf("Parse(\" 33123456789\") %+v, FromQuery %+v: want a national number, not +33", parsed[us][1], want[us][1])
	}
	check := func(t *testing.T) {
		for _, n := range []*phone.Normalizer{fr, us} {
			for i, v := range values {
				if got := n.FromQuery(v); got != want[n][i] {
					t.Errorf("%s: FromQuery(%q) = %+v, want %+v", n.Options().DefaultRegion, v, got, want[n][i])
				}
				if got := n.Parse(v); got != parsed[n][i] {
					t.Errorf("%s: Parse(%q) = %+v, want %+v", n.Options().DefaultRegion, v, got, parsed[n][i])
				}
			}
		}
	}
	check(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				v := "+1212555" + strings.Repeat("0", 4-len(strconv.Itoa(i))) + strconv.Itoa(i) + strconv.Itoa(g)
				us.FromQuery(v)
				us.Parse(v)
			}
		})
	}
	wg.Wait()
	check(t)
}
