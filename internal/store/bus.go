package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// EventBus is the desk.EventBus of several instances sharing one PostgreSQL
// database (docs/deployment.md, several instances): an event published on any instance reaches
// the user's browsers on every instance, through LISTEN/NOTIFY.
//
// Publish draws the event's ID from a sequence of the database (so IDs
// increase across the instances) and sends the event with pg_notify on the
// channel of the database's schema; every instance's bus listens to it on a
// connection of its own and delivers each event to its desk.EventFanout
// (cti.MemoryBus), which keeps each user's last events for the browsers that
// reconnect (Last-Event-ID, to any instance: each one received every event)
// and hands them to its subscribers. A notification carries
// the whole event, as JSON: PostgreSQL takes up to 8000 bytes, so an event's
// data may not take much more than 7,500 once escaped.
//
// Publish also keeps the event in push_event for a few minutes (keepEvents):
// when an instance's listening connection comes back (the bus reconnects on
// its own, after a PostgreSQL restart or a terminated backend), it reads the
// events it missed from there, so that no agent loses a ringing or answer
// notice. Events of two instances publishing at the same time may arrive out
// of ID order; each is delivered once.
type EventBus struct {
	db      *DB
	channel string
	local   desk.EventFanout
	now     func() time.Time
	log     *slog.Logger
	closed  atomic.Bool
	// connected tells whether the listening connection is up, for /readyz.
	connected atomic.Bool

	stop context.CancelFunc
	done chan struct{}
}

// keepEvents is how long push_event keeps an event for the instances that
// catch up: longer than a reconnection takes (at most 30 s apart), as long
// as a browser's replay needs (cti.MemoryBus keeps two minutes).
const keepEvents = 5 * time.Minute

// EventBusOptions configure an EventBus.
type EventBusOptions struct {
	// Local keeps the events for replay and hands them to this instance's
	// subscribers (cti.MemoryBus); required. Close closes it.
	Local desk.EventFanout
	// Now returns the time of a published event; default time.Now.
	Now func() time.Time
	// Logger tells of the listening connection's failures; default
	// slog.Default().
	Logger *slog.Logger
}

// maxNotification is the largest payload of a PostgreSQL notification, in
// bytes.
const maxNotification = 7999

// busMessage is the payload of a notification.
type busMessage struct {
	User int64  `json:"u"`
	ID   uint64 `json:"i"`
	Type string `json:"t"`
	Time int64  `json:"a"` // Unix microseconds
	Data string `json:"d"`
}

var _ desk.EventBus = (*EventBus)(nil)

// NewEventBus returns the bus of db, a PostgreSQL database, listening
// already: an event published anywhere once it returns reaches its
// subscribers. Close stops it (before db is closed).
func NewEventBus(ctx context.Context, db *DB, opt EventBusOptions) (*EventBus, error) {
	if !db.Postgres() {
		return nil, errors.New("event bus: LISTEN/NOTIFY needs PostgreSQL; one SQLite instance uses an in-memory bus")
	}
	if opt.Local == nil {
		return nil, errors.New("event bus: no local fanout (EventBusOptions.Local)")
	}
	b := &EventBus{db: db, local: opt.Local, now: opt.Now, log: opt.Logger, done: make(chan struct{})}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	var schema string
	if err := db.write.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("event bus: %w", err)
	}
	// One channel per schema: deployments sharing a database in separate
	// schemas do not hear each other. A channel name is an identifier of at
	// most 63 bytes, so the schema is hashed.
	h := fnv.New64a()
	h.Write([]byte(schema))
	b.channel = fmt.Sprintf("ctidesk_events_%016x", h.Sum64())
	conn, err := b.listen(ctx)
	if err != nil {
		return nil, fmt.Errorf("event bus: %w", err)
	}
	b.connected.Store(true)
	var last uint64
	if err := db.write.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM push_event").Scan(&last); err != nil {
		conn.Close()
		return nil, fmt.Errorf("event bus: %w", err)
	}
	lctx, stop := context.WithCancel(context.Background())
	b.stop = stop
	go b.run(lctx, conn, last)
	return b, nil
}

// listen takes a connection of the pool for the bus and listens on it.
func (b *EventBus) listen(ctx context.Context) (*sql.Conn, error) {
	conn, err := b.db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// b.channel is made of letters, digits and _.
	if _, err := conn.ExecContext(ctx, `LISTEN "`+b.channel+`"`); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // never back in the pool
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// run receives the notifications until Close, listening again after a
// failure of the connection, then catching up the events published in the
// meantime. last is the ID of the last event published before it listened.
func (b *EventBus) run(ctx context.Context, conn *sql.Conn, last uint64) {
	defer close(b.done)
	r := &receiver{bus: b, last: last, seen: map[uint64]time.Time{}}
	for wait := time.Second; ; {
		err := conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("driver connection %T is not pgx's", dc)
			}
			for {
				wctx, cancel := context.WithTimeout(ctx, time.Minute)
				n, err := c.Conn().WaitForNotification(wctx)
				cancel()
				if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
					r.prune() // a quiet minute: forget old events
					continue
				}
				if err != nil {
					// The connection listens: it never goes back to the
					// pool, whatever the error.
					return errors.Join(driver.ErrBadConn, err)
				}
				r.receive(n.Payload)
				wait = time.Second
			}
		})
		b.connected.Store(false)
		conn.Close()
		if ctx.Err() != nil {
			return
		}
		b.log.Error("event bus: listening connection lost", "err", err)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 30*time.Second)
			if conn, err = b.listen(ctx); err == nil {
				// Listening again: what was published while deaf is in
				// push_event (what is published from now on comes by
				// notification too, and is delivered once).
				b.connected.Store(true)
				if err = r.catchUp(ctx); err == nil {
					b.log.Info("event bus: listening again")
					break
				}
				b.connected.Store(false)
				conn.Close()
			}
			if ctx.Err() != nil {
				return
			}
			b.log.Error("event bus: listen", "err", err)
		}
	}
}

