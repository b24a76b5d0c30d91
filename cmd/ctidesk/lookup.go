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
	asJSON := fs.Bool("json", false, "print a JSON array of {id, friendlyname, org_name, attribute, stored, rank, rule}")
	explain := fs.Bool("explain", false, "say by which rule each number matched, and why the numbers sharing its last "+
		"digits did not (with --json: an object {callers, near_misses})")
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
		return errors.New("usage: ctidesk lookup [--json] [--explain] NUMBER, or --employee-number, --support-id or --email VALUE")
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		ctx = desk.NewSystemContext(ctx)
		var matches []*desk.CallerMatch
		var misses []*desk.NearMiss
		var err error
		what := number
		switch {
		case attribute != "":
			matches, err = m.DB.FindCallersByAttribute(ctx, attribute, value)
			what = attribute + " " + value
		case *explain:
			matches, misses, err = m.DB.ExplainCallersByNumber(ctx, number)
		default:
			matches, err = m.DB.FindCallersByNumber(ctx, number)
		}
		if desk.ErrorCode(err) == desk.EINVALID {
			return errors.New(m.Messages.Error(err)) // the message is meant for the user
		} else if err != nil {
			return fmt.Errorf("lookup: %w", err)
		}
		if *asJSON && *explain {
			return m.printExplanationJSON(matches, misses)
		}
		if *asJSON {
			return m.printMatchesJSON(matches)
		}
		if len(matches) == 0 {
			fmt.Fprintf(m.Stdout, "No person found for %s.\n", strings.TrimSpace(what))
		} else if err := m.printMatches(matches, *explain); err != nil {
			return err
		}
		if *explain {
			return m.printNearMisses(misses)
		}
		return nil
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
	// Rule is how the number matched (e164, national, suffix, extension),
	// "" for an exact attribute; Why says it in words.
	Rule      string `json:"rule,omitempty"`
	SuffixLen int    `json:"suffix_len,omitempty"`
	Why       string `json:"why,omitempty"`
}

func (m *Main) printMatchesJSON(matches []*desk.CallerMatch) error {
	return m.printJSON(m.callersJSON(matches))
}

func (m *Main) callersJSON(matches []*desk.CallerMatch) []callerJSON {
	out := make([]callerJSON, 0, len(matches))
	for _, c := range matches {
		out = append(out, callerJSON{ID: c.Person.ID, FriendlyName: c.Person.FriendlyName(), OrgName: c.Person.OrgName,
			Attribute: c.Attribute, Stored: c.Stored, Rank: c.Rank, Rule: c.Rule, SuffixLen: c.SuffixLen, Why: m.why(c)})
	}
	return out
}

// printExplanationJSON prints lookup --explain --json.
func (m *Main) printExplanationJSON(matches []*desk.CallerMatch, misses []*desk.NearMiss) error {
	out := struct {
		Callers    []callerJSON          `json:"callers"`
		NearMisses []desk.NearMissReport `json:"near_misses"`
	}{m.callersJSON(matches), []desk.NearMissReport{}}
	for _, n := range misses {
		out.NearMisses = append(out.NearMisses, n.Report(m.Messages.T))
	}
	return m.printJSON(out)
}

// why says in words by which rule c matched, "" for an exact attribute.
func (m *Main) why(c *desk.CallerMatch) string {
	return desk.MatchRuleText(m.Messages.T, c.Rule, c.SuffixLen)
}

func (m *Main) printJSON(out any) error {
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "%s\n", b)
	return err
}

// printMatches prints a table, best first; equally good matches share a rank.
// With explain, a last column says by which rule each matched.
func (m *Main) printMatches(matches []*desk.CallerMatch, explain bool) error {
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	head := "RANK\tID\tNAME\tORGANIZATION\tATTRIBUTE\tSTORED"
	if explain {
		head += "\tWHY"
	}
	fmt.Fprintln(w, head)
	for _, c := range matches {
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s", c.Rank, c.Person.ID, oneLine(c.Person.FriendlyName()),
			oneLine(c.Person.OrgName), c.Attribute, oneLine(c.Stored))
		if explain {
			fmt.Fprintf(w, "\t%s", m.why(c))
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}

// printNearMisses prints the near misses of lookup --explain.
func (m *Main) printNearMisses(misses []*desk.NearMiss) error {
	if len(misses) == 0 {
		fmt.Fprintln(m.Stdout, "No near miss: no other number shares the last digits.")
		return nil
	}
	fmt.Fprintln(m.Stdout, "\nNear misses, not matched:")
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tORGANIZATION\tATTRIBUTE\tSTORED\tWHY NOT")
	for _, n := range misses {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", n.Person.ID, oneLine(n.Person.FriendlyName()),
			oneLine(n.Person.OrgName), n.Attribute, oneLine(n.Stored), desk.RejectReasonText(m.Messages.T, n))
	}
	return w.Flush()
}

// oneLine keeps a value from breaking the table: tabs and line breaks become
// spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
