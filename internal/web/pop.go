package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The screen pop (docs/architecture.md): the phone system opens /pop?phone=…
// in the agent's browser. The page is one GET form: the callers are a radio
// group (arrow keys move through them), the creation buttons its submit
// buttons, the first of them focused, so that Enter opens the first offered
// creation for the selected caller. The lists follow the selection without a
// page load (app.js fetches /pop/lists); without JavaScript the form's "Show
// tickets" button does the same with a page load.
//
// A ticket created or changed from the pop records the call: the forms carry
// pop=1, pop_number and pop_caller (see popCall).

func (s *Server) registerPopRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /pop", s.page(s.handlePop))
	mux.HandleFunc("GET /pop/lists", s.page(s.handlePopLists))
	mux.HandleFunc("GET /pop/new", s.page(s.handlePopNew))
	mux.HandleFunc("POST /pop/note", s.action(s.handlePopNote))
	mux.HandleFunc("GET /pop/persons", s.page(s.handlePopPersons))
	mux.HandleFunc("POST /pop/number", s.action(s.handlePopAddNumber))
}

// Caller selections besides a caller's id.
const (
	selectAll     = "all"
	selectUnknown = "0"
)

// popView is the data of the pop page.
type popView struct {
	Layout
	Res     *cti.PopResult
	Choices []popChoice
	// Selected is the checked choice's value.
	Selected string
	Lists    []*cti.TicketList
	// Rows are the rows of each list's table, by list name.
	Rows map[string]popRows
	// ListsHTML is the lists written (popListsHTML).
	ListsHTML template.HTML
	// All is set when the lists show up to cti.ListLimit rows rather than
	// cti.ListRows; AllURL is the pop showing them so.
	All    bool
	AllURL string
	// Request is the ticket a request parameter opened, with its links.
	Request *popRow
	// Hidden are the pop's parameters, carried by its forms and links.
	Hidden []param
	// Query is Hidden as a URL query, for links.
	Query string
	// Callers is the ids of every caller found, comma-separated.
	Callers string
	Offers  []string
	// Call is the call of the call log the pop was opened for (the push
	// on answer, the call log's link), nil for none.
	Call *desk.Call
	// Invalid says why the lookup could not look a parameter up (a number
	// too short to match), when nobody was found.
	Invalid string
	// Note is the agent's note of the call, as saved so far.
	Note string
	// History is what happened on the callers' earlier calls.
	History *cti.CallHistory
	// TabTitle is the tab's title: who calls, from which number.
	TabTitle string
	// Created is the ticket just created from the pop, confirmed.
	Created *popRow
	// AddNumber offers to add the number to a person, nil when the number
	// found its caller.
	AddNumber *popAddNumber
	// NearMisses are numbers close to an unknown (or maybe known) number
	// that the lookup did not match, and why not.
	NearMisses []nearMiss
	// PersonCreated is the person just created from the pop, confirmed.
	PersonCreated *desk.Person
}

// popRow is the ticket a request parameter opened, with the links that open
// it from the pop.
type popRow struct {
	Ticket     *desk.Ticket
	View, Edit string
}

// popRows are the rows of one list's table, and whether the table has a
// caller column.
type popRows struct {
	HTML template.HTML
	// Caller is false when every row is the one selected caller's: his
	// name in each row would only repeat the caller card.
	Caller bool
}

