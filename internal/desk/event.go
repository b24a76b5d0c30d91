package desk

import (
	"context"
	"time"
)

// PushEvent is a notification for the browsers of one user (docs/deployment.md,
// several instances): a ringing call, an answer that opens the screen pop, a call
// that ended.
type PushEvent struct {
	// ID orders the events of a bus: it increases with every publication,
	// so that a browser reconnecting with Last-Event-ID gets the events it
	// missed. The bus sets it.
	ID uint64
	// Type names the event (the SSE event field): ringing, answered, ended.
	Type string
	// Data is the event's JSON.
	Data []byte
	// Time is when it was published; the bus sets it.
	Time time.Time
}

// EventBus carries push events to the browsers of a user, wherever they are
// connected. The in-memory bus (cti.MemoryBus) serves one instance; with
// several instances behind a load balancer, a bus shared through the
// database (PostgreSQL LISTEN/NOTIFY) lets an event posted to one instance
// reach an agent connected to another. An implementation must:
//   - give IDs that increase across every instance that shares it (a
//     database sequence), so that Last-Event-ID resumes on any instance;
//   - keep, per user, the last events for a short while, and replay those
//     after lastEventID to a new subscriber;
//   - never block Publish on a slow subscriber: it closes such a
//     subscriber's channel instead (the browser reconnects and replays).
type EventBus interface {
	// Publish sends ev to every subscription of user userID, now and to
	// those that resume soon after.
	Publish(ctx context.Context, userID int64, ev PushEvent) error
	// Subscribe returns the events of user userID: first the kept events
	// published after lastEventID (none when it is 0), then every new one.
	// The channel closes when cancel is called or the subscriber falls too
	// far behind.
	Subscribe(userID int64, lastEventID uint64) (events <-chan PushEvent, cancel func())
}

// EventFanout is the part of an EventBus in one process: it keeps each
// user's last events, replays them to a subscriber that resumes, and hands
// every event to the user's subscriptions (cti.MemoryBus). A bus shared by
// several instances numbers its events and delivers each to the fanout of
// every instance.
type EventFanout interface {
	// Deliver keeps ev, which has its ID and time, and sends it to every
	// subscription of user userID.
	Deliver(userID int64, ev PushEvent)
	// Subscribe is EventBus.Subscribe.
	Subscribe(userID int64, lastEventID uint64) (events <-chan PushEvent, cancel func())
	// Subscribers returns how many subscriptions user userID has.
	Subscribers(userID int64) int
	// Close closes every subscription; Deliver drops events from then on and
	// Subscribe returns a closed channel.
	Close()
}
