package desk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Calls as the phone system reports them (DESIGN.md section 7): a phone system
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
	Voicemail  bool       `json:"voicemail,omitempty"`
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

// Duration returns how long the call was talked: from the answer to the
// hangup, 0 when it was not answered or is not over.
func (c *Call) Duration() time.Duration {
	if c.AnsweredAt == nil || c.EndedAt == nil || c.EndedAt.Before(*c.AnsweredAt) {
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
		return FieldErrorf("callId", "The call id is required.")
	case len(c.CallID) > maxCallText:
		return FieldErrorf("callId", "The call id is longer than 255 characters.")
	case c.Direction != DirectionIn && c.Direction != DirectionOut:
		return FieldErrorf("direction", "The direction must be in or out.")
	case !slices.Contains(CallStates, c.State):
		return FieldErrorf("state", "The state must be one of %s.", strings.Join(CallStates, ", "))
	}
	for _, f := range []struct{ name, v string }{{"from", c.From}, {"to", c.To}, {"queue", c.Queue}, {"cause", c.Cause}} {
		if len(f.v) > maxCallText || !utf8.ValidString(f.v) {
			return FieldErrorf(f.name, "%s is longer than 255 characters.", f.name)
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
	// From (inclusive) and To (exclusive) bound the start of the calls.
	From, To *time.Time
	Offset   int
	Limit    int
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
	// LinkCall ties the call of id to a ticket, as the PhoneCall pc (flow,
	// number, date and duration come from the call; contact, agent and note
	// from pc), which it creates. A call tied already to that ticket gives
	// its PhoneCall back; a call tied to another ticket is ECONFLICT.
	LinkCall(ctx context.Context, id int64, pc *PhoneCall) (*PhoneCall, error)
}

// IntegrationTokenPrefix starts every integration token: a token that leaks
// is recognized for what it is, and is never taken for an API token.
const IntegrationTokenPrefix = "cti_"

// Integration is a phone system allowed to post call events, with its own
// token. Unlike an API token, an integration token may only post call
// events: it reads nothing, so it may travel in a URL as Zammad's does, and
// phone systems whose scripts cannot set a header can use it.
type Integration struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the integration's token was revoked.
func (i *Integration) Revoked() bool { return i.RevokedAt != nil }

// ValidateIntegrationName trims an integration's name and checks it.
func ValidateIntegrationName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, FieldErrorf("name", "Name is required.")
	case utf8.RuneCountInString(name) > 100:
		return name, FieldErrorf("name", "The integration name is longer than 100 characters.")
	}
	return name, nil
}

