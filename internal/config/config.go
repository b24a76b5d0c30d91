// Package config is ctidesk's configuration (docs/configuration.md): the
// telephony settings of the iTop extension combodo-telephony-integration, in
// the same sections and with the same meaning, plus the server settings, read
// from ctidesk.yaml.
//
// The built-in defaults equal the extension's default configuration; a file
// overrides them key by key, and the environment overrides the file. A file is
// checked completely when it is loaded: unknown keys, classes and attributes,
// OQL errors, preset values of the wrong type, creations of abstract classes
// and outbound URLs that are not http(s) are all reported, each with its file,
// line and key, so that an administrator fixes everything in one pass.
//
// Every query is parsed once, at load; the Config holds the parsed queries,
// ready to be run many times. A Config is not modified after Load and is safe
// for concurrent use.
package config

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// FileName is the configuration file read when none is named.
const FileName = "ctidesk.yaml"

// DateTimeLayout is how $datetime$ is written, as iTop writes it.
const DateTimeLayout = "2006-01-02 15:04:05"

// Parameters every query and preset may use besides the URL parameters.
const (
	// ParamSelectedCaller is the id of the caller selected in the pop.
	ParamSelectedCaller = "selected_caller"
	// ParamCallersList is the ids of the selected callers: one, or all those
	// found ("All contacts found"). It is a list: IN (:callers_list).
	ParamCallersList = "callers_list"
	// ParamCurrentUser is the id of the user who answers the call.
	ParamCurrentUser = "current_user"
	// ParamCurrentContact is the id of the Person behind the current user.
	ParamCurrentContact = "current_contact"
	// ParamCurrentUserID and ParamCurrentContactID are iTop's names of
	// ParamCurrentUser and ParamCurrentContact.
	ParamCurrentUserID    = "current_user_id"
	ParamCurrentContactID = "current_contact_id"
)

// RequestParameter is the URL parameter attribute that names a ticket (by
// ref or id) rather than a Person attribute, as 4me's request=: its caller
// is selected and the ticket opened.
const RequestParameter = "request"

// Config is the whole configuration: the server settings and the telephony
// sections, in the order and with the names of the iTop extension.
type Config struct {
	// File is the file the configuration was read from; "" when it is the
	// built-in default.
	File string

	Server Server
	Phone  Phone
	Calls  Calls

	// URLParameters are the parameters the phone system puts in the pop URL,
	// each naming the Person attribute (or the ticket, for "request") it
	// holds, in the order written.
	URLParameters []URLParameter
	// LookupOrder says which parameter is tried first when several are
	// given: URL parameter names, or the attributes they map to.
	LookupOrder []string

	CallerInformation CallerInformation

	// DirectCreation lists the classes whose creation form the pop may open
	// at once; the first enabled one is used.
	DirectCreation []Creation
	// IndirectCreation lists the classes the agent may create from the pop,
	// in the order of the buttons.
	IndirectCreation []Creation

	DisplayTickets DisplayTickets

	// ECall is how an outbound call is launched from a ticket; nil when
	// ecall_parameters is not set, and then tickets have no call action.
	ECall *ECall

	// Warnings are what the file does that works but may surprise (a label
	// with a placeholder the pop URL may lack); config check prints them.
	Warnings Errors

	urlParamsPos position   // where url_parameters was set, for errors it causes elsewhere
	lookupPos    []position // of each name of LookupOrder
}

// Server holds the settings of the server process. Command-line flags and
// CTIDESK_* environment variables override them.
type Server struct {
	// Address is the host:port to listen on (--addr).
	Address string
	// Database is sqlite:PATH or a postgres:// URL (--db).
	Database string
	// SessionSecret, when set, is a secret of at least 32 characters shared
	// by every instance serving the same database.
	SessionSecret string
	// DefaultLanguage is the language of pages before login and of users
	// without one: one of desk.Languages.
	DefaultLanguage string
}

// Phone configures phone number matching (docs/configuration.md, phone).
type Phone struct {
	// DefaultRegion is the ISO 3166-1 region of numbers written without a
	// country code.
	DefaultRegion string
	// MinMatchDigits is the least number of trailing digits two numbers must
	// share to match.
	MinMatchDigits int
	// Link is the click-to-call link of every number shown: "tel:" (the
	// default), "sip:", "callto:", or a template with $number$ for a
	// softphone's own scheme (tksuite:$number$?call).
	Link string
}

// Calls configures how the server keeps the call log.
type Calls struct {
	// StaleAfter is how long a call not over may go without an event:
	// then the server ends it as "ended, hangup not received" (its hangup
	// was lost). At least MinStaleAfter.
	StaleAfter time.Duration
}

// MinStaleAfter is the least calls.stale_after: shorter, a call on hold
// without events would end while still talked.
const MinStaleAfter = 30 * time.Second

// URLParameter maps a URL parameter to the Person attribute it holds.
type URLParameter struct {
	// Name is the parameter's name in the URL, and in queries (:name) and
	// labels ($name$).
	Name string
	// Attribute is a Person attribute, or RequestParameter.
	Attribute string
	pos       position
}

// CallerInformation says how callers are found and shown.
type CallerInformation struct {
	// Label is the title of the list of callers.
	Label Text
	// Query finds the callers; it selects Person.
	Query *oql.Query
	// DisplayName lists the Person attributes that identify a caller in the
	// pop, in order.
	DisplayName []string
	queryPos    position
}

// Creation is one entry of direct_creation or indirect_creation.
type Creation struct {
	// Class is the class created: a concrete class.
	Class   string
	Enabled bool
	// Preset are the values the creation form starts with, in the order
	// written.
	Preset []Preset
	pos    position
}

// PresetKind says how a preset value is obtained.
type PresetKind int

