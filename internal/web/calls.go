package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// The call log (/calls): the calls phone systems reported, latest first,
// with their state, the caller found (or not), the agent and the duration;
// missed calls stand out and offer a call-back link; a call not tied to a
// ticket yet opens its screen pop, one tied to a ticket links to it. The
// agent also sets there whether his tab opens the pop by itself when he
// answers.

func (s *Server) registerCallRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /calls", s.page(s.handleCalls))
	mux.HandleFunc("POST /calls/settings", s.action(s.handleCallSettings))
}

// callsView is the data of the call log.
type callsView struct {
	Layout
	Calls []*callRow
	Total int
	Pager *Pager
	// The filters' options and values.
	States    []string
	Agents    []desk.CallAgent
	Queues    []string
	State     string
	Agent     int64
	Queue     string
	Direction string
	Filtered  bool
	// Settings are the user's own; Saved after he changed them.
	Settings *desk.AgentSettings
	Saved    bool
}

// callRow is a call as the log shows it.
type callRow struct {
	*desk.Call
	// PopURL opens the call's pop, "" once the call is tied to a ticket.
	PopURL string
	// Others counts the other persons the number found.
	Others int
	// Talk is the duration, m:ss, "" for a call not answered, not over, or
	// whose hangup was lost.
	Talk string
}

// callRows returns the calls as the call log shows them.
func callRows(calls []*desk.Call) []*callRow {
	rows := make([]*callRow, 0, len(calls))
	for _, c := range calls {
		row := &callRow{Call: c, Others: len(slices.DeleteFunc(slices.Clone(c.CallerIDs), func(id int64) bool { return id == c.ContactID }))}
		if c.PhoneCallID == 0 {
			row.PopURL = cti.PopURL(c)
		}
		if c.AnsweredAt != nil && c.EndedAt != nil && !c.HangupLost() {
			row.Talk = talk(c.Duration())
		}
		rows = append(rows, row)
	}
	return rows
}

// Missed reports whether the call was missed, for the highlight and the
// call-back link.
func (c *callRow) Missed() bool { return c.State == desk.CallMissed }

// talk formats a duration as m:ss (h:mm:ss from an hour).
func talk(d time.Duration) string {
	sec := int(d.Round(time.Second).Seconds())
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func (s *Server) handleCalls(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPhoneCall); err != nil {
		return err
	}
	q := r.URL.Query()
	v := &callsView{States: desk.CallStates, State: q.Get("state"), Queue: strings.TrimSpace(q.Get("queue")),
		Direction: q.Get("direction"), Saved: q.Get("saved") == "1"}
	v.Nav = "calls"
	filter := desk.CallFilter{Direction: v.Direction}
	switch {
	case v.State == "":
	case slices.Contains(desk.CallStates, v.State):
		filter.States = []string{v.State}
	default:
		return desk.Invalid("state", "error.not_call_state", v.State)
	}
	if v.Direction != "" && v.Direction != desk.DirectionIn && v.Direction != desk.DirectionOut {
		return desk.Invalid("direction", "error.direction_in_out")
	}
	agent, err := request.QueryID(r, "agent")
	if err != nil {
		return err
	}
	if agent != nil {
		v.Agent, filter.AgentUserID = *agent, agent
	}
	if v.Queue != "" {
		filter.Queue = &v.Queue
	}
	v.Filtered = v.State != "" || v.Direction != "" || agent != nil || v.Queue != ""
	page := pageNumber(r)
	filter.Offset, filter.Limit = (page-1)*pageSize, pageSize
	calls, total, err := s.svc.Calls.FindCalls(ctx, filter)
	if err != nil {
		return err
	}
	v.Total, v.Pager = total, newPager(r, page, total)
	v.Calls = callRows(calls)
	if v.Agents, v.Queues, err = s.svc.Calls.FindCallFacets(ctx); err != nil {
		return err
	}
	if v.Queue != "" && !slices.Contains(v.Queues, v.Queue) {
		v.Queues = append(v.Queues, v.Queue)
	}
	user := desk.UserFromContext(ctx)
	if v.Settings, err = s.svc.Telephony.FindAgentSettings(ctx, user.ID); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "calls", v)
}

// handleCallSettings saves the user's own setting: whether his tab opens the
// pop by itself when he answers.
func (s *Server) handleCallSettings(w http.ResponseWriter, r *http.Request) error {
	user := desk.UserFromContext(r.Context())
	on := r.PostForm.Get("pop_on_answer") == "1"
	if _, err := s.svc.Telephony.UpdateAgentSettings(r.Context(), user.ID, desk.AgentSettingsUpdate{PopOnAnswer: &on}); err != nil {
		return err
	}
	redirect(w, r, "/calls?saved=1")
	return nil
}
