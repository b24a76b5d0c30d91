package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ModuleName is the name of iTop's telephony extension, under which its
// settings are kept.
const ModuleName = "combodo-telephony-integration"

// ImportITop reads the telephony configuration of an iTop installation and
// returns the ctidesk.yaml that configures ctidesk the same way. data is
// either an iTop PHP configuration file (or a part of one) holding
// 'combodo-telephony-integration' => array (...), or XML holding the
// extension's <module_parameters>, as its datamodel defines the defaults.
//
// The YAML keeps the sections, keys and order of the source, and its
// comments. It is not checked here: Parse it to find what ctidesk cannot run.
func ImportITop(name string, data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	var (
		v   *value
		err error
	)
	if bytes.HasPrefix(trimmed, []byte("<")) && !bytes.HasPrefix(trimmed, []byte("<?php")) {
		v, err = parseITopXML(data)
	} else {
		v, err = parsePHPModule(string(data))
	}
	if err != nil {
		var pe *phpError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.line, Message: pe.msg}
		}
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	if line, ok := invalidUTF8(v); !ok {
		return nil, &Error{File: name, Line: line, Message: "a text is not UTF-8: save the file as UTF-8"}
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{importNode(v, nil)},
		HeadComment: fmt.Sprintf("# ctidesk.yaml imported from %s by ctidesk config import-itop.\n"+
			"# The sections it does not set keep their built-in defaults (docs/configuration.md).", name)}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	return spaceSections(buf.Bytes()), nil
}

// invalidUTF8 reports the line of a text of v that is not UTF-8.
func invalidUTF8(v *value) (int, bool) {
	if !utf8.ValidString(v.text) {
		return v.line, false
	}
	for _, e := range v.entries {
		if !utf8.ValidString(e.key) || !utf8.ValidString(e.comment) || !utf8.ValidString(e.lineComment) {
			return e.line, false
		}
		if line, ok := invalidUTF8(e.value); !ok {
			return line, false
		}
	}
	return 0, true
}

// importNode turns an iTop value into YAML. path is the keys leading to v:
// it decides the few conversions ctidesk's YAML needs.
func importNode(v *value, path []string) *yaml.Node {
	if len(path) > 0 && path[len(path)-1] == "enabled" && v.kind != vArray && v.kind != vBool {
		return boolNode(phpTruthy(v))
	}
	switch v.kind {
	case vNull:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case vBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.text}
	case vInt:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v.text}
	case vFloat:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: v.text}
	case vString:
		if isNameList(path) {
			// iTop writes display_name as "friendlyname, org_name".
			var names []string
			for _, s := range strings.Split(v.text, ",") {
				if s = strings.TrimSpace(s); s != "" {
					names = append(names, s)
				}
			}
			return flowList(names)
		}
		return strNode(v.text)
	}
	if isSequence(v) {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if isNameList(path) {
			seq.Style = yaml.FlowStyle
		}
		for _, e := range v.entries {
			item := importNode(e.value, append(path, "[]"))
			item.HeadComment = joinComments(item.HeadComment, e.comment)
			seq.Content = append(seq.Content, item)
		}
		return seq
	}
	m := mappingNode()
	if needsEnabled(path) && v.get("enabled") == nil {
		// iTop ignores an entry without enabled; ctidesk takes an entry
		// without it as enabled: say what iTop did.
		m.Content = append(m.Content, strNode("enabled"), boolNode(false))
	}
	for _, e := range v.entries {
		k := strNode(e.key)
		k.HeadComment = comment(e.comment)
		val := importNode(e.value, append(path, e.key))
		if e.lineComment != "" {
			if val.Kind == yaml.ScalarNode || val.Style == yaml.FlowStyle {
				val.LineComment = comment(e.lineComment)
			} else {
				k.LineComment = comment(e.lineComment)
			}
		}
		m.Content = append(m.Content, k, val)
	}
	return m
}

// phpTruthy converts a scalar to a boolean as PHP does: null, 0, 0.0, ""
// and "0" are false, anything else ('yes', 'true', 1) is true.
func phpTruthy(v *value) bool {
	switch v.kind {
	case vNull:
		return false
	case vInt, vFloat:
		f, _ := strconv.ParseFloat(v.text, 64)
		return f != 0
	}
	return v.text != "" && v.text != "0"
}

// isSequence reports whether an array is a list: keys 0, 1, 2... in order.
func isSequence(v *value) bool {
	for i, e := range v.entries {
		if !e.intKey || e.key != strconv.Itoa(i) {
			return false
		}
	}
	return len(v.entries) > 0
}

func isNameList(path []string) bool {
	p := strings.Join(path, ".")
	return p == "caller_information.display_name" || p == "lookup_order"
}

// needsEnabled reports whether path is an entry of direct_creation,
// indirect_creation or display_tickets.lists.
func needsEnabled(path []string) bool {
	switch {
	case len(path) == 2 && (path[0] == "direct_creation" || path[0] == "indirect_creation"):
		return true
	case len(path) == 3 && path[0] == "display_tickets" && path[1] == "lists":
		return true
	}
	return false
}

// comment turns comment text into YAML comment lines.
func comment(text string) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "# " + l
	}
	return strings.Join(lines, "\n")
}

func joinComments(a, b string) string {
	if b == "" {
		return a
	}
	if a == "" {
		return comment(b)
	}
	return a + "\n" + comment(b)
}

