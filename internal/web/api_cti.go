package web

import (
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// Call events from phone systems (docs/integrations/webhook.md): POST
// /api/v1/cti/events, in the form of Zammad's Generic CTI. The phone system
// proves itself with its integration's token, not with an API token: in the
// path (/api/v1/cti/events/TOKEN, as Zammad's URL carries it), or in the
// Authorization header (Bearer TOKEN). An integration token only posts
// events, so a leak through a URL in a log reads nothing.

// integrationEventsPath is the path of the call events; the same path
// followed by /TOKEN takes the token in the path.
const integrationEventsPath = "/api/v1/cti/events"

// isIntegrationPath reports whether path is one of the call events, which
// authenticate with an integration token instead of an API token.
func isIntegrationPath(path string) bool {
	return path == integrationEventsPath || strings.HasPrefix(path, integrationEventsPath+"/")
}

// loggedPath returns the path to log: an integration token in the path is
// masked.
func loggedPath(path string) string {
	if strings.HasPrefix(path, integrationEventsPath+"/") {
		return integrationEventsPath + "/…"
	}
	return path
}

func (s *Server) apiCTIRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodPost, integrationEventsPath, s.apiCTIEvent},
		{http.MethodPost, integrationEventsPath + "/{token}", s.apiCTIEvent},
	}
}

// apiCTIEvent records a call event and answers the phone system: {} or the
// action to take.
func (s *Server) apiCTIEvent(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if token == "" {
		scheme, t, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if strings.EqualFold(scheme, "Bearer") {
			token = strings.TrimSpace(t)
		}
	}
	if token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk"`)
		return desk.NewError(desk.EUNAUTHORIZED, "error.integration_token_required",
			integrationEventsPath)
	}
	integ, err := s.svc.Telephony.AuthenticateIntegration(r.Context(), token)
	if err != nil {
		if desk.ErrorCode(err) == desk.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk", error="invalid_token"`)
		}
		return err
	}
	if info, ok := r.Context().Value(infoKey).(*requestInfo); ok {
		info.login = "integration:" + integ.Name
	}
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
	contentType := r.Header.Get("Content-Type")
	if len(strings.TrimSpace(string(body))) == 0 && r.URL.RawQuery != "" {
		// Some scripts post the event in the URL's query, as Zammad reads it
		// too.
		body, contentType = []byte(r.URL.RawQuery), "application/x-www-form-urlencoded"
	}
	ev, err := cti.ParseEvent(contentType, body)
	if err != nil {
		return err
	}
	reply, _, err := s.calls.Handle(r.Context(), integ, ev)
	if err != nil {
		return err
	}
	s.metrics.callEvent(ev.Event)
	writeJSON(w, http.StatusOK, reply)
	return nil
}
