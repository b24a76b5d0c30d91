package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// The call statistics (/stats): for a period, the calls per hour of the day
// and per day (answered, missed) as inline SVG bar charts, each with its
// numbers in a table beside it; the answer rate, the time to answer (p50,
// p90), the talk time, the callbacks and how fast they were done; per queue
// and per agent; and the same numbers as CSV (/stats.csv). An administrator
// counts every call he may see, another user his own (those he answered,
// placed or was rung for). No JavaScript: the charts are drawn here.

func (s *Server) registerStatsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /stats", s.page(s.handleStats))
	mux.HandleFunc("GET /stats.csv", s.page(s.handleStatsCSV))
}

// Default and longest period of the statistics.
const (
	statsDefaultDays = 14
	statsMaxDays     = 366
)

// statsView is the data of the statistics page.
type statsView struct {
	Layout
	From, To string // YYYY-MM-DD, To inclusive
	// Own tells that the user counts his own calls only.
	Own bool
	// Team is the team whose calls are counted, nil for none; Teams are
	// the choices: every team for an administrator, his own for another.
	Team    *desk.Team
	Teams   []*desk.Team
	S       *desk.CallStats
	Summary []statTile
	// The charts, each with its table, and the tables by queue and agent.
	Hours, Days                                 chartData
	HourTable, DayTable, QueueTable, AgentTable statTable
	CSV                                         string
}

// chartData is a chart as the template "chart" draws it.
type chartData struct {
	ID, Title string
	C         *barChart
}

// statTable is a table as the template "stat-table" writes it: Full adds
// the times and the outbound calls.
type statTable struct {
	ID, Caption, Head string
	Rows              []statRow
	Full              bool
}

// statTile is one figure of the summary.
type statTile struct {
	Label string // message key
	Value string
	ID    string
}

// statRow is one line of a table.
type statRow struct {
	Key                               string
	Answered, Missed, Outbound        int
	Rate, P50, P90, TalkAvg, TalkTime string
}

// barChart is a stacked bar chart of answered and missed calls, drawn in
// SVG user units.
type barChart struct {
	Width, Height int
	Bars          []chartBar
	// Ticks are the horizontal lines, with their values.
	Ticks []chartTick
	// Base is the y of the axis.
	Base int
}

type chartBar struct {
	X, W                 float64
	AnsweredY, AnsweredH float64
	MissedY, MissedH     float64
	Label                string
	LabelX               float64
	ShowLabel            bool
	Answered, Missed     int
}

type chartTick struct {
	Y     float64
	Value int
}

// statsPeriod reads from and to (YYYY-MM-DD, to inclusive) in loc; default:
// the last statsDefaultDays days, today included.
func statsPeriod(r *http.Request, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	to = today.AddDate(0, 0, 1)
	from = to.AddDate(0, 0, -statsDefaultDays)
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		if from, err = time.ParseInLocation(time.DateOnly, v, loc); err != nil {
			return from, to, desk.Invalid("from", "error.not_date", v)
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = time.ParseInLocation(time.DateOnly, v, loc); err != nil {
			return from, to, desk.Invalid("to", "error.not_date", v)
		}
		to = to.AddDate(0, 0, 1)
	}
	if !from.Before(to) {
		return from, to, desk.Invalid("to", "error.stats_period")
	}
	if to.Sub(from) > statsMaxDays*24*time.Hour+time.Hour { // an hour for a change of DST
		return from, to, desk.Invalid("from", "error.stats_period_long", statsMaxDays)
	}
	return from, to, nil
}

