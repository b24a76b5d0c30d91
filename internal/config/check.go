package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

func findClass(name string) (*desk.Class, bool) { return desk.FindClass(name) }

func classNames() []string { return desk.ClassNames() }

func personClass() *desk.Class {
	c, ok := desk.FindClass(desk.ClassPerson)
	if !ok {
		panic("config: desk has no Person class")
	}
	return c
}

// readableAttributes lists the attributes of c a URL parameter or a display
// name may name: all but logs.
func readableAttributes(c *desk.Class) []string {
	var names []string
	for _, a := range c.Attributes {
		if a.Type != desk.TypeLog {
			names = append(names, a.Name)
		}
	}
	return names
}

func writableAttributes(c *desk.Class) []string {
	var names []string
	for _, a := range c.Attributes {
		if a.Writable() {
			names = append(names, a.Name)
		}
	}
	return names
}

func whyNotWritable(a desk.Attribute) string {
	switch {
	case a.Type == desk.TypeID:
		return "it is the object's id"
	case a.Derived:
		return "it is computed from other attributes"
	default:
		return "ctidesk sets it itself"
	}
}

// sessionParams are the parameters the user's session gives every query
// and preset: iTop's names too.
var sessionParams = []string{ParamCurrentUser, ParamCurrentContact, ParamCurrentUserID, ParamCurrentContactID}

var (
	paramRE  = regexp.MustCompile(`^:([A-Za-z_][A-Za-z0-9_]*)$`)
	selectRE = regexp.MustCompile(`(?is)^select\s`)
	idRE     = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)
)

// presets reads the preset of a creation of class cls (nil when the class is
// unknown: the attributes are then not checked).
func (d *decoder) presets(n *yaml.Node, path string, cls *desk.Class) []Preset {
	out := []Preset{}
	d.mapping(n, path, func(attr string, k, v *yaml.Node) {
		p := join(path, attr)
		if v.Kind != yaml.ScalarNode || isNull(v) {
			d.errorf(v, p, "want a value (a text, a :parameter or a query), not %s", describe(v))
			return
		}
		pr := Preset{Attribute: attr, Value: v.Value, pos: d.pos(v)}
		trimmed := strings.TrimSpace(v.Value)
		if m := paramRE.FindStringSubmatch(trimmed); m != nil {
			pr.Kind, pr.Value = PresetParam, m[1]
		}
		if cls == nil {
			out = append(out, pr)
			return
		}
		a, ok := cls.Attribute(attr)
		if !ok {
			d.errorf(k, p, "unknown attribute of %s%s", cls.Name, suggest(attr, writableAttributes(cls)))
			return
		}
		pr.Type, pr.target = a.Type, a.Target
		if !a.Writable() {
			d.errorf(k, p, "%s cannot be preset: %s", attr, whyNotWritable(a))
		}
		switch {
		case pr.Kind == PresetParam:
			// Checked once the URL parameters are known (crossCheck).
		case a.Type == desk.TypeExtKey && selectRE.MatchString(trimmed):
			pr.Kind = PresetQuery
			pr.Query = d.query(v, p)
			if pr.Query != nil && !pr.Query.Class().Is(a.Target) {
				d.errorf(v, p, "the query selects %s, but %s is an external key to %s", pr.Query.Class().Name, attr, a.Target)
			}
		case a.Type == desk.TypeExtKey:
			if !idRE.MatchString(trimmed) {
				d.errorf(v, p, "%s is an external key to %s: want an id, a :parameter (:selected_caller) or a query "+
					"(SELECT %s ...), not %s", attr, a.Target, a.Target, describe(v))
			}
		default:
			if status, ok := desk.TicketStatusOf(v.Value); ok && slices.Contains(a.Foreign, v.Value) {
				// A status of iTop's lifecycles: the one ctidesk keeps for it.
				pr.Value = status
			} else if msg := checkLiteral(a, v.Value); msg != "" {
				d.errorf(v, p, "%s", msg)
			}
		}
		out = append(out, pr)
	})
	return out
}

// dateLayouts are the layouts a literal date and time may have.
var dateLayouts = []string{DateTimeLayout, "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04", "2006-01-02"}

