package request_test

import (
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/request"
)

// TestLoggedPath: a token in a path never reaches the log, however the path
// is spelled; other paths are logged as they are.
func TestLoggedPath(t *testing.T) {
	const token = "cti_4f2a-9c0e_1b7d"
	for _, path := range []string{
		"/api/v1/cti/events/" + token,
		"//api/v1/cti/events/" + token,
		"/api/v1/cti//events/" + token,
		"/api/v1/./cti/events/" + token,
		"/API/v1/cti/events/" + strings.ToUpper(token),
		"/api/v1/cti/" + token,
		"/api/v1/cti/" + token + "/",
		"/api/v1/persons/ctd_0123456789abcdef",
	} {
		got := request.LoggedPath(path)
		if strings.Contains(strings.ToLower(got), "4f2a-9c0e_1b7d") || strings.Contains(got, "0123456789abcdef") {
			t.Errorf("LoggedPath(%q) = %q: the token is logged", path, got)
		}
		if !strings.Contains(got, "…") {
			t.Errorf("LoggedPath(%q) = %q: the token is not marked as masked", path, got)
		}
	}
	// A token that is not ctidesk's (Zammad's, left in a script) where the
	// webhook takes its token is a secret all the same.
	for _, path := range []string{"/api/v1/cti/0123456789abcdef0123", "/api/v1/cti/events/0123456789abcdef0123",
		"/API/V1/CTI/0123456789abcdef0123/"} {
		if got := request.LoggedPath(path); strings.Contains(got, "0123456789abcdef") || !strings.Contains(got, "…") {
			t.Errorf("LoggedPath(%q) = %q: the token is logged", path, got)
		}
	}
	for _, path := range []string{"/api/v1/cti/events", "/api/v1/cti/events/", "/tickets/12", "/persons/suggest",
		"/static/cti_.css", "/api/v1/persons/12"} {
		if got := request.LoggedPath(path); got != path {
			t.Errorf("LoggedPath(%q) = %q, want it unchanged", path, got)
		}
	}
}
