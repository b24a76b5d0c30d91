package desk_test

import (
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestComputeCallStats: the statistics of a known set of calls, exactly.
func TestComputeCallStats(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	at := func(d, h, m, s int) time.Time {
		return day.AddDate(0, 0, d).Add(time.Duration(h*3600+m*60+s) * time.Second)
	}
	ptr := func(t time.Time) *time.Time { return &t }
	in := func(start time.Time, answerAfter, talk int, queue string, agent int64, name string) desk.CallFact {
		c := desk.CallFact{Direction: desk.DirectionIn, State: desk.CallAnswered, Queue: queue, AgentUserID: agent,
			AgentName: name, StartedAt: start, AnsweredAt: ptr(start.Add(time.Duration(answerAfter) * time.Second))}
		c.EndedAt = ptr(c.AnsweredAt.Add(time.Duration(talk) * time.Second))
		return c
	}
	missed := func(start time.Time, queue string) desk.CallFact {
		return desk.CallFact{Direction: desk.DirectionIn, State: desk.CallMissed, Queue: queue, StartedAt: start,
			EndedAt: ptr(start.Add(30 * time.Second))}
	}
	calls := []desk.CallFact{
		in(at(0, 9, 0, 0), 5, 60, "support", 1, "Ann"),
		in(at(0, 9, 30, 0), 10, 120, "support", 2, "Bob"),
		in(at(0, 10, 0, 0), 20, 180, "billing", 1, "Ann"),
		missed(at(0, 10, 15, 0), "support"),
		in(at(1, 9, 5, 0), 40, 240, "support", 2, "Bob"),
		missed(at(1, 14, 0, 0), "billing"),
		{Direction: desk.DirectionOut, State: desk.CallAnswered, AgentUserID: 1, AgentName: "Ann", StartedAt: at(1, 15, 0, 0),
			AnsweredAt: ptr(at(1, 15, 0, 10)), EndedAt: ptr(at(1, 15, 5, 10))},
		{Direction: desk.DirectionIn, State: desk.CallRejected, StartedAt: at(1, 16, 0, 0), EndedAt: ptr(at(1, 16, 0, 0))},
		// A call whose hangup was lost: answered, its talk not known.
		{Direction: desk.DirectionIn, State: desk.CallAnswered, Queue: "support", AgentUserID: 1, AgentName: "Ann",
			StartedAt: at(2, 11, 0, 0), AnsweredAt: ptr(at(2, 11, 0, 15)), EndedAt: ptr(at(2, 11, 0, 15)), HangupLost: true},
		in(at(5, 9, 0, 0), 1, 1, "support", 1, "Ann"), // after the period
	}
	callbacks := []desk.CallbackFact{
		{FirstCallAt: at(0, 10, 15, 0), DoneAt: ptr(at(0, 11, 15, 0)), DoneByCall: true},
		{FirstCallAt: at(1, 14, 0, 0), DoneAt: ptr(at(1, 17, 0, 0))},
		{FirstCallAt: at(2, 9, 0, 0)},
	}
	s := desk.ComputeCallStats(calls, callbacks, day, day.AddDate(0, 0, 3), time.UTC)
	a := s.All
	if a.Answered != 5 || a.Missed != 2 || a.Outbound != 1 {
		t.Fatalf("answered %d, missed %d, outbound %d; want 5, 2, 1", a.Answered, a.Missed, a.Outbound)
	}
	// Answers after 5, 10, 15, 20, 40 s: p50 the 3rd, p90 the 5th.
	if a.AnswerRate != 5.0/7 || a.AnswerP50 != 15*time.Second || a.AnswerP90 != 40*time.Second {
		t.Errorf("rate %v, p50 %v, p90 %v", a.AnswerRate, a.AnswerP50, a.AnswerP90)
	}
	// Talk: 60 + 120 + 180 + 240 in, 300 out; the lost hangup does not count.
	if a.TalkTotal != 900*time.Second || a.TalkAvg != 180*time.Second {
		t.Errorf("talk total %v, avg %v", a.TalkTotal, a.TalkAvg)
	}
	if len(s.ByHour) != 24 || s.ByHour[9].Answered != 3 || s.ByHour[10].Answered != 1 || s.ByHour[10].Missed != 1 ||
		s.ByHour[14].Missed != 1 || s.ByHour[9].Key != "09h" {
		t.Errorf("by hour %+v", s.ByHour)
	}
	if len(s.ByDay) != 3 || s.ByDay[0].Key != "2026-03-02" || s.ByDay[0].Answered != 3 || s.ByDay[0].Missed != 1 ||
		s.ByDay[1].Answered != 1 || s.ByDay[1].Outbound != 1 || s.ByDay[2].Answered != 1 {
		t.Errorf("by day %+v", s.ByDay)
	}
	if len(s.ByQueue) != 2 || s.ByQueue[0].Key != "billing" || s.ByQueue[0].Answered != 1 || s.ByQueue[0].Missed != 1 ||
		s.ByQueue[0].AnswerRate != 0.5 || s.ByQueue[1].Key != "support" || s.ByQueue[1].Answered != 4 ||
		s.ByQueue[1].AnswerP50 != 10*time.Second {
		t.Errorf("by queue %+v", s.ByQueue)
	}
	if len(s.ByAgent) != 2 || s.ByAgent[0].Key != "Ann" || s.ByAgent[0].Answered != 3 || s.ByAgent[0].Outbound != 1 ||
		s.ByAgent[0].TalkTotal != 540*time.Second || s.ByAgent[1].Key != "Bob" || s.ByAgent[1].TalkAvg != 180*time.Second {
		t.Errorf("by agent %+v", s.ByAgent)
	}
	if s.Callbacks != 3 || s.CallbacksDone != 2 || s.CallbacksByCall != 1 || s.CallbackP50 != time.Hour ||
		s.CallbackP90 != 3*time.Hour {
		t.Errorf("callbacks %d done %d by call %d, p50 %v p90 %v", s.Callbacks, s.CallbacksDone, s.CallbacksByCall,
			s.CallbackP50, s.CallbackP90)
	}
	if got := desk.Percentile(nil, 50); got != 0 {
		t.Errorf("percentile of nothing %v", got)
	}
}
