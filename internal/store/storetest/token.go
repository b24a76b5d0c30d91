package storetest

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testToken(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	token, tk, err := db.CreateAPIToken(f.sys, f.scopedUser.ID, "  3CX  ")
	must(t, err)
	raw, ok := strings.CutPrefix(token, desk.APITokenPrefix)
	if b, err := base64.RawURLEncoding.DecodeString(raw); !ok || err != nil || len(b) != 32 {
		t.Fatalf("token %q is not %s and 32 bytes of base64url", token, desk.APITokenPrefix)
	}
	if tk.ID == 0 || tk.UserID != f.scopedUser.ID || tk.Login != "scoped" || tk.Name != "3CX" ||
		!tk.CreatedAt.Equal(Start) || tk.LastUsedAt != nil || tk.Revoked() {
		t.Fatalf("created %+v", tk)
	}
	token2, tk2, err := db.CreateAPIToken(f.sys, f.scopedUser.ID, "")
	must(t, err)
	if token2 == token {
		t.Fatal("two tokens are equal")
	}

	t.Run("Authenticate", func(t *testing.T) {
		got, u, err := db.AuthenticateAPIToken(context.Background(), token) // no user in the context
		must(t, err)
		if got.ID != tk.ID || u.ID != f.scopedUser.ID || u.Login != "scoped" ||
			!slices.Equal(u.Roles, []string{desk.RoleAgent}) || !slices.Equal(u.AllowedOrgIDs, []int64{f.orgA.ID}) ||
			u.ContactName != "Sam Scoped" {
			t.Fatalf("authenticated %+v as %+v", got, u)
		}
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(f.now) {
			t.Fatalf("last used %v, want %v", got.LastUsedAt, f.now)
		}
		// The use is recorded, at most once a minute.
		f.advance(30 * time.Second)
		mustAuth(t, db, token)
		stored, err := db.FindAPITokenByID(f.admin, tk.ID)
		must(t, err)
		if stored.LastUsedAt == nil || !stored.LastUsedAt.Equal(Start) {
			t.Fatalf("last used %v after 30 s, want %v", stored.LastUsedAt, Start)
		}
		f.advance(30 * time.Second)
		mustAuth(t, db, token)
		stored, err = db.FindAPITokenByID(f.admin, tk.ID)
		must(t, err)
		if stored.LastUsedAt == nil || !stored.LastUsedAt.Equal(f.now) {
			t.Fatalf("last used %v after a minute, want %v", stored.LastUsedAt, f.now)
		}

		for _, bad := range []string{"", token + "x", strings.TrimPrefix(token, desk.APITokenPrefix),
			desk.APITokenPrefix, strings.ToUpper(token)} {
			_, _, err := db.AuthenticateAPIToken(context.Background(), bad)
			wantCode(t, err, desk.EUNAUTHORIZED)
		}
	})

	t.Run("List", func(t *testing.T) {
		_, _, err := db.CreateAPIToken(f.agent, f.agentUser.ID, "agent's own")
		must(t, err)
		all, total, err := db.FindAPITokens(f.admin, desk.APITokenFilter{})
		must(t, err)
		if total != 3 || len(all) != 3 || all[1].ID != tk2.ID || all[2].ID != tk.ID {
			t.Fatalf("admin lists %d of %d tokens: %+v", len(all), total, all)
		}
		mine, total, err := db.FindAPITokens(f.scoped, desk.APITokenFilter{})
		must(t, err)
		if total != 2 || mine[0].ID != tk2.ID || mine[1].ID != tk.ID {
			t.Fatalf("scoped lists %d tokens, want his 2", total)
		}
		byUser, total, err := db.FindAPITokens(f.admin, desk.APITokenFilter{UserID: &f.agentUser.ID})
		must(t, err)
		if total != 1 || byUser[0].Name != "agent's own" || byUser[0].Login != "agent" {
			t.Fatalf("tokens of agent: %+v", byUser)
		}
		_, err = db.FindAPITokenByID(f.agent, tk.ID)
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.FindAPITokenByID(f.admin, 99999)
		wantCode(t, err, desk.ENOTFOUND)
		_, _, err = db.FindAPITokens(f.anon, desk.APITokenFilter{})
		wantCode(t, err, desk.EUNAUTHORIZED)
	})

	t.Run("Revoke", func(t *testing.T) {
		_, err := db.RevokeAPIToken(f.agent, tk.ID) // another user's
		wantCode(t, err, desk.ENOTFOUND)
		mustAuth(t, db, token)

		f.advance(time.Hour)
		revoked, err := db.RevokeAPIToken(f.scoped, tk.ID) // his own
		must(t, err)
		if revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(f.now) {
			t.Fatalf("revoked %+v", revoked)
		}
		_, _, err = db.AuthenticateAPIToken(context.Background(), token)
		wantCode(t, err, desk.EUNAUTHORIZED)
		if msg := english(err); !strings.Contains(msg, "revoked") {
			t.Errorf("revoked token: message %q does not say so", msg)
		}
		f.advance(time.Hour)
		again, err := db.RevokeAPIToken(f.admin, tk.ID)
		must(t, err)
		if !again.RevokedAt.Equal(revoked.RevokedAt.UTC()) {
			t.Fatalf("revoked again at %v, want the first time %v", again.RevokedAt, revoked.RevokedAt)
		}
		active, total, err := db.FindAPITokens(f.admin, desk.APITokenFilter{UserID: &f.scopedUser.ID, Active: true})
		must(t, err)
		if total != 1 || active[0].ID != tk2.ID {
			t.Fatalf("active tokens of scoped: %+v", active)
		}
		// The other token of the same user still works.
		mustAuth(t, db, token2)
		_, err = db.RevokeAPIToken(f.admin, 99999)
		wantCode(t, err, desk.ENOTFOUND)
	})

	t.Run("Create", func(t *testing.T) {
		_, _, err := db.CreateAPIToken(f.agent, f.adminUser.ID, "steal")
		wantCode(t, err, desk.EFORBIDDEN)
		_, _, err = db.CreateAPIToken(f.viewer, f.viewerUser.ID, "read only")
		must(t, err)
		_, _, err = db.CreateAPIToken(f.admin, 99999, "nobody")
		wantCode(t, err, desk.ENOTFOUND)
		_, _, err = db.CreateAPIToken(f.admin, f.agentUser.ID, strings.Repeat("x", 101))
		wantField(t, err, "name")
		_, _, err = db.CreateAPIToken(f.anon, f.agentUser.ID, "")
		wantCode(t, err, desk.EUNAUTHORIZED)
		_, total, err := db.FindAPITokens(f.admin, desk.APITokenFilter{UserID: &f.adminUser.ID})
		must(t, err)
		if total != 0 {
			t.Fatalf("refused creations left %d tokens", total)
		}
	})
}

// mustAuth fails unless token authenticates.
func mustAuth(t testing.TB, db *store.DB, token string) {
	t.Helper()
	_, _, err := db.AuthenticateAPIToken(context.Background(), token)
	must(t, err)
}
