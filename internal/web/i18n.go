package web

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"html/template"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
)

// catalog renders the messages of internal/locale for the pages: a printer
// per language, made once.
type catalog struct {
	messages *locale.Catalog
	printers map[string]*locale.Printer
}

func newCatalog() (*catalog, error) {
	msgs, err := locale.Load()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return catalogOf(msgs), nil
}

// catalogOf returns the catalog of msgs.
func catalogOf(msgs *locale.Catalog) *catalog {
	c := &catalog{messages: msgs, printers: map[string]*locale.Printer{}}
	for _, code := range msgs.Codes() {
		c.printers[code] = msgs.Printer(code)
	}
	return c
}

// printer returns the printer of lang; an unknown language is English.
func (c *catalog) printer(lang string) *locale.Printer {
	if p, ok := c.printers[lang]; ok {
		return p
	}
	return c.printers[locale.English]
}

// has reports whether key is a message.
func (c *catalog) has(key string) bool { return c.messages.Has(key) }

// t returns the message of key in lang, formatted with args; an unknown key
// shows as itself, which a test prevents.
func (c *catalog) t(lang, key string, args ...any) string { return c.printer(lang).T(key, args...) }

// errorMessage returns the user-facing message of err in lang: its message
// key rendered, or for an internal error the generic message, so that no
// detail of the implementation leaks.
func (c *catalog) errorMessage(lang string, err error) string { return c.printer(lang).Error(err) }

// lang returns the language of the request: the user's, or for a visitor
// not logged in the best of Accept-Language, or English.
func (s *Server) lang(r *http.Request) string {
	if u := desk.UserFromContext(r.Context()); u != nil && slices.Contains(desk.Languages, u.Language) {
		return u.Language
	}
	return acceptLanguage(r.Header.Get("Accept-Language"), s.defaultLang)
}

// acceptLanguage picks the supported language the browser prefers, or
// fallback when it names none.
func acceptLanguage(header, fallback string) string {
	if !slices.Contains(desk.Languages, fallback) {
		fallback = desk.Languages[0]
	}
	best, bestQ := fallback, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		for _, l := range desk.Languages {
			if strings.ToLower(l[:2]) == primary && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// templateKeys returns the literal keys of every `t "key"`, `tn "key"` and `n "key"`
// call in the templates of t.
func templateKeys(t *template.Template) []string {
	var keys []string
	walkTemplates(t, func(n parse.Node) {
		if c, ok := n.(*parse.CommandNode); ok && len(c.Args) >= 2 {
			if id, ok := c.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "t" || id.Ident == "n") {
				if s, ok := c.Args[1].(*parse.StringNode); ok {
					keys = append(keys, s.Text)
				}
			}
		}
	})
	return keys
}

// walkTemplates calls visit with every node of t's templates, a node before
// the nodes it holds.
func walkTemplates(t *template.Template, visit func(parse.Node)) {
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if n == nil || reflect.ValueOf(n).IsNil() {
			return
		}
		visit(n)
		switch n := n.(type) {
		case *parse.ListNode:
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
}

// translateConstants writes the message of every action {{t "key"}} (a
// constant key, no argument) of t's templates into the template as text,
// escaped, in lang: a page has dozens of them, each a reflective call of t
// and of an escaper at every render (a quarter of a screen pop's CPU went to
// rendering, docs/performance.md). Call it before the first execution; an
// unknown key is an error. Such actions stand in text and in quoted
// attribute values only, where escaped text is what the escaper would write.
func (c *catalog) translateConstants(t *template.Template, lang string) error {
	var err error
	walkTemplates(t, func(n parse.Node) {
		list, ok := n.(*parse.ListNode)
		if !ok {
			return
		}
		for i, child := range list.Nodes {
			key, ok := constantMessage(child)
			if !ok {
				continue
			}
			if !c.has(key) {
				err = errors.Join(err, fmt.Errorf("unknown message key %q", key))
				continue
			}
			list.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: child.Position(),
				Text: []byte(html.EscapeString(c.t(lang, key)))}
		}
	})
	if err != nil {
		return fmt.Errorf("template %s: %w", t.Name(), err)
	}
	return nil
}

// constantMessage returns the key of an action {{t "key"}}.
func constantMessage(n parse.Node) (string, bool) {
	a, ok := n.(*parse.ActionNode)
	if !ok || a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 2 {
		return "", false
	}
	args := a.Pipe.Cmds[0].Args
	if id, ok := args[0].(*parse.IdentifierNode); !ok || id.Ident != "t" {
		return "", false
	}
	key, ok := args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return key.Text, true
}
