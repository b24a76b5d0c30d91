package desk

import (
	"context"
	"strings"
)

// Location is a site of an organization.
type Location struct {
	ID      int64  `json:"id" oql:"id"`
	Name    string `json:"name" oql:"string,required"`
	OrgID   int64  `json:"org_id" oql:"extkey=Organization,required"`
	OrgName string `json:"org_name" oql:"string,derived"` // derived
	Address string `json:"address" oql:"text"`
}

// Validate checks the location's attributes.
func (l *Location) Validate() error {
	l.Name = strings.TrimSpace(l.Name)
	if l.Name == "" {
		return Invalid("name", "error.name_required")
	}
	if l.OrgID == 0 {
		return Invalid("org_id", "error.organization_required")
	}
	return nil
}

// LocationFilter selects locations.
type LocationFilter struct {
	ID     *int64
	OrgID  *int64
	Offset int
	Limit  int
}

// LocationService manages locations, within the organization scope of ctx.
type LocationService interface {
	FindLocationByID(ctx context.Context, id int64) (*Location, error)
	FindLocations(ctx context.Context, filter LocationFilter) ([]*Location, int, error)
	CreateLocation(ctx context.Context, loc *Location) error
}
