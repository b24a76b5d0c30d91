package desk

import (
	"context"
	"time"
	"unicode/utf8"
)

// PopNote is what an agent types in the pop while a call lasts, saved as he
// types: it becomes the note of the Phone Call recorded when he creates or
// changes a ticket from the pop. Each agent has his own, by call.
type PopNote struct {
	UserID int64
	// Key names the call: "call:ID" for a call of the call log, else
	// "number:DIGITS", the number that rang.
	Key       string
	Text      string
	UpdatedAt time.Time
}

// MaxPopNote bounds a note, as a phone call's.
const MaxPopNote = 65535

// Validate checks the note.
func (n *PopNote) Validate() error {
	switch {
	case n.Key == "" || len(n.Key) > 80:
		return Invalid("call", "error.pop_note_call")
	case len(n.Text) > MaxPopNote || !utf8.ValidString(n.Text):
		return Invalid("note", "error.note_too_long")
	}
	return nil
}

// PopNoteService keeps the agents' notes of their calls; each user reads and
// writes only his own, which need no right on any class.
type PopNoteService interface {
	// SavePopNote keeps the user's note of the call key; an empty text
	// removes it.
	SavePopNote(ctx context.Context, key, text string) error
	// FindPopNote returns the user's note of the call key, "" when none.
	FindPopNote(ctx context.Context, key string) (string, error)
	// DeletePopNote removes the user's note of the call key.
	DeletePopNote(ctx context.Context, key string) error
}
