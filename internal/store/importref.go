package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// orgRef is an organization a row names: its id, or why there is none.
type orgRef struct {
	id  int64
	err error
}

// locRef is a location found by name.
type locRef struct {
	id, orgID int64
}

// rowOrg returns the organization a row names, 0 when it names none.
func (im *personImporter) rowOrg(row *desk.PersonImport) (int64, error) {
	switch p := &row.Person; {
	case p.OrgID != 0:
		if !im.orgByID[p.OrgID] {
			return 0, desk.Invalid("org_id", "error.not_organization_id", p.OrgID)
		}
		return p.OrgID, nil
	case strings.TrimSpace(p.OrgName) != "":
		ref := im.orgByName[strings.TrimSpace(p.OrgName)]
		return ref.id, ref.err
	case strings.TrimSpace(row.OrgCode) != "":
		ref := im.orgByCode[strings.TrimSpace(row.OrgCode)]
		return ref.id, ref.err
	}
	return 0, nil
}

// rowLocation returns the location a row names in organization orgID, 0 when
// it names none.
func (im *personImporter) rowLocation(row *desk.PersonImport, orgID int64) (int64, error) {
	if id := row.Person.LocationID; id != 0 {
		for _, locs := range im.locByName {
			for _, l := range locs {
				if l.id == id && l.orgID == orgID {
					return id, nil
				}
			}
		}
		return 0, desk.Invalid("location_id", "error.location_not_of_org_id", id)
	}
	name := strings.TrimSpace(row.Person.LocationName)
	if name == "" {
		return 0, nil
	}
	for _, l := range im.locByName[name] {
		if l.orgID == orgID {
			return l.id, nil
		}
	}
	return 0, desk.Invalid("location_name", "error.location_not_of_org", name)
}

// resolveOrgs finds the organizations the rows name that are not known yet,
// and creates those named by OrgName that do not exist, when the options and
// the user's rights allow.
func (im *personImporter) resolveOrgs(ctx context.Context, tx *Tx, rows []*desk.PersonImport) error {
	var ids []int64
	var names, codes []string
	seen := map[string]bool{}
	for _, row := range rows {
		p := &row.Person
		switch name, code := strings.TrimSpace(p.OrgName), strings.TrimSpace(row.OrgCode); {
		case p.OrgID != 0:
			if _, ok := im.orgByID[p.OrgID]; !ok {
				ids = append(ids, p.OrgID)
			}
		case name != "":
			if _, ok := im.orgByName[name]; !ok && !seen["n"+name] {
				seen["n"+name] = true
				names = append(names, name)
			}
		case code != "":
			if _, ok := im.orgByCode[code]; !ok && !seen["c"+code] {
				seen["c"+code] = true
				codes = append(codes, code)
			}
		}
	}
	if len(ids) > 0 {
		found, err := idMap(ctx, tx, "SELECT id, id FROM organization WHERE id IN ", distinct(ids))
		if err != nil {
			return err
		}
		for _, id := range ids {
			_, ok := found[id]
			im.orgByID[id] = ok && tx.user.SeesOrg(id)
		}
	}
	for _, name := range names {
		im.orgByName[name] = orgRef{err: desk.Invalid("org_name", "error.not_organization", name)}
	}
	err := inStrings(ctx, tx, "SELECT id, name FROM organization WHERE name IN ", names, func(scan func(...any) error) error {
		var id int64
		var name string
		if err := scan(&id, &name); err != nil {
			return err
		}
		if tx.user.SeesOrg(id) {
			im.orgByName[name] = orgRef{id: id}
			im.orgByID[id] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find organizations: %w", err)
	}
	mayCreate := im.opt.CreateOrganizations && tx.user.Can(desk.ActionCreate, desk.ClassOrganization)
	for _, name := range names {
		if im.orgByName[name].id != 0 {
			continue
		}
		if !mayCreate {
			if im.opt.CreateOrganizations {
				im.orgByName[name] = orgRef{err: desk.Invalid("org_name",
					"error.not_organization_no_create", name)}
			}
			continue
		}
		org := &desk.Organization{Name: name}
		if err := createOrganization(ctx, tx, org); err != nil {
			if desk.ErrorCode(err) == desk.EINTERNAL {
				return err
			}
			// Invalid, or the name of an organization the user does not see.
			im.orgByName[name] = orgRef{err: desk.WithField(err, "org_name")}
			continue
		}
		im.orgByName[name] = orgRef{id: org.ID}
		im.orgByID[org.ID] = true
	}
	for _, code := range codes {
		im.orgByCode[code] = orgRef{err: desk.Invalid("org_code", "error.not_org_code", code)}
	}
	count := map[string]int{}
	err = inStrings(ctx, tx, "SELECT id, code FROM organization WHERE code IN ", codes, func(scan func(...any) error) error {
		var id int64
		var code string
		if err := scan(&id, &code); err != nil {
			return err
		}
		if !tx.user.SeesOrg(id) {
			return nil
		}
		if count[code]++; count[code] == 1 {
			im.orgByCode[code] = orgRef{id: id}
			im.orgByID[id] = true
		} else {
			im.orgByCode[code] = orgRef{err: desk.Invalid("org_code", "error.org_code_ambiguous", code, count[code])}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find organizations: %w", err)
	}
	return nil
}

// loadLocations loads the locations the rows name that are not known yet.
func (im *personImporter) loadLocations(ctx context.Context, tx *Tx, rows []*desk.PersonImport) error {
	var names []string
	var ids []int64
	seen := map[string]bool{}
	for _, row := range rows {
		if id := row.Person.LocationID; id != 0 {
			ids = append(ids, id)
		} else if name := strings.TrimSpace(row.Person.LocationName); name != "" {
			if _, ok := im.locByName[name]; !ok && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		im.locByName[name] = nil
	}
	add := func(scan func(...any) error) error {
		var l locRef
		var name string
		if err := scan(&l.id, &l.orgID, &name); err != nil {
			return err
		}
		for _, old := range im.locByName[name] {
			if old.id == l.id {
				return nil
			}
		}
		im.locByName[name] = append(im.locByName[name], l)
		return nil
	}
	if err := inStrings(ctx, tx, "SELECT id, org_id, name FROM location WHERE name IN ", names, add); err != nil {
		return fmt.Errorf("find locations: %w", err)
	}
	ids = distinct(ids)
	err := chunks(ids, 500, func(part []int64) error {
		return scanRows(ctx, tx, "SELECT id, org_id, name FROM location WHERE id IN ("+placeholders(len(part))+")",
			int64Args(part), add)
	})
	if err != nil {
		return fmt.Errorf("find locations: %w", err)
	}
	return nil
}
