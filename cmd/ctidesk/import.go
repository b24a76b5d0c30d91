package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ctidesk/ctidesk/internal/csvimport"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/store"
)

const importUsage = "usage: ctidesk import persons|organizations|teams|team-members FILE.csv (- reads stdin)"

func (m *Main) parseImport(args []string) error {
	fs := m.newFlagSet("import")
	createOrgs := fs.Bool("create-orgs", true, "create the organizations named by a person's org_name that do not exist "+
		"(false: such a row is a bad row). A later release reads it from ctidesk.yaml")
	rest, err := parseFlags(fs, args, m.Getenv)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return errors.New(importUsage)
	}
	kind, err := csvimport.ParseKind(rest[0])
	if err != nil {
		return fmt.Errorf("%w; %s", err, importUsage)
	}
	path := rest[1]
	if kind == csvimport.Teams || kind == csvimport.TeamMembers {
		m.run = func(ctx context.Context) error { return m.runTeamImport(ctx, kind, path) }
		return nil
	}
	m.run = func(ctx context.Context) error { return m.runImport(ctx, kind, path, *createOrgs) }
	return nil
}

// openImportFile opens the CSV file at path, or stdin for "-", and returns
// it with the name its errors give and what closes it.
func (m *Main) openImportFile(path string) (in io.Reader, name string, closeIn func(), err error) {
	if path == "-" {
		return m.Stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, err
	}
	return f, path, func() { f.Close() }, nil
}

// runImport imports a CSV file. Bad rows are reported on stderr with their
// line, in line order, and skipped; the summary goes to stdout. It fails
// when any row was bad, so that scripts notice, after importing the others.
func (m *Main) runImport(ctx context.Context, kind csvimport.Kind, path string, createOrgs bool) error {
	in, name, closeIn, err := m.openImportFile(path)
	if err != nil {
		return err
	}
	defer closeIn()
	size := int64(-1) // unknown: no percentage
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	counter := &countingReader{r: in}
	r, err := csvimport.NewReader(counter, kind)
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	ctx = desk.NewSystemContext(ctx)
	rep := &importReport{w: m.Stderr, kind: kind.String(), size: size, bytes: &counter.n, start: time.Now()}
	opt := desk.ImportOptions{
		CreateOrganizations: createOrgs,
		Reject:              func(line int, err error) { rep.bad(line, rowReason(m.Messages, err)) },
		Progress: func(p desk.ImportProgress) {
			rep.flush(p.LastRow)
			rep.show(p.Stage)
		},
	}
	var res desk.ImportResult
	load := func(db *store.DB) error {
		var err error
		if kind == csvimport.Persons {
			res, err = db.Services().Importer.ImportPersons(ctx, readRows(r.ReadPerson, rep), opt)
		} else {
			res, err = db.Services().Importer.ImportOrganizations(ctx, readRows(r.ReadOrganization, rep), opt)
		}
		return err
	}
	empty, err := m.DB.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if empty {
		// The first import fills an empty database: in bulk
		// (store.BulkLoad), with the database to itself.
		norm := m.DB.Phone
		if err := m.DB.Close(); err != nil {
			return err
		}
		m.DB = nil
		err = store.BulkLoad(ctx, m.DSN, func(db *store.DB) { db.Phone = norm }, load,
			func(done, total int) { rep.show("indexes") })
	} else {
		err = load(m.DB)
	}
	rep.flush(-1)
	rep.clear()
	skipped := res.Rejected + rep.skipped
	fmt.Fprintf(m.Stdout, "%s from %s: created %d, updated %d, unchanged %d, skipped %d (bad rows), in %.1f seconds\n",
		kind, name, res.Created, res.Updated, res.Unchanged, skipped, time.Since(rep.start).Seconds())
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	if skipped > 0 {
		return fmt.Errorf("import %s: %d bad rows skipped (see above); the other rows were imported", name, skipped)
	}
	return nil
}

