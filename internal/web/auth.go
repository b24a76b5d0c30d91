package web

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

func (s *Server) registerAuthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.handleLoginPage)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("POST /logout", s.action(s.handleLogout))
	mux.HandleFunc("POST /logout/everywhere", s.action(s.handleLogoutEverywhere))
	mux.HandleFunc("POST /users/{id}/logout", s.action(s.handleUserLogout))
	mux.HandleFunc("POST /users/logout", s.action(s.handleUserLogout))
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
	if err := request.CheckValues(r.PostForm); err != nil {
		s.Error(w, r, err)
		return
	}
	login := strings.TrimSpace(r.PostForm.Get("login"))
	password := r.PostForm.Get("password")
	next := localPath(r.PostForm.Get("next"))
	sys := desk.NewSystemContext(r.Context())

	// Too many failures of this login or from this address: refused before
	// any password check, the same way for known and unknown logins.
	key, addr := failureKey(login), s.clientAddress(r)
	since := s.now().Add(-s.loginWindow)
	byLogin, byAddr, err := s.svc.Sessions.CountLoginFailures(sys, key, addr, since)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if (key != "" && byLogin >= s.loginLimit) || byAddr >= s.loginLimit*addressLimitFactor {
		s.log.Warn("login refused: too many failures", "login", key, "address", addr)
		w.Header().Set("Retry-After", strconv.Itoa(int(s.loginWindow.Seconds())))
		s.renderLogin(w, r, http.StatusTooManyRequests, &loginView{
			Login: login, Next: next,
			Error: s.i18n.t(s.lang(r), "login.throttled", int(s.loginWindow.Minutes())),
		})
		return
	}

	user, err := s.svc.Users.FindUserByLogin(sys, login)
	switch {
	case err == nil && user != nil:
		// A disabled user's password is checked all the same, so that the
		// answer does not tell him apart from a wrong password.
		if !user.CheckPassword(password) || user.Disabled() {
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
		if err := s.svc.Sessions.RecordLoginFailure(sys, key, addr); err != nil {
			s.Error(w, r, err)
			return
		}
		s.renderLogin(w, r, http.StatusUnauthorized, &loginView{
			Login: login, Next: next,
			Error: s.i18n.t(s.lang(r), "login.failed"),
		})
		return
	}
	if byLogin > 0 {
		if err := s.svc.Sessions.ClearLoginFailures(sys, key); err != nil {
			s.log.Warn("clear login failures", "err", err)
		}
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
	if u := desk.UserFromContext(r.Context()); u != nil {
		s.revokeStreams(r, u.ID)
	}
	s.clearSessionCookie(w)
	redirect(w, r, "/login")
	return nil
}

// handleLogoutEverywhere ends every session of the logged-in user, in every
// browser, this one included.
func (s *Server) handleLogoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	user := desk.UserFromContext(r.Context())
	n, err := s.svc.Sessions.DeleteUserSessions(r.Context(), user.ID)
	if err != nil {
		return err
	}
	s.log.Info("logged out everywhere", "login", user.Login, "sessions", n)
	s.revokeStreams(r, user.ID)
	s.clearSessionCookie(w)
	redirect(w, r, "/login")
	return nil
}

// handleUserLogout ends every session of the user of the path, or of the
// form's user_id (the administrator's API tokens page): an admin's action
// (the store refuses anyone else but the user himself).
func (s *Server) handleUserLogout(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("id") == "" {
		id, err := strconv.ParseInt(r.PostForm.Get("user_id"), 10, 64)
		if err != nil || id <= 0 {
			return desk.Invalid("user_id", "error.user_missing")
		}
		r.SetPathValue("id", strconv.FormatInt(id, 10))
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.svc.Sessions.DeleteUserSessions(r.Context(), id)
	if err != nil {
		return err
	}
	s.log.Info("sessions ended", "user_id", id, "sessions", n,
		"by", desk.UserFromContext(r.Context()).Login)
	s.revokeStreams(r, id)
	if id == desk.UserFromContext(r.Context()).ID {
		s.clearSessionCookie(w)
		redirect(w, r, "/login")
		return nil
	}
	redirect(w, r, localPath(r.PostForm.Get("next")))
	return nil
}

// addressLimitFactor is how many more failures an address may have than a
// login: several people may share one address (an office behind NAT).
const addressLimitFactor = 4

// failureKey is the login as failures are counted: trimmed, lower-case, and
// cut to a length no real login has.
func failureKey(login string) string {
	key := strings.ToLower(strings.TrimSpace(login))
	if len(key) > 200 {
		key = strings.ToValidUTF8(key[:200], "")
	}
	return key
}

// clientAddress returns the IP address of the client: the connection's peer,
// unless that is a trusted proxy; then the last address of X-Forwarded-For
// that is not one (the addresses before it could be forged by the client).
func (s *Server) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer.String() // garbage: the last hop known is the proxy
		}
		if !s.trusted(a) {
			return a.Unmap().String()
		}
		peer = a
	}
	return peer.Unmap().String()
}

// trusted reports whether a is one of the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// handleLanguage changes the language of the logged-in user and goes back to
// the page the switch was on.
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) error {
	user := desk.UserFromContext(r.Context())
	lang := r.PostForm.Get("language")
	if !slices.Contains(desk.Languages, lang) {
		return desk.Invalid("language", "error.language_one_of", strings.Join(desk.Languages, ", "))
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
