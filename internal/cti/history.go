package cti

import (
	"context"
	"slices"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// HistoryRows is how many of the callers' latest calls the pop shows.
const HistoryRows = 5

// CallHistory is what happened on the callers' earlier calls: the latest
// ones, from the call log and from the tickets' phone calls, and the missed
// calls nobody called back.
type CallHistory struct {
	// Recent are the latest calls, newest first, at most HistoryRows.
	Recent []HistoryCall
	// Missed are the missed inbound calls since the last call answered or
	// placed with these callers, newest first: not called back yet.
	Missed []*desk.Call
}

// HistoryCall is one earlier call.
type HistoryCall struct {
	Date time.Time
	// Flow is inbound or outbound.
	Flow string
	// State is the call log's state (missed, answered...), "" for a phone
	// call recorded on a ticket by hand.
	State     string
	Number    string
	AgentName string
	// Duration is how long it was talked; Talked tells that it is known.
	Duration time.Duration
	Talked   bool
	TicketID int64
	// TicketRef is the ticket it is recorded on, "" for none.
	TicketRef string
	// CallID is the call of the call log, 0 for a phone call alone.
	CallID int64
}

// History returns the earlier calls of the callers, as the user in ctx may
// see them: the call log's (by their contact) and the tickets' phone calls,
// each call once (a call of the call log tied to a ticket is its phone call).
func (p *Pop) History(ctx context.Context, callerIDs []int64) (*CallHistory, error) {
	h := &CallHistory{}
	if len(callerIDs) == 0 {
		return h, nil
	}
	const read = 20
	// The pop shows the latest: no count of the callers' whole history.
	calls, _, err := p.Services.Calls.FindCalls(ctx, desk.CallFilter{ContactIDs: callerIDs, Limit: read, NoCount: true})
	if err != nil {
		return nil, err
	}
	var phoneCalls []*desk.PhoneCall
	if desk.UserFromContext(ctx).Can(desk.ActionRead, desk.ClassPhoneCall) {
		if phoneCalls, _, err = p.Services.PhoneCalls.FindPhoneCalls(ctx, desk.PhoneCallFilter{ContactIDs: callerIDs, Limit: read,
			NoCount: true}); err != nil {
			return nil, err
		}
	}
	tied := map[int64]bool{}
	for _, c := range calls {
		row := HistoryCall{Date: c.StartedAt, Flow: c.Flow(), State: c.State, Number: c.Number(), AgentName: c.AgentName,
			TicketID: c.TicketID, TicketRef: c.TicketRef, CallID: c.ID}
		if c.AnsweredAt != nil && c.EndedAt != nil {
			row.Duration, row.Talked = c.Duration(), true
		}
		if c.PhoneCallID != 0 {
			tied[c.PhoneCallID] = true
		}
		h.Recent = append(h.Recent, row)
	}
	for _, pc := range phoneCalls {
		if tied[pc.ID] {
			continue
		}
		h.Recent = append(h.Recent, HistoryCall{Date: pc.Date, Flow: pc.Flow, Number: pc.Number, AgentName: pc.AgentName,
			Duration: time.Duration(pc.Duration) * time.Second, Talked: pc.Duration > 0, TicketID: pc.TicketID,
			TicketRef: pc.TicketRef})
	}
	slices.SortStableFunc(h.Recent, func(a, b HistoryCall) int { return b.Date.Compare(a.Date) })
	// The missed calls after the last call that reached the callers, in or
	// out: those are still to call back.
	for _, c := range h.Recent {
		if c.State == desk.CallMissed && c.Flow == desk.FlowInbound {
			i := slices.IndexFunc(calls, func(k *desk.Call) bool { return k.ID == c.CallID })
			h.Missed = append(h.Missed, calls[i])
			continue
		}
		if c.Talked || c.Flow == desk.FlowOutbound || c.State == desk.CallAnswered || c.State == "" {
			break
		}
	}
	h.Recent = h.Recent[:min(len(h.Recent), HistoryRows)]
	return h, nil
}

// Seconds returns the duration in whole seconds.
func (c HistoryCall) Seconds() int { return int(c.Duration.Round(time.Second).Seconds()) }
