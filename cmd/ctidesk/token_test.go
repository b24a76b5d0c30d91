package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var tokenPattern = regexp.MustCompile(`ctd_[A-Za-z0-9_-]{43}`)

func TestTokenCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "tokens.db")
	if out, err := runCommand(t, "correct horse battery\n", nil, "user", "add", "alice", "--role", "agent", "--db", db); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	m, stdout, stderr := testMain("", nil)
	if err := m.ParseFlags(t.Context(), []string{"token", "create", "alice", "--name", "3CX PBX", "--db", db}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.Close()
	token := strings.TrimSpace(stdout.String())
	if !tokenPattern.MatchString(token) || token != tokenPattern.FindString(token) {
		t.Fatalf("token create printed %q on stdout, want the token alone", stdout.String())
	}
	if !strings.Contains(stderr.String(), "created for alice") || strings.Contains(stderr.String(), token) {
		t.Errorf("token create stderr: %q", stderr.String())
	}
	out, err := runCommand(t, "", nil, "token", "create", "alice", "--db", db)
	if err != nil || !tokenPattern.MatchString(out) || strings.Contains(out, token) {
		t.Fatalf("second token: %v\n%s", err, out)
	}

	out, err = runCommand(t, "", nil, "token", "list", "--db", db)
	if err != nil || !regexp.MustCompile(`(?m)^1\s+alice\s+3CX PBX\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+-\s+active$`).MatchString(out) ||
		!strings.Contains(out, "ID") || strings.Contains(out, token) {
		t.Fatalf("token list: %v\n%s", err, out)
	}
	out, err = runCommand(t, "", nil, "token", "revoke", "1", "--db", db)
	if err != nil || !strings.Contains(out, "API token 1 of alice revoked") {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	out, err = runCommand(t, "", nil, "token", "list", "alice", "--db", db)
	if err != nil || !regexp.MustCompile(`(?m)^1\s+alice.*revoked \d{4}-`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^2\s+alice.*active$`).MatchString(out) {
		t.Fatalf("token list alice after revoke: %v\n%s", err, out)
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown login", []string{"token", "create", "bob"}, "token create: User not found."},
		{"list of unknown login", []string{"token", "list", "bob"}, "token list: User not found."},
		{"unknown id", []string{"token", "revoke", "99"}, "token revoke: API token not found."},
		{"long name", []string{"token", "create", "alice", "--name", strings.Repeat("x", 101)}, "longer than 100 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, "", nil, append(tt.args, "--db", db)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q = %v (%s), want an error containing %q", tt.args, err, out, tt.want)
			}
		})
	}
}

func TestTokenParseErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token"}, "usage: ctidesk token create"},
		{[]string{"token", "mint"}, `unknown token command "mint"`},
		{[]string{"token", "create"}, "usage: ctidesk token create LOGIN"},
		{[]string{"token", "create", "a", "b"}, "usage: ctidesk token create LOGIN"},
		{[]string{"token", "list", "a", "b"}, "usage: ctidesk token list"},
		{[]string{"token", "revoke"}, "usage: ctidesk token revoke ID"},
		{[]string{"token", "revoke", "x"}, `"x" is not a token id`},
		{[]string{"token", "revoke", "0"}, `"0" is not a token id`},
	} {
		m, _, _ := testMain("", nil)
		if err := m.ParseFlags(t.Context(), tt.args); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
	m, stdout, _ := testMain("", nil)
	m.ParseFlags(t.Context(), []string{"help"})
	if !strings.Contains(stdout.String(), "ctidesk token create LOGIN") {
		t.Error("the usage does not list token create")
	}
}

// TestTokenEndToEnd serves on a free port, creates a token with the command
// line, and asks the API who is calling with it.
func TestTokenEndToEnd(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	srv, _ := MustServe(t, "--db", db)
	base := "http://" + srv.Addr()
	if out, err := runCommand(t, "correct horse battery\n", nil, "user", "add", "pbx", "--role", "admin", "--db", db); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	out, err := runCommand(t, "", nil, "token", "create", "pbx", "--name", "e2e", "--db", db)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	token := tokenPattern.FindString(out)

	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return resp.StatusCode, v
	}
	status, org := call("POST", "/api/v1/organizations", `{"name": "Contoso"}`)
	if status != http.StatusCreated {
		t.Fatalf("create organization: %d %v", status, org)
	}
	status, p := call("POST", "/api/v1/persons", fmt.Sprintf(`{"first_name": "Kim", "name": "Lee", "org_id": %v, "phone": "+1 (212) 555-0142"}`, org["id"]))
	if status != http.StatusCreated {
		t.Fatalf("create person: %d %v", status, p)
	}
	status, ans := call("GET", "/api/v1/callers?phone=%2B12125550142", "")
	callers, _ := ans["callers"].([]any)
	if status != http.StatusOK || ans["matched"] != "phone" || len(callers) != 1 {
		t.Fatalf("callers: %d %v", status, ans)
	}
	c := callers[0].(map[string]any)
	if c["id"] != p["id"] || c["org_name"] != "Contoso" || !strings.HasPrefix(c["pop_url"].(string), base+"/pop?") {
		t.Errorf("caller %v", c)
	}

	if out, err := runCommand(t, "", nil, "token", "revoke", "1", "--db", db); err != nil {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	if status, ans := call("GET", "/api/v1/callers?phone=%2B12125550142", ""); status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d %v", status, ans)
	}
}
