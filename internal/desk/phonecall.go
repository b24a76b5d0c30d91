package desk

import (
	"context"
	"strings"
	"time"
)

// Phone call flows.
const (
	FlowInbound  = "inbound"
	FlowOutbound = "outbound"
)

// PhoneCall records a call with a contact, usually tied to a ticket.
type PhoneCall struct {
	ID          int64     `json:"id" oql:"id"`
	ContactID   int64     `json:"contact_id,omitempty" oql:"extkey=Person"` // 0: unknown contact
	ContactName string    `json:"contact_name,omitempty" oql:"string,derived"`
	AgentID     int64     `json:"agent_id" oql:"extkey=Person,required"`
	AgentName   string    `json:"agent_name,omitempty" oql:"string,derived"`
	TicketID    int64     `json:"ticket_id,omitempty" oql:"extkey=Ticket"` // 0: not yet tied to a ticket
	TicketRef   string    `json:"ticket_ref,omitempty" oql:"string,derived"`
	Date        time.Time `json:"date" oql:"datetime,order=-1"`
	Flow        string    `json:"flow" oql:"enum,required"`
	Note        string    `json:"note" oql:"text"`
	Number      string    `json:"number" oql:"string,naming"`
	Duration    int       `json:"duration" oql:"int"` // seconds
}

// Validate checks the phone call's attributes.
func (c *PhoneCall) Validate() error {
	if c.AgentID == 0 {
		return Invalid("agent_id", "error.agent_required")
	}
	if c.Flow != FlowInbound && c.Flow != FlowOutbound {
		return Invalid("flow", "error.flow_in_out")
	}
	c.Number = strings.TrimSpace(c.Number)
	if len(c.Number) > 64 {
		return Invalid("number", "error.number_too_long")
	}
	if len(c.Note) > 65535 {
		return Invalid("note", "error.note_too_long")
	}
	if c.Duration < 0 {
		return Invalid("duration", "error.duration_negative")
	}
	if c.Duration > MaxDuration {
		return Invalid("duration", "error.duration_too_long", MaxDuration)
	}
	return nil
}

// MaxDuration bounds a phone call's duration, in seconds: a week, far
// below what the column holds (a 32-bit integer).
const MaxDuration = 7 * 24 * 3600

// PhoneCallFilter selects phone calls.
type PhoneCallFilter struct {
	ID        *int64
	TicketID  *int64
	ContactID *int64
	// ContactIDs selects the calls of any of these contacts; nil: any.
	ContactIDs []int64
	AgentID    *int64
	Flow       string
	From, To   *time.Time
	Offset     int
	Limit      int
	// NoCount spares the count of every phone call matching (the total
	// returned is then that of the page), for readers that show a page
	// only.
	NoCount bool
}

// PhoneCallUpdate holds the attributes to change; flow and ticket stay fixed
// once the call is tied to a ticket.
type PhoneCallUpdate struct {
	Note     *string
	TicketID *int64
	Duration *int
}

// PhoneCallService manages phone calls. A call is visible to a user who may
// see its ticket, or its contact when it has no ticket.
type PhoneCallService interface {
	FindPhoneCallByID(ctx context.Context, id int64) (*PhoneCall, error)
	FindPhoneCalls(ctx context.Context, filter PhoneCallFilter) ([]*PhoneCall, int, error)
	CreatePhoneCall(ctx context.Context, c *PhoneCall) error
	UpdatePhoneCall(ctx context.Context, id int64, upd PhoneCallUpdate) (*PhoneCall, error)
}
