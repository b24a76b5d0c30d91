package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testMain returns a Main with captured output, an empty environment except
// env, and stdin as given.
func testMain(stdin string, env map[string]string) (*Main, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader(stdin)
	m.Stdout, m.Stderr = &stdout, &stderr
	m.Getenv = func(k string) string { return env[k] }
	m.Logger = slog.New(slog.NewTextHandler(&stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return m, &stdout, &stderr
}

// runCommand runs one subcommand to completion and returns its output.
func runCommand(t *testing.T, stdin string, env map[string]string, args ...string) (string, error) {
	t.Helper()
	m, stdout, stderr := testMain(stdin, env)
	defer m.Close()
	if err := m.ParseFlags(context.Background(), args); err != nil {
		return stdout.String() + stderr.String(), err
	}
	err := m.Run(context.Background())
	return stdout.String() + stderr.String(), err
}

// MustServe starts "ctidesk serve" on a free loopback port with args added
// and returns the Main and what it printed; the server stops with the test.
func MustServe(tb testing.TB, args ...string) (*Main, string) {
	tb.Helper()
	m, stdout, _ := testMain("", nil)
	if err := m.ParseFlags(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)); err != nil {
		tb.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m, stdout.String()
}

var loginLine = regexp.MustCompile(`(?m)^\s+(\w+)\s+password (\S+)`)

// demoPasswords reads the demo logins printed by serve --demo.
func demoPasswords(out string) map[string]string {
	pw := map[string]string{}
	for _, m := range loginLine.FindAllStringSubmatch(out, -1) {
		pw[m[1]] = m[2]
	}
	return pw
}

func TestParseFlagsEnvironment(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", []string{"migrate"}, nil, "sqlite:ctidesk.db"},
		{"environment", []string{"migrate"}, map[string]string{"CTIDESK_DB": "sqlite:/tmp/env.db"}, "sqlite:/tmp/env.db"},
		{"flag wins over environment", []string{"migrate", "--db", "sqlite:/tmp/flag.db"},
			map[string]string{"CTIDESK_DB": "sqlite:/tmp/env.db"}, "sqlite:/tmp/flag.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := testMain("", tt.env)
			if err := m.ParseFlags(context.Background(), tt.args); err != nil {
				t.Fatal(err)
			}
			if m.DSN != tt.want {
				t.Errorf("DSN = %q, want %q", m.DSN, tt.want)
			}
		})
	}
}

func TestParseFlagsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"user without add", []string{"user"}, "usage: ctidesk user add"},
		{"user add without role", []string{"user", "add", "bob"}, "--role is required"},
		{"user add without login", []string{"user", "add", "--role", "agent"}, "usage: ctidesk user add"},
		{"bad org id", []string{"user", "add", "bob", "--role", "agent", "--org", "x"}, "not an id"},
		{"serve extra argument", []string{"serve", "now"}, `unexpected argument "now"`},
		{"serve bad trusted proxy", []string{"serve", "--trusted-proxy", "10.0.0.1,nginx"}, `"nginx" is neither an IP address`},
		{"user logout without login", []string{"user", "logout"}, "usage: ctidesk user logout LOGIN"},
		{"demo too few persons", []string{"demo", "--persons", "3"}, "at least 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := testMain("", nil)
			err := m.ParseFlags(context.Background(), tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
	m, _, _ := testMain("", nil)
	if err := m.ParseFlags(context.Background(), nil); err != flag.ErrHelp {
		t.Errorf("no arguments: %v, want flag.ErrHelp with the usage", err)
	}
}

func TestUserLogout(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "users.db")
	if out, err := runCommand(t, "correct horse battery\n", nil, "user", "add", "alice", "--role", "agent", "--db", db); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		name    string
		args    []string
		want    string
		wantErr bool
	}{
		{"no session", []string{"alice"}, "user alice logged out: 0 sessions ended", false},
		{"unknown login", []string{"bob"}, "User not found", true},
		{"no login", nil, "usage: ctidesk user logout LOGIN", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, "", nil, append([]string{"user", "logout", "--db", db}, tt.args...)...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("user logout %q: error %v, want error %v\n%s", tt.args, err, tt.wantErr, out)
			}
			got := out
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("user logout %q: %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestUserAdd(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "users.db")
	out, err := runCommand(t, "correct horse battery\n", nil, "user", "add", "alice", "--role", "agent", "--db", db)
	if err != nil || !strings.Contains(out, "user alice added") {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"duplicate login", "another password\n", []string{"alice", "--role", "viewer"}, "alice"},
		{"short password", "short\n", []string{"bob", "--role", "agent"}, "at least 8 characters"},
		{"unknown role", "long enough pass\n", []string{"bob", "--role", "king"}, `Unknown role "king"`},
		{"bad language", "long enough pass\n", []string{"bob", "--role", "agent", "--language", "DE DE"}, "Language must be one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, tt.stdin, nil, append([]string{"user", "add", "--db", db}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("user add %q = %v (%s), want an error containing %q", tt.args, err, out, tt.want)
			}
		})
	}
}

func TestServeDemo(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	m, out := MustServe(t, "--demo", "--db", db)
	pw := demoPasswords(out)
	for _, login := range []string{"admin", "agent", "scoped"} {
		if len(pw[login]) < 12 {
			t.Errorf("serve --demo printed no usable password for %s:\n%s", login, out)
		}
	}
	resp, err := http.Get("http://" + m.Addr() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "password") {
		t.Errorf("GET /login = %d\n%s", resp.StatusCode, body)
	}
	m.Close()

	// A second start on the loaded database gives the demo logins new passwords.
	_, out2 := MustServe(t, "--demo", "--db", db)
	pw2 := demoPasswords(out2)
	if pw2["agent"] == "" || pw2["agent"] == pw["agent"] {
		t.Errorf("second serve --demo: agent password %q, want a new one (first %q)", pw2["agent"], pw["agent"])
	}

	// demo refuses a database that holds data.
	if _, err := runCommand(t, "", nil, "demo", "--db", db); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("demo on a loaded database: %v, want a refusal", err)
	}
}

// TestArgumentsAreText: an argument that is not text (bytes that are not
// UTF-8, a control character) is refused before any command runs.
func TestArgumentsAreText(t *testing.T) {
	for _, args := range [][]string{
		{"lookup", "555\xff0100"},
		{"user", "add", "ad\x1bmin", "--role", "admin"},
		{"query", "SELECT Person WHERE name = 'caf\xe9'"},
	} {
		m, _, _ := testMain("", nil)
		err := m.ParseFlags(context.Background(), args)
		if err == nil || !strings.Contains(err.Error(), "is not text") {
			t.Errorf("%q: %v, want it refused as not text", args, err)
		}
	}
	m, _, _ := testMain("", nil)
	if err := m.ParseFlags(context.Background(), []string{"query", "SELECT Person\n\tWHERE name = 'Zoë'"}); err != nil {
		t.Errorf("a query of two lines with a tab: %v", err)
	}
}
