package oql_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/phone"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// seedQueries are every OQL query of the iTop telephony document
// (../shared/seeds/000_…), verbatim.
var seedQueries = map[string]string{
	"caller_information": `SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`,
	"preset_org_id":      `SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller`,
	"list_user_requests": `SELECT UserRequest AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'`,
	"list_org_requests": `SELECT UserRequest AS u JOIN Organization AS o ON u.org_id = o.id JOIN Person AS p ON p.org_id = o.id
                            WHERE p.id IN (:callers_list) AND u.status != 'closed'`,
	"list_problems":  `SELECT Problem AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'`,
	"list_incidents": `SELECT Incident AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'`,
}

type compileCase struct {
	name   string
	query  string
	params desk.QueryParams
	scope  []int64 // nil: every organization
	// contact is the reader's contact (phone call visibility).
	contact int64
	// limit bounds the objects, as the pop's lists do; 0: none.
	limit int
	// columns, when set, are the only attributes the objects hold.
	columns []string
	// total adds the number of objects found to the rows (with a limit).
	total bool
}

var compileCases = []compileCase{
	// The seed's queries with the parameters a pop gives them.
	{name: "caller_information.us_number", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "1234567890"}},
	{name: "caller_information.plus_as_space", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": " 1 123 456 7890"}},
	{name: "caller_information.french_mobile", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "+33612345678"}},
	{name: "caller_information.international_prefix", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "0033987654321"}},
	{name: "caller_information.unknown", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "+44 20 7946 0000"}},
	{name: "caller_information.too_short", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "7890"}},
	{name: "caller_information.scoped", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "+33987654321"}, scope: []int64{1}},
	{name: "preset_org_id", query: seedQueries["preset_org_id"], params: desk.QueryParams{"selected_caller": int64(3)}},
	{name: "preset_org_id.string_param", query: seedQueries["preset_org_id"], params: desk.QueryParams{"selected_caller": "1"}},
	{name: "preset_org_id.scoped_out", query: seedQueries["preset_org_id"], params: desk.QueryParams{"selected_caller": int64(3)}, scope: []int64{1}},
	{name: "list_user_requests", query: seedQueries["list_user_requests"], params: desk.QueryParams{"callers_list": []int64{1, 2}}},
	{name: "list_user_requests.empty_list", query: seedQueries["list_user_requests"], params: desk.QueryParams{"callers_list": []int64{}}},
	{name: "list_user_requests.one_value", query: seedQueries["list_user_requests"], params: desk.QueryParams{"callers_list": int64(3)}},
	{name: "list_org_requests", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{1, 2}}},
	{name: "list_org_requests.two_orgs", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{2, 3}}},
	// Limited: the newest first, each once though two callers of one
	// organization find it twice.
	{name: "list_org_requests.limit_2", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{1, 2}}, limit: 2},
	{name: "list_user_requests.limit_1", query: seedQueries["list_user_requests"], params: desk.QueryParams{"callers_list": []int64{1, 2}}, limit: 1},
	// The attributes a pop's list shows, and one the class lacks (ignored).
	{name: "list_org_requests.columns", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{1, 2}},
		limit: 2, columns: []string{"title", "caller_id", "caller_name", "status", "start_date", "email"}},
	// As the pop's lists run: the newest, the attributes shown, and the total.
	{name: "list_org_requests.total", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{1, 2}},
		limit: 2, columns: []string{"title", "caller_id", "caller_name", "status", "start_date"}, total: true},
	{name: "list_problems", query: seedQueries["list_problems"], params: desk.QueryParams{"callers_list": []int64{1, 3}}},
	{name: "list_incidents", query: seedQueries["list_incidents"], params: desk.QueryParams{"callers_list": []int64{1, 3}}},

	// The rest of the subset.
	{name: "abstract_ticket", query: `SELECT Ticket WHERE org_id = 1 AND status IN ('new', 'assigned')`},
	{name: "abstract_ticket.scoped", query: `SELECT Ticket`, scope: []int64{2}},
	{name: "not_in_and_not", query: `SELECT UserRequest AS u WHERE NOT (u.status = 'new') AND u.caller_id NOT IN (4)`},
	{name: "like_derived", query: `SELECT Person WHERE org_name LIKE 'demo%' AND friendlyname NOT LIKE 'eve%'`},
	{name: "caller_name", query: `SELECT Ticket AS t WHERE t.caller_name = :name`, params: desk.QueryParams{"name": "Cid Moore"}},
	{name: "unset_caller", query: `SELECT UserRequest WHERE caller_id = 0`},
	{name: "set_agent", query: `SELECT UserRequest WHERE agent_id != :none`, params: desk.QueryParams{"none": "0"}},
	{name: "dates", query: `SELECT Ticket WHERE start_date >= '2026-01-06' AND start_date < :before`, params: desk.QueryParams{"before": "2026-01-09 07:15"}},
	{name: "closed_date", query: `SELECT Ticket WHERE close_date > '2026-01-01'`},
	{name: "numbers", query: `SELECT UserRequest WHERE priority <= 2 OR id = :request`, params: desk.QueryParams{"request": "R-000008"}},
	{name: "log_like", query: `SELECT Ticket WHERE public_log LIKE '%paper%' OR private_log LIKE :text`, params: desk.QueryParams{"text": "%vpn%"}},
	{name: "join_caller", query: `SELECT Ticket AS t JOIN Person AS p ON t.caller_id = p.id WHERE p.employee_number = :employee_number AND t.status != 'closed'`,
		params: desk.QueryParams{"employee_number": "E3"}},
	{name: "join_phone", query: `SELECT UserRequest AS u JOIN Person AS p ON u.caller_id = p.id WHERE p.phone LIKE :phone`,
		params: desk.QueryParams{"phone": "+1 123-456-7890"}},
	{name: "not_phone", query: `SELECT Person WHERE org_id = 1 AND phone != :phone`, params: desk.QueryParams{"phone": "1234567890"}},
	{name: "organizations", query: `SELECT Organization WHERE status = 'active' OR support_id = ''`},
	{name: "location", query: `SELECT Location WHERE org_name = 'Demo Corp'`},
	{name: "current_contact", query: `SELECT Ticket WHERE agent_id = :current_contact`, params: desk.QueryParams{"current_contact": int64(5)}},
	{name: "phonecalls", query: `SELECT PhoneCall WHERE flow = 'inbound' OR ticket_ref = 'R-000006'`},
	{name: "phonecalls.scoped", query: `SELECT PhoneCall`, scope: []int64{1}},
	{name: "phonecalls.scoped_agent", query: `SELECT PhoneCall`, scope: []int64{2}, contact: 5},
	{name: "no_scope", query: `SELECT Person`, scope: []int64{}},

	// Parameters are values, never SQL.
	{name: "injection.string", query: `SELECT Person WHERE name = :name`, params: desk.QueryParams{"name": "Smith' OR '1'='1"}},
	{name: "injection.like", query: `SELECT Person WHERE email LIKE :q`, params: desk.QueryParams{"q": "x%' OR 1=1 --"}},
	{name: "injection.id", query: `SELECT Person WHERE id = :id`, params: desk.QueryParams{"id": "1 OR 1=1"}},
	{name: "injection.list", query: `SELECT Person WHERE id IN (:ids)`, params: desk.QueryParams{"ids": []string{"1) OR (1=1", "2"}}},
	{name: "injection.phone", query: seedQueries["caller_information"], params: desk.QueryParams{"phone": "1234567890' OR '1'='1"}},
	{name: "injection.semicolon", query: `SELECT Person WHERE first_name = :n`, params: desk.QueryParams{"n": "Ann'; DROP TABLE person; --"}},
}

