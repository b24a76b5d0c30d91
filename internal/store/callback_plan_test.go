package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// TestCallbacksDuePlan: the count of the callbacks due, on every page,
// reads the partial index of the callbacks not done, never every callback
// ever done, for a user of every organization and a scoped one, on SQLite
// and on PostgreSQL.
func TestCallbacksDuePlan(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": openTemp, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			for _, u := range []*desk.User{{ID: 1, Roles: []string{desk.RoleAgent}},
				{ID: 2, Roles: []string{desk.RoleAgent}, AllowedOrgIDs: []int64{1, 2}}} {
				plan, err := db.ExplainCountDueCallbacks(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Join(plan, "\n")
				if !strings.Contains(text, "callback_due_at") {
					t.Errorf("scope %v: the count does not read callback_due_at:\n%s", u.AllowedOrgIDs, text)
				}
			}
		})
	}
}
