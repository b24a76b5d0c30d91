package pbx

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ctidesk/ctidesk/internal/cti"
)

// The FreeSWITCH adapter: it connects to FreeSWITCH's event socket
// (mod_event_socket, port 8021; docs/integrations/freeswitch.md), follows
// the channel events, and turns each call into ctidesk's events. A call is
// its first channel (the A-leg: Call-Direction inbound, dialled by nobody
// FreeSWITCH follows), and its id that channel's Unique-ID; the channels
// FreeSWITCH dials for it (B-legs) name it as their originator, or, for
// mod_callcenter's agents, in cc_member_session_uuid.
//
//   - CHANNEL_CREATE of a first channel: newCall, inbound when FusionPBX's
//     call_direction says so, or else when its context is an inbound one
//     (public by default), else outbound with the calling user as user;
//   - CHANNEL_CREATE of a leg of an inbound call: newCall again, with the
//     extension dialled as user (the call rings for him), and the queue
//     (mod_callcenter's cc_queue) if the leg says it;
//   - CHANNEL_BRIDGE of the first channel with another: answer, by that
//     channel's extension (a later one is a transfer). The answer of an
//     inbound call's first channel is the PBX's (a menu, a queue,
//     voicemail), and that of an agent's leg may be followed by a prompt
//     ("press 1 to accept"): only the bridge says who took the call. An
//     outbound call is answered when the leg it dialled answers;
//   - CHANNEL_HANGUP_COMPLETE of the first channel: hangup, with its cause.
//     That of another leg ends nothing: a ring-group leg that lost the race
//     (LOSE_RACE) or was cancelled (ORIGINATOR_CANCEL) leaves the call as
//     it is.
//
// After each connection the adapter asks which channels exist (api show
// channels as json) and ends the calls it followed whose first channel is
// gone (see callTable.reconcile).

// eslEvents is the event subscription of the adapter.
const eslEvents = "event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE"

// DefaultESLInboundContexts are the dialplan contexts whose new channels are
// inbound calls: that of FreeSWITCH's and FusionPBX's external SIP profile.
var DefaultESLInboundContexts = []string{"public"}

// ESLTranslator turns FreeSWITCH's channel events into call events. It
// remembers the calls in progress; it is not safe for concurrent use.
type ESLTranslator struct {
	// Inbound lists the contexts whose new channels are inbound calls when
	// the channel has no call_direction; nil is DefaultESLInboundContexts.
	Inbound []string
	CallTracker
}

// Translate returns the call events a FreeSWITCH event (ParseESLEvent)
// stands for, none for most.
func (t *ESLTranslator) Translate(m Message) []*cti.Event {
	calls := t.calls()
	uid := m.Get("Unique-ID")
	switch m.Get("Event-Name") {
	case "CHANNEL_CREATE":
		return t.create(m, uid)
	case "CHANNEL_ANSWER":
		c := calls.ofLeg(uid)
		if c == nil || c.inbound || uid == c.id || c.answered != "" {
			return nil
		}
		c.answered = "yes" // the number an outbound call dialled answered
		return []*cti.Event{c.event(cti.EventAnswer)}
	case "CHANNEL_BRIDGE":
		a, b := m.Get("Bridge-A-Unique-ID"), m.Get("Bridge-B-Unique-ID")
		c, other := calls.get(a), b
		if c == nil {
			c, other = calls.get(b), a
		}
		if c == nil {
			return nil // two legs between themselves (a loopback's halves)
		}
		if c.queue == "" {
			c.queue = eslQueue(m, m.Get("Unique-ID") == c.id)
		}
		if !c.inbound {
			if c.answered != "" {
				return nil
			}
			c.answered = "yes"
			return []*cti.Event{c.event(cti.EventAnswer)}
		}
		ext := calls.legExtension(other)
		if ext == "" && m.Get("Other-Leg-Unique-ID") == other {
			ext = userPart(m.Get("Other-Leg-Destination-Number"))
		}
		if ext == "" || ext == c.answered {
			return nil
		}
		c.answered = ext
		ev := c.event(cti.EventAnswer)
		ev.AnsweringNumber = ext
		return []*cti.Event{ev}
	case "CHANNEL_HANGUP_COMPLETE":
		c := calls.get(uid)
		if c == nil {
			calls.dropLeg(uid) // a leg: the call goes on, or another leg took it
			return nil
		}
		calls.remove(c)
		if c.queue == "" {
			c.queue = eslQueue(m, true)
		}
		ev := c.event(cti.EventHangup)
		ev.Cause = eslHangupCause(m, c.answered != "")
		return []*cti.Event{ev}
	}
	return nil
}

