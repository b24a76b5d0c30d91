package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// errorView is the data of the error page.
type errorView struct {
	Layout
	Status  int
	Code    string
	Message string
}

// Error answers a request that failed with a page that says what happened in
// the user's language: the status follows the desk error code, and an internal
// error is logged with its detail and shown without it. Forms handle their
// validation errors themselves (see formErrors) and call Error for the rest.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.api.Error(w, r, err) // a panic or a refused body under the API: JSON
		return
	}
	code := desk.ErrorCode(err)
	status := request.Status(code)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	if code == desk.EUNAUTHORIZED && desk.UserFromContext(r.Context()) == nil {
		s.redirectToLogin(w, r)
		return
	}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", request.LoggedPath(r.URL.Path), "err", err)
	}
	view := &errorView{Status: status, Code: code, Message: s.i18n.errorMessage(s.lang(r), err)}
	if code == "" || !s.i18n.has("error."+code+".title") {
		view.Code = desk.EINTERNAL
	}
	if rerr := s.render(w, r, status, "error", view); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// formErrors turns a validation error (or a conflict on one field) into messages by field, in the
// language of the request: a field the form shows gets its message next to
// it; any other goes to the top of the form under the key "". It returns nil
// for an error that is not a validation error, which the caller passes to
// Error.
func (s *Server) formErrors(r *http.Request, err error, fields ...string) map[string]string {
	switch desk.ErrorCode(err) {
	case desk.EINVALID:
	case desk.ECONFLICT:
		// A value already taken (an organization's name) is the field's
		// fault too; another conflict is not the form's.
		if desk.ErrorField(err) == "" {
			return nil
		}
	default:
		return nil
	}
	msg := s.i18n.errorMessage(s.lang(r), err)
	field := desk.ErrorField(err)
	for _, f := range fields {
		if f == field {
			return map[string]string{field: msg}
		}
	}
	return map[string]string{"": msg}
}
