package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestTicketPhoneTime: a ticket shows its time on the phone, the total of
// its phone calls' durations, and each call's; the API carries the total
// on the ticket and in lists; the calls of other tickets do not count.
func TestTicketPhoneTime(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent := e.userOf(t, "agent")
	for _, c := range []*desk.PhoneCall{
		{TicketID: e.ticketA.ID, AgentID: agent.ContactID, Flow: desk.FlowInbound, Duration: 75},
		{TicketID: e.ticketA.ID, AgentID: agent.ContactID, Flow: desk.FlowOutbound, Duration: 800},
		{TicketID: e.ticketB.ID, AgentID: agent.ContactID, Flow: desk.FlowInbound, Duration: 3700},
	} {
		noErr(t, e.svc.PhoneCalls.CreatePhoneCall(e.sys, c))
	}
	web := e.MustLogin(t, "agent")
	r := web.get(idPath("/tickets", e.ticketA.ID))
	wantStatus(t, "ticket", r, http.StatusOK)
	for _, want := range []string{"Time on the phone <strong>0:14:35</strong>", "<td>0:01:15</td>", "<td>0:13:20</td>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	if r := web.get(idPath("/tickets", e.ticketB.ID)); !strings.Contains(r.body, "<strong>1:01:40</strong>") {
		t.Errorf("ticket B's time on the phone is not 1:01:40")
	}
	api := e.MustAPI(t, "agent")
	var got desk.Ticket
	api.get(idPath("/api/v1/tickets", e.ticketA.ID)).decode(t, &got)
	if got.PhoneTime != 875 {
		t.Errorf("API ticket phone_time = %d, want 875", got.PhoneTime)
	}
	items, _ := listOf[desk.Ticket](t, api.get("/api/v1/tickets"))
	for _, tk := range items {
		if want := map[int64]int{e.ticketA.ID: 875, e.ticketB.ID: 3700}[tk.ID]; tk.PhoneTime != want {
			t.Errorf("API list: ticket %s phone_time = %d, want %d", tk.Ref, tk.PhoneTime, want)
		}
	}
}
