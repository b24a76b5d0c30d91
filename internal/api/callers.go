package api

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/ctidesk/ctidesk/internal/desk"
)

func (s *Server) apiCallerRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/api/v1/callers", s.apiCallers},
	}
}

// apiCaller is one person found for a caller: who, of which organization,
// how to reach them, what matched, and where to open the screen pop.
type apiCaller struct {
	ID             int64  `json:"id"`
	FirstName      string `json:"first_name"`
	Name           string `json:"name"`
	FriendlyName   string `json:"friendlyname"`
	OrgID          int64  `json:"org_id"`
	OrgName        string `json:"org_name"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	MobilePhone    string `json:"mobile_phone"`
	HomePhone      string `json:"home_phone"`
	EmployeeNumber string `json:"employee_number"`
	SupportID      string `json:"support_id"`
	// Attribute is the person's attribute that matched (phone, mobile_phone,
	// home_phone, employee_number, support_id) or "request" for a ticket's
	// caller; Stored its value (the ticket's reference for request).
	Attribute string `json:"attribute"`
	Stored    string `json:"stored"`
	Rank      int    `json:"rank"`
	// Rule is how a number matched: e164, national, suffix or extension
	// (desk.CallerMatch.Rule); Why says it in words, with explain=1.
	Rule string `json:"rule,omitempty"`
	Why  string `json:"why,omitempty"`
	// PopURL opens the screen pop for the parameter that matched, this caller
	// selected; URL is the person's page.
	PopURL string `json:"pop_url"`
	URL    string `json:"url"`
}

// apiCallersAnswer is the answer of GET /api/v1/callers.
type apiCallersAnswer struct {
	// Matched is the parameter that found the callers, "" when none did.
	Matched string      `json:"matched"`
	Tried   []string    `json:"tried"`
	Callers []apiCaller `json:"callers"`
	// TicketID is the ticket of a request match.
	TicketID int64 `json:"ticket_id,omitempty"`
	// NearMisses, with explain=1, are the persons whose numbers share the
	// caller's last digits without matching, and why.
	NearMisses []desk.NearMissReport `json:"near_misses,omitempty"`
}

// apiCallers answers who is calling: the callers the first parameter that
// finds any finds, ranked, in the lookup order: the screen pop's lookup
// (cti.CallerLookup), so that both find the same callers in the same order.
func (s *Server) apiCallers(w http.ResponseWriter, r *http.Request) error {
	res, err := s.lookup.Lookup(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	if res.Matched == "" && res.Invalid != nil {
		return res.Invalid
	}
	ans := apiCallersAnswer{Matched: res.Matched, Tried: res.Tried, Callers: []apiCaller{}}
	if res.Ticket != nil {
		ans.TicketID = res.Ticket.ID
	}
	base := s.baseURL(r)
	explain := r.URL.Query().Get("explain") == "1"
	for _, m := range res.Callers {
		c := newAPICaller(base, res.Matched, res.Value, m)
		if explain {
			c.Why = desk.MatchRuleText(s.en.T, m.Rule, m.SuffixLen)
		}
		ans.Callers = append(ans.Callers, c)
	}
	if explain {
		misses, err := s.nearMisses(r)
		if err != nil {
			return err
		}
		ans.NearMisses = []desk.NearMissReport{}
		for _, n := range misses {
			report := n.Report(s.en.T)
			if n.Person.ID != 0 { // not an agent without a contact person
				report.URL = fmt.Sprintf("%s/persons/%d", base, n.Person.ID)
			}
			ans.NearMisses = append(ans.NearMisses, report)
		}
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// nearMisses returns the near misses of the phone number among the lookup
// parameters of r; none without a number, or for a number that cannot be
// looked up (its error is the lookup's).
func (s *Server) nearMisses(r *http.Request) ([]*desk.NearMiss, error) {
	in, err := s.lookup.Input(r.URL.Query())
	if err != nil || s.svc.Callers == nil {
		return nil, nil // the lookup itself answered for its parameters
	}
	number := in.Number()
	if number == "" {
		return nil, nil
	}
	_, misses, err := s.svc.Callers.ExplainCallersByNumber(r.Context(), number)
	if desk.ErrorCode(err) == desk.EINVALID {
		return nil, nil
	}
	return misses, err
}

func newAPICaller(base, param, value string, m *desk.CallerMatch) apiCaller {
	p := m.Person
	return apiCaller{
		ID: p.ID, FirstName: p.FirstName, Name: p.Name, FriendlyName: p.FriendlyName(),
		OrgID: p.OrgID, OrgName: p.OrgName, Email: p.Email,
		Phone: p.Phone, MobilePhone: p.MobilePhone, HomePhone: p.HomePhone,
		EmployeeNumber: p.EmployeeNumber, SupportID: p.SupportID,
		Attribute: m.Attribute, Stored: m.Stored, Rank: m.Rank, Rule: m.Rule,
		PopURL: popURL(base, param, value, p.ID),
		URL:    fmt.Sprintf("%s/persons/%d", base, p.ID),
	}
}

// popURL returns the screen pop's URL for a lookup parameter and its value,
// with the caller selected (the pop's caller parameter).
func popURL(base, param, value string, callerID int64) string {
	q := url.Values{}
	if param != "" {
		q.Set(param, value)
	}
	if callerID != 0 {
		q.Set("caller", fmt.Sprint(callerID))
	}
	return base + "/pop?" + q.Encode()
}
