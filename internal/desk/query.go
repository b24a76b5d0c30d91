package desk

import "context"

// Query is a parsed query of the OQL subset (docs/oql.md), ready to be
// run many times. internal/oql provides it; the store runs it.
type Query interface {
	// Text returns the query as written.
	Text() string
	// SelectedClass returns the class of the objects the query returns.
	SelectedClass() *Class
}

// QueryParams are the values of a query's named parameters, by name without
// the colon: a string, an int64, or a []string or []int64 for a list
// (:callers_list). :current_user and :current_contact (and iTop's names
// :current_user_id and :current_contact_id) come from the context.
// ParamThis, when set, is the object in context.
type QueryParams map[string]any

// ParamThis is the entry of QueryParams that gives the object in context, a
// *Object (its Class and ID), whose attributes a query names :this->org_id:
// the ticket of a pop opened for a request. A query that uses :this runs
// only with one.
const ParamThis = "this"

// Object is one object a query found.
type Object struct {
	// Class is the object's own class: UserRequest rather than Ticket.
	Class        string
	ID           int64
	FriendlyName string
	// Values holds the readable attributes of Class in their order (logs
	// excepted): string, int64, time.Time, or nil when not set.
	Values []ObjectValue
}

// ObjectValue is the value of one attribute of an Object.
type ObjectValue struct {
	Attribute string
	Value     any
}

// Value returns the value of attribute, or nil.
func (o *Object) Value(attribute string) any {
	for _, v := range o.Values {
		if v.Attribute == attribute {
			return v.Value
		}
	}
	return nil
}

// QueryService runs queries of the OQL subset within the organization scope
// of the user in ctx, who must be allowed to read every class the query
// names.
type QueryService interface {
	// FindObjects returns the objects q selects with params, at most limit
	// (0: no limit), in the class's natural order: persons and organizations
	// by name, tickets and phone calls newest first. A parameter the query
	// uses and params lacks is EINVALID.
	FindObjects(ctx context.Context, q Query, params QueryParams, limit int) ([]*Object, error)
	// FindObjectsTotal is FindObjects (limit above 0), and returns too the
	// number of objects q selects in all, as without the limit, counted up
	// to CountCap+1: a total above CountCap means "more than CountCap".
	FindObjectsTotal(ctx context.Context, q Query, params QueryParams, limit int) ([]*Object, int, error)
}

// CountCap is where FindObjectsTotal stops counting. A list of an
// organization's open tickets shows its 20 newest "of 1,000+" rather than
// reading the organization's whole history to count it: the count reads at
// most CountCap+1 index entries, whatever the history.
const CountCap = 1000
