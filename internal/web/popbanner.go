package web

import (
	"net/http"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// popBanner is the banner of a creation form opened from the pop: which
// call the ticket is for (the number, the caller) and, when the phone
// system told of the call, how long it has lasted, counted live by app.js.
type popBanner struct {
	Number string
	Caller string // the selected caller's name, "" for the unknown contact
	Call   *desk.Call
	// Since is when the talk began (or the ringing, before an answer) and
	// Live that the call is not over; Seconds is its length so far.
	Since   time.Time
	Live    bool
	Seconds int
}

// popBannerOf returns the banner of a form opened from the pop, nil for a
// form that is not.
func (s *Server) popBannerOf(r *http.Request, pc *popContext) *popBanner {
	if pc == nil {
		return nil
	}
	ctx := r.Context()
	b := &popBanner{Number: pc.Number}
	if pc.Caller != 0 {
		if p, err := s.svc.Persons.FindPersonByID(ctx, pc.Caller); err == nil {
			b.Caller = p.FriendlyName()
		}
	}
	if pc.Call != 0 {
		if c, err := s.svc.Calls.FindCallByID(ctx, pc.Call); err == nil {
			b.Call = c
			b.Since = c.StartedAt
			if c.AnsweredAt != nil {
				b.Since = *c.AnsweredAt
			}
			end := time.Now()
			if c.EndedAt != nil {
				end = *c.EndedAt
			} else {
				b.Live = true
			}
			b.Seconds = int(max(end.Sub(b.Since), 0) / time.Second)
		}
	}
	return b
}

// popCreatedField names, in the pop's URL, the ticket just created from it:
// the pop confirms it.
const popCreatedField = "created"

// popPersonCreatedField names, in the pop's URL, the person just created
// from it with the number that rang: the pop, which now finds him, confirms
// it.
const popPersonCreatedField = "person_created"
