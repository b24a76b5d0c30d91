package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// The call simulator of the Telephony page: "Simulate a call" from a number
// to an agent (or to nobody named), then answer it, hang up or miss it, each
// step through the real call events path (cti.Calls.Simulate), as the
// integration the administrator chooses or the built-in one. The page shows
// what was posted, the reply, the call as recorded, and the steps that may
// follow; the agents' tabs get their notices as from a phone system.

// simulationView is what the simulator did, and the form of its next step.
type simulationView struct {
	// IntegrationID, From, Queue and AgentID are the form's values, kept
	// for the next steps; IntegrationName is the integration posted as.
	IntegrationID   int64
	IntegrationName string
	From, Queue     string
	AgentID         int64
	// Step is the step done; Body the form it posted; Reply the answer.
	Step, Body, Reply string
	Call              *desk.Call
	// PopURL opens the call's screen pop.
	PopURL string
	// Rang names the agents the call rang for; More counts the others.
	Rang []string
	More int
	// Next are the steps that may follow.
	Next []string
}

// maxSimulationNames bounds the agents named as rung.
const maxSimulationNames = 10

// handleSimulate runs one step of a simulated call and shows the page with
// what it did.
func (s *Server) handleSimulate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	fields := []string{"integration_id", "from", "agent_id", "queue", "step"}
	v, err := s.simulate(r)
	if err != nil {
		return s.telephonyFormError(w, r, err, "sim", fields...)
	}
	return s.renderTelephony(w, r, http.StatusOK, &telephonyView{Simulation: v})
}

func (s *Server) simulate(r *http.Request) (*simulationView, error) {
	ctx := r.Context()
	if s.calls == nil {
		return nil, desk.Invalid("step", "error.call_events_disabled")
	}
	form := r.PostForm
	v := &simulationView{From: strings.TrimSpace(form.Get("from")), Queue: strings.TrimSpace(form.Get("queue")),
		Step: form.Get("step")}
	if !slices.Contains(cti.SimulationSteps, v.Step) {
		return nil, desk.Invalid("step", "error.simulation_step")
	}
	var err error
	if v.IntegrationID, err = formID(r, "integration_id"); err != nil {
		return nil, err
	}
	if v.AgentID, err = formID(r, "agent_id"); err != nil {
		return nil, err
	}
	integ, err := s.simulationIntegration(r, v.IntegrationID)
	if err != nil {
		return nil, err
	}
	v.IntegrationName = integ.Name
	sc := cti.SimulatedCall{Step: v.Step, CallID: strings.TrimSpace(form.Get("call_id")), From: v.From, Queue: v.Queue}
	if v.AgentID != 0 {
		if sc.Agent, err = s.svc.Users.FindUserByID(ctx, v.AgentID); desk.ErrorCode(err) == desk.ENOTFOUND {
			return nil, desk.Invalid("agent_id", "error.user_missing")
		} else if err != nil {
			return nil, err
		}
		settings, err := s.svc.Telephony.FindAgentSettings(ctx, v.AgentID)
		if err != nil {
			return nil, err
		}
		sc.Extension = settings.Extension
	}
	res, err := s.calls.Simulate(ctx, integ, sc)
	if err != nil {
		return nil, err
	}
	v.Body, v.Reply, v.Call, v.Next = res.Body, res.Reply, res.Call, cti.NextSteps(res.Call)
	v.PopURL = cti.PopURL(res.Call)
	for _, id := range res.Call.RingingUserIDs {
		if len(v.Rang) == maxSimulationNames {
			v.More++
			continue
		}
		u, err := s.svc.Users.FindUserByID(ctx, id)
		if err != nil {
			return nil, err
		}
		name := u.Login
		if u.ContactName != "" {
			name = u.ContactName + " (" + u.Login + ")"
		}
		v.Rang = append(v.Rang, name)
	}
	s.log.Info("call simulated", "step", v.Step, "call", res.Call.CallID, "integration", integ.Name)
	return v, nil
}

// simulationIntegration returns the active integration of id, or the
// built-in simulator's for 0.
func (s *Server) simulationIntegration(r *http.Request, id int64) (*desk.Integration, error) {
	if id == 0 {
		return s.calls.SimulatorIntegration(r.Context())
	}
	all, err := s.svc.Telephony.FindIntegrations(r.Context())
	if err != nil {
		return nil, err
	}
	for _, i := range all {
		if i.ID == id && !i.Revoked() {
			return i, nil
		}
	}
	return nil, desk.Invalid("integration_id", "error.simulation_integration", strconv.FormatInt(id, 10))
}
