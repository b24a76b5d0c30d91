// Package api is ctidesk's JSON API under /api/v1: programs (a phone system,
// scripts, a CRM) call it with "Authorization: Bearer <API token>", and act
// with the token's user's rights and organization scope, which the store
// applies as for pages. It reads no cookie, so it needs no CSRF token:
// another site cannot make a browser send the bearer token. Errors are JSON:
// {"error": {"code", "key", "message", "field"}}. openapi.yaml documents every
// route, and a test holds both to each other.
//
// Besides the REST resources it serves the phone systems: the call events of
// the webhook (cti.go, with an integration's token), and 3CX's CRM
// integration (threecx.go). internal/web mounts it under /api/.
package api

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/request"
)

// Options configures a Server.
type Options struct {
	Services desk.Services
	Logger   *slog.Logger
	// Messages renders the messages of errors, in English.
	Messages *locale.Catalog
	// BaseURL is the URL people reach ctidesk at, without its trailing
	// slash, for the links the API gives (the screen pop); "": the scheme
	// and host of each request.
	BaseURL string
	// Lookup finds callers: the screen pop's lookup.
	Lookup *cti.CallerLookup
	// Calls records the call events phone systems post; nil: they are
	// refused.
	Calls *cti.Calls
	// OnCallEvent counts a call event recorded (newCall, answer, hangup),
	// for the metrics; nil: none.
	OnCallEvent func(event string)
	// Display opens pages in the agents' open tabs; nil: none is ever
	// open.
	Display *cti.Display
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// Server serves the API. It holds no mutable state once made.
type Server struct {
	svc         desk.Services
	log         *slog.Logger
	en          *locale.Printer
	base        string
	lookup      *cti.CallerLookup
	calls       *cti.Calls
	onCallEvent func(event string)
	display     *cti.Display
	now         func() time.Time
	handler     http.Handler
	// apiPatterns lists the routes as registered, for the test that holds
	// them to openapi.yaml.
	apiPatterns []string
}

// New returns the API's server.
func New(opt Options) *Server {
	s := &Server{svc: opt.Services, log: opt.Logger, base: opt.BaseURL, lookup: opt.Lookup, calls: opt.Calls,
		onCallEvent: opt.OnCallEvent, display: opt.Display, now: opt.Now}
	if opt.Messages == nil {
		opt.Messages = locale.MustLoad()
	}
	s.en = opt.Messages.Printer(locale.English)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.lookup == nil {
		s.lookup = &cti.CallerLookup{Services: opt.Services}
	}
	if s.onCallEvent == nil {
		s.onCallEvent = func(string) {}
	}
	s.handler = s.newAPIHandler()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Patterns returns the method and path of every route, as registered ("GET
// /api/v1/persons/{id}").
func (s *Server) Patterns() []string { return slices.Clone(s.apiPatterns) }

// Document returns the OpenAPI document of the API.
func Document() []byte { return slices.Clone(openAPIDocument) }

// Error answers err as the API's JSON error: for a failure the server met
// before the API's own handlers (a panic, a body over the limit).
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) { s.apiError(w, r, err) }

// apiPrefix starts every path of the API.
const apiPrefix = "/api/v1/"

// openAPIPath is the only path of the API that needs no token: the document
// describes the API and holds no data.
const openAPIPath = "/api/v1/openapi.yaml"

//go:embed openapi.yaml
var openAPIDocument []byte

// apiFunc is an API handler; its error becomes the JSON error answer.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// apiRoute is one method and path pattern of the API.
type apiRoute struct {
	method, path string
	h            apiFunc
}

// apiRoutes lists every route of the API, one table per resource file.
func (s *Server) apiRoutes() []apiRoute {
	var routes []apiRoute
	for _, rs := range [][]apiRoute{
		s.apiCallerRoutes(),
		s.apiPersonRoutes(),
		s.apiOrganizationRoutes(),
		s.apiTeamRoutes(),
		s.apiTicketRoutes(),
		s.apiPhoneCallRoutes(),
		s.apiCallbackRoutes(),
		s.apiDisplayRoutes(),
		s.api3CXRoutes(),
		s.apiCTIRoutes(),
	} {
		routes = append(routes, rs...)
	}
	return routes
}

// newAPIHandler returns the handler of everything under /api/: token
// authentication, then the routes. A path that is not a route is a JSON 404,
// a method a path does not take a JSON 405 with Allow.
func (s *Server) newAPIHandler() http.Handler {
	mux := http.NewServeMux()
	allow := map[string][]string{}
	var paths []string
	handle := func(method, path string, h http.HandlerFunc) {
		mux.HandleFunc(method+" "+path, h)
		s.apiPatterns = append(s.apiPatterns, method+" "+path)
		if allow[path] == nil {
			paths = append(paths, path)
		}
		allow[path] = append(allow[path], method)
	}
	for _, rt := range s.apiRoutes() {
		handle(rt.method, rt.path, s.apiHandle(rt.h))
	}
	handle(http.MethodGet, openAPIPath, s.serveOpenAPI)
	// A method a path does not take is a JSON 405, registered for each
	// method rather than for the bare path: a bare /api/v1/cti/events would
	// conflict with POST /api/v1/cti/{token}.
	for _, p := range paths {
		methods := strings.Join(allow[p], ", ")
		if slices.Contains(allow[p], http.MethodGet) {
			methods += ", " + http.MethodHead
		}
		for _, m := range httpMethods {
			if strings.Contains(", "+methods+", ", ", "+m+", ") {
				continue
			}
			mux.HandleFunc(m+" "+p, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Allow", methods)
				s.apiError(w, r, &apiStatusError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
					key: "error.method_not_allowed", args: []any{methods}})
			})
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.apiError(w, r, desk.NewError(desk.ENOTFOUND, "error.api_path_not_found"))
	})
	return s.authenticateAPI(request.RecordRoute(mux))
}

