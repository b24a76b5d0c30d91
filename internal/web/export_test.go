package web

// Exports for the tests of package web_test.

// MessageKeys returns every message key with its English and French text.
func MessageKeys() map[string][2]string { return messages }

// TemplateMessageKeys returns, for each view, the literal keys its templates
// pass to t.
func (s *Server) TemplateMessageKeys() map[string][]string {
	out := map[string][]string{}
	for name, t := range s.views["EN US"] {
		out[name] = templateKeys(t)
	}
	return out
}

// ErrorMessageFormats returns the English formats of the domain messages the
// catalog translates.
func ErrorMessageFormats() []string {
	var out []string
	for _, e := range errorMessages {
		out = append(out, e[0])
	}
	return out
}

// TelURL exposes telURL.
func TelURL(number string) string { return string(telURL(number)) }

// LocalPath exposes localPath.
func LocalPath(next string) string { return localPath(next) }
