package config_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/desk"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// seedExamples are the configuration examples of the iTop extension's
// documentation, shipped under docs/examples.
var seedExamples = []string{"itop-default.xml", "itop-config.php"}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// MustParse parses a configuration known to be valid.
func MustParse(tb testing.TB, yaml string) *config.Config {
	tb.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		tb.Fatalf("Parse:\n%v\n%s", err, yaml)
	}
	return cfg
}

// MustMarshal returns the YAML of cfg.
func MustMarshal(tb testing.TB, cfg *config.Config) string {
	tb.Helper()
	b, err := cfg.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// golden compares got with the file testdata/name, which -update rewrites.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := readFile(t, path); !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func mustImport(t *testing.T, name string) []byte {
	t.Helper()
	out, err := config.ImportITop(name, readFile(t, filepath.Join("..", "..", "docs", "examples", name)))
	if err != nil {
		t.Fatalf("ImportITop(%s): %v", name, err)
	}
	return out
}

// TestITopDefaultImport: the iTop extension's default configuration (the
// XML of its datamodel), imported, keeps what iTop does — its caller query,
// its lists of User Requests, its presets — where ctidesk's built-in default
// differs on purpose (the built-in lookup over every number, open tickets
// of every kind newest first, the agent and status preset).
func TestITopDefaultImport(t *testing.T) {
	imported := MustParse(t, string(mustImport(t, "itop-default.xml")))
	builtin := config.Default()
	if got, want := imported.CallerInformation.Query, "SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone"; got == nil || got.Text() != want {
		t.Errorf("imported caller query %v, want iTop's %q", got, want)
	}
	if builtin.CallerInformation.Query != nil {
		t.Errorf("built-in caller query %q, want none: the built-in lookup", builtin.CallerInformation.Query.Text())
	}
	lists := imported.TicketLists()
	if len(lists) != 2 || lists[0].Query.Text() != "SELECT UserRequest AS u WHERE u.caller_id IN (:callers_list) AND u.status != 'closed'" ||
		lists[0].Label.Default != "User Requests opened for this caller" {
		t.Errorf("imported lists %+v, want iTop's two lists of User Requests", lists)
	}
	for _, cr := range imported.IndirectCreations() {
		for _, p := range cr.Preset {
			if p.Attribute == "agent_id" || p.Attribute == "status" {
				t.Errorf("imported %s preset %s: iTop's default sets no agent nor status", cr.Class, p.Attribute)
			}
		}
	}
	// Apart from those, the two agree: the same parameters, lookup order,
	// display names, creations.
	if got, want := strings.Join(imported.LookupOrder, ","), strings.Join(builtin.LookupOrder, ","); got != want {
		t.Errorf("lookup order %s, built-in %s", got, want)
	}
	if got, want := strings.Join(imported.CallerInformation.DisplayName, ","), strings.Join(builtin.CallerInformation.DisplayName, ","); got != want {
		t.Errorf("display names %s, built-in %s", got, want)
	}
}

