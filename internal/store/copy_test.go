package store_test

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/demo"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestCopyRoundTrip copies a SQLite database holding a row of every kind
// (demo data, sessions, API tokens, calls with their booleans and times) to
// PostgreSQL, then back into a new SQLite database: every table has the same
// rows, count and checksum in all three, and the copies work as the source
// does.
func TestCopyRoundTrip(t *testing.T) {
	ctx := desk.NewSystemContext(context.Background())
	src := openTemp(t)
	logins, err := demo.Load(ctx, src.Services(), demo.Options{Persons: 200, Tickets: 300})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := src.FindUserByLogin(ctx, logins[1].Login)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.CreateSession(ctx, agent.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, tok, err := src.CreateAPIToken(ctx, agent.ID, "PBX"); err != nil {
		t.Fatal(err)
	} else if _, err := src.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, integration, err := src.CreateIntegration(ctx, "3CX")
	if err != nil {
		t.Fatal(err)
	}
	persons, _, err := src.FindPersons(ctx, desk.PersonFilter{Limit: 2})
	if err != nil || len(persons) != 2 {
		t.Fatal(persons, err)
	}
	answered := time.Date(2025, 3, 4, 10, 0, 5, 0, time.UTC)
	if _, err := src.ApplyCall(ctx, integration.ID, "call-1", func(c *desk.Call) error {
		c.Direction, c.From, c.To, c.State, c.Voicemail = desk.DirectionIn, persons[0].Phone, "100", desk.CallAnswered, true
		c.StartedAt, c.AnsweredAt, c.AgentUserID = answered.Add(-5*time.Second), &answered, agent.ID
		c.CallerIDs, c.RingingUserIDs = []int64{persons[0].ID, persons[1].ID}, []int64{agent.ID}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.UpdateAgentSettings(ctx, agent.ID, desk.AgentSettingsUpdate{Extension: ptr("100"), PopOnAnswer: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	// References to rows written later in the copy, in other batches: a
	// subsidiary created before its holding, the first person managed by
	// the last.
	sub, holding := &desk.Organization{Name: "Subsidiary"}, &desk.Organization{Name: "Holding"}
	for _, o := range []*desk.Organization{sub, holding} {
		if err := src.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.UpdateOrganization(ctx, sub.ID, desk.OrganizationUpdate{ParentID: &holding.ID}); err != nil {
		t.Fatal(err)
	}
	_, total, err := src.FindPersons(ctx, desk.PersonFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := src.FindPersons(ctx, desk.PersonFilter{Limit: total})
	if err != nil {
		t.Fatal(err)
	}
	byID := func(a, b *desk.Person) int { return cmp.Compare(a.ID, b.ID) }
	low, last := slices.MinFunc(all, byID), slices.MaxFunc(all, byID)
	if _, err := src.UpdatePerson(ctx, low.ID, desk.PersonUpdate{ManagerID: &last.ID}); err != nil {
		t.Fatal(err)
	}

	pg, pgURL := openPostgresURL(t)
	var progressed []string
	first, err := store.Copy(ctx, pg, src, store.CopyOptions{Progress: func(table string, done, total int) {
		if done == total {
			progressed = append(progressed, table)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL is left ready to plan the pop's lists: its tables analyzed
	// and vacuumed, the visibility map set (without it the planner prices an
	// index-only scan of a customer's tickets as reading the table, and walks
	// every customer's newest tickets instead).
	checkVacuumed(t, pgURL, "person", "ticket", "person_number")
	back := openTemp(t)
	second, err := store.Copy(ctx, back, pg, store.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}

	sums := map[string]store.TableCopy{}
	for _, tc := range first {
		sums[tc.Table] = tc
	}
	for _, table := range []string{"session", "api_token", "cti_integration", "cti_call", "cti_call_caller", "cti_call_agent", "cti_agent",
		"person", "ticket_log", "number_keys", "callback", "callback_owner"} {
		if sums[table].Rows == 0 {
			t.Errorf("no row of %s copied: %+v", table, first)
		}
	}
	if len(progressed) != len(first) {
		t.Errorf("progress told the end of %d tables, want %d: %v", len(progressed), len(first), progressed)
	}
	for _, tc := range second {
		if want := sums[tc.Table]; tc != want {
			t.Errorf("back to SQLite: %+v, want %+v as from SQLite to PostgreSQL", tc, want)
		}
	}

	// The copies work as the source: the call with its booleans and times,
	// the agent's settings, a caller lookup by number.
	for name, db := range map[string]*store.DB{"postgres": pg, "sqlite again": back} {
		callID := "call-1" // the demo's call log has others
		calls, _, err := db.FindCalls(ctx, desk.CallFilter{IntegrationID: &integration.ID, CallID: &callID})
		if err != nil || len(calls) != 1 {
			t.Fatalf("%s: calls %v, %v", name, calls, err)
		}
		c := calls[0]
		if !c.Voicemail || c.AnsweredAt == nil || !c.AnsweredAt.Equal(answered) || c.AnsweredAt.Location() != time.UTC ||
			len(c.CallerIDs) != 2 || c.CallerIDs[0] != persons[0].ID {
			t.Errorf("%s: call %+v", name, c)
		}
		settings, err := db.FindAgentSettings(ctx, agent.ID)
		if err != nil || settings.PopOnAnswer || settings.Extension != "100" {
			t.Errorf("%s: agent settings %+v, %v", name, settings, err)
		}
		ms, err := db.FindCallersByNumber(ctx, persons[0].Phone)
		if err != nil || len(ms) == 0 || ms[0].Person.ID != persons[0].ID {
			t.Errorf("%s: callers of %q: %v, %v", name, persons[0].Phone, ms, err)
		}
		if o, err := db.FindOrganizationByID(ctx, sub.ID); err != nil || o.ParentID != holding.ID || o.ParentName != "Holding" {
			t.Errorf("%s: subsidiary %+v, %v; want it under the holding", name, o, err)
		}
		if p, err := db.FindPersonByID(ctx, low.ID); err != nil || p.ManagerID != last.ID || p.ManagerName != last.FriendlyName() {
			t.Errorf("%s: person %+v, %v; want the manager %d", name, p, err, last.ID)
		}
		// New rows take new ids.
		o := &desk.Organization{Name: "After the copy"}
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A target that holds data is refused, and left as it was.
	if _, err := store.Copy(ctx, pg, src, store.CopyOptions{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("copy into a database with data: %v, want a refusal", err)
	}
	// Two databases of different schemas are refused.
	old, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := store.Copy(ctx, old, src, store.CopyOptions{}); err == nil || !strings.Contains(err.Error(), "migrate both") {
		t.Errorf("copy into an unmigrated database: %v, want a refusal", err)
	}
}

// TestCopyChecksum checks the checksum Copy compares: the same rows in any
// order, as either driver gives their values, sum alike; any other value
// does not.
func TestCopyChecksum(t *testing.T) {
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	paris := at.In(time.FixedZone("CET", 3600))
	base := [][]any{{int64(1), "Ada", at, true}, {int64(2), "Alan", nil, false}}
	same := [][]any{{int64(2), []byte("Alan"), nil, int64(0)}, {int64(1), "Ada", paris, int64(1)}}
	if a, b := store.CopyChecksum(base), store.CopyChecksum(same); a != b {
		t.Errorf("checksums of the same rows differ: %s, %s", a, b)
	}
	for _, other := range [][][]any{
		{{int64(1), "Ada", at, true}},
		{{int64(1), "Ada", at, true}, {int64(2), "Alan", nil, false}, {int64(2), "Alan", nil, false}},
		{{int64(1), "Ada", at, true}, {int64(2), "Alan", "", false}},
		{{int64(1), "Ada", at.Add(time.Second), true}, {int64(2), "Alan", nil, false}},
		{{int64(1), "Ada", at, false}, {int64(2), "Alan", nil, false}},
		{{int64(1), "Ad", "a", at, true}, {int64(2), "Alan", nil, false}},
	} {
		if store.CopyChecksum(other) == store.CopyChecksum(base) {
			t.Errorf("rows %v have the checksum of %v", other, base)
		}
	}
}

// TestCopyUncarriable: a text PostgreSQL cannot take (a NUL, bytes that are
// not UTF-8), stored by SQLite, fails the copy naming its table, row and
// column, and writes nothing; with Sanitize, the NULs are taken out and the
// bytes replaced, and the copy checks what it wrote.
func TestCopyUncarriable(t *testing.T) {
	ctx := desk.NewSystemContext(context.Background())
	src := openTemp(t)
	org := &desk.Organization{Name: "Acme"}
	nul := &desk.Person{FirstName: "Bo\x00b", Name: "Smith"}
	bad := &desk.Person{FirstName: "Caf\xe9", Name: "Jones"}
	if err := src.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*desk.Person{nul, bad} {
		p.OrgID = org.ID
		if err := src.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	pg := openPostgres(t)
	_, err := store.Copy(ctx, pg, src, store.CopyOptions{})
	for _, want := range []string{fmt.Sprintf("table person, id %d, column first_name", nul.ID),
		fmt.Sprintf("table person, id %d, column first_name", bad.ID), "--sanitize"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("copy of a NUL and of bad bytes: %v, want it refused naming %q", err, want)
		}
	}
	if _, n, err := pg.FindOrganizations(ctx, desk.OrganizationFilter{Limit: 1}); err != nil || n != 0 {
		t.Fatalf("after a refused copy the target holds %d organizations (%v)", n, err)
	}

	if _, err := store.Copy(ctx, pg, src, store.CopyOptions{Sanitize: true}); err != nil {
		t.Fatalf("sanitized copy: %v", err)
	}
	for id, want := range map[int64]string{nul.ID: "Bob", bad.ID: "Caf\uFFFD"} {
		p, err := pg.FindPersonByID(ctx, id)
		if err != nil || p.FirstName != want {
			t.Errorf("person %d after the sanitized copy: %v %v, want %q", id, p, err, want)
		}
	}
}
