// Package cti holds the use cases of computer telephony integration: who is
// calling (this file), the screen pop, call events and phone call logging. It
// knows the desk services and nothing of HTTP: the pages, the REST API and
// the command line share it.
package cti

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The built-in lookup parameters: a phone system may send them in a URL
// without any configuration, as 4me's do.
const (
	// ParamRequest is a ticket's reference (R-000123) or id: its caller.
	ParamRequest = config.RequestParameter
	// ParamEmployeeNumber is a person's employee number, exactly.
	ParamEmployeeNumber = "employee_number"
	// ParamSupportID is a person's support id, exactly.
	ParamSupportID = "support_id"
	// ParamPhone is a phone number, matched as docs/architecture.md says.
	ParamPhone = "phone"
)

// DefaultLookupOrder is the order in which the parameters of a lookup are
// tried when the configuration sets none, as 4me does: the most precise
// first.
var DefaultLookupOrder = []string{ParamRequest, ParamEmployeeNumber, ParamSupportID, ParamPhone}

// paramAliases returns the other names phone systems give a built-in
// parameter: telephone (4me), employeeID and supportID (camel case). A
// parameter wins over its aliases.
func paramAliases(name string) []string {
	switch name {
	case ParamPhone:
		return []string{"telephone"}
	case ParamEmployeeNumber:
		return []string{"employeeID"}
	case ParamSupportID:
		return []string{"supportID"}
	}
	return nil
}

// ParamNames returns every parameter name a lookup with the built-in
// configuration reads from a URL, aliases included, sorted.
func ParamNames() []string {
	var names []string
	for _, name := range DefaultLookupOrder {
		names = append(names, name)
		names = append(names, paramAliases(name)...)
	}
	slices.Sort(names)
	return names
}

// CallerLookup finds who is calling from the parameters a phone system sends:
// the screen pop and the REST API both ask it, so that one URL finds the
// same callers in the same order everywhere. It follows the telephony
// configuration: url_parameters (which parameter holds which attribute),
// lookup_order (each given parameter is tried in turn, falling back to the
// next while one finds nobody, so that a stale ticket reference or an unknown
// employee number still lets the number find the caller) and
// caller_information.query (the configured query finds the callers of the
// parameters it uses).
type CallerLookup struct {
	// Config is the telephony configuration; nil: the built-in lookup
	// parameters in DefaultLookupOrder, found through the caller service.
	Config   *config.Config
	Services desk.Services
}

// MatchedByQuery is what found a caller that the configured caller query
// found by other means than his numbers (LookupResult.Matched and
// desk.CallerMatch.Attribute).
const MatchedByQuery = "caller_information"

// LookupParam is one parameter a lookup may find callers by.
type LookupParam struct {
	// Name is the parameter's name in the URL (configured, or built-in).
	Name string
	// Attribute is the Person attribute it holds, or ParamRequest.
	Attribute string
	// Value is as given; a number's leading space is the + of a URL
	// decoded once.
	Value string
}

// LookupInput is what a lookup reads from a URL.
type LookupInput struct {
	// Values are the parameters given (configured and lookup parameters),
	// by name: the placeholders of labels and presets, and the parameters
	// of the configured queries.
	Values map[string]string
	// Params are the parameters to find callers by, in lookup order.
	Params []LookupParam
}

// LookupResult is what a lookup found.
type LookupResult struct {
	// Values are LookupInput.Values.
	Values map[string]string
	// Matched is the parameter that found the callers, "" when none did;
	// MatchedByQuery when the configured query found them from parameters
	// that are not lookup parameters.
	Matched string
	// Value is the value of Matched, as given.
	Value string
	// Callers are the persons found, best first (see desk.CallerMatch). For
	// a request, the ticket's caller, with Attribute "request" and Stored
	// the ticket's reference.
	Callers []*desk.CallerMatch
	// Ticket is the ticket a request named, when it found the caller.
	Ticket *desk.Ticket
	// Tried lists the parameters tried, in order, Matched last.
	Tried []string
	// Invalid is, when nobody was found, the error of the first parameter
	// that could not be looked up (a number too short, a reference that is
	// not one), naming the parameter as its field; nil otherwise.
	Invalid error
}

