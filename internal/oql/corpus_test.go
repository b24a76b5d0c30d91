package oql_test

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// corpusEntry is a query of testdata/itop_corpus.txt.
type corpusEntry struct {
	source string
	this   string // the class of the object in context, or ""
	params desk.QueryParams
	query  string
	line   int
}

// readCorpus reads testdata/itop_corpus.txt (its header says the format).
func readCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	f, err := os.Open("testdata/itop_corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []corpusEntry
	var e *corpusEntry
	var query []string
	end := func() {
		if e != nil {
			e.query = strings.Join(query, "\n")
			entries = append(entries, *e)
		}
		e, query = nil, nil
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			end()
		case e == nil && !strings.HasPrefix(line, "source: "):
			t.Fatalf("itop_corpus.txt:%d: an entry starts with its source", n)
		case e == nil:
			e = &corpusEntry{source: strings.TrimPrefix(line, "source: "), params: desk.QueryParams{}, line: n}
		case len(query) == 0 && strings.HasPrefix(line, "this: "):
			e.this = strings.TrimPrefix(line, "this: ")
		case len(query) == 0 && strings.HasPrefix(line, "param: "):
			name, value, _ := strings.Cut(strings.TrimPrefix(line, "param: "), "=")
			e.params[name] = value
		default:
			query = append(query, line)
		}
	}
	end()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return entries
}

// corpusObjects are the objects in context of the corpus's queries, by
// class: fixture objects (fixture_test.go).
var corpusObjects = map[string]int64{
	desk.ClassTicket: 1, desk.KindUserRequest: 1, desk.KindIncident: 4, desk.KindProblem: 5, desk.KindChange: 7,
	desk.ClassPerson: 1, desk.ClassOrganization: 2, desk.ClassLocation: 1,
}

// laterClasses and laterAttributes are iTop's classes and attributes a
// later change brings to ctidesk: none now (teams came with issue 25).
var (
	laterClasses    = []string{}
	laterAttributes = []string{}
)

// byDesign are the constructs of iTop's language ctidesk does not support
// on purpose: a query returns the objects of one class.
var byDesign = []string{"several selected classes"}

// TestITopCorpus runs every query of testdata/itop_corpus.txt, real queries
// of iTop, on the fixture in both dialects, and reports how many run and
// why the others do not, grouped by reason. A query fails the test unless
// it runs, or names a class or an attribute ctidesk does not have (teams
// come later), or selects several classes.
func TestITopCorpus(t *testing.T) {
	entries := readCorpus(t)
	if len(entries) < 70 {
		t.Fatalf("%d queries in the corpus, want at least 70", len(entries))
	}
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	for _, d := range []oql.Dialect{oql.SQLite, oql.PostgreSQL} {
		t.Run(d.String(), func(t *testing.T) {
			db := openFixture(t, d)
			reasons := map[string][]string{} // reason: the queries' lines
			var failed []string
			for _, e := range entries {
				where := fmt.Sprintf("line %d", e.line)
				reason, ok := func() (string, bool) {
					q, err := oql.Parse(e.query)
					var perr *oql.Error
					if errors.As(err, &perr) {
						switch {
						case perr.Kind == oql.ErrUnknownClass && slices.Contains(laterClasses, perr.Name),
							perr.Kind == oql.ErrUnknownAttribute && slices.Contains(laterAttributes, perr.Name):
							return "teams, which come later: " + perr.Name, true
						case perr.Kind == oql.ErrUnknownClass:
							return "a class ctidesk does not have: " + perr.Name, true
						case perr.Kind == oql.ErrUnknownAttribute:
							return "an attribute ctidesk does not have: " + perr.Name, true
						case perr.Kind == oql.ErrUnsupported && slices.Contains(byDesign, perr.Name):
							return "not supported by design: " + perr.Name, true
						}
						return "does not parse: " + err.Error(), false
					} else if err != nil {
						return "does not parse: " + err.Error(), false
					}
					params := maps.Clone(e.params)
					for _, p := range []string{"current_user", "current_contact", "current_user_id", "current_contact_id"} {
						params[p] = int64(5)
					}
					for _, p := range q.Params() {
						if v, ok := params[p.Name].(string); ok && p.List {
							params[p.Name] = strings.Split(v, ",")
						}
					}
					env := oql.Env{Dialect: d, Params: params, ContactID: 5, Phone: norm, Now: goldenNow, Limit: 20, Total: true}
					if e.this != "" {
						env.This = &desk.Object{Class: e.this, ID: corpusObjects[e.this]}
					}
					st, err := q.Compile(env)
					if err != nil {
						return "does not compile: " + err.Error(), false
					}
					rows, err := db.Query(st.SQL, st.Args...)
					if err != nil {
						return "does not run: " + err.Error(), false
					}
					rows.Close()
					return "runs", true
				}()
				reasons[reason] = append(reasons[reason], where)
				if !ok {
					failed = append(failed, fmt.Sprintf("%s (%s): %s\n  %s", where, e.source, reason, e.query))
				}
			}
			var report strings.Builder
			fmt.Fprintf(&report, "%d of %d queries run; the others, by reason:\n", len(reasons["runs"]), len(entries))
			keys := slices.SortedFunc(maps.Keys(reasons), func(a, b string) int {
				return cmp.Or(cmp.Compare(len(reasons[b]), len(reasons[a])), strings.Compare(a, b))
			})
			for _, k := range keys {
				if k != "runs" {
					fmt.Fprintf(&report, "  %3d  %s (%s)\n", len(reasons[k]), k, strings.Join(reasons[k], ", "))
				}
			}
			t.Log(report.String())
			for _, f := range failed {
				t.Errorf("a query over ctidesk's classes does not run: %s", f)
			}
		})
	}
}
