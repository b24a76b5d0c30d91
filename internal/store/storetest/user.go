package storetest

import (
	"context"
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testUser(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	t.Run("RoundTrip", func(t *testing.T) {
		hash, err := desk.HashPassword("correct horse")
		must(t, err)
		f.advance(time.Minute)
		u := &desk.User{Login: "Jane.Doe", PasswordHash: hash, ContactID: f.alice.ID, Language: "FR FR",
			Roles: []string{desk.RoleViewer, desk.RoleAgent}, AllowedOrgIDs: []int64{f.orgB.ID, f.orgA.ID}}
		must(t, db.CreateUser(f.admin, u))
		if u.ID == 0 || u.ContactName != "Alice Martin" || !u.CreatedAt.Equal(f.now) {
			t.Fatalf("created %+v", u)
		}
		for _, find := range []func() (*desk.User, error){
			func() (*desk.User, error) { return db.FindUserByID(f.admin, u.ID) },
			func() (*desk.User, error) { return db.FindUserByLogin(f.sys, "jane.doe") }, // any case
		} {
			got, err := find()
			must(t, err)
			if got.ID != u.ID || got.Login != "Jane.Doe" || got.ContactName != "Alice Martin" || got.Language != "FR FR" ||
				!slices.Equal(got.Roles, []string{desk.RoleAgent, desk.RoleViewer}) ||
				!slices.Equal(got.AllowedOrgIDs, []int64{f.orgA.ID, f.orgB.ID}) || !got.CreatedAt.Equal(u.CreatedAt) {
				t.Fatalf("found %+v", got)
			}
			if !got.CheckPassword("correct horse") || got.CheckPassword("wrong horse") {
				t.Fatal("the stored hash does not check the password")
			}
		}
		err = db.CreateUser(f.admin, &desk.User{Login: "JANE.DOE", Roles: []string{desk.RoleViewer}})
		wantCode(t, err, desk.ECONFLICT)
		if desk.ErrorField(err) != "login" {
			t.Fatalf("duplicate login error %v does not name login", err)
		}

		upd, err := db.UpdateUser(f.admin, u.ID, desk.UserUpdate{Roles: []string{desk.RoleAdmin}, AllowedOrgIDs: []int64{},
			ContactID: ptr(int64(0))})
		must(t, err)
		if !slices.Equal(upd.Roles, []string{desk.RoleAdmin}) || len(upd.AllowedOrgIDs) != 0 || upd.ContactID != 0 ||
			upd.ContactName != "" || upd.Language != "FR FR" {
			t.Fatalf("updated %+v", upd)
		}
		got, err := db.FindUserByID(f.admin, u.ID)
		must(t, err)
		if !slices.Equal(got.Roles, []string{desk.RoleAdmin}) || len(got.AllowedOrgIDs) != 0 || got.ContactID != 0 {
			t.Fatalf("found %+v after update", got)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		_, before, err := db.FindUsers(f.admin, desk.UserFilter{})
		must(t, err)
		for _, tt := range []struct {
			u     desk.User
			field string
		}{
			{desk.User{Login: "has space", Roles: []string{desk.RoleAgent}}, "login"},
			{desk.User{Login: "norole"}, "roles"},
			{desk.User{Login: "badrole", Roles: []string{"root"}}, "roles"},
			{desk.User{Login: "badlang", Roles: []string{desk.RoleAgent}, Language: "Klingon"}, "language"},
			{desk.User{Login: "nocontact", Roles: []string{desk.RoleAgent}, ContactID: 99999}, "contact_id"},
			{desk.User{Login: "noorg", Roles: []string{desk.RoleAgent}, AllowedOrgIDs: []int64{99999}}, "allowed_org_ids"},
		} {
			u := tt.u
			wantField(t, db.CreateUser(f.admin, &u), tt.field)
		}
		_, err = db.UpdateUser(f.admin, f.agentUser.ID, desk.UserUpdate{Roles: []string{}, Language: ptr("FR FR")})
		wantField(t, err, "roles")
		_, after, err := db.FindUsers(f.admin, desk.UserFilter{})
		must(t, err)
		if after != before {
			t.Fatalf("%d users after refused creations, want %d", after, before)
		}
		got, err := db.FindUserByID(f.admin, f.agentUser.ID)
		must(t, err)
		if got.Language != "EN US" || !slices.Equal(got.Roles, []string{desk.RoleAgent}) {
			t.Fatalf("a refused update changed the user: %+v", got)
		}
	})

	t.Run("Self", func(t *testing.T) {
		me, err := db.FindUserByID(f.agent, f.agentUser.ID)
		must(t, err)
		if me.Login != "agent" || me.ContactName != "Ann Agent" {
			t.Fatalf("agent reads himself as %+v", me)
		}
		_, err = db.FindUserByID(f.agent, f.adminUser.ID)
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.FindUserByLogin(f.agent, "admin")
		wantCode(t, err, desk.ENOTFOUND)
		users, total, err := db.FindUsers(f.agent, desk.UserFilter{})
		must(t, err)
		if total != 1 || len(users) != 1 || users[0].ID != f.agentUser.ID {
			t.Fatalf("agent lists %d users, want only himself", total)
		}
		users, total, err = db.FindUsers(f.admin, desk.UserFilter{Limit: 2})
		must(t, err)
		if total < 4 || len(users) != 2 || users[0].Login != "admin" || users[1].Login != "agent" {
			t.Fatalf("admin lists %d of %d users", len(users), total)
		}

		upd, err := db.UpdateUser(f.agent, f.agentUser.ID, desk.UserUpdate{Language: ptr("FR FR")})
		must(t, err)
		if upd.Language != "FR FR" {
			t.Fatalf("language %q, want FR FR", upd.Language)
		}
		_, err = db.UpdateUser(f.agent, f.agentUser.ID, desk.UserUpdate{Roles: []string{desk.RoleAdmin}})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdateUser(f.agent, f.agentUser.ID, desk.UserUpdate{AllowedOrgIDs: []int64{}})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdateUser(f.agent, f.viewerUser.ID, desk.UserUpdate{Language: ptr("FR FR")})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdateUser(f.scoped, f.scopedUser.ID, desk.UserUpdate{AllowedOrgIDs: []int64{}})
		wantCode(t, err, desk.EFORBIDDEN)
		got, err := db.FindUserByID(f.admin, f.scopedUser.ID)
		must(t, err)
		if !slices.Equal(got.AllowedOrgIDs, []int64{f.orgA.ID}) {
			t.Fatalf("scoped user widened his organizations to %v", got.AllowedOrgIDs)
		}
		got, err = db.FindUserByID(f.admin, f.viewerUser.ID)
		must(t, err)
		if got.Language != "EN US" {
			t.Fatalf("agent changed the viewer's language to %q", got.Language)
		}
	})
}

func testSession(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	sys := f.sys

	token, s, err := db.CreateSession(sys, f.scopedUser.ID, time.Hour)
	must(t, err)
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not 32 bytes of base64url", token)
	}
	if s.ID == 0 || s.UserID != f.scopedUser.ID || !s.CreatedAt.Equal(Start) || !s.ExpiresAt.Equal(Start.Add(time.Hour)) {
		t.Fatalf("session %+v", s)
	}
	token2, _, err := db.CreateSession(sys, f.scopedUser.ID, 2*time.Hour)
	must(t, err)
	if token2 == token {
		t.Fatal("two sessions got the same token")
	}

	got, u, err := db.FindSession(sys, token)
	must(t, err)
	if got.ID != s.ID || !got.ExpiresAt.Equal(s.ExpiresAt) || u.ID != f.scopedUser.ID || u.Login != "scoped" ||
		!slices.Equal(u.Roles, []string{desk.RoleAgent}) || !slices.Equal(u.AllowedOrgIDs, []int64{f.orgA.ID}) ||
		u.ContactName != "Sam Scoped" {
		t.Fatalf("found %+v of %+v", got, u)
	}
	_, _, err = db.FindSession(sys, token+"x")
	wantCode(t, err, desk.ENOTFOUND)
	_, _, err = db.FindSession(sys, "")
	wantCode(t, err, desk.ENOTFOUND)

	// Expiry.
	f.advance(time.Hour - time.Second)
	_, _, err = db.FindSession(sys, token)
	must(t, err)
	f.advance(time.Second)
	_, _, err = db.FindSession(sys, token)
	wantCode(t, err, desk.ENOTFOUND)
	_, _, err = db.FindSession(sys, token2)
	must(t, err)

	// Logout.
	must(t, db.DeleteSession(desk.NewContextWithUser(context.Background(), f.scopedUser), token2))
	_, _, err = db.FindSession(sys, token2)
	wantCode(t, err, desk.ENOTFOUND)
	must(t, db.DeleteSession(sys, token2)) // again: nothing to do

	// Only for oneself, unless admin.
	_, _, err = db.CreateSession(f.agent, f.adminUser.ID, time.Hour)
	wantCode(t, err, desk.EFORBIDDEN)
	_, _, err = db.CreateSession(f.agent, f.agentUser.ID, time.Hour)
	must(t, err)
	_, _, err = db.CreateSession(sys, 99999, time.Hour)
	wantCode(t, err, desk.ENOTFOUND)
	_, _, err = db.CreateSession(sys, f.agentUser.ID, 0)
	wantField(t, err, "ttl")

	// Log out everywhere: oneself or, for an admin, anyone; others' stay.
	tokA, _, err := db.CreateSession(sys, f.agentUser.ID, time.Hour)
	must(t, err)
	tokV, _, err := db.CreateSession(sys, f.viewerUser.ID, time.Hour)
	must(t, err)
	_, err = db.DeleteUserSessions(f.agent, f.viewerUser.ID)
	wantCode(t, err, desk.EFORBIDDEN)
	n, err := db.DeleteUserSessions(f.agent, f.agentUser.ID)
	must(t, err)
	if n != 2 {
		t.Errorf("agent ended %d sessions, want 2", n)
	}
	_, _, err = db.FindSession(sys, tokA)
	wantCode(t, err, desk.ENOTFOUND)
	_, _, err = db.FindSession(sys, tokV)
	must(t, err)
	n, err = db.DeleteUserSessions(f.admin, f.viewerUser.ID)
	must(t, err)
	if n != 1 {
		t.Errorf("admin ended %d sessions of viewer, want 1", n)
	}
	_, _, err = db.FindSession(sys, tokV)
	wantCode(t, err, desk.ENOTFOUND)
}

func testLoginFailures(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db, sys := f.db, f.sys
	count := func(login, addr string, since time.Time) (int, int) {
		t.Helper()
		l, a, err := db.CountLoginFailures(sys, login, addr, since)
		must(t, err)
		return l, a
	}
	for _, tt := range []struct{ login, addr string }{
		{"agent", "192.0.2.1"}, {"agent", "192.0.2.2"}, {"nobody", "192.0.2.1"}, {"x' OR '1'='1", "2001:db8::1"},
	} {
		must(t, db.RecordLoginFailure(sys, tt.login, tt.addr))
		f.advance(time.Minute)
	}
	for _, tt := range []struct {
		login, addr       string
		since             time.Time
		wantLogin, wantIP int
	}{
		{"agent", "192.0.2.1", Start, 2, 2},
		{"agent", "192.0.2.1", Start.Add(time.Minute), 1, 1},
		{"nobody", "192.0.2.2", Start, 1, 1},
		{"x' OR '1'='1", "2001:db8::1", Start, 1, 1},
		{"admin", "192.0.2.9", Start, 0, 0},
		{"agent", "192.0.2.1", Start.Add(time.Hour), 0, 0},
	} {
		if l, a := count(tt.login, tt.addr, tt.since); l != tt.wantLogin || a != tt.wantIP {
			t.Errorf("count(%q, %q, %v) = %d, %d; want %d, %d", tt.login, tt.addr, tt.since, l, a, tt.wantLogin, tt.wantIP)
		}
	}
	// A success clears the login's count, not the address's.
	must(t, db.ClearLoginFailures(sys, "agent"))
	if l, a := count("agent", "192.0.2.1", Start); l != 0 || a != 2 {
		t.Errorf("after clear: %d, %d; want 0, 2", l, a)
	}
	// Failures older than a day are purged by the next one.
	f.advance(25 * time.Hour)
	must(t, db.RecordLoginFailure(sys, "viewer", "192.0.2.3"))
	if l, a := count("nobody", "192.0.2.1", time.Time{}); l != 0 || a != 0 {
		t.Errorf("after a day: %d, %d; want 0, 0", l, a)
	}
}

// testUserDisable: a disabled user's sessions end and his API tokens stop
// working; enabled again, he logs in anew. Nobody disables himself.
func testUserDisable(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	token, _, err := db.CreateSession(f.sys, f.agentUser.ID, time.Hour)
	must(t, err)
	apiToken, _, err := db.CreateAPIToken(f.admin, f.agentUser.ID, "script")
	must(t, err)
	_, _, err = db.AuthenticateAPIToken(f.sys, apiToken)
	must(t, err)

	yes, no := true, false
	_, err = db.UpdateUser(f.agent, f.agentUser.ID, desk.UserUpdate{Disabled: &yes})
	wantCode(t, err, desk.EFORBIDDEN) // an agent may not
	_, err = db.UpdateUser(f.admin, f.adminUser.ID, desk.UserUpdate{Disabled: &yes})
	wantField(t, err, "disabled")
	u, err := db.UpdateUser(f.admin, f.agentUser.ID, desk.UserUpdate{Disabled: &yes})
	must(t, err)
	if !u.Disabled() || !u.DisabledAt.Equal(f.now) {
		t.Fatalf("disabled user %+v, want disabled at %v", u, f.now)
	}
	_, _, err = db.FindSession(f.sys, token)
	wantCode(t, err, desk.ENOTFOUND)
	_, _, err = db.AuthenticateAPIToken(f.sys, apiToken)
	wantCode(t, err, desk.EUNAUTHORIZED)
	found, err := db.FindUserByLogin(f.sys, "agent")
	must(t, err)
	if !found.Disabled() {
		t.Fatal("FindUserByLogin: the user is not disabled")
	}

	_, err = db.UpdateUser(f.admin, f.agentUser.ID, desk.UserUpdate{Disabled: &no})
	must(t, err)
	_, _, err = db.AuthenticateAPIToken(f.sys, apiToken)
	must(t, err)
	token, _, err = db.CreateSession(f.sys, f.agentUser.ID, time.Hour)
	must(t, err)
	_, _, err = db.FindSession(f.sys, token)
	must(t, err)
}
