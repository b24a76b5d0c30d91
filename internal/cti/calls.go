package cti

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// Calls is the call events use case: it keeps the call log from the events a
// phone system posts, answers the phone system (reject a blocked number,
// dial with a caller id), and pushes notices to the agents' browsers: a
// ringing call to the agents it rings for, the screen pop to the agent who
// answers, the end of the call to them all. Nobody else is told.
type Calls struct {
	Services desk.Services
	// Lookup finds the callers of a call's number as the screen pop does;
	// nil: the lookup of the built-in configuration.
	Lookup *CallerLookup
	// Bus carries the notices to the agents' browsers; nil: none is sent.
	Bus desk.EventBus
	// Log reports notices that could not be sent; default: discard.
	Log *slog.Logger
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// Callbacks says when the callback of a missed call is due; the zero
	// value: DefaultCallbackDue after the call, at any hour.
	Callbacks config.Callbacks
	// Observe, when not nil, is told of every change an event or the
	// sweep of stale calls made to a call (the metrics).
	Observe func(before, after *desk.Call)

	// order runs the events of each call one at a time.
	order callOrder
}

// DefaultCallbackDue is how long after a missed call its callback is due
// when nothing is configured.
const DefaultCallbackDue = 2 * time.Hour

func (c *Calls) lookup() *CallerLookup {
	if c.Lookup == nil {
		return &CallerLookup{Services: c.Services}
	}
	return c.Lookup
}

// Reply is the answer to the phone system, as Zammad's Generic CTI gives
// it: {} for nothing to do; {"action": "reject", "reason": "busy"} for an
// inbound call from a blocked number; {"action": "dial", "caller_id",
// "number"} for an outbound call a caller id rule applies to.
type Reply struct {
	Action   string `json:"action,omitempty"`
	Reason   string `json:"reason,omitempty"`
	CallerID string `json:"caller_id,omitempty"`
	Number   string `json:"number,omitempty"`
}

// Replies' actions.
const (
	ActionReject = "reject"
	ActionDial   = "dial"
)

// Notice types, the event names of the browsers' event stream.
const (
	// NoticeRinging: a call rings for the agent.
	NoticeRinging = "ringing"
	// NoticeAnswered: the agent answered, or a call was transferred to
	// him; Open says whether his tab opens the pop by itself.
	NoticeAnswered = "answered"
	// NoticeTaken: another agent answered a call that rang for this one,
	// or a call this one answered was transferred.
	NoticeTaken = "taken"
	// NoticeEnded: the call stopped ringing unanswered (State missed,
	// unanswered, rejected), or the agent's call ended.
	NoticeEnded = "ended"
)

// Notice is the data of a push event about a call.
type Notice struct {
	Call      int64  `json:"call"`
	State     string `json:"state"`
	Direction string `json:"direction"`
	Number    string `json:"number"`
	Queue     string `json:"queue,omitempty"`
	// Callers are the persons the number finds that the agent may see,
	// best first, at most maxNoticeCallers; More counts the others. Given
	// with ringing, answered, and ended when the call was missed.
	Callers []NoticeCaller `json:"callers"`
	More    int            `json:"more,omitempty"`
	// PopURL opens the screen pop of the call.
	PopURL string `json:"pop_url"`
	// Open asks the agent's tab to open PopURL by itself (answered, when
	// the agent's setting says so).
	Open bool `json:"open,omitempty"`
	// Agent is who answered, for taken.
	Agent string `json:"agent,omitempty"`
}

// NoticeCaller is a person a notice names.
type NoticeCaller struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Organization string `json:"organization,omitempty"`
}

// maxNoticeCallers bounds the callers a notice names.
const maxNoticeCallers = 5

// CallFacts are what Handle finds out before the call's state machine runs:
// Transition itself reads nothing.
type CallFacts struct {
	// Now dates the event.
	Now time.Time
	// Callers are the persons the other party's number finds, best first
	// (used when the call is new).
	Callers []int64
	// Ringing are the users an inbound newCall rings for.
	Ringing []int64
	// Agent is the user who answered (inbound answer) or who calls
	// (outbound); 0 when none is known.
	Agent int64
	// Leg is the agent an inbound hangup names (answeringNumber, or its one
	// user): the hangup may be his leg's alone; 0 when none is known.
	Leg int64
	// Blocked tells that the caller's number is on the block list.
	Blocked bool
}