// TestCompileGolden compiles every case in both dialects, checks the SQL
// against testdata/<case>.<dialect>.sql, runs it on the fixed data set and
// checks the objects against testdata/<case>.result, the same for both.
func TestCompileGolden(t *testing.T) {
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	for _, d := range []oql.Dialect{oql.SQLite, oql.PostgreSQL} {
		t.Run(d.String(), func(t *testing.T) {
			db := openFixture(t, d)
			for _, c := range compileCases {
				t.Run(c.name, func(t *testing.T) {
					q, err := oql.Parse(c.query)
					if err != nil {
						t.Fatalf("Parse: %v", err)
					}
					if c.columns != nil {
						q = q.Columns(c.columns...)
					}
					env := oql.Env{Dialect: d, Params: c.params, Scope: c.scope, ContactID: c.contact, Phone: norm, Limit: c.limit, Total: c.total}
					st, err := q.Compile(env)
					if err != nil {
						t.Fatalf("Compile: %v", err)
					}
					golden(t, filepath.Join("testdata", c.name+"."+d.String()+".sql"), st.SQL+"\n-- "+fmt.Sprint(st.Args)+"\n")
					result := run(t, db, st)
					golden(t, filepath.Join("testdata", c.name+".result"), result)
					if c.limit > 0 {
						// The first objects of the query without the limit.
						env.Limit = 0
						all, err := q.Compile(env)
						if err != nil {
							t.Fatal(err)
						}
						allResult := run(t, db, all)
						objects := func(r string) []string {
							return regexp.MustCompile(`(?m)^\S.*$`).FindAllString(r, -1)
						}
						got, want := objects(result), objects(allResult)
						if len(got) != c.limit+1 || len(want) <= len(got) || !slices.Equal(got[:c.limit], want[:c.limit]) {
							t.Errorf("limited to %d: %q, want the first of %q", c.limit, got, want)
						}
						result = allResult
					}
					// Limited to one object, with the total: the total is the
					// number of objects the query finds.
					tenv := env
					tenv.Limit, tenv.Total = 1, true
					tst, err := q.Compile(tenv)
					if err != nil {
						t.Fatalf("Compile with Total: %v", err)
					}
					var found int
					if _, err := fmt.Sscanf(result[strings.LastIndex(result[:len(result)-1], "\n")+1:], "(%d objects)", &found); err != nil {
						t.Fatal(err)
					}
					// No row, no total: "(0 objects)" leaves it 0.
					var n, total int
					tr := run(t, db, tst)
					if _, err := fmt.Sscanf(tr[strings.LastIndex(tr[:len(tr)-1], "\n")+1:], "(%d objects, %d in all)", &n, &total); err != nil && found > 0 {
						t.Fatalf("no total in %q: %v", tr, err)
					}
					if total != found {
						t.Errorf("total = %d, but the query found %d objects\n%s", total, found, tst.SQL)
					}
				})
			}
			// The person table is intact after the injection attempts.
			var n int
			if err := db.QueryRow("SELECT count(*) FROM person").Scan(&n); err != nil || n != len(fixturePersons) {
				t.Errorf("persons after the cases: %d, %v; want %d", n, err, len(fixturePersons))
			}
		})
	}
}

