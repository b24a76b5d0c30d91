package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// The team pages: the list, a team with its members and open tickets, the
// form (admins), and adding or removing a member with his role.

func (s *Server) registerTeamRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /teams", s.page(s.handleTeams))
	mux.HandleFunc("GET /teams/new", s.page(s.handleTeamNew))
	mux.HandleFunc("POST /teams", s.action(s.handleTeamCreate))
	mux.HandleFunc("GET /teams/{id}", s.page(s.handleTeam))
	mux.HandleFunc("GET /teams/{id}/edit", s.page(s.handleTeamEdit))
	mux.HandleFunc("POST /teams/{id}", s.action(s.handleTeamUpdate))
	mux.HandleFunc("POST /teams/{id}/members", s.action(s.handleTeamMemberAdd))
	mux.HandleFunc("POST /teams/{id}/members/{person}/delete", s.action(s.handleTeamMemberRemove))
}

// teamsView is the data of the team list.
type teamsView struct {
	Layout
	Query string
	Teams []*desk.Team
	Total int
	Pager *Pager
}

func (s *Server) handleTeams(w http.ResponseWriter, r *http.Request) error {
	page := pageNumber(r)
	v := &teamsView{Layout: Layout{Nav: "teams"}, Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	var err error
	if v.Teams, v.Total, err = s.svc.Teams.FindTeams(r.Context(), desk.TeamFilter{
		Query: v.Query, Offset: (page - 1) * pageSize, Limit: pageSize,
	}); err != nil {
		return err
	}
	v.Pager = newPager(r, page, v.Total)
	return s.render(w, r, http.StatusOK, "teams", v)
}

// teamView is the data of a team's page.
type teamView struct {
	Layout
	Team        *desk.Team
	Members     []*desk.TeamMember
	Tickets     []*desk.Ticket
	TicketTotal int
	// Candidates are the persons the member form offers: those of the
	// team's organization and the provider's agents, without the members.
	Candidates []*desk.Person
	// The member form as typed when it failed.
	PersonID    int64
	Role        string
	MemberError string
}

func (s *Server) teamView(r *http.Request, id int64) (*teamView, error) {
	ctx := r.Context()
	v := &teamView{Layout: Layout{Nav: "teams"}}
	var err error
	if v.Team, err = s.svc.Teams.FindTeamByID(ctx, id); err != nil {
		return nil, err
	}
	if v.Members, err = s.svc.Teams.FindTeamMembers(ctx, id); err != nil {
		return nil, err
	}
	if v.Tickets, v.TicketTotal, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{TeamIDs: []int64{id}, Ongoing: true,
		Limit: pageSize}); err != nil {
		return nil, err
	}
	if desk.UserFromContext(ctx).Can(desk.ActionModify, desk.ClassTeam) {
		persons, _, err := s.svc.Persons.FindPersons(ctx, desk.PersonFilter{OrgID: &v.Team.OrgID, Limit: selectLimit})
		if err != nil {
			return nil, err
		}
		// The agents are persons too, often of another organization (the
		// provider's): those with a user come first.
		agents, err := s.teamAgentPersons(r)
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, m := range v.Members {
			seen[m.PersonID] = true
		}
		for _, p := range append(agents, persons...) {
			if !seen[p.ID] {
				seen[p.ID] = true
				v.Candidates = append(v.Candidates, p)
			}
		}
	}
	return v, nil
}

