package storetest

import (
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func testTelephony(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db

	t.Run("BlockedNumber", func(t *testing.T) {
		err := db.CreateBlockedNumber(f.agent, &desk.BlockedNumber{Number: "+1 212 555 0100"})
		wantCode(t, err, desk.EFORBIDDEN)
		err = db.CreateBlockedNumber(f.admin, &desk.BlockedNumber{Number: "anonymous"})
		wantField(t, err, "number")
		b := &desk.BlockedNumber{Number: " +1 (212) 555-0100 ", Note: "spam"}
		must(t, db.CreateBlockedNumber(f.admin, b))
		if b.ID == 0 || b.Number != "+1 (212) 555-0100" {
			t.Fatalf("blocked %+v", b)
		}
		err = db.CreateBlockedNumber(f.admin, &desk.BlockedNumber{Number: "212-555-0100"})
		wantCode(t, err, desk.ECONFLICT)
		for number, want := range map[string]bool{
			"+12125550100": true, " 12125550100": true, "2125550100": true, "0012125550100": true,
			"+12125550101": false, "": false, "anonymous": false,
		} {
			got, err := db.IsBlockedNumber(f.sys, number)
			must(t, err)
			if got != want {
				t.Errorf("IsBlockedNumber(%q) = %v, want %v", number, got, want)
			}
		}
		list, err := db.FindBlockedNumbers(f.viewer)
		must(t, err)
		if len(list) != 1 || list[0].Note != "spam" {
			t.Fatalf("block list %+v", list)
		}
		wantCode(t, db.DeleteBlockedNumber(f.agent, b.ID), desk.EFORBIDDEN)
		must(t, db.DeleteBlockedNumber(f.admin, b.ID))
		wantCode(t, db.DeleteBlockedNumber(f.admin, b.ID), desk.ENOTFOUND)
		if got, _ := db.IsBlockedNumber(f.sys, "+12125550100"); got {
			t.Fatal("still blocked after deletion")
		}
	})

	t.Run("CallerIDRule", func(t *testing.T) {
		wantCode(t, db.CreateCallerIDRule(f.agent, &desk.CallerIDRule{Pattern: "*", CallerID: "+1 212 555 0000"}), desk.EFORBIDDEN)
		wantField(t, db.CreateCallerIDRule(f.admin, &desk.CallerIDRule{Pattern: "+33 *", CallerID: "1"}), "pattern")
		wantField(t, db.CreateCallerIDRule(f.admin, &desk.CallerIDRule{Pattern: "+33*", CallerID: "x"}), "caller_id")
		fr := &desk.CallerIDRule{Pattern: "+33*", CallerID: "+33 1 23 45 67 89", Note: "Paris office"}
		any := &desk.CallerIDRule{Pattern: "*", CallerID: "+1 212 555 0000"}
		must(t, db.CreateCallerIDRule(f.admin, fr))
		must(t, db.CreateCallerIDRule(f.admin, any))
		rules, err := db.FindCallerIDRules(f.sys)
		must(t, err)
		if len(rules) != 2 || rules[0].ID != fr.ID || rules[1].ID != any.ID || rules[0].Note != "Paris office" {
			t.Fatalf("rules %+v", rules)
		}
		must(t, db.DeleteCallerIDRule(f.admin, fr.ID))
		wantCode(t, db.DeleteCallerIDRule(f.admin, fr.ID), desk.ENOTFOUND)
	})

	t.Run("AgentSettings", func(t *testing.T) {
		s, err := db.FindAgentSettings(f.agent, f.agentUser.ID)
		must(t, err)
		if s.Extension != "" || !s.PopOnAnswer || s.Name != "Ann Agent" || s.Login != "agent" {
			t.Fatalf("default settings %+v", s)
		}
		_, err = db.FindAgentSettings(f.agent, f.scopedUser.ID)
		wantCode(t, err, desk.ENOTFOUND)
		_, err = db.UpdateAgentSettings(f.agent, f.agentUser.ID, desk.AgentSettingsUpdate{Extension: ptr("201")})
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.UpdateAgentSettings(f.agent, f.scopedUser.ID, desk.AgentSettingsUpdate{PopOnAnswer: ptr(false)})
		wantCode(t, err, desk.EFORBIDDEN)
		s, err = db.UpdateAgentSettings(f.agent, f.agentUser.ID, desk.AgentSettingsUpdate{PopOnAnswer: ptr(false)})
		must(t, err)
		if s.PopOnAnswer {
			t.Fatal("pop on answer still on")
		}
		s, err = db.UpdateAgentSettings(f.admin, f.agentUser.ID, desk.AgentSettingsUpdate{Extension: ptr(" 201 ")})
		must(t, err)
		if s.Extension != "201" || s.PopOnAnswer {
			t.Fatalf("updated %+v", s)
		}
		_, err = db.UpdateAgentSettings(f.admin, f.scopedUser.ID, desk.AgentSettingsUpdate{Extension: ptr("201")})
		wantCode(t, err, desk.ECONFLICT)
		_, err = db.UpdateAgentSettings(f.admin, f.scopedUser.ID, desk.AgentSettingsUpdate{Extension: ptr("2 01")})
		wantField(t, err, "extension")
		must(t, second(db.UpdateAgentSettings(f.admin, f.scopedUser.ID, desk.AgentSettingsUpdate{Extension: ptr("202")})))
		all, err := db.FindAgentsSettings(f.admin)
		must(t, err)
		if len(all) != 2 || all[0].Login != "agent" || all[1].Extension != "202" {
			t.Fatalf("agents %+v", all)
		}
		_, err = db.FindAgentsSettings(f.agent)
		wantCode(t, err, desk.EFORBIDDEN)
	})

	t.Run("FindAgents", func(t *testing.T) {
		// The agent's contact gets a direct line; the viewer's login is an
		// extension of nobody.
		_, err := db.UpdatePerson(f.sys, f.agentP.ID, desk.PersonUpdate{Phone: ptr("+1 (646) 555-0142")})
		must(t, err)
		for _, tt := range []struct {
			key  string
			want []int64
		}{
			{"201", []int64{f.agentUser.ID}},        // extension
			{"SCOPED", []int64{f.scopedUser.ID}},    // login, any case
			{"202", []int64{f.scopedUser.ID}},       // extension
			{"6465550142", []int64{f.agentUser.ID}}, // the contact's phone, another form
			{"+16465550142", []int64{f.agentUser.ID}},
			{"ann agent", []int64{f.agentUser.ID}}, // the contact's name
			{"Sam Scoped", []int64{f.scopedUser.ID}},
			{"nobody", []int64{}},
			{"", []int64{}},
		} {
			users, err := db.FindAgents(f.sys, tt.key)
			must(t, err)
			got := ids(users, func(u *desk.User) int64 { return u.ID })
			wantIDs(t, "FindAgents("+tt.key+")", got, tt.want)
			for _, u := range users {
				if len(u.Roles) == 0 || u.PasswordHash != "" {
					t.Errorf("FindAgents(%q): user %+v, want roles and no hash", tt.key, u)
				}
			}
		}
		users, err := db.FindAgents(f.sys, "scoped")
		must(t, err)
		if len(users) != 1 || len(users[0].AllowedOrgIDs) != 1 {
			t.Fatalf("scoped agent %+v, want his organizations", users)
		}
		// A line both contacts share finds both, by id, each with his own
		// roles and organizations.
		_, err = db.UpdatePerson(f.sys, f.scopedP.ID, desk.PersonUpdate{Phone: ptr("646-555-0142")})
		must(t, err)
		users, err = db.FindAgents(f.sys, "+1 646 555 0142")
		must(t, err)
		wantIDs(t, "FindAgents(a shared line)", ids(users, func(u *desk.User) int64 { return u.ID }),
			[]int64{min(f.agentUser.ID, f.scopedUser.ID), max(f.agentUser.ID, f.scopedUser.ID)})
		for _, u := range users {
			if want := u.ID == f.scopedUser.ID; (len(u.AllowedOrgIDs) == 1) != want || len(u.Roles) != 1 || u.PasswordHash != "" {
				t.Errorf("FindAgents(a shared line): user %+v", u)
			}
		}
	})
}

// testQueueTargets: the queues' targets, and the agents a call that names
// nobody rings for.
func testQueueTargets(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	other := f.user(t, &desk.User{Login: "other", Roles: []string{desk.RoleAgent, desk.RoleAdmin}})

	t.Run("Targets", func(t *testing.T) {
		wantCode(t, db.CreateQueueTarget(f.agent, &desk.QueueTarget{Queue: "support", UserID: f.agentUser.ID}), desk.EFORBIDDEN)
		wantField(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "  ", UserID: f.agentUser.ID}), "queue")
		wantField(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "support"}), "user_id")
		wantField(t, db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "support", UserID: 99999}), "user_id")
		support := &desk.QueueTarget{Queue: " Support ", UserID: f.agentUser.ID}
		must(t, db.CreateQueueTarget(f.admin, support))
		if support.ID == 0 || support.Queue != "Support" || !support.CreatedAt.Equal(Start) {
			t.Fatalf("created %+v", support)
		}
		err := db.CreateQueueTarget(f.admin, &desk.QueueTarget{Queue: "SUPPORT", UserID: f.agentUser.ID})
		wantCode(t, err, desk.ECONFLICT)
		scoped := &desk.QueueTarget{Queue: "support", UserID: f.scopedUser.ID}
		must(t, db.CreateQueueTarget(f.admin, scoped))
		sales := &desk.QueueTarget{Queue: "5000", UserID: f.scopedUser.ID}
		must(t, db.CreateQueueTarget(f.admin, sales))
		list, err := db.FindQueueTargets(f.admin)
		must(t, err)
		wantIDs(t, "targets", ids(list, func(q *desk.QueueTarget) int64 { return q.ID }), []int64{sales.ID, support.ID, scoped.ID})
		if list[1].UserName != "Ann Agent" || list[2].UserName != "Sam Scoped" {
			t.Fatalf("targets %+v", list)
		}
		_, err = db.FindQueueTargets(f.agent)
		wantCode(t, err, desk.EFORBIDDEN)

		for _, tt := range []struct {
			queue string
			want  []int64
		}{
			{"support", []int64{f.agentUser.ID, f.scopedUser.ID}},
			{"SUPPORT", []int64{f.agentUser.ID, f.scopedUser.ID}},
			{"5000", []int64{f.scopedUser.ID}},
			{"sales", []int64{}},
			{"", []int64{}},
		} {
			users, err := db.FindQueueAgents(f.sys, tt.queue)
			must(t, err)
			wantIDs(t, "FindQueueAgents("+tt.queue+")", ids(users, func(u *desk.User) int64 { return u.ID }), tt.want)
			for _, u := range users {
				if len(u.Roles) == 0 || u.PasswordHash != "" {
					t.Errorf("queue agent %+v, want roles and no hash", u)
				}
			}
		}
		wantCode(t, db.DeleteQueueTarget(f.agent, scoped.ID), desk.EFORBIDDEN)
		must(t, db.DeleteQueueTarget(f.admin, scoped.ID))
		wantCode(t, db.DeleteQueueTarget(f.admin, scoped.ID), desk.ENOTFOUND)
		users, err := db.FindQueueAgents(f.sys, "support")
		must(t, err)
		wantIDs(t, "support after the deletion", ids(users, func(u *desk.User) int64 { return u.ID }), []int64{f.agentUser.ID})
	})

	t.Run("DeskAgents", func(t *testing.T) {
		users, err := db.FindDeskAgents(f.sys)
		must(t, err)
		// The agent role, whatever else: not the admin alone, nor the
		// viewer.
		wantIDs(t, "desk agents", ids(users, func(u *desk.User) int64 { return u.ID }),
			[]int64{f.agentUser.ID, other.ID, f.scopedUser.ID})
		for _, u := range users {
			if u.PasswordHash != "" || len(u.Roles) == 0 {
				t.Errorf("desk agent %+v, want roles and no hash", u)
			}
			if u.ID == f.scopedUser.ID && len(u.AllowedOrgIDs) != 1 {
				t.Errorf("scoped agent %+v, want his organization", u)
			}
		}
		_, err = db.FindDeskAgents(f.agent)
		wantCode(t, err, desk.EFORBIDDEN)
	})
}
