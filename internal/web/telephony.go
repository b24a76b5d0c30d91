package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/ctidesk/ctidesk/internal/api"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// The administrator's telephony page (/admin/telephony): the phone system
// integrations and their tokens (shown once, with the webhook URL), whether
// each rings every agent for the calls that name nobody, the agents'
// extensions, the queues' targets, the block list, the caller id rules of
// outbound calls, and the call simulator (simulator.go). Every form posts
// back here and shows the page again, or its errors.

func (s *Server) registerTelephonyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/telephony", s.page(s.handleTelephony))
	mux.HandleFunc("POST /admin/telephony/integrations", s.action(s.handleIntegrationCreate))
	mux.HandleFunc("POST /admin/telephony/integrations/{id}/revoke", s.action(s.handleIntegrationRevoke))
	mux.HandleFunc("POST /admin/telephony/integrations/{id}/settings", s.action(s.handleIntegrationSettings))
	mux.HandleFunc("POST /admin/telephony/queues", s.action(s.handleQueueTargetCreate))
	mux.HandleFunc("POST /admin/telephony/queues/{id}/delete", s.action(s.telephonyDelete(s.svc.Telephony.DeleteQueueTarget, "queues")))
	mux.HandleFunc("POST /admin/telephony/simulate", s.action(s.handleSimulate))
	mux.HandleFunc("POST /admin/telephony/extensions", s.action(s.handleExtensionSet))
	mux.HandleFunc("POST /admin/telephony/blocked", s.action(s.handleBlockedCreate))
	mux.HandleFunc("POST /admin/telephony/blocked/{id}/delete", s.action(s.telephonyDelete(s.svc.Telephony.DeleteBlockedNumber, "blocked")))
	mux.HandleFunc("POST /admin/telephony/rules", s.action(s.handleRuleCreate))
	mux.HandleFunc("POST /admin/telephony/rules/{id}/delete", s.action(s.telephonyDelete(s.svc.Telephony.DeleteCallerIDRule, "rules")))
}

// telephonyView is the data of the telephony page.
type telephonyView struct {
	Layout
	Integrations []*desk.Integration
	Agents       []*desk.AgentSettings
	Users        []*desk.User
	Queues       []*desk.QueueTarget
	// Teams are the choices of a queue's team.
	Teams   []*desk.Team
	Blocked []*desk.BlockedNumber
	Rules   []*desk.CallerIDRule
	// Simulation is what the call simulator just did; nil before.
	Simulation *simulationView
	// NewToken is the token of the integration just created, shown this
	// once, with WebhookURL, the URL that carries it.
	NewToken    string
	NewTokenFor *desk.Integration
	WebhookURL  string
	// HeaderURL is the URL that takes the token in the Authorization
	// header.
	HeaderURL string
	// Form is what a failed form held, by field name; Errors its errors,
	// keyed by form and field ("blocked.number"), "" for the page.
	Form   map[string]string
	Errors map[string]string
}

func (s *Server) handleTelephony(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	return s.renderTelephony(w, r, http.StatusOK, &telephonyView{})
}

func (s *Server) renderTelephony(w http.ResponseWriter, r *http.Request, status int, v *telephonyView) error {
	ctx := r.Context()
	v.Nav = "telephony"
	var err error
	if v.Integrations, err = s.svc.Telephony.FindIntegrations(ctx); err != nil {
		return err
	}
	if v.Agents, err = s.svc.Telephony.FindAgentsSettings(ctx); err != nil {
		return err
	}
	if v.Users, _, err = s.svc.Users.FindUsers(ctx, desk.UserFilter{Limit: selectLimit}); err != nil {
		return err
	}
	if v.Queues, err = s.svc.Telephony.FindQueueTargets(ctx); err != nil {
		return err
	}
	if v.Teams, _, err = s.svc.Teams.FindTeams(ctx, desk.TeamFilter{Limit: selectLimit}); err != nil {
		return err
	}
	if v.Blocked, err = s.svc.Telephony.FindBlockedNumbers(ctx); err != nil {
		return err
	}
	if v.Rules, err = s.svc.Telephony.FindCallerIDRules(ctx); err != nil {
		return err
	}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	return s.render(w, r, status, "telephony", v)
}

// telephonyFormError shows the page again with the error of form (its
// fields named), or returns err when it is not the form's fault.
func (s *Server) telephonyFormError(w http.ResponseWriter, r *http.Request, err error, form string, fields ...string) error {
	errs := s.formErrors(r, err, fields...)
	if errs == nil {
		return err
	}
	v := &telephonyView{Form: map[string]string{}, Errors: map[string]string{}}
	for k, msg := range errs {
		if k == "" {
			v.Errors[""] = msg
		} else {
			v.Errors[form+"."+k] = msg
		}
	}
	for _, f := range fields {
		v.Form[form+"."+f] = r.PostForm.Get(f)
	}
	return s.renderTelephony(w, r, http.StatusUnprocessableEntity, v)
}

// handleIntegrationCreate creates an integration and shows its token, once.
func (s *Server) handleIntegrationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	token, i, err := s.svc.Telephony.CreateIntegration(r.Context(), r.PostForm.Get("name"))
	if err != nil {
		return s.telephonyFormError(w, r, err, "integration", "name")
	}
	s.log.Info("integration created", "id", i.ID, "name", i.Name)
	base := request.BaseURL(r, s.base)
	v := &telephonyView{NewToken: token, NewTokenFor: i, WebhookURL: api.WebhookURL(base, token), HeaderURL: api.EventsURL(base)}
	return s.renderTelephony(w, r, http.StatusOK, v)
}

