package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
)

// The pop's hot fragments written in Go: the caller cards and the lists
// (their rows are popRows). Through html/template each value of them was a
// reflective call of the value, of a function and of an escaper; the page
// they make is the one the templates made, byte for byte, with the same
// escaping: escapeText and escapeURLAttr write what html/template's
// escapers write for a string in text or in a quoted attribute, and in a
// URL attribute; constant messages are escaped as translateConstants
// writes them into the templates (html.EscapeString).

// escapeText writes s escaped as html/template escapes a string in text
// and in a quoted attribute value (its htmlReplacementTable).
func escapeText(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// escapeURLAttr writes s as html/template writes a value in a URL
// attribute after its start (href="mailto:{{.}}") or a template.URL:
// normalized (bytes a URL may not hold percent-encoded, valid escapes
// kept), then escaped as an attribute.
func escapeURLAttr(b *strings.Builder, s string) {
	var n strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue
		}
		n.WriteString(s[written:i])
		n.WriteByte('%')
		n.WriteString(hexByte(c))
		written = i + 1
	}
	if written == 0 {
		escapeText(b, s)
		return
	}
	n.WriteString(s[written:])
	escapeText(b, n.String())
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// hexByte writes c as two lower-case hexadecimal digits, as html/template
// does (%02x).
func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// callerCardHTML writes a caller of the pop's choice: his name, where he
// works, how to reach him, and why the lookup found him (the template
// "caller-card" it replaces is in the history of templates/views/pop.html).
func (s *Server) callerCardHTML(lang string, c *cti.Caller, card *callerCard) template.HTML {
	var b strings.Builder
	id := strconv.FormatInt(c.ID, 10)
	b.WriteString(`<span class="card" data-caller="` + id + `">` + "\n" + `<span class="card-head"><span class="caller-name">`)
	if card == nil { // not found by the lookup's match: his display name
		escapeText(&b, c.Display)
		b.WriteString("</span>")
	} else {
		p := card.Person
		escapeText(&b, p.FriendlyName())
		b.WriteString("</span>")
		if p.OrgName != "" {
			b.WriteString(` <span class="caller-org">`)
			escapeText(&b, p.OrgName)
			b.WriteString("</span>")
		}
	}
	b.WriteString("\n" + `<a href="/persons/` + id + `" class="hint" tabindex="-1">`)
	b.WriteString(html.EscapeString(s.i18n.t(lang, "pop.open_person")))
	b.WriteString("</a></span>\n")
	if card != nil {
		p := card.Person
		if p.Function != "" || p.LocationName != "" {
			b.WriteString(`<span class="card-line">`)
			escapeText(&b, p.Function)
			if p.Function != "" && p.LocationName != "" {
				b.WriteString(" · ")
			}
			escapeText(&b, p.LocationName)
			b.WriteString("</span>")
		}
		b.WriteString("\n")
		if p.Email != "" {
			b.WriteString(`<span class="card-line"><a href="mailto:`)
			escapeURLAttr(&b, p.Email)
			b.WriteString(`" tabindex="-1">`)
			escapeText(&b, p.Email)
			b.WriteString("</a></span>")
		}
		b.WriteString("\n" + `<span class="card-line numbers">`)
		for _, n := range card.Numbers {
			b.WriteString(`<span class="number`)
			if n.Matched {
				b.WriteString(" matched")
			}
			b.WriteString(`"><span class="number-kind">`)
			escapeText(&b, s.i18n.t(lang, "pop.number."+n.Attribute))
			b.WriteString(`</span> <a class="tel" href="`)
			escapeURLAttr(&b, string(s.phoneLink(n.Number)))
			b.WriteString(`" tabindex="-1">`)
			escapeText(&b, n.Number)
			b.WriteString("</a>")
			if n.Matched && card.Why != "" {
				b.WriteString(` <span class="why">`)
				escapeText(&b, card.Why)
				b.WriteString("</span>")
			}
			b.WriteString("</span>\n")
		}
		if !card.NumberMatched && card.Why != "" {
			b.WriteString(`<span class="why">`)
			escapeText(&b, card.Why)
			b.WriteString("</span>")
		}
		b.WriteString("</span>")
	}
	b.WriteString("\n</span>")
	return template.HTML(b.String()) // every value escaped above
}

