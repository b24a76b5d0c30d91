package pbx_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/pbx"
)

func TestWebhook(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev cti.Event
		if r.URL.Path != "/api/v1/cti/events" || r.Header.Get("Authorization") != "Bearer cti_test" ||
			json.Unmarshal(body, &ev) != nil {
			http.Error(w, `{"error": {"code": "unauthorized", "message": "no"}}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch ev.CallID {
		case "blocked":
			io.WriteString(w, `{"action": "reject", "reason": "busy"}`)
		case "bad":
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"error": {"code": "invalid", "message": "Invalid direction", "field": "direction"}}`)
		case "down":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()
	hook := &pbx.Webhook{URL: srv.URL + "/", Token: "cti_test"}
	post := func(id string) (*cti.Reply, error) {
		return hook.Post(context.Background(), &cti.Event{Event: "newCall", CallID: id, Direction: "in", From: "1", To: "2"})
	}
	if r, err := post("ok"); err != nil || *r != (cti.Reply{}) {
		t.Fatalf("ok: %+v, %v", r, err)
	}
	if r, err := post("blocked"); err != nil || r.Action != "reject" || r.Reason != "busy" {
		t.Fatalf("blocked: %+v, %v", r, err)
	}
	if _, err := post("bad"); !errors.Is(err, pbx.ErrRejected) || !strings.Contains(err.Error(), "Invalid direction") {
		t.Fatalf("bad: %v, want ErrRejected with the message", err)
	}
	if _, err := post("down"); err == nil || errors.Is(err, pbx.ErrRejected) {
		t.Fatalf("down: %v, want an error to retry", err)
	}
	hook.Token = "cti_wrong"
	if _, err := post("ok"); !errors.Is(err, pbx.ErrRejected) {
		t.Fatalf("wrong token: %v", err)
	}
}
