package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

const tokenUsage = `usage: ctidesk token create LOGIN [--name NAME]
       ctidesk token list [LOGIN]
       ctidesk token revoke ID`

// parseToken parses the token subcommands: create, list, revoke.
func (m *Main) parseToken(args []string) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	switch args[0] {
	case "create":
		return m.parseTokenCreate(args[1:])
	case "list":
		return m.parseTokenList(args[1:])
	case "revoke":
		return m.parseTokenRevoke(args[1:])
	}
	return fmt.Errorf("unknown token command %q\n%s", args[0], tokenUsage)
}

func (m *Main) parseTokenCreate(args []string) error {
	fs := m.newFlagSet("token create")
	name := fs.String("name", "", "what the token is for (3CX, a script), shown in the token list")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: ctidesk token create LOGIN [--name NAME]")
	}
	login := rest[0]
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		u, err := m.DB.FindUserByLogin(ctx, login)
		if err != nil {
			return m.userError("token create", err)
		}
		token, t, err := m.DB.CreateAPIToken(ctx, u.ID, *name)
		if err != nil {
			return m.userError("token create", err)
		}
		// The token alone on stdout, for scripts; the rest on stderr.
		fmt.Fprintln(m.Stdout, token)
		fmt.Fprintf(m.Stderr, "API token %d created for %s; it is shown this once. Send it as "+
			"\"Authorization: Bearer <token>\".\n", t.ID, u.Login)
		return nil
	}
	return nil
}

func (m *Main) parseTokenList(args []string) error {
	fs := m.newFlagSet("token list")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return errors.New("usage: ctidesk token list [LOGIN]")
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		filter := desk.APITokenFilter{Limit: 1000}
		if len(rest) == 1 {
			u, err := m.DB.FindUserByLogin(ctx, rest[0])
			if err != nil {
				return m.userError("token list", err)
			}
			filter.UserID = &u.ID
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tLOGIN\tNAME\tCREATED\tLAST USED\tSTATUS")
		for {
			tokens, total, err := m.DB.FindAPITokens(ctx, filter)
			if err != nil {
				return fmt.Errorf("token list: %w", err)
			}
			for _, t := range tokens {
				status := "active"
				if t.RevokedAt != nil {
					status = "revoked " + cliTime(t.RevokedAt)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Login, oneLine(t.Name), cliTime(&t.CreatedAt),
					cliTime(t.LastUsedAt), status)
			}
			filter.Offset += len(tokens)
			if len(tokens) == 0 || filter.Offset >= total {
				break
			}
		}
		return w.Flush()
	}
	return nil
}

func (m *Main) parseTokenRevoke(args []string) error {
	fs := m.newFlagSet("token revoke")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: ctidesk token revoke ID")
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("token revoke: %q is not a token id (see ctidesk token list)", rest[0])
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		t, err := m.DB.RevokeAPIToken(desk.NewSystemContext(ctx), id)
		if err != nil {
			return m.userError("token revoke", err)
		}
		fmt.Fprintf(m.Stdout, "API token %d of %s revoked\n", t.ID, t.Login)
		return nil
	}
	return nil
}

// userError returns err as the user should read it: a domain error's message,
// or the internal error with its detail.
func (m *Main) userError(what string, err error) error {
	if desk.ErrorCode(err) == desk.EINTERNAL {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %s", what, m.Messages.Error(err))
}

// cliTime shows a time of the token list, in UTC to the minute; "-" for none.
func cliTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
