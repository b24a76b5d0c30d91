package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// FindTicketByID returns the ticket of id with its logs, ENOTFOUND when it
// does not exist or belongs to an organization outside the user's.
func (db *DB) FindTicketByID(ctx context.Context, id int64) (*desk.Ticket, error) {
	tx, err := db.beginRead(ctx, desk.ClassTicket)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findTicketByID(ctx, tx, id)
}

// FindTickets returns the tickets matching filter, newest first, without their
// logs, and their total count.
func (db *DB) FindTickets(ctx context.Context, filter desk.TicketFilter) ([]*desk.Ticket, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassTicket)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findTickets(ctx, tx, filter)
}

// CreateTicket validates t, checks its references, inserts it with its logs
// and sets ID, Ref, the dates and the derived names.
func (db *DB) CreateTicket(ctx context.Context, t *desk.Ticket) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassTicket)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := t.Validate(); err != nil {
		return err
	}
	if err := checkTicketRefs(ctx, tx, t); err != nil {
		return edgeError(err)
	}
	if err := insertTicket(ctx, tx, t); err != nil {
		return edgeError(err)
	}
	if err := fillTicketNames(ctx, tx, t); err != nil {
		return err
	}
	return tx.commit()
}

// CreateTickets validates every ticket and checks its references first, so
// that bad input writes nothing, then inserts them batchSize a transaction,
// calling progress after each. IDs, refs and dates are set; derived names
// are not.
func (db *DB) CreateTickets(ctx context.Context, tickets []*desk.Ticket, progress func(done int)) error {
	if err := desk.Authorize(ctx, desk.ActionCreate, desk.ClassTicket); err != nil {
		return err
	}
	for i, t := range tickets {
		if err := t.Validate(); err != nil {
			return itemError("Ticket", i, err)
		}
	}
	for done := 0; done < len(tickets); {
		part := tickets[done:min(done+batchSize, len(tickets))]
		if err := db.createTicketBatch(ctx, part, done == 0, tickets); err != nil {
			return edgeError(err)
		}
		done += len(part)
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// createTicketBatch inserts part in one transaction; the first one checks
// the references of all the tickets. As for persons, the ids come from
// nextIDs and the rows go in multi-row INSERTs.
func (db *DB) createTicketBatch(ctx context.Context, part []*desk.Ticket, first bool, all []*desk.Ticket) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassTicket)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if first {
		if err := checkTicketsRefs(ctx, tx, all); err != nil {
			return err
		}
	}
	ids, err := tx.nextIDs(ctx, "ticket", len(part))
	if err != nil {
		return fmt.Errorf("insert tickets: %w", err)
	}
	tickets := newBulkInsert(tx, "ticket", append([]string{"id", "ref"}, ticketInsertColumns...), 50, nil)
	defer tickets.close()
	logs := newBulkInsert(tx, "ticket_log", logInsertColumns, 200, tickets)
	defer logs.close()
	for i, t := range part {
		if err := prepareTicket(ctx, tx, t); err != nil {
			return err
		}
		t.ID, t.Ref = ids[i], desk.TicketRef(t.Kind, ids[i])
		if err := tickets.add(ctx, append([]any{t.ID, t.Ref}, ticketArgs(t)...)...); err != nil {
			return fmt.Errorf("insert tickets: %w", err)
		}
		for _, row := range logRows(t) {
			if err := logs.add(ctx, row...); err != nil {
				return fmt.Errorf("insert ticket logs: %w", err)
			}
		}
	}
	if err := logs.flush(ctx); err != nil {
		return fmt.Errorf("insert tickets: %w", err)
	}
	return tx.commit()
}

// UpdateTicket changes the attributes set in upd and returns the ticket. A
// change sets last_update; closing sets close_date, reopening clears it.
func (db *DB) UpdateTicket(ctx context.Context, id int64, upd desk.TicketUpdate) (*desk.Ticket, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassTicket)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := updateTicket(ctx, tx, id, upd)
	if err != nil {
		return nil, edgeError(err)
	}
	return t, tx.commit()
}

