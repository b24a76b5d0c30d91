package api

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// Call events from phone systems (docs/integrations/webhook.md), in the form
// of Zammad's Generic CTI. The phone system proves itself with its
// integration's token, not with an API token: in the path, as Zammad's URL
// carries it (POST /api/v1/cti/TOKEN, Zammad's own shape, so that its
// scripts work with the host and the token changed; or
// /api/v1/cti/events/TOKEN), or in the Authorization header (Bearer TOKEN,
// to /api/v1/cti/events). An integration token only posts events, so a leak
// through a URL in a log reads nothing.

// Paths of the call events.
const (
	// integrationPrefix starts Zammad's shape, /api/v1/cti/TOKEN, and
	// every path of the call events.
	integrationPrefix = "/api/v1/cti/"
	// integrationEventsPath takes the token in the header, or followed by
	// /TOKEN in the path.
	integrationEventsPath = "/api/v1/cti/events"
)

// WebhookURL returns the URL a phone system posts its call events to, the
// integration's token in the path, in Zammad's shape; base is the URL
// ctidesk is reached at.
func WebhookURL(base, token string) string { return base + integrationPrefix + token }

// EventsURL returns the URL a phone system posts its call events to with
// the token in its Authorization header.
func EventsURL(base string) string { return base + integrationEventsPath }

// isIntegrationPath reports whether path is one of the call events, which
// authenticate with an integration token instead of an API token.
func isIntegrationPath(path string) bool { return strings.HasPrefix(path, integrationPrefix) }

func (s *Server) apiCTIRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodPost, integrationPrefix + "{token}", s.apiCTIEvent},
		{http.MethodPost, integrationEventsPath, s.apiCTIEvent},
		{http.MethodPost, integrationEventsPath + "/{token}", s.apiCTIEvent},
	}
}

// apiCTIEvent records a call event and answers the phone system: {} or the
// action to take.
func (s *Server) apiCTIEvent(w http.ResponseWriter, r *http.Request) error {
	integ, err := s.authenticateIntegration(r)
	switch {
	case desk.ErrorKey(err) == "error.webhook_token_required":
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk"`)
		return err
	case desk.ErrorCode(err) == desk.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk", error="invalid_token"`)
		return err
	case err != nil:
		return err
	}
	request.SetLogin(r.Context(), "integration:"+integ.Name)
	if s.calls == nil {
		return desk.Invalid("event", "error.call_events_disabled")
	}
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
	ev, err := cti.ParseEvent(r.Header.Get("Content-Type"), body, r.URL.RawQuery)
	if err != nil {
		return err
	}
	if err := checkStrings(reflect.ValueOf(ev), ""); err != nil {
		return err
	}
	reply, _, err := s.calls.Handle(r.Context(), integ, ev)
	if err != nil {
		return err
	}
	s.onCallEvent(ev.Event)
	writeJSON(w, http.StatusOK, reply)
	return nil
}

// authenticateIntegration returns the integration whose token the request
// carries, in its path or its Authorization header. Every refusal is
// EUNAUTHORIZED with a message that says which token the webhook wants and
// the URL it takes it in, whatever was wrong: no token, an API token, a
// token of another system (Zammad's, left in a script), an unknown or a
// revoked one.
func (s *Server) authenticateIntegration(r *http.Request) (*desk.Integration, error) {
	token := r.PathValue("token")
	if token == "" {
		scheme, t, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if strings.EqualFold(scheme, "Bearer") {
			token = strings.TrimSpace(t)
		}
	}
	url := WebhookURL(s.baseURL(r), "TOKEN")
	switch {
	case token == "":
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.webhook_token_required", url)
	case strings.HasPrefix(token, desk.APITokenPrefix):
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.webhook_api_token", url)
	case !strings.HasPrefix(token, desk.IntegrationTokenPrefix):
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.webhook_token_foreign", url)
	}
	integ, err := s.svc.Telephony.AuthenticateIntegration(r.Context(), token)
	switch {
	case err == nil:
		return integ, nil
	case desk.ErrorKey(err) == "error.integration_token_revoked":
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.webhook_token_revoked", url)
	case desk.ErrorCode(err) == desk.EUNAUTHORIZED:
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.webhook_token_unknown", url)
	}
	return nil, err
}
