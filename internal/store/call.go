package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// The call log and the telephony settings (desk.CallService and
// desk.TelephonyService). The SQL here is the dialect SQLite and PostgreSQL
// share, with ? placeholders; the tables are in migrations/*/…_cti_calls.sql.
//
// Rules the callers can see, besides those of the package comment:
//   - A call is visible as a PhoneCall: with the ticket it was tied to;
//     without one, with its contact; with neither, to its agent, or while
//     nobody answered to the agents it rang for (and to unscoped users).
//   - ApplyCall serializes the events of one call: it inserts the call's row
//     first when it is new (ON CONFLICT DO NOTHING), then locks it.
//   - Integration tokens, like API tokens, are kept as their SHA-256 only,
//     and their use is recorded at most once a minute.
//   - The block list matches numbers as caller lookups do (phone.Match:
//     equal E.164 forms, or significant digits that end one another over at
//     least the minimum of digits), so that every form of a blocked number
//     is blocked. It is read whole for each check: a block list holds tens
//     or hundreds of numbers, each compared in about a microsecond.

// Interface checks.
var (
	_ desk.CallService      = (*DB)(nil)
	_ desk.TelephonyService = (*DB)(nil)
)

// callColumns are the columns scanCalls reads, from callFrom.
const callColumns = `c.id, c.integration_id, c.call_id, c.direction, c.from_number, c.to_number, c.queue, c.state,
	c.cause, c.voicemail, c.started_at, c.answered_at, c.ended_at, COALESCE(c.agent_user_id, 0), COALESCE(au.login, ''),
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
// first, and their total count.
func (db *DB) FindCalls(ctx context.Context, filter desk.CallFilter) ([]*desk.Call, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
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
		return nil, desk.Errorf(desk.ENOTFOUND, "Call not found.")
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
	rows, err := tx.QueryContext(ctx, "SELECT "+callColumns+callFrom+c.where()+
		" ORDER BY c.started_at DESC, c.id DESC LIMIT ? OFFSET ?", append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find calls: %w", err)
	}
	defer rows.Close()
	var calls []*desk.Call
	byID := map[int64]*desk.Call{}
	for rows.Next() {
		var k desk.Call
		var login string
		var agent, contact desk.Person
		var answered, ended sql.NullTime
		if err := rows.Scan(&k.ID, &k.IntegrationID, &k.CallID, &k.Direction, &k.From, &k.To, &k.Queue, &k.State,
			&k.Cause, &k.Voicemail, &k.StartedAt, &answered, &ended, &k.AgentUserID, &login, &agent.FirstName,
			&agent.Name, &k.ContactID, &contact.FirstName, &contact.Name, &k.PhoneCallID, &k.TicketID,
			&k.TicketRef); err != nil {
			return nil, 0, fmt.Errorf("find calls: %w", err)
		}
		k.StartedAt, k.AnsweredAt, k.EndedAt = k.StartedAt.UTC(), timePtr(answered), timePtr(ended)
		if k.AgentUserID != 0 {
			k.AgentName = agentName(login, agent)
		}
		k.ContactName = contact.FriendlyName()
		calls = append(calls, &k)
		byID[k.ID] = &k
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find calls: %w", err)
	}
	rows.Close()
	if err := loadCallLists(ctx, tx, calls, byID); err != nil {
		return nil, 0, err
	}
	total := offset + len(calls)
	if needCount(offset, limit, len(calls)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+callFrom+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count calls: %w", err)
		}
	}
	return calls, total, nil
}

// loadCallLists loads the callers found and the users rung of calls.
func loadCallLists(ctx context.Context, tx *Tx, calls []*desk.Call, byID map[int64]*desk.Call) error {
	if len(calls) == 0 {
		return nil
	}
	ids := make([]int64, len(calls))
	for i, k := range calls {
		ids[i] = k.ID
	}
	in := "(" + placeholders(len(ids)) + ")"
	for _, q := range []struct {
		query string
		add   func(k *desk.Call, id int64)
	}{
		{"SELECT call_id, person_id FROM cti_call_caller WHERE call_id IN " + in + " ORDER BY call_id, position",
			func(k *desk.Call, id int64) { k.CallerIDs = append(k.CallerIDs, id) }},
		{"SELECT call_id, user_id FROM cti_call_agent WHERE call_id IN " + in + " ORDER BY call_id, user_id",
			func(k *desk.Call, id int64) { k.RingingUserIDs = append(k.RingingUserIDs, id) }},
	} {
		rows, err := tx.QueryContext(ctx, q.query, int64Args(ids)...)
		if err != nil {
			return fmt.Errorf("load calls: %w", err)
		}
		for rows.Next() {
			var callID, id int64
			if err := rows.Scan(&callID, &id); err != nil {
				rows.Close()
				return fmt.Errorf("load calls: %w", err)
			}
			q.add(byID[callID], id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("load calls: %w", err)
		}
	}
	return nil
}

// ApplyCall runs apply on the call of callID within the integration, in one
// write transaction, creating the call when it is new (apply sees ID 0), and
// saves it. When the call is tied to a PhoneCall and has ended, the
// PhoneCall's duration becomes the call's.
func (db *DB) ApplyCall(ctx context.Context, integrationID int64, callID string, apply func(c *desk.Call) error) (*desk.Call, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := applyCall(ctx, tx, integrationID, callID, apply)
	if err != nil {
		return nil, edgeError(err)
	}
	return c, tx.commit()
}

func applyCall(ctx context.Context, tx *Tx, integrationID int64, callID string, apply func(c *desk.Call) error) (*desk.Call, error) {
	callID = strings.TrimSpace(callID)
	if callID == "" {
		return nil, desk.FieldErrorf("callId", "The call id is required.")
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
	if c.AgentUserID != 0 && c.AgentUserID != before.AgentUserID {
		if err := checkUser(ctx, tx, c.AgentUserID, "agent_user_id"); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cti_call SET direction = ?, from_number = ?, to_number = ?, queue = ?,
		state = ?, cause = ?, voicemail = ?, started_at = ?, answered_at = ?, ended_at = ?, agent_user_id = ?,
		contact_id = ? WHERE id = ?`, c.Direction, c.From, c.To, c.Queue, c.State, c.Cause, c.Voicemail, c.StartedAt,
		nullTime(c.AnsweredAt), nullTime(c.EndedAt), nullID(c.AgentUserID), nullID(c.ContactID), id); err != nil {
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
	if c.PhoneCallID != 0 && c.EndedAt != nil && before.EndedAt == nil {
		if _, err := tx.ExecContext(ctx, "UPDATE phonecall SET duration = ? WHERE id = ?",
			int(c.Duration().Seconds()), c.PhoneCallID); err != nil {
			return nil, fmt.Errorf("update the call's phone call: %w", err)
		}
	}
	// Read back, for the derived names.
	return findCall(ctx, tx, desk.CallFilter{ID: &id}, false)
}

