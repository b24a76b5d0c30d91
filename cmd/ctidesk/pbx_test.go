package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/pbx/amitest"
	"github.com/ctidesk/ctidesk/internal/pbx/esltest"
	"github.com/ctidesk/ctidesk/internal/pgtest"
)

// mustIntegration sets the agent's extension and creates an integration on
// db with the commands, and returns its token.
func mustIntegration(t *testing.T, db, login, ext string) string {
	t.Helper()
	out, err := runCommand(t, "", nil, "extension", login, ext, "--db", db)
	if err != nil || !strings.Contains(out, login+" is extension "+ext) {
		t.Fatalf("extension: %v\n%s", err, out)
	}
	m, stdout, _ := testMain("", nil)
	defer m.Close()
	if err := m.ParseFlags(context.Background(), []string{"integration", "create", "Asterisk", "--db", db}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(token, "cti_") {
		t.Fatalf("integration create printed %q, want the token alone", token)
	}
	out, err = runCommand(t, "", nil, "integration", "list", "--db", db)
	if err != nil || !strings.Contains(out, "Asterisk") || !strings.Contains(out, "active") || !strings.Contains(out, "RINGS ALL") ||
		!strings.Contains(out, "yes") {
		t.Fatalf("integration list: %v\n%s", err, out)
	}
	return token
}

// httpLogin returns a client logged in to the server at base.
func httpLogin(t *testing.T, base, login, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]*)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", page)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"login": {login}, "password": {password}, "csrf_token": {string(csrf[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if u, _ := url.Parse(base); len(jar.Cookies(u)) == 0 {
		t.Fatalf("log in as %s: no session cookie (status %d)", login, resp.StatusCode)
	}
	return c
}

// followEvents opens the event stream of client on base and returns a
// function that reads its next event.
func followEvents(t *testing.T, ctx context.Context, client *http.Client, base string) func() (string, cti.Notice) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	events := bufio.NewReader(resp.Body)
	if line, _ := events.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
		t.Fatalf("stream starts with %q (%s)", line, resp.Status)
	}
	return func() (string, cti.Notice) {
		t.Helper()
		var typ string
		var n cti.Notice
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("event stream: %v", err)
			}
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "event: "):
				typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &n); err != nil {
					t.Fatal(err)
				}
			case line == "" && typ != "":
				return typ, n
			}
		}
	}
}

