package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ctidesk/ctidesk/internal/oql"
)

// Error is one mistake in a configuration, at its place in the file.
type Error struct {
	// File is the file's name as given to Load or Parse.
	File string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Key is the path of the key: indirect_creation.UserRequest.preset.org_id,
	// display_tickets.lists[1].query.
	Key     string
	Message string
}

// Error returns the mistake as a compiler writes it, so that editors can jump
// to it: "ctidesk.yaml:12:14: caller_information.query: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors are all the mistakes found in a configuration, in the order of the
// file. Load and Parse return them as their error.
type Errors []*Error

// Error returns one mistake a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders the mistakes by their place in the file.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// suggest returns `; did you mean "x"?` for the candidate closest to word,
// as the query language's messages do.
func suggest(word string, candidates []string) string { return oql.Suggest(word, candidates) }
