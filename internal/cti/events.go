package cti

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
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
	// CauseHangupNotReceived ends a call whose hangup was lost: posted by
	// an adapter for the calls that ended while it was disconnected, and
	// given by the server to the calls it heard nothing of for
	// calls.stale_after.
	CauseHangupNotReceived = desk.CauseHangupNotReceived
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

	// lostRace: the hangup is a leg's that lost the race (LOSE_RACE), read
	// as cancel; see LostRace.
	lostRace bool
}

// LostRace reports whether the event is the hangup of a leg that stopped
// ringing because another phone took the call (FreeSWITCH's LOSE_RACE,
// PICKED_OFF, which ring group scripts post for each leg): it ends nothing.
func (e *Event) LostRace() bool { return e.Event == EventHangup && e.lostRace }

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

// CallQueue returns the queue of the event's call: its queue, or else, for
// an inbound call, its to when that is a name rather than a number dialled
// ("support", as bridges that follow Asterisk's queues send it with no
// queue), as Zammad records it.
func (e *Event) CallQueue() string {
	if e.Queue != "" || !e.Inbound() || !isName(e.To) {
		return e.Queue
	}
	return e.To
}

// isName reports whether s holds a letter and is not an address
// (sip:100@pbx.example.com): a name, not a number.
func isName(s string) bool {
	return strings.ContainsFunc(s, unicode.IsLetter) && !strings.ContainsAny(s, ":@")
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

// ParseEvent reads an event as Zammad reads it: the body, JSON when the
// content type says so or the body starts with {, else a form
// (application/x-www-form-urlencoded), whatever the content type claims,
// since phone system scripts are sloppy about it; merged with the
// parameters of the URL's query, the body winning key by key. Unknown keys
// are ignored. A form is read as Zammad reads one: its pairs are split at &
// only, so that a raw ; stays in its value, and a + posted unencoded in a
// number (it arrives as a space) is a + again. The event is validated (see
// Validate).
func ParseEvent(contentType string, body []byte, query string) (*Event, error) {
	fields := map[string][]string{}
	if strings.TrimSpace(query) != "" {
		q, err := formFields(query)
		if err != nil {
			return nil, desk.NewError(desk.EINVALID, "error.event_query_not_form")
		}
		fields = q
	}
	trimmed := bytes.TrimSpace(body)
	var fromBody map[string][]string
	var err error
	switch {
	case strings.Contains(strings.ToLower(contentType), "json") && len(trimmed) > 0, bytes.HasPrefix(trimmed, []byte("{")):
		fromBody, err = jsonFields(trimmed)
	case len(trimmed) > 0:
		if fromBody, err = formFields(string(trimmed)); err != nil {
			err = desk.NewError(desk.EINVALID, "error.event_not_json_form")
		}
	}
	if err != nil {
		return nil, err
	}
	maps.Copy(fields, fromBody)
	first := func(name string) string {
		if v := fields[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ev := &Event{Event: first("event"), From: first("from"), To: first("to"), Direction: first("direction"),
		CallID: first("callId"), Queue: first("queue"), Cause: first("cause"), AnsweringNumber: first("answeringNumber")}
	for _, u := range fields["user"] {
		// A form may give "user=a,b" as Zammad's bridges sometimes do; an
		// agent may be named by his number, whose + a form turned into a
		// space.
		for part := range strings.SplitSeq(plusRestored(u), ",") {
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

// formFields reads a form's known keys, by field name. Pairs are split at &
// alone, as Rack (Zammad's) reads a form body: url.ParseQuery would refuse
// a raw ; whole. + is a space, and a bad %-escape an error.
func formFields(s string) (map[string][]string, error) {
	fields := map[string][]string{}
	for pair := range strings.SplitSeq(s, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		if v, err = url.QueryUnescape(v); err != nil {
			return nil, err
		}
		name, ok := eventKeys[k]
		if !ok {
			continue
		}
		fields[name] = append(fields[name], v)
	}
	return fields, nil
}

// plusRestored turns the leading spaces of a number into the + they were
// before a form's decoding: FreeSWITCH's mod_curl posts from=+4420... raw,
// which arrives as " 4420...". The screen pop reads numbers so
// (phone.Normalizer.FromQuery); every number of an event is read so too.
func plusRestored(v string) string {
	t := strings.TrimLeftFunc(v, unicode.IsSpace)
	if len(t) < len(v) && t != "" && t[0] >= '0' && t[0] <= '9' {
		return "+" + t
	}
	return v
}

// jsonFields reads a JSON object's known keys, by field name.
func jsonFields(body []byte) (map[string][]string, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, desk.NewError(desk.EINVALID, "error.event_not_json_form")
	}
	if dec.More() {
		return nil, desk.NewError(desk.EINVALID, "error.event_several_json")
	}
	fields := map[string][]string{}
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
	return fields, nil
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
	for _, f := range []*string{&e.Event, &e.Direction, &e.CallID, &e.Queue, &e.Cause} {
		*f = strings.TrimSpace(*f)
	}
	// A number's leading space is the + of a form posted unencoded.
	for _, f := range []*string{&e.From, &e.To, &e.AnsweringNumber} {
		*f = strings.TrimSpace(plusRestored(*f))
	}
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
	var lost bool
	if e.Cause, lost = normalCause(e.Cause); lost {
		e.lostRace = true
	}
	return nil
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

// causeAliases are the other names of the causes: the Q.850 names as
// FreeSWITCH and Asterisk give them (docs/integrations/freeswitch.md lists
// them), and Zammad's in any case.
var causeAliases = map[string]string{
	"normalclearing": CauseNormalClearing, "normal_clearing": CauseNormalClearing,
	"busy": CauseBusy, "user_busy": CauseBusy, "call_rejected": CauseBusy,
	"cancel": CauseCancel, "originator_cancel": CauseCancel,
	"noanswer": CauseNoAnswer, "no_answer": CauseNoAnswer, "no_user_response": CauseNoAnswer,
	"allotted_timeout": CauseNoAnswer, "progress_timeout": CauseNoAnswer, "recovery_on_timer_expire": CauseNoAnswer,
	"congestion": CauseCongestion, "normal_circuit_congestion": CauseCongestion, "switch_congestion": CauseCongestion,
	"network_out_of_order": CauseCongestion, "normal_temporary_failure": CauseCongestion,
	"notfound": CauseNotFound, "unallocated_number": CauseNotFound, "no_route_destination": CauseNotFound,
	"invalid_number_format": CauseNotFound, "user_not_registered": CauseNotFound, "subscriber_absent": CauseNotFound,
	"forwarded": CauseForwarded, "attended_transfer": CauseForwarded, "blind_transfer": CauseForwarded,
	"deflection":        CauseForwarded,
	"hangupnotreceived": CauseHangupNotReceived,
}

// lostRaceCauses are the causes of a leg that stopped ringing because
// another phone took the call: FreeSWITCH's LOSE_RACE (a ring group's other
// legs, when one answers) and PICKED_OFF (a call pickup). They are the
// cancel of one leg, not the end of the call.
var lostRaceCauses = []string{"lose_race", "picked_off"}

// normalCause returns Zammad's name of a cause, or the cause as given, and
// whether it is the cause of a leg that lost the race.
func normalCause(c string) (string, bool) {
	lower := strings.ToLower(c)
	if slices.Contains(lostRaceCauses, lower) {
		return CauseCancel, true
	}
	if n, ok := causeAliases[lower]; ok {
		return n, false
	}
	return c, false
}
