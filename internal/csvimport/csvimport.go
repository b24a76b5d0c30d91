// Package csvimport reads the CSV files of `ctidesk import`: a header row
// naming attributes, then one person, organization, team or team membership
// a row. It maps rows to
// desk imports and reports bad rows with their line; it knows nothing of
// SQL.
//
// What it accepts:
//   - UTF-8, with or without a byte order mark; a UTF-16 file is refused with
//     a hint. A row with invalid UTF-8, a NUL or another control character
//     but the tab is a bad row; the line breaks of a quoted field of one
//     line (a spreadsheet's wrapped text) become spaces.
//   - Comma or semicolon as delimiter, whichever the header line holds more
//     of (outside quotes); Excel in most of Europe writes semicolons.
//   - Quoted fields, with delimiters, doubled quotes and line breaks inside.
//   - Header names in any case, with spaces, dashes, dots or underscores, and
//     common aliases ("Last name", "Mobile", "E-mail", "Company"). An unknown
//     column is an error naming it, with a suggestion, before any row is
//     read. Empty header names at the end of the line (trailing delimiters)
//     are ignored.
//
// Line numbers are those of the file: the physical line where a row starts,
// counting the header as line 1 and every line break inside quoted fields.
package csvimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Kind is the class of objects a file holds.
type Kind int

// Kinds of import files.
const (
	Persons Kind = iota
	Organizations
	Teams
	TeamMembers
)

// ParseKind returns the kind named on the command line: "persons",
// "organizations", "teams" or "team-members" (singular too).
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(s) {
	case "persons", "person":
		return Persons, nil
	case "organizations", "organization", "organisations", "organisation":
		return Organizations, nil
	case "teams", "team":
		return Teams, nil
	case "team-members", "team-member", "members":
		return TeamMembers, nil
	}
	return 0, fmt.Errorf("unknown kind %q: want persons, organizations, teams or team-members", s)
}

// String returns the kind as the command line names it.
func (k Kind) String() string {
	switch k {
	case Organizations:
		return "organizations"
	case Teams:
		return "teams"
	case TeamMembers:
		return "team-members"
	}
	return "persons"
}

// Attributes of the columns of each kind, in the order the usage lists them.
var (
	PersonAttributes = []string{"first_name", "name", "email", "phone", "mobile_phone", "home_phone", "employee_number",
		"support_id", "function", "status", "org_id", "org_name", "org_code", "location_name"}
	OrganizationAttributes = []string{"name", "code", "status", "support_id"}
	TeamAttributes         = []string{"name", "org_name", "org_id", "email", "phone", "status"}
	// A membership names its team (by name, with its organization when
	// several organizations have a team of that name) and its person (by
	// id, email or employee number).
	TeamMemberAttributes = []string{"team_name", "org_name", "person_id", "person_email", "employee_number", "role"}
)

// aliasNames are the other header names each attribute is known by, as
// people and other tools (Excel, Outlook, iTop, 4me exports) write them;
// they are compared folded (see fold).
var aliasNames = map[Kind]map[string][]string{
	Persons: {
		"first_name":      {"given name", "forename", "prénom", "prenom"},
		"name":            {"last name", "surname", "family name", "nom"},
		"email":           {"mail", "e-mail address", "courriel"},
		"phone":           {"phone number", "telephone", "téléphone", "tel", "business phone", "office phone", "work phone"},
		"mobile_phone":    {"mobile", "mobile number", "cell", "cell phone", "portable"},
		"home_phone":      {"home", "private phone"},
		"employee_number": {"employee id", "employee no", "staff number", "matricule"},
		"function":        {"job title", "title", "position", "fonction"},
		"org_id":          {"organization id", "organisation id"},
		"org_name": {"organization", "organisation", "organization name", "organisation name", "company",
			"company name", "org"},
		"org_code":      {"organization code", "organisation code", "company code"},
		"location_name": {"location", "site"},
	},
	Teams: {
		"name":     {"team", "team name"},
		"org_name": {"organization", "organisation", "organization name", "organisation name", "company", "org"},
		"org_id":   {"organization id", "organisation id"},
		"email":    {"mail", "e-mail address", "courriel"},
		"phone":    {"phone number", "telephone", "téléphone", "tel"},
	},
	TeamMembers: {
		"team_name":       {"team", "équipe", "equipe"},
		"org_name":        {"organization", "organisation", "company", "org", "team organization"},
		"person_email":    {"email", "mail", "e-mail", "person email", "courriel"},
		"employee_number": {"employee id", "employee no", "staff number", "matricule"},
		"person_id":       {"person", "contact id"},
		"role":            {"role name", "function in team", "rôle"},
	},
	Organizations: {
		"name": {"org name", "organization", "organisation", "organization name", "organisation name", "company",
			"company name"},
		"code": {"org code", "organization code", "company code"},
	},
}

