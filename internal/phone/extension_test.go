package phone

import (
	"strings"
	"testing"
)

// TestExtensionMarkers cuts the extension at every marker of
// extensionMarkerTable, written as people write it: lower, upper and title
// case, with a space or glued to the extension.
func TestExtensionMarkers(t *testing.T) {
	n := MustNew(Options{DefaultRegion: "FR"})
	for _, m := range extensionMarkerTable {
		for _, marker := range []string{m.marker, strings.ToUpper(m.marker), strings.ToLower(m.marker)} {
			for _, raw := range []string{
				"01 23 45 67 89 " + marker + " 3864",
				"01 23 45 67 89 " + marker + "3864",
				"+33 1 23 45 67 89 " + marker + ": 3864 (secrétariat)",
			} {
				got := n.Parse(raw)
				if got.Extension != "3864" || got.E164 != "+33123456789" {
					t.Errorf("%s marker %q: Parse(%q) = %+v, want extension 3864 on +33123456789", m.lang, m.marker, raw, got)
				}
			}
		}
	}
}

// TestExtensionMarkersOfTheIssue are the numbers of issue 21 whose extension
// used to be glued onto the number.
func TestExtensionMarkersOfTheIssue(t *testing.T) {
	for _, tc := range []struct{ region, raw, e164, ext string }{
		{"FR", "01 23 26 39 62 poste 3864", "+33123263962", "3864"},
		{"DE", "030/190614 Durchwahl 5161", "", "5161"}, // 9 digits: maybe the last digits of a number
		{"DE", "007146 DW 3124", "", "3124"},
		{"FR", "01.23.32.81.51 p.6858", "+33123328151", "6858"},
		{"DE", "+49 (30) 847541 App. 750", "+4930847541", "750"},
		{"CH", "+41 21 274 74 34 intern 9151", "+41212747434", "9151"},
		{"BR", "(011) 3456-7890 ramal 21", "+551134567890", "21"},
		{"PL", "22 123 45 67 wew. 12", "+48221234567", "12"},
	} {
		got := MustNew(Options{DefaultRegion: tc.region}).Parse(tc.raw)
		if got.Extension != tc.ext || got.E164 != tc.e164 {
			t.Errorf("%s Parse(%q) = %+v, want extension %s, E.164 %q", tc.region, tc.raw, got, tc.ext, tc.e164)
		}
	}
}

// TestExtensionMarkersNeedAWord keeps markers from firing inside words.
func TestExtensionMarkersNeedAWord(t *testing.T) {
	n := MustNew(Options{DefaultRegion: "FR"})
	for _, raw := range []string{
		"01 23 45 67 89 international 12", // "intern" inside a word
		"01 23 45 67 89 Happ. 12",         // "App." inside a word
		"01 23 45 67 89 sp.12",            // "p." inside a word
	} {
		if got := n.Parse(raw); got.Extension != "" {
			t.Errorf("Parse(%q).Extension = %q, want none", raw, got.Extension)
		}
	}
}