// TestServeEventsAcrossInstances checks docs/deployment.md, several instances: two instances
// on one PostgreSQL database, the agent's browser connected to one, the
// phone system posting to the other; the call reaches the agent.
func TestServeEventsAcrossInstances(t *testing.T) {
	_, dsn := pgtest.Open(t)
	a, out := MustServe(t, "--demo", "--db", dsn)
	b, _ := MustServe(t, "--db", dsn)
	token := mustIntegration(t, dsn, "agent", "201")
	baseB := "http://" + b.Addr()
	client := httpLogin(t, baseB, "agent", demoPasswords(out)["agent"])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	next := followEvents(t, ctx, client, baseB)
	resp, err := http.PostForm("http://"+a.Addr()+"/api/v1/cti/events/"+token, url.Values{"event": {"newCall"},
		"direction": {"in"}, "callId": {"x-1"}, "from": {"+33987654321"}, "to": {"100"}, "user": {"201"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post to instance A: %s", resp.Status)
	}
	if typ, n := next(); typ != "ringing" || n.Number != "+33987654321" {
		t.Fatalf("instance B pushed %s %+v, want the call ringing", typ, n)
	}
}

// pbxCall runs "ctidesk pbx" with args against a running ctidesk, whose
// agent (extension 201) follows his event stream while the phone system
// (listening before) plays one call from Ann Archer's number, answered by
// 201. The call must ring for him, pop on answer, end, and be in the call
// log. secret is what the phone system wants in the secret file.
func pbxCall(t *testing.T, secret string, args func(secretFile string) []string) {
	d := mustPopData(t)
	token := mustIntegration(t, d.db, "agent", "201")
	dir := t.TempDir()
	secretFile, tokenFile := filepath.Join(dir, "secret"), filepath.Join(dir, "token")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, _ := MustServe(t, "--db", d.db)
	base := "http://" + srv.Addr()

	// The agent's event stream, open before the call.
	client := httpLogin(t, base, "agent", popAgentPassword)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	next := followEvents(t, ctx, client, base)

	m, _, _ := testMain("", nil)
	err := m.ParseFlags(ctx, append(args(secretFile), "--url", base, "--token-file", tokenFile))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	typ, n := next()
	if typ != "ringing" || n.Number != "+12125550100" || len(n.Callers) != 1 || n.Callers[0].Name != "Ann Archer" {
		t.Fatalf("first event %s %+v, want Ann's call ringing", typ, n)
	}
	if typ, n = next(); typ != "answered" || !n.Open || !strings.Contains(n.PopURL, "call=") {
		t.Fatalf("second event %s %+v, want the answer with the pop", typ, n)
	}
	if typ, n = next(); typ != "ended" || n.State != "answered" {
		t.Fatalf("third event %s %+v, want the end of the call", typ, n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("pbx: %v", err)
	}
	// The call is in the log.
	page, err := client.Get(base + "/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer page.Body.Close()
	body := new(strings.Builder)
	bufio.NewReader(page.Body).WriteTo(body)
	if !strings.Contains(body.String(), "Ann Archer") || !strings.Contains(body.String(), ">1 call<") {
		t.Errorf("the call log lacks Ann's call:\n%s", body)
	}
}

// TestPBXAsterisk follows a call from a scripted Asterisk to the agent's
// browser: the adapter (ctidesk pbx asterisk) reads the manager interface,
// posts to the webhook of a running ctidesk, which pushes the call on the
// agent's event stream.
func TestPBXAsterisk(t *testing.T) {
	ami := amitest.NewServer(t, amitest.User{Name: "ctidesk", Secret: "s3cret", Read: "call,agent", Write: "reporting"},
		func(s *amitest.Session) {
			s.Call("1700000000.1", "+12125550100", "100", "201", true, 16)
			s.Expect("Logoff")
		})
	pbxCall(t, "s3cret", func(secretFile string) []string {
		return []string{"pbx", "asterisk", "--ami", ami.Addr, "--user", "ctidesk", "--secret-file", secretFile}
	})
}

// TestPBXFreeSWITCH follows a call from a scripted FreeSWITCH event socket
// to the agent's browser, through ctidesk pbx freeswitch.
func TestPBXFreeSWITCH(t *testing.T) {
	esl := esltest.NewServer(t, "ClueCon", func(s *esltest.Session) {
		if _, err := s.Expect("event plain"); err != nil {
			return
		}
		a := esltest.Inbound("7f4de8a2-5d1e-4b0e-9a57-0c2f1e8b9d31", "+12125550100", "100")
		s.Create(a)
		b := a.Dial("1b9e4c07-3f7a-4d8e-8c2b-6a5d0e9f7c42", "201", esltest.UserVars("201")...)
		s.Create(b)
		s.Connect(a, b)
		s.Hangup(b, "NORMAL_CLEARING")
		s.Hangup(a, "NORMAL_CLEARING")
		s.Expect("exit")
	})
	pbxCall(t, "ClueCon", func(secretFile string) []string {
		return []string{"pbx", "freeswitch", "--esl", esl.Addr, "--password-file", secretFile}
	})
}

func TestPBXFlags(t *testing.T) {
	dir := t.TempDir()
	empty, notToken := filepath.Join(dir, "empty"), filepath.Join(dir, "not-token")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(notToken, []byte("ctd_an_api_token\n"), 0o600)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no adapter", []string{"pbx"}, "usage: ctidesk pbx asterisk"},
		{"unknown adapter", []string{"pbx", "3cx"}, "usage: ctidesk pbx asterisk"},
		{"no esl", []string{"pbx", "freeswitch", "--password-file", "p", "--token-file", "t"}, "--esl is required"},
		{"no password", []string{"pbx", "freeswitch", "--esl", "h:1", "--token-file", "t"}, "--password-file is required"},
		{"an AMI flag to freeswitch", []string{"pbx", "freeswitch", "--ami", "h:1"}, "flag provided but not defined: -ami"},
		{"no ami", []string{"pbx", "asterisk", "--user", "u", "--secret-file", "s", "--token-file", "t"}, "--ami is required"},
		{"no token", []string{"pbx", "asterisk", "--ami", "h:1", "--user", "u", "--secret-file", "s"}, "--token-file is required"},
		{"integration without command", []string{"integration"}, "usage: ctidesk integration create"},
		{"integration create without name", []string{"integration", "create"}, "usage: ctidesk integration create"},
		{"integration revoke of a name", []string{"integration", "revoke", "x"}, "not an integration id"},
		{"extension without one", []string{"extension", "agent"}, "usage: ctidesk extension"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := testMain("", nil)
			err := m.ParseFlags(context.Background(), tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFlags(%q) = %v, want %q", tt.args, err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name, secret, token, want string
	}{
		{"missing secret", filepath.Join(dir, "nope"), notToken, "no such file"},
		{"empty secret", empty, notToken, "is empty"},
		{"API token", notToken, notToken, "no integration token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCommand(t, "", nil, "pbx", "asterisk", "--ami", "127.0.0.1:1", "--user", "u",
				"--secret-file", tt.secret, "--token-file", tt.token)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("pbx asterisk = %v, want %q", err, tt.want)
			}
			_, err = runCommand(t, "", nil, "pbx", "freeswitch", "--esl", "127.0.0.1:1",
				"--password-file", tt.secret, "--token-file", tt.token)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("pbx freeswitch = %v, want %q", err, tt.want)
			}
		})
	}
}
