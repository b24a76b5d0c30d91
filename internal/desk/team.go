package desk

import (
	"context"
	"net/mail"
	"strings"
)

// Classes of teams: ClassTeam is subject to rights as the other classes
// (agents read, admins write); a membership (ClassTeamMember, iTop's
// lnkPersonToTeam) is part of its team and needs the team's rights.
const (
	ClassTeam       = "Team"
	ClassTeamMember = "lnkPersonToTeam"
)

// Team is a group of persons of an organization that tickets and phone
// queues are assigned to, as iTop's Team: a contact with a name, an email
// and a phone, whose members are persons (TeamMember).
type Team struct {
	ID      int64  `json:"id" oql:"id"`
	Name    string `json:"name" oql:"string,required"`
	OrgID   int64  `json:"org_id" oql:"extkey=Organization,required"`
	OrgName string `json:"org_name" oql:"string,derived"` // derived
	Email   string `json:"email" oql:"email"`
	// Phone is the team's number as written; it is not matched against
	// callers (a team does not call).
	Phone  string `json:"phone" oql:"string"`
	Status string `json:"status" oql:"enum"`
	// MemberCount is the number of its members (derived, lists only).
	MemberCount int `json:"member_count"`
}

// Validate trims the team's attributes, checks them and fills defaults.
func (t *Team) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	t.Email = strings.TrimSpace(t.Email)
	t.Phone = strings.TrimSpace(t.Phone)
	switch {
	case t.Name == "":
		return Invalid("name", "error.name_required")
	case len(t.Name) > 255:
		return Invalid("name", "error.name_too_long")
	case t.OrgID == 0:
		return Invalid("org_id", "error.organization_required")
	case len(t.Phone) > 64:
		return Invalid("phone", "error.team_phone_too_long")
	}
	if t.Email != "" {
		if a, err := mail.ParseAddress(t.Email); err != nil || a.Address != t.Email {
			return Invalid("email", "error.team_email_invalid")
		}
	}
	if t.Status == "" {
		t.Status = StatusActive
	}
	return validateStatus(t.Status)
}

// TeamMember is a person's membership of a team, with his role in it
// (iTop's lnkPersonToTeam, whose role is a ContactType: here its name).
type TeamMember struct {
	ID         int64  `json:"id" oql:"id"`
	PersonID   int64  `json:"person_id" oql:"extkey=Person,required"`
	PersonName string `json:"person_name" oql:"string,derived,naming"` // derived
	TeamID     int64  `json:"team_id" oql:"extkey=Team,required,scope"`
	TeamName   string `json:"team_name" oql:"string,derived,naming"` // derived
	Role       string `json:"role" oql:"string"`
	// PersonEmail is the member's email (derived, for the team's page).
	PersonEmail string `json:"person_email,omitempty"`
}

// Validate trims the member's role and checks it.
func (m *TeamMember) Validate() error {
	m.Role = strings.TrimSpace(m.Role)
	switch {
	case m.TeamID == 0:
		return Invalid("team_id", "error.team_required")
	case m.PersonID == 0:
		return Invalid("person_id", "error.person_required")
	case len(m.Role) > 255:
		return Invalid("role", "error.team_role_too_long")
	}
	return nil
}

// TeamFilter selects teams. Zero fields do not filter.
type TeamFilter struct {
	ID    *int64
	IDs   []int64
	OrgID *int64
	Name  *string // exact name, any case
	// MemberID selects the teams this person is a member of.
	MemberID *int64
	Query    string // substring of the name
	Offset   int
	Limit    int
}

// TeamUpdate holds the attributes to change; nil leaves one as it is.
type TeamUpdate struct {
	Name   *string
	OrgID  *int64
	Email  *string
	Phone  *string
	Status *string
}

// Apply copies the set fields of upd onto t.
func (upd TeamUpdate) Apply(t *Team) {
	setString(&t.Name, upd.Name)
	setInt(&t.OrgID, upd.OrgID)
	setString(&t.Email, upd.Email)
	setString(&t.Phone, upd.Phone)
	setString(&t.Status, upd.Status)
}

// TeamService manages teams and their members, within the organization
// scope of ctx: a team is seen with its organization, and so are its
// members and tickets.
type TeamService interface {
	FindTeamByID(ctx context.Context, id int64) (*Team, error)
	FindTeams(ctx context.Context, filter TeamFilter) ([]*Team, int, error)
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, id int64, upd TeamUpdate) (*Team, error)
	// FindTeamMembers returns the members of team, by name.
	FindTeamMembers(ctx context.Context, team int64) ([]*TeamMember, error)
	// AddTeamMember adds a person to a team, or changes his role when he is
	// a member already.
	AddTeamMember(ctx context.Context, m *TeamMember) error
	RemoveTeamMember(ctx context.Context, team, person int64) error
	// FindTeamAgents returns the users whose contact person is a member of
	// team: the agents a queue mapped to it rings for.
	FindTeamAgents(ctx context.Context, team int64) ([]*User, error)
}
