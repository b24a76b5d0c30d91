package web_test

import (
	"net/http"
	"testing"
)

// TestCountsInWords: a count agrees with its noun, in English (1 is
// singular) and in French (0 and 1 are).
func TestCountsInWords(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	agent, french := e.MustLogin(t, "agent"), e.MustLogin(t, "french")
	for _, tt := range []struct {
		c          *client
		path, want string
	}{
		{agent, "/organizations?q=acme", "1 organization<"},
		{agent, "/organizations", "2 organizations<"},
		{agent, "/persons?q=alice", "1 person<"},
		{agent, "/tickets?q=printer", "1 ticket<"},
		{agent, "/tickets?q=nothing-like-this", "0 tickets<"},
		{french, "/organizations?q=acme", "1 organisation<"},
		{french, "/organizations", "2 organisations<"},
		{french, "/tickets?q=nothing-like-this", "0 ticket<"},
		{french, "/persons?q=alice", "1 personne<"},
	} {
		r := tt.c.get(tt.path)
		wantStatus(t, tt.path, r, http.StatusOK)
		wantContains(t, tt.path, r, tt.want)
	}
}