// rowReason returns the reason a row was rejected, naming the attribute at
// fault: `email "x@" is not an email address`, `name: Last name is required`.
func rowReason(en *locale.Printer, err error) string {
	var de *desk.Error
	if !errors.As(err, &de) {
		return err.Error()
	}
	msg := strings.TrimSuffix(en.Error(de), ".")
	switch {
	case de.Field == "":
		return msg
	case msg != "" && (msg[0] == '"' || msg[0] >= '0' && msg[0] <= '9'):
		return de.Field + " " + msg
	}
	return de.Field + ": " + msg
}

// readRows returns the rows read returns, read ahead on another goroutine so
// that the parsing overlaps the writing. Bad rows go to rep.
func readRows[T any](read func() (T, error), rep *importReport) iter.Seq2[T, error] {
	type item struct {
		row T
		err error
	}
	return func(yield func(T, error) bool) {
		batches := make(chan []item, 8)
		done := make(chan struct{})
		defer close(done)
		go func() {
			defer close(batches)
			batch := make([]item, 0, 256)
			for {
				row, err := read()
				if errors.Is(err, io.EOF) {
					break
				}
				batch = append(batch, item{row, err})
				var re *csvimport.RowError
				fatal := err != nil && !errors.As(err, &re)
				if len(batch) == cap(batch) || fatal {
					select {
					case batches <- batch:
					case <-done:
						return
					}
					batch = make([]item, 0, 256)
				}
				if fatal {
					return
				}
			}
			select {
			case batches <- batch:
			case <-done:
			}
		}()
		for batch := range batches {
			for _, it := range batch {
				rep.rows++
				var re *csvimport.RowError
				if errors.As(it.err, &re) {
					rep.skipped++
					rep.bad(re.Line, re.Reason)
					continue
				}
				if !yield(it.row, it.err) || it.err != nil {
					return
				}
			}
			rep.show("rows")
		}
	}
}

// countingReader counts the bytes read, for the progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importReport shows the progress of an import on stderr, at most five
// times a second, and the bad rows, in line order: they are held until the
// importer is done with the rows before them (it reads ahead).
type importReport struct {
	w       io.Writer
	kind    string
	size    int64 // of the file, -1 when unknown
	bytes   *atomic.Int64
	start   time.Time
	last    time.Time
	stage   string
	shown   int // width of the progress line on screen, 0 for none
	rows    int // read, good or bad
	skipped int // rows the reader found bad
	held    []badRow
}

type badRow struct {
	line   int
	reason string
}

func (r *importReport) bad(line int, reason string) {
	r.held = append(r.held, badRow{line, reason})
}

// flush prints the bad rows held up to line upTo, -1 for all.
func (r *importReport) flush(upTo int) {
	slices.SortStableFunc(r.held, func(a, b badRow) int { return a.line - b.line })
	n := 0
	for n < len(r.held) && (upTo < 0 || r.held[n].line <= upTo) {
		n++
	}
	if n == 0 {
		return
	}
	r.clear()
	for _, b := range r.held[:n] {
		fmt.Fprintf(r.w, "line %d: %s\n", b.line, b.reason)
	}
	r.held = slices.Delete(r.held, 0, n)
}

// show prints the progress line, unless it was printed less than 200 ms ago
// at the same stage.
func (r *importReport) show(stage string) {
	now := time.Now()
	if now.Sub(r.last) < 200*time.Millisecond && stage == r.stage {
		return
	}
	r.last, r.stage = now, stage
	elapsed := now.Sub(r.start).Seconds()
	line := fmt.Sprintf("%s: %d rows", r.kind, r.rows)
	if r.size > 0 {
		line += fmt.Sprintf(", %d%%", min(100, r.bytes.Load()*100/r.size))
	}
	if elapsed > 0 {
		line += fmt.Sprintf(", %.0f rows/s", float64(r.rows)/elapsed)
	}
	if stage == "indexes" {
		line += ", building the indexes"
	}
	pad := max(0, r.shown-len(line))
	fmt.Fprintf(r.w, "\r%s%s", line, strings.Repeat(" ", pad))
	r.shown = len(line)
}

// clear erases the progress line.
func (r *importReport) clear() {
	if r.shown > 0 {
		fmt.Fprintf(r.w, "\r%s\r", strings.Repeat(" ", r.shown))
		r.shown = 0
	}
}
