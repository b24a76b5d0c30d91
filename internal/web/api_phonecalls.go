package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) apiPhoneCallRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/phonecalls", s.apiPhoneCalls},
		{http.MethodPost, "/api/v1/phonecalls", s.apiPhoneCallCreate},
		{http.MethodGet, "/api/v1/phonecalls/{id}", s.apiPhoneCall},
		{http.MethodPatch, "/api/v1/phonecalls/{id}", s.apiPhoneCallUpdate},
	}
}

// apiPhoneCallInput is the body of a new phone call. Without agent_id the
// agent is the token's user's contact; without date, now.
type apiPhoneCallInput struct {
	ContactID int64  `json:"contact_id"`
	AgentID   int64  `json:"agent_id"`
	TicketID  int64  `json:"ticket_id"`
	Date      string `json:"date"`
	Flow      string `json:"flow"`
	Note      string `json:"note"`
	Number    string `json:"number"`
	Duration  int    `json:"duration"`
}

// apiPhoneCallPatch is the body of a phone call's update: the note, the
// duration, and the ticket of a call not tied to one yet.
type apiPhoneCallPatch struct {
	Note     *string `json:"note"`
	TicketID *int64  `json:"ticket_id"`
	Duration *int    `json:"duration"`
}

// apiPhoneCalls lists phone calls, newest first: ticket_id, contact_id and
// agent_id select by reference (0: the calls without one), flow by direction,
// from (inclusive) and to (exclusive) by date, in RFC 3339.
func (s *Server) apiPhoneCalls(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := apiPage(r)
	if err != nil {
		return err
	}
	filter := desk.PhoneCallFilter{Flow: r.URL.Query().Get("flow"), Offset: offset, Limit: limit}
	if filter.Flow != "" && filter.Flow != desk.FlowInbound && filter.Flow != desk.FlowOutbound {
		return desk.Invalid("flow", "error.flow_in_out")
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"ticket_id", &filter.TicketID}, {"contact_id", &filter.ContactID}, {"agent_id", &filter.AgentID}} {
		if *f.dst, err = queryRef(r, f.name); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"from", &filter.From}, {"to", &filter.To}} {
		if *f.dst, err = queryTime(r, f.name); err != nil {
			return err
		}
	}
	calls, total, err := s.svc.PhoneCalls.FindPhoneCalls(r.Context(), filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(calls, total, offset, limit))
	return nil
}

// queryRef reads an optional reference parameter: an id, or 0 for none.
func queryRef(r *http.Request, name string) (*int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return nil, desk.Invalid(name, "error.not_identifier", v)
	}
	return &id, nil
}

// queryTime reads an optional RFC 3339 date and time parameter.
func queryTime(r *http.Request, name string) (*time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, desk.Invalid(name, "error.not_datetime", name)
	}
	return &t, nil
}

func (s *Server) apiPhoneCall(w http.ResponseWriter, r *http.Request) error {
	c, err := apiFind(r, s.svc.PhoneCalls.FindPhoneCallByID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiPhoneCallCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassPhoneCall); err != nil {
		return err
	}
	var in apiPhoneCallInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := &desk.PhoneCall{ContactID: in.ContactID, AgentID: in.AgentID, TicketID: in.TicketID,
		Flow: in.Flow, Note: in.Note, Number: in.Number, Duration: in.Duration}
	if in.Date != "" {
		var err error
		if c.Date, err = time.Parse(time.RFC3339, in.Date); err != nil {
			return desk.Invalid("date", "error.date_not_datetime")
		}
	}
	if c.AgentID == 0 {
		c.AgentID = desk.UserFromContext(r.Context()).ContactID
	}
	if err := s.svc.PhoneCalls.CreatePhoneCall(r.Context(), c); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("%sphonecalls/%d", apiPrefix, c.ID), c)
	return nil
}

func (s *Server) apiPhoneCallUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassPhoneCall, s.svc.PhoneCalls.FindPhoneCallByID)
	if err != nil {
		return err
	}
	var in apiPhoneCallPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.svc.PhoneCalls.UpdatePhoneCall(r.Context(), old.ID, desk.PhoneCallUpdate{
		Note: in.Note, TicketID: in.TicketID, Duration: in.Duration,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
