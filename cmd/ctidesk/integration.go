package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/ctidesk/ctidesk/internal/desk"
)

const integrationUsage = `usage: ctidesk integration create NAME
       ctidesk integration list
       ctidesk integration revoke ID
       ctidesk extension LOGIN EXTENSION`

// parseIntegration parses the integration subcommands: create, list,
// revoke. An integration is a phone system allowed to post call events
// (docs/integrations/webhook.md).
func (m *Main) parseIntegration(args []string) error {
	if len(args) == 0 {
		return errors.New(integrationUsage)
	}
	fs := m.newFlagSet("integration " + args[0])
	rest, err := parseFlags(fs, args[1:], m.Getenv)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "create" && len(rest) == 1:
		m.run = func(ctx context.Context) error {
			if err := m.openDB(ctx); err != nil {
				return err
			}
			token, i, err := m.DB.CreateIntegration(desk.NewSystemContext(ctx), rest[0])
			if err != nil {
				return m.userError("integration create", err)
			}
			// The token alone on stdout, for scripts; the rest on stderr.
			fmt.Fprintln(m.Stdout, token)
			fmt.Fprintf(m.Stderr, "integration %d (%s) created; its token is shown this once. The phone system posts "+
				"its call events to https://YOUR-CTIDESK/api/v1/cti/<token>, the URL shape of Zammad's Generic CTI (or "+
				"with \"Authorization: Bearer <token>\" to /api/v1/cti/events).\n", i.ID, i.Name)
			return nil
		}
	case args[0] == "list" && len(rest) == 0:
		m.run = func(ctx context.Context) error {
			if err := m.openDB(ctx); err != nil {
				return err
			}
			list, err := m.DB.FindIntegrations(desk.NewSystemContext(ctx))
			if err != nil {
				return fmt.Errorf("integration list: %w", err)
			}
			w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			// RINGS ALL: whether a call that names nobody rings every agent
			// who may see the caller (the Telephony page changes it).
			fmt.Fprintln(w, "ID\tNAME\tCREATED\tLAST USED\tSTATUS\tRINGS ALL")
			for _, i := range list {
				status := "active"
				if i.RevokedAt != nil {
					status = "revoked " + cliTime(i.RevokedAt)
				}
				all := "no"
				if i.RingAllAgents {
					all = "yes"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", i.ID, oneLine(i.Name), cliTime(&i.CreatedAt), cliTime(i.LastUsedAt), status, all)
			}
			return w.Flush()
		}
	case args[0] == "revoke" && len(rest) == 1:
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("integration revoke: %q is not an integration id (see ctidesk integration list)", rest[0])
		}
		m.run = func(ctx context.Context) error {
			if err := m.openDB(ctx); err != nil {
				return err
			}
			i, err := m.DB.RevokeIntegration(desk.NewSystemContext(ctx), id)
			if err != nil {
				return m.userError("integration revoke", err)
			}
			fmt.Fprintf(m.Stdout, "integration %d (%s) revoked\n", i.ID, i.Name)
			return nil
		}
	default:
		return errors.New(integrationUsage)
	}
	return nil
}

// parseExtension parses "extension LOGIN EXTENSION": the extension the
// phone system knows the user by ("" removes it).
func (m *Main) parseExtension(args []string) error {
	fs := m.newFlagSet("extension")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return errors.New("usage: ctidesk extension LOGIN EXTENSION")
	}
	login, ext := rest[0], rest[1]
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		u, err := m.DB.FindUserByLogin(ctx, login)
		if err != nil {
			return m.userError("extension", err)
		}
		s, err := m.DB.UpdateAgentSettings(ctx, u.ID, desk.AgentSettingsUpdate{Extension: &ext})
		if err != nil {
			return m.userError("extension", err)
		}
		if s.Extension == "" {
			fmt.Fprintf(m.Stdout, "%s has no extension\n", u.Login)
		} else {
			fmt.Fprintf(m.Stdout, "%s is extension %s\n", u.Login, s.Extension)
		}
		return nil
	}
	return nil
}