// Transition applies ev to c, the call's state machine, with the facts
// found for it. A new call (ID 0) starts ringing, or rejected when its
// number is blocked. Its queue is the event's, or else its to when that is
// a name rather than a number (see Event.CallQueue). Then:
//   - newCall: the call rings for more agents while it rings;
//   - answer: ringing becomes answered (by voicemail: missed), by the agent
//     found for the event, or else the one agent the call rang for; an
//     answered inbound call answered by another agent was transferred to
//     him; a rejected call answered all the same (the phone system ignored
//     the reject) is answered, its Blocked mark kept;
//   - hangup: the call ends; still ringing, an inbound call is missed
//     (unanswered when forwarded elsewhere) and an outbound one unanswered.
//     The hangup of a leg that lost the race (LostRace), or, once the call
//     is answered, of another agent's leg (Leg), ends nothing: ring group
//     scripts post one hangup per leg.
//
// Events that come late (an answer after the hangup, a hangup again) change
// nothing.
func Transition(c *desk.Call, ev *Event, f CallFacts) {
	if c.ID == 0 {
		c.Direction, c.From, c.To, c.Queue = ev.Direction, ev.From, ev.To, ev.CallQueue()
		c.StartedAt, c.State = f.Now, desk.CallRinging
		c.CallerIDs = slices.Clone(f.Callers)
		if len(c.CallerIDs) > 0 {
			c.ContactID = c.CallerIDs[0]
		}
		if ev.Event == EventNewCall && ev.Inbound() && f.Blocked {
			c.State, c.Blocked = desk.CallRejected, true
		}
	}
	if c.Queue == "" {
		c.Queue = ev.CallQueue()
	}
	if c.Direction == desk.DirectionOut && c.AgentUserID == 0 {
		c.AgentUserID = f.Agent
	}
	if c.Ended() {
		return
	}
	switch ev.Event {
	case EventNewCall:
		if c.State == desk.CallRinging && c.Direction == desk.DirectionIn {
			for _, u := range f.Ringing {
				if !slices.Contains(c.RingingUserIDs, u) {
					c.RingingUserIDs = append(c.RingingUserIDs, u)
				}
			}
		}
	case EventAnswer:
		switch {
		case c.State == desk.CallRinging && ev.Voicemail():
			c.State, c.Voicemail = desk.CallMissed, true
		case c.State == desk.CallRinging, c.State == desk.CallRejected && !ev.Voicemail():
			now := f.Now
			c.State, c.AnsweredAt = desk.CallAnswered, &now
			switch {
			case c.Direction != desk.DirectionIn:
			case f.Agent != 0:
				c.AgentUserID = f.Agent
			case len(c.RingingUserIDs) == 1:
				c.AgentUserID = c.RingingUserIDs[0] // the one agent it rang for
			}
		case c.State == desk.CallAnswered && c.Direction == desk.DirectionIn && f.Agent != 0 && !ev.Voicemail():
			c.AgentUserID = f.Agent // transferred
		}
	case EventHangup:
		if ev.LostRace() {
			return // one leg stopped ringing: another took the call
		}
		if c.State == desk.CallAnswered && c.Direction == desk.DirectionIn && f.Leg != 0 && c.AgentUserID != 0 &&
			f.Leg != c.AgentUserID {
			return // the leg of an agent who did not take the call, or gave it away
		}
		now := f.Now
		c.EndedAt, c.Cause = &now, ev.Cause
		if c.State == desk.CallRinging {
			switch {
			case c.Direction == desk.DirectionIn && ev.Cause != CauseForwarded:
				c.State = desk.CallMissed
			default:
				c.State = desk.CallUnanswered
			}
		}
	}
}

func (c *Calls) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Calls) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}

