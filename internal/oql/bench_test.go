package oql_test

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// popQueries are the queries a screen pop compiles on every call, with the
// parameters it gives them: the seed's caller query and ticket lists.
var popQueries = []struct {
	name   string
	params desk.QueryParams
	limit  int
}{
	{"caller_information", desk.QueryParams{"phone": "+1 (212) 555-0100"}, 100},
	{"list_user_requests", desk.QueryParams{"callers_list": []int64{12, 40}}, 20},
	{"list_org_requests", desk.QueryParams{"callers_list": []int64{12, 40}}, 20},
	{"preset_org_id", desk.QueryParams{"selected_caller": int64(12)}, 1},
}

// BenchmarkParse parses the seed's queries, as the configuration does once
// at load.
func BenchmarkParse(b *testing.B) {
	for _, pq := range popQueries {
		text := seedQueries[pq.name]
		b.Run(pq.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := oql.Parse(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompile compiles the pop's queries as a scoped agent's pop does
// on every call: its parameters, organizations, limit and total.
func BenchmarkCompile(b *testing.B) {
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	for _, pq := range popQueries {
		q := oql.MustParse(seedQueries[pq.name])
		env := oql.Env{Dialect: oql.SQLite, Params: pq.params, Scope: []int64{1, 2}, ContactID: 5, Phone: norm,
			Limit: pq.limit, Total: pq.limit > 1}
		b.Run(pq.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := q.Compile(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
