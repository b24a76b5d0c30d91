package phone

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestNationalPrefixTableIsCurrent checks national_table.go against the
// metadata of the phonenumbers release in go.mod: after an upgrade that
// changes them, run go generate ./internal/phone.
func TestNationalPrefixTableIsCurrent(t *testing.T) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	var want []nationalPrefix
	for _, m := range coll.GetMetadata() {
		p := m.GetNationalPrefixForParsing()
		if m.GetId() == "001" || p == "" || p == "0" {
			continue
		}
		want = append(want, nationalPrefix{m.GetId(), int(m.GetCountryCode()), p, m.GetNationalPrefixTransformRule()})
	}
	slices.SortFunc(want, func(a, b nationalPrefix) int { return strings.Compare(a.region, b.region) })
	if !reflect.DeepEqual(nationalPrefixTable, want) {
		t.Errorf("national_table.go is stale: run go generate ./internal/phone")
	}
	for _, r := range []string{"RU", "BY", "HU", "AR", "KZ", "BR"} {
		if !slices.ContainsFunc(nationalPrefixTable, func(e nationalPrefix) bool { return e.region == r }) {
			t.Errorf("no national prefix for %s", r)
		}
	}
}

// TestForeignNationalPrefixes finds numbers written with another region's
// national prefix by their E.164 form, in the default regions that do not
// read them as their own numbers. In Germany "83011259917" is valid as
// 8301 1259917, but a German writes his numbers with their trunk 0: without
// it, the other region's reading is kept (issue 21, item 4). Hungary's
// "06 1 234 5678" is, in France and Germany, a number of their own written
// with its trunk 0: no one can tell.
func TestForeignNationalPrefixes(t *testing.T) {
	for _, tc := range []struct {
		stored, caller string
		regions        []string
	}{
		{"8 (301) 125-99-17", "+7 301 125 99 17", []string{"US", "FR", "DE", "GB"}}, // Russia
		{"8 017 123-45-67", "+375 17 123 45 67", []string{"US", "FR", "DE", "GB"}},  // Belarus
		{"8 (727) 258 34 34", "+7 727 258 3434", []string{"US", "FR", "DE", "GB"}},  // Kazakhstan
		{"06 1 234 5678", "+36 1 234 5678", []string{"US", "GB"}},                   // Hungary
		{"0351 15-234-5678", "+54 9 351 234 5678", []string{"US", "FR", "GB"}},      // Argentina, a mobile
		{"0 21 11 3456-7890", "+55 11 3456-7890", []string{"US", "FR", "GB"}},       // Brazil, carrier 21
	} {
		for _, region := range tc.regions {
			n := MustNew(Options{DefaultRegion: region})
			s, c := n.Parse(tc.stored), n.Parse(tc.caller)
			if m, ok := n.Match(c, s); !ok || m.Rule != RuleNational {
				t.Errorf("%s: stored %q (%+v) found by %q (%+v): %+v, %v; want the same national number",
					region, tc.stored, s, tc.caller, c, m, ok)
			}
		}
	}
}

// TestNationalPrefixFirstDigits checks the prefilter of foreignNational: the
// first digits it allows for a few prefixes, and that it never rules out a
// digit a prefix can start with.
func TestNationalPrefixFirstDigits(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		want   string
	}{
		{"8", "8"}, {"06", "0"}, {"0|80?", "08"}, {"[08]", "08"}, {"(?:0|90)(?:(1[245])(\\d{10,11}))?", "09"},
		{"(183[12])|0", "01"}, {"0?(?:(11)?15)?", "0123456789"}, // nullable: anything
	} {
		re, err := syntax.Parse(tc.prefix, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		first, null := firstDigits(re.Simplify())
		got := ""
		for i, ok := range first {
			if ok || null {
				got += strconv.Itoa(i)
			}
		}
		if got != tc.want {
			t.Errorf("firstDigits(%q) = %s, want %s", tc.prefix, got, tc.want)
		}
	}
	for _, e := range nationalPrefixesCompiled() {
		re := regexp.MustCompile("^(?:" + e.prefix + ")")
		for d := 0; d < 10; d++ {
			for _, rest := range []string{"", "0", "1", "5", "11", "15", "123456789", "0123456789", "2123456789"} {
				s := strconv.Itoa(d) + rest
				if loc := re.FindStringIndex(s); loc != nil && loc[1] > 0 && !e.first[d] {
					t.Errorf("%s: prefix %q matches %q, first digit ruled out", e.region, e.prefix, s)
				}
			}
		}
	}
}
