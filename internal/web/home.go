package web

import (
	"net/http"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) registerHomeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.page(s.handleHome))
}

// homeView is the data of the home page.
type homeView struct {
	Layout
	Ongoing int
	New     int
	Recent  []*desk.Ticket
}

// handleHome shows the counts an agent checks first and the latest tickets.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := &homeView{Layout: Layout{Nav: "home"}}
	var err error
	if _, v.Ongoing, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Ongoing: true, Limit: 1}); err != nil {
		return err
	}
	if _, v.New, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Status: desk.TicketNew, Limit: 1}); err != nil {
		return err
	}
	if v.Recent, _, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Ongoing: true, Limit: 15}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "home", v)
}
