package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// defaultYAML is the built-in configuration, which docs/examples/ctidesk.yaml
// repeats (a test keeps them equal).
//
//go:embed default.yaml
var defaultYAML string

// builtinFile names the built-in defaults in errors.
const builtinFile = "built-in default"

// Default returns the built-in configuration: the iTop extension's default
// configuration and ctidesk's default server settings.
func Default() *Config {
	cfg := &Config{}
	d := &decoder{file: builtinFile, builtin: true}
	if root := d.document([]byte(defaultYAML)); root != nil {
		d.config(root, cfg)
	}
	d.crossCheck(cfg)
	if len(d.errs) > 0 {
		panic(fmt.Sprintf("config: the built-in default is invalid:\n%v", d.errs))
	}
	return cfg
}

// Load reads the configuration file path over the built-in defaults and
// checks it. A file with mistakes returns them all, as Errors.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a configuration from data, named name in errors, over the
// built-in defaults, and checks it. A configuration with mistakes returns
// them all, as Errors, and no Config.
func Parse(name string, data []byte) (*Config, error) {
	cfg := Default()
	cfg.File = name
	d := &decoder{file: name, src: data}
	if root := d.document(data); root != nil {
		d.config(root, cfg)
	}
	d.crossCheck(cfg)
	if len(d.errs) > 0 {
		d.errs.sort()
		return nil, d.errs
	}
	cfg.Warnings = labelWarnings(cfg, name)
	return cfg, nil
}

// position is where a value was written, kept for the checks that run once
// the file is merged with the defaults.
type position struct {
	line, col int
	node      *yaml.Node // the value's node, for positions within a query
	builtin   bool       // the value is a built-in default
}

// decoder reads one YAML document into a Config, collecting every mistake.
type decoder struct {
	file    string
	src     []byte
	builtin bool
	errs    Errors
	// urlParamsBad: url_parameters has mistakes, so the checks that depend
	// on it would only add noise.
	urlParamsBad bool
}

// Names of the keys, for the suggestions of unknown keys.
var (
	sectionKeys  = []string{"server", "phone", "calls", "url_parameters", "lookup_order", "caller_information", "direct_creation", "indirect_creation", "display_tickets", "ecall_parameters"}
	serverKeys   = []string{"address", "database", "session_secret", "default_language"}
	phoneKeys    = []string{"default_region", "min_match_digits", "link"}
	callsKeys    = []string{"stale_after"}
	callerKeys   = []string{"label", "query", "display_name"}
	creationKeys = []string{"enabled", "preset"}
	listKeys     = []string{"enabled", "label", "query"}
	ecallKeys    = []string{"url", "url_parameters"}
)

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data into its root mapping; nil for an empty document or
// a syntax error (recorded).
func (d *decoder) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil
	} else if err != nil {
		d.syntaxError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "", "a configuration is a single YAML document: remove the second one (after ---)")
	} else if err != io.EOF {
		d.syntaxError(err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "want a mapping of sections (url_parameters:, caller_information:...), not %s", describe(root))
		return nil
	}
	return root
}

func (d *decoder) syntaxError(err error) {
	e := &Error{File: d.file, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Message = m[2]
		// yaml.v3 counts the lines of its parser errors ("did not find
		// expected key") from 0, and names the line where the enclosing
		// block starts.
		if strings.HasPrefix(e.Message, "did not find expected ") && e.Message != "did not find expected comment or line break" {
			e.Line++
			e.Message += " (in the block that starts on this line)"
		}
	}
	e.Message = "YAML syntax: " + e.Message
	d.errs = append(d.errs, e)
}

// errorf records a mistake at node n.
func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Column: n.Column, Key: key, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) pos(n *yaml.Node) position {
	return position{line: n.Line, col: n.Column, node: n, builtin: d.builtin}
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") }

// describe names the kind of a node for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!bool":
			return n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		}
		return strconv.Quote(n.Value)
	}
	return "an alias"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping calls fn for each key of the mapping n in order; a null node is an
// empty mapping. Duplicate and non-text keys are mistakes.
func (d *decoder) mapping(n *yaml.Node, path string, fn func(key string, k, v *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping (key: value lines), not %s", describe(n))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "a key must be a name, not %s", describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			d.errorf(k, path, "merge keys (<<) are not supported: write the keys out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, join(path, k.Value), "duplicate key (first at line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		fn(k.Value, k, v)
	}
}