// create handles a new channel: a leg of a call followed, or a new call.
func (t *ESLTranslator) create(m Message, uid string) []*cti.Event {
	calls := t.calls()
	if c := t.parent(m, uid); c != nil {
		ext := legExtension(m)
		calls.addLeg(c, uid, ext)
		queued := false
		if q := eslQueue(m, false); c.queue == "" && q != "" {
			c.queue, queued = q, true
		}
		if !c.inbound || (ext == "" && !queued) {
			return nil // outbound: the number called is dialled
		}
		ev := c.event(cti.EventNewCall)
		if ext != "" {
			ev.User = []string{ext}
		}
		return []*cti.Event{ev}
	}
	if !strings.EqualFold(m.Get("Call-Direction"), "inbound") || calls.get(uid) != nil ||
		strings.HasPrefix(m.Get("Channel-Name"), "loopback/") {
		// A channel FreeSWITCH dialled for no call followed (an
		// originate), or the inner half of a loopback: not a call.
		return nil
	}
	c := &call{id: uid, inbound: t.isInbound(m), from: m.Get("Caller-Caller-ID-Number"),
		to: m.Get("Caller-Destination-Number"), queue: eslQueue(m, true)}
	if !c.inbound {
		c.agent = firstOf(m.Get("variable_user_name"), m.Get("Caller-Username"), c.from)
		if c.from == "" {
			c.from = c.agent
		}
	}
	calls.add(c)
	return []*cti.Event{c.event(cti.EventNewCall)}
}

// parent returns the call followed that a new channel was dialled for: the
// channel that originated it (the bridge of a dialplan), the caller a
// mod_callcenter agent is called for, the other half of a loopback.
func (t *ESLTranslator) parent(m Message, uid string) *call {
	for _, k := range []string{"variable_cc_member_session_uuid", "variable_originating_leg_uuid",
		"variable_other_loopback_leg_uuid", "Channel-Call-UUID"} {
		if id := m.Get(k); id != "" && id != uid {
			if c := t.calls().ofLeg(id); c != nil {
				return c
			}
		}
	}
	if strings.EqualFold(m.Get("Other-Type"), "originator") {
		return t.calls().ofLeg(m.Get("Other-Leg-Unique-ID"))
	}
	return nil
}

func (t *ESLTranslator) isInbound(m Message) bool {
	switch strings.ToLower(m.Get("variable_call_direction")) {
	case "inbound":
		return true
	case "outbound", "local":
		return false
	}
	contexts := t.Inbound
	if contexts == nil {
		contexts = DefaultESLInboundContexts
	}
	return slices.Contains(contexts, m.Get("Caller-Context"))
}

// legExtension returns the extension a leg dials: FusionPBX's
// dialed_extension, the user/ endpoint's dialed_user, else the user part of
// the destination.
func legExtension(m Message) string {
	return firstOf(m.Get("variable_dialed_extension"), m.Get("variable_dialed_user"),
		userPart(m.Get("Caller-Destination-Number")))
}

// legExtension returns the extension of a leg of a call followed, "" for an
// unknown leg.
func (t *callTable) legExtension(leg string) string {
	if c := t.legs[leg]; c != nil {
		return c.legs[leg]
	}
	return ""
}

// eslQueue returns the queue an event names: mod_callcenter's cc_queue
// (FusionPBX names its queues extension@domain: the extension), or, on the
// call's first channel, the destination a FusionPBX ring group was reached
// by (its extension) when ring_group_uuid says one runs.
func eslQueue(m Message, first bool) string {
	if q := m.Get("variable_cc_queue"); q != "" {
		q, _, _ = strings.Cut(q, "@")
		return q
	}
	if first && m.Get("variable_ring_group_uuid") != "" {
		return m.Get("Caller-Destination-Number")
	}
	return ""
}

// eslCauseCodes are FreeSWITCH's hangup causes with the Q.850 code that
// means the same to a caller (hangupCause): the Q.850 causes under their
// names, and FreeSWITCH's own.
var eslCauseCodes = map[string]int{
	"UNALLOCATED_NUMBER": 1, "NO_ROUTE_DESTINATION": 3, "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19,
	"SUBSCRIBER_ABSENT": 3, "CALL_REJECTED": 21, "INVALID_NUMBER_FORMAT": 28, "NORMAL_CIRCUIT_CONGESTION": 34,
	"NETWORK_OUT_OF_ORDER": 38, "NORMAL_TEMPORARY_FAILURE": 41, "SWITCH_CONGESTION": 42,
	"USER_NOT_REGISTERED": 3, "ALLOTTED_TIMEOUT": 19, "PROGRESS_TIMEOUT": 19, "RECOVERY_ON_TIMER_EXPIRE": 19,
}

// eslHangupCause returns Zammad's cause of the hangup of a call's first
// channel. A call nobody answered that ends with normal clearing (the
// caller gave up, or hung up on voicemail) takes the cause of the dial
// that failed before (originate_disposition: NO_ANSWER, USER_BUSY…).
func eslHangupCause(m Message, answered bool) string {
	name := firstOf(m.Get("Hangup-Cause"), m.Get("variable_hangup_cause"))
	if d := m.Get("variable_originate_disposition"); !answered && name == "NORMAL_CLEARING" && eslCauseCodes[d] != 0 {
		name = d
	}
	switch name {
	case "ATTENDED_TRANSFER", "BLIND_TRANSFER", "DEFLECTION":
		return cti.CauseForwarded
	}
	return hangupCause(eslCauseCodes[name], answered)
}

