package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Group commit of small writes (call events, the callbacks they raise or
// close). Each such write used to be its own transaction, committed with a
// sync of the disk (SQLite synchronous=FULL, PostgreSQL's commit), so that a
// phone system posting events from many calls at once waited on a sync per
// event: the disk, not the CPU, bounded the events a second. Now the writes
// that wait together are written in one transaction, committed once (one
// sync), and each is answered only after that commit: durability is
// unchanged, an acknowledged write is on disk.
//
// Leader and followers, with no goroutine of its own: a write that finds a
// lane free leads; it takes itself and the writes waiting (up to
// maxGroupWrites), runs each in a savepoint of one transaction, commits, wakes
// them, then hands its lane to the next write waiting, if any, which leads
// the next group. The writes that arrive while a group commits wait for the
// next: the busier the server, the larger the groups.
//
// A write whose function fails (a validation, a constraint: a *desk.Error)
// is rolled back to its savepoint and fails alone; the others commit. When
// the group fails for another reason (a deadlock with another instance on
// PostgreSQL, a lost connection, a failed commit), its writes are run again
// one transaction each, as before group commit, so that none fails for
// another's sake.

// maxGroupWrites bounds the writes of one group: their savepoints and the
// time the first of them waits for the last.
const maxGroupWrites = 128

// groupCommit queues the grouped writes of a DB.
type groupCommit struct {
	db *DB
	// lanes is how many groups may be written at once: 1 on SQLite (one
	// writer), a few on PostgreSQL, whose transactions run side by side.
	lanes int

	mu      sync.Mutex
	queue   []*groupWrite
	leaders int
}

// groupWrite is one write waiting for its group.
type groupWrite struct {
	ctx  context.Context
	user *desk.User
	// key orders the writes of a group: the row each one locks first (the
	// call), so that groups written side by side on PostgreSQL lock rows in
	// the same order and do not deadlock. The writes of one key keep their
	// order.
	key string
	fn  func(ctx context.Context, tx *Tx) error
	err error
	// wake tells a waiting write that its group committed (true) or that
	// it leads the next group (false).
	wake chan bool
}

func newGroupCommit(db *DB, lanes int) *groupCommit {
	return &groupCommit{db: db, lanes: lanes}
}

// writeGrouped runs fn in a write transaction shared with the other writes
// waiting at the same time, after checking that the user in ctx may do
// action on class, and returns once that transaction committed (or fn
// failed). fn may run more than once (a group that failed is written again
// one write at a time): it must set its results anew at each run. The tx
// it is given commits and rolls back for it (tx.commit does nothing); the
// context it is given is not cancelled with ctx, since cancelling a
// statement would roll back the whole group. key: see groupWrite.
func (db *DB) writeGrouped(ctx context.Context, key, action, class string, fn func(ctx context.Context, tx *Tx) error) error {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	if err := desk.Authorize(ctx, action, class); err != nil {
		return err
	}
	if _, ok := ctx.Value(atomicKey{}).(*Tx); ok || db.group == nil {
		return db.writeAlone(ctx, action, class, fn)
	}
	w := &groupWrite{ctx: ctx, user: user, key: key, fn: fn, wake: make(chan bool, 1)}
	db.group.write(w)
	return w.err
}

// writeAlone runs fn in a transaction of its own (or the one of Atomically
// in ctx).
func (db *DB) writeAlone(ctx context.Context, action, class string, fn func(ctx context.Context, tx *Tx) error) error {
	tx, err := db.beginWrite(ctx, action, class)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	return tx.commit()
}

// write queues w and returns when it is done: led by another write, or
// leading its own group.
func (g *groupCommit) write(w *groupWrite) {
	g.mu.Lock()
	if g.leaders < g.lanes {
		g.leaders++
		g.mu.Unlock()
		g.lead(w)
		return
	}
	g.queue = append(g.queue, w)
	g.mu.Unlock()
	if done := <-w.wake; !done {
		g.lead(w)
	}
}

// lead writes the group of w and the writes waiting, then hands the lane on.
func (g *groupCommit) lead(w *groupWrite) {
	g.mu.Lock()
	n := min(len(g.queue), maxGroupWrites-1)
	group := make([]*groupWrite, 0, n+1)
	group = append(append(group, w), g.queue[:n]...)
	g.queue = slices.Delete(g.queue, 0, n)
	g.mu.Unlock()

	g.run(group)
	for _, o := range group {
		if o != w {
			o.wake <- true
		}
	}

	g.mu.Lock()
	if len(g.queue) == 0 {
		g.leaders--
		g.mu.Unlock()
		return
	}
	next := g.queue[0]
	g.queue = slices.Delete(g.queue, 0, 1)
	g.mu.Unlock()
	next.wake <- false
}

// run writes a group: one transaction, a savepoint per write. A group of one
// is written alone, without savepoint.
func (g *groupCommit) run(group []*groupWrite) {
	db := g.db
	if len(group) == 1 {
		w := group[0]
		w.err = db.writeAlone(context.WithoutCancel(w.ctx), "", "", w.fn)
		return
	}
	slices.SortStableFunc(group, func(a, b *groupWrite) int { return cmp.Compare(a.key, b.key) })
	if err := g.runTogether(group); err != nil {
		// Not one write's fault: each is written again, alone.
		for _, w := range group {
			if w.ctx.Err() != nil {
				w.err = w.ctx.Err()
				continue
			}
			w.err = db.writeAlone(context.WithoutCancel(w.ctx), "", "", w.fn)
		}
	}
}

// runTogether writes the group in one transaction and sets each write's
// error; it returns an error, and commits nothing, when the group failed as
// a whole.
func (g *groupCommit) runTogether(group []*groupWrite) error {
	db := g.db
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer sqlTx.Rollback()
	// The savepoint of a write is released with the start of the next one,
	// in one statement (a round trip less a write on PostgreSQL), and the
	// last one by the commit.
	savepoint := "SAVEPOINT grouped_write"
	for _, w := range group {
		// A request gone (its client hung up) is not written: it was not
		// going to be acknowledged.
		if w.err = w.ctx.Err(); w.err != nil {
			continue
		}
		ctx := context.WithoutCancel(w.ctx)
		if _, err := sqlTx.ExecContext(ctx, savepoint); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		savepoint = "RELEASE SAVEPOINT grouped_write; SAVEPOINT grouped_write"
		tx := db.newTx(sqlTx, db.write, w.user)
		tx.joined = true
		w.err = w.fn(ctx, tx)
		if w.err != nil {
			var de *desk.Error
			if !errors.As(w.err, &de) {
				return w.err // the database's error, not the write's
			}
			if _, err := sqlTx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT grouped_write"); err != nil {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
