package pbx

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
)

// The Asterisk Manager Interface (AMI) adapter: it logs in to Asterisk's
// manager port (docs/integrations/asterisk.md), follows the channel events
// of Asterisk 12 and later, and turns each call into ctidesk's events:
//
//   - Newchannel of a call's first channel (Uniqueid = Linkedid): newCall,
//     inbound when the channel's context is an inbound one (from-external,
//     from-trunk, from-pstn, from-did by default), else outbound with the
//     calling extension as user;
//   - DialBegin to an agent's channel: newCall again, with that extension as
//     user (the call rings for him); QueueCallerJoin: newCall with the queue;
//   - BridgeEnter of another channel than the first: answer, by that
//     channel's extension (a later one is a transfer);
//   - Hangup of the first channel: hangup, with the Q.850 cause.
//
// The call id is the Linkedid, the same in every event of a call. The
// adapter logs in with Events: call,agent: QueueCallerJoin is of the agent
// class, and Asterisk sends a client only the events of the classes it asked
// for and may read. After each login it asks which channels exist
// (CoreShowChannels) and ends the calls it followed whose first channel is
// gone (see callTable.reconcile). A connection that breaks is opened again
// after a back-off; an event ctidesk cannot take is posted again a few times
// (see postAll).

// amiEvents are the event classes the adapter logs in for: call (channels,
// dials, bridges, hangups) and agent (the queues).
const amiEvents = "call,agent"

// amiChannelsID is the ActionID of the CoreShowChannels action a session
// starts with.
const amiChannelsID = "channels"

// DefaultInboundContexts are the dialplan contexts whose new channels are
// inbound calls: those of FreePBX and of Asterisk's sample configuration.
var DefaultInboundContexts = []string{"from-external", "from-trunk", "from-pstn", "from-did"}

// Translator turns AMI events into call events. It remembers the calls in
// progress; it is not safe for concurrent use.
type Translator struct {
	// Inbound lists the contexts whose new channels are inbound calls; nil
	// is DefaultInboundContexts.
	Inbound []string
	CallTracker
}

func (t *Translator) isInbound(context string) bool {
	contexts := t.Inbound
	if contexts == nil {
		contexts = DefaultInboundContexts
	}
	return slices.Contains(contexts, context)
}

// Translate returns the call events an AMI event stands for, none for most.
func (t *Translator) Translate(m Message) []*cti.Event {
	calls := t.calls()
	uid, lid := m.Get("Uniqueid"), m.Get("Linkedid")
	if lid == "" {
		lid = uid
	}
	c := calls.get(lid)
	switch m.Get("Event") {
	case "Newchannel":
		if uid == "" || uid != lid || c != nil {
			return nil // another channel of a call: its DialBegin tells more
		}
		c = &call{id: lid, inbound: t.isInbound(m.Get("Context")), from: number(m.Get("CallerIDNum")), to: m.Get("Exten")}
		if !c.inbound {
			c.agent = channelExtension(m.Get("Channel"))
			if c.agent == "" {
				c.agent = c.from
			}
		}
		calls.add(c)
		return []*cti.Event{c.event(cti.EventNewCall)}
	case "DialBegin":
		if c == nil {
			if c = calls.get(m.Get("DestLinkedid")); c == nil {
				return nil
			}
		}
		ext := channelExtension(m.Get("DestChannel"))
		if ext == "" {
			ext = m.Get("DestCallerIDNum")
		}
		if ext == "" || !c.inbound {
			return nil // outbound: the trunk is dialled
		}
		calls.addLeg(c, m.Get("DestUniqueid"), ext)
		ev := c.event(cti.EventNewCall)
		ev.User = []string{ext}
		return []*cti.Event{ev}
	case "QueueCallerJoin":
		if c == nil || !c.inbound || m.Get("Queue") == "" || c.queue == m.Get("Queue") {
			return nil
		}
		c.queue = m.Get("Queue")
		return []*cti.Event{c.event(cti.EventNewCall)}
	case "BridgeEnter":
		if c == nil || uid == lid {
			return nil // the caller's own channel: the other side tells who answered
		}
		if !c.inbound {
			if c.answered != "" {
				return nil
			}
			c.answered = "yes"
			return []*cti.Event{c.event(cti.EventAnswer)}
		}
		ext := c.legs[uid]
		if ext == "" {
			ext = channelExtension(m.Get("Channel"))
		}
		if ext == "" || ext == c.answered {
			return nil
		}
		c.answered = ext
		ev := c.event(cti.EventAnswer)
		ev.AnsweringNumber = ext
		return []*cti.Event{ev}
	case "Hangup":
		if c == nil {
			return nil
		}
		if uid != lid {
			calls.dropLeg(uid) // an agent's channel: the call may go on (a transfer)
			return nil
		}
		calls.remove(c)
		return []*cti.Event{c.hangup(atoi(m.Get("Cause")))}
	}
	return nil
}

