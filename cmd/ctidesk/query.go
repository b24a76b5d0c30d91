package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// paramList is the repeatable --param NAME=VALUE.
type paramList map[string]string

func (l paramList) String() string { return fmt.Sprint(map[string]string(l)) }

func (l paramList) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimPrefix(strings.TrimSpace(name), ":")
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", s)
	}
	l[name] = value
	return nil
}

func (m *Main) parseQuery(args []string) error {
	fs := m.newFlagSet("query")
	asJSON := fs.Bool("json", false, "print a JSON array of {id, class, friendlyname, attributes}")
	params := paramList{}
	fs.Var(params, "param", "a parameter value, NAME=VALUE (repeatable); a list parameter (used in IN) takes comma-separated values")
	login := fs.String("user", "", "run as this user, with his rights and organizations (default: everything)")
	this := fs.String("this", "", "the object in context of :this->attribute, CLASS:ID (UserRequest:12) or a ticket's reference")
	limit := fs.Int("limit", 100, "print at most this many objects (0: all)")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	text := strings.Join(rest, " ")
	if strings.TrimSpace(text) == "" {
		return errors.New("usage: ctidesk query [--json] [--param NAME=VALUE]... [--this CLASS:ID] [--user LOGIN] 'OQL'")
	}
	if *limit < 0 {
		return errors.New("query: --limit must be 0 or more")
	}
	q, err := oql.Parse(text)
	if err != nil {
		return errors.New(pointAt(text, err))
	}
	values := desk.QueryParams{}
	var missing []string
	for _, p := range q.Params() {
		v, ok := params[p.Name]
		switch {
		case !ok && isContextParam(p.Name):
		case !ok:
			missing = append(missing, "--param "+p.Name+"=…")
		case p.List:
			values[p.Name] = strings.Split(v, ",")
		default:
			values[p.Name] = v
		}
	}
	if attrs := q.ThisAttributes(); len(attrs) > 0 && *this == "" {
		missing = append(missing, "--this CLASS:ID (for :this->"+attrs[0]+")")
	}
	if len(missing) > 0 {
		return fmt.Errorf("query: the query needs %s", strings.Join(missing, " "))
	}
	if *this != "" {
		o, err := thisObject(*this)
		if err != nil {
			return err
		}
		values[desk.ParamThis] = o
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		if *login != "" {
			u, err := m.DB.FindUserByLogin(ctx, *login)
			if err != nil {
				return fmt.Errorf("query: user %s: %s", *login, m.Messages.Error(err))
			}
			ctx = desk.NewContextWithUser(ctx, u)
		}
		objects, err := m.DB.FindObjects(ctx, q, values, *limit)
		if err != nil {
			if code := desk.ErrorCode(err); code != desk.EINTERNAL {
				return errors.New("query: " + m.Messages.Error(err))
			}
			return fmt.Errorf("query: %w", err)
		}
		if *asJSON {
			return m.printObjectsJSON(objects)
		}
		m.printObjects(objects, *limit)
		return nil
	}
	return nil
}

// isContextParam reports whether the store fills the parameter from the user.
func isContextParam(name string) bool {
	return name == "current_user" || name == "current_contact" || name == "current_user_id" || name == "current_contact_id"
}

// thisObject reads --this: CLASS:ID, or a ticket's reference (R-000123).
func thisObject(s string) (*desk.Object, error) {
	class, id, ok := strings.Cut(s, ":")
	if !ok {
		class, id = desk.ClassTicket, s
	}
	if _, known := desk.FindClass(class); !known {
		return nil, fmt.Errorf("query: --this %s: unknown class %q", s, class)
	}
	n, ok := desk.ParseTicketRef(id)
	if !ok {
		return nil, fmt.Errorf("query: --this %s: want CLASS:ID or a ticket's reference", s)
	}
	return &desk.Object{Class: class, ID: n}, nil
}

// pointAt returns a query error with the line of the query it is on and a
// caret under the column, as compilers do.
func pointAt(text string, err error) string {
	var perr *oql.Error
	if !errors.As(err, &perr) {
		return "query: " + err.Error()
	}
	lines := strings.Split(text, "\n")
	if perr.Line < 1 || perr.Line > len(lines) {
		return "query: " + err.Error()
	}
	line := strings.ReplaceAll(lines[perr.Line-1], "\t", " ")
	caret := strings.Repeat(" ", max(0, perr.Column-1)) + "^"
	return fmt.Sprintf("query: %s\n  %s\n  %s", err, line, caret)
}

// objectJSON is one object in the output of query --json.
type objectJSON struct {
	ID           int64          `json:"id"`
	Class        string         `json:"class"`
	FriendlyName string         `json:"friendlyname"`
	Attributes   map[string]any `json:"attributes"`
}

func (m *Main) printObjectsJSON(objects []*desk.Object) error {
	out := make([]objectJSON, 0, len(objects))
	for _, o := range objects {
		attrs := make(map[string]any, len(o.Values))
		for _, v := range o.Values {
			attrs[v.Attribute] = v.Value
		}
		out = append(out, objectJSON{ID: o.ID, Class: o.Class, FriendlyName: o.FriendlyName, Attributes: attrs})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "%s\n", b)
	return err
}

// printObjects prints each object as a heading (class, id, friendly name) and
// its attributes that are set, one per line.
func (m *Main) printObjects(objects []*desk.Object, limit int) {
	for _, o := range objects {
		fmt.Fprintf(m.Stdout, "%s %d  %s\n", o.Class, o.ID, oneLine(o.FriendlyName))
		for _, v := range o.Values {
			switch x := v.Value.(type) {
			case nil:
			case string:
				if x != "" {
					fmt.Fprintf(m.Stdout, "  %s: %s\n", v.Attribute, oneLine(x))
				}
			case time.Time:
				fmt.Fprintf(m.Stdout, "  %s: %s\n", v.Attribute, x.Format(time.DateTime))
			default:
				fmt.Fprintf(m.Stdout, "  %s: %v\n", v.Attribute, x)
			}
		}
	}
	switch n := len(objects); {
	case n == 0:
		fmt.Fprintln(m.Stdout, "No object found.")
	case limit > 0 && n == limit:
		fmt.Fprintf(m.Stdout, "%d objects (the first %d; --limit 0 shows all).\n", n, limit)
	case n == 1:
		fmt.Fprintln(m.Stdout, "1 object.")
	default:
		fmt.Fprintf(m.Stdout, "%d objects.\n", n)
	}
}
