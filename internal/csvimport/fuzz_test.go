package csvimport_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ctidesk/ctidesk/internal/csvimport"
)

// FuzzParseCSV reads any input as a person file and as an organization file:
// no panic, the reading ends, and every line reported, of a row or of a bad
// row, is a line of the input after the header, in increasing order.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("name,email\nDoe,doe@example.com\n"))
	f.Add([]byte("\xEF\xBB\xBFname;phone\r\nDoe;\"+1 212\n555 0100\"\r\n"))
	f.Add([]byte("name,function\nDoe,\"a\"\"b\"\nRoe,5'11\" tall\nPoe,\"open\n"))
	f.Add([]byte("Company;Code\nAcme;AC;extra\n\xff;x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, kind := range []csvimport.Kind{csvimport.Persons, csvimport.Organizations} {
			r, err := csvimport.NewReader(bytes.NewReader(data), kind)
			if err != nil {
				var he *csvimport.HeaderError
				if !errors.As(err, &he) {
					t.Fatalf("NewReader: %v, want a *HeaderError", err)
				}
				continue
			}
			last := 1 // the header's line
			for i := 0; ; i++ {
				if i > len(data)+1 {
					t.Fatalf("more rows than bytes: the reading does not end")
				}
				var line int
				if kind == csvimport.Persons {
					row, err := r.ReadPerson()
					line, err = rowLine(row != nil, func() int { return row.Row }, err)
					if errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						t.Fatal(err)
					}
				} else {
					row, err := r.ReadOrganization()
					line, err = rowLine(row != nil, func() int { return row.Row }, err)
					if errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						t.Fatal(err)
					}
				}
				if line <= last || line > lines {
					t.Fatalf("row %d at line %d: want a line after %d and at most %d", i, line, last, lines)
				}
				last = line
			}
		}
	})
}

// rowLine returns the line of a row read or of a bad row; io.EOF at the end;
// any other error.
func rowLine(ok bool, line func() int, err error) (int, error) {
	var re *csvimport.RowError
	switch {
	case err == nil && ok:
		return line(), nil
	case errors.As(err, &re):
		return re.Line, nil
	case err == nil:
		return 0, errors.New("no row and no error")
	}
	return 0, err
}
