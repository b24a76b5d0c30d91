package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// FindLocationByID returns the location of id, ENOTFOUND when it does not
// exist or belongs to an organization outside the user's.
func (db *DB) FindLocationByID(ctx context.Context, id int64) (*desk.Location, error) {
	tx, err := db.beginRead(ctx, desk.ClassLocation)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findLocationByID(ctx, tx, id)
}

// FindLocations returns the locations matching filter, by name, and their
// total count.
func (db *DB) FindLocations(ctx context.Context, filter desk.LocationFilter) ([]*desk.Location, int, error) {
	tx, err := db.beginRead(ctx, desk.ClassLocation)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findLocations(ctx, tx, filter)
}

// CreateLocation validates loc, inserts it and sets its ID.
func (db *DB) CreateLocation(ctx context.Context, loc *desk.Location) error {
	tx, err := db.beginWrite(ctx, desk.ActionCreate, desk.ClassLocation)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createLocation(ctx, tx, loc); err != nil {
		return edgeError(err)
	}
	return tx.commit()
}

func findLocationByID(ctx context.Context, tx *Tx, id int64) (*desk.Location, error) {
	locs, _, err := findLocations(ctx, tx, desk.LocationFilter{ID: &id, Limit: 2}) // one at most; 2 spares the count
	if err != nil {
		return nil, err
	} else if len(locs) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.location_not_found")
	}
	return locs[0], nil
}

func findLocations(ctx context.Context, tx *Tx, filter desk.LocationFilter) ([]*desk.Location, int, error) {
	var c conds
	if scope := tx.scope(); scope != nil {
		c.addIn("l.org_id", scope)
	}
	if filter.ID != nil {
		c.add("l.id = ?", *filter.ID)
	}
	if filter.OrgID != nil {
		c.add("l.org_id = ?", *filter.OrgID)
	}
	offset, limit := page(filter.Offset, filter.Limit)
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.name, l.org_id, o.name, l.address
		FROM location l JOIN organization o ON o.id = l.org_id`+c.where()+
		" ORDER BY l.name, l.id LIMIT ? OFFSET ?", append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find locations: %w", err)
	}
	defer rows.Close()
	var locs []*desk.Location
	for rows.Next() {
		var l desk.Location
		if err := rows.Scan(&l.ID, &l.Name, &l.OrgID, &l.OrgName, &l.Address); err != nil {
			return nil, 0, fmt.Errorf("find locations: %w", err)
		}
		locs = append(locs, &l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find locations: %w", err)
	}
	total := offset + len(locs)
	if needCount(offset, limit, len(locs)) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM location l"+c.where(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count locations: %w", err)
		}
	}
	return locs, total, nil
}

func createLocation(ctx context.Context, tx *Tx, loc *desk.Location) error {
	if err := loc.Validate(); err != nil {
		return err
	}
	if err := checkOrg(ctx, tx, loc.OrgID, "org_id"); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "INSERT INTO location (name, org_id, address) VALUES (?, ?, ?) RETURNING id",
		loc.Name, loc.OrgID, loc.Address).Scan(&loc.ID); err != nil {
		return fmt.Errorf("insert location: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT name FROM organization WHERE id = ?", loc.OrgID).Scan(&loc.OrgName); err != nil {
		return fmt.Errorf("insert location: %w", err)
	}
	return nil
}

// locationOrgs returns the organization of each existing location of ids.
func locationOrgs(ctx context.Context, tx *Tx, ids []int64) (map[int64]int64, error) {
	return idMap(ctx, tx, "SELECT id, org_id FROM location WHERE id IN ", distinct(ids))
}

// checkLocation returns EINVALID on location_id unless location id exists and
// belongs to organization orgID.
func checkLocation(ctx context.Context, tx *Tx, id, orgID int64) error {
	var locOrg int64
	err := tx.QueryRowContext(ctx, "SELECT org_id FROM location WHERE id = ?", id).Scan(&locOrg)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !tx.user.SeesOrg(locOrg)) {
		return desk.Invalid("location_id", "error.unknown_location")
	} else if err != nil {
		return fmt.Errorf("check location: %w", err)
	} else if locOrg != orgID {
		return desk.Invalid("location_id", "error.location_other_org")
	}
	return nil
}

// idMap runs query, "SELECT key, value FROM ... WHERE id IN ", on chunks of
// ids and returns the key -> value map.
func idMap(ctx context.Context, tx *Tx, query string, ids []int64) (map[int64]int64, error) {
	m := make(map[int64]int64, len(ids))
	err := chunks(ids, 500, func(part []int64) error {
		rows, err := tx.QueryContext(ctx, query+"("+placeholders(len(part))+")", int64Args(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v int64
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			m[k] = v
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("look up ids: %w", err)
	}
	return m, nil
}
