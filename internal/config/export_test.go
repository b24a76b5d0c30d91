package config

import (
	"strings"

	"github.com/ctidesk/ctidesk/internal/oql"
)

// ParsePHP parses src as one PHP value and returns it written back as PHP in
// a canonical form: array (key => value, ...) with single-quoted texts.
func ParsePHP(src string) (string, error) {
	v, err := parsePHPValue(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writePHP(&b, v)
	return b.String(), nil
}

// ParsePHPModule parses the telephony entry of an iTop configuration file and
// returns it in the canonical form of ParsePHP.
func ParsePHPModule(src string) (string, error) {
	v, err := parsePHPModule(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writePHP(&b, v)
	return b.String(), nil
}

func writePHP(b *strings.Builder, v *value) {
	switch v.kind {
	case vNull:
		b.WriteString("null")
	case vBool, vInt:
		b.WriteString(v.text)
	case vFloat:
		// A float keeps its kind when read back: 1e+06, 1.5, 2.0.
		if !strings.ContainsAny(v.text, ".eEIN") {
			b.WriteString(v.text + ".0")
		} else {
			b.WriteString(v.text)
		}
	case vString:
		b.WriteString(phpQuote(v.text))
	case vArray:
		b.WriteString("array (")
		for i, e := range v.entries {
			if i > 0 {
				b.WriteString(", ")
			}
			if e.intKey {
				b.WriteString(e.key)
			} else {
				b.WriteString(phpQuote(e.key))
			}
			b.WriteString(" => ")
			writePHP(b, e.value)
		}
		b.WriteString(")")
	}
}

func phpQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Distance is the edit distance used for suggestions.
func Distance(a, b string) int { return oql.Distance(a, b) }
