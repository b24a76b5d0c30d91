// Package amitest is a scripted Asterisk Manager Interface server for tests:
// it speaks the protocol over TCP as Asterisk does (the banner, the Login
// action and its response, events as "Key: Value" blocks), and plays one
// script per connection, so that a test can follow a call, break the
// connection, and see the client come back. Asterisk is not packaged in
// Debian 12; this is what the adapter's tests talk to.
//
// As Asterisk, it sends a client only the events of the classes both its
// user may read (manager.conf's read) and its Login asked for (Events), and
// answers only the actions its user may write: a client that subscribes to
// too little misses events here as it would on a real PBX. It also keeps the
// channels its events create and hang up, which CoreShowChannels lists.
package amitest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ctidesk/ctidesk/internal/pbx"
	"github.com/ctidesk/ctidesk/internal/pbx/pbxtest"
)

// Banner is what Asterisk 20 writes when a client connects.
const Banner = "Asterisk Call Manager/9.0.0\r\n"

// User is the manager user the server accepts: a [user] section of
// manager.conf.
type User struct {
	Name, Secret string
	// Read and Write are its permissions: classes, comma-separated, as
	// manager.conf's read and write ("call,agent", "reporting", "all").
	Read, Write string
}

// Server is a scripted manager interface on a loopback port.
type Server struct {
	// Addr is the host:port to connect to.
	Addr    string
	user    User
	scripts *pbxtest.Scripts[*Session]
	tb      testing.TB

	mu       sync.Mutex
	logins   []pbx.Message
	channels []pbx.Message // the channels that exist, oldest first
}

// Session is one connection, logged in, that a script plays on.
type Session struct {
	srv     *Server
	conn    net.Conn
	r       *bufio.Reader
	tb      testing.TB
	classes map[string]bool // the event classes the client receives
}

// NewServer listens on a loopback port. Each connection that logs in as user
// plays the next script, then is closed; when the scripts run out,
// connections are logged in and then held open, answering actions, until
// the test ends. A wrong secret gets Asterisk's error response.
func NewServer(tb testing.TB, user User, scripts ...func(*Session)) *Server {
	tb.Helper()
	s := &Server{user: user, scripts: pbxtest.NewScripts(scripts), tb: tb}
	s.Addr = pbxtest.Listen(tb, s.serve)
	return s
}

// Logins returns the Login actions received, in order.
func (s *Server) Logins() []pbx.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pbx.Message(nil), s.logins...)
}

// Drop makes the channels of the call linkedid disappear without a word: the
// call ended while no client was connected, and its Hangup events went to
// nobody.
func (s *Server) Drop(linkedid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = slices.DeleteFunc(s.channels, func(c pbx.Message) bool { return c.Get("Linkedid") == linkedid })
}

func (s *Server) serve(conn net.Conn) {
	if _, err := io.WriteString(conn, Banner); err != nil {
		return
	}
	r := bufio.NewReader(conn)
	var classes map[string]bool
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
		if m.Get("Username") != s.user.Name || m.Get("Secret") != s.user.Secret {
			fmt.Fprintf(conn, "Response: Error\r\nActionID: %s\r\nMessage: Authentication failed\r\n\r\n", m.Get("ActionID"))
			return // Asterisk closes the connection after a failed login
		}
		classes = receives(s.user.Read, m.Get("Events"))
		fmt.Fprintf(conn, "Response: Success\r\nActionID: %s\r\nMessage: Authentication accepted\r\n\r\n", m.Get("ActionID"))
		break
	}
	sess := &Session{srv: s, conn: conn, r: r, tb: s.tb, classes: classes}
	sess.Event("FullyBooted", "Uptime", "120", "LastReload", "120", "Status", "Fully Booted")
	script := s.scripts.Next()
	if script == nil {
		// Answer actions until the test ends.
		for {
			if _, err := sess.Expect("NoSuchAction"); err != nil {
				return
			}
		}
	}
	script(sess)
}

// classes splits a permission list ("call,agent") into its classes.
func classes(list string) map[string]bool {
	set := map[string]bool{}
	for c := range strings.SplitSeq(list, ",") {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
			set[c] = true
		}
	}
	return set
}

// receives returns the event classes a client receives, as Asterisk decides
// them: those its user may read (read) that its Login's Events asked for
// (none: all; on/yes: all; off/no: none; or a list of classes).
func receives(read, events string) map[string]bool {
	may := classes(read)
	var asked map[string]bool
	switch strings.ToLower(strings.TrimSpace(events)) {
	case "", "on", "yes", "true", "y", "t", "1":
		asked = map[string]bool{"all": true}
	case "off", "no", "false", "n", "f", "0":
		asked = map[string]bool{}
	default:
		asked = classes(events)
	}
	out := map[string]bool{}
	for _, c := range allClasses {
		if (may["all"] || may[c]) && (asked["all"] || asked[c]) {
			out[c] = true
		}
	}
	return out
}