// IntegrationContext returns the context an integration acts in: as the
// system (every organization), under the integration's name. What it may do
// is bounded by the use case, not by rights: post events, read what they
// need.
func IntegrationContext(ctx context.Context, i *desk.Integration) context.Context {
	return desk.NewContextWithUser(ctx, &desk.User{Login: "integration:" + i.Name, Language: desk.Languages[0],
		Roles: []string{desk.RoleAdmin}})
}

// Handle records ev, posted by integration i, answers the phone system and
// tells the agents concerned. It returns the call as recorded. Notices that
// cannot be sent are logged, not failed: the phone system needs its answer.
func (c *Calls) Handle(ctx context.Context, i *desk.Integration, ev *Event) (*Reply, *desk.Call, error) {
	if err := ev.Validate(); err != nil {
		return nil, nil, err
	}
	defer c.order.lock(i.ID, ev.CallID)()
	sys := IntegrationContext(ctx, i)
	svc := c.Services
	f := CallFacts{Now: c.now().UTC().Truncate(time.Second)}
	// One call at most; a limit of 2 spares the count of the calls found.
	// Whether it is known and its queue are all this needs: not its lists.
	known, _, err := svc.Calls.FindCalls(sys, desk.CallFilter{IntegrationID: &i.ID, CallID: &ev.CallID, Limit: 2,
		NoLists: true})
	if err != nil {
		return nil, nil, err
	}
	var call *desk.Call // the call as recorded before ev; nil when new
	if len(known) > 0 {
		call = known[0]
	}
	// The callers of the number, found as the system here, are found again
	// as each agent notified: the same lookup is run once.
	lk := c.eventLookups()
	var callers []*desk.CallerMatch
	if call == nil {
		// A number too short to match (an extension), or none (anonymous),
		// finds nobody.
		if callers, err = lk.callers(sys, ev.Number()); err != nil {
			return nil, nil, err
		}
		for _, m := range callers {
			f.Callers = append(f.Callers, m.Person.ID)
		}
	}
	reply := &Reply{}
	if ev.Event == EventNewCall && ev.Inbound() && call == nil {
		if f.Blocked, err = svc.Telephony.IsBlockedNumber(sys, ev.From); err != nil {
			return nil, nil, err
		}
		if f.Blocked {
			reply.Action, reply.Reason = ActionReject, CauseBusy
		}
	}
	if ev.Event == EventNewCall && !ev.Inbound() {
		rules, err := svc.Telephony.FindCallerIDRules(sys)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rules {
			if r.Matches(ev.To) {
				reply.Action, reply.CallerID, reply.Number = ActionDial, r.CallerID, ev.To
				break
			}
		}
	}
	found := agentsFound{svc: svc, ctx: sys, users: map[int64]*desk.User{}}
	// named finds the one agent an event names: by answeringNumber, else
	// its one user.
	named := func() (int64, error) {
		var keys []string
		if ev.AnsweringNumber != "" {
			keys = []string{ev.AnsweringNumber}
		} else if len(ev.User) == 1 {
			keys = ev.User
		}
		ids, err := found.find(keys...)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	}
	switch {
	case ev.Inbound() && ev.Event == EventNewCall:
		if f.Ringing, err = c.ringing(sys, i, ev, call, callers, &found, lk); err != nil {
			return nil, nil, err
		}
	case ev.Inbound() && ev.Event == EventAnswer && !ev.Voicemail():
		if f.Agent, err = named(); err != nil {
			return nil, nil, err
		}
	case ev.Inbound() && ev.Event == EventHangup && !ev.Voicemail():
		if f.Leg, err = named(); err != nil {
			return nil, nil, err
		}
	case !ev.Inbound():
		key := ev.From
		if len(ev.User) > 0 {
			key = ev.User[0]
		}
		ids, err := found.find(key)
		if err != nil {
			return nil, nil, err
		}
		if len(ids) > 0 {
			f.Agent = ids[0]
		}
	}
	var before desk.Call
	after, err := svc.Calls.ApplyCall(sys, i.ID, ev.CallID, func(k *desk.Call) error {
		before = *k
		before.RingingUserIDs = slices.Clone(k.RingingUserIDs)
		Transition(k, ev, f)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	c.notify(ctx, &before, after, found.users, lk)
	c.callbacks(sys, &before, after)
	if c.Observe != nil {
		c.Observe(&before, after)
	}
	return reply, after, nil
}

// callbacks keeps the callbacks of the call that just ended: a missed
// inbound call raises its number's callback, an answered call (in or out)
// closes it. A failure is logged, not returned: the call is recorded, and
// the phone system needs its answer.
func (c *Calls) callbacks(ctx context.Context, before, after *desk.Call) {
	if c.Services.Callbacks == nil || before.EndedAt != nil || after.EndedAt == nil {
		return
	}
	var err error
	switch {
	case after.State == desk.CallMissed && after.Direction == desk.DirectionIn && !after.Blocked:
		cfg := c.Callbacks
		if cfg.DueAfter <= 0 {
			cfg = config.Callbacks{DueAfter: DefaultCallbackDue}
		}
		_, err = c.Services.Callbacks.RaiseCallback(ctx, after, cfg.Due(after.StartedAt))
	case after.State == desk.CallAnswered:
		_, err = c.Services.Callbacks.CloseCallbacks(ctx, after)
	}
	if err != nil {
		c.log().Error("callback", "call", after.ID, "state", after.State, "err", err)
	}
}

// eventLookups returns the caller lookups of one event.
func (c *Calls) eventLookups() *eventLookups {
	return &eventLookups{lookup: c.lookup(), found: map[lookupKey][]*desk.CallerMatch{}}
}

// eventLookups finds the persons a number finds, best first, as the screen
// pop finds them, for the readers of one event: the system (a new call's
// callers, whom it rings for), then each agent notified, in his organization
// scope. A lookup equal to one run already in the event is not run again:
// the system and every agent who sees all organizations find the same
// callers, so do agents of the same organizations.
//
// Two lookups are equal when they have the same number and the same scope,
// all a lookup of a number depends on (desk.CallerService), unless the
// configured caller query is part of it: its results depend on the reader
// himself (:current_user, :current_contact, his contact's calls, his right to
// read each class it names), so that each reader then has his own.
type eventLookups struct {
	lookup *CallerLookup
	found  map[lookupKey][]*desk.CallerMatch
}

// lookupKey is what the result of a lookup by number depends on.
type lookupKey struct {
	number string
	// scope is the reader's organizations ("" for all of them).
	scope string
	// reader is, when the configured caller query is run, the reader
	// himself (his id, contact and roles); "" otherwise.
	reader string
}

// callers returns the persons number finds for the user in ctx, best first.
// The slice is shared by the readers of the event: it is not to be changed.
func (e *eventLookups) callers(ctx context.Context, number string) ([]*desk.CallerMatch, error) {
	in := e.lookup.NumberInput(number)
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	// The right to read persons is checked at every lookup, found before
	// or not.
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPerson); err != nil {
		return nil, err
	}
	key := lookupKey{number: number, scope: idList(user.OrgScope())} // OrgScope: nil, or not empty
	if e.lookup.queryRuns(in) {
		key.reader = strconv.FormatInt(user.ID, 10) + "/" + strconv.FormatInt(user.ContactID, 10) + "/" +
			strings.Join(user.Roles, ",") + "/" + user.Login
	}
	if found, ok := e.found[key]; ok {
		return found, nil
	}
	res, err := e.lookup.Find(ctx, in)
	if err != nil {
		return nil, err
	}
	e.found[key] = res.Callers
	return res.Callers, nil
}

// idList returns ids as text, comma separated.
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// agentsFound gathers the agents an event names, by id, for their notices.
type agentsFound struct {
	svc   desk.Services
	ctx   context.Context
	users map[int64]*desk.User
}

// find returns the agents the keys designate (desk.TelephonyService's
// FindAgents), in the order found, without repeats.
func (a *agentsFound) find(keys ...string) ([]int64, error) {
	var ids []int64
	for _, k := range keys {
		found, err := a.svc.Telephony.FindAgents(a.ctx, k)
		if err != nil {
			return nil, err
		}
		ids = a.add(ids, found)
	}
	return ids, nil
}

// add appends the users to ids, but those ids holds already.
func (a *agentsFound) add(ids []int64, users []*desk.User) []int64 {
	for _, u := range users {
		a.users[u.ID] = u
		if !slices.Contains(ids, u.ID) {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// ringing returns whom an inbound newCall rings for, as Zammad tells its
// agents, in this order: the agents named in user that are known; else
// those whose extension, login or number is to; else the targets of the
// call's queue; else, when the integration says so (the default), every
// agent who may see the caller (all of them for an unknown number). call is
// the call as recorded (nil when new), callers what its number found when
// new.
func (c *Calls) ringing(ctx context.Context, i *desk.Integration, ev *Event, call *desk.Call,
	callers []*desk.CallerMatch, found *agentsFound, lk *eventLookups) ([]int64, error) {
	if ids, err := found.find(ev.User...); err != nil || len(ids) > 0 {
		return ids, err
	}
	if ev.To != "" {
		if ids, err := found.find(ev.To); err != nil || len(ids) > 0 {
			return ids, err
		}
	}
	queue := ev.CallQueue()
	if queue == "" && call != nil {
		queue = call.Queue
	}
	if queue != "" {
		users, err := c.Services.Telephony.FindQueueAgents(ctx, queue)
		if err != nil || len(users) > 0 {
			return found.add(nil, users), err
		}
	}
	if !i.RingAllAgents {
		return nil, nil
	}
	if call != nil {
		var err error
		if callers, err = lk.callers(ctx, ev.Number()); err != nil {
			return nil, err
		}
	}
	agents, err := c.Services.Telephony.FindDeskAgents(ctx)
	if err != nil {
		return nil, err
	}
	var may []*desk.User
	for _, u := range agents {
		if seesAny(u, callers) {
			may = append(may, u)
		}
	}
	return found.add(nil, may), nil
}

// seesAny reports whether u may see one of the callers at least: any user
// may see an unknown caller.
func seesAny(u *desk.User, callers []*desk.CallerMatch) bool {
	if len(callers) == 0 {
		return true
	}
	for _, m := range callers {
		if u.SeesOrg(m.Person.OrgID) {
			return true
		}
	}
	return false
}

// notify pushes the notices of the change from before to after of an
// inbound call. users holds the agents found for the event, by id; lk its
// caller lookups.
func (c *Calls) notify(ctx context.Context, before, after *desk.Call, users map[int64]*desk.User, lk *eventLookups) {
	if c.Bus == nil || after.Direction != desk.DirectionIn {
		return
	}
	if after.State == desk.CallRinging {
		for _, u := range after.RingingUserIDs {
			if !slices.Contains(before.RingingUserIDs, u) {
				c.send(ctx, lk, u, users[u], NoticeRinging, after, false)
			}
		}
	}
	// A rejected call the phone system put through anyway is answered as
	// a ringing one is.
	ringing := before.State == desk.CallRinging || before.State == desk.CallRejected || before.ID == 0
	switch {
	case ringing && after.State == desk.CallAnswered:
		if after.AgentUserID != 0 {
			c.sendAnswered(ctx, lk, after, users[after.AgentUserID])
		}
		for _, u := range after.RingingUserIDs {
			if u != after.AgentUserID {
				c.send(ctx, lk, u, nil, NoticeTaken, after, false)
			}
		}
	case before.State == desk.CallAnswered && after.State == desk.CallAnswered && after.AgentUserID != before.AgentUserID &&
		after.AgentUserID != 0:
		c.sendAnswered(ctx, lk, after, users[after.AgentUserID])
		if before.AgentUserID != 0 {
			c.send(ctx, lk, before.AgentUserID, nil, NoticeTaken, after, false)
		}
	case ringing && after.State != desk.CallRinging && before.ID != 0:
		for _, u := range after.RingingUserIDs {
			c.send(ctx, lk, u, nil, NoticeEnded, after, false)
		}
	}
	if before.EndedAt == nil && after.EndedAt != nil && before.State == desk.CallAnswered && after.AgentUserID != 0 {
		c.send(ctx, lk, after.AgentUserID, nil, NoticeEnded, after, false)
	}
}

// sendAnswered pushes the pop to the agent who answered, opening by itself
// when his settings say so.
func (c *Calls) sendAnswered(ctx context.Context, lk *eventLookups, call *desk.Call, u *desk.User) {
	open := true
	sys := desk.NewSystemContext(ctx)
	if s, err := c.Services.Telephony.FindAgentSettings(sys, call.AgentUserID); err == nil {
		open = s.PopOnAnswer
	} else {
		c.log().Error("agent settings", "user", call.AgentUserID, "err", err)
	}
	c.send(ctx, lk, call.AgentUserID, u, NoticeAnswered, call, open)
}

// send pushes one notice to user id; u, when known, is the user whose
// organizations bound the callers the notice names (none without him).
func (c *Calls) send(ctx context.Context, lk *eventLookups, id int64, u *desk.User, typ string, call *desk.Call, open bool) {
	n := Notice{Call: call.ID, State: call.State, Direction: call.Direction, Number: call.Number(), Queue: call.Queue,
		Callers: []NoticeCaller{}, PopURL: PopURL(call), Open: open, Agent: call.AgentName}
	if typ == NoticeRinging || typ == NoticeAnswered || (typ == NoticeEnded && call.State == desk.CallMissed) {
		if u == nil {
			var err error
			if u, err = c.Services.Users.FindUserByID(desk.NewSystemContext(ctx), id); err != nil {
				c.log().Error("push notice", "user", id, "err", err)
			}
		}
		if u != nil {
			n.Callers, n.More = c.noticeCallers(ctx, lk, u, call)
		}
	}
	data, err := json.Marshal(n)
	if err != nil {
		c.log().Error("push notice", "user", id, "err", err)
		return
	}
	if err := c.Bus.Publish(ctx, id, desk.PushEvent{Type: typ, Data: data}); err != nil {
		c.log().Error("push notice", "user", id, "type", typ, "call", call.ID, "err", err)
	}
}

// noticeCallers returns the callers of the call that u may see, best first,
// looked up again as u: the organization scope of each agent applies.
func (c *Calls) noticeCallers(ctx context.Context, lk *eventLookups, u *desk.User, call *desk.Call) ([]NoticeCaller, int) {
	out := []NoticeCaller{}
	if len(call.CallerIDs) == 0 || !u.Can(desk.ActionRead, desk.ClassPerson) {
		return out, 0
	}
	matches, err := lk.callers(desk.NewContextWithUser(ctx, u), call.Number())
	if err != nil {
		c.log().Error("notice callers", "user", u.ID, "err", err)
		return out, 0
	}
	for _, m := range matches[:min(len(matches), maxNoticeCallers)] {
		out = append(out, NoticeCaller{ID: m.Person.ID, Name: m.Person.FriendlyName(), Organization: m.Person.OrgName})
	}
	return out, len(matches) - len(out)
}

// PopURL returns the screen pop of a call: the pop of its number, carrying
// the call, so that a ticket made from the pop ties the call to it.
func PopURL(call *desk.Call) string {
	q := url.Values{ParamPhone: {call.Number()}, PopCallParam: {strconv.FormatInt(call.ID, 10)}}
	return "/pop?" + q.Encode()
}

// PopCallParam is the pop's parameter naming the call it was opened for.
const PopCallParam = "call"

// LinkCall ties the call of id to a ticket created or changed from its pop,
// as a PhoneCall of the user in ctx (its agent: his contact) with the
// selected caller (0: unknown). A user without a contact ties nothing: a
// phone call needs its agent. A call tied to another ticket already is
// ECONFLICT: the caller may record a plain phone call instead.
func (c *Calls) LinkCall(ctx context.Context, id, ticketID, contactID int64, note string) (*desk.PhoneCall, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	if user.ContactID == 0 || ticketID == 0 {
		return nil, nil
	}
	pc := &desk.PhoneCall{ContactID: contactID, AgentID: user.ContactID, TicketID: ticketID, Note: note}
	out, err := c.Services.Calls.LinkCall(ctx, id, pc)
	if err != nil {
		return nil, fmt.Errorf("tie call %d to ticket %d: %w", id, ticketID, err)
	}
	return out, nil
}