func TestDefault(t *testing.T) {
	c := config.Default()
	const orgQuery = "SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller"
	presets := func(cr config.Creation) []string {
		var out []string
		for _, p := range cr.Preset {
			out = append(out, p.Attribute+"="+p.Value)
		}
		return out
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"server.address", c.Server.Address, ":8080"},
		{"server.database", c.Server.Database, "sqlite:ctidesk.db"},
		{"server.default_language", c.Server.DefaultLanguage, "EN US"},
		{"server.session_secret", c.Server.SessionSecret, ""},
		{"phone.default_region", c.Phone.DefaultRegion, "US"},
		{"phone.min_match_digits", c.Phone.MinMatchDigits, 7},
		{"calls.stale_after", c.Calls.StaleAfter, 4 * time.Hour},
		{"url_parameters", c.URLParameters[0].Name + "=" + c.URLParameters[0].Attribute, "phone=phone"},
		{"url_parameters count", len(c.URLParameters), 1},
		{"lookup_order", strings.Join(c.LookupOrder, ","), "request,employee_number,support_id,phone"},
		{"caller_information.label", c.CallerInformation.Label.Default, "Contacts with phone number $phone$"},
		{"caller_information.label/FR FR", c.CallerInformation.Label.For("FR FR"), "Contacts au numéro $phone$"},
		{"caller_information.query", c.CallerInformation.Query == nil, true},
		{"caller_information.display_name", strings.Join(c.CallerInformation.DisplayName, ","), "friendlyname,org_name"},
		{"direct_creation", len(c.DirectCreation), 1},
		{"direct_creation.UserRequest.enabled", c.DirectCreation[0].Enabled, false},
		{"direct_creation.UserRequest.preset", strings.Join(presets(c.DirectCreation[0]), "|"),
			"org_id=" + orgQuery + "|caller_id=selected_caller|agent_id=current_contact_id|status=assigned|origin=phone|public_log=Call from customer dated $datetime$"},
		{"indirect_creation classes", c.IndirectCreation[0].Class + "," + c.IndirectCreation[1].Class, "UserRequest,Person"},
		{"indirect_creation.UserRequest.enabled", c.IndirectCreation[0].Enabled, true},
		{"indirect_creation.UserRequest.preset", strings.Join(presets(c.IndirectCreation[0]), "|"),
			"org_id=" + orgQuery + "|caller_id=selected_caller|agent_id=current_contact_id|status=assigned|origin=phone|public_log=Call from customer dated $datetime$"},
		{"indirect_creation.Person.preset", strings.Join(presets(c.IndirectCreation[1]), "|"), "phone=phone"},
		{"display_tickets.lists", len(c.DisplayTickets.Lists), 2},
		{"display_tickets.lists[0].label", c.DisplayTickets.Lists[0].Label.Default, "Open tickets of this caller"},
		{"display_tickets.lists[0].label/FR FR", c.DisplayTickets.Lists[0].Label.For("FR FR"), "Tickets ouverts de l'appelant"},
		{"display_tickets.lists[0].query", c.DisplayTickets.Lists[0].Query.Text(),
			"SELECT Ticket AS t WHERE t.caller_id IN (:callers_list) AND t.status NOT IN ('resolved', 'closed')"},
		{"display_tickets.lists[1].label", c.DisplayTickets.Lists[1].Label.Default, "Other open tickets of the organization"},
		{"display_tickets.lists[1].query", c.DisplayTickets.Lists[1].Query.Text(),
			"SELECT Ticket AS t JOIN Organization AS o ON t.org_id = o.id JOIN Person AS p ON p.org_id = o.id " +
				"WHERE p.id IN (:callers_list) AND t.caller_id NOT IN (:callers_list) AND t.status NOT IN ('resolved', 'closed')"},
		{"ecall_parameters", c.ECall == nil, true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if _, ok := c.FirstDirectCreation(); ok {
		t.Error("FirstDirectCreation: direct creation is disabled by default")
	}
	if got := c.IndirectCreations(); len(got) != 2 {
		t.Errorf("IndirectCreations = %d entries, want 2", len(got))
	}
}

// docs/examples/ctidesk.yaml is the built-in default, comments included.
func TestDocsExampleIsDefault(t *testing.T) {
	docs := readFile(t, filepath.Join("..", "..", "docs", "examples", "ctidesk.yaml"))
	if builtin := readFile(t, "default.yaml"); !bytes.Equal(docs, builtin) {
		t.Error("docs/examples/ctidesk.yaml differs from internal/config/default.yaml: copy one onto the other")
	}
}

// The seed's examples import to the golden YAML, which checks clean and
// loads to the golden configuration; that configuration, written out,
// loads to itself.
func TestImportITopExamples(t *testing.T) {
	for _, name := range seedExamples {
		t.Run(name, func(t *testing.T) {
			out := mustImport(t, name)
			golden(t, filepath.Join("import", name+".yaml"), out)
			cfg, err := config.Parse(name+".yaml", out)
			if err != nil {
				t.Fatalf("the imported YAML does not check clean:\n%v", err)
			}
			effective := MustMarshal(t, cfg)
			golden(t, filepath.Join("effective", name+".yaml"), []byte(effective))
			if again := MustMarshal(t, MustParse(t, effective)); again != effective {
				t.Errorf("the configuration written out loads differently:\n%s\nwant\n%s", again, effective)
			}
		})
	}
}

func TestImportITopConfigFile(t *testing.T) {
	cfg := MustParse(t, string(mustImport(t, "itop-config.php")))
	if got := cfg.CallerInformation.Label.For("FR FR"); got != "Contacts ayant le numéro de téléphone $phone$" {
		t.Errorf("caller label in French = %q", got)
	}
	if got := strings.Join(cfg.CallerInformation.DisplayName, ","); got != "friendlyname,org_name,location_name" {
		t.Errorf("display_name = %q", got)
	}
	var classes []string
	for _, c := range cfg.IndirectCreations() {
		classes = append(classes, c.Class)
	}
	if got := strings.Join(classes, ","); got != "Incident,Change,Person" {
		t.Errorf("indirect creations = %s, want Incident,Change,Person (UserRequest is disabled)", got)
	}
	change := cfg.IndirectCreation[2]
	if p := change.Preset[3]; p.Attribute != "private_log" || !p.AppendsLog() {
		t.Errorf("Change preset %+v, want private_log appending to the log", p)
	}
	if n := len(cfg.TicketLists()); n != 4 {
		t.Errorf("%d ticket lists, want 4", n)
	}
	if got := cfg.DisplayTickets.Lists[2].Label.For("FR FR"); got != "Problèmes ouverts par l'appelant" {
		t.Errorf("list 2 in French = %q", got)
	}
	if cfg.ECall == nil || cfg.ECall.URL != "https://myctiserver/index.php" || len(cfg.ECall.URLParameters) != 2 ||
		cfg.ECall.URLParameters[1].Name != "mailaddress" || cfg.ECall.URLParameters[1].Attribute != "email" {
		t.Errorf("ecall_parameters = %+v", cfg.ECall)
	}
}

func TestImportITopForms(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // lines of the YAML
	}{
		{"full config file", "<?php\n$MyModuleSettings = array(\n  'itop-attachments' => array('x' => 1),\n" +
			"  \"combodo-telephony-integration\" => array(\n    'url_parameters' => array('telephone' => 'phone', 'supportID' => 'support_id'),\n  ),\n);\n",
			[]string{"url_parameters:", "  telephone: phone", "  supportID: support_id"}},
		{"short arrays and trailing commas", "'combodo-telephony-integration' => ['display_tickets' => ['lists' => [['enabled' => true, " +
			"'label' => 'Mine', 'query' => 'SELECT Incident AS i WHERE i.caller_id IN (:callers_list)',],],],],",
			[]string{"display_tickets:", "  lists:", "    - enabled: true", "      label: Mine"}},
		{"escapes and concatenation", `'combodo-telephony-integration' => array('caller_information' => array(` +
			`'label' => 'It\'s ' . "\x24phone\$", 'label/FR FR' => "C'est \u{e9}t\u{e9}"))`,
			[]string{"  label: It's $phone$", "  label/FR FR: C'est été"}},
		{"comments", "'combodo-telephony-integration' => array(\n  /* where\n   * to call */\n  'ecall_parameters' => array(\n" +
			"    'url' => 'https://pbx/call', # the PBX\n  ),\n)",
			[]string{"# where", "# to call", "ecall_parameters:", "  url: https://pbx/call # the PBX"}},
		{"entry without enabled", "'combodo-telephony-integration' => array('indirect_creation' => array('Incident' => array('preset' => array())))",
			[]string{"  Incident:", "    enabled: false", "    preset: {}"}},
		{"enabled as PHP reads it", "'combodo-telephony-integration' => array('indirect_creation' => array(" +
			"'Incident' => array('enabled' => 1), 'Change' => array('enabled' => '0'), 'Problem' => array('enabled' => 'true')))",
			[]string{"  Incident:", "    enabled: true", "  Change:", "    enabled: false", "  Problem:"}},
		{"bare array", "<?php\nreturn array('lookup_order' => 'request, phone');\n",
			[]string{"lookup_order: [request, phone]"}},
		{"xml module element", "<combodo-telephony-integration><url_parameters type=\"hash\"><tel>phone</tel></url_parameters>" +
			"<display_tickets><lists type=\"array\"><list><enabled type=\"bool\">false</enabled><label>x</label>" +
			"<query>SELECT Problem</query></list></lists></display_tickets></combodo-telephony-integration>",
			[]string{"url_parameters:", "  tel: phone", "    - enabled: false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := config.ImportITop("in", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(out), "\n")
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("no line %q in\n%s", w, out)
				}
			}
		})
	}
}

func TestImportITopErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no module", "<?php\n$MyModuleSettings = array('other' => array());\n", "in:1: no 'combodo-telephony-integration' => array (...) entry found"},
		{"not an array", "'combodo-telephony-integration' => 'x',", "in:1: 'combodo-telephony-integration' is not an array"},
		{"unterminated text", "'combodo-telephony-integration' => array(\n'a' => 'b,\n)", "in:2: text not closed"},
		{"constant", "'combodo-telephony-integration' => array(\n\n'url' => ITOP_URL)", "in:3: ITOP_URL is not a value ctidesk can read"},
		{"missing comma", "'combodo-telephony-integration' => array(\n'a' => 'b'\n'c' => 'd')", "in:3: want , or ')' after an array entry"},
		{"unclosed array", "'combodo-telephony-integration' => array(\n'a' => 'b',", "in:1: array not closed"},
		{"xml syntax", "<module_parameters>\n<parameters id=\"combodo-telephony-integration\">\n</module_parameters>", "in:3: XML:"},
		{"xml without module", "<module_parameters><parameters id=\"other\"/></module_parameters>", "in:1: no <parameters id=\"combodo-telephony-integration\">"},
		{"xml bad bool", "<combodo-telephony-integration>\n<x><enabled type=\"bool\">maybe</enabled></x></combodo-telephony-integration>",
			"in:2: XML: <enabled type=\"bool\"> holds \"maybe\""},
		{"not utf-8", "'combodo-telephony-integration' => array(\n'a' => \"\\xff\")", "in:2: a text is not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.ImportITop("in", []byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ImportITop = %v, want an error starting %q", err, tt.want)
			}
		})
	}
}

