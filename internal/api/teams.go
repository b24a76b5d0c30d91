package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// The teams of the API: read by every reader within his organizations,
// written by admins; a team's members with their roles.

func (s *Server) apiTeamRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/teams", s.apiTeams},
		{http.MethodPost, "/api/v1/teams", s.apiTeamCreate},
		{http.MethodGet, "/api/v1/teams/{id}", s.apiTeam},
		{http.MethodPatch, "/api/v1/teams/{id}", s.apiTeamUpdate},
		{http.MethodGet, "/api/v1/teams/{id}/members", s.apiTeamMembers},
		{http.MethodPut, "/api/v1/teams/{id}/members/{person}", s.apiTeamMemberPut},
		{http.MethodDelete, "/api/v1/teams/{id}/members/{person}", s.apiTeamMemberDelete},
	}
}

// apiTeamInput is the body of a new team.
type apiTeamInput struct {
	Name   string `json:"name"`
	OrgID  int64  `json:"org_id"`
	Email  string `json:"email"`
	Phone  string `json:"phone"`
	Status string `json:"status"`
}

// apiTeamPatch is the body of a team's update.
type apiTeamPatch struct {
	Name   *string `json:"name"`
	OrgID  *int64  `json:"org_id"`
	Email  *string `json:"email"`
	Phone  *string `json:"phone"`
	Status *string `json:"status"`
}

// apiMemberInput is the body of a membership: the person's role.
type apiMemberInput struct {
	Role string `json:"role"`
}

// apiTeams lists teams by name: q searches the name, org_id and member_id
// (a person) select.
func (s *Server) apiTeams(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := apiPage(r)
	if err != nil {
		return err
	}
	filter := desk.TeamFilter{Name: queryString(r, "name"), Offset: offset, Limit: limit}
	if q := queryString(r, "q"); q != nil {
		filter.Query = *q
	}
	if filter.OrgID, err = request.QueryID(r, "org_id"); err != nil {
		return err
	}
	if filter.MemberID, err = request.QueryID(r, "member_id"); err != nil {
		return err
	}
	teams, total, err := s.svc.Teams.FindTeams(r.Context(), filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(teams, total, offset, limit))
	return nil
}

func (s *Server) apiTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := apiFind(r, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) apiTeamCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassTeam); err != nil {
		return err
	}
	var in apiTeamInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t := &desk.Team{Name: in.Name, OrgID: in.OrgID, Email: in.Email, Phone: in.Phone, Status: in.Status}
	if err := s.svc.Teams.CreateTeam(r.Context(), t); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("%steams/%d", apiPrefix, t.ID), t)
	return nil
}

func (s *Server) apiTeamUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	var in apiTeamPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := s.svc.Teams.UpdateTeam(r.Context(), old.ID, desk.TeamUpdate{
		Name: in.Name, OrgID: in.OrgID, Email: in.Email, Phone: in.Phone, Status: in.Status,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// apiTeamMembers lists a team's members, by name.
func (s *Server) apiTeamMembers(w http.ResponseWriter, r *http.Request) error {
	t, err := apiFind(r, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	members, err := s.svc.Teams.FindTeamMembers(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(members, len(members), 0, len(members)))
	return nil
}

// apiTeamMemberPut makes the person a member of the team with the body's
// role, or changes his role: the same request twice is one membership.
func (s *Server) apiTeamMemberPut(w http.ResponseWriter, r *http.Request) error {
	t, err := apiFindForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	person, err := memberPersonID(r)
	if err != nil {
		return err
	}
	var in apiMemberInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m := &desk.TeamMember{TeamID: t.ID, PersonID: person, Role: in.Role}
	if err := s.svc.Teams.AddTeamMember(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// apiTeamMemberDelete ends the person's membership of the team.
func (s *Server) apiTeamMemberDelete(w http.ResponseWriter, r *http.Request) error {
	t, err := apiFindForModify(r, desk.ClassTeam, s.svc.Teams.FindTeamByID)
	if err != nil {
		return err
	}
	person, err := memberPersonID(r)
	if err != nil {
		return err
	}
	if err := s.svc.Teams.RemoveTeamMember(r.Context(), t.ID, person); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// memberPersonID reads the path's {person}.
func memberPersonID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("person"), 10, 64)
	if err != nil || id <= 0 {
		return 0, desk.NewError(desk.ENOTFOUND, "error.not_id", r.PathValue("person"))
	}
	return id, nil
}
