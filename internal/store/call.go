package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
)

// The call log (desk.CallService). The SQL here is the dialect SQLite and
// PostgreSQL share, with ? placeholders; the tables are in
// migrations/*/…_cti_calls.sql.
//
// Rules the callers can see, besides those of the package comment:
//   - A call is visible as a PhoneCall: with the ticket it was tied to;
//     without one, with its contact; with neither, to its agent, or while
//     nobody answered to the agents it rang for (and to unscoped users).
//   - ApplyCall serializes the events of one call: it inserts the call's row
//     first when it is new (ON CONFLICT DO NOTHING), then locks it.

var _ desk.CallService = (*DB)(nil)

// callColumns are the columns scanCalls reads, from callFrom.
const callColumns = `c.id, c.integration_id, c.call_id, c.direction, c.from_number, c.to_number, c.queue, c.state,
	c.cause, c.voicemail, c.blocked, c.started_at, c.answered_at, c.ended_at, COALESCE(c.agent_user_id, 0), COALESCE(au.login, ''),
	COALESCE(ap.first_name, ''), COALESCE(ap.name, ''), COALESCE(c.contact_id, 0), COALESCE(ct.first_name, ''),
	COALESCE(ct.name, ''), COALESCE(c.phonecall_id, 0), COALESCE(pc.ticket_id, 0), COALESCE(t.ref, '')`

const callFrom = ` FROM cti_call c
	LEFT JOIN person ct ON ct.id = c.contact_id
	LEFT JOIN phonecall pc ON pc.id = c.phonecall_id
	LEFT JOIN ticket t ON t.id = pc.ticket_id
	LEFT JOIN users au ON au.id = c.agent_user_id
	LEFT JOIN person ap ON ap.id = au.contact_id`

// FindCallByID returns the call of id, ENOTFOUND when it does not exist or
// the user may not see it.
func (db *DB) FindCallByID(ctx context.Context, id int64) (*desk.Call, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findCall(ctx, tx, desk.CallFilter{ID: &id}, true)
}

