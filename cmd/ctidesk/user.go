package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (m *Main) parseUserAdd(args []string) error {
	fs := m.newFlagSet("user add")
	role := fs.String("role", "", "role: admin, agent or viewer")
	contact := fs.Int64("contact", 0, "id of the Person behind this user (the agent of the phone calls he logs)")
	language := fs.String("language", "", `language: "EN US" or "FR FR" (default: server.default_language of the configuration)`)
	var orgs int64List
	fs.Var(&orgs, "org", "id of an organization the user may see (repeat; none: every organization)")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("usage: ctidesk user add LOGIN --role admin|agent|viewer (password on stdin)")
	}
	login := rest[0]
	if *role == "" {
		return fmt.Errorf("user add: --role is required (%s)", strings.Join(desk.Roles, ", "))
	}
	m.run = func(ctx context.Context) error {
		password, err := readPassword(m.Stdin)
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		hash, err := desk.HashPassword(password)
		if err != nil {
			return fmt.Errorf("password: %s", m.Messages.Error(err))
		}
		if err := m.openDB(ctx); err != nil {
			return err
		}
		lang := *language
		if lang == "" && m.Config != nil {
			lang = m.Config.Server.DefaultLanguage
		}
		u := &desk.User{Login: login, PasswordHash: hash, ContactID: *contact, Language: lang,
			Roles: []string{*role}, AllowedOrgIDs: orgs}
		if err := m.DB.Services().Users.CreateUser(desk.NewSystemContext(ctx), u); err != nil {
			if desk.ErrorCode(err) == desk.EINTERNAL {
				return err
			}
			return fmt.Errorf("user add: %s", m.Messages.Error(err))
		}
		fmt.Fprintf(m.Stdout, "user %s added (id %d, role %s)\n", u.Login, u.ID, *role)
		return nil
	}
	return nil
}

// parseUserLogout ends every session of a user, in every browser: for a
// stolen laptop, or a user who left.
func (m *Main) parseUserLogout(args []string) error {
	fs := m.newFlagSet("user logout")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("usage: ctidesk user logout LOGIN")
	}
	login := rest[0]
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		sys := desk.NewSystemContext(ctx)
		svc := m.DB.Services()
		u, err := svc.Users.FindUserByLogin(sys, login)
		if err != nil {
			if desk.ErrorCode(err) == desk.EINTERNAL {
				return err
			}
			return fmt.Errorf("user logout: %s", m.Messages.Error(err))
		}
		n, err := svc.Sessions.DeleteUserSessions(sys, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "user %s logged out: %d sessions ended\n", u.Login, n)
		return nil
	}
	return nil
}
