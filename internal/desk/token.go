package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// APITokenPrefix starts every API token, so that a token pasted in the wrong
// place (a log, a repository) is recognized for what it is.
const APITokenPrefix = "ctd_"

// APIToken is a secret that lets a program (a phone system, a script) call the
// REST API as a user, with the user's rights and organization scope. The token
// itself is shown once, when it is created; the store keeps only its hash.
type APIToken struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Login  string `json:"login"` // derived: the user's login
	// Name says what the token is for ("3CX", "monitoring script").
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is when the token last authenticated a request, to the
	// minute: the store does not write on every request.
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// RevokedAt is when the token was revoked; a revoked token authenticates
	// nothing, and is kept so that its use can still be told apart from an
	// unknown token.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the token was revoked.
func (t *APIToken) Revoked() bool { return t.RevokedAt != nil }

// ValidateAPITokenName trims a token's name and checks its length.
func ValidateAPITokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 100 {
		return name, Invalid("name", "error.token_name_too_long")
	}
	return name, nil
}

// APITokenFilter selects API tokens. Zero fields do not filter.
type APITokenFilter struct {
	ID     *int64
	UserID *int64
	// Active selects the tokens not revoked.
	Active bool
	Offset int
	Limit  int
}

// TokenService manages API tokens. A user manages his own tokens; only an
// admin (who may modify users) manages other users' tokens, and another
// user's token is ENOTFOUND to anyone else.
type TokenService interface {
	// CreateAPIToken returns a new random token for the user, and its record.
	// The token is not kept: it cannot be shown again.
	CreateAPIToken(ctx context.Context, userID int64, name string) (token string, t *APIToken, err error)
	FindAPITokenByID(ctx context.Context, id int64) (*APIToken, error)
	// FindAPITokens returns the tokens matching filter, newest first, and
	// their total count.
	FindAPITokens(ctx context.Context, filter APITokenFilter) ([]*APIToken, int, error)
	// RevokeAPIToken revokes a token for good; revoking it again changes
	// nothing.
	RevokeAPIToken(ctx context.Context, id int64) (*APIToken, error)
	// AuthenticateAPIToken returns the record of token and its user, with his
	// roles and allowed organizations, to act as. An unknown or revoked token
	// is EUNAUTHORIZED. It needs no user in ctx: the token proves who calls.
	AuthenticateAPIToken(ctx context.Context, token string) (*APIToken, *User, error)
}