// checkLiteral checks a literal preset value against the type of a: it
// returns a message, or "". A value with placeholders is known only when a
// call comes, and is not checked.
func checkLiteral(a desk.Attribute, value string) string {
	if len(placeholders(value)) > 0 {
		return ""
	}
	switch a.Type {
	case desk.TypeEnum:
		if !slices.Contains(a.Values, value) {
			return fmt.Sprintf("%q is not a value of %s (%s)%s", value, a.Name, strings.Join(a.Values, ", "), suggest(value, a.Values))
		}
	case desk.TypeInt:
		if _, err := strconv.ParseInt(value, 10, 64); err != nil {
			return fmt.Sprintf("%s is a whole number, not %q", a.Name, value)
		}
		if len(a.Values) > 0 && !slices.Contains(a.Values, value) {
			return fmt.Sprintf("%s is one of %s, not %s", a.Name, strings.Join(a.Values, ", "), value)
		}
	case desk.TypeDateTime:
		for _, layout := range dateLayouts {
			if _, err := time.Parse(layout, value); err == nil {
				return ""
			}
		}
		return fmt.Sprintf("%s is a date and time (%s) or $datetime$, not %q", a.Name, DateTimeLayout, value)
	case desk.TypeEmail:
		if addr, err := mail.ParseAddress(value); err != nil || addr.Address != value {
			return fmt.Sprintf("%q is not an email address", value)
		}
	}
	return ""
}

// crossCheck runs the checks that need the whole configuration, defaults
// and file merged: the parameters and placeholders the queries, labels and
// presets use must be defined by url_parameters.
func (d *decoder) crossCheck(c *Config) {
	if d.urlParamsBad {
		return
	}
	urlNames := make([]string, len(c.URLParameters))
	for i, p := range c.URLParameters {
		urlNames[i] = p.Name
	}
	if len(c.URLParameters) == 0 {
		d.report(c, c.urlParamsPos, "url_parameters", "name at least one parameter of the pop URL (phone: phone)")
	}

	person := personClass()
	for i, name := range c.LookupOrder {
		if name == RequestParameter || slices.Contains(urlNames, name) {
			continue
		}
		if _, ok := person.Attribute(name); ok {
			continue
		}
		d.report(c, c.lookupPos[i], "lookup_order", "%q is neither a URL parameter nor a Person attribute%s", name,
			suggest(name, append(slices.Clone(urlNames), readableAttributes(person)...)))
	}

	placeholders := map[string]bool{"datetime": true, "phone": true}
	for _, name := range urlNames {
		placeholders[name] = true
	}
	set := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range append(names, urlNames...) {
			m[n] = true
		}
		return m
	}

	ci := c.CallerInformation
	d.checkText(c, ci.Label, "caller_information", placeholders)
	d.checkQueryParams(c, ci.Query, ci.queryPos, "caller_information.query", set(sessionParams...),
		"the callers query runs before any caller is selected")
	if ci.Query != nil && len(ci.Query.ThisAttributes()) > 0 {
		attr := ci.Query.ThisAttributes()[0]
		d.report(c, d.within(ci.queryPos, ci.Query.Text(), ":this->"+attr), "caller_information.query",
			":this->%s has no value here: the callers query runs before any object is known (:this is the ticket of a pop opened for a request, in ticket lists and presets)", attr)
	}

	for _, section := range []struct {
		name      string
		creations []Creation
	}{{"direct_creation", c.DirectCreation}, {"indirect_creation", c.IndirectCreation}} {
		for _, cr := range section.creations {
			for _, p := range cr.Preset {
				d.checkPreset(c, p, section.name+"."+cr.Class+".preset."+p.Attribute, placeholders, urlNames)
			}
		}
	}

	for _, l := range c.DisplayTickets.Lists {
		d.checkText(c, l.Label, l.path, placeholders)
		d.checkQueryParams(c, l.Query, l.queryPos, l.path+".query",
			set(append([]string{ParamSelectedCaller, ParamCallersList}, sessionParams...)...), "")
	}
}