// Number returns the phone number among the values: the first given lookup
// parameter that holds a phone attribute; "" when none does.
func (in *LookupInput) Number() string {
	for _, p := range in.Params {
		if isPhoneAttribute(p.Attribute) {
			return strings.TrimSpace(p.Value)
		}
	}
	return ""
}

func (l *CallerLookup) config() *config.Config {
	if l.Config == nil {
		return &config.Config{LookupOrder: DefaultLookupOrder}
	}
	return l.Config
}

// Lookup finds the callers of a URL's query (see Input and Find).
func (l *CallerLookup) Lookup(ctx context.Context, query url.Values) (*LookupResult, error) {
	in, err := l.Input(query)
	if err != nil {
		return nil, err
	}
	return l.Find(ctx, in)
}

// Input reads a lookup's parameters from a URL query: every configured URL
// parameter, and the built-in lookup parameters (with their aliases) that
// lookup_order names and the configuration does not. A configured parameter
// that the URL lacks, and that is not tried in lookup_order, is EINVALID
// naming it: the configured queries need it. So is a URL that gives nothing
// to find a caller by.
func (l *CallerLookup) Input(query url.Values) (*LookupInput, error) {
	cfg := l.config()
	get := func(name string) string {
		if v := query.Get(name); strings.TrimSpace(v) != "" {
			return v
		}
		for _, alias := range paramAliases(name) {
			if v := query.Get(alias); strings.TrimSpace(v) != "" {
				return v
			}
		}
		return ""
	}
	inOrder := func(up config.URLParameter) bool {
		return slices.Contains(cfg.LookupOrder, up.Name) || slices.Contains(cfg.LookupOrder, up.Attribute)
	}
	in := &LookupInput{Values: map[string]string{}}
	var missing []string
	for _, up := range cfg.URLParameters {
		v := get(up.Name)
		if v == "" && up.Name != up.Attribute {
			v = get(up.Attribute)
		}
		if v != "" {
			in.Values[up.Name] = v
		} else if !inOrder(up) {
			missing = append(missing, up.Name)
		}
	}
	if len(missing) > 0 {
		return nil, desk.Invalid(missing[0], "error.lookup_param_missing",
			strings.Join(missing, ", "))
	}
	order := cfg.LookupOrder
	if len(order) == 0 {
		order = DefaultLookupOrder
	}
	seen := map[string]bool{}
	add := func(name, attribute, value string) {
		if value != "" && !seen[name] {
			seen[name] = true
			in.Params = append(in.Params, LookupParam{Name: name, Attribute: attribute, Value: value})
		}
	}
	for _, name := range order {
		for _, up := range cfg.URLParameters {
			if up.Name == name || up.Attribute == name {
				add(up.Name, up.Attribute, in.Values[up.Name])
			}
		}
		if slices.Contains(DefaultLookupOrder, name) {
			if _, configured := cfg.URLParameter(name); !configured {
				v := get(name)
				add(name, name, v)
				if v != "" {
					in.Values[name] = v
				}
			}
		}
	}
	if len(in.Params) == 0 && len(in.Values) == 0 {
		var names []string
		for _, up := range cfg.URLParameters {
			names = append(names, up.Name)
		}
		for _, name := range order {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		return nil, desk.NewError(desk.EINVALID, "error.lookup_nothing_given",
			strings.Join(names, ", "))
	}
	return in, nil
}

// NumberInput returns the input of a lookup by a phone number alone, as a
// call event or a CRM lookup gives it: the number fills every configured
// parameter that holds a phone attribute (the built-in phone parameter when
// none does).
func (l *CallerLookup) NumberInput(number string) *LookupInput {
	in := &LookupInput{Values: map[string]string{}}
	for _, up := range l.config().URLParameters {
		if isPhoneAttribute(up.Attribute) {
			in.Values[up.Name] = number
			in.Params = append(in.Params, LookupParam{Name: up.Name, Attribute: up.Attribute, Value: number})
		}
	}
	if len(in.Params) == 0 {
		in.Values[ParamPhone] = number
		in.Params = []LookupParam{{Name: ParamPhone, Attribute: desk.AttrPhone, Value: number}}
	}
	return in
}

// Find finds the callers of in, trying its parameters in order. The user in
// ctx must be allowed to read persons; what he may not see is not found.
//
// A request finds the caller of the ticket it names, whatever its age. The
// configured caller query finds the callers of the parameters it uses (run
// once, with every value), ranked by how well their numbers match when the
// parameter holds a number; a number, an employee number, a support id or an
// email not used by the query is looked up through the caller service. A
// parameter whose value cannot be looked up falls back like one that finds
// nobody; Invalid tells the first such error. With no lookup parameter at
// all (only configured ones), the configured query is the lookup.
func (l *CallerLookup) Find(ctx context.Context, in *LookupInput) (*LookupResult, error) {
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPerson); err != nil {
		return nil, err
	}
	res := &LookupResult{Values: in.Values, Callers: []*desk.CallerMatch{}}
	queryRun := false
	for _, p := range in.Params {
		if l.queryUses(p.Name) {
			if queryRun {
				continue // the caller query uses every parameter at once
			}
			queryRun = true
		}
		if !isPhoneAttribute(p.Attribute) { // a number's leading space is its +
			p.Value = strings.TrimSpace(p.Value)
		}
		res.Tried = append(res.Tried, p.Name)
		matches, ticket, err := l.find(ctx, in, p)
		if code := desk.ErrorCode(err); code == desk.EINVALID {
			if res.Invalid == nil {
				res.Invalid = desk.WithField(err, p.Name)
			}
			continue
		} else if err != nil && code != desk.ENOTFOUND {
			return nil, err
		}
		if len(matches) > 0 {
			res.Matched, res.Value, res.Callers, res.Ticket, res.Invalid = p.Name, in.Values[p.Name], matches, ticket, nil
			if res.Value == "" {
				res.Value = p.Value
			}
			return res, nil
		}
	}
	if len(in.Params) == 0 && !queryRun && l.config().CallerInformation.Query != nil {
		matches, err := l.byQuery(ctx, in, LookupParam{})
		if err != nil && desk.ErrorCode(err) != desk.EINVALID {
			return nil, err
		}
		if len(matches) > 0 {
			res.Matched, res.Callers = MatchedByQuery, matches
		}
	}
	return res, nil
}

