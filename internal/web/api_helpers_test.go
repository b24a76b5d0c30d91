package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// apiClient calls the API with a bearer token, and checks every answer
// against openapi.yaml as it arrives.
type apiClient struct {
	tb    testing.TB
	base  string
	token string
	hc    *http.Client
	spec  *openAPI
	// header is sent with every request, after the token.
	header http.Header
}

// apiResponse is what an API request returned.
type apiResponse struct {
	status int
	header http.Header
	body   string
}

// newAPIClient returns a client sending token ("" sends no Authorization).
func (e *env) newAPIClient(tb testing.TB, token string) *apiClient {
	tb.Helper()
	return &apiClient{tb: tb, base: e.srv.URL, token: token, hc: e.srv.Client(), spec: mustSpec(tb), header: http.Header{}}
}

// MustToken creates an API token for login and returns it.
func (e *env) MustToken(tb testing.TB, login string) string {
	tb.Helper()
	u, err := e.svc.Users.FindUserByLogin(e.sys, login)
	if err != nil {
		tb.Fatalf("find user %s: %v", login, err)
	}
	token, _, err := e.svc.Tokens.CreateAPIToken(e.sys, u.ID, "test")
	if err != nil {
		tb.Fatalf("create token for %s: %v", login, err)
	}
	return token
}

// MustAPI returns a client with a new token of login.
func (e *env) MustAPI(tb testing.TB, login string) *apiClient {
	tb.Helper()
	return e.newAPIClient(tb, e.MustToken(tb, login))
}

// do sends a request; body is nil, a string sent as is, or a value sent as
// JSON. The answer must match openapi.yaml.
func (c *apiClient) do(method, path string, body any) *apiResponse {
	c.tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			c.tb.Fatal(err)
		}
		rd = strings.NewReader(string(js))
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.tb.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &apiResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
	urlPath, _, _ := strings.Cut(path, "?")
	if problems := c.spec.check(method, urlPath, r.status, resp.Header.Get("Content-Type"), b); len(problems) > 0 {
		c.tb.Errorf("%s %s: answer %d does not match openapi.yaml:\n  %s\n%s", method, path, r.status,
			strings.Join(problems, "\n  "), truncate(r.body))
	}
	return r
}

func (c *apiClient) get(path string) *apiResponse {
	c.tb.Helper()
	return c.do(http.MethodGet, path, nil)
}

// decode unmarshals the body into v.
func (r *apiResponse) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		tb.Fatalf("decode %q: %v", truncate(r.body), err)
	}
}

// apiErr is the error of an answer.
type apiErr struct {
	Code, Message, Field string
}

// err returns the error of the answer, zero when it has none.
func (r *apiResponse) err() apiErr {
	var b struct {
		Error apiErr `json:"error"`
	}
	json.Unmarshal([]byte(r.body), &b)
	return b.Error
}

func (r *apiResponse) errorMessage() string { return r.err().Message }

// wantAPIStatus fails the test unless r has status want.
func wantAPIStatus(tb testing.TB, what string, r *apiResponse, want int) {
	tb.Helper()
	if r.status != want {
		tb.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, truncate(r.body))
	}
}

// wantAPIError fails the test unless r is the error status, code and field.
func wantAPIError(tb testing.TB, what string, r *apiResponse, status int, code, field string) {
	tb.Helper()
	e := r.err()
	if r.status != status || e.Code != code || e.Field != field {
		tb.Errorf("%s: %d %+v, want %d %s field %q\n%s", what, r.status, e, status, code, field, truncate(r.body))
	}
}

// listOf decodes a list answer.
func listOf[T any](tb testing.TB, r *apiResponse) (items []T, total int) {
	tb.Helper()
	var l struct {
		Items []T `json:"items"`
		Total int `json:"total"`
	}
	r.decode(tb, &l)
	return l.Items, l.Total
}

// userOf returns the user of login.
func (e *env) userOf(tb testing.TB, login string) *desk.User {
	tb.Helper()
	u, err := e.svc.Users.FindUserByLogin(e.sys, login)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