// report records a mistake found by crossCheck. A built-in default can only
// be wrong because the file changed url_parameters: the mistake is then
// reported there.
func (d *decoder) report(c *Config, p position, key, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.builtin && !d.builtin {
		msg += " (" + key + " is not in the file: its built-in default needs what url_parameters no longer has; " +
			"set " + key + " in the file too)"
		p = c.urlParamsPos
		if p.builtin {
			p = position{}
		}
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: p.line, Column: p.col, Key: key, Message: msg})
}

func (d *decoder) checkText(c *Config, t Text, path string, allowed map[string]bool) {
	d.checkPlaceholders(c, t.Default, t.pos, join(path, "label"), allowed)
	for _, tr := range t.Translations {
		d.checkPlaceholders(c, tr.Text, tr.pos, join(path, "label/"+tr.Language), allowed)
	}
}

func (d *decoder) checkPlaceholders(c *Config, s string, p position, key string, allowed map[string]bool) {
	for _, name := range placeholders(s) {
		if allowed[name] {
			continue
		}
		var known []string
		for k := range allowed {
			known = append(known, k)
		}
		slices.Sort(known)
		d.report(c, d.within(p, s, "$"+name+"$"), key, "unknown placeholder $%s$: the placeholders are $%s$%s",
			name, strings.Join(known, "$, $"), suggest(name, known))
	}
}

// checkQueryParams checks that the parameters q uses have values where it
// runs: allowed. why says why the reserved parameters not allowed have none.
func (d *decoder) checkQueryParams(c *Config, q *oql.Query, p position, key string, allowed map[string]bool, why string) {
	if q == nil {
		return
	}
	for _, param := range q.Params() {
		at := d.within(p, q.Text(), ":"+param.Name)
		switch {
		case param.Name == ParamCallersList && allowed[param.Name] && !param.List:
			d.report(c, at, key, ":callers_list is a list of ids: use it as IN (:callers_list)")
		case allowed[param.Name]:
		case slices.Contains(reservedParams, param.Name):
			d.report(c, at, key, ":%s has no value here: %s", param.Name, why)
		default:
			var known []string
			for k := range allowed {
				known = append(known, k)
			}
			slices.Sort(known)
			d.report(c, at, key, "unknown parameter :%s: the parameters here are :%s%s", param.Name,
				strings.Join(known, ", :"), suggest(param.Name, known))
		}
	}
}

// checkPreset checks the parameter a preset uses, or its query's, or the
// placeholders of its text.
func (d *decoder) checkPreset(c *Config, p Preset, key string, placeholders map[string]bool, urlNames []string) {
	switch p.Kind {
	case PresetText:
		d.checkPlaceholders(c, p.Value, p.pos, key, placeholders)
	case PresetQuery:
		allowed := map[string]bool{ParamSelectedCaller: true, ParamCallersList: true}
		for _, n := range append(slices.Clone(sessionParams), urlNames...) {
			allowed[n] = true
		}
		d.checkQueryParams(c, p.Query, p.pos, key, allowed, "")
	case PresetParam:
		name := p.Value
		extKey := p.Type == desk.TypeExtKey
		switch {
		case name == ParamCallersList:
			d.report(c, p.pos, key, ":callers_list is a list of ids: a preset takes one value (:selected_caller)")
		case name == ParamSelectedCaller || name == ParamCurrentContact || name == ParamCurrentContactID:
			if extKey && p.target != desk.ClassPerson {
				d.report(c, p.pos, key, ":%s is a Person, but %s is an external key to %s", name, p.Attribute, p.target)
			}
		case name == ParamCurrentUser || name == ParamCurrentUserID:
			if extKey {
				d.report(c, p.pos, key, ":%s is a user, not a %s: use :current_contact, the user's Person", name, p.target)
			}
		case slices.Contains(urlNames, name):
			u, _ := c.URLParameter(name)
			if extKey && !(u.Attribute == "id" && p.target == desk.ClassPerson) {
				d.report(c, p.pos, key, ":%s holds a %s, not the id of a %s: use a query (SELECT %s WHERE ... = :%s)",
					name, u.Attribute, p.target, p.target, name)
			}
		default:
			known := append(append([]string{ParamSelectedCaller}, sessionParams...), urlNames...)
			d.report(c, p.pos, key, "unknown parameter :%s: a preset may use :%s%s", name, strings.Join(known, ", :"),
				suggest(name, known))
		}
	}
}