// rows returns the rows of each list's table (by list name), whose links
// carry the call: number, call of the call log (0: none), and the selected
// caller, or each ticket's caller when all are selected. Each row is what an
// agent on the phone reads of a ticket: kind, ref, title, caller (see
// popRows.Caller), status, agent, priority, last update. Kinds, statuses and
// dates are written in lang. The rows are written here, every value escaped,
// as one HTML string per list: through html/template's escapers, each value a
// reflective call, they took a third of the pop's time (docs/performance.md).
func (s *Server) rows(lang string, lists []*cti.TicketList, number string, call int64, selected []int64) map[string]popRows {
	out := map[string]popRows{}
	queries := map[int64]string{} // the pop query of each caller
	edit := html.EscapeString(s.i18n.t(lang, "action.edit"))
	labels := map[string]string{} // kinds and statuses in lang, escaped
	label := func(key string) string {
		l, ok := labels[key]
		if !ok {
			l = html.EscapeString(s.i18n.t(lang, key))
			labels[key] = l
		}
		return l
	}
	var b strings.Builder
	for _, l := range lists {
		if len(l.Objects) == 0 {
			continue
		}
		withCaller := len(selected) != 1 || slices.ContainsFunc(l.Objects, func(o *desk.Object) bool {
			id, _ := o.Value("caller_id").(int64)
			return id != selected[0]
		})
		b.Reset()
		for _, o := range l.Objects {
			var caller int64
			if len(selected) == 1 {
				caller = selected[0]
			} else if id, ok := o.Value("caller_id").(int64); ok && slices.Contains(selected, id) {
				caller = id
			}
			q, ok := queries[caller]
			if !ok {
				q = html.EscapeString((&popContext{Number: number, Call: call, Caller: caller}).Query())
				queries[caller] = q
			}
			id := strconv.FormatInt(o.ID, 10)
			status, _ := o.Value("status").(string)
			title, _ := o.Value("title").(string)
			agent, _ := o.Value("agent_name").(string)
			b.WriteString("<tr>\n<td class=\"c-kind\">")
			if o.Class != "" {
				b.WriteString(label("kind." + o.Class))
			}
			b.WriteString("</td>\n<td class=\"c-ref\"><a href=\"/tickets/" + id + "?" + q + "\" data-ticket=\"" + id + "\">")
			b.WriteString(html.EscapeString(o.FriendlyName))
			b.WriteString("</a></td>\n<td class=\"c-title\">")
			b.WriteString(html.EscapeString(title))
			b.WriteString("</td>\n")
			if withCaller {
				callerName, _ := o.Value("caller_name").(string)
				b.WriteString("<td class=\"c-person\">")
				b.WriteString(html.EscapeString(callerName))
				b.WriteString("</td>\n")
			}
			b.WriteString("<td class=\"c-status\">")
			if status != "" {
				b.WriteString("<span class=\"status status-")
				b.WriteString(html.EscapeString(status))
				b.WriteString("\">")
				b.WriteString(label("status." + status))
				b.WriteString("</span>")
			}
			b.WriteString("</td>\n<td class=\"c-person\">")
			b.WriteString(html.EscapeString(agent))
			b.WriteString("</td>\n<td class=\"c-num\">")
			if p, ok := o.Value("priority").(int64); ok && p >= 1 && p <= 4 {
				prio := strconv.FormatInt(p, 10)
				b.WriteString("<span class=\"prio prio-" + prio + "\" title=\"" + label("level."+prio) + "\">" + prio + "</span>")
			}
			b.WriteString("</td>\n<td class=\"c-date\">")
			if t, ok := o.Value("last_update").(time.Time); ok {
				b.WriteString("<time datetime=\"" + t.UTC().Format(time.RFC3339) + "\">")
				b.WriteString(html.EscapeString(s.formatDate(lang, t)))
				b.WriteString("</time>")
			}
			b.WriteString("</td>\n<td><a href=\"/tickets/" + id + "/edit?" + q + "\">" + edit + "</a></td>\n</tr>\n")
		}
		out[l.Name] = popRows{HTML: template.HTML(b.String()), Caller: withCaller} // every value escaped above
	}
	return out
}

// param is a name and value of a hidden input.
type param struct{ Name, Value string }

// popChoice is one choice of the caller selector.
type popChoice struct {
	Value, Label string
	Caller       *cti.Caller // nil for All contacts found and Unknown contact
	Card         *callerCard // nil with Caller
	// CardHTML is the caller's card written (callerCardHTML), with Caller.
	CardHTML template.HTML
}

