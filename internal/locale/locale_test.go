package locale_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/locale"
)

// verb is one argument a format takes: its position and its verb.
var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0-9.]*([a-zA-Z%])`)

// verbs returns the verb of each argument of a format, by position.
func verbs(format string) map[int]byte {
	out := map[int]byte{}
	next := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[3] == "%" {
			continue
		}
		n := next
		if m[2] != "" {
			fmt.Sscan(m[2], &n)
		}
		v := m[3][0]
		if v == 'q' { // a quoted string may be quoted otherwise in another language
			v = 's'
		}
		out[n] = v
		next = n + 1
	}
	return out
}

// TestCatalogsComplete: every language has exactly the keys of English, no
// empty message, and each message takes the arguments the English one takes.
func TestCatalogsComplete(t *testing.T) {
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	codes := c.Codes()
	if len(codes) < 2 || codes[0] != locale.English || !slices.Contains(codes, "FR FR") {
		t.Fatalf("languages %v, want English first, French among them", codes)
	}
	en := c.Keys(locale.English)
	if len(en) < 300 {
		t.Fatalf("only %d English messages", len(en))
	}
	for _, code := range codes[1:] {
		keys := c.Keys(code)
		for _, k := range en {
			if !slices.Contains(keys, k) {
				t.Errorf("%s lacks %q", code, k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(en, k) {
				t.Errorf("%s has %q, which English has not", code, k)
			}
		}
		p, e := c.Printer(code), c.Printer(locale.English)
		for _, k := range en {
			msg, want := p.T(k), e.T(k)
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s: %q is empty", code, k)
			}
			if got, want := verbs(msg), verbs(want); !mapsEqual(got, want) {
				t.Errorf("%s: %q takes %v, English %v", code, k, got, want)
			}
		}
	}
}

func mapsEqual(a, b map[int]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// localized is an error with a message key, as desk.Error is.
type localized struct {
	key  string
	args []any
}

func (l *localized) Error() string               { return l.key }
func (l *localized) MessageKey() (string, []any) { return l.key, l.args }

func TestPrinter(t *testing.T) {
	c := locale.New(map[string]map[string]string{
		"EN US": {"greet": "Hello %s", "item": "%s %d: %s", "field.name": "Name", "error.internal.message": "Internal error.",
			"only.en": "English only"},
		"FR FR": {"greet": "Bonjour %s", "item": "%s %d : %s", "field.name": "Nom", "error.internal.message": "Erreur interne."},
	})
	fr := c.Printer("FR FR")
	inner := &localized{key: "greet", args: []any{"Ann"}}
	for _, tt := range []struct{ got, want string }{
		{fr.T("greet", "Ann"), "Bonjour Ann"},
		{fr.T("item", locale.Key("field.name"), 2, inner), "Nom 2 : Bonjour Ann"},
		{fr.Error(fmt.Errorf("wrapped: %w", inner)), "Bonjour Ann"},
		{fr.Error(errors.New("disk on fire")), "Erreur interne."},
		{fr.T("only.en"), "English only"},
		{fr.T("nope"), "nope"},
		{c.Printer("XX XX").T("greet", "Ann"), "Hello Ann"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if locale.Tag("FR FR") != "fr-FR" || locale.Tag("EN US") != "en-US" {
		t.Errorf("tags %q %q", locale.Tag("FR FR"), locale.Tag("EN US"))
	}
	args := []any{locale.Key("field.name")}
	fr.T("greet", args...)
	if args[0] != locale.Key("field.name") {
		t.Errorf("the caller's arguments were changed: %v", args)
	}
}
