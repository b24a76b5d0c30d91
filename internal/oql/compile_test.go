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
	// cap stops the total at cap+1 objects (with total).
	cap int
	// this is the object in context (:this->name).
	this *desk.Object
}

// goldenNow is the time of NOW() in the cases: the day after the fixture's
// last ticket, at noon.
var goldenNow = time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)

// iTopCases are the constructs of iTop's language beyond the seed's, each
// with the objects of the fixture it finds.
var iTopCases = []compileCase{
	// Dates: NOW() and DATE_SUB computed once, DATE_ADD of an attribute
	// and DATE_FORMAT by the database.
	{name: "date_sub_now", query: `SELECT UserRequest WHERE DATE_SUB(NOW(), INTERVAL 7 DAY) < start_date`},
	{name: "date_sub_now.param", query: `SELECT UserRequest WHERE start_date > DATE_SUB(NOW(), INTERVAL :days DAY)`,
		params: desk.QueryParams{"days": "2"}},
	{name: "date_add_attribute", query: `SELECT Ticket AS t WHERE t.close_date > DATE_ADD(t.start_date, INTERVAL 8 HOUR) AND t.close_date < DATE_ADD(t.start_date, INTERVAL 1 MONTH)`},
	{name: "date_add_attribute.too_soon", query: `SELECT Ticket AS t WHERE t.close_date > DATE_ADD(t.start_date, INTERVAL 2 DAY)`},
	{name: "date_format", query: `SELECT Ticket WHERE DATE_FORMAT(start_date, '%H:%i') = DATE_FORMAT(NOW(), '%H:%i')`},
	{name: "date_format.day", query: `SELECT Ticket WHERE DATE_FORMAT(start_date, '%Y-%m-%d') = '2026-01-05'`},
	{name: "current_date", query: `SELECT PhoneCall WHERE date >= CURRENT_DATE()`},
	{name: "creation_date", query: `SELECT Change WHERE creation_date > DATE_SUB(NOW(), INTERVAL 7 DAY)`},
	{name: "isnull", query: `SELECT Ticket WHERE ISNULL(close_date) = 0 OR ISNULL(caller_id) = 1`},
	// Attributes compared with each other: Eve's support id is not her
	// organization's.
	{name: "attribute_comparison", query: `SELECT Person AS p JOIN Organization AS o ON p.org_id = o.id WHERE p.support_id = o.support_id`},
	// Subqueries, scoped as the query around them.
	{name: "in_subquery", query: `SELECT Person WHERE id IN (SELECT Person AS p JOIN Ticket AS t ON t.caller_id = p.id WHERE t.status = 'new')`},
	{name: "not_in_subquery", query: `SELECT Ticket WHERE caller_id NOT IN (SELECT Person WHERE org_id = 1)`},
	{name: "in_subquery.managers", query: `SELECT Person AS m WHERE m.id IN (SELECT b FROM Person AS e JOIN Person AS b ON e.manager_id = b.id WHERE e.org_id = 3)`},
	{name: "in_subquery.managers_scoped", query: `SELECT Person AS m WHERE m.id IN (SELECT b FROM Person AS e JOIN Person AS b ON e.manager_id = b.id WHERE e.org_id = 3)`,
		scope: []int64{1, 2}},
	{name: "correlated_subquery", query: "SELECT `UserRequest` FROM UserRequest AS `UserRequest` WHERE (`UserRequest`.`org_id` IN " +
		"(SELECT `Organization` FROM Organization AS `Organization` WHERE `Organization`.`id`=`UserRequest`.`org_id` AND `Organization`.status = 'active'))"},
	{name: "select_joined_alias", query: `SELECT l FROM Person AS p JOIN Location AS l ON p.location_id = l.id`},
	// UNION: of different kinds, tickets; each branch scoped.
	{name: "union", query: `SELECT UserRequest WHERE status = 'closed' UNION SELECT Incident`},
	{name: "union.scoped", query: `SELECT Person WHERE org_id = 1 UNION SELECT Person WHERE org_id = 3`, scope: []int64{1, 2}},
	{name: "union.total", query: `SELECT Person WHERE org_id = 1 UNION SELECT Person WHERE org_id = 3`, limit: 2, total: true},
	// The organization tree: Demo Corp above Other Inc above Hidden Ltd.
	{name: "below", query: `SELECT Organization AS child JOIN Organization AS root ON child.parent_id BELOW root.id WHERE root.id = 2`},
	{name: "below_strict", query: `SELECT Organization AS child JOIN Organization AS root ON child.parent_id BELOW STRICT root.id WHERE root.id = 1`},
	{name: "not_below", query: `SELECT Organization AS o JOIN Organization AS r ON o.parent_id NOT BELOW r.id WHERE r.id = 2`},
	{name: "above", query: `SELECT Organization AS o JOIN Organization AS leaf ON o.parent_id ABOVE leaf.id WHERE leaf.id = 3`},
	// Other Inc, hidden, is between its two visible neighbours.
	{name: "below.scoped", query: `SELECT Organization AS child JOIN Organization AS root ON child.parent_id BELOW root.id WHERE root.id = 1`,
		scope: []int64{1, 3}},
	{name: "below_persons", query: `SELECT Person AS p JOIN Organization AS Node ON p.org_id = Node.id JOIN Organization AS Root ON Node.parent_id BELOW Root.id WHERE Root.id = 2`},
	{name: "in_below", query: `SELECT UserRequest WHERE org_id IN (SELECT Organization AS o JOIN Organization AS r ON o.parent_id BELOW r.id WHERE r.id = :org)`,
		params: desk.QueryParams{"org": int64(2)}},
	// Teams (fixture_test.go): iTop's filter of a ticket's agent, the
	// members of its team; a team and its members are seen with the team's
	// organization.
	{name: "teams.agents_of_ticket_team", query: `SELECT Person AS p JOIN lnkPersonToTeam AS l ON l.person_id=p.id JOIN Team AS t ON l.team_id=t.id WHERE t.id = :this->team_id`,
		this: &desk.Object{Class: desk.KindUserRequest, ID: 1}},
	{name: "teams.scoped", query: `SELECT Team`, scope: []int64{1, 2}},
	{name: "teams.members_scoped", query: `SELECT lnkPersonToTeam WHERE role = 'Member'`, scope: []int64{1}},
	{name: "teams.role_name", query: `SELECT Person AS p JOIN lnkPersonToTeam AS l ON l.person_id = p.id WHERE l.role_name = 'Lead'`},
	{name: "teams.ticket_team_name", query: `SELECT UserRequest WHERE team_name = 'Network'`},
	{name: "teams.my_teams", query: `SELECT Ticket AS t JOIN Team AS tm ON t.team_id = tm.id JOIN lnkPersonToTeam AS l ON l.team_id = tm.id WHERE l.person_id = :current_contact_id`,
		params: desk.QueryParams{"current_contact_id": int64(5)}, scope: []int64{1, 2}},
	{name: "teams.without_members", query: `SELECT Team WHERE id NOT IN (SELECT Team AS t JOIN lnkPersonToTeam AS l ON l.team_id=t.id WHERE l.role = 'Lead')`},
	// Users (fixture_test.go): eve, cid (disabled), admin (no contact), dan.
	// A scoped reader sees the users whose contact he sees; the contact's
	// attributes are the user's, as iTop's external fields.
	{name: "users", query: `SELECT User`},
	{name: "users.scoped", query: `SELECT User`, scope: []int64{1, 2}},
	{name: "users.enabled", query: `SELECT User WHERE status = 'enabled'`},
	{name: "users.disabled_scoped", query: `SELECT User WHERE status != 'enabled'`, scope: []int64{1, 2}},
	{name: "users.language", query: `SELECT User WHERE language = 'FR FR'`},
	{name: "users.contact_attributes", query: `SELECT User WHERE org_name = 'Demo Corp' OR last_name = 'Lee' OR contactid_friendlyname LIKE 'Cid%'`},
	{name: "users.org_join", query: `SELECT User AS u JOIN Organization AS o ON u.org_id = o.id WHERE o.parent_id = 1`},
	{name: "users.my_account", query: `SELECT User AS U JOIN Person AS P ON U.contactid=P.id WHERE P.id = :current_contact_id`,
		params: desk.QueryParams{"current_contact_id": int64(5)}, scope: []int64{1}},
	{name: "users.persons_with_account", query: `SELECT Person WHERE status='active' AND id NOT IN (SELECT Person AS p JOIN User AS u ON u.contactid=p.id WHERE u.status='enabled')`},
	// iTop's query of the users allowed no organization of their contact's:
	// dan (eve is allowed hers, cid disabled, admin has no contact).
	{name: "users.not_allowed_own_org", query: `SELECT User AS U JOIN Person AS P ON U.contactid = P.id WHERE U.status='enabled' AND U.id NOT IN (SELECT User AS U JOIN Person AS P ON U.contactid=P.id JOIN URP_UserOrg AS L ON L.userid = U.id WHERE U.status='enabled' AND L.allowed_org_id = P.org_id UNION SELECT User AS U WHERE U.status='enabled' AND U.id NOT IN ( SELECT User AS U JOIN URP_UserOrg AS L ON L.userid = U.id WHERE U.status='enabled'))`},
	{name: "users.allowed_orgs", query: `SELECT URP_UserOrg WHERE allowed_org_name = 'Demo Corp'`},
	// A user's allowed organization is seen by who sees both: not eve's
	// Hidden Ltd, nor dan's Demo Corp (dan is of Hidden Ltd).
	{name: "users.allowed_orgs_scoped", query: `SELECT URP_UserOrg`, scope: []int64{1}},
	// iTop's statuses ctidesk never stores match nothing.
	{name: "itop_statuses.escalated", query: `SELECT UserRequest WHERE status IN ("escalated_tto", "escalated_ttr") OR escalation_flag="yes"`},
	{name: "itop_statuses.open", query: `SELECT UserRequest WHERE status NOT IN ('closed','rejected')`},
	{name: "itop_statuses.planned", query: `SELECT Change WHERE status IN ("planned")`},
	{name: "operational_status", query: `SELECT Ticket AS T WHERE operational_status NOT IN ('closed', 'resolved')`},
	{name: "operational_status.closed", query: `SELECT Ticket WHERE operational_status = 'closed'`},
	{name: "finalclass", query: `SELECT Ticket AS T WHERE T. finalclass IN ('userrequest' , 'change')`},
	{name: "finalclass.one_kind", query: `SELECT Organization WHERE finalclass = 'Organization' AND status = 'active'`},
	{name: "where_1", query: `SELECT Location WHERE 1`},
	// The session's person and user, by iTop's names, and an object in
	// context.
	{name: "current_contact_id", query: `SELECT UserRequest AS i WHERE i.agent_id = :current_contact_id AND status NOT IN ("closed", "resolved")`,
		params: desk.QueryParams{"current_contact_id": int64(5)}},
	{name: "current_contact_object", query: `SELECT Location WHERE org_id = :current_contact->org_id`, contact: 5},
	{name: "manager", query: `SELECT Person WHERE manager_id = :current_contact_id`, params: desk.QueryParams{"current_contact_id": int64(5)}},
	{name: "this", query: `SELECT Person WHERE org_id = :this->org_id`, this: &desk.Object{Class: desk.KindUserRequest, ID: 6}},
	{name: "this.id", query: `SELECT UserRequest WHERE id != :this->id AND status NOT IN ('rejected','resolved','closed')`,
		this: &desk.Object{Class: desk.KindUserRequest, ID: 1}},
	{name: "this.scoped_out", query: `SELECT Person WHERE org_id = :this->org_id`, this: &desk.Object{Class: desk.ClassTicket, ID: 7},
		scope: []int64{1, 2}},
	{name: "this.locations", query: `SELECT l FROM Location AS l JOIN Organization AS root ON l.org_id=root.id JOIN Organization AS child ON child.parent_id BELOW root.id WHERE child.id= :this->org_id`,
		this: &desk.Object{Class: desk.ClassPerson, ID: 4}},
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
	// One caller: the organization's key is one value, which the list's
	// index walk starts from; the total stops at cap+1 (2: "1+").
	{name: "list_org_requests.one_caller", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{2}},
		limit: 2, columns: []string{"title", "caller_id", "status"}, total: true, cap: 1},
	{name: "list_org_requests.one_caller_scoped", query: seedQueries["list_org_requests"], params: desk.QueryParams{"callers_list": []int64{2}},
		limit: 2, columns: []string{"title", "caller_id", "status"}, total: true, cap: 5, scope: []int64{1}},
	// A join that selects the joined rows (no semi-join).
	{name: "join_caller.limit_1", query: `SELECT Ticket AS t JOIN Person AS p ON t.caller_id = p.id WHERE p.org_id = 1 AND t.status != p.status`,
		limit: 1, total: true, cap: 100},
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
	{name: "injection.date_format", query: `SELECT Ticket WHERE DATE_FORMAT(start_date, :f) = :v`,
		params: desk.QueryParams{"f": "%Y') OR 1=1 --", "v": "x"}},
}

