package web

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) registerAuthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.handleLoginPage)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("POST /logout", s.action(s.handleLogout))
	mux.HandleFunc("POST /me/language", s.action(s.handleLanguage))
}

// loginView is the data of the login page.
type loginView struct {
	Layout
	Login string
	Next  string
	Error string
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if desk.UserFromContext(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, &loginView{Next: next})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v *loginView) {
	v.CSRF = s.loginCSRF(w, r)
	if err := s.render(w, r, status, "login", v); err != nil {
		s.Error(w, r, err)
	}
}

// handleLogin checks the login and password, opens a session and goes back
// to the page the user first asked for.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.Error(w, r, formParseError(err))
		return
	}
	if !s.validLoginCSRF(r) {
		s.Error(w, r, errCSRF)
		return
	}
	login := strings.TrimSpace(r.PostForm.Get("login"))
	password := r.PostForm.Get("password")
	next := localPath(r.PostForm.Get("next"))
	sys := desk.NewSystemContext(r.Context())

	user, err := s.svc.Users.FindUserByLogin(sys, login)
	switch {
	case err == nil && user != nil:
		if !user.CheckPassword(password) {
			user = nil
		}
	case desk.ErrorCode(err) == desk.ENOTFOUND || desk.ErrorCode(err) == desk.EINVALID:
		// Spend the time a password check takes, so that the answer's delay
		// does not tell whether the login exists.
		s.dummyUser().CheckPassword(password)
		user = nil
	default:
		s.Error(w, r, err)
		return
	}
	if user == nil {
		s.log.Info("login failed", "login", login)
		s.renderLogin(w, r, http.StatusUnauthorized, &loginView{
			Login: login, Next: next,
			Error: s.i18n.t(s.lang(r), "login.failed"),
		})
		return
	}
	token, _, err := s.svc.Sessions.CreateSession(sys, user.ID, s.ttl)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if old := sessionToken(r); old != "" {
		// A new login in the same browser replaces the old session.
		if err := s.svc.Sessions.DeleteSession(sys, old); err != nil {
			s.log.Warn("delete replaced session", "err", err)
		}
	}
	s.setSessionCookie(w, token)
	s.clearLoginCSRF(w)
	s.log.Info("login", "login", user.Login)
	redirect(w, r, next)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Sessions.DeleteSession(desk.NewSystemContext(r.Context()), sessionToken(r)); err != nil &&
		desk.ErrorCode(err) != desk.ENOTFOUND {
		return err
	}
	s.clearSessionCookie(w)
	redirect(w, r, "/login")
	return nil
}

// handleLanguage changes the language of the logged-in user and goes back to
// the page the switch was on.
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) error {
	user := desk.UserFromContext(r.Context())
	lang := r.PostForm.Get("language")
	if !slices.Contains(desk.Languages, lang) {
		return desk.FieldErrorf("language", "Language must be one of %s.", strings.Join(desk.Languages, ", "))
	}
	if _, err := s.svc.Users.UpdateUser(r.Context(), user.ID, desk.UserUpdate{Language: &lang}); err != nil {
		return err
	}
	redirect(w, r, localPath(r.PostForm.Get("next")))
	return nil
}

// newDummyUser returns, once asked, a user whose hash matches no password:
// checking against it costs what a real check costs.
func newDummyUser() func() *desk.User {
	return sync.OnceValue(func() *desk.User {
		h, _ := desk.HashPassword("ctidesk timing equalizer")
		return &desk.User{PasswordHash: h}
	})
}
