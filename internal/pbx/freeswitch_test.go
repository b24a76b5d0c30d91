package pbx_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/pbx"
	"github.com/ctidesk/ctidesk/internal/pbx/esltest"
)

// followFreeSWITCH runs the adapter against srv until the test ends and
// returns what it posts.
func followFreeSWITCH(t *testing.T, srv *esltest.Server) *recorder {
	t.Helper()
	rec := &recorder{events: make(chan *cti.Event, 100)}
	f := &pbx.FreeSWITCH{Connection: quick(srv.Addr, rec), Password: "ClueCon"}
	runAdapter(t, f.Run)
	return rec
}

// TestFreeSWITCH follows calls as FreeSWITCH and FusionPBX write them on the
// event socket, each through the adapter over TCP, and checks what it posts.
func TestFreeSWITCH(t *testing.T) {
	const caller, did = "+14155550142", "4155550100"
	for _, tt := range []struct {
		name   string
		script func(s *esltest.Session)
		want   []string
	}{
		{"answered by the extension dialled", func(s *esltest.Session) {
			a := esltest.Inbound("a1", caller, did)
			s.Create(a)
			a.Set("call_direction", "inbound")
			b := a.Dial("b1", "1001", esltest.UserVars("1001")...)
			s.Create(b)
			s.Connect(a, b)
			s.Hangup(b, "NORMAL_CLEARING")
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a1 in +14155550142>4155550100",
			"newCall a1 in +14155550142>4155550100 user=1001",
			"answer a1 in +14155550142>4155550100 answering=1001",
			"hangup a1 in +14155550142>4155550100 cause=normalClearing",
		}},
		{"a ring group: the legs that lost the race end nothing", func(s *esltest.Session) {
			a := esltest.Inbound("a2", caller, did)
			s.Create(a)
			a.Transfer("9000") // the inbound route sends it to the ring group
			a.Set("call_direction", "inbound", "ring_group_uuid", "6c3b0a5e-0f5d-4a51-9c6e-5d1b7b6f2a11")
			b1 := a.Dial("b2-1", "1001", esltest.RingGroupVars("1001")...)
			b2 := a.Dial("b2-2", "1002", esltest.RingGroupVars("1002")...)
			s.Create(b1)
			s.Create(b2)
			s.Answer(b2)
			s.Hangup(b1, "LOSE_RACE")
			s.Answer(a)
			s.Bridge(a, b2)
			s.Hangup(b2, "NORMAL_CLEARING")
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a2 in +14155550142>4155550100",
			"newCall a2 in +14155550142>4155550100 user=1001",
			"newCall a2 in +14155550142>4155550100 user=1002",
			"answer a2 in +14155550142>4155550100 queue=9000 answering=1002",
			"hangup a2 in +14155550142>4155550100 queue=9000 cause=normalClearing",
		}},
		{"a ring group nobody answers, then voicemail", func(s *esltest.Session) {
			a := esltest.Inbound("a3", caller, did)
			s.Create(a)
			a.Transfer("9000")
			a.Set("call_direction", "inbound", "ring_group_uuid", "6c3b0a5e-0f5d-4a51-9c6e-5d1b7b6f2a11")
			b1 := a.Dial("b3-1", "1001", esltest.RingGroupVars("1001")...)
			b2 := a.Dial("b3-2", "1002", esltest.RingGroupVars("1002")...)
			s.Create(b1)
			s.Create(b2)
			s.Hangup(b1, "NO_ANSWER")
			s.Hangup(b2, "NO_ANSWER")
			a.Set("originate_disposition", "NO_ANSWER")
			s.Answer(a) // voicemail takes a message
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a3 in +14155550142>4155550100",
			"newCall a3 in +14155550142>4155550100 user=1001",
			"newCall a3 in +14155550142>4155550100 user=1002",
			"hangup a3 in +14155550142>4155550100 queue=9000 cause=noAnswer",
		}},
		{"the caller gives up", func(s *esltest.Session) {
			a := esltest.Inbound("a4", caller, did)
			s.Create(a)
			b := a.Dial("b4", "1001", esltest.UserVars("1001")...)
			s.Create(b)
			s.Hangup(b, "ORIGINATOR_CANCEL")
			a.Set("originate_disposition", "ORIGINATOR_CANCEL")
			s.Hangup(a, "ORIGINATOR_CANCEL")
		}, []string{
			"newCall a4 in +14155550142>4155550100",
			"newCall a4 in +14155550142>4155550100 user=1001",
			"hangup a4 in +14155550142>4155550100 cause=cancel",
		}},
		{"busy", func(s *esltest.Session) {
			a := esltest.Inbound("a5", caller, did)
			s.Create(a)
			b := a.Dial("b5", "1001", esltest.UserVars("1001")...)
			s.Create(b)
			s.Hangup(b, "USER_BUSY")
			s.Hangup(a, "USER_BUSY")
		}, []string{
			"newCall a5 in +14155550142>4155550100",
			"newCall a5 in +14155550142>4155550100 user=1001",
			"hangup a5 in +14155550142>4155550100 cause=busy",
		}},
		{"a call center queue", func(s *esltest.Session) {
			a := esltest.Inbound("a6", caller, did)
			s.Create(a)
			a.Transfer("5000")
			s.Answer(a) // the queue's music
			a.Set("cc_side", "member", "cc_queue", "5000@pbx.example.com")
			agent := esltest.Agent("b6", "1003", "5000@pbx.example.com", a)
			s.Create(agent)
			s.Connect(a, agent)
			s.Hangup(agent, "NORMAL_CLEARING")
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a6 in +14155550142>4155550100",
			"newCall a6 in +14155550142>4155550100 user=1003 queue=5000",
			"answer a6 in +14155550142>4155550100 queue=5000 answering=1003",
			"hangup a6 in +14155550142>4155550100 queue=5000 cause=normalClearing",
		}},
		{"a blind transfer", func(s *esltest.Session) {
			a := esltest.Inbound("a7", caller, did)
			s.Create(a)
			b1 := a.Dial("b7-1", "1001", esltest.UserVars("1001")...)
			s.Create(b1)
			s.Connect(a, b1)
			s.Hangup(b1, "BLIND_TRANSFER") // 1001 transfers the caller to 1002
			b2 := a.Dial("b7-2", "1002", esltest.UserVars("1002")...)
			s.Create(b2)
			s.Connect(a, b2)
			s.Hangup(b2, "NORMAL_CLEARING")
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a7 in +14155550142>4155550100",
			"newCall a7 in +14155550142>4155550100 user=1001",
			"answer a7 in +14155550142>4155550100 answering=1001",
			"newCall a7 in +14155550142>4155550100 user=1002",
			"answer a7 in +14155550142>4155550100 answering=1002",
			"hangup a7 in +14155550142>4155550100 cause=normalClearing",
		}},
		{"outbound, through the gateway", func(s *esltest.Session) {
			a := esltest.Phone("a8", "1001", "+33612345678")
			s.Create(a)
			a.Set("call_direction", "outbound")
			b := a.Dial("b8", "+33612345678")
			s.Create(b)
			s.Connect(a, b)
			s.Hangup(b, "NORMAL_CLEARING")
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a8 out 1001>+33612345678 user=1001",
			"answer a8 out 1001>+33612345678 user=1001",
			"hangup a8 out 1001>+33612345678 user=1001 cause=normalClearing",
		}},
		{"outbound, not answered", func(s *esltest.Session) {
			a := esltest.Phone("a9", "1001", "+33612345678")
			s.Create(a)
			b := a.Dial("b9", "+33612345678")
			s.Create(b)
			s.Hangup(b, "NO_ANSWER")
			s.Hangup(a, "NO_ANSWER")
		}, []string{
			"newCall a9 out 1001>+33612345678 user=1001",
			"hangup a9 out 1001>+33612345678 user=1001 cause=noAnswer",
		}},
		{"channels of no call", func(s *esltest.Session) {
			// An originate (click to call) starts with a channel
			// FreeSWITCH dials: not an inbound or outbound call.
			o := &esltest.Channel{UUID: "o1", Name: "sofia/internal/1001@198.51.100.20:5060", Direction: "outbound",
				Number: "0000000000", Destination: "1001", Context: "default"}
			s.Create(o)
			s.Answer(o)
			s.Hangup(o, "NORMAL_CLEARING")
			// Then a call, to show nothing came before.
			a := esltest.Inbound("a10", caller, did)
			s.Create(a)
			s.Hangup(a, "NORMAL_CLEARING")
		}, []string{
			"newCall a10 in +14155550142>4155550100",
			"hangup a10 in +14155550142>4155550100 cause=cancel",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := esltest.NewServer(t, "ClueCon", func(s *esltest.Session) {
				if _, err := s.Expect("event plain"); err != nil {
					return
				}
				tt.script(s)
				s.Expect("exit")
			})
			rec := followFreeSWITCH(t, srv)
			for _, want := range tt.want {
				ev := <-rec.events
				if err := ev.Validate(); err != nil {
					t.Errorf("invalid event %+v: %v", ev, err)
				}
				if got := brief(ev); got != want {
					t.Fatalf("posted %q, want %q", got, want)
				}
			}
		})
	}
}

