package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestStatsPage: /stats counts the calls of the period, as charts with
// their tables and as CSV; an agent counts his own calls, an administrator
// every call, a scoped agent only those of his organizations.
func TestStatsPage(t *testing.T) {
	t.Parallel()
	ce := mustCallEnv(t, nil)
	answer := func(id, from, ext string) {
		t.Helper()
		for _, ev := range []string{"newCall", "answer", "hangup"} {
			wantAPIStatus(t, ev, ce.event(t, callForm(ev, id, from, "user[]", ext, "queue", "support")), http.StatusOK)
		}
	}
	answer("s1", "+15550100199", "201") // Alice (Acme), the agent
	answer("s2", "+33987654321", "201") // Bob (Globex), the agent
	ce.missCall(t, "s3", "+15550100199", "203")
	answer("s4", "+15550100199", "203") // Alice, the scoped agent: closes her callback

	admin := ce.MustLogin(t, "admin")
	r := admin.get("/stats")
	wantStatus(t, "stats", r, http.StatusOK)
	for _, want := range []string{`id="stat-answered"><strong>3</strong>`, `id="stat-missed"><strong>1</strong>`,
		`id="stat-rate"><strong>75 %</strong>`, `<svg class="chart"`, `id="table-hours"`, `id="table-days"`,
		`<th scope="row">support</th><td>3</td><td>0</td><td>100 %</td>`, `<th scope="row">(no queue)</th><td>0</td><td>1</td>`, `id="stat-callbacks"><strong>1 of 1</strong>`,
		"Every call you may see."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("admin's statistics lack %q", want)
		}
	}
	scoped := ce.MustLogin(t, "scoped")
	r = scoped.get("/stats")
	for _, want := range []string{`id="stat-answered"><strong>1</strong>`, `id="stat-missed"><strong>1</strong>`,
		"Your calls"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the scoped agent's statistics lack %q", want)
		}
	}
	agent := ce.MustLogin(t, "agent")
	r = agent.get("/stats")
	if !strings.Contains(r.body, `id="stat-answered"><strong>2</strong>`) || !strings.Contains(r.body, `id="stat-missed"><strong>0</strong>`) {
		t.Errorf("the agent's own statistics are not his 2 answered calls")
	}
	r = admin.get("/stats.csv")
	wantStatus(t, "csv", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV content type %q", ct)
	}
	lines := strings.Split(r.body, "\n")
	if lines[0] != "group,key,answered,missed,outbound,answer_rate,answer_p50_s,answer_p90_s,talk_avg_s,talk_total_s" ||
		!strings.HasPrefix(lines[1], "all,,3,1,0,0.7500,") || !strings.Contains(r.body, "\nqueue,support,3,0,0,1.0000,") ||
		!strings.Contains(r.body, "\ncallbacks,,1,0,") {
		t.Errorf("CSV:\n%s", r.body)
	}
	for _, q := range []string{"from=yesterday", "from=2026-01-10&to=2026-01-01", "from=2020-01-01&to=2026-01-01"} {
		wantStatus(t, q, admin.get("/stats?"+q), http.StatusBadRequest)
	}
	wantStatus(t, "viewer", ce.MustLogin(t, "viewer").get("/stats"), http.StatusOK)
}
