package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The queues' targets (desk.QueueTarget): who the calls of a queue ring for
// when they name no agent. The table is in migrations/*/0010_cti_routing.sql.

// FindQueueTargets returns the queues' targets, by queue (any case) and the
// agents' logins. Only an admin reads them.
func (db *DB) FindQueueTargets(ctx context.Context) ([]*desk.QueueTarget, error) {
	tx, err := db.beginRead(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT q.id, q.queue, COALESCE(q.user_id, 0), COALESCE(u.login, ''),
		COALESCE(p.first_name, ''), COALESCE(p.name, ''), COALESCE(q.team_id, 0), COALESCE(tm.name, ''), q.created_at
		FROM cti_queue_target q LEFT JOIN users u ON u.id = q.user_id LEFT JOIN person p ON p.id = u.contact_id
		LEFT JOIN team tm ON tm.id = q.team_id
		ORDER BY lower(q.queue), q.team_id IS NULL, lower(tm.name), lower(u.login), q.id`)
	return collect(rows, err, "find queue targets", func(rows *sql.Rows) (*desk.QueueTarget, error) {
		var q desk.QueueTarget
		var login string
		var contact desk.Person
		err := rows.Scan(&q.ID, &q.Queue, &q.UserID, &login, &contact.FirstName, &contact.Name, &q.TeamID, &q.TeamName,
			&q.CreatedAt)
		if q.UserID != 0 {
			q.UserName = agentName(login, contact)
		}
		q.CreatedAt = q.CreatedAt.UTC()
		return &q, err
	})
}

// CreateQueueTarget adds q and sets its ID and creation time.
func (db *DB) CreateQueueTarget(ctx context.Context, q *desk.QueueTarget) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	if err := q.Validate(); err != nil {
		return err
	}
	field := "user_id"
	if q.TeamID != 0 {
		field = "team_id"
		if err := checkTeam(ctx, tx, q.TeamID, 0, field); err != nil {
			return err
		}
	} else if err := checkUser(ctx, tx, q.UserID, field); err != nil {
		return err
	}
	q.CreatedAt = tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO cti_queue_target (queue, user_id, team_id, created_at) VALUES (?, ?, ?, ?)
		RETURNING id`, q.Queue, nullID(q.UserID), nullID(q.TeamID), tx.now).Scan(&q.ID)
	if isUnique(err) {
		return &desk.Error{Code: desk.ECONFLICT, Field: field, Key: "error.queue_target_taken", Args: []any{q.Queue}}
	} else if err != nil {
		return fmt.Errorf("create queue target: %w", err)
	}
	return tx.commit()
}

// DeleteQueueTarget removes the target of id.
func (db *DB) DeleteQueueTarget(ctx context.Context, id int64) error {
	return db.deleteTelephonyRow(ctx, "cti_queue_target", id, desk.NewError(desk.ENOTFOUND, "error.queue_target_not_found"))
}

// FindQueueAgents returns the agents the calls of queue ring for (the
// queue in any case), by login, with roles and organizations: the agents
// mapped to it, and the users whose contact is a member of a team mapped to
// it (but disabled ones).
func (db *DB) FindQueueAgents(ctx context.Context, queue string) ([]*desk.User, error) {
	tx, err := db.beginReadOne(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	queue = strings.TrimSpace(queue)
	if queue == "" {
		return []*desk.User{}, nil
	}
	var c conds
	c.add(`(u.id IN (SELECT user_id FROM cti_queue_target WHERE lower(queue) = lower(?))
		OR u.disabled_at IS NULL AND u.contact_id IN (SELECT l.person_id FROM cti_queue_target q
			JOIN lnk_person_to_team l ON l.team_id = q.team_id WHERE lower(q.queue) = lower(?)))`, queue, queue)
	return agentUsers(ctx, tx, c)
}

// FindDeskAgents returns the users with the agent role, by login, with
// roles and organizations; at most maxLimit of them. It reads with one
// statement (at every inbound call that names nobody).
func (db *DB) FindDeskAgents(ctx context.Context) ([]*desk.User, error) {
	tx, err := db.beginReadOne(ctx, desk.ClassUser)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var c conds
	c.add("u.id IN (SELECT user_id FROM user_role WHERE role = ?)", desk.RoleAgent)
	return agentUsers(ctx, tx, c)
}

// agentUsers returns the users c selects, up to maxLimit, without their
// password hashes: they are told of calls.
func agentUsers(ctx context.Context, tx *Tx, c conds) ([]*desk.User, error) {
	users, _, err := findUsersWhere(ctx, tx, desk.UserFilter{Limit: maxLimit}, c)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		u.PasswordHash = ""
	}
	if users == nil {
		users = []*desk.User{}
	}
	return users, nil
}
