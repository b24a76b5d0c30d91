package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// suggestLimit is how many persons a suggestion list holds by default, and
// suggestMax the most a request may ask for.
const (
	suggestLimit = 10
	suggestMax   = 50
)

// personSuggestion is one person of /persons/suggest's JSON.
type personSuggestion struct {
	ID             int64             `json:"id"`
	Name           string            `json:"name"` // "First Last", as lists show it
	OrgID          int64             `json:"org_id"`
	OrgName        string            `json:"org_name"`
	Email          string            `json:"email,omitempty"`
	EmployeeNumber string            `json:"employee_number,omitempty"`
	Numbers        []suggestedNumber `json:"numbers,omitempty"`
}

// suggestedNumber is one phone number of a suggested person: its attribute
// (phone, mobile_phone, home_phone) and its value as written.
type suggestedNumber struct {
	Attribute string `json:"attribute"`
	Value     string `json:"value"`
}

// personSuggestions is /persons/suggest's JSON.
type personSuggestions struct {
	Persons []personSuggestion `json:"persons"`
	// Total counts every person the query matches; more than the list
	// holds means the user should type more.
	Total int `json:"total"`
}

// handlePersonSuggest suggests the persons a search matches, as the user
// types it in a caller search:
//
//	GET /persons/suggest?q=QUERY[&limit=N]
//
// q matches a name or first name ("ali", "alice mar"), an email, any phone
// number of the person (its digits, as typed in any format, or its last
// digits) or an employee number; fewer than 2 characters suggest nobody.
// The persons are those the user may see (his organizations'), by name, at
// most limit (default 10, at most 50). With "Accept: application/json" the
// answer is JSON:
//
//	{"persons": [{"id": 12, "name": "Alice Martin", "org_id": 3, "org_name": "Acme",
//	  "email": "alice@acme.example", "employee_number": "E-1001",
//	  "numbers": [{"attribute": "phone", "value": "+1 212 555 0100"}]}],
//	 "total": 1}
//
// (email, employee_number and numbers are left out when empty); otherwise it
// is an HTML fragment, the options of a listbox (li role=option, each with
// data-id, data-name, data-org-id and data-org-name), for a page to show as
// is. Without a session it is a redirect to the login page, as every page.
func (s *Server) handlePersonSuggest(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := desk.Authorize(ctx, desk.ActionRead, desk.ClassPerson); err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	limit := suggestLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > suggestMax {
			return desk.Invalid("limit", "error.suggest_limit", suggestMax)
		}
		limit = n
	}
	out := personSuggestions{Persons: []personSuggestion{}}
	if utf8.RuneCountInString(q) >= 2 {
		persons, total, err := s.svc.Persons.FindPersons(ctx, desk.PersonFilter{Query: q, Limit: limit})
		if err != nil {
			return err
		}
		out.Total = total
		for _, p := range persons {
			ps := personSuggestion{ID: p.ID, Name: p.FriendlyName(), OrgID: p.OrgID, OrgName: p.OrgName, Email: p.Email,
				EmployeeNumber: p.EmployeeNumber}
			for _, n := range p.Numbers() {
				ps.Numbers = append(ps.Numbers, suggestedNumber{Attribute: n.Attribute, Value: n.Value})
			}
			out.Persons = append(out.Persons, ps)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(out)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return s.suggestHTML.Execute(w, out.Persons)
}

// newSuggestHTML returns the template of /persons/suggest's HTML fragment:
// no message in it, so one template serves every language.
func newSuggestHTML() *template.Template {
	return template.Must(template.New("suggest").Parse(`{{range $i, $p := .}}<li role="option" id="suggest-{{.ID}}" aria-selected="false" data-id="{{.ID}}" data-name="{{.Name}}" data-org-id="{{.OrgID}}" data-org-name="{{.OrgName}}"><span class="s-name">{{.Name}}</span> <span class="s-org">{{.OrgName}}</span>{{with .Email}} <span class="s-more">{{.}}</span>{{end}}{{range .Numbers}} <span class="s-more">{{.Value}}</span>{{end}}{{with .EmployeeNumber}} <span class="s-more">#{{.}}</span>{{end}}</li>
{{end}}`))
}
