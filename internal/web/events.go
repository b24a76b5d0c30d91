package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The browsers' event stream (DESIGN.md section 7): GET /events is a
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
)

func (s *Server) registerEventRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /events", s.handleEvents)
}

// streams ends every event stream when the server shuts down:
// http.Server.Shutdown waits for connections to go idle, which a stream
// never does by itself.
type streams struct {
	once sync.Once
	done chan struct{}
}

func newStreams() *streams { return &streams{done: make(chan struct{})} }

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

// handleEvents streams the user's push events until he goes, or the server
// does. Not logged in, it answers 401: an EventSource cannot follow the
// login page.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	user := desk.UserFromContext(r.Context())
	if user == nil {
		http.Error(w, "You must log in.", http.StatusUnauthorized)
		return
	}
	if s.bus == nil {
		http.Error(w, "There are no push events on this server.", http.StatusNotFound)
		return
	}
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
			// JSON holds no raw line break, so data fits one line.
			if !write("id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, ev.Data) {
				return
			}
		case <-heartbeat.C:
			if !write(": heartbeat\n\n") {
				return
			}
		}
	}
}