// TestFreeSWITCHSubscription checks the commands the adapter sends: the
// password, the four channel events in the plain format, and the question
// of which channels exist.
func TestFreeSWITCHSubscription(t *testing.T) {
	listed := make(chan struct{})
	srv := esltest.NewServer(t, "ClueCon", func(s *esltest.Session) {
		if _, err := s.Expect("api show channels as json"); err != nil {
			return
		}
		close(listed)
		s.Expect("exit")
	})
	followFreeSWITCH(t, srv)
	<-listed
	want := []string{"auth ClueCon", "event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE",
		"api show channels as json"}
	if got := srv.Commands(); !slices.Equal(got[:min(len(got), 3)], want) {
		t.Fatalf("commands %q, want %q", got, want)
	}
}

// TestFreeSWITCHReconcile breaks the connection in the middle of two calls;
// one ends while the adapter is away, the other goes on. After the
// reconnection the adapter asks which channels exist, posts the lost
// hangup, and follows the other call to its end.
func TestFreeSWITCHReconcile(t *testing.T) {
	var srv *esltest.Server
	first, second := esltest.Inbound("r1", "+14155550101", "100"), esltest.Inbound("r2", "+14155550102", "100")
	firstLeg, secondLeg := first.Dial("r1-b", "1001", esltest.UserVars("1001")...),
		second.Dial("r2-b", "1002", esltest.UserVars("1002")...)
	srv = esltest.NewServer(t, "ClueCon",
		func(s *esltest.Session) {
			if _, err := s.Expect("event plain"); err != nil {
				return
			}
			s.Create(first)
			s.Create(firstLeg)
			s.Connect(first, firstLeg)
			s.Create(second)
			s.Create(secondLeg)
			srv.Drop(first, firstLeg) // the first call ends while the adapter is away
			s.Close()
		},
		func(s *esltest.Session) {
			if _, err := s.Expect("api show channels as json"); err != nil {
				return
			}
			s.Connect(second, secondLeg)
			s.Hangup(secondLeg, "NORMAL_CLEARING")
			s.Hangup(second, "NORMAL_CLEARING")
			s.Expect("exit")
		},
	)
	rec := followFreeSWITCH(t, srv)
	expectPosts(t, rec,
		"newCall r1 in +14155550101>100",
		"newCall r1 in +14155550101>100 user=1001",
		"answer r1 in +14155550101>100 answering=1001",
		"newCall r2 in +14155550102>100",
		"newCall r2 in +14155550102>100 user=1002",
		// After the reconnection: the first call ended unseen.
		"hangup r1 in +14155550101>100 cause=hangupNotReceived",
		// The second is still followed.
		"answer r2 in +14155550102>100 answering=1002",
		"hangup r2 in +14155550102>100 cause=normalClearing",
	)
}

