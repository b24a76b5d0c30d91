package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/ctidesk/ctidesk/internal/config"
)

// Click-to-call: every number a page shows is a link the browser hands to
// the softphone. The link is tel: by default (RFC 3966); a deployment may
// choose sip:, sips:, callto:, or a template with $number$ for a softphone's
// own scheme (tksuite:$number$?call).

// phoneLinker returns the function that makes the link of a number under
// pattern: "" or "tel:" for tel: links, "sip:", "sips:", "callto:" for
// those schemes, or a template containing $number$. The number in a link is
// only its digits, a leading + and, for tel:, the extension; so the link is
// safe to mark as a URL.
func phoneLinker(pattern string) (func(string) template.URL, error) {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" || pattern == "tel:" {
		return telURL, nil
	}
	if err := config.CheckPhoneLink(pattern); err != nil {
		return nil, fmt.Errorf("phone %w", err)
	}
	if !strings.Contains(pattern, "$number$") {
		pattern += "$number$" // a scheme alone: sip:, callto:
	}
	return func(number string) template.URL {
		main, _ := splitExtension(number)
		var b strings.Builder
		for i, c := range strings.TrimSpace(main) {
			if c == '+' && i == 0 || c >= '0' && c <= '9' {
				b.WriteRune(c)
			}
		}
		return template.URL(strings.ReplaceAll(pattern, "$number$", url.PathEscape(b.String())))
	}, nil
}