// find looks one parameter up. ENOTFOUND is finding nobody.
func (l *CallerLookup) find(ctx context.Context, in *LookupInput, p LookupParam) ([]*desk.CallerMatch, *desk.Ticket, error) {
	switch {
	case p.Attribute == ParamRequest:
		return l.byTicket(ctx, p.Value)
	case l.queryUses(p.Name):
		m, err := l.byQuery(ctx, in, p)
		return m, nil, err
	case isPhoneAttribute(p.Attribute):
		m, err := l.Services.Callers.FindCallersByNumber(ctx, p.Value)
		return m, nil, err
	case slices.Contains(desk.CallerAttributes, p.Attribute):
		m, err := l.Services.Callers.FindCallersByAttribute(ctx, p.Attribute, p.Value)
		return m, nil, err
	}
	return nil, nil, nil // an attribute only the configured query can use
}

// byTicket returns the caller of the ticket whose reference or id is ref.
func (l *CallerLookup) byTicket(ctx context.Context, ref string) ([]*desk.CallerMatch, *desk.Ticket, error) {
	id, ok := desk.ParseTicketRef(ref)
	if !ok {
		return nil, nil, desk.NewError(desk.EINVALID, "error.not_ticket_ref", ref)
	}
	t, err := l.Services.Tickets.FindTicketByID(ctx, id)
	if err != nil || t.CallerID == 0 {
		return nil, nil, err
	}
	person, err := l.Services.Persons.FindPersonByID(ctx, t.CallerID)
	if err != nil {
		return nil, nil, err
	}
	return []*desk.CallerMatch{{Person: person, Attribute: ParamRequest, Stored: t.Ref, Rank: 1}}, t, nil
}

