package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// BenchmarkTicketList is a page of the tickets list as agents read it: the
// latest activity first, all of it or an agent's open tickets (home), and by
// title; each with the indexes of migration 0009 and without them, A/B in
// one run. CTIDESK_BENCH_TICKETS tickets (default 20,000) on SQLite.
func BenchmarkTicketList(b *testing.B) {
	n := 20000
	if v := os.Getenv("CTIDESK_BENCH_TICKETS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("CTIDESK_BENCH_TICKETS=%q: want a number of tickets, at least 100", v)
		}
	}
	ctx := context.Background()
	sys := desk.NewSystemContext(ctx)
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "list.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	org := &desk.Organization{Name: "Org"}
	if err := db.CreateOrganization(sys, org); err != nil {
		b.Fatal(err)
	}
	var agents []int64
	for i := range 20 {
		p := &desk.Person{FirstName: "Agent", Name: fmt.Sprint(i), OrgID: org.ID}
		if err := db.CreatePerson(sys, p); err != nil {
			b.Fatal(err)
		}
		agents = append(agents, p.ID)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tickets := make([]*desk.Ticket, n)
	for i := range tickets {
		at := start.Add(time.Duration(rng.IntN(300*24*3600)) * time.Second)
		tickets[i] = &desk.Ticket{Kind: desk.KindIncident, Title: fmt.Sprintf("Ticket %08x", rng.Uint32()), OrgID: org.ID,
			AgentID: agents[rng.IntN(len(agents))], Status: desk.TicketStatuses[rng.IntN(len(desk.TicketStatuses))],
			StartDate: at, LastUpdate: at.Add(time.Duration(rng.IntN(3600)) * time.Second)}
	}
	if err := db.CreateTickets(sys, tickets, nil); err != nil {
		b.Fatal(err)
	}
	agent := agents[0]
	cases := []struct {
		name   string
		filter desk.TicketFilter
	}{
		{"all_by_last_update", desk.TicketFilter{Sort: "last_update", Desc: true, Limit: 50}},
		{"mine_open_by_last_update", desk.TicketFilter{AgentID: &agent, Ongoing: true, Sort: "last_update", Desc: true, Limit: 15}},
		{"all_by_title", desk.TicketFilter{Sort: "title", Limit: 50}},
	}
	raw, err := sql.Open("sqlite", db.Path())
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, idx := range []string{"indexes", "no_indexes"} {
		if idx == "no_indexes" {
			// Back to the indexes before 0009.
			for _, stmt := range []string{"DROP INDEX ticket_last_update", "DROP INDEX ticket_agent_last_update",
				"CREATE INDEX ticket_agent_id ON ticket (agent_id)", "ANALYZE"} {
				if _, err := raw.ExecContext(ctx, stmt); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, c := range cases {
			b.Run(c.name+"/"+idx, func(b *testing.B) {
				for b.Loop() {
					if _, _, err := db.FindTickets(sys, c.filter); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
