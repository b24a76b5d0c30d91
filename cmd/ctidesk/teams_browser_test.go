package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserTeams: on the demo, the agent finds his team in the list,
// opens it (its members with their roles, its open tickets), creates a
// ticket choosing the team in the form, and finds it in "My team's
// tickets". Screenshots of the pages at three widths.
func TestBrowserTeams(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "teams.db"))
	base := "http://" + m.Addr()
	if err := browserLogin(ctx, base, "agent", demoPasswords(out)["agent"]); err != nil {
		t.Fatalf("log in as agent: %v", err)
	}
	// The second organization's Service desk, whose lead is the agent.
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/teams?q=Service"), chromedp.WaitVisible(chromedp.CSS("a[data-team]")))
	if err != nil {
		t.Fatal(err)
	}
	team, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
	  const a = [...document.querySelectorAll('a[data-team]')][1];
	  const tr = a.closest('tr');
	  return {href: a.getAttribute('href'), org: tr.querySelector('a[href^="/organizations/"]').getAttribute('href').split('/').pop(),
	    members: tr.querySelector('td.c-num').textContent.trim()};
	})()`))
	if err != nil {
		t.Fatalf("read a team: %v", err)
	}
	if team["members"] == "0" {
		t.Fatalf("team %v has no members", team)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(base+team["href"]), chromedp.WaitVisible(chromedp.CSS("#team-members tr[data-member]")))
	if err != nil {
		t.Fatalf("the team's page: %v", err)
	}
	members, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('team-members').textContent`))
	if err != nil || !strings.Contains(members, "José Muñoz") || !strings.Contains(members, "Lead") {
		t.Fatalf("the team's members %q (%v), want the agent's person as lead", members, err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#member-form').length`)); n != 0 {
		t.Error("an agent is offered the member form")
	}

	// A ticket for the team, from the form's team select.
	teamID := team["href"][strings.LastIndex(team["href"], "/")+1:]
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/tickets/new?kind=UserRequest&org_id="+team["org"]),
		chromedp.WaitVisible(chromedp.ID("f-team_id")),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "Switch in room 12 blinks orange"),
		chromedp.SetValue(chromedp.ID("f-team_id"), teamID),
		chromedp.Click(chromedp.CSS(`#ticket-form button.primary`)),
		chromedp.WaitVisible(chromedp.ID("ticket-team")),
	)
	if err != nil {
		t.Fatalf("create a ticket for the team: %v", err)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('ticket-team').textContent.trim()`))
	if shown != "Service desk" {
		t.Fatalf("the new ticket's team: %q", shown)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/tickets?agent=team&sort=last_update&dir=desc"),
		chromedp.WaitVisible(chromedp.CSS("a[data-ticket]")))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('table.tickets tbody tr').textContent`))
	if !strings.Contains(first, "Switch in room 12 blinks orange") || !strings.Contains(first, "Service desk") {
		t.Errorf("My team's tickets, newest first: %q", first)
	}

	for _, vp := range viewports {
		for _, page := range []struct{ name, path string }{{"teams", "/teams"}, {"team", team["href"]},
			{"ticket-form", "/tickets/new?kind=UserRequest&org_id=" + team["org"]}, {"my-teams-tickets", "/tickets?agent=team&ongoing=1"}} {
			err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(base+page.path),
				chromedp.WaitVisible(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			fit, err := chromedp.Run(ctx, chromedp.Evaluate[pageFit](measureFit))
			if err != nil {
				t.Fatal(err)
			}
			if fit.Overflow > 0 {
				t.Errorf("%s %s: %d px wider than the window", vp.name, page.name, fit.Overflow)
			}
			screenshot(t, ctx, "teams-"+vp.name+"-"+page.name)
		}
	}
}