// checkUser checks that user id exists.
func checkUser(ctx context.Context, tx *Tx, id int64, field string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", id).Scan(&n); err != nil {
		return fmt.Errorf("check user: %w", err)
	} else if n == 0 {
		return desk.FieldErrorf(field, "Unknown user.")
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
		return nil, desk.FieldErrorf("ticket_id", "Choose the ticket to tie the call to.")
	}
	if c.PhoneCallID != 0 {
		if c.TicketID == pc.TicketID {
			return findPhoneCallByID(ctx, tx, c.PhoneCallID)
		}
		return nil, &desk.Error{Code: desk.ECONFLICT, Field: "ticket_id",
			Message: fmt.Sprintf("The call is already tied to ticket %s.", c.TicketRef)}
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

// authorizeTelephony refuses changes of the telephony settings to whoever
// may not manage users.
func authorizeTelephony(tx *Tx) error {
	if !tx.user.Can(desk.ActionModify, desk.ClassUser) {
		return desk.Errorf(desk.EFORBIDDEN, "Only an administrator may change the telephony settings.")
	}
	return nil
}

// CreateIntegration returns a new random token (desk.IntegrationTokenPrefix
// and 32 bytes in base64url) for a new integration; only its SHA-256 is kept.
func (db *DB) CreateIntegration(ctx context.Context, name string) (string, *desk.Integration, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return "", nil, err
	}
	if name, err = desk.ValidateIntegrationName(name); err != nil {
		return "", nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("create integration: %w", err)
	}
	token := desk.IntegrationTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	i := &desk.Integration{Name: name, CreatedAt: tx.now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO cti_integration (name, token_hash, created_at) VALUES (?, ?, ?)
		RETURNING id`, name, tokenHash(token), tx.now).Scan(&i.ID); err != nil {
		return "", nil, fmt.Errorf("create integration: %w", err)
	}
	if err := tx.commit(); err != nil {
		return "", nil, err
	}
	return token, i, nil
}

// FindIntegrations returns every integration, newest first.
func (db *DB) FindIntegrations(ctx context.Context) ([]*desk.Integration, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findIntegrations(ctx, tx, nil)
}

func findIntegrations(ctx context.Context, tx *Tx, id *int64) ([]*desk.Integration, error) {
	var c conds
	if id != nil {
		c.add("id = ?", *id)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, name, created_at, last_used_at, revoked_at FROM cti_integration"+
		c.where()+" ORDER BY id DESC", c.args...)
	return collect(rows, err, "find integrations", func(rows *sql.Rows) (*desk.Integration, error) {
		var i desk.Integration
		var used, revoked sql.NullTime
		err := rows.Scan(&i.ID, &i.Name, &i.CreatedAt, &used, &revoked)
		i.CreatedAt, i.LastUsedAt, i.RevokedAt = i.CreatedAt.UTC(), timePtr(used), timePtr(revoked)
		return &i, err
	})
}

// RevokeIntegration revokes the integration of id for good; revoking it
// again keeps the first revocation time.
func (db *DB) RevokeIntegration(ctx context.Context, id int64) (*desk.Integration, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return nil, err
	}
	found, err := findIntegrations(ctx, tx, &id)
	if err != nil {
		return nil, err
	} else if len(found) == 0 {
		return nil, desk.Errorf(desk.ENOTFOUND, "Integration not found.")
	}
	i := found[0]
	if i.RevokedAt == nil {
		if _, err := tx.ExecContext(ctx, "UPDATE cti_integration SET revoked_at = ? WHERE id = ?", tx.now, id); err != nil {
			return nil, fmt.Errorf("revoke integration: %w", err)
		}
		now := tx.now
		i.RevokedAt = &now
	}
	return i, tx.commit()
}

// AuthenticateIntegration returns the integration of token, EUNAUTHORIZED
// for an unknown or revoked one. It reads with one statement, and records
// the use at most once every tokenUseInterval.
func (db *DB) AuthenticateIntegration(ctx context.Context, token string) (*desk.Integration, error) {
	if !strings.HasPrefix(token, desk.IntegrationTokenPrefix) || len(token) > 256 {
		return nil, desk.Errorf(desk.EUNAUTHORIZED, "Unknown integration token.")
	}
	var i desk.Integration
	var used, revoked sql.NullTime
	err := db.read.QueryRowContext(ctx, db.sql(`SELECT id, name, created_at, last_used_at, revoked_at
		FROM cti_integration WHERE token_hash = ?`), tokenHash(token)).Scan(&i.ID, &i.Name, &i.CreatedAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.EUNAUTHORIZED, "Unknown integration token.")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate integration: %w", err)
	}
	i.CreatedAt, i.LastUsedAt, i.RevokedAt = i.CreatedAt.UTC(), timePtr(used), timePtr(revoked)
	if i.Revoked() {
		return nil, desk.Errorf(desk.EUNAUTHORIZED, "The integration token was revoked.")
	}
	now := db.now()
	if i.LastUsedAt == nil || now.Sub(*i.LastUsedAt) >= tokenUseInterval {
		if _, err := db.write.ExecContext(ctx, db.sql(`UPDATE cti_integration SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`), now, i.ID, now.Add(-tokenUseInterval)); err != nil {
			return nil, fmt.Errorf("record integration use: %w", err)
		}
		i.LastUsedAt = &now
	}
	return &i, nil
}

// blockKey is what the block list compares: the E.164 form when the number
// has one, else its significant digits.
func blockKey(n phone.Number) string {
	if n.E164 != "" {
		return n.E164
	}
	return n.Digits
}

// FindBlockedNumbers returns the block list, by number.
func (db *DB) FindBlockedNumbers(ctx context.Context) ([]*desk.BlockedNumber, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id, number, note, created_at FROM cti_blocked_number ORDER BY number, id")
	return collect(rows, err, "find blocked numbers", func(rows *sql.Rows) (*desk.BlockedNumber, error) {
		var b desk.BlockedNumber
		err := rows.Scan(&b.ID, &b.Number, &b.Note, &b.CreatedAt)
		b.CreatedAt = b.CreatedAt.UTC()
		return &b, err
	})
}

// CreateBlockedNumber adds b to the block list and sets its ID.
func (db *DB) CreateBlockedNumber(ctx context.Context, b *desk.BlockedNumber) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	b.Number, b.Note = strings.TrimSpace(b.Number), strings.TrimSpace(b.Note)
	key := blockKey(tx.phone.Parse(b.Number))
	switch {
	case key == "":
		return desk.FieldErrorf("number", "%q contains no digit.", b.Number)
	case len(b.Number) > 64:
		return desk.FieldErrorf("number", "Number is longer than 64 characters.")
	case len(b.Note) > 255:
		return desk.FieldErrorf("note", "Note is longer than 255 characters.")
	}
	blocked, err := blockedNumbers(ctx, tx.QueryContext)
	if err != nil {
		return err
	}
	n := tx.phone.Parse(b.Number)
	for _, old := range blocked {
		if _, ok := tx.phone.Match(n, tx.phone.Parse(old)); ok {
			return &desk.Error{Code: desk.ECONFLICT, Field: "number", Message: fmt.Sprintf("The number %q is blocked already.", b.Number)}
		}
	}
	b.CreatedAt = tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO cti_blocked_number (number, digits, note, created_at) VALUES (?, ?, ?, ?)
		RETURNING id`, b.Number, key, b.Note, b.CreatedAt).Scan(&b.ID)
	if isUnique(err) {
		return &desk.Error{Code: desk.ECONFLICT, Field: "number", Message: fmt.Sprintf("The number %q is blocked already.", b.Number)}
	} else if err != nil {
		return fmt.Errorf("block number: %w", err)
	}
	return tx.commit()
}

