package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
	"github.com/ctidesk/ctidesk/internal/store"
)

// found is what a test expects of one caller match.
type found struct {
	id        int64
	attribute string
	rank      int
	e164Equal bool
}

func (w found) String() string {
	return fmt.Sprintf("{person %d %s rank %d e164 %v}", w.id, w.attribute, w.rank, w.e164Equal)
}

// describe renders matches as found, for messages and comparison.
func describe(matches []*desk.CallerMatch) []found {
	out := []found{}
	for _, m := range matches {
		out = append(out, found{m.Person.ID, m.Attribute, m.Rank, m.E164Equal})
	}
	return out
}

// wantCallers fails unless looking number up as ctx finds want, in order.
func wantCallers(t *testing.T, db *store.DB, ctx context.Context, number string, want ...found) []*desk.CallerMatch {
	t.Helper()
	matches, err := db.FindCallersByNumber(ctx, number)
	if err != nil {
		t.Fatalf("FindCallersByNumber(%q): %v", number, err)
	}
	if want == nil {
		want = []found{}
	}
	if got := describe(matches); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("FindCallersByNumber(%q) =\n%v\nwant\n%v", number, got, want)
	}
	return matches
}

// wantIDsOf fails unless looking number up as ctx finds exactly the persons
// of ids, in that order.
func wantIDsOf(t *testing.T, db *store.DB, ctx context.Context, number string, ids ...int64) {
	t.Helper()
	matches, err := db.FindCallersByNumber(ctx, number)
	if err != nil {
		t.Fatalf("FindCallersByNumber(%q): %v", number, err)
	}
	if ids == nil {
		ids = []int64{}
	}
	got := []int64{}
	for _, m := range matches {
		got = append(got, m.Person.ID)
	}
	wantIDs(t, fmt.Sprintf("callers of %q", number), got, ids)
}

// regionDB returns a new database whose store normalizes numbers in region,
// with one organization.
func regionDB(t *testing.T, open func(t *testing.T) *store.DB, region string) (*store.DB, context.Context, int64) {
	t.Helper()
	db := open(t)
	db.Phone = phone.MustNew(phone.Options{DefaultRegion: region})
	ctx := desk.NewSystemContext(context.Background())
	org := &desk.Organization{Name: "Org " + region}
	must(t, db.CreateOrganization(ctx, org))
	return db, ctx, org.ID
}

func newPerson(t *testing.T, db *store.DB, ctx context.Context, p *desk.Person) *desk.Person {
	t.Helper()
	must(t, db.CreatePerson(ctx, p))
	return p
}