// popListsHTML writes the pop's lists: each list's title and count, its
// table (rows, popRows) or "no ticket", and the link that shows all its rows
// when some are left out (allURL), or the hint that only the newest are
// shown; all tells that the lists show all the rows they can already.
func (s *Server) popListsHTML(lang string, lists []*cti.TicketList, rows map[string]popRows, all bool, allURL string) template.HTML {
	var b strings.Builder
	t := func(key string) string { return html.EscapeString(s.i18n.t(lang, key)) } // as translateConstants
	for _, l := range lists {
		b.WriteString(`<section class="pop-list" data-list="`)
		escapeText(&b, l.Name)
		b.WriteString(`" aria-label="`)
		escapeText(&b, l.Label)
		b.WriteString(`">` + "\n" + `<h2 tabindex="-1">`)
		escapeText(&b, l.Label)
		b.WriteString(` <span class="count">`)
		shown := len(l.Objects)
		switch {
		case l.More:
			thousand := s.i18n.t(lang, "format.thousands")
			total := groupDigits(l.Total, strings.TrimSuffix(strings.TrimPrefix(thousand, "1"), "000"))
			escapeText(&b, s.i18n.t(lang, "pop.count_of_more", shown, total))
		case shown < l.Total:
			escapeText(&b, s.i18n.t(lang, "pop.count_of", shown, l.Total))
		default:
			b.WriteString("(" + strconv.Itoa(l.Total) + ")")
		}
		b.WriteString("</span></h2>\n")
		if r := rows[l.Name]; r.HTML != "" {
			b.WriteString("<table class=\"list pop-tickets\">\n<thead><tr>\n")
			b.WriteString(`<th scope="col" class="c-kind">` + t("field.kind") + "</th>\n")
			b.WriteString(`<th scope="col" class="c-ref">` + t("field.ref") + "</th>\n")
			b.WriteString(`<th scope="col" class="c-title">` + t("field.title") + "</th>\n")
			if r.Caller {
				b.WriteString(`<th scope="col" class="c-person">` + t("field.caller_id") + "</th>\n")
			}
			b.WriteString(`<th scope="col" class="c-status">` + t("field.status") + "</th>\n")
			b.WriteString(`<th scope="col" class="c-person">` + t("field.agent_id") + "</th>\n")
			b.WriteString(`<th scope="col" class="c-num">` + t("field.priority") + "</th>\n")
			b.WriteString(`<th scope="col" class="c-date">` + t("field.last_update") + "</th>\n")
			b.WriteString(`<th scope="col"><span class="sr-only">` + t("action.edit") + "</span></th>\n")
			b.WriteString("</tr></thead>\n<tbody>\n")
			b.WriteString(string(r.HTML)) // escaped by rows
			b.WriteString("</tbody>\n</table>")
		} else {
			b.WriteString(`<p class="empty">` + t("pop.no_tickets") + "</p>")
		}
		b.WriteString("\n")
		switch {
		case shown < l.Total && !all:
			b.WriteString(`<p class="more"><a href="`)
			escapeURLAttr(&b, allURL)
			b.WriteString(`" data-all="1">`)
			if l.More {
				b.WriteString(t("pop.show_more"))
			} else {
				escapeText(&b, s.i18n.t(lang, "pop.show_all", l.Total))
			}
			b.WriteString("</a></p>\n")
		case shown < l.Total:
			b.WriteString(`<p class="hint">`)
			escapeText(&b, s.i18n.t(lang, "pop.newest_shown", shown))
			b.WriteString("</p>\n")
		}
		b.WriteString("</section>\n")
	}
	return template.HTML(b.String()) // every value escaped above
}