func (s *Server) handlePop(w http.ResponseWriter, r *http.Request) error {
	if s.pop == nil {
		return desk.NewError(desk.ENOTFOUND, "error.screen_pop_not_configured")
	}
	ctx := r.Context()
	res, err := s.pop.Open(ctx, r.URL.Query())
	if err != nil {
		return err
	}
	created, _ := strconv.ParseInt(r.URL.Query().Get(popCreatedField), 10, 64)
	if res.Direct != "" && created <= 0 { // back from the creation: the pop, not the form again
		return s.renderPopNew(w, r, res.Direct, true, res.Selected(), res.Values, res.Number)
	}
	v := &popView{Res: res, Offers: res.Offers}
	v.Nav = "pop"
	if res.Invalid != nil {
		v.Invalid = s.i18n.errorMessage(s.lang(r), res.Invalid)
	}
	v.Hidden, v.Query = popParams(res.Values)
	if v.Call = s.popCall(r); v.Call != nil {
		id := strconv.FormatInt(v.Call.ID, 10)
		v.Hidden = append(v.Hidden, param{popCallField, id})
		v.Query += "&" + popCallField + "=" + id
	}
	var callID int64
	if v.Call != nil {
		callID = v.Call.ID
	}
	if key := cti.NoteKey(callID, res.Number); key != "" {
		if v.Note, err = s.svc.PopNotes.FindPopNote(ctx, key); err != nil {
			return err
		}
	}
	ids := make([]string, len(res.Callers))
	for i, c := range res.Callers {
		ids[i] = strconv.FormatInt(c.ID, 10)
	}
	v.Callers = strings.Join(ids, ",")
	// The seed's selector: All contacts found (when several), each contact,
	// Unknown contact. One caller is selected; of several (a shared
	// number), nobody is chosen for the agent: All contacts found is, and
	// the agent picks.
	lang := s.lang(r)
	v.TabTitle = s.popTabTitle(lang, res)
	if len(res.Callers) > 1 {
		v.Choices = append(v.Choices, popChoice{Value: selectAll})
	}
	for _, c := range res.Callers {
		card := s.callerCardOf(lang, c)
		v.Choices = append(v.Choices, popChoice{Value: strconv.FormatInt(c.ID, 10), Label: c.Display, Caller: c,
			Card: card, CardHTML: s.callerCardHTML(lang, c, card)})
	}
	v.Choices = append(v.Choices, popChoice{Value: selectUnknown})
	switch len(res.Callers) {
	case 0:
		v.Selected = selectUnknown
	case 1:
		v.Selected = strconv.FormatInt(res.Callers[0].ID, 10)
	default:
		v.Selected = selectAll
	}
	if sel := r.URL.Query().Get("caller"); sel != "" && slices.ContainsFunc(v.Choices, func(c popChoice) bool { return c.Value == sel }) {
		v.Selected = sel // the "Show tickets" button without JavaScript
	}
	selected := selection(v.Selected, res.CallerIDs())
	v.All = r.URL.Query().Get(popAllField) == "1" // "Show all" without JavaScript
	if v.Lists, err = s.pop.Lists(ctx, selected, res.Values, listRows(v.All)); err != nil {
		return err
	}
	v.Rows = s.rows(s.lang(r), v.Lists, res.Number, callID, selected)
	if v.History, err = s.pop.History(ctx, res.CallerIDs()); err != nil {
		return err
	}
	v.AllURL = allURL(v.Query, v.Selected)
	v.ListsHTML = s.popListsHTML(lang, v.Lists, v.Rows, v.All, v.AllURL)
	if v.AddNumber, err = s.addNumberOf(r, v, res); err != nil {
		return err
	}
	if res.Number != "" && res.Invalid == nil && weakOnly(res) {
		if v.NearMisses, err = s.nearMissesOf(ctx, lang, res.Number); err != nil {
			return err
		}
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get(popPersonCreatedField), 10, 64); id > 0 {
		// The person just created from the pop with the number: found
		// now, and confirmed (one the user may not see is not).
		if p, err := s.svc.Persons.FindPersonByID(ctx, id); err == nil {
			v.PersonCreated = p
		}
	}
	if created > 0 {
		// The ticket just created from the pop; one the user may not see
		// (or gone) is not confirmed.
		if t, err := s.svc.Tickets.FindTicketByID(ctx, created); err == nil {
			pc := &popContext{Number: res.Number, Caller: t.CallerID, Call: callID}
			v.Created = &popRow{Ticket: t, View: ticketURL(t.ID, pc), Edit: fmt.Sprintf("/tickets/%d/edit?%s", t.ID, pc.Query())}
		}
	}
	if t := res.Request; t != nil {
		pc := &popContext{Number: res.Number, Caller: t.CallerID, Call: callID}
		v.Request = &popRow{Ticket: t, View: ticketURL(t.ID, pc), Edit: fmt.Sprintf("/tickets/%d/edit?%s", t.ID, pc.Query())}
	}
	return s.render(w, r, http.StatusOK, "pop", v)
}

// popParams returns the pop's parameters sorted, as hidden inputs and as a
// URL query.
func popParams(values map[string]string) ([]param, string) {
	q := url.Values{}
	var out []param
	for name, value := range values {
		out = append(out, param{name, value})
		q.Set(name, value)
	}
	slices.SortFunc(out, func(a, b param) int { return strings.Compare(a.Name, b.Name) })
	return out, q.Encode()
}

