package cti

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Call events as phone systems post them to /api/v1/cti/events, in the form
// of Zammad's Generic CTI, so that the scripts written for it (FreeSWITCH
// and FusionPBX dialplans, Asterisk bridges) work unchanged: a form or JSON
// body with event, from, to, direction, callId, and optionally user (one or
// a list; user[] in a form), queue, cause and answeringNumber.

// Event names.
const (
	EventNewCall = "newCall"
	EventAnswer  = "answer"
	EventHangup  = "hangup"
)

// Hangup causes of Zammad's Generic CTI. Phone systems may send others;
// ParseEvent keeps them as they are, after turning the usual Q.850 names
// (FreeSWITCH's NORMAL_CLEARING, USER_BUSY...) into these.
const (
	CauseNormalClearing = "normalClearing"
	CauseBusy           = "busy"
	CauseCancel         = "cancel"
	CauseNoAnswer       = "noAnswer"
	CauseCongestion     = "congestion"
	CauseNotFound       = "notFound"
	CauseForwarded      = "forwarded"
)

// Voicemail is the user, or answering number, that says voicemail answered
// the call (as Zammad's scripts send it): the call counts as missed.
const Voicemail = "voicemail"

// Limits of an event's values.
const (
	maxEventText  = 255
	maxEventUsers = 100
)

// Event is one call event from a phone system.
type Event struct {
	// Event is newCall, answer or hangup.
	Event string `json:"event"`
	// From is the caller's number (inbound) or the agent's extension
	// (outbound); To the number called.
	From string `json:"from"`
	To   string `json:"to"`
	// Direction is in or out.
	Direction string `json:"direction"`
	// CallID is the phone system's id of the call, the same in every
	// event of the call.
	CallID string `json:"callId"`
	// User names the agents a newCall rings (inbound) or the agent who
	// calls (outbound), or who answered: logins, extensions, numbers or
	// names, as the phone system knows them.
	User []string `json:"user,omitempty"`
	// Queue is the queue the call went through.
	Queue string `json:"queue,omitempty"`
	// Cause is why a call hung up.
	Cause string `json:"cause,omitempty"`
	// AnsweringNumber is the extension or number of the agent who
	// answered.
	AnsweringNumber string `json:"answeringNumber,omitempty"`
}

// Inbound reports whether the call comes in.
func (e *Event) Inbound() bool { return e.Direction == desk.DirectionIn }

// Number returns the other party's number: the caller's for an inbound
// call, the dialled one for an outbound call.
func (e *Event) Number() string {
	if e.Inbound() {
		return e.From
	}
	return e.To
}

// Voicemail reports whether the event says voicemail answered.
func (e *Event) Voicemail() bool {
	if strings.EqualFold(e.AnsweringNumber, Voicemail) {
		return true
	}
	for _, u := range e.User {
		if strings.EqualFold(u, Voicemail) {
			return true
		}
	}
	return false
}

// eventKeys maps the keys an event is read from to its fields: Zammad's
// camel case, and snake case.
var eventKeys = map[string]string{
	"event": "event", "from": "from", "to": "to", "direction": "direction",
	"callId": "callId", "call_id": "callId", "callid": "callId",
	"user": "user", "user[]": "user", "queue": "queue", "cause": "cause",
	"answeringNumber": "answeringNumber", "answering_number": "answeringNumber",
}

// ParseEvent reads an event from a request body: JSON when the content type
// says so or the body starts with {, else a form (application/x-www-form-
// urlencoded), whatever the content type claims, since phone system scripts
// are sloppy about it. Unknown keys are ignored. The event is validated
// (see Validate).
func ParseEvent(contentType string, body []byte) (*Event, error) {
	trimmed := bytes.TrimSpace(body)
	fields := map[string][]string{}
	if strings.Contains(strings.ToLower(contentType), "json") || bytes.HasPrefix(trimmed, []byte("{")) {
		var obj map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return nil, desk.NewError(desk.EINVALID, "error.event_not_json_form")
		}
		if dec.More() {
			return nil, desk.NewError(desk.EINVALID, "error.event_several_json")
		}
		for k, raw := range obj {
			name, ok := eventKeys[k]
			if !ok {
				continue
			}
			values, ok := jsonStrings(raw, name == "user")
			if !ok {
				return nil, desk.Invalid(name, "error.not_string", name)
			}
			fields[name] = append(fields[name], values...)
		}
	} else {
		form, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, desk.NewError(desk.EINVALID, "error.event_not_json_form")
		}
		for k, values := range form {
			if name, ok := eventKeys[k]; ok {
				fields[name] = append(fields[name], values...)
			}
		}
	}
	first := func(name string) string {
		if v := fields[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ev := &Event{Event: first("event"), From: first("from"), To: first("to"), Direction: first("direction"),
		CallID: first("callId"), Queue: first("queue"), Cause: first("cause"), AnsweringNumber: first("answeringNumber")}
	for _, u := range fields["user"] {
		// A form may give "user=a,b" as Zammad's bridges sometimes do.
		for part := range strings.SplitSeq(u, ",") {
			if part = strings.TrimSpace(part); part != "" {
				ev.User = append(ev.User, part)
			}
		}
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	return ev, nil
}

// jsonStrings reads a JSON string, number or null (and, for a list, an array
// of them) as strings.
func jsonStrings(raw json.RawMessage, list bool) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if list && bytes.HasPrefix(raw, []byte("[")) {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false
		}
		var out []string
		for _, it := range items {
			v, ok := jsonStrings(it, false)
			if !ok {
				return nil, false
			}
			out = append(out, v...)
		}
		return out, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []string{s}, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return []string{n.String()}, true
	}
	if string(raw) == "null" {
		return nil, true
	}
	return nil, false
}

