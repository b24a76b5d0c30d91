package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// valueKind is the kind of a value read from an iTop configuration.
type valueKind int

const (
	vNull valueKind = iota
	vString
	vInt
	vFloat
	vBool
	vArray
)

// value is a value of an iTop configuration, read from a PHP array literal
// or from XML module parameters: a scalar, or an ordered array.
type value struct {
	kind    valueKind
	text    string // the scalar: a string, a number in decimal, "true" or "false"
	entries []entry
	line    int
}

// entry is one key => value of an array.
type entry struct {
	key    string
	intKey bool
	value  *value
	line   int
	// comment is the text of the comments written just before the entry,
	// lineComment that of a comment after it on the same line: they become
	// YAML comments.
	comment, lineComment string
}

// get returns the value of key in an array, or nil.
func (v *value) get(key string) *value {
	for _, e := range v.entries {
		if e.key == key {
			return e.value
		}
	}
	return nil
}

// maxPHPDepth bounds the nesting of arrays, so that a hostile file cannot
// exhaust the stack.
const maxPHPDepth = 100

// phpParser reads PHP value literals: array(...) and [...], quoted strings,
// numbers, true, false and null, with comments.
type phpParser struct {
	src      string
	i        int
	line     int
	depth    int
	comments []phpComment // read by the last skip and not yet attached
	lastLine int          // the line where the last token ended
}

type phpComment struct {
	text string
	line int
}

// phpError is a mistake in PHP source, at a line.
type phpError struct {
	line int
	msg  string
}

func (e *phpError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func (p *phpParser) errorf(format string, args ...any) error {
	return &phpError{line: p.line, msg: fmt.Sprintf(format, args...)}
}

// parsePHPValue parses src, which holds one PHP value, possibly followed by
// a comma or semicolon and comments.
func parsePHPValue(src string) (*value, error) {
	p := &phpParser{src: src, line: 1}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	for p.i < len(p.src) && (p.src[p.i] == ',' || p.src[p.i] == ';') {
		p.i++
		if err := p.skip(); err != nil {
			return nil, err
		}
	}
	if p.i < len(p.src) {
		return nil, p.errorf("unexpected %s after the value", p.describe())
	}
	return v, nil
}

// moduleKeyRE finds the telephony extension's entry in the module settings
// of an iTop configuration file.
var moduleKeyRE = regexp.MustCompile(`['"]combodo-telephony-integration['"]\s*=>`)

// parsePHPModule reads the 'combodo-telephony-integration' => array(...)
// entry of an iTop configuration file, or of a fragment of one; a file that
// is only an array (<?php return array(...);) is read whole.
func parsePHPModule(src string) (*value, error) {
	if loc := moduleKeyRE.FindStringIndex(src); loc != nil {
		p := &phpParser{src: src, i: loc[1], line: 1 + strings.Count(src[:loc[1]], "\n")}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if v.kind != vArray {
			return nil, &phpError{line: v.line, msg: "'combodo-telephony-integration' is not an array"}
		}
		return v, nil
	}
	body := strings.TrimSpace(src)
	body = strings.TrimSpace(strings.TrimPrefix(body, "<?php"))
	if rest, ok := strings.CutPrefix(body, "return"); ok {
		body = rest
	}
	lower := strings.ToLower(strings.TrimSpace(body))
	if !strings.HasPrefix(lower, "array") && !strings.HasPrefix(lower, "[") {
		return nil, &phpError{line: 1, msg: "no 'combodo-telephony-integration' => array (...) entry found"}
	}
	offset := len(src) - len(body)
	p := &phpParser{src: src, i: offset, line: 1 + strings.Count(src[:offset], "\n")}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if v.kind != vArray {
		return nil, &phpError{line: v.line, msg: "want an array"}
	}
	return v, nil
}

// skip passes spaces and comments, keeping the comments.
func (p *phpParser) skip() error {
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '\n':
			p.line++
			p.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			p.i++
		case c == '#' || (c == '/' && strings.HasPrefix(p.src[p.i:], "//")):
			start, line := p.i, p.line
			for p.i < len(p.src) && p.src[p.i] != '\n' && !strings.HasPrefix(p.src[p.i:], "?>") {
				p.i++
			}
			text := strings.TrimLeft(p.src[start:p.i], "#/")
			p.comments = append(p.comments, phpComment{strings.TrimSpace(text), line})
		case c == '/' && strings.HasPrefix(p.src[p.i:], "/*"):
			line := p.line
			end := strings.Index(p.src[p.i+2:], "*/")
			if end < 0 {
				return p.errorf("unterminated /* comment")
			}
			text := p.src[p.i+2 : p.i+2+end]
			p.line += strings.Count(text, "\n")
			p.i += end + 4
			var lines []string
			for _, l := range strings.Split(text, "\n") {
				if l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "*")); l != "" {
					lines = append(lines, l)
				}
			}
			p.comments = append(p.comments, phpComment{strings.Join(lines, "\n"), line})
		default:
			return nil
		}
	}
	return nil
}