// DeleteBlockedNumber removes a number from the block list.
func (db *DB) DeleteBlockedNumber(ctx context.Context, id int64) error {
	return db.deleteTelephonyRow(ctx, "cti_blocked_number", id, desk.Errorf(desk.ENOTFOUND, "Blocked number not found."))
}

// deleteTelephonyRow deletes the row id of table (a constant of this file),
// or returns notFound when there is none.
func (db *DB) deleteTelephonyRow(ctx context.Context, table string, id int64, notFound error) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound
	}
	return tx.commit()
}

// IsBlockedNumber reports whether number, as a phone system sends it (a
// leading space is a +), matches a number of the block list. It reads with
// one statement.
func (db *DB) IsBlockedNumber(ctx context.Context, number string) (bool, error) {
	if desk.UserFromContext(ctx) == nil {
		return false, desk.Errorf(desk.EUNAUTHORIZED, "You must log in.")
	}
	caller := db.Phone.FromQuery(number)
	if caller.Digits == "" {
		return false, nil
	}
	blocked, err := blockedNumbers(ctx, func(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
		return db.read.QueryContext(ctx, db.sql(query), args...)
	})
	if err != nil {
		return false, err
	}
	for _, b := range blocked {
		if _, ok := db.Phone.Match(caller, db.Phone.Parse(b)); ok {
			return true, nil
		}
	}
	return false, nil
}