// number returns a caller id number, "" for Asterisk's <unknown>.
func number(s string) string {
	if s == "<unknown>" {
		return ""
	}
	return s
}

// channelExtension returns the extension of a channel name:
// "PJSIP/201-00000002", "SIP/201-0000000a", "Local/201@from-queue-00000001;2"
// all give 201; a trunk's channel gives its name.
func channelExtension(channel string) string {
	_, res, ok := strings.Cut(channel, "/")
	if !ok {
		return ""
	}
	if at := strings.IndexByte(res, '@'); at >= 0 {
		return res[:at]
	}
	if dash := strings.LastIndexByte(res, '-'); dash > 0 {
		return res[:dash]
	}
	return res
}

// Asterisk follows an Asterisk's manager interface and posts its calls.
// Its Connection's Addr is the manager interface's host:port (port 5038 by
// default); its pings are Ping actions.
type Asterisk struct {
	Connection
	Username string
	Secret   string
	// Inbound lists the contexts of inbound calls; nil is
	// DefaultInboundContexts.
	Inbound []string
}

// Run follows the manager interface until ctx ends (it then returns nil) or
// a login is refused; a broken connection is opened again after a back-off.
func (a *Asterisk) Run(ctx context.Context) error {
	tr := &Translator{Inbound: a.Inbound}
	return a.follow(ctx, "asterisk manager", func(l *link) (bool, error) { return a.session(ctx, l, tr) })
}

// session logs in and posts the calls until the connection breaks; it
// reports whether the login succeeded.
func (a *Asterisk) session(ctx context.Context, l *link, tr *Translator) (bool, error) {
	log := a.log()
	r := bufio.NewReaderSize(l.conn, maxAMILine)
	l.readDeadline()
	banner, err := r.ReadString('\n')
	if err != nil {
		return false, fmt.Errorf("ami: read the banner: %w", err)
	}
	if !strings.Contains(banner, "Call Manager") {
		return false, fmt.Errorf("ami: %s does not speak the manager protocol (%q)", a.Addr, strings.TrimSpace(banner))
	}
	if err := l.write(action("Action", "Login", "ActionID", "login", "Username", a.Username, "Secret", a.Secret,
		"Events", amiEvents)); err != nil {
		return false, fmt.Errorf("ami: login: %w", err)
	}
	for {
		m, err := ReadMessage(r)
		if err != nil {
			return false, fmt.Errorf("ami: login: %w", err)
		}
		if m.Get("ActionID") != "login" || m.Get("Response") == "" {
			continue
		}
		if !strings.EqualFold(m.Get("Response"), "Success") {
			return false, fmt.Errorf("ami: %w: %s", ErrLogin, m.Get("Message"))
		}
		break
	}
	log.Info("logged in to the asterisk manager interface", "addr", a.Addr, "user", a.Username)
	l.every(func(n int) error {
		return l.write(action("Action", "Ping", "ActionID", "ping-"+strconv.Itoa(n)))
	})
	// The calls followed before this connection may have ended while it was
	// down: ask which channels exist.
	before := tr.Calls()
	if err := l.write(action("Action", "CoreShowChannels", "ActionID", amiChannelsID)); err != nil {
		return true, err
	}
	exists := map[string]bool{}
	for {
		l.readDeadline()
		m, err := ReadMessage(r)
		if err != nil {
			return true, err
		}
		evs := tr.Translate(m)
		if m.Get("ActionID") == amiChannelsID {
			switch {
			case strings.EqualFold(m.Get("Response"), "Error"):
				log.Warn("asterisk does not say which channels exist: calls whose hangup was lost while disconnected "+
					"stay in progress (give the manager user write = reporting)", "err", m.Get("Message"))
			case m.Get("Event") == "CoreShowChannel":
				exists[m.Get("Uniqueid")] = true
			case m.Get("Event") == "CoreShowChannelsComplete":
				evs = tr.Reconcile(before, exists)
				if len(evs) > 0 {
					log.Info("ended the calls that ended while disconnected", "calls", len(evs))
				}
			}
		}
		if err := a.post(ctx, evs); err != nil {
			return true, err
		}
	}
}

// action formats an AMI action: its key and value pairs, in order.
func action(pairs ...string) string {
	var b strings.Builder
	WriteAction(&b, pairs...)
	return b.String()
}
