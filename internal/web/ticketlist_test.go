package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// ticketRefs returns the references of the ticket rows of a list page, in
// order.
func ticketRefs(body string) []string {
	var refs []string
	for _, m := range regexp.MustCompile(`data-ticket>([^<]+)<`).FindAllStringSubmatch(body, -1) {
		refs = append(refs, m[1])
	}
	return refs
}

// TestTicketListSortAndFilter follows an agent's clicks: a header sorts, the
// same header reverses, a filter keeps the order and the order keeps the
// filter, the next page keeps both, and "Mine" and "Unassigned" pick the
// tickets by their agent.
func TestTicketListSortAndFilter(t *testing.T) {
	for _, db := range testDatabases {
		t.Run(db.name, func(t *testing.T) {
			e := mustEnvOn(t, db.dsn(t), nil)
			agent, err := e.svc.Users.FindUserByLogin(e.sys, "agent")
			if err != nil {
				t.Fatal(err)
			}
			mine := e.MustTicket(t, &desk.Ticket{Kind: desk.KindIncident, Title: "Zebra scanner offline",
				OrgID: e.orgA.ID, AgentID: agent.ContactID})
			c := e.MustLogin(t, "agent")

			r := c.get("/tickets")
			wantStatus(t, "tickets", r, http.StatusOK)
			// The title header sorts by title, from the top.
			m := regexp.MustCompile(`<a href="([^"]*)" data-sort="title">`).FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no title header link:\n%s", truncate(r.body))
			}
			byTitle := strings.ReplaceAll(m[1], "&amp;", "&")
			if byTitle != "/tickets?sort=title" {
				t.Errorf("title header links to %q", byTitle)
			}
			r = c.get(byTitle)
			want := []string{e.ticketB.Ref, e.ticketA.Ref, mine.Ref} // Globex, Printer, Zebra
			if got := ticketRefs(r.body); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("by title: %v, want %v", got, want)
			}
			wantContains(t, "sorted header", r, `aria-sort="ascending"`)
			// Again: the other way round.
			m = regexp.MustCompile(`<a href="([^"]*)" data-sort="title">`).FindStringSubmatch(r.body)
			r = c.get(strings.ReplaceAll(m[1], "&amp;", "&"))
			if got := ticketRefs(r.body); strings.Join(got, " ") != strings.Join([]string{mine.Ref, e.ticketA.Ref, e.ticketB.Ref}, " ") {
				t.Errorf("by title, descending: %v", got)
			}
			wantContains(t, "sorted header", r, `aria-sort="descending"`)
			// The filter form carries the order; a header link carries the
			// filters.
			wantContains(t, "filter form", r, `<input type="hidden" name="sort" value="title">`,
				`<input type="hidden" name="dir" value="desc">`)
			r = c.get("/tickets?org_id=" + itoa(e.orgA.ID) + "&sort=title&dir=desc")
			if got := ticketRefs(r.body); strings.Join(got, " ") != strings.Join([]string{mine.Ref, e.ticketA.Ref}, " ") {
				t.Errorf("Acme by title, descending: %v", got)
			}
			m = regexp.MustCompile(`<a href="([^"]*)" data-sort="last_update">`).FindStringSubmatch(r.body)
			if link := strings.ReplaceAll(m[1], "&amp;", "&"); link != "/tickets?dir=desc&org_id="+itoa(e.orgA.ID)+"&sort=last_update" {
				t.Errorf("last update header links to %q, want the filter kept and newest first", link)
			}

			// Mine, unassigned.
			r = c.get("/tickets?agent=me")
			if got := ticketRefs(r.body); strings.Join(got, " ") != mine.Ref {
				t.Errorf("mine: %v, want %s", got, mine.Ref)
			}
			wantContains(t, "mine selected", r, `<option value="me" selected>`)
			r = c.get("/tickets?agent=none&sort=ref")
			if got := ticketRefs(r.body); strings.Join(got, " ") != e.ticketA.Ref+" "+e.ticketB.Ref {
				t.Errorf("unassigned: %v", got)
			}
			// Refused: an agent filter or a sort that is not one.
			wantStatus(t, "bad agent filter", c.get("/tickets?agent=boss"), http.StatusBadRequest)
			wantStatus(t, "bad sort", c.get("/tickets?sort=description"), http.StatusBadRequest)
			// The scoped agent's list sorts within his organization.
			r = e.MustLogin(t, "scoped").get("/tickets?sort=title&dir=desc")
			if got := ticketRefs(r.body); strings.Join(got, " ") != mine.Ref+" "+e.ticketA.Ref {
				t.Errorf("scoped by title: %v", got)
			}
		})
	}
}

// TestTicketListPagingKeepsOrder: the next page of a sorted, filtered list
// is sorted and filtered the same.
func TestTicketListPagingKeepsOrder(t *testing.T) {
	e := MustEnv(t)
	for i := range 60 {
		e.MustTicket(t, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Bulk " + string(rune('A'+i%26)) + itoa(int64(i)),
			OrgID: e.orgA.ID})
	}
	c := e.MustLogin(t, "agent")
	r := c.get("/tickets?org_id=" + itoa(e.orgA.ID) + "&sort=title")
	next := regexp.MustCompile(`<a href="([^"]*page=2[^"]*)"`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatalf("no next page link:\n%s", truncate(r.body))
	}
	link := strings.ReplaceAll(next[1], "&amp;", "&")
	for _, p := range []string{"sort=title", "org_id=" + itoa(e.orgA.ID)} {
		if !strings.Contains(link, p) {
			t.Errorf("next page %q lacks %s", link, p)
		}
	}
	first, second := ticketRefs(r.body), ticketRefs(c.get(link).body)
	if len(first) != 50 || len(second) != 11 {
		t.Fatalf("pages of %d and %d rows, want 50 and 11", len(first), len(second))
	}
}