// FindCalls returns the calls matching filter that the user may see, latest
// first, and their total count. Without the calls' lists (NoLists, as at
// every call event) it reads with one statement, without a transaction (the
// count, when a full page needs it, is a statement of its own).
func (db *DB) FindCalls(ctx context.Context, filter desk.CallFilter) ([]*desk.Call, int, error) {
	begin := db.beginRead
	if filter.NoLists {
		begin = db.beginReadOne
	}
	tx, err := begin(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findCalls(ctx, tx, filter, true)
}

// FindCallFacets returns the agents of the calls (by name) and their queues
// (sorted), at most 200 of each, for the call log's filters. Agent names and
// queue names are not organization data: every reader sees them all.
func (db *DB) FindCallFacets(ctx context.Context) ([]desk.CallAgent, []string, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.login, COALESCE(p.first_name, ''), COALESCE(p.name, '')
		FROM users u LEFT JOIN person p ON p.id = u.contact_id
		WHERE u.id IN (SELECT DISTINCT agent_user_id FROM cti_call WHERE agent_user_id IS NOT NULL)
		ORDER BY lower(u.login) LIMIT 200`)
	if err != nil {
		return nil, nil, fmt.Errorf("find call agents: %w", err)
	}
	defer rows.Close()
	var agents []desk.CallAgent
	for rows.Next() {
		var a desk.CallAgent
		var login string
		var p desk.Person
		if err := rows.Scan(&a.UserID, &login, &p.FirstName, &p.Name); err != nil {
			return nil, nil, fmt.Errorf("find call agents: %w", err)
		}
		a.Name = agentName(login, p)
		agents = append(agents, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("find call agents: %w", err)
	}
	rows.Close()
	var queues []string
	qrows, err := tx.QueryContext(ctx, "SELECT DISTINCT queue FROM cti_call WHERE queue <> '' ORDER BY queue LIMIT 200")
	if err != nil {
		return nil, nil, fmt.Errorf("find call queues: %w", err)
	}
	defer qrows.Close()
	for qrows.Next() {
		var q string
		if err := qrows.Scan(&q); err != nil {
			return nil, nil, fmt.Errorf("find call queues: %w", err)
		}
		queues = append(queues, q)
	}
	if err := qrows.Err(); err != nil {
		return nil, nil, fmt.Errorf("find call queues: %w", err)
	}
	return agents, queues, nil
}

// agentName is how a user shows as a call's agent: his contact's name, else
// his login.
func agentName(login string, contact desk.Person) string {
	if n := contact.FriendlyName(); n != "" {
		return n
	}
	return login
}

func findCall(ctx context.Context, tx *Tx, filter desk.CallFilter, scoped bool) (*desk.Call, error) {
	filter.Limit = 2 // one at most; 2 spares the count
	calls, _, err := findCalls(ctx, tx, filter, scoped)
	if err != nil {
		return nil, err
	} else if len(calls) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.call_not_found")
	}
	return calls[0], nil
}

// findCalls finds calls; scoped applies the user's organizations (ApplyCall
// reads unscoped: the integration acts as the system).
func findCalls(ctx context.Context, tx *Tx, filter desk.CallFilter, scoped bool) ([]*desk.Call, int, error) {
	var c conds
	if scope := tx.scope(); scope != nil && scoped {
		in := placeholders(len(scope))
		args := int64Args(scope)
		c.add(`(t.org_id IN (`+in+`) OR (t.id IS NULL AND (ct.org_id IN (`+in+`) OR (c.contact_id IS NULL
			AND (c.agent_user_id = ? OR (c.agent_user_id IS NULL
			AND EXISTS (SELECT 1 FROM cti_call_agent ca WHERE ca.call_id = c.id AND ca.user_id = ?)))))))`,
			append(append(args, args...), tx.user.ID, tx.user.ID)...)
	}
	if filter.ID != nil {
		c.add("c.id = ?", *filter.ID)
	}
	if filter.IntegrationID != nil {
		c.add("c.integration_id = ?", *filter.IntegrationID)
	}
	if filter.CallID != nil {
		c.add("c.call_id = ?", *filter.CallID)
	}
	if filter.States != nil {
		if len(filter.States) == 0 {
			c.add("1 = 0")
		} else {
			args := make([]any, len(filter.States))
			for i, s := range filter.States {
				args[i] = s
			}
			c.add("c.state IN ("+placeholders(len(args))+")", args...)
		}
	}
	if filter.Direction != "" {
		c.add("c.direction = ?", filter.Direction)
	}
	if filter.AgentUserID != nil {
		c.add("c.agent_user_id = ?", *filter.AgentUserID)
	}
	if filter.ContactIDs != nil {
		c.addIn("c.contact_id", filter.ContactIDs)
	}
	if filter.Queue != nil {
		c.add("c.queue = ?", *filter.Queue)
	}
	if filter.From != nil {
		c.add("c.started_at >= ?", dbTime(*filter.From))
	}
	if filter.To != nil {
		c.add("c.started_at < ?", dbTime(*filter.To))
	}
	offset, limit := page(filter.Offset, filter.Limit)
	var lists string
	var args []any
	if !filter.NoLists {
		var scope []int64
		if scoped {
			scope = tx.scope()
		}
		lists, args = callListColumns(tx.dialect, scope)
	}
	args = append(append(args, c.args...), limit, offset)
	rows, err := tx.QueryContext(ctx, "SELECT "+callColumns+lists+callFrom+c.where()+
		" ORDER BY c.started_at DESC, c.id DESC LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find calls: %w", err)
	}
	defer rows.Close()
	var calls []*desk.Call
	for rows.Next() {
		var k desk.Call
		var login, callers, rung string
		var agent, contact desk.Person
		var answered, ended sql.NullTime
		dest := []any{&k.ID, &k.IntegrationID, &k.CallID, &k.Direction, &k.From, &k.To, &k.Queue, &k.State,
			&k.Cause, &k.Voicemail, &k.Blocked, &k.StartedAt, &answered, &ended, &k.AgentUserID, &login, &agent.FirstName,
			&agent.Name, &k.ContactID, &contact.FirstName, &contact.Name, &k.PhoneCallID, &k.TicketID, &k.TicketRef}
		if lists != "" {
			dest = append(dest, &callers, &rung)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, fmt.Errorf("find calls: %w", err)
		}
		k.StartedAt, k.AnsweredAt, k.EndedAt = k.StartedAt.UTC(), timePtr(answered), timePtr(ended)
		if k.AgentUserID != 0 {
			k.AgentName = agentName(login, agent)
		}
		k.ContactName = contact.FriendlyName()
		if k.CallerIDs, err = parseIDList(callers); err == nil {
			k.RingingUserIDs, err = parseIDList(rung)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("find calls: %w", err)
		}
		calls = append(calls, &k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find calls: %w", err)
	}
	rows.Close()
	total := offset + len(calls)
	if !filter.NoCount && needCount(offset, limit, len(calls)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+callFrom+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count calls: %w", err)
		}
	}
	return calls, total, nil
}

// callListColumns returns the columns, and their arguments, of the callers
// found (in their order) and the users rung of each call, as ids separated
// by commas: read with the calls, in their statement, rather than by two
// more (round trips on PostgreSQL). The callers of organizations outside
// scope (nil: all) are not the reader's to count ("and 2 others").
func callListColumns(d oql.Dialect, scope []int64) (string, []any) {
	callers := "SELECT " + groupConcatOrdered(d, "cc.person_id", "cc.position") + " FROM cti_call_caller cc"
	var args []any
	if scope != nil {
		callers += " JOIN person p ON p.id = cc.person_id WHERE cc.call_id = c.id AND p.org_id IN (" +
			placeholders(len(scope)) + ")"
		args = int64Args(scope)
	} else {
		callers += " WHERE cc.call_id = c.id"
	}
	rung := "SELECT " + groupConcatOrdered(d, "ca.user_id", "ca.user_id") + " FROM cti_call_agent ca WHERE ca.call_id = c.id"
	return ", COALESCE((" + callers + "), ''), COALESCE((" + rung + "), '')", args
}

// parseIDList reads ids separated by commas; nil for "".
func parseIDList(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("id %q: %w", p, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// ApplyCall runs apply on the call of callID within the integration, in one
// write transaction, creating the call when it is new (apply sees ID 0), and
// saves it, with the time of this event. When the call is tied to a
// PhoneCall and has ended, the PhoneCall's duration becomes the call's
// (unless its hangup was lost: then its duration is not known).
//
// The events of concurrent calls are committed together (writeGrouped): apply
// may run more than once, on the call as read each time.
func (db *DB) ApplyCall(ctx context.Context, integrationID int64, callID string, apply func(c *desk.Call) error) (*desk.Call, error) {
	var out *desk.Call
	err := db.writeGrouped(ctx, callKey(integrationID, callID), desk.ActionModify, desk.ClassPhoneCall,
		func(ctx context.Context, tx *Tx) error {
			c, err := applyCall(ctx, tx, integrationID, callID, apply)
			out = c
			return edgeError(err)
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// callKey orders the grouped writes of a call: its row is the first each
// locks.
func callKey(integrationID int64, callID string) string {
	return "call " + strconv.FormatInt(integrationID, 10) + " " + strings.TrimSpace(callID)
}

func applyCall(ctx context.Context, tx *Tx, integrationID int64, callID string, apply func(c *desk.Call) error) (*desk.Call, error) {
	callID = strings.TrimSpace(callID)
	if callID == "" {
		return nil, desk.Invalid("callId", "error.call_id_required")
	}
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM cti_call WHERE integration_id = ? AND call_id = ?",
		integrationID, callID).Scan(&id)
	isNew := false
	if errors.Is(err, sql.ErrNoRows) {
		// A placeholder row, so that a concurrent first event of the same
		// call (PostgreSQL) waits on it rather than inserting it twice.
		res, err := tx.ExecContext(ctx, `INSERT INTO cti_call (integration_id, call_id, direction, state, started_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (integration_id, call_id) DO NOTHING`,
			integrationID, callID, desk.DirectionIn, desk.CallRinging, tx.now)
		if err != nil {
			return nil, fmt.Errorf("insert call: %w", err)
		}
		n, _ := res.RowsAffected()
		isNew = n == 1
		err = tx.QueryRowContext(ctx, "SELECT id FROM cti_call WHERE integration_id = ? AND call_id = ?",
			integrationID, callID).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("find call: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("find call: %w", err)
	}
	if err := tx.lockRow(ctx, "cti_call", id); err != nil {
		return nil, err
	}
	c := &desk.Call{IntegrationID: integrationID, CallID: callID}
	if !isNew {
		if c, err = findCall(ctx, tx, desk.CallFilter{ID: &id}, false); err != nil {
			return nil, err
		}
	}
	before := *c
	before.CallerIDs, before.RingingUserIDs = slices.Clone(c.CallerIDs), slices.Clone(c.RingingUserIDs)
	if err := apply(c); err != nil {
		return nil, err
	}
	c.ID, c.IntegrationID, c.CallID = id, integrationID, callID
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.StartedAt.IsZero() {
		c.StartedAt = tx.now
	}
	c.StartedAt = dbTime(c.StartedAt)
	// The call is returned as written, not read again: the names it
	// derives are read only when their id changed.
	c.AgentName, c.ContactName = before.AgentName, before.ContactName
	c.PhoneCallID, c.TicketID, c.TicketRef = before.PhoneCallID, before.TicketID, before.TicketRef // not written here
	if c.AgentUserID != before.AgentUserID {
		if c.AgentName, err = callAgentName(ctx, tx, c.AgentUserID); err != nil {
			return nil, err
		}
	}
	if c.ContactID != before.ContactID {
		if c.ContactName, err = callContactName(ctx, tx, c.ContactID); err != nil {
			return nil, err
		}
	}
	c.AnsweredAt, c.EndedAt = dbTimePtr(c.AnsweredAt), dbTimePtr(c.EndedAt)
	if _, err := tx.ExecContext(ctx, `UPDATE cti_call SET direction = ?, from_number = ?, to_number = ?, queue = ?,
		state = ?, cause = ?, voicemail = ?, blocked = ?, started_at = ?, answered_at = ?, ended_at = ?,
		agent_user_id = ?, contact_id = ?, last_event_at = ? WHERE id = ?`, c.Direction, c.From, c.To, c.Queue, c.State,
		c.Cause, c.Voicemail, c.Blocked, c.StartedAt, nullTime(c.AnsweredAt), nullTime(c.EndedAt), nullID(c.AgentUserID),
		nullID(c.ContactID), tx.now, id); err != nil {
		return nil, fmt.Errorf("update call: %w", err)
	}
	if !slices.Equal(c.CallerIDs, before.CallerIDs) {
		if _, err := tx.ExecContext(ctx, "DELETE FROM cti_call_caller WHERE call_id = ?", id); err != nil {
			return nil, fmt.Errorf("write call callers: %w", err)
		}
		c.CallerIDs = distinct(c.CallerIDs)
		for i, p := range c.CallerIDs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO cti_call_caller (call_id, position, person_id) VALUES (?, ?, ?)",
				id, i, p); err != nil {
				return nil, fmt.Errorf("write call callers: %w", err)
			}
		}
	}
	if len(c.CallerIDs) == 0 {
		c.CallerIDs = nil
	}
	c.RingingUserIDs = distinct(c.RingingUserIDs)
	slices.Sort(c.RingingUserIDs)
	for _, u := range c.RingingUserIDs {
		if slices.Contains(before.RingingUserIDs, u) {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO cti_call_agent (call_id, user_id) VALUES (?, ?)", id, u); err != nil {
			return nil, fmt.Errorf("write call agents: %w", err)
		}
	}
	// The users rung are only ever added to: those apply left out stay.
	c.RingingUserIDs = distinct(append(c.RingingUserIDs, before.RingingUserIDs...))
	slices.Sort(c.RingingUserIDs)
	if c.PhoneCallID != 0 && c.EndedAt != nil && before.EndedAt == nil && !c.HangupLost() {
		if _, err := tx.ExecContext(ctx, "UPDATE phonecall SET duration = ? WHERE id = ?",
			int(c.Duration().Seconds()), c.PhoneCallID); err != nil {
			return nil, fmt.Errorf("update the call's phone call: %w", err)
		}
	}
	return c, nil
}

// callAgentName returns the name a call gives its agent (agentName), "" for
// none; an unknown user is invalid.
func callAgentName(ctx context.Context, tx *Tx, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var login string
	var p desk.Person
	err := tx.QueryRowContext(ctx, `SELECT u.login, COALESCE(p.first_name, ''), COALESCE(p.name, '')
		FROM users u LEFT JOIN person p ON p.id = u.contact_id WHERE u.id = ?`, id).Scan(&login, &p.FirstName, &p.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", desk.Invalid("agent_user_id", "error.unknown_user")
	} else if err != nil {
		return "", fmt.Errorf("find the call's agent: %w", err)
	}
	return agentName(login, p), nil
}

// callContactName returns the name of a call's contact, "" for none (as the
// LEFT JOIN of findCalls).
func callContactName(ctx context.Context, tx *Tx, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var p desk.Person
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(first_name, ''), COALESCE(name, '') FROM person WHERE id = ?", id).Scan(&p.FirstName, &p.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("find the call's contact: %w", err)
	}
	return p.FriendlyName(), nil
}

// dbTimePtr returns t as the store keeps it (nullTime), nil for nil.
func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := dbTime(*t)
	return &v
}

// EndStaleCalls ends the calls not over whose last event came before
// quietSince, as their hangup would, with the cause hangupNotReceived and
// the time of that last event as their end, and returns them, by id. It is one
// UPDATE with a condition: with several instances sweeping one PostgreSQL
// database, each call is ended by one of them (the others' UPDATE finds it
// ended once the first commits), and an event that comes meanwhile is
// either applied first (and the call is no longer quiet) or finds the call
// ended.
func (db *DB) EndStaleCalls(ctx context.Context, quietSince time.Time) ([]*desk.Call, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `UPDATE cti_call SET ended_at = last_event_at, cause = ?,
		state = CASE WHEN state <> ? THEN state WHEN direction = ? THEN ? ELSE ? END
		WHERE ended_at IS NULL AND last_event_at < ? RETURNING id`, desk.CauseHangupNotReceived, desk.CallRinging,
		desk.DirectionIn, desk.CallMissed, desk.CallUnanswered, dbTime(quietSince))
	ids, err := collect(rows, err, "end stale calls", func(rows *sql.Rows) (int64, error) {
		var id int64
		return id, rows.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	calls := make([]*desk.Call, 0, len(ids))
	for _, id := range ids {
		c, err := findCall(ctx, tx, desk.CallFilter{ID: &id}, false)
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	return calls, tx.commit()
}

// checkUser checks that user id exists.
func checkUser(ctx context.Context, tx *Tx, id int64, field string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", id).Scan(&n); err != nil {
		return fmt.Errorf("check user: %w", err)
	} else if n == 0 {
		return desk.Invalid(field, "error.unknown_user")
	}
	return nil
}

// LinkCall ties the call of id, as the user in ctx sees it, to pc.TicketID
// by creating the PhoneCall pc: flow, number, date and duration from the
// call, contact, agent and note from pc.
func (db *DB) LinkCall(ctx context.Context, id int64, pc *desk.PhoneCall) (*desk.PhoneCall, error) {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out, err := linkCall(ctx, tx, id, pc)
	if err != nil {
		return nil, edgeError(err)
	}
	return out, tx.commit()
}

func linkCall(ctx context.Context, tx *Tx, id int64, pc *desk.PhoneCall) (*desk.PhoneCall, error) {
	if err := tx.lockRow(ctx, "cti_call", id); err != nil {
		return nil, err
	}
	c, err := findCall(ctx, tx, desk.CallFilter{ID: &id}, true)
	if err != nil {
		return nil, err
	}
	if pc.TicketID == 0 {
		return nil, desk.Invalid("ticket_id", "error.call_ticket_missing")
	}
	if c.PhoneCallID != 0 {
		if c.TicketID == pc.TicketID {
			return findPhoneCallByID(ctx, tx, c.PhoneCallID)
		}
		return nil, &desk.Error{Code: desk.ECONFLICT, Field: "ticket_id", Key: "error.call_tied",
			Args: []any{c.TicketRef}}
	}
	pc.Flow, pc.Date, pc.Duration = c.Flow(), c.StartedAt, int(c.Duration().Seconds())
	pc.Number = strings.TrimSpace(c.Number())
	if len(pc.Number) > 64 {
		pc.Number = pc.Number[:64]
	}
	if err := createPhoneCall(ctx, tx, pc); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE cti_call SET phonecall_id = ? WHERE id = ?", pc.ID, id); err != nil {
		return nil, fmt.Errorf("tie call: %w", err)
	}
	return pc, nil
}
