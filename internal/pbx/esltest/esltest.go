// Package esltest is a scripted FreeSWITCH event socket (mod_event_socket,
// inbound mode) for tests: it speaks the protocol over TCP as FreeSWITCH
// does (auth/request, auth and its command/reply, event subscriptions,
// api commands and their api/response, events in the plain format with
// Content-Length framing and URL-encoded values), and plays one script per
// connection, so that a test can follow calls, break the connection, and
// see the client come back.
//
// The events are those FreeSWITCH 1.10 writes, with the headers of its
// channel events (Unique-ID, Call-Direction, Caller-*, Other-Leg-*,
// variable_*) in its order. As FreeSWITCH, the server sends a client only
// the events it subscribed to, and keeps the channels its events create and
// hang up, which "api show channels as json" lists.
package esltest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/pbx/pbxtest"
)

// Server is a scripted event socket on a loopback port.
type Server struct {
	// Addr is the host:port to connect to.
	Addr     string
	password string
	scripts  *pbxtest.Scripts[*Session]
	tb       testing.TB

	mu       sync.Mutex
	commands []string
	channels []*Channel // the channels that exist, oldest first
	seq      int
}

// Session is one connection, authenticated, that a script plays on.
type Session struct {
	srv        *Server
	conn       net.Conn
	r          *bufio.Reader
	tb         testing.TB
	subscribed map[string]bool // the events the client subscribed to
}

// NewServer listens on a loopback port. Each connection that authenticates
// with password plays the next script, then is closed; when the scripts run
// out, connections are held open, answering commands, until the test ends.
// A wrong password gets FreeSWITCH's refusal, and the connection is closed.
func NewServer(tb testing.TB, password string, scripts ...func(*Session)) *Server {
	tb.Helper()
	s := &Server{password: password, scripts: pbxtest.NewScripts(scripts), tb: tb}
	s.Addr = pbxtest.Listen(tb, s.serve)
	return s
}

// Commands returns the commands received, in order (the auth command's
// password included).
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands)
}

// Drop makes channels disappear without a word: they hung up while no
// client was connected, and their events went to nobody.
func (s *Server) Drop(channels ...*Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = slices.DeleteFunc(s.channels, func(c *Channel) bool { return slices.Contains(channels, c) })
}

func (s *Server) serve(conn net.Conn) {
	if _, err := io.WriteString(conn, "Content-Type: auth/request\n\n"); err != nil {
		return
	}
	sess := &Session{srv: s, conn: conn, r: bufio.NewReader(conn), tb: s.tb, subscribed: map[string]bool{}}
	for {
		cmd, err := sess.read()
		if err != nil {
			return
		}
		if !strings.HasPrefix(cmd, "auth ") {
			sess.reply("-ERR command not found")
			continue
		}
		if strings.TrimPrefix(cmd, "auth ") != s.password {
			sess.reply("-ERR invalid")
			sess.disconnect()
			return
		}
		sess.reply("+OK accepted")
		break
	}
	script := s.scripts.Next()
	if script == nil {
		for {
			if _, err := sess.Expect("no such command"); err != nil {
				return
			}
		}
	}
	script(sess)
}

// read reads one command: its first line, up to the empty line that ends
// it.
func (s *Session) read() (string, error) {
	var cmd string
	for first := true; ; first = false {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if first {
				continue
			}
			break
		}
		if first {
			cmd = line
		}
	}
	s.srv.mu.Lock()
	s.srv.commands = append(s.srv.commands, cmd)
	s.srv.mu.Unlock()
	return cmd, nil
}

func (s *Session) write(text string) {
	if _, err := io.WriteString(s.conn, text); err != nil {
		s.tb.Logf("esltest: write: %v", err)
	}
}

// reply writes a command/reply.
func (s *Session) reply(text string) {
	s.write("Content-Type: command/reply\nReply-Text: " + text + "\n\n")
}

