package desk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Calls as the phone system reports them (docs/architecture.md): a phone system
// posts call events (newCall, answer, hangup, in the form of Zammad's Generic
// CTI) and ctidesk keeps each call in its call log, tells the ringing agents,
// pushes the screen pop to the agent who answers, and turns the call into a
// ticket's PhoneCall when the agent ties it to one from the pop.

// Call directions, as the phone system gives them.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// Call states. A call starts ringing; an answer makes it answered (and it
// stays so once it ends: EndedAt tells); a hangup while still ringing makes
// an inbound call missed and an outbound one unanswered. A call from a blocked
// number is rejected at once. Voicemail answering counts as missed.
const (
	CallRinging  = "ringing"
	CallAnswered = "answered"
	CallMissed   = "missed"
	CallRejected = "rejected"
	// CallUnanswered is an outbound call nobody picked up, or an inbound call
	// the phone system forwarded elsewhere (cause forwarded) before anyone
	// here answered: not a call the desk missed.
	CallUnanswered = "unanswered"
)

// CauseHangupNotReceived is the cause of a call whose hangup never came: an
// adapter posts it for the calls that ended while it was disconnected from
// the phone system, and the server gives it to the calls nothing was heard
// of for a while (calls.stale_after). When the call really ended is not
// known, nor how long it was talked.
const CauseHangupNotReceived = "hangupNotReceived"

// CallStates lists the states, in the order the call log offers them.
var CallStates = []string{CallRinging, CallAnswered, CallMissed, CallRejected, CallUnanswered}

