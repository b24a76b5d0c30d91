package desk

import (
	"context"
	"slices"
	"time"
)

// Callbacks are the missed inbound calls that want calling back, grouped by
// number: every missed call from a number raises the count of that number's
// open callback, or opens one. A callback is open, attempted (an outbound
// call was placed to the number, and nobody has closed it yet), or done (an
// agent marked it so, or an answered call with that number, in or out,
// closed it by itself).

// Callback states.
const (
	CallbackOpen      = "open"
	CallbackAttempted = "attempted"
	CallbackDone      = "done"
)

// CallbackStates lists the states, in the order the pages offer them.
var CallbackStates = []string{CallbackOpen, CallbackAttempted, CallbackDone}

// Callback is the call back a number of missed calls is owed.
type Callback struct {
	ID int64 `json:"id"`
	// Number is the number as the last missed call gave it.
	Number string `json:"number"`
	// PersonID is the caller the number found (the best match of the last
	// missed call that found one); 0 for an unknown number. PersonName and
	// OrgName are derived.
	PersonID   int64  `json:"person_id,omitempty"`
	PersonName string `json:"person_name,omitempty"`
	OrgName    string `json:"org_name,omitempty"`
	// Queue is the queue of the first missed call, "" for none.
	Queue string `json:"queue,omitempty"`
	// Count is how many missed calls the callback stands for; Attempts how
	// many outbound calls were placed to the number since it opened.
	Count    int `json:"count"`
	Attempts int `json:"attempts"`
	// OwnerUserIDs are the agents the callback is for: those the first
	// missed call rang for, or the one who took it; none: unassigned.
	// OwnerNames are derived, in the same order.
	OwnerUserIDs []int64  `json:"owner_user_ids"`
	OwnerNames   []string `json:"owner_names"`
	// TeamID is the team the callback is for (a queue's team); 0 for none.
	// TeamName is derived.
	TeamID   int64  `json:"team_id,omitempty"`
	TeamName string `json:"team_name,omitempty"`
	State    string `json:"state"`
	// DueAt is when the number should have been called back: the first
	// missed call plus callbacks.due_after, in working hours.
	DueAt       time.Time  `json:"due_at"`
	FirstCallAt time.Time  `json:"first_call_at"`
	LastCallAt  time.Time  `json:"last_call_at"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
	// DoneByUserID is the agent who marked it done; DoneCallID the call
	// that closed it by itself. 0 for none.
	DoneByUserID int64  `json:"done_by_user_id,omitempty"`
	DoneCallID   int64  `json:"done_call_id,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Overdue reports whether the callback is not done and its due time has
// passed at now.
func (c *Callback) Overdue(now time.Time) bool {
	return c.State != CallbackDone && now.After(c.DueAt)
}

// OwnedBy reports whether userID is one of the callback's owners.
func (c *Callback) OwnedBy(userID int64) bool { return slices.Contains(c.OwnerUserIDs, userID) }

// CallbackFilter selects callbacks. Zero fields do not filter.
type CallbackFilter struct {
	ID *int64
	// States selects callbacks in any of these states; nil: any.
	States []string
	// Mine selects the callbacks of the user in the context and the
	// unassigned ones.
	Mine bool
	// DueBefore selects the callbacks due before this time.
	DueBefore *time.Time
	Offset    int
	Limit     int
}

// CallbackUpdate is what an agent changes of callbacks. Nil fields stay.
type CallbackUpdate struct {
	// State: done closes the callbacks (with Note); open reopens them.
	State *string
	Note  *string
	// Take makes the user in the context the only owner.
	Take bool
}

// Validate checks the update.
func (u *CallbackUpdate) Validate() error {
	if u.State != nil && !slices.Contains(CallbackStates, *u.State) {
		return Invalid("state", "error.callback_state")
	}
	if u.Note != nil {
		if err := CheckText("note", *u.Note); err != nil {
			return err
		}
		if len(*u.Note) > 65535 {
			return Invalid("note", "error.note_too_long")
		}
	}
	if u.State == nil && u.Note == nil && !u.Take {
		return Invalid("state", "error.callback_nothing")
	}
	return nil
}

// CallbackService keeps the callbacks. A callback is visible as its caller
// is (his organization); the callback of an unknown number, as the call log
// shows an unknown number's calls, to its owners only (and to unscoped
// users, who see every callback).
// Reading needs the right to read phone calls, changing it the right to
// modify them. The call events pipeline (cti.Calls) raises, attempts and
// closes them as the system.
type CallbackService interface {
	FindCallbackByID(ctx context.Context, id int64) (*Callback, error)
	// FindCallbacks returns the callbacks matching filter, not done first
	// by due time, then done ones latest first, and their total count.
	FindCallbacks(ctx context.Context, filter CallbackFilter) ([]*Callback, int, error)
	// CountDueCallbacks counts the callbacks not done of the user in ctx
	// and the unassigned ones that he may see.
	CountDueCallbacks(ctx context.Context) (int, error)
	// UpdateCallbacks applies upd to each callback of ids, in one
	// transaction, and returns them as they are then; one the user may not
	// see is ENOTFOUND, and nothing changes.
	UpdateCallbacks(ctx context.Context, ids []int64, upd CallbackUpdate) ([]*Callback, error)
	// RaiseCallback records the missed inbound call: the open callback of
	// its number counts one more call, or a new one opens, due at due, for
	// the agents the call rang for.
	RaiseCallback(ctx context.Context, call *Call, due time.Time) (*Callback, error)
	// AttemptCallback records an outbound call placed to number: its
	// callback not done, if any, becomes attempted. It returns that
	// callback, nil when the number has none.
	AttemptCallback(ctx context.Context, number string) (*Callback, error)
	// CloseCallbacks marks done the callback of the number of the answered
	// call, if any, as closed by that call, and returns it (nil: none).
	CloseCallbacks(ctx context.Context, call *Call) (*Callback, error)
}
