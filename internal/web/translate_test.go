package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/locale"
)

// TestTranslateConstants: a page whose constant messages were written into
// the template renders as it did through t, escaped alike in text and in
// attribute values; an unknown key fails at start-up.
func TestTranslateConstants(t *testing.T) {
	c := catalogOf(locale.New(map[string]map[string]string{
		"EN US": {"plain": "Show all", "markup": `Fish & "chips" <b>`, "count": "%d of %d"},
		"FR FR": {"plain": "Tout afficher", "markup": `Poisson & « frites » l'été <b>`, "count": "%d sur %d"},
	}))
	const src = `{{define "page"}}<p title="{{t "markup"}}">{{t "markup"}} {{t "plain"}} {{t "count" 2 3}}</p>` +
		`{{if .}}<span>{{t "plain"}}</span>{{end}}{{range .}}<i data-x="{{t "markup"}}">{{.}}</i>{{end}}{{end}}`
	for _, lang := range []string{"EN US", "FR FR"} {
		render := func(translate bool) string {
			tpl := template.Must(template.New("x").Funcs(template.FuncMap{
				"t": func(key string, args ...any) string { return c.t(lang, key, args...) },
			}).Parse(src))
			if translate {
				if err := c.translateConstants(tpl, lang); err != nil {
					t.Fatal(err)
				}
			}
			var b strings.Builder
			if err := tpl.ExecuteTemplate(&b, "page", []string{"a", "b"}); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		want, got := render(false), render(true)
		if got != want {
			t.Errorf("%s: written into the template:\n%s\nthrough t:\n%s", lang, got, want)
		}
		if strings.Contains(got, "<b>") {
			t.Errorf("%s: markup of a message reached the page: %s", lang, got)
		}
	}
	tpl := template.Must(template.New("x").Funcs(template.FuncMap{"t": func(string, ...any) string { return "" }}).
		Parse(`{{define "page"}}{{if true}}{{t "nope"}}{{end}}{{end}}`))
	if err := c.translateConstants(tpl, "EN US"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown key: %v, want an error naming it", err)
	}
}
