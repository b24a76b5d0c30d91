package desk

import "time"

// BlockedNumber is a number whose inbound calls the phone system is told to
// reject (busy).
type BlockedNumber struct {
	ID        int64     `json:"id"`
	Number    string    `json:"number"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
