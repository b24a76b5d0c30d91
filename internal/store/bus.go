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
// database (DESIGN.md section 8): an event published on any instance reaches
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
// Events published while an instance's listening connection is down (the
// bus reconnects on its own) do not reach that instance's browsers; those
// of two instances publishing at the same time may arrive out of ID order.
// Both only cost a notice on screen, which the page's next load shows.
type EventBus struct {
	db      *DB
	channel string
	local   desk.EventFanout
	now     func() time.Time
	log     *slog.Logger
	closed  atomic.Bool

	stop context.CancelFunc
	done chan struct{}
}

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
	schema, err := b.setUp(ctx)
	if err != nil {
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
	lctx, stop := context.WithCancel(context.Background())
	b.stop = stop
	go b.run(lctx, conn)
	return b, nil
}

// setUp creates the sequence of the event IDs, if need be, and returns the
// schema. The sequence belongs to the bus, not to the desk's schema (SQLite
// has no bus), so the bus creates it, under the migration lock: instances
// starting together create it once.
func (b *EventBus) setUp(ctx context.Context) (string, error) {
	var schema string
	err := b.db.migrateTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS push_event_id"); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema)
	})
	return schema, err
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
// failure of the connection.
func (b *EventBus) run(ctx context.Context, conn *sql.Conn) {
	defer close(b.done)
	for wait := time.Second; ; {
		err := conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("driver connection %T is not pgx's", dc)
			}
			for {
				n, err := c.Conn().WaitForNotification(ctx)
				if err != nil {
					// The connection listens: it never goes back to the
					// pool, whatever the error.
					return errors.Join(driver.ErrBadConn, err)
				}
				b.receive(n.Payload)
				wait = time.Second
			}
		})
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
				break
			}
			if ctx.Err() != nil {
				return
			}
			b.log.Error("event bus: listen", "err", err)
		}
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
	// One statement: the ID, the payload and the notification, sent when
	// the statement commits.
	_, err = b.db.write.ExecContext(ctx, `SELECT pg_notify($1, json_build_object('u', $2::bigint,
		'i', nextval('push_event_id'), 't', $3::text, 'a', $4::bigint, 'd', $5::text)::text)`,
		b.channel, userID, ev.Type, b.now().UnixMicro(), string(ev.Data))
	if err != nil {
		return fmt.Errorf("publish %s: %w", ev.Type, err)
	}
	return nil
}

// receive hands on the event of a notification.
func (b *EventBus) receive(payload string) {
	var m busMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		b.log.Error("event bus: unreadable notification", "err", err)
		return
	}
	b.local.Deliver(m.User, desk.PushEvent{ID: m.ID, Type: m.Type, Data: []byte(m.Data), Time: time.UnixMicro(m.Time).UTC()})
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
