package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestServeEndsStaleCalls: serve ends, by itself, a call that has had no
// event for calls.stale_after (here 30 s, the least): its hangup was lost.
func TestServeEndsStaleCalls(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "stale.db")
	ctx := desk.NewSystemContext(context.Background())
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin := desk.NewContextWithUser(context.Background(), &desk.User{ID: -1, Login: "admin", Roles: []string{desk.RoleAdmin}})
	_, integ, err := db.CreateIntegration(admin, "PBX")
	if err != nil {
		t.Fatal(err)
	}
	// A call answered an hour ago, and a call whose last event is now.
	lastEvent := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	clock := db.Now
	db.Now = func() time.Time { return lastEvent }
	apply := func(callID string) *desk.Call {
		c, err := db.ApplyCall(ctx, integ.ID, callID, func(c *desk.Call) error {
			c.Direction, c.From, c.State, c.StartedAt, c.AnsweredAt = desk.DirectionIn, "+12125550100", desk.CallAnswered, lastEvent, &lastEvent
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	lost := apply("lost")
	db.Now = clock
	live := apply("live")

	cfg := filepath.Join(dir, "ctidesk.yaml")
	if err := os.WriteFile(cfg, []byte("calls:\n  stale_after: 30s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	MustServe(t, "--db", dsn, "--config", cfg)
	for {
		c, err := db.FindCallByID(ctx, lost.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Ended() {
			if !c.HangupLost() || !c.EndedAt.Equal(lastEvent) || c.State != desk.CallAnswered {
				t.Fatalf("ended %+v, want answered, hangup not received, at its last event", c)
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c, err := db.FindCallByID(ctx, live.ID); err != nil || c.Ended() {
		t.Fatalf("the live call: %+v, %v", c, err)
	}
}
