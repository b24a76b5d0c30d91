package desk

import (
	"context"
	"net/mail"
	"strings"
)

// Person is a contact: a caller, or the person record behind an agent.
type Person struct {
	ID             int64  `json:"id" oql:"id"`
	FirstName      string `json:"first_name" oql:"string,naming,order=2"`
	Name           string `json:"name" oql:"string,required,naming,order=1"`
	OrgID          int64  `json:"org_id" oql:"extkey=Organization,required"`
	OrgName        string `json:"org_name" oql:"string,derived"` // derived
	LocationID     int64  `json:"location_id,omitempty" oql:"extkey=Location"`
	LocationName   string `json:"location_name,omitempty" oql:"string,derived"` // derived
	Email          string `json:"email" oql:"email"`
	Phone          string `json:"phone" oql:"phone"`
	MobilePhone    string `json:"mobile_phone" oql:"phone"`
	HomePhone      string `json:"home_phone" oql:"phone"`
	EmployeeNumber string `json:"employee_number" oql:"string"`
	SupportID      string `json:"support_id" oql:"string"`
	Function       string `json:"function" oql:"string"`
	Status         string `json:"status" oql:"enum"`
	// ManagerID is the person's manager, 0 for none.
	ManagerID   int64  `json:"manager_id,omitempty" oql:"extkey=Person"`
	ManagerName string `json:"manager_name,omitempty" oql:"string,derived"` // derived; not by caller lookups
}

// FriendlyName is the name iTop shows for a person: first name and name.
func (p *Person) FriendlyName() string {
	return strings.TrimSpace(p.FirstName + " " + p.Name)
}

// Numbers returns the person's phone attributes that are set, by attribute name.
func (p *Person) Numbers() []AttributeValue {
	var out []AttributeValue
	for _, a := range []AttributeValue{{"phone", p.Phone}, {"mobile_phone", p.MobilePhone}, {"home_phone", p.HomePhone}} {
		if a.Value != "" {
			out = append(out, a)
		}
	}
	return out
}

// AttributeValue pairs an attribute name with its value.
type AttributeValue struct {
	Attribute string
	Value     string
}

// PhoneAttributes are the Person attributes that hold phone numbers.
var PhoneAttributes = []string{"phone", "mobile_phone", "home_phone"}

// Validate checks the person's attributes, trims them and fills defaults.
func (p *Person) Validate() error {
	for _, f := range []*string{&p.FirstName, &p.Name, &p.Email, &p.Phone, &p.MobilePhone, &p.HomePhone,
		&p.EmployeeNumber, &p.SupportID, &p.Function} {
		*f = strings.TrimSpace(*f)
	}
	if p.Name == "" {
		return Invalid("name", "error.last_name_required")
	}
	if p.OrgID == 0 {
		return Invalid("org_id", "error.organization_required")
	}
	for _, c := range []struct{ field, value string }{
		{"first_name", p.FirstName}, {"name", p.Name}, {"email", p.Email}, {"phone", p.Phone},
		{"mobile_phone", p.MobilePhone}, {"home_phone", p.HomePhone}, {"employee_number", p.EmployeeNumber},
		{"support_id", p.SupportID}, {"function", p.Function},
	} {
		if len(c.value) > 255 {
			return Invalid(c.field, "error.too_long_255", c.field)
		}
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return Invalid("email", "error.not_email", p.Email)
		}
	}
	for _, n := range p.Numbers() {
		if !strings.ContainsAny(n.Value, "0123456789") {
			return Invalid(n.Attribute, "error.no_digit", n.Value)
		}
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	return validateStatus(p.Status)
}

// PersonFilter selects persons. Zero fields do not filter.
type PersonFilter struct {
	ID             *int64
	IDs            []int64
	OrgID          *int64
	Email          *string
	EmployeeNumber *string
	SupportID      *string
	// Query matches a substring of the name, first name or email, or the
	// digits of a phone number.
	Query  string
	Offset int
	Limit  int
}

// PersonUpdate holds the attributes to change; nil leaves one as it is.
type PersonUpdate struct {
	FirstName      *string
	Name           *string
	OrgID          *int64
	LocationID     *int64
	Email          *string
	Phone          *string
	MobilePhone    *string
	HomePhone      *string
	EmployeeNumber *string
	SupportID      *string
	Function       *string
	Status         *string
	ManagerID      *int64 // 0: none
}

// Apply copies the set fields of upd onto p.
func (upd PersonUpdate) Apply(p *Person) {
	setString(&p.FirstName, upd.FirstName)
	setString(&p.Name, upd.Name)
	setInt(&p.OrgID, upd.OrgID)
	setInt(&p.LocationID, upd.LocationID)
	setString(&p.Email, upd.Email)
	setString(&p.Phone, upd.Phone)
	setString(&p.MobilePhone, upd.MobilePhone)
	setString(&p.HomePhone, upd.HomePhone)
	setString(&p.EmployeeNumber, upd.EmployeeNumber)
	setString(&p.SupportID, upd.SupportID)
	setString(&p.Function, upd.Function)
	setString(&p.Status, upd.Status)
	setInt(&p.ManagerID, upd.ManagerID)
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setInt(dst *int64, v *int64) {
	if v != nil {
		*dst = *v
	}
}

// PersonService manages persons, within the organization scope of ctx.
type PersonService interface {
	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	FindPersons(ctx context.Context, filter PersonFilter) ([]*Person, int, error)
	CreatePerson(ctx context.Context, p *Person) error
	// CreatePersons inserts many persons in few transactions, for imports and
	// demo data; progress, when not nil, is called with the count done so far.
	CreatePersons(ctx context.Context, persons []*Person, progress func(done int)) error
	UpdatePerson(ctx context.Context, id int64, upd PersonUpdate) (*Person, error)
	DeletePerson(ctx context.Context, id int64) error
}
