package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The browsers' event stream (docs/architecture.md): GET /events is a
// Server-Sent Events stream of the logged-in user's push events (a call
// ringing for him, the screen pop when he answers, the end of the call),
// which app.js turns into notices and, on answer, into the pop opening in the
// tab. Each event carries its id, so that a browser reconnecting with
// Last-Event-ID gets what it missed; a comment every heartbeat keeps proxies
// from closing a quiet stream.

// Defaults of the stream.
const (
	// defaultHeartbeat is how often a quiet stream gets a comment: below
	// the 30 to 60 seconds after which proxies close idle connections.
	defaultHeartbeat = 15 * time.Second
	// streamRetry is how long a browser waits before reconnecting.
	streamRetry = 3 * time.Second
	// streamWriteWait bounds each write: a browser that stopped reading
	// loses its stream rather than holding a goroutine for ever.
	streamWriteWait = 30 * time.Second
	// defaultSessionCheck is how often a stream checks that its session
	// still stands (not ended, expired, nor its user disabled or his
	// organizations changed): within seconds of its end, the stream ends,
	// on every instance. An ended session's revocation event makes it
	// check at once.
	defaultSessionCheck = 5 * time.Second
	// maxStreamsPerSession bounds the streams one session holds open: a
	// few tabs, not hundreds of goroutines for one cookie.
	maxStreamsPerSession = 8
)

// eventRevoked is the push event that tells a user's streams that some of
// his sessions ended: each checks its own. It is not sent to the browser.
const eventRevoked = "revoked"

func (s *Server) registerEventRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /events", s.handleEvents)
}

// streams ends every event stream when the server shuts down
// (http.Server.Shutdown waits for connections to go idle, which a stream
// never does by itself), and counts the streams of each session.
type streams struct {
	once sync.Once
	done chan struct{}

	mu        sync.Mutex
	bySession map[string]int // session token hash -> open streams
}

func newStreams() *streams { return &streams{done: make(chan struct{}), bySession: map[string]int{}} }

// open counts a new stream of the session, false when it has too many.
func (st *streams) open(session string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.bySession[session] >= maxStreamsPerSession {
		return false
	}
	st.bySession[session]++
	return true
}

// close forgets a stream of the session.
func (st *streams) close(session string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.bySession[session]--; st.bySession[session] <= 0 {
		delete(st.bySession, session)
	}
}

// CloseStreams ends the event streams being served, and those that open
// from now on; give it to http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() {
	s.streams.once.Do(func() { close(s.streams.done) })
}

// lastEventID reads the id a reconnecting browser gives (the Last-Event-ID
// header; or the lastEventId parameter, for clients that cannot set
// headers); 0 when none or not a number.
func lastEventID(r *http.Request) uint64 {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("lastEventId")
	}
	id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// handleEvents streams the user's push events until he goes, his session
// ends, or the server does. Not logged in, it answers 401: an EventSource
// cannot follow the login page.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	user := desk.UserFromContext(r.Context())
	token := sessionToken(r)
	if user == nil || token == "" {
		http.Error(w, s.i18n.t(s.lang(r), "error.login_required"), http.StatusUnauthorized)
		return
	}
	if s.bus == nil {
		http.Error(w, s.i18n.t(s.lang(r), "events.none"), http.StatusNotFound)
		return
	}
	session := sessionKey(token)
	if !s.streams.open(session) {
		http.Error(w, s.i18n.t(s.lang(r), "events.too_many", maxStreamsPerSession), http.StatusTooManyRequests)
		return
	}
	defer s.streams.close(session)
	rc := http.NewResponseController(w)
	// The server's read timeout would end the stream: lift it. Writes get
	// their own deadline each.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.log.Debug("event stream: read deadline", "err", err)
	}
	events, cancel := s.bus.Subscribe(user.ID, lastEventID(r))
	defer cancel()
	s.metrics.sseClients.Inc()
	defer s.metrics.sseClients.Dec()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	write := func(format string, args ...any) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(streamWriteWait)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: %d\n\n", streamRetry.Milliseconds()) {
		return
	}
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	check := time.NewTicker(s.sessionCheck)
	defer check.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.streams.done:
			return
		case ev, ok := <-events:
			if !ok {
				return // fell behind: the browser reconnects and replays
			}
			if ev.Type == eventRevoked {
				if !s.sessionStands(r, token, user) {
					return
				}
				continue
			}
			// JSON holds no raw line break, so data fits one line.
			if !write("id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, ev.Data) {
				return
			}
		case <-heartbeat.C:
			if !write(": heartbeat\n\n") {
				return
			}
		case <-check.C:
			if !s.sessionStands(r, token, user) {
				return
			}
		}
	}
}

// sessionStands reports whether the stream's session still stands for the
// user it opened for: not ended nor expired, the user not disabled, his
// roles and organizations unchanged (a stream of his former rights would
// keep showing callers he may no longer see). A database that does not
// answer keeps the stream: the next check decides.
func (s *Server) sessionStands(r *http.Request, token string, opened *desk.User) bool {
	_, u, err := s.svc.Sessions.FindSession(desk.NewSystemContext(r.Context()), token)
	switch code := desk.ErrorCode(err); {
	case err == nil:
		return u != nil && u.ID == opened.ID && slices.Equal(u.Roles, opened.Roles) &&
			slices.Equal(u.AllowedOrgIDs, opened.AllowedOrgIDs)
	case code == desk.ENOTFOUND || code == desk.EUNAUTHORIZED:
		return false
	}
	if r.Context().Err() == nil {
		s.log.Warn("event stream: session check", "err", err)
	}
	return true
}

// revokeStreams tells the user's event streams, on every instance, that
// sessions of his ended: each checks its own and ends if it was one.
func (s *Server) revokeStreams(r *http.Request, userID int64) {
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(r.Context(), userID, desk.PushEvent{Type: eventRevoked, Data: []byte("{}")}); err != nil {
		s.log.Error("revoke event streams", "user_id", userID, "err", err)
	}
}
