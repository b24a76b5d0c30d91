package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// csrfField is the name of the hidden input that carries the CSRF token.
const csrfField = "csrf_token"

// loginCSRFCookie holds the double-submit token of the login form, which is
// posted before any session exists.
const loginCSRFCookie = "ctidesk_login_csrf"

// errCSRF answers a form whose token is missing or wrong.
var errCSRF = desk.NewError(desk.EFORBIDDEN, "error.csrf")

// sessionCSRF derives the CSRF token of a session: an HMAC keyed by the secret
// session token, so that another site cannot compute it, every instance can
// check it without shared state, and it dies with the session.
func sessionCSRF(sessionToken string) string {
	if sessionToken == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte(sessionToken))
	mac.Write([]byte("ctidesk csrf v1"))
	return hex.EncodeToString(mac.Sum(nil))
}

// validCSRF reports whether the parsed form of r carries the token of its
// session.
func (s *Server) validCSRF(r *http.Request) bool {
	want := sessionCSRF(sessionToken(r))
	got := r.PostForm.Get(csrfField)
	return want != "" && hmac.Equal([]byte(got), []byte(want))
}

// loginCSRF returns the double-submit token of the login form, setting its
// cookie when the browser has none yet.
func (s *Server) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) == 64 {
		if _, err := hex.DecodeString(c.Value); err == nil {
			return c.Value
		}
	}
	token := hex.EncodeToString(randomBytes(32))
	http.SetCookie(w, &http.Cookie{
		Name:     loginCSRFCookie,
		Value:    token,
		Path:     "/login",
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
	return token
}

// validLoginCSRF reports whether the login form's token equals its cookie.
func (s *Server) validLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || len(c.Value) != 64 {
		return false
	}
	got := r.PostForm.Get(csrfField)
	return subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

func (s *Server) clearLoginCSRF(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// randomBytes returns n bytes from the system's secure source; crypto/rand
// never fails on the platforms Go supports.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