// httpMethods are the methods of HTTP (RFC 9110, and PATCH) but HEAD, which
// a pattern of GET matches too.
var httpMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
	http.MethodConnect, http.MethodOptions, http.MethodTrace}

// authenticateAPI puts the user of the request's bearer token in its context,
// and answers 401 without a valid one. The session cookie is never read here.
func (s *Server) authenticateAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == openAPIPath || isIntegrationPath(r.URL.Path) {
			next.ServeHTTP(w, r) // the document needs no token; call events take an integration's
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk"`)
			s.apiError(w, r, desk.NewError(desk.EUNAUTHORIZED, "error.api_token_required"))
			return
		}
		_, user, err := s.svc.Tokens.AuthenticateAPIToken(r.Context(), token)
		if err != nil {
			if desk.ErrorCode(err) == desk.EUNAUTHORIZED || desk.ErrorCode(err) == desk.ENOTFOUND {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ctidesk", error="invalid_token"`)
				err = &desk.Error{Code: desk.EUNAUTHORIZED, Key: desk.ErrorKey(err)}
			}
			s.apiError(w, r, err)
			return
		}
		ctx := desk.NewContextWithUser(r.Context(), user)
		request.SetLogin(ctx, user.Login)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// apiHandle turns an apiFunc into a handler.
func (s *Server) apiHandle(h apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.apiError(w, r, err)
		}
	}
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPIDocument)
}

// apiErrorBody is the JSON of every error answer.
type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

