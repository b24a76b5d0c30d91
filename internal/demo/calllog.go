package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The call log: the working days of the last CallLogDays days before Load
// runs, posted as a phone system would post them (newCall, answer, hangup)
// through the call events use case, so that the callbacks of the missed
// calls open, and close when the desk calls back, as they would live. The
// calls are dated from the time of the load, so that the callbacks and the
// statistics of the last weeks are not empty; they are drawn from their own
// stream, and the same options give the same calls at the same times of day.

// DefaultCallLogDays is how many days back the demo call log goes.
const DefaultCallLogDays = 21

// Demo queues, and the share of inbound calls each takes.
var demoQueues = []string{"support", "support", "support", "billing"}

// callLogPlan is what the call log needs of the loaded data.
type callLogPlan struct {
	// callers are persons to call from, by organization index; scoped is
	// the index of the scoped user's organization.
	callers [][]personRef
	orgs    []int
	scoped  int
	// logins are the desk agents' logins that answer calls.
	logins []string
}

// loadCallLog posts the call log's events, dated from now back.
func loadCallLog(ctx context.Context, svc desk.Services, plan callLogPlan, days int, now time.Time,
	progress func(stage string, done, total int)) error {
	if days <= 0 {
		return nil
	}
	_, integ, err := svc.Telephony.CreateIntegration(ctx, "Demo phone system")
	if err != nil {
		return fmt.Errorf("demo: create integration: %w", err)
	}
	r := newRand(streamCalls)
	var at time.Time
	// The callbacks' due times as a server with the built-in configuration
	// sets them.
	calls := &cti.Calls{Services: svc, Now: func() time.Time { return at }, Callbacks: config.Default().Callbacks}
	numbers := map[int64]string{}
	number := func(id int64) (string, error) {
		if n, ok := numbers[id]; ok {
			return n, nil
		}
		p, err := svc.Persons.FindPersonByID(ctx, id)
		if err != nil {
			return "", err
		}
		n := ""
		if nums := p.Numbers(); len(nums) > 0 {
			n = dialled(nums[0].Value)
		}
		numbers[id] = n
		return n, nil
	}
	post := func(ev cti.Event) error {
		if _, _, err := calls.Handle(ctx, integ, &ev); err != nil {
			return fmt.Errorf("demo: call event %s %s: %w", ev.Event, ev.CallID, err)
		}
		return nil
	}
	today := now.UTC().Truncate(24 * time.Hour)
	seq := 0
	for d := days; d >= 0; d-- {
		day := today.AddDate(0, 0, -d)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		n := 18 + r.IntN(18)
		starts := make([]time.Duration, n)
		for i := range starts {
			starts[i] = dayStart + time.Duration(r.IntN(int((dayEnd-dayStart)/time.Second)))*time.Second
		}
		slices.Sort(starts)
		for _, start := range starts {
			at = day.Add(start)
			if at.After(now) {
				break
			}
			seq++
			from, caller, err := pickCaller(r, plan, number)
			if err != nil {
				return err
			}
			id := "demo-" + strconv.Itoa(seq)
			queue := demoQueues[r.IntN(len(demoQueues))]
			// The scoped agent takes his organization's calls with the
			// agent, and a share of the unknown numbers; the agent the rest.
			rings := plan.logins[:1]
			switch {
			case caller == plan.scoped:
				rings = plan.logins
			case caller == 0:
				rings = []string{plan.logins[r.IntN(len(plan.logins))]}
			}
			ev := cti.Event{Event: cti.EventNewCall, CallID: id, From: from, To: "100", Direction: desk.DirectionIn,
				Queue: queue, User: rings}
			if err := post(ev); err != nil {
				return err
			}
			ring := time.Duration(4+r.IntN(40)) * time.Second
			missed := r.IntN(100) < 14
			if at.Add(ring).After(now) {
				break
			}
			at = at.Add(ring)
			if missed {
				ev.Event, ev.User, ev.Cause = cti.EventHangup, nil, cti.CauseCancel
				if err := post(ev); err != nil {
					return err
				}
				// Missed callers are called back, but a few: those
				// of the last hours, and some of the last days.
				back := time.Duration(10+r.IntN(240)) * time.Minute
				share := 95
				if now.Sub(at) < 72*time.Hour {
					share = 50
				}
				if r.IntN(100) < share && at.Add(back).Before(now) {
					if err := callBack(post, id, from, rings[0], at.Add(back), &at, r); err != nil {
						return err
					}
				}
				continue
			}
			ev.Event, ev.User = cti.EventAnswer, []string{rings[r.IntN(len(rings))]}
			if err := post(ev); err != nil {
				return err
			}
			at = at.Add(time.Duration(40+r.IntN(900)) * time.Second)
			if at.After(now) {
				continue // still talking
			}
			ev.Event, ev.User, ev.Cause = cti.EventHangup, nil, cti.CauseNormalClearing
			if err := post(ev); err != nil {
				return err
			}
		}
		progress("call log", days-d+1, days+1)
	}
	return nil
}

// callBack posts the outbound call of agent login to number at when, which
// the caller answers (four times out of five); at is set to each event's
// time.
func callBack(post func(cti.Event) error, id, number, login string, when time.Time, at *time.Time, r *rand.Rand) error {
	if number == "" {
		return nil // withheld: nothing to call back
	}
	*at = when
	ev := cti.Event{Event: cti.EventNewCall, CallID: id + "-back", From: login, To: number, Direction: desk.DirectionOut,
		User: []string{login}}
	if err := post(ev); err != nil {
		return err
	}
	*at = at.Add(time.Duration(5+r.IntN(20)) * time.Second)
	if r.IntN(5) > 0 {
		ev.Event = cti.EventAnswer
		if err := post(ev); err != nil {
			return err
		}
		*at = at.Add(time.Duration(60+r.IntN(400)) * time.Second)
		ev.Cause = cti.CauseNormalClearing
	} else {
		ev.Cause = cti.CauseNoAnswer
	}
	ev.Event = cti.EventHangup
	return post(ev)
}

// pickCaller returns the number of a caller: a person of a customer (the
// scoped user's organization more often than its share), or, one time in
// ten, an unknown number; and the organization index (0: unknown).
func pickCaller(r *rand.Rand, plan callLogPlan, number func(int64) (string, error)) (string, int, error) {
	if r.IntN(10) == 0 || len(plan.orgs) == 0 {
		return fmt.Sprintf("+1 202 555 %04d", r.IntN(10000)), 0, nil
	}
	oi := plan.orgs[r.IntN(len(plan.orgs))]
	if r.IntN(5) == 0 && len(plan.callers[plan.scoped]) > 0 {
		oi = plan.scoped
	}
	ps := plan.callers[oi]
	n, err := number(ps[r.IntN(len(ps))].id)
	if err != nil {
		return "", 0, fmt.Errorf("demo: find caller: %w", err)
	}
	return n, oi, nil
}
