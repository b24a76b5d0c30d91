package api

import (
	"net/http"

	"github.com/ctidesk/ctidesk/internal/cti"
)

func (s *Server) apiDisplayRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodPost, "/api/v1/agents/{agent}/display", s.apiDisplay},
	}
}

// apiDisplay opens a ticket, a person or the pop of some parameters in the
// agent's open tab (cti.Display): {"ticket": "R-000123"}, {"person": 42} or
// {"pop": {"phone": "+33…"}}.
func (s *Server) apiDisplay(w http.ResponseWriter, r *http.Request) error {
	var in cti.DisplayTarget
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	d := s.display
	if d == nil {
		d = &cti.Display{Services: s.svc}
	}
	out, err := d.Show(r.Context(), r.PathValue("agent"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
