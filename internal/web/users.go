package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The administrators' Users page: the list, adding a user, and a user's
// page to change his role, language, organizations, contact person and
// extension, reset his password, disable him and end his sessions. Agents
// and viewers get 403: every handler asks for the right to modify users, and
// the store asks again.

func (s *Server) registerUserRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/users", s.page(s.handleUsers))
	mux.HandleFunc("POST /admin/users", s.action(s.handleUserCreate))
	mux.HandleFunc("GET /admin/users/{id}", s.page(s.handleUser))
	mux.HandleFunc("POST /admin/users/{id}", s.action(s.handleUserUpdate))
	mux.HandleFunc("POST /admin/users/{id}/password", s.action(s.handleUserPassword))
	mux.HandleFunc("POST /admin/users/{id}/disable", s.action(s.handleUserDisable))
}

// SeesOnly reports whether the user's organizations are limited and include
// orgID, for the form's choices.
func (u *userRow) SeesOnly(orgID int64) bool { return slices.Contains(u.AllowedOrgIDs, orgID) }

// userRow is a user as the list shows him.
type userRow struct {
	*desk.User
	Extension string
	// Orgs are the names of his organizations; none: every one.
	Orgs []string
}

// usersView is the data of the Users page and of a user's page.
type usersView struct {
	Layout
	Users []*userRow
	Total int
	Pager *Pager
	// Form is the user of the add or edit form, as typed.
	Form      *userRow
	Password  string
	Roles     []string
	Langs     []string
	OrgChoice []*desk.Organization
	Contact   *desk.Person
	Errors    map[string]string
	// Saved tells what was just done on a user's page ("saved",
	// "password", "disabled", "enabled", "sessions").
	Saved string
}

var userFields = []string{"login", "password", "role", "language", "allowed_org_ids", "contact_id", "extension",
	"disabled"}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	return s.renderUsers(w, r, http.StatusOK, &usersView{Form: &userRow{User: &desk.User{Roles: []string{desk.RoleAgent},
		Language: desk.Languages[0]}}})
}

// renderUsers renders the list with the add form.
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, v *usersView) error {
	ctx := r.Context()
	page := pageNumber(r)
	users, total, err := s.svc.Users.FindUsers(ctx, desk.UserFilter{Offset: (page - 1) * pageSize, Limit: pageSize})
	if err != nil {
		return err
	}
	settings, err := s.svc.Telephony.FindAgentsSettings(ctx)
	if err != nil {
		return err
	}
	ext := map[int64]string{}
	for _, a := range settings {
		ext[a.UserID] = a.Extension
	}
	if err := s.fillUserChoices(r, v); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, o := range v.OrgChoice {
		names[o.ID] = o.Name
	}
	for _, u := range users {
		row := &userRow{User: u, Extension: ext[u.ID]}
		for _, id := range u.AllowedOrgIDs {
			name := names[id]
			if name == "" {
				name = "#" + strconv.FormatInt(id, 10)
			}
			row.Orgs = append(row.Orgs, name)
		}
		v.Users = append(v.Users, row)
	}
	v.Total, v.Pager = total, newPager(r, page, total)
	v.Nav = "users"
	return s.render(w, r, status, "users", v)
}

// fillUserChoices fills the choices of the user form.
func (s *Server) fillUserChoices(r *http.Request, v *usersView) error {
	v.Roles, v.Langs = desk.Roles, desk.Languages
	var err error
	v.OrgChoice, _, err = s.svc.Organizations.FindOrganizations(r.Context(), desk.OrganizationFilter{Limit: selectLimit})
	if err != nil {
		return err
	}
	if v.Form != nil && v.Form.ContactID != 0 {
		if p, err := s.svc.Persons.FindPersonByID(r.Context(), v.Form.ContactID); err == nil {
			v.Contact = p
		}
	}
	return nil
}