// blockedNumbers returns the numbers of the block list, read with query.
func blockedNumbers(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error)) ([]string, error) {
	rows, err := query(ctx, "SELECT number FROM cti_blocked_number")
	return collect(rows, err, "read the block list", func(rows *sql.Rows) (string, error) {
		var n string
		err := rows.Scan(&n)
		return n, err
	})
}

// FindCallerIDRules returns the caller id rules, in the order they apply.
func (db *DB) FindCallerIDRules(ctx context.Context) ([]*desk.CallerIDRule, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id, pattern, caller_id, note, created_at FROM cti_caller_id_rule ORDER BY id")
	return collect(rows, err, "find caller id rules", func(rows *sql.Rows) (*desk.CallerIDRule, error) {
		var r desk.CallerIDRule
		err := rows.Scan(&r.ID, &r.Pattern, &r.CallerID, &r.Note, &r.CreatedAt)
		r.CreatedAt = r.CreatedAt.UTC()
		return &r, err
	})
}

// CreateCallerIDRule validates r, adds it after the others and sets its ID.
func (db *DB) CreateCallerIDRule(ctx context.Context, r *desk.CallerIDRule) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	r.Note = strings.TrimSpace(r.Note)
	if err := r.Validate(); err != nil {
		return err
	}
	r.CreatedAt = tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO cti_caller_id_rule (pattern, caller_id, note, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, r.Pattern, r.CallerID, r.Note, r.CreatedAt).Scan(&r.ID); err != nil {
		return fmt.Errorf("create caller id rule: %w", err)
	}
	return tx.commit()
}