// run runs st and returns one line per object: class, id, friendly name and
// every attribute value.
func run(t *testing.T, db *sql.DB, st *oql.Statement) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), st.SQL, st.Args...)
	if err != nil {
		t.Fatalf("query: %v\n%s", err, st.SQL)
	}
	defer rows.Close()
	var b strings.Builder
	values := make([]any, st.Width())
	dest := make([]any, len(values))
	for i := range values {
		dest[i] = &values[i]
	}
	n, total := 0, -1
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		o, err := st.Object(values)
		if err != nil {
			t.Fatal(err)
		}
		n++
		total = st.Total(values)
		fmt.Fprintf(&b, "%s %d %q\n", o.Class, o.ID, o.FriendlyName)
		for _, v := range o.Values {
			switch x := v.Value.(type) {
			case time.Time:
				fmt.Fprintf(&b, "  %s=%s\n", v.Attribute, x.Format(time.RFC3339))
			case string:
				fmt.Fprintf(&b, "  %s=%q\n", v.Attribute, x)
			default:
				fmt.Fprintf(&b, "  %s=%v\n", v.Attribute, x)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if total >= 0 {
		fmt.Fprintf(&b, "(%d objects, %d in all)\n", n, total)
		return b.String()
	}
	fmt.Fprintf(&b, "(%d objects)\n", n)
	return b.String()
}

// golden compares got with the file at path, or writes it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/oql -run TestCompileGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