// takeComments returns the comments read since the last call, joined.
func (p *phpParser) takeComments() string {
	var texts []string
	for _, c := range p.comments {
		if c.text != "" {
			texts = append(texts, c.text)
		}
	}
	p.comments = nil
	return strings.Join(texts, "\n")
}

// describe names what is at the current position, for messages.
func (p *phpParser) describe() string {
	if p.i >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.i:])
	return strconv.QuoteRune(r)
}

func (p *phpParser) value() (*value, error) {
	v, err := p.operand()
	if err != nil || v.kind == vArray {
		return v, err
	}
	return p.concat(v)
}

// operand reads one value, without the concatenations that may follow it.
func (p *phpParser) operand() (*value, error) {
	if err := p.skip(); err != nil {
		return nil, err
	}
	p.comments = nil // comments before a value, not before an entry, are lost
	if p.i >= len(p.src) {
		return nil, p.errorf("unexpected end of file, want a value")
	}
	line := p.line
	c := p.src[p.i]
	var v *value
	switch {
	case c == '[':
		p.i++
		return p.array(']', line)
	case c == '\'' || c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		v = &value{kind: vString, text: s, line: line}
	case c == '-' || c == '+' || c == '.' || isDigit(c):
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		v = n
	case isIdentStart(c):
		word := p.ident()
		switch strings.ToLower(word) {
		case "array":
			if err := p.skip(); err != nil {
				return nil, err
			}
			if p.i >= len(p.src) || p.src[p.i] != '(' {
				return nil, p.errorf("want ( after array, not %s", p.describe())
			}
			p.i++
			return p.array(')', line)
		case "true", "false":
			v = &value{kind: vBool, text: strings.ToLower(word), line: line}
		case "null":
			v = &value{kind: vNull, line: line}
		default:
			return nil, &phpError{line: line, msg: fmt.Sprintf("%s is not a value ctidesk can read: write the value itself "+
				"(a quoted text, a number, true, false, null or an array)", word)}
		}
	default:
		return nil, p.errorf("unexpected %s, want a value", p.describe())
	}
	p.lastLine = p.line
	return v, nil
}

// concat reads the string concatenations that follow v: 'a' . 'b'.
func (p *phpParser) concat(v *value) (*value, error) {
	var joined *strings.Builder
	for {
		save, saveLine, saveComments := p.i, p.line, p.comments
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.i >= len(p.src) || p.src[p.i] != '.' || (p.i+1 < len(p.src) && isDigit(p.src[p.i+1])) {
			p.i, p.line, p.comments = save, saveLine, saveComments
			if joined != nil {
				v = &value{kind: vString, text: joined.String(), line: v.line}
			}
			return v, nil
		}
		p.i++
		if v.kind == vArray || v.kind == vNull {
			return nil, p.errorf("only texts and numbers can be joined with .")
		}
		if joined == nil {
			joined = &strings.Builder{}
			joined.WriteString(phpString(v))
		}
		next, err := p.operand()
		if err != nil {
			return nil, err
		}
		if next.kind == vArray {
			return nil, p.errorf("an array cannot be joined with .")
		}
		joined.WriteString(phpString(next))
	}
}

