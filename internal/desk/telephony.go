package desk

import "context"

// TelephonyService holds what administrators set for the phone systems:
// integrations and their tokens, the block list, caller id rules, the agents'
// extensions, the queues' targets. Only an admin changes them (a user may
// change his own PopOnAnswer); the integrations read them through
// AuthenticateIntegration, IsBlockedNumber, FindCallerIDRules, FindAgents,
// FindQueueAgents and FindDeskAgents, acting as the system.
type TelephonyService interface {
	// CreateIntegration returns a new random token for a new integration,
	// and its record. The token is not kept: it cannot be shown again.
	CreateIntegration(ctx context.Context, name string) (token string, i *Integration, err error)
	FindIntegrations(ctx context.Context) ([]*Integration, error)
	// RevokeIntegration revokes an integration's token for good.
	RevokeIntegration(ctx context.Context, id int64) (*Integration, error)
	// UpdateIntegration changes an integration's settings.
	UpdateIntegration(ctx context.Context, id int64, upd IntegrationUpdate) (*Integration, error)
	// AuthenticateIntegration returns the integration of token; an unknown
	// or revoked token is EUNAUTHORIZED. It needs no user in ctx.
	AuthenticateIntegration(ctx context.Context, token string) (*Integration, error)

	FindBlockedNumbers(ctx context.Context) ([]*BlockedNumber, error)
	// CreateBlockedNumber adds a number to the block list; a number blocked
	// already (in any form) is ECONFLICT.
	CreateBlockedNumber(ctx context.Context, b *BlockedNumber) error
	DeleteBlockedNumber(ctx context.Context, id int64) error
	// IsBlockedNumber reports whether number, in any form, is blocked.
	IsBlockedNumber(ctx context.Context, number string) (bool, error)

	// FindCallerIDRules returns the rules in the order they apply.
	FindCallerIDRules(ctx context.Context) ([]*CallerIDRule, error)
	CreateCallerIDRule(ctx context.Context, r *CallerIDRule) error
	DeleteCallerIDRule(ctx context.Context, id int64) error

	// FindAgentSettings returns the settings of a user (defaults when he
	// has none); a user reads his own, an admin anyone's.
	FindAgentSettings(ctx context.Context, userID int64) (*AgentSettings, error)
	// FindAgentsSettings returns the settings of every user who has an
	// extension, by login.
	FindAgentsSettings(ctx context.Context) ([]*AgentSettings, error)
	// UpdateAgentSettings changes a user's settings: only an admin sets an
	// extension (an extension decides whose calls an agent sees); a user
	// may change his own PopOnAnswer. An extension another user has is
	// ECONFLICT.
	UpdateAgentSettings(ctx context.Context, userID int64, upd AgentSettingsUpdate) (*AgentSettings, error)
	// FindAgents returns the users a phone system's name for an agent
	// designates: his extension, else his login (any case), else his
	// contact's phone number, else his contact's full name (any case), with
	// roles and organizations. Nobody is an empty list.
	FindAgents(ctx context.Context, key string) ([]*User, error)

	// FindQueueTargets returns the queues' targets, by queue (any case) and
	// agent.
	FindQueueTargets(ctx context.Context) ([]*QueueTarget, error)
	// CreateQueueTarget adds a target to a queue; the same agent again for
	// the same queue (in any case) is ECONFLICT.
	CreateQueueTarget(ctx context.Context, q *QueueTarget) error
	DeleteQueueTarget(ctx context.Context, id int64) error
	// FindQueueAgents returns the agents the calls of queue (any case) ring
	// for, with roles and organizations; nobody is an empty list.
	FindQueueAgents(ctx context.Context, queue string) ([]*User, error)
	// FindDeskAgents returns every user with the agent role, with roles and
	// organizations: whom a call nobody is named for rings.
	FindDeskAgents(ctx context.Context) ([]*User, error)
}
