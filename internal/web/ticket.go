package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

func (s *Server) registerTicketRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /tickets", s.page(s.handleTickets))
	mux.HandleFunc("GET /tickets/new", s.page(s.handleTicketNew))
	mux.HandleFunc("POST /tickets", s.action(s.handleTicketCreate))
	mux.HandleFunc("GET /tickets/{id}", s.page(s.handleTicket))
	mux.HandleFunc("GET /tickets/{id}/edit", s.page(s.handleTicketEdit))
	mux.HandleFunc("POST /tickets/{id}", s.action(s.handleTicketUpdate))
	mux.HandleFunc("POST /tickets/{id}/log", s.action(s.handleTicketLog))
	mux.HandleFunc("POST /tickets/{id}/status", s.action(s.handleTicketStatus))
}

// ticketsView is the data of the ticket list.
type ticketsView struct {
	Layout
	Kinds, Statuses []string
	Kind, Status    string
	Query           string
	OrgID           int64
	Orgs            []*desk.Organization
	CallerID        int64
	Caller          *desk.Person
	Ongoing         bool
	// Agent is the assignment filter: "" anyone, "me" the user's tickets,
	// "team" his teams' (those of his contact person), "none" the
	// unassigned ones.
	Agent string
	// TeamID filters by one team; Teams are the choices.
	TeamID  int64
	Teams   []*desk.Team
	Tickets []*desk.Ticket
	Table   ticketTable
	Total   int
	Pager   *Pager
}

