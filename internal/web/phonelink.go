package web

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"strings"
)

// Click-to-call: every number a page shows is a link the browser hands to
// the softphone. The link is tel: by default (RFC 3966); a deployment may
// choose sip:, sips:, callto:, or a template with $number$ for a softphone's
// own scheme (tksuite:$number$?call).

// phoneLinkScheme is what a phone link template may start with: a URL
// scheme, never one a browser would run (javascript:, data:, vbscript:).
var phoneLinkScheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// unsafeSchemes are the schemes a phone link may not use.
var unsafeSchemes = map[string]bool{"javascript": true, "data": true, "vbscript": true, "file": true, "blob": true}

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
	m := phoneLinkScheme.FindStringSubmatch(pattern)
	if m == nil {
		return nil, fmt.Errorf("phone link %q does not start with a URL scheme (tel:, sip:, callto:…)", pattern)
	}
	if unsafeSchemes[strings.ToLower(m[1])] {
		return nil, fmt.Errorf("phone link %q: the %s: scheme is not allowed", pattern, m[1])
	}
	if !strings.Contains(pattern, "$number$") {
		if pattern != m[0] {
			return nil, fmt.Errorf("phone link %q: give a scheme (sip:) or a template with $number$", pattern)
		}
		pattern += "$number$"
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
