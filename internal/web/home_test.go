package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// section returns the HTML of the element with id, up to its section's end,
// its character references unescaped.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return html.UnescapeString(rest[:j])
	}
	return html.UnescapeString(rest)
}

// TestHomeIsTheAgentsDay: home shows the agent's open tickets, the open
// tickets nobody took, the missed calls he has to call back (gone once the
// number is called back), today's calls; an administrator also sees when
// each phone system last posted an event.
func TestHomeIsTheAgentsDay(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	agent := ce.userOf(t, "agent")
	mine := ce.MustTicket(t, &desk.Ticket{Kind: desk.KindIncident, Title: "VPN drops every hour", OrgID: ce.orgA.ID,
		AgentID: agent.ContactID})
	post := func(form url.Values) {
		t.Helper()
		wantAPIStatus(t, form.Get("event")+" "+form.Get("callId"), ce.event(t, form), http.StatusOK)
	}
	// Bob called twice and nobody answered; an unknown number once, then
	// it was answered.
	post(callForm("newCall", "h-1", "+33987654321", "user", "201"))
	post(callForm("hangup", "h-1", "+33987654321", "cause", "cancel"))
	post(callForm("newCall", "h-2", "+33987654321", "user", "201"))
	post(callForm("hangup", "h-2", "+33987654321", "cause", "cancel"))
	post(callForm("newCall", "h-3", "+442079460000", "user", "201"))
	post(callForm("hangup", "h-3", "+442079460000", "cause", "cancel"))
	post(callForm("newCall", "h-4", "+442079460000", "user", "201"))
	post(callForm("answer", "h-4", "+442079460000", "answeringNumber", "201"))
	post(callForm("hangup", "h-4", "+442079460000"))

	c := ce.MustLogin(t, "agent")
	r := c.get("/")
	wantStatus(t, "home", r, http.StatusOK)
	if s := section(r.body, "my-tickets"); !strings.Contains(s, "VPN drops every hour") || strings.Contains(s, "Printer jams") {
		t.Errorf("my tickets:\n%s", s)
	}
	if s := section(r.body, "queue-tickets"); !strings.Contains(s, "Printer jams in accounting") || strings.Contains(s, mine.Title) {
		t.Errorf("unassigned tickets:\n%s", s)
	}
	back := section(r.body, "call-back")
	if strings.Count(back, "data-callback") != 1 || !strings.Contains(back, "Bob Brightside") ||
		!strings.Contains(back, `href="tel:+33987654321"`) {
		t.Errorf("calls to call back: want Bob once\n%s", back)
	}
	if strings.Contains(back, "+442079460000") {
		t.Errorf("a number answered since is still to call back:\n%s", back)
	}
	today := section(r.body, "today-calls")
	if !strings.Contains(today, "4 calls") || strings.Count(today, "data-call=") != 4 {
		t.Errorf("today's calls: want 4\n%s", today)
	}
	if strings.Contains(r.body, `id="integrations-health"`) {
		t.Error("an agent sees the phone systems' health")
	}
	// Bob called back: an outbound call to his number.
	post(url.Values{"event": {"newCall"}, "callId": {"h-5"}, "from": {"201"}, "to": {"+33987654321"},
		"direction": {"out"}, "user": {"201"}})
	if back := section(c.get("/").body, "call-back"); strings.Contains(back, "data-callback") {
		t.Errorf("Bob is still to call back after the agent called him:\n%s", back)
	}

	r = ce.MustLogin(t, "admin").get("/")
	health := section(r.body, "integrations-health")
	if !strings.Contains(health, "PBX") || !strings.Contains(health, "<time") {
		t.Errorf("admin: phone systems' health:\n%s", health)
	}
}