// phpString converts a scalar as PHP does when joining strings.
func phpString(v *value) string {
	switch v.kind {
	case vBool:
		if v.text == "true" {
			return "1"
		}
		return ""
	case vNull:
		return ""
	}
	return v.text
}

func (p *phpParser) array(closing byte, line int) (*value, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxPHPDepth {
		return nil, p.errorf("arrays nested more than %d deep", maxPHPDepth)
	}
	arr := &value{kind: vArray, line: line}
	next := int64(0)          // the next automatic key
	index := map[string]int{} // key -> position in arr.entries
	for {
		if err := p.skip(); err != nil {
			return nil, err
		}
		// The comment after the previous entry, on its line, is its line
		// comment; the others are the next entry's.
		if n := len(arr.entries); n > 0 && len(p.comments) > 0 && p.comments[0].line == p.lastLine {
			arr.entries[n-1].lineComment = p.comments[0].text
			p.comments = p.comments[1:]
		}
		if p.i >= len(p.src) {
			return nil, &phpError{line: line, msg: fmt.Sprintf("array not closed: want %q", closing)}
		}
		if p.src[p.i] == closing {
			p.i++
			p.comments = nil
			p.lastLine = p.line
			return arr, nil
		}
		comment := p.takeComments()
		entryLine := p.line
		first, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := p.skip(); err != nil {
			return nil, err
		}
		e := entry{line: entryLine, comment: comment}
		if strings.HasPrefix(p.src[p.i:], "=>") {
			p.i += 2
			if e.key, e.intKey, err = p.key(first); err != nil {
				return nil, err
			}
			if e.value, err = p.value(); err != nil {
				return nil, err
			}
		} else {
			e.key, e.intKey, e.value = strconv.FormatInt(next, 10), true, first
		}
		if e.intKey {
			if k, _ := strconv.ParseInt(e.key, 10, 64); k >= next && k < math.MaxInt64 {
				next = k + 1
			}
		}
		if i, dup := index[e.key]; dup { // PHP: the last value wins, in the first place
			arr.entries[i].value = e.value
		} else {
			index[e.key] = len(arr.entries)
			arr.entries = append(arr.entries, e)
		}
		if err := p.skip(); err != nil {
			return nil, err
		}
		switch {
		case p.i < len(p.src) && p.src[p.i] == ',':
			p.i++
			p.lastLine = p.line
		case p.i < len(p.src) && p.src[p.i] == closing:
		default:
			return nil, p.errorf("want , or %q after an array entry, not %s", closing, p.describe())
		}
	}
}

var intKeyRE = regexp.MustCompile(`^(0|-?[1-9][0-9]{0,17})$`)

// key converts a value to an array key as PHP does: decimal integer strings,
// floats and booleans become integers.
func (p *phpParser) key(v *value) (string, bool, error) {
	switch v.kind {
	case vString:
		return v.text, intKeyRE.MatchString(v.text), nil
	case vInt:
		return v.text, true, nil
	case vFloat:
		f, _ := strconv.ParseFloat(v.text, 64)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e18 {
			return "", false, &phpError{line: v.line, msg: "a key cannot be " + v.text}
		}
		return strconv.FormatInt(int64(f), 10), true, nil
	case vBool:
		if v.text == "true" {
			return "1", true, nil
		}
		return "0", true, nil
	case vNull:
		return "", false, nil
	}
	return "", false, &phpError{line: v.line, msg: "an array cannot be a key"}
}

