package cti

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// RecentTickets is how many of the caller's latest tickets a request
// parameter is looked for in, as 4me does: an older ticket is not opened.
const RecentTickets = 50

// ListLimit bounds the objects of one ticket list of the pop, and the
// callers it shows.
const ListLimit = 100

// ListRows is the number of tickets a list of the pop shows at first, the
// newest: enough to recognise what the caller has open; the agent asks for
// the rest (up to ListLimit). Each row costs the pop time (docs/performance.md).
const ListRows = 20

// Pop is the screen pop use case: from the parameters a phone system puts in
// the pop URL, who is calling (the CallerLookup the API shares), what the
// agent may create for them, with what preset, and which tickets to show. It
// follows the telephony configuration, as iTop's extension does, and 4me's
// fallback from one lookup parameter to the next.
type Pop struct {
	Config   *config.Config
	Services desk.Services
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// Lookup returns the caller lookup of the pop's configuration.
func (p *Pop) Lookup() *CallerLookup {
	return &CallerLookup{Config: p.Config, Services: p.Services}
}

// Caller is a person found for a call.
type Caller struct {
	ID    int64
	OrgID int64
	// Display is the caller as caller_information.display_name shows him:
	// "Alice Martin, Alpha Corp".
	Display string
	// Attribute is what found the caller: phone, mobile_phone, employee_number,
	// request...
	Attribute string
	// Match is how the lookup found him.
	Match *desk.CallerMatch
}

// PopResult is what the pop shows when it opens.
type PopResult struct {
	// Values are the pop's parameters as given (configured and lookup
	// parameters), by name; they are the placeholders of labels and presets
	// ($phone$) besides $datetime$.
	Values map[string]string
	// Number is the number that rang, when one was given.
	Number string
	// CallerLabel is caller_information.label in the user's language, its
	// placeholders expanded, when it tells how the callers were found: they
	// were found by a number (or the configured query) and every
	// placeholder of the label has a value. Otherwise it is "" and Legend
	// tells.
	CallerLabel string
	// Legend is the message key of the built-in legend (pop.found_by.*:
	// number, employee number, support id, request, email) and LegendValue
	// the value it names, when CallerLabel is "".
	Legend, LegendValue string
	Callers             []*Caller
	// Matched is the parameter that found the callers; "" when nobody was.
	Matched string
	// Invalid is, when nobody was found, why the first parameter that could
	// not be looked up was not (a number too short to match); nil otherwise.
	Invalid error
	// Request is the ticket a request parameter named, opened beside the
	// lists when it is among its caller's latest tickets.
	Request *desk.Ticket
	// Direct is the class whose creation form opens at once (the first
	// enabled direct_creation entry), "" when none.
	Direct string
	// Offers are the classes the agent may create from the pop, in the
	// configured order, those the user may not create left out.
	Offers []string
}

// Selected returns the caller preset in a creation form: the ticket's caller
// for a request, else the first caller found, else nobody (0).
func (r *PopResult) Selected() int64 {
	if len(r.Callers) > 0 {
		return r.Callers[0].ID
	}
	return 0
}

// CallerIDs returns the ids of the callers found.
func (r *PopResult) CallerIDs() []int64 {
	ids := make([]int64, len(r.Callers))
	for i, c := range r.Callers {
		ids[i] = c.ID
	}
	return ids
}

// Open resolves a pop URL's query for the user in ctx: the callers of the
// lookup (see CallerLookup), and the ticket a request named when it is among
// its caller's RecentTickets latest, as 4me opens it.
func (p *Pop) Open(ctx context.Context, query url.Values) (*PopResult, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	lookup := p.Lookup()
	in, err := lookup.Input(query)
	if err != nil {
		return nil, err
	}
	found, err := lookup.Find(ctx, in)
	if err != nil {
		return nil, err
	}
	cfg := p.Config
	res := &PopResult{Values: in.Values, Number: in.Number(), Matched: found.Matched, Invalid: found.Invalid,
		Callers: make([]*Caller, 0, len(found.Callers))}
	p.legend(res, found, in, user.Language)
	for _, m := range found.Callers {
		res.Callers = append(res.Callers, p.caller(m))
	}
	if t := found.Ticket; t != nil {
		if res.Request, err = p.recentTicket(ctx, t); err != nil {
			return nil, err
		}
	}
	if cr, ok := cfg.FirstDirectCreation(); ok && user.Can(desk.ActionCreate, cr.Class) {
		res.Direct = cr.Class
	}
	for _, cr := range cfg.IndirectCreations() {
		if user.Can(desk.ActionCreate, cr.Class) {
			res.Offers = append(res.Offers, cr.Class)
		}
	}
	return res, nil
}

// legend sets how the pop says the callers were found: the configured label
// when the callers were found by a number (or by the configured query) and
// the label has a value for each of its placeholders; else the built-in
// legend of the parameter that found them, or of the number given.
func (p *Pop) legend(res *PopResult, found *LookupResult, in *LookupInput, lang string) {
	attribute := ""
	for _, lp := range in.Params {
		if lp.Name == found.Matched {
			attribute = lp.Attribute
		}
	}
	byNumber := found.Matched == "" || found.Matched == MatchedByQuery || isPhoneAttribute(attribute)
	if byNumber {
		label := p.Config.CallerInformation.Label.For(lang)
		values := p.placeholders(in.Values)
		complete := true
		for _, name := range config.Placeholders(label) {
			if values[name] == "" {
				complete = false
			}
		}
		if complete && label != "" {
			res.CallerLabel = config.Expand(label, values)
			return
		}
	}
	switch {
	case attribute == ParamRequest:
		res.Legend, res.LegendValue = "pop.found_by.request", found.Value
		if found.Ticket != nil {
			res.LegendValue = found.Ticket.Ref
		}
	case attribute == ParamEmployeeNumber, attribute == ParamSupportID, attribute == desk.AttrEmail:
		res.Legend, res.LegendValue = "pop.found_by."+attribute, strings.TrimSpace(found.Value)
	case res.Number != "":
		res.Legend, res.LegendValue = "pop.found_by.phone", res.Number
	default:
		res.Legend = "pop.found_by.nothing"
	}
}

// recentTicket returns t when it is among its caller's RecentTickets latest,
// else nil: an older ticket is not opened.
func (p *Pop) recentTicket(ctx context.Context, t *desk.Ticket) (*desk.Ticket, error) {
	callerID := t.CallerID
	recent, _, err := p.Services.Tickets.FindTickets(ctx, desk.TicketFilter{CallerID: &callerID, Limit: RecentTickets})
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(recent, func(r *desk.Ticket) bool { return r.ID == t.ID }) {
		return nil, nil
	}
	return t, nil
}

// placeholders returns the values of $name$ in labels and presets.
func (p *Pop) placeholders(values map[string]string) map[string]string {
	q := url.Values{}
	for k, v := range values {
		q.Set(k, v)
	}
	out := p.Config.PlaceholderValues(q, p.now())
	for k, v := range values {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	// A parameter the URL lacks shows as nothing, never as $name$.
	for _, up := range p.Config.URLParameters {
		if _, ok := out[up.Name]; !ok {
			out[up.Name] = ""
		}
	}
	if _, ok := out["phone"]; !ok {
		out["phone"] = ""
	}
	return out
}

func (p *Pop) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// caller returns the Caller of a person the lookup found.
func (p *Pop) caller(m *desk.CallerMatch) *Caller {
	return &Caller{ID: m.Person.ID, OrgID: m.Person.OrgID, Display: p.display(personObject(m.Person)),
		Attribute: m.Attribute, Match: m}
}

// display joins the caller's display_name attributes that are set.
func (p *Pop) display(o *desk.Object) string {
	names := p.Config.CallerInformation.DisplayName
	if len(names) == 0 {
		names = []string{"friendlyname"}
	}
	var parts []string
	for _, name := range names {
		var v any
		if name == "friendlyname" {
			v = o.FriendlyName
		} else {
			v = o.Value(name)
		}
		switch x := v.(type) {
		case string:
			if x != "" {
				parts = append(parts, x)
			}
		case int64:
			parts = append(parts, strconv.FormatInt(x, 10))
		case nil:
		default:
			parts = append(parts, fmt.Sprint(x))
		}
	}
	if len(parts) == 0 {
		return o.FriendlyName
	}
	return strings.Join(parts, ", ")
}

// personObject returns a person as a query would have found it.
func personObject(p *desk.Person) *desk.Object {
	o := &desk.Object{Class: desk.ClassPerson, ID: p.ID, FriendlyName: p.FriendlyName()}
	o.Values = append(o.Values, []desk.ObjectValue{
		{Attribute: "first_name", Value: p.FirstName}, {Attribute: "name", Value: p.Name},
		{Attribute: "org_id", Value: p.OrgID}, {Attribute: "org_name", Value: p.OrgName},
		{Attribute: "location_id", Value: p.LocationID}, {Attribute: "location_name", Value: p.LocationName},
		{Attribute: "email", Value: p.Email}, {Attribute: "phone", Value: p.Phone},
		{Attribute: "mobile_phone", Value: p.MobilePhone}, {Attribute: "home_phone", Value: p.HomePhone},
		{Attribute: "employee_number", Value: p.EmployeeNumber}, {Attribute: "support_id", Value: p.SupportID},
		{Attribute: "function", Value: p.Function}, {Attribute: "status", Value: p.Status},
	}...)
	return o
}

// ListAttributes returns the attributes the objects of a list hold, besides
// their id, friendly name and class: what an agent on the phone reads of
// each ticket.
func ListAttributes() []string {
	return []string{"title", "caller_id", "caller_name", "status", "start_date", "last_update", "agent_name", "priority"}
}

// TicketList is one list of display_tickets as the pop shows it.
type TicketList struct {
	Name string
	// Label is the list's label in the user's language, placeholders
	// expanded.
	Label   string
	Class   string
	Objects []*desk.Object
	// Total is the number of objects the list's query finds: more than
	// Objects when the rows asked for leave some out. The count stops at
	// desk.CountCap: More tells that the query finds more than Total.
	Total int
	More  bool
}

// Lists returns the enabled display_tickets lists for the selected callers
// (one, or all those found); none for the unknown contact (no callers).
// values are the pop's parameters (PopResult.Values). Each list holds its
// newest objects, rows of them (at most ListLimit), and counts them all.
// Every list runs as the user in ctx, within his organizations.
func (p *Pop) Lists(ctx context.Context, callers []int64, values map[string]string, rows int) ([]*TicketList, error) {
	if len(callers) == 0 {
		return []*TicketList{}, nil
	}
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	rows = min(max(rows, 1), ListLimit)
	placeholders := p.placeholders(values)
	this := p.requestObject(values)
	var out []*TicketList
	for _, l := range p.Config.TicketLists() {
		if l.Query == nil {
			continue
		}
		params := desk.QueryParams{}
		if len(l.Query.ThisAttributes()) > 0 {
			if this == nil {
				continue // a list of the ticket a pop was opened for, and there is none
			}
			params[desk.ParamThis] = this
		}
		for _, qp := range l.Query.Params() {
			switch qp.Name {
			case config.ParamCallersList:
				params[qp.Name] = callers
			case config.ParamSelectedCaller:
				params[qp.Name] = callers[0]
			default:
				params[qp.Name] = values[qp.Name]
			}
		}
		// The objects hold what the lists show, no more: each derived
		// name is a lookup per object.
		// Newest activity first: what moves is what the caller calls about.
		q := l.Query.Columns(ListAttributes()...).OrderedBy("last_update", true)
		objs, total, err := p.Services.Queries.FindObjectsTotal(ctx, q, params, rows)
		if code := desk.ErrorCode(err); code == desk.EFORBIDDEN {
			continue // a list of a class the user may not read is not shown
		} else if err != nil {
			return nil, fmt.Errorf("ticket list %s: %w", l.Name, err)
		}
		more := total > desk.CountCap
		if more {
			total = desk.CountCap
		}
		out = append(out, &TicketList{Name: l.Name, Label: config.Expand(l.Label.For(user.Language), placeholders),
			Class: l.Query.Class().Name, Objects: objs, Total: total, More: more})
	}
	return out, nil
}

// Prefill is the initial content of a creation form opened from the pop.
type Prefill struct {
	Class string
	// Values are the preset attribute values: an int64 for ids and numbers,
	// else a string.
	Values map[string]any
	// Logs are the entries the presets add to log attributes, by log.
	Logs map[string]string
}

// ID returns the preset value of an id attribute, or 0.
func (f *Prefill) ID(attribute string) int64 {
	n, _ := f.Values[attribute].(int64)
	return n
}

// String returns the preset value of a text attribute, or "".
func (f *Prefill) String(attribute string) string {
	switch v := f.Values[attribute].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// Prefill returns the presets of the creation of class from the pop
// (direct_creation when direct, else indirect_creation) for the selected
// caller (0: the unknown contact): literals with their placeholders expanded,
// parameters, and external keys found by their queries. A preset that finds
// nothing (no caller selected, a query without result) is left unset.
func (p *Pop) Prefill(ctx context.Context, class string, direct bool, selected int64, values map[string]string) (*Prefill, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	entries := p.Config.IndirectCreations()
	if direct {
		cr, ok := p.Config.FirstDirectCreation()
		entries = nil
		if ok {
			entries = []config.Creation{cr}
		}
	}
	i := slices.IndexFunc(entries, func(cr config.Creation) bool { return cr.Class == class })
	if i < 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.pop_no_creation", class)
	}
	if err := desk.Authorize(ctx, desk.ActionCreate, class); err != nil {
		return nil, err
	}
	placeholders := p.placeholders(values)
	this := p.requestObject(values)
	params := func(name string) any {
		switch name {
		case config.ParamSelectedCaller:
			if selected == 0 {
				return nil
			}
			return selected
		case config.ParamCallersList:
			if selected == 0 {
				return []int64{}
			}
			return []int64{selected}
		case config.ParamCurrentUser, config.ParamCurrentUserID:
			return user.ID
		case config.ParamCurrentContact, config.ParamCurrentContactID:
			if user.ContactID == 0 {
				return nil
			}
			return user.ContactID
		}
		if v, ok := values[name]; ok {
			return v
		}
		return nil
	}
	f := &Prefill{Class: class, Values: map[string]any{}, Logs: map[string]string{}}
	for _, pr := range entries[i].Preset {
		var v any
		switch pr.Kind {
		case config.PresetText:
			v = pr.Text(placeholders)
		case config.PresetParam:
			v = params(pr.Value)
		case config.PresetQuery:
			qp := desk.QueryParams{}
			missing := len(pr.Query.ThisAttributes()) > 0 && this == nil
			if !missing && this != nil {
				qp[desk.ParamThis] = this
			}
			for _, name := range pr.Query.Params() {
				x := params(name.Name)
				if x == nil {
					missing = true
					break
				}
				qp[name.Name] = x
			}
			if missing {
				continue
			}
			objs, err := p.Services.Queries.FindObjects(ctx, pr.Query, qp, 1)
			if err != nil {
				return nil, fmt.Errorf("preset %s of %s: %w", pr.Attribute, class, err)
			}
			if len(objs) > 0 {
				v = objs[0].ID
			}
		}
		if v == nil {
			continue
		}
		if pr.AppendsLog() {
			if s := fmt.Sprint(v); s != "" {
				f.Logs[pr.Attribute] = s
			}
			continue
		}
		f.Values[pr.Attribute] = typedPreset(pr.Type, v)
	}
	return f, nil
}

// requestObject returns the object in context of the pop's queries
// (:this): the ticket its request parameter names, or nil. The store reads
// it within the user's organizations.
func (p *Pop) requestObject(values map[string]string) *desk.Object {
	name := ParamRequest
	for _, up := range p.Config.URLParameters {
		if up.Attribute == config.RequestParameter {
			name = up.Name
		}
	}
	id, ok := desk.ParseTicketRef(values[name])
	if !ok {
		return nil
	}
	return &desk.Object{Class: desk.ClassTicket, ID: id}
}

// typedPreset converts a preset value to its attribute's type: an int64 for
// ids, keys and numbers (unset when it is not one), else a string.
func typedPreset(t desk.AttributeType, v any) any {
	switch t {
	case desk.TypeExtKey, desk.TypeID, desk.TypeInt:
		switch x := v.(type) {
		case int64:
			return x
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n
			}
			if id, ok := desk.ParseTicketRef(x); ok {
				return id
			}
		}
		return nil
	}
	return fmt.Sprint(v)
}

// RecordCall records the inbound call of the pop on a ticket created or
// modified from it: contact the selected caller (0: unknown), agent the
// user's contact, the number that rang, and the agent's note of the call. A second change of the same ticket
// during the same call (same agent and number, within CallWindow) records
// nothing more. A user without a contact person records nothing: a phone
// call needs its agent.
func (p *Pop) RecordCall(ctx context.Context, ticketID, contactID int64, number, note string) (*desk.PhoneCall, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	if user.ContactID == 0 || ticketID == 0 {
		return nil, nil
	}
	now := p.now()
	from := now.Add(-CallWindow)
	agent := user.ContactID
	recent, _, err := p.Services.PhoneCalls.FindPhoneCalls(ctx, desk.PhoneCallFilter{TicketID: &ticketID, AgentID: &agent,
		Flow: desk.FlowInbound, From: &from, Limit: 20})
	if err != nil {
		return nil, err
	}
	number = strings.TrimSpace(number)
	for _, c := range recent {
		if c.Number == number && c.ContactID == contactID {
			return c, nil
		}
	}
	call := &desk.PhoneCall{ContactID: contactID, AgentID: agent, TicketID: ticketID, Date: now, Flow: desk.FlowInbound,
		Number: number, Note: note}
	if err := p.Services.PhoneCalls.CreatePhoneCall(ctx, call); err != nil {
		return nil, err
	}
	return call, nil
}

// CallWindow is how long changes of one ticket from one pop count as the
// same call.
const CallWindow = 30 * time.Minute

// NoteKey names the call of a pop for its agent's note (desk.PopNote): the
// call of the call log when the pop knows it, else the number that rang.
func NoteKey(call int64, number string) string {
	if call != 0 {
		return "call:" + strconv.FormatInt(call, 10)
	}
	var digits strings.Builder
	for _, r := range number {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	if digits.Len() == 0 {
		return ""
	}
	return "number:" + digits.String()
}
