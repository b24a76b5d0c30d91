package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) registerSearchRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /search", s.page(s.handleSearch))
}

// searchView is the data of the search results.
type searchView struct {
	Layout
	Query       string
	Persons     []*desk.Person
	PersonTotal int
	Tickets     []*desk.Ticket
	TicketTotal int
}

// handleSearch finds persons (name, email, number) and tickets (reference,
// title). A query that is exactly a ticket reference (R-000123, r-123) opens
// that ticket at once.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := &searchView{Query: q}
	v.Q = q
	if q == "" {
		return s.render(w, r, http.StatusOK, "search", v)
	}
	if id, ok := desk.ParseTicketRef(q); ok && strings.Contains(q, "-") {
		t, err := s.svc.Tickets.FindTicketByID(ctx, id)
		switch {
		case err == nil && strings.EqualFold(t.Ref[:1], q[:1]):
			http.Redirect(w, r, fmt.Sprintf("/tickets/%d", t.ID), http.StatusSeeOther)
			return nil
		case err != nil && desk.ErrorCode(err) != desk.ENOTFOUND:
			return err
		}
	}
	var err error
	if v.Persons, v.PersonTotal, err = s.svc.Persons.FindPersons(ctx, desk.PersonFilter{Query: q, Limit: pageSize}); err != nil {
		return err
	}
	if v.Tickets, v.TicketTotal, err = s.svc.Tickets.FindTickets(ctx, desk.TicketFilter{Query: q, Limit: pageSize}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "search", v)
}