// aliases maps the folded form of every alias to its attribute.
var aliases = func() map[Kind]map[string]string {
	m := map[Kind]map[string]string{}
	for kind, names := range aliasNames {
		m[kind] = map[string]string{}
		for attr, list := range names {
			for _, a := range list {
				m[kind][fold(a)] = attr
			}
		}
	}
	return m
}()

// fold returns the form header names are compared in: lower case, letters
// and digits only ("Last name", "last_name" and "LAST-NAME" are "lastname").
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// attribute returns the attribute a header name stands for, or "".
func attribute(kind Kind, header string) string {
	f := fold(header)
	for _, a := range attributes(kind) {
		if fold(a) == f {
			return a
		}
	}
	return aliases[kind][f]
}

func attributes(kind Kind) []string {
	switch kind {
	case Organizations:
		return OrganizationAttributes
	case Teams:
		return TeamAttributes
	case TeamMembers:
		return TeamMemberAttributes
	}
	return PersonAttributes
}

// suggest returns the attribute whose name or alias is closest to header,
// or "" when none is close enough to be a likely typo.
func suggest(kind Kind, header string) string {
	f := fold(header)
	if len(f) > 64 {
		return "" // not a typo; and distance is quadratic
	}
	best, bestDist := "", -1
	try := func(name, attr string) {
		d := distance(f, name)
		if bestDist < 0 || d < bestDist {
			best, bestDist = attr, d
		}
	}
	for _, a := range attributes(kind) {
		try(fold(a), a)
	}
	for _, alias := range slices.Sorted(maps.Keys(aliases[kind])) { // ties: the same answer every time
		try(alias, aliases[kind][alias])
	}
	if bestDist < 0 || bestDist > max(2, utf8.RuneCountInString(f)/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// RowError is a bad row: it is skipped and the reading goes on.
type RowError struct {
	Line   int
	Reason string
}

// Error returns "line N: reason".
func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// HeaderError is a header the file cannot be imported with; nothing is read
// after it.
type HeaderError struct {
	Reason string
}

func (e *HeaderError) Error() string { return "header: " + e.Reason }

// Reader reads the rows of an import file.
type Reader struct {
	kind  Kind
	csv   *csv.Reader
	comma rune
	// col is the index of each attribute's column, -1 when absent.
	col     map[string]int
	columns []string
	nfields int
	fatal   error
}

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// NewReader reads the header of the file r holds. It returns a *HeaderError
// for a header that names an unknown column or the same attribute twice, or
// that is missing.
func NewReader(r io.Reader, kind Kind) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.HasPrefix(b, utf8BOM) {
		br.Discard(3)
	} else if bytes.HasPrefix(b, utf16LEBOM) || bytes.HasPrefix(b, utf16BEBOM) {
		return nil, &HeaderError{"the file is UTF-16; save it as CSV UTF-8"}
	}
	comma := detectComma(br)
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &HeaderError{"the file is empty; the first line must name the columns"}
	} else if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &HeaderError{pe.Err.Error()}
		}
		return nil, err
	}
	rd := &Reader{kind: kind, csv: cr, comma: comma, col: map[string]int{}, nfields: len(header)}
	// Trailing empty names come from trailing delimiters: ignored.
	n := len(header)
	for n > 0 && strings.TrimSpace(header[n-1]) == "" {
		n--
	}
	if n == 0 {
		return nil, &HeaderError{"the first line must name the columns"}
	}
	for i, h := range header[:n] {
		if !utf8.ValidString(h) {
			return nil, &HeaderError{fmt.Sprintf("column %d: the name is not valid UTF-8", i+1)}
		}
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, &HeaderError{fmt.Sprintf("column %d has no name", i+1)}
		}
		a := attribute(kind, h)
		if a == "" {
			msg := fmt.Sprintf("unknown column %q (column %d)", shorten(h), i+1)
			if s := suggest(kind, h); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "."
			}
			return nil, &HeaderError{msg + " Columns of " + kind.String() + ": " + strings.Join(attributes(kind), ", ") +
				" (other common names are accepted too)"}
		}
		if j, dup := rd.col[a]; dup {
			return nil, &HeaderError{fmt.Sprintf("columns %d (%q) and %d (%q) both name %s", j+1, shorten(header[j]), i+1, shorten(h), a)}
		}
		rd.col[a] = i
		rd.columns = append(rd.columns, a)
	}
	return rd, nil
}

