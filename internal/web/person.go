package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

func (s *Server) registerPersonRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /persons", s.page(s.handlePersons))
	mux.HandleFunc("GET /persons/new", s.page(s.handlePersonNew))
	mux.HandleFunc("GET /persons/suggest", s.page(s.handlePersonSuggest))
	mux.HandleFunc("POST /persons", s.action(s.handlePersonCreate))
	mux.HandleFunc("GET /persons/{id}", s.page(s.handlePerson))
	mux.HandleFunc("GET /persons/{id}/edit", s.page(s.handlePersonEdit))
	mux.HandleFunc("POST /persons/{id}", s.action(s.handlePersonUpdate))
}

// personsView is the data of the person list.
type personsView struct {
	Layout
	Query   string
	OrgID   int64
	Org     *desk.Organization
	Persons []*desk.Person
	Total   int
	Pager   *Pager
}

// handlePersons lists persons, filtered by a search and an organization.
func (s *Server) handlePersons(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgID, err := request.QueryID(r, "org_id")
	if err != nil {
		return err
	}
	page := pageNumber(r)
	v := &personsView{Layout: Layout{Nav: "persons"}, Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if orgID != nil {
		v.OrgID = *orgID
		if v.Org, err = s.svc.Organizations.FindOrganizationByID(ctx, *orgID); err != nil {
			return err
		}
	}
	v.Persons, v.Total, err = s.svc.Persons.FindPersons(ctx, desk.PersonFilter{
		OrgID: orgID, Query: v.Query, Offset: (page - 1) * pageSize, Limit: pageSize,
	})
	if err != nil {
		return err
	}
	v.Pager = newPager(r, page, v.Total)
	return s.render(w, r, http.StatusOK, "persons", v)
}

// personView is the data of a person's page.
type personView struct {
	Layout
	Person      *desk.Person
	Tickets     []*desk.Ticket
	TicketTotal int
	// CallOptions are the person's numbers the user may call through the
	// phone system (ecall_parameters).
	CallOptions []cti.CallOption
}

// handlePerson shows a person with every attribute and their tickets.
func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v := &personView{Layout: Layout{Nav: "persons"}}
	if v.Person, err = s.svc.Persons.FindPersonByID(ctx, id); err != nil {
		return err
	}
	if v.Tickets, v.TicketTotal, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{CallerID: &id, Limit: pageSize}); err != nil {
		return err
	}
	v.CallOptions = s.callOptions(r, v.Person)
	return s.render(w, r, http.StatusOK, "person", v)
}

// personFormView is the data of the person form, for a new person or an edit.
type personFormView struct {
	Layout
	New       bool
	Action    string
	Cancel    string
	Person    *desk.Person
	Orgs      []*desk.Organization
	Locations []*desk.Location
	Statuses  []string
	Errors    map[string]string
	// Pop is set for a form opened from the screen pop; Banner then tells
	// which call the new person is for.
	Pop    *popContext
	Banner *popBanner
}

// personFields are the attributes the person form shows.
var personFields = []string{"first_name", "name", "org_id", "location_id", "email", "phone", "mobile_phone",
	"home_phone", "employee_number", "support_id", "function", "status"}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, v *personFormView) error {
	var err error
	v.Nav = "persons"
	v.Statuses = []string{desk.StatusActive, desk.StatusInactive}
	if v.Orgs, err = s.orgOptions(r, v.Person.OrgID); err != nil {
		return err
	}
	if v.Person.OrgID != 0 {
		orgID := v.Person.OrgID
		v.Locations, _, err = s.svc.Locations.FindLocations(r.Context(), desk.LocationFilter{OrgID: &orgID, Limit: selectLimit})
		if err != nil {
			return err
		}
	}
	if v.New {
		v.Action, v.Cancel = "/persons", "/persons"
		if v.Pop != nil && v.Pop.Back != "" {
			v.Cancel = v.Pop.Back
			v.Banner = s.popBannerOf(r, v.Pop)
		}
	} else {
		v.Action = fmt.Sprintf("/persons/%d", v.Person.ID)
		v.Cancel = v.Action
	}
	return s.render(w, r, status, "person_form", v)
}