// BlockedNumber is a number whose inbound calls the phone system is told to
// reject (busy).
type BlockedNumber struct {
	ID        int64     `json:"id"`
	Number    string    `json:"number"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CallerIDRule tells the phone system which caller id to present for an
// outbound call to the numbers Pattern matches: digits and +, with * for
// any run of characters ("+33*", "0044*", "*"). The first rule that
// matches, in ID order, wins.
type CallerIDRule struct {
	ID        int64     `json:"id"`
	Pattern   string    `json:"pattern"`
	CallerID  string    `json:"caller_id"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the rule.
func (r *CallerIDRule) Validate() error {
	r.Pattern = strings.TrimSpace(r.Pattern)
	r.CallerID = strings.TrimSpace(r.CallerID)
	switch {
	case r.Pattern == "":
		return FieldErrorf("pattern", "The number pattern is required.")
	case len(r.Pattern) > 64 || strings.Trim(r.Pattern, "0123456789+*#") != "":
		return FieldErrorf("pattern", "The number pattern may hold digits, +, # and * (any digits), at most 64.")
	case r.CallerID == "":
		return FieldErrorf("caller_id", "The caller id is required.")
	case len(r.CallerID) > 64 || strings.Trim(r.CallerID, "0123456789+ ") != "":
		return FieldErrorf("caller_id", "The caller id must be a phone number.")
	case len(r.Note) > 255:
		return FieldErrorf("note", "Note is longer than 255 characters.")
	}
	return nil
}

// Matches reports whether number (as the phone system sends it) is one the
// rule applies to: the pattern matches the number as given, spaces and
// punctuation left out.
func (r *CallerIDRule) Matches(number string) bool {
	var b strings.Builder
	for _, c := range strings.TrimSpace(number) {
		if (c >= '0' && c <= '9') || c == '+' || c == '#' {
			b.WriteRune(c)
		}
	}
	return wildcardMatch(r.Pattern, b.String())
}

// wildcardMatch reports whether s matches pattern, where * stands for any
// run of characters and every other character for itself.
func wildcardMatch(pattern, s string) bool {
	// Greedy with backtracking to the last star: linear in practice.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// AgentSettings are a user's telephony settings: the extension the phone
// system knows him by, and whether his open ctidesk tab opens the screen pop
// by itself when he answers a call.
type AgentSettings struct {
	UserID int64  `json:"user_id"`
	Login  string `json:"login"`
	// Name is derived: the user's contact's name, else his login.
	Name      string `json:"name"`
	Extension string `json:"extension,omitempty"`
	// PopOnAnswer opens the screen pop in the agent's tab on answer; true
	// unless he turned it off.
	PopOnAnswer bool `json:"pop_on_answer"`
}

// Validate checks the settings.
func (a *AgentSettings) Validate() error {
	a.Extension = strings.TrimSpace(a.Extension)
	if len(a.Extension) > 64 || strings.ContainsAny(a.Extension, " \t\r\n") {
		return FieldErrorf("extension", "The extension is a phone system's name for the agent: at most 64 characters, no space.")
	}
	return nil
}

// TelephonyService holds what administrators set for the phone systems:
// integrations and their tokens, the block list, caller id rules, the agents'
// extensions. Only an admin changes them (a user may change his own
// PopOnAnswer); the integrations read them through AuthenticateIntegration,
// IsBlockedNumber, FindCallerIDRules and FindAgents, acting as the system.
type TelephonyService interface {
	// CreateIntegration returns a new random token for a new integration,
	// and its record. The token is not kept: it cannot be shown again.
	CreateIntegration(ctx context.Context, name string) (token string, i *Integration, err error)
	FindIntegrations(ctx context.Context) ([]*Integration, error)
	// RevokeIntegration revokes an integration's token for good.
	RevokeIntegration(ctx context.Context, id int64) (*Integration, error)
	// AuthenticateIntegration returns the integration of token; an unknown
	// or revoked token is EUNAUTHORIZED. It needs no user in ctx.
	AuthenticateIntegration(ctx context.Context, token string) (*Integration, error)

	FindBlockedNumbers(ctx context.Context) ([]*BlockedNumber, error)
	// CreateBlockedNumber adds a number to the block list; a number blocked
	// already (in any form) is ECONFLICT.
	CreateBlockedNumber(ctx context.Context, b *BlockedNumber) error
	DeleteBlockedNumber(ctx context.Context, id int64) error
	// IsBlockedNumber reports whether number, in any form, is blocked.
	IsBlockedNumber(ctx context.Context, number string) (bool, error)

	// FindCallerIDRules returns the rules in the order they apply.
	FindCallerIDRules(ctx context.Context) ([]*CallerIDRule, error)
	CreateCallerIDRule(ctx context.Context, r *CallerIDRule) error
	DeleteCallerIDRule(ctx context.Context, id int64) error

	// FindAgentSettings returns the settings of a user (defaults when he
	// has none); a user reads his own, an admin anyone's.
	FindAgentSettings(ctx context.Context, userID int64) (*AgentSettings, error)
	// FindAgentsSettings returns the settings of every user who has an
	// extension, by login.
	FindAgentsSettings(ctx context.Context) ([]*AgentSettings, error)
	// UpdateAgentSettings changes a user's settings: only an admin sets an
	// extension (an extension decides whose calls an agent sees); a user
	// may change his own PopOnAnswer. An extension another user has is
	// ECONFLICT.
	UpdateAgentSettings(ctx context.Context, userID int64, upd AgentSettingsUpdate) (*AgentSettings, error)
	// FindAgents returns the users a phone system's name for an agent
	// designates: his extension, else his login (any case), else his
	// contact's phone number, else his contact's full name (any case), with
	// roles and organizations. Nobody is an empty list.
	FindAgents(ctx context.Context, key string) ([]*User, error)
}

// AgentSettingsUpdate holds the settings to change; nil leaves one as it is.
type AgentSettingsUpdate struct {
	Extension   *string
	PopOnAnswer *bool
}

// PushEvent is a notification for the browsers of one user (DESIGN.md
// section 8): a ringing call, an answer that opens the screen pop, a call
// that ended.
type PushEvent struct {
	// ID orders the events of a bus: it increases with every publication,
	// so that a browser reconnecting with Last-Event-ID gets the events it
	// missed. The bus sets it.
	ID uint64
	// Type names the event (the SSE event field): ringing, answered, ended.
	Type string
	// Data is the event's JSON.
	Data []byte
	// Time is when it was published; the bus sets it.
	Time time.Time
}

// EventBus carries push events to the browsers of a user, wherever they are
// connected. The in-memory bus (cti.MemoryBus) serves one instance; with
// several instances behind a load balancer, a bus shared through the
// database (PostgreSQL LISTEN/NOTIFY) lets an event posted to one instance
// reach an agent connected to another. An implementation must:
//   - give IDs that increase across every instance that shares it (a
//     database sequence), so that Last-Event-ID resumes on any instance;
//   - keep, per user, the last events for a short while, and replay those
//     after lastEventID to a new subscriber;
//   - never block Publish on a slow subscriber: it closes such a
//     subscriber's channel instead (the browser reconnects and replays).
type EventBus interface {
	// Publish sends ev to every subscription of user userID, now and to
	// those that resume soon after.
	Publish(ctx context.Context, userID int64, ev PushEvent) error
	// Subscribe returns the events of user userID: first the kept events
	// published after lastEventID (none when it is 0), then every new one.
	// The channel closes when cancel is called or the subscriber falls too
	// far behind.
	Subscribe(userID int64, lastEventID uint64) (events <-chan PushEvent, cancel func())
}

// EventFanout is the part of an EventBus in one process: it keeps each
// user's last events, replays them to a subscriber that resumes, and hands
// every event to the user's subscriptions (cti.MemoryBus). A bus shared by
// several instances numbers its events and delivers each to the fanout of
// every instance.
type EventFanout interface {
	// Deliver keeps ev, which has its ID and time, and sends it to every
	// subscription of user userID.
	Deliver(userID int64, ev PushEvent)
	// Subscribe is EventBus.Subscribe.
	Subscribe(userID int64, lastEventID uint64) (events <-chan PushEvent, cancel func())
	// Subscribers returns how many subscriptions user userID has.
	Subscribers(userID int64) int
	// Close closes every subscription; Deliver drops events from then on and
	// Subscribe returns a closed channel.
	Close()
}
