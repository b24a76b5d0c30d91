package desk

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"
)

// Call statistics (/stats): what the call log says of a period, counted in
// Go from one row per call (CallFact) that the store selects with the
// reader's scope.

// CallFact is what the statistics need of a call.
type CallFact struct {
	ID          int64
	Direction   string
	State       string
	Queue       string
	AgentUserID int64
	AgentName   string
	StartedAt   time.Time
	AnsweredAt  *time.Time
	EndedAt     *time.Time
	HangupLost  bool
}

// CallbackFact is what the statistics need of a callback.
type CallbackFact struct {
	FirstCallAt time.Time
	DoneAt      *time.Time
	// DoneByCall tells that an answered call closed it (rather than an
	// agent marking it done).
	DoneByCall bool
}

// StatsFilter selects the calls of the statistics: those started in [From,
// To). OwnOnly keeps the calls the user answered, placed or was rung for,
// and the callbacks that are his or that he marked done. TeamID keeps the
// calls a member of the team (a user whose contact is one) answered,
// placed or was rung for, and the callbacks that are the team's or its
// members': an administrator may choose any team he sees, another user
// only his own teams.
type StatsFilter struct {
	From, To time.Time
	OwnOnly  bool
	TeamID   int64
}

// StatsService reads the facts of the statistics, within the user's
// organizations (as the call log and the callbacks show them). Reading
// needs the right to read phone calls.
type StatsService interface {
	FindCallFacts(ctx context.Context, filter StatsFilter) ([]CallFact, []CallbackFact, error)
}

// CallCounts are the counts of a group of inbound calls, and how fast and
// long they were answered and talked.
type CallCounts struct {
	// Answered and Missed count the inbound calls; Outbound the outbound
	// ones placed.
	Answered int `json:"answered"`
	Missed   int `json:"missed"`
	Outbound int `json:"outbound"`
	// AnswerRate is Answered / (Answered + Missed), 0 when there is none.
	AnswerRate float64 `json:"answer_rate"`
	// AnswerP50 and AnswerP90 are the time from the start to the answer
	// of the answered inbound calls (nearest rank).
	AnswerP50 time.Duration `json:"answer_p50"`
	AnswerP90 time.Duration `json:"answer_p90"`
	// TalkTotal and TalkAvg are the talk time of the calls answered and
	// ended (in and out) whose hangup came.
	TalkTotal time.Duration `json:"talk_total"`
	TalkAvg   time.Duration `json:"talk_avg"`

	answer []time.Duration
	talked int
}

// GroupCounts are the counts of one hour, day, queue or agent.
type GroupCounts struct {
	Key string
	CallCounts
}

// CallStats are the statistics of a period.
type CallStats struct {
	From, To time.Time
	All      CallCounts
	// ByHour are the hours of the day, 0 to 23, in the statistics' time
	// zone; ByDay every day of the period, oldest first.
	ByHour  []GroupCounts
	ByDay   []GroupCounts
	ByQueue []GroupCounts
	ByAgent []GroupCounts
	// Callbacks: those opened in the period, those done (by a call or by
	// an agent), and how long after the first missed call they were done.
	Callbacks       int
	CallbacksDone   int
	CallbacksByCall int
	CallbackP50     time.Duration
	CallbackP90     time.Duration
}

// add counts c in the counts.
func (k *CallCounts) add(c *CallFact) {
	switch {
	case c.Direction == DirectionOut:
		k.Outbound++
	case c.State == CallAnswered:
		k.Answered++
		if c.AnsweredAt != nil && !c.AnsweredAt.Before(c.StartedAt) {
			k.answer = append(k.answer, c.AnsweredAt.Sub(c.StartedAt))
		}
	case c.State == CallMissed:
		k.Missed++
	}
	if c.AnsweredAt != nil && c.EndedAt != nil && !c.HangupLost && !c.EndedAt.Before(*c.AnsweredAt) {
		k.TalkTotal += c.EndedAt.Sub(*c.AnsweredAt)
		k.talked++
	}
}

// finish computes the rates and percentiles.
func (k *CallCounts) finish() {
	if n := k.Answered + k.Missed; n > 0 {
		k.AnswerRate = float64(k.Answered) / float64(n)
	}
	k.AnswerP50, k.AnswerP90 = Percentile(k.answer, 50), Percentile(k.answer, 90)
	if k.talked > 0 {
		k.TalkAvg = (k.TalkTotal / time.Duration(k.talked)).Round(time.Second)
	}
}

// Percentile returns the p-th percentile of ds by the nearest-rank method
// (the smallest value at least p % of the values are at or below), 0 for
// none. ds is sorted in place.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(math.Ceil(p / 100 * float64(len(ds))))
	return ds[min(max(rank, 1), len(ds))-1]
}

// ComputeCallStats counts calls and callbacks of the period [from, to), the
// hours and days in loc. Calls started outside the period are not counted.
func ComputeCallStats(calls []CallFact, callbacks []CallbackFact, from, to time.Time, loc *time.Location) *CallStats {
	if loc == nil {
		loc = time.UTC
	}
	s := &CallStats{From: from, To: to}
	hours := make([]CallCounts, 24)
	days := map[string]*CallCounts{}
	queues := map[string]*CallCounts{}
	agents := map[string]*CallCounts{}
	group := func(m map[string]*CallCounts, key string) *CallCounts {
		if m[key] == nil {
			m[key] = &CallCounts{}
		}
		return m[key]
	}
	for i := range calls {
		c := &calls[i]
		if c.StartedAt.Before(from) || !c.StartedAt.Before(to) {
			continue
		}
		local := c.StartedAt.In(loc)
		s.All.add(c)
		hours[local.Hour()].add(c)
		group(days, local.Format(time.DateOnly)).add(c)
		if c.Direction == DirectionIn && (c.State == CallAnswered || c.State == CallMissed) {
			group(queues, c.Queue).add(c)
		}
		if c.AgentUserID != 0 {
			group(agents, c.AgentName).add(c)
		}
	}
	s.All.finish()
	for h := range hours {
		hours[h].finish()
		s.ByHour = append(s.ByHour, GroupCounts{Key: time.Date(2000, 1, 1, h, 0, 0, 0, time.UTC).Format("15h"), CallCounts: hours[h]})
	}
	for d := from.In(loc); d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		key := d.Format(time.DateOnly)
		k := group(days, key)
		k.finish()
		s.ByDay = append(s.ByDay, GroupCounts{Key: key, CallCounts: *k})
	}
	s.ByQueue, s.ByAgent = sortedGroups(queues), sortedGroups(agents)
	var done []time.Duration
	for _, k := range callbacks {
		if k.FirstCallAt.Before(from) || !k.FirstCallAt.Before(to) {
			continue
		}
		s.Callbacks++
		if k.DoneAt != nil {
			s.CallbacksDone++
			if k.DoneByCall {
				s.CallbacksByCall++
			}
			if !k.DoneAt.Before(k.FirstCallAt) {
				done = append(done, k.DoneAt.Sub(k.FirstCallAt))
			}
		}
	}
	s.CallbackP50, s.CallbackP90 = Percentile(done, 50), Percentile(done, 90)
	return s
}

// sortedGroups returns the groups by name.
func sortedGroups(m map[string]*CallCounts) []GroupCounts {
	out := make([]GroupCounts, 0, len(m))
	for key, k := range m {
		k.finish()
		out = append(out, GroupCounts{Key: key, CallCounts: *k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
