package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSlowClients holds connections that send their headers a byte at a
// time (slowloris) against the real server: the others are served as usual
// meanwhile, and the server drops a connection whose headers do not arrive
// within its ReadHeaderTimeout.
func TestSlowClients(t *testing.T) {
	t.Parallel()
	m, _ := MustServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "slow.db"))
	timeout := m.httpServer.ReadHeaderTimeout
	if timeout <= 0 || timeout > 30*time.Second {
		t.Fatalf("ReadHeaderTimeout %v: a slow client could hold a connection for ever", timeout)
	}
	const slow = 50
	conns := make([]net.Conn, slow)
	for i := range conns {
		c, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "POST /login HTTP/1.1\r\nHost: desk\r\nX-Slow: "); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a byte a second on each, never the end of the headers
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				for _, c := range conns {
					c.Write([]byte("a"))
				}
			}
		}
	}()
	for i := range 20 {
		start := time.Now()
		resp, err := http.Get("http://" + m.Addr() + "/healthz")
		if err != nil {
			t.Fatalf("GET /healthz %d beside slow clients: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
			t.Fatalf("GET /healthz beside slow clients: %d %q", resp.StatusCode, body)
		}
		// Served before the slow clients could have been dropped: it did
		// not wait for them. (The margin is the header timeout, not a
		// latency bound, so a busy machine does not fail it.)
		if d := time.Since(start); d >= timeout {
			t.Errorf("GET /healthz beside slow clients took %v, as long as the header timeout %v: it waited for them", d, timeout)
		}
	}
	close(stop)
	<-done

	// Past the timeout the server has dropped them: a read ends (EOF, or a
	// 408 then EOF) rather than waiting.
	for i, c := range conns[:3] {
		c.SetReadDeadline(time.Now().Add(timeout + 5*time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("slow connection %d still open %v after its last byte", i, timeout+5*time.Second)
		}
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("slow connection %d answered %d, want a 4xx or nothing", i, resp.StatusCode)
			}
		}
	}
}
