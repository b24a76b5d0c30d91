// Package amitest is a scripted Asterisk Manager Interface server for tests:
// it speaks the protocol over TCP as Asterisk does (the banner, the Login
// action and its response, events as "Key: Value" blocks), and plays one
// script per connection, so that a test can follow a call, break the
// connection, and see the client come back. Asterisk is not packaged in
// Debian 12; this is what the adapter's tests talk to.
package amitest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/ctidesk/ctidesk/internal/pbx"
)

// Banner is what Asterisk 20 writes when a client connects.
const Banner = "Asterisk Call Manager/9.0.0\r\n"

// Server is a scripted manager interface on a loopback port.
type Server struct {
	// Addr is the host:port to connect to.
	Addr     string
	username string
	secret   string
	ln       net.Listener

	mu      sync.Mutex
	scripts []func(*Session)
	logins  []pbx.Message
	wg      sync.WaitGroup
	tb      testing.TB
}

// Session is one connection, logged in, that a script plays on.
type Session struct {
	conn net.Conn
	r    *bufio.Reader
	tb   testing.TB
}

// NewServer listens on a loopback port. Each connection that logs in with
// username and secret plays the next script, then is closed; when the
// scripts run out, connections are logged in and then held open until the
// test ends. A wrong secret gets Asterisk's error response.
func NewServer(tb testing.TB, username, secret string, scripts ...func(*Session)) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), username: username, secret: secret, ln: ln, scripts: scripts, tb: tb}
	done := make(chan struct{})
	tb.Cleanup(func() {
		close(done)
		ln.Close()
		s.wg.Wait()
	})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				go func() { <-done; conn.Close() }()
				s.serve(conn, done)
			}()
		}
	}()
	return s
}

// Logins returns the Login actions received, in order.
func (s *Server) Logins() []pbx.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pbx.Message(nil), s.logins...)
}

func (s *Server) serve(conn net.Conn, done chan struct{}) {
	if _, err := io.WriteString(conn, Banner); err != nil {
		return
	}
	r := bufio.NewReader(conn)
	for {
		m, err := pbx.ReadMessage(r)
		if err != nil {
			return
		}
		if !strings.EqualFold(m.Get("Action"), "Login") {
			fmt.Fprintf(conn, "Response: Error\r\nActionID: %s\r\nMessage: Permission denied\r\n\r\n", m.Get("ActionID"))
			continue
		}
		s.mu.Lock()
		s.logins = append(s.logins, m)
		s.mu.Unlock()
		if m.Get("Username") != s.username || m.Get("Secret") != s.secret {
			fmt.Fprintf(conn, "Response: Error\r\nActionID: %s\r\nMessage: Authentication failed\r\n\r\n", m.Get("ActionID"))
			return // Asterisk closes the connection after a failed login
		}
		fmt.Fprintf(conn, "Response: Success\r\nActionID: %s\r\nMessage: Authentication accepted\r\n\r\n", m.Get("ActionID"))
		io.WriteString(conn, "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 120\r\nLastReload: 120\r\nStatus: Fully Booted\r\n\r\n")
		break
	}
	s.mu.Lock()
	var script func(*Session)
	if len(s.scripts) > 0 {
		script, s.scripts = s.scripts[0], s.scripts[1:]
	}
	s.mu.Unlock()
	sess := &Session{conn: conn, r: r, tb: s.tb}
	if script == nil {
		// Answer pings until the test ends.
		for {
			if _, err := sess.Expect("NoSuchAction"); err != nil {
				return
			}
		}
	}
	script(sess)
}