// TestFreeSWITCHPing checks that a quiet connection is kept checked with api
// status, and not reopened while the answers come.
func TestFreeSWITCHPing(t *testing.T) {
	pings := make(chan string, 10)
	srv := esltest.NewServer(t, "ClueCon", func(s *esltest.Session) {
		for range 3 {
			cmd, err := s.Expect("api status")
			if err != nil {
				return
			}
			pings <- cmd
		}
		// A call after the pings is followed as any other: their
		// answers disturbed nothing.
		a := esltest.Inbound("p1", "+14155550103", "100")
		s.Create(a)
		s.Hangup(a, "NORMAL_CLEARING")
		s.Expect("exit")
	})
	rec := &recorder{events: make(chan *cti.Event, 100)}
	f := &pbx.FreeSWITCH{Connection: quick(srv.Addr, rec), Password: "ClueCon"}
	f.PingInterval = 50 * time.Millisecond
	runAdapter(t, f.Run)
	for range 3 {
		<-pings
	}
	expectPosts(t, rec, "newCall p1 in +14155550103>100", "hangup p1 in +14155550103>100 cause=cancel")
	auths := 0
	for _, c := range srv.Commands() {
		if strings.HasPrefix(c, "auth ") {
			auths++
		}
	}
	if auths != 1 {
		t.Errorf("%d connections, want one", auths)
	}
}

func TestFreeSWITCHPasswordRefused(t *testing.T) {
	srv := esltest.NewServer(t, "ClueCon")
	f := &pbx.FreeSWITCH{Connection: quick(srv.Addr, &recorder{}), Password: "wrong"}
	err := f.Run(context.Background())
	if !errors.Is(err, pbx.ErrLogin) || !strings.Contains(err.Error(), "-ERR invalid") {
		t.Fatalf("Run = %v, want the refused password", err)
	}
}