// stats reads and counts the statistics of the request's period, and of
// its team (team_id) when it names one.
func (s *Server) stats(r *http.Request) (*desk.CallStats, bool, error) {
	ctx := r.Context()
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPhoneCall); err != nil {
		return nil, false, err
	}
	if s.svc.Stats == nil {
		return nil, false, desk.NewError(desk.ENOTFOUND, "error.page_not_found")
	}
	from, to, err := statsPeriod(r, s.now(), time.Local)
	if err != nil {
		return nil, false, err
	}
	own := !desk.UserFromContext(ctx).Can(desk.ActionModify, desk.ClassUser)
	team, err := request.QueryID(r, "team_id")
	if err != nil {
		return nil, false, err
	}
	filter := desk.StatsFilter{From: from, To: to, OwnOnly: own}
	if team != nil {
		filter.OwnOnly, filter.TeamID = false, *team
	}
	calls, callbacks, err := s.svc.Stats.FindCallFacts(ctx, filter)
	if err != nil {
		return nil, false, err
	}
	return desk.ComputeCallStats(calls, callbacks, from, to, time.Local), own, nil
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) error {
	st, own, err := s.stats(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	v := &statsView{S: st, Own: own, From: st.From.Format(time.DateOnly), To: st.To.AddDate(0, 0, -1).Format(time.DateOnly)}
	v.Nav = "calls"
	csvQuery := url.Values{"from": {v.From}, "to": {v.To}}
	ctx := r.Context()
	user := desk.UserFromContext(ctx)
	teams := desk.TeamFilter{Limit: selectLimit}
	if !user.Can(desk.ActionModify, desk.ClassUser) {
		teams.MemberID = &user.ContactID
	}
	if v.Teams, _, err = s.svc.Teams.FindTeams(ctx, teams); err != nil {
		return err
	}
	if id, _ := request.QueryID(r, "team_id"); id != nil {
		if v.Team, err = s.svc.Teams.FindTeamByID(ctx, *id); err != nil {
			return err
		}
		v.Own = false
		csvQuery.Set("team_id", strconv.FormatInt(*id, 10))
	}
	v.CSV = "/stats.csv?" + csvQuery.Encode()
	a := st.All
	v.Summary = []statTile{
		{"stats.answered", strconv.Itoa(a.Answered), "stat-answered"},
		{"stats.missed", strconv.Itoa(a.Missed), "stat-missed"},
		{"stats.answer_rate", percent(a.Answered, a.Missed, a.AnswerRate), "stat-rate"},
		{"stats.answer_p50", seconds(a.AnswerP50), "stat-p50"},
		{"stats.answer_p90", seconds(a.AnswerP90), "stat-p90"},
		{"stats.talk_avg", talk(a.TalkAvg), "stat-talk-avg"},
		{"stats.talk_total", talk(a.TalkTotal), "stat-talk-total"},
		{"stats.outbound", strconv.Itoa(a.Outbound), "stat-outbound"},
		{"stats.callbacks", s.i18n.t(lang, "stats.callbacks_done", st.CallbacksDone, st.Callbacks), "stat-callbacks"},
		{"stats.callback_p50", talk(st.CallbackP50), "stat-callback-p50"},
		{"stats.callback_p90", talk(st.CallbackP90), "stat-callback-p90"},
	}
	t := func(key string) string { return s.i18n.t(lang, key) }
	v.Hours = chartData{"chart-hours", t("stats.by_hour_chart"), newBarChart(st.ByHour, 3)}
	v.Days = chartData{"chart-days", t("stats.by_day_chart"), newBarChart(st.ByDay, max(2, (len(st.ByDay)+9)/10))}
	v.HourTable = statTable{"table-hours", t("stats.by_hour"), t("stats.hour"), statRows(busyHours(st.ByHour)), false}
	v.DayTable = statTable{"table-days", t("stats.by_day"), t("stats.day"), statRows(st.ByDay), false}
	v.QueueTable = statTable{"table-queues", t("stats.by_queue"), t("calls.queue"), statRows(st.ByQueue), true}
	v.AgentTable = statTable{"table-agents", t("stats.by_agent"), t("calls.agent"), statRows(st.ByAgent), true}
	for i := range v.QueueTable.Rows {
		if v.QueueTable.Rows[i].Key == "" {
			v.QueueTable.Rows[i].Key = t("stats.no_queue")
		}
	}
	return s.render(w, r, http.StatusOK, "stats", v)
}

// handleStatsCSV writes the numbers of the page as CSV: one line per hour,
// day, queue and agent, durations in seconds.
func (s *Server) handleStatsCSV(w http.ResponseWriter, r *http.Request) error {
	st, _, err := s.stats(r)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ctidesk-calls-%s-%s.csv"`,
		st.From.Format("20060102"), st.To.AddDate(0, 0, -1).Format("20060102")))
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"group", "key", "answered", "missed", "outbound", "answer_rate", "answer_p50_s", "answer_p90_s",
		"talk_avg_s", "talk_total_s"})
	line := func(group string, g desk.GroupCounts) {
		cw.Write([]string{group, csvSafe(g.Key), strconv.Itoa(g.Answered), strconv.Itoa(g.Missed), strconv.Itoa(g.Outbound),
			strconv.FormatFloat(g.AnswerRate, 'f', 4, 64), secs(g.AnswerP50), secs(g.AnswerP90), secs(g.TalkAvg),
			secs(g.TalkTotal)})
	}
	line("all", desk.GroupCounts{Key: "", CallCounts: st.All})
	for _, set := range []struct {
		name   string
		groups []desk.GroupCounts
	}{{"hour", st.ByHour}, {"day", st.ByDay}, {"queue", st.ByQueue}, {"agent", st.ByAgent}} {
		for _, g := range set.groups {
			line(set.name, g)
		}
	}
	cw.Write([]string{"callbacks", "", strconv.Itoa(st.CallbacksDone), strconv.Itoa(st.Callbacks - st.CallbacksDone), "",
		"", secs(st.CallbackP50), secs(st.CallbackP90), "", ""})
	cw.Flush()
	return nil
}

