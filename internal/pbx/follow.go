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

// backoff bounds the waits of an adapter: before reconnecting, a wait that
// doubles from min up to max and starts from min again once logged in
// (default 1 s and 1 min); before posting again an event ctidesk could not
// take, min, then twice as long, a few times.
type backoff struct{ min, max time.Duration }

func (b backoff) bounds() (time.Duration, time.Duration) {
	lo, hi := b.min, b.max
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(time.Minute, lo)
	}
	return lo, hi
}

// follow runs session again and again until ctx ends (it then returns nil)
// or a login is refused (ErrLogin). session reports whether it logged in: the
// wait before the next attempt then starts again from the minimum.
func follow(ctx context.Context, b backoff, log *slog.Logger, system, addr string,
	session func(context.Context) (bool, error)) error {
	minWait, maxWait := b.bounds()
	wait := minWait
	for {
		loggedIn, err := session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrLogin) {
			return err
		}
		if loggedIn {
			wait = minWait
		}
		log.Warn(system+" connection lost; reconnecting", "addr", addr, "in", wait, "err", err)
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

// postAll posts evs in order, each again on failures that may pass; an event
// ctidesk refused (ErrRejected) or could not take after postAttempts is
// logged and dropped. It returns ctx's error when ctx ends.
func postAll(ctx context.Context, p Poster, b backoff, log *slog.Logger, evs []*cti.Event) error {
	for _, ev := range evs {
		if err := postOne(ctx, p, b, ev); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			log.Error("post call event", "event", ev.Event, "call", ev.CallID, "err", err)
		}
	}
	return nil
}

func postOne(ctx context.Context, p Poster, b backoff, ev *cti.Event) error {
	wait, _ := b.bounds()
	var err error
	for range postAttempts {
		if _, err = p.Post(ctx, ev); err == nil || errors.Is(err, ErrRejected) {
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

// every calls check every interval until the link closes; a check that
// fails closes the connection.
func (l *link) every(interval time.Duration, check func(n int) error) {
	l.wg.Go(func() {
		t := time.NewTicker(interval)
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

func discardLog(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
