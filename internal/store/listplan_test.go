package store_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/store/storetest"
)

// The pop's lists: the default configuration's and the seed's.
var popListQueries = map[string]string{
	"caller's open tickets": `SELECT Ticket AS t WHERE t.caller_id IN (:callers_list) AND t.status NOT IN ('resolved', 'closed')`,
	"organization's other open tickets": `SELECT Ticket AS t JOIN Organization AS o ON t.org_id = o.id JOIN Person AS p ON p.org_id = o.id
		WHERE p.id IN (:callers_list) AND t.caller_id NOT IN (:callers_list) AND t.status NOT IN ('resolved', 'closed')`,
	"seed: caller's requests": `SELECT UserRequest AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'`,
	"seed: organization's requests": `SELECT UserRequest AS u JOIN Organization AS o ON u.org_id = o.id JOIN Person AS p ON p.org_id = o.id
		WHERE p.id IN (:callers_list) AND u.status != 'closed'`,
	"seed: caller's incidents": `SELECT Incident AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'`,
}

// TestListPlansAtScale runs the pop's lists, as the pop runs them (the
// newest activity first, 20 rows, the total capped), for a caller of an
// organization of 20,000 tickets (of 30,000), and checks what they read: the newest rows
// by a walk of the list indexes that stops at the limit, and a count that
// stops at desk.CountCap+1, never every ticket of the organization. On
// PostgreSQL the rows each step read are counted (EXPLAIN ANALYZE), for the
// values and for any values (a prepared statement's generic plan).
func TestListPlansAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 30,000 tickets")
	}
	t.Run("sqlite", func(t *testing.T) { testListPlans(t, openTemp(t)) })
	t.Run("postgres", func(t *testing.T) { testListPlans(t, openPostgres(t)) })
}