// apiResponse writes an api/response.
func (s *Session) apiResponse(body string) {
	s.write(fmt.Sprintf("Content-Type: api/response\nContent-Length: %d\n\n%s", len(body), body))
}

// disconnect writes the notice FreeSWITCH sends before it closes a
// connection.
func (s *Session) disconnect() {
	const notice = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
	s.write(fmt.Sprintf("Content-Type: text/disconnect-notice\nContent-Length: %d\n\n%s", len(notice), notice))
}

// Expect reads the client's commands, answering each as FreeSWITCH does
// (event subscriptions, api status, api show channels as json with the
// channels that exist, anything else refused), until one starts with
// prefix; it returns that command, or the error that ended the connection.
func (s *Session) Expect(prefix string) (string, error) {
	for {
		cmd, err := s.read()
		if err != nil {
			return "", err
		}
		s.answer(cmd)
		if strings.HasPrefix(cmd, prefix) {
			return cmd, nil
		}
	}
}

func (s *Session) answer(cmd string) {
	fields := strings.Fields(cmd)
	switch {
	case len(fields) >= 3 && fields[0] == "event" && fields[1] == "plain":
		for _, name := range fields[2:] {
			s.subscribed[name] = true
		}
		s.reply("+OK event listener enabled plain")
	case cmd == "api status":
		s.apiResponse("UP 0 years, 0 days, 2 hours, 7 minutes, 12 seconds, 40 milliseconds, 3 microseconds\n" +
			"FreeSWITCH (Version 1.10.12 -release 64bit) is ready\n4 session(s) since startup\n" +
			"1 session(s) - peak 2, last 5min 2\n0 session(s) per Sec out of max 30, peak 1, last 5min 1\n" +
			"1000 session(s) max\nmin idle cpu 0.00/98.63\nCurrent Stack Size/Max 240K/8192K\n")
	case cmd == "api show channels as json":
		s.apiResponse(s.srv.showChannels())
	case len(fields) > 0 && fields[0] == "api":
		s.apiResponse("-ERR " + strings.TrimPrefix(cmd, "api ") + " Command not found!\n")
	case cmd == "exit":
		s.reply("+OK bye")
		s.disconnect()
	default:
		s.reply("-ERR command not found")
	}
}

// showChannels answers show channels as json, as mod_commands does.
func (s *Server) showChannels() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.channels) == 0 {
		return "{\"row_count\":0}\n"
	}
	type row struct {
		UUID            string `json:"uuid"`
		Direction       string `json:"direction"`
		Created         string `json:"created"`
		CreatedEpoch    string `json:"created_epoch"`
		Name            string `json:"name"`
		State           string `json:"state"`
		CIDName         string `json:"cid_name"`
		CIDNum          string `json:"cid_num"`
		IPAddr          string `json:"ip_addr"`
		Dest            string `json:"dest"`
		Application     string `json:"application"`
		ApplicationData string `json:"application_data"`
		Dialplan        string `json:"dialplan"`
		Context         string `json:"context"`
		ReadCodec       string `json:"read_codec"`
		ReadRate        string `json:"read_rate"`
		Callstate       string `json:"callstate"`
		CallUUID        string `json:"call_uuid"`
		Hostname        string `json:"hostname"`
	}
	var rows []row
	for _, c := range s.channels {
		state := "RINGING"
		if c.answered {
			state = "ACTIVE"
		}
		rows = append(rows, row{UUID: c.UUID, Direction: c.Direction, Created: "2025-03-03 09:14:07",
			CreatedEpoch: "1741022047", Name: c.Name, State: "CS_EXECUTE", CIDName: c.CallerName, CIDNum: c.Number,
			IPAddr: "203.0.113.5", Dest: c.Destination, Application: "bridge", Dialplan: "XML", Context: c.Context,
			ReadCodec: "PCMA", ReadRate: "8000", Callstate: state, CallUUID: c.callUUID(), Hostname: Hostname})
	}
	b, err := json.Marshal(map[string]any{"row_count": len(rows), "rows": rows})
	if err != nil {
		s.tb.Errorf("esltest: %v", err)
	}
	return string(b) + "\n"
}

