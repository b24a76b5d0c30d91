package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// Phone Call records (iTop's PhoneCall class): the list with filters, a
// call's page, the edit form of its note; and the outbound call action of
// tickets and persons (ecall_parameters).

func (s *Server) registerPhoneCallRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /phonecalls", s.page(s.handlePhoneCalls))
	mux.HandleFunc("GET /phonecalls/{id}", s.page(s.handlePhoneCall))
	mux.HandleFunc("GET /phonecalls/{id}/edit", s.page(s.handlePhoneCallEdit))
	mux.HandleFunc("POST /phonecalls/{id}", s.action(s.handlePhoneCallUpdate))
	mux.HandleFunc("POST /tickets/{id}/call", s.action(s.handleTicketCall))
	mux.HandleFunc("POST /persons/{id}/call", s.action(s.handlePersonCall))
}

// phoneCallsView is the data of the list of phone calls.
type phoneCallsView struct {
	Layout
	Calls    []*desk.PhoneCall
	Total    int
	Pager    *Pager
	Flows    []string
	Flow     string
	AgentID  int64
	Agent    string // the filtered agent's name
	From, To string // YYYY-MM-DD
	MyID     int64  // the user's contact, for the "my calls" filter
}

// dateLayout is the value of a date input.
const dateLayout = "2006-01-02"

// handlePhoneCalls lists phone calls, newest first, filtered by agent, flow
// and a range of dates (UTC days, both ends included).
func (s *Server) handlePhoneCalls(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPhoneCall); err != nil {
		return err
	}
	q := r.URL.Query()
	v := &phoneCallsView{Layout: Layout{Nav: "calls"}, Flows: []string{desk.FlowInbound, desk.FlowOutbound},
		Flow: q.Get("flow"), From: q.Get("from"), To: q.Get("to"), MyID: desk.UserFromContext(ctx).ContactID}
	if v.Flow != "" && v.Flow != desk.FlowInbound && v.Flow != desk.FlowOutbound {
		return desk.Invalid("flow", "error.flow_in_out")
	}
	filter := desk.PhoneCallFilter{Flow: v.Flow}
	agentID, err := request.QueryID(r, "agent_id")
	if err != nil {
		return err
	}
	if agentID != nil {
		v.AgentID, filter.AgentID = *agentID, agentID
		if p, err := s.svc.Persons.FindPersonByID(ctx, *agentID); err == nil {
			v.Agent = p.FriendlyName()
		}
	}
	for _, d := range []struct {
		name, value string
		dst         **time.Time
		end         bool
	}{{"from", v.From, &filter.From, false}, {"to", v.To, &filter.To, true}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation(dateLayout, d.value, time.UTC)
		if err != nil {
			return desk.Invalid(d.name, "error.not_date", d.value)
		}
		if d.end {
			t = t.AddDate(0, 0, 1).Add(-time.Second) // the whole last day
		}
		*d.dst = &t
	}
	page := pageNumber(r)
	filter.Offset, filter.Limit = (page-1)*pageSize, pageSize
	if v.Calls, v.Total, err = s.svc.PhoneCalls.FindPhoneCalls(ctx, filter); err != nil {
		return err
	}
	v.Pager = newPager(r, page, v.Total)
	return s.render(w, r, http.StatusOK, "phonecalls", v)
}

// phoneCallView is the data of a phone call's page and edit form.
type phoneCallView struct {
	Layout
	Call   *desk.PhoneCall
	Note   string // as typed, when the form failed
	Errors map[string]string
}

func (s *Server) handlePhoneCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.svc.PhoneCalls.FindPhoneCallByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "phonecall", &phoneCallView{Layout: Layout{Nav: "calls"}, Call: c})
}

func (s *Server) handlePhoneCallEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := findForModify(r, desk.ClassPhoneCall, s.svc.PhoneCalls.FindPhoneCallByID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "phonecall_form", &phoneCallView{Layout: Layout{Nav: "calls"}, Call: c, Note: c.Note})
}

// handlePhoneCallUpdate saves the note of a call; its flow, ticket, contact
// and agent stay as recorded.
func (s *Server) handlePhoneCallUpdate(w http.ResponseWriter, r *http.Request) error {
	c, err := findForModify(r, desk.ClassPhoneCall, s.svc.PhoneCalls.FindPhoneCallByID)
	if err != nil {
		return err
	}
	note := r.PostForm.Get("note")
	if _, err := s.svc.PhoneCalls.UpdatePhoneCall(r.Context(), c.ID, desk.PhoneCallUpdate{Note: &note}); err != nil {
		v := &phoneCallView{Layout: Layout{Nav: "calls"}, Call: c, Note: note}
		if v.Errors = s.formErrors(r, err, "note"); v.Errors == nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "phonecall_form", v)
	}
	redirect(w, r, fmt.Sprintf("/phonecalls/%d", c.ID))
	return nil
}

// callOptions returns the ways the user may call p: none unless outbound
// calls are configured and the user may record phone calls under his contact.
func (s *Server) callOptions(r *http.Request, p *desk.Person) []cti.CallOption {
	user := desk.UserFromContext(r.Context())
	if s.outbound == nil || p == nil || user == nil || user.ContactID == 0 || !user.Can(desk.ActionCreate, desk.ClassPhoneCall) {
		return nil
	}
	return s.outbound.Options(p)
}

// handleTicketCall records an outbound call to the ticket's caller and sends
// the browser (a new tab: the form's target) to the phone system's URL.
func (s *Server) handleTicketCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.svc.Tickets.FindTicketByID(r.Context(), id)
	if err != nil {
		return err
	}
	if t.CallerID == 0 {
		return desk.NewError(desk.EINVALID, "error.ticket_no_caller")
	}
	p, err := s.svc.Persons.FindPersonByID(r.Context(), t.CallerID)
	if err != nil {
		return err
	}
	return s.placeCall(w, r, p, t.ID)
}

// handlePersonCall records an outbound call to a person, without a ticket.
func (s *Server) handlePersonCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Persons.FindPersonByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.placeCall(w, r, p, 0)
}

func (s *Server) placeCall(w http.ResponseWriter, r *http.Request, p *desk.Person, ticketID int64) error {
	if s.outbound == nil {
		return desk.NewError(desk.ENOTFOUND, "error.outbound_not_configured")
	}
	u, _, err := s.outbound.Place(r.Context(), p, ticketID, strings.TrimSpace(r.PostForm.Get("number")))
	if err != nil {
		return err
	}
	// The call is recorded: now the phone system dials. (The CSP's
	// form-action allows the ecall URL's origin for this redirect.)
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}
