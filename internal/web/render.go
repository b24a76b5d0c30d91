package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
)

//go:embed templates
var templateFS embed.FS

// Layout is what the layout template needs on every page; each view's data
// embeds it.
type Layout struct {
	Lang      string // "EN US" or "FR FR"
	HTMLLang  string // "en" or "fr"
	Nav       string // the current section, for aria-current
	User      *desk.User
	CSRF      string // token for the forms of the page
	Path      string // the current path and query, where the language switch returns
	Q         string // the global search box
	Languages []string
	// Push opens the user's event stream (/events) on the page: call notices
	// and the screen pop on answer.
	Push bool
	// NavHTML and LanguageButtons are the partials "nav" and
	// "language-buttons", rendered once for all the pages that show them
	// alike (Server.partial).
	NavHTML, LanguageButtons template.HTML
	// CallbacksDue counts the callbacks not done that are the user's or
	// nobody's (the partial callbacks-due), on every page but the pop.
	CallbacksDue int
}

func (l *Layout) layout() *Layout { return l }

// viewData is the data of a view: anything that embeds Layout.
type viewData interface{ layout() *Layout }

// parseTemplates parses the layout, the partials and each view once per
// language, with a `t` function bound to that language, and checks that every
// message key the templates name exists.
func (s *Server) parseTemplates() (map[string]map[string]*template.Template, error) {
	viewFiles, err := fs.Glob(templateFS, "templates/views/*.html")
	if err != nil {
		return nil, err
	}
	if len(viewFiles) == 0 {
		return nil, fmt.Errorf("web: no view template")
	}
	out := make(map[string]map[string]*template.Template)
	s.viewKeys = map[string][]string{}
	for _, lang := range desk.Languages {
		base, err := template.New("base").Funcs(s.funcs(lang)).ParseFS(templateFS,
			"templates/layout/*.html", "templates/partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: parse templates: %w", err)
		}
		baseKeys := templateKeys(base) // before the constant ones are written in
		if err := s.i18n.translateConstants(base, lang); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		out[lang] = make(map[string]*template.Template)
		for _, f := range viewFiles {
			name := strings.TrimSuffix(path.Base(f), ".html")
			t, err := base.Clone()
			if err == nil {
				t, err = t.ParseFS(templateFS, f)
			}
			if err == nil {
				s.viewKeys[name] = append(templateKeys(t), baseKeys...)
				err = s.i18n.translateConstants(t, lang)
			}
			if err != nil {
				return nil, fmt.Errorf("web: parse template %s: %w", f, err)
			}
			for _, required := range []string{"layout", "title", "content"} {
				if t.Lookup(required) == nil {
					return nil, fmt.Errorf("web: template %s: no %q template", f, required)
				}
			}
			out[lang][name] = t
		}
	}
	// The keys are the same for every language: check them once.
	for name, keys := range s.viewKeys {
		for _, key := range keys {
			if !s.i18n.has(key) {
				return nil, fmt.Errorf("web: template %s: unknown message key %q", name, key)
			}
		}
	}
	return out, nil
}

// fieldData is one labeled input of a form, for the "field" partial.
type fieldData struct {
	Name, Label, Value, Error, Type string
	Required, Autofocus             bool
	Rows                            int // a textarea when > 0
}

// callActionsData is the data of the "call-actions" partial.
type callActionsData struct {
	Action  string
	Options []cti.CallOption
	CSRF    string
}

// levelData is a select of priority, urgency or impact, for the "level"
// partial.
type levelData struct {
	Name, Label, Error string
	Value              int
	Levels             []int
}

// formatDate writes t in lang's date and time format, "" for the zero time.
func (s *Server) formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(s.i18n.t(lang, "format.datetime"))
}

