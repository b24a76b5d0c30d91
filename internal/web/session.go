package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// sessionCookie holds the session token. The store keeps only its hash.
const sessionCookie = "ctidesk_session"

// loadSession reads the session cookie and, for a valid session, puts its user
// in the request context: every service call of the request acts as that user.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		// The API authenticates by token only (see authenticateAPI): a
		// cookie never acts there, so no CSRF can either.
		if err != nil || c.Value == "" || strings.HasPrefix(r.URL.Path, "/static/") ||
			strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		_, user, err := s.svc.Sessions.FindSession(desk.NewSystemContext(r.Context()), c.Value)
		switch code := desk.ErrorCode(err); {
		case err == nil && user != nil:
			ctx := desk.NewContextWithUser(r.Context(), user)
			ctx = context.WithValue(ctx, sessionTokenKey, c.Value)
			request.SetLogin(ctx, user.Login)
			r = r.WithContext(ctx)
		case code == desk.ENOTFOUND || code == desk.EUNAUTHORIZED || user == nil:
			// Expired or unknown: forget the cookie and carry on logged out.
			s.clearSessionCookie(w)
		default:
			s.Error(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sessionToken returns the session token of the request, or "".
func sessionToken(r *http.Request) string {
	t, _ := r.Context().Value(sessionTokenKey).(string)
	return t
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int(s.ttl.Seconds()),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// redirectToLogin sends a browser that is not logged in to the login page.
// A GET comes back to where it was after the login; a form posted by an
// expired session cannot be replayed, so it goes back to the home page.
func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if next := r.URL.RequestURI(); next != "/" {
			target += "?next=" + url.QueryEscape(next)
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns next when it is a path of this site, and "/" otherwise:
// the login and language forms redirect there, so it must never lead to
// another site ("//evil.example", "https://…", "/\evil.example").
func localPath(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2048 {
		return "/"
	}
	if strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}

// sessionKey names a session in memory without its token: the start of the
// token's SHA-256.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:12])
}
