package api

import (
	"fmt"
	"net/http"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

func (s *Server) apiPersonRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/persons", s.apiPersons},
		{http.MethodPost, "/api/v1/persons", s.apiPersonCreate},
		{http.MethodGet, "/api/v1/persons/{id}", s.apiPerson},
		{http.MethodPatch, "/api/v1/persons/{id}", s.apiPersonUpdate},
		{http.MethodDelete, "/api/v1/persons/{id}", s.apiPersonDelete},
	}
}

// apiPersonInput is the body of a new person.
type apiPersonInput struct {
	FirstName      string `json:"first_name"`
	Name           string `json:"name"`
	OrgID          int64  `json:"org_id"`
	LocationID     int64  `json:"location_id"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	MobilePhone    string `json:"mobile_phone"`
	HomePhone      string `json:"home_phone"`
	EmployeeNumber string `json:"employee_number"`
	SupportID      string `json:"support_id"`
	Function       string `json:"function"`
	Status         string `json:"status"`
}

// apiPersonPatch is the body of a person's update: the attributes present
// change, the others stay.
type apiPersonPatch struct {
	FirstName      *string `json:"first_name"`
	Name           *string `json:"name"`
	OrgID          *int64  `json:"org_id"`
	LocationID     *int64  `json:"location_id"`
	Email          *string `json:"email"`
	Phone          *string `json:"phone"`
	MobilePhone    *string `json:"mobile_phone"`
	HomePhone      *string `json:"home_phone"`
	EmployeeNumber *string `json:"employee_number"`
	SupportID      *string `json:"support_id"`
	Function       *string `json:"function"`
	Status         *string `json:"status"`
}

// apiPersons lists persons: q searches names, emails and numbers as the
// pages do; org_id, email, employee_number and support_id select exactly.
func (s *Server) apiPersons(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := apiPage(r)
	if err != nil {
		return err
	}
	orgID, err := request.QueryID(r, "org_id")
	if err != nil {
		return err
	}
	filter := desk.PersonFilter{OrgID: orgID, Email: queryString(r, "email"),
		EmployeeNumber: queryString(r, "employee_number"), SupportID: queryString(r, "support_id"),
		Offset: offset, Limit: limit}
	if q := queryString(r, "q"); q != nil {
		filter.Query = *q
	}
	persons, total, err := s.svc.Persons.FindPersons(r.Context(), filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(persons, total, offset, limit))
	return nil
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) error {
	p, err := apiFind(r, s.svc.Persons.FindPersonByID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiPersonCreate(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassPerson); err != nil {
		return err
	}
	var in apiPersonInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := &desk.Person{FirstName: in.FirstName, Name: in.Name, OrgID: in.OrgID, LocationID: in.LocationID,
		Email: in.Email, Phone: in.Phone, MobilePhone: in.MobilePhone, HomePhone: in.HomePhone,
		EmployeeNumber: in.EmployeeNumber, SupportID: in.SupportID, Function: in.Function, Status: in.Status}
	if err := s.svc.Persons.CreatePerson(r.Context(), p); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("%spersons/%d", apiPrefix, p.ID), p)
	return nil
}

func (s *Server) apiPersonUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassPerson, s.svc.Persons.FindPersonByID)
	if err != nil {
		return err
	}
	var in apiPersonPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.svc.Persons.UpdatePerson(r.Context(), old.ID, desk.PersonUpdate{
		FirstName: in.FirstName, Name: in.Name, OrgID: in.OrgID, LocationID: in.LocationID, Email: in.Email,
		Phone: in.Phone, MobilePhone: in.MobilePhone, HomePhone: in.HomePhone, EmployeeNumber: in.EmployeeNumber,
		SupportID: in.SupportID, Function: in.Function, Status: in.Status,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// apiPersonDelete deletes a person no ticket, phone call or user refers to
// (409 otherwise).
func (s *Server) apiPersonDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := apiFindForModify(r, desk.ClassPerson, s.svc.Persons.FindPersonByID)
	if err != nil {
		return err
	}
	if err := s.svc.Persons.DeletePerson(r.Context(), p.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
