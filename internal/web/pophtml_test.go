package web

import (
	"html/template"
	"strings"
	"testing"
)

// hostileValues are values that html/template escapes, each in its way.
var hostileValues = []string{
	"", "plain", `"><script>alert(1)</script>`, "a & b < c > d", "it's", "+1 555 0100", "nul\x00byte",
	"Hélène Lefèvre · Zürich", "bad utf-8 \xff\xfe here", "50% off %41%zz%4", "mailto:x@y.example?subject=a b",
	"javascript:alert(1)", "a\tb\nc d", "#!$&*+,/:;=?@[]-._~", "{}|\\^`'()", "\ufdd0\uffff",
}

// TestEscapeLikeHTMLTemplate: what the pop's hand-written fragments write of
// a value (pophtml.go) is what html/template writes of it in the same place,
// so that the page is the same and as safe.
func TestEscapeLikeHTMLTemplate(t *testing.T) {
	text := template.Must(template.New("").Parse(`<p title="{{.}}">{{.}}</p>`))
	mailto := template.Must(template.New("").Parse(`<a href="mailto:{{.}}">`))
	link := template.Must(template.New("").Parse(`<a href="{{.}}">`))
	run := func(tm *template.Template, data any) string {
		var b strings.Builder
		if err := tm.Execute(&b, data); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, v := range hostileValues {
		var b strings.Builder
		escapeText(&b, v)
		if got, want := `<p title="`+b.String()+`">`+b.String()+`</p>`, run(text, v); got != want {
			t.Errorf("escapeText(%q): %q, html/template %q", v, got, want)
		}
		b.Reset()
		escapeURLAttr(&b, v)
		if got, want := `<a href="mailto:`+b.String()+`">`, run(mailto, v); got != want {
			t.Errorf("escapeURLAttr(%q) after mailto: %q, html/template %q", v, got, want)
		}
		if got, want := `<a href="`+b.String()+`">`, run(link, template.URL(v)); got != want {
			t.Errorf("escapeURLAttr(template.URL %q): %q, html/template %q", v, got, want)
		}
		b.Reset()
		escapeURLAttr(&b, "/pop?"+v) // a string that starts a URL: allURL's
		if got, want := `<a href="`+b.String()+`">`, run(link, "/pop?"+v); got != want {
			t.Errorf("escapeURLAttr(%q): %q, html/template %q", "/pop?"+v, got, want)
		}
	}
}
