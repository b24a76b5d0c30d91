package desk

import "context"

type contextKey int

const userContextKey contextKey = iota

// NewContextWithUser returns a context that carries the acting user. Every
// store method reads it to apply rights and organization scope.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the acting user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// NewSystemContext returns a context acting as the system itself: every right,
// every organization. For the command line, migrations, demo data and the login
// check, never for a request made on behalf of a user.
func NewSystemContext(ctx context.Context) context.Context {
	return NewContextWithUser(ctx, &User{Login: "system", Language: Languages[0], Roles: []string{RoleAdmin}})
}

// Services bundles every service, as the store provides them.
type Services struct {
	Organizations OrganizationService
	Locations     LocationService
	Persons       PersonService
	Teams         TeamService
	Tickets       TicketService
	PhoneCalls    PhoneCallService
	Users         UserService
	Sessions      SessionService
	Callers       CallerService
	Importer      ImportService
	Queries       QueryService
	Tokens        TokenService
	Calls         CallService
	Telephony     TelephonyService
	Transactions  Transactions
	PopNotes      PopNoteService
	Callbacks     CallbackService
	Stats         StatsService
}

// Transactions makes several service calls one action.
type Transactions interface {
	// Atomically runs fn in one transaction: the service calls fn makes
	// with the context it is given are all done, or, when fn fails, none.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error
}
