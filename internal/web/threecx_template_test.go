package web_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

// crmTemplate is the part of 3CX's CRM template XML that ctidesk's endpoints
// must agree with.
type crmTemplate struct {
	XMLName    xml.Name `xml:"Crm"`
	Name       string   `xml:"Name,attr"`
	Parameters []struct {
		Name string `xml:"Name,attr"`
	} `xml:"Parameters>Parameter"`
	Authentication struct {
		Type string `xml:"Type,attr"`
	} `xml:"Authentication"`
	Scenarios []struct {
		ID      string `xml:"Id,attr"`
		Request struct {
			URL         string     `xml:"Url,attr"`
			RequestType string     `xml:"RequestType,attr"`
			Encoding    string     `xml:"RequestEncoding,attr"`
			Headers     []keyValue `xml:"Headers>Value"`
			PostValues  []keyValue `xml:"PostValues>Value"`
		} `xml:"Request"`
		Rules     []string `xml:"Rules>Rule"`
		Variables []struct {
			Name string `xml:"Name,attr"`
			Path string `xml:"Path,attr"`
		} `xml:"Variables>Variable"`
		Outputs []struct {
			Type  string `xml:"Type,attr"`
			Value string `xml:"Value,attr"`
		} `xml:"Outputs>Output"`
	} `xml:"Scenarios>Scenario"`
}

type keyValue struct {
	Key   string `xml:"Key,attr"`
	Value string `xml:",chardata"`
}

func mustTemplate(t *testing.T) *crmTemplate {
	t.Helper()
	b, err := os.ReadFile("../../docs/integrations/3cx-crm-template.xml")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl crmTemplate
	if err := xml.Unmarshal(b, &tmpl); err != nil {
		t.Fatalf("3cx-crm-template.xml: %v", err)
	}
	return &tmpl
}

