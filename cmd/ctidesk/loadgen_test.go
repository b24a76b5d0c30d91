package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/loadgen"
)

// TestLoadgen runs the load generator of ctidesk-bench briefly against a
// demo server with every endpoint in the mix, so that it keeps working:
// each endpoint is called and none fails.
func TestLoadgen(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "load.db")
	m, out := MustServe(t, "--demo", "--db", dsn)
	ctx := desk.NewSystemContext(context.Background())
	u, err := m.DB.FindUserByLogin(ctx, "agent")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := m.DB.CreateAPIToken(ctx, u.ID, "bench")
	if err != nil {
		t.Fatal(err)
	}
	integ, _, err := m.DB.CreateIntegration(ctx, "bench")
	if err != nil {
		t.Fatal(err)
	}
	numbers, err := loadgen.LoadNumbers(context.Background(), dsn, 50)
	if err != nil {
		t.Fatal(err)
	}
	mix, err := loadgen.ParseMix("pop=1,callers=1,events=1")
	if err != nil {
		t.Fatal(err)
	}
	report, err := loadgen.Run(context.Background(), loadgen.Config{Base: "http://" + m.Addr(), Token: token,
		Login: "agent", Password: demoPasswords(out)["agent"], IntegrationToken: integ, EventUser: "agent",
		Mix: mix, Connections: 4, Duration: 500 * time.Millisecond, Numbers: numbers})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	report.Write(&buf)
	t.Logf("\n%s", buf.String())
	if len(report.Endpoints) != 3 {
		t.Fatalf("%d endpoints reported, want 3", len(report.Endpoints))
	}
	for _, s := range report.Endpoints {
		if s.Requests == 0 {
			t.Errorf("%s: no request made", s.Endpoint)
		}
		if s.ErrorCount() > 0 {
			t.Errorf("%s: %d errors: %v", s.Endpoint, s.ErrorCount(), s.Errors)
		}
	}
	if calls, _, err := m.DB.FindCalls(ctx, desk.CallFilter{Limit: 1}); err == nil && len(calls) == 0 {
		t.Error("the call events logged no call")
	}
}
