package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (m *Main) parseLookup(args []string) error {
	fs := m.newFlagSet("lookup")
	asJSON := fs.Bool("json", false, "print a JSON array of {id, friendlyname, org_name, attribute, stored, rank}")
	byAttr := map[string]*string{
		desk.AttrEmployeeNumber: fs.String("employee-number", "", "find the persons with this exact employee number, instead of a number"),
		desk.AttrSupportID:      fs.String("support-id", "", "find every person with this exact support id, instead of a number"),
		desk.AttrEmail:          fs.String("email", "", "find the persons with this email (any case), instead of a number"),
	}
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	// A number may come as several arguments: ctidesk lookup +1 212 555 0100.
	number := strings.Join(rest, " ")
	var attribute, value string
	for _, a := range desk.CallerAttributes {
		if v := *byAttr[a]; v != "" {
			if attribute != "" || number != "" {
				return errors.New("lookup: give a NUMBER or one of --employee-number, --support-id, --email, not several")
			}
			attribute, value = a, v
		}
	}
	if attribute == "" && strings.TrimSpace(number) == "" {
		return errors.New("usage: ctidesk lookup [--json] NUMBER, or --employee-number, --support-id or --email VALUE")
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		var matches []*desk.CallerMatch
		var err error
		what := number
		if attribute != "" {
			matches, err = m.DB.FindCallersByAttribute(ctx, attribute, value)
			what = attribute + " " + value
		} else {
			matches, err = m.DB.FindCallersByNumber(ctx, number)
		}
		if desk.ErrorCode(err) == desk.EINVALID {
			return errors.New(m.Messages.Error(err)) // the message is meant for the user
		} else if err != nil {
			return fmt.Errorf("lookup: %w", err)
		}
		if *asJSON {
			return m.printMatchesJSON(matches)
		}
		if len(matches) == 0 {
			fmt.Fprintf(m.Stdout, "No person found for %s.\n", strings.TrimSpace(what))
			return nil
		}
		return m.printMatches(matches)
	}
	return nil
}

// callerJSON is one match in the output of lookup --json.
type callerJSON struct {
	ID           int64  `json:"id"`
	FriendlyName string `json:"friendlyname"`
	OrgName      string `json:"org_name"`
	Attribute    string `json:"attribute"`
	Stored       string `json:"stored"`
	Rank         int    `json:"rank"`
}

func (m *Main) printMatchesJSON(matches []*desk.CallerMatch) error {
	out := make([]callerJSON, 0, len(matches))
	for _, c := range matches {
		out = append(out, callerJSON{ID: c.Person.ID, FriendlyName: c.Person.FriendlyName(), OrgName: c.Person.OrgName,
			Attribute: c.Attribute, Stored: c.Stored, Rank: c.Rank})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "%s\n", b)
	return err
}

// printMatches prints a table, best first; equally good matches share a rank.
func (m *Main) printMatches(matches []*desk.CallerMatch) error {
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "RANK\tID\tNAME\tORGANIZATION\tATTRIBUTE\tSTORED")
	for _, c := range matches {
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\n", c.Rank, c.Person.ID, oneLine(c.Person.FriendlyName()),
			oneLine(c.Person.OrgName), c.Attribute, oneLine(c.Stored))
	}
	return w.Flush()
}

// oneLine keeps a value from breaking the table: tabs and line breaks become
// spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