// xmlElement is an element of an iTop XML file, as far as module parameters
// need: its name, attributes, text, children and the comments around it.
type xmlElement struct {
	name        string
	attrs       map[string]string
	text        strings.Builder
	children    []*xmlElement
	line, end   int // lines of the start and end tags
	comment     string
	lineComment string
}

// parseITopXML reads the extension's parameters from XML: the element
// <parameters id="combodo-telephony-integration"> of <module_parameters>, as
// in the extension's datamodel, or an element named
// combodo-telephony-integration.
func parseITopXML(data []byte) (*value, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	root := &xmlElement{name: "#document"}
	stack := []*xmlElement{root}
	var pending []string // comments waiting for the next element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		line, _ := dec.InputPos()
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &phpError{line: se.Line, msg: "XML: " + se.Msg}
			}
			return nil, &phpError{line: line, msg: "XML: " + err.Error()}
		}
		parent := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxPHPDepth {
				return nil, &phpError{line: line, msg: fmt.Sprintf("XML nested more than %d deep", maxPHPDepth)}
			}
			e := &xmlElement{name: t.Name.Local, attrs: map[string]string{}, line: line, comment: strings.Join(pending, "\n")}
			pending = nil
			for _, a := range t.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			parent.children = append(parent.children, e)
			stack = append(stack, e)
		case xml.EndElement:
			parent.end = line
			stack = stack[:len(stack)-1]
		case xml.CharData:
			parent.text.Write(t)
		case xml.Comment:
			text := strings.TrimSpace(string(t))
			n := len(parent.children)
			if n > 0 && parent.children[n-1].end == line-strings.Count(string(t), "\n") && len(pending) == 0 {
				parent.children[n-1].lineComment = text
			} else {
				pending = append(pending, text)
			}
		}
	}
	module := findModule(root)
	if module == nil {
		return nil, &phpError{line: 1, msg: `no <parameters id="combodo-telephony-integration"> (in <module_parameters>) found`}
	}
	v, err := xmlValue(module, "hash")
	if err != nil {
		return nil, err
	}
	return v, nil
}

func findModule(e *xmlElement) *xmlElement {
	if (e.name == "parameters" && e.attrs["id"] == ModuleName) || e.name == ModuleName {
		return e
	}
	for _, c := range e.children {
		if m := findModule(c); m != nil {
			return m
		}
	}
	return nil
}

// xmlValue converts an element as iTop reads module parameters: type="hash"
// is a mapping of the children by name, type="array" a list of the children
// (keyed by their id when it is a number), type="bool" true or false, and
// an element without a type a text, or a hash when it has children.
func xmlValue(e *xmlElement, typ string) (*value, error) {
	if t, ok := e.attrs["type"]; ok {
		typ = t
	}
	if typ == "" && len(e.children) > 0 {
		typ = "hash"
	}
	switch typ {
	case "hash", "array":
		arr := &value{kind: vArray, line: e.line}
		next := 0
		seen := map[string]bool{}
		for _, c := range e.children {
			ent := entry{line: c.line, comment: c.comment, lineComment: c.lineComment}
			switch id, hasID := c.attrs["id"]; {
			case typ == "array" && hasID && intKeyRE.MatchString(id):
				ent.key, ent.intKey = id, true
				if n, _ := strconv.Atoi(id); n >= next {
					next = n + 1
				}
			case typ == "array" && hasID:
				ent.key = id
			case typ == "array":
				ent.key, ent.intKey = strconv.Itoa(next), true
				next++
			case c.name == "item" && c.attrs["key"] != "":
				ent.key = c.attrs["key"]
			default:
				// XML names cannot start with a digit: iTop writes such keys
				// with a leading _.
				ent.key = c.name
				if strings.HasPrefix(ent.key, "_") && len(ent.key) > 1 {
					ent.key = ent.key[1:]
				}
				ent.intKey = intKeyRE.MatchString(ent.key)
			}
			val, err := xmlValue(c, "")
			if err != nil {
				return nil, err
			}
			ent.value = val
			if seen[ent.key] {
				return nil, &phpError{line: c.line, msg: fmt.Sprintf("XML: <%s> repeats the key %q", c.name, ent.key)}
			}
			seen[ent.key] = true
			arr.entries = append(arr.entries, ent)
		}
		return arr, nil
	case "bool":
		switch s := strings.ToLower(strings.TrimSpace(e.text.String())); s {
		case "true", "1":
			return &value{kind: vBool, text: "true", line: e.line}, nil
		case "false", "0", "":
			return &value{kind: vBool, text: "false", line: e.line}, nil
		default:
			return nil, &phpError{line: e.line, msg: fmt.Sprintf("XML: <%s type=\"bool\"> holds %q, not true or false", e.name, s)}
		}
	case "int", "integer":
		s := strings.TrimSpace(e.text.String())
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, &phpError{line: e.line, msg: fmt.Sprintf("XML: <%s type=\"%s\"> holds %q, not a number", e.name, typ, s)}
		}
		return &value{kind: vInt, text: strconv.FormatInt(n, 10), line: e.line}, nil
	case "", "string":
		return &value{kind: vString, text: xmlText(e.text.String()), line: e.line}, nil
	}
	return nil, &phpError{line: e.line, msg: fmt.Sprintf("XML: <%s> has the unknown type %q", e.name, typ)}
}

// xmlText is the text of an element as a value: lines trimmed of the
// indentation of the XML and joined with spaces, as a long query is wrapped.
func xmlText(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}
