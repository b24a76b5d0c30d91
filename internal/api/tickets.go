package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

func (s *Server) apiTicketRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/tickets", s.apiTickets},
		{http.MethodPost, "/api/v1/tickets", s.apiTicketCreate},
		{http.MethodGet, "/api/v1/tickets/{id}", s.apiTicket},
		{http.MethodPatch, "/api/v1/tickets/{id}", s.apiTicketUpdate},
		{http.MethodPost, "/api/v1/tickets/{id}/log", s.apiTicketLog},
	}
}

// apiTicketSummary is a ticket in a list: without its logs, which lists do
// not load (the shallower fields hide the embedded ones, and stay empty).
type apiTicketSummary struct {
	*desk.Ticket
	PublicLog  []desk.LogEntry `json:"public_log,omitempty"`
	PrivateLog []desk.LogEntry `json:"private_log,omitempty"`
}

// apiTicketInput is the body of a new ticket. The reference, dates and logs
// are the desk's to set; a log entry is added with POST .../log.
type apiTicketInput struct {
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Description string `json:"description"`
	OrgID       int64  `json:"org_id"`
	CallerID    int64  `json:"caller_id"`
	AgentID     int64  `json:"agent_id"`
	TeamID      int64  `json:"team_id"`
	Status      string `json:"status"`
	Origin      string `json:"origin"`
	Priority    int    `json:"priority"`
	Urgency     int    `json:"urgency"`
	Impact      int    `json:"impact"`
}

// apiTicketPatch is the body of a ticket's update.
type apiTicketPatch struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	OrgID       *int64  `json:"org_id"`
	CallerID    *int64  `json:"caller_id"`
	AgentID     *int64  `json:"agent_id"`
	TeamID      *int64  `json:"team_id"`
	Status      *string `json:"status"`
	Origin      *string `json:"origin"`
	Priority    *int    `json:"priority"`
	Urgency     *int    `json:"urgency"`
	Impact      *int    `json:"impact"`
}

// apiLogInput is the body of a new log entry; the log defaults to the
// private one, as on the ticket page.
type apiLogInput struct {
	Log  string `json:"log"`
	Text string `json:"text"`
}

// apiTickets lists tickets, newest first, filtered by kind, status, caller,
// organization, ongoing (status not closed) and q (reference or title).
func (s *Server) apiTickets(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := apiPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := desk.TicketFilter{Kind: q.Get("kind"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")),
		Offset: offset, Limit: limit}
	if filter.Kind != "" && !desk.IsTicketKind(filter.Kind) {
		return desk.Invalid("kind", "error.kind_one_of", strings.Join(desk.TicketKinds, ", "))
	}
	if filter.Status != "" && !slices.Contains(desk.TicketStatuses, filter.Status) {
		return desk.Invalid("status", "error.status_one_of", strings.Join(desk.TicketStatuses, ", "))
	}
	if filter.Ongoing, err = queryBool(r, "ongoing"); err != nil {
		return err
	}
	if filter.OrgID, err = request.QueryID(r, "org_id"); err != nil {
		return err
	}
	if filter.CallerID, err = request.QueryID(r, "caller_id"); err != nil {
		return err
	}
	teamID, err := request.QueryID(r, "team_id")
	if err != nil {
		return err
	}
	if teamID != nil {
		filter.TeamIDs = []int64{*teamID}
	}
	tickets, total, err := s.svc.Tickets.FindTickets(r.Context(), filter)
	if err != nil {
		return err
	}
	items := make([]apiTicketSummary, len(tickets))
	for i, t := range tickets {
		items[i] = apiTicketSummary{Ticket: t}
	}
	writeJSON(w, http.StatusOK, newAPIList(items, total, offset, limit))
	return nil
}

// withLogs returns t with empty logs as [] rather than null.
func withLogs(t *desk.Ticket) *desk.Ticket {
	if t.PublicLog == nil {
		t.PublicLog = []desk.LogEntry{}
	}
	if t.PrivateLog == nil {
		t.PrivateLog = []desk.LogEntry{}
	}
	return t
}

func (s *Server) apiTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := apiFind(r, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withLogs(t))
	return nil
}

func (s *Server) apiTicketCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassTicket); err != nil {
		return err
	}
	var in apiTicketInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t := &desk.Ticket{Kind: in.Kind, Title: in.Title, Description: in.Description, OrgID: in.OrgID,
		CallerID: in.CallerID, AgentID: in.AgentID, TeamID: in.TeamID, Status: in.Status, Origin: in.Origin,
		Priority: in.Priority, Urgency: in.Urgency, Impact: in.Impact}
	if err := s.svc.Tickets.CreateTicket(r.Context(), t); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("%stickets/%d", apiPrefix, t.ID), withLogs(t))
	return nil
}

func (s *Server) apiTicketUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassTicket, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	var in apiTicketPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := s.svc.Tickets.UpdateTicket(r.Context(), old.ID, desk.TicketUpdate{
		Title: in.Title, Description: in.Description, OrgID: in.OrgID, CallerID: in.CallerID, AgentID: in.AgentID,
		TeamID: in.TeamID, Status: in.Status, Origin: in.Origin, Priority: in.Priority, Urgency: in.Urgency, Impact: in.Impact,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withLogs(t))
	return nil
}

// apiTicketLog appends an entry to the ticket's public or private log, dated
// now and signed by the token's user, and answers the ticket.
func (s *Server) apiTicketLog(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassTicket, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	var in apiLogInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Log == "" {
		in.Log = desk.PrivateLog
	}
	t, err := s.svc.Tickets.AddLogEntry(r.Context(), old.ID, in.Log, in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withLogs(t))
	return nil
}