// teamAgentPersons returns the contact persons of the users, the people a
// team is most often made of; an empty list for a user who may not list
// users.
func (s *Server) teamAgentPersons(r *http.Request) ([]*desk.Person, error) {
	ctx := r.Context()
	if !desk.UserFromContext(ctx).Can(desk.ActionRead, desk.ClassUser) {
		return nil, nil
	}
	users, _, err := s.svc.Users.FindUsers(ctx, desk.UserFilter{Limit: selectLimit})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, u := range users {
		if u.ContactID != 0 {
			ids = append(ids, u.ContactID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	persons, _, err := s.svc.Persons.FindPersons(ctx, desk.PersonFilter{IDs: ids, Limit: selectLimit})
	return persons, err
}

// handleTeam shows a team, its members with their roles and its open
// tickets.
func (s *Server) handleTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.teamView(r, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "team", v)
}

// handleTeamMemberAdd adds a person to the team with a role, or changes his
// role.
func (s *Server) handleTeamMemberAdd(w http.ResponseWriter, r *http.Request) error {
	team, err := findForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	m := &desk.TeamMember{TeamID: team.ID, Role: r.PostForm.Get("role")}
	m.PersonID, err = formID(r, "person_id")
	if err == nil {
		err = s.svc.Teams.AddTeamMember(r.Context(), m)
	}
	if err != nil {
		errs := s.formErrors(r, err, "person_id", "role")
		if errs == nil {
			return err
		}
		v, verr := s.teamView(r, team.ID)
		if verr != nil {
			return verr
		}
		v.PersonID, v.Role = m.PersonID, m.Role
		for _, msg := range errs {
			v.MemberError = msg
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "team", v)
	}
	redirect(w, r, fmt.Sprintf("/teams/%d", team.ID))
	return nil
}

// handleTeamMemberRemove ends a person's membership of the team.
func (s *Server) handleTeamMemberRemove(w http.ResponseWriter, r *http.Request) error {
	team, err := findForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	person, err := strconv.ParseInt(r.PathValue("person"), 10, 64)
	if err != nil || person <= 0 {
		return desk.NewError(desk.ENOTFOUND, "error.page_not_found")
	}
	if err := s.svc.Teams.RemoveTeamMember(r.Context(), team.ID, person); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/teams/%d", team.ID))
	return nil
}

// teamFormView is the data of the team form.
type teamFormView struct {
	Layout
	New      bool
	Action   string
	Cancel   string
	Team     *desk.Team
	Orgs     []*desk.Organization
	Statuses []string
	Errors   map[string]string
}

var teamFields = []string{"name", "org_id", "email", "phone", "status"}

func (s *Server) renderTeamForm(w http.ResponseWriter, r *http.Request, status int, v *teamFormView) error {
	v.Nav = "teams"
	v.Statuses = []string{desk.StatusActive, desk.StatusInactive}
	var err error
	if v.Orgs, err = s.orgOptions(r, v.Team.OrgID); err != nil {
		return err
	}
	if v.New {
		v.Action, v.Cancel = "/teams", "/teams"
	} else {
		v.Action = fmt.Sprintf("/teams/%d", v.Team.ID)
		v.Cancel = v.Action
	}
	return s.render(w, r, status, "team_form", v)
}

func teamFromForm(r *http.Request) (*desk.Team, error) {
	f := r.PostForm
	t := &desk.Team{Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), Status: f.Get("status")}
	var err error
	t.OrgID, err = formID(r, "org_id")
	return t, err
}

func (s *Server) handleTeamNew(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassTeam); err != nil {
		return err
	}
	t := &desk.Team{Status: desk.StatusActive}
	orgID, err := request.QueryID(r, "org_id")
	if err != nil {
		return err
	}
	if orgID != nil {
		t.OrgID = *orgID
	}
	return s.renderTeamForm(w, r, http.StatusOK, &teamFormView{New: true, Team: t})
}

func (s *Server) handleTeamCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassTeam); err != nil {
		return err
	}
	t, err := teamFromForm(r)
	if err == nil {
		err = s.svc.Teams.CreateTeam(r.Context(), t)
	}
	if err != nil {
		v := &teamFormView{New: true, Team: t}
		if v.Errors = s.formErrors(r, err, teamFields...); v.Errors == nil {
			return err
		}
		return s.renderTeamForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, fmt.Sprintf("/teams/%d", t.ID))
	return nil
}

func (s *Server) handleTeamEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := findForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	return s.renderTeamForm(w, r, http.StatusOK, &teamFormView{Team: t})
}

func (s *Server) handleTeamUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := findForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	t, err := teamFromForm(r)
	t.ID = old.ID
	if err == nil {
		_, err = s.svc.Teams.UpdateTeam(r.Context(), old.ID, desk.TeamUpdate{
			Name: &t.Name, OrgID: &t.OrgID, Email: &t.Email, Phone: &t.Phone, Status: &t.Status,
		})
	}
	if err != nil {
		v := &teamFormView{Team: t}
		if v.Errors = s.formErrors(r, err, teamFields...); v.Errors == nil {
			return err
		}
		return s.renderTeamForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, fmt.Sprintf("/teams/%d", old.ID))
	return nil
}
