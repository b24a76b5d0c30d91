package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Ticket kinds: the concrete classes of the abstract class Ticket.
const (
	KindUserRequest = "UserRequest"
	KindIncident    = "Incident"
	KindProblem     = "Problem"
	KindChange      = "Change"
)

// TicketKinds lists every kind of Ticket, in display order.
var TicketKinds = []string{KindUserRequest, KindIncident, KindProblem, KindChange}

// Ticket statuses. "Ongoing" means any status but closed.
const (
	TicketNew      = "new"
	TicketAssigned = "assigned"
	TicketPending  = "pending"
	TicketResolved = "resolved"
	TicketClosed   = "closed"
)

// TicketStatuses lists every ticket status in lifecycle order.
var TicketStatuses = []string{TicketNew, TicketAssigned, TicketPending, TicketResolved, TicketClosed}

// ITopTicketStatuses are the statuses of iTop's ticket lifecycles that
// ctidesk's lacks, each with the status ctidesk keeps a ticket in that iTop
// would have in it (docs/oql.md): a UserRequest escalated, waiting for or
// given an approval, or dispatched to a team is not yet an agent's (new); one
// escalated once assigned is still assigned; a rejected one is done with
// (closed). The statuses of iTop's changes (planned, validated...) are known
// to queries; a configuration that writes them writes the status of the same
// name's UserRequest, or new.
var ITopTicketStatuses = map[string]string{
	"escalated_tto":        TicketNew,
	"waiting_for_approval": TicketNew,
	"approved":             TicketNew,
	"dispatched":           TicketNew,
	"redispatched":         TicketNew,
	"escalated_ttr":        TicketAssigned,
	"rejected":             TicketClosed,
	// iTop's changes: simple (planned) and ITIL.
	"planned":          TicketAssigned,
	"validated":        TicketNew,
	"plannedscheduled": TicketAssigned,
	"notapproved":      TicketClosed,
	"implemented":      TicketResolved,
	"monitored":        TicketResolved,
}

// TicketStatusOf returns the ctidesk status of a status written for iTop:
// ctidesk's own, or the one it keeps for iTop's (ITopTicketStatuses).
func TicketStatusOf(status string) (string, bool) {
	if slices.Contains(TicketStatuses, status) {
		return status, true
	}
	s, ok := ITopTicketStatuses[status]
	return s, ok
}

// OperationalStatuses are the values of iTop's operational_status, which
// sums a ticket's status up: resolved, closed, or ongoing for any other.
var OperationalStatuses = []string{"ongoing", TicketResolved, TicketClosed}

// TicketOrigins lists how a ticket may have reached the desk.
var TicketOrigins = []string{"phone", "mail", "portal", "monitoring"}

// TicketLevels are the values of priority, urgency and impact (1 = highest).
var TicketLevels = []int{1, 2, 3, 4}

// Log names.
const (
	PublicLog  = "public_log"
	PrivateLog = "private_log"
)