// Call is one call the phone system reported, kept in the call log whether
// or not anyone ties it to a ticket.
type Call struct {
	ID int64 `json:"id"`
	// IntegrationID is the phone system integration that reported the call.
	IntegrationID int64 `json:"integration_id"`
	// CallID is the phone system's id of the call (callId), unique within
	// its integration.
	CallID    string `json:"call_id"`
	Direction string `json:"direction"`
	From      string `json:"from"`
	To        string `json:"to"`
	Queue     string `json:"queue,omitempty"`
	State     string `json:"state"`
	// Cause is the hangup cause the phone system gave (normalClearing,
	// busy, cancel, noAnswer, congestion, notFound, forwarded, or its own).
	Cause string `json:"cause,omitempty"`
	// Voicemail tells that voicemail answered the call.
	Voicemail bool `json:"voicemail,omitempty"`
	// Blocked tells that the caller's number was on the block list: the
	// call was rejected, or, when the phone system put it through anyway
	// (it may ignore the reject), it is recorded as it went, marked.
	Blocked    bool       `json:"blocked,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	// AgentUserID is the user who answered (inbound) or placed (outbound)
	// the call; 0 when none is known. AgentName is derived: his contact's
	// name, else his login.
	AgentUserID int64  `json:"agent_user_id,omitempty"`
	AgentName   string `json:"agent_name,omitempty"`
	// ContactID is the best match of the other party's number (the first of
	// CallerIDs), 0 when the number found nobody. ContactName is derived.
	ContactID   int64  `json:"contact_id,omitempty"`
	ContactName string `json:"contact_name,omitempty"`
	// CallerIDs are every person the number found when the call started,
	// best first.
	CallerIDs []int64 `json:"caller_ids,omitempty"`
	// RingingUserIDs are the users the call rang for, who were told.
	RingingUserIDs []int64 `json:"ringing_user_ids,omitempty"`
	// PhoneCallID is the PhoneCall the call became when an agent tied it to
	// a ticket from the screen pop; TicketID and TicketRef are derived.
	PhoneCallID int64  `json:"phonecall_id,omitempty"`
	TicketID    int64  `json:"ticket_id,omitempty"`
	TicketRef   string `json:"ticket_ref,omitempty"`
}

// Number returns the other party's number: the caller's for an inbound
// call, the dialled one for an outbound call.
func (c *Call) Number() string {
	if c.Direction == DirectionOut {
		return c.To
	}
	return c.From
}

// Ended reports whether the call is over.
func (c *Call) Ended() bool { return c.EndedAt != nil }

// HangupLost reports whether the call ended without its hangup (cause
// hangupNotReceived): its end and its duration are not known.
func (c *Call) HangupLost() bool { return c.EndedAt != nil && c.Cause == CauseHangupNotReceived }

// Duration returns how long the call was talked: from the answer to the
// hangup, 0 when it was not answered, is not over, or its hangup was lost.
func (c *Call) Duration() time.Duration {
	if c.AnsweredAt == nil || c.EndedAt == nil || c.EndedAt.Before(*c.AnsweredAt) || c.HangupLost() {
		return 0
	}
	return c.EndedAt.Sub(*c.AnsweredAt)
}

// Flow returns the PhoneCall flow of the call's direction.
func (c *Call) Flow() string {
	if c.Direction == DirectionOut {
		return FlowOutbound
	}
	return FlowInbound
}

// maxCallText bounds the texts of a call event: ids, numbers, queue, cause.
const maxCallText = 255

// Validate checks the call's attributes.
func (c *Call) Validate() error {
	c.CallID = strings.TrimSpace(c.CallID)
	switch {
	case c.CallID == "":
		return Invalid("callId", "error.call_id_required")
	case len(c.CallID) > maxCallText:
		return Invalid("callId", "error.call_id_too_long")
	case c.Direction != DirectionIn && c.Direction != DirectionOut:
		return Invalid("direction", "error.direction_in_out")
	case !slices.Contains(CallStates, c.State):
		return Invalid("state", "error.state_one_of", strings.Join(CallStates, ", "))
	}
	for _, f := range []struct{ name, v string }{{"from", c.From}, {"to", c.To}, {"queue", c.Queue}, {"cause", c.Cause}} {
		if len(f.v) > maxCallText || !utf8.ValidString(f.v) {
			return Invalid(f.name, "error.too_long_255", f.name)
		}
	}
	return nil
}

// CallFilter selects calls. Zero fields do not filter.
type CallFilter struct {
	ID            *int64
	IntegrationID *int64
	CallID        *string
	// States selects calls in any of these states.
	States    []string
	Direction string
	// AgentUserID selects the calls answered or placed by this user.
	AgentUserID *int64
	Queue       *string
	// ContactIDs selects the calls whose contact (the best match of the
	// other party's number) is one of these persons; nil: any.
	ContactIDs []int64
	// From (inclusive) and To (exclusive) bound the start of the calls.
	From, To *time.Time
	Offset   int
	Limit    int
	// NoCount spares the count of every call matching (the total returned
	// is then that of the page), for readers that show a page only.
	NoCount bool
	// NoLists spares the reads of the calls' CallerIDs and RingingUserIDs
	// (left nil), for readers that need neither (the call events, which
	// read the call again as they write it).
	NoLists bool
}

// CallAgent is a user who answered or placed calls, for the call log's
// filter.
type CallAgent struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

// CallService keeps the call log. A call is visible as a PhoneCall is: with
// the ticket it was tied to; without one, with its contact; with neither, to
// its agent, or to the agents it rang for while nobody answered (and to
// unscoped users). Reading needs the right to read phone calls; recording
// events is for the integrations (see cti.Calls), which act as the system.
type CallService interface {
	FindCallByID(ctx context.Context, id int64) (*Call, error)
	// FindCalls returns the calls matching filter, latest first, and their
	// total count.
	FindCalls(ctx context.Context, filter CallFilter) ([]*Call, int, error)
	// FindCallFacets returns the agents and queues of the calls, for the
	// call log's filters.
	FindCallFacets(ctx context.Context) ([]CallAgent, []string, error)
	// ApplyCall runs apply on the call of callID within the integration, in
	// one write transaction, and saves what apply made of it: a call not
	// recorded yet comes with ID 0, and is created. Concurrent events of one
	// call are serialized, each apply seeing what the one before saved. An
	// error from apply changes nothing. When a call tied to a PhoneCall
	// ends, the PhoneCall gets the call's duration. apply must not call the
	// store.
	ApplyCall(ctx context.Context, integrationID int64, callID string, apply func(c *Call) error) (*Call, error)
	// EndStaleCalls ends every call not over whose last event came before
	// quietSince, as CauseHangupNotReceived: one ringing is missed
	// (inbound) or unanswered (outbound), one answered stays so. It returns
	// the calls it ended, each ended once however many instances sweep at
	// the same time.
	EndStaleCalls(ctx context.Context, quietSince time.Time) ([]*Call, error)
	// LinkCall ties the call of id to a ticket, as the PhoneCall pc (flow,
	// number, date and duration come from the call; contact, agent and note
	// from pc), which it creates. A call tied already to that ticket gives
	// its PhoneCall back; a call tied to another ticket is ECONFLICT.
	LinkCall(ctx context.Context, id int64, pc *PhoneCall) (*PhoneCall, error)
}
