package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Callbacks (desk.CallbackService); the tables are in
// migrations/*/0015_callbacks.sql.
//
// Rules the callers can see, besides those of the package comment:
//   - A number has one callback not done at most (the unique index
//     callback_number_open): RaiseCallback is one upsert on it, so that two
//     missed calls from one number at once count two on one callback.
//   - Numbers are grouped by their E.164 form, else their significant digits
//     (as the block list compares them); a call without a number (anonymous)
//     raises nothing.
//   - A callback is visible as its caller is; an unknown number's, to its
//     owners (and to unscoped users).

var _ desk.CallbackService = (*DB)(nil)

const callbackColumns = `cb.id, cb.number, COALESCE(cb.person_id, 0), COALESCE(p.first_name, ''), COALESCE(p.name, ''),
	COALESCE(o.name, ''), cb.queue, cb.call_count, cb.attempts, COALESCE(cb.team_id, 0), COALESCE(tm.name, ''), cb.state, cb.due_at,
	cb.first_call_at, cb.last_call_at, cb.attempted_at, cb.done_at, COALESCE(cb.done_by_user_id, 0),
	COALESCE(cb.done_call_id, 0), cb.note`

const callbackFrom = ` FROM callback cb
	LEFT JOIN person p ON p.id = cb.person_id
	LEFT JOIN organization o ON o.id = p.org_id
	LEFT JOIN team tm ON tm.id = cb.team_id`

// callbackKey is what groups a number's missed calls: its E.164 form when it
// has one, else its significant digits; "" for no number at all.
func (tx *Tx) callbackKey(number string) string {
	return blockKey(tx.phone.Parse(number))
}

// callbackConds returns the conditions of filter, with the user's scope.
func (tx *Tx) callbackConds(filter desk.CallbackFilter) *conds {
	var c conds
	if scope := tx.scope(); scope != nil {
		c.add(`(p.org_id IN (`+placeholders(len(scope))+`) OR (cb.person_id IS NULL AND EXISTS (SELECT 1
			FROM callback_owner co WHERE co.callback_id = cb.id AND co.user_id = ?)))`,
			append(int64Args(scope), tx.user.ID)...)
	}
	if filter.ID != nil {
		c.add("cb.id = ?", *filter.ID)
	}
	if filter.States != nil {
		notDone := len(filter.States) == 2 && slices.Contains(filter.States, desk.CallbackOpen) &&
			slices.Contains(filter.States, desk.CallbackAttempted)
		switch {
		case len(filter.States) == 0:
			c.add("1 = 0")
		case notDone:
			// As the partial indexes say it, so that they serve: the
			// callbacks done pile up, those not done stay few.
			c.add("cb.state <> 'done'")
		default:
			args := make([]any, len(filter.States))
			for i, s := range filter.States {
				args[i] = s
			}
			c.add("cb.state IN ("+placeholders(len(args))+")", args...)
		}
	}
	if filter.Mine {
		c.add(`(EXISTS (SELECT 1 FROM callback_owner co WHERE co.callback_id = cb.id AND co.user_id = ?)
			OR NOT EXISTS (SELECT 1 FROM callback_owner co WHERE co.callback_id = cb.id))`, tx.user.ID)
	}
	if filter.DueBefore != nil {
		c.add("cb.due_at < ?", dbTime(*filter.DueBefore))
	}
	return &c
}

// FindCallbackByID returns the callback of id, ENOTFOUND when it does not
// exist or the user may not see it.
func (db *DB) FindCallbackByID(ctx context.Context, id int64) (*desk.Callback, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findCallback(ctx, tx, id)
}

func findCallback(ctx context.Context, tx *Tx, id int64) (*desk.Callback, error) {
	cbs, _, err := findCallbacks(ctx, tx, desk.CallbackFilter{ID: &id, Limit: 2})
	if err != nil {
		return nil, err
	} else if len(cbs) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.callback_not_found")
	}
	return cbs[0], nil
}