func (d *decoder) unknown(k *yaml.Node, path string, known []string) {
	d.errorf(k, join(path, k.Value), "unknown key%s (known keys: %s)", suggest(k.Value, known), strings.Join(known, ", "))
}

// text returns the value of a scalar; null is "".
func (d *decoder) text(n *yaml.Node, path string) (string, bool) {
	if isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "want a text, not %s", describe(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) bool(n *yaml.Node, path string) (bool, bool) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n, path, "want true or false, not %s", describe(n))
		return false, false
	}
	return b, true
}

func (d *decoder) int(n *yaml.Node, path string) (int, bool) {
	var i int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
		d.errorf(n, path, "want a whole number, not %s", describe(n))
		return 0, false
	}
	return i, true
}

// setText sets *dst to the text of n, checked by check.
func (d *decoder) setText(n *yaml.Node, path string, dst *string, check func(string) error) {
	s, ok := d.text(n, path)
	if !ok {
		return
	}
	if err := check(s); err != nil {
		d.errorf(n, path, "%v", err)
	}
	*dst = s
}

// names reads a list of names: a YAML list, or a comma-separated text as
// iTop writes display_name. It returns each name's position.
func (d *decoder) names(n *yaml.Node, path string) ([]string, []position) {
	names, pos := []string{}, []position{}
	switch {
	case isNull(n):
	case n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			item = resolve(item)
			if s, ok := d.text(item, fmt.Sprintf("%s[%d]", path, i)); ok {
				names, pos = append(names, strings.TrimSpace(s)), append(pos, d.pos(item))
			}
		}
	case n.Kind == yaml.ScalarNode:
		for _, s := range strings.Split(n.Value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				names, pos = append(names, s), append(pos, d.pos(n))
			}
		}
	default:
		d.errorf(n, path, "want a list of names, not %s", describe(n))
	}
	return names, pos
}

// config reads the sections of root into cfg, over what it holds.
func (d *decoder) config(root *yaml.Node, cfg *Config) {
	d.mapping(root, "", func(key string, k, v *yaml.Node) {
		switch key {
		case "server":
			d.server(v, &cfg.Server)
		case "phone":
			d.phone(v, &cfg.Phone)
		case "calls":
			d.calls(v, &cfg.Calls)
		case "url_parameters":
			n := len(d.errs)
			cfg.URLParameters = d.urlParameters(v, key, false)
			cfg.urlParamsPos = d.pos(k)
			d.urlParamsBad = len(d.errs) > n
		case "lookup_order":
			cfg.LookupOrder, cfg.lookupPos = d.names(v, key)
		case "caller_information":
			d.callerInformation(v, &cfg.CallerInformation)
		case "direct_creation":
			cfg.DirectCreation = d.creations(v, key)
		case "indirect_creation":
			cfg.IndirectCreation = d.creations(v, key)
		case "display_tickets":
			d.displayTickets(v, &cfg.DisplayTickets)
		case "ecall_parameters":
			cfg.ECall = d.ecall(v)
		default:
			d.unknown(k, "", sectionKeys)
		}
	})
}

func (d *decoder) server(n *yaml.Node, s *Server) {
	d.mapping(n, "server", func(key string, k, v *yaml.Node) {
		path := "server." + key
		switch key {
		case "address":
			d.setText(v, path, &s.Address, checkAddress)
		case "database":
			d.setText(v, path, &s.Database, checkDatabase)
		case "session_secret":
			d.setText(v, path, &s.SessionSecret, checkSessionSecret)
		case "default_language":
			d.setText(v, path, &s.DefaultLanguage, checkLanguage)
		default:
			d.unknown(k, "server", serverKeys)
		}
	})
}

func (d *decoder) phone(n *yaml.Node, p *Phone) {
	d.mapping(n, "phone", func(key string, k, v *yaml.Node) {
		path := "phone." + key
		switch key {
		case "default_region":
			d.setText(v, path, &p.DefaultRegion, checkRegion)
		case "min_match_digits":
			if i, ok := d.int(v, path); ok {
				if err := checkMinMatchDigits(i); err != nil {
					d.errorf(v, path, "%v", err)
				}
				p.MinMatchDigits = i
			}
		case "link":
			d.setText(v, path, &p.Link, CheckPhoneLink)
		default:
			d.unknown(k, "phone", phoneKeys)
		}
	})
}

