package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// ExplainFindPersons returns the query plans (count, then select) of
// FindPersons for filter, as seen by a user limited to the organizations of
// scope (nil: all).
func (db *DB) ExplainFindPersons(ctx context.Context, scope []int64, filter desk.PersonFilter) (count, query []string, err error) {
	countSQL, querySQL, args := personQuery(db.dialect, db.Phone, scope, filter)
	if count, err = db.explain(ctx, countSQL, args); err != nil {
		return nil, nil, err
	}
	query, err = db.explain(ctx, querySQL, append(args, 50, 0))
	return count, query, err
}

// explain returns the plan of query: SQLite's EXPLAIN QUERY PLAN, one
// detail a step; PostgreSQL's EXPLAIN, one line a step, planned with
// sequential scans discouraged (enable_seqscan off), so that the plan shows
// whether an index can serve the query whatever the size of the tables
// (a test's tables are so small that a scan is the cheaper plan).
func (db *DB) explain(ctx context.Context, query string, args []any) ([]string, error) {
	if db.Postgres() {
		return db.explainPostgres(ctx, query, args)
	}
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

// ExplainFindCallersByNumber returns the query plan of
// FindCallersByNumber for number, as seen by a user limited to the
// organizations of scope (nil: all).
func (db *DB) ExplainFindCallersByNumber(ctx context.Context, scope []int64, number string) ([]string, error) {
	caller := db.Phone.FromQuery(number)
	if db.Phone.TooShort(caller) {
		return nil, fmt.Errorf("explain: %q is too short", number)
	}
	query, args := db.callerNumberQuery(db.Phone, scope, caller)
	return db.explain(ctx, query, args)
}

// ExplainFindCallersByAttribute returns the query plan of
// FindCallersByAttribute.
func (db *DB) ExplainFindCallersByAttribute(ctx context.Context, scope []int64, attribute, value string) ([]string, error) {
	query, args, ok := callerAttributeQuery(db.dialect, scope, attribute, value)
	if !ok {
		return nil, fmt.Errorf("explain: unknown attribute %q", attribute)
	}
	return db.explain(ctx, query, args)
}

// ExplainQuery returns the query plan of an OQL query as FindObjects
// runs it for a user limited to scope (nil: all).
func (db *DB) ExplainQuery(ctx context.Context, q *oql.Query, params desk.QueryParams, scope []int64) ([]string, error) {
	st, err := q.Compile(oql.Env{Dialect: db.dialect, Params: params, Scope: scope, Phone: db.Phone})
	if err != nil {
		return nil, err
	}
	return db.explain(ctx, st.SQL, st.Args)
}

func (db *DB) explainPostgres(ctx context.Context, query string, args []any) ([]string, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		return nil, err
	}
	// OQL's SQL has $n already; the store's has ?, rebound here.
	rows, err := tx.QueryContext(ctx, "EXPLAIN "+db.sql(query), args...)
	return planLines(rows, err)
}

// ExplainAnalyzePostgres runs query with args under EXPLAIN ANALYZE, as the
// store's pool plans it (for its values), and returns the plan with what
// each step read.
func (db *DB) ExplainAnalyzePostgres(ctx context.Context, query string, args []any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, "EXPLAIN ANALYZE "+db.sql(query), args...)
	return planLines(rows, err)
}

// ExplainGenericPostgres is ExplainAnalyzePostgres with the plan PostgreSQL
// makes for any values (plan_cache_mode force_generic_plan), which it may
// keep for a prepared statement after five runs. args are strings and
// integers.
func (db *DB) ExplainGenericPostgres(ctx context.Context, query string, args []any) ([]string, error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	values := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			values[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case int64:
			values[i] = strconv.FormatInt(v, 10)
		case int:
			values[i] = strconv.Itoa(v)
		default:
			return nil, fmt.Errorf("explain: argument %d of type %T", i+1, a)
		}
	}
	for _, stmt := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE explained AS " + db.sql(query)} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
	}
	defer conn.ExecContext(context.Background(), "DEALLOCATE explained; RESET plan_cache_mode")
	rows, err := conn.QueryContext(ctx, "EXPLAIN ANALYZE EXECUTE explained("+strings.Join(values, ", ")+")")
	return planLines(rows, err)
}

// planLines returns the lines of a PostgreSQL EXPLAIN.
func planLines(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		plan = append(plan, strings.TrimSpace(line))
	}
	return plan, rows.Err()
}

// CompileQuery returns the SQL of q as FindObjects runs it for a user of
// every organization, with limit.
func (db *DB) CompileQuery(q *oql.Query, params desk.QueryParams, limit int) (string, []any, error) {
	st, err := q.Compile(oql.Env{Dialect: db.dialect, Params: params, Phone: db.Phone, Limit: limit})
	if err != nil {
		return "", nil, err
	}
	return st.SQL, st.Args, nil
}

// FindAgentsQuery returns the SQL of FindAgents and arguments for key.
func FindAgentsQuery(key, digits, e164 string) (string, []any) {
	return findAgentsQuery, []any{key, key, digits, e164, key, key}
}

// Analyze gathers the planner's statistics of every table.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, "ANALYZE")
	return err
}

// CopyChecksum returns the checksum Copy computes of rows.
func CopyChecksum(rows [][]any) string {
	var h rowHasher
	for _, r := range rows {
		h.add(r)
	}
	return h.sum()
}

// LookupRoundTrip runs the smallest statement on the lookup pool: the cost
// of a round trip to the database, beside which to read a lookup's.
func (db *DB) LookupRoundTrip(ctx context.Context) error {
	var one int
	return db.lookup.QueryRowContext(ctx, db.sql("SELECT 1 WHERE 1 = ?"), 1).Scan(&one)
}

// ExplainList returns the plan of q as FindObjectsTotal runs it with limit
// for a user of the organizations of scope (nil: all): SQLite's EXPLAIN
// QUERY PLAN, or PostgreSQL's EXPLAIN ANALYZE (what each step read), for the
// values or, generic, for any values.
func (db *DB) ExplainList(ctx context.Context, q *oql.Query, params desk.QueryParams, scope []int64, limit int, generic bool) ([]string, error) {
	st, err := q.Compile(oql.Env{Dialect: db.dialect, Params: params, Scope: scope, Phone: db.Phone, Limit: limit,
		Total: true, Cap: desk.CountCap, Now: db.now()})
	if err != nil {
		return nil, err
	}
	switch {
	case !db.Postgres():
		return db.explain(ctx, st.SQL, st.Args)
	case generic:
		return db.ExplainGenericPostgres(ctx, st.SQL, st.Args)
	}
	return db.ExplainAnalyzePostgres(ctx, st.SQL, st.Args)
}

// JournalMode returns SQLite's journal mode of the writer.
func (db *DB) JournalMode(ctx context.Context) string {
	var mode string
	db.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	return mode
}

// IndexNames returns the names of the SQLite database's indexes, sorted.
func (db *DB) IndexNames(ctx context.Context) []string {
	rows, err := db.read.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
	if err != nil {
		return nil
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return names
}
