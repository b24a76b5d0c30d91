package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// An internal number (phone.Normalizer.Internal) may be an agent's
// extension (cti_agent.extension, set on /admin/users): a colleague calling
// from his desk phone. It finds the agent's contact person, exactly — never
// an extension that merely ends a stored number. An agent without a contact
// person is nobody to find; an explanation says so rather than leaving the
// agent wondering.

// agentExtension is the agent whose extension an internal number is.
type agentExtension struct {
	Login, Extension string
	ContactID        int64
}

// findAgentExtension returns the agent (enabled) whose extension is digits,
// nil for none. The extension is unique (cti_agent_extension).
func (db *DB) findAgentExtension(ctx context.Context, digits string) (*agentExtension, error) {
	rows, err := db.queryRead(ctx, `SELECT u.login, a.extension, COALESCE(u.contact_id, 0)
		FROM cti_agent a JOIN users u ON u.id = a.user_id
		WHERE a.extension = ? AND a.extension <> '' AND u.disabled_at IS NULL`, digits)
	if err != nil {
		return nil, fmt.Errorf("agent extension: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var a agentExtension
	if err := rows.Scan(&a.Login, &a.Extension, &a.ContactID); err != nil {
		return nil, fmt.Errorf("agent extension: %w", err)
	}
	return &a, rows.Err()
}

// agentExtensionMatch returns the match of the contact person of the agent
// whose extension digits is, visible within scope (nil: every
// organization); nil when no agent has that extension, when he has no contact
// person (then agent is set), or when the person is out of scope.
func (db *DB) agentExtensionMatch(ctx context.Context, scope []int64, digits string) (match *desk.CallerMatch, agent *agentExtension, err error) {
	agent, err = db.findAgentExtension(ctx, digits)
	if err != nil || agent == nil || agent.ContactID == 0 {
		return nil, agent, err
	}
	var c conds
	c.add("p.id = ?", agent.ContactID)
	if scope != nil {
		c.addIn("p.org_id", scope)
	}
	rows, err := db.queryRead(ctx, `SELECT `+personColumns+` FROM person p
		JOIN organization o ON o.id = p.org_id
		LEFT JOIN location l ON l.id = p.location_id`+c.where(), c.args...)
	if err != nil {
		return nil, agent, fmt.Errorf("agent extension: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, agent, rows.Err()
	}
	p, err := scanPerson(rows)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agent, nil
	} else if err != nil {
		return nil, agent, fmt.Errorf("agent extension: %w", err)
	}
	return &desk.CallerMatch{Person: p, Attribute: desk.AttrAgentExtension, Stored: agent.Extension,
		SuffixLen: len(digits), Rule: desk.RuleExtension}, agent, rows.Err()
}