// LogEntry is one entry of a ticket's append-only public or private log.
type LogEntry struct {
	Date   time.Time `json:"date"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// Ticket is a UserRequest, Incident, Problem or Change.
type Ticket struct {
	ID          int64  `json:"id" oql:"id"`
	Kind        string `json:"kind"`
	Ref         string `json:"ref" oql:"string,readonly,naming"`
	Title       string `json:"title" oql:"string,required"`
	Description string `json:"description" oql:"text"`
	OrgID       int64  `json:"org_id" oql:"extkey=Organization,required"`
	OrgName     string `json:"org_name" oql:"string,derived"` // derived
	CallerID    int64  `json:"caller_id,omitempty" oql:"extkey=Person"`
	CallerName  string `json:"caller_name,omitempty" oql:"string,derived"` // derived
	AgentID     int64  `json:"agent_id,omitempty" oql:"extkey=Person"`
	AgentName   string `json:"agent_name,omitempty" oql:"string,derived"` // derived
	// TeamID is the team the ticket is assigned to (then to an agent,
	// preferably of that team), 0 for none.
	TeamID     int64      `json:"team_id,omitempty" oql:"extkey=Team"`
	TeamName   string     `json:"team_name,omitempty" oql:"string,derived"` // derived
	Status     string     `json:"status" oql:"enum"`
	Origin     string     `json:"origin" oql:"enum"`
	Priority   int        `json:"priority,omitempty" oql:"int,kinds=UserRequest|Incident"` // UserRequest and Incident only
	Urgency    int        `json:"urgency,omitempty" oql:"int,kinds=UserRequest|Incident"`
	Impact     int        `json:"impact,omitempty" oql:"int,kinds=UserRequest|Incident"`
	StartDate  time.Time  `json:"start_date" oql:"datetime,order=-1"`
	LastUpdate time.Time  `json:"last_update" oql:"datetime,readonly"`
	CloseDate  *time.Time `json:"close_date,omitempty" oql:"datetime,readonly"`
	PublicLog  []LogEntry `json:"public_log" oql:"log"`
	PrivateLog []LogEntry `json:"private_log" oql:"log"`
	// PhoneTime is the time on the phone: the total duration of the
	// ticket's phone calls, in seconds (derived). Not an OQL attribute:
	// every query of tickets would sum the phone calls of each row.
	PhoneTime int `json:"phone_time"`
}

// HasLevels reports whether the kind carries priority, urgency and impact.
func HasLevels(kind string) bool {
	return kind == KindUserRequest || kind == KindIncident
}

// IsTicketKind reports whether kind names a concrete ticket class.
func IsTicketKind(kind string) bool { return slices.Contains(TicketKinds, kind) }

// TicketRef returns the reference shown for a ticket: a letter for the kind and
// the id on six digits (R-000123).
func TicketRef(kind string, id int64) string {
	prefix := "T"
	switch kind {
	case KindUserRequest:
		prefix = "R"
	case KindIncident:
		prefix = "I"
	case KindProblem:
		prefix = "P"
	case KindChange:
		prefix = "C"
	}
	return fmt.Sprintf("%s-%06d", prefix, id)
}

// ParseTicketRef returns the id in a reference such as R-000123, r-123 or
// plain 123, and false when s is not one.
func ParseTicketRef(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[1] == '-' && strings.ContainsRune("RIPCTripct", rune(s[0])) {
		s = s[2:]
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var id int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		id = id*10 + int64(c-'0')
	}
	return id, id > 0
}

// IsOngoing reports whether the ticket is not closed.
func (t *Ticket) IsOngoing() bool { return t.Status != TicketClosed }

// Validate checks the ticket's attributes and fills defaults.
func (t *Ticket) Validate() error {
	t.Title = strings.TrimSpace(t.Title)
	if !IsTicketKind(t.Kind) {
		return Invalid("kind", "error.kind_one_of", strings.Join(TicketKinds, ", "))
	}
	if t.Title == "" {
		return Invalid("title", "error.title_required")
	}
	if len(t.Title) > 255 {
		return Invalid("title", "error.title_too_long")
	}
	if len(t.Description) > 65535 {
		return Invalid("description", "error.description_too_long")
	}
	if t.OrgID == 0 {
		return Invalid("org_id", "error.organization_required")
	}
	if t.Status == "" {
		t.Status = TicketNew
	}
	if !slices.Contains(TicketStatuses, t.Status) {
		return Invalid("status", "error.status_one_of", strings.Join(TicketStatuses, ", "))
	}
	if t.Origin == "" {
		t.Origin = "phone"
	}
	if !slices.Contains(TicketOrigins, t.Origin) {
		return Invalid("origin", "error.origin_one_of", strings.Join(TicketOrigins, ", "))
	}
	if HasLevels(t.Kind) {
		for _, l := range []struct {
			field string
			v     *int
		}{{"priority", &t.Priority}, {"urgency", &t.Urgency}, {"impact", &t.Impact}} {
			if *l.v == 0 {
				*l.v = 3
			}
			if !slices.Contains(TicketLevels, *l.v) {
				return Invalid(l.field, "error.level_range", l.field)
			}
		}
	} else {
		t.Priority, t.Urgency, t.Impact = 0, 0, 0
	}
	for _, e := range append(slices.Clone(t.PublicLog), t.PrivateLog...) {
		if err := ValidateLogText(e.Text); err != nil {
			return err
		}
	}
	return nil
}

// ValidateLogText checks the text of a new log entry.
func ValidateLogText(text string) error {
	if strings.TrimSpace(text) == "" {
		return Invalid("text", "error.log_entry_empty")
	}
	if len(text) > 65535 {
		return Invalid("text", "error.log_entry_too_long")
	}
	return nil
}

// TicketFilter selects tickets. Zero fields do not filter.
type TicketFilter struct {
	ID       *int64
	IDs      []int64
	Kind     string
	Status   string
	Ongoing  bool // status != closed
	OrgID    *int64
	CallerID *int64
	// CallerIDs selects tickets of any of these callers.
	CallerIDs []int64
	// AgentID selects the tickets assigned to this person (the agent's
	// "Mine": his contact person).
	AgentID *int64
	// Unassigned selects the tickets assigned to nobody.
	Unassigned bool
	// TeamIDs selects the tickets assigned to any of these teams.
	TeamIDs []int64
	// TeamMemberID selects the tickets assigned to a team this person is a
	// member of (the agent's "My team's tickets": his contact person).
	TeamMemberID *int64
	// Query matches the reference or a substring of the title.
	Query string
	// Sort is one of TicketSortKeys; "" is the newest ticket first. Desc
	// reverses it. Equal keys fall back to the newest ticket first.
	Sort   string
	Desc   bool
	Offset int
	Limit  int
}

// TicketSortKeys are the orders a ticket list may be sorted by, each a
// column of the list.
var TicketSortKeys = []string{"kind", "ref", "title", "organization", "caller", "agent", "team", "priority", "status",
	"last_update"}

// CheckTicketSort checks a sort key of a ticket list ("" is the default).
func CheckTicketSort(key string) error {
	if key != "" && !slices.Contains(TicketSortKeys, key) {
		return Invalid("sort", "error.sort_one_of", strings.Join(TicketSortKeys, ", "))
	}
	return nil
}

// TicketUpdate holds the attributes to change; nil leaves one as it is.
type TicketUpdate struct {
	Title       *string
	Description *string
	OrgID       *int64
	CallerID    *int64
	AgentID     *int64
	TeamID      *int64 // 0: none
	Status      *string
	Origin      *string
	Priority    *int
	Urgency     *int
	Impact      *int
}

// Apply copies the set fields of upd onto t.
func (upd TicketUpdate) Apply(t *Ticket) {
	setString(&t.Title, upd.Title)
	setString(&t.Description, upd.Description)
	setInt(&t.OrgID, upd.OrgID)
	setInt(&t.CallerID, upd.CallerID)
	setInt(&t.AgentID, upd.AgentID)
	setInt(&t.TeamID, upd.TeamID)
	setString(&t.Status, upd.Status)
	setString(&t.Origin, upd.Origin)
	for _, l := range []struct{ dst, v *int }{{&t.Priority, upd.Priority}, {&t.Urgency, upd.Urgency}, {&t.Impact, upd.Impact}} {
		if l.v != nil {
			*l.dst = *l.v
		}
	}
}

// TicketService manages tickets, within the organization scope of ctx.
type TicketService interface {
	FindTicketByID(ctx context.Context, id int64) (*Ticket, error)
	// FindTickets returns tickets without their logs, in the filter's order
	// (newest first by default), and the total count matching the filter.
	FindTickets(ctx context.Context, filter TicketFilter) ([]*Ticket, int, error)
	// CreateTicket sets ID and Ref; a zero StartDate or LastUpdate becomes
	// now. Log entries given without a date or author get the current time and
	// user (imports and demo data keep theirs).
	CreateTicket(ctx context.Context, t *Ticket) error
	// CreateTickets creates many tickets in few transactions, as CreateTicket
	// would one by one; progress, when not nil, gets the count done so far.
	CreateTickets(ctx context.Context, tickets []*Ticket, progress func(done int)) error
	UpdateTicket(ctx context.Context, id int64, upd TicketUpdate) (*Ticket, error)
	// AddLogEntry appends an entry to the public or private log, dated now and
	// signed by the current user.
	AddLogEntry(ctx context.Context, id int64, log string, text string) (*Ticket, error)
}
