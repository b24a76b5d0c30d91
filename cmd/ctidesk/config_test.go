package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes a file in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const badConfig = `url_parameters:
  phone: phnoe
indirect_creation:
  Ticket:
    enabled: true
`

func TestConfigCheck(t *testing.T) {
	good := writeFile(t, "good.yaml", "phone:\n  default_region: FR\n")
	bad := writeFile(t, "bad.yaml", badConfig)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string   // "" for exit 0
		want    []string // in the output
	}{
		{"clean", []string{good}, nil, "", []string{good + ": OK"}},
		{"mistakes", []string{bad}, nil, bad + ": 2 mistakes", []string{
			bad + `:2:10: url_parameters.phone: "phnoe" is not an attribute of Person; did you mean "phone"?`,
			bad + ":4:3: indirect_creation.Ticket: Ticket is abstract",
		}},
		{"the --config file", []string{"--config", good}, nil, "", []string{good + ": OK"}},
		{"CTIDESK_CONFIG", nil, map[string]string{"CTIDESK_CONFIG": bad}, "2 mistakes", nil},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.yaml")}, nil, "no such file", nil},
		{"a broken --config does not stop the check of another file", []string{"--config", bad, good}, nil, "", []string{good + ": OK"}},
		{"docs example", []string{filepath.Join("..", "..", "docs", "examples", "ctidesk.yaml")}, nil, "", []string{"ctidesk.yaml: OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, "", tt.env, append([]string{"config", "check"}, tt.args...)...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("config check %q: %v (exit 1, want 0)\n%s", tt.args, err, out)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("config check %q: %v, want an error (exit 1) containing %q\n%s", tt.args, err, tt.wantErr, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestConfigUsage(t *testing.T) {
	for _, args := range [][]string{{"config"}, {"config", "lint"}, {"config", "import-itop"}, {"config", "check", "a", "b"}} {
		m, _, _ := testMain("", nil)
		if err := m.ParseFlags(context.Background(), args); err == nil || !strings.Contains(err.Error(), "usage: ctidesk config") {
			t.Errorf("ParseFlags(%q) = %v, want the usage", args, err)
		}
	}
}

// The seed's examples import and check clean, in one command each.
func TestConfigImportITop(t *testing.T) {
	for _, name := range []string{"itop-default.xml", "itop-config.php"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("..", "..", "docs", "examples", name)
			out, err := runCommand(t, "", nil, "config", "import-itop", src)
			if err != nil {
				t.Fatalf("import-itop: %v\n%s", err, out)
			}
			if !strings.HasPrefix(out, "# ctidesk.yaml imported from "+src) || !strings.Contains(out, "\nurl_parameters:\n  phone: phone\n") {
				t.Errorf("import-itop printed:\n%s", out)
			}
			// The YAML written with -o checks clean.
			dst := filepath.Join(t.TempDir(), "ctidesk.yaml")
			if out, err := runCommand(t, "", nil, "config", "import-itop", "-o", dst, src); err != nil || !strings.Contains(out, "checks clean") {
				t.Fatalf("import-itop -o: %v\n%s", err, out)
			}
			if out, err := runCommand(t, "", nil, "config", "check", dst); err != nil {
				t.Errorf("config check of the imported file: %v\n%s", err, out)
			}
			// -o does not overwrite a file.
			if _, err := runCommand(t, "", nil, "config", "import-itop", "-o", dst, src); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Errorf("import-itop -o over an existing file: %v, want a refusal", err)
			}
		})
	}
}