// selection returns the callers a choice stands for: all of them, one, or
// none for the unknown contact.
func selection(choice string, callers []int64) []int64 {
	switch choice {
	case selectAll:
		return callers
	case selectUnknown, "":
		return nil
	}
	id, err := strconv.ParseInt(choice, 10, 64)
	if err != nil || !slices.Contains(callers, id) {
		return nil
	}
	return []int64{id}
}

// popAllField asks the pop for every row of its lists, up to cti.ListLimit,
// rather than the first cti.ListRows.
const popAllField = "all"

// allURL returns the pop of query (its parameters, URL-encoded) for the
// caller choice selected, every row of its lists shown.
func allURL(query, selected string) string {
	return "/pop?" + query + "&caller=" + url.QueryEscape(selected) + "&" + popAllField + "=1"
}

// listRows returns the rows each list shows.
func listRows(all bool) int {
	if all {
		return cti.ListLimit
	}
	return cti.ListRows
}

// maxPopCallers bounds the callers a list request names.
const maxPopCallers = cti.ListLimit

// popValues returns the pop's parameters a follow-up request carries: every
// parameter but those of the request itself.
func popValues(q url.Values) map[string]string {
	values := map[string]string{}
	for name := range q {
		switch name {
		case "caller", "callers", "class", "direct", popAllField, popPersonsField, popCreatedField, popPersonCreatedField:
			continue
		}
		values[name] = q.Get(name)
	}
	return values
}

// handlePopLists answers the lists for a selection, as a fragment of the pop
// page: app.js puts it in place when the selection changes.
func (s *Server) handlePopLists(w http.ResponseWriter, r *http.Request) error {
	if s.pop == nil {
		return desk.NewError(desk.ENOTFOUND, "error.screen_pop_not_configured")
	}
	q := r.URL.Query()
	var callers []int64
	for part := range strings.SplitSeq(q.Get("callers"), ",") {
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return desk.Invalid("callers", "error.not_caller_id", part)
		}
		if len(callers) == maxPopCallers {
			return desk.Invalid("callers", "error.pop_callers_max", maxPopCallers)
		}
		callers = append(callers, id)
	}
	values := popValues(q)
	v := &popView{Selected: q.Get("caller"), All: q.Get(popAllField) == "1"}
	selected := selection(v.Selected, callers)
	lists, err := s.pop.Lists(r.Context(), selected, values, listRows(v.All))
	if err != nil {
		return err
	}
	lang := s.lang(r)
	rows := s.rows(lang, lists, q.Get("pop_number"), popCallID(r), selected)
	_, query := popParams(values)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, string(s.popListsHTML(lang, lists, rows, v.All, allURL(query, v.Selected))))
	return err
}

// handlePopNew opens the creation form of a class offered by the pop, preset
// for the selected caller.
func (s *Server) handlePopNew(w http.ResponseWriter, r *http.Request) error {
	if s.pop == nil {
		return desk.NewError(desk.ENOTFOUND, "error.screen_pop_not_configured")
	}
	q := r.URL.Query()
	class := q.Get("class")
	var selected int64
	switch sel := q.Get("caller"); sel {
	case selectAll, selectUnknown, "":
		// All contacts found: nobody is chosen for the agent (a shared
		// number); he picks the caller in the form.
	default:
		id, err := strconv.ParseInt(sel, 10, 64)
		if err != nil || id <= 0 {
			return desk.Invalid("caller", "error.not_caller", sel)
		}
		selected = id
	}
	values := popValues(q)
	return s.renderPopNew(w, r, class, q.Get("direct") == "1", selected, values, q.Get("pop_number"))
}

// popContext is what the forms of a ticket opened from the pop carry, so that
// the change records the call.
type popContext struct {
	Number string // the number that rang
	Caller int64  // the selected caller, 0 for the unknown contact
	// Call is the call of the call log the pop was opened for, 0 for none:
	// the first ticket made or changed from the pop becomes its PhoneCall.
	Call int64
	// Log and LogText are the log entry a preset adds (public_log or
	// private_log), shown in the creation form, editable.
	Log, LogText string
	// Back returns to the pop.
	Back string
}

