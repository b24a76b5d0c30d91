// Package pbxtest holds what the scripted phone system servers of the tests
// (amitest, esltest) share: a loopback listener, and the scripts its
// connections play one after the other.
package pbxtest

import (
	"net"
	"sync"
	"testing"
)

// Listen listens on a loopback port and serves each connection with serve,
// in its own goroutine. When the test ends, it closes the listener and the
// connections, and waits for serve to return. It returns the address to
// connect to.
func Listen(tb testing.TB, serve func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	tb.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				go func() { <-done; conn.Close() }()
				serve(conn)
			})
		}
	})
	return ln.Addr().String()
}

// Scripts hands out the scripts of a server, one per connection, in order.
type Scripts[S any] struct {
	mu   sync.Mutex
	list []func(S)
}

// NewScripts returns the scripts list, to be played in order.
func NewScripts[S any](list []func(S)) *Scripts[S] {
	return &Scripts[S]{list: list}
}

// Next returns the next script, nil when they ran out.
func (s *Scripts[S]) Next() func(S) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.list) == 0 {
		return nil
	}
	next := s.list[0]
	s.list = s.list[1:]
	return next
}
