package web_test

import (
	"fmt"
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
	quiet := e.MustTicket(t, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Nobody called about this",
		OrgID: e.orgA.ID, CallerID: e.personA.ID})
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
	// The ticket list shows each ticket's time on the phone in its row,
	// nothing for a ticket without calls.
	list := web.get("/tickets")
	wantStatus(t, "tickets", list, http.StatusOK)
	for id, want := range map[int64]string{e.ticketA.ID: `data-phone-time="875">0:14:35<`, e.ticketB.ID: `data-phone-time="3700">1:01:40<`} {
		if row := ticketRow(list.body, id); !strings.Contains(row, want) {
			t.Errorf("ticket list: the row of ticket %d lacks %q:\n%s", id, want, row)
		}
	}
	for _, tk := range []*desk.Ticket{quiet} {
		if row := ticketRow(list.body, tk.ID); row == "" || strings.Contains(row, "data-phone-time") {
			t.Errorf("ticket list: ticket %s, without calls, shows a time on the phone (or no row):\n%s", tk.Ref, row)
		}
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

// ticketRow returns the row of the ticket id in a tickets table, "" when
// the page lists no such ticket.
func ticketRow(page string, id int64) string {
	i := strings.Index(page, fmt.Sprintf(`<a href="/tickets/%d" data-ticket>`, id))
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<tr>")
	end := strings.Index(page[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end]
}