// renderPopNew shows the creation form of class with its presets.
func (s *Server) renderPopNew(w http.ResponseWriter, r *http.Request, class string, direct bool, selected int64,
	values map[string]string, number string) error {
	ctx := r.Context()
	if number == "" {
		number = popNumber(values)
	}
	pf, err := s.pop.Prefill(ctx, class, direct, selected, values)
	if err != nil {
		return err
	}
	_, query := popParams(values)
	pc := &popContext{Number: number, Caller: selected, Back: "/pop?" + query, Call: popCallID(r)}
	if pc.Call != 0 {
		pc.Back += "&" + cti.PopCallParam + "=" + strconv.FormatInt(pc.Call, 10)
	}
	switch {
	case class == desk.ClassPerson:
		p := &desk.Person{Status: desk.StatusActive, OrgID: pf.ID("org_id"), LocationID: pf.ID("location_id"),
			FirstName: pf.String("first_name"), Name: pf.String("name"), Email: pf.String("email"),
			Phone: pf.String("phone"), MobilePhone: pf.String("mobile_phone"), HomePhone: pf.String("home_phone"),
			EmployeeNumber: pf.String("employee_number"), SupportID: pf.String("support_id"), Function: pf.String("function")}
		return s.renderPersonForm(w, r, http.StatusOK, &personFormView{New: true, Person: p, Pop: pc})
	case desk.IsTicketKind(class):
		t := &desk.Ticket{Kind: class, Status: desk.TicketNew, Origin: pf.String("origin"), Title: pf.String("title"),
			Description: pf.String("description"), OrgID: pf.ID("org_id"), CallerID: pf.ID("caller_id"),
			AgentID: pf.ID("agent_id")}
		if t.Origin == "" {
			t.Origin = "phone"
		}
		// A preset status (assigned: to the agent who took the call), but
		// a ticket assigned to nobody is new.
		if st := pf.String("status"); slices.Contains(desk.TicketStatuses, st) && (st != desk.TicketAssigned || t.AgentID != 0) {
			t.Status = st
		}
		if desk.HasLevels(class) {
			t.Priority, t.Urgency, t.Impact = level(pf.ID("priority")), level(pf.ID("urgency")), level(pf.ID("impact"))
		}
		if t.OrgID == 0 && t.CallerID != 0 {
			if p, err := s.svc.Persons.FindPersonByID(ctx, t.CallerID); err == nil {
				t.OrgID = p.OrgID
			}
		}
		for _, log := range []string{desk.PublicLog, desk.PrivateLog} {
			if text := pf.Logs[log]; text != "" && pc.Log == "" {
				pc.Log, pc.LogText = log, text
			}
		}
		if pc.Log == "" {
			pc.Log = desk.PublicLog
		}
		return s.renderTicketForm(w, r, http.StatusOK, &ticketFormView{New: true, Ticket: t, Pop: pc})
	}
	return desk.NewError(desk.ENOTFOUND, "error.pop_cannot_create", class)
}

// level returns a preset priority, urgency or impact, 3 when none is preset.
func level(v int64) int {
	if v >= 1 && v <= 4 {
		return int(v)
	}
	return 3
}

// popNumber returns the number among the pop's parameters.
func popNumber(values map[string]string) string {
	for _, name := range []string{"phone", "telephone"} {
		if v := strings.TrimSpace(values[name]); v != "" {
			return v
		}
	}
	return ""
}

// popFromRequest returns the pop context a page or a form carries (pop=1,
// pop_number, pop_caller, pop_log, pop_log_text), nil when none.
func popFromRequest(r *http.Request) *popContext {
	get := r.URL.Query().Get
	if r.Method == http.MethodPost {
		get = r.PostForm.Get
	}
	if get("pop") != "1" {
		return nil
	}
	pc := &popContext{Number: strings.TrimSpace(get("pop_number")), Log: get("pop_log"), LogText: get("pop_log_text")}
	if len(pc.Number) > 64 {
		pc.Number = pc.Number[:64]
	}
	pc.Caller, _ = strconv.ParseInt(get("pop_caller"), 10, 64)
	if pc.Caller < 0 {
		pc.Caller = 0
	}
	pc.Call, _ = strconv.ParseInt(get(popCallField), 10, 64)
	if pc.Call < 0 {
		pc.Call = 0
	}
	if pc.Log != desk.PrivateLog {
		pc.Log = desk.PublicLog
	}
	return pc
}

// popQuery returns the query that carries pc to a ticket's page and forms.
func (pc *popContext) Query() string {
	if pc == nil {
		return ""
	}
	q := url.Values{"pop": {"1"}, "pop_number": {pc.Number}, "pop_caller": {strconv.FormatInt(pc.Caller, 10)}}
	if pc.Call != 0 {
		q.Set(popCallField, strconv.FormatInt(pc.Call, 10))
	}
	return q.Encode()
}

