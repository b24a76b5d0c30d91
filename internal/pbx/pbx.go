// Package pbx holds the adapters that follow a phone system's own events and
// turn them into ctidesk's call events (internal/cti: newCall, answer,
// hangup), posted to a ctidesk server: the Asterisk Manager Interface
// (asterisk.go, ami.go) and FreeSWITCH's event socket (freeswitch.go,
// esl.go). They share the connection, its back-off and the posting
// (follow.go), and the calls followed (calls.go). Phone systems that post
// the events themselves (3CX, Zammad's scripts, a FreeSWITCH dialplan) need
// no adapter: see docs/integrations.
package pbx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
)

// Poster delivers call events to ctidesk and returns its answer.
type Poster interface {
	Post(ctx context.Context, ev *cti.Event) (*cti.Reply, error)
}

// Webhook posts call events to a ctidesk server's /api/v1/cti/events, as
// JSON, with an integration's token: the adapter may run on the phone
// system's machine, and the events reach the instance that serves the
// agents' browsers.
type Webhook struct {
	// URL is ctidesk's base URL (https://desk.example.com).
	URL string
	// Token is the integration's token (cti_…).
	Token string
	// Client sends the requests; default: one with a 10 s timeout.
	Client *http.Client
}

// ErrRejected is wrapped by the errors of events ctidesk refused (4xx):
// posting them again cannot succeed.
var ErrRejected = errors.New("ctidesk refused the event")

// Post posts ev and decodes the answer. A 4xx answer is ErrRejected,
// with ctidesk's message.
func (w *Webhook) Post(ctx context.Context, ev *cti.Event) (*cti.Reply, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(w.URL, "/")+"/api/v1/cti/events",
		bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("post call event: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.Token)
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post call event: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("post call event: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal(b, &e)
		err := fmt.Errorf("post call event: %s: %s", resp.Status, e.Error.Message)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			err = fmt.Errorf("%w: %s: %s", ErrRejected, resp.Status, e.Error.Message)
		}
		return nil, err
	}
	var reply cti.Reply
	if err := json.Unmarshal(b, &reply); err != nil {
		return nil, fmt.Errorf("post call event: the answer is not JSON: %w", err)
	}
	return &reply, nil
}
