package store_test

import (
	"context"
	"fmt"
	"iter"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// BenchmarkImportPersons imports persons on SQLite in the cases an import
// meets, each on a directory built outside the timer: into an empty table
// (first), the same file again (unchanged), every row with a new mobile
// number (renumbered), half the rows known and half new (grow), and only
// new persons into a full table (append). It reports rows per second; the
// number keys, which cost more to compute than the rows to write, are what
// the cases weigh differently.
//
//	go test ./internal/store -run '^$' -bench ImportPersons -benchtime 3x
func BenchmarkImportPersons(b *testing.B) {
	const n = 30000
	ctx := desk.NewSystemContext(context.Background())
	opt := desk.ImportOptions{CreateOrganizations: true}
	for _, bc := range []struct {
		name       string
		base       iter.Seq2[*desk.PersonImport, error] // imported before the timer
		rows       iter.Seq2[*desk.PersonImport, error]
		wantRows   int
		wantResult func(desk.ImportResult) bool
	}{
		{"first", nil, benchImportRows(0, n, 0), n, func(r desk.ImportResult) bool { return r.Created == n }},
		{"unchanged", benchImportRows(0, n, 0), benchImportRows(0, n, 0), n, func(r desk.ImportResult) bool { return r.Unchanged == n }},
		{"renumbered", benchImportRows(0, n, 0), benchImportRows(0, n, 1), n, func(r desk.ImportResult) bool { return r.Updated == n }},
		{"grow", benchImportRows(0, n, 0), benchImportRows(n/2, n, 0), n, func(r desk.ImportResult) bool {
			return r.Unchanged == n/2 && r.Created == n/2
		}},
		{"append", benchImportRows(0, n, 0), benchImportRows(n, n, 0), n, func(r desk.ImportResult) bool { return r.Created == n }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := openTemp(b)
				if bc.base != nil {
					if _, err := db.ImportPersons(ctx, bc.base, opt); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				res, err := db.ImportPersons(ctx, bc.rows, opt)
				if err != nil {
					b.Fatal(err)
				}
				if !bc.wantResult(res) {
					b.Fatalf("import: %+v", res)
				}
			}
			b.ReportMetric(float64(bc.wantRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// benchImportRows yields count persons from the from-th, with numbers as
// people write them in four countries; version changes every mobile number.
func benchImportRows(from, count, version int) iter.Seq2[*desk.PersonImport, error] {
	return func(yield func(*desk.PersonImport, error) bool) {
		for i := from; i < from+count; i++ {
			var phone, mobile string
			switch i % 4 {
			case 0:
				phone, mobile = fmt.Sprintf("01 %02d %02d %02d %02d", i/1000000%100, i/10000%100, i/100%100, i%100),
					fmt.Sprintf("+33 6 %02d %02d %02d %02d", version, i/10000%100, i/100%100, i%100)
			case 1:
				phone, mobile = fmt.Sprintf("030 %07d", i), fmt.Sprintf("+49 151 %d%07d", version, i)
			case 2:
				phone, mobile = fmt.Sprintf("020 7946 %04d ext. %d", i%10000, i%100), fmt.Sprintf("07700 %d%05d", version, i%100000)
			default:
				phone, mobile = fmt.Sprintf("(212) 555-%04d", i%10000), fmt.Sprintf("+1 646 %d%06d", version, i%1000000)
			}
			p := desk.Person{Name: fmt.Sprint("Person ", i), FirstName: "Bench", OrgName: fmt.Sprint("Org ", i%24),
				Email: fmt.Sprintf("p%d@example.com", i), Phone: phone, MobilePhone: mobile}
			if !yield(&desk.PersonImport{Row: i - from + 2, Person: p}, nil) {
				return
			}
		}
	}
}
