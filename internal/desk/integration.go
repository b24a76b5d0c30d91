package desk

import (
	"strings"
	"time"
	"unicode/utf8"
)

// IntegrationTokenPrefix starts every integration token: a token that leaks
// is recognized for what it is, and is never taken for an API token.
const IntegrationTokenPrefix = "cti_"

// Integration is a phone system allowed to post call events, with its own
// token. Unlike an API token, an integration token may only post call
// events: it reads nothing, so it may travel in a URL as Zammad's does, and
// phone systems whose scripts cannot set a header can use it.
type Integration struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// RingAllAgents: an inbound call that names no known agent and whose
	// queue has no target rings for every agent who may see the caller, as
	// Zammad notifies every agent; on unless turned off.
	RingAllAgents bool `json:"ring_all_agents"`
}

// IntegrationUpdate holds the settings of an integration to change; nil
// leaves one as it is.
type IntegrationUpdate struct {
	RingAllAgents *bool
}

// Revoked reports whether the integration's token was revoked.
func (i *Integration) Revoked() bool { return i.RevokedAt != nil }

// ValidateIntegrationName trims an integration's name and checks it.
func ValidateIntegrationName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, Invalid("name", "error.name_required")
	case utf8.RuneCountInString(name) > 100:
		return name, Invalid("name", "error.integration_name_too_long")
	}
	return name, nil
}