// Every kind of mistake is reported with its line, column and key.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // the error: file:line:column: key: message (prefix)
	}{
		{"yaml syntax", "url_parameters:\n  phone: [phone\n", "test.yaml:2: YAML syntax: did not find expected ',' or ']'"},
		{"yaml syntax in the scanner", "url_parameters:\n  phone: phone\n  bad: x: y\n", "test.yaml:3: YAML syntax: mapping values are not allowed"},
		{"not a mapping", "- phone\n", "test.yaml:1:1: want a mapping of sections"},
		{"two documents", "phone: {}\n---\nphone: {}\n", "test.yaml:2:1: a configuration is a single YAML document"},
		{"unknown section", "url_parameter:\n  phone: phone\n", `test.yaml:1:1: url_parameter: unknown key; did you mean "url_parameters"?`},
		{"unknown key", "caller_information:\n  querry: SELECT Person\n", `test.yaml:2:3: caller_information.querry: unknown key; did you mean "query"?`},
		{"duplicate key", "phone:\n  default_region: FR\n  default_region: US\n", "test.yaml:3:3: phone.default_region: duplicate key (first at line 2)"},
		{"merge key", "base: &b {}\nphone:\n  <<: *b\n", "test.yaml:1:1: base: unknown key"},
		{"section of the wrong kind", "url_parameters: phone\n", "test.yaml:1:17: url_parameters: want a mapping"},
		{"server address", "server:\n  address: 8080\n", `test.yaml:2:12: server.address: "8080" is not host:port`},
		{"server database", "server:\n  database: mysql://x\n", "test.yaml:2:13: server.database: want sqlite:PATH or a postgres:// URL"},
		{"server secret", "server:\n  session_secret: short\n", "test.yaml:2:19: server.session_secret: a session secret has at least 32 characters"},
		{"server language", "server:\n  default_language: FR fr\n", `test.yaml:2:21: server.default_language: unknown language "FR fr": want one of EN US, FR FR; did you mean "FR FR"?`},
		{"phone region", "phone:\n  default_region: XX\n", `test.yaml:2:19: phone.default_region: unknown region "XX"`},
		{"phone digits", "phone:\n  min_match_digits: 3\n", "test.yaml:2:21: phone.min_match_digits: min_match_digits is between 4 and 15, not 3"},
		{"phone digits not a number", "phone:\n  min_match_digits: seven\n", `test.yaml:2:21: phone.min_match_digits: want a whole number, not "seven"`},
		{"calls stale_after too short", "calls:\n  stale_after: 10s\n", "test.yaml:2:16: calls.stale_after: stale_after is at least 30s, not 10s"},
		{"calls stale_after not a duration", "calls:\n  stale_after: 4 hours\n", `test.yaml:2:16: calls.stale_after: "4 hours" is not a duration, such as 4h, 90m or 30s`},
		{"calls unknown key", "calls:\n  stale: 4h\n", `test.yaml:2:3: calls.stale: unknown key (known keys: stale_after)`},
		{"url parameter attribute", "url_parameters:\n  phone: phnoe\n", `test.yaml:2:10: url_parameters.phone: "phnoe" is not an attribute of Person; did you mean "phone"?`},
		{"url parameter name", "url_parameters:\n  caller-number: phone\n", "test.yaml:2:3: url_parameters.caller-number: a URL parameter name is made of letters"},
		{"url parameter reserved", "url_parameters:\n  selected_caller: id\n", `test.yaml:2:3: url_parameters.selected_caller: "selected_caller" is reserved`},
		{"no url parameter", "url_parameters: {}\n", "test.yaml:1:1: url_parameters: name at least one parameter"},
		{"url parameter removed under a default", "url_parameters:\n  telephone: phone\n",
			"test.yaml:1:1: indirect_creation.Person.preset.phone: unknown parameter :phone"},
		{"lookup order", "lookup_order: [request, emplyee_number]\n", `test.yaml:1:25: lookup_order: "emplyee_number" is neither a URL parameter nor a Person attribute; did you mean "employee_number"?`},
		{"localized label language", "caller_information:\n  label/fr: Contacts\n", "test.yaml:2:3: caller_information.label/fr: a language is written as iTop writes it"},
		{"unknown placeholder", "caller_information:\n  label: Contacts for $phnoe$\n", `test.yaml:2:23: caller_information.label: unknown placeholder $phnoe$: the placeholders are $datetime$, $phone$; did you mean "phone"?`},
		{"oql error on a plain line", "caller_information:\n  query: SELECT Persn\n", `test.yaml:2:17: caller_information.query: unknown class "Persn"; did you mean "Person"?`},
		{"oql error in a double-quoted text", "caller_information:\n  query: \"SELECT Person WHERE \\\"x\\\" = \\u006Eam\"\n", `test.yaml:2:39: caller_information.query: unknown attribute "nam" of class Person`},
		{"oql error in a quoted text", "caller_information:\n  query: 'SELECT Person WHERE ''x'' = nam'\n", `test.yaml:2:39: caller_information.query: unknown attribute "nam" of class Person`},
		{"oql error in a literal block", "caller_information:\n  query: |\n    SELECT Person\n    WHERE phone LIKE :phone\n      OR mobil_phone LIKE :phone\n",
			`test.yaml:5:10: caller_information.query: unknown attribute "mobil_phone" of class Person; did you mean "mobile_phone"?`},
		{"oql error in a folded block", "display_tickets:\n  lists:\n    - query: >-\n        SELECT UserRequest AS u\n        WHERE u.stat = 'new'\n",
			`test.yaml:5:17: display_tickets.lists[0].query: unknown attribute "stat" of class UserRequest`},
		{"empty query", "caller_information:\n  query: ''\n", "test.yaml:2:10: caller_information.query: a query is required"},
		{"callers query class", "caller_information:\n  query: SELECT Organization\n", "test.yaml:2:10: caller_information.query: the query selects Organization: the callers query must select Person"},
		{"callers query parameter", "caller_information:\n  query: SELECT Person WHERE id = :selected_caller\n",
			"test.yaml:2:35: caller_information.query: :selected_caller has no value here: the callers query runs before any caller is selected"},
		{"display name", "caller_information:\n  display_name: friendlyname, org_nam\n", `test.yaml:2:17: caller_information.display_name: "org_nam" is not an attribute of Person; did you mean "org_name"?`},
		{"unknown class", "indirect_creation:\n  Incidnet:\n    enabled: true\n", `test.yaml:2:3: indirect_creation.Incidnet: unknown class "Incidnet"; did you mean "Incident"?`},
		{"abstract class", "direct_creation:\n  Ticket:\n    enabled: true\n", "test.yaml:2:3: direct_creation.Ticket: Ticket is abstract"},
		{"enabled not a bool", "indirect_creation:\n  Incident:\n    enabled: yes\n", `test.yaml:3:14: indirect_creation.Incident.enabled: want true or false, not "yes"`},
		{"creation key", "indirect_creation:\n  Incident:\n    presets: {}\n", `test.yaml:3:5: indirect_creation.Incident.presets: unknown key; did you mean "preset"?`},
		{"phone link scheme", "phone:\n  link: javascript:alert($number$)\n", `test.yaml:2:9: phone.link: link "javascript:alert($number$)": the javascript: scheme is not allowed`},
		{"phone link without number", "phone:\n  link: sip:foo\n", `test.yaml:2:9: phone.link: link "sip:foo": give a scheme (sip:) or a template with $number$`},
		{"unknown attribute", "indirect_creation:\n  Incident:\n    preset:\n      titel: Call\n", `test.yaml:4:7: indirect_creation.Incident.preset.titel: unknown attribute of Incident; did you mean "title"?`},
		{"attribute of another kind", "indirect_creation:\n  Problem:\n    preset:\n      priority: 1\n", "test.yaml:4:7: indirect_creation.Problem.preset.priority: unknown attribute of Problem"},
		{"derived attribute", "indirect_creation:\n  Person:\n    preset:\n      org_name: Acme\n", "test.yaml:4:7: indirect_creation.Person.preset.org_name: org_name cannot be preset: it is computed from other attributes"},
		{"read-only attribute", "indirect_creation:\n  Incident:\n    preset:\n      ref: I-1\n", "test.yaml:4:7: indirect_creation.Incident.preset.ref: ref cannot be preset: ctidesk sets it itself"},
		{"enum value", "indirect_creation:\n  Incident:\n    preset:\n      origin: phnoe\n", `test.yaml:4:15: indirect_creation.Incident.preset.origin: "phnoe" is not a value of origin (phone, mail, portal, monitoring); did you mean "phone"?`},
		{"int value", "indirect_creation:\n  Incident:\n    preset:\n      urgency: high\n", `test.yaml:4:16: indirect_creation.Incident.preset.urgency: urgency is a whole number, not "high"`},
		{"int out of range", "indirect_creation:\n  Incident:\n    preset:\n      urgency: 9\n", "test.yaml:4:16: indirect_creation.Incident.preset.urgency: urgency is one of 1, 2, 3, 4, not 9"},
		{"date value", "indirect_creation:\n  Incident:\n    preset:\n      start_date: tomorrow\n", `test.yaml:4:19: indirect_creation.Incident.preset.start_date: start_date is a date and time`},
		{"email value", "indirect_creation:\n  Person:\n    preset:\n      email: nobody\n", `test.yaml:4:14: indirect_creation.Person.preset.email: "nobody" is not an email address`},
		{"preset not a scalar", "indirect_creation:\n  Incident:\n    preset:\n      title: [a]\n", "test.yaml:4:14: indirect_creation.Incident.preset.title: want a value"},
		{"external key literal", "indirect_creation:\n  Incident:\n    preset:\n      org_id: Acme\n", `test.yaml:4:15: indirect_creation.Incident.preset.org_id: org_id is an external key to Organization: want an id, a :parameter (:selected_caller) or a query (SELECT Organization ...), not "Acme"`},
		{"external key query of another class", "indirect_creation:\n  Incident:\n    preset:\n      org_id: SELECT Person WHERE id = :selected_caller\n",
			"test.yaml:4:15: indirect_creation.Incident.preset.org_id: the query selects Person, but org_id is an external key to Organization"},
		{"external key query error", "indirect_creation:\n  Incident:\n    preset:\n      org_id: SELECT Organization WHERE nme = 'x'\n",
			`test.yaml:4:41: indirect_creation.Incident.preset.org_id: unknown attribute "nme" of class Organization`},
		{"external key URL parameter", "indirect_creation:\n  Incident:\n    preset:\n      caller_id: ':phone'\n",
			"test.yaml:4:18: indirect_creation.Incident.preset.caller_id: :phone holds a phone, not the id of a Person"},
		{"external key current user", "indirect_creation:\n  Incident:\n    preset:\n      agent_id: ':current_user'\n",
			"test.yaml:4:17: indirect_creation.Incident.preset.agent_id: :current_user is a user, not a Person: use :current_contact"},
		{"external key of another class", "indirect_creation:\n  Incident:\n    preset:\n      org_id: ':selected_caller'\n",
			"test.yaml:4:15: indirect_creation.Incident.preset.org_id: :selected_caller is a Person, but org_id is an external key to Organization"},
		{"preset list parameter", "indirect_creation:\n  Incident:\n    preset:\n      title: ':callers_list'\n",
			"test.yaml:4:14: indirect_creation.Incident.preset.title: :callers_list is a list of ids"},
		{"preset unknown parameter", "indirect_creation:\n  Person:\n    preset:\n      phone: ':telephone'\n",
			"test.yaml:4:14: indirect_creation.Person.preset.phone: unknown parameter :telephone"},
		{"preset placeholder", "indirect_creation:\n  Incident:\n    preset:\n      title: Call of $date$\n",
			"test.yaml:4:22: indirect_creation.Incident.preset.title: unknown placeholder $date$"},
		{"list without query", "display_tickets:\n  lists:\n    - label: Mine\n", "test.yaml:3:7: display_tickets.lists[0]: query is required"},
		{"list key", "display_tickets:\n  list: []\n", `test.yaml:2:3: display_tickets.list: unknown key; did you mean "lists"?`},
		{"list of the wrong kind", "display_tickets:\n  lists: all\n", "test.yaml:2:10: display_tickets.lists: want a list of ticket lists"},
		{"callers list not a list", "display_tickets:\n  lists:\n    mine:\n      query: SELECT Incident WHERE caller_id = :callers_list\n",
			"test.yaml:4:48: display_tickets.lists.mine.query: :callers_list is a list of ids: use it as IN (:callers_list)"},
		{"list unknown parameter", "display_tickets:\n  lists:\n    - query: SELECT Incident WHERE caller_id IN (:caller_list)\n",
			`test.yaml:3:50: display_tickets.lists[0].query: unknown parameter :caller_list: the parameters here are :callers_list, :current_contact, :current_contact_id, :current_user, :current_user_id, :phone, :selected_caller; did you mean "callers_list"?`},
		{"callers query object", "caller_information:\n  query: SELECT Person WHERE org_id = :this->org_id\n",
			"test.yaml:2:39: caller_information.query: :this->org_id has no value here: the callers query runs before any object is known"},
		{"external key current user id", "indirect_creation:\n  Incident:\n    preset:\n      agent_id: ':current_user_id'\n",
			"test.yaml:4:17: indirect_creation.Incident.preset.agent_id: :current_user_id is a user, not a Person: use :current_contact"},
		{"iTop status misspelt", "indirect_creation:\n  UserRequest:\n    preset:\n      status: escalated_ttoo\n",
			`test.yaml:4:15: indirect_creation.UserRequest.preset.status: "escalated_ttoo" is not a value of status (new, assigned, pending, resolved, closed)`},
		{"ecall url scheme", "ecall_parameters:\n  url: ftp://pbx/call\n", `test.yaml:2:8: ecall_parameters.url: "ftp://pbx/call" is not an http:// or https:// URL`},
		{"ecall url relative", "ecall_parameters:\n  url: /call\n", `test.yaml:2:8: ecall_parameters.url: "/call" is not an http:// or https:// URL`},
		{"ecall without url", "ecall_parameters:\n  url_parameters:\n    phone: phone\n", "test.yaml:2:3: ecall_parameters: url is required"},
		{"ecall attribute", "ecall_parameters:\n  url: https://pbx\n  url_parameters:\n    phone: request\n", `test.yaml:4:12: ecall_parameters.url_parameters.phone: "request" is not an attribute of Person`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("test.yaml", []byte(tt.yaml))
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %v, want Errors", err)
			}
			if got := errs[0].Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("first error:\n got %s\nwant %s...\nall:\n%v", got, tt.want, err)
			}
		})
	}
}

