package web_test

import (
	"net/http"
	"testing"

	"github.com/ctidesk/ctidesk/internal/web"
)

// TestDefaultLanguage checks server.default_language: the login page is in
// it when the browser asks for no language ctidesk has, and in the
// browser's language otherwise.
func TestDefaultLanguage(t *testing.T) {
	e := MustEnvWith(t, func(o *web.Options) { o.DefaultLanguage = "FR FR" })
	for _, tt := range []struct{ accept, want string }{
		{"", `lang="fr"`},
		{"de-DE,de;q=0.9", `lang="fr"`},
		{"en-US,en;q=0.9", `lang="en"`},
	} {
		c := e.newClient(t)
		c.header.Set("Accept-Language", tt.accept)
		r := c.get("/login")
		wantStatus(t, "login "+tt.accept, r, http.StatusOK)
		wantContains(t, "login page for Accept-Language "+tt.accept, r, tt.want)
	}
}
