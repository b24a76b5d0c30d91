package csvimport_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/csvimport"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// readAll reads every row of a file and describes each as a line: for a
// good row "line N: " and the attributes it sets, for a bad row its error.
func readAll(t *testing.T, kind csvimport.Kind, data string) ([]string, error) {
	t.Helper()
	r, err := csvimport.NewReader(strings.NewReader(data), kind)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		var desc string
		var err error
		if kind == csvimport.Persons {
			var row *desk.PersonImport
			if row, err = r.ReadPerson(); err == nil {
				desc = describePerson(row)
			}
		} else {
			var row *desk.OrganizationImport
			if row, err = r.ReadOrganization(); err == nil {
				o := row.Organization
				desc = fmt.Sprintf("line %d: name=%q code=%q status=%q support_id=%q", row.Row, o.Name, o.Code, o.Status, o.SupportID)
			}
		}
		var re *csvimport.RowError
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case errors.As(err, &re):
			desc = re.Error()
		case err != nil:
			return out, err
		}
		out = append(out, desc)
	}
}

// describePerson lists the attributes a row sets, in a fixed order.
func describePerson(row *desk.PersonImport) string {
	p := row.Person
	var b strings.Builder
	fmt.Fprintf(&b, "line %d:", row.Row)
	for _, f := range []struct{ name, v string }{
		{"first_name", p.FirstName}, {"name", p.Name}, {"email", p.Email}, {"phone", p.Phone},
		{"mobile_phone", p.MobilePhone}, {"home_phone", p.HomePhone}, {"employee_number", p.EmployeeNumber},
		{"support_id", p.SupportID}, {"function", p.Function}, {"status", p.Status}, {"org_name", p.OrgName},
		{"org_code", row.OrgCode}, {"location_name", p.LocationName},
	} {
		if f.v != "" {
			fmt.Fprintf(&b, " %s=%q", f.name, f.v)
		}
	}
	if p.OrgID != 0 {
		fmt.Fprintf(&b, " org_id=%d", p.OrgID)
	}
	return b.String()
}

