package api

import (
	"fmt"
	"net/http"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) apiOrganizationRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/organizations", s.apiOrganizations},
		{http.MethodPost, "/api/v1/organizations", s.apiOrganizationCreate},
		{http.MethodGet, "/api/v1/organizations/{id}", s.apiOrganization},
		{http.MethodPatch, "/api/v1/organizations/{id}", s.apiOrganizationUpdate},
	}
}

// apiOrganizationInput is the body of a new organization.
type apiOrganizationInput struct {
	Name      string `json:"name"`
	Code      string `json:"code"`
	Status    string `json:"status"`
	SupportID string `json:"support_id"`
}

// apiOrganizationPatch is the body of an organization's update.
type apiOrganizationPatch struct {
	Name      *string `json:"name"`
	Code      *string `json:"code"`
	Status    *string `json:"status"`
	SupportID *string `json:"support_id"`
}

// apiOrganizations lists organizations by name: q searches name and code,
// name selects one exactly.
func (s *Server) apiOrganizations(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := apiPage(r)
	if err != nil {
		return err
	}
	filter := desk.OrganizationFilter{Name: queryString(r, "name"), Offset: offset, Limit: limit}
	if q := queryString(r, "q"); q != nil {
		filter.Query = *q
	}
	orgs, total, err := s.svc.Organizations.FindOrganizations(r.Context(), filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(orgs, total, offset, limit))
	return nil
}

func (s *Server) apiOrganization(w http.ResponseWriter, r *http.Request) error {
	o, err := apiFind(r, s.svc.Organizations.FindOrganizationByID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiOrganizationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassOrganization); err != nil {
		return err
	}
	var in apiOrganizationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o := &desk.Organization{Name: in.Name, Code: in.Code, Status: in.Status, SupportID: in.SupportID}
	if err := s.svc.Organizations.CreateOrganization(r.Context(), o); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("%sorganizations/%d", apiPrefix, o.ID), o)
	return nil
}

func (s *Server) apiOrganizationUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassOrganization, s.svc.Organizations.FindOrganizationByID)
	if err != nil {
		return err
	}
	var in apiOrganizationPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o, err := s.svc.Organizations.UpdateOrganization(r.Context(), old.ID, desk.OrganizationUpdate{
		Name: in.Name, Code: in.Code, Status: in.Status, SupportID: in.SupportID,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}