// apiErrorDetail says what went wrong: a stable code (the desk error codes,
// too_large, method_not_allowed), a message for people (in English) and its
// key in ctidesk's message catalogs, for a client that shows it in another
// language, and the field at fault for validation errors.
type apiErrorDetail struct {
	Code    string `json:"code"`
	Key     string `json:"key"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// apiStatusError is an error of the HTTP layer with its own status and code.
type apiStatusError struct {
	status    int
	code, key string
	args      []any
}

func (e *apiStatusError) Error() string { return e.code + ": " + e.key }

// MessageKey implements locale.Localized.
func (e *apiStatusError) MessageKey() (string, []any) { return e.key, e.args }

// apiErrorStatus returns the status and JSON detail of err: EINVALID is 422
// when it names a field and 400 otherwise, ENOTFOUND 404, EFORBIDDEN 403,
// EUNAUTHORIZED 401, ECONFLICT 409, a body over the limit 413, anything else
// 500 with a message that tells nothing of the cause.
func (s *Server) apiErrorStatus(err error) (int, apiErrorDetail) {
	en := s.en
	var se *apiStatusError
	if errors.As(err, &se) {
		return se.status, apiErrorDetail{Code: se.code, Key: se.key, Message: en.Error(se)}
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		const key = "error.body_too_large"
		return http.StatusRequestEntityTooLarge, apiErrorDetail{Code: "too_large", Key: key,
			Message: en.T(key, tooLarge.Limit)}
	}
	code := desk.ErrorCode(err)
	d := apiErrorDetail{Code: code, Key: desk.ErrorKey(err), Message: en.Error(err), Field: desk.ErrorField(err)}
	if d.Key == "" {
		d.Key = "error.internal.message"
	}
	status := request.Status(code)
	if code == desk.EINVALID && d.Field != "" {
		status = http.StatusUnprocessableEntity
	}
	return status, d
}

// apiError answers err as JSON. Messages are in English, whatever the user's
// language: the API is read by programs, and English is what they match.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := s.apiErrorStatus(err)
	if status >= 500 {
		s.log.Error("api request failed", "method", r.Method, "path", request.LoggedPath(r.URL.Path), "err", err)
	}
	writeJSON(w, status, apiErrorBody{Error: d})
}

// writeJSON writes v as the JSON body of the answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"Internal error."}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeCreated answers 201 with v and the Location of the new object.
func writeCreated(w http.ResponseWriter, location string, v any) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}

// decodeJSON reads the request body, one JSON object, into dst. Unknown
// fields are refused, naming the field, so that a misspelt attribute does not
// go unnoticed; a value of the wrong type names its field too.
func decodeJSON(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			return tooLarge
		}
		return desk.NewError(desk.EINVALID, "error.body_unreadable")
	}
	// encoding/json would turn bytes that are not UTF-8 into U+FFFD and
	// store them so: refuse them, as JSON requires UTF-8.
	if !utf8.Valid(body) {
		return errBodyNotUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return tooLarge
		}
		return desk.NewError(desk.EINVALID, "error.body_several_json")
	}
	// A string of JSON may hold any character, escaped (\u0000): the one
	// rule of text applies to what it decoded to.
	return checkStrings(reflect.ValueOf(dst), "")
}

// checkStrings checks every string v holds against desk.CheckText,
// naming the field by its JSON key.
func checkStrings(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkStrings(v.Elem(), field)
	case reflect.String:
		return desk.CheckText(field, v.String())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkStrings(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkStrings(it.Value(), it.Key().String()); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name := jsonKey(f)
			switch {
			case f.Anonymous:
				name = field
			case !f.IsExported() || f.Tag.Get("json") == "-":
				continue
			case name == "":
				name = f.Name
			}
			if err := checkStrings(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}

// errBodyNotUTF8 answers a request body that is not UTF-8.
var errBodyNotUTF8 = desk.NewError(desk.EINVALID, "error.body_not_utf8")

// jsonError turns an error of encoding/json into a desk error.
func jsonError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return tooLarge
	case errors.Is(err, io.EOF):
		return desk.NewError(desk.EINVALID, "error.body_empty")
	case errors.As(err, &syntax):
		return desk.NewError(desk.EINVALID, "error.body_not_json_at", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return desk.NewError(desk.EINVALID, "error.body_not_json_end")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return desk.NewError(desk.EINVALID, "error.body_not_object")
		}
		return desk.Invalid(typeErr.Field, "error.json_type", typeErr.Field, jsonTypeName(typeErr.Type))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, _ = strconv.Unquote(field)
		return desk.Invalid(field, "error.unknown_field", field)
	}
	return desk.NewError(desk.EINVALID, "error.body_not_json")
}

// typeOfString is the type of a JSON string, for type errors.
var typeOfString = reflect.TypeFor[string]()

// asMaxBytes returns the *http.MaxBytesError in err's chain, or nil.
func asMaxBytes(err error) *http.MaxBytesError {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return tooLarge
	}
	return nil
}

// jsonTypeName names a Go type as JSON knows it.
func jsonTypeName(t reflect.Type) locale.Key {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "json.string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "json.integer"
	case reflect.Bool:
		return "json.boolean"
	case reflect.Slice:
		return "json.array"
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "json.datetime"
		}
	}
	return "json.object"
}

// apiList is the answer of every list: a page of items, the total count of
// what the filter selects, and the page's offset and limit.
type apiList[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// newAPIList returns a list answer; items is never null.
func newAPIList[T any](items []T, total, offset, limit int) apiList[T] {
	if items == nil {
		items = []T{}
	}
	return apiList[T]{Items: items, Total: total, Offset: offset, Limit: limit}
}

// API paging: limit defaults to apiDefaultLimit, at most apiMaxLimit.
const (
	apiDefaultLimit = 50
	apiMaxLimit     = 1000
)

// apiPage reads the offset and limit parameters.
func apiPage(r *http.Request) (offset, limit int, err error) {
	q := r.URL.Query()
	limit = apiDefaultLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > apiMaxLimit {
			return 0, 0, desk.Invalid("limit", "error.limit_range", apiMaxLimit)
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, desk.Invalid("offset", "error.offset_range")
		}
	}
	return offset, limit, nil
}

// queryBool reads an optional boolean parameter: true, false, 1 or 0.
func queryBool(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, desk.Invalid(name, "error.not_bool", name)
	}
}

// queryString returns a pointer to the trimmed parameter, nil when absent.
func queryString(r *http.Request, name string) *string {
	if !r.URL.Query().Has(name) {
		return nil
	}
	v := strings.TrimSpace(r.URL.Query().Get(name))
	return &v
}

// apiFind loads the object named by the path's {id}: a path id that is not a
// number, or an object the user may not see, is 404.
func apiFind[T any](r *http.Request, find func(context.Context, int64) (T, error)) (T, error) {
	var zero T
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return zero, desk.NewError(desk.ENOTFOUND, "error.not_id", r.PathValue("id"))
	}
	return find(r.Context(), id)
}

// apiFindForModify loads the object of the path's {id} and checks that the
// user may modify class: first the lookup, so that an object of another
// organization is 404, and its existence does not leak through a 403.
func apiFindForModify[T any](r *http.Request, class string, find func(context.Context, int64) (T, error)) (T, error) {
	obj, err := apiFind(r, find)
	if err != nil {
		return obj, err
	}
	if err := desk.Authorize(r.Context(), desk.ActionModify, class); err != nil {
		var zero T
		return zero, err
	}
	return obj, nil
}

// baseURL returns the URL this server is reached at, for the links the API
// gives (the screen pop).
func (s *Server) baseURL(r *http.Request) string { return request.BaseURL(r, s.base) }
