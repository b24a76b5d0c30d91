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
	tokOp    // = != <> < <= > >=
	tokPunct // ( ) , .
)

// keywords of the subset, matched whatever their case.
var keywords = map[string]bool{
	"SELECT": true, "AS": true, "JOIN": true, "ON": true, "WHERE": true,
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "IN": true,
}

// pos is a position in the query text, 1-based.
type pos struct{ line, col int }

type token struct {
	kind tokenKind
	text string // keywords upper-cased; strings unquoted
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
			return nil, &Error{line, col, fmt.Sprintf("query is longer than %d tokens", maxTokens)}
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
				toks = append(toks, token{tokKeyword, up, at})
			} else {
				toks = append(toks, token{tokIdent, word, at})
			}
			advance(n)
		case c == ':':
			n := 1
			for i+n < len(text) && isIdentPart(text[i+n]) {
				n++
			}
			if n == 1 {
				return nil, &Error{line, col, "expected a parameter name after \":\""}
			}
			toks = append(toks, token{tokParam, text[i+1 : i+n], at})
			advance(n)
		case c == '\'' || c == '"':
			s, n, ok := unquote(text[i:])
			if !ok {
				return nil, &Error{line, col, "unterminated string"}
			}
			toks = append(toks, token{tokString, s, at})
			advance(n)
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9':
			n := 1
			for i+n < len(text) && (text[i+n] >= '0' && text[i+n] <= '9' || text[i+n] == '.') {
				n++
			}
			toks = append(toks, token{tokNumber, text[i : i+n], at})
			advance(n)
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
				return nil, &Error{line, col, "unexpected \"!\"; did you mean \"!=\"?"}
			}
			toks = append(toks, token{tokOp, op, at})
			advance(n)
		case c == '(' || c == ')' || c == ',' || c == '.':
			toks = append(toks, token{tokPunct, text[i : i+1], at})
			advance(1)
		default:
			r, _ := utf8.DecodeRuneInString(text[i:])
			return nil, &Error{line, col, fmt.Sprintf("unexpected character %q", r)}
		}
	}
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