// userFromForm reads the user form: role, language, organizations, contact
// person and extension (and the login of a new user).
func userFromForm(r *http.Request) (*userRow, error) {
	f := r.PostForm
	u := &userRow{User: &desk.User{Login: strings.TrimSpace(f.Get("login")), Language: f.Get("language")},
		Extension: strings.TrimSpace(f.Get("extension"))}
	role := f.Get("role")
	if !slices.Contains(desk.Roles, role) {
		return u, desk.Invalid("role", "error.unknown_role", role, strings.Join(desk.Roles, ", "))
	}
	u.Roles = []string{role}
	if !slices.Contains(desk.Languages, u.Language) {
		return u, desk.Invalid("language", "error.language_one_of", strings.Join(desk.Languages, ", "))
	}
	u.AllowedOrgIDs = []int64{}
	for _, v := range f["allowed_org_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return u, desk.Invalid("allowed_org_ids", "error.not_identifier", v)
		}
		u.AllowedOrgIDs = append(u.AllowedOrgIDs, id)
	}
	var err error
	u.ContactID, err = formID(r, "contact_id")
	return u, err
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	u, err := userFromForm(r)
	password := r.PostForm.Get("password")
	if err == nil {
		u.PasswordHash, err = desk.HashPassword(password)
	}
	if err == nil {
		err = s.svc.Users.CreateUser(r.Context(), u.User)
	}
	if err == nil && u.Extension != "" {
		_, err = s.svc.Telephony.UpdateAgentSettings(r.Context(), u.ID, desk.AgentSettingsUpdate{Extension: &u.Extension})
	}
	if err != nil {
		v := &usersView{Form: u}
		if v.Errors = s.formErrors(r, err, userFields...); v.Errors == nil {
			return err
		}
		if u.ID != 0 { // created, but the extension was refused: finish on his page
			return s.renderUser(w, r, http.StatusUnprocessableEntity, u.ID, v)
		}
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, v)
	}
	s.log.Info("user added", "login", u.Login, "by", desk.UserFromContext(r.Context()).Login)
	redirect(w, r, fmt.Sprintf("/admin/users/%d?saved=added", u.ID))
	return nil
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v := &usersView{Saved: r.URL.Query().Get("saved")}
	if !slices.Contains([]string{"added", "saved", "password", "disabled", "enabled", "sessions"}, v.Saved) {
		v.Saved = ""
	}
	return s.renderUser(w, r, http.StatusOK, id, v)
}

// renderUser renders a user's page; v.Form, when set, is the form as typed.
func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, id int64, v *usersView) error {
	ctx := r.Context()
	u, err := s.svc.Users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	settings, err := s.svc.Telephony.FindAgentSettings(ctx, id)
	if err != nil {
		return err
	}
	if v.Form == nil {
		v.Form = &userRow{User: u, Extension: settings.Extension}
	} else {
		v.Form.ID, v.Form.Login, v.Form.DisabledAt, v.Form.CreatedAt = u.ID, u.Login, u.DisabledAt, u.CreatedAt
	}
	if err := s.fillUserChoices(r, v); err != nil {
		return err
	}
	v.Nav = "users"
	return s.render(w, r, status, "user", v)
}

func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	old, err := findForModify(r, desk.ClassUser, s.svc.Users.FindUserByID)
	if err != nil {
		return err
	}
	u, err := userFromForm(r)
	if err == nil {
		_, err = s.svc.Users.UpdateUser(r.Context(), old.ID, desk.UserUpdate{Roles: u.Roles, Language: &u.Language,
			AllowedOrgIDs: u.AllowedOrgIDs, ContactID: &u.ContactID})
	}
	if err == nil {
		_, err = s.svc.Telephony.UpdateAgentSettings(r.Context(), old.ID, desk.AgentSettingsUpdate{Extension: &u.Extension})
	}
	if err != nil {
		v := &usersView{Form: u}
		if v.Errors = s.formErrors(r, err, userFields...); v.Errors == nil {
			return err
		}
		return s.renderUser(w, r, http.StatusUnprocessableEntity, old.ID, v)
	}
	// His rights may have changed: his open event streams end, and start
	// again with the new ones.
	s.revokeStreams(r, old.ID)
	redirect(w, r, fmt.Sprintf("/admin/users/%d?saved=saved", old.ID))
	return nil
}

func (s *Server) handleUserPassword(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	old, err := findForModify(r, desk.ClassUser, s.svc.Users.FindUserByID)
	if err != nil {
		return err
	}
	hash, err := desk.HashPassword(r.PostForm.Get("password"))
	if err == nil {
		_, err = s.svc.Users.UpdateUser(r.Context(), old.ID, desk.UserUpdate{PasswordHash: &hash})
	}
	if err != nil {
		v := &usersView{}
		if v.Errors = s.formErrors(r, err, "password"); v.Errors == nil {
			return err
		}
		return s.renderUser(w, r, http.StatusUnprocessableEntity, old.ID, v)
	}
	s.log.Info("password reset", "login", old.Login, "by", desk.UserFromContext(r.Context()).Login)
	redirect(w, r, fmt.Sprintf("/admin/users/%d?saved=password", old.ID))
	return nil
}

// handleUserDisable disables a user (disabled=1), which ends his sessions,
// or enables him again (disabled=0).
func (s *Server) handleUserDisable(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	old, err := findForModify(r, desk.ClassUser, s.svc.Users.FindUserByID)
	if err != nil {
		return err
	}
	disabled := r.PostForm.Get("disabled") == "1"
	if _, err := s.svc.Users.UpdateUser(r.Context(), old.ID, desk.UserUpdate{Disabled: &disabled}); err != nil {
		v := &usersView{}
		if v.Errors = s.formErrors(r, err, "disabled"); v.Errors == nil {
			return err
		}
		return s.renderUser(w, r, http.StatusUnprocessableEntity, old.ID, v)
	}
	saved := "enabled"
	if disabled {
		saved = "disabled"
		s.revokeStreams(r, old.ID)
	}
	s.log.Info("user "+saved, "login", old.Login, "by", desk.UserFromContext(r.Context()).Login)
	redirect(w, r, fmt.Sprintf("/admin/users/%d?saved=%s", old.ID, saved))
	return nil
}
