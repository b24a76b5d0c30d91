package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/api"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestServerAlone serves the API without the pages around it, as
// internal/web mounts it: tokens, lookups and errors work on their own. The
// full suite of the API runs through the whole server in internal/web.
func TestServerAlone(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, sys := db.Services(), desk.NewSystemContext(ctx)
	org := &desk.Organization{Name: "Acme"}
	if err := svc.Organizations.CreateOrganization(sys, org); err != nil {
		t.Fatal(err)
	}
	ann := &desk.Person{FirstName: "Ann", Name: "Smith", OrgID: org.ID, Phone: "+1 212 555 0100"}
	if err := svc.Persons.CreatePerson(sys, ann); err != nil {
		t.Fatal(err)
	}
	u := &desk.User{Login: "agent", Roles: []string{desk.RoleAgent}, PasswordHash: "x"}
	if err := svc.Users.CreateUser(sys, u); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.Tokens.CreateAPIToken(sys, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Services: svc, BaseURL: "https://desk.example.com"}))
	t.Cleanup(srv.Close)

	get := func(path, token string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, body
	}

	if status, body := get("/api/v1/callers?phone=2125550100", ""); status != http.StatusUnauthorized ||
		body["error"].(map[string]any)["key"] != "error.api_token_required" {
		t.Errorf("no token: %d %v", status, body)
	}
	status, body := get("/api/v1/callers?phone=2125550100", token)
	callers, _ := body["callers"].([]any)
	if status != http.StatusOK || len(callers) != 1 {
		t.Fatalf("lookup: %d %v", status, body)
	}
	if c := callers[0].(map[string]any); c["id"] != float64(ann.ID) ||
		!strings.HasPrefix(c["pop_url"].(string), "https://desk.example.com/pop?") {
		t.Errorf("caller %v: want Ann, with a pop URL on the base URL", c)
	}
	if status, body := get("/api/v1/callers?phone=12", token); status != http.StatusUnprocessableEntity ||
		body["error"].(map[string]any)["message"] != `The number "12" has fewer than 7 significant digits, so nothing is matched.` {
		t.Errorf("short number: %d %v, want 422 with the English message", status, body)
	}
	if status, _ := get("/api/v1/openapi.yaml", ""); status != http.StatusOK {
		t.Errorf("openapi.yaml: %d", status)
	}
}