func (d *decoder) calls(n *yaml.Node, c *Calls) {
	d.mapping(n, "calls", func(key string, k, v *yaml.Node) {
		path := "calls." + key
		switch key {
		case "stale_after":
			var s string
			d.setText(v, path, &s, func(s string) (err error) {
				c.StaleAfter, err = parseStaleAfter(s)
				return err
			})
		default:
			d.unknown(k, "calls", callsKeys)
		}
	})
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// reservedParams are parameter names ctidesk gives values itself.
var reservedParams = []string{ParamSelectedCaller, ParamCallersList, ParamCurrentUser, ParamCurrentContact,
	ParamCurrentUserID, ParamCurrentContactID, desk.ParamThis, "datetime"}

// urlParameters reads url_parameters, or the url_parameters of
// ecall_parameters (outbound: Person attributes only).
func (d *decoder) urlParameters(n *yaml.Node, path string, outbound bool) []URLParameter {
	params := []URLParameter{}
	person := personClass()
	d.mapping(n, path, func(name string, k, v *yaml.Node) {
		p := join(path, name)
		valid := false
		switch {
		case !outbound && !identRE.MatchString(name):
			d.errorf(k, p, "a URL parameter name is made of letters, digits and _, not starting with a digit "+
				"(it is also a query parameter, :%s)", name)
		case !outbound && slices.Contains(reservedParams, name):
			d.errorf(k, p, "%q is reserved: ctidesk sets it itself; name the URL parameter otherwise", name)
		case name == "":
			d.errorf(k, p, "a URL parameter needs a name")
		default:
			valid = true
		}
		attr, ok := d.text(v, p)
		if !ok {
			return
		}
		attr = strings.TrimSpace(attr)
		if a, found := person.Attribute(attr); (!found || a.Type == desk.TypeLog) && (outbound || attr != RequestParameter) {
			known := readableAttributes(person)
			if !outbound {
				known = append(known, RequestParameter)
			}
			d.errorf(v, p, "%q is not an attribute of Person%s", attr, suggest(attr, known))
		}
		if valid {
			params = append(params, URLParameter{Name: name, Attribute: attr, pos: d.pos(k)})
		}
	})
	return params
}

// label reads label or label/XX YY into t.
func (d *decoder) label(k, v *yaml.Node, path string, t *Text) {
	s, ok := d.text(v, join(path, k.Value))
	if !ok {
		return
	}
	if k.Value == "label" {
		t.Default, t.pos = s, d.pos(v)
		return
	}
	lang := strings.TrimPrefix(k.Value, "label/")
	if !langRE.MatchString(lang) {
		d.errorf(k, join(path, k.Value), "a language is written as iTop writes it, two letters, a space and two "+
			"letters, in capitals: label/FR FR, label/EN US")
		return
	}
	t.Translations = append(t.Translations, Translation{Language: lang, Text: s, pos: d.pos(v)})
}

var langRE = regexp.MustCompile(`^[A-Z]{2} [A-Z]{2}$`)

func isLabelKey(key string) bool { return key == "label" || strings.HasPrefix(key, "label/") }

func (d *decoder) callerInformation(n *yaml.Node, ci *CallerInformation) {
	const path = "caller_information"
	labelSet := false
	d.mapping(n, path, func(key string, k, v *yaml.Node) {
		switch {
		case isLabelKey(key):
			if !labelSet { // a label given replaces every variant of the default one
				ci.Label, labelSet = Text{}, true
			}
			d.label(k, v, path, &ci.Label)
		case key == "query":
			q := d.query(v, path+".query")
			if q != nil && q.Class().Name != personClass().Name {
				d.errorf(v, path+".query", "the query selects %s: the callers query must select Person", q.Class().Name)
			}
			ci.Query, ci.queryPos = q, d.pos(v)
		case key == "display_name":
			names, pos := d.names(v, path+".display_name")
			person := personClass()
			for i, name := range names {
				if a, ok := person.Attribute(name); !ok || a.Type == desk.TypeLog {
					d.errorAt(pos[i], path+".display_name", "%q is not an attribute of Person%s", name,
						suggest(name, readableAttributes(person)))
				}
			}
			if len(names) == 0 {
				d.errorf(v, path+".display_name", "name at least one Person attribute (friendlyname, org_name...)")
			}
			ci.DisplayName = names
		default:
			d.unknown(k, path, callerKeys)
		}
	})
}

// errorAt records a mistake at a position of this decoder's file.
func (d *decoder) errorAt(p position, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: p.line, Column: p.col, Key: key, Message: fmt.Sprintf(format, args...)})
}