// Connected reports whether the bus's listening connection is up: while it
// is not, the events of other instances wait for it to come back.
func (b *EventBus) Connected() bool { return b.connected.Load() && !b.closed.Load() }

// receiver delivers the events of the notifications and of the catch-ups,
// each once. Only the goroutine of run uses it.
type receiver struct {
	bus *EventBus
	// last is the highest ID delivered.
	last uint64
	// seen holds the IDs delivered within keepEvents, with when, since
	// instances may publish out of ID order and a catch-up meets events
	// the notifications bring too.
	seen      map[uint64]time.Time
	lastPrune time.Time
}

// receive hands on the event of a notification.
func (r *receiver) receive(payload string) {
	var m busMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		r.bus.log.Error("event bus: unreadable notification", "err", err)
		return
	}
	r.deliver(m)
}

func (r *receiver) deliver(m busMessage) {
	now := r.bus.now()
	if _, ok := r.seen[m.ID]; ok {
		return
	}
	r.seen[m.ID] = now
	r.last = max(r.last, m.ID)
	r.bus.local.Deliver(m.User, desk.PushEvent{ID: m.ID, Type: m.Type, Data: []byte(m.Data), Time: time.UnixMicro(m.Time).UTC()})
	if now.Sub(r.lastPrune) > time.Minute {
		r.prune()
	}
}

// catchUp delivers the events published after the last one delivered that
// are still kept.
func (r *receiver) catchUp(ctx context.Context) error {
	rows, err := r.bus.db.write.QueryContext(ctx, `SELECT id, user_id, type, data, created_at FROM push_event
		WHERE id > $1 ORDER BY id`, r.last)
	if err != nil {
		return fmt.Errorf("catch up: %w", err)
	}
	defer rows.Close()
	var missed []busMessage
	for rows.Next() {
		var m busMessage
		var at time.Time
		if err := rows.Scan(&m.ID, &m.User, &m.Type, &m.Data, &at); err != nil {
			return fmt.Errorf("catch up: %w", err)
		}
		m.Time = at.UnixMicro()
		missed = append(missed, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catch up: %w", err)
	}
	for _, m := range missed {
		r.deliver(m)
	}
	if len(missed) > 0 {
		r.bus.log.Info("event bus: caught up", "events", len(missed))
	}
	return nil
}

// prune forgets the IDs delivered long ago, and deletes the events every
// instance has had time to catch up. Several instances deleting the same
// rows is harmless.
func (r *receiver) prune() {
	now := r.bus.now()
	r.lastPrune = now
	for id, at := range r.seen {
		if now.Sub(at) > keepEvents {
			delete(r.seen, id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.bus.db.write.ExecContext(ctx, "DELETE FROM push_event WHERE created_at < $1",
		now.Add(-keepEvents)); err != nil {
		r.bus.log.Error("event bus: prune", "err", err)
	}
}

// Channel returns the name of the notification channel the bus listens to,
// one per schema, for monitoring (pg_stat_activity shows LISTEN "channel").
func (b *EventBus) Channel() string { return b.channel }

// Publish gives ev the next ID of the database's sequence and the time, and
// sends it to every instance, each of which keeps it for replay and hands it
// to the user's subscriptions there.
func (b *EventBus) Publish(ctx context.Context, userID int64, ev desk.PushEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// The payload as json_build_object writes it, but for the numbers.
	size, err := json.Marshal(busMessage{Type: ev.Type, Data: string(ev.Data)})
	if err != nil {
		return fmt.Errorf("publish %s: %w", ev.Type, err)
	}
	if len(size)+60 > maxNotification {
		return fmt.Errorf("publish %s: %d bytes of data, more than a notification carries", ev.Type, len(ev.Data))
	}
	if b.closed.Load() {
		return errors.New("publish: the event bus is closed")
	}
	// One statement: the ID, the row kept for the instances that catch up,
	// and the notification, sent when the statement commits.
	now := b.now()
	_, err = b.db.write.ExecContext(ctx, `WITH e AS (
			INSERT INTO push_event (id, user_id, type, data, created_at)
			VALUES (nextval('push_event_id'), $2, $3, $5, $6) RETURNING id)
		SELECT pg_notify($1, json_build_object('u', $2::bigint, 'i', e.id, 't', $3::text, 'a', $4::bigint,
			'd', $5::text)::text) FROM e`,
		b.channel, userID, ev.Type, now.UnixMicro(), string(ev.Data), now.UTC())
	if err != nil {
		return fmt.Errorf("publish %s: %w", ev.Type, err)
	}
	return nil
}

// Subscribe returns the user's kept events after lastEventID (none for 0),
// then every new one.
func (b *EventBus) Subscribe(userID int64, lastEventID uint64) (<-chan desk.PushEvent, func()) {
	return b.local.Subscribe(userID, lastEventID)
}

// Subscribers returns how many subscriptions user userID has on this
// instance, for tests and metrics.
func (b *EventBus) Subscribers(userID int64) int { return b.local.Subscribers(userID) }

// Close stops listening and closes every subscription; Publish fails from
// then on.
func (b *EventBus) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	b.local.Close()
	b.stop()
	<-b.done
	return nil
}
