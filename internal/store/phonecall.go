package store

import (
	"context"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// FindPhoneCallByID returns the phone call of id, ENOTFOUND when it does not
// exist or the user may not see it: a call is visible with its ticket, or
// with its contact when it has no ticket, or to its agent when it has
// neither.
func (db *DB) FindPhoneCallByID(ctx context.Context, id int64) (*desk.PhoneCall, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findPhoneCallByID(ctx, tx, id)
}

// FindPhoneCalls returns the phone calls matching filter, newest first, and
// their total count. A TicketID or ContactID of 0 selects the calls without
// one; From is inclusive, To exclusive.
func (db *DB) FindPhoneCalls(ctx context.Context, filter desk.PhoneCallFilter) ([]*desk.PhoneCall, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findPhoneCalls(ctx, tx, filter)
}

// CreatePhoneCall validates c, checks its agent, contact and ticket, inserts
// it and sets its ID, date (now when zero) and derived names.
func (db *DB) CreatePhoneCall(ctx context.Context, c *desk.PhoneCall) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassPhoneCall)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createPhoneCall(ctx, tx, c); err != nil {
		return edgeError(err)
	}
	return tx.commit()
}

// UpdatePhoneCall changes the note and duration, and ties the call to a
// ticket when it has none yet.
func (db *DB) UpdatePhoneCall(ctx context.Context, id int64, upd desk.PhoneCallUpdate) (*desk.PhoneCall, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := updatePhoneCall(ctx, tx, id, upd)
	if err != nil {
		return nil, edgeError(err)
	}
	return c, tx.commit()
}

func findPhoneCallByID(ctx context.Context, tx *Tx, id int64) (*desk.PhoneCall, error) {
	calls, _, err := findPhoneCalls(ctx, tx, desk.PhoneCallFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(calls) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.phone_call_not_found")
	}
	return calls[0], nil
}

const phoneCallFrom = ` FROM phonecall c
	JOIN person ag ON ag.id = c.agent_id
	LEFT JOIN person ct ON ct.id = c.contact_id
	LEFT JOIN ticket t ON t.id = c.ticket_id`

func findPhoneCalls(ctx context.Context, tx *Tx, filter desk.PhoneCallFilter) ([]*desk.PhoneCall, int, error) {
	var c conds
	if scope := tx.scope(); scope != nil {
		in := placeholders(len(scope))
		args := int64Args(scope)
		c.add(`(t.org_id IN (`+in+`) OR (c.ticket_id IS NULL AND (ct.org_id IN (`+in+`)
			OR (c.contact_id IS NULL AND c.agent_id = ?))))`, append(append(args, args...), tx.user.ContactID)...)
	}
	if filter.ID != nil {
		c.add("c.id = ?", *filter.ID)
	}
	for _, f := range []struct {
		col string
		id  *int64
	}{{"c.ticket_id", filter.TicketID}, {"c.contact_id", filter.ContactID}, {"c.agent_id", filter.AgentID}} {
		switch {
		case f.id == nil:
		case *f.id == 0:
			c.add(f.col + " IS NULL")
		default:
			c.add(f.col+" = ?", *f.id)
		}
	}
	if filter.ContactIDs != nil {
		c.addIn("c.contact_id", filter.ContactIDs)
	}
	if filter.Flow != "" {
		c.add("c.flow = ?", filter.Flow)
	}
	if filter.From != nil {
		c.add("c.date >= ?", dbTime(*filter.From))
	}
	if filter.To != nil {
		c.add("c.date < ?", dbTime(*filter.To))
	}
	offset, limit := page(filter.Offset, filter.Limit)
	rows, err := tx.QueryContext(ctx, `SELECT c.id, COALESCE(c.contact_id, 0), COALESCE(ct.first_name, ''), COALESCE(ct.name, ''),
		c.agent_id, ag.first_name, ag.name, COALESCE(c.ticket_id, 0), COALESCE(t.ref, ''),
		c.date, c.flow, c.note, c.number, c.duration`+phoneCallFrom+c.where()+
		" ORDER BY c.date DESC, c.id DESC LIMIT ? OFFSET ?", append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find phone calls: %w", err)
	}
	defer rows.Close()
	var calls []*desk.PhoneCall
	for rows.Next() {
		var pc desk.PhoneCall
		var contact, agent desk.Person
		if err := rows.Scan(&pc.ID, &pc.ContactID, &contact.FirstName, &contact.Name, &pc.AgentID, &agent.FirstName, &agent.Name,
			&pc.TicketID, &pc.TicketRef, &pc.Date, &pc.Flow, &pc.Note, &pc.Number, &pc.Duration); err != nil {
			return nil, 0, fmt.Errorf("find phone calls: %w", err)
		}
		pc.ContactName, pc.AgentName, pc.Date = contact.FriendlyName(), agent.FriendlyName(), pc.Date.UTC()
		calls = append(calls, &pc)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find phone calls: %w", err)
	}
	total := offset + len(calls)
	if !filter.NoCount && needCount(offset, limit, len(calls)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+phoneCallFrom+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count phone calls: %w", err)
		}
	}
	return calls, total, nil
}

