package cti

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The call simulator of the Telephony page: an administrator makes a call
// ring, be answered, hang up or be missed, through the path a phone system's
// events take (the form ParseEvent reads, then Handle), so that he sees the
// whole chain work (the ringing notices, the pop on answer, the call log)
// before he touches the phone system.

// SimulatorIntegration names the integration the simulator posts as when
// the administrator chooses none: made the first time, listed with the
// others (its token is not kept: nothing but the simulator posts with it).
const SimulatorIntegration = "Call simulator"

// Steps of a simulated call.
const (
	StepRing   = "ring"   // newCall
	StepAnswer = "answer" // answer
	StepHangup = "hangup" // hangup, normal clearing
	StepMiss   = "miss"   // hangup, no answer
)

// SimulationSteps lists the steps, in the order of a call.
var SimulationSteps = []string{StepRing, StepAnswer, StepHangup, StepMiss}

// SimulatedCall is one step of a simulated inbound call.
type SimulatedCall struct {
	// Step is one of SimulationSteps.
	Step string
	// CallID is the call's id; "" makes a new one (ring).
	CallID string
	// From is the caller's number; Queue the queue, "" for none.
	From, Queue string
	// Agent is the agent the call is for, named as a phone system names
	// him (user, answeringNumber): by Extension, else by his login; nil
	// names nobody, and the call rings as the integration decides.
	Agent     *desk.User
	Extension string
}

// SimulationResult is what a step did.
type SimulationResult struct {
	// Body is the form the step posted, as a phone system would.
	Body string
	// Reply is the answer the phone system got, in JSON.
	Reply string
	// Call is the call as recorded.
	Call *desk.Call
}

// form returns the form a phone system would post for the step.
func (s *SimulatedCall) form() (url.Values, error) {
	f := url.Values{"direction": {desk.DirectionIn}, "callId": {s.CallID}, "from": {s.From}, "to": {"100"}}
	if s.Queue != "" {
		f.Set("queue", s.Queue)
	}
	agent := ""
	if s.Agent != nil {
		agent = s.Agent.Login
		if s.Extension != "" {
			agent = s.Extension
		}
		f.Set("to", agent)
	}
	switch s.Step {
	case StepRing:
		f.Set("event", EventNewCall)
		if s.Agent != nil {
			f.Set("user[]", s.Agent.Login)
		}
	case StepAnswer:
		f.Set("event", EventAnswer)
		if agent != "" {
			f.Set("answeringNumber", agent)
		}
	case StepHangup, StepMiss:
		f.Set("event", EventHangup)
		f.Set("cause", CauseNormalClearing)
		if s.Step == StepMiss {
			f.Set("cause", CauseNoAnswer)
		}
	default:
		return nil, desk.Invalid("step", "error.simulation_step")
	}
	return f, nil
}

// Simulate posts the step of sc as integration i, through ParseEvent and
// Handle, and returns what it did. A ring without a call id gets a new one
// (sim-…); the other steps need the call's.
func (c *Calls) Simulate(ctx context.Context, i *desk.Integration, sc SimulatedCall) (*SimulationResult, error) {
	if sc.CallID == "" {
		if sc.Step != StepRing {
			return nil, desk.Invalid("call", "error.simulation_no_call")
		}
		b := make([]byte, 6)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		sc.CallID = "sim-" + hex.EncodeToString(b)
	}
	form, err := sc.form()
	if err != nil {
		return nil, err
	}
	body := form.Encode()
	ev, err := ParseEvent("application/x-www-form-urlencoded", []byte(body), "")
	if err != nil {
		return nil, err
	}
	reply, call, err := c.Handle(ctx, i, ev)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(reply)
	if err != nil {
		return nil, err
	}
	return &SimulationResult{Body: body, Reply: string(js), Call: call}, nil
}

// SimulatorIntegration returns the active integration named
// SimulatorIntegration, made when there is none. Only an admin may make it.
func (c *Calls) SimulatorIntegration(ctx context.Context) (*desk.Integration, error) {
	all, err := c.Services.Telephony.FindIntegrations(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range all {
		if i.Name == SimulatorIntegration && !i.Revoked() {
			return i, nil
		}
	}
	_, i, err := c.Services.Telephony.CreateIntegration(ctx, SimulatorIntegration)
	return i, err
}

// NextSteps returns the steps that may follow for call: answer or miss a
// ringing call; answer (put through) or hang up a rejected one; hang up one
// in progress; none once it is over.
func NextSteps(call *desk.Call) []string {
	if call == nil || call.Ended() {
		return nil
	}
	switch call.State {
	case desk.CallRinging:
		return []string{StepAnswer, StepMiss}
	case desk.CallRejected:
		return []string{StepAnswer, StepHangup}
	}
	return []string{StepHangup}
}
