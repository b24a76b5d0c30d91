package cti_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

func TestParseEvent(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	const js = "application/json"
	for _, tt := range []struct {
		name, ct, body string
		query          string
		want           *cti.Event
		field          string // the field of the EINVALID error; "-" for one without a field
	}{
		{"Zammad's newCall form", form,
			"event=newCall&from=4930609854180&to=4930609811111&direction=in&callId=4991155921769858278-1&user%5B%5D=Alice&user%5B%5D=Bob&queue=support", "",
			&cti.Event{Event: "newCall", From: "4930609854180", To: "4930609811111", Direction: "in",
				CallID: "4991155921769858278-1", User: []string{"Alice", "Bob"}, Queue: "support"}, ""},
		{"FusionPBX hangup form", "", // no content type at all
			"event=hangup&answeringNumber=201&from=%2B14155550142&to=100&direction=in&callId=abc&cause=NORMAL_CLEARING", "",
			&cti.Event{Event: "hangup", From: "+14155550142", To: "100", Direction: "in", CallID: "abc",
				AnsweringNumber: "201", Cause: "normalClearing"}, ""},
		{"a + posted unencoded is a leading space", form, "event=newCall&from=+14155550142&to=100&direction=in&callId=x", "",
			&cti.Event{Event: "newCall", From: "+14155550142", To: "100", Direction: "in", CallID: "x"}, ""},
		{"user as one value with commas", form, "event=newCall&from=1&to=2&direction=in&callId=x&user=alice,+bob", "",
			&cti.Event{Event: "newCall", From: "1", To: "2", Direction: "in", CallID: "x", User: []string{"alice", "bob"}}, ""},
		{"JSON, user a string", js, `{"event":"answer","from":"+1 415 555 0142","to":"100","direction":"in","callId":"x","user":"alice"}`, "",
			&cti.Event{Event: "answer", From: "+1 415 555 0142", To: "100", Direction: "in", CallID: "x", User: []string{"alice"}}, ""},
		{"JSON, user a list, numbers as numbers, unknown keys", "text/plain",
			`{"event":"newCall","from":4155550142,"to":100,"direction":"out","callId":12,"user":["alice",201],"x":{"y":1}}`, "",
			&cti.Event{Event: "newCall", From: "4155550142", To: "100", Direction: "out", CallID: "12", User: []string{"alice", "201"}}, ""},
		{"snake case", js, `{"event":"hangup","from":"1","to":"2","direction":"out","call_id":"x","answering_number":"7","cause":"busy"}`, "",
			&cti.Event{Event: "hangup", From: "1", To: "2", Direction: "out", CallID: "x", AnsweringNumber: "7", Cause: "busy"}, ""},
		{"unknown cause kept", form, "event=hangup&from=1&to=2&direction=in&callId=x&cause=MEDIA_TIMEOUT", "",
			&cti.Event{Event: "hangup", From: "1", To: "2", Direction: "in", CallID: "x", Cause: "MEDIA_TIMEOUT"}, ""},
		{"JSON null", js, `{"event":"newCall","from":null,"to":"2","direction":"in","callId":"x","queue":null}`, "",
			&cti.Event{Event: "newCall", To: "2", Direction: "in", CallID: "x"}, ""},

		{"a raw ; stays in its value", form,
			"event=newCall&from=%2B442079460002;cpc=ordinary&to=support&direction=in&callId=a84b4c76e66710;1", "",
			&cti.Event{Event: "newCall", From: "+442079460002;cpc=ordinary", To: "support", Direction: "in",
				CallID: "a84b4c76e66710;1"}, ""},
		{"a raw + and spaces", "", "event=newCall&from=+44 20 7946 0002&to=100&direction=in&callId=x", "",
			&cti.Event{Event: "newCall", From: "+44 20 7946 0002", To: "100", Direction: "in", CallID: "x"}, ""},
		{"the + of every number", form, "event=answer&from=1&to=+442079460000&direction=in&callId=x&answeringNumber=+33612345678&user=+33612345678", "",
			&cti.Event{Event: "answer", From: "1", To: "+442079460000", Direction: "in", CallID: "x",
				AnsweringNumber: "+33612345678", User: []string{"+33612345678"}}, ""},
		{"the query merged, the body winning", form, "event=hangup&cause=ORIGINATOR_CANCEL",
			"event=newCall&callId=q-1&direction=in&from=+14155550142&to=100&cause=busy",
			&cti.Event{Event: "hangup", From: "+14155550142", To: "100", Direction: "in", CallID: "q-1", Cause: "cancel"}, ""},
		{"the query alone", form, "", "event=newCall&callId=q-2&direction=in&from=%2B14155550142&to=100&user[]=201",
			&cti.Event{Event: "newCall", From: "+14155550142", To: "100", Direction: "in", CallID: "q-2", User: []string{"201"}}, ""},
		{"JSON and the query", js, `{"event":"answer","callId":"j","user":["alice"]}`, "direction=in&user=bob&from=+14155550142",
			&cti.Event{Event: "answer", From: "+14155550142", Direction: "in", CallID: "j", User: []string{"alice"}}, ""},
		{"invalid direction", form, "event=newCall&from=1&to=2&direction=inbound&callId=x", "", nil, "direction"},
		{"no direction", form, "event=newCall&from=1&to=2&callId=x", "", nil, "direction"},
		{"invalid event", form, "event=ringing&from=1&to=2&direction=in&callId=x", "", nil, "event"},
		{"event in the wrong case", form, "event=NEWCALL&from=1&to=2&direction=in&callId=x", "", nil, "event"},
		{"no call id", form, "event=newCall&from=1&to=2&direction=in", "", nil, "callId"},
		{"blank call id", form, "event=newCall&from=1&to=2&direction=in&callId=+", "", nil, "callId"},
		{"call id too long", form, "event=newCall&from=1&to=2&direction=in&callId=" + strings.Repeat("x", 256), "", nil, "callId"},
		{"control character", form, "event=newCall&from=1%0A2&to=2&direction=in&callId=x", "", nil, "from"},
		{"not UTF-8", form, "event=newCall&from=1&to=2&direction=in&callId=x&queue=%FF", "", nil, "queue"},
		{"too many users", form, "event=newCall&from=1&to=2&direction=in&callId=x" + strings.Repeat("&user[]=a", 101), "", nil, "user"},
		{"JSON, an object where a string goes", js, `{"event":"newCall","from":{"a":1},"to":"2","direction":"in","callId":"x"}`, "", nil, "from"},
		{"JSON, a list where one string goes", js, `{"event":["newCall"],"from":"1","to":"2","direction":"in","callId":"x"}`, "", nil, "event"},
		{"broken JSON", js, `{"event":`, "", nil, "-"},
		{"two JSON values", js, `{"event":"newCall"} {}`, "", nil, "-"},
		{"bad form", form, "event=%zz", "", nil, "-"},
		{"bad query", form, "event=newCall&from=1&to=2&direction=in&callId=x", "user=%zz", nil, "-"},
		{"the query does not make a bad body good", form, "event=%zz", "event=newCall&from=1&to=2&direction=in&callId=x", nil, "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cti.ParseEvent(tt.ct, []byte(tt.body), tt.query)
			if tt.want == nil {
				if desk.ErrorCode(err) != desk.EINVALID {
					t.Fatalf("got %+v, %v; want EINVALID", got, err)
				}
				if field := desk.ErrorField(err); (tt.field == "-" && field != "") || (tt.field != "-" && field != tt.field) {
					t.Fatalf("error %v: field %q, want %q", err, field, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Event != tt.want.Event || got.From != tt.want.From || got.To != tt.want.To || got.Direction != tt.want.Direction ||
				got.CallID != tt.want.CallID || !slices.Equal(got.User, tt.want.User) || got.Queue != tt.want.Queue ||
				got.Cause != tt.want.Cause || got.AnsweringNumber != tt.want.AnsweringNumber {
				t.Fatalf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestEventCauses: the causes FreeSWITCH and Asterisk give are read as
// Zammad's, and a leg that lost the race is told apart.
func TestEventCauses(t *testing.T) {
	for _, tt := range []struct {
		cause, want string
		lostRace    bool
	}{
		{"NORMAL_CLEARING", "normalClearing", false},
		{"ORIGINATOR_CANCEL", "cancel", false},
		{"NO_ANSWER", "noAnswer", false},
		{"NO_USER_RESPONSE", "noAnswer", false},
		{"USER_BUSY", "busy", false},
		{"CALL_REJECTED", "busy", false},
		{"UNALLOCATED_NUMBER", "notFound", false},
		{"USER_NOT_REGISTERED", "notFound", false},
		{"NORMAL_TEMPORARY_FAILURE", "congestion", false},
		{"BLIND_TRANSFER", "forwarded", false},
		{"LOSE_RACE", "cancel", true},
		{"PICKED_OFF", "cancel", true},
		{"lose_race", "cancel", true},
		{"hangupNotReceived", "hangupNotReceived", false},
		{"normalclearing", "normalClearing", false},
	} {
		ev, err := cti.ParseEvent("", []byte("event=hangup&direction=in&callId=x&cause="+tt.cause), "")
		if err != nil {
			t.Fatal(err)
		}
		if ev.Cause != tt.want || ev.LostRace() != tt.lostRace {
			t.Errorf("cause %s: read %q, lost race %v; want %q, %v", tt.cause, ev.Cause, ev.LostRace(), tt.want, tt.lostRace)
		}
		// Validated again (as Handle does), it stays the same.
		if err := ev.Validate(); err != nil || ev.Cause != tt.want || ev.LostRace() != tt.lostRace {
			t.Errorf("cause %s validated again: %q, %v, %v", tt.cause, ev.Cause, ev.LostRace(), err)
		}
	}
	// LOSE_RACE on anything but a hangup is no lost race.
	ev, _ := cti.ParseEvent("", []byte("event=answer&direction=in&callId=x&cause=LOSE_RACE"), "")
	if ev.LostRace() {
		t.Error("an answer lost the race")
	}
}

// TestEventCallQueue: with no queue, an inbound call's to is its queue when
// it is a name, as Zammad records it.
func TestEventCallQueue(t *testing.T) {
	for _, tt := range []struct {
		ev   cti.Event
		want string
	}{
		{cti.Event{Direction: "in", To: "support"}, "support"},
		{cti.Event{Direction: "in", To: "support", Queue: "sales"}, "sales"},
		{cti.Event{Direction: "in", To: "100"}, ""},
		{cti.Event{Direction: "in", To: "+44 20 7946 0000"}, ""},
		{cti.Event{Direction: "in", To: "*97"}, ""},
		{cti.Event{Direction: "in", To: "sip:100@pbx.example.com"}, ""},
		{cti.Event{Direction: "out", To: "support"}, ""},
	} {
		if got := tt.ev.CallQueue(); got != tt.want {
			t.Errorf("%+v: queue %q, want %q", tt.ev, got, tt.want)
		}
	}
}

// FuzzParseEvent checks that whatever a phone system posts, ParseEvent
// neither panics nor lets through an event that breaks its contract. The
// seed corpus is in testdata/fuzz/FuzzParseEvent.
func FuzzParseEvent(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "event=newCall&from=%2B4930609854180&to=100&direction=in&callId=1&user[]=a&user[]=b", "")
	f.Add("application/json", `{"event":"hangup","from":"1","to":"2","direction":"out","callId":"x","cause":"busy","user":["a",1]}`, "")
	f.Add("", "cause=LOSE_RACE&from=+442079460002;cpc=ordinary", "event=hangup&direction=in&callId=1")
	f.Fuzz(func(t *testing.T, contentType, body, query string) {
		ev, err := cti.ParseEvent(contentType, []byte(body), query)
		if err != nil {
			if desk.ErrorCode(err) != desk.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if !slices.Contains([]string{cti.EventNewCall, cti.EventAnswer, cti.EventHangup}, ev.Event) {
			t.Fatalf("event %q", ev.Event)
		}
		if ev.Direction != desk.DirectionIn && ev.Direction != desk.DirectionOut {
			t.Fatalf("direction %q", ev.Direction)
		}
		if strings.TrimSpace(ev.CallID) == "" || len(ev.User) > 100 {
			t.Fatalf("call id %q, %d users", ev.CallID, len(ev.User))
		}
		for _, v := range append([]string{ev.CallID, ev.From, ev.To, ev.Queue, ev.Cause, ev.AnsweringNumber}, ev.User...) {
			if len(v) > 255 || !utf8.ValidString(v) {
				t.Fatalf("value %q passed", v)
			}
		}
		// A valid event stays as it is when validated again.
		again := *ev
		again.User = slices.Clone(ev.User)
		if err := again.Validate(); err != nil || again.From != ev.From || again.To != ev.To ||
			again.AnsweringNumber != ev.AnsweringNumber || again.Cause != ev.Cause || again.LostRace() != ev.LostRace() ||
			!slices.Equal(again.User, ev.User) {
			t.Fatalf("validated again: %+v, %v; was %+v", again, err, ev)
		}
	})
}

func TestCallerIDRuleMatches(t *testing.T) {
	for _, tt := range []struct {
		pattern, number string
		want            bool
	}{
		{"*", "anything", true},
		{"+33*", "+33 1 23 45 67 89", true},
		{"+33*", "0033123456789", false},
		{"0033*", "0033 1 23 45 67 89", true},
		{"+1212*0100", "+1 (212) 555-0100", true},
		{"+1212*0100", "+1 (212) 555-0101", false},
		{"1*2*3", "112233", true},
		{"100", "100", true},
		{"100", "1000", false},
		{"*9", "", false},
	} {
		r := &desk.CallerIDRule{Pattern: tt.pattern}
		if got := r.Matches(tt.number); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.number, got, tt.want)
		}
	}
}
