package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// FindOrganizationByID returns the organization of id, ENOTFOUND when it does
// not exist or is outside the user's organizations.
func (db *DB) FindOrganizationByID(ctx context.Context, id int64) (*desk.Organization, error) {
	tx, err := db.beginRead(ctx, desk.ClassOrganization)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findOrganizationByID(ctx, tx, id)
}

// FindOrganizations returns the organizations matching filter, by name, and
// their total count.
func (db *DB) FindOrganizations(ctx context.Context, filter desk.OrganizationFilter) ([]*desk.Organization, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassOrganization)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findOrganizations(ctx, tx, filter)
}

// CreateOrganization validates org, inserts it and sets its ID.
func (db *DB) CreateOrganization(ctx context.Context, org *desk.Organization) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassOrganization)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createOrganization(ctx, tx, org); err != nil {
		return edgeError(err)
	}
	return tx.commit()
}

// UpdateOrganization changes the attributes set in upd and returns the
// organization.
func (db *DB) UpdateOrganization(ctx context.Context, id int64, upd desk.OrganizationUpdate) (*desk.Organization, error) {
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassOrganization)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	org, err := updateOrganization(ctx, tx, id, upd)
	if err != nil {
		return nil, edgeError(err)
	}
	return org, tx.commit()
}

func findOrganizationByID(ctx context.Context, tx *Tx, id int64) (*desk.Organization, error) {
	orgs, _, err := findOrganizations(ctx, tx, desk.OrganizationFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(orgs) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.organization_not_found")
	}
	return orgs[0], nil
}

func findOrganizations(ctx context.Context, tx *Tx, filter desk.OrganizationFilter) ([]*desk.Organization, int, error) {
	if err := checkQuery(filter.Query); err != nil {
		return nil, 0, err
	}
	var c conds
	if scope := tx.scope(); scope != nil {
		c.addIn("id", scope)
	}
	if filter.ID != nil {
		c.add("id = ?", *filter.ID)
	}
	if filter.Name != nil {
		c.add("name = ?", *filter.Name)
	}
	if filter.Query != "" {
		p := likePattern(filter.Query)
		c.add(`(name `+tx.like()+` ? ESCAPE '\' OR code `+tx.like()+` ? ESCAPE '\')`, p, p)
	}
	offset, limit := page(filter.Offset, filter.Limit)
	// The parent's name when the user sees the parent.
	var parent conds
	parent.add("p.id = organization.parent_id")
	if scope := tx.scope(); scope != nil {
		parent.addIn("p.id", scope)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, code, status, support_id, COALESCE(parent_id, 0),
		COALESCE((SELECT p.name FROM organization p`+parent.where()+`), '')
		FROM organization`+c.where()+" ORDER BY name, id LIMIT ? OFFSET ?", append(append(parent.args, c.args...), limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find organizations: %w", err)
	}
	defer rows.Close()
	var orgs []*desk.Organization
	for rows.Next() {
		var o desk.Organization
		if err := rows.Scan(&o.ID, &o.Name, &o.Code, &o.Status, &o.SupportID, &o.ParentID, &o.ParentName); err != nil {
			return nil, 0, fmt.Errorf("find organizations: %w", err)
		}
		orgs = append(orgs, &o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find organizations: %w", err)
	}
	total := offset + len(orgs)
	if needCount(offset, limit, len(orgs)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM organization"+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count organizations: %w", err)
		}
	}
	return orgs, total, nil
}

func createOrganization(ctx context.Context, tx *Tx, org *desk.Organization) error {
	if err := org.Validate(); err != nil {
		return err
	}
	if err := checkParent(ctx, tx, org); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, "INSERT INTO organization (name, code, status, support_id, parent_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
		org.Name, org.Code, org.Status, org.SupportID, nullID(org.ParentID)).Scan(&org.ID)
	if isUnique(err) {
		return nameTaken(org.Name)
	} else if err != nil {
		return fmt.Errorf("insert organization: %w", err)
	}
	return nil
}

// checkParent checks the parent of org, and sets its name: an organization
// the user sees, and not org itself or one below it, so that the
// organizations stay a tree.
func checkParent(ctx context.Context, tx *Tx, org *desk.Organization) error {
	org.ParentName = ""
	if org.ParentID == 0 {
		return nil
	}
	if err := checkOrg(ctx, tx, org.ParentID, "parent_id"); err != nil {
		return err
	}
	if org.ID != 0 {
		// The organizations above the new parent, itself included: org
		// among them would make a cycle. UNION stops on a cycle already
		// there.
		var below int
		err := tx.QueryRowContext(ctx, `WITH RECURSIVE above(id) AS (
				SELECT CAST(? AS BIGINT) UNION SELECT o.parent_id FROM organization o JOIN above ON o.id = above.id WHERE o.parent_id IS NOT NULL)
			SELECT COUNT(*) FROM above WHERE id = ?`, org.ParentID, org.ID).Scan(&below)
		if err != nil {
			return fmt.Errorf("check parent organization: %w", err)
		}
		if below > 0 {
			return desk.Invalid("parent_id", "error.organization_parent_below")
		}
	}
	return tx.QueryRowContext(ctx, "SELECT name FROM organization WHERE id = ?", org.ParentID).Scan(&org.ParentName)
}

func nameTaken(name string) error {
	return &desk.Error{Code: desk.ECONFLICT, Field: "name", Key: "error.organization_name_taken", Args: []any{name}}
}

func updateOrganization(ctx context.Context, tx *Tx, id int64, upd desk.OrganizationUpdate) (*desk.Organization, error) {
	if err := tx.lockRow(ctx, "organization", id); err != nil {
		return nil, err
	}
	org, err := findOrganizationByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ dst, v *string }{
		{&org.Name, upd.Name}, {&org.Code, upd.Code}, {&org.Status, upd.Status}, {&org.SupportID, upd.SupportID},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	parentChanged := upd.ParentID != nil && *upd.ParentID != org.ParentID
	if upd.ParentID != nil {
		org.ParentID = *upd.ParentID
	}
	if err := org.Validate(); err != nil {
		return nil, err
	}
	if parentChanged {
		if err := checkParent(ctx, tx, org); err != nil {
			return nil, err
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE organization SET name = ?, code = ?, status = ?, support_id = ?, parent_id = ? WHERE id = ?",
		org.Name, org.Code, org.Status, org.SupportID, nullID(org.ParentID), id)
	if isUnique(err) {
		return nil, nameTaken(org.Name)
	} else if err != nil {
		return nil, fmt.Errorf("update organization: %w", err)
	}
	return org, nil
}

// checkOrg returns EINVALID on field unless organization id exists and the
// user may see it.
func checkOrg(ctx context.Context, tx *Tx, id int64, field string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM organization WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !tx.user.SeesOrg(id)) {
		return desk.Invalid(field, "error.unknown_organization")
	} else if err != nil {
		return fmt.Errorf("check organization: %w", err)
	}
	return nil
}

// checkOrgs is checkOrg for many organizations at once.
func checkOrgs(ctx context.Context, tx *Tx, ids []int64, field string) error {
	ids = distinct(ids)
	found := make(map[int64]bool, len(ids))
	err := chunks(ids, 500, func(part []int64) error {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM organization WHERE id IN ("+placeholders(len(part))+")", int64Args(part)...)
		if err != nil {
			return fmt.Errorf("check organizations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("check organizations: %w", err)
			}
			found[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !found[id] || !tx.user.SeesOrg(id) {
			return desk.Invalid(field, "error.unknown_organization_id", id)
		}
	}
	return nil
}

// distinct returns the distinct non-zero ids, in first-seen order.
func distinct(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	var out []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
