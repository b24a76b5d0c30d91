package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The callbacks (/calls/callbacks): the numbers of missed calls to call
// back, those not done by due time, overdue ones highlighted. An agent takes
// one (it becomes his alone), calls back (the phone link of the number; with
// outbound calls configured and the caller known, the call action, which
// records the attempt), records an attempt, or marks one or several done
// with a note.

func (s *Server) registerCallbackRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /calls/callbacks", s.page(s.handleCallbacks))
	mux.HandleFunc("POST /calls/callbacks/done", s.action(s.handleCallbacksDone))
	mux.HandleFunc("POST /calls/callbacks/{id}/{change}", s.action(s.handleCallbackChange))
}

// callbacksView is the data of the callbacks page.
type callbacksView struct {
	Layout
	Callbacks []*callbackRow
	Total     int
	Pager     *Pager
	// Show is the list shown: "" (not done), "mine" (not done, mine and
	// nobody's), "done".
	Show string
	// Done counts the callbacks just marked done.
	Done int
}

// callbackRow is a callback as the page shows it.
type callbackRow struct {
	*desk.Callback
	Overdue bool
	Mine    bool
	// CallOptions are the outbound calls to the caller's numbers that are
	// this number (none: the phone link).
	CallOptions []cti.CallOption
}

func (s *Server) handleCallbacks(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPhoneCall); err != nil {
		return err
	}
	q := r.URL.Query()
	v := &callbacksView{Show: q.Get("show")}
	v.Nav = "calls"
	v.Done, _ = strconv.Atoi(q.Get("done"))
	filter := desk.CallbackFilter{States: []string{desk.CallbackOpen, desk.CallbackAttempted}}
	switch v.Show {
	case "":
	case "mine":
		filter.Mine = true
	case "done":
		filter.States = []string{desk.CallbackDone}
	default:
		return desk.Invalid("show", "error.callback_show")
	}
	page := pageNumber(r)
	filter.Offset, filter.Limit = (page-1)*pageSize, pageSize
	cbs, total, err := s.svc.Callbacks.FindCallbacks(ctx, filter)
	if err != nil {
		return err
	}
	v.Total, v.Pager = total, newPager(r, page, total)
	user := desk.UserFromContext(ctx)
	now := s.now()
	persons := map[int64]*desk.Person{}
	for _, k := range cbs {
		row := &callbackRow{Callback: k, Overdue: k.Overdue(now), Mine: k.OwnedBy(user.ID)}
		if k.PersonID != 0 && k.State != desk.CallbackDone && s.outbound != nil {
			p, ok := persons[k.PersonID]
			if !ok {
				if p, err = s.svc.Persons.FindPersonByID(ctx, k.PersonID); err != nil {
					return err
				}
				persons[k.PersonID] = p
			}
			row.CallOptions = s.callbackOptions(r, p, k.Number)
		}
		v.Callbacks = append(v.Callbacks, row)
	}
	return s.render(w, r, http.StatusOK, "callbacks", v)
}

// callbackOptions returns the outbound calls to p's numbers that are the
// callback's number: calling another of his numbers is not calling back.
func (s *Server) callbackOptions(r *http.Request, p *desk.Person, number string) []cti.CallOption {
	var out []cti.CallOption
	want := significantDigits(number)
	for _, o := range s.callOptions(r, p) {
		if d := significantDigits(o.Number); d != "" && want != "" && (hasSuffix(d, want) || hasSuffix(want, d)) {
			out = append(out, o)
		}
	}
	return out
}

// significantDigits returns the digits of a number without its extension
// and leading zeros, to compare two writings of it by their end.
func significantDigits(s string) string {
	main, _ := splitExtension(s)
	return strings.TrimLeft(digitsOnly(main), "0")
}

// hasSuffix reports whether s ends with suffix of at least 7 digits.
func hasSuffix(s, suffix string) bool {
	return len(suffix) >= 7 && len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// handleCallbackChange takes a callback, records an attempt, marks it done
// (with the note of the form) or reopens it, and shows the list again.
func (s *Server) handleCallbackChange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd desk.CallbackUpdate
	state := func(st string) *string { return &st }
	switch r.PathValue("change") {
	case "take":
		upd.Take = true
	case "attempted":
		upd.State = state(desk.CallbackAttempted)
	case "done":
		upd.State = state(desk.CallbackDone)
		if note := r.PostForm.Get("note"); note != "" {
			upd.Note = &note
		}
	case "reopen":
		upd.State = state(desk.CallbackOpen)
	default:
		return desk.NewError(desk.ENOTFOUND, "error.page_not_found")
	}
	if _, err := s.svc.Callbacks.UpdateCallbacks(r.Context(), []int64{id}, upd); err != nil {
		return err
	}
	next := "/calls/callbacks"
	if upd.State != nil && *upd.State == desk.CallbackDone {
		next += "?done=1"
	}
	redirect(w, r, s.callbacksReturn(r, next))
	return nil
}

// handleCallbacksDone marks the checked callbacks done, with one note.
func (s *Server) handleCallbacksDone(w http.ResponseWriter, r *http.Request) error {
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return desk.Invalid("id", "error.not_identifier", v)
		}
		ids = append(ids, id)
	}
	done := desk.CallbackDone
	upd := desk.CallbackUpdate{State: &done}
	if note := r.PostForm.Get("note"); note != "" {
		upd.Note = &note
	}
	out, err := s.svc.Callbacks.UpdateCallbacks(r.Context(), ids, upd)
	if err != nil {
		return err
	}
	redirect(w, r, s.callbacksReturn(r, "/calls/callbacks?done="+strconv.Itoa(len(out))))
	return nil
}

// callbacksReturn keeps the list the form was posted from (show=mine).
func (s *Server) callbacksReturn(r *http.Request, next string) string {
	if show := r.PostForm.Get("show"); show == "mine" {
		u, _ := url.Parse(next)
		q := u.Query()
		q.Set("show", show)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return next
}