// FindCallbacks returns the callbacks matching filter that the user may
// see: those not done first, by due time, then the done ones, latest done
// first; and their total count.
func (db *DB) FindCallbacks(ctx context.Context, filter desk.CallbackFilter) ([]*desk.Callback, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findCallbacks(ctx, tx, filter)
}

func findCallbacks(ctx context.Context, tx *Tx, filter desk.CallbackFilter) ([]*desk.Callback, int, error) {
	c := tx.callbackConds(filter)
	offset, limit := page(filter.Offset, filter.Limit)
	rows, err := tx.QueryContext(ctx, "SELECT "+callbackColumns+callbackFrom+c.where()+
		` ORDER BY CASE WHEN cb.state = 'done' THEN 1 ELSE 0 END, CASE WHEN cb.state = 'done' THEN NULL ELSE cb.due_at END,
		cb.done_at DESC, cb.id LIMIT ? OFFSET ?`, append(c.args, limit, offset)...)
	cbs, err := collect(rows, err, "find callbacks", func(rows *sql.Rows) (*desk.Callback, error) {
		var k desk.Callback
		var person desk.Person
		var attempted, done sql.NullTime
		err := rows.Scan(&k.ID, &k.Number, &k.PersonID, &person.FirstName, &person.Name, &k.OrgName, &k.Queue, &k.Count,
			&k.Attempts, &k.TeamID, &k.TeamName, &k.State, &k.DueAt, &k.FirstCallAt, &k.LastCallAt, &attempted, &done,
			&k.DoneByUserID, &k.DoneCallID, &k.Note)
		k.PersonName = person.FriendlyName()
		k.DueAt, k.FirstCallAt, k.LastCallAt = k.DueAt.UTC(), k.FirstCallAt.UTC(), k.LastCallAt.UTC()
		k.AttemptedAt, k.DoneAt = timePtr(attempted), timePtr(done)
		k.OwnerUserIDs, k.OwnerNames = []int64{}, []string{}
		return &k, err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := loadCallbackOwners(ctx, tx, cbs); err != nil {
		return nil, 0, err
	}
	total := offset + len(cbs)
	if needCount(offset, limit, len(cbs)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+callbackFrom+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count callbacks: %w", err)
		}
	}
	return cbs, total, nil
}

// loadCallbackOwners loads the owners of cbs, by user id.
func loadCallbackOwners(ctx context.Context, tx *Tx, cbs []*desk.Callback) error {
	if len(cbs) == 0 {
		return nil
	}
	byID := make(map[int64]*desk.Callback, len(cbs))
	ids := make([]int64, len(cbs))
	for i, k := range cbs {
		byID[k.ID], ids[i] = k, k.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT co.callback_id, u.id, u.login, COALESCE(p.first_name, ''), COALESCE(p.name, '')
		FROM callback_owner co JOIN users u ON u.id = co.user_id LEFT JOIN person p ON p.id = u.contact_id
		WHERE co.callback_id IN (`+placeholders(len(ids))+`) ORDER BY co.callback_id, u.id`, int64Args(ids)...)
	_, err = collect(rows, err, "load callback owners", func(rows *sql.Rows) (struct{}, error) {
		var cbID, userID int64
		var login string
		var p desk.Person
		if err := rows.Scan(&cbID, &userID, &login, &p.FirstName, &p.Name); err != nil {
			return struct{}{}, err
		}
		k := byID[cbID]
		k.OwnerUserIDs = append(k.OwnerUserIDs, userID)
		k.OwnerNames = append(k.OwnerNames, agentName(login, p))
		return struct{}{}, nil
	})
	return err
}

// CountDueCallbacks counts the callbacks not done that the user may see and
// that are his or nobody's.
func (db *DB) CountDueCallbacks(ctx context.Context) (int, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	c := dueCallbacksConds(tx)
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+callbackFrom+c.where(), c.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count callbacks: %w", err)
	}
	return n, nil
}

// dueCallbacksConds are the conditions of CountDueCallbacks.
func dueCallbacksConds(tx *Tx) *conds {
	return tx.callbackConds(desk.CallbackFilter{States: []string{desk.CallbackOpen, desk.CallbackAttempted}, Mine: true})
}

// UpdateCallbacks applies upd to the callbacks of ids, all or none.
func (db *DB) UpdateCallbacks(ctx context.Context, ids []int64, upd desk.CallbackUpdate) ([]*desk.Callback, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if len(ids) == 0 {
		return nil, desk.Invalid("ids", "error.callback_none_selected")
	}
	out := make([]*desk.Callback, 0, len(ids))
	for _, id := range distinct(ids) {
		k, err := updateCallback(ctx, tx, id, upd)
		if err != nil {
			return nil, edgeError(err)
		}
		out = append(out, k)
	}
	return out, tx.commit()
}

func updateCallback(ctx context.Context, tx *Tx, id int64, upd desk.CallbackUpdate) (*desk.Callback, error) {
	if err := tx.lockRow(ctx, "callback", id); err != nil {
		return nil, err
	}
	k, err := findCallback(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if upd.Take {
		if _, err := tx.ExecContext(ctx, "DELETE FROM callback_owner WHERE callback_id = ?", id); err != nil {
			return nil, fmt.Errorf("take callback: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO callback_owner (callback_id, user_id) VALUES (?, ?)", id,
			tx.user.ID); err != nil {
			return nil, fmt.Errorf("take callback: %w", err)
		}
	}
	if upd.Note != nil {
		if _, err := tx.ExecContext(ctx, "UPDATE callback SET note = ? WHERE id = ?", *upd.Note, id); err != nil {
			return nil, fmt.Errorf("update callback: %w", err)
		}
	}
	if upd.State != nil && *upd.State != k.State {
		var err error
		switch *upd.State {
		case desk.CallbackDone:
			_, err = tx.ExecContext(ctx, "UPDATE callback SET state = ?, done_at = ?, done_by_user_id = ? WHERE id = ?",
				desk.CallbackDone, tx.now, nullID(tx.user.ID), id)
		case desk.CallbackAttempted:
			_, err = tx.ExecContext(ctx, `UPDATE callback SET state = ?, attempts = attempts + 1, attempted_at = ?,
				done_at = NULL, done_by_user_id = NULL, done_call_id = NULL WHERE id = ?`, desk.CallbackAttempted, tx.now, id)
		case desk.CallbackOpen:
			_, err = tx.ExecContext(ctx, `UPDATE callback SET state = ?, done_at = NULL, done_by_user_id = NULL,
				done_call_id = NULL WHERE id = ?`, desk.CallbackOpen, id)
		}
		if isUnique(err) {
			// Reopened while the number has another callback not done.
			return nil, &desk.Error{Code: desk.ECONFLICT, Field: "state", Key: "error.callback_number_open",
				Args: []any{k.Number}}
		} else if err != nil {
			return nil, fmt.Errorf("update callback: %w", err)
		}
	}
	return findCallback(ctx, tx, id)
}

// RaiseCallback records the missed call: one upsert on the number's callback
// not done.
func (db *DB) RaiseCallback(ctx context.Context, call *desk.Call, due time.Time) (*desk.Callback, error) {
	var out *desk.Callback
	err := db.writeGrouped(ctx, "callback "+call.Number(), desk.ActionModify, desk.ClassPhoneCall,
		func(ctx context.Context, tx *Tx) error {
			k, err := raiseCallback(ctx, tx, call, due)
			out = k
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func raiseCallback(ctx context.Context, tx *Tx, call *desk.Call, due time.Time) (*desk.Callback, error) {
	key := tx.callbackKey(call.Number())
	if key == "" {
		return nil, nil
	}
	number := call.Number()
	if len(number) > 64 {
		number = number[:64]
	}
	at := dbTime(call.StartedAt)
	if at.IsZero() {
		at = tx.now
	}
	var id int64
	var count int
	// The callback is for the team the call's queue is mapped to (the
	// first by id when it has several).
	err := tx.QueryRowContext(ctx, `INSERT INTO callback (number, number_key, person_id, queue, call_count, team_id, state,
		due_at, first_call_at, last_call_at) VALUES (?, ?, ?, ?, 1,
		(SELECT MIN(team_id) FROM cti_queue_target WHERE ? <> '' AND lower(queue) = lower(?) AND team_id IS NOT NULL),
		?, ?, ?, ?)
		ON CONFLICT (number_key) WHERE state <> 'done' DO UPDATE SET call_count = callback.call_count + 1,
		number = excluded.number, last_call_at = excluded.last_call_at,
		person_id = COALESCE(excluded.person_id, callback.person_id), team_id = COALESCE(callback.team_id, excluded.team_id)
		RETURNING id, call_count`, number, key, nullID(call.ContactID), call.Queue, call.Queue, call.Queue, desk.CallbackOpen,
		dbTime(due), at, at).
		Scan(&id, &count)
	if err != nil {
		return nil, fmt.Errorf("raise callback: %w", err)
	}
	if count == 1 {
		for _, u := range distinct(call.RingingUserIDs) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO callback_owner (callback_id, user_id) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, id, u); err != nil {
				return nil, fmt.Errorf("raise callback: %w", err)
			}
		}
	}
	return findCallback(ctx, tx, id)
}

// AttemptCallback records an outbound call to number on its callback not
// done.
func (db *DB) AttemptCallback(ctx context.Context, number string) (*desk.Callback, error) {
	return db.changeOpenCallback(ctx, number, func(ctx context.Context, tx *Tx, key string) *sql.Row {
		return tx.QueryRowContext(ctx, `UPDATE callback SET state = ?, attempts = attempts + 1, attempted_at = ?
			WHERE number_key = ? AND state <> 'done' RETURNING id`, desk.CallbackAttempted, tx.now, key)
	})
}

// CloseCallbacks marks done the callback not done of the answered call's
// number, as of the call's answer.
func (db *DB) CloseCallbacks(ctx context.Context, call *desk.Call) (*desk.Callback, error) {
	if call.State != desk.CallAnswered {
		return nil, nil
	}
	return db.changeOpenCallback(ctx, call.Number(), func(ctx context.Context, tx *Tx, key string) *sql.Row {
		// Done when the call was: its answer (its end may be long after).
		at := tx.now
		if call.AnsweredAt != nil {
			at = dbTime(*call.AnsweredAt)
		}
		return tx.QueryRowContext(ctx, `UPDATE callback SET state = ?, done_at = ?, done_call_id = ?
			WHERE number_key = ? AND state <> 'done' RETURNING id`, desk.CallbackDone, at, nullID(call.ID), key)
	})
}

// changeOpenCallback runs update, which returns the id of the callback it
// changed, on the callback not done of number; nil when there is none. It
// changes the callback whoever may see it: the call happened.
//
// Written with the call events (writeGrouped): update may run more than once.
func (db *DB) changeOpenCallback(ctx context.Context, number string, update func(ctx context.Context, tx *Tx, key string) *sql.Row) (*desk.Callback, error) {
	var out *desk.Callback
	err := db.writeGrouped(ctx, "callback "+number, desk.ActionModify, desk.ClassPhoneCall,
		func(ctx context.Context, tx *Tx) error {
			k, err := changeOpenCallback(ctx, tx, number, update)
			out = k
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func changeOpenCallback(ctx context.Context, tx *Tx, number string, update func(ctx context.Context, tx *Tx, key string) *sql.Row) (*desk.Callback, error) {
	key := tx.callbackKey(number)
	if key == "" {
		return nil, nil
	}
	var id int64
	if err := update(ctx, tx, key).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("change callback: %w", err)
	}
	k, err := findCallback(ctx, tx, id)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		k, err = nil, nil // changed, but not the user's to see
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}