// userPart returns the user of a SIP address ("sip:1001@host" gives 1001),
// or the value itself.
func userPart(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "sips:"), "sip:")
	user, _, _ := strings.Cut(s, "@")
	return user
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// FreeSWITCH follows a FreeSWITCH's event socket and posts its calls. Its
// Connection's Addr is the event socket's host:port (port 8021 by default);
// its pings are api status commands.
type FreeSWITCH struct {
	Connection
	// Password is event_socket.conf.xml's password.
	Password string
	// Inbound lists the contexts of inbound calls; nil is
	// DefaultESLInboundContexts.
	Inbound []string
}

// Run follows the event socket until ctx ends (it then returns nil) or the
// password is refused; a broken connection is opened again after a
// back-off.
func (f *FreeSWITCH) Run(ctx context.Context) error {
	tr := &ESLTranslator{Inbound: f.Inbound}
	return f.follow(ctx, "freeswitch event socket", func(l *link) (bool, error) { return f.session(ctx, l, tr) })
}

// session authenticates, subscribes and posts the calls until the
// connection breaks; it reports whether the password was accepted.
func (f *FreeSWITCH) session(ctx context.Context, l *link, tr *ESLTranslator) (bool, error) {
	log := f.log()
	r := bufio.NewReaderSize(l.conn, maxESLLine)
	l.readDeadline()
	hello, err := ReadESLFrame(r)
	if err != nil {
		return false, fmt.Errorf("esl: read the greeting: %w", err)
	}
	if hello.Header.Get("Content-Type") != "auth/request" {
		return false, fmt.Errorf("esl: %s does not speak the event socket protocol", f.Addr)
	}
	if reply, err := eslReply(l, r, "auth "+f.Password); err != nil {
		return false, err
	} else if !strings.HasPrefix(reply, "+OK") {
		return false, fmt.Errorf("esl: %w: %s", ErrLogin, reply)
	}
	if reply, err := eslReply(l, r, eslEvents); err != nil {
		return true, err
	} else if !strings.HasPrefix(reply, "+OK") {
		return true, fmt.Errorf("esl: subscribe to the channel events: %s", reply)
	}
	log.Info("connected to the freeswitch event socket", "addr", f.Addr)

	// The answers to api commands come in the order of the commands; the
	// pings' and the channels' are told apart by that order.
	var mu sync.Mutex
	var pending []string
	api := func(cmd string) error {
		mu.Lock()
		defer mu.Unlock()
		pending = append(pending, cmd)
		return l.write(eslCommand("api " + cmd))
	}
	l.every(func(int) error { return api("status") })
	// The calls followed before this connection may have ended while it was
	// down: ask which channels exist.
	before := tr.Calls()
	if err := api(eslChannels); err != nil {
		return true, err
	}
	for {
		l.readDeadline()
		fr, err := ReadESLFrame(r)
		if err != nil {
			return true, err
		}
		var evs []*cti.Event
		switch fr.Header.Get("Content-Type") {
		case "text/event-plain":
			evs = tr.Translate(ParseESLEvent(fr.Body))
		case "api/response":
			mu.Lock()
			var cmd string
			if len(pending) > 0 {
				cmd, pending = pending[0], pending[1:]
			}
			mu.Unlock()
			if cmd != eslChannels {
				continue
			}
			exists, err := parseChannels(fr.Body)
			if err != nil {
				log.Warn("freeswitch does not say which channels exist: calls whose hangup was lost while "+
					"disconnected stay in progress", "err", err)
				continue
			}
			if evs = tr.Reconcile(before, exists); len(evs) > 0 {
				log.Info("ended the calls that ended while disconnected", "calls", len(evs))
			}
		case "text/disconnect-notice":
			return true, fmt.Errorf("esl: freeswitch ended the connection: %s", strings.TrimSpace(string(fr.Body)))
		}
		if err := f.post(ctx, evs); err != nil {
			return true, err
		}
	}
}

// eslChannels is the api command that lists the channels.
const eslChannels = "show channels as json"

// eslReply writes a command and returns FreeSWITCH's Reply-Text; it is used
// before the events start.
func eslReply(l *link, r *bufio.Reader, cmd string) (string, error) {
	if err := l.write(eslCommand(cmd)); err != nil {
		return "", fmt.Errorf("esl: %w", err)
	}
	for {
		fr, err := ReadESLFrame(r)
		if err != nil {
			return "", fmt.Errorf("esl: %w", err)
		}
		switch fr.Header.Get("Content-Type") {
		case "command/reply":
			return fr.Header.Get("Reply-Text"), nil
		case "text/disconnect-notice":
			return "", errors.New("esl: freeswitch ended the connection")
		}
	}
}

// parseChannels reads the answer to show channels as json: the Unique-IDs
// of the channels that exist.
func parseChannels(body []byte) (map[string]bool, error) {
	var list struct {
		RowCount *int `json:"row_count"`
		Rows     []struct {
			UUID string `json:"uuid"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(body, &list); err != nil || list.RowCount == nil {
		return nil, fmt.Errorf("show channels: %.80q", body)
	}
	exists := map[string]bool{}
	for _, r := range list.Rows {
		exists[r.UUID] = true
	}
	return exists, nil
}
