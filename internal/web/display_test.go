package web_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestAPIDisplay: POST /api/v1/agents/{login or extension}/display sends
// the page to the named agent's stream only; 409 without an open tab, 404
// for an object the agent may not see or an unknown agent, 403 for another
// agent's token.
func TestAPIDisplay(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	admin, agent, scoped := ce.MustAPI(t, "admin"), ce.MustAPI(t, "agent"), ce.MustAPI(t, "scoped")
	scopedUser, agentUser := ce.userOf(t, "scoped"), ce.userOf(t, "agent")
	path := "/api/v1/agents/scoped/display"
	ticketA := map[string]any{"ticket": ce.ticketA.Ref}

	wantAPIError(t, "no tab", admin.do(http.MethodPost, path, ticketA), http.StatusConflict, desk.ECONFLICT, "")
	tab, cancel := ce.bus.Subscribe(scopedUser.ID, 0)
	defer cancel()
	other, cancelOther := ce.bus.Subscribe(agentUser.ID, 0)
	defer cancelOther()
	next := func(what string) map[string]any {
		t.Helper()
		select {
		case ev := <-tab:
			var d map[string]any
			if ev.Type != cti.NoticeDisplay || json.Unmarshal(ev.Data, &d) != nil {
				t.Fatalf("%s: event %s %s", what, ev.Type, ev.Data)
			}
			return d
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: nothing reached the tab", what)
		}
		return nil
	}

	var out cti.Displayed
	r := admin.do(http.MethodPost, path, ticketA)
	wantAPIStatus(t, "ticket", r, http.StatusOK)
	r.decode(t, &out)
	want := idPath("/tickets", ce.ticketA.ID)
	if out.URL != want || out.Agent != "scoped" || out.Label != ce.ticketA.Ref+" "+ce.ticketA.Title {
		t.Fatalf("displayed %+v", out)
	}
	if d := next("ticket"); d["pop_url"] != want {
		t.Fatalf("the tab got %v, want %s", d, want)
	}
	// By extension, a person; the pop of a number.
	wantAPIStatus(t, "person", admin.do(http.MethodPost, "/api/v1/agents/203/display",
		map[string]any{"person": ce.personA.ID}), http.StatusOK)
	if d := next("person"); d["pop_url"] != idPath("/persons", ce.personA.ID) {
		t.Fatalf("the tab got %v", d)
	}
	wantAPIStatus(t, "pop", scoped.do(http.MethodPost, path, map[string]any{"pop": map[string]string{"phone": "+33 1 23 45 67 89"}}),
		http.StatusOK)
	if d := next("pop"); d["pop_url"] != "/pop?phone=%2B33+1+23+45+67+89" {
		t.Fatalf("the tab got %v", d)
	}
	// Nothing the scoped agent may not see; nothing from another agent.
	wantAPIError(t, "foreign ticket", admin.do(http.MethodPost, path, map[string]any{"ticket": ce.ticketB.Ref}),
		http.StatusNotFound, desk.ENOTFOUND, "")
	wantAPIError(t, "foreign person", admin.do(http.MethodPost, path, map[string]any{"person": ce.personB.ID}),
		http.StatusNotFound, desk.ENOTFOUND, "")
	wantAPIError(t, "another agent's token", agent.do(http.MethodPost, path, ticketA), http.StatusForbidden, desk.EFORBIDDEN, "")
	wantAPIError(t, "unknown agent", admin.do(http.MethodPost, "/api/v1/agents/nobody/display", ticketA),
		http.StatusNotFound, desk.ENOTFOUND, "")
	wantAPIError(t, "two targets", admin.do(http.MethodPost, path, map[string]any{"ticket": "1", "person": 1}),
		http.StatusUnprocessableEntity, desk.EINVALID, "ticket")
	wantAPIError(t, "bad ticket", admin.do(http.MethodPost, path, map[string]any{"ticket": "printer"}),
		http.StatusUnprocessableEntity, desk.EINVALID, "ticket")
	wantAPIError(t, "empty pop", admin.do(http.MethodPost, path, map[string]any{"pop": map[string]string{}}),
		http.StatusUnprocessableEntity, desk.EINVALID, "pop")
	select {
	case ev := <-tab:
		t.Errorf("a refused request reached the tab: %s %s", ev.Type, ev.Data)
	case ev := <-other:
		t.Errorf("another agent's tab got %s %s", ev.Type, ev.Data)
	default:
	}
}
