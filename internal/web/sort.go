package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// listSort is the order of a list page as its URL says (?sort=KEY&dir=desc),
// and makes the links of its column headers: each keeps the filters of the
// request, starts again at page 1, and sorts by its column, the other way
// round when it is the column sorted by.
type listSort struct {
	// Key is the sort key, "" for the list's default order; Desc is
	// dir=desc.
	Key  string
	Desc bool
	// keys are the sortable columns; base is the list's URL.
	keys []string
	base *url.URL
}

// readSort reads ?sort= and ?dir= for a list whose sortable columns are
// keys; an unknown key is checked by the store, which refuses it.
func readSort(r *http.Request, keys []string) *listSort {
	q := r.URL.Query()
	return &listSort{Key: q.Get("sort"), Desc: q.Get("dir") == "desc", keys: keys, base: r.URL}
}

// sortColumn is one header of a list: its label, and the link that sorts by
// it (none for a list that does not sort).
type sortColumn struct {
	Key, Label, URL string
	// Aria is the header's aria-sort: "ascending" or "descending" on the
	// column sorted by.
	Aria string
}

// Col returns the header of the column key, labelled label. A nil listSort
// (a list that does not sort: home's, a person's) gives the label alone.
func (s *listSort) Col(key, label string) sortColumn {
	c := sortColumn{Key: key, Label: label}
	if s == nil || !slices.Contains(s.keys, key) {
		return c
	}
	// Dates read newest first; text and levels from the top.
	desc := key == "last_update"
	if s.Key == key {
		c.Aria = "ascending"
		if s.Desc {
			c.Aria = "descending"
		}
		desc = !s.Desc
	}
	q := s.base.Query()
	q.Del("page")
	q.Set("sort", key)
	q.Del("dir")
	if desc {
		q.Set("dir", "desc")
	}
	u := url.URL{Path: s.base.Path, RawQuery: q.Encode()}
	c.URL = u.String()
	return c
}

// ticketTable is the data of the "tickets-table" partial: the tickets, and
// the order of a list that sorts (nil: the headers are not links).
type ticketTable struct {
	Tickets []*desk.Ticket
	Sort    *listSort
}