// busyHours returns the hours from the first to the last with a call: the
// night stays out of the table (the chart and the CSV keep it).
func busyHours(hours []desk.GroupCounts) []desk.GroupCounts {
	busy := func(g desk.GroupCounts) bool { return g.Answered+g.Missed+g.Outbound > 0 }
	first, last := 0, len(hours)-1
	for first <= last && !busy(hours[first]) {
		first++
	}
	for last >= first && !busy(hours[last]) {
		last--
	}
	return hours[first : last+1]
}

// csvSafe keeps a spreadsheet from reading a name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func secs(d time.Duration) string { return strconv.Itoa(int(d.Round(time.Second).Seconds())) }

// seconds writes a short duration as "12 s", a longer one as m:ss.
func seconds(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Round(time.Second).Seconds())) + " s"
	}
	return talk(d)
}

// percent writes a rate as "83 %", "–" when there was nothing to count.
func percent(answered, missed int, rate float64) string {
	if answered+missed == 0 {
		return "–"
	}
	return strconv.Itoa(int(rate*100+0.5)) + " %"
}

func statRows(groups []desk.GroupCounts) []statRow {
	out := make([]statRow, len(groups))
	for i, g := range groups {
		out[i] = statRow{Key: g.Key, Answered: g.Answered, Missed: g.Missed, Outbound: g.Outbound,
			Rate: percent(g.Answered, g.Missed, g.AnswerRate), P50: seconds(g.AnswerP50), P90: seconds(g.AnswerP90),
			TalkAvg: talk(g.TalkAvg), TalkTime: talk(g.TalkTotal)}
	}
	return out
}

// Chart geometry, in SVG user units: every chart is as wide, its bars as
// wide as the groups allow, so that its text has one size.
const (
	chartWidth  = 560
	chartHeight = 160
	chartLeft   = 28
	chartBottom = 18
)

// newBarChart draws groups as stacked bars (answered below, missed above),
// labelling every labelEvery-th bar.
func newBarChart(groups []desk.GroupCounts, labelEvery int) *barChart {
	c := &barChart{Width: chartWidth, Height: chartHeight + chartBottom + 4, Base: chartHeight}
	slot := float64(chartWidth-chartLeft) / float64(max(len(groups), 1))
	top := 1
	for _, g := range groups {
		top = max(top, g.Answered+g.Missed)
	}
	top = niceCeil(top)
	scale := float64(chartHeight-8) / float64(top)
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		c.Ticks = append(c.Ticks, chartTick{Y: float64(chartHeight) - float64(v)*scale, Value: v})
	}
	for i, g := range groups {
		x := chartLeft + float64(i)*slot + slot*0.1
		ah, mh := float64(g.Answered)*scale, float64(g.Missed)*scale
		label := g.Key
		if len(label) == len(time.DateOnly) {
			label = label[5:] // MM-DD
		}
		c.Bars = append(c.Bars, chartBar{X: x, W: slot * 0.8, AnsweredY: chartHeight - ah, AnsweredH: ah,
			MissedY: chartHeight - ah - mh, MissedH: mh, Label: label, LabelX: x + slot*0.4,
			ShowLabel: i%labelEvery == 0, Answered: g.Answered, Missed: g.Missed})
	}
	return c
}

// niceCeil returns a round number at least n, for the top of a chart: 1,
// 2, 4, 5, 10, 20, 40, 50, 100…
func niceCeil(n int) int {
	for m := 1; ; m *= 10 {
		for _, f := range []int{1, 2, 4, 5} {
			if f*m >= n {
				return f * m
			}
		}
	}
}
