package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
)

// TestMessageKeys holds the catalogs of internal/locale to the code: every
// key the code or the templates name exists, and every key of the catalogs
// is named somewhere (internal/locale's own test holds each language to the
// keys of English). The Go sources are read as syntax trees: a key is a
// string literal; the key argument of a message call must be one.
func TestMessageKeys(t *testing.T) {
	t.Parallel()
	catalog := locale.MustLoad()
	used := map[string]bool{"language.name": true}
	use := func(where, key string) {
		if !catalog.Has(key) {
			t.Errorf("%s: no message %q", where, key)
		}
		used[key] = true
	}

	e := MustEnv(t)
	views := e.web.TemplateMessageKeys()
	if len(views) < 10 {
		t.Fatalf("only %d views", len(views))
	}
	for view, keys := range views {
		if len(keys) == 0 && view != "error" {
			t.Errorf("view %s uses no message", view)
		}
		for _, k := range keys {
			use("view "+view, k)
		}
	}

	// Keys made of a prefix and a value: the template function label, and
	// the error pages.
	dynamic := func(prefix string, values ...string) {
		for _, v := range values {
			use("enumeration "+prefix, prefix+"."+v)
		}
	}
	dynamic("kind", desk.TicketKinds...)
	dynamic("ticket.new", desk.TicketKinds...)
	dynamic("status", desk.TicketStatuses...)
	dynamic("origin", desk.TicketOrigins...)
	dynamic("personstatus", desk.StatusActive, desk.StatusInactive)
	dynamic("flow", desk.FlowInbound, desk.FlowOutbound)
	dynamic("field", desk.PhoneAttributes...)
	dynamic("field", desk.PublicLog, desk.PrivateLog)
	dynamic("class", desk.ClassPerson, "Ticket")
	dynamic("callstate", desk.CallStates...)
	dynamic("callbackstate", desk.CallbackStates...)
	dynamic("simstep", cti.SimulationSteps...)
	dynamic("direction", desk.DirectionIn, desk.DirectionOut)
	dynamic("pop.create", append([]string{desk.ClassPerson, desk.ClassOrganization, desk.ClassLocation, desk.ClassPhoneCall},
		desk.TicketKinds...)...)
	dynamic("role", desk.Roles...)
	dynamic("user.saved", "added", "saved", "password", "disabled", "enabled", "sessions")
	dynamic("level", "0") // a kind without levels
	dynamic("pop.found_by", "phone", "employee_number", "support_id", "email", "request", "nothing")
	dynamic("pop.number", append(desk.PhoneAttributes, desk.AttrAgentExtension)...)
	dynamic("pop.match", desk.CallerAttributes...)
	for _, l := range desk.TicketLevels {
		dynamic("level", strconv.Itoa(l))
	}
	for _, code := range []string{desk.EINVALID, desk.EUNAUTHORIZED, desk.EFORBIDDEN, desk.ENOTFOUND, desk.ECONFLICT, desk.EINTERNAL} {
		dynamic("error", code+".title", code+".message")
	}

	// The Go sources: the key argument of every message call is a literal
	// that exists; any other literal that is a key uses it.
	keyArg := map[string]int{"NewError": 1, "Invalid": 1, "T": 0, "N": 0, "t": 1}
	fset := token.NewFileSet()
	files := 0
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := ""
					switch fn := n.Fun.(type) {
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					case *ast.Ident:
						name = fn.Name
					}
					i, ok := keyArg[name]
					if !ok || len(n.Args) <= i {
						return true
					}
					where := fset.Position(n.Pos()).String()
					switch a := n.Args[i].(type) {
					case *ast.BasicLit:
						if k, err := strconv.Unquote(a.Value); err == nil && a.Kind == token.STRING {
							use(where, k)
						}
					case *ast.BinaryExpr: // "status." + value: an enumeration above
					case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr:
						// a key held in a variable: its literal counts where written
					default:
						t.Errorf("%s: the key of %s is not a literal", where, name)
					}
				case *ast.BasicLit:
					if k, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && catalog.Has(k) {
						used[k] = true
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 50 {
		t.Fatalf("read only %d Go files", files)
	}
	var unused []string
	for _, k := range catalog.Keys(locale.English) {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	slices.Sort(unused)
	for _, k := range unused {
		t.Errorf("message %q is used nowhere: remove it from every language", k)
	}
}