// Close closes the connection, as a restarting FreeSWITCH does.
func (s *Session) Close() { s.conn.Close() }

// Hostname and CoreUUID name the FreeSWITCH in the events.
const (
	Hostname = "pbx1"
	CoreUUID = "2f6ed3b4-6c4e-4d5b-8a61-3c8f0f4d2e10"
)

// Channel is one channel (a call leg) as FreeSWITCH's events describe it.
type Channel struct {
	UUID string
	// Name is the Channel-Name: sofia/external/+14155550142@203.0.113.5.
	Name string
	// Direction is inbound (it called FreeSWITCH) or outbound (FreeSWITCH
	// called it).
	Direction string
	// Number and CallerName are the caller id; Username the caller's SIP
	// user; Destination the number dialled; Context the dialplan context.
	Number, CallerName, Username, Destination, Context string
	// Originator is the channel that dialled this one, if any.
	Originator *Channel
	// Vars are the channel's variables, name and value pairs, in order.
	Vars []string

	answered bool
	bridged  *Channel
}

// Set sets channel variables, as the dialplan's set and export do: name and
// value pairs.
func (c *Channel) Set(pairs ...string) { c.Vars = append(c.Vars, pairs...) }

// Transfer sends the channel to another destination of the dialplan, as a
// FusionPBX inbound route does (transfer 9000 XML pbx.example.com).
func (c *Channel) Transfer(dest string) { c.Destination = dest }

func (c *Channel) callUUID() string {
	if c.Originator != nil {
		return c.Originator.UUID
	}
	return c.UUID
}

// Inbound returns the channel of a call from a trunk to the number did, as
// FusionPBX's external SIP profile creates it.
func Inbound(uuid, from, did string) *Channel {
	return &Channel{UUID: uuid, Name: "sofia/external/" + from + "@203.0.113.5", Direction: "inbound",
		Number: from, CallerName: from, Username: from, Destination: did, Context: "public",
		Vars: []string{"sofia_profile_name", "external", "sip_from_user", from, "sip_from_host", "203.0.113.5",
			"sip_req_user", did, "sip_to_user", did, "sip_gateway_name", "trunk", "max_forwards", "69"}}
}

// Phone returns the channel of a call a registered phone (extension ext,
// of domain pbx.example.com) makes to dest, as FusionPBX's internal SIP
// profile creates it.
func Phone(uuid, ext, dest string) *Channel {
	return &Channel{UUID: uuid, Name: "sofia/internal/" + ext + "@pbx.example.com", Direction: "inbound",
		Number: ext, CallerName: "Extension " + ext, Username: ext, Destination: dest, Context: "pbx.example.com",
		Vars: []string{"sofia_profile_name", "internal", "sip_from_user", ext, "sip_req_user", dest,
			"sip_authorized", "true", "sip_auth_username", ext, "number_alias", ext, "user_name", ext,
			"domain_name", "pbx.example.com", "user_context", "pbx.example.com",
			"effective_caller_id_name", "Extension " + ext, "effective_caller_id_number", ext}}
}

// Dial returns the channel c dials (a bridge of the dialplan) to reach
// dest: an extension's phone, a number through the gateway; vars are its
// originate variables (UserVars, RingGroupVars).
func (c *Channel) Dial(uuid, dest string, vars ...string) *Channel {
	name := "sofia/internal/" + dest + "@198.51.100.20:5060"
	if len(dest) > 6 {
		name = "sofia/gateway/trunk/" + dest
	}
	return &Channel{UUID: uuid, Name: name, Direction: "outbound", Number: c.Number, CallerName: c.CallerName,
		Username: c.Username, Destination: dest, Context: c.Context, Originator: c,
		Vars: append([]string{"originator", c.UUID, "originating_leg_uuid", c.UUID, "signal_bond", c.UUID,
			"originate_early_media", "true"}, vars...)}
}

