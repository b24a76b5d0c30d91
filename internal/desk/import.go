package desk

import (
	"context"
	"iter"
)

// PersonImport is one row of a person import (`ctidesk import persons`).
type PersonImport struct {
	// Row is the caller's number for the row, the line of a CSV file; it is
	// given back with a rejection.
	Row int
	// Person holds the attributes read. An empty string (0 for an id) means
	// "not given": a new person gets the default, a matched person keeps its
	// value. When OrgID is 0, OrgName (exact), or else OrgCode, names the
	// organization; when LocationID is 0, LocationName (exact) names a
	// location of the person's organization. The importer sets ID.
	Person Person
	// OrgCode names the organization by its code, when neither OrgID nor
	// OrgName is given.
	OrgCode string
}

// OrganizationImport is one row of an organization import.
type OrganizationImport struct {
	// Row is the caller's number for the row, given back with a rejection.
	Row int
	// Organization holds the attributes read; an empty string means "not
	// given", as in PersonImport. The importer sets ID.
	Organization Organization
}

// ImportOptions configure an import. The callbacks are called on the
// goroutine that called the Import method, between the reads of rows.
type ImportOptions struct {
	// CreateOrganizations creates the organizations named by a person's
	// OrgName that do not exist, when the user may create organizations;
	// otherwise such a row is rejected.
	CreateOrganizations bool
	// Reject, when set, is called with each row that is not imported and the
	// reason: a validation error (*Error, EINVALID, with its Field), an
	// unknown organization or location, a conflict.
	Reject func(row int, err error)
	// Progress, when set, is called after each batch of rows written.
	Progress func(ImportProgress)
}

// ImportProgress tells how far an import is.
type ImportProgress struct {
	// Stage is "rows" while rows are written, "indexes" while an import
	// into an empty table builds its indexes, the last stage.
	Stage string
	// Rows is the number of rows done (imported or rejected).
	Rows int
	// LastRow is the Row of the last row done: every row up to it that was
	// rejected has been reported.
	LastRow int
}

// ImportResult counts the rows of an import: each row is created, updated,
// unchanged or rejected.
type ImportResult struct {
	// Created counts the rows that created an object.
	Created int
	// Updated counts the rows that changed an existing object (or one that
	// an earlier row of the same import created).
	Updated int
	// Unchanged counts the rows that matched an object whose attributes
	// already had the row's values.
	Unchanged int
	// Rejected counts the rows not imported.
	Rejected int
}

// Rows returns the number of rows counted.
func (r ImportResult) Rows() int { return r.Created + r.Updated + r.Unchanged + r.Rejected }

// ImportService creates and updates persons and organizations in bulk. An
// import is idempotent: a row matches an existing object, which it updates
// with its non-empty values, instead of creating another.
//
// Bad rows do not stop an import: each is rejected (ImportOptions.Reject)
// and the good rows are kept. An error ends the import: the rows read until
// then may be imported or not, and the result counts those that were. Rights
// and the organization scope of the user in ctx apply as to single writes;
// only the objects the user sees are matched.
type ImportService interface {
	// ImportPersons imports persons. A row matches the person with the same
	// email (ignoring case) when it has one, else the person with the same
	// employee number when it has one; a row with neither always creates a
	// person. When several persons match, the one with the lowest id is
	// updated; an email that differs from the stored one in case only
	// leaves it as stored. A person moved to another organization loses its
	// location, unless the row names one. Rows are counted per row: a later
	// row for a person an earlier row created counts as updated or
	// unchanged.
	ImportPersons(ctx context.Context, rows iter.Seq2[*PersonImport, error], opt ImportOptions) (ImportResult, error)
	// ImportOrganizations imports organizations. A row matches the
	// organization with the same name.
	ImportOrganizations(ctx context.Context, rows iter.Seq2[*OrganizationImport, error], opt ImportOptions) (ImportResult, error)
}