// Preset kinds.
const (
	// PresetText is a literal, with its placeholders ($phone$...) expanded.
	PresetText PresetKind = iota
	// PresetParam is the value of a parameter: :selected_caller, :phone...
	PresetParam
	// PresetQuery is the id of the first object a query finds (external
	// keys only).
	PresetQuery
)

// Preset is the initial value of one attribute of a creation form.
type Preset struct {
	Attribute string
	// Type is the attribute's type; a preset of a log (TypeLog) appends an
	// entry to it.
	Type desk.AttributeType
	Kind PresetKind
	// Value is the text (PresetText), the parameter's name without its colon
	// (PresetParam), or the query's text (PresetQuery), as written.
	Value string
	// Query is the parsed query of a PresetQuery.
	Query  *oql.Query
	pos    position
	target string // the class an external key points to
}

// AppendsLog reports whether the preset adds an entry to a log attribute
// rather than setting a value.
func (p Preset) AppendsLog() bool { return p.Type == desk.TypeLog }

// Text returns the value of a PresetText with its placeholders replaced by
// values (see Expand).
func (p Preset) Text(values map[string]string) string { return Expand(p.Value, values) }

// DisplayTickets holds the lists of tickets the pop shows.
type DisplayTickets struct {
	Lists []TicketList
}

// TicketList is one list of display_tickets.
type TicketList struct {
	// Name is the list's key: its index ("0", "1"...) when lists is a
	// sequence, as in iTop, or the name given when lists is a mapping.
	Name    string
	Enabled bool
	Label   Text
	// Query selects the objects listed, usually tickets; it may use
	// :callers_list and :selected_caller.
	Query    *oql.Query
	pos      position
	queryPos position
	path     string // display_tickets.lists[1], for errors
}

// ECall is ecall_parameters: the URL that makes the phone system call the
// caller of a ticket.
type ECall struct {
	// URL is the http(s) URL of the phone system.
	URL string
	// URLParameters are added to URL: each parameter gets the value of a
	// Person attribute of the ticket's caller.
	URLParameters []URLParameter
}

// Text is a label and its localized variants ("label/FR FR").
type Text struct {
	// Default is the plain label.
	Default string
	// Translations are the localized variants, in the order written.
	Translations []Translation
	pos          position
}

// Translation is the text of a label in one language.
type Translation struct {
	// Language is as iTop writes it: "FR FR", "EN US".
	Language string
	Text     string
	pos      position
}

// For returns the label in lang, or the plain label when it has no variant
// in that language.
func (t Text) For(lang string) string {
	for _, tr := range t.Translations {
		if tr.Language == lang {
			return tr.Text
		}
	}
	return t.Default
}

// placeholderRE matches a placeholder: $name$, name an identifier.
var placeholderRE = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)\$`)

// Expand replaces each $name$ of s that values has by its value; other text,
// unknown placeholders included, is kept as it is.
func Expand(s string, values map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := values[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Placeholders returns the names of the placeholders of s ($phone$: phone),
// in order.
func Placeholders(s string) []string { return placeholders(s) }

// placeholders returns the names of the placeholders of s.
func placeholders(s string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// PlaceholderValues returns the values of the placeholders of labels and
// presets for one call: every configured URL parameter found in query,
// $datetime$ (now, as iTop writes it) and $phone$ (the URL parameter named
// phone, or else the first one that holds a phone attribute).
func (c *Config) PlaceholderValues(query url.Values, now time.Time) map[string]string {
	values := map[string]string{"datetime": now.Format(DateTimeLayout)}
	for _, p := range c.URLParameters {
		if query.Has(p.Name) {
			values[p.Name] = query.Get(p.Name)
		}
	}
	if _, ok := values["phone"]; !ok {
		person, _ := desk.FindClass(desk.ClassPerson)
		for _, p := range c.URLParameters {
			if a, ok := person.Attribute(p.Attribute); ok && a.Type == desk.TypePhone && query.Has(p.Name) {
				values["phone"] = query.Get(p.Name)
				break
			}
		}
	}
	return values
}

// URLParameter returns the URL parameter named name.
func (c *Config) URLParameter(name string) (URLParameter, bool) {
	for _, p := range c.URLParameters {
		if p.Name == name {
			return p, true
		}
	}
	return URLParameter{}, false
}

// LookupParameters returns the URL parameters in the order they are tried:
// those lookup_order names (by parameter name or attribute) first, in its
// order, then the others as written.
func (c *Config) LookupParameters() []URLParameter {
	rank := func(p URLParameter) int {
		for i, name := range c.LookupOrder {
			if name == p.Name || name == p.Attribute {
				return i
			}
		}
		return len(c.LookupOrder)
	}
	out := slices.Clone(c.URLParameters)
	slices.SortStableFunc(out, func(a, b URLParameter) int { return rank(a) - rank(b) })
	return out
}

// FirstDirectCreation returns the first enabled entry of direct_creation, the
// form the pop opens at once; false when none is enabled.
func (c *Config) FirstDirectCreation() (Creation, bool) {
	for _, cr := range c.DirectCreation {
		if cr.Enabled {
			return cr, true
		}
	}
	return Creation{}, false
}

// IndirectCreations returns the enabled entries of indirect_creation, in the
// order of the pop's buttons.
func (c *Config) IndirectCreations() []Creation {
	var out []Creation
	for _, cr := range c.IndirectCreation {
		if cr.Enabled {
			out = append(out, cr)
		}
	}
	return out
}

// TicketLists returns the enabled lists of display_tickets, in order.
func (c *Config) TicketLists() []TicketList {
	var out []TicketList
	for _, l := range c.DisplayTickets.Lists {
		if l.Enabled {
			out = append(out, l)
		}
	}
	return out
}