func createPhoneCall(ctx context.Context, tx *Tx, c *desk.PhoneCall) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := checkPerson(ctx, tx, c.AgentID, "agent_id"); err != nil {
		return err
	}
	if c.ContactID != 0 {
		if _, err := checkPerson(ctx, tx, c.ContactID, "contact_id"); err != nil {
			return err
		}
	}
	if c.TicketID != 0 {
		if _, err := checkTicket(ctx, tx, c.TicketID, "ticket_id"); err != nil {
			return err
		}
	}
	if c.Date.IsZero() {
		c.Date = tx.now
	}
	c.Date = dbTime(c.Date)
	if err := tx.QueryRowContext(ctx, `INSERT INTO phonecall (contact_id, agent_id, ticket_id, date, flow, note, number, duration)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nullID(c.ContactID), c.AgentID, nullID(c.TicketID),
		c.Date, c.Flow, c.Note, c.Number, c.Duration).Scan(&c.ID); err != nil {
		return fmt.Errorf("insert phone call: %w", err)
	}
	return fillPhoneCallNames(ctx, tx, c)
}

// fillPhoneCallNames sets the derived names of c.
func fillPhoneCallNames(ctx context.Context, tx *Tx, c *desk.PhoneCall) error {
	var contact, agent desk.Person
	if err := tx.QueryRowContext(ctx, `SELECT ag.first_name, ag.name, COALESCE(ct.first_name, ''), COALESCE(ct.name, ''),
		COALESCE(t.ref, '') FROM person ag LEFT JOIN person ct ON ct.id = ? LEFT JOIN ticket t ON t.id = ? WHERE ag.id = ?`,
		nullID(c.ContactID), nullID(c.TicketID), c.AgentID).Scan(&agent.FirstName, &agent.Name, &contact.FirstName,
		&contact.Name, &c.TicketRef); err != nil {
		return fmt.Errorf("phone call names: %w", err)
	}
	c.ContactName, c.AgentName = contact.FriendlyName(), agent.FriendlyName()
	return nil
}

func updatePhoneCall(ctx context.Context, tx *Tx, id int64, upd desk.PhoneCallUpdate) (*desk.PhoneCall, error) {
	if err := tx.lockRow(ctx, "phonecall", id); err != nil {
		return nil, err
	}
	c, err := findPhoneCallByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if upd.Note != nil {
		c.Note = *upd.Note
	}
	if upd.Duration != nil {
		c.Duration = *upd.Duration
	}
	if upd.TicketID != nil && *upd.TicketID != c.TicketID {
		if c.TicketID != 0 {
			return nil, desk.Invalid("ticket_id", "error.phonecall_tied", c.TicketRef)
		}
		t, err := checkTicket(ctx, tx, *upd.TicketID, "ticket_id")
		if err != nil {
			return nil, err
		}
		c.TicketID, c.TicketRef = t.ID, t.Ref
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE phonecall SET note = ?, duration = ?, ticket_id = ? WHERE id = ?",
		c.Note, c.Duration, nullID(c.TicketID), id); err != nil {
		return nil, fmt.Errorf("update phone call: %w", err)
	}
	return c, nil
}