// funcs returns the template functions for one language.
func (s *Server) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		// t returns the message of key, formatted with args.
		"t": func(key string, args ...any) string { return s.i18n.t(lang, key, args...) },
		// n returns the message of key in the form for count ("1
		// organization", "2 organizations"), formatted with args (count
		// is not among them unless given again).
		"n": func(key string, count int, args ...any) string {
			return s.i18n.printer(lang).N(key, count, args...)
		},
		// label returns the message of prefix.value, for enumerations
		// (statuses, kinds, attribute names).
		"label": func(prefix string, value any) string {
			return s.i18n.t(lang, prefix+"."+fmt.Sprint(value))
		},
		"date":     func(t time.Time) string { return s.formatDate(lang, t) },
		"duration": func(seconds int) string { return talk(time.Duration(seconds) * time.Second) },
		// phoneTime writes seconds on the phone as h:mm:ss ("0:14:32").
		"phoneTime": func(seconds int) string {
			return fmt.Sprintf("%d:%02d:%02d", seconds/3600, seconds/60%60, seconds%60)
		},
		// number writes n with the language's digit grouping, that of one
		// thousand as the language writes it (1,000; 1 000).
		"number": func(n int) string {
			thousand := s.i18n.t(lang, "format.thousands")
			return groupDigits(n, strings.TrimSuffix(strings.TrimPrefix(thousand, "1"), "000"))
		},
		// langName is a language's name for itself, langTag its tag, for
		// the language switch.
		"langName": func(code string) string { return s.i18n.t(code, "language.name") },
		"langTag":  func(code string) string { return htmlLang(code) },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"tel":      func(number string) template.URL { return s.phoneLink(number) },
		"static": func(name string) (string, error) {
			u, ok := s.static.url[name]
			if !ok {
				return "", fmt.Errorf("no static file %q", name)
			}
			return u, nil
		},
		"hasLevels": desk.HasLevels,
		// ticketTable is the data of the "tickets-table" partial for a
		// list that does not sort.
		"ticketTable": func(tickets []*desk.Ticket) ticketTable { return ticketTable{Tickets: tickets} },
		"telInput":    newTelInput,
		"telUsers":    newTelUsers,
		// callActions builds the data of the "call-actions" partial.
		"callActions": func(action string, options []cti.CallOption, csrf string) callActionsData {
			return callActionsData{Action: action, Options: options, CSRF: csrf}
		},
		"levelField": func(name, label string, value int, levels []int, errs map[string]string) levelData {
			return levelData{Name: name, Label: label, Value: value, Levels: levels, Error: errs[name]}
		},
		// field builds the data of the "field" partial; opts are "email",
		// "tel", "required", "autofocus" or "textarea".
		"field": func(name, label string, value any, errs map[string]string, opts ...string) fieldData {
			f := fieldData{Name: name, Label: label, Type: "text", Error: errs[name]}
			switch v := value.(type) {
			case string:
				f.Value = v
			case int, int64:
				if fmt.Sprint(v) != "0" {
					f.Value = fmt.Sprint(v)
				}
			default:
				f.Value = fmt.Sprint(v)
			}
			for _, o := range opts {
				switch o {
				case "required":
					f.Required = true
				case "autofocus":
					f.Autofocus = true
				case "textarea":
					f.Rows = 6
				default:
					f.Type = o
				}
			}
			return f
		},
	}
}

// maxPooledPage bounds the buffers render keeps for the next pages.
const maxPooledPage = 256 << 10