// A file with many mistakes gets them all, in the order of the file.
func TestParseReportsEveryError(t *testing.T) {
	yaml := `phone:
  default_region: XX
caller_information:
  query: SELECT Persn
indirect_creation:
  Ticket:
    preset:
      origin: fax
ecall_parameters:
  url: ftp://x
unknown: 1
`
	_, err := config.Parse("ctidesk.yaml", []byte(yaml))
	var errs config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse = %v", err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.File+":"+strconv.Itoa(e.Line)+" "+e.Key)
	}
	want := []string{
		"ctidesk.yaml:2 phone.default_region",
		"ctidesk.yaml:4 caller_information.query",
		"ctidesk.yaml:6 indirect_creation.Ticket",
		"ctidesk.yaml:8 indirect_creation.Ticket.preset.origin",
		"ctidesk.yaml:10 ecall_parameters.url",
		"ctidesk.yaml:11 unknown",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant\n%s\n(%v)", strings.Join(got, "\n"), strings.Join(want, "\n"), err)
	}
}

// A file overrides the defaults key by key; a list, or a map of names, is
// replaced whole.
func TestOverrideKeyByKey(t *testing.T) {
	c := MustParse(t, `
phone:
  default_region: FR
caller_information:
  label: Appelants
  label/FR FR: Appelants du $phone$
indirect_creation:
  Incident:
    preset:
      title: Call of $datetime$
display_tickets:
  lists:
    mine:
      label: Mine
      query: SELECT Incident AS i WHERE i.caller_id IN (:callers_list)
`)
	tests := []struct {
		name      string
		got, want any
	}{
		{"phone.default_region", c.Phone.DefaultRegion, "FR"},
		{"phone.min_match_digits keeps its default", c.Phone.MinMatchDigits, 7},
		{"caller label", c.CallerInformation.Label.Default, "Appelants"},
		{"caller query keeps its default (none)", c.CallerInformation.Query == nil, config.Default().CallerInformation.Query == nil},
		{"display_name keeps its default", len(c.CallerInformation.DisplayName), 2},
		{"indirect_creation replaced", len(c.IndirectCreation), 1},
		{"an entry without enabled is enabled", c.IndirectCreation[0].Enabled, true},
		{"direct_creation keeps its default", len(c.DirectCreation), 1},
		{"lists replaced", len(c.DisplayTickets.Lists), 1},
		{"list name", c.DisplayTickets.Lists[0].Name, "mine"},
		{"server keeps its default", c.Server.Address, ":8080"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if got := MustMarshal(t, c); !strings.Contains(got, "    mine:\n      enabled: true\n      label: Mine\n") {
		t.Errorf("named lists are written as a mapping:\n%s", got)
	}
	if again := MustMarshal(t, MustParse(t, MustMarshal(t, c))); again != MustMarshal(t, c) {
		t.Errorf("written out and read back, the configuration changes:\n%s", again)
	}
}

func TestEmptyFile(t *testing.T) {
	for _, yaml := range []string{"", "# nothing\n", "---\n", "~\n"} {
		if got, want := MustMarshal(t, MustParse(t, yaml)), MustMarshal(t, config.Default()); got != want {
			t.Errorf("Parse(%q) is not the default:\n%s", yaml, got)
		}
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctidesk.yaml")
	if err := os.WriteFile(path, []byte("phone:\n  min_match_digits: 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil || c.Phone.MinMatchDigits != 9 || c.File != path {
		t.Errorf("Load = %+v, %v", c, err)
	}
	if _, err := config.Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want ErrNotExist", err)
	}
}

func TestTextFor(t *testing.T) {
	text := config.Text{Default: "Contacts", Translations: []config.Translation{{Language: "FR FR", Text: "Contacts (fr)"}}}
	tests := []struct{ lang, want string }{
		{"FR FR", "Contacts (fr)"},
		{"EN US", "Contacts"},
		{"DE DE", "Contacts"},
		{"", "Contacts"},
	}
	for _, tt := range tests {
		if got := text.For(tt.lang); got != tt.want {
			t.Errorf("For(%q) = %q, want %q", tt.lang, got, tt.want)
		}
	}
	c := MustParse(t, "display_tickets:\n  lists:\n    - label: Open\n      label/FR FR: Ouverts\n      query: SELECT Incident\n")
	if got := c.DisplayTickets.Lists[0].Label.For("FR FR"); got != "Ouverts" {
		t.Errorf("list label in French = %q", got)
	}
	if got := c.DisplayTickets.Lists[0].Label.For("EN US"); got != "Open" {
		t.Errorf("list label in English = %q", got)
	}
}

func TestExpand(t *testing.T) {
	values := map[string]string{"phone": "+33 1 23", "datetime": "2026-03-01 10:00:00", "employeeID": "E-7"}
	tests := []struct{ in, want string }{
		{"Contacts with phone number $phone$", "Contacts with phone number +33 1 23"},
		{"Call from customer dated $datetime$", "Call from customer dated 2026-03-01 10:00:00"},
		{"$employeeID$/$phone$", "E-7/+33 1 23"},
		{"unknown $other$ stays", "unknown $other$ stays"},
		{"costs $5 and $6", "costs $5 and $6"},
		{"$phone", "$phone"},
		{"$$phone$$", "$+33 1 23$"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := config.Expand(tt.in, values); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var p config.Preset
	for _, pr := range config.Default().DirectCreation[0].Preset {
		if pr.Attribute == "public_log" {
			p = pr
		}
	}
	if got := p.Text(values); got != "Call from customer dated 2026-03-01 10:00:00" {
		t.Errorf("preset Text = %q", got)
	}
}

func TestPlaceholderValues(t *testing.T) {
	c := MustParse(t, "url_parameters:\n  telephone: phone\n  employeeID: employee_number\n"+
		"caller_information:\n  query: SELECT Person WHERE phone LIKE :telephone OR employee_number = :employeeID\n"+
		"indirect_creation:\n  Person:\n    preset:\n      phone: ':telephone'\n")
	now := time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC)
	got := c.PlaceholderValues(url.Values{"telephone": {"0612"}, "employeeID": {"E1"}, "other": {"x"}}, now)
	want := map[string]string{"telephone": "0612", "employeeID": "E1", "phone": "0612", "datetime": "2026-03-01 09:05:00"}
	if len(got) != len(want) {
		t.Errorf("PlaceholderValues = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("PlaceholderValues[%s] = %q, want %q", k, got[k], v)
		}
	}
}

func TestLookupParameters(t *testing.T) {
	c := MustParse(t, `url_parameters:
  telephone: phone
  supportID: support_id
  request: request
  employeeID: employee_number
  mail: email
caller_information:
  query: SELECT Person WHERE phone LIKE :telephone
indirect_creation: {}
`)
	var got []string
	for _, p := range c.LookupParameters() {
		got = append(got, p.Name)
	}
	if want := []string{"request", "employeeID", "supportID", "telephone", "mail"}; !slices.Equal(got, want) {
		t.Errorf("LookupParameters = %v, want %v (lookup_order by attribute, the others last)", got, want)
	}
}

// TestITopNames checks a configuration written for iTop: its names of the
// session's parameters, the object in context in lists and presets, and its
// ticket statuses, written as the status ctidesk keeps for each.
func TestITopNames(t *testing.T) {
	c := MustParse(t, `indirect_creation:
  UserRequest:
    preset:
      agent_id: ':current_contact_id'
      status: escalated_tto
      org_id: SELECT Organization WHERE id = :this->org_id
display_tickets:
  lists:
    - query: SELECT UserRequest WHERE agent_id = :current_contact_id AND status NOT IN ('closed', 'rejected') AND org_id = :this->org_id
    - query: SELECT UserRequest WHERE status IN ('escalated_tto', 'escalated_ttr') AND DATE_SUB(NOW(), INTERVAL 14 DAY) < start_date
`)
	presets := c.IndirectCreations()[0].Preset
	if p := presets[0]; p.Kind != config.PresetParam || p.Value != config.ParamCurrentContactID {
		t.Errorf("agent_id preset %+v, want the parameter current_contact_id", p)
	}
	if p := presets[1]; p.Kind != config.PresetText || p.Value != desk.TicketNew {
		t.Errorf("status preset %+v, want new, the status of an escalated_tto ticket", p)
	}
	if q := presets[2].Query; q == nil || !slices.Equal(q.ThisAttributes(), []string{"org_id"}) {
		t.Errorf("org_id preset query %v, want one of :this->org_id", q)
	}
	if lists := c.TicketLists(); len(lists) != 2 || !slices.Equal(lists[0].Query.ThisAttributes(), []string{"org_id"}) {
		t.Errorf("TicketLists = %+v, want both, the first with :this->org_id", lists)
	}
}

func TestCreationsAndLists(t *testing.T) {
	c := MustParse(t, `direct_creation:
  UserRequest:
    enabled: false
  Incident:
    enabled: true
    preset:
      caller_id: ':selected_caller'
      agent_id: ':current_contact'
      org_id: SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller
      urgency: 2
      title: Call from $phone$
      public_log: Called on $datetime$
  Change:
    enabled: true
display_tickets:
  lists:
    - enabled: false
      query: SELECT Problem
    - query: SELECT Change AS c WHERE c.caller_id IN (:callers_list)
`)
	first, ok := c.FirstDirectCreation()
	if !ok || first.Class != "Incident" {
		t.Fatalf("FirstDirectCreation = %+v, %v; want Incident, the first enabled", first, ok)
	}
	tests := []struct {
		attribute string
		kind      config.PresetKind
		typ       desk.AttributeType
		value     string
		log       bool
	}{
		{"caller_id", config.PresetParam, desk.TypeExtKey, "selected_caller", false},
		{"agent_id", config.PresetParam, desk.TypeExtKey, "current_contact", false},
		{"org_id", config.PresetQuery, desk.TypeExtKey, "SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller", false},
		{"urgency", config.PresetText, desk.TypeInt, "2", false},
		{"title", config.PresetText, desk.TypeString, "Call from $phone$", false},
		{"public_log", config.PresetText, desk.TypeLog, "Called on $datetime$", true},
	}
	for i, tt := range tests {
		p := first.Preset[i]
		if p.Attribute != tt.attribute || p.Kind != tt.kind || p.Type != tt.typ || p.Value != tt.value || p.AppendsLog() != tt.log {
			t.Errorf("preset %d = %+v, want %+v", i, p, tt)
		}
	}
	if q := first.Preset[2].Query; q == nil || q.Class().Name != "Organization" {
		t.Errorf("the org_id query is not parsed: %v", q)
	}
	lists := c.TicketLists()
	if len(lists) != 1 || lists[0].Name != "1" || lists[0].Query.Class().Name != "Change" {
		t.Errorf("TicketLists = %+v, want the second list only", lists)
	}
}

func TestApplyEnv(t *testing.T) {
	env := map[string]string{
		"CTIDESK_ADDR":             "127.0.0.1:9000",
		"CTIDESK_DB":               "sqlite:/tmp/env.db",
		"CTIDESK_SESSION_SECRET":   strings.Repeat("s", 40),
		"CTIDESK_DEFAULT_LANGUAGE": "FR FR",
		"CTIDESK_PHONE_REGION":     "GB",
		"CTIDESK_MIN_MATCH_DIGITS": "9",
	}
	c := MustParse(t, "server:\n  address: :7000\nphone:\n  default_region: FR\n")
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want := config.Server{Address: "127.0.0.1:9000", Database: "sqlite:/tmp/env.db", SessionSecret: strings.Repeat("s", 40), DefaultLanguage: "FR FR"}
	if c.Server != want {
		t.Errorf("Server = %+v, want %+v", c.Server, want)
	}
	if c.Phone != (config.Phone{DefaultRegion: "GB", MinMatchDigits: 9, InternalDigits: "3-6", Link: "tel:"}) {
		t.Errorf("Phone = %+v", c.Phone)
	}
	// Unset variables leave the file's values.
	c = MustParse(t, "server:\n  address: :7000\n")
	if err := c.ApplyEnv(func(string) string { return "" }); err != nil || c.Server.Address != ":7000" {
		t.Errorf("ApplyEnv with no variables: %v, address %q", err, c.Server.Address)
	}
	bad := map[string]string{"CTIDESK_MIN_MATCH_DIGITS": "lots", "CTIDESK_DEFAULT_LANGUAGE": "XX"}
	err := config.Default().ApplyEnv(func(k string) string { return bad[k] })
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || !strings.HasPrefix(errs[0].Error(), "environment: CTIDESK_DEFAULT_LANGUAGE: unknown language") {
		t.Errorf("ApplyEnv with wrong values = %v", err)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"phone", "phone", 0}, {"phnoe", "phone", 1}, {"phon", "phone", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}}
	for _, tt := range tests {
		if got := config.Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestLabelWarnings: a label of the file with a placeholder the pop URL may
// lack (a parameter tried in lookup_order, $phone$) is a warning, not a
// mistake; the built-in labels and required parameters give none.
func TestLabelWarnings(t *testing.T) {
	c := MustParse(t, `url_parameters:
  phone: phone
  site: location_name
caller_information:
  label: Calls to $phone$ from $site$ on $datetime$
  label/FR FR: Appels du $phone$
display_tickets:
  lists:
    - label: Tickets of site $site$
      query: SELECT Ticket WHERE caller_id IN (:callers_list)
`)
	var got []string
	for _, w := range c.Warnings {
		got = append(got, fmt.Sprintf("%d:%d %s %s", w.Line, w.Column, w.Key, strings.SplitN(w.Message, ":", 3)[1]))
	}
	want := []string{
		"5:10 caller_information.label  $phone$ has no value when the pop URL gives another parameter than phone",
		"6:16 caller_information.label/FR FR  $phone$ has no value when the pop URL gives another parameter than phone",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w := config.Default().Warnings; len(w) != 0 {
		t.Errorf("the built-in default warns: %v", w)
	}
}

// TestStaleAfter: calls.stale_after reads a duration down to 30 s, and is
// written back as read.
func TestStaleAfter(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		written string
	}{
		{"30s", 30 * time.Second, "30s"},
		{"90m", 90 * time.Minute, "1h30m"},
		{"24h", 24 * time.Hour, "24h"},
		{"2m30s", 150 * time.Second, "2m30s"},
	} {
		c, err := config.Parse("test.yaml", []byte("calls:\n  stale_after: "+tt.in+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if c.Calls.StaleAfter != tt.want {
			t.Errorf("%s: read %v, want %v", tt.in, c.Calls.StaleAfter, tt.want)
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "calls:\n  stale_after: "+tt.written+"\n") {
			t.Errorf("%s: written\n%s", tt.in, out)
		}
		again, err := config.Parse("again.yaml", out)
		if err != nil || again.Calls.StaleAfter != tt.want {
			t.Errorf("%s: read back %v, %v", tt.in, again, err)
		}
	}
}
