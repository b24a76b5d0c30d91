package store

import (
	"context"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// ExplainFindPersons returns the SQLite query plans (count, then select) of
// FindPersons for filter, as seen by a user limited to the organizations of
// scope (nil: all).
func (db *DB) ExplainFindPersons(ctx context.Context, scope []int64, filter desk.PersonFilter) (count, query []string, err error) {
	countSQL, querySQL, args := personQuery(db.Phone, scope, filter)
	if count, err = db.explain(ctx, countSQL, args); err != nil {
		return nil, nil, err
	}
	query, err = db.explain(ctx, querySQL, append(args, 50, 0))
	return count, query, err
}

func (db *DB) explain(ctx context.Context, query string, args []any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

// ExplainFindCallersByNumber returns the SQLite query plan of
// FindCallersByNumber for number, as seen by a user limited to the
// organizations of scope (nil: all).
func (db *DB) ExplainFindCallersByNumber(ctx context.Context, scope []int64, number string) ([]string, error) {
	caller := db.Phone.FromQuery(number)
	if db.Phone.TooShort(caller) {
		return nil, fmt.Errorf("explain: %q is too short", number)
	}
	query, args := callerNumberQuery(db.Phone, scope, caller)
	return db.explain(ctx, query, args)
}

// ExplainFindCallersByAttribute returns the SQLite query plan of
// FindCallersByAttribute.
func (db *DB) ExplainFindCallersByAttribute(ctx context.Context, scope []int64, attribute, value string) ([]string, error) {
	query, args, ok := callerAttributeQuery(scope, attribute, value)
	if !ok {
		return nil, fmt.Errorf("explain: unknown attribute %q", attribute)
	}
	return db.explain(ctx, query, args)
}

// ExplainQuery returns the SQLite query plan of an OQL query as FindObjects
// runs it for a user limited to scope (nil: all).
func (db *DB) ExplainQuery(ctx context.Context, q *oql.Query, params desk.QueryParams, scope []int64) ([]string, error) {
	st, err := q.Compile(oql.Env{Dialect: oql.SQLite, Params: params, Scope: scope, Phone: db.Phone})
	if err != nil {
		return nil, err
	}
	return db.explain(ctx, st.SQL, st.Args)
}
