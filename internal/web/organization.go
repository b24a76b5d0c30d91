package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) registerOrganizationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /organizations", s.page(s.handleOrganizations))
	mux.HandleFunc("GET /organizations/new", s.page(s.handleOrganizationNew))
	mux.HandleFunc("POST /organizations", s.action(s.handleOrganizationCreate))
	mux.HandleFunc("GET /organizations/{id}", s.page(s.handleOrganization))
	mux.HandleFunc("GET /organizations/{id}/edit", s.page(s.handleOrganizationEdit))
	mux.HandleFunc("POST /organizations/{id}", s.action(s.handleOrganizationUpdate))
}

// organizationsView is the data of the organization list.
type organizationsView struct {
	Layout
	Query         string
	Organizations []*desk.Organization
	Total         int
	Pager         *Pager
}

func (s *Server) handleOrganizations(w http.ResponseWriter, r *http.Request) error {
	page := pageNumber(r)
	v := &organizationsView{Layout: Layout{Nav: "organizations"}, Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	var err error
	v.Organizations, v.Total, err = s.svc.Organizations.FindOrganizations(r.Context(), desk.OrganizationFilter{
		Query: v.Query, Offset: (page - 1) * pageSize, Limit: pageSize,
	})
	if err != nil {
		return err
	}
	v.Pager = newPager(r, page, v.Total)
	return s.render(w, r, http.StatusOK, "organizations", v)
}

// organizationView is the data of an organization's page.
type organizationView struct {
	Layout
	Organization *desk.Organization
	Persons      []*desk.Person
	PersonTotal  int
	Tickets      []*desk.Ticket
	TicketTotal  int
}

// handleOrganization shows an organization, its contacts and its tickets.
func (s *Server) handleOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v := &organizationView{Layout: Layout{Nav: "organizations"}}
	if v.Organization, err = s.svc.Organizations.FindOrganizationByID(ctx, id); err != nil {
		return err
	}
	if v.Persons, v.PersonTotal, err = s.svc.Persons.FindPersons(ctx, desk.PersonFilter{OrgID: &id, Limit: pageSize}); err != nil {
		return err
	}
	if v.Tickets, v.TicketTotal, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{OrgID: &id, Limit: pageSize}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "organization", v)
}

// organizationFormView is the data of the organization form.
type organizationFormView struct {
	Layout
	New          bool
	Action       string
	Cancel       string
	Organization *desk.Organization
	Statuses     []string
	Errors       map[string]string
}

var organizationFields = []string{"name", "code", "status", "support_id"}

func (s *Server) renderOrganizationForm(w http.ResponseWriter, r *http.Request, status int, v *organizationFormView) error {
	v.Nav = "organizations"
	v.Statuses = []string{desk.StatusActive, desk.StatusInactive}
	if v.New {
		v.Action, v.Cancel = "/organizations", "/organizations"
	} else {
		v.Action = fmt.Sprintf("/organizations/%d", v.Organization.ID)
		v.Cancel = v.Action
	}
	return s.render(w, r, status, "organization_form", v)
}

func organizationFromForm(r *http.Request) *desk.Organization {
	f := r.PostForm
	return &desk.Organization{Name: f.Get("name"), Code: f.Get("code"), Status: f.Get("status"), SupportID: f.Get("support_id")}
}

func (s *Server) handleOrganizationNew(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassOrganization); err != nil {
		return err
	}
	return s.renderOrganizationForm(w, r, http.StatusOK, &organizationFormView{
		New: true, Organization: &desk.Organization{Status: desk.StatusActive},
	})
}

func (s *Server) handleOrganizationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassOrganization); err != nil {
		return err
	}
	o := organizationFromForm(r)
	if err := s.svc.Organizations.CreateOrganization(r.Context(), o); err != nil {
		v := &organizationFormView{New: true, Organization: o}
		if v.Errors = s.formErrors(r, err, organizationFields...); v.Errors == nil {
			return err
		}
		return s.renderOrganizationForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, fmt.Sprintf("/organizations/%d", o.ID))
	return nil
}

func (s *Server) handleOrganizationEdit(w http.ResponseWriter, r *http.Request) error {
	o, err := findForModify(r, desk.ClassOrganization, s.svc.Organizations.FindOrganizationByID)
	if err != nil {
		return err
	}
	return s.renderOrganizationForm(w, r, http.StatusOK, &organizationFormView{Organization: o})
}

func (s *Server) handleOrganizationUpdate(w http.ResponseWriter, r *http.Request) error {
	obj, err := findForModify(r, desk.ClassOrganization, s.svc.Organizations.FindOrganizationByID)
	if err != nil {
		return err
	}
	id := obj.ID
	o := organizationFromForm(r)
	o.ID = id
	_, err = s.svc.Organizations.UpdateOrganization(r.Context(), id, desk.OrganizationUpdate{
		Name: &o.Name, Code: &o.Code, Status: &o.Status, SupportID: &o.SupportID,
	})
	if err != nil {
		v := &organizationFormView{Organization: o}
		if v.Errors = s.formErrors(r, err, organizationFields...); v.Errors == nil {
			return err
		}
		return s.renderOrganizationForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, fmt.Sprintf("/organizations/%d", id))
	return nil
}