// shorten returns s, cut to 60 runes with an ellipsis when longer, to be
// quoted in a message.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:60]) + "…"
}

// detectComma returns ';' when the first line holds more semicolons than
// commas outside quotes, else ','.
func detectComma(br *bufio.Reader) rune {
	b, _ := br.Peek(64 << 10)
	var commas, semicolons int
	quoted := false
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		case c == '\n':
			goto done
		}
	}
done:
	if semicolons > commas {
		return ';'
	}
	return ','
}

// Columns returns the attribute of each named column, in file order.
func (r *Reader) Columns() []string { return r.columns }

// Comma returns the delimiter found in the header line.
func (r *Reader) Comma() rune { return r.comma }

// Has reports whether the file has a column for attribute a.
func (r *Reader) Has(a string) bool {
	_, ok := r.col[a]
	return ok
}

// next reads the next record. It returns the record and its line; a bad
// row as a *RowError; io.EOF at the end; any other error is fatal and
// returned again by every later call.
func (r *Reader) next() ([]string, int, error) {
	if r.fatal != nil {
		return nil, 0, r.fatal
	}
	rec, err := r.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The csv reader goes on after a bad record: with the next line,
			// or at the end after an unterminated quoted field.
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, 0, &RowError{pe.StartLine, fmt.Sprintf("%d fields, but the header has %d", len(rec), r.nfields)}
			}
			return nil, 0, &RowError{pe.StartLine, pe.Err.Error()}
		}
		if !errors.Is(err, io.EOF) {
			r.fatal = err
		}
		return nil, 0, err
	}
	line, _ := r.csv.FieldPos(0)
	for i, f := range rec {
		name := fmt.Sprintf("column %d", i+1)
		if i < len(r.columns) && r.columns[i] != "" {
			name = r.columns[i]
		}
		if !desk.MultiLine(name) && strings.ContainsAny(f, "\r\n") {
			// A spreadsheet's wrapped text, in a field of one line: one
			// line, its breaks spaces.
			f = strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(f, "\r", " "), "\n", " ")), " ")
			rec[i] = f
		}
		switch {
		case !utf8.ValidString(f):
			return nil, 0, &RowError{line, name + " is not valid UTF-8"}
		case !desk.ValidText(f, desk.MultiLine(name)):
			return nil, 0, &RowError{line, name + " holds a control character (NUL, bell, escape…)"}
		}
	}
	return rec, line, nil
}

