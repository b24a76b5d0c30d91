package oql_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/oql"
)

func TestParseSeedQueries(t *testing.T) {
	want := map[string]struct {
		class  string
		params []oql.Param
	}{
		"caller_information": {"Person", []oql.Param{{Name: "phone"}}},
		"preset_org_id":      {"Organization", []oql.Param{{Name: "selected_caller"}}},
		"list_user_requests": {"UserRequest", []oql.Param{{Name: "callers_list", List: true}}},
		"list_org_requests":  {"UserRequest", []oql.Param{{Name: "callers_list", List: true}}},
		"list_problems":      {"Problem", []oql.Param{{Name: "callers_list", List: true}}},
		"list_incidents":     {"Incident", []oql.Param{{Name: "callers_list", List: true}}},
	}
	for name, text := range seedQueries {
		t.Run(name, func(t *testing.T) {
			q, err := oql.Parse(text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := q.Class().Name; got != want[name].class {
				t.Errorf("selected class %s, want %s", got, want[name].class)
			}
			if !slices.Equal(q.Params(), want[name].params) {
				t.Errorf("params %v, want %v", q.Params(), want[name].params)
			}
			if q.Text() != text {
				t.Errorf("Text() = %q, want the query as written", q.Text())
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, text := range []string{
		`select Person`,
		`SELECT Person AS p WHERE p.name = "O'Brien"`,
		`SELECT Person WHERE name = 'O\'Brien' AND first_name <> 'x'`,
		`SELECT Ticket AS t JOIN Person ON t.caller_id = Person.id WHERE Person.status = 'active'`,
		`SELECT Person WHERE NOT NOT (id > 3 OR id <= -1)`,
		`SELECT UserRequest WHERE id IN (:a, 3, '4') AND id NOT IN (:b)`,
		"SELECT Person\n\tWHERE\n\tphone LIKE :phone",
		`SELECT PhoneCall WHERE ticket_id = :request AND duration >= 15`,
		`SELECT Person AS p JOIN Organization AS o ON o.id = p.org_id JOIN Location AS l ON p.location_id = l.id`,
	} {
		if _, err := oql.Parse(text); err != nil {
			t.Errorf("Parse(%q): %v", text, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`SELECT Person WHERE phon LIKE :phone`, `unknown attribute "phon" of class Person at 1:21; did you mean "phone"?`},
		{`SELECT Persn`, `unknown class "Persn" at 1:8; did you mean "Person"?`},
		{`SELECT Widget`, `unknown class "Widget" at 1:8`},
		{`SELECT Person AS p WHERE q.name = 'x'`, `unknown alias "q" at 1:26; did you mean "p"?`},
		{`SELECT Person AS p WHERE p.nmae = 'x'`, `unknown attribute "nmae" of class Person at 1:28; did you mean "name"?`},
		{"SELECT UserRequest AS u\nWHERE u.status != 'clossed'", `"clossed" is not a value of status (new, assigned, pending, resolved, closed) at 2:19; did you mean "closed"?`},
		{`SELECT Person WHERE`, `expected an attribute, a value or a :parameter, found end of query at 1:20`},
		{`SELECT Person WHERE name = `, `expected an attribute, a value or a :parameter, found end of query at 1:28`},
		{`SELECT Person WHERE name 'x'`, `expected a comparison (=, !=, <, <=, >, >=, LIKE, NOT LIKE, IN, NOT IN), found string "x" at 1:26`},
		{`SELECT Person WHERE (name = 'x'`, `expected ), found end of query at 1:32`},
		{`SELECT Person WHERE name = 'x`, `unterminated string at 1:28`},
		{`SELECT Person WHERE name = : `, `expected a parameter name after ":" at 1:28`},
		{`SELECT Person WHERE name ! 'x'`, `unexpected "!" at 1:26; did you mean "!="?`},
		{`SELECT Person WHERE name = 'x' LIMIT 3`, `expected AND, OR or the end of the query, found "LIMIT" at 1:32`},
		{`SELECT Person name`, `expected WHERE, JOIN or the end of the query, found "name" at 1:15`},
		{`Person WHERE id = 1`, `expected SELECT, found "Person" at 1:1`},
		{`SELECT Person AS p JOIN Person AS p ON p.id = p.id`, `alias "p" is used twice at 1:35`},
		{`SELECT Person AS p JOIN Organization AS o ON p.org_id = p.id`, `the ON condition of JOIN Organization must use the alias "o" at 1:46`},
		{`SELECT Person AS p JOIN Organization AS o ON o.name = p.name`, `o.name = p.name does not follow an external key: JOIN needs an external key on one side and the id of its class on the other at 1:46`},
		{`SELECT Person AS p JOIN Ticket AS t ON t.org_id = p.id`, `t.org_id = p.id does not follow an external key: JOIN needs an external key on one side and the id of its class on the other at 1:40`},
		{`SELECT Person WHERE id = 'abc'`, `id is a number: "abc" cannot be compared with it at 1:26`},
		{`SELECT Ticket WHERE start_date > 'yesterday'`, `"yesterday" is not a date: write 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' at 1:34`},
		{`SELECT Ticket WHERE public_log = 'x'`, `public_log is a log: it can only be compared with LIKE or NOT LIKE at 1:21`},
		{`SELECT Person WHERE id IN (org_id)`, `expected a value or a parameter in the IN list, found an attribute at 1:28`},
		{`SELECT Person WHERE id IN ()`, `expected an attribute, a value or a :parameter, found ")" at 1:28`},
		{`SELECT Person WHERE name NOT = 'x'`, `expected LIKE or IN after NOT, found "=" at 1:30`},
		{`SELECT Problem WHERE priority = 1`, `unknown attribute "priority" of class Problem at 1:22`},
		{`SELECT Person WHERE name = 'x' § 1`, `unexpected character '§' at 1:32`},
		{`SELECT Person WHERE id = 1.2.3`, `"1.2.3" is not a number at 1:26`},
	} {
		t.Run(c.text, func(t *testing.T) {
			_, err := oql.Parse(c.text)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want %q", c.text, c.want)
			}
			var perr *oql.Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %T, want *oql.Error", err)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		text   string
		params map[string]any
		want   string
	}{
		{`SELECT Person WHERE phone LIKE :phone`, nil, "The query parameter :phone has no value."},
		{`SELECT Person WHERE id = :callers_list`, map[string]any{"callers_list": []int64{1}}, "The query parameter :callers_list is a list; use it in an IN (…) condition."},
	} {
		q := oql.MustParse(c.text)
		_, err := q.Compile(oql.Env{Params: c.params})
		if err == nil || locale.MustLoad().Printer(locale.English).Error(err) != c.want {
			t.Errorf("Compile(%q) error %v, want %q", c.text, err, c.want)
		}
	}
}
