package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// newBus returns the event bus of db, closed when the test ends.
func newBus(t *testing.T, db *store.DB) *store.EventBus {
	t.Helper()
	bus, err := store.NewEventBus(context.Background(), db, store.EventBusOptions{
		Local:  cti.NewMemoryBus(cti.MemoryBusOptions{Keep: 3, Backlog: 2}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus
}

// next returns the next event of ch, failing after a few seconds.
func next(t *testing.T, what string, ch <-chan desk.PushEvent) desk.PushEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no event after 5 s", what)
	}
	panic("unreachable")
}

// none fails if ch receives an event within a short while.
func none(t *testing.T, what string, ch <-chan desk.PushEvent) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		t.Fatalf("%s: got %+v (open %v), want nothing", what, ev, ok)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestPostgresEventBus runs two instances on one database, each with its
// bus, as two ctidesk servers behind a load balancer: an event published on
// instance A reaches the user's subscription on instance B (and A), with IDs
// that increase across both, and replays on either after a reconnection.
// Another schema (another deployment) hears nothing of it.
func TestPostgresEventBus(t *testing.T) {
	dbA, url := openPostgresURL(t)
	dbB, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	busA, busB := newBus(t, dbA), newBus(t, dbB)
	busOther := newBus(t, openPostgres(t))
	ctx := context.Background()
	const agent, other = 7, 8

	onB, cancelB := busB.Subscribe(agent, 0)
	defer cancelB()
	onA, cancelA := busA.Subscribe(agent, 0)
	defer cancelA()
	otherUser, cancelOther := busB.Subscribe(other, 0)
	defer cancelOther()
	elsewhere, cancelElsewhere := busOther.Subscribe(agent, 0)
	defer cancelElsewhere()

	data := []byte(`{"call":1,"number":"+1 212 555 0100","callers":[{"name":"Zoë \"Z\" O'Brien"}]}`)
	if err := busA.Publish(ctx, agent, desk.PushEvent{Type: "ringing", Data: data}); err != nil {
		t.Fatal(err)
	}
	ev := next(t, "instance B", onB)
	if ev.Type != "ringing" || string(ev.Data) != string(data) || ev.ID == 0 || time.Since(ev.Time) > time.Minute {
		t.Fatalf("event on B = %+v", ev)
	}
	if evA := next(t, "instance A", onA); evA.ID != ev.ID || evA.Type != ev.Type {
		t.Fatalf("event on A = %+v, want %+v", evA, ev)
	}
	none(t, "another user", otherUser)
	none(t, "another schema", elsewhere)

	// From B now: a later ID, seen on both.
	if err := busB.Publish(ctx, agent, desk.PushEvent{Type: "answered", Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	second := next(t, "instance B", onB)
	if second.ID <= ev.ID || second.Type != "answered" {
		t.Fatalf("second event %+v after %+v", second, ev)
	}
	next(t, "instance A", onA)

	// A browser that saw the first event reconnects to either instance.
	for name, bus := range map[string]*store.EventBus{"A": busA, "B": busB} {
		ch, cancel := bus.Subscribe(agent, ev.ID)
		if got := next(t, "replay on "+name, ch); got.ID != second.ID {
			t.Errorf("replay on %s: %+v, want %+v", name, got, second)
		}
		none(t, "replay on "+name, ch)
		cancel()
	}

	// A subscriber that falls behind is dropped; the others keep up.
	slow, cancelSlow := busB.Subscribe(other, 0)
	defer cancelSlow()
	for i := range 6 {
		if err := busA.Publish(ctx, other, desk.PushEvent{Type: fmt.Sprint("e", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for start := time.Now(); busB.Subscribers(other) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("slow subscribers not dropped")
		}
	}
	n := 0
	for range slow {
		n++
	}
	if n != 5 {
		t.Errorf("slow subscriber got %d events before it was dropped, want 5 (backlog 2 and keep 3)", n)
	}

	// Too much data for a notification is refused, and says so.
	big := []byte(`"` + strings.Repeat("x", 8000) + `"`)
	if err := busA.Publish(ctx, agent, desk.PushEvent{Type: "big", Data: big}); err == nil || !strings.Contains(err.Error(), "notification") {
		t.Errorf("publish of 8 kB: %v, want a refusal", err)
	}

	// The listening connections die (a restart of PostgreSQL, a proxy's
	// timeout): the buses listen again by themselves, and hear events again.
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if busA.Channel() != busB.Channel() || busA.Channel() == busOther.Channel() {
		t.Fatalf("channels %s, %s and, in another schema, %s", busA.Channel(), busB.Channel(), busOther.Channel())
	}
	if err := admin.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = 'LISTEN "' || $1 || '"'`, busB.Channel()).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("%d listening connections terminated (%v), want A's and B's", killed, err)
	}
	if err := busA.Publish(ctx, agent, desk.PushEvent{Type: "again"}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-onB:
		if ev.Type != "again" {
			t.Fatalf("after the termination: %+v", ev)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("instance B deaf after its connection was terminated")
	}
	next(t, "instance A after the termination", onA)

	// Closing a bus closes its subscriptions; the other goes on.
	if err := busA.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-onA; ok {
		for range onA {
		}
	}
	if err := busA.Publish(ctx, agent, desk.PushEvent{Type: "late"}); err == nil {
		t.Error("publish on a closed bus succeeded")
	}
	if err := busB.Publish(ctx, agent, desk.PushEvent{Type: "still"}); err != nil {
		t.Fatal(err)
	}
	if got := next(t, "instance B after A closed", onB); got.Type != "still" {
		t.Errorf("got %+v", got)
	}
}

// TestEventBusNeedsPostgres checks that a SQLite store has no shared bus.
func TestEventBusNeedsPostgres(t *testing.T) {
	if _, err := store.NewEventBus(context.Background(), openTemp(t), store.EventBusOptions{}); err == nil {
		t.Fatal("NewEventBus on SQLite succeeded")
	}
}

// TestPostgresEventBusCatchUp: events published while an instance's
// listening connection is down (a restart of PostgreSQL, a terminated
// backend) reach its subscribers once it listens again, in order and once
// each, so that no agent loses a ringing or an answer notice.
func TestPostgresEventBusCatchUp(t *testing.T) {
	dbA, url := openPostgresURL(t)
	dbB, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	busA, busB := newBus(t, dbA), newBus(t, dbB)
	ctx := context.Background()
	const agent = 7
	onB, cancelB := busB.Subscribe(agent, 0)
	defer cancelB()
	if !busB.Connected() {
		t.Fatal("a new bus is not connected")
	}

	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if err := admin.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = 'LISTEN "' || $1 || '"'`, busB.Channel()).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("%d listening connections terminated (%v), want A's and B's", killed, err)
	}
	for start := time.Now(); busB.Connected(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the bus did not notice its connection was terminated")
		}
	}
	// Published while both instances are deaf: only push_event has them.
	for i := range 3 {
		if err := busA.Publish(ctx, agent, desk.PushEvent{Type: fmt.Sprint("missed-", i), Data: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	for i := range 3 {
		ev := next(t, fmt.Sprint("missed event ", i), onB)
		if ev.Type != fmt.Sprint("missed-", i) || ev.ID <= last {
			t.Fatalf("event %d: %+v after ID %d", i, ev, last)
		}
		last = ev.ID
	}
	if !busB.Connected() {
		t.Error("the bus caught up but does not say it is connected")
	}
	// Listening again, it hears new events once, and no caught-up one twice.
	if err := busA.Publish(ctx, agent, desk.PushEvent{Type: "after", Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, "event after the catch-up", onB); ev.Type != "after" {
		t.Fatalf("after the catch-up: %+v", ev)
	}
	none(t, "a second copy", onB)
}
