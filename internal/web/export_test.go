package web

import "reflect"

// Exports for the tests of package web_test.

// TemplateMessageKeys returns, for each view, the literal keys its templates
// pass to t.
func (s *Server) TemplateMessageKeys() map[string][]string { return s.viewKeys }

// TelURL exposes telURL.
func TelURL(number string) string { return string(telURL(number)) }

// LocalPath exposes localPath.
func LocalPath(next string) string { return localPath(next) }

// OpenAPIDocument returns the embedded OpenAPI document.
func OpenAPIDocument() []byte { return openAPIDocument }

// APIPatterns returns the method and path of every route of the API, as
// registered ("GET /api/v1/persons/{id}").
func (s *Server) APIPatterns() []string { return s.apiPatterns }

// ThreeCXCallKeys returns the keys the 3CX journaling request is read by.
func ThreeCXCallKeys() []string {
	var keys []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[api3CXCall]()) {
		if k := jsonKey(f); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}