// UserVars are the variables of a leg dialled through the user/ endpoint
// (bridge user/1001@pbx.example.com).
func UserVars(ext string) []string {
	return []string{"dialed_user", ext, "dialed_domain", "pbx.example.com", "presence_id", ext + "@pbx.example.com"}
}

// RingGroupVars are the variables FusionPBX's ring group script gives each
// leg to an extension.
func RingGroupVars(ext string) []string {
	return []string{"sip_invite_domain", "pbx.example.com", "call_direction", "inbound", "confirm", "false",
		"leg_timeout", "30", "leg_delay_start", "0", "dialed_extension", ext, "presence_id", ext + "@pbx.example.com",
		"extension_uuid", "9d5ec2a0-4f0b-4b8e-9d3c-" + fmt.Sprintf("%012s", ext)}
}

// Agent returns the channel mod_callcenter dials to reach agent ext of queue
// (FusionPBX: queue_extension@domain) for the caller member: originated
// without a session, it names the caller in cc_member_session_uuid.
func Agent(uuid, ext, queue string, member *Channel) *Channel {
	return &Channel{UUID: uuid, Name: "sofia/internal/" + ext + "@198.51.100.20:5060", Direction: "outbound",
		Number: member.Number, CallerName: member.CallerName, Username: member.Username, Destination: ext,
		Context: "default",
		Vars: []string{"cc_queue", queue, "cc_member_uuid", "c0ffee00-0000-4000-8000-" + fmt.Sprintf("%012s", ext),
			"cc_member_session_uuid", member.UUID, "cc_member_pre_answer_uuid", "c0ffee00-0000-4000-8000-" +
				fmt.Sprintf("%012s", ext), "cc_agent", "5b0a6c1e-8f2d-4c3a-9e7b-" + fmt.Sprintf("%012s", ext),
			"cc_agent_type", "callback", "cc_side", "agent", "loopback_bowout", "false",
			"ignore_early_media", "true", "dialed_user", ext, "dialed_domain", "pbx.example.com"}}
}

// The events a script writes: each goes to the client only if it
// subscribed to it, but changes the channels that exist either way.

// Create writes CHANNEL_CREATE: the channel exists.
func (s *Session) Create(c *Channel) {
	s.srv.mu.Lock()
	s.srv.channels = append(s.srv.channels, c)
	s.srv.mu.Unlock()
	s.event("CHANNEL_CREATE", c, eventSource{"switch_core_state_machine.c", "switch_core_session_run", 626},
		"CS_INIT", "DOWN", 2, nil, nil)
}

// Answer writes CHANNEL_ANSWER.
func (s *Session) Answer(c *Channel) {
	c.answered = true
	s.event("CHANNEL_ANSWER", c, eventSource{"switch_channel.c", "switch_channel_perform_mark_answered", 3993},
		"CS_EXECUTE", "ACTIVE", 4, nil, nil)
}

