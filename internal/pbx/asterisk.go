package pbx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
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
// The call id is the Linkedid, the same in every event of a call. A
// connection that breaks is opened again after a back-off that doubles from
// MinBackoff to MaxBackoff, and starts again from MinBackoff once logged in.
// An event ctidesk cannot take is posted again a few times (see post); one
// it refuses is logged and dropped.

// Message is one AMI message: its "Key: Value" lines, keys in lower case.
type Message map[string]string

// Get returns the value of key, whatever its case.
func (m Message) Get(key string) string { return m[strings.ToLower(key)] }

// Limits of an AMI message, against a peer that never ends one.
const (
	maxAMILine   = 16 << 10
	maxAMIFields = 512
)

// ReadMessage reads one message: lines up to an empty line. Lines that are
// not "Key: Value" (the output of a command) are skipped.
func ReadMessage(r *bufio.Reader) (Message, error) {
	m := Message{}
	for n := 0; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxAMILine {
			return nil, errors.New("ami: line too long")
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(m) > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		s := strings.TrimRight(string(line), "\r\n")
		if s == "" {
			if len(m) == 0 {
				continue // stray empty lines between messages
			}
			return m, nil
		}
		if n >= maxAMIFields {
			return nil, errors.New("ami: message too long")
		}
		if k, v, ok := strings.Cut(s, ":"); ok {
			m[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
}

// WriteAction writes an action: its key and value pairs, in order.
func WriteAction(w io.Writer, pairs ...string) error {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		// A line break inside a value would start another field.
		v := strings.NewReplacer("\r", "", "\n", "").Replace(pairs[i+1])
		b.WriteString(pairs[i] + ": " + v + "\r\n")
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// DefaultInboundContexts are the dialplan contexts whose new channels are
// inbound calls: those of FreePBX and of Asterisk's sample configuration.
var DefaultInboundContexts = []string{"from-external", "from-trunk", "from-pstn", "from-did"}

// Translator turns AMI events into call events. It remembers the calls in
// progress; it is not safe for concurrent use.
type Translator struct {
	// Inbound lists the contexts whose new channels are inbound calls; nil
	// is DefaultInboundContexts.
	Inbound []string
	calls   map[string]*amiCall // by Linkedid
}

// amiCall is what the translator knows of a call in progress.
type amiCall struct {
	inbound  bool
	from, to string
	agent    string            // outbound: the calling extension
	queue    string            // the queue it joined
	ext      map[string]string // dialed channels' Uniqueid -> extension
	answered string            // inbound: the extension that answered; outbound: "yes"
}

func (t *Translator) isInbound(context string) bool {
	contexts := t.Inbound
	if contexts == nil {
		contexts = DefaultInboundContexts
	}
	return slices.Contains(contexts, context)
}

// event builds a call event of c.
func (c *amiCall) event(name, id string) *cti.Event {
	ev := &cti.Event{Event: name, CallID: id, From: c.from, To: c.to, Direction: desk.DirectionIn, Queue: c.queue}
	if !c.inbound {
		ev.Direction = desk.DirectionOut
		if c.agent != "" {
			ev.User = []string{c.agent}
		}
	}
	return ev
}

// Translate returns the call events an AMI event stands for, none for most.
func (t *Translator) Translate(m Message) []*cti.Event {
	if t.calls == nil {
		t.calls = map[string]*amiCall{}
	}
	uid, lid := m.Get("Uniqueid"), m.Get("Linkedid")
	if lid == "" {
		lid = uid
	}
	c := t.calls[lid]
	switch m.Get("Event") {
	case "Newchannel":
		if uid == "" || uid != lid || c != nil {
			return nil // another channel of a call: its DialBegin tells more
		}
		c = &amiCall{inbound: t.isInbound(m.Get("Context")), from: number(m.Get("CallerIDNum")), to: m.Get("Exten"),
			ext: map[string]string{}}
		if !c.inbound {
			c.agent = channelExtension(m.Get("Channel"))
			if c.agent == "" {
				c.agent = c.from
			}
		}
		t.calls[lid] = c
		return []*cti.Event{c.event(cti.EventNewCall, lid)}
	case "DialBegin":
		if c == nil {
			if c = t.calls[m.Get("DestLinkedid")]; c == nil {
				return nil
			}
			lid = m.Get("DestLinkedid")
		}
		ext := channelExtension(m.Get("DestChannel"))
		if ext == "" {
			ext = m.Get("DestCallerIDNum")
		}
		if ext == "" || !c.inbound {
			return nil // outbound: the trunk is dialled
		}
		c.ext[m.Get("DestUniqueid")] = ext
		ev := c.event(cti.EventNewCall, lid)
		ev.User = []string{ext}
		return []*cti.Event{ev}
	case "QueueCallerJoin":
		if c == nil || !c.inbound || m.Get("Queue") == "" || c.queue == m.Get("Queue") {
			return nil
		}
		c.queue = m.Get("Queue")
		return []*cti.Event{c.event(cti.EventNewCall, lid)}
	case "BridgeEnter":
		if c == nil || uid == lid {
			return nil // the caller's own channel: the other side tells who answered
		}
		if !c.inbound {
			if c.answered != "" {
				return nil
			}
			c.answered = "yes"
			return []*cti.Event{c.event(cti.EventAnswer, lid)}
		}
		ext := c.ext[uid]
		if ext == "" {
			ext = channelExtension(m.Get("Channel"))
		}
		if ext == "" || ext == c.answered {
			return nil
		}
		c.answered = ext
		ev := c.event(cti.EventAnswer, lid)
		ev.AnsweringNumber = ext
		return []*cti.Event{ev}
	case "Hangup":
		if c == nil || uid != lid {
			return nil // an agent's channel: the call may go on (a transfer)
		}
		delete(t.calls, lid)
		ev := c.event(cti.EventHangup, lid)
		ev.Cause = hangupCause(m.Get("Cause"), c.answered != "")
		return []*cti.Event{ev}
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

// hangupCause turns a Q.850 cause code into Zammad's cause: a call hung up
// with normal clearing before anyone answered was cancelled.
func hangupCause(code string, answered bool) string {
	n, _ := strconv.Atoi(code)
	switch n {
	case 17, 21:
		return cti.CauseBusy
	case 18, 19:
		return cti.CauseNoAnswer
	case 1, 3, 28:
		return cti.CauseNotFound
	case 34, 38, 41, 42:
		return cti.CauseCongestion
	}
	if !answered {
		return cti.CauseCancel
	}
	return cti.CauseNormalClearing
}

// Asterisk follows an Asterisk's manager interface and posts its calls.
type Asterisk struct {
	// Addr is the manager interface's host:port (port 5038 by default).
	Addr     string
	Username string
	Secret   string
	// Inbound lists the contexts of inbound calls; nil is
	// DefaultInboundContexts.
	Inbound []string
	Poster  Poster
	// Log reports connections, logins and events that could not be
	// posted; default: discard.
	Log *slog.Logger
	// MinBackoff and MaxBackoff bound the wait before reconnecting;
	// default 1 s and 1 min.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how often an idle connection is checked with a Ping
	// action; one that answers nothing for three intervals is reopened.
	// Default 30 s.
	PingInterval time.Duration
	// Dial opens the connection; default net.Dialer's.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// ErrLogin is wrapped by the error of a refused login: Run stops, since
// trying again with the same secret cannot help.
var ErrLogin = errors.New("ami: login refused")

func (a *Asterisk) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run follows the manager interface until ctx ends (it then returns nil) or
// a login is refused; a broken connection is opened again after a back-off.
func (a *Asterisk) Run(ctx context.Context) error {
	minWait, maxWait := a.MinBackoff, a.MaxBackoff
	if minWait <= 0 {
		minWait = time.Second
	}
	if maxWait < minWait {
		maxWait = max(time.Minute, minWait)
	}
	wait := minWait
	tr := &Translator{Inbound: a.Inbound}
	for {
		loggedIn, err := a.session(ctx, tr)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrLogin) {
			return err
		}
		if loggedIn {
			wait = minWait
		}
		a.log().Warn("asterisk manager connection lost; reconnecting", "addr", a.Addr, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, maxWait)
	}
}

// session connects, logs in and posts the calls until the connection
// breaks; it reports whether the login succeeded.
func (a *Asterisk) session(ctx context.Context, tr *Translator) (bool, error) {
	dial := a.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	conn, err := dial(ctx, "tcp", a.Addr)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		conn.Close()
		wg.Wait()
	}()
	wg.Add(1)
	go func() { // a cancelled ctx ends the blocked read
		defer wg.Done()
		<-ctx.Done()
		conn.Close()
	}()
	ping := a.PingInterval
	if ping <= 0 {
		ping = 30 * time.Second
	}
	r := bufio.NewReaderSize(conn, maxAMILine)
	conn.SetReadDeadline(time.Now().Add(3 * ping))
	banner, err := r.ReadString('\n')
	if err != nil {
		return false, fmt.Errorf("ami: read the banner: %w", err)
	}
	if !strings.Contains(banner, "Call Manager") {
		return false, fmt.Errorf("ami: %s does not speak the manager protocol (%q)", a.Addr, strings.TrimSpace(banner))
	}
	var writeMu sync.Mutex
	write := func(pairs ...string) error {
		writeMu.Lock()
		defer writeMu.Unlock()
		conn.SetWriteDeadline(time.Now().Add(ping))
		return WriteAction(conn, pairs...)
	}
	if err := write("Action", "Login", "ActionID", "login", "Username", a.Username, "Secret", a.Secret,
		"Events", "call"); err != nil {
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
			return false, fmt.Errorf("%w: %s", ErrLogin, m.Get("Message"))
		}
		break
	}
	a.log().Info("logged in to the asterisk manager interface", "addr", a.Addr, "user", a.Username)
	wg.Add(1)
	go func() { // keep the connection checked while it is quiet
		defer wg.Done()
		t := time.NewTicker(ping)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if write("Action", "Ping", "ActionID", "ping-"+strconv.Itoa(n)) != nil {
					conn.Close()
					return
				}
			}
		}
	}()
	for {
		conn.SetReadDeadline(time.Now().Add(3 * ping))
		m, err := ReadMessage(r)
		if err != nil {
			return true, err
		}
		for _, ev := range tr.Translate(m) {
			if err := a.post(ctx, ev); err != nil {
				if ctx.Err() != nil {
					return true, ctx.Err()
				}
				a.log().Error("post call event", "event", ev.Event, "call", ev.CallID, "err", err)
			}
		}
	}
}

// postAttempts is how many times an event is posted while ctidesk cannot
// take it (a restart, a network hiccup), MinBackoff apart, doubling.
const postAttempts = 4

// post posts ev, again on failures that may pass; an event ctidesk refused
// (ErrRejected) is not posted again.
func (a *Asterisk) post(ctx context.Context, ev *cti.Event) error {
	wait := a.MinBackoff
	if wait <= 0 {
		wait = time.Second
	}
	var err error
	for range postAttempts {
		if _, err = a.Poster.Post(ctx, ev); err == nil || errors.Is(err, ErrRejected) {
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
