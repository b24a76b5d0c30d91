package desk

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Built-in roles.
const (
	RoleAdmin  = "admin"
	RoleAgent  = "agent"
	RoleViewer = "viewer"
)

// Roles lists the built-in roles.
var Roles = []string{RoleAdmin, RoleAgent, RoleViewer}

// Actions a role grants on a class.
const (
	ActionRead   = "read"
	ActionCreate = "create"
	ActionModify = "modify"
)

// Classes subject to rights.
const (
	ClassOrganization = "Organization"
	ClassLocation     = "Location"
	ClassPerson       = "Person"
	ClassTicket       = "Ticket"
	ClassPhoneCall    = "PhoneCall"
	ClassUser         = "User"
)

// User is a login of ctidesk.
type User struct {
	ID           int64    `json:"id"`
	Login        string   `json:"login"`
	PasswordHash string   `json:"-"`
	ContactID    int64    `json:"contact_id,omitempty"` // the Person behind the agent
	ContactName  string   `json:"contact_name,omitempty"`
	Language     string   `json:"language"`
	Roles        []string `json:"roles"`
	// AllowedOrgIDs limits what the user sees to these organizations; empty
	// means every organization.
	AllowedOrgIDs []int64   `json:"allowed_org_ids,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	// DisabledAt is when an administrator disabled the user, who logs in
	// no more (his sessions and API tokens stop working); nil: active.
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// Disabled reports whether the user was disabled.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// Validate checks the user's attributes and fills defaults.
func (u *User) Validate() error {
	if !loginPattern.MatchString(u.Login) {
		return Invalid("login", "error.login_form")
	}
	if u.Language == "" {
		u.Language = Languages[0]
	}
	if !slices.Contains(Languages, u.Language) {
		return Invalid("language", "error.language_one_of", strings.Join(Languages, ", "))
	}
	if len(u.Roles) == 0 {
		return Invalid("roles", "error.user_needs_role")
	}
	for _, r := range u.Roles {
		if !slices.Contains(Roles, r) {
			return Invalid("roles", "error.unknown_role", r, strings.Join(Roles, ", "))
		}
	}
	return nil
}

// HasRole reports whether the user holds role.
func (u *User) HasRole(role string) bool { return slices.Contains(u.Roles, role) }

// Can reports whether the user's roles grant action on class. The ticket kinds
// count as class Ticket, a user's allowed organizations (URP_UserOrg) as
// class User.
func (u *User) Can(action, class string) bool {
	switch {
	case IsTicketKind(class):
		class = ClassTicket
	case class == ClassUserOrg:
		class = ClassUser
	}
	for _, r := range u.Roles {
		switch r {
		case RoleAdmin:
			return true
		case RoleAgent:
			if action == ActionRead && class != ClassUser {
				return true
			}
			if class == ClassTicket || class == ClassPerson || class == ClassPhoneCall {
				return true
			}
		case RoleViewer:
			if action == ActionRead && class != ClassUser {
				return true
			}
		}
	}
	return false
}

// Authorize returns EFORBIDDEN unless the user in ctx may do action on class.
func Authorize(ctx context.Context, action, class string) error {
	u := UserFromContext(ctx)
	if u == nil {
		return NewError(EUNAUTHORIZED, "error.login_required")
	}
	if !u.Can(action, class) {
		return NewError(EFORBIDDEN, "error.not_allowed", action, class)
	}
	return nil
}

// OrgScope returns the organizations the user may see, or nil for all.
func (u *User) OrgScope() []int64 {
	if len(u.AllowedOrgIDs) == 0 {
		return nil
	}
	return u.AllowedOrgIDs
}

// SeesOrg reports whether an object of organization orgID is visible to u.
func (u *User) SeesOrg(orgID int64) bool {
	return len(u.AllowedOrgIDs) == 0 || slices.Contains(u.AllowedOrgIDs, orgID)
}

// HashPassword returns the bcrypt hash of a password, refusing short ones.
func HashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", Invalid("password", "error.password_too_short")
	}
	if len(password) > 72 {
		return "", Invalid("password", "error.password_too_long")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether password matches the user's hash.
func (u *User) CheckPassword(password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

// UserFilter selects users.
type UserFilter struct {
	ID     *int64
	Login  *string
	Offset int
	Limit  int
}

// UserUpdate holds the attributes to change.
type UserUpdate struct {
	PasswordHash  *string
	ContactID     *int64
	Language      *string
	Roles         []string // nil: unchanged
	AllowedOrgIDs []int64  // nil: unchanged; empty non-nil: all organizations
	// Disabled disables the user (and ends his sessions) or enables him
	// again; nil: unchanged.
	Disabled *bool
}

// UserService manages users. Reading other users and any write needs the
// admin role; a user may read himself and change his own language.
type UserService interface {
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByLogin(ctx context.Context, login string) (*User, error)
	FindUsers(ctx context.Context, filter UserFilter) ([]*User, int, error)
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
}

// Session is a logged-in browser. The token itself is only given to the
// browser; the store keeps its hash.
type Session struct {
	ID        int64
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionService keeps login sessions in the database so that any instance
// can serve any request.
type SessionService interface {
	// CreateSession returns a new random token for the user, valid for ttl.
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, s *Session, err error)
	// FindSession returns the unexpired session of token and its user.
	FindSession(ctx context.Context, token string) (*Session, *User, error)
	DeleteSession(ctx context.Context, token string) error
	// DeleteUserSessions ends every session of the user ("log out
	// everywhere") and returns how many there were; the user himself or an
	// admin only.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
	// RecordLoginFailure keeps a failed login of login (as typed, known
	// account or not) from address, and purges the failures older than a
	// day.
	RecordLoginFailure(ctx context.Context, login, address string) error
	// CountLoginFailures returns how many failed logins of login, and how
	// many from address, happened at since or later.
	CountLoginFailures(ctx context.Context, login, address string, since time.Time) (byLogin, byAddress int, err error)
	// ClearLoginFailures forgets the failed logins of login, after a
	// successful one.
	ClearLoginFailures(ctx context.Context, login string) error
}