// AddLogEntry appends text to the public or private log of the ticket, dated
// now and signed by the current user, and returns the ticket.
func (db *DB) AddLogEntry(ctx context.Context, id int64, log string, text string) (*desk.Ticket, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassTicket)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := addLogEntry(ctx, tx, id, log, text)
	if err != nil {
		return nil, edgeError(err)
	}
	return t, tx.commit()
}

func findTicketByID(ctx context.Context, tx *Tx, id int64) (*desk.Ticket, error) {
	tickets, _, err := findTickets(ctx, tx, desk.TicketFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(tickets) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.ticket_not_found")
	}
	t := tickets[0]
	if err := loadLogs(ctx, tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

func findTickets(ctx context.Context, tx *Tx, filter desk.TicketFilter) ([]*desk.Ticket, int, error) {
	if err := checkQuery(filter.Query); err != nil {
		return nil, 0, err
	}
	var c conds
	if scope := tx.scope(); scope != nil {
		c.addIn("t.org_id", scope)
	}
	if filter.ID != nil {
		c.add("t.id = ?", *filter.ID)
	}
	if filter.IDs != nil {
		c.addIn("t.id", filter.IDs)
	}
	if filter.Kind != "" && filter.Kind != "Ticket" { // Ticket, the abstract class, selects every kind
		c.add("t.kind = ?", filter.Kind)
	}
	if filter.Status != "" {
		c.add("t.status = ?", filter.Status)
	}
	if filter.Ongoing {
		c.add("t.status <> ?", desk.TicketClosed)
	}
	if filter.OrgID != nil {
		c.add("t.org_id = ?", *filter.OrgID)
	}
	if filter.CallerID != nil {
		c.add("t.caller_id = ?", *filter.CallerID)
	}
	if filter.CallerIDs != nil {
		c.addIn("t.caller_id", filter.CallerIDs)
	}
	if filter.AgentID != nil {
		c.add("t.agent_id = ?", *filter.AgentID)
	}
	if filter.Unassigned {
		c.add("t.agent_id IS NULL")
	}
	if filter.TeamIDs != nil {
		c.addIn("t.team_id", filter.TeamIDs)
	}
	if filter.TeamMemberID != nil {
		c.add("t.team_id IN (SELECT team_id FROM lnk_person_to_team WHERE person_id = ?)", *filter.TeamMemberID)
	}
	if q := strings.TrimSpace(filter.Query); q != "" {
		pat := likePattern(q)
		if id, ok := desk.ParseTicketRef(q); ok {
			c.add(`(t.id = ? OR t.ref `+tx.like()+` ? ESCAPE '\' OR t.title `+tx.like()+` ? ESCAPE '\')`, id, pat, pat)
		} else {
			c.add(`(t.ref `+tx.like()+` ? ESCAPE '\' OR t.title `+tx.like()+` ? ESCAPE '\')`, pat, pat)
		}
	}
	order, err := ticketOrder(filter.Sort, filter.Desc)
	if err != nil {
		return nil, 0, err
	}
	offset, limit := page(filter.Offset, filter.Limit)
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.kind, t.ref, t.title, t.description, t.org_id, o.name,
		COALESCE(t.caller_id, 0), COALESCE(c.first_name, ''), COALESCE(c.name, ''),
		COALESCE(t.agent_id, 0), COALESCE(a.first_name, ''), COALESCE(a.name, ''),
		COALESCE(t.team_id, 0), COALESCE(tm.name, ''),
		t.status, t.origin, t.priority, t.urgency, t.impact, t.start_date, t.last_update, t.close_date,
		(SELECT COALESCE(SUM(pc.duration), 0) FROM phonecall pc WHERE pc.ticket_id = t.id)
		FROM ticket t
		JOIN organization o ON o.id = t.org_id
		LEFT JOIN person c ON c.id = t.caller_id
		LEFT JOIN person a ON a.id = t.agent_id
		LEFT JOIN team tm ON tm.id = t.team_id`+c.where()+
		" ORDER BY "+order+" LIMIT ? OFFSET ?", append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find tickets: %w", err)
	}
	defer rows.Close()
	var tickets []*desk.Ticket
	for rows.Next() {
		var t desk.Ticket
		var caller, agent desk.Person
		var closed sql.NullTime
		if err := rows.Scan(&t.ID, &t.Kind, &t.Ref, &t.Title, &t.Description, &t.OrgID, &t.OrgName,
			&t.CallerID, &caller.FirstName, &caller.Name, &t.AgentID, &agent.FirstName, &agent.Name,
			&t.TeamID, &t.TeamName, &t.Status, &t.Origin, &t.Priority, &t.Urgency, &t.Impact, &t.StartDate, &t.LastUpdate, &closed,
			&t.PhoneTime); err != nil {
			return nil, 0, fmt.Errorf("find tickets: %w", err)
		}
		t.CallerName, t.AgentName = caller.FriendlyName(), agent.FriendlyName()
		t.StartDate, t.LastUpdate, t.CloseDate = t.StartDate.UTC(), t.LastUpdate.UTC(), timePtr(closed)
		tickets = append(tickets, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find tickets: %w", err)
	}
	total := offset + len(tickets)
	if needCount(offset, limit, len(tickets)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM ticket t"+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count tickets: %w", err)
		}
	}
	return tickets, total, nil
}

// loadLogs reads the public and private logs of t, oldest entry first.
func loadLogs(ctx context.Context, tx *Tx, t *desk.Ticket) error {
	rows, err := tx.QueryContext(ctx, "SELECT log, date, author, text FROM ticket_log WHERE ticket_id = ? ORDER BY log, position", t.ID)
	if err != nil {
		return fmt.Errorf("load ticket logs: %w", err)
	}
	defer rows.Close()
	t.PublicLog, t.PrivateLog = []desk.LogEntry{}, []desk.LogEntry{}
	for rows.Next() {
		var log string
		var e desk.LogEntry
		if err := rows.Scan(&log, &e.Date, &e.Author, &e.Text); err != nil {
			return fmt.Errorf("load ticket logs: %w", err)
		}
		e.Date = e.Date.UTC()
		if log == desk.PrivateLog {
			t.PrivateLog = append(t.PrivateLog, e)
		} else {
			t.PublicLog = append(t.PublicLog, e)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load ticket logs: %w", err)
	}
	return nil
}

// checkTicketRefs checks the organization, caller and agent of t: the user
// must see them, and the caller must belong to the ticket's organization.
func checkTicketRefs(ctx context.Context, tx *Tx, t *desk.Ticket) error {
	if err := checkOrg(ctx, tx, t.OrgID, "org_id"); err != nil {
		return err
	}
	if err := checkCaller(ctx, tx, t); err != nil {
		return err
	}
	if t.AgentID != 0 {
		if _, err := checkPerson(ctx, tx, t.AgentID, "agent_id"); err != nil {
			return err
		}
	}
	if t.TeamID != 0 {
		if err := checkTeam(ctx, tx, t.TeamID, t.OrgID, "team_id"); err != nil {
			return err
		}
	}
	return nil
}

func checkCaller(ctx context.Context, tx *Tx, t *desk.Ticket) error {
	if t.CallerID == 0 {
		return nil
	}
	org, err := checkPerson(ctx, tx, t.CallerID, "caller_id")
	if err != nil {
		return err
	} else if org != t.OrgID {
		return desk.Invalid("caller_id", "error.caller_other_org")
	}
	return nil
}

// checkTicketsRefs is checkTicketRefs for many tickets at once.
func checkTicketsRefs(ctx context.Context, tx *Tx, tickets []*desk.Ticket) error {
	orgIDs := make([]int64, 0, len(tickets))
	var personIDs []int64
	for _, t := range tickets {
		orgIDs = append(orgIDs, t.OrgID)
		personIDs = append(personIDs, t.CallerID, t.AgentID)
	}
	if err := checkOrgs(ctx, tx, orgIDs, "org_id"); err != nil {
		return err
	}
	orgOf, err := personOrgs(ctx, tx, personIDs)
	if err != nil {
		return err
	}
	sees := func(id int64) bool {
		org, ok := orgOf[id]
		return ok && (tx.user.SeesOrg(org) || id == tx.user.ContactID)
	}
	checked := map[[2]int64]bool{} // the (team, organization) pairs checked already
	for i, t := range tickets {
		if t.CallerID != 0 && !sees(t.CallerID) {
			return itemError("Ticket", i, desk.Invalid("caller_id", "error.unknown_person"))
		} else if t.CallerID != 0 && orgOf[t.CallerID] != t.OrgID {
			return itemError("Ticket", i, desk.Invalid("caller_id", "error.caller_other_org"))
		} else if t.AgentID != 0 && !sees(t.AgentID) {
			return itemError("Ticket", i, desk.Invalid("agent_id", "error.unknown_person"))
		} else if t.TeamID != 0 && !checked[[2]int64{t.TeamID, t.OrgID}] {
			err := checkTeam(ctx, tx, t.TeamID, t.OrgID, "team_id")
			if err != nil {
				return itemError("Ticket", i, err)
			}
			checked[[2]int64{t.TeamID, t.OrgID}] = true
		}
	}
	return nil
}

var (
	ticketInsertColumns = []string{"kind", "title", "description", "org_id", "caller_id", "agent_id", "team_id", "status",
		"origin", "priority", "urgency", "impact", "start_date", "last_update", "close_date"}
	logInsertColumns = []string{"ticket_id", "log", "position", "date", "author", "text"}
	insertTicketSQL  = "INSERT INTO ticket (" + strings.Join(ticketInsertColumns, ", ") + ") VALUES (" +
		placeholders(len(ticketInsertColumns)) + ") RETURNING id"
	insertLogSQL = "INSERT INTO ticket_log (" + strings.Join(logInsertColumns, ", ") + ") VALUES (" +
		placeholders(len(logInsertColumns)) + ")"
)

func ticketArgs(t *desk.Ticket) []any {
	return []any{t.Kind, t.Title, t.Description, t.OrgID, nullID(t.CallerID), nullID(t.AgentID), nullID(t.TeamID), t.Status,
		t.Origin, t.Priority, t.Urgency, t.Impact, t.StartDate, t.LastUpdate, nullTime(t.CloseDate)}
}

// prepareTicket fills what a validated ticket about to be inserted lacks: the
// dates, and the date and author of its log entries.
func prepareTicket(ctx context.Context, tx *Tx, t *desk.Ticket) error {
	if t.StartDate.IsZero() {
		t.StartDate = tx.now
	}
	if t.LastUpdate.IsZero() {
		t.LastUpdate = tx.now
	}
	t.StartDate, t.LastUpdate = dbTime(t.StartDate), dbTime(t.LastUpdate)
	switch {
	case t.Status != desk.TicketClosed:
		t.CloseDate = nil
	case t.CloseDate == nil:
		now := tx.now
		t.CloseDate = &now
	default:
		closed := dbTime(*t.CloseDate)
		t.CloseDate = &closed
	}
	for _, entries := range [][]desk.LogEntry{t.PublicLog, t.PrivateLog} {
		for i := range entries {
			e := &entries[i]
			if e.Date.IsZero() {
				e.Date = tx.now
			}
			e.Date = dbTime(e.Date)
			if e.Author == "" {
				author, err := tx.author(ctx)
				if err != nil {
					return err
				}
				e.Author = author
			}
		}
	}
	return nil
}

// logRows returns the ticket_log rows of t.
func logRows(t *desk.Ticket) [][]any {
	var rows [][]any
	for _, l := range []struct {
		name    string
		entries []desk.LogEntry
	}{{desk.PublicLog, t.PublicLog}, {desk.PrivateLog, t.PrivateLog}} {
		for i, e := range l.entries {
			rows = append(rows, []any{t.ID, l.name, i, e.Date, e.Author, e.Text})
		}
	}
	return rows
}

// insertTicket inserts a validated and checked ticket with its logs, filling
// the dates, ID and Ref.
func insertTicket(ctx context.Context, tx *Tx, t *desk.Ticket) error {
	if err := prepareTicket(ctx, tx, t); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, insertTicketSQL, ticketArgs(t)...).Scan(&t.ID); err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	t.Ref = desk.TicketRef(t.Kind, t.ID)
	if _, err := tx.ExecContext(ctx, "UPDATE ticket SET ref = ? WHERE id = ?", t.Ref, t.ID); err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	for _, row := range logRows(t) {
		if _, err := tx.ExecContext(ctx, insertLogSQL, row...); err != nil {
			return fmt.Errorf("insert ticket log: %w", err)
		}
	}
	return nil
}

// author returns the name signing the log entries of the acting user: his
// contact's friendly name, or his login.
func (tx *Tx) author(ctx context.Context) (string, error) {
	if tx.authorName != "" {
		return tx.authorName, nil
	}
	tx.authorName = tx.user.Login
	if tx.user.ContactID != 0 {
		var p desk.Person
		err := tx.QueryRowContext(ctx, "SELECT first_name, name FROM person WHERE id = ?", tx.user.ContactID).Scan(&p.FirstName, &p.Name)
		if err != nil && err != sql.ErrNoRows {
			return "", fmt.Errorf("log author: %w", err)
		} else if name := p.FriendlyName(); name != "" {
			tx.authorName = name
		}
	}
	return tx.authorName, nil
}

// fillTicketNames sets the derived names of t.
func fillTicketNames(ctx context.Context, tx *Tx, t *desk.Ticket) error {
	var caller, agent desk.Person
	if err := tx.QueryRowContext(ctx, `SELECT o.name, COALESCE(c.first_name, ''), COALESCE(c.name, ''),
		COALESCE(a.first_name, ''), COALESCE(a.name, ''), COALESCE(tm.name, '')
		FROM organization o LEFT JOIN person c ON c.id = ? LEFT JOIN person a ON a.id = ? LEFT JOIN team tm ON tm.id = ?
		WHERE o.id = ?`,
		nullID(t.CallerID), nullID(t.AgentID), nullID(t.TeamID), t.OrgID).Scan(&t.OrgName, &caller.FirstName, &caller.Name,
		&agent.FirstName, &agent.Name, &t.TeamName); err != nil {
		return fmt.Errorf("ticket names: %w", err)
	}
	t.CallerName, t.AgentName = caller.FriendlyName(), agent.FriendlyName()
	return nil
}

func updateTicket(ctx context.Context, tx *Tx, id int64, upd desk.TicketUpdate) (*desk.Ticket, error) {
	if err := tx.lockRow(ctx, "ticket", id); err != nil {
		return nil, err
	}
	t, err := findTicketByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	old := *t
	upd.Apply(t)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.OrgID != old.OrgID {
		if err := checkOrg(ctx, tx, t.OrgID, "org_id"); err != nil {
			return nil, err
		}
	}
	if t.OrgID != old.OrgID || t.CallerID != old.CallerID {
		if err := checkCaller(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	if t.AgentID != old.AgentID && t.AgentID != 0 {
		if _, err := checkPerson(ctx, tx, t.AgentID, "agent_id"); err != nil {
			return nil, err
		}
	}
	if t.TeamID != 0 && (t.TeamID != old.TeamID || t.OrgID != old.OrgID) {
		if err := checkTeam(ctx, tx, t.TeamID, t.OrgID, "team_id"); err != nil {
			return nil, err
		}
	}
	if t.Title == old.Title && t.Description == old.Description && t.OrgID == old.OrgID && t.CallerID == old.CallerID &&
		t.AgentID == old.AgentID && t.TeamID == old.TeamID && t.Status == old.Status && t.Origin == old.Origin && t.Priority == old.Priority &&
		t.Urgency == old.Urgency && t.Impact == old.Impact {
		return t, nil // nothing changed: last_update stays
	}
	t.LastUpdate = tx.now
	if t.Status == desk.TicketClosed && old.Status != desk.TicketClosed {
		now := tx.now
		t.CloseDate = &now
	} else if t.Status != desk.TicketClosed {
		t.CloseDate = nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ticket SET title = ?, description = ?, org_id = ?, caller_id = ?, agent_id = ?,
		team_id = ?, status = ?, origin = ?, priority = ?, urgency = ?, impact = ?, last_update = ?, close_date = ? WHERE id = ?`,
		t.Title, t.Description, t.OrgID, nullID(t.CallerID), nullID(t.AgentID), nullID(t.TeamID), t.Status, t.Origin,
		t.Priority, t.Urgency, t.Impact, t.LastUpdate, nullTime(t.CloseDate), id); err != nil {
		return nil, fmt.Errorf("update ticket: %w", err)
	}
	if err := fillTicketNames(ctx, tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

func addLogEntry(ctx context.Context, tx *Tx, id int64, log, text string) (*desk.Ticket, error) {
	if log != desk.PublicLog && log != desk.PrivateLog {
		return nil, desk.Invalid("log", "error.log_public_private", desk.PublicLog, desk.PrivateLog)
	}
	if err := desk.ValidateLogText(text); err != nil {
		return nil, err
	}
	if err := tx.lockRow(ctx, "ticket", id); err != nil { // the entry's position follows the others
		return nil, err
	}
	t, err := findTicketByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	author, err := tx.author(ctx)
	if err != nil {
		return nil, err
	}
	e := desk.LogEntry{Date: tx.now, Author: author, Text: strings.TrimSpace(text)}
	var position int
	if log == desk.PublicLog {
		position = len(t.PublicLog)
		t.PublicLog = append(t.PublicLog, e)
	} else {
		position = len(t.PrivateLog)
		t.PrivateLog = append(t.PrivateLog, e)
	}
	if _, err := tx.ExecContext(ctx, insertLogSQL, id, log, position, e.Date, e.Author, e.Text); err != nil {
		return nil, fmt.Errorf("add log entry: %w", err)
	}
	t.LastUpdate = tx.now
	if _, err := tx.ExecContext(ctx, "UPDATE ticket SET last_update = ? WHERE id = ?", t.LastUpdate, id); err != nil {
		return nil, fmt.Errorf("add log entry: %w", err)
	}
	return t, nil
}

// checkTicket returns EINVALID on field unless ticket id exists and the user
// may see it.
func checkTicket(ctx context.Context, tx *Tx, id int64, field string) (*desk.Ticket, error) {
	tickets, _, err := findTickets(ctx, tx, desk.TicketFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(tickets) == 0 {
		return nil, desk.Invalid(field, "error.unknown_ticket")
	}
	return tickets[0], nil
}

// ticketSortColumns are the SQL expressions of desk.TicketSortKeys: the only
// text a sort key puts in a query, which the key merely chooses. A caller or
// agent that is missing sorts last either way, in both databases; statuses
// sort in their lifecycle order.
var ticketSortColumns = map[string][]string{
	"kind":         {"t.kind"},
	"ref":          {"t.id"},
	"title":        {"t.title"},
	"organization": {"o.name"},
	"caller":       {"c.name", "c.first_name"},
	"agent":        {"a.name", "a.first_name"},
	"team":         {"tm.name"},
	"priority":     {"t.priority"},
	"status": {"CASE t.status WHEN 'new' THEN 0 WHEN 'assigned' THEN 1 WHEN 'pending' THEN 2 " +
		"WHEN 'resolved' THEN 3 ELSE 4 END"},
	"last_update": {"t.last_update"},
}

// ticketOrder returns the ORDER BY of a ticket list sorted by key.
func ticketOrder(key string, desc bool) (string, error) {
	if err := desk.CheckTicketSort(key); err != nil {
		return "", err
	}
	if key == "" {
		return "t.id DESC", nil
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	var parts []string
	switch key {
	case "caller":
		parts = append(parts, "(t.caller_id IS NULL)")
	case "agent":
		parts = append(parts, "(t.agent_id IS NULL)")
	case "team":
		parts = append(parts, "(t.team_id IS NULL)")
	case "priority":
		parts = append(parts, "(t.priority = 0)") // kinds without levels last
	}
	for _, col := range ticketSortColumns[key] {
		parts = append(parts, col+dir)
	}
	return strings.Join(append(parts, "t.id DESC"), ", "), nil
}