// queryUses reports whether the configured caller query uses the parameter.
func (l *CallerLookup) queryUses(name string) bool {
	q := l.config().CallerInformation.Query
	if q == nil {
		return false
	}
	for _, qp := range q.Params() {
		if qp.Name == name {
			return true
		}
	}
	return false
}

// queryRuns reports whether the configured caller query takes part in the
// lookup of in: its results then depend on the reader himself, not only on
// his organizations.
func (l *CallerLookup) queryRuns(in *LookupInput) bool {
	if l.config().CallerInformation.Query == nil {
		return false
	}
	if len(in.Params) == 0 {
		return true
	}
	for _, p := range in.Params {
		if l.queryUses(p.Name) {
			return true
		}
	}
	return false
}

// byQuery runs caller_information.query with the input's values. When p holds
// a number, the callers the query finds are ranked as the caller service ranks
// them, by how well their numbers match (each with the number that matched),
// and those the number does not match come after, in the query's order.
func (l *CallerLookup) byQuery(ctx context.Context, in *LookupInput, p LookupParam) ([]*desk.CallerMatch, error) {
	q := l.config().CallerInformation.Query
	params := desk.QueryParams{}
	for _, qp := range q.Params() {
		if v, ok := in.Values[qp.Name]; ok {
			params[qp.Name] = v
		} else if qp.List {
			params[qp.Name] = []string{}
		} else {
			params[qp.Name] = ""
		}
	}
	// The number's own lookup ranks the callers, and tells a number too
	// short to match.
	var byNumber []*desk.CallerMatch
	var numberErr error
	if isPhoneAttribute(p.Attribute) {
		byNumber, numberErr = l.Services.Callers.FindCallersByNumber(ctx, p.Value)
		if numberErr != nil && desk.ErrorCode(numberErr) != desk.EINVALID {
			return nil, numberErr
		}
	}
	// The objects hold what a caller shows, no more: each derived name is a
	// lookup per object.
	objs, err := l.Services.Queries.FindObjects(ctx, q.Columns(personAttributes...), params, ListLimit)
	if err != nil {
		return nil, err
	} else if len(objs) == 0 {
		return nil, numberErr
	}
	found := make(map[int64]bool, len(objs))
	for _, o := range objs {
		found[o.ID] = true
	}
	var ranked []*desk.CallerMatch
	for _, m := range byNumber {
		if found[m.Person.ID] {
			ranked = append(ranked, m)
			delete(found, m.Person.ID)
		}
	}
	desk.Rerank(ranked)
	for _, o := range objs {
		if found[o.ID] {
			ranked = append(ranked, &desk.CallerMatch{Person: personFromObject(o), Attribute: MatchedByQuery,
				Rank: len(ranked) + 1})
		}
	}
	return ranked, nil
}

// personAttributes are the attributes of the persons the callers query
// finds that personFromObject reads: those of a caller the lookup by number
// reads too.
var personAttributes = []string{"first_name", "name", "org_id", "org_name", "location_id", "location_name", "email",
	"phone", "mobile_phone", "home_phone", "employee_number", "support_id", "function", "status", "manager_id"}

// personFromObject returns the person a query found.
func personFromObject(o *desk.Object) *desk.Person {
	s := func(attr string) string { v, _ := o.Value(attr).(string); return v }
	n := func(attr string) int64 { v, _ := o.Value(attr).(int64); return v }
	return &desk.Person{ID: o.ID, FirstName: s("first_name"), Name: s("name"), OrgID: n("org_id"),
		OrgName: s("org_name"), LocationID: n("location_id"), LocationName: s("location_name"), Email: s("email"),
		Phone: s("phone"), MobilePhone: s("mobile_phone"), HomePhone: s("home_phone"),
		EmployeeNumber: s("employee_number"), SupportID: s("support_id"), Function: s("function"), Status: s("status"),
		ManagerID: n("manager_id")}
}

func isPhoneAttribute(attribute string) bool { return slices.Contains(desk.PhoneAttributes, attribute) }