// personFromForm reads the person form as typed; the error is about a field
// that is not even a number, the person holds what could be read.
func personFromForm(r *http.Request) (*desk.Person, error) {
	f := r.PostForm
	p := &desk.Person{
		FirstName:      f.Get("first_name"),
		Name:           f.Get("name"),
		Email:          f.Get("email"),
		Phone:          f.Get("phone"),
		MobilePhone:    f.Get("mobile_phone"),
		HomePhone:      f.Get("home_phone"),
		EmployeeNumber: f.Get("employee_number"),
		SupportID:      f.Get("support_id"),
		Function:       f.Get("function"),
		Status:         f.Get("status"),
	}
	var err, lerr error
	p.OrgID, err = formID(r, "org_id")
	p.LocationID, lerr = formID(r, "location_id")
	if err == nil {
		err = lerr
	}
	return p, err
}

func (s *Server) handlePersonNew(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassPerson); err != nil {
		return err
	}
	orgID, err := request.QueryID(r, "org_id")
	if err != nil {
		return err
	}
	p := &desk.Person{Status: desk.StatusActive}
	if orgID != nil {
		p.OrgID = *orgID
	}
	return s.renderPersonForm(w, r, http.StatusOK, &personFormView{New: true, Person: p})
}

func (s *Server) handlePersonCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassPerson); err != nil {
		return err
	}
	p, err := personFromForm(r)
	v := &personFormView{New: true, Person: p}
	// A person created from the pop returns to it, which finds him, and
	// confirms him.
	if back := r.PostForm.Get("pop_back"); strings.HasPrefix(back, "/pop?") {
		v.Pop = &popContext{Back: localPopPath(back), Number: strings.TrimSpace(r.PostForm.Get("pop_number"))}
		if len(v.Pop.Number) > 64 {
			v.Pop.Number = v.Pop.Number[:64]
		}
		v.Pop.Call, _ = strconv.ParseInt(r.PostForm.Get(popCallField), 10, 64)
		v.Pop.Call = max(v.Pop.Call, 0)
	}
	if err == nil && r.PostForm.Has("reload") {
		return s.renderPersonForm(w, r, http.StatusOK, v)
	}
	if err == nil {
		err = s.svc.Persons.CreatePerson(r.Context(), p)
	}
	if err != nil {
		if v.Errors = s.formErrors(r, err, personFields...); v.Errors == nil {
			return err
		}
		return s.renderPersonForm(w, r, http.StatusUnprocessableEntity, v)
	}
	if v.Pop != nil {
		redirect(w, r, v.Pop.Back+"&"+popPersonCreatedField+"="+strconv.FormatInt(p.ID, 10))
		return nil
	}
	redirect(w, r, fmt.Sprintf("/persons/%d", p.ID))
	return nil
}

func (s *Server) handlePersonEdit(w http.ResponseWriter, r *http.Request) error {
	p, err := findForModify(r, desk.ClassPerson, s.svc.Persons.FindPersonByID)
	if err != nil {
		return err
	}
	return s.renderPersonForm(w, r, http.StatusOK, &personFormView{Person: p})
}

func (s *Server) handlePersonUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := findForModify(r, desk.ClassPerson, s.svc.Persons.FindPersonByID)
	if err != nil {
		return err
	}
	p, err := personFromForm(r)
	p.ID = old.ID
	v := &personFormView{Person: p}
	if err == nil && r.PostForm.Has("reload") {
		return s.renderPersonForm(w, r, http.StatusOK, v)
	}
	if err == nil {
		_, err = s.svc.Persons.UpdatePerson(r.Context(), old.ID, desk.PersonUpdate{
			FirstName: &p.FirstName, Name: &p.Name, OrgID: &p.OrgID, LocationID: &p.LocationID,
			Email: &p.Email, Phone: &p.Phone, MobilePhone: &p.MobilePhone, HomePhone: &p.HomePhone,
			EmployeeNumber: &p.EmployeeNumber, SupportID: &p.SupportID, Function: &p.Function,
			Status: &p.Status,
		})
	}
	if err != nil {
		if v.Errors = s.formErrors(r, err, personFields...); v.Errors == nil {
			return err
		}
		return s.renderPersonForm(w, r, http.StatusUnprocessableEntity, v)
	}
	redirect(w, r, fmt.Sprintf("/persons/%d", old.ID))
	return nil
}
