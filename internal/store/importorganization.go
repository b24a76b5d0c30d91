package store

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// ImportOrganizations implements desk.ImportService.
func (db *DB) ImportOrganizations(ctx context.Context, rows iter.Seq2[*desk.OrganizationImport, error], opt desk.ImportOptions) (desk.ImportResult, error) {
	var res desk.ImportResult
	for _, action := range []string{desk.ActionCreate, desk.ActionModify} {
		if err := desk.Authorize(ctx, action, desk.ClassOrganization); err != nil {
			return res, err
		}
	}
	next, stop := iter.Pull2(rows)
	defer stop()
	batch := make([]*desk.OrganizationImport, 0, importBatch)
	for done := false; !done; {
		batch = batch[:0]
		for len(batch) < importBatch {
			row, err, ok := next()
			if !ok {
				done = true
				break
			} else if err != nil {
				return res, err
			} else if row != nil {
				batch = append(batch, row)
			}
		}
		if len(batch) == 0 {
			break
		}
		r, err := db.importOrganizationBatch(ctx, batch, opt)
		if err != nil {
			return res, edgeError(err)
		}
		res.Created += r.Created
		res.Updated += r.Updated
		res.Unchanged += r.Unchanged
		res.Rejected += r.Rejected
		if opt.Progress != nil {
			opt.Progress(desk.ImportProgress{Stage: "rows", Rows: res.Rows(), LastRow: batch[len(batch)-1].Row})
		}
	}
	return res, nil
}

// importOrganizationBatch imports rows in one transaction. A row matches the
// organization of the same name that the user sees; one the user does not
// see cannot be created again (its name is taken).
func (db *DB) importOrganizationBatch(ctx context.Context, rows []*desk.OrganizationImport, opt desk.ImportOptions) (desk.ImportResult, error) {
	var res desk.ImportResult
	tx, err := db.beginWrite(ctx, desk.ActionModify, desk.ClassOrganization)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	var names []string
	for _, row := range rows {
		if name := strings.TrimSpace(row.Organization.Name); name != "" {
			names = append(names, name)
		}
	}
	type entry struct{ org, orig *desk.Organization }
	byName := map[string]*entry{}
	hidden := map[string]bool{} // names of organizations the user does not see
	err = inStrings(ctx, tx, "SELECT id, name, code, status, support_id FROM organization WHERE name IN ", distinctStrings(names),
		func(scan func(...any) error) error {
			o := &desk.Organization{}
			if err := scan(&o.ID, &o.Name, &o.Code, &o.Status, &o.SupportID); err != nil {
				return err
			}
			if tx.user.SeesOrg(o.ID) {
				orig := *o
				byName[o.Name] = &entry{org: o, orig: &orig}
			} else {
				hidden[o.Name] = true
			}
			return nil
		})
	if err != nil {
		return res, fmt.Errorf("find organizations: %w", err)
	}
	reject := func(row *desk.OrganizationImport, err error) {
		res.Rejected++
		if opt.Reject != nil {
			opt.Reject(row.Row, err)
		}
	}
	var created []*entry
	rowEntries := make([]*entry, len(rows))
	for i, row := range rows {
		in := row.Organization
		name := strings.TrimSpace(in.Name)
		e := byName[name]
		if e == nil && hidden[name] {
			reject(row, nameTaken(name))
			continue
		}
		if e == nil {
			org := &desk.Organization{Name: name, Code: in.Code, Status: strings.ToLower(strings.TrimSpace(in.Status)), SupportID: in.SupportID}
			if err := org.Validate(); err != nil {
				reject(row, err)
				continue
			}
			e = &entry{org: org}
			byName[name] = e
			created = append(created, e)
			rowEntries[i] = e
			res.Created++
			continue
		}
		m := *e.org
		for _, f := range []struct {
			dst *string
			v   string
		}{
			{&m.Code, in.Code}, {&m.Status, strings.ToLower(in.Status)}, {&m.SupportID, in.SupportID},
		} {
			if v := strings.TrimSpace(f.v); v != "" {
				*f.dst = v
			}
		}
		if err := m.Validate(); err != nil {
			reject(row, err)
			continue
		}
		rowEntries[i] = e
		if m == *e.org {
			res.Unchanged++
			continue
		}
		*e.org = m
		res.Updated++
	}
	for _, e := range created {
		if err := createOrganization(ctx, tx, e.org); err != nil {
			return res, err
		}
	}
	for _, e := range byName {
		if e.orig == nil || *e.org == *e.orig {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE organization SET code = ?, status = ?, support_id = ? WHERE id = ?",
			e.org.Code, e.org.Status, e.org.SupportID, e.org.ID); err != nil {
			return res, fmt.Errorf("update organization: %w", err)
		}
	}
	for i, row := range rows {
		if e := rowEntries[i]; e != nil {
			row.Organization.ID = e.org.ID
		}
	}
	return res, tx.commit()
}