// query parses the query of a scalar node, recording its mistakes at their
// place in the file.
func (d *decoder) query(n *yaml.Node, path string) *oql.Query {
	text, ok := d.text(n, path)
	if !ok {
		return nil
	}
	if strings.TrimSpace(text) == "" {
		d.errorf(n, path, "a query is required (SELECT ...)")
		return nil
	}
	q, err := oql.Parse(text)
	if err != nil {
		var oe *oql.Error
		if errors.As(err, &oe) {
			line, col := d.sourcePos(n, oe.Line, oe.Column)
			d.errs = append(d.errs, &Error{File: d.file, Line: line, Column: col, Key: path, Message: oe.Message})
		} else {
			d.errorf(n, path, "%v", err)
		}
		return nil
	}
	return q
}

func (d *decoder) creations(n *yaml.Node, path string) []Creation {
	out := []Creation{}
	d.mapping(n, path, func(class string, k, v *yaml.Node) {
		p := join(path, class)
		c := Creation{Class: class, Enabled: true, pos: d.pos(k)}
		cls, known := findClass(class)
		if !known {
			d.errorf(k, p, "unknown class %q%s", class, suggest(class, classNames()))
		}
		var presetNode *yaml.Node
		d.mapping(v, p, func(key string, k2, v2 *yaml.Node) {
			switch key {
			case "enabled":
				c.Enabled, _ = d.bool(v2, p+".enabled")
			case "preset":
				presetNode = v2
			default:
				d.unknown(k2, p, creationKeys)
			}
		})
		if known && cls.Abstract && c.Enabled {
			d.errorf(k, p, "%s is abstract: nothing can be created as a %s; name one of its kinds (%s), or set enabled: false",
				class, class, strings.Join(cls.Kinds, ", "))
		}
		if presetNode != nil {
			c.Preset = d.presets(presetNode, p+".preset", cls)
		}
		out = append(out, c)
	})
	return out
}

func (d *decoder) displayTickets(n *yaml.Node, dt *DisplayTickets) {
	const path = "display_tickets"
	d.mapping(n, path, func(key string, k, v *yaml.Node) {
		switch key {
		case "lists":
			dt.Lists = d.ticketLists(v, path+".lists")
		default:
			d.unknown(k, path, []string{"lists"})
		}
	})
}

// ticketLists reads display_tickets.lists: a list, as iTop's array, or a
// mapping of names to lists.
func (d *decoder) ticketLists(n *yaml.Node, path string) []TicketList {
	lists := []TicketList{}
	switch {
	case isNull(n):
	case n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			lists = append(lists, d.ticketList(resolve(item), strconv.Itoa(i), fmt.Sprintf("%s[%d]", path, i)))
		}
	case n.Kind == yaml.MappingNode:
		d.mapping(n, path, func(name string, k, v *yaml.Node) {
			lists = append(lists, d.ticketList(v, name, join(path, name)))
		})
	default:
		d.errorf(n, path, "want a list of ticket lists, not %s", describe(n))
	}
	return lists
}

func (d *decoder) ticketList(n *yaml.Node, name, path string) TicketList {
	l := TicketList{Name: name, Enabled: true, pos: d.pos(n), path: path}
	hasQuery := false
	d.mapping(n, path, func(key string, k, v *yaml.Node) {
		switch {
		case key == "enabled":
			l.Enabled, _ = d.bool(v, path+".enabled")
		case isLabelKey(key):
			d.label(k, v, path, &l.Label)
		case key == "query":
			hasQuery = true
			l.Query, l.queryPos = d.query(v, path+".query"), d.pos(v)
		default:
			d.unknown(k, path, listKeys)
		}
	})
	if !hasQuery && (n.Kind == yaml.MappingNode || isNull(n)) {
		d.errorf(n, path, "query is required: the objects the list shows (SELECT UserRequest WHERE ...)")
	}
	return l
}

func (d *decoder) ecall(n *yaml.Node) *ECall {
	const path = "ecall_parameters"
	if isNull(n) {
		return nil
	}
	e := &ECall{URLParameters: []URLParameter{}}
	hasURL := false
	d.mapping(n, path, func(key string, k, v *yaml.Node) {
		switch key {
		case "url":
			hasURL = true
			d.setText(v, path+".url", &e.URL, checkCallURL)
		case "url_parameters":
			e.URLParameters = d.urlParameters(v, path+".url_parameters", true)
		default:
			d.unknown(k, path, ecallKeys)
		}
	})
	if !hasURL && n.Kind == yaml.MappingNode {
		d.errorf(n, path, "url is required: the phone system's http(s) URL that places a call")
	}
	return e
}
