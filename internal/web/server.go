// Package web is ctidesk's HTTP layer for people: server-rendered pages with
// html/template, sessions in HttpOnly cookies, CSRF tokens on every form, and
// the static files the pages use, all embedded in the binary.
//
// Handlers never apply rights or organization scope themselves beyond hiding
// buttons and refusing early: every service call runs with the logged-in user
// in its context and the store enforces both.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ctidesk/ctidesk/internal/api"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

// maxBodyBytes limits the body of every request: forms are small.
const maxBodyBytes = 1 << 20

// pageSize is the number of rows of a list page.
const pageSize = 50

// selectLimit bounds the options of a select filled from the database
// (organizations, the contacts of one organization).
const selectLimit = 1000

// Options configures a Server.
type Options struct {
	Services desk.Services
	Logger   *slog.Logger
	// SecureCookies sets the Secure flag on cookies, for a server behind TLS.
	SecureCookies bool
	// SessionTTL is how long a login lasts; default 12h.
	SessionTTL time.Duration
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// BaseURL is the URL people reach ctidesk at (https://desk.example.com),
	// for the links the API gives phone systems (the screen pop); default:
	// the scheme and host of each request.
	BaseURL string
	// Pop is the screen pop's use case, with the telephony configuration;
	// nil: /pop is not found.
	Pop *cti.Pop
	// Outbound makes tickets and persons callable (ecall_parameters); nil
	// or without ECall: no call action.
	Outbound *cti.Outbound
	// PhoneLink is the link of every number shown: "" or "tel:", "sip:",
	// "callto:", or a template with $number$ (tksuite:$number$?call).
	PhoneLink string
	// DefaultLanguage is the language of the pages before login when the
	// browser asks for none ctidesk has; default desk.Languages[0].
	DefaultLanguage string
	// Calls records the call events phone systems post
	// (/api/v1/cti/events); nil: they are refused. New sets its Observe,
	// when nil, to the server's call metrics.
	Calls *cti.Calls
	// Bus carries the push events of /events to the browsers; nil: no
	// stream, no notices.
	Bus desk.EventBus
	// Heartbeat is how often a quiet event stream gets a comment; default
	// 15 s.
	Heartbeat time.Duration
	// SessionCheck is how often an event stream checks that its session
	// still stands; default 5 s.
	SessionCheck time.Duration
	// LoginLimit is how many failed logins of one login in LoginWindow
	// refuse the next ones (four times as many from one address); default
	// 5.
	LoginLimit int
	// LoginWindow is the window failed logins are counted over, and how
	// long a refused login waits; default 15 minutes.
	LoginWindow time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed: the client address of a request from one of them (for the
	// limit on failed logins by address) is the last address of the header
	// that is not a trusted proxy. None: the connection's peer, always.
	TrustedProxies []netip.Prefix
	// Readiness are the checks of /readyz (the database takes a write, the
	// event bus listens); none: /readyz is always ready.
	Readiness []ReadinessCheck
	// Metrics is the registry the server's metrics go in, served at
	// /metrics; nil: a registry of its own, with the Go runtime's and the
	// process's collectors.
	Metrics *prometheus.Registry
}

// Server serves ctidesk's pages. It holds no mutable state of its own (but
// the signal that ends the event streams at shutdown): the sessions live in
// the store, so that any instance can serve any request.
type Server struct {
	svc    desk.Services
	log    *slog.Logger
	secure bool
	ttl    time.Duration
	now    func() time.Time
	i18n   *catalog
	static *staticFiles
	views  map[string]map[string]*template.Template // language -> view -> template
	// pages are the buffers pages are rendered into (render), reused: a
	// pop's page grew a new one at each request.
	pages sync.Pool
	// partials are the parts of pages rendered once (partial), by
	// partialKey.
	partials sync.Map
	// viewKeys are the message keys each view names, for the check at start
	// and its test.
	viewKeys map[string][]string
	// dummyUser is checked against when a login does not exist.
	dummyUser func() *desk.User
	handler   http.Handler
	// base is Options.BaseURL without its trailing slash.
	base string
	// api serves /api/.
	api *api.Server
	// pop is the screen pop; nil when not configured.
	pop *cti.Pop
	// outbound places outbound calls; nil when not configured.
	outbound *cti.Outbound
	// phoneLink makes the click-to-call link of a number.
	phoneLink func(string) template.URL
	// csp is the Content-Security-Policy of every response.
	csp string
	// defaultLang is Options.DefaultLanguage.
	defaultLang string
	// calls records call events; nil when not configured.
	calls *cti.Calls
	// bus and heartbeat serve the event streams (/events), which streams
	// ends at shutdown.
	bus          desk.EventBus
	heartbeat    time.Duration
	sessionCheck time.Duration
	streams      *streams
	// loginLimit and loginWindow are Options.LoginLimit and LoginWindow.
	loginLimit  int
	loginWindow time.Duration
	// trustedProxies is Options.TrustedProxies.
	trustedProxies []netip.Prefix
	// metrics are the Prometheus metrics of this server.
	metrics *metrics
	// readiness runs the checks of /readyz.
	readiness *readiness
	// suggestHTML renders /persons/suggest's HTML fragment.
	suggestHTML *template.Template
}

// New returns a Server with every template parsed; a template that does not
// parse, or uses a message key that does not exist, is an error here rather
// than on the first request.
func New(opt Options) (*Server, error) {
	svc := opt.Services
	if svc.Organizations == nil || svc.Locations == nil || svc.Persons == nil || svc.Tickets == nil ||
		svc.PhoneCalls == nil || svc.Users == nil || svc.Sessions == nil || svc.Callers == nil || svc.Tokens == nil ||
		svc.Calls == nil || svc.Telephony == nil {
		return nil, errors.New("web: every service is required")
	}
	if opt.BaseURL != "" {
		if u, err := url.Parse(opt.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("web: base URL %q is not an http or https URL", opt.BaseURL)
		}
	}
	s := &Server{
		svc:    svc,
		log:    opt.Logger,
		secure: opt.SecureCookies,
		ttl:    opt.SessionTTL,
		now:    opt.Now,

		dummyUser:   newDummyUser(),
		pop:         opt.Pop,
		csp:         contentSecurityPolicy,
		defaultLang: opt.DefaultLanguage,
		calls:       opt.Calls,
		bus:         opt.Bus,
		heartbeat:   opt.Heartbeat,
		streams:     newStreams(),
		base:        strings.TrimRight(opt.BaseURL, "/"),
		suggestHTML: newSuggestHTML(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if s.phoneLink, err = phoneLinker(opt.PhoneLink); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if opt.Outbound != nil && opt.Outbound.ECall != nil {
		s.outbound = opt.Outbound
		// The call action's form posts here and is redirected to the phone
		// system: form-action must allow its origin.
		u, err := url.Parse(opt.Outbound.ECall.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("web: outbound call URL %q is not an http or https URL", opt.Outbound.ECall.URL)
		}
		s.csp = strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1)
	}
	if s.ttl <= 0 {
		s.ttl = 12 * time.Hour
	}
	s.loginLimit, s.loginWindow, s.trustedProxies = opt.LoginLimit, opt.LoginWindow, opt.TrustedProxies
	if s.loginLimit <= 0 {
		s.loginLimit = 5
	}
	if s.loginWindow <= 0 {
		s.loginWindow = 15 * time.Minute
	}
	if s.heartbeat <= 0 {
		s.heartbeat = defaultHeartbeat
	}
	if s.sessionCheck = opt.SessionCheck; s.sessionCheck <= 0 {
		s.sessionCheck = defaultSessionCheck
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.metrics, err = newMetrics(opt.Metrics); err != nil {
		return nil, fmt.Errorf("web: metrics: %w", err)
	}
	s.readiness = newReadiness(opt.Readiness, s.metrics.ready)
	if opt.Calls != nil && opt.Calls.Observe == nil {
		opt.Calls.Observe = s.metrics.observeCall // ctidesk_calls_total, ctidesk_call_answer_seconds
	}
	if s.i18n, err = newCatalog(); err != nil {
		return nil, err
	}
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.views, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	lookup := &cti.CallerLookup{Services: svc}
	if opt.Pop != nil {
		lookup = opt.Pop.Lookup() // the API finds the callers the pop finds
	}
	s.api = api.New(api.Options{Services: svc, Logger: s.log, Messages: s.i18n.messages, BaseURL: s.base,
		Lookup: lookup, Calls: opt.Calls, OnCallEvent: s.metrics.callEvent, Now: s.now,
		Display: &cti.Display{Services: svc, Bus: opt.Bus}})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/{file}", s.serveStatic)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	s.registerAuthRoutes(mux)
	s.registerHomeRoutes(mux)
	s.registerSearchRoutes(mux)
	s.registerPersonRoutes(mux)
	s.registerOrganizationRoutes(mux)
	s.registerTeamRoutes(mux)
	s.registerTicketRoutes(mux)
	s.registerPopRoutes(mux)
	s.registerPhoneCallRoutes(mux)
	s.registerTokenRoutes(mux)
	s.registerUserRoutes(mux)
	s.registerCallRoutes(mux)
	s.registerCallbackRoutes(mux)
	s.registerStatsRoutes(mux)
	s.registerTelephonyRoutes(mux)
	s.registerEventRoutes(mux)
	mux.Handle("/api/", s.api)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, desk.NewError(desk.ENOTFOUND, "error.page_not_found"))
	})

	s.handler = s.logRequests(s.recoverPanics(s.secureHeaders(s.limitBody(s.loadSession(
		s.refuseBadQueries(request.RecordRoute(mux)))))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// appHandler is a handler that returns its error for Error to show.
type appHandler func(w http.ResponseWriter, r *http.Request) error

// page wraps a handler that needs a logged-in user: without one the browser
// goes to the login page, and comes back after.
func (s *Server) page(h appHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if desk.UserFromContext(r.Context()) == nil {
			s.redirectToLogin(w, r)
			return
		}
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	}
}

// action wraps a handler that changes state: it needs a logged-in user and
// the CSRF token of the session in the form.
func (s *Server) action(h appHandler) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return formParseError(err)
		}
		if !s.validCSRF(r) {
			return errCSRF
		}
		// Text that is not text (invalid UTF-8, NUL, control characters)
		// is refused here, naming the field: stored, it would show as
		// garbage, fail on PostgreSQL, or break a copy.
		if err := request.CheckValues(r.PostForm); err != nil {
			return err
		}
		return h(w, r)
	})
}

