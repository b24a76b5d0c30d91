package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) registerHomeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.page(s.handleHome))
}

// homeRows bounds each list of home.
const homeRows = 15

// homeView is the data of home: the agent's day.
type homeView struct {
	Layout
	Ongoing, New, Unassigned int
	// Mine are the user's open tickets, the latest activity first (none for
	// a user without a contact person); Queue, the open tickets nobody took
	// yet, which he picks from.
	Mine, Queue []*desk.Ticket
	MineTotal   int
	// Calls is false for a user who may not read calls.
	Calls bool
	// CallBack are the missed calls that rang for the user, or for nobody
	// known, that nobody called back since (one per number).
	CallBack []*callRow
	// Today are today's calls, latest first, and how many there were.
	Today      []*callRow
	TodayTotal int
	// Integrations is each phone system's last event, for administrators.
	Integrations []*desk.Integration
}

// handleHome shows an agent's day: his open tickets by last activity, the
// missed calls to call back, today's calls, and to an administrator the
// phone systems' health.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	user := desk.UserFromContext(ctx)
	v := &homeView{Layout: Layout{Nav: "home"}}
	var err error
	if _, v.Ongoing, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Ongoing: true, Limit: 1}); err != nil {
		return err
	}
	if _, v.New, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Status: desk.TicketNew, Limit: 1}); err != nil {
		return err
	}
	if _, v.Unassigned, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Ongoing: true, Unassigned: true, Limit: 1}); err != nil {
		return err
	}
	byActivity := desk.TicketFilter{Ongoing: true, Sort: "last_update", Desc: true, Limit: homeRows}
	if user.ContactID != 0 {
		mine := byActivity
		mine.AgentID = &user.ContactID
		if v.Mine, v.MineTotal, err = s.svc.Tickets.FindTickets(ctx, mine); err != nil {
			return err
		}
	}
	queue := byActivity
	queue.Unassigned = true
	if v.Queue, _, err = s.svc.Tickets.FindTickets(ctx, queue); err != nil {
		return err
	}
	if v.Calls = user.Can(desk.ActionRead, desk.ClassPhoneCall); v.Calls {
		if err := s.homeCalls(r, v); err != nil {
			return err
		}
	}
	if user.Can(desk.ActionModify, desk.ClassUser) {
		if v.Integrations, err = s.svc.Telephony.FindIntegrations(ctx); err != nil {
			return err
		}
		v.Integrations = slices.DeleteFunc(v.Integrations, func(i *desk.Integration) bool { return i.Revoked() })
	}
	return s.render(w, r, http.StatusOK, "home", v)
}

// callBackDays is how far back home looks for missed calls to call back.
const callBackDays = 7

// homeCalls fills the calls of home: today's, and the missed ones to call
// back. A missed call is called back once a later call with its number was
// answered, or placed from here.
func (s *Server) homeCalls(r *http.Request, v *homeView) error {
	ctx := r.Context()
	user := desk.UserFromContext(ctx)
	now := s.now()
	y, m, d := now.Local().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	calls, total, err := s.svc.Calls.FindCalls(ctx, desk.CallFilter{From: &today, Limit: homeRows})
	if err != nil {
		return err
	}
	v.Today, v.TodayTotal = callRows(calls), total
	since := today.AddDate(0, 0, -callBackDays)
	recent, _, err := s.svc.Calls.FindCalls(ctx, desk.CallFilter{From: &since, Limit: 500})
	if err != nil {
		return err
	}
	handled := map[string]bool{} // numbers called since, newest first
	var back []*desk.Call
	for _, c := range recent {
		n := c.Number()
		switch {
		case n == "" || handled[n]:
		case c.Direction == desk.DirectionOut || c.State == desk.CallAnswered:
			handled[n] = true
		case c.State == desk.CallMissed && (len(c.RingingUserIDs) == 0 || slices.Contains(c.RingingUserIDs, user.ID)):
			handled[n] = true // its earlier missed calls are this one's
			back = append(back, c)
		}
	}
	v.CallBack = callRows(back[:min(len(back), homeRows)])
	return nil
}
