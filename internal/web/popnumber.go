package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// "Add this number to a person": when the number that rang found nobody, or
// only by a shared ending ("maybe" him), the agent searches the person by
// name or email and adds the number to one of his numbers; the pop then
// finds him. Zammad's users have asked for this since 2018.

// popPersonsField is the pop's parameter with the agent's search.
const popPersonsField = "person_q"

// popPersonRows bounds the persons a search shows.
const popPersonRows = 10

// popAddNumber is the "Add this number to a person" section of the pop.
type popAddNumber struct {
	Number string
	// Back is the pop to return to, the number added.
	Back string
	// Query is the search typed, Persons what it found (Searched: it ran).
	Query    string
	Searched bool
	Persons  []*desk.Person
	// NewPerson opens the person form preset with the number, "" when the
	// pop offers no person creation.
	NewPerson string
	// Hidden are the pop's parameters the search form carries.
	Hidden []param
}

// SearchURL is where app.js asks for the persons as the agent types.
func (a *popAddNumber) SearchURL() string {
	return "/pop/persons?" + url.Values{"pop_number": {a.Number}, "back": {a.Back}}.Encode()
}

// weakOnly tells that none of the callers was found by the number itself:
// nobody, or only persons whose number shares an ending with it (the
// lookup's suffix rule), shorter than the number (every significant digit shared, but for an extension, is
// the number).
func weakOnly(res *cti.PopResult) bool {
	// The number's significant digits: a national number's leading zero (a
	// trunk prefix) is not one.
	var b strings.Builder
	for _, r := range res.Number {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	digits := len(strings.TrimLeft(b.String(), "0"))
	for _, c := range res.Callers {
		m := c.Match
		if m == nil || (m.Rule != "" && m.Rule != desk.RuleSuffix) || m.SuffixLen >= digits || !slices.Contains(desk.PhoneAttributes, m.Attribute) {
			return false
		}
	}
	return true
}

// addNumberOf returns the section of the pop v shows for res, nil when the
// number found its caller, there is no number to add, or the user may not
// change persons.
func (s *Server) addNumberOf(r *http.Request, v *popView, res *cti.PopResult) (*popAddNumber, error) {
	user := desk.UserFromContext(r.Context())
	if res.Number == "" || res.Invalid != nil || !weakOnly(res) || user == nil || !user.Can(desk.ActionModify, desk.ClassPerson) {
		return nil, nil
	}
	a := &popAddNumber{Number: res.Number, Back: "/pop?" + v.Query, Hidden: v.Hidden}
	if slices.Contains(res.Offers, desk.ClassPerson) {
		a.NewPerson = "/pop/new?" + v.Query + "&class=" + desk.ClassPerson + "&caller=0"
	}
	if q := strings.TrimSpace(r.URL.Query().Get(popPersonsField)); q != "" {
		var err error
		a.Query, a.Searched = q, true
		if a.Persons, err = s.searchPersons(r, q); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// searchPersons returns the persons whose name, first name or email hold
// every word of q, within the user's organizations.
func (s *Server) searchPersons(r *http.Request, q string) ([]*desk.Person, error) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return nil, nil
	}
	if len(words) > 8 {
		words = words[:8]
	}
	// The store matches one substring: the longest word, then every word
	// is checked here.
	longest := slices.MaxFunc(words, func(a, b string) int { return len(a) - len(b) })
	found, _, err := s.svc.Persons.FindPersons(r.Context(), desk.PersonFilter{Query: longest, Limit: 50})
	if err != nil {
		return nil, err
	}
	var out []*desk.Person
	for _, p := range found {
		text := strings.ToLower(p.FirstName + " " + p.Name + " " + p.Email)
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
			out = append(out, p)
		}
		if len(out) == popPersonRows {
			break
		}
	}
	return out, nil
}

// handlePopPersons answers the persons of a search, as the fragment of the
// pop that app.js puts in place as the agent types.
func (s *Server) handlePopPersons(w http.ResponseWriter, r *http.Request) error {
	if err := desk.Authorize(r.Context(), desk.ActionModify, desk.ClassPerson); err != nil {
		return err
	}
	q := r.URL.Query()
	a := &popAddNumber{Number: strings.TrimSpace(q.Get("pop_number")), Back: localPopPath(q.Get("back")),
		Query: strings.TrimSpace(q.Get(popPersonsField))}
	if a.Query != "" {
		var err error
		a.Searched = true
		if a.Persons, err = s.searchPersons(r, a.Query); err != nil {
			return err
		}
	}
	v := &popView{AddNumber: a}
	v.CSRF = sessionCSRF(sessionToken(r))
	return s.renderFragment(w, r, "pop", "pop-persons", v)
}

// handlePopAddNumber adds the number that rang to one of a person's numbers
// (phone, mobile or home), and returns to the pop, which now finds him.
func (s *Server) handlePopAddNumber(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := r.PostForm
	id, err := strconv.ParseInt(f.Get("person_id"), 10, 64)
	if err != nil || id <= 0 {
		return desk.Invalid("person_id", "error.pop_choose_person")
	}
	attribute := f.Get("attribute")
	if !slices.Contains(desk.PhoneAttributes, attribute) {
		return desk.Invalid("attribute", "error.pop_number_attribute")
	}
	number := strings.TrimSpace(f.Get("pop_number"))
	if number == "" {
		return desk.Invalid("pop_number", "error.pop_number_missing")
	}
	if _, err := s.svc.Persons.FindPersonByID(ctx, id); err != nil {
		return err
	}
	if err := desk.Authorize(ctx, desk.ActionModify, desk.ClassPerson); err != nil {
		return err
	}
	var u desk.PersonUpdate
	switch attribute {
	case desk.AttrPhone:
		u.Phone = &number
	case desk.AttrMobilePhone:
		u.MobilePhone = &number
	case desk.AttrHomePhone:
		u.HomePhone = &number
	}
	if _, err := s.svc.Persons.UpdatePerson(ctx, id, u); err != nil {
		return err
	}
	redirect(w, r, localPopPath(f.Get("back")))
	return nil
}

// localPopPath returns back when it is a pop of this site, else the pop of
// nothing.
func localPopPath(back string) string {
	if p := localPath(back); strings.HasPrefix(p, "/pop?") {
		return p
	}
	return "/pop"
}