func TestConfigImportITopNeedsChanges(t *testing.T) {
	php := "'combodo-telephony-integration' => array(\n  'url_parameters' => array('tel' => 'phone'),\n" +
		"  'indirect_creation' => array('Ticket' => array('enabled' => true)),\n)"
	out, err := runCommand(t, php, nil, "config", "import-itop", "-")
	if err == nil || !strings.Contains(err.Error(), "to fix") {
		t.Fatalf("import-itop: %v, want exit 1 with the mistakes", err)
	}
	for _, w := range []string{"url_parameters:\n  tel: phone\n", "the imported configuration needs changes",
		"imported YAML:", "indirect_creation.Ticket: Ticket is abstract"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if _, err := runCommand(t, "<?php $x = 1;", nil, "config", "import-itop", "-"); err == nil ||
		!strings.Contains(err.Error(), "-:1: no 'combodo-telephony-integration'") {
		t.Errorf("import-itop of a file without the module: %v", err)
	}
}

// The configuration sets what flags and environment do not: built-in
// default < file < environment < flag.
func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "ctidesk.yaml", "server:\n  database: sqlite:/tmp/file.db\n  address: 127.0.0.1:7001\n"+
		"  default_language: FR FR\nphone:\n  default_region: FR\n  min_match_digits: 9\n")
	tests := []struct {
		name                 string
		args                 []string
		env                  map[string]string
		db, addr, region     string
		digits               int
		language, configFile string
	}{
		{"built-in defaults", nil, nil, "sqlite:ctidesk.db", ":8080", "US", 7, "EN US", ""},
		{"file", []string{"--config", file}, nil, "sqlite:/tmp/file.db", "127.0.0.1:7001", "FR", 9, "FR FR", file},
		{"file from the environment", nil, map[string]string{"CTIDESK_CONFIG": file}, "sqlite:/tmp/file.db", "127.0.0.1:7001", "FR", 9, "FR FR", file},
		{"environment over file", []string{"--config", file}, map[string]string{"CTIDESK_DB": "sqlite:/tmp/env.db",
			"CTIDESK_PHONE_REGION": "GB", "CTIDESK_DEFAULT_LANGUAGE": "EN US", "CTIDESK_ADDR": ":7002"},
			"sqlite:/tmp/env.db", ":7002", "GB", 9, "EN US", file},
		{"flags over environment", []string{"--config", file, "--db", "sqlite:/tmp/flag.db", "--min-match-digits", "8", "--addr", ":7003"},
			map[string]string{"CTIDESK_DB": "sqlite:/tmp/env.db", "CTIDESK_MIN_MATCH_DIGITS": "10"},
			"sqlite:/tmp/flag.db", ":7003", "FR", 8, "FR FR", file},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := testMain("", tt.env)
			if err := m.ParseFlags(context.Background(), append([]string{"serve"}, tt.args...)); err != nil {
				t.Fatal(err)
			}
			c := m.Config
			if m.DSN != tt.db || c.Server.Database != tt.db {
				t.Errorf("database: flag %q, config %q, want %q", m.DSN, c.Server.Database, tt.db)
			}
			if c.Server.Address != tt.addr {
				t.Errorf("address %q, want %q", c.Server.Address, tt.addr)
			}
			if m.Phone.DefaultRegion != tt.region || m.Phone.MinMatchDigits != tt.digits || c.Phone.DefaultRegion != tt.region ||
				c.Phone.MinMatchDigits != tt.digits {
				t.Errorf("phone: flags %+v, config %+v, want %s and %d", m.Phone, c.Phone, tt.region, tt.digits)
			}
			if c.Server.DefaultLanguage != tt.language {
				t.Errorf("default language %q, want %q", c.Server.DefaultLanguage, tt.language)
			}
			if c.File != tt.configFile {
				t.Errorf("config file %q, want %q", c.File, tt.configFile)
			}
		})
	}
}

// Without --config, ctidesk.yaml is read when the current directory has one.
func TestConfigDefaultFile(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("ctidesk.yaml", []byte("phone:\n  default_region: FR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _, _ := testMain("", nil)
	if err := m.ParseFlags(context.Background(), []string{"migrate"}); err != nil {
		t.Fatal(err)
	}
	if m.Config.File != "ctidesk.yaml" || m.Phone.DefaultRegion != "FR" {
		t.Errorf("config %q, region %q: want ctidesk.yaml read", m.Config.File, m.Phone.DefaultRegion)
	}
	if out, err := runCommand(t, "", nil, "config", "check"); err != nil || !strings.Contains(out, "ctidesk.yaml: OK") {
		t.Errorf("config check without FILE: %v\n%s", err, out)
	}
}

// serve refuses an invalid configuration, saying every mistake with its line.
func TestServeRefusesInvalidConfig(t *testing.T) {
	bad := writeFile(t, "ctidesk.yaml", badConfig)
	db := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
	m, _, _ := testMain("", nil)
	defer m.Close()
	err := m.ParseFlags(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--config", bad})
	if err == nil {
		m.Run(context.Background())
		t.Fatal("serve started with an invalid configuration")
	}
	for _, w := range []string{bad + " is not a valid configuration (2 mistakes", bad + ":2:10: url_parameters.phone:",
		bad + ":4:3: indirect_creation.Ticket:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if m.Serving() {
		t.Error("serving")
	}
	// A missing --config file is an error too, not the defaults.
	m2, _, _ := testMain("", nil)
	if err := m2.ParseFlags(context.Background(), []string{"serve", "--config", filepath.Join(t.TempDir(), "none.yaml")}); err == nil ||
		!strings.Contains(err.Error(), "no such file") {
		t.Errorf("serve with a missing --config: %v", err)
	}
	// So is a wrong value in the environment.
	m3, _, _ := testMain("", map[string]string{"CTIDESK_DEFAULT_LANGUAGE": "Klingon"})
	if err := m3.ParseFlags(context.Background(), []string{"serve"}); err == nil || !strings.Contains(err.Error(), "CTIDESK_DEFAULT_LANGUAGE") {
		t.Errorf("serve with a wrong CTIDESK_DEFAULT_LANGUAGE: %v", err)
	}
}

func TestServeWithConfig(t *testing.T) {
	file := writeFile(t, "ctidesk.yaml", "ecall_parameters:\n  url: https://pbx.example/call\n  url_parameters:\n    number: phone\n")
	db := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
	m, out := MustServe(t, "--db", db, "--config", file)
	if !strings.Contains(out, "ctidesk is serving") || m.Config == nil || m.Config.ECall == nil ||
		m.Config.ECall.URL != "https://pbx.example/call" {
		t.Errorf("serve with %s: config %+v\n%s", file, m.Config, out)
	}
}
