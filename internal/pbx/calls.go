package pbx

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// What the adapters remember of the calls they follow, shared by the
// Asterisk and the FreeSWITCH translators: the calls in progress, the
// channels (legs) dialled for them, and how a call that lost its hangup is
// ended or forgotten.

// CauseHangupNotReceived is the cause of the hangups an adapter posts for
// the calls that ended while it was disconnected from the phone system: after
// the reconnection, their first channel no longer exists, and the phone
// system's own hangup was never received. The server gives the same cause to
// the calls it hears nothing of for calls.stale_after.
const CauseHangupNotReceived = cti.CauseHangupNotReceived

// DefaultMaxCallAge is how long a call nothing is heard of stays remembered:
// one whose hangup was lost (and not found by the reconciliation after a
// reconnection) is forgotten then, so that such calls do not pile up.
const DefaultMaxCallAge = 24 * time.Hour

// sweepEvery is how often, at most, the calls are checked for age.
const sweepEvery = time.Minute

// call is what a translator knows of a call in progress.
type call struct {
	id       string // the phone system's id: the first channel's
	inbound  bool
	from, to string
	agent    string            // outbound: the calling extension
	queue    string            // the queue or ring group it went through
	legs     map[string]string // the channels dialled for the call -> their extension
	answered string            // inbound: the extension that answered; outbound: "yes"
	seen     time.Time         // when the call was last heard of
}

// event builds a call event of c.
func (c *call) event(name string) *cti.Event {
	ev := &cti.Event{Event: name, CallID: c.id, From: c.from, To: c.to, Direction: desk.DirectionIn, Queue: c.queue}
	if !c.inbound {
		ev.Direction = desk.DirectionOut
		if c.agent != "" {
			ev.User = []string{c.agent}
		}
	}
	return ev
}

// hangup builds the hangup event of c, with the Q.850 cause code of the
// phone system.
func (c *call) hangup(code int) *cti.Event {
	ev := c.event(cti.EventHangup)
	ev.Cause = hangupCause(code, c.answered != "")
	return ev
}

// callTable holds the calls in progress, by id and by the id of each of
// their legs, and forgets those not heard of for a while. It is not safe
// for concurrent use.
type callTable struct {
	// maxAge is how long a call nothing is heard of is kept; 0 is
	// DefaultMaxCallAge.
	maxAge time.Duration
	// now tells the time; nil is time.Now.
	now func() time.Time

	calls     map[string]*call
	legs      map[string]*call
	lastSweep time.Time
}

func (t *callTable) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// get returns the call whose id is id, or nil, and notes it was heard of.
func (t *callTable) get(id string) *call {
	c := t.calls[id]
	if c != nil {
		c.seen = t.clock()
	}
	return c
}

// ofLeg returns the call that id is the first channel or a leg of, or nil.
func (t *callTable) ofLeg(id string) *call {
	if c := t.get(id); c != nil {
		return c
	}
	c := t.legs[id]
	if c != nil {
		c.seen = t.clock()
	}
	return c
}

// add starts following c, after forgetting the calls too old.
func (t *callTable) add(c *call) {
	if t.calls == nil {
		t.calls, t.legs = map[string]*call{}, map[string]*call{}
	}
	now := t.clock()
	if now.Sub(t.lastSweep) >= sweepEvery {
		t.sweep(now)
	}
	c.seen = now
	if c.legs == nil {
		c.legs = map[string]string{}
	}
	t.calls[c.id] = c
}

// addLeg records that leg was dialled for c, to extension ext.
func (t *callTable) addLeg(c *call, leg, ext string) {
	if leg == "" || leg == c.id {
		return
	}
	c.legs[leg] = ext
	t.legs[leg] = c
}

// dropLeg forgets a leg that hung up; its call goes on.
func (t *callTable) dropLeg(leg string) {
	if c := t.legs[leg]; c != nil {
		delete(c.legs, leg)
		delete(t.legs, leg)
	}
}

// remove forgets c and its legs.
func (t *callTable) remove(c *call) {
	for leg := range c.legs {
		delete(t.legs, leg)
	}
	delete(t.calls, c.id)
}

// sweep forgets the calls not heard of for maxAge.
func (t *callTable) sweep(now time.Time) {
	maxAge := t.maxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxCallAge
	}
	t.lastSweep = now
	for _, c := range t.calls {
		if now.Sub(c.seen) >= maxAge {
			t.remove(c)
		}
	}
}

// ids returns the ids of the calls in progress, sorted.
func (t *callTable) ids() []string {
	return slices.Sorted(maps.Keys(t.calls))
}

// reconcile ends the calls of before (the ids followed when the phone system
// was asked which channels exist) that are still followed but whose first
// channel is not in exists: they ended while the adapter was disconnected,
// and their hangup was lost. It returns their hangups. A call that started
// after the question is not in before, so its absence from the answer ends
// nothing.
func (t *callTable) reconcile(before []string, exists map[string]bool) []*cti.Event {
	var out []*cti.Event
	for _, id := range before {
		c := t.calls[id]
		if c == nil || exists[id] {
			continue
		}
		t.remove(c)
		ev := c.event(cti.EventHangup)
		ev.Cause = CauseHangupNotReceived
		out = append(out, ev)
	}
	return out
}

// CallTracker holds the calls a translator follows, and bounds how long it
// keeps those nothing is heard of.
type CallTracker struct {
	// MaxAge is how long a call nothing is heard of is remembered; 0 is
	// DefaultMaxCallAge.
	MaxAge time.Duration
	// Now tells the time; nil is time.Now.
	Now func() time.Time

	table callTable
}

func (t *CallTracker) calls() *callTable {
	t.table.maxAge, t.table.now = t.MaxAge, t.Now
	return &t.table
}

// Calls returns the ids of the calls in progress, sorted.
func (t *CallTracker) Calls() []string { return t.calls().ids() }

// Reconcile ends the calls of before (Calls when the phone system was asked
// which channels exist) whose first channel (its id is the call's) is not
// in exists, and returns their hangups, with CauseHangupNotReceived.
func (t *CallTracker) Reconcile(before []string, exists map[string]bool) []*cti.Event {
	return t.calls().reconcile(before, exists)
}

// hangupCause turns a Q.850 cause code into Zammad's cause: a call hung up
// with normal clearing (or a cause without a name of its own) before anyone
// answered was cancelled.
func hangupCause(code int, answered bool) string {
	switch code {
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

// atoi reads a number, 0 when there is none.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