// recordPopCall records the call of the pop on ticket id, changed from it:
// the call of the call log becomes the ticket's phone call, or, without one
// (or tied to another ticket already, or gone), a phone call is recorded. The
// change and its call are one action: callers run both in one transaction
// (see changeFromPop), so that no ticket is left without the call it came
// from.
func (s *Server) recordPopCall(ctx context.Context, ticketID int64, pc *popContext) error {
	if pc == nil || s.pop == nil {
		return nil
	}
	// The agent's note of the call becomes the phone call's, once.
	key := cti.NoteKey(pc.Call, pc.Number)
	var note string
	if key != "" {
		var err error
		if note, err = s.svc.PopNotes.FindPopNote(ctx, key); err != nil {
			return err
		}
	}
	recorded := func(pcall *desk.PhoneCall) error {
		if pcall == nil || note == "" || pcall.Note != note {
			return nil // nothing recorded, or an earlier change's call
		}
		return s.svc.PopNotes.DeletePopNote(ctx, key)
	}
	if pc.Call != 0 && s.calls != nil {
		pcall, err := s.calls.LinkCall(ctx, pc.Call, ticketID, pc.Caller, note)
		if code := desk.ErrorCode(err); code != desk.ECONFLICT && code != desk.ENOTFOUND {
			if err != nil {
				return err
			}
			return recorded(pcall)
		}
	}
	pcall, err := s.pop.RecordCall(ctx, ticketID, pc.Caller, pc.Number, note)
	if err != nil {
		return err
	}
	return recorded(pcall)
}

// handlePopNote keeps the agent's note of a call as he types it (app.js
// posts it a moment after each keystroke): it becomes the note of the phone
// call recorded when he creates or changes a ticket from the pop.
func (s *Server) handlePopNote(w http.ResponseWriter, r *http.Request) error {
	call, _ := strconv.ParseInt(r.PostForm.Get(popCallField), 10, 64)
	key := cti.NoteKey(max(call, 0), r.PostForm.Get("pop_number"))
	if key == "" {
		return desk.Invalid("call", "error.pop_note_call")
	}
	if err := s.svc.PopNotes.SavePopNote(r.Context(), key, r.PostForm.Get("pop_note")); err != nil {
		return err
	}
	if r.Header.Get("Accept") == "application/json" { // app.js: no page to go back to
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	redirect(w, r, localPath(r.PostForm.Get("next")))
	return nil
}

// changeFromPop runs change, a change of ticket id (0: id is what change
// created), and records the pop's call on it, in one transaction; without a
// pop, change alone.
func (s *Server) changeFromPop(r *http.Request, pc *popContext, change func(ctx context.Context) (int64, error)) error {
	if pc == nil || s.pop == nil {
		_, err := change(r.Context())
		return err
	}
	return s.svc.Transactions.Atomically(r.Context(), func(ctx context.Context) error {
		id, err := change(ctx)
		if err != nil {
			return err
		}
		return s.recordPopCall(ctx, id, pc)
	})
}

// renderFragment executes the template name of view, without the layout, for
// the parts of pages that scripts replace.
func (s *Server) renderFragment(w http.ResponseWriter, r *http.Request, view, name string, data viewData) error {
	l := data.layout()
	l.Lang = s.lang(r)
	l.User = desk.UserFromContext(r.Context())
	t := s.views[l.Lang][view]
	if t == nil {
		return fmt.Errorf("render: no view %q", view)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", view, name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

// popCallField is the form field and parameter that carry the call of the
// call log from the pop to the forms it opens.
const popCallField = "pop_call"

// popCallID reads the call of the call log a pop's request carries: pop_call
// (the pop's forms and lists), or call (the pop's own URL); 0 for none.
func popCallID(r *http.Request) int64 {
	q := r.URL.Query()
	v := q.Get(popCallField)
	if v == "" {
		v = q.Get(cti.PopCallParam)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// popCall returns the call of the call log the pop's request names (see
// popCallID), when the user may see it; nil for none: a pop opened for a
// call that is gone still pops.
func (s *Server) popCall(r *http.Request) *desk.Call {
	id := popCallID(r)
	if id == 0 {
		return nil
	}
	c, err := s.svc.Calls.FindCallByID(r.Context(), id)
	if err != nil {
		if code := desk.ErrorCode(err); code != desk.ENOTFOUND && code != desk.EFORBIDDEN {
			s.log.Error("the call of the pop", "call", id, "err", err)
		}
		return nil
	}
	return c
}