func testCaller(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("InternalExtension", func(t *testing.T) {
		// Issue 21, item 5: an internal call finds the persons whose number
		// is exactly that extension, never a number ending with it.
		db, ctx, org := regionDB(t, open, "DE")
		desk2345 := newPerson(t, db, ctx, &desk.Person{Name: "Desk", OrgID: org, Phone: "2345"})
		newPerson(t, db, ctx, &desk.Person{Name: "Outside", OrgID: org, Phone: "+49 30 1234 2345"})
		newPerson(t, db, ctx, &desk.Person{Name: "Longer", OrgID: org, Phone: "12345"})
		ms := wantCallers(t, db, ctx, "2345", found{desk2345.ID, "phone", 1, false})
		if ms[0].Rule != "extension" || ms[0].SuffixLen != 4 {
			t.Fatalf("rule %q, %d digits; want extension, 4", ms[0].Rule, ms[0].SuffixLen)
		}
		wantCallers(t, db, ctx, "sip:2345@pbx.example.com", found{desk2345.ID, "phone", 1, false})
		wantCallers(t, db, ctx, "2346")
		if _, err := db.FindCallersByNumber(ctx, "23"); desk.ErrorCode(err) != desk.EINVALID {
			t.Fatalf("two digits: %v, want EINVALID", err)
		}
	})

	t.Run("AgentExtension", func(t *testing.T) {
		// Issue 21, item 5: an internal number that is an agent's
		// extension finds his contact person, exactly, never by suffix; an
		// agent without a contact person finds nobody, and the explanation
		// says whose extension it is.
		db, ctx, org := regionDB(t, open, "DE")
		eve := newPerson(t, db, ctx, &desk.Person{FirstName: "Eve", Name: "Agent", OrgID: org, MobilePhone: "+49 170 1234567"})
		outside := newPerson(t, db, ctx, &desk.Person{Name: "Outside", OrgID: org, Phone: "+49 30 1234 2041"})
		withContact := &desk.User{Login: "eve", ContactID: eve.ID, Roles: []string{desk.RoleAgent}}
		must(t, db.CreateUser(ctx, withContact))
		_, err := db.UpdateAgentSettings(ctx, withContact.ID, desk.AgentSettingsUpdate{Extension: ptr("2041")})
		must(t, err)
		without := &desk.User{Login: "bob.noperson", Roles: []string{desk.RoleAgent}}
		must(t, db.CreateUser(ctx, without))
		_, err = db.UpdateAgentSettings(ctx, without.ID, desk.AgentSettingsUpdate{Extension: ptr("2042")})
		must(t, err)

		ms := wantCallers(t, db, ctx, "2041", found{eve.ID, desk.AttrAgentExtension, 1, false})
		if ms[0].Rule != desk.RuleExtension || ms[0].Stored != "2041" || ms[0].SuffixLen != 4 {
			t.Fatalf("agent extension: rule %q, stored %q, %d digits", ms[0].Rule, ms[0].Stored, ms[0].SuffixLen)
		}
		wantCallers(t, db, ctx, "sip:2041@pbx.example.com", found{eve.ID, desk.AttrAgentExtension, 1, false})
		wantCallers(t, db, ctx, "204") // never a part of an extension
		wantCallers(t, db, ctx, "12041")
		// The agent's extension ends a stored number: the number is not
		// found by the extension, nor the agent by the number.
		wantCallers(t, db, ctx, "+49 30 1234 2041", found{outside.ID, "phone", 1, true})

		// An agent without a contact person: nobody, and why.
		wantCallers(t, db, ctx, "2042")
		ms, misses, err := db.ExplainCallersByNumber(ctx, "2042")
		must(t, err)
		if len(ms) != 0 || len(misses) != 1 || misses[0].Reason != desk.RejectAgentNoContact ||
			misses[0].Person.Name != "bob.noperson" || misses[0].Stored != "2042" || misses[0].Attribute != desk.AttrAgentExtension {
			t.Fatalf("explain 2042: matches %v, near misses %+v", describe(ms), misses)
		}
		if got := desk.RejectReasonText(func(k string, a ...any) string { return fmt.Sprintf(k+" %v", a...) }, misses[0]); got != "match.reject.agent_no_contact bob.noperson" {
			t.Fatalf("reason text %q", got)
		}

		// A disabled agent's extension finds no one.
		_, err = db.UpdateUser(ctx, withContact.ID, desk.UserUpdate{Disabled: ptr(true)})
		must(t, err)
		wantCallers(t, db, ctx, "2041")
		_, err = db.UpdateUser(ctx, withContact.ID, desk.UserUpdate{Disabled: ptr(false)})
		must(t, err)

		// The agent's contact whose stored number is the extension too:
		// found once.
		_, err = db.UpdatePerson(ctx, eve.ID, desk.PersonUpdate{Phone: ptr("2041")})
		must(t, err)
		wantCallers(t, db, ctx, "2041", found{eve.ID, "phone", 1, false})
	})

	t.Run("Explain", func(t *testing.T) {
		// Issue 21, item 6: the rule of each match, and the near misses
		// with their reason, within the user's scope.
		db, ctx, org := regionDB(t, open, "DE")
		germany := newPerson(t, db, ctx, &desk.Person{Name: "Germany", OrgID: org, Phone: "05062/108069"})
		local := newPerson(t, db, ctx, &desk.Person{Name: "Local", OrgID: org, Phone: "2108069"})
		london := newPerson(t, db, ctx, &desk.Person{Name: "London", OrgID: org, Phone: "+44 20 3210 8069"})
		ms, misses, err := db.ExplainCallersByNumber(ctx, "+1 506 210 8069")
		must(t, err)
		if len(ms) != 1 || ms[0].Person.ID != local.ID || ms[0].Rule != desk.RuleSuffix {
			t.Fatalf("matches %v, want Local by suffix", describe(ms))
		}
		if len(misses) != 2 || misses[0].Person.ID != germany.ID || misses[0].Reason != desk.RejectComplete ||
			misses[0].SuffixLen != 10 || misses[1].Person.ID != london.ID || misses[1].Reason != desk.RejectDigits ||
			misses[1].SuffixLen != 7 || misses[0].Stored != "05062/108069" {
			t.Fatalf("near misses %+v %+v", misses[0], misses[len(misses)-1])
		}
		newPerson(t, db, ctx, &desk.Person{Name: "Desk", OrgID: org, Phone: "8069"})
		ms, misses, err = db.ExplainCallersByNumber(ctx, "8069")
		must(t, err)
		if len(ms) != 1 || ms[0].Rule != desk.RuleExtension || len(misses) != 3 || misses[0].Reason != desk.RejectExtension {
			t.Fatalf("extension: matches %v, %d near misses", describe(ms), len(misses))
		}
	})

	t.Run("CompleteNumbersOfOtherCountries", func(t *testing.T) {
		// Issue 21, item 2: +1 506 210 8069 used to find a German number at
		// rank 1; a shortened number still matches by suffix.
		db, ctx, org := regionDB(t, open, "DE")
		newPerson(t, db, ctx, &desk.Person{Name: "Germany", OrgID: org, Phone: "05062/108069"})
		local := newPerson(t, db, ctx, &desk.Person{Name: "Local", OrgID: org, Phone: "2108069"})
		ms := wantCallers(t, db, ctx, "+1 506 210 8069", found{local.ID, "phone", 1, false})
		if ms[0].Rule != "suffix" {
			t.Fatalf("rule %q, want suffix", ms[0].Rule)
		}
	})

	t.Run("4me", func(t *testing.T) {
		// The examples of 4me's documentation: the same number stored
		// three ways, found from the forms phone systems send.
		db, ctx, org := regionDB(t, open, "US")
		intl := newPerson(t, db, ctx, &desk.Person{FirstName: "Ida", Name: "Intl", OrgID: org, Phone: "+1 (123) 456 7890"})
		dashes := newPerson(t, db, ctx, &desk.Person{FirstName: "Dan", Name: "Dashes", OrgID: org, Phone: "123-456-7890"})
		local := newPerson(t, db, ctx, &desk.Person{FirstName: "Lou", Name: "Local", OrgID: org, Phone: "4567890"})
		full := []found{{intl.ID, "phone", 1, false}, {dashes.ID, "phone", 2, false}, {local.ID, "phone", 3, false}}
		for _, number := range []string{
			"+11234567890",
			"0011234567890",
			" 1 123 456 7890",         // "+1 123 456 7890" in a URL, its '+' decoded to a space
			"%201%20123%20456%207890", // the same, encoded once more (FromQuery decodes it)
			"+1-123-456-7890",
		} {
			ms := wantCallers(t, db, ctx, number, full...)
			if ms[0].SuffixLen != 11 || ms[1].SuffixLen != 10 || ms[2].SuffixLen != 7 {
				t.Fatalf("%q: suffix lengths %d, %d, %d, want 11, 10, 7", number, ms[0].SuffixLen, ms[1].SuffixLen, ms[2].SuffixLen)
			}
			if ms[0].Stored != "+1 (123) 456 7890" || ms[1].Stored != "123-456-7890" || ms[2].Stored != "4567890" {
				t.Fatalf("%q: stored values %q, %q, %q", number, ms[0].Stored, ms[1].Stored, ms[2].Stored)
			}
		}
		// Seven digits end all three numbers alike: a tie, by name.
		wantCallers(t, db, ctx, "4567890", found{dashes.ID, "phone", 1, false}, found{intl.ID, "phone", 1, false},
			found{local.ID, "phone", 1, false})
		wantCallers(t, db, ctx, "(123) 456-7890", found{dashes.ID, "phone", 1, false}, found{intl.ID, "phone", 1, false},
			found{local.ID, "phone", 3, false})
	})

	t.Run("NationalAndE164", func(t *testing.T) {
		for _, tt := range []struct {
			region, stored string
			callers        []string
			// e164 tells whether the region makes the stored national form
			// valid, so that the match is E.164 equality; else it is a
			// suffix match of the national significant number.
			e164 bool
		}{
			{"FR", "01 23 45 67 89", []string{"+33123456789", "0033123456789", " 33 1 23 45 67 89", "0123456789"}, true},
			{"FR", "+33 (0)1 23 45 67 89", []string{"+33123456789", "01.23.45.67.89"}, true},
			{"GB", "020 7946 0958", []string{"+442079460958", "00442079460958", "+44 (0)20 7946 0958", "02079460958"}, true},
			{"GB", "+44 20 7946 0958", []string{"020 7946 0958", "+442079460958"}, true},
			{"US", "01 23 45 67 89", []string{"+33123456789", "0033123456789", "011 33 1 23 45 67 89"}, false},
			{"US", "020 7946 0958", []string{"+442079460958", "011442079460958", " 44 20 7946 0958"}, false},
			{"US", "+33 1 23 45 67 89", []string{"+33123456789", "0033123456789", "011 33 1 23 45 67 89"}, true},
		} {
			t.Run(tt.region+" "+tt.stored, func(t *testing.T) {
				db, ctx, org := regionDB(t, open, tt.region)
				p := newPerson(t, db, ctx, &desk.Person{Name: "Dupont", OrgID: org, Phone: tt.stored})
				other := newPerson(t, db, ctx, &desk.Person{Name: "Other", OrgID: org, Phone: "+1 212 555 0100"})
				for _, number := range tt.callers {
					wantCallers(t, db, ctx, number, found{p.ID, "phone", 1, tt.e164})
				}
				wantCallers(t, db, ctx, "+12125550100", found{other.ID, "phone", 1, true})
			})
		}
	})

	t.Run("Switchboard", func(t *testing.T) {
		db, ctx, org := regionDB(t, open, "US")
		var want []found
		for i, stored := range []string{"(212) 555-0100", "+1-212-555-0100", "212.555.0100 x 12", "1 212 555 0100 ext. 7"} {
			p := newPerson(t, db, ctx, &desk.Person{FirstName: fmt.Sprint(i), Name: "Switchboard", OrgID: org, Phone: stored})
			want = append(want, found{p.ID, "phone", 1, true})
		}
		for _, number := range []string{"+12125550100", "2125550100", " 1 212 555 0100", "tel:+1-212-555-0100;ext=99"} {
			wantCallers(t, db, ctx, number, want...)
		}
	})

	t.Run("LastSevenDigitsDiffer", func(t *testing.T) {
		db, ctx, org := regionDB(t, open, "US")
		p := newPerson(t, db, ctx, &desk.Person{Name: "Seven", OrgID: org, Phone: "+1 212 555 0100",
			MobilePhone: "06 12 34 56 78", HomePhone: "4567890"})
		for _, number := range []string{"+12125550101", "+12125560100", "+12135550100", "2125550199", "+13125550100",
			"+19995550100", "5550101", "0612345679", "+33612345670", "4567891", "+14567891"} {
			wantCallers(t, db, ctx, number)
		}
		// Where one number has only seven digits, seven in common are a
		// match: the rule is a suffix rule.
		wantCallers(t, db, ctx, "+1 999 456 7890", found{p.ID, "home_phone", 1, false})
		wantCallers(t, db, ctx, "5550100", found{p.ID, "phone", 1, false})
	})

	t.Run("TooShort", func(t *testing.T) {
		db, ctx, org := regionDB(t, open, "US")
		newPerson(t, db, ctx, &desk.Person{Name: "Short", OrgID: org, Phone: "12", MobilePhone: "555 0100"})
		// 3 to 6 digits are an internal extension: found exactly, here
		// nobody, and no error.
		for _, number := range []string{"555 010 x 1234567", "+1 55", "1-800-FLOWERS"} {
			wantCallers(t, db, ctx, number)
		}
		for _, number := range []string{"", "12", "+1", "%20", "   "} {
			_, err := db.FindCallersByNumber(ctx, number)
			wantCode(t, err, desk.EINVALID)
			if msg := english(err); !strings.Contains(msg, "fewer than 7 significant digits") ||
				!strings.Contains(msg, "nothing is matched") {
				t.Fatalf("FindCallersByNumber(%q): message %q, want it to say the number is too short", number, msg)
			}
		}
		// The minimum is the normalizer's.
		db.Phone = phone.MustNew(phone.Options{MinMatchDigits: 10})
		_, err := db.FindCallersByNumber(ctx, "555 0100 99")
		if msg := english(err); !strings.Contains(msg, "fewer than 10 significant digits") {
			t.Fatalf("with 10 digits at least: %v, want it to say so", err)
		}
	})

	t.Run("Attributes", func(t *testing.T) {
		db, ctx, org := regionDB(t, open, "US")
		p := newPerson(t, db, ctx, &desk.Person{Name: "Many", OrgID: org, Phone: "+1 212 555 0111",
			MobilePhone: "+1 (646) 555-0122", HomePhone: "718-555-0133"})
		ms := wantCallers(t, db, ctx, "+16465550122", found{p.ID, "mobile_phone", 1, true})
		if ms[0].Stored != "+1 (646) 555-0122" || ms[0].Person.Name != "Many" || ms[0].Person.OrgName != "Org US" {
			t.Fatalf("mobile match: stored %q, person %+v", ms[0].Stored, ms[0].Person)
		}
		ms = wantCallers(t, db, ctx, "7185550133", found{p.ID, "home_phone", 1, true})
		if ms[0].Stored != "718-555-0133" {
			t.Fatalf("home match: stored %q", ms[0].Stored)
		}
		// Matching on several attributes, a person is found once, by the
		// best: an E.164 match beats a suffix match, and the main phone wins
		// a tie.
		both := newPerson(t, db, ctx, &desk.Person{Name: "Both", OrgID: org, Phone: "5550177",
			MobilePhone: "+1 415 555 0177", HomePhone: "415-555-0177"})
		ms = wantCallers(t, db, ctx, "+14155550177", found{both.ID, "mobile_phone", 1, true})
		if ms[0].SuffixLen != 11 || ms[0].Stored != "+1 415 555 0177" {
			t.Fatalf("best attribute: suffix %d, stored %q", ms[0].SuffixLen, ms[0].Stored)
		}
		wantCallers(t, db, ctx, "5550177", found{both.ID, "phone", 1, false})
	})

	t.Run("Writes", func(t *testing.T) {
		f := newFixture(t, open)
		db := f.db
		wantCallers(t, db, f.agent, "+12125550100", found{f.alice.ID, "phone", 1, true})
		_, err := db.UpdatePerson(f.agent, f.alice.ID, desk.PersonUpdate{Phone: ptr("+1 646 555 0111"), HomePhone: ptr("212 555 0100")})
		must(t, err)
		wantCallers(t, db, f.agent, "+16465550111", found{f.alice.ID, "phone", 1, true})
		wantCallers(t, db, f.agent, "+12125550100", found{f.alice.ID, "home_phone", 1, true})
		_, err = db.UpdatePerson(f.agent, f.alice.ID, desk.PersonUpdate{HomePhone: ptr("")})
		must(t, err)
		wantCallers(t, db, f.agent, "+12125550100")
		wantCallers(t, db, f.agent, "+16465550111", found{f.alice.ID, "phone", 1, true})

		temp := f.person(t, &desk.Person{Name: "Temp", OrgID: f.orgA.ID, Phone: "+1 303 555 0142", MobilePhone: "303 555 0143"})
		wantCallers(t, db, f.agent, "3035550142", found{temp.ID, "phone", 1, true})
		must(t, db.DeletePerson(f.agent, temp.ID))
		wantCallers(t, db, f.agent, "3035550142")
		wantCallers(t, db, f.agent, "3035550143")

		// Batch creation writes the same keys.
		batch := Persons(600, f.orgB.ID)
		must(t, db.CreatePersons(f.agent, batch, nil))
		for _, i := range []int{0, 1, 299, 599} {
			wantIDsOf(t, db, f.agent, batch[i].Phone, batch[i].ID)
			if batch[i].MobilePhone != "" {
				ms, err := db.FindCallersByNumber(f.agent, batch[i].MobilePhone)
				must(t, err)
				if len(ms) == 0 || ms[0].Person.ID != batch[i].ID || ms[0].Attribute != "mobile_phone" {
					t.Fatalf("mobile of batch person %d: %v", i, describe(ms))
				}
			}
		}
	})

	t.Run("Scope", func(t *testing.T) {
		f := newFixture(t, open)
		db := f.db
		wantCallers(t, db, f.agent, "+14155550199", found{f.bob.ID, "phone", 1, true})
		wantCallers(t, db, f.scoped, "+14155550199")
		// A number shared across organizations: the scoped user sees his own
		// organization's person only.
		shared := []*desk.Person{
			f.person(t, &desk.Person{Name: "Shared", FirstName: "A", OrgID: f.orgA.ID, Phone: "+1 503 555 0150"}),
			f.person(t, &desk.Person{Name: "Shared", FirstName: "B", OrgID: f.orgB.ID, Phone: "503-555-0150"}),
		}
		wantIDsOf(t, db, f.agent, "+15035550150", shared[0].ID, shared[1].ID)
		wantIDsOf(t, db, f.scoped, "+15035550150", shared[0].ID)
		for _, attr := range []string{desk.AttrEmployeeNumber, desk.AttrSupportID, desk.AttrEmail} {
			ms, err := db.FindCallersByAttribute(f.scoped, attr, map[string]string{desk.AttrEmployeeNumber: "B-1",
				desk.AttrSupportID: "SUP-B", desk.AttrEmail: "bob@beta.example"}[attr])
			must(t, err)
			if len(ms) != 0 {
				t.Fatalf("scoped user found %s of B: %v", attr, describe(ms))
			}
		}
		_, err := db.FindCallersByNumber(f.anon, "+14155550199")
		wantCode(t, err, desk.EUNAUTHORIZED)
		nobody := desk.NewContextWithUser(context.Background(), &desk.User{Login: "nobody"})
		_, err = db.FindCallersByNumber(nobody, "+14155550199")
		wantCode(t, err, desk.EFORBIDDEN)
		_, err = db.FindCallersByAttribute(nobody, desk.AttrEmail, "bob@beta.example")
		wantCode(t, err, desk.EFORBIDDEN)
	})

	t.Run("ByAttribute", func(t *testing.T) {
		f := newFixture(t, open)
		db := f.db
		_, err := db.UpdatePerson(f.agent, f.bob.ID, desk.PersonUpdate{EmployeeNumber: ptr("B-1"), SupportID: ptr("SUP-B")})
		must(t, err)
		carol := f.person(t, &desk.Person{FirstName: "Carol", Name: "Abel", OrgID: f.orgB.ID, SupportID: "SUP-B",
			Email: "Carol.Abel@Beta.example"})
		dave := f.person(t, &desk.Person{FirstName: "Dave", Name: "Zorn", OrgID: f.orgB.ID, SupportID: "SUP-B"})
		f.person(t, &desk.Person{FirstName: "Eve", Name: "Other", OrgID: f.orgB.ID, SupportID: "SUP-B2"})
		for _, tt := range []struct {
			attribute, value string
			want             []int64
			stored           string
		}{
			{desk.AttrEmployeeNumber, "A-1001", []int64{f.alice.ID}, "A-1001"},
			{desk.AttrEmployeeNumber, " A-1001 ", []int64{f.alice.ID}, "A-1001"},
			{desk.AttrEmployeeNumber, "a-1001", nil, ""}, // exact
			{desk.AttrEmployeeNumber, "A-100", nil, ""},
			{desk.AttrSupportID, "SUP-B", []int64{carol.ID, f.bob.ID, dave.ID}, "SUP-B"}, // all who share it, by name
			{desk.AttrSupportID, "sup-b", nil, ""},
			{desk.AttrEmail, "alice@alpha.example", []int64{f.alice.ID}, "alice@alpha.example"},
			{desk.AttrEmail, "ALICE@Alpha.Example", []int64{f.alice.ID}, "alice@alpha.example"},
			{desk.AttrEmail, "carol.abel@beta.example", []int64{carol.ID}, "Carol.Abel@Beta.example"},
			{desk.AttrEmail, "alice@alpha", nil, ""},
		} {
			ms, err := db.FindCallersByAttribute(f.agent, tt.attribute, tt.value)
			must(t, err)
			got := []int64{}
			for _, m := range ms {
				got = append(got, m.Person.ID)
				if m.Attribute != tt.attribute || m.Stored != tt.stored || m.Rank != 1 || m.E164Equal || m.SuffixLen != 0 {
					t.Fatalf("%s %q: match %+v, want attribute %s, stored %q, rank 1", tt.attribute, tt.value, m, tt.attribute, tt.stored)
				}
				if m.Person.OrgName == "" {
					t.Fatalf("%s %q: person without derived names: %+v", tt.attribute, tt.value, m.Person)
				}
			}
			if tt.want == nil {
				tt.want = []int64{}
			}
			wantIDs(t, fmt.Sprintf("callers by %s %q", tt.attribute, tt.value), got, tt.want)
		}
		for _, tt := range []struct{ attribute, value string }{
			{"phone", "+12125550100"}, {"name", "Martin"}, {desk.AttrEmail, ""}, {desk.AttrSupportID, "  "},
		} {
			_, err := db.FindCallersByAttribute(f.agent, tt.attribute, tt.value)
			wantCode(t, err, desk.EINVALID)
		}
	})

	t.Run("AgreesWithMatch", func(t *testing.T) {
		// Numbers made of few digits share suffixes of every length: the
		// index probes must find exactly what phone.Match accepts.
		db, ctx, org := regionDB(t, open, "US")
		rnd := uint64(1)
		next := func(n int) int { // xorshift, deterministic
			rnd ^= rnd << 13
			rnd ^= rnd >> 7
			rnd ^= rnd << 17
			return int(rnd % uint64(n))
		}
		number := func() string {
			tails := []string{"5550100", "5550101", "4567890", "0000000"}
			heads := []string{"", "1", "212", "1212", "+1212", "00", "+33", "0", "011", "9", "+44 20", "+1 646"}
			return heads[next(len(heads))] + " " + fmt.Sprint(next(3)) + tails[next(len(tails))][next(2):]
		}
		var persons []*desk.Person
		for i := range 150 {
			p := &desk.Person{Name: fmt.Sprintf("P%03d", i), OrgID: org, Phone: number()}
			if next(2) == 0 {
				p.MobilePhone = number()
			}
			if next(3) == 0 {
				p.HomePhone = number()
			}
			persons = append(persons, newPerson(t, db, ctx, p))
		}
		norm := db.Phone
		for range 200 {
			caller := number()
			if next(4) == 0 {
				caller = caller[next(len(caller)):] // shorter, maybe too short
			}
			c := norm.FromQuery(caller)
			if norm.TooShort(c) {
				continue
			}
			want := map[int64]phone.Match{}
			for _, p := range persons {
				for _, n := range p.Numbers() {
					m, ok := norm.Match(c, norm.Parse(n.Value))
					if prev, seen := want[p.ID]; ok && (!seen || m.Better(prev)) {
						want[p.ID] = m
					}
				}
			}
			ms, err := db.FindCallersByNumber(ctx, caller)
			must(t, err)
			if len(ms) != len(want) {
				t.Fatalf("%q: %d found, want %d (%v)", caller, len(ms), len(want), want)
			}
			for i, m := range ms {
				w, ok := want[m.Person.ID]
				if !ok || w != (phone.Match{E164Equal: m.E164Equal, SuffixLen: m.SuffixLen, Rule: phone.Rule(m.Rule)}) {
					t.Fatalf("%q: found %+v, want %+v", caller, m, w)
				}
				if i > 0 && (phone.Match{E164Equal: ms[i-1].E164Equal, SuffixLen: ms[i-1].SuffixLen}).Better(w) != (m.Rank > ms[i-1].Rank) {
					t.Fatalf("%q: rank %d after rank %d", caller, m.Rank, ms[i-1].Rank)
				}
			}
		}
	})

	t.Run("Reindex", func(t *testing.T) {
		db, ctx, org := regionDB(t, open, "US")
		p := newPerson(t, db, ctx, &desk.Person{Name: "Paris", OrgID: org, Phone: "01 23 45 67 89", MobilePhone: "06 12 34 56 78"})
		ny := newPerson(t, db, ctx, &desk.Person{Name: "New York", OrgID: org, Phone: "212 555 0100"})
		wantCallers(t, db, ctx, "+33123456789", found{p.ID, "phone", 1, false})
		region, err := db.NumberKeysRegion(ctx)
		must(t, err)
		if region != "US" {
			t.Fatalf("NumberKeysRegion = %q, want US", region)
		}

		db.Phone = phone.MustNew(phone.Options{DefaultRegion: "FR"})
		var steps [][2]int
		must(t, db.Reindex(ctx, func(done, total int) { steps = append(steps, [2]int{done, total}) }))
		if len(steps) == 0 || steps[len(steps)-1] != [2]int{2, 2} {
			t.Fatalf("progress %v, want it to end at 2 of 2", steps)
		}
		if region, err := db.NumberKeysRegion(ctx); err != nil || region != "FR" {
			t.Fatalf("NumberKeysRegion after reindex = %q, %v; want FR", region, err)
		}
		wantCallers(t, db, ctx, "+33123456789", found{p.ID, "phone", 1, true})
		wantCallers(t, db, ctx, "+33612345678", found{p.ID, "mobile_phone", 1, true})
		// In France, "212 555 0100" is no longer a US number: found by its
		// digits only.
		wantCallers(t, db, ctx, "+12125550100", found{ny.ID, "phone", 1, false})

		// Many persons, several batches.
		batch := Persons(12000, org)
		must(t, db.CreatePersons(ctx, batch, nil))
		db.Phone = phone.MustNew(phone.Options{DefaultRegion: "US"})
		steps = nil
		must(t, db.Reindex(ctx, func(done, total int) { steps = append(steps, [2]int{done, total}) }))
		if len(steps) < 3 || steps[len(steps)-1] != [2]int{12002, 12002} {
			t.Fatalf("progress %v, want several steps ending at 12002 of 12002", steps)
		}
		wantCallers(t, db, ctx, "+12125550100", found{ny.ID, "phone", 1, true})
		wantIDsOf(t, db, ctx, batch[11999].Phone, batch[11999].ID)
		wantIDsOf(t, db, ctx, batch[0].MobilePhone, batch[0].ID)
	})
}