// within returns the position of the first occurrence of sub in s, the
// value written at p; p itself when it is not found.
func (d *decoder) within(p position, s, sub string) position {
	i := strings.Index(s, sub)
	if i < 0 || p.node == nil || p.builtin {
		return p
	}
	line, col := 1, 1
	for _, r := range s[:i] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	p.line, p.col = d.sourcePos(p.node, line, col)
	return p
}

// sourcePos returns the place in the file of the character at line:col
// (1-based, in characters) of the value of the scalar n, undoing the YAML
// quoting and line folding; n's own place when the source is not known.
func (d *decoder) sourcePos(n *yaml.Node, line, col int) (int, int) {
	if d.src == nil || n == nil || !utf8.Valid(d.src) {
		return n.Line, n.Column
	}
	val := []rune(n.Value)
	off, l, c := 0, 1, 1
	for off < len(val) && (l < line || (l == line && c < col)) {
		if val[off] == '\n' {
			l, c = l+1, 1
		} else {
			c++
		}
		off++
	}
	src := []rune(string(d.src))
	si := 0
	for l := 1; si < len(src) && l < n.Line; si++ {
		if src[si] == '\n' {
			l++
		}
	}
	si += n.Column - 1
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		for si < len(src) && src[si] != '\n' {
			si++
		}
		for si < len(src) && isBlank(src[si]) {
			si++
		}
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		si++
	}
	for vi := 0; vi < off && si < len(src); {
		vr, sr := val[vi], src[si]
		switch {
		case n.Style == yaml.SingleQuotedStyle && sr == '\'' && si+1 < len(src) && src[si+1] == '\'':
			vi, si = vi+1, si+2
		case n.Style == yaml.DoubleQuotedStyle && sr == '\\':
			vi, si = vi+1, si+escapeLen(src, si)
		case vr == sr:
			vi, si = vi+1, si+1
		case isBlank(sr):
			for si < len(src) && isBlank(src[si]) {
				si++
			}
			if vr == ' ' || vr == '\n' {
				vi++
			}
		default:
			vi, si = vi+1, si+1
		}
	}
	line, col = 1, 1
	for _, r := range src[:min(si, len(src))] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// escapeLen is the length of the escape sequence at src[i] in a
// double-quoted YAML scalar.
func escapeLen(src []rune, i int) int {
	if i+1 >= len(src) {
		return 1
	}
	switch src[i+1] {
	case 'x':
		return 4
	case 'u':
		return 6
	case 'U':
		return 10
	}
	return 2
}

// labelWarnings returns a warning for each placeholder of a label written in
// the file that names a URL parameter the pop URL may lack: one tried in
// lookup_order (the URL may give another instead), or $phone$. Such a
// placeholder shows as nothing; the caller label gives way to the pop's own
// legend.
func labelWarnings(c *Config, file string) Errors {
	optional := map[string]bool{"phone": true}
	for _, up := range c.URLParameters {
		if slices.Contains(c.LookupOrder, up.Name) || slices.Contains(c.LookupOrder, up.Attribute) {
			optional[up.Name] = true
		}
	}
	var out Errors
	check := func(t Text, key, then string) {
		texts := []struct {
			key, text string
			pos       position
		}{{key, t.Default, t.pos}}
		for _, tr := range t.Translations {
			texts = append(texts, struct {
				key, text string
				pos       position
			}{key + "/" + tr.Language, tr.Text, tr.pos})
		}
		for _, x := range texts {
			if x.pos.builtin || x.pos.line == 0 {
				continue
			}
			for _, name := range placeholders(x.text) {
				if optional[name] {
					out = append(out, &Error{File: file, Line: x.pos.line, Column: x.pos.col, Key: x.key,
						Message: fmt.Sprintf("warning: $%s$ has no value when the pop URL gives another parameter than %s: %s",
							name, name, then)})
				}
			}
		}
	}
	check(c.CallerInformation.Label, "caller_information.label", "the pop then says in its own words how it found the callers")
	for _, l := range c.DisplayTickets.Lists {
		check(l.Label, l.path+".label", "it then shows as nothing")
	}
	out.sort()
	return out
}
