package oql_test

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// TestEveryAttributeRuns compiles a query of every class, and one naming
// each of its attributes, and runs them on the fixture in both dialects:
// the mapping of classes to tables (schema.go) and the migrations agree,
// a class added to desk (Team, lnkPersonToTeam) included.
func TestEveryAttributeRuns(t *testing.T) {
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	for _, d := range []oql.Dialect{oql.SQLite, oql.PostgreSQL} {
		t.Run(d.String(), func(t *testing.T) {
			db := openFixture(t, d)
			run := func(query string) {
				t.Helper()
				q, err := oql.Parse(query)
				if err != nil {
					t.Errorf("%s: %v", query, err)
					return
				}
				for _, scope := range [][]int64{nil, {1}} {
					st, err := q.Compile(oql.Env{Dialect: d, Phone: norm, Now: goldenNow, Limit: 5, Total: true, Scope: scope})
					if err != nil {
						t.Errorf("%s: %v", query, err)
						return
					}
					rows, err := db.Query(st.SQL, st.Args...)
					if err != nil {
						t.Errorf("%s (scope %v): %v\n%s", query, scope, err, st.SQL)
						return
					}
					rows.Close()
				}
			}
			for _, c := range desk.Classes() {
				run("SELECT " + c.Name)
				for _, a := range c.Attributes {
					switch {
					case a.Type == desk.TypeLog:
						run("SELECT " + c.Name + " AS x WHERE x." + a.Name + " LIKE '%a%'")
					case a.Type == desk.TypePhone:
						run("SELECT " + c.Name + " AS x WHERE x." + a.Name + " LIKE '+1 212 555 0100'")
					default:
						run("SELECT " + c.Name + " AS x WHERE ISNULL(x." + a.Name + ") = 0")
					}
				}
			}
		})
	}
}
