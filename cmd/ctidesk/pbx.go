package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/pbx"
	"github.com/ctidesk/ctidesk/internal/store"
)

const pbxUsage = `usage: ctidesk pbx asterisk --ami HOST:PORT --user USER --secret-file FILE --url CTIDESK_URL --token-file FILE
                            [--inbound-context CONTEXT,...]`

// parsePBX parses the phone system adapters: "pbx asterisk" follows an
// Asterisk's manager interface and posts its calls to ctidesk's webhook,
// until interrupted (docs/integrations/asterisk.md).
func (m *Main) parsePBX(args []string) error {
	if len(args) == 0 || args[0] != "asterisk" {
		return errors.New(pbxUsage)
	}
	fs := m.newFlagSet("pbx asterisk")
	ami := fs.String("ami", "", "the manager interface's `host:port` (Asterisk's port 5038)")
	user := fs.String("user", "", "the manager user (a [user] section of manager.conf)")
	secretFile := fs.String("secret-file", "", "`file` holding the manager user's secret")
	base := fs.String("url", "http://localhost:8080", "ctidesk's URL, where the call events are posted")
	tokenFile := fs.String("token-file", "", "`file` holding the integration's token (ctidesk integration create)")
	inbound := fs.String("inbound-context", strings.Join(pbx.DefaultInboundContexts, ","),
		"dialplan `contexts` whose new channels are inbound calls, comma-separated")
	rest, err := parseFlags(fs, args[1:], m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("pbx asterisk: unexpected argument %q\n%s", rest[0], pbxUsage)
	}
	for _, f := range []struct{ name, v string }{{"--ami", *ami}, {"--user", *user}, {"--secret-file", *secretFile},
		{"--token-file", *tokenFile}} {
		if f.v == "" {
			return fmt.Errorf("pbx asterisk: %s is required\n%s", f.name, pbxUsage)
		}
	}
	m.run = func(ctx context.Context) error {
		secret, err := readSecret(*secretFile)
		if err != nil {
			return fmt.Errorf("pbx asterisk: %w", err)
		}
		token, err := readSecret(*tokenFile)
		if err != nil {
			return fmt.Errorf("pbx asterisk: %w", err)
		}
		if !strings.HasPrefix(token, desk.IntegrationTokenPrefix) {
			return fmt.Errorf("pbx asterisk: %s holds no integration token (cti_…): see ctidesk integration create", *tokenFile)
		}
		var contexts []string
		for c := range strings.SplitSeq(*inbound, ",") {
			if c = strings.TrimSpace(c); c != "" {
				contexts = append(contexts, c)
			}
		}
		a := &pbx.Asterisk{Addr: *ami, Username: *user, Secret: secret, Inbound: contexts, Log: m.Logger,
			Poster: &pbx.Webhook{URL: *base, Token: token}}
		m.Logger.Info("following the asterisk manager interface", "ami", *ami, "ctidesk", *base)
		return a.Run(ctx)
	}
	return nil
}

// readSecret reads a secret from the first line of a file, so that it never
// appears in the process list.
func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return line, nil
}

// eventBus returns the bus that carries the push events of serve: on
// PostgreSQL, the one shared through LISTEN/NOTIFY by every instance (Close
// stops it); on SQLite, which one instance serves, one in memory.
func (m *Main) eventBus(ctx context.Context) (desk.EventBus, error) {
	if !m.DB.Postgres() {
		return cti.NewMemoryBus(cti.MemoryBusOptions{}), nil
	}
	bus, err := store.NewEventBus(ctx, m.DB, store.EventBusOptions{Local: cti.NewMemoryBus(cti.MemoryBusOptions{}), Logger: m.Logger})
	if err != nil {
		return nil, err
	}
	m.bus = bus
	return bus, nil
}