func TestReadPersons(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{
			name: "comma",
			data: "first_name,name,email,org_name\nAda,Lovelace,ada@example.com,Analytical\nAlan,Turing,,Bletchley\n",
			want: []string{
				`line 2: first_name="Ada" name="Lovelace" email="ada@example.com" org_name="Analytical"`,
				`line 3: first_name="Alan" name="Turing" org_name="Bletchley"`,
			},
		},
		{
			name: "BOM, semicolon and CRLF",
			data: "\xEF\xBB\xBFname;Mobile;org_id\r\nLovelace;+44 20 7946 0958;3\r\n",
			want: []string{`line 2: name="Lovelace" mobile_phone="+44 20 7946 0958" org_id=3`},
		},
		{
			name: "semicolon with commas in the values",
			data: "name;function\nDoe;Head of sales, EMEA\n",
			want: []string{`line 2: name="Doe" function="Head of sales, EMEA"`},
		},
		{
			name: "quoted fields with delimiters, quotes and line breaks",
			data: "name,function,phone\n" +
				"\"Doe, Jr.\",\"Says \"\"hi\"\"\",1\n" +
				"Roe,\"two\nlines\",2\n" +
				"Poe,\"three\r\nlines\r\nhere\",3\n" +
				"Moe,plain,4\n",
			want: []string{
				`line 2: name="Doe, Jr." phone="1" function="Says \"hi\""`,
				`line 3: name="Roe" phone="2" function="two lines"`,
				`line 5: name="Poe" phone="3" function="three lines here"`,
				`line 8: name="Moe" phone="4" function="plain"`,
			},
		},
		{
			name: "aliases in any case",
			data: "First Name,LAST_NAME,E-Mail,Telephone,Mobile,home phone,Employee ID,Support-ID,Job Title,Status,Company,Org Code,Site\n" +
				"Ada,Lovelace,ada@example.com,1,2,3,E1,S1,Countess,Inactive,Analytical,AN,London\n",
			want: []string{`line 2: first_name="Ada" name="Lovelace" email="ada@example.com" phone="1" mobile_phone="2" ` +
				`home_phone="3" employee_number="E1" support_id="S1" function="Countess" status="inactive" ` +
				`org_name="Analytical" org_code="AN" location_name="London"`},
		},
		{
			name: "values are trimmed; blank lines skipped; trailing delimiters ignored",
			data: "name,email,,\n  Doe  , doe@example.com ,,\n\n\nRoe,,,\n",
			want: []string{`line 2: name="Doe" email="doe@example.com"`, `line 5: name="Roe"`},
		},
		{
			name: "wrong column count",
			data: "name,email\nDoe\nRoe,roe@example.com,extra\nPoe,poe@example.com\n",
			want: []string{
				"line 2: 1 fields, but the header has 2",
				"line 3: 3 fields, but the header has 2",
				`line 4: name="Poe" email="poe@example.com"`,
			},
		},
		{
			name: "invalid UTF-8",
			data: "name,function\nDoe,caf\xe9\nRoe,café\n",
			want: []string{"line 2: function is not valid UTF-8", `line 3: name="Roe" function="café"`},
		},
		{
			name: "NUL and other control characters",
			data: "name,function\nD\x00oe,x\nRoe,\x1b[31m\n\"Poe\",\"two\tcolumns\"\n",
			want: []string{"line 2: name holds a control character (NUL, bell, escape…)",
				"line 3: function holds a control character (NUL, bell, escape…)",
				`line 4: name="Poe" function="two\tcolumns"`},
		},
		{
			name: "bad org_id",
			data: "name,org_id\nDoe,x\nRoe,-2\nPoe,7\n",
			want: []string{`line 2: org_id "x" is not an id`, `line 3: org_id "-2" is not an id`, `line 4: name="Poe" org_id=7`},
		},
		{
			name: "bare quote, then reading goes on",
			data: "name,function\nDoe,5'11\" tall\nRoe,ok\n",
			want: []string{`line 2: bare " in non-quoted-field`, `line 3: name="Roe" function="ok"`},
		},
		{
			name: "unterminated quote runs to the end",
			data: "name,function\nDoe,ok\nRoe,\"open\nPoe,lost\n",
			want: []string{`line 2: name="Doe" function="ok"`, `line 3: extraneous or missing " in quoted-field`},
		},
		{
			name: "header only",
			data: "name,email\n",
			want: nil,
		},
		{
			name: "no final line break",
			data: "name\nDoe",
			want: []string{`line 2: name="Doe"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, csvimport.Persons, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestReadOrganizations(t *testing.T) {
	got, err := readAll(t, csvimport.Organizations, "Company;Code;Status;support_id\nAcme;AC;active;S-1\n\"Beta; Inc\";;;\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`line 2: name="Acme" code="AC" status="active" support_id="S-1"`,
		`line 3: name="Beta; Inc" code="" status="" support_id=""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		kind csvimport.Kind
		data string
		want string
	}{
		{"unknown column with suggestion", csvimport.Persons, "name,emial\n", `unknown column "emial" (column 2); did you mean "email"?`},
		{"alias typo", csvimport.Persons, "Last nme,Mobil\n", `unknown column "Last nme" (column 1); did you mean "name"?`},
		{"unknown column far from any", csvimport.Persons, "name,shoe size\n", `unknown column "shoe size" (column 2). Columns of persons: first_name, name,`},
		{"person column in an organization file", csvimport.Organizations, "name,email\n", `unknown column "email" (column 2)`},
		{"same attribute twice", csvimport.Persons, "name,Last name\n", `columns 1 ("name") and 2 ("Last name") both name name`},
		{"empty name inside", csvimport.Persons, "name,,email\n", "column 2 has no name"},
		{"empty file", csvimport.Persons, "", "the file is empty"},
		{"BOM only", csvimport.Persons, "\xEF\xBB\xBF", "the file is empty"},
		{"blank header", csvimport.Persons, ",,\n", "must name the columns"},
		{"UTF-16", csvimport.Persons, "\xFF\xFEn\x00a\x00", "UTF-16"},
		{"invalid UTF-8 in header", csvimport.Persons, "name,\xff\n", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := csvimport.NewReader(strings.NewReader(tt.data), tt.kind)
			var he *csvimport.HeaderError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewReader(%q) = %v, want a header error containing %q", tt.data, err, tt.want)
			}
		})
	}
}

func TestComma(t *testing.T) {
	// Header names are folded, so quoted names with delimiters inside can
	// still be attributes.
	for _, tt := range []struct {
		header string
		want   rune
	}{
		{"name,email\n", ','},
		{"name;email\n", ';'},
		{"name\n", ','},
		{"\"first;name\",name,email\n", ','},
		{"name;\"e,mail\"\n", ';'},
		{"name;email;first,name\n", ';'},
	} {
		r, err := csvimport.NewReader(strings.NewReader(tt.header), csvimport.Persons)
		if err != nil {
			t.Errorf("%q: %v", tt.header, err)
			continue
		}
		if r.Comma() != tt.want {
			t.Errorf("%q: delimiter %q, want %q", tt.header, r.Comma(), tt.want)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, s := range []string{"persons", "Person", "organizations", "organisation"} {
		if _, err := csvimport.ParseKind(s); err != nil {
			t.Errorf("ParseKind(%q): %v", s, err)
		}
	}
	if _, err := csvimport.ParseKind("tickets"); err == nil {
		t.Error("ParseKind(tickets) succeeded")
	}
}

func TestLongColumnName(t *testing.T) {
	long := strings.Repeat("x", 100000)
	_, err := csvimport.NewReader(strings.NewReader("name,"+long+"\n"), csvimport.Persons)
	if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), `unknown column "xxxx`) {
		t.Errorf("NewReader with a long unknown column: %.500v", err)
	}
}