// handleTickets lists tickets, filtered by kind, status, organization,
// caller, a search and the ongoing toggle.
func (s *Server) handleTickets(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := &ticketsView{
		Layout: Layout{Nav: "tickets"}, Kinds: desk.TicketKinds, Statuses: desk.TicketStatuses,
		Kind: q.Get("kind"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")),
		Ongoing: q.Get("ongoing") != "", Agent: q.Get("agent"),
	}
	sort := readSort(r, desk.TicketSortKeys)
	if err := desk.CheckTicketSort(sort.Key); err != nil {
		return err
	}
	filter := desk.TicketFilter{Sort: sort.Key, Desc: sort.Desc}
	switch v.Agent {
	case "":
	case "me":
		// The user's tickets are those assigned to his contact person; a
		// user without one has none.
		me := desk.UserFromContext(ctx).ContactID
		filter.AgentID = &me
	case "team":
		// A user without a contact person is in no team.
		me := desk.UserFromContext(ctx).ContactID
		filter.TeamMemberID = &me
	case "none":
		filter.Unassigned = true
	default:
		return desk.Invalid("agent", "error.agent_filter_one_of")
	}
	if v.Kind != "" && !desk.IsTicketKind(v.Kind) {
		return desk.Invalid("kind", "error.kind_one_of", strings.Join(desk.TicketKinds, ", "))
	}
	if v.Status != "" && !slices.Contains(desk.TicketStatuses, v.Status) {
		return desk.Invalid("status", "error.status_one_of", strings.Join(desk.TicketStatuses, ", "))
	}
	orgID, err := request.QueryID(r, "org_id")
	if err != nil {
		return err
	}
	callerID, err := request.QueryID(r, "caller_id")
	if err != nil {
		return err
	}
	teamID, err := request.QueryID(r, "team_id")
	if err != nil {
		return err
	}
	if teamID != nil {
		v.TeamID, filter.TeamIDs = *teamID, []int64{*teamID}
	}
	if v.Teams, _, err = s.svc.Teams.FindTeams(ctx, desk.TeamFilter{Limit: selectLimit}); err != nil {
		return err
	}
	if orgID != nil {
		v.OrgID = *orgID
	}
	if callerID != nil {
		v.CallerID = *callerID
		if v.Caller, err = s.svc.Persons.FindPersonByID(ctx, *callerID); err != nil {
			return err
		}
	}
	if v.Orgs, err = s.orgOptions(r, v.OrgID); err != nil {
		return err
	}
	page := pageNumber(r)
	filter.Kind, filter.Status, filter.Ongoing, filter.OrgID, filter.CallerID, filter.Query = v.Kind, v.Status,
		v.Ongoing, orgID, callerID, v.Query
	filter.Offset, filter.Limit = (page-1)*pageSize, pageSize
	if v.Tickets, v.Total, err = s.svc.Tickets.FindTickets(ctx, filter); err != nil {
		return err
	}
	v.Table = ticketTable{Tickets: v.Tickets, Sort: sort}
	v.Pager = newPager(r, page, v.Total)
	return s.render(w, r, http.StatusOK, "tickets", v)
}

// ticketView is the data of a ticket's page.
type ticketView struct {
	Layout
	Ticket     *desk.Ticket
	Caller     *desk.Person
	PublicLog  []desk.LogEntry // newest first
	PrivateLog []desk.LogEntry
	Calls      []*desk.PhoneCall
	Statuses   []string
	LogNames   []string
	// The log and status forms, as typed when they failed.
	LogName, LogText string
	LogError         string
	StatusError      string
	// Pop is set when the ticket was opened from the screen pop: its forms
	// carry it, so that a change records the call.
	Pop *popContext
	// CallOptions are the caller's numbers the user may call through the
	// phone system (ecall_parameters).
	CallOptions []cti.CallOption
}

// ticketView loads what a ticket's page shows.
func (s *Server) ticketView(r *http.Request, id int64) (*ticketView, error) {
	ctx := r.Context()
	t, err := s.svc.Tickets.FindTicketByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &ticketView{
		Layout: Layout{Nav: "tickets"}, Ticket: t, Statuses: desk.TicketStatuses,
		LogNames: []string{desk.PrivateLog, desk.PublicLog}, LogName: desk.PrivateLog,
		PublicLog: newestFirst(t.PublicLog), PrivateLog: newestFirst(t.PrivateLog),
	}
	if t.CallerID != 0 {
		// The caller's numbers, to call back; a caller the user may not see
		// leaves just the name.
		if v.Caller, err = s.svc.Persons.FindPersonByID(ctx, t.CallerID); err != nil {
			if c := desk.ErrorCode(err); c != desk.ENOTFOUND && c != desk.EFORBIDDEN {
				return nil, err
			}
			v.Caller = nil
		}
	}
	v.CallOptions = s.callOptions(r, v.Caller)
	if desk.UserFromContext(ctx).Can(desk.ActionRead, desk.ClassPhoneCall) {
		if v.Calls, _, err = s.svc.PhoneCalls.FindPhoneCalls(ctx, desk.PhoneCallFilter{TicketID: &id, Limit: 100}); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func newestFirst(entries []desk.LogEntry) []desk.LogEntry {
	out := slices.Clone(entries)
	slices.Reverse(out)
	return out
}

func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.ticketView(r, id)
	if err != nil {
		return err
	}
	v.Pop = popFromRequest(r)
	return s.render(w, r, http.StatusOK, "ticket", v)
}

// ticketURL returns the page of ticket id, carrying the pop's context.
func ticketURL(id int64, pc *popContext) string {
	if pc == nil {
		return fmt.Sprintf("/tickets/%d", id)
	}
	return fmt.Sprintf("/tickets/%d?%s", id, pc.Query())
}

// handleTicketLog appends an entry to the public or private log.
func (s *Server) handleTicketLog(w http.ResponseWriter, r *http.Request) error {
	obj, err := findForModify(r, desk.ClassTicket, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	id := obj.ID
	name, text := r.PostForm.Get("log"), r.PostForm.Get("text")
	pc := popFromRequest(r)
	if name != desk.PublicLog && name != desk.PrivateLog {
		err = desk.Invalid("log", "error.log_choose")
	} else {
		err = s.changeFromPop(r, pc, func(ctx context.Context) (int64, error) {
			_, err := s.svc.Tickets.AddLogEntry(ctx, id, name, text)
			return id, err
		})
	}
	if err != nil {
		errs := s.formErrors(r, err, "text", "log")
		if errs == nil {
			return err
		}
		v, verr := s.ticketView(r, id)
		if verr != nil {
			return verr
		}
		v.LogName, v.LogText, v.Pop = name, text, pc
		for _, msg := range errs {
			v.LogError = msg
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "ticket", v)
	}
	redirect(w, r, ticketURL(id, pc))
	return nil
}

// handleTicketStatus changes a ticket's status.
func (s *Server) handleTicketStatus(w http.ResponseWriter, r *http.Request) error {
	obj, err := findForModify(r, desk.ClassTicket, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	id := obj.ID
	status := r.PostForm.Get("status")
	pc := popFromRequest(r)
	if !slices.Contains(desk.TicketStatuses, status) {
		err = desk.Invalid("status", "error.status_one_of", strings.Join(desk.TicketStatuses, ", "))
	} else {
		err = s.changeFromPop(r, pc, func(ctx context.Context) (int64, error) {
			_, err := s.svc.Tickets.UpdateTicket(ctx, id, desk.TicketUpdate{Status: &status})
			return id, err
		})
	}
	if err != nil {
		errs := s.formErrors(r, err, "status")
		if errs == nil {
			return err
		}
		v, verr := s.ticketView(r, id)
		if verr != nil {
			return verr
		}
		v.Pop = pc
		for _, msg := range errs {
			v.StatusError = msg
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "ticket", v)
	}
	redirect(w, r, ticketURL(id, pc))
	return nil
}

// ticketFormView is the data of the ticket form, for a new ticket or an edit.
type ticketFormView struct {
	Layout
	New     bool
	Action  string
	Cancel  string
	Ticket  *desk.Ticket
	Orgs    []*desk.Organization
	Callers []*desk.Person // the persons of the ticket's organization, or the caller search's
	// CallerQuery is the caller search as typed; Searched tells that
	// Callers are its results (from any organization).
	CallerQuery string
	Searched    bool
	Agents      []option
	// Teams are the teams of the ticket's organization.
	Teams   []*desk.Team
	Origins []string
	Levels  []int
	Errors  map[string]string
	// Pop is set for a form opened from the screen pop.
	Pop *popContext
	// Banner tells which call a creation from the pop is for.
	Banner *popBanner
}

// option is one choice of a select.
type option struct {
	ID   int64
	Name string
	Me   bool
}

var ticketFields = []string{"title", "description", "org_id", "caller_id", "team_id", "agent_id", "origin",
	"priority", "urgency", "impact", "caller_q"}

// renderTicketForm fills the choices of the ticket form: the organizations,
// the persons of the chosen organization as callers, the agents.
func (s *Server) renderTicketForm(w http.ResponseWriter, r *http.Request, status int, v *ticketFormView) error {
	ctx := r.Context()
	t := v.Ticket
	var err error
	v.Nav = "tickets"
	v.Origins = desk.TicketOrigins
	v.Levels = desk.TicketLevels
	if v.Orgs, err = s.orgOptions(r, t.OrgID); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(v.CallerQuery) != "":
		// The caller search without JavaScript: its results are the
		// choices, and the one chosen brings his organization.
		v.Searched = true
		if v.Callers, _, err = s.svc.Persons.FindPersons(ctx, desk.PersonFilter{Query: strings.TrimSpace(v.CallerQuery),
			Limit: suggestMax}); err != nil {
			if desk.ErrorCode(err) != desk.EINVALID {
				return err
			}
			if v.Errors == nil {
				v.Errors = map[string]string{}
			}
			v.Errors["caller_q"] = s.i18n.errorMessage(s.lang(r), err)
		}
	case t.OrgID != 0:
		orgID := t.OrgID
		if v.Callers, _, err = s.svc.Persons.FindPersons(ctx, desk.PersonFilter{OrgID: &orgID, Limit: selectLimit}); err != nil {
			return err
		}
	}
	if t.CallerID != 0 && !containsID(v.Callers, t.CallerID, func(p *desk.Person) int64 { return p.ID }) {
		if p, err := s.svc.Persons.FindPersonByID(ctx, t.CallerID); err == nil && (v.Searched || p.OrgID == t.OrgID) {
			v.Callers = append([]*desk.Person{p}, v.Callers...)
		}
	}
	if t.CallerID != 0 && !containsID(v.Callers, t.CallerID, func(p *desk.Person) int64 { return p.ID }) {
		t.CallerID = 0 // not a person of the chosen organization
	}
	if t.OrgID != 0 {
		orgID := t.OrgID
		if v.Teams, _, err = s.svc.Teams.FindTeams(ctx, desk.TeamFilter{OrgID: &orgID, Limit: selectLimit}); err != nil {
			return err
		}
	}
	if t.TeamID != 0 && !containsID(v.Teams, t.TeamID, func(tm *desk.Team) int64 { return tm.ID }) && t.TeamName != "" {
		v.Teams = append([]*desk.Team{{ID: t.TeamID, Name: t.TeamName}}, v.Teams...)
	}
	user := desk.UserFromContext(ctx)
	if t.AgentID != 0 && t.AgentID != user.ContactID {
		name := t.AgentName
		if name == "" {
			name = fmt.Sprintf("#%d", t.AgentID)
		}
		v.Agents = append(v.Agents, option{ID: t.AgentID, Name: name})
	}
	if user.ContactID != 0 {
		v.Agents = append(v.Agents, option{ID: user.ContactID, Name: user.ContactName, Me: true})
	}
	if v.New {
		v.Action = "/tickets"
		v.Cancel = "/tickets"
		if t.CallerID != 0 {
			v.Cancel = fmt.Sprintf("/persons/%d", t.CallerID)
		}
		if v.Pop != nil && v.Pop.Back != "" {
			v.Cancel = v.Pop.Back
		}
		v.Banner = s.popBannerOf(r, v.Pop)
	} else {
		v.Action = fmt.Sprintf("/tickets/%d", t.ID)
		v.Cancel = ticketURL(t.ID, v.Pop)
	}
	return s.render(w, r, status, "ticket_form", v)
}

// ticketFromForm reads the ticket form as typed.
func ticketFromForm(r *http.Request, kind string) (*desk.Ticket, error) {
	f := r.PostForm
	t := &desk.Ticket{
		Kind: kind, Title: f.Get("title"), Description: f.Get("description"), Origin: f.Get("origin"),
	}
	var errs []error
	var err error
	t.OrgID, err = formID(r, "org_id")
	errs = append(errs, err)
	t.CallerID, err = formID(r, "caller_id")
	errs = append(errs, err)
	t.AgentID, err = formID(r, "agent_id")
	errs = append(errs, err)
	t.TeamID, err = formID(r, "team_id")
	errs = append(errs, err)
	if desk.HasLevels(kind) {
		for _, l := range []struct {
			name string
			dst  *int
		}{{"priority", &t.Priority}, {"urgency", &t.Urgency}, {"impact", &t.Impact}} {
			v := f.Get(l.name)
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || !slices.Contains(desk.TicketLevels, n) {
				errs = append(errs, desk.Invalid(l.name, "error.level_range", l.name))
				continue
			}
			*l.dst = n
		}
	}
	for _, err := range errs {
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

// handleTicketNew shows the creation form of a kind, with the organization
// and the caller preset from the query (the person page's "New user request").
func (s *Server) handleTicketNew(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassTicket); err != nil {
		return err
	}
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = desk.KindUserRequest
	}
	if !desk.IsTicketKind(kind) {
		return desk.Invalid("kind", "error.kind_one_of", strings.Join(desk.TicketKinds, ", "))
	}
	t := &desk.Ticket{Kind: kind, Origin: "phone", Status: desk.TicketNew}
	if desk.HasLevels(kind) {
		t.Priority, t.Urgency, t.Impact = 3, 3, 3
	}
	orgID, err := request.QueryID(r, "org_id")
	if err != nil {
		return err
	}
	callerID, err := request.QueryID(r, "caller_id")
	if err != nil {
		return err
	}
	if callerID != nil {
		caller, err := s.svc.Persons.FindPersonByID(r.Context(), *callerID)
		if err != nil {
			return err
		}
		t.CallerID, t.OrgID = caller.ID, caller.OrgID
	}
	if orgID != nil {
		t.OrgID = *orgID
	}
	return s.renderTicketForm(w, r, http.StatusOK, &ticketFormView{New: true, Ticket: t})
}

// handleTicketCreate creates a ticket from the form, or shows the form again
// with the contacts of the chosen organization ("reload") or the error.
func (s *Server) handleTicketCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassTicket); err != nil {
		return err
	}
	t, err := ticketFromForm(r, r.PostForm.Get("kind"))
	// A new ticket may start in another status than new: assigned, when
	// the pop assigns it to the agent who took the call.
	if st := r.PostForm.Get("status"); st != "" && err == nil {
		if !slices.Contains(desk.TicketStatuses, st) {
			err = desk.Invalid("status", "error.status_one_of", strings.Join(desk.TicketStatuses, ", "))
		}
		t.Status = st
	}
	pc := popFromRequest(r)
	if pc != nil {
		pc.Back = r.PostForm.Get("pop_back")
		if !strings.HasPrefix(pc.Back, "/pop?") {
			pc.Back = ""
		}
	}
	v := &ticketFormView{New: true, Ticket: t, Pop: pc, CallerQuery: r.PostForm.Get("caller_q")}
	if err == nil && (r.PostForm.Has("reload") || r.PostForm.Has("find_caller")) {
		return s.renderTicketForm(w, r, http.StatusOK, v)
	}
	if err == nil {
		err = s.callerBringsOrg(r, t)
	}
	if err == nil && pc != nil && strings.TrimSpace(pc.LogText) != "" {
		err = desk.ValidateLogText(pc.LogText)
	}
	if err == nil {
		// The ticket, the pop's log entry and the call it came from: one
		// action.
		err = s.changeFromPop(r, pc, func(ctx context.Context) (int64, error) {
			if err := s.svc.Tickets.CreateTicket(ctx, t); err != nil {
				return 0, err
			}
			if pc != nil && strings.TrimSpace(pc.LogText) != "" {
				if _, err := s.svc.Tickets.AddLogEntry(ctx, t.ID, pc.Log, pc.LogText); err != nil {
					return 0, err
				}
			}
			return t.ID, nil
		})
	}
	if err == nil && pc != nil {
		if pc.Back != "" {
			// Back to the call, which says what was created.
			redirect(w, r, pc.Back+"&"+popCreatedField+"="+strconv.FormatInt(t.ID, 10))
			return nil
		}
		redirect(w, r, ticketURL(t.ID, pc))
		return nil
	}
	if err != nil {
		if v.Errors = s.formErrors(r, err, append(ticketFields, "text")...); v.Errors == nil {
			return err
		}
		if !desk.IsTicketKind(t.Kind) {
			return err // no form to show again: a kind was never offered
		}
		return s.renderTicketForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, fmt.Sprintf("/tickets/%d", t.ID))
	return nil
}

func (s *Server) handleTicketEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := findForModify(r, desk.ClassTicket, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	return s.renderTicketForm(w, r, http.StatusOK, &ticketFormView{Ticket: t, Pop: popFromRequest(r)})
}

func (s *Server) handleTicketUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := findForModify(r, desk.ClassTicket, s.svc.Tickets.FindTicketByID)
	if err != nil {
		return err
	}
	t, err := ticketFromForm(r, old.Kind)
	t.ID, t.Ref, t.Status, t.AgentName = old.ID, old.Ref, old.Status, old.AgentName
	if t.TeamID == old.TeamID {
		t.TeamName = old.TeamName
	}
	v := &ticketFormView{Ticket: t, Pop: popFromRequest(r), CallerQuery: r.PostForm.Get("caller_q")}
	if err == nil && (r.PostForm.Has("reload") || r.PostForm.Has("find_caller")) {
		return s.renderTicketForm(w, r, http.StatusOK, v)
	}
	if err == nil {
		err = s.callerBringsOrg(r, t)
	}
	if err == nil {
		upd := desk.TicketUpdate{
			Title: &t.Title, Description: &t.Description, OrgID: &t.OrgID, CallerID: &t.CallerID,
			AgentID: &t.AgentID, TeamID: &t.TeamID, Origin: &t.Origin,
		}
		if desk.HasLevels(t.Kind) {
			upd.Priority, upd.Urgency, upd.Impact = &t.Priority, &t.Urgency, &t.Impact
		}
		err = s.changeFromPop(r, v.Pop, func(ctx context.Context) (int64, error) {
			_, err := s.svc.Tickets.UpdateTicket(ctx, old.ID, upd)
			return old.ID, err
		})
	}
	if err != nil {
		if v.Errors = s.formErrors(r, err, ticketFields...); v.Errors == nil {
			return err
		}
		return s.renderTicketForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, ticketURL(old.ID, v.Pop))
	return nil
}

// callerBringsOrg gives the ticket its caller's organization when the form
// names no organization, or when the caller was found by the caller search
// (which finds persons of every organization): the caller is who the agent
// picked, the organization follows. A caller the user may not see is left
// for the store to refuse.
func (s *Server) callerBringsOrg(r *http.Request, t *desk.Ticket) error {
	if t.CallerID == 0 || (t.OrgID != 0 && strings.TrimSpace(r.PostForm.Get("caller_q")) == "") {
		return nil
	}
	p, err := s.svc.Persons.FindPersonByID(r.Context(), t.CallerID)
	if err != nil {
		if c := desk.ErrorCode(err); c == desk.ENOTFOUND || c == desk.EFORBIDDEN {
			return nil
		}
		return err
	}
	t.OrgID = p.OrgID
	return nil
}