// DeleteCallerIDRule removes a caller id rule.
func (db *DB) DeleteCallerIDRule(ctx context.Context, id int64) error {
	return db.deleteTelephonyRow(ctx, "cti_caller_id_rule", id, desk.Errorf(desk.ENOTFOUND, "Caller id rule not found."))
}

const agentSettingsSelect = `SELECT u.id, u.login, COALESCE(p.first_name, ''), COALESCE(p.name, ''),
	COALESCE(a.extension, ''), COALESCE(a.pop_on_answer, ?)
	FROM users u LEFT JOIN cti_agent a ON a.user_id = u.id LEFT JOIN person p ON p.id = u.contact_id`

func scanAgentSettings(rows *sql.Rows) (*desk.AgentSettings, error) {
	var a desk.AgentSettings
	var p desk.Person
	if err := rows.Scan(&a.UserID, &a.Login, &p.FirstName, &p.Name, &a.Extension, &a.PopOnAnswer); err != nil {
		return nil, err
	}
	a.Name = agentName(a.Login, p)
	return &a, nil
}

// FindAgentSettings returns the telephony settings of a user: his own, or
// anyone's for an admin; another user's are ENOTFOUND to others.
func (db *DB) FindAgentSettings(ctx context.Context, userID int64) (*desk.AgentSettings, error) {
	tx, err := db.beginRead(ctx, "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAgentSettings(ctx, tx, userID)
}

func findAgentSettings(ctx context.Context, tx *Tx, userID int64) (*desk.AgentSettings, error) {
	if userID != tx.user.ID && !tx.user.Can(desk.ActionRead, desk.ClassUser) {
		return nil, desk.Errorf(desk.ENOTFOUND, "User not found.")
	}
	rows, err := tx.QueryContext(ctx, agentSettingsSelect+" WHERE u.id = ?", true, userID)
	if err != nil {
		return nil, fmt.Errorf("find agent settings: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find agent settings: %w", err)
		}
		return nil, desk.Errorf(desk.ENOTFOUND, "User not found.")
	}
	a, err := scanAgentSettings(rows)
	if err != nil {
		return nil, fmt.Errorf("find agent settings: %w", err)
	}
	return a, nil
}