// schemaProperties returns the property names of a schema of openapi.yaml.
func schemaProperties(t *testing.T, name string) []string {
	t.Helper()
	sc, err := mustSpec(t).resolve(map[string]any{"$ref": "#/components/schemas/" + name})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range mapOf(sc["properties"]) {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestThreeCXTemplate checks that the template shipped to administrators
// asks for what the endpoints serve and posts what they read, and that
// openapi.yaml says the same.
func TestThreeCXTemplate(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	if tmpl.Name != "ctidesk" || tmpl.Authentication.Type != "No" || len(tmpl.Scenarios) != 2 {
		t.Fatalf("template %q, authentication %q, %d scenarios", tmpl.Name, tmpl.Authentication.Type, len(tmpl.Scenarios))
	}
	params := map[string]bool{}
	for _, p := range tmpl.Parameters {
		params[p.Name] = true
	}
	contactProps := schemaProperties(t, "ThreeCXContact")
	callKeys := web.ThreeCXCallKeys()
	sort.Strings(callKeys)
	if got := schemaProperties(t, "ThreeCXCall"); !slices.Equal(got, callKeys) {
		t.Errorf("openapi.yaml ThreeCXCall has %v, the endpoint reads %v", got, callKeys)
	}
	param := regexp.MustCompile(`\[(\w+)\]`)
	for _, sc := range tmpl.Scenarios {
		u := sc.Request.URL
		for _, m := range param.FindAllStringSubmatch(u, -1) {
			if !params[m[1]] && m[1] != "Number" {
				t.Errorf("scenario %q: URL uses [%s], which is no parameter", sc.ID, m[1])
			}
		}
		if len(sc.Request.Headers) != 1 || sc.Request.Headers[0].Key != "Authorization" ||
			sc.Request.Headers[0].Value != "Bearer [ApiToken]" || !params["ApiToken"] {
			t.Errorf("scenario %q: headers %+v, want the bearer token", sc.ID, sc.Request.Headers)
		}
		switch sc.ID {
		case "":
			if !strings.HasPrefix(u, "[BaseUrl]/api/v1/3cx/lookup?number=[Number]") || sc.Request.RequestType != "Get" {
				t.Errorf("lookup: %s %s", sc.Request.RequestType, u)
			}
			if !slices.Equal(sc.Rules, []string{"contacts.id"}) {
				t.Errorf("lookup rules %v", sc.Rules)
			}
			vars := map[string]bool{}
			for _, v := range sc.Variables {
				field, ok := strings.CutPrefix(v.Path, "contacts.")
				if !ok || !slices.Contains(contactProps, field) {
					t.Errorf("lookup: variable %s reads %q, which the lookup does not answer", v.Name, v.Path)
				}
				vars[v.Name] = true
			}
			var outputs []string
			for _, o := range sc.Outputs {
				outputs = append(outputs, o.Type)
				for _, m := range param.FindAllStringSubmatch(o.Value, -1) {
					if !vars[m[1]] {
						t.Errorf("lookup: output %s uses [%s], which is no variable", o.Type, m[1])
					}
				}
			}
			for _, want := range []string{"ContactUrl", "FirstName", "LastName", "CompanyName", "Email", "PhoneBusiness",
				"PhoneMobile", "PhoneHome", "EntityId", "EntityType"} {
				if !slices.Contains(outputs, want) {
					t.Errorf("lookup: no %s output", want)
				}
			}
		case "ReportCall":
			if u != "[BaseUrl]/api/v1/3cx/calls" || sc.Request.RequestType != "Post" {
				t.Errorf("ReportCall: %s %s", sc.Request.RequestType, u)
			}
			for _, v := range sc.Request.PostValues {
				if !slices.Contains(callKeys, v.Key) {
					t.Errorf("ReportCall posts %q, which the endpoint does not read", v.Key)
				}
			}
			if len(sc.Request.PostValues) < 10 {
				t.Errorf("ReportCall posts only %d values", len(sc.Request.PostValues))
			}
		default:
			t.Errorf("unexpected scenario %q", sc.ID)
		}
	}
}

// TestThreeCXTemplateRun plays 3CX: it runs the template's two scenarios
// against the server, with 3CX's variables filled in as 3CX fills them.
func TestThreeCXTemplateRun(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	tmpl := mustTemplate(t)
	token := e.MustToken(t, "agent")
	vars := map[string]string{
		"BaseUrl": e.srv.URL, "ApiToken": token, "ReportCallEnabled": "True",
		"CallType": "Inbound", "CallDirection": "Inbound", "Name": "Alice", "Agent": "101",
		"AgentEmail": "", "AgentFirstName": "Ada", "AgentLastName": "Agent", "Duration": "00:02:03",
		`[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")`: "2025-03-04T10:00:00Z", "QueueExtension": "800",
		"Number": "+15550100199", "EntityType": "Contacts",
	}
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "["+k+"]", v)
		}
		return s
	}
	client := e.newAPIClient(t, token)
	for _, sc := range tmpl.Scenarios {
		switch sc.ID {
		case "":
			u, err := url.Parse(fill(sc.Request.URL))
			if err != nil {
				t.Fatal(err)
			}
			u.RawQuery = u.Query().Encode() // 3CX encodes the number
			r := client.get(strings.TrimPrefix(u.String(), e.srv.URL))
			wantAPIStatus(t, "lookup scenario", r, http.StatusOK)
			var ans map[string][]map[string]any
			if err := json.Unmarshal([]byte(r.body), &ans); err != nil || len(ans["contacts"]) != 1 {
				t.Fatalf("lookup answer %s", r.body)
			}
			got := map[string]string{}
			for _, v := range sc.Variables {
				got[v.Name] = fmt.Sprint(ans["contacts"][0][strings.TrimPrefix(v.Path, "contacts.")])
			}
			outputs := map[string]string{}
			for _, o := range sc.Outputs {
				val := o.Value
				for k, v := range got {
					val = strings.ReplaceAll(val, "["+k+"]", v)
				}
				outputs[o.Type] = val
			}
			if outputs["FirstName"] != "Alice" || outputs["LastName"] != "Anders" || outputs["CompanyName"] != "Acme Corp" ||
				outputs["Email"] != "alice@acme.example" || outputs["EntityId"] != fmt.Sprint(e.personA.ID) ||
				!strings.HasPrefix(outputs["ContactUrl"], e.srv.URL+"/pop?") {
				t.Errorf("3CX would show %v", outputs)
			}
			vars["EntityId"] = outputs["EntityId"]
		}
	}
	for _, sc := range tmpl.Scenarios {
		if sc.ID != "ReportCall" {
			continue
		}
		form := url.Values{}
		for _, v := range sc.Request.PostValues {
			form.Set(v.Key, fill(v.Value))
		}
		c := *client
		c.header = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		r := c.do(http.MethodPost, strings.TrimPrefix(fill(sc.Request.URL), e.srv.URL), form.Encode())
		wantAPIStatus(t, "ReportCall scenario", r, http.StatusCreated)
		var call desk.PhoneCall
		r.decode(t, &call)
		if call.ContactID != e.personA.ID || call.Flow != desk.FlowInbound || call.Duration != 123 ||
			call.Date.UTC().Format("2006-01-02T15:04:05Z") != "2025-03-04T10:00:00Z" || call.Number != "+15550100199" ||
			!strings.Contains(call.Note, "Ada Agent (extension 101)") || !strings.Contains(call.Note, "queue 800") {
			t.Errorf("recorded %+v", call)
		}
		// 3CX posts the call again: it is recorded once.
		r = c.do(http.MethodPost, strings.TrimPrefix(fill(sc.Request.URL), e.srv.URL), form.Encode())
		wantAPIStatus(t, "ReportCall again", r, http.StatusOK)
		var again desk.PhoneCall
		r.decode(t, &again)
		if again.ID != call.ID {
			t.Errorf("posted again: %d, want the first record %d", again.ID, call.ID)
		}
		// Without a Content-Type, as a form still.
		c.header = http.Header{}
		vars[`[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")`] = "2025-03-04T11:00:00Z"
		form = url.Values{}
		for _, v := range sc.Request.PostValues {
			form.Set(v.Key, fill(v.Value))
		}
		req, _ := http.NewRequest(http.MethodPost, fill(sc.Request.URL), strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("form without Content-Type: %d", resp.StatusCode)
		}
	}
}
