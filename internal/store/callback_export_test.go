package store

import (
	"context"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// ExplainCountDueCallbacks returns the query plan of CountDueCallbacks for
// user.
func (db *DB) ExplainCountDueCallbacks(ctx context.Context, user *desk.User) ([]string, error) {
	c := dueCallbacksConds(&Tx{user: user})
	return db.explain(ctx, "SELECT COUNT(*)"+callbackFrom+c.where(), c.args)
}