// str reads a quoted string with PHP's escapes.
func (p *phpParser) str() (string, error) {
	quote := p.src[p.i]
	start := p.line
	p.i++
	var b strings.Builder
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == quote:
			p.i++
			return b.String(), nil
		case c == '\n':
			p.line++
			b.WriteByte(c)
			p.i++
		case c == '\\' && p.i+1 < len(p.src):
			p.i += p.escape(quote, &b)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", &phpError{line: start, msg: "text not closed: want " + string(quote)}
}

// escape writes the escape sequence at p.i to b and returns its length.
func (p *phpParser) escape(quote byte, b *strings.Builder) int {
	c := p.src[p.i+1]
	if quote == '\'' {
		if c == '\'' || c == '\\' {
			b.WriteByte(c)
			return 2
		}
		b.WriteByte('\\')
		return 1
	}
	simple := map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'v': '\v', 'e': 0x1b, 'f': '\f', '\\': '\\', '$': '$', '"': '"'}
	if r, ok := simple[c]; ok {
		b.WriteByte(r)
		return 2
	}
	rest := p.src[p.i+1:]
	switch {
	case c >= '0' && c <= '7':
		n := 1
		for n < 3 && n < len(rest) && rest[n] >= '0' && rest[n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(rest[:n], 8, 16)
		b.WriteByte(byte(v))
		return 1 + n
	case c == 'x' && len(rest) > 1 && isHex(rest[1]):
		n := 1
		for n < 2 && 1+n < len(rest) && isHex(rest[1+n]) {
			n++
		}
		v, _ := strconv.ParseUint(rest[1:1+n], 16, 8)
		b.WriteByte(byte(v))
		return 2 + n
	case c == 'u' && strings.HasPrefix(rest, "u{"):
		end := strings.IndexByte(rest, '}')
		if end > 2 && end <= 8 {
			if v, err := strconv.ParseUint(rest[2:end], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
				b.WriteRune(rune(v))
				return 2 + end
			}
		}
	}
	b.WriteByte('\\')
	return 1
}

var numberRE = regexp.MustCompile(`^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|([0-9][0-9_]*)?\.?[0-9][0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*\.)`)

func (p *phpParser) number() (*value, error) {
	m := numberRE.FindString(p.src[p.i:])
	if m == "" {
		return nil, p.errorf("unexpected %s, want a value", p.describe())
	}
	line := p.line
	p.i += len(m)
	text := strings.ReplaceAll(m, "_", "")
	sign := ""
	if text[0] == '-' || text[0] == '+' {
		sign, text = strings.TrimPrefix(text[:1], "+"), text[1:]
	}
	lower := strings.ToLower(text)
	if strings.ContainsAny(lower, ".e") && !strings.HasPrefix(lower, "0x") {
		f, err := strconv.ParseFloat(sign+text, 64)
		if err != nil {
			return nil, &phpError{line: line, msg: fmt.Sprintf("%s is not a number", m)}
		}
		return &value{kind: vFloat, text: strconv.FormatFloat(f, 'g', -1, 64), line: line}, nil
	}
	base := 10
	switch {
	case strings.HasPrefix(lower, "0x"):
		base, text = 16, text[2:]
	case strings.HasPrefix(lower, "0b"):
		base, text = 2, text[2:]
	case strings.HasPrefix(lower, "0o"):
		base, text = 8, text[2:]
	case len(text) > 1 && text[0] == '0':
		base = 8
	}
	n, err := strconv.ParseInt(sign+text, base, 64)
	if err != nil {
		return nil, &phpError{line: line, msg: fmt.Sprintf("%s is not a number ctidesk can read", m)}
	}
	return &value{kind: vInt, text: strconv.FormatInt(n, 10), line: line}, nil
}

func (p *phpParser) ident() string {
	start := p.i
	for p.i < len(p.src) && (isIdentStart(p.src[p.i]) || isDigit(p.src[p.i]) || p.src[p.i] == '\\') {
		p.i++
	}
	return p.src[start:p.i]
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isHex(c byte) bool        { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= 0x80 }