// Bridge writes CHANNEL_BRIDGE of a with b, on a, as switch_ivr_bridge does.
func (s *Session) Bridge(a, b *Channel) {
	a.bridged, b.bridged = b, a
	s.event("CHANNEL_BRIDGE", a, eventSource{"switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1501},
		"CS_EXECUTE", "ACTIVE", 4, []string{"Bridge-A-Unique-ID", a.UUID, "Bridge-B-Unique-ID", b.UUID}, b)
}

// Connect writes what a bridge that succeeds makes FreeSWITCH write: the leg
// b it dialled answers, then a (if not yet), and both are bridged.
func (s *Session) Connect(a, b *Channel) {
	s.Answer(b)
	if !a.answered {
		s.Answer(a)
	}
	s.Bridge(a, b)
}

// Hangup writes CHANNEL_HANGUP_COMPLETE with cause (NORMAL_CLEARING,
// LOSE_RACE…): the channel no longer exists.
func (s *Session) Hangup(c *Channel, cause string) {
	s.srv.mu.Lock()
	s.srv.channels = slices.DeleteFunc(s.srv.channels, func(x *Channel) bool { return x == c })
	s.srv.mu.Unlock()
	c.Set("hangup_cause", cause, "hangup_cause_q850", strconv.Itoa(q850[cause]), "sip_hangup_disposition", "recv_bye")
	if c.answered {
		c.Set("billsec", "42", "duration", "47")
	} else {
		c.Set("billsec", "0", "duration", "12")
	}
	s.event("CHANNEL_HANGUP_COMPLETE", c,
		eventSource{"switch_core_state_machine.c", "switch_core_session_reporting_state", 947},
		"CS_REPORTING", "HANGUP", 11, []string{"Hangup-Cause", cause}, c.bridged)
}

// q850 are the Q.850 codes FreeSWITCH gives its causes
// (hangup_cause_q850).
var q850 = map[string]int{"NORMAL_CLEARING": 16, "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19,
	"CALL_REJECTED": 21, "ORIGINATOR_CANCEL": 487, "LOSE_RACE": 502, "UNALLOCATED_NUMBER": 1,
	"NORMAL_TEMPORARY_FAILURE": 41, "ATTENDED_TRANSFER": 800, "BLIND_TRANSFER": 800}

// eventSource is where in FreeSWITCH an event is fired.
type eventSource struct {
	file, function string
	line           int
}

// event writes one event of channel c, with its headers in FreeSWITCH's
// order: the event's, those the firing code adds (extra), the channel's,
// the other leg's (other) and the variables.
func (s *Session) event(name string, c *Channel, src eventSource, state, callState string, stateNumber int,
	extra []string, other *Channel) {
	s.srv.mu.Lock()
	s.srv.seq++
	seq := s.srv.seq
	s.srv.mu.Unlock()
	if !s.subscribed[name] && !s.subscribed["ALL"] {
		return
	}
	at := time.Date(2025, 3, 3, 9, 14, 7, 0, time.UTC).Add(time.Duration(seq) * time.Second)
	h := []string{
		"Event-Name", name,
		"Core-UUID", CoreUUID,
		"FreeSWITCH-Hostname", Hostname,
		"FreeSWITCH-Switchname", Hostname,
		"FreeSWITCH-IPv4", "198.51.100.10",
		"FreeSWITCH-IPv6", "::1",
		"Event-Date-Local", at.Format("2006-01-02 15:04:05"),
		"Event-Date-GMT", at.Format(time.RFC1123),
		"Event-Date-Timestamp", strconv.FormatInt(at.UnixMicro(), 10),
		"Event-Calling-File", src.file,
		"Event-Calling-Function", src.function,
		"Event-Calling-Line-Number", strconv.Itoa(src.line),
		"Event-Sequence", strconv.Itoa(4000 + seq),
	}
	h = append(h, extra...)
	answer := "ringing"
	switch {
	case callState == "HANGUP":
		answer = "hangup"
	case c.answered:
		answer = "answered"
	}
	h = append(h,
		"Channel-State", state,
		"Channel-Call-State", callState,
		"Channel-State-Number", strconv.Itoa(stateNumber),
		"Channel-Name", c.Name,
		"Unique-ID", c.UUID,
		"Call-Direction", c.Direction,
		"Presence-Call-Direction", c.Direction,
		"Channel-HIT-Dialplan", strconv.FormatBool(c.Originator == nil),
		"Channel-Call-UUID", c.callUUID(),
		"Answer-State", answer,
		"Channel-Read-Codec-Name", "PCMA",
		"Channel-Read-Codec-Rate", "8000",
		"Channel-Read-Codec-Bit-Rate", "64000",
		"Channel-Write-Codec-Name", "PCMA",
		"Channel-Write-Codec-Rate", "8000",
		"Channel-Write-Codec-Bit-Rate", "64000",
	)
	h = append(h, profile("Caller", c, at)...)
	switch {
	case other != nil:
		h = append(h, "Other-Type", "originatee")
		h = append(h, profile("Other-Leg", other, at)...)
	case c.Originator != nil:
		h = append(h, "Other-Type", "originator")
		h = append(h, profile("Other-Leg", c.Originator, at)...)
	}
	h = append(h, "variable_direction", c.Direction, "variable_uuid", c.UUID, "variable_session_id", "17",
		"variable_channel_name", c.Name, "variable_call_uuid", c.callUUID())
	for i := 0; i+1 < len(c.Vars); i += 2 {
		h = append(h, "variable_"+c.Vars[i], c.Vars[i+1])
	}
	var body strings.Builder
	for i := 0; i+1 < len(h); i += 2 {
		body.WriteString(h[i] + ": " + Encode(h[i+1]) + "\n")
	}
	body.WriteString("\n")
	s.write(fmt.Sprintf("Content-Length: %d\nContent-Type: text/event-plain\n\n%s", body.Len(), body.String()))
}

// profile returns the caller profile headers of c under prefix (Caller,
// Other-Leg).
func profile(prefix string, c *Channel, at time.Time) []string {
	created := strconv.FormatInt(at.Add(-time.Minute).UnixMicro(), 10)
	answered := "0"
	if c.answered {
		answered = strconv.FormatInt(at.UnixMicro(), 10)
	}
	return []string{
		prefix + "-Direction", c.Direction,
		prefix + "-Logical-Direction", c.Direction,
		prefix + "-Username", c.Username,
		prefix + "-Dialplan", "XML",
		prefix + "-Caller-ID-Name", c.CallerName,
		prefix + "-Caller-ID-Number", c.Number,
		prefix + "-Orig-Caller-ID-Name", c.CallerName,
		prefix + "-Orig-Caller-ID-Number", c.Number,
		prefix + "-Network-Addr", "203.0.113.5",
		prefix + "-ANI", c.Number,
		prefix + "-Destination-Number", c.Destination,
		prefix + "-Unique-ID", c.UUID,
		prefix + "-Source", "mod_sofia",
		prefix + "-Context", c.Context,
		prefix + "-Channel-Name", c.Name,
		prefix + "-Profile-Index", "1",
		prefix + "-Profile-Created-Time", created,
		prefix + "-Channel-Created-Time", created,
		prefix + "-Channel-Answered-Time", answered,
		prefix + "-Channel-Progress-Time", "0",
		prefix + "-Channel-Progress-Media-Time", "0",
		prefix + "-Channel-Hangup-Time", "0",
		prefix + "-Channel-Transfer-Time", "0",
		prefix + "-Channel-Resurrect-Time", "0",
		prefix + "-Channel-Bridged-Time", "0",
		prefix + "-Channel-Last-Hold", "0",
		prefix + "-Channel-Hold-Accum", "0",
		prefix + "-Screen-Bit", "true",
		prefix + "-Privacy-Hide-Name", "false",
		prefix + "-Privacy-Hide-Number", "false",
	}
}

// urlUnsafe are the characters FreeSWITCH's switch_url_encode escapes,
// besides control characters and bytes outside ASCII.
const urlUnsafe = " \"#%&+:;<=>?@[\\]^`{|}"

// Encode URL-encodes a header value as FreeSWITCH does in the plain format:
// a space is %20, a + %2B, a : %3A; a comma, a slash or parentheses are
// left as they are.
func Encode(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch < ' ' || ch > '~' || strings.IndexByte(urlUnsafe, ch) >= 0 {
			fmt.Fprintf(&b, "%%%02X", ch)
		} else {
			b.WriteByte(ch)
		}
	}
	return b.String()
}
