package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Pager is the paging of a list, for the "pager" partial.
type Pager struct {
	Page, Pages, Total int
	PrevURL, NextURL   string
}

// pageNumber reads the page parameter: a missing or odd value is page 1.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// newPager returns the paging of a list of total rows on page, with links
// that keep the other parameters of the request.
func newPager(r *http.Request, page, total int) *Pager {
	p := &Pager{Page: page, Total: total, Pages: (total + pageSize - 1) / pageSize}
	if p.Pages < 1 {
		p.Pages = 1
	}
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("page")
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	if page > 1 {
		p.PrevURL = link(min(page-1, p.Pages))
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// queryID reads an optional numeric id from the query string: absent is nil,
// anything but a positive number is a bad request.
func queryID(r *http.Request, name string) (*int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, desk.Invalid(name, "error.not_identifier", v)
	}
	return &id, nil
}

// formID reads an optional numeric id from a posted form: empty is 0.
func formID(r *http.Request, name string) (int64, error) {
	v := r.PostForm.Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, desk.Invalid(name, "error.not_identifier", v)
	}
	return id, nil
}

// orgOptions returns the organizations for a select, with the selected one
// included even when it is not among the first.
func (s *Server) orgOptions(r *http.Request, selected int64) ([]*desk.Organization, error) {
	orgs, _, err := s.svc.Organizations.FindOrganizations(r.Context(), desk.OrganizationFilter{Limit: selectLimit})
	if err != nil {
		return nil, err
	}
	if selected != 0 && !containsID(orgs, selected, func(o *desk.Organization) int64 { return o.ID }) {
		if o, err := s.svc.Organizations.FindOrganizationByID(r.Context(), selected); err == nil {
			orgs = append([]*desk.Organization{o}, orgs...)
		}
	}
	return orgs, nil
}

func containsID[T any](items []T, id int64, idOf func(T) int64) bool {
	for _, it := range items {
		if idOf(it) == id {
			return true
		}
	}
	return false
}
