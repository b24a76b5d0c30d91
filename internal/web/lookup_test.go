package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/web"
)

// popCaller is a caller of the pop page's choice, in the page's order.
var popCaller = regexp.MustCompile(`data-caller="(\d+)"`)

// TestPopAndAPIFindTheSameCallers runs the same lookup URLs through the
// screen pop and GET /api/v1/callers, under the built-in configuration and
// under configurations with their own caller query and lookup order: both
// must find the same callers, in the same order.
func TestPopAndAPIFindTheSameCallers(t *testing.T) {
	configs := map[string]string{
		"built-in": "",
		"iTop query over every number, phone first": `
lookup_order: [phone, request, employee_number, support_id]
caller_information:
  label: Contacts with phone number $phone$
  query: SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone OR home_phone LIKE :phone
`,
		"renamed parameter, query by name too": `
url_parameters:
  tel: phone
lookup_order: [request, tel]
caller_information:
  label: Contacts with phone number $tel$
  query: SELECT Person WHERE phone LIKE :tel OR name = 'Zed'
indirect_creation:
  Person:
    enabled: true
    preset:
      phone: ":tel"
`,
	}
	for name, yaml := range configs {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if yaml != "" {
				var err error
				if cfg, err = config.Parse("test.yaml", []byte(yaml)); err != nil {
					t.Fatal(err)
				}
			}
			e := MustEnvWith(t, func(o *web.Options) { o.Pop = &cti.Pop{Config: cfg, Services: o.Services} })
			ann := e.MustPerson(t, &desk.Person{FirstName: "Ann", Name: "Smith", OrgID: e.orgA.ID,
				Phone: "+1 212 555 0100", EmployeeNumber: "E-1", SupportID: "S-ACME"})
			carl := e.MustPerson(t, &desk.Person{FirstName: "Carl", Name: "Brown", OrgID: e.orgA.ID,
				Phone: "212-555-0100", MobilePhone: "+1 917 555 0111", SupportID: "S-ACME"})
			e.MustPerson(t, &desk.Person{FirstName: "Dora", Name: "Jones", OrgID: e.orgB.ID,
				HomePhone: "+1 415 555 0199", EmployeeNumber: "E-2"})
			e.MustPerson(t, &desk.Person{FirstName: "Zed", Name: "Zed", OrgID: e.orgB.ID, Phone: "+44 20 7946 0001"})
			old := e.MustTicket(t, &desk.Ticket{Kind: desk.KindIncident, Title: "Old", OrgID: e.orgA.ID, CallerID: ann.ID})
			recent := e.MustTicket(t, &desk.Ticket{Kind: desk.KindUserRequest, Title: "Recent", OrgID: e.orgA.ID,
				CallerID: carl.ID})
			for i := range cti.RecentTickets {
				e.MustTicket(t, &desk.Ticket{Kind: desk.KindUserRequest, Title: fmt.Sprint("Newer ", i), OrgID: e.orgA.ID,
					CallerID: ann.ID, StartDate: time.Now().Add(time.Duration(i+1) * time.Minute)})
			}
			phoneName := "phone"
			if cfg.URLParameters[0].Name == "tel" {
				phoneName = "tel"
			}
			sets := []url.Values{
				{phoneName: {"+1 212 555 0100"}},
				{phoneName: {" 1 212 555 0100"}}, // + decoded to a space
				{phoneName: {"2125550100"}},
				{phoneName: {"+1 917 555 0111"}},
				{phoneName: {"+1 415 555 0199"}},
				{phoneName: {"+44 20 7946 0001"}},
				{phoneName: {"0100"}}, // too short
				{"telephone": {"+1 212 555 0100"}},
				{"request": {old.Ref}, phoneName: {"+1 415 555 0199"}}, // older than Ann's latest 50
				{"request": {recent.Ref}, phoneName: {"+1 917 555 0111"}},
				{"request": {"R-999999"}, phoneName: {"+1 917 555 0111"}},
				{"request": {strconv.FormatInt(old.ID, 10)}},
				{"employee_number": {"E-2"}, phoneName: {"+1 212 555 0100"}},
				{"employeeID": {"E-404"}, phoneName: {"+1 917 555 0111"}},
				{"support_id": {"S-ACME"}},
				{"supportID": {"S-ACME"}, "employee_number": {"E-1"}},
			}
			for _, login := range []string{"agent", "scoped"} {
				c := e.MustLogin(t, login)
				api := e.MustAPI(t, login)
				found := 0
				for _, q := range sets {
					pop := c.get("/pop?" + q.Encode())
					if pop.status != http.StatusOK && pop.status != http.StatusBadRequest {
						t.Fatalf("%s: pop status %d\n%s", q.Encode(), pop.status, truncate(pop.body))
					}
					var fromPop []int64 // a pop that gives nothing to look up by (400) finds nobody
					for _, m := range popCaller.FindAllStringSubmatch(pop.body, -1) {
						id, _ := strconv.ParseInt(m[1], 10, 64)
						fromPop = append(fromPop, id)
					}
					r := api.do(http.MethodGet, "/api/v1/callers?"+q.Encode(), nil)
					fromAPI := []int64{}
					switch r.status {
					case http.StatusOK:
						var ans struct{ Callers []struct{ ID int64 } }
						if err := json.Unmarshal([]byte(r.body), &ans); err != nil {
							t.Fatal(err)
						}
						for _, c := range ans.Callers {
							fromAPI = append(fromAPI, c.ID)
						}
					case http.StatusBadRequest, http.StatusUnprocessableEntity: // nothing to look up by: nobody
					default:
						t.Fatalf("%s: API status %d\n%s", q.Encode(), r.status, r.body)
					}
					if !slices.Equal(fromPop, fromAPI) && !(len(fromPop) == 0 && len(fromAPI) == 0) {
						t.Errorf("%s as %s: the pop finds %v, the API %v", q.Encode(), login, fromPop, fromAPI)
					}
					found += len(fromAPI)
				}
				if found == 0 {
					t.Errorf("as %s: no parameter set found anyone: the comparison proves nothing", login)
				}
			}
		})
	}
}