func (s *Server) handleIntegrationRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	i, err := s.svc.Telephony.RevokeIntegration(r.Context(), id)
	if err != nil {
		return err
	}
	s.log.Info("integration revoked", "id", i.ID, "name", i.Name)
	redirect(w, r, "/admin/telephony")
	return nil
}

// handleIntegrationSettings turns on or off whether the integration rings
// every agent for the calls that name nobody.
func (s *Server) handleIntegrationSettings(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	on := r.PostForm.Get("ring_all_agents") == "1"
	i, err := s.svc.Telephony.UpdateIntegration(r.Context(), id, desk.IntegrationUpdate{RingAllAgents: &on})
	if err != nil {
		return err
	}
	s.log.Info("integration changed", "id", i.ID, "name", i.Name, "ring_all_agents", i.RingAllAgents)
	redirect(w, r, "/admin/telephony#integrations")
	return nil
}

// handleQueueTargetCreate tells an agent, or a team's members, of the
// calls of a queue.
func (s *Server) handleQueueTargetCreate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	userID, err := formID(r, "user_id")
	var teamID int64
	if err == nil {
		teamID, err = formID(r, "team_id")
	}
	if err == nil {
		err = s.svc.Telephony.CreateQueueTarget(r.Context(), &desk.QueueTarget{Queue: r.PostForm.Get("queue"), UserID: userID,
			TeamID: teamID})
	}
	if err != nil {
		return s.telephonyFormError(w, r, err, "queue", "queue", "user_id", "team_id")
	}
	redirect(w, r, "/admin/telephony#queues")
	return nil
}

// handleExtensionSet sets (or, empty, removes) a user's extension.
func (s *Server) handleExtensionSet(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	userID, err := formID(r, "user_id")
	if err == nil && userID == 0 {
		err = desk.Invalid("user_id", "error.user_missing")
	}
	if err == nil {
		ext := r.PostForm.Get("extension")
		_, err = s.svc.Telephony.UpdateAgentSettings(r.Context(), userID, desk.AgentSettingsUpdate{Extension: &ext})
	}
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		err = desk.Invalid("user_id", "error.user_missing")
	}
	if err != nil {
		return s.telephonyFormError(w, r, err, "extension", "user_id", "extension")
	}
	redirect(w, r, "/admin/telephony#agents")
	return nil
}

func (s *Server) handleBlockedCreate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	b := &desk.BlockedNumber{Number: r.PostForm.Get("number"), Note: r.PostForm.Get("note")}
	if err := s.svc.Telephony.CreateBlockedNumber(r.Context(), b); err != nil {
		return s.telephonyFormError(w, r, err, "blocked", "number", "note")
	}
	redirect(w, r, "/admin/telephony#blocked")
	return nil
}

func (s *Server) handleRuleCreate(w http.ResponseWriter, r *http.Request) error {
	if err := authorizeAdmin(r); err != nil {
		return err
	}
	rule := &desk.CallerIDRule{Pattern: r.PostForm.Get("pattern"), CallerID: r.PostForm.Get("caller_id"),
		Note: r.PostForm.Get("note")}
	if err := s.svc.Telephony.CreateCallerIDRule(r.Context(), rule); err != nil {
		return s.telephonyFormError(w, r, err, "rule", "pattern", "caller_id", "note")
	}
	redirect(w, r, "/admin/telephony#rules")
	return nil
}

// telephonyDelete returns the handler that deletes, with del, the row of
// the path's {id}, and shows the page's section anchor again.
func (s *Server) telephonyDelete(del func(ctx context.Context, id int64) error, anchor string) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := authorizeAdmin(r); err != nil {
			return err
		}
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := del(r.Context(), id); err != nil {
			return err
		}
		redirect(w, r, "/admin/telephony#"+anchor)
		return nil
	}
}

// telInput is one labeled text input of the telephony page, whose forms
// share field names: each input has its own id.
type telInput struct {
	ID, Name, Label, Value, Error string
	Required                      bool
}

// newTelInput builds a telInput, for the template function of that name.
func newTelInput(id, name, label, value, errMsg string, required bool) telInput {
	return telInput{ID: id, Name: name, Label: label, Value: value, Error: errMsg, Required: required}
}

// telUsers is a select of the users on the telephony page: the agent of an
// extension, of a queue, of a simulated call. Empty is the label of the
// option that chooses nobody; Value the id chosen.
type telUsers struct {
	telInput
	Empty string
	Users []*desk.User
}

// newTelUsers builds a telUsers, for the template function of that name.
func newTelUsers(id, name, label, value, errMsg, empty string, required bool, users []*desk.User) telUsers {
	return telUsers{telInput: newTelInput(id, name, label, value, errMsg, required), Empty: empty, Users: users}
}

// simDefaultFrom is the number a simulated call comes from until the
// administrator gives another.
const simDefaultFrom = "+14155550142"

// Sim returns the value of the simulator's field name: as the failed form
// held it, else as the last step used it (its defaults before any).
func (v *telephonyView) Sim(name string) string {
	if val, ok := v.Form["sim."+name]; ok {
		return val
	}
	sim := v.Simulation
	if sim == nil {
		if name == "from" {
			return simDefaultFrom
		}
		return ""
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	switch name {
	case "from":
		return sim.From
	case "queue":
		return sim.Queue
	case "integration_id":
		return id(sim.IntegrationID)
	case "agent_id":
		return id(sim.AgentID)
	}
	return ""
}
