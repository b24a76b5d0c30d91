package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCallEvents measures the webhook in process: each iteration is one
// call (newCall ringing for an agent, answer, hangup) through the HTTP
// handler, the integration token checked, the caller looked up, the call
// log written on SQLite, and the notices pushed to the agent's subscription.
func BenchmarkCallEvents(b *testing.B) {
	ce := mustCallEnv(b, nil)
	events, cancel := ce.bus.Subscribe(ce.userOf(b, "agent").ID, 0)
	defer cancel()
	go func() {
		for range events {
		}
	}()
	post := func(form string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/cti/events/"+ce.token, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		ce.web.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", form, w.Code, w.Body)
		}
	}
	i := 0
	for b.Loop() {
		i++
		call := fmt.Sprintf("&callId=bench-%d&direction=in&from=%%2B15550100199&to=100", i)
		post("event=newCall&user=201" + call)
		post("event=answer&answeringNumber=201" + call)
		post("event=hangup&cause=normalClearing" + call)
	}
	b.ReportMetric(float64(3*i)/b.Elapsed().Seconds(), "events/s")
}
