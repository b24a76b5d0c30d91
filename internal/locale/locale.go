// Package locale holds ctidesk's messages in every language it speaks, one
// embedded JSON file per language (messages/en-US.json, messages/fr-FR.json),
// and renders them: page labels by key, and errors that carry a key and its
// arguments (desk.Error) rather than an English sentence.
//
// A message is a fmt format ("The number %q has fewer than %d digits."), or
// for a message about a count, an object with the forms "one" and "other"
// chosen by the count. Adding a language is adding one file: its name is the
// language's BCP 47 tag (de-DE.json), the language's code as users choose it
// is the tag in capitals with a space ("DE DE", as iTop writes it), and its
// "language.name" is its own name for itself. A test holds every file to the
// keys of the English one.
package locale

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed messages/*.json
var files embed.FS

// English is the code of the language of last resort: the first of Codes,
// and the language of logs, the command line and the API's messages.
const English = "EN US"

// Codes returns the codes of the languages ctidesk speaks ("EN US", "FR FR"),
// English first, then the others in the order of their file names.
func Codes() []string {
	entries, _ := fs.ReadDir(files, "messages") // embedded: cannot fail
	codes := []string{English}
	for _, e := range entries {
		if code := codeOf(e.Name()); code != English {
			codes = append(codes, code)
		}
	}
	return codes
}

// codeOf returns the code of a messages file: fr-FR.json is "FR FR".
func codeOf(file string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSuffix(file, path.Ext(file)), "-", " "))
}

// Tag returns the BCP 47 tag of a code ("FR FR" is fr-FR), for the lang
// attribute of pages.
func Tag(code string) string {
	lang, region, _ := strings.Cut(code, " ")
	if region == "" {
		return strings.ToLower(lang)
	}
	return strings.ToLower(lang) + "-" + region
}

// Key is a message key given as the argument of another message: it is
// rendered in the language of the message ("field.first_name" as "First
// name"), where a plain string would be shown as it is.
type Key string

// Localized is an error that carries a message key and its arguments, to be
// rendered in the reader's language (desk.Error is one).
type Localized interface {
	error
	MessageKey() (key string, args []any)
}

// message is one message: a format, or the forms of a count.
type message struct {
	format       string
	one, other   string
	hasCountForm bool
}

// Catalog holds the messages of every language.
type Catalog struct {
	codes    []string
	messages map[string]map[string]message // code -> key -> message
}

// Load reads the embedded messages files.
func Load() (*Catalog, error) {
	c := &Catalog{codes: Codes(), messages: map[string]map[string]message{}}
	entries, err := fs.ReadDir(files, "messages")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := fs.ReadFile(files, "messages/"+e.Name())
		if err != nil {
			return nil, err
		}
		msgs, err := parse(data)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %w", e.Name(), err)
		}
		c.messages[codeOf(e.Name())] = msgs
	}
	if c.messages[English] == nil {
		return nil, errors.New("locale: no English messages")
	}
	return c, nil
}

// New returns a catalog of the given messages (code -> key -> format),
// English among them, for tests of what renders messages.
func New(messages map[string]map[string]string) *Catalog {
	c := &Catalog{codes: []string{English}, messages: map[string]map[string]message{}}
	for code, msgs := range messages {
		if code != English {
			c.codes = append(c.codes, code)
		}
		c.messages[code] = map[string]message{}
		for k, v := range msgs {
			c.messages[code][k] = message{format: v}
		}
	}
	slices.Sort(c.codes[1:])
	return c
}

// MustLoad is Load for tests and start-up code that cannot go on without
// messages.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// parse reads a messages file: an object of keys to a format, or to an
// object with the forms "one" and "other".
func parse(data []byte) (map[string]message, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]message, len(raw))
	for key, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[key] = message{format: s}
			continue
		}
		var forms struct{ One, Other *string }
		if err := json.Unmarshal(v, &forms); err != nil || forms.One == nil || forms.Other == nil {
			return nil, fmt.Errorf("key %q: want a string, or an object with the strings one and other", key)
		}
		out[key] = message{one: *forms.One, other: *forms.Other, hasCountForm: true}
	}
	return out, nil
}

// Codes returns the codes of the catalog's languages, English first.
func (c *Catalog) Codes() []string { return slices.Clone(c.codes) }

// Keys returns the keys of a language's messages, sorted.
func (c *Catalog) Keys(code string) []string {
	var keys []string
	for k := range c.messages[code] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether key is an English message.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[English][key]
	return ok
}

// Printer renders the messages of one language.
type Printer struct {
	code    string
	catalog *Catalog
}

// Printer returns the printer of a language; an unknown code is English.
func (c *Catalog) Printer(code string) *Printer {
	if _, ok := c.messages[code]; !ok {
		code = English
	}
	return &Printer{code: code, catalog: c}
}

// Code returns the printer's language code.
func (p *Printer) Code() string { return p.code }

// lookup returns the message of key in the printer's language, else in
// English (a test keeps every language complete).
func (p *Printer) lookup(key string) (message, bool) {
	if m, ok := p.catalog.messages[p.code][key]; ok {
		return m, true
	}
	m, ok := p.catalog.messages[English][key]
	return m, ok
}

// T returns the message of key formatted with args; an unknown key shows as
// itself, which the tests prevent. Arguments that are Keys or Localized
// errors are rendered in the printer's language first.
func (p *Printer) T(key string, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return key
	}
	format := m.format
	if m.hasCountForm {
		format = m.other
	}
	return p.format(format, args)
}

// N returns the message of key in the form for count n ("1 organization",
// "2 organizations"), formatted with args (n is not among them unless
// given).
func (p *Printer) N(key string, n int, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return key
	}
	format := m.format
	if m.hasCountForm {
		format = m.other
		if p.one(n) {
			format = m.one
		}
	}
	return p.format(format, args)
}

// one reports whether n takes the singular form: in French 0 and 1 do, in
// English only 1.
func (p *Printer) one(n int) bool {
	if strings.HasPrefix(p.code, "FR ") {
		return n == 0 || n == 1
	}
	return n == 1
}

func (p *Printer) format(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	rendered := args
	for i, a := range args {
		var s string
		switch a := a.(type) {
		case Key:
			s = p.T(string(a))
		case Localized:
			s = p.Error(a)
		default:
			continue
		}
		if &rendered[0] == &args[0] {
			rendered = slices.Clone(args) // the caller's slice is left as it was
		}
		rendered[i] = s
	}
	return fmt.Sprintf(format, rendered...)
}

// Error returns the message of err for its reader: the message of its key
// when err carries one (a Localized error in its chain), else the message
// of an internal error, so that no detail of the implementation leaks.
func (p *Printer) Error(err error) string {
	var l Localized
	if errors.As(err, &l) {
		key, args := l.MessageKey()
		return p.T(key, args...)
	}
	return p.T("error.internal.message")
}
