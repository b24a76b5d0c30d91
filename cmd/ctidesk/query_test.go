package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

func TestQuery(t *testing.T) {
	db, p := mustDemoDB(t)
	callerQuery := `SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone`

	t.Run("JSON", func(t *testing.T) {
		out, err := runCommand(t, "", nil, "query", "--db", db, "--json", "--param", "phone="+p.MobilePhone, callerQuery)
		if err != nil {
			t.Fatalf("query: %v\n%s", err, out)
		}
		var got []objectJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		found := false
		for _, o := range got {
			if o.ID == p.ID {
				found = true
				if o.Class != "Person" || o.FriendlyName != p.FriendlyName() || o.Attributes["mobile_phone"] != p.MobilePhone {
					t.Errorf("object %+v, want person %d %q with mobile_phone %q", o, p.ID, p.FriendlyName(), p.MobilePhone)
				}
			}
		}
		if !found {
			t.Errorf("person %d (%s) not found by his mobile phone:\n%s", p.ID, p.MobilePhone, out)
		}
	})

	t.Run("Text", func(t *testing.T) {
		out, err := runCommand(t, "", nil, "query", "--db", db, "--param", "callers_list="+strconv.FormatInt(p.ID, 10)+",0",
			`SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id IN (:callers_list)`)
		if err != nil {
			t.Fatalf("query: %v\n%s", err, out)
		}
		want := "Organization " + strconv.FormatInt(p.OrgID, 10) + "  " + p.OrgName + "\n"
		if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "1 object.\n") {
			t.Errorf("output:\n%s\nwant it to start with %q and end with 1 object.", out, want)
		}
	})

	t.Run("UserScope", func(t *testing.T) {
		// A user limited to another organization finds nobody.
		ctx := desk.NewSystemContext(context.Background())
		s, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		orgs, _, err := s.FindOrganizations(ctx, desk.OrganizationFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var other int64
		for _, o := range orgs {
			if o.ID != p.OrgID {
				other = o.ID
				break
			}
		}
		if err := s.CreateUser(ctx, &desk.User{Login: "elsewhere", PasswordHash: "x", Roles: []string{desk.RoleAgent},
			AllowedOrgIDs: []int64{other}}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		out, err := runCommand(t, "", nil, "query", "--db", db, "--user", "elsewhere", "--param", "phone="+p.MobilePhone, callerQuery)
		if err != nil || out != "No object found.\n" {
			t.Errorf("query as a user of another organization: %v\n%s", err, out)
		}
	})

	t.Run("This", func(t *testing.T) {
		out, err := runCommand(t, "", nil, "query", "--db", db, "--json", "--this", "Person:"+strconv.FormatInt(p.ID, 10),
			`SELECT Organization WHERE id = :this->org_id`)
		if err != nil {
			t.Fatalf("query: %v\n%s", err, out)
		}
		var got []objectJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].ID != p.OrgID {
			t.Errorf("the person's organization: %v\n%s; want organization %d", err, out, p.OrgID)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"SELECT Person WHERE phon LIKE :phone"},
				"query: unknown attribute \"phon\" of class Person at 1:21; did you mean \"phone\"?\n  SELECT Person WHERE phon LIKE :phone\n                      ^"},
			{[]string{callerQuery}, "query: the query needs --param phone=…"},
			{[]string{"SELECT Person WHERE org_id = :this->org_id"}, "query: the query needs --this CLASS:ID (for :this->org_id)"},
			{[]string{"--this", "Widget:3", "SELECT Person WHERE org_id = :this->org_id"}, `query: --this Widget:3: unknown class "Widget"`},
			{[]string{"--this", "Location:1", "SELECT Person WHERE org_id = :this->caller_id"}, "query: The query uses :this->caller_id, but the object in context, of class Location, has no such attribute."},
			{[]string{"--param", "oops", "SELECT Person"}, `invalid value "oops" for flag -param: "oops" is not NAME=VALUE`},
			{[]string{"--user", "nobody", "SELECT Person"}, "query: user nobody:"},
			{nil, "usage: ctidesk query"},
		} {
			out, err := runCommand(t, "", nil, append([]string{"query", "--db", db}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("query %q: error %v, want it to contain %q\n%s", tt.args, err, tt.want, out)
			}
		}
	})
}
