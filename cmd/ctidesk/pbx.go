package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/pbx"
	"github.com/ctidesk/ctidesk/internal/store"
)

const pbxUsage = `usage: ctidesk pbx asterisk --ami HOST:PORT --user USER --secret-file FILE --url CTIDESK_URL --token-file FILE
                            [--inbound-context CONTEXT,...]
       ctidesk pbx freeswitch --esl HOST:PORT --password-file FILE --url CTIDESK_URL --token-file FILE
                              [--inbound-context CONTEXT,...]`

// parsePBX parses the phone system adapters, which follow a phone system's
// events and post its calls to ctidesk's webhook until interrupted:
// "pbx asterisk" an Asterisk's manager interface
// (docs/integrations/asterisk.md), "pbx freeswitch" a FreeSWITCH's event
// socket (docs/integrations/freeswitch.md).
func (m *Main) parsePBX(args []string) error {
	if len(args) == 0 || (args[0] != "asterisk" && args[0] != "freeswitch") {
		return errors.New(pbxUsage)
	}
	system := args[0]
	fs := m.newFlagSet("pbx " + system)
	var addr, user, secretFile *string
	defaultContexts := pbx.DefaultInboundContexts
	if system == "asterisk" {
		addr = fs.String("ami", "", "the manager interface's `host:port` (Asterisk's port 5038)")
		user = fs.String("user", "", "the manager user (a [user] section of manager.conf)")
		secretFile = fs.String("secret-file", "", "`file` holding the manager user's secret")
	} else {
		addr = fs.String("esl", "", "the event socket's `host:port` (FreeSWITCH's port 8021)")
		secretFile = fs.String("password-file", "", "`file` holding the event socket's password (event_socket.conf.xml)")
		defaultContexts = pbx.DefaultESLInboundContexts
	}
	base := fs.String("url", "http://localhost:8080", "ctidesk's URL, where the call events are posted")
	tokenFile := fs.String("token-file", "", "`file` holding the integration's token (ctidesk integration create)")
	inbound := fs.String("inbound-context", strings.Join(defaultContexts, ","),
		"dialplan `contexts` whose new channels are inbound calls, comma-separated")
	rest, err := parseFlags(fs, args[1:], m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("pbx %s: unexpected argument %q\n%s", system, rest[0], pbxUsage)
	}
	required := []*flag.Flag{fs.Lookup("ami"), fs.Lookup("user"), fs.Lookup("secret-file"), fs.Lookup("esl"),
		fs.Lookup("password-file"), fs.Lookup("token-file")}
	for _, f := range required {
		if f != nil && f.Value.String() == "" {
			return fmt.Errorf("pbx %s: --%s is required\n%s", system, f.Name, pbxUsage)
		}
	}
	m.run = func(ctx context.Context) error {
		secret, err := readSecret(*secretFile)
		if err != nil {
			return fmt.Errorf("pbx %s: %w", system, err)
		}
		token, err := readSecret(*tokenFile)
		if err != nil {
			return fmt.Errorf("pbx %s: %w", system, err)
		}
		if !strings.HasPrefix(token, desk.IntegrationTokenPrefix) {
			return fmt.Errorf("pbx %s: %s holds no integration token (cti_…): see ctidesk integration create", system, *tokenFile)
		}
		var contexts []string
		for c := range strings.SplitSeq(*inbound, ",") {
			if c = strings.TrimSpace(c); c != "" {
				contexts = append(contexts, c)
			}
		}
		conn := pbx.Connection{Addr: *addr, Log: m.Logger, Poster: &pbx.Webhook{URL: *base, Token: token}}
		if system == "freeswitch" {
			f := &pbx.FreeSWITCH{Connection: conn, Password: secret, Inbound: contexts}
			m.Logger.Info("following the freeswitch event socket", "esl", *addr, "ctidesk", *base)
			return f.Run(ctx)
		}
		a := &pbx.Asterisk{Connection: conn, Username: *user, Secret: secret, Inbound: contexts}
		m.Logger.Info("following the asterisk manager interface", "ami", *addr, "ctidesk", *base)
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
