package api

import (
	"net/http"
	"slices"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) apiCallbackRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/callbacks", s.apiCallbacks},
		{http.MethodPatch, "/api/v1/callbacks", s.apiCallbacksUpdate},
		{http.MethodGet, "/api/v1/callbacks/{id}", s.apiCallback},
		{http.MethodPatch, "/api/v1/callbacks/{id}", s.apiCallbackUpdate},
	}
}

// apiCallbackPatch is the body of a callback's update: its state (done
// closes it, open reopens it), a note, take (the token's user becomes its
// only owner); ids, in a bulk update, names the callbacks.
type apiCallbackPatch struct {
	IDs   []int64 `json:"ids"`
	State *string `json:"state"`
	Note  *string `json:"note"`
	Take  bool    `json:"take"`
}

func (p *apiCallbackPatch) update() desk.CallbackUpdate {
	return desk.CallbackUpdate{State: p.State, Note: p.Note, Take: p.Take}
}

// apiCallbacks lists the callbacks the user may see: those not done by due
// time, then the done ones. state selects one state (repeatable), mine=1
// the user's and the unassigned ones.
func (s *Server) apiCallbacks(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := apiPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := desk.CallbackFilter{Offset: offset, Limit: limit, Mine: q.Get("mine") == "1" || q.Get("mine") == "true"}
	for _, st := range q["state"] {
		if !slices.Contains(desk.CallbackStates, st) {
			return desk.Invalid("state", "error.callback_state")
		}
		filter.States = append(filter.States, st)
	}
	cbs, total, err := s.svc.Callbacks.FindCallbacks(r.Context(), filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(cbs, total, offset, limit))
	return nil
}

func (s *Server) apiCallback(w http.ResponseWriter, r *http.Request) error {
	k, err := apiFind(r, s.svc.Callbacks.FindCallbackByID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

func (s *Server) apiCallbackUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiFindForModify(r, desk.ClassPhoneCall, s.svc.Callbacks.FindCallbackByID)
	if err != nil {
		return err
	}
	var in apiCallbackPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.IDs != nil {
		return desk.Invalid("ids", "error.callback_ids_in_path")
	}
	out, err := s.svc.Callbacks.UpdateCallbacks(r.Context(), []int64{old.ID}, in.update())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out[0])
	return nil
}

// apiCallbacksUpdate changes the callbacks of ids at once: all of them, or,
// when one is refused, none.
func (s *Server) apiCallbacksUpdate(w http.ResponseWriter, r *http.Request) error {
	var in apiCallbackPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.svc.Callbacks.UpdateCallbacks(r.Context(), in.IDs, in.update())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAPIList(out, len(out), 0, len(out)))
	return nil
}
