package cti_test

import (
	"context"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// pending returns the types of the events waiting in ch, and whether ch was
// closed.
func pending(ch <-chan desk.PushEvent) ([]string, bool) {
	var out []string
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return out, true
			}
			out = append(out, ev.Type)
		default:
			return out, false
		}
	}
}

func wantPending(t *testing.T, what string, ch <-chan desk.PushEvent, want ...string) {
	t.Helper()
	got, closed := pending(ch)
	if closed || len(got) != len(want) {
		t.Fatalf("%s: events %v (closed %v), want %v", what, got, closed, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: events %v, want %v", what, got, want)
		}
	}
}

func TestMemoryBus(t *testing.T) {
	ctx := context.Background()
	now := t0
	bus := cti.NewMemoryBus(cti.MemoryBusOptions{Keep: 3, Window: time.Minute, Backlog: 2, Now: func() time.Time { return now }})
	publish := func(user int64, typ string) {
		t.Helper()
		if err := bus.Publish(ctx, user, desk.PushEvent{Type: typ}); err != nil {
			t.Fatal(err)
		}
	}

	a, cancelA := bus.Subscribe(1, 0)
	b, cancelB := bus.Subscribe(2, 0)
	defer cancelB()
	publish(1, "a1")
	publish(2, "b1")
	publish(1, "a2")
	wantPending(t, "user 1", a, "a1", "a2")
	wantPending(t, "user 2", b, "b1")

	t.Run("Replay", func(t *testing.T) {
		// A browser that saw a1 reconnects: it gets a2 again, then what
		// follows; one that gives no id gets only what follows.
		first, cancel := bus.Subscribe(1, 0)
		defer cancel()
		resumed := func(last uint64) <-chan desk.PushEvent {
			ch, cancel := bus.Subscribe(1, last)
			t.Cleanup(cancel)
			return ch
		}
		publish(1, "a3")
		ev := <-first
		if ev.Type != "a3" || ev.ID == 0 || !ev.Time.Equal(now) {
			t.Fatalf("event %+v", ev)
		}
		wantPending(t, "resumed after a2", resumed(ev.ID-1), "a3")
		wantPending(t, "resumed from the start", resumed(1), "a1", "a2", "a3")
		wantPending(t, "resumed at the last", resumed(ev.ID), []string{}...)
		wantPending(t, "not resuming", resumed(0), []string{}...)
		publish(1, "a4") // keep 3: a1 goes
		wantPending(t, "kept", resumed(1), "a2", "a3", "a4")
		now = now.Add(2 * time.Minute) // the window: all go
		wantPending(t, "after the window", resumed(1), []string{}...)
	})

	t.Run("Slow subscriber", func(t *testing.T) {
		slow, cancel := bus.Subscribe(3, 0)
		for _, typ := range []string{"s1", "s2", "s3", "s4", "s5", "s6"} {
			publish(3, typ) // backlog 2 + keep 3: the sixth drops it
		}
		got, closed := pending(slow)
		if !closed || len(got) != 5 {
			t.Fatalf("slow subscriber got %v, closed %v; want 5 events then closed", got, closed)
		}
		cancel() // after the bus closed it: nothing happens
		if n := bus.Subscribers(3); n != 0 {
			t.Fatalf("%d subscribers left", n)
		}
	})

	cancelA()
	cancelA()
	if _, closed := pending(a); !closed {
		t.Fatal("cancelled subscription not closed")
	}
	publish(1, "after")
	if n := bus.Subscribers(1); n != 0 {
		t.Fatalf("%d subscribers of user 1 after cancel", n)
	}
	if err := bus.Publish(canceled(), 1, desk.PushEvent{Type: "x"}); err == nil {
		t.Fatal("Publish with a cancelled context succeeded")
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestMemoryBusFanout: events numbered elsewhere (a bus shared by instances)
// are delivered with their IDs and replayed after them; Close closes the
// subscriptions and drops what comes after.
func TestMemoryBusFanout(t *testing.T) {
	bus := cti.NewMemoryBus(cti.MemoryBusOptions{})
	ch, cancel := bus.Subscribe(7, 0)
	defer cancel()
	for _, id := range []uint64{100, 205} {
		bus.Deliver(7, desk.PushEvent{ID: id, Type: "ringing", Time: time.Now()})
		if ev := <-ch; ev.ID != id {
			t.Fatalf("delivered ID %d, want %d as given", ev.ID, id)
		}
	}
	replay, cancelReplay := bus.Subscribe(7, 100)
	defer cancelReplay()
	if ev := <-replay; ev.ID != 205 {
		t.Errorf("replay after 100: ID %d, want 205", ev.ID)
	}
	bus.Close()
	if _, ok := <-ch; ok {
		t.Error("a subscription is open after Close")
	}
	bus.Deliver(7, desk.PushEvent{ID: 300, Type: "ringing", Time: time.Now()})
	late, _ := bus.Subscribe(7, 0)
	if _, ok := <-late; ok {
		t.Error("a subscription after Close got an event")
	}
	if n := bus.Subscribers(7); n != 0 {
		t.Errorf("%d subscribers after Close", n)
	}
}