// value returns the trimmed value of attribute a in rec, "" without a column.
func (r *Reader) value(rec []string, a string) string {
	i, ok := r.col[a]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// ReadPerson returns the next person row. A bad row is a *RowError, after
// which reading may go on; the end is io.EOF; any other error ends the
// reading.
func (r *Reader) ReadPerson() (*desk.PersonImport, error) {
	if r.kind != Persons {
		return nil, errors.New("csvimport: ReadPerson on a file of " + r.kind.String())
	}
	rec, line, err := r.next()
	if err != nil {
		return nil, err
	}
	v := func(a string) string { return r.value(rec, a) }
	row := &desk.PersonImport{Row: line, OrgCode: v("org_code"), Person: desk.Person{
		FirstName:      v("first_name"),
		Name:           v("name"),
		OrgName:        v("org_name"),
		LocationName:   v("location_name"),
		Email:          v("email"),
		Phone:          v("phone"),
		MobilePhone:    v("mobile_phone"),
		HomePhone:      v("home_phone"),
		EmployeeNumber: v("employee_number"),
		SupportID:      v("support_id"),
		Function:       v("function"),
		Status:         strings.ToLower(v("status")),
	}}
	if s := v("org_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, &RowError{line, fmt.Sprintf("org_id %q is not an id", s)}
		}
		row.Person.OrgID = id
	}
	return row, nil
}

// ReadOrganization returns the next organization row, as ReadPerson does.
func (r *Reader) ReadOrganization() (*desk.OrganizationImport, error) {
	if r.kind != Organizations {
		return nil, errors.New("csvimport: ReadOrganization on a file of " + r.kind.String())
	}
	rec, line, err := r.next()
	if err != nil {
		return nil, err
	}
	return &desk.OrganizationImport{Row: line, Organization: desk.Organization{
		Name:      r.value(rec, "name"),
		Code:      r.value(rec, "code"),
		Status:    strings.ToLower(r.value(rec, "status")),
		SupportID: r.value(rec, "support_id"),
	}}, nil
}

// TeamRow is a team of a file of teams: Team.OrgName or Team.OrgID names
// its organization.
type TeamRow struct {
	Line int
	Team desk.Team
}

// ReadTeam returns the next team row, as ReadPerson does.
func (r *Reader) ReadTeam() (*TeamRow, error) {
	if r.kind != Teams {
		return nil, errors.New("csvimport: ReadTeam on a file of " + r.kind.String())
	}
	rec, line, err := r.next()
	if err != nil {
		return nil, err
	}
	v := func(a string) string { return r.value(rec, a) }
	row := &TeamRow{Line: line, Team: desk.Team{Name: v("name"), OrgName: v("org_name"), Email: v("email"), Phone: v("phone"),
		Status: strings.ToLower(v("status"))}}
	if row.Team.OrgID, err = rowID(line, "org_id", v("org_id")); err != nil {
		return nil, err
	}
	if row.Team.Name == "" {
		return nil, &RowError{line, "name: a team's name is required"}
	}
	if row.Team.OrgName == "" && row.Team.OrgID == 0 {
		return nil, &RowError{line, "org_name: the team's organization is required (org_name or org_id)"}
	}
	return row, nil
}

// TeamMemberRow is a membership of a file of team members.
type TeamMemberRow struct {
	Line           int
	TeamName       string
	OrgName        string // the team's organization, "" for any
	PersonID       int64
	PersonEmail    string
	EmployeeNumber string
	Role           string
}

// ReadTeamMember returns the next membership row, as ReadPerson does.
func (r *Reader) ReadTeamMember() (*TeamMemberRow, error) {
	if r.kind != TeamMembers {
		return nil, errors.New("csvimport: ReadTeamMember on a file of " + r.kind.String())
	}
	rec, line, err := r.next()
	if err != nil {
		return nil, err
	}
	v := func(a string) string { return r.value(rec, a) }
	row := &TeamMemberRow{Line: line, TeamName: v("team_name"), OrgName: v("org_name"), PersonEmail: v("person_email"),
		EmployeeNumber: v("employee_number"), Role: v("role")}
	if row.PersonID, err = rowID(line, "person_id", v("person_id")); err != nil {
		return nil, err
	}
	if row.TeamName == "" {
		return nil, &RowError{line, "team_name: the team is required"}
	}
	if row.PersonID == 0 && row.PersonEmail == "" && row.EmployeeNumber == "" {
		return nil, &RowError{line, "person_email: the person is required (person_id, person_email or employee_number)"}
	}
	return row, nil
}

// rowID reads an optional id column; 0 when empty.
func rowID(line int, name, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, &RowError{line, fmt.Sprintf("%s %q is not an id", name, s)}
	}
	return id, nil
}