// FindAgentsSettings returns the settings of the users who have an
// extension, by login. Only an admin reads them.
func (db *DB) FindAgentsSettings(ctx context.Context) ([]*desk.AgentSettings, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, agentSettingsSelect+" WHERE a.extension <> '' ORDER BY lower(u.login), u.id", true)
	return collect(rows, err, "find agents settings", scanAgentSettings)
}

// UpdateAgentSettings changes the settings of user userID: the extension
// only for an admin, PopOnAnswer for the user himself too.
func (db *DB) UpdateAgentSettings(ctx context.Context, userID int64, upd desk.AgentSettingsUpdate) (*desk.AgentSettings, error) {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	admin := tx.user.Can(desk.ActionModify, desk.ClassUser)
	if (userID != tx.user.ID || upd.Extension != nil) && !admin {
		return nil, desk.Errorf(desk.EFORBIDDEN, "Only an administrator may change the telephony settings.")
	}
	a, err := findAgentSettings(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if upd.Extension != nil {
		a.Extension = *upd.Extension
	}
	if upd.PopOnAnswer != nil {
		a.PopOnAnswer = *upd.PopOnAnswer
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cti_agent (user_id, extension, pop_on_answer) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET extension = excluded.extension, pop_on_answer = excluded.pop_on_answer`,
		userID, a.Extension, a.PopOnAnswer)
	if isUnique(err) {
		return nil, &desk.Error{Code: desk.ECONFLICT, Field: "extension",
			Message: fmt.Sprintf("The extension %q is another user's.", a.Extension)}
	} else if err != nil {
		return nil, fmt.Errorf("update agent settings: %w", err)
	}
	return a, tx.commit()
}

// findAgentsQuery finds the users a key designates, ranked: extension,
// login, contact's number (digits, then E.164 form), contact's name; its
// parameters are key, key, digits, E.164 form, key, key.
//
// The contact's numbers and name are read from the users, a few, through
// the primary keys of person_number and person, in subqueries run once per
// user: no index serves digits, e164 or a name's lower case, and joins from
// those tables scanned them (SQLite: every number, 200 ms a call event at
// 1,000,000 persons; PostgreSQL, which turns EXISTS and joins into merge
// joins: every number and every person, 860 ms; docs/performance.md).
const findAgentsQuery = `SELECT u.id, 1 FROM users u JOIN cti_agent a ON a.user_id = u.id
		WHERE a.extension = ? AND a.extension <> ''
	UNION ALL SELECT u.id, 2 FROM users u WHERE lower(u.login) = lower(?)
	UNION ALL SELECT u.id, 3 FROM users u WHERE (SELECT count(*) FROM person_number k
		WHERE k.person_id = u.contact_id AND ((k.digits = ? AND k.digits <> '') OR (k.e164 = ? AND k.e164 <> ''))) > 0
	UNION ALL SELECT u.id, 4 FROM users u WHERE (SELECT count(*) FROM person p
		WHERE p.id = u.contact_id AND (lower(p.first_name || ' ' || p.name) = lower(?) OR lower(p.name) = lower(?))) > 0
	ORDER BY 2, 1`

// FindAgents returns the users that key designates, by the first of these
// that finds any: extension, login (any case), the E.164 form or
// significant digits of their contact's phone numbers, their contact's
// full name (any case).
func (db *DB) FindAgents(ctx context.Context, key string) ([]*desk.User, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 255 {
		return []*desk.User{}, nil
	}
	n := tx.phone.FromQuery(key)
	rows, err := tx.QueryContext(ctx, findAgentsQuery, key, key, n.Digits, n.E164, key, key)
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	var ids []int64
	best := 0
	for rows.Next() {
		var id int64
		var rank int
		if err := rows.Scan(&id, &rank); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find agents: %w", err)
		}
		if best == 0 {
			best = rank
		}
		if rank == best && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	users := []*desk.User{}
	for _, id := range ids {
		u, err := findUser(ctx, tx, desk.UserFilter{ID: &id})
		if err != nil {
			return nil, err
		}
		u.PasswordHash = ""
		users = append(users, u)
	}
	return users, nil
}
