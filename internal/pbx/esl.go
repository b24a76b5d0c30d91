package pbx

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// FreeSWITCH's event socket protocol (mod_event_socket, inbound mode):
// commands are a line ended by an empty line; each message of FreeSWITCH is
// "Key: Value" header lines up to an empty line, and, when a Content-Length
// header says so, that many bytes of body. An event in the plain format is
// such a body: its headers as "Name: value" lines, the values URL-encoded.

// ESLFrame is one message of the event socket.
type ESLFrame struct {
	// Header holds the message's headers: Content-Type (auth/request,
	// command/reply, api/response, text/event-plain,
	// text/disconnect-notice), Reply-Text, Content-Length.
	Header Message
	// Body is the Content-Length bytes that follow, if any.
	Body []byte
}

// Limits of an event socket message, against a peer that never ends one.
const (
	maxESLLine = 16 << 10
	maxESLBody = 8 << 20
)

// ReadESLFrame reads one message of the event socket from r, whose buffer
// holds at least maxESLLine bytes.
func ReadESLFrame(r *bufio.Reader) (*ESLFrame, error) {
	h, err := ReadMessage(r)
	if err != nil {
		return nil, err
	}
	f := &ESLFrame{Header: h}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil || n < 0 || n > maxESLBody {
			return nil, fmt.Errorf("esl: bad Content-Length %q", cl)
		}
		// Read as the bytes come, rather than trust the announced size.
		f.Body, err = io.ReadAll(io.LimitReader(r, int64(n)))
		if err == nil && len(f.Body) < n {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, fmt.Errorf("esl: read the body: %w", err)
		}
	}
	return f, nil
}

// ParseESLEvent reads an event in the plain format: its header lines, their
// values URL-decoded (a value that does not decode is kept as it is), up to
// an empty line; what follows (the body of a few kinds of events) is
// ignored.
func ParseESLEvent(body []byte) Message {
	m := Message{}
	for line := range bytes.Lines(body) {
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(": "))
		if !ok {
			continue
		}
		value := string(v)
		if d, err := url.PathUnescape(value); err == nil {
			value = d
		}
		m[strings.ToLower(string(k))] = value
	}
	return m
}

// eslCommand formats a command: one line (a line break inside would start
// another command), then the empty line that ends it.
func eslCommand(cmd string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(cmd) + "\n\n"
}
