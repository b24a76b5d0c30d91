package cti

import (
	"context"
	"sync"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// MemoryBus is the desk.EventBus of one instance: the subscriptions live in
// memory, and so do the last events of each user, for the browsers that
// reconnect with Last-Event-ID. With several instances, a bus shared
// through the database numbers the events and delivers them to the
// MemoryBus of each instance, its desk.EventFanout.
type MemoryBus struct {
	keep    int
	window  time.Duration
	backlog int
	now     func() time.Time

	mu        sync.Mutex
	last      uint64
	users     map[int64]*userEvents
	closed    bool
	lastSweep time.Time
}

// userEvents are one user's kept events and subscriptions.
type userEvents struct {
	recent []desk.PushEvent
	subs   map[*subscription]struct{}
}

type subscription struct {
	ch chan desk.PushEvent
}

// MemoryBusOptions configure a MemoryBus; zero values are the defaults.
type MemoryBusOptions struct {
	// Keep is how many events of each user are kept for replay; default 32.
	Keep int
	// Window is how long an event is kept for replay; default 2 minutes: a
	// browser that was away longer gets no stale ringing.
	Window time.Duration
	// Backlog is how many events a subscriber may fall behind before it is
	// dropped (its channel closed); default 64.
	Backlog int
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// NewMemoryBus returns an empty bus. Its event IDs start from the time in
// microseconds, so that they keep increasing across a restart and a browser
// resuming with an ID from before it misses nothing published since.
func NewMemoryBus(opt MemoryBusOptions) *MemoryBus {
	b := &MemoryBus{keep: opt.Keep, window: opt.Window, backlog: opt.Backlog, now: opt.Now,
		users: map[int64]*userEvents{}}
	if b.keep <= 0 {
		b.keep = 32
	}
	if b.window <= 0 {
		b.window = 2 * time.Minute
	}
	if b.backlog <= 0 {
		b.backlog = 64
	}
	if b.now == nil {
		b.now = time.Now
	}
	b.last = uint64(max(b.now().UnixMicro(), 0))
	return b
}

var (
	_ desk.EventBus    = (*MemoryBus)(nil)
	_ desk.EventFanout = (*MemoryBus)(nil)
)

// Publish gives ev the next ID and the time, keeps it for replay and sends
// it to every subscription of the user. A subscription whose backlog is
// full is dropped: its channel closes, and the browser reconnects.
func (b *MemoryBus) Publish(ctx context.Context, userID int64, ev desk.PushEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last++
	ev.ID, ev.Time = b.last, b.now()
	b.deliver(userID, ev)
	return nil
}

// Deliver keeps ev, numbered already, and sends it to every subscription of
// the user, as Publish does (desk.EventFanout).
func (b *MemoryBus) Deliver(userID int64, ev desk.PushEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deliver(userID, ev)
}

// deliver keeps ev and sends it to the user's subscriptions. b.mu is held.
func (b *MemoryBus) deliver(userID int64, ev desk.PushEvent) {
	if b.closed {
		return
	}
	u := b.user(userID)
	u.recent = append(u.recent, ev)
	b.prune(u)
	for s := range u.subs {
		select {
		case s.ch <- ev:
		default: // too far behind: the browser reconnects and replays
			close(s.ch)
			delete(u.subs, s)
		}
	}
	b.sweep()
}

// Subscribe returns the user's kept events after lastEventID (none for 0),
// then every new one.
func (b *MemoryBus) Subscribe(userID int64, lastEventID uint64) (<-chan desk.PushEvent, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &subscription{ch: make(chan desk.PushEvent, b.backlog+b.keep)}
	if b.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	u := b.user(userID)
	b.prune(u)
	if lastEventID != 0 {
		for _, ev := range u.recent {
			if ev.ID > lastEventID {
				s.ch <- ev
			}
		}
	}
	u.subs[s] = struct{}{}
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if _, ok := u.subs[s]; ok {
				close(s.ch)
				delete(u.subs, s)
			}
		})
	}
}

// Subscribers returns how many subscriptions user userID has, for tests and
// metrics.
func (b *MemoryBus) Subscribers(userID int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.users[userID]; ok {
		return len(u.subs)
	}
	return 0
}

// Close closes every subscription; from then on events are dropped and new
// subscriptions are closed at once.
func (b *MemoryBus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for id, u := range b.users {
		for s := range u.subs {
			close(s.ch)
			delete(u.subs, s)
		}
		delete(b.users, id)
	}
}

// user returns the events of userID, created on first use. b.mu is held.
func (b *MemoryBus) user(id int64) *userEvents {
	u, ok := b.users[id]
	if !ok {
		u = &userEvents{subs: map[*subscription]struct{}{}}
		b.users[id] = u
	}
	return u
}

// prune drops the events beyond keep and those older than window. b.mu is
// held.
func (b *MemoryBus) prune(u *userEvents) {
	if n := len(u.recent) - b.keep; n > 0 {
		u.recent = append(u.recent[:0], u.recent[n:]...)
	}
	cut := b.now().Add(-b.window)
	i := 0
	for i < len(u.recent) && u.recent[i].Time.Before(cut) {
		i++
	}
	if i > 0 {
		u.recent = append(u.recent[:0], u.recent[i:]...)
	}
}

// sweep forgets, once a window, the users with neither subscription nor
// recent event: a bus shared by instances delivers every user's events to
// every instance. b.mu is held.
func (b *MemoryBus) sweep() {
	now := b.now()
	if now.Sub(b.lastSweep) < b.window {
		return
	}
	b.lastSweep = now
	for id, u := range b.users {
		b.prune(u)
		if len(u.subs) == 0 && len(u.recent) == 0 {
			delete(b.users, id)
		}
	}
}