// allClasses are Asterisk's permission classes (manager.c's perms).
var allClasses = []string{"system", "call", "log", "verbose", "command", "agent", "user", "config", "dtmf",
	"reporting", "cdr", "dialplan", "originate", "agi", "cc", "aoc", "test", "security", "message"}

// eventClasses are the classes of the events that are not of the call class.
var eventClasses = map[string]string{
	"FullyBooted":        "system",
	"QueueCallerJoin":    "agent",
	"QueueCallerLeave":   "agent",
	"QueueCallerAbandon": "agent",
	"AgentCalled":        "agent",
	"AgentConnect":       "agent",
	"AgentComplete":      "agent",
	"AgentRingNoAnswer":  "agent",
	"QueueMemberStatus":  "agent",
}

// Event writes one event, with its name and key, value pairs, as Asterisk
// writes them (Privilege after Event): only if the client receives its class.
// A Newchannel creates a channel, a Hangup ends it, whether the client hears
// of it or not.
func (s *Session) Event(name string, pairs ...string) {
	m := pbx.Message{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[strings.ToLower(pairs[i])] = pairs[i+1]
	}
	s.srv.mu.Lock()
	switch name {
	case "Newchannel":
		s.srv.channels = append(s.srv.channels, m)
	case "Hangup":
		s.srv.channels = slices.DeleteFunc(s.srv.channels, func(c pbx.Message) bool { return c.Get("Uniqueid") == m.Get("Uniqueid") })
	}
	s.srv.mu.Unlock()
	class := eventClasses[name]
	if class == "" {
		class = "call"
	}
	if !s.classes[class] {
		return
	}
	var b strings.Builder
	b.WriteString("Event: " + name + "\r\nPrivilege: " + class + ",all\r\n")
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString(pairs[i] + ": " + pairs[i+1] + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(s.conn, b.String()); err != nil {
		s.tb.Errorf("amitest: write %s: %v", name, err)
	}
}

// Expect reads the client's actions, answering each as Asterisk does (Ping
// with Pong, CoreShowChannels with the channels that exist, an action the
// user may not write with an error), until one is action; it returns that
// action, or the error that ended the connection.
func (s *Session) Expect(action string) (pbx.Message, error) {
	for {
		m, err := pbx.ReadMessage(s.r)
		if err != nil {
			return nil, err
		}
		s.answer(m)
		if strings.EqualFold(m.Get("Action"), action) {
			return m, nil
		}
	}
}

func (s *Session) answer(m pbx.Message) {
	id := m.Get("ActionID")
	switch {
	case strings.EqualFold(m.Get("Action"), "Ping"):
		fmt.Fprintf(s.conn, "Response: Success\r\nActionID: %s\r\nPing: Pong\r\nTimestamp: 1700000000.000000\r\n\r\n", id)
	case strings.EqualFold(m.Get("Action"), "CoreShowChannels"):
		// Asterisk registers CoreShowChannels with the system and
		// reporting classes: either write permission allows it.
		write := classes(s.srv.user.Write)
		if !write["all"] && !write["system"] && !write["reporting"] {
			fmt.Fprintf(s.conn, "Response: Error\r\nActionID: %s\r\nMessage: Permission denied\r\n\r\n", id)
			return
		}
		s.srv.mu.Lock()
		channels := slices.Clone(s.srv.channels)
		s.srv.mu.Unlock()
		var b strings.Builder
		fmt.Fprintf(&b, "Response: Success\r\nActionID: %s\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n", id)
		for _, c := range channels {
			fmt.Fprintf(&b, "Event: CoreShowChannel\r\nActionID: %s\r\nChannel: %s\r\nChannelState: 6\r\n"+
				"ChannelStateDesc: Up\r\nCallerIDNum: %s\r\nCallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\n"+
				"ConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\nContext: %s\r\nExten: %s\r\n"+
				"Priority: 1\r\nUniqueid: %s\r\nLinkedid: %s\r\nBridgeId: \r\nApplication: Dial\r\nApplicationData: \r\n"+
				"Duration: 00:00:42\r\n\r\n", id, c.Get("Channel"), c.Get("CallerIDNum"), c.Get("Context"), c.Get("Exten"),
				c.Get("Uniqueid"), c.Get("Linkedid"))
		}
		fmt.Fprintf(&b, "Event: CoreShowChannelsComplete\r\nActionID: %s\r\nEventList: Complete\r\nListItems: %d\r\n\r\n",
			id, len(channels))
		io.WriteString(s.conn, b.String())
	default:
		fmt.Fprintf(s.conn, "Response: Success\r\nActionID: %s\r\n\r\n", id)
	}
}

// The channels of the calls the helpers below write: id is the Linkedid
// (and the trunk channel's Uniqueid), agent the extension dialled.
func trunk(id string) string        { return "PJSIP/trunk-" + id }
func phone(id, agent string) string { return "PJSIP/" + agent + "-" + id }
func dest(id, agent string) string  { return id + "." + agent }

// Ring writes the start of an inbound call, as Asterisk 20 with PJSIP writes
// it: the trunk's channel, then the agent's phone dialled and ringing. from
// is the caller's number, did the number called.
func (s *Session) Ring(id, from, did, agent string) {
	s.Event("Newchannel", "Channel", trunk(id), "ChannelState", "0", "ChannelStateDesc", "Down", "CallerIDNum", from,
		"CallerIDName", "<unknown>", "ConnectedLineNum", "<unknown>", "Language", "en", "AccountCode", "",
		"Context", "from-external", "Exten", did, "Priority", "1", "Uniqueid", id, "Linkedid", id)
	s.Dial(id, from, did, agent)
}

// Dial writes the agent's phone dialled for the call id.
func (s *Session) Dial(id, from, did, agent string) {
	s.Event("Newchannel", "Channel", phone(id, agent), "ChannelState", "0", "ChannelStateDesc", "Down",
		"CallerIDNum", agent, "CallerIDName", "<unknown>", "Context", "from-internal", "Exten", "s",
		"Uniqueid", dest(id, agent), "Linkedid", id)
	s.Event("DialBegin", "Channel", trunk(id), "ChannelState", "4", "CallerIDNum", from, "Context", "from-external",
		"Exten", did, "Uniqueid", id, "Linkedid", id, "DestChannel", phone(id, agent), "DestChannelState", "0",
		"DestCallerIDNum", agent, "DestContext", "from-internal", "DestExten", did, "DestUniqueid", dest(id, agent),
		"DestLinkedid", id, "DialString", agent)
}

// Join writes the call id joining queue, as app_queue writes it (an event of
// the agent class).
func (s *Session) Join(id, from, did, queue string) {
	s.Event("QueueCallerJoin", "Channel", trunk(id), "ChannelState", "6", "ChannelStateDesc", "Up",
		"CallerIDNum", from, "CallerIDName", "<unknown>", "ConnectedLineNum", "<unknown>", "Context", "from-external",
		"Exten", did, "Priority", "3", "Uniqueid", id, "Linkedid", id, "Queue", queue, "Position", "1", "Count", "1")
}

// Answer writes the agent answering the call id: the end of the dial, and
// both channels bridged.
func (s *Session) Answer(id, from, agent string) {
	s.Event("DialEnd", "Channel", trunk(id), "Uniqueid", id, "Linkedid", id, "DestChannel", phone(id, agent),
		"DestUniqueid", dest(id, agent), "DialStatus", "ANSWER")
	bridge := "b-" + id
	s.Event("BridgeCreate", "BridgeUniqueid", bridge, "BridgeType", "basic")
	s.Event("BridgeEnter", "BridgeUniqueid", bridge, "Channel", trunk(id), "CallerIDNum", from, "Uniqueid", id,
		"Linkedid", id)
	s.Event("BridgeEnter", "BridgeUniqueid", bridge, "Channel", phone(id, agent), "CallerIDNum", agent,
		"Uniqueid", dest(id, agent), "Linkedid", id)
}

// Hangup writes the end of the call id: the agent's phone, then the trunk,
// with the Q.850 cause.
func (s *Session) Hangup(id, agent string, cause int) {
	s.Event("Hangup", "Channel", phone(id, agent), "Uniqueid", dest(id, agent), "Linkedid", id, "Cause", "16",
		"Cause-txt", "Normal Clearing")
	s.Event("Hangup", "Channel", trunk(id), "Uniqueid", id, "Linkedid", id, "Cause", fmt.Sprint(cause),
		"Cause-txt", "Normal Clearing")
}

// Call writes the events of one whole inbound call: rung, answered or not,
// hung up.
func (s *Session) Call(id, from, did, agent string, answered bool, cause int) {
	s.Ring(id, from, did, agent)
	if answered {
		s.Answer(id, from, agent)
		s.Event("BridgeLeave", "BridgeUniqueid", "b-"+id, "Channel", trunk(id), "Uniqueid", id, "Linkedid", id)
	} else {
		s.Event("DialEnd", "Channel", trunk(id), "Uniqueid", id, "Linkedid", id, "DestChannel", phone(id, agent),
			"DestUniqueid", dest(id, agent), "DialStatus", "CANCEL")
	}
	s.Hangup(id, agent, cause)
}

// Close closes the connection, as a restarting Asterisk does.
func (s *Session) Close() { s.conn.Close() }
