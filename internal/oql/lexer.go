package oql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokKeyword
	tokParam  // :name
	tokString // 'text' or "text", unquoted in text
	tokNumber
	tokOp     // = != <> < <= > >=
	tokPunct  // ( ) , .
	tokObject // :name->attribute, text the name and attr the attribute
	tokArith  // + - * / % & | ^ << >>: iTop's arithmetic, which ctidesk does not support
)

// keywords of the language, matched whatever their case.
var keywords = map[string]bool{
	"SELECT": true, "AS": true, "JOIN": true, "ON": true, "WHERE": true,
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "IN": true,
	"FROM": true, "UNION": true, "BELOW": true, "ABOVE": true, "STRICT": true,
	"INTERVAL": true, "MATCHES": true, "REGEXP": true,
}

// pos is a position in the query text, 1-based.
type pos struct{ line, col int }

type token struct {
	kind tokenKind
	text string // keywords upper-cased; strings unquoted
	attr string // the attribute of a tokObject
	pos  pos
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of query"
	case tokString:
		return fmt.Sprintf("string %q", t.text)
	case tokParam:
		return ":" + t.text
	case tokObject:
		return ":" + t.text + "->" + t.attr
	case tokKeyword:
		return t.text
	}
	return fmt.Sprintf("%q", t.text)
}

// maxTokens bounds the work on one query: configured queries are a few dozen
// tokens, and a bound keeps a hostile text from costing much.
const maxTokens = 10000

// lex splits text into tokens, ending with tokEOF.
func lex(text string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for _, r := range text[i : i+n] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		i += n
	}
	for {
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(r) {
				break
			}
			advance(size)
		}
		if len(toks) >= maxTokens {
			return nil, &Error{Line: line, Column: col, Message: fmt.Sprintf("query is longer than %d tokens", maxTokens)}
		}
		at := pos{line, col}
		if i >= len(text) {
			return append(toks, token{kind: tokEOF, pos: at}), nil
		}
		c := text[i]
		switch {
		case isIdentStart(c):
			n := 1
			for i+n < len(text) && isIdentPart(text[i+n]) {
				n++
			}
			word := text[i : i+n]
			if up := strings.ToUpper(word); keywords[up] {
				toks = append(toks, token{kind: tokKeyword, text: up, pos: at})
			} else {
				toks = append(toks, token{kind: tokIdent, text: word, pos: at})
			}
			advance(n)
		case c == '`':
			// A quoted name, as iTop writes the queries it makes:
			// `UserRequest`.`org_id`.
			end := strings.IndexByte(text[i+1:], '`')
			if end < 0 {
				return nil, &Error{Line: line, Column: col, Message: "unterminated `name`"}
			}
			word := text[i+1 : i+1+end]
			if word == "" || !isIdentStart(word[0]) || strings.IndexFunc(word, func(r rune) bool { return r > 127 || !isIdentPart(byte(r)) }) >= 0 {
				return nil, &Error{Line: line, Column: col, Message: fmt.Sprintf("%q is not a class, alias or attribute name", word)}
			}
			toks = append(toks, token{kind: tokIdent, text: word, pos: at})
			advance(end + 2)
		case c == ':':
			n := 1
			for i+n < len(text) && isIdentPart(text[i+n]) {
				n++
			}
			if n == 1 {
				return nil, &Error{Line: line, Column: col, Message: "expected a parameter name after \":\""}
			}
			name := text[i+1 : i+n]
			if !strings.HasPrefix(text[i+n:], "->") {
				toks = append(toks, token{kind: tokParam, text: name, pos: at})
				advance(n)
				break
			}
			// :this->org_id, an attribute of an object in context.
			m := n + 2
			for i+m < len(text) && isIdentPart(text[i+m]) {
				m++
			}
			if m == n+2 || !isIdentStart(text[i+n+2]) {
				return nil, &Error{Line: line, Column: col, Message: fmt.Sprintf("expected an attribute name after \":%s->\"", name)}
			}
			toks = append(toks, token{kind: tokObject, text: name, attr: text[i+n+2 : i+m], pos: at})
			advance(m)
		case c == '\'' || c == '"':
			s, n, ok := unquote(text[i:])
			if !ok {
				return nil, &Error{Line: line, Column: col, Message: "unterminated string"}
			}
			toks = append(toks, token{kind: tokString, text: s, pos: at})
			advance(n)
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9' && !afterOperand(toks):
			n := 1
			for i+n < len(text) && (text[i+n] >= '0' && text[i+n] <= '9' || text[i+n] == '.') {
				n++
			}
			toks = append(toks, token{kind: tokNumber, text: text[i : i+n], pos: at})
			advance(n)
		case strings.HasPrefix(text[i:], "<<") || strings.HasPrefix(text[i:], ">>"):
			toks = append(toks, token{kind: tokArith, text: text[i : i+2], pos: at})
			advance(2)
		case c == '!' || c == '<' || c == '>' || c == '=':
			n := 1
			if i+1 < len(text) {
				switch text[i : i+2] {
				case "!=", "<>", "<=", ">=":
					n = 2
				}
			}
			op := text[i : i+n]
			if op == "!" {
				return nil, &Error{Line: line, Column: col, Message: "unexpected \"!\"; did you mean \"!=\"?"}
			}
			toks = append(toks, token{kind: tokOp, text: op, pos: at})
			advance(n)
		case c == '(' || c == ')' || c == ',' || c == '.':
			toks = append(toks, token{kind: tokPunct, text: text[i : i+1], pos: at})
			advance(1)
		case strings.IndexByte("+-*/%&|^", c) >= 0:
			toks = append(toks, token{kind: tokArith, text: text[i : i+1], pos: at})
			advance(1)
		default:
			r, _ := utf8.DecodeRuneInString(text[i:])
			return nil, &Error{Line: line, Column: col, Message: fmt.Sprintf("unexpected character %q", r)}
		}
	}
}

// afterOperand reports whether the last token ends an operand, so that a
// minus sign after it is a subtraction (3-1) rather than a negative number.
func afterOperand(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	return t.kind == tokIdent || t.kind == tokNumber || t.kind == tokString || t.kind == tokParam ||
		t.kind == tokObject || t.kind == tokPunct && t.text == ")"
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// unquote reads the quoted string at the start of s, as iTop does: the quote
// itself and the backslash are escaped by a backslash. It returns the text,
// the length read and whether the string was terminated.
func unquote(s string) (string, int, bool) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == quote:
			return b.String(), i + 1, true
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}
