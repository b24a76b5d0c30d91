package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

var newTokenValue = regexp.MustCompile(`id="new-token-value">(ctd_[A-Za-z0-9_-]+)<`)

func TestTokenPage(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	admin := e.MustLogin(t, "admin")
	agentUser := e.userOf(t, "agent")

	r := admin.get("/admin/tokens")
	wantStatus(t, "GET /admin/tokens", r, http.StatusOK)
	wantContains(t, "token page", r, "API tokens", `href="/admin/tokens"`, "No token.")

	t.Run("not for agents", func(t *testing.T) {
		agent := e.MustLogin(t, "agent")
		wantLacks(t, "agent's home", agent.get("/"), `href="/admin/tokens"`)
		wantStatus(t, "agent GET", agent.get("/admin/tokens"), http.StatusForbidden)
		wantStatus(t, "agent POST", agent.post("/admin/tokens", url.Values{"user_id": {fmt.Sprint(agentUser.ID)}}),
			http.StatusForbidden)
		wantStatus(t, "anonymous GET", e.newClient(t).get("/admin/tokens"), http.StatusSeeOther)
	})

	var token string
	t.Run("create, shown once", func(t *testing.T) {
		r := admin.post("/admin/tokens", url.Values{"user_id": {fmt.Sprint(agentUser.ID)}, "name": {"3CX PBX"}})
		wantStatus(t, "POST /admin/tokens", r, http.StatusOK)
		m := newTokenValue.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("the new token is not shown:\n%s", truncate(r.body))
		}
		token = m[1]
		wantContains(t, "after creation", r, "New token for agent", "3CX PBX", "Never")
		api := e.newAPIClient(t, token)
		wantAPIStatus(t, "the new token works", api.get("/api/v1/persons"), http.StatusOK)
		again := admin.get("/admin/tokens")
		wantLacks(t, "page reloaded", again, token)
		wantContains(t, "page reloaded", again, "3CX PBX", "1 token")
	})

	t.Run("refused forms", func(t *testing.T) {
		before := tokenCount(t, e)
		r := admin.post("/admin/tokens", url.Values{"user_id": {fmt.Sprint(agentUser.ID)}, "csrf_token": {"forged"}})
		wantStatus(t, "wrong CSRF token", r, http.StatusForbidden)
		r = admin.postRaw("/admin/tokens", url.Values{"user_id": {fmt.Sprint(agentUser.ID)}}.Encode())
		wantStatus(t, "no CSRF token", r, http.StatusForbidden)
		r = admin.post("/admin/tokens", url.Values{"name": {"x"}})
		wantStatus(t, "no user", r, http.StatusUnprocessableEntity)
		wantContains(t, "no user", r, "Choose the user the token acts as.", `aria-invalid="true"`)
		r = admin.post("/admin/tokens", url.Values{"user_id": {"999999"}})
		wantStatus(t, "unknown user", r, http.StatusUnprocessableEntity)
		r = admin.post("/admin/tokens", url.Values{"user_id": {fmt.Sprint(agentUser.ID)}, "name": {strings.Repeat("x", 101)}})
		wantStatus(t, "long name", r, http.StatusUnprocessableEntity)
		wantContains(t, "long name", r, "The token name is longer than 100 characters.")
		if newTokenValue.MatchString(r.body) {
			t.Error("a refused form shows a token")
		}
		if tokenCount(t, e) != before {
			t.Error("a refused form created a token")
		}
	})

	t.Run("revoke", func(t *testing.T) {
		toks, _, err := e.svc.Tokens.FindAPITokens(e.sys, desk.APITokenFilter{UserID: &agentUser.ID})
		if err != nil || len(toks) != 1 {
			t.Fatalf("tokens %v %v", toks, err)
		}
		path := idPath("/admin/tokens", toks[0].ID, "/revoke")
		admin.get("/admin/tokens") // a fresh CSRF token
		wantStatus(t, "agent revokes", e.MustLogin(t, "agent").post(path, nil), http.StatusForbidden)
		r := admin.post(path, nil)
		wantStatus(t, "revoke", r, http.StatusSeeOther)
		if r.location != "/admin/tokens" {
			t.Errorf("redirected to %q", r.location)
		}
		wantAPIError(t, "revoked token", e.newAPIClient(t, token).get("/api/v1/persons"), 401, desk.EUNAUTHORIZED, "")
		page := admin.get("/admin/tokens")
		wantContains(t, "after revocation", page, "Revoked on")
		wantLacks(t, "after revocation", page, path)
		wantStatus(t, "unknown token", admin.post("/admin/tokens/999999/revoke", nil), http.StatusNotFound)
	})

	t.Run("French", func(t *testing.T) {
		e.MustUser(t, &desk.User{Login: "admin-fr", Roles: []string{desk.RoleAdmin}, Language: "FR FR"})
		fr := e.MustLogin(t, "admin-fr")
		r := fr.get("/admin/tokens")
		wantContains(t, "French page", r, "Jetons d'API", "Révoqué le", "Créer le jeton")
		r = fr.post("/admin/tokens", url.Values{"user_id": {fmt.Sprint(agentUser.ID)}, "name": {strings.Repeat("x", 101)}})
		wantContains(t, "French error", r, "Le nom du jeton dépasse 100 caractères.")
	})
}

func tokenCount(t *testing.T, e *env) int {
	t.Helper()
	_, n, err := e.svc.Tokens.FindAPITokens(e.sys, desk.APITokenFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