// refuseBadQueries refuses a request whose query string holds a parameter
// that is not text (request.CheckValues), before any handler reads it: 400
// naming the parameter, as a page or as the API's JSON.
func (s *Server) refuseBadQueries(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			if err := request.CheckValues(r.URL.Query()); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// formParseError turns a body that could not be read into a desk error.
func formParseError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		// Error answers 413 when it finds the MaxBytesError in the chain.
		return errors.Join(desk.NewError(desk.EINVALID, "error.form_too_large"), tooLarge)
	}
	return desk.NewError(desk.EINVALID, "error.form_unreadable")
}

// redirect sends the browser to url after a POST, as a GET (303).
func redirect(w http.ResponseWriter, r *http.Request, url string) {
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// pathID returns the numeric {id} of the path; anything else is not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, desk.NewError(desk.ENOTFOUND, "error.page_not_found")
	}
	return id, nil
}

// findForModify loads the object named by the path's {id} and checks that the
// user may modify its class. The lookup comes first so that an object outside
// the user's scope is not found (404) before any right is refused (403).
func findForModify[T any](r *http.Request, class string, find func(context.Context, int64) (T, error)) (T, error) {
	var zero T
	id, err := pathID(r)
	if err != nil {
		return zero, err
	}
	obj, err := find(r.Context(), id)
	if err != nil {
		return zero, err
	}
	if err := desk.Authorize(r.Context(), desk.ActionModify, class); err != nil {
		return zero, err
	}
	return obj, nil
}

// statusWriter records the status a handler wrote, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type ctxKey int

const sessionTokenKey ctxKey = iota

// logRequests logs every request: method, path (never the query string, which
// may hold a phone number or a search), status, duration and login.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		ctx, info := request.WithInfo(r.Context())
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := s.now().Sub(start)
		s.metrics.observe(info.Route, sw.status, d)
		attrs := []any{"method", r.Method, "path", request.LoggedPath(r.URL.Path), "status", sw.status,
			"duration", d}
		if info.Login != "" {
			attrs = append(attrs, "login", info.Login)
		}
		s.log.Info("http request", attrs...)
	})
}

// recoverPanics turns a panic in a handler into a 500 page and a log entry.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "method", r.Method, "path", request.LoggedPath(r.URL.Path),
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.Error(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows nothing but this origin's own files: no inline
// script or style, no framing.
const contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// secureHeaders sets the security headers of every response.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// limitBody caps the body of every request.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}