// Event writes one event: its name and key, value pairs, as Asterisk writes
// them (Privilege after Event).
func (s *Session) Event(name string, pairs ...string) {
	var b strings.Builder
	b.WriteString("Event: " + name + "\r\nPrivilege: call,all\r\n")
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString(pairs[i] + ": " + pairs[i+1] + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(s.conn, b.String()); err != nil {
		s.tb.Errorf("amitest: write %s: %v", name, err)
	}
}

// Expect reads the client's actions, answering each (Ping with Pong), until
// one is action; it returns that action, or the error that ended the
// connection.
func (s *Session) Expect(action string) (pbx.Message, error) {
	for {
		m, err := pbx.ReadMessage(s.r)
		if err != nil {
			return nil, err
		}
		id := m.Get("ActionID")
		if strings.EqualFold(m.Get("Action"), "Ping") {
			fmt.Fprintf(s.conn, "Response: Success\r\nActionID: %s\r\nPing: Pong\r\nTimestamp: 1700000000.000000\r\n\r\n", id)
		} else {
			fmt.Fprintf(s.conn, "Response: Success\r\nActionID: %s\r\n\r\n", id)
		}
		if strings.EqualFold(m.Get("Action"), action) {
			return m, nil
		}
	}
}

// Call writes the events of one inbound call, as Asterisk 20 with PJSIP
// writes them: the trunk's channel, the agent's phone dialled and ringing,
// both bridged when answered, and the hangups.
// id is the Linkedid (and the trunk channel's Uniqueid); from is the
// caller's number, did the number called, agent the extension dialled.
func (s *Session) Call(id, from, did, agent string, answered bool, cause int) {
	trunk := "PJSIP/trunk-" + id
	phone := "PJSIP/" + agent + "-" + id
	dest := id + "1"
	s.Event("Newchannel", "Channel", trunk, "ChannelState", "0", "ChannelStateDesc", "Down", "CallerIDNum", from,
		"CallerIDName", "<unknown>", "ConnectedLineNum", "<unknown>", "Language", "en", "AccountCode", "",
		"Context", "from-external", "Exten", did, "Priority", "1", "Uniqueid", id, "Linkedid", id)
	s.Event("Newchannel", "Channel", phone, "ChannelState", "0", "ChannelStateDesc", "Down", "CallerIDNum", agent,
		"CallerIDName", "<unknown>", "Context", "from-internal", "Exten", "s", "Uniqueid", dest, "Linkedid", id)
	s.Event("DialBegin", "Channel", trunk, "ChannelState", "4", "CallerIDNum", from, "Context", "from-external",
		"Exten", did, "Uniqueid", id, "Linkedid", id, "DestChannel", phone, "DestChannelState", "0",
		"DestCallerIDNum", agent, "DestContext", "from-internal", "DestExten", did, "DestUniqueid", dest,
		"DestLinkedid", id, "DialString", agent)
	if answered {
		s.Event("DialEnd", "Channel", trunk, "Uniqueid", id, "Linkedid", id, "DestChannel", phone,
			"DestUniqueid", dest, "DialStatus", "ANSWER")
		bridge := "b-" + id
		s.Event("BridgeCreate", "BridgeUniqueid", bridge, "BridgeType", "basic")
		s.Event("BridgeEnter", "BridgeUniqueid", bridge, "Channel", trunk, "CallerIDNum", from, "Uniqueid", id,
			"Linkedid", id)
		s.Event("BridgeEnter", "BridgeUniqueid", bridge, "Channel", phone, "CallerIDNum", agent,
			"Uniqueid", dest, "Linkedid", id)
		s.Event("BridgeLeave", "BridgeUniqueid", bridge, "Channel", trunk, "Uniqueid", id, "Linkedid", id)
	} else {
		s.Event("DialEnd", "Channel", trunk, "Uniqueid", id, "Linkedid", id, "DestChannel", phone,
			"DestUniqueid", dest, "DialStatus", "CANCEL")
	}
	s.Event("Hangup", "Channel", phone, "Uniqueid", dest, "Linkedid", id, "Cause", "16", "Cause-txt", "Normal Clearing")
	s.Event("Hangup", "Channel", trunk, "Uniqueid", id, "Linkedid", id, "Cause", fmt.Sprint(cause),
		"Cause-txt", "Normal Clearing")
}

// Close closes the connection, as a restarting Asterisk does.
func (s *Session) Close() { s.conn.Close() }
