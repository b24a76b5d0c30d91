package cti

import (
	"context"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Calls whose hangup never came: an adapter that lost its connection to the
// phone system, a script that failed, a network that dropped the request.
// Such a call would stay "ringing" or "in progress" for ever, and ring in the
// agents' tabs until they close them. The server ends them instead.

// EndStaleCalls ends the calls nothing was heard of for staleAfter (see
// desk.CallService.EndStaleCalls), with the cause hangupNotReceived, and
// tells their agents as a hangup would: a ringing call is missed for the
// agents it rang for, an answered one ends for its agent. Only the calls
// that went quiet lately (less than twice staleAfter ago) are told of: older
// ones (a server stopped for days, calls left open before an upgrade) end
// without filling the agents' tabs with missed calls of last month. It
// returns how many calls it ended.
func (c *Calls) EndStaleCalls(ctx context.Context, staleAfter time.Duration) (int, error) {
	now := c.now().UTC()
	ended, err := c.Services.Calls.EndStaleCalls(desk.NewSystemContext(ctx), now.Add(-staleAfter))
	if err != nil {
		return 0, err
	}
	recent := now.Add(-2 * staleAfter)
	for _, after := range ended {
		before := *after
		before.EndedAt = nil
		if (after.State == desk.CallMissed && !after.Voicemail) || after.State == desk.CallUnanswered {
			before.State = desk.CallRinging
		}
		// A missed call is owed its callback however old.
		c.callbacks(desk.NewSystemContext(ctx), &before, after)
		if c.Observe != nil {
			c.Observe(&before, after)
		}
		if after.EndedAt == nil || after.EndedAt.Before(recent) {
			continue
		}
		c.notify(ctx, &before, after, nil, c.eventLookups())
	}
	return len(ended), nil
}

// SweepInterval returns how often the calls are checked for staleness: a
// quarter of staleAfter, between a second and a minute, so that a call ends
// at most a little after staleAfter.
func SweepInterval(staleAfter time.Duration) time.Duration {
	return min(max(staleAfter/4, time.Second), time.Minute)
}

// SweepStaleCalls runs EndStaleCalls every SweepInterval until ctx ends,
// logging what it ended and its failures. Several instances may sweep one
// database: each call is ended once.
func (c *Calls) SweepStaleCalls(ctx context.Context, staleAfter time.Duration) {
	tick := time.NewTicker(SweepInterval(staleAfter))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := c.EndStaleCalls(ctx, staleAfter)
		switch {
		case err != nil && ctx.Err() == nil:
			c.log().Error("end stale calls", "err", err)
		case n > 0:
			c.log().Info("ended calls whose hangup was not received", "calls", n, "stale_after", staleAfter)
		}
	}
}
