package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The facts of the call statistics (desk.StatsService): one light row per
// call and per callback of the period, with the reader's scope: a call as
// the call log shows it (findCalls), a callback as FindCallbacks does.

var _ desk.StatsService = (*DB)(nil)

// FindCallFacts returns the calls started and the callbacks opened in
// [filter.From, filter.To) that the user may see.
func (db *DB) FindCallFacts(ctx context.Context, filter desk.StatsFilter) ([]desk.CallFact, []desk.CallbackFact, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var c conds
	if scope := tx.scope(); scope != nil {
		// As findCalls: with its ticket, else its contact, else its agent
		// or the agents it rang for while nobody answered.
		in := placeholders(len(scope))
		args := int64Args(scope)
		c.add(`(t.org_id IN (`+in+`) OR (t.id IS NULL AND (ct.org_id IN (`+in+`) OR (c.contact_id IS NULL
			AND (c.agent_user_id = ? OR (c.agent_user_id IS NULL
			AND EXISTS (SELECT 1 FROM cti_call_agent ca WHERE ca.call_id = c.id AND ca.user_id = ?)))))))`,
			append(append(args, args...), tx.user.ID, tx.user.ID)...)
	}
	if filter.OwnOnly {
		c.add(`(c.agent_user_id = ? OR EXISTS (SELECT 1 FROM cti_call_agent ca WHERE ca.call_id = c.id AND ca.user_id = ?))`,
			tx.user.ID, tx.user.ID)
	}
	if filter.TeamID != 0 {
		if err := checkStatsTeam(ctx, tx, filter.TeamID); err != nil {
			return nil, nil, err
		}
		c.add(`(c.agent_user_id IN (`+teamUsersSQL+`) OR EXISTS (SELECT 1 FROM cti_call_agent ca WHERE ca.call_id = c.id
			AND ca.user_id IN (`+teamUsersSQL+`)))`, filter.TeamID, filter.TeamID)
	}
	c.add("c.started_at >= ?", dbTime(filter.From))
	c.add("c.started_at < ?", dbTime(filter.To))
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.direction, c.state, c.queue, COALESCE(c.agent_user_id, 0),
		COALESCE(au.login, ''), COALESCE(ap.first_name, ''), COALESCE(ap.name, ''), c.started_at, c.answered_at,
		c.ended_at, c.cause`+callFrom+c.where()+" ORDER BY c.started_at, c.id", c.args...)
	calls, err := collect(rows, err, "find call facts", func(rows *sql.Rows) (desk.CallFact, error) {
		var f desk.CallFact
		var login, cause string
		var agent desk.Person
		var answered, ended sql.NullTime
		err := rows.Scan(&f.ID, &f.Direction, &f.State, &f.Queue, &f.AgentUserID, &login, &agent.FirstName, &agent.Name,
			&f.StartedAt, &answered, &ended, &cause)
		f.StartedAt, f.AnsweredAt, f.EndedAt = f.StartedAt.UTC(), timePtr(answered), timePtr(ended)
		f.HangupLost = f.EndedAt != nil && cause == desk.CauseHangupNotReceived
		if f.AgentUserID != 0 {
			f.AgentName = agentName(login, agent)
		}
		return f, err
	})
	if err != nil {
		return nil, nil, err
	}
	kc := tx.callbackConds(desk.CallbackFilter{})
	if filter.OwnOnly {
		kc.add(`(cb.done_by_user_id = ? OR EXISTS (SELECT 1 FROM callback_owner co WHERE co.callback_id = cb.id
			AND co.user_id = ?))`, tx.user.ID, tx.user.ID)
	}
	if filter.TeamID != 0 {
		kc.add(`(cb.team_id = ? OR cb.done_by_user_id IN (`+teamUsersSQL+`) OR EXISTS (SELECT 1 FROM callback_owner co
			WHERE co.callback_id = cb.id AND co.user_id IN (`+teamUsersSQL+`)))`, filter.TeamID, filter.TeamID, filter.TeamID)
	}
	kc.add("cb.first_call_at >= ?", dbTime(filter.From))
	kc.add("cb.first_call_at < ?", dbTime(filter.To))
	rows, err = tx.QueryContext(ctx, "SELECT cb.first_call_at, cb.done_at, cb.done_call_id IS NOT NULL"+callbackFrom+
		kc.where()+" ORDER BY cb.first_call_at, cb.id", kc.args...)
	callbacks, err := collect(rows, err, "find callback facts", func(rows *sql.Rows) (desk.CallbackFact, error) {
		var f desk.CallbackFact
		var done sql.NullTime
		err := rows.Scan(&f.FirstCallAt, &done, &f.DoneByCall)
		f.FirstCallAt, f.DoneAt = f.FirstCallAt.UTC(), timePtr(done)
		return f, err
	})
	if err != nil {
		return nil, nil, err
	}
	return calls, callbacks, nil
}

// teamUsersSQL selects the users whose contact is a member of the team of
// its one parameter.
const teamUsersSQL = `SELECT u.id FROM users u JOIN lnk_person_to_team l ON l.person_id = u.contact_id WHERE l.team_id = ?`

// checkStatsTeam returns ENOTFOUND unless the user sees the team, and
// EFORBIDDEN unless he is an administrator or one of its members: an agent
// sees his own and his teams' statistics.
func checkStatsTeam(ctx context.Context, tx *Tx, team int64) error {
	if _, err := findTeamByID(ctx, tx, team); err != nil {
		return err
	}
	if tx.user.Can(desk.ActionModify, desk.ClassUser) {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM lnk_person_to_team WHERE team_id = ? AND person_id = ?", team,
		tx.user.ContactID).Scan(&n); err != nil {
		return fmt.Errorf("check team of statistics: %w", err)
	}
	if n == 0 {
		return desk.NewError(desk.EFORBIDDEN, "error.stats_team_not_yours")
	}
	return nil
}
