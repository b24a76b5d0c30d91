package desk

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// QueueTarget says who is told of the calls of a queue, as Zammad's notify
// map does: an inbound call that names no known agent (in user, or by its
// to) rings for the targets of its queue. A target is an agent (UserID) or
// a team (TeamID), whose members' users it rings for.
type QueueTarget struct {
	ID int64 `json:"id"`
	// Queue is the queue's name as the phone system gives it (queue, or a
	// to that is a name); it matches in any case.
	Queue string `json:"queue"`
	// UserID is the agent told; UserName is derived: his contact's name,
	// else his login.
	UserID   int64  `json:"user_id,omitempty"`
	UserName string `json:"user_name,omitempty"`
	// TeamID is the team told, instead of an agent: the users whose
	// contact is a member of it (TeamService.FindTeamAgents); TeamName is
	// derived.
	TeamID    int64     `json:"team_id,omitempty"`
	TeamName  string    `json:"team_name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// maxQueueName bounds a queue's name, as a call event's values.
const maxQueueName = 255

// Validate trims the target's queue and checks it.
func (q *QueueTarget) Validate() error {
	q.Queue = strings.TrimSpace(q.Queue)
	switch {
	case q.Queue == "":
		return Invalid("queue", "error.queue_required")
	case len(q.Queue) > maxQueueName || !utf8.ValidString(q.Queue) || strings.ContainsFunc(q.Queue, unicode.IsControl):
		return Invalid("queue", "error.too_long_255", "queue")
	case q.UserID == 0 && q.TeamID == 0:
		return Invalid("user_id", "error.user_missing")
	case q.UserID != 0 && q.TeamID != 0:
		return Invalid("team_id", "error.queue_target_user_or_team")
	}
	return nil
}
