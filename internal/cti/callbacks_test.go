package cti_test

import (
	"context"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestCallsCallbacks: a missed call opens one callback, due in working
// hours; a second missed call from the number (written otherwise) raises
// its count; a click-to-call records an attempt; an answered call from the
// number closes it; a call whose hangup was lost, missed, opens one too.
func TestCallsCallbacks(t *testing.T) {
	f := mustCallsFixture(t)
	wh, err := config.ParseWorkingHours("Mon-Fri 09:00-18:00")
	must(t, err)
	f.calls.Callbacks = config.Callbacks{DueAfter: 2 * time.Hour, WorkingHours: wh}
	f.now = time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC) // a Friday, an hour before closing
	miss := func(id, from string) *desk.Call {
		f.post(t, cti.Event{Event: cti.EventNewCall, From: from, To: "100", Direction: "in", CallID: id, User: []string{"alice"}})
		f.now = f.now.Add(20 * time.Second)
		_, call := f.post(t, cti.Event{Event: cti.EventHangup, From: from, To: "100", Direction: "in", CallID: id, Cause: cti.CauseCancel})
		return call
	}
	first := miss("m1", "+1 212 555 0100")
	cbs, _, err := f.svc.Callbacks.FindCallbacks(f.aliceCtx, desk.CallbackFilter{})
	must(t, err)
	monday := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC) // an hour on Friday, the next on Monday
	if len(cbs) != 1 || cbs[0].Count != 1 || cbs[0].PersonID != f.ann.ID || !cbs[0].DueAt.Equal(monday) ||
		!cbs[0].OwnedBy(f.alice.ID) || !cbs[0].FirstCallAt.Equal(first.StartedAt) {
		t.Fatalf("after a missed call: %+v", cbs)
	}
	f.now = f.now.Add(time.Minute)
	miss("m2", "2125550100")
	// A blocked caller, rejected, and an answered call from another
	// number open nothing.
	must(t, f.svc.Telephony.CreateBlockedNumber(f.sys, &desk.BlockedNumber{Number: "+1 999 555 0000"}))
	miss("b", "+1 999 555 0000")
	cbs, _, err = f.svc.Callbacks.FindCallbacks(f.aliceCtx, desk.CallbackFilter{})
	must(t, err)
	if len(cbs) != 1 || cbs[0].Count != 2 || !cbs[0].DueAt.Equal(monday) {
		t.Fatalf("after a second missed call: %+v", cbs)
	}

	// Alice calls Ann back from her page: an attempt.
	ecall, err := config.Parse("test.yaml", []byte("ecall_parameters:\n  url: https://cti.example/call\n  url_parameters:\n    number: phone\n"))
	must(t, err)
	out := &cti.Outbound{ECall: ecall.ECall, PhoneCalls: f.svc.PhoneCalls, Callbacks: f.svc.Callbacks}
	if _, _, err := out.Place(f.aliceCtx, f.ann, 0, "phone"); err != nil {
		t.Fatal(err)
	}
	k, err := f.svc.Callbacks.FindCallbackByID(f.aliceCtx, cbs[0].ID)
	must(t, err)
	if k.State != desk.CallbackAttempted || k.Attempts != 1 {
		t.Fatalf("after click-to-call: %+v", k)
	}

	// Ann calls again and Alice answers: done, by that call, as of its answer.
	f.now = f.now.Add(time.Hour)
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "+12125550100", To: "100", Direction: "in", CallID: "a", User: []string{"alice"}})
	f.post(t, cti.Event{Event: cti.EventAnswer, From: "+12125550100", To: "100", Direction: "in", CallID: "a", User: []string{"alice"}})
	if k, _ = f.svc.Callbacks.FindCallbackByID(f.aliceCtx, k.ID); k.State != desk.CallbackAttempted {
		t.Fatalf("closed before the answered call ended: %+v", k)
	}
	f.now = f.now.Add(3 * time.Minute)
	_, answered := f.post(t, cti.Event{Event: cti.EventHangup, From: "+12125550100", To: "100", Direction: "in", CallID: "a"})
	k, err = f.svc.Callbacks.FindCallbackByID(f.aliceCtx, k.ID)
	must(t, err)
	if k.State != desk.CallbackDone || k.DoneCallID != answered.ID || !k.DoneAt.Equal(*answered.AnsweredAt) {
		t.Fatalf("after an answered call: %+v", k)
	}

	// Bob's call whose hangup never came is missed: it owes a callback.
	f.post(t, cti.Event{Event: cti.EventNewCall, From: "+14155550199", To: "100", Direction: "in", CallID: "lost", User: []string{"bruno"}})
	f.now = f.now.Add(5 * time.Hour)
	if _, err := f.calls.EndStaleCalls(context.Background(), 4*time.Hour); err != nil {
		t.Fatal(err)
	}
	open, _, err := f.svc.Callbacks.FindCallbacks(f.sys, desk.CallbackFilter{States: []string{desk.CallbackOpen}})
	must(t, err)
	if len(open) != 1 || open[0].PersonID != f.bob.ID || !open[0].OwnedBy(f.bruno.ID) {
		t.Fatalf("after a stale missed call: %+v", open)
	}
}
