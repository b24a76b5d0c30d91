package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunErrors(t *testing.T) {
	numbers := filepath.Join(t.TempDir(), "numbers.txt")
	if err := os.WriteFile(numbers, []byte("+15125550100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no numbers", nil, "give --db or --numbers"},
		{"bad mix", []string{"--numbers", numbers, "--mix", "lunch"}, `unknown endpoint "lunch"`},
		{"missing numbers file", []string{"--numbers", numbers + ".none"}, "no such file"},
		{"extra argument", []string{"now"}, `unexpected argument "now"`},
		{"callers without token", []string{"--numbers", numbers, "--mix", "callers"}, "needs an API token"},
		{"events without token", []string{"--numbers", numbers, "--mix", "events"}, "needs an integration token"},
		{"bad URL", []string{"--numbers", numbers, "--token", "t", "--url", "127.0.0.1:8080"}, "not an http://"},
		{"no connection", []string{"--numbers", numbers, "--connections", "0"}, "at least 1"},
		{"negative rate", []string{"--numbers", numbers, "--token", "t", "--rate", "-5"}, "must not be negative"},
		{"bad rate", []string{"--numbers", numbers, "--rate", "fast"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}
