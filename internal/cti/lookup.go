// Package cti holds the use cases of computer telephony integration: who is
// calling (this file), and, as they come, the screen pop, call events and
// phone call logging. It knows the desk services and nothing of HTTP: the REST
// API, the screen pop and the command line share it.
package cti

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Caller lookup parameters, as a phone system sends them in a URL (DESIGN.md
// sections 6 and 7).
const (
	// ParamRequest is a ticket's reference (R-000123) or id: its caller.
	ParamRequest = "request"
	// ParamEmployeeNumber is a person's employee number, exactly.
	ParamEmployeeNumber = "employee_number"
	// ParamSupportID is a person's support id, exactly.
	ParamSupportID = "support_id"
	// ParamPhone is a phone number, matched as DESIGN.md section 4 says.
	ParamPhone = "phone"
)

// DefaultLookupOrder is the order in which the parameters of a lookup are
// tried, as 4me does: the most precise first.
var DefaultLookupOrder = []string{ParamRequest, ParamEmployeeNumber, ParamSupportID, ParamPhone}

// paramAliases maps the other names phone systems use to the parameters:
// telephone (4me), employeeID and supportID (camel case).
var paramAliases = map[string]string{
	"telephone":  ParamPhone,
	"employeeID": ParamEmployeeNumber,
	"supportID":  ParamSupportID,
}

// LookupParams are the values a lookup was given, by parameter; an empty
// value is not given.
type LookupParams map[string]string

// ParamsFromQuery reads the lookup parameters, and their aliases, from a URL
// query. A parameter wins over its alias; other parameters are ignored.
func ParamsFromQuery(q url.Values) LookupParams {
	p := LookupParams{}
	for _, name := range DefaultLookupOrder {
		if v := q.Get(name); strings.TrimSpace(v) != "" {
			p[name] = v
		}
	}
	for alias, name := range paramAliases {
		if v := q.Get(alias); strings.TrimSpace(v) != "" && p[name] == "" {
			p[name] = v
		}
	}
	return p
}

// ParamNames returns every parameter name a lookup reads from a URL query,
// aliases included, sorted.
func ParamNames() []string {
	names := slices.Clone(DefaultLookupOrder)
	for alias := range paramAliases {
		names = append(names, alias)
	}
	slices.Sort(names)
	return names
}

// CallerLookup finds who is calling from the parameters a phone system sends.
// It tries each given parameter in Order and falls back to the next while one
// finds nobody, so that a stale ticket reference or an employee number the
// directory lacks still lets the number find the caller.
type CallerLookup struct {
	Callers desk.CallerService
	Persons desk.PersonService
	Tickets desk.TicketService
	// Order is the order the parameters are tried in; nil is
	// DefaultLookupOrder. The telephony configuration (lookup_order) sets it.
	Order []string
}

// LookupResult is what a lookup found.
type LookupResult struct {
	// Matched is the parameter that found the callers, "" when none did.
	Matched string
	// Value is the value of Matched, as given.
	Value string
	// Callers are the persons found, best first (see desk.CallerMatch). For
	// request, the ticket's caller, with Attribute "request" and Stored the
	// ticket's reference.
	Callers []*desk.CallerMatch
	// Ticket is the ticket request named, when it found the caller.
	Ticket *desk.Ticket
	// Tried lists the parameters tried, in order, Matched last.
	Tried []string
}

// Lookup finds the callers of the parameters in p, trying them in l.Order.
// The user in ctx must be allowed to read persons; what he may not see is
// not found. Without any parameter it is EINVALID. A parameter whose value
// cannot be looked up (a number too short, a reference that is not one) falls
// back like one that finds nobody; when no parameter finds anyone, the first
// such error is returned, naming its parameter as the field, and otherwise the
// result has no caller.
func (l *CallerLookup) Lookup(ctx context.Context, p LookupParams) (*LookupResult, error) {
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPerson); err != nil {
		return nil, err
	}
	order := l.Order
	if order == nil {
		order = DefaultLookupOrder
	}
	res := &LookupResult{Callers: []*desk.CallerMatch{}}
	var invalid error
	for _, name := range order {
		value := p[name]
		if strings.TrimSpace(value) == "" {
			continue
		}
		if name != ParamPhone { // a number's leading space is the + of a URL decoded once
			value = strings.TrimSpace(value)
		}
		res.Tried = append(res.Tried, name)
		matches, ticket, err := l.find(ctx, name, value)
		if code := desk.ErrorCode(err); code == desk.EINVALID {
			if invalid == nil {
				invalid = &desk.Error{Code: desk.EINVALID, Field: name, Message: desk.ErrorMessage(err)}
			}
			continue
		} else if err != nil && code != desk.ENOTFOUND {
			return nil, err
		}
		if len(matches) > 0 {
			res.Matched, res.Value, res.Callers, res.Ticket = name, p[name], matches, ticket
			return res, nil
		}
	}
	if len(res.Tried) == 0 {
		return nil, desk.Errorf(desk.EINVALID, "Give at least one of %s.", strings.Join(order, ", "))
	}
	if invalid != nil {
		return nil, invalid
	}
	return res, nil
}

// find looks up one parameter. ENOTFOUND is finding nobody.
func (l *CallerLookup) find(ctx context.Context, name, value string) ([]*desk.CallerMatch, *desk.Ticket, error) {
	switch name {
	case ParamPhone:
		m, err := l.Callers.FindCallersByNumber(ctx, value)
		return m, nil, err
	case ParamEmployeeNumber:
		m, err := l.Callers.FindCallersByAttribute(ctx, desk.AttrEmployeeNumber, value)
		return m, nil, err
	case ParamSupportID:
		m, err := l.Callers.FindCallersByAttribute(ctx, desk.AttrSupportID, value)
		return m, nil, err
	case ParamRequest:
		return l.findByTicket(ctx, value)
	}
	return nil, nil, desk.Errorf(desk.EINVALID, "Unknown lookup parameter %q.", name)
}

// findByTicket returns the caller of the ticket whose reference or id is ref.
func (l *CallerLookup) findByTicket(ctx context.Context, ref string) ([]*desk.CallerMatch, *desk.Ticket, error) {
	id, ok := desk.ParseTicketRef(ref)
	if !ok {
		return nil, nil, desk.Errorf(desk.EINVALID, "%q is not a ticket reference or id.", ref)
	}
	t, err := l.Tickets.FindTicketByID(ctx, id)
	if err != nil || t.CallerID == 0 {
		return nil, nil, err
	}
	p, err := l.Persons.FindPersonByID(ctx, t.CallerID)
	if err != nil {
		return nil, nil, err
	}
	return []*desk.CallerMatch{{Person: p, Attribute: ParamRequest, Stored: t.Ref, Rank: 1}}, t, nil
}
