package pbx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
)

// What the adapters share to follow a phone system: connections opened again
// after a back-off, kept checked while quiet, and call events posted again
// while ctidesk cannot take them.

// ErrLogin is wrapped by the error of a refused login: Run stops, since
// trying again with the same secret cannot help.
var ErrLogin = errors.New("login refused")

// Connection is how an adapter reaches the phone system and ctidesk.
type Connection struct {
	// Addr is the phone system's host:port.
	Addr string
	// Poster delivers the call events to ctidesk.
	Poster Poster
	// Log reports connections, logins and events that could not be
	// posted; default: discard.
	Log *slog.Logger
	// MinBackoff and MaxBackoff bound the wait before reconnecting, which
	// doubles from the one to the other and starts again from the minimum
	// once logged in; default 1 s and 1 min. An event ctidesk cannot take
	// is posted again after MinBackoff, then twice as long, a few times.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how often a quiet connection is checked (with a
	// command the phone system answers); one that answers nothing for
	// three intervals is reopened. Default 30 s.
	PingInterval time.Duration
	// Dial opens the connection; default net.Dialer's.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (c *Connection) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Connection) backoff() (time.Duration, time.Duration) {
	lo, hi := c.MinBackoff, c.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(time.Minute, lo)
	}
	return lo, hi
}

// follow connects to Addr and runs session on the connection, again and
// again, until ctx ends (it then returns nil) or a login is refused
// (ErrLogin). session reports whether it logged in: the wait before the
// next attempt then starts again from the minimum. system names the phone
// system's interface in the log.
func (c *Connection) follow(ctx context.Context, system string, session func(*link) (bool, error)) error {
	minWait, maxWait := c.backoff()
	ping := c.PingInterval
	if ping <= 0 {
		ping = 30 * time.Second
	}
	wait := minWait
	for {
		loggedIn := false
		l, err := dialLink(ctx, c.Dial, c.Addr, ping)
		if err == nil {
			loggedIn, err = session(l)
			l.close()
		}
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrLogin) {
			return err
		}
		if loggedIn {
			wait = minWait
		}
		c.log().Warn(system+" connection lost; reconnecting", "addr", c.Addr, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, maxWait)
	}
}

// postAttempts is how many times an event is posted while ctidesk cannot
// take it (a restart, a network hiccup), the minimum back-off apart,
// doubling.
const postAttempts = 4

// post posts evs in order, each again on failures that may pass; an event
// ctidesk refused (ErrRejected) or could not take after postAttempts is
// logged and dropped. It returns ctx's error when ctx ends.
func (c *Connection) post(ctx context.Context, evs []*cti.Event) error {
	for _, ev := range evs {
		if err := c.postOne(ctx, ev); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log().Error("post call event", "event", ev.Event, "call", ev.CallID, "err", err)
		}
	}
	return nil
}

func (c *Connection) postOne(ctx context.Context, ev *cti.Event) error {
	wait, _ := c.backoff()
	var err error
	for range postAttempts {
		if _, err = c.Poster.Post(ctx, ev); err == nil || errors.Is(err, ErrRejected) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
	return err
}

// link is one connection to a phone system, with the goroutines that use
// it: the end of its context closes the connection (which ends a blocked
// read), and close waits for them.
type link struct {
	conn    net.Conn
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	writeMu sync.Mutex
	// timeout bounds each write, and each read through readDeadline.
	timeout time.Duration
}

// dialLink connects to addr with dial (nil: net.Dialer's).
func dialLink(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	addr string, timeout time.Duration) (*link, error) {
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &link{conn: conn, timeout: timeout}
	l.ctx, l.cancel = context.WithCancel(ctx)
	l.wg.Go(func() {
		<-l.ctx.Done()
		conn.Close()
	})
	return l, nil
}

// close closes the connection and waits for its goroutines.
func (l *link) close() {
	l.cancel()
	l.conn.Close()
	l.wg.Wait()
}

// write writes s whole, or fails within the timeout.
func (l *link) write(s string) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.conn.SetWriteDeadline(time.Now().Add(l.timeout))
	_, err := io.WriteString(l.conn, s)
	return err
}

// readDeadline gives the next read three timeouts: a connection that stays
// silent that long, though checked every timeout, is dead.
func (l *link) readDeadline() {
	l.conn.SetReadDeadline(time.Now().Add(3 * l.timeout))
}

// every calls check every timeout until the link closes; a check that fails
// closes the connection.
func (l *link) every(check func(n int) error) {
	l.wg.Go(func() {
		t := time.NewTicker(l.timeout)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-l.ctx.Done():
				return
			case <-t.C:
				if check(n) != nil {
					l.conn.Close()
					return
				}
			}
		}
	})
}
