package web_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ctidesk/ctidesk/internal/web"
)

// The OpenAPI document is the API's contract. These tests hold the two to
// each other: every registered route is documented and every documented one
// registered (TestOpenAPIRoutes, TestOpenAPIProbe), and every answer the API
// tests receive is checked against the document as it arrives (see
// apiClient.do): its status must be documented for the operation, and its
// JSON body must match the schema, with no property the schema does not
// name, and every property it requires.

// openAPI is the parsed document.
type openAPI struct {
	doc   map[string]any
	paths []openAPIPath
}

// openAPIPath is one documented path with its operations by method.
type openAPIPath struct {
	template string
	re       *regexp.Regexp
	ops      map[string]map[string]any // method -> operation
}

var (
	specOnce sync.Once
	spec     *openAPI
	specErr  error
)

// mustSpec parses the embedded OpenAPI document once.
func mustSpec(tb testing.TB) *openAPI {
	tb.Helper()
	specOnce.Do(func() { spec, specErr = parseOpenAPI(web.OpenAPIDocument()) })
	if specErr != nil {
		tb.Fatalf("openapi.yaml: %v", specErr)
	}
	return spec
}

func parseOpenAPI(b []byte) (*openAPI, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		return nil, fmt.Errorf("openapi version %q, want 3.x", v)
	}
	s := &openAPI{doc: doc}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no paths")
	}
	for tmpl, item := range paths {
		p := openAPIPath{template: tmpl, ops: map[string]map[string]any{}}
		re := regexp.QuoteMeta(tmpl)
		re = regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(re, `[^/]+`)
		p.re = regexp.MustCompile("^" + re + "$")
		for k, v := range item.(map[string]any) {
			switch m := strings.ToUpper(k); m {
			case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
				op, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s %s: not an operation", m, tmpl)
				}
				p.ops[m] = op
			}
		}
		s.paths = append(s.paths, p)
	}
	sort.Slice(s.paths, func(i, j int) bool { return s.paths[i].template < s.paths[j].template })
	return s, nil
}

// operations returns every documented "METHOD /path".
func (s *openAPI) operations() []string {
	var out []string
	for _, p := range s.paths {
		for m := range p.ops {
			out = append(out, m+" "+p.template)
		}
	}
	slices.Sort(out)
	return out
}

// resolve follows a $ref of the document.
func (s *openAPI) resolve(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not an object: %v", v)
	}
	for i := 0; i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		var cur any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			next, ok := cur.(map[string]any)[part]
			if !ok {
				return nil, fmt.Errorf("unresolved $ref %s", ref)
			}
			cur = next
		}
		if m, ok = cur.(map[string]any); !ok {
			return nil, fmt.Errorf("$ref %s is not an object", ref)
		}
	}
	return nil, fmt.Errorf("$ref loop")
}

// check reports what in an answer the document does not allow: the status of
// the operation method path, its Content-Type, and its JSON body. A path the
// document lacks must be answered 404, and a method it lacks for a path 405,
// each with the Error schema.
func (s *openAPI) check(method, path string, status int, contentType string, body []byte) []string {
	var p *openAPIPath
	for i := range s.paths {
		if s.paths[i].re.MatchString(path) {
			p = &s.paths[i]
			break
		}
	}
	errorSchema := map[string]any{"$ref": "#/components/schemas/Error"}
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var op map[string]any
	switch {
	case p == nil:
		if status != http.StatusNotFound && status != http.StatusUnauthorized {
			return []string{fmt.Sprintf("undocumented path answered %d, want 404 or 401", status)}
		}
		return s.checkJSON(errorSchema, contentType, body)
	case p.ops[method] == nil:
		if status != http.StatusMethodNotAllowed && status != http.StatusUnauthorized {
			return []string{fmt.Sprintf("undocumented method on %s answered %d, want 405 or 401", p.template, status)}
		}
		return s.checkJSON(errorSchema, contentType, body)
	default:
		op = p.ops[method]
	}
	responses, _ := op["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)]
	if !ok {
		resp, ok = responses["default"]
	}
	if !ok {
		return []string{fmt.Sprintf("status %d is not documented for %s %s", status, method, p.template)}
	}
	r, err := s.resolve(resp)
	if err != nil {
		return []string{err.Error()}
	}
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			return []string{fmt.Sprintf("status %d is documented without a body, got %d bytes", status, len(body))}
		}
		return nil
	}
	media := strings.TrimSpace(strings.Split(contentType, ";")[0])
	mt, ok := content[media].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("Content-Type %q is not documented for %d", contentType, status)}
	}
	if media != "application/json" {
		return nil
	}
	return s.checkJSON(mt["schema"], contentType, body)
}

