package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// 3CX's server-side CRM integration (docs/integrations/3cx-crm-template.xml):
// the PBX asks who a number is when a call rings (the template's scenario
// Id=""), and journals each call when it ends (scenario Id="ReportCall").
// Both endpoints speak what the template maps, in 3CX's own terms.

func (s *Server) api3CXRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/3cx/lookup", s.api3CXLookup},
		{http.MethodPost, "/api/v1/3cx/calls", s.api3CXReportCall},
	}
}

// max3CXContacts bounds the contacts one lookup gives 3CX, best first: a
// switchboard number may be shared by a whole company.
const max3CXContacts = 10

// api3CXContact is a contact as the template's outputs read it.
type api3CXContact struct {
	ID            int64  `json:"id"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Company       string `json:"company"`
	Email         string `json:"email"`
	PhoneBusiness string `json:"phone_business"`
	PhoneMobile   string `json:"phone_mobile"`
	PhoneHome     string `json:"phone_home"`
	// ContactURL opens ctidesk's screen pop for the number, this contact
	// selected.
	ContactURL string `json:"contact_url"`
}

// api3CXLookupAnswer is the answer of the lookup.
type api3CXLookupAnswer struct {
	Contacts []api3CXContact `json:"contacts"`
}

// api3CXLookup answers 3CX's contact lookup: the persons the number finds,
// best first, at most max3CXContacts. A number too short to match (an
// internal extension) finds nobody rather than failing, since 3CX looks up
// every call.
func (s *Server) api3CXLookup(w http.ResponseWriter, r *http.Request) error {
	number := r.URL.Query().Get("number")
	if strings.TrimSpace(number) == "" {
		return desk.Invalid("number", "error.lookup_number_missing")
	}
	ans := api3CXLookupAnswer{Contacts: []api3CXContact{}}
	res, err := s.lookup.Find(r.Context(), s.lookup.NumberInput(number))
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	for _, m := range res.Callers[:min(len(res.Callers), max3CXContacts)] {
		p := m.Person
		ans.Contacts = append(ans.Contacts, api3CXContact{
			ID: p.ID, FirstName: p.FirstName, LastName: p.Name, Company: p.OrgName, Email: p.Email,
			PhoneBusiness: p.Phone, PhoneMobile: p.MobilePhone, PhoneHome: p.HomePhone,
			ContactURL: popURL(base, cti.ParamPhone, number, p.ID),
		})
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// threeCXValue is a value of the journaling request: 3CX posts strings, a
// hand-written template may post numbers.
type threeCXValue string

// UnmarshalJSON accepts a string, a number, or null.
func (v *threeCXValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = threeCXValue(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: typeOfString}
	}
	*v = threeCXValue(n.String())
	return nil
}

// api3CXCall is the body of ReportCall, as the template posts it (JSON, or
// a form with the same keys). Unknown keys are ignored: an administrator may
// add values to the template.
type api3CXCall struct {
	CallType       threeCXValue `json:"call_type"`      // [CallType]: Inbound, Outbound, Missed, Notanswered
	CallDirection  threeCXValue `json:"call_direction"` // [CallDirection]: Inbound, Outbound
	Number         threeCXValue `json:"number"`         // [Number]
	Name           threeCXValue `json:"name"`           // [Name]
	Agent          threeCXValue `json:"agent"`          // [Agent]: the extension
	AgentEmail     threeCXValue `json:"agent_email"`    // [AgentEmail]
	AgentFirstName threeCXValue `json:"agent_first_name"`
	AgentLastName  threeCXValue `json:"agent_last_name"`
	Duration       threeCXValue `json:"duration"`    // [Duration]: hh:mm:ss
	DateTime       threeCXValue `json:"date_time"`   // [DateTime]: local time, not used
	StartUTC       threeCXValue `json:"start_utc"`   // [CallStartTimeUTC]
	EndUTC         threeCXValue `json:"end_utc"`     // [CallEndTimeUTC]
	EntityID       threeCXValue `json:"entity_id"`   // [EntityId]: the id the lookup gave
	EntityType     threeCXValue `json:"entity_type"` // [EntityType]
	Queue          threeCXValue `json:"queue"`       // [QueueExtension]
}

// api3CXReportCall records the call 3CX journals as a PhoneCall not tied to
// a ticket yet (201), or answers the record of the same call posted before
// (200): inbound for Inbound and Missed calls, outbound for Outbound
// and Notanswered ones. The contact is the EntityId the lookup gave, or else
// the one best match of the number; the agent is the person whose email is
// AgentEmail, or else the token user's contact.
func (s *Server) api3CXReportCall(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionCreate, desk.ClassPhoneCall); err != nil {
		return err
	}
	var in api3CXCall
	if err := decode3CXCall(r, &in); err != nil {
		return err
	}
	c := &desk.PhoneCall{Number: strings.TrimSpace(string(in.Number))}
	kind := strings.ToLower(strings.TrimSpace(string(in.CallType)))
	if kind == "" {
		kind = strings.ToLower(strings.TrimSpace(string(in.CallDirection)))
	}
	switch kind {
	case "inbound", "missed":
		c.Flow = desk.FlowInbound
	case "outbound", "notanswered", "unanswered":
		c.Flow = desk.FlowOutbound
	default:
		return desk.Invalid("call_type", "error.call_type_3cx")
	}
	var err error
	if c.Duration, err = parse3CXDuration(string(in.Duration)); err != nil {
		return err
	}
	c.Date = parse3CXTime(string(in.StartUTC))
	if c.Date.IsZero() {
		if end := parse3CXTime(string(in.EndUTC)); !end.IsZero() {
			c.Date = end.Add(-time.Duration(c.Duration) * time.Second)
		} else {
			c.Date = s.now().Add(-time.Duration(c.Duration) * time.Second)
		}
	}
	if c.ContactID, err = s.threeCXContact(r, in); err != nil {
		return err
	}
	if c.AgentID, err = s.threeCXAgent(r, in); err != nil {
		return err
	}
	c.Note = threeCXNote(in)
	if started := parse3CXTime(string(in.StartUTC)); !started.IsZero() {
		// 3CX gives no call id, and may post a call again: the same start,
		// direction, number and agent is the same call.
		if old, err := s.threeCXRecorded(r, c); err != nil || old != nil {
			if err == nil {
				writeJSON(w, http.StatusOK, old)
			}
			return err
		}
	}
	if err := s.svc.PhoneCalls.CreatePhoneCall(r.Context(), c); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("%sphonecalls/%d", apiPrefix, c.ID), c)
	return nil
}

// decode3CXCall reads the body of ReportCall: a JSON object, or a form
// (URL-encoded) with the same keys, whatever the Content-Type says.
func decode3CXCall(r *http.Request, in *api3CXCall) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			return tooLarge
		}
		return desk.NewError(desk.EINVALID, "error.body_unreadable")
	}
	if !utf8.Valid(body) {
		return errBodyNotUTF8
	}
	trimmed := bytes.TrimSpace(body)
	if strings.Contains(r.Header.Get("Content-Type"), "json") || bytes.HasPrefix(trimmed, []byte("{")) ||
		len(trimmed) == 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(in); err != nil {
			return jsonError(err)
		}
		return nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return desk.NewError(desk.EINVALID, "error.body_not_json_form")
	}
	v := reflect.ValueOf(in).Elem()
	for _, f := range reflect.VisibleFields(v.Type()) {
		if key := jsonKey(f); key != "" && form.Has(key) {
			v.FieldByIndex(f.Index).SetString(form.Get(key))
		}
	}
	return nil
}

// jsonKey returns the JSON name of a struct field, "" for none.
func jsonKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// threeCXRecorded returns the phone call 3CX journaled already that c is
// again, or nil.
func (s *Server) threeCXRecorded(r *http.Request, c *desk.PhoneCall) (*desk.PhoneCall, error) {
	from, to := c.Date.Truncate(time.Second), c.Date.Truncate(time.Second).Add(time.Second)
	calls, _, err := s.svc.PhoneCalls.FindPhoneCalls(r.Context(), desk.PhoneCallFilter{
		From: &from, To: &to, Flow: c.Flow, AgentID: &c.AgentID, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, old := range calls {
		if old.Number == c.Number && old.ContactID == c.ContactID && strings.HasPrefix(old.Note, "3CX ") {
			return old, nil
		}
	}
	return nil, nil
}

// threeCXContact returns the contact of the call: the person of EntityId when
// it is one the user may see, or else the single best match of the number; 0
// when neither tells who called.
func (s *Server) threeCXContact(r *http.Request, in api3CXCall) (int64, error) {
	if id, err := strconv.ParseInt(strings.TrimSpace(string(in.EntityID)), 10, 64); err == nil && id > 0 {
		p, err := s.svc.Persons.FindPersonByID(r.Context(), id)
		if err == nil {
			return p.ID, nil
		} else if desk.ErrorCode(err) != desk.ENOTFOUND {
			return 0, err
		}
	}
	if strings.TrimSpace(string(in.Number)) == "" {
		return 0, nil
	}
	// An extension, or a number too short to match, finds nobody: an
	// unknown contact.
	res, err := s.lookup.Find(r.Context(), s.lookup.NumberInput(string(in.Number)))
	if err != nil {
		return 0, err
	}
	if len(res.Callers) == 1 || (len(res.Callers) > 1 && res.Callers[1].Rank > res.Callers[0].Rank) {
		return res.Callers[0].Person.ID, nil
	}
	return 0, nil
}

// threeCXAgent returns the agent of the call: the one person whose email is
// AgentEmail, or else the token user's contact.
func (s *Server) threeCXAgent(r *http.Request, in api3CXCall) (int64, error) {
	if email := strings.TrimSpace(string(in.AgentEmail)); email != "" {
		m, err := s.svc.Callers.FindCallersByAttribute(r.Context(), desk.AttrEmail, email)
		if err != nil && desk.ErrorCode(err) != desk.EINVALID {
			return 0, err
		}
		if len(m) == 1 {
			return m[0].Person.ID, nil
		}
	}
	if id := desk.UserFromContext(r.Context()).ContactID; id != 0 {
		return id, nil
	}
	return 0, desk.Invalid("agent_email", "error.no_agent_contact")
}

// threeCXNote describes the call in its note: what 3CX said of it.
func threeCXNote(in api3CXCall) string {
	parts := []string{"3CX " + strings.TrimSpace(string(in.CallType)) + " call"}
	if name := strings.TrimSpace(string(in.Name)); name != "" {
		parts = append(parts, "caller "+name)
	}
	agent := strings.TrimSpace(strings.TrimSpace(string(in.AgentFirstName)) + " " + strings.TrimSpace(string(in.AgentLastName)))
	if ext := strings.TrimSpace(string(in.Agent)); ext != "" {
		agent = strings.TrimSpace(agent + " (extension " + ext + ")")
	}
	if agent != "" {
		parts = append(parts, "agent "+agent)
	}
	if q := strings.TrimSpace(string(in.Queue)); q != "" {
		parts = append(parts, "queue "+q)
	}
	note := strings.Join(parts, ", ") + "."
	if len(note) > 1000 {
		note = note[:1000]
	}
	return note
}

// parse3CXDuration reads [Duration]: hh:mm:ss, mm:ss, or seconds.
func parse3CXDuration(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	bad := desk.Invalid("duration", "error.duration_form")
	parts := strings.Split(v, ":")
	if len(parts) > 3 {
		return 0, bad
	}
	total := 0
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(strings.Split(p, ".")[0]))
		if err != nil || n < 0 || (i > 0 && n > 59) || n > 1_000_000 {
			return 0, bad
		}
		total = total*60 + n
	}
	return total, nil
}

// threeCXTimeLayouts are the forms a UTC time of 3CX may take.
var threeCXTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "01/02/2006 15:04:05", "1/2/2006 3:04:05 PM"}

// parse3CXTime reads a UTC time, or returns the zero time.
func parse3CXTime(v string) time.Time {
	v = strings.TrimSpace(v)
	for _, layout := range threeCXTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