func testListPlans(t *testing.T, db *store.DB) {
	const tickets = 30000
	ctx := context.Background()
	sys := desk.NewSystemContext(ctx)
	// A large customer among 40 small ones, with years of history: most
	// of the old tickets closed, a third of the recent ones open; the
	// caller, persons[0], called a fifth of the time.
	large := &desk.Organization{Name: "Large"}
	if err := db.CreateOrganization(sys, large); err != nil {
		t.Fatal(err)
	}
	persons := storetest.Persons(50, large.ID)
	if err := db.CreatePersons(sys, persons, nil); err != nil {
		t.Fatal(err)
	}
	var small []int64
	for i := range 40 {
		o := &desk.Organization{Name: fmt.Sprintf("Small %d", i)}
		if err := db.CreateOrganization(sys, o); err != nil {
			t.Fatal(err)
		}
		small = append(small, o.ID)
	}
	base := time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC)
	var all []*desk.Ticket
	kinds := []string{desk.KindUserRequest, desk.KindIncident, desk.KindUserRequest, desk.KindProblem}
	for i := range tickets {
		status := desk.TicketClosed
		if i%3 == 0 || i > tickets*3/4 && i%3 == 1 {
			status = []string{desk.TicketNew, desk.TicketAssigned, desk.TicketPending}[i%3]
		}
		if i%5 == 4 {
			status = desk.TicketResolved
		}
		day := base.Add(time.Duration(i) * 2 * time.Hour)
		tk := &desk.Ticket{Kind: kinds[i%len(kinds)], Title: fmt.Sprintf("Ticket %d", i), OrgID: large.ID,
			CallerID: persons[1+i%49].ID, Status: status, Origin: "phone", StartDate: day, LastUpdate: day.Add(time.Hour)}
		switch {
		case i%3 == 2:
			tk.OrgID, tk.CallerID = small[i%len(small)], 0
		case i%5 == 0:
			tk.CallerID = persons[0].ID
		}
		all = append(all, tk)
	}
	if err := db.CreateTickets(sys, all, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	hash, err := desk.HashPassword("agent password")
	if err != nil {
		t.Fatal(err)
	}
	agent := &desk.User{Login: "agent", PasswordHash: hash, Roles: []string{desk.RoleAgent}, ContactID: persons[1].ID}
	if err := db.CreateUser(sys, agent); err != nil {
		t.Fatal(err)
	}
	actx := desk.NewContextWithUser(ctx, agent)
	// One caller, as the pop selects the best match; and two ("All
	// contacts found" on a shared number): one walk each.
	for callers, params := range map[int]desk.QueryParams{
		1: {"callers_list": []int64{persons[0].ID}},
		2: {"callers_list": []int64{persons[0].ID, persons[1].ID}},
	} {
		for name, text := range popListQueries {
			t.Run(fmt.Sprintf("%s, %d callers", name, callers), func(t *testing.T) {
				q := oql.MustParse(text).Columns(cti.ListAttributes()...).OrderedBy("last_update", true)
				// What the list shows: the newest 20 of what the query finds,
				// and the count, capped.
				every, err := db.FindObjects(actx, q, params, 0)
				if err != nil {
					t.Fatal(err)
				}
				objs, total, err := db.FindObjectsTotal(actx, q, params, cti.ListRows)
				if err != nil {
					t.Fatal(err)
				}
				if want := min(len(every), desk.CountCap+1); total != want || len(objs) != min(cti.ListRows, len(every)) {
					t.Errorf("%d objects of %d, want %d of %d (found %d)", len(objs), total, min(cti.ListRows, len(every)), want, len(every))
				}
				for i := range objs {
					if objs[i].ID != every[i].ID {
						t.Fatalf("object %d is %d, want %d (the newest first)", i, objs[i].ID, every[i].ID)
					}
				}
				t.Logf("%d shown of %d (%d found)", len(objs), total, len(every))
				if db.Postgres() {
					for _, generic := range []bool{false, true} {
						plan, err := db.ExplainList(ctx, q, params, nil, cti.ListRows, generic)
						if err != nil {
							t.Fatal(err)
						}
						// The rows and the count of each caller, the cap each,
						// and what their filters leave out on the way (at
						// most as many here): far fewer than the organization's
						// 20,000 tickets, which the lists read in full before.
						if read, most := rowsRead(plan), 2*(callers+1)*(desk.CountCap+1); read > most {
							t.Errorf("generic %v: the plan read %d rows of ticket, more than the %d the list and its count need:\n%s",
								generic, read, most, strings.Join(plan, "\n"))
						}
					}
					return
				}
				plan, err := db.ExplainList(ctx, q, params, nil, cti.ListRows, false)
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Join(plan, "\n")
				// The rows: a walk of a list index from the key, newest first,
				// one per caller; the count: the statuses the list shows, by
				// the status index, one per caller. The sorts left order the
				// rows the walks found (at most 20 each).
				var list, count int
				for _, step := range plan {
					switch {
					case !strings.Contains(step, " a0 "):
					case strings.HasPrefix(step, "SEARCH") && strings.Contains(step, "_list ("):
						list++
					case strings.HasPrefix(step, "SEARCH") && strings.Contains(step, "_status (") && strings.Contains(step, "status=?"):
						count++
					default:
						t.Errorf("ticket read neither by a list index nor by statuses (%s):\n%s", step, text)
					}
				}
				sorts := 1
				if callers > 1 {
					sorts += 2 * callers // each walk's and count's rows, by id, to merge them
				}
				if n := strings.Count(text, "TEMP B-TREE"); list != callers || count != callers || n != sorts {
					t.Errorf("%d walks of a list index, %d counts by status, %d sorts; want %d, %d and %d:\n%s",
						list, count, n, callers, callers, sorts, text)
				}
			})
		}
	}
}

var actualRows = regexp.MustCompile(`on ticket .*actual time=\S+ rows=(\d+) loops=(\d+)`)

// rowsRead returns the rows of ticket the steps of a PostgreSQL EXPLAIN
// ANALYZE returned, and those their filters removed.
func rowsRead(plan []string) int {
	n := 0
	for i, line := range plan {
		m := actualRows.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var rows, loops int
		fmt.Sscan(m[1], &rows)
		fmt.Sscan(m[2], &loops)
		n += rows * loops
		for _, next := range plan[i+1:] {
			if strings.HasPrefix(next, "->") {
				break
			}
			if _, v, ok := strings.Cut(next, "Rows Removed by Filter: "); ok {
				var k int
				fmt.Sscan(v, &k)
				n += k * loops
			}
		}
	}
	return n
}