func (s *openAPI) checkJSON(schema any, contentType string, body []byte) []string {
	if !strings.HasPrefix(contentType, "application/json") {
		return []string{fmt.Sprintf("Content-Type %q, want application/json", contentType)}
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("body is not JSON: %v", err)}
	}
	var problems []string
	s.validate(schema, v, "$", &problems)
	return problems
}

// validate checks v against schema: types, enumerations, required
// properties, array items and, unless the schema allows them, properties it
// does not name. allOf merges its schemas' properties and requirements.
func (s *openAPI) validate(schema any, v any, at string, problems *[]string) {
	fail := func(format string, args ...any) {
		*problems = append(*problems, at+": "+fmt.Sprintf(format, args...))
	}
	sc, err := s.resolve(schema)
	if err != nil {
		fail("%v", err)
		return
	}
	if all, ok := sc["allOf"].([]any); ok {
		merged := map[string]any{"type": "object", "properties": map[string]any{}, "required": []any{}}
		for _, part := range all {
			ps, err := s.resolve(part)
			if err != nil {
				fail("%v", err)
				return
			}
			for k, pv := range mapOf(ps["properties"]) {
				merged["properties"].(map[string]any)[k] = pv
			}
			merged["required"] = append(merged["required"].([]any), sliceOf(ps["required"])...)
		}
		sc = merged
	}
	if v == nil {
		if nullable, _ := sc["nullable"].(bool); !nullable {
			fail("null is not allowed")
		}
		return
	}
	if enum, ok := sc["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			fail("%v is not one of %v", v, enum)
		}
	}
	switch typ, _ := sc["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			fail("%T, want an object", v)
			return
		}
		props := mapOf(sc["properties"])
		for _, r := range sliceOf(sc["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				fail("required property %q is missing", r)
			}
		}
		for k, pv := range obj {
			ps, ok := props[k]
			if !ok {
				if extra, _ := sc["additionalProperties"].(bool); !extra {
					fail("property %q is not documented", k)
				}
				continue
			}
			s.validate(ps, pv, at+"."+k, problems)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			fail("%T, want an array", v)
			return
		}
		for i, item := range arr {
			s.validate(sc["items"], item, fmt.Sprintf("%s[%d]", at, i), problems)
		}
	case "string":
		if _, ok := v.(string); !ok {
			fail("%T, want a string", v)
		}
	case "integer":
		n, ok := v.(json.Number)
		if f, err := n.Float64(); !ok || err != nil || f != math.Trunc(f) {
			fail("%v, want an integer", v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			fail("%v, want a number", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("%v, want a boolean", v)
		}
	case "":
		fail("schema without a type")
	}
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestOpenAPIRoutes checks that the routes registered under /api/v1 are the
// operations the document describes, both ways.
func TestOpenAPIRoutes(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	s := mustSpec(t)
	registered := slices.Clone(e.web.APIPatterns())
	slices.Sort(registered)
	documented := s.operations()
	for _, r := range registered {
		if !strings.Contains(r, " /api/v1/") {
			t.Errorf("route %s is not under /api/v1/", r)
		}
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("openapi.yaml documents %s, which is not a route", d)
		}
	}
	if len(registered) < 20 {
		t.Errorf("only %d routes registered: %v", len(registered), registered)
	}

	// Every operation has an id, a 2xx answer, and (but for the document
	// itself) the 401 of a missing token; every $ref resolves.
	for _, p := range s.paths {
		for m, op := range p.ops {
			name := m + " " + p.template
			if id, _ := op["operationId"].(string); id == "" {
				t.Errorf("%s: no operationId", name)
			}
			responses := mapOf(op["responses"])
			ok2xx := false
			for code, r := range responses {
				if strings.HasPrefix(code, "2") {
					ok2xx = true
				}
				if _, err := s.resolve(r); err != nil {
					t.Errorf("%s %s: %v", name, code, err)
				}
			}
			if !ok2xx {
				t.Errorf("%s: no 2xx response", name)
			}
			if _, ok := responses["401"]; !ok && p.template != "/api/v1/openapi.yaml" {
				t.Errorf("%s: 401 is not documented", name)
			}
		}
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok {
				if _, err := s.resolve(map[string]any{"$ref": ref}); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, c := range v {
				walk(c, at+"/"+k)
			}
		case []any:
			for i, c := range v {
				walk(c, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(s.doc, "#")
}

// TestOpenAPIProbe asks the server every method on every documented path: a
// documented operation is routed (whatever it then answers), an undocumented
// method is 405. It catches a route registered around the route table.
func TestOpenAPIProbe(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.MustAPI(t, "admin")
	s := mustSpec(t)
	for _, p := range s.paths {
		path := strings.ReplaceAll(p.template, "{id}", "999999")
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			r := c.do(m, path, "{}")
			msg := r.errorMessage()
			switch {
			case p.ops[m] != nil && (r.status == http.StatusMethodNotAllowed || msg == "No such API path."):
				t.Errorf("%s %s is documented but not routed: %d %s", m, path, r.status, msg)
			case p.ops[m] == nil && r.status != http.StatusMethodNotAllowed:
				t.Errorf("%s %s is not documented but answered %d", m, path, r.status)
			}
		}
	}
}

// TestOpenAPIServed checks that the document is served without a token, as
// embedded.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	anon := e.newAPIClient(t, "")
	r := anon.do(http.MethodGet, "/api/v1/openapi.yaml", nil)
	wantAPIStatus(t, "GET openapi.yaml", r, http.StatusOK)
	if r.body != string(web.OpenAPIDocument()) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/yaml") {
		t.Errorf("served document differs from the embedded one, or is %q", r.header.Get("Content-Type"))
	}
}

// TestOpenAPICheckCatches checks the checker itself: it must refuse what the
// document does not say, or the other tests prove nothing.
func TestOpenAPICheckCatches(t *testing.T) {
	t.Parallel()
	s := mustSpec(t)
	const js = "application/json"
	org := `{"id": 1, "name": "A", "code": "", "status": "active", "support_id": ""}`
	for _, tt := range []struct {
		name         string
		method, path string
		status       int
		ct, body     string
		ok           bool
	}{
		{"documented answer", "GET", "/api/v1/organizations/1", 200, js, org, true},
		{"undocumented property", "GET", "/api/v1/organizations/1", 200, js,
			`{"id": 1, "name": "A", "code": "", "status": "active", "support_id": "", "secret": "x"}`, false},
		{"missing required property", "GET", "/api/v1/organizations/1", 200, js, `{"id": 1, "name": "A"}`, false},
		{"wrong type", "GET", "/api/v1/organizations/1", 200, js,
			`{"id": "1", "name": "A", "code": "", "status": "active", "support_id": ""}`, false},
		{"not in enum", "GET", "/api/v1/organizations/1", 200, js,
			`{"id": 1, "name": "A", "code": "", "status": "sleeping", "support_id": ""}`, false},
		{"undocumented status", "GET", "/api/v1/organizations/1", 418, js, `{"error": {"code": "x", "message": "y"}}`, false},
		{"undocumented path", "GET", "/api/v1/secrets", 200, js, `{}`, false},
		{"undocumented path, 404", "GET", "/api/v1/secrets", 404, js, `{"error": {"code": "not_found", "key": "error.api_path_not_found", "message": "No."}}`, true},
		{"undocumented method, 405", "PUT", "/api/v1/persons", 405, js,
			`{"error": {"code": "method_not_allowed", "key": "error.method_not_allowed", "message": "No."}}`, true},
		{"undocumented method, 200", "PUT", "/api/v1/persons", 200, js, `{}`, false},
		{"nested item", "GET", "/api/v1/organizations", 200, js,
			`{"items": [{"id": 1}], "total": 1, "offset": 0, "limit": 50}`, false},
		{"allOf: logs required", "GET", "/api/v1/tickets/1", 200, js,
			`{"id": 1, "kind": "Incident", "ref": "I-000001", "title": "t", "description": "", "org_id": 1, "org_name": "A",
			"status": "new", "origin": "phone", "start_date": "2025-01-01T00:00:00Z", "last_update": "2025-01-01T00:00:00Z"}`, false},
		{"error detail", "GET", "/api/v1/persons/1", 404, js, `{"error": {"code": "not_found"}}`, false},
		{"no body documented", "DELETE", "/api/v1/persons/1", 204, "", `{}`, false},
		{"not JSON", "GET", "/api/v1/organizations/1", 200, "text/html", `<p>`, false},
	} {
		problems := s.check(tt.method, tt.path, tt.status, tt.ct, []byte(tt.body))
		if (len(problems) == 0) != tt.ok {
			t.Errorf("%s: problems %v, want ok=%v", tt.name, problems, tt.ok)
		}
	}
}
