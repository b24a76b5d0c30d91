package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
)

// Statement cache limits: statements are never evicted, so only the usual
// shapes are kept, not those with long IN lists.
const (
	maxCachedStmts  = 1000
	maxCachedParams = 24
)

// stmtCache keeps prepared statements by pool and SQL text: parsing a query
// costs SQLite more than running a lookup by index. On PostgreSQL it is off:
// pgx prepares and caches the statements of each connection itself.
//
// A statement is prepared in the background after its first use, never by the
// caller: the caller holds a connection of the pool (the only one, for the
// writer), and preparing on the pool would wait for another.
type stmtCache struct {
	off     bool
	mu      sync.Mutex
	stmts   map[stmtKey]*sql.Stmt
	pending map[stmtKey]bool
	closed  bool
	wg      sync.WaitGroup
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

func newStmtCache() *stmtCache {
	return &stmtCache{stmts: map[stmtKey]*sql.Stmt{}, pending: map[stmtKey]bool{}}
}

// newNoStmtCache returns a cache that keeps nothing.
func newNoStmtCache() *stmtCache {
	c := newStmtCache()
	c.off = true
	return c
}

// get returns the statement of query on pool, or nil when it is not prepared
// (yet, or ever).
func (c *stmtCache) get(pool *sql.DB, query string) *sql.Stmt {
	if c.off {
		return nil
	}
	key := stmtKey{pool, query}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.stmts[key]; s != nil || c.closed {
		return s
	}
	if c.pending[key] || len(c.stmts)+len(c.pending) >= maxCachedStmts || strings.Count(query, "?") > maxCachedParams {
		return nil
	}
	c.pending[key] = true
	c.wg.Go(func() {
		s, err := pool.PrepareContext(context.Background(), query)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, key)
		if err != nil {
			return // the unprepared query reports any error
		}
		if c.closed {
			s.Close()
			return
		}
		c.stmts[key] = s
	})
	return nil
}

// close closes the statements; the pools must be closed next, which ends the
// preparations waiting for a connection, then wait must be called.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for key, s := range c.stmts {
		s.Close()
		delete(c.stmts, key)
	}
}

// wait waits for the background preparations to end.
func (c *stmtCache) wait() { c.wg.Wait() }

// prepared returns the transaction's statement for query, or nil to run the
// query unprepared.
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	if tx.conn != nil {
		return nil // PostgreSQL: its driver keeps the statements of each connection
	}
	if s := tx.stmts.get(tx.pool, query); s != nil {
		return tx.StmtContext(ctx, s)
	}
	return nil
}

// QueryContext runs a query written with ? placeholders (see rebind), with
// a cached prepared statement when there is one.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = rebind(tx.dialect, query)
	if tx.pooled { // beginReadOne: no transaction
		if s := tx.stmts.get(tx.pool, query); s != nil {
			return s.QueryContext(ctx, args...)
		}
		return tx.pool.QueryContext(ctx, query, args...)
	}
	if s := tx.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	if tx.conn != nil {
		return tx.conn.QueryContext(ctx, query, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query returning one row, written with ?
// placeholders, with a cached prepared statement when there is one.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query = rebind(tx.dialect, query)
	if tx.pooled { // beginReadOne: no transaction
		if s := tx.stmts.get(tx.pool, query); s != nil {
			return s.QueryRowContext(ctx, args...)
		}
		return tx.pool.QueryRowContext(ctx, query, args...)
	}
	if s := tx.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	if tx.conn != nil {
		return tx.conn.QueryRowContext(ctx, query, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement written with ? placeholders, with a cached
// prepared statement when there is one.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = rebind(tx.dialect, query)
	if tx.pooled {
		return nil, errors.New("store: a write outside a transaction")
	}
	if s := tx.prepared(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	if tx.conn != nil {
		return tx.conn.ExecContext(ctx, query, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// PrepareContext prepares a statement written with ? placeholders for the
// transaction.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.conn != nil {
		return tx.conn.PrepareContext(ctx, rebind(tx.dialect, query))
	}
	return tx.Tx.PrepareContext(ctx, rebind(tx.dialect, query))
}
