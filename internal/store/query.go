package store

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// FindObjects runs a query of the OQL subset (docs/oql.md) within the
// user's organization scope. The user must be allowed to read every class the
// query names. :current_user and :current_contact (:current_user_id,
// :current_contact_id) are the user's, whatever params says; params'
// desk.ParamThis is the object in context.
func (db *DB) FindObjects(ctx context.Context, q desk.Query, params desk.QueryParams, limit int) ([]*desk.Object, error) {
	objects, _, err := db.findObjects(ctx, q, params, limit, false)
	return objects, err
}

// FindObjectsTotal implements desk.QueryService: the total comes with the
// rows, counted by the statement before its limit, up to desk.CountCap+1.
func (db *DB) FindObjectsTotal(ctx context.Context, q desk.Query, params desk.QueryParams, limit int) ([]*desk.Object, int, error) {
	if limit <= 0 {
		objects, err := db.FindObjects(ctx, q, params, 0)
		return objects, len(objects), err
	}
	return db.findObjects(ctx, q, params, limit, true)
}

func (db *DB) findObjects(ctx context.Context, q desk.Query, params desk.QueryParams, limit int, total bool) ([]*desk.Object, int, error) {
	st, err := db.compileQuery(ctx, q, params, limit, total)
	if err != nil {
		return nil, 0, err
	}
	// On the reader pool, not the lookups': a query of any shape, whose plan
	// may depend on its values (and LIMIT).
	rows, err := db.queryPool(ctx, db.read, st.SQL, st.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("run query: %w", err)
	}
	defer rows.Close()
	objects := []*desk.Object{}
	n := 0
	values := make([]any, st.Width())
	dest := make([]any, len(values))
	for i := range values {
		dest[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, fmt.Errorf("run query: %w", err)
		}
		o, err := st.Object(values)
		if err != nil {
			return nil, 0, fmt.Errorf("run query: %w", err)
		}
		objects = append(objects, o)
		n = st.Total(values)
	}
	if err := rows.Err(); err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("run query: %w", err)
	}
	return objects, max(n, len(objects)), nil
}

// compileQuery compiles q for the user in ctx, who must be allowed to read
// every class it names, within his organizations.
func (db *DB) compileQuery(ctx context.Context, q desk.Query, params desk.QueryParams, limit int, total bool) (*oql.Statement, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	var err error
	oq, ok := q.(*oql.Query)
	if !ok {
		// Queries come parsed from the configuration; another
		// implementation of desk.Query is parsed here.
		if oq, err = oql.Parse(q.Text()); err != nil {
			return nil, fmt.Errorf("run query %q: %w", q.Text(), err)
		}
	}
	for _, c := range oq.Classes() {
		if err := desk.Authorize(ctx, desk.ActionRead, c.Name); err != nil {
			return nil, err
		}
	}
	all := maps.Clone(params)
	if all == nil {
		all = desk.QueryParams{}
	}
	// The object in context is an object, never a text a URL could give.
	this, _ := all[desk.ParamThis].(*desk.Object)
	delete(all, desk.ParamThis)
	all["current_user"] = user.ID
	all["current_user_id"] = user.ID
	all["current_contact"] = user.ContactID
	all["current_contact_id"] = user.ContactID
	return oq.Compile(oql.Env{Dialect: db.dialect, Params: all, Scope: user.OrgScope(), ContactID: user.ContactID,
		Phone: db.Phone, Limit: limit, Total: total, Cap: desk.CountCap, This: this, Now: db.now()})
}
