// Package request holds what the pages (internal/web) and the JSON API
// (internal/api) share about an HTTP request: who made it and which route
// served it, for the access log and the metrics; the HTTP status of a domain
// error; the URL the server is reached at; and the path as it may be logged.
package request

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Info is filled as a request goes down the handlers, for the access log and
// the metrics.
type Info struct {
	// Login is who made the request: a user's login, or integration:NAME.
	Login string
	// Route is the pattern of the route that served it (RecordRoute).
	Route string
}

type infoKey struct{}

// WithInfo returns ctx carrying a new Info, and the Info.
func WithInfo(ctx context.Context) (context.Context, *Info) {
	info := &Info{}
	return context.WithValue(ctx, infoKey{}, info), info
}

// SetLogin records who made the request, when ctx carries an Info.
func SetLogin(ctx context.Context, login string) {
	if info, ok := ctx.Value(infoKey{}).(*Info); ok {
		info.Login = login
	}
}

// RecordRoute wraps a ServeMux: once it has served a request, the pattern
// that matched goes into the request's Info. The innermost mux (the API's)
// is first to tell, and wins.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if info, ok := r.Context().Value(infoKey{}).(*Info); ok && info.Route == "" {
			info.Route = r.Pattern
		}
	})
}

// Status maps a desk error code to its HTTP status.
func Status(code string) int {
	switch code {
	case desk.EINVALID:
		return http.StatusBadRequest
	case desk.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case desk.EFORBIDDEN:
		return http.StatusForbidden
	case desk.ENOTFOUND:
		return http.StatusNotFound
	case desk.ECONFLICT:
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}

// BaseURL returns the URL the server is reached at, for the links it gives
// out (the screen pop): configured when set (https://desk.example.com, no
// trailing slash), or else the scheme and host of the request.
func BaseURL(r *http.Request, configured string) string {
	if configured != "" {
		return configured
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// LoggedPath returns path fit for a log: every segment that looks like a
// token, wherever it stands and however the path is spelled
// (//api/v1/cti/events/TOKEN, /API/v1/cti/TOKEN), is masked to its prefix;
// so is whatever stands where the call events take their token
// (/api/v1/cti/X, /api/v1/cti/events/X), token-shaped or not: a Zammad
// token left in a phone system's script is a secret too.
//
// The tokens that may travel in a path are an integration token in a phone
// system's URL (Zammad's shape), and an API token pasted there by mistake.
func LoggedPath(path string) string {
	lower := strings.ToLower(path)
	if !strings.Contains(lower, desk.IntegrationTokenPrefix) && !strings.Contains(lower, desk.APITokenPrefix) &&
		!strings.Contains(lower, "/cti/") {
		return path
	}
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		for _, prefix := range [...]string{desk.IntegrationTokenPrefix, desk.APITokenPrefix} {
			if len(seg) >= len(prefix)+8 && strings.EqualFold(seg[:len(prefix)], prefix) && tokenChars(seg[len(prefix):]) {
				segments[i] = prefix + "…"
			}
		}
		if seg != "" && segments[i] == seg && webhookTokenAt(segments, i) {
			segments[i] = "…"
		}
	}
	return strings.Join(segments, "/")
}

// webhookTokenAt reports whether segment i of a path stands where the call
// events take their token: after cti (but for events), or after cti/events.
func webhookTokenAt(segments []string, i int) bool {
	switch {
	case i >= 1 && strings.EqualFold(segments[i-1], "cti"):
		return !strings.EqualFold(segments[i], "events")
	case i >= 2 && strings.EqualFold(segments[i-1], "events") && strings.EqualFold(segments[i-2], "cti"):
		return true
	}
	return false
}

// tokenChars reports whether s could be the random part of a token: the
// characters of base64url.
func tokenChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// QueryID reads an optional numeric id from the query string: absent is nil,
// anything but a positive number is a bad request.
func QueryID(r *http.Request, name string) (*int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, desk.Invalid(name, "error.not_identifier", v)
	}
	return &id, nil
}
