package pbx_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/pbx"
	"github.com/ctidesk/ctidesk/internal/pbx/amitest"
)

// msg builds an AMI message from key, value pairs.
func msg(pairs ...string) pbx.Message {
	m := pbx.Message{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[strings.ToLower(pairs[i])] = pairs[i+1]
	}
	return m
}

// brief is a call event in one line, for comparisons.
func brief(ev *cti.Event) string {
	s := fmt.Sprintf("%s %s %s %s>%s", ev.Event, ev.CallID, ev.Direction, ev.From, ev.To)
	if len(ev.User) > 0 {
		s += " user=" + strings.Join(ev.User, ",")
	}
	if ev.Queue != "" {
		s += " queue=" + ev.Queue
	}
	if ev.AnsweringNumber != "" {
		s += " answering=" + ev.AnsweringNumber
	}
	if ev.Cause != "" {
		s += " cause=" + ev.Cause
	}
	return s
}

func TestTranslate(t *testing.T) {
	newTrunk := func(id, from, did string) pbx.Message {
		return msg("Event", "Newchannel", "Channel", "PJSIP/trunk-"+id, "CallerIDNum", from, "Context", "from-external",
			"Exten", did, "Uniqueid", id, "Linkedid", id)
	}
	dial := func(id, dest, destChannel string) pbx.Message {
		return msg("Event", "DialBegin", "Channel", "PJSIP/trunk-"+id, "Uniqueid", id, "Linkedid", id,
			"DestChannel", destChannel, "DestUniqueid", dest, "DestLinkedid", id)
	}
	bridge := func(uid, id, channel string) pbx.Message {
		return msg("Event", "BridgeEnter", "Channel", channel, "Uniqueid", uid, "Linkedid", id)
	}
	hangup := func(uid, id, cause string) pbx.Message {
		return msg("Event", "Hangup", "Uniqueid", uid, "Linkedid", id, "Cause", cause)
	}
	for _, tt := range []struct {
		name    string
		inbound []string
		events  []pbx.Message
		want    []string
	}{
		{"answered", nil, []pbx.Message{
			newTrunk("1.1", "+14155550142", "100"),
			msg("Event", "Newchannel", "Channel", "PJSIP/201-01", "Uniqueid", "1.2", "Linkedid", "1.1", "Context", "from-internal"),
			dial("1.1", "1.2", "PJSIP/201-01"),
			bridge("1.1", "1.1", "PJSIP/trunk-1.1"),
			bridge("1.2", "1.1", "PJSIP/201-01"),
			hangup("1.2", "1.1", "16"),
			hangup("1.1", "1.1", "16"),
		}, []string{
			"newCall 1.1 in +14155550142>100",
			"newCall 1.1 in +14155550142>100 user=201",
			"answer 1.1 in +14155550142>100 answering=201",
			"hangup 1.1 in +14155550142>100 cause=normalClearing",
		}},
		{"missed, through a queue", nil, []pbx.Message{
			newTrunk("2.1", "0142", "200"),
			msg("Event", "QueueCallerJoin", "Queue", "support", "Uniqueid", "2.1", "Linkedid", "2.1"),
			msg("Event", "QueueCallerJoin", "Queue", "support", "Uniqueid", "2.1", "Linkedid", "2.1"),
			dial("2.1", "2.2", "Local/201@from-queue-00000001;1"),
			dial("2.1", "2.3", "Local/202@from-queue-00000002;1"),
			hangup("2.2", "2.1", "16"),
			hangup("2.1", "2.1", "16"),
		}, []string{
			"newCall 2.1 in 0142>200",
			"newCall 2.1 in 0142>200 queue=support",
			"newCall 2.1 in 0142>200 user=201 queue=support",
			"newCall 2.1 in 0142>200 user=202 queue=support",
			"hangup 2.1 in 0142>200 queue=support cause=cancel",
		}},
		{"transferred", nil, []pbx.Message{
			newTrunk("3.1", "+14155550142", "100"),
			dial("3.1", "3.2", "PJSIP/201-01"),
			bridge("3.2", "3.1", "PJSIP/201-01"),
			dial("3.1", "3.3", "SIP/202-0000000a"),
			bridge("3.3", "3.1", "SIP/202-0000000a"),
			bridge("3.3", "3.1", "SIP/202-0000000a"), // a second bridge of the same agent
			hangup("3.1", "3.1", "16"),
		}, []string{
			"newCall 3.1 in +14155550142>100",
			"newCall 3.1 in +14155550142>100 user=201",
			"answer 3.1 in +14155550142>100 answering=201",
			"newCall 3.1 in +14155550142>100 user=202",
			"answer 3.1 in +14155550142>100 answering=202",
			"hangup 3.1 in +14155550142>100 cause=normalClearing",
		}},
		{"busy", nil, []pbx.Message{
			newTrunk("4.1", "<unknown>", "100"),
			dial("4.1", "4.2", "PJSIP/201-01"),
			hangup("4.1", "4.1", "17"),
		}, []string{
			"newCall 4.1 in >100",
			"newCall 4.1 in >100 user=201",
			"hangup 4.1 in >100 cause=busy",
		}},
		{"outbound", nil, []pbx.Message{
			msg("Event", "Newchannel", "Channel", "PJSIP/201-0003", "CallerIDNum", "201", "Context", "from-internal",
				"Exten", "0033612345678", "Uniqueid", "5.1", "Linkedid", "5.1"),
			dial("5.1", "5.2", "PJSIP/trunk-0004"),
			bridge("5.1", "5.1", "PJSIP/201-0003"),
			bridge("5.2", "5.1", "PJSIP/trunk-0004"),
			hangup("5.2", "5.1", "16"),
			hangup("5.1", "5.1", "16"),
		}, []string{
			"newCall 5.1 out 201>0033612345678 user=201",
			"answer 5.1 out 201>0033612345678 user=201",
			"hangup 5.1 out 201>0033612345678 user=201 cause=normalClearing",
		}},
		{"own inbound contexts", []string{"pstn-in"}, []pbx.Message{
			msg("Event", "Newchannel", "Channel", "DAHDI/1-1", "CallerIDNum", "5550142", "Context", "pstn-in",
				"Exten", "s", "Uniqueid", "6.1", "Linkedid", "6.1"),
			msg("Event", "Newchannel", "Channel", "PJSIP/201-1", "CallerIDNum", "201", "Context", "from-external",
				"Exten", "5550100", "Uniqueid", "7.1", "Linkedid", "7.1"),
		}, []string{
			"newCall 6.1 in 5550142>s",
			"newCall 7.1 out 201>5550100 user=201",
		}},
		{"events of unknown calls", nil, []pbx.Message{
			dial("8.1", "8.2", "PJSIP/201-01"),
			bridge("8.2", "8.1", "PJSIP/201-01"),
			hangup("8.1", "8.1", "16"),
			msg("Event", "FullyBooted"),
			msg("Response", "Success", "Ping", "Pong"),
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := &pbx.Translator{Inbound: tt.inbound}
			var got []string
			for _, m := range tt.events {
				for _, ev := range tr.Translate(m) {
					if err := ev.Validate(); err != nil {
						t.Errorf("invalid event %+v: %v", ev, err)
					}
					got = append(got, brief(ev))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("events\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestReadMessage(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []pbx.Message
		err      bool
	}{
		{"CRLF", "Event: Hangup\r\nUniqueid: 1.1\r\n\r\n", []pbx.Message{{"event": "Hangup", "uniqueid": "1.1"}}, false},
		{"LF and stray blank lines", "\n\nResponse: Success\nMessage: ok: fine\n\nEvent: X\n\n",
			[]pbx.Message{{"response": "Success", "message": "ok: fine"}, {"event": "X"}}, false},
		{"command output is skipped", "Response: Follows\r\nsome output\r\n--END COMMAND--\r\n\r\n",
			[]pbx.Message{{"response": "Follows"}}, false},
		{"cut off", "Event: Hangup\r\nUniq", nil, true},
		{"line too long", "Event: " + strings.Repeat("x", 20000) + "\r\n\r\n", nil, true},
		{"too many fields", strings.Repeat("K: v\r\n", 600) + "\r\n", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReaderSize(strings.NewReader(tt.in), 16<<10)
			for _, want := range tt.want {
				m, err := pbx.ReadMessage(r)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(m) != fmt.Sprint(want) {
					t.Fatalf("read %v, want %v", m, want)
				}
			}
			if _, err := pbx.ReadMessage(r); err == nil || (!tt.err && err.Error() != "EOF") {
				t.Fatalf("at the end: %v", err)
			}
		})
	}
}

// quick is a connection to addr that posts to p, with back-offs of a few
// milliseconds.
func quick(addr string, p pbx.Poster) pbx.Connection {
	return pbx.Connection{Addr: addr, Poster: p, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
}

// documentedUser is the manager user of docs/integrations/asterisk.md.
var documentedUser = amitest.User{Name: "ctidesk", Secret: "s3cret", Read: "call,agent", Write: "reporting"}

// recorder is a Poster that keeps the events; it fails the first fail
// posts as ctidesk does while it restarts.
type recorder struct {
	events chan *cti.Event
	fail   int
}

func (r *recorder) Post(ctx context.Context, ev *cti.Event) (*cti.Reply, error) {
	if r.fail > 0 {
		r.fail--
		return nil, errors.New("503 Service Unavailable")
	}
	r.events <- ev
	return &cti.Reply{}, nil
}

// next returns the next event posted; the test's deadline bounds the wait.
func (r *recorder) next(t *testing.T) string {
	t.Helper()
	return brief(<-r.events)
}

// TestAsterisk follows calls over TCP: a connection that breaks is opened
// again, logged in again, and its calls posted.
func TestAsterisk(t *testing.T) {
	restart := make(chan struct{})
	srv := amitest.NewServer(t, documentedUser,
		func(s *amitest.Session) {
			s.Call("1700000000.1", "+14155550142", "100", "201", true, 16)
			<-restart
			s.Close() // Asterisk restarts
		},
		func(s *amitest.Session) {
			s.Call("1700000100.7", "+14155550199", "100", "202", false, 16)
			s.Expect("Logoff") // held open until the test ends
		},
	)
	rec := &recorder{events: make(chan *cti.Event, 100), fail: 2} // the first event is posted on the third try
	a := &pbx.Asterisk{Connection: quick(srv.Addr, rec), Username: "ctidesk", Secret: "s3cret"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	for _, want := range []string{
		"newCall 1700000000.1 in +14155550142>100",
		"newCall 1700000000.1 in +14155550142>100 user=201",
		"answer 1700000000.1 in +14155550142>100 answering=201",
		"hangup 1700000000.1 in +14155550142>100 cause=normalClearing",
	} {
		if got := rec.next(t); got != want {
			t.Fatalf("posted %q, want %q", got, want)
		}
	}
	close(restart)
	for _, want := range []string{
		"newCall 1700000100.7 in +14155550199>100",
		"newCall 1700000100.7 in +14155550199>100 user=202",
		"hangup 1700000100.7 in +14155550199>100 cause=cancel",
	} {
		if got := rec.next(t); got != want {
			t.Fatalf("after the reconnection, posted %q, want %q", got, want)
		}
	}
	logins := srv.Logins()
	if len(logins) != 2 {
		t.Fatalf("%d logins, want 2", len(logins))
	}
	for _, l := range logins {
		if l.Get("Username") != "ctidesk" || l.Get("Secret") != "s3cret" || l.Get("Events") != "call,agent" {
			t.Errorf("login %v", l)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestAsteriskLoginRefused(t *testing.T) {
	srv := amitest.NewServer(t, documentedUser)
	a := &pbx.Asterisk{Connection: quick(srv.Addr, &recorder{}), Username: "ctidesk", Secret: "wrong"}
	err := a.Run(context.Background())
	if !errors.Is(err, pbx.ErrLogin) || !strings.Contains(err.Error(), "Authentication failed") {
		t.Fatalf("Run = %v, want the refused login", err)
	}
}

// TestAsteriskBackoff checks that a port that does not speak the manager
// protocol is retried with back-off, not taken for Asterisk.
func TestAsteriskBackoff(t *testing.T) {
	attempts := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	a := &pbx.Asterisk{Connection: quick(strings.TrimPrefix(srv.URL, "http://"), &recorder{})}
	a.PingInterval = 20 * time.Millisecond
	a.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		attempts <- struct{}{}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	for range 3 {
		<-attempts // the HTTP server never writes a banner: each attempt times out, then the next
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestAsteriskPing checks that a quiet connection is kept checked with Ping
// actions, and not reopened while they are answered.
func TestAsteriskPing(t *testing.T) {
	pings := make(chan pbx.Message, 10)
	srv := amitest.NewServer(t, documentedUser, func(s *amitest.Session) {
		for range 3 {
			m, err := s.Expect("Ping")
			if err != nil {
				return
			}
			pings <- m
		}
		s.Expect("Logoff")
	})
	a := &pbx.Asterisk{Connection: quick(srv.Addr, &recorder{}), Username: "ctidesk", Secret: "s3cret"}
	a.PingInterval = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	ids := map[string]bool{}
	for range 3 {
		ids[(<-pings).Get("ActionID")] = true
	}
	cancel()
	<-done
	if len(ids) != 3 || len(srv.Logins()) != 1 {
		t.Fatalf("pings %v over %d logins, want 3 over one", ids, len(srv.Logins()))
	}
}

// expectPosts reads the next events posted and compares them with want.
func expectPosts(t *testing.T, rec *recorder, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := rec.next(t); got != w {
			t.Fatalf("posted %q, want %q", got, w)
		}
	}
}

// runAdapter runs a until the test ends, and checks that it stopped well.
func runAdapter(t *testing.T, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// followAsterisk runs the adapter against srv, as the documentation's user,
// until the test ends, and returns what it posts.
func followAsterisk(t *testing.T, srv *amitest.Server) *recorder {
	t.Helper()
	rec := &recorder{events: make(chan *cti.Event, 100)}
	a := &pbx.Asterisk{Connection: quick(srv.Addr, rec), Username: "ctidesk", Secret: "s3cret"}
	runAdapter(t, a.Run)
	return rec
}

// TestAsteriskQueue follows a call through a queue with the manager user of
// the documentation: QueueCallerJoin is an event of the agent class, which
// Asterisk (and amitest) sends only to a client that logs in for it.
func TestAsteriskQueue(t *testing.T) {
	srv := amitest.NewServer(t, documentedUser, func(s *amitest.Session) {
		s.Ring("1700000200.3", "+14155550142", "100", "201")
		s.Join("1700000200.3", "+14155550142", "100", "support")
		s.Answer("1700000200.3", "+14155550142", "201")
		s.Hangup("1700000200.3", "201", 16)
		s.Expect("Logoff")
	})
	rec := followAsterisk(t, srv)
	expectPosts(t, rec,
		"newCall 1700000200.3 in +14155550142>100",
		"newCall 1700000200.3 in +14155550142>100 user=201",
		"newCall 1700000200.3 in +14155550142>100 queue=support",
		"answer 1700000200.3 in +14155550142>100 queue=support answering=201",
		"hangup 1700000200.3 in +14155550142>100 queue=support cause=normalClearing",
	)
}

// TestAsteriskReconcile breaks the connection in the middle of two calls; one
// ends while the adapter is away (its Hangup goes to nobody), the other goes
// on. After the reconnection the adapter asks which channels exist, posts
// the lost hangup, and follows the other call to its end.
func TestAsteriskReconcile(t *testing.T) {
	var srv *amitest.Server
	srv = amitest.NewServer(t, documentedUser,
		func(s *amitest.Session) {
			s.Ring("1.1", "+14155550101", "100", "201")
			s.Answer("1.1", "+14155550101", "201")
			s.Ring("2.1", "+14155550102", "100", "202")
			srv.Drop("1.1") // the first call ends while the adapter is away
			s.Close()
		},
		func(s *amitest.Session) {
			if _, err := s.Expect("CoreShowChannels"); err != nil {
				return
			}
			s.Answer("2.1", "+14155550102", "202")
			s.Hangup("2.1", "202", 16)
			s.Expect("Logoff")
		},
	)
	rec := followAsterisk(t, srv)
	expectPosts(t, rec,
		"newCall 1.1 in +14155550101>100",
		"newCall 1.1 in +14155550101>100 user=201",
		"answer 1.1 in +14155550101>100 answering=201",
		"newCall 2.1 in +14155550102>100",
		"newCall 2.1 in +14155550102>100 user=202",
		// After the reconnection: the first call ended unseen.
		"hangup 1.1 in +14155550101>100 cause=hangupNotReceived",
		// The second is still followed.
		"answer 2.1 in +14155550102>100 answering=202",
		"hangup 2.1 in +14155550102>100 cause=normalClearing",
	)
}

// TestAsteriskReconcileRefused checks that a manager user without the right
// to list the channels (no write = reporting) ends no call on a guess: the
// calls are still followed, and end with their own hangup.
func TestAsteriskReconcileRefused(t *testing.T) {
	asked := make(chan struct{})
	user := documentedUser
	user.Write = ""
	srv := amitest.NewServer(t, user,
		func(s *amitest.Session) {
			s.Ring("3.1", "+14155550103", "100", "201")
			s.Close()
		},
		func(s *amitest.Session) {
			if _, err := s.Expect("CoreShowChannels"); err != nil {
				return
			}
			close(asked)
			s.Hangup("3.1", "201", 16)
			s.Expect("Logoff")
		},
	)
	rec := followAsterisk(t, srv)
	expectPosts(t, rec,
		"newCall 3.1 in +14155550103>100",
		"newCall 3.1 in +14155550103>100 user=201",
	)
	<-asked
	expectPosts(t, rec, "hangup 3.1 in +14155550103>100 cause=cancel")
}

// TestTranslatorForgetsOldCalls checks that the calls whose hangup never
// came are not kept for ever: one nothing is heard of for MaxAge is
// forgotten (a later hangup of it posts nothing), one still heard of is
// kept.
func TestTranslatorForgetsOldCalls(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	tr := &pbx.Translator{CallTracker: pbx.CallTracker{MaxAge: time.Hour, Now: func() time.Time { return now }}}
	newCall := func(id string) {
		tr.Translate(msg("Event", "Newchannel", "Channel", "PJSIP/trunk-"+id, "CallerIDNum", "0142", "Context",
			"from-external", "Exten", "100", "Uniqueid", id, "Linkedid", id))
	}
	for i := range 1000 {
		newCall(fmt.Sprintf("lost.%d", i)) // their Hangup is lost
	}
	newCall("long.1")
	now = now.Add(50 * time.Minute)
	tr.Translate(msg("Event", "DialBegin", "Uniqueid", "long.1", "Linkedid", "long.1",
		"DestChannel", "PJSIP/201-01", "DestUniqueid", "long.2", "DestLinkedid", "long.1")) // heard of
	now = now.Add(20 * time.Minute)
	newCall("new.1")
	if got := tr.Calls(); !slices.Equal(got, []string{"long.1", "new.1"}) {
		t.Fatalf("calls followed after an hour: %d (%.3v), want long.1 and new.1", len(got), got)
	}
	if evs := tr.Translate(msg("Event", "Hangup", "Uniqueid", "lost.7", "Linkedid", "lost.7", "Cause", "16")); len(evs) != 0 {
		t.Errorf("the hangup of a forgotten call posted %v", evs)
	}
	evs := tr.Translate(msg("Event", "Hangup", "Uniqueid", "long.1", "Linkedid", "long.1", "Cause", "16"))
	if len(evs) != 1 || brief(evs[0]) != "hangup long.1 in 0142>100 cause=cancel" {
		t.Errorf("the hangup of the call still followed posted %v", evs)
	}
}
