package desk

import (
	"context"
	"strings"
)

// Organization statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Organization is a customer or internal organization; persons and tickets
// belong to one.
type Organization struct {
	ID        int64  `json:"id" oql:"id,scope"`
	Name      string `json:"name" oql:"string,required"`
	Code      string `json:"code" oql:"string"`
	Status    string `json:"status" oql:"enum"`
	SupportID string `json:"support_id" oql:"string"`
	// ParentID is the organization this one belongs to, 0 for none: the
	// organizations make a tree, which queries follow with BELOW and ABOVE.
	ParentID   int64  `json:"parent_id,omitempty" oql:"extkey=Organization,hierarchical"`
	ParentName string `json:"parent_name,omitempty" oql:"string,derived"` // derived
}

// Validate checks the organization's attributes and fills defaults.
func (o *Organization) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	o.Code = strings.TrimSpace(o.Code)
	o.SupportID = strings.TrimSpace(o.SupportID)
	if o.Name == "" {
		return Invalid("name", "error.name_required")
	}
	if len(o.Name) > 255 {
		return Invalid("name", "error.name_too_long")
	}
	if o.Status == "" {
		o.Status = StatusActive
	}
	if o.ParentID < 0 || o.ParentID != 0 && o.ParentID == o.ID {
		return Invalid("parent_id", "error.organization_parent_self")
	}
	return validateStatus(o.Status)
}

func validateStatus(status string) error {
	if status != StatusActive && status != StatusInactive {
		return Invalid("status", "error.person_status")
	}
	return nil
}

// OrganizationFilter selects organizations. Zero fields do not filter.
type OrganizationFilter struct {
	ID     *int64
	Name   *string // exact name
	Query  string  // substring of name or code
	Offset int
	Limit  int
}

// OrganizationUpdate holds the attributes to change; nil leaves one as it is.
type OrganizationUpdate struct {
	Name      *string
	Code      *string
	Status    *string
	SupportID *string
	ParentID  *int64 // 0: none
}

// OrganizationService manages organizations. Every method applies the
// organization scope of the user in ctx.
type OrganizationService interface {
	FindOrganizationByID(ctx context.Context, id int64) (*Organization, error)
	FindOrganizations(ctx context.Context, filter OrganizationFilter) ([]*Organization, int, error)
	CreateOrganization(ctx context.Context, org *Organization) error
	UpdateOrganization(ctx context.Context, id int64, upd OrganizationUpdate) (*Organization, error)
}
