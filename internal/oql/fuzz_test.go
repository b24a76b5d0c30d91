package oql_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// FuzzParse checks that any text parses or fails with a positioned error,
// without panicking or hanging, and that whatever compiles keeps every value
// out of the SQL text: the only quotes in it are the compiler's own.
func FuzzParse(f *testing.F) {
	for _, q := range seedQueries {
		f.Add(q)
	}
	for _, c := range append(compileCases, iTopCases...) {
		f.Add(c.query)
	}
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	f.Fuzz(func(t *testing.T, text string) {
		q, err := oql.Parse(text)
		if err != nil {
			var perr *oql.Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %T %v, want *oql.Error", err, err)
			}
			if perr.Line < 1 || perr.Column < 1 || perr.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("error position %d:%d out of the text", perr.Line, perr.Column)
			}
			return
		}
		params := desk.QueryParams{}
		for _, p := range q.Params() {
			if p.List {
				params[p.Name] = []string{"1", "x'y"}
			} else {
				params[p.Name] = "+1 (123) 456-7890' OR 1=1"
			}
		}
		for _, d := range []oql.Dialect{oql.SQLite, oql.PostgreSQL} {
			st, err := q.Compile(oql.Env{Dialect: d, Params: params, Scope: []int64{1, 2}, Phone: norm, Limit: 10,
				This: &desk.Object{Class: desk.KindUserRequest, ID: 1}, ContactID: 5})
			if err != nil {
				if desk.ErrorCode(err) != desk.EINVALID {
					t.Fatalf("Compile: %v", err)
				}
				continue
			}
			if n := strings.Count(st.SQL, "'"); n != 2*strings.Count(st.SQL, "' '") {
				t.Fatalf("a quote reached the SQL text: %s", st.SQL)
			}
			if !utf8.ValidString(st.SQL) {
				t.Fatalf("SQL is not valid UTF-8")
			}
		}
	})
}