// render executes a view in the language of the request and writes it with
// status. The page is rendered to a buffer first, so that a template error
// becomes a clean 500 and not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, view string, data viewData) error {
	l := data.layout()
	l.Lang = s.lang(r)
	l.HTMLLang = htmlLang(l.Lang)
	l.User = desk.UserFromContext(r.Context())
	if l.CSRF == "" {
		l.CSRF = sessionCSRF(sessionToken(r))
	}
	if l.Path == "" {
		l.Path = currentPage(r)
	}
	l.Languages = desk.Languages
	l.Push = l.User != nil && s.bus != nil
	if l.User != nil && view != "pop" && s.svc.Callbacks != nil && l.User.Can(desk.ActionRead, desk.ClassPhoneCall) {
		n, err := s.svc.Callbacks.CountDueCallbacks(r.Context())
		if err != nil {
			s.log.Error("count callbacks due", "err", err)
		}
		l.CallbacksDue = n
	}
	t := s.views[l.Lang][view]
	if t == nil {
		return fmt.Errorf("render: no view %q", view)
	}
	if l.User != nil {
		var err error
		nav := navData{Nav: l.Nav, Calls: l.User.Can(desk.ActionRead, desk.ClassPhoneCall),
			Admin: l.User.Can(desk.ActionModify, desk.ClassUser)}
		if l.NavHTML, err = s.partial(t, partialKey{l.Lang, "nav", nav}, nav); err != nil {
			return err
		}
		langs := languagesData{Lang: l.Lang, Languages: l.Languages}
		if l.LanguageButtons, err = s.partial(t, partialKey{l.Lang, "language-buttons", navData{}}, langs); err != nil {
			return err
		}
	}
	buf, _ := s.pages.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledPage { // a rare huge page is not kept
			buf.Reset()
			s.pages.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", view, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show private data: no shared or stale copies.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	if err != nil {
		s.log.Debug("write response", "err", err)
	}
	return nil
}

// navData is the data of the partial "nav": the section of the page, and
// whether the user sees the call log and the administration.
type navData struct {
	Nav          string
	Calls, Admin bool
}

// languagesData is the data of the partial "language-buttons".
type languagesData struct {
	Lang      string
	Languages []string
}

// partialKey names a partial rendered for a language and a navigation.
type partialKey struct {
	lang, name string
	nav        navData
}

// partial returns the partial key.name of t rendered with data, which
// key's language and navigation determine: rendered once, then kept (a few
// dozen of them: languages × sections × rights). A page's header is the
// same for every page of a section, and its actions were a fifth of the
// pop's rendering.
func (s *Server) partial(t *template.Template, key partialKey, data any) (template.HTML, error) {
	if h, ok := s.partials.Load(key); ok {
		return h.(template.HTML), nil
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, key.name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", key.name, err)
	}
	h := template.HTML(b.String()) // html/template's output
	s.partials.Store(key, h)
	return h, nil
}

// currentPage returns the page the browser shows, for the language switch to
// return to: the URL of a GET, or for a form shown again after a POST the
// page the form was on (a POST URL cannot be opened with GET).
func currentPage(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return localPath(ref.RequestURI())
	}
	return "/"
}

// telURL returns the tel: URL of a phone number as written by a person: only
// its digits and a leading +, and the extension (ext, x, #, ;ext=) as ;ext=.
// Built from digits alone, it is safe to mark as a URL.
func telURL(number string) template.URL {
	main, ext := splitExtension(number)
	var b strings.Builder
	b.WriteString("tel:")
	for i, c := range strings.TrimSpace(main) {
		if c == '+' && i == 0 {
			b.WriteRune(c)
		} else if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	if ext = digitsOnly(ext); ext != "" {
		b.WriteString(";ext=" + ext)
	}
	return template.URL(b.String())
}

// splitExtension cuts an extension off a number: "+1 555 0100 ext. 12",
// "555-0100 x12", "5550100#12", "tel:+1-555-0100;ext=12".
func splitExtension(number string) (main, ext string) {
	lower := strings.ToLower(number)
	lower = strings.TrimPrefix(lower, "tel:")
	cut := len(lower)
	for _, marker := range []string{";ext=", "ext", "x", "#"} {
		if i := strings.Index(lower, marker); i >= 0 && i < cut {
			cut = i
		}
	}
	return lower[:cut], lower[cut:]
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// htmlLang returns the lang attribute of a language: its primary subtag
// ("fr" for FR FR).
func htmlLang(code string) string {
	primary, _, _ := strings.Cut(locale.Tag(code), "-")
	return primary
}

// groupDigits writes n with sep between each group of three digits.
func groupDigits(n int, sep string) string {
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}
