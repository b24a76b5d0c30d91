package desk

import "strings"

// AgentSettings are a user's telephony settings: the extension the phone
// system knows him by, and whether his open ctidesk tab opens the screen pop
// by itself when he answers a call.
type AgentSettings struct {
	UserID int64  `json:"user_id"`
	Login  string `json:"login"`
	// Name is derived: the user's contact's name, else his login.
	Name      string `json:"name"`
	Extension string `json:"extension,omitempty"`
	// PopOnAnswer opens the screen pop in the agent's tab on answer; true
	// unless he turned it off.
	PopOnAnswer bool `json:"pop_on_answer"`
}

// Validate checks the settings.
func (a *AgentSettings) Validate() error {
	a.Extension = strings.TrimSpace(a.Extension)
	if len(a.Extension) > 64 || strings.ContainsAny(a.Extension, " \t\r\n") {
		return Invalid("extension", "error.extension_form")
	}
	return nil
}

// AgentSettingsUpdate holds the settings to change; nil leaves one as it is.
type AgentSettingsUpdate struct {
	Extension   *string
	PopOnAnswer *bool
}