// Validate trims the event's values and checks them: the event, the
// direction, a call id, and texts of at most 255 characters without control
// characters. A known cause under another name becomes Zammad's.
func (e *Event) Validate() error {
	for _, f := range []*string{&e.Event, &e.Direction, &e.CallID, &e.Queue, &e.Cause, &e.AnsweringNumber} {
		*f = strings.TrimSpace(*f)
	}
	// A number's leading space is the + of a form posted unencoded: keep
	// it, as the caller lookup reads it so; trim the rest.
	e.From, e.To = trimNumber(e.From), trimNumber(e.To)
	switch e.Event {
	case EventNewCall, EventAnswer, EventHangup:
	default:
		return desk.Invalid("event", "error.event_name", clip(e.Event))
	}
	switch e.Direction {
	case desk.DirectionIn, desk.DirectionOut:
	default:
		return desk.Invalid("direction", "error.event_direction", clip(e.Direction))
	}
	if e.CallID == "" {
		return desk.Invalid("callId", "error.call_id_required")
	}
	for _, f := range []struct {
		name string
		v    string
	}{{"callId", e.CallID}, {"from", e.From}, {"to", e.To}, {"queue", e.Queue}, {"cause", e.Cause},
		{"answeringNumber", e.AnsweringNumber}} {
		if err := checkText(f.name, f.v); err != nil {
			return err
		}
	}
	if len(e.User) > maxEventUsers {
		return desk.Invalid("user", "error.event_users_max", maxEventUsers)
	}
	for i, u := range e.User {
		e.User[i] = strings.TrimSpace(u)
		if err := checkText("user", e.User[i]); err != nil {
			return err
		}
	}
	e.Cause = normalCause(e.Cause)
	return nil
}

// trimNumber trims a number but for one leading space before a digit (a +
// turned into a space by a form posted without encoding).
func trimNumber(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if len(t) < len(s) && t != "" && t[0] >= '0' && t[0] <= '9' && s[len(s)-len(t)-1] == ' ' {
		return " " + t
	}
	return t
}

// checkText refuses a value too long, not UTF-8, or holding control
// characters.
func checkText(name, v string) error {
	if len(v) > maxEventText {
		return desk.Invalid(name, "error.too_long_255", name)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		return desk.Invalid(name, "error.not_text", name)
	}
	return nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return s + "…"
	}
	return s
}

// causeAliases are the other names of the causes: Q.850 names as FreeSWITCH
// and Asterisk give them, and Zammad's in any case.
var causeAliases = map[string]string{
	"normalclearing": CauseNormalClearing, "normal_clearing": CauseNormalClearing,
	"busy": CauseBusy, "user_busy": CauseBusy, "call_rejected": CauseBusy,
	"cancel": CauseCancel, "originator_cancel": CauseCancel,
	"noanswer": CauseNoAnswer, "no_answer": CauseNoAnswer, "no_user_response": CauseNoAnswer,
	"congestion": CauseCongestion, "normal_circuit_congestion": CauseCongestion, "switch_congestion": CauseCongestion,
	"notfound": CauseNotFound, "unallocated_number": CauseNotFound, "no_route_destination": CauseNotFound,
	"forwarded": CauseForwarded,
}

// normalCause returns Zammad's name of a cause, or the cause as given.
func normalCause(c string) string {
	if n, ok := causeAliases[strings.ToLower(c)]; ok {
		return n
	}
	return c
}