// TestCompileGolden compiles every case in both dialects, checks the SQL
// against testdata/<case>.<dialect>.sql, runs it on the fixed data set and
// checks the objects against testdata/<case>.result, the same for both.
func TestCompileGolden(t *testing.T) {
	norm := phone.MustNew(phone.Options{DefaultRegion: "US"})
	for _, d := range []oql.Dialect{oql.SQLite, oql.PostgreSQL} {
		t.Run(d.String(), func(t *testing.T) {
			db := openFixture(t, d)
			for _, c := range append(slices.Clone(compileCases), iTopCases...) {
				t.Run(c.name, func(t *testing.T) {
					q, err := oql.Parse(c.query)
					if err != nil {
						t.Fatalf("Parse: %v", err)
					}
					if c.columns != nil {
						q = q.Columns(c.columns...)
					}
					env := oql.Env{Dialect: d, Params: c.params, Scope: c.scope, ContactID: c.contact, Phone: norm, Limit: c.limit, Total: c.total,
						Cap: c.cap, This: c.this, Now: goldenNow}
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
					tenv.Limit, tenv.Total, tenv.Cap = 1, true, 0
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
					// Capped at 1: the total says 0, 1 or more (2).
					tenv.Cap = 1
					if tst, err = q.Compile(tenv); err != nil {
						t.Fatalf("Compile with Cap: %v", err)
					}
					total = 0
					tr = run(t, db, tst)
					if _, err := fmt.Sscanf(tr[strings.LastIndex(tr[:len(tr)-1], "\n")+1:], "(%d objects, %d in all)", &n, &total); err != nil && found > 0 {
						t.Fatalf("no total in %q: %v", tr, err)
					}
					if want := min(found, 2); total != want {
						t.Errorf("total capped at 1 = %d, want %d (found %d)\n%s", total, want, found, tst.SQL)
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
