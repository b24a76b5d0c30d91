package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
	"github.com/ctidesk/ctidesk/internal/store"
)

// testQuery runs OQL queries through the store: the user's scope, the phone
// matching of the store's normalizer, the parameters taken from the user, and
// objects as the store wrote them.
func testQuery(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	tkA := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindUserRequest, Title: "A's request", OrgID: f.orgA.ID,
		CallerID: f.alice.ID, AgentID: f.agentP.ID})
	f.advance(time.Minute)
	tkB := f.ticket(t, f.agent, &desk.Ticket{Kind: desk.KindIncident, Title: "B's incident", OrgID: f.orgB.ID, CallerID: f.bob.ID})
	tkScoped := f.ticket(t, f.scoped, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Sam's own", OrgID: f.orgA.ID,
		AgentID: f.scopedP.ID})
	_, err := db.UpdatePerson(f.sys, f.alice.ID, desk.PersonUpdate{ManagerID: &f.agentP.ID})
	must(t, err)

	find := func(t *testing.T, ctx context.Context, q string, params desk.QueryParams) []int64 {
		t.Helper()
		objs, err := db.FindObjects(ctx, oql.MustParse(q), params, 0)
		if err != nil {
			t.Fatalf("FindObjects(%q): %v", q, err)
		}
		return ids(objs, func(o *desk.Object) int64 { return o.ID })
	}
	for _, c := range []struct {
		name   string
		ctx    context.Context
		query  string
		params desk.QueryParams
		want   []int64
	}{
		{"caller by number, any format", f.agent, `SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`,
			desk.QueryParams{"phone": "2125550100"}, []int64{f.alice.ID}},
		{"caller by mobile, leading space for +", f.agent, `SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`,
			desk.QueryParams{"phone": " 1 415 555 0199"}, []int64{f.bob.ID}},
		{"caller of another organization", f.scoped, `SELECT Person WHERE phone LIKE :phone`,
			desk.QueryParams{"phone": "+14155550199"}, []int64{}},
		{"tickets of the callers", f.agent, `SELECT Ticket AS t WHERE t.caller_id IN (:callers_list) AND t.status != 'closed'`,
			desk.QueryParams{"callers_list": []int64{f.alice.ID, f.bob.ID}}, []int64{tkB.ID, tkA.ID}},
		{"tickets of the callers, scoped", f.scoped, `SELECT Ticket AS t WHERE t.caller_id IN (:callers_list)`,
			desk.QueryParams{"callers_list": []int64{f.alice.ID, f.bob.ID}}, []int64{tkA.ID}},
		{"organization of the selected caller", f.viewer,
			`SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller`,
			desk.QueryParams{"selected_caller": f.bob.ID}, []int64{f.orgB.ID}},
		{"my tickets", f.agent, `SELECT UserRequest WHERE agent_id = :current_contact`, nil, []int64{tkA.ID}},
		{"current_contact cannot be forged", f.scoped, `SELECT UserRequest WHERE agent_id = :current_contact`,
			desk.QueryParams{"current_contact": f.agentP.ID}, []int64{tkScoped.ID}},
		{"by reference", f.agent, `SELECT Ticket WHERE id = :request`, desk.QueryParams{"request": tkB.Ref}, []int64{tkB.ID}},
		// iTop's names of the session's parameters, which no caller forges.
		{"my tickets, iTop's name", f.agent, `SELECT UserRequest WHERE agent_id = :current_contact_id`, nil, []int64{tkA.ID}},
		{"current_contact_id cannot be forged", f.scoped, `SELECT UserRequest WHERE agent_id = :current_contact_id`,
			desk.QueryParams{"current_contact_id": f.agentP.ID}, []int64{tkScoped.ID}},
		{"current_user_id is the user's", f.agent, `SELECT Ticket WHERE id = :id AND :current_user_id = :me`,
			desk.QueryParams{"id": tkA.ID, "me": f.agentUser.ID, "current_user_id": f.scopedUser.ID}, []int64{tkA.ID}},
		{"current_contact's organization", f.scoped, `SELECT Organization WHERE id = :current_contact->org_id`, nil, []int64{f.orgA.ID}},
		// The object in context, read within the user's organizations.
		{"this", f.agent, `SELECT Person WHERE org_id = :this->org_id`,
			desk.QueryParams{desk.ParamThis: &desk.Object{Class: desk.KindIncident, ID: tkB.ID}}, []int64{f.bob.ID}},
		{"this out of scope", f.scoped, `SELECT Person WHERE org_id = :this->org_id`,
			desk.QueryParams{desk.ParamThis: &desk.Object{Class: desk.ClassTicket, ID: tkB.ID}}, []int64{}},
		{"this, its caller's manager", f.agent, `SELECT Person AS m JOIN Person AS p ON p.manager_id = m.id WHERE p.id = :this->caller_id`,
			desk.QueryParams{desk.ParamThis: &desk.Object{Class: desk.ClassTicket, ID: tkA.ID}}, []int64{f.agentP.ID}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := find(t, c.ctx, c.query, c.params); !slices.Equal(got, c.want) {
				t.Errorf("ids = %v, want %v", got, c.want)
			}
		})
	}

	t.Run("Values", func(t *testing.T) {
		objs, err := db.FindObjects(f.agent, oql.MustParse(`SELECT Ticket WHERE id = :id`), desk.QueryParams{"id": tkA.ID}, 0)
		if err != nil || len(objs) != 1 {
			t.Fatalf("FindObjects: %v, %v", objs, err)
		}
		o := objs[0]
		if o.Class != desk.KindUserRequest || o.FriendlyName != tkA.Ref {
			t.Errorf("object %s %q, want %s %q", o.Class, o.FriendlyName, desk.KindUserRequest, tkA.Ref)
		}
		for attr, want := range map[string]any{"title": "A's request", "caller_id": f.alice.ID, "caller_name": "Alice Martin",
			"org_name": "Alpha Corp", "agent_name": "Ann Agent", "start_date": Start, "close_date": nil, "priority": int64(3)} {
			if got := o.Value(attr); got != want {
				t.Errorf("%s = %#v, want %#v", attr, got, want)
			}
		}
	})

	t.Run("Limit", func(t *testing.T) {
		objs, err := db.FindObjects(f.agent, oql.MustParse(`SELECT Person`), nil, 2)
		if err != nil || len(objs) != 2 {
			t.Fatalf("FindObjects with limit 2: %d objects, %v", len(objs), err)
		}
	})

	t.Run("Total", func(t *testing.T) {
		for _, c := range []struct {
			ctx   context.Context
			query string
		}{
			{f.agent, `SELECT Person`},
			{f.scoped, `SELECT Person`}, // counted within the scope, as found
			{f.agent, `SELECT Ticket AS t WHERE t.status != 'closed'`},
			{f.agent, `SELECT UserRequest AS u JOIN Organization AS o ON u.org_id = o.id JOIN Person AS p ON p.org_id = o.id`},
		} {
			all, err := db.FindObjects(c.ctx, oql.MustParse(c.query), nil, 0)
			if err != nil || len(all) < 2 {
				t.Fatalf("FindObjects(%q): %d objects, %v; want 2 or more", c.query, len(all), err)
			}
			for _, limit := range []int{1, len(all), len(all) + 1} {
				objs, total, err := db.FindObjectsTotal(c.ctx, oql.MustParse(c.query), nil, limit)
				if err != nil || total != len(all) || len(objs) != min(limit, len(all)) || objs[0].ID != all[0].ID {
					t.Errorf("FindObjectsTotal(%q, %d) = %d objects of %d, %v; FindObjects found %d", c.query, limit, len(objs), total, err, len(all))
				}
			}
		}
		objs, total, err := db.FindObjectsTotal(f.agent, oql.MustParse(`SELECT Person WHERE name = 'Nobody at all'`), nil, 5)
		if err != nil || len(objs) != 0 || total != 0 {
			t.Errorf("nothing found: %d objects of %d, %v", len(objs), total, err)
		}
		_, _, err = db.FindObjectsTotal(f.anon, oql.MustParse(`SELECT Person`), nil, 5)
		wantCode(t, err, desk.EUNAUTHORIZED)
	})

	// Users in queries (iTop's User and URP_UserOrg) follow the rights on
	// users: administrators only; a scoped administrator sees the users
	// whose contact he sees.
	t.Run("Users", func(t *testing.T) {
		got := find(t, f.admin, `SELECT User WHERE status = 'enabled'`, nil)
		if want := []int64{f.adminUser.ID, f.agentUser.ID, f.scopedUser.ID, f.viewerUser.ID}; !slices.Equal(got, want) {
			t.Errorf("admin's users = %v, want %v (by login)", got, want)
		}
		if got := find(t, f.admin, `SELECT User WHERE org_name = 'Alpha Corp'`, nil); !slices.Equal(got, []int64{f.scopedUser.ID}) {
			t.Errorf("users of Alpha Corp = %v, want the scoped user %d", got, f.scopedUser.ID)
		}
		links, err := db.FindObjects(f.admin, oql.MustParse(`SELECT URP_UserOrg`), nil, 0)
		if err != nil || len(links) != 1 || links[0].Value("userid") != f.scopedUser.ID || links[0].Value("allowed_org_id") != f.orgA.ID {
			t.Errorf("allowed organizations = %v, %v; want the scoped user's Alpha Corp", links, err)
		}
		scopedAdmin := f.user(t, &desk.User{Login: "scoped-admin", Roles: []string{desk.RoleAdmin}, ContactID: f.bob.ID,
			AllowedOrgIDs: []int64{f.orgA.ID}})
		ctx := desk.NewContextWithUser(context.Background(), scopedAdmin)
		if got := find(t, ctx, `SELECT User`, nil); !slices.Equal(got, []int64{f.scopedUser.ID}) {
			t.Errorf("scoped admin's users = %v, want those whose contact is in Alpha Corp: %d", got, f.scopedUser.ID)
		}
		for _, ctx := range []context.Context{f.agent, f.viewer, f.scoped} {
			for _, q := range []string{`SELECT User`, `SELECT Person AS p JOIN User AS u ON u.contactid = p.id`,
				`SELECT Person WHERE id IN (SELECT Person AS p JOIN User AS u ON u.contactid = p.id)`, `SELECT URP_UserOrg`} {
				_, err := db.FindObjects(ctx, oql.MustParse(q), nil, 0)
				wantCode(t, err, desk.EFORBIDDEN)
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := db.FindObjects(f.anon, oql.MustParse(`SELECT Person`), nil, 0)
		wantCode(t, err, desk.EUNAUTHORIZED)
		_, err = db.FindObjects(f.agent, oql.MustParse(`SELECT Person WHERE phone LIKE :phone`), nil, 0)
		wantCode(t, err, desk.EINVALID)
		// A text is no object in context, whatever a URL says.
		_, err = db.FindObjects(f.agent, oql.MustParse(`SELECT Person WHERE org_id = :this->org_id`),
			desk.QueryParams{desk.ParamThis: "1"}, 0)
		wantCode(t, err, desk.EINVALID)
	})
}
