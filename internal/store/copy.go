package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/oql"
)

// CopyOptions tune Copy.
type CopyOptions struct {
	// Progress, when not nil, is told the rows done of each table, and its
	// total.
	Progress func(table string, done, total int)
	// Sanitize takes the NULs out of the texts a PostgreSQL target cannot
	// take, and replaces their bytes that are not UTF-8, rather than failing.
	Sanitize bool
}

// maxReported bounds the rows a failed copy names.
const maxReported = 20

// TableCopy is what Copy did to one table: the rows it copied and their
// checksum, equal in the source and the target.
type TableCopy struct {
	// Table is the table's name.
	Table string
	// Rows is the number of rows copied.
	Rows int
	// Checksum is the hex checksum of the rows (see rowHasher).
	Checksum string
}

// seededTables are the tables the migrations fill (one row of settings):
// Copy replaces their rows in the target rather than refusing it.
var seededTables = []string{"number_keys"}

// transientTables hold what lives a few minutes and belongs to the
// instances of one database (the bus's kept events): Copy leaves them.
var transientTables = []string{"push_event", "health_probe"}

// copyBatchParams is about how many values a multi-row INSERT of Copy
// carries.
const copyBatchParams = 2000

// Copy copies every row of every table of src into dst, which must be empty
// (but for the rows the migrations put there), keeping the ids, so that a
// deployment moves from SQLite to PostgreSQL (or back) without losing a row.
// Both must be migrated to this program's schema; they must hold the same
// tables with the same columns.
//
// Tables are copied in the order of their foreign keys, within one
// transaction of dst, from one snapshot of src. Before dst commits, Copy
// reads every table of dst back and compares its row count and checksum (an
// order-free hash of every value, see rowHasher) with those of the rows read
// from src; any difference fails the copy and leaves dst as it was. On
// PostgreSQL the identity sequences are set past the largest id copied.
//
// A value PostgreSQL cannot take (a text with a NUL byte, or bytes that are
// not UTF-8, which SQLite stores as given) fails the copy naming every such
// row (table, id, column), before anything is written; with
// CopyOptions.Sanitize the NULs are taken out and invalid bytes replaced by
// U+FFFD, and the checksums compare what was written.
//
// Like Migrate, Copy is an administration task: it needs no user.
func Copy(ctx context.Context, dst, src *DB, opt CopyOptions) ([]TableCopy, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	srcOpts := &sql.TxOptions{ReadOnly: true}
	if src.Postgres() {
		srcOpts.Isolation = sql.LevelRepeatableRead // one snapshot for every table
	}
	srcTx, err := src.read.BeginTx(ctx, srcOpts)
	if err != nil {
		return nil, fmt.Errorf("copy: read the source: %w", err)
	}
	defer srcTx.Rollback()
	sqlTx, err := dst.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("copy: write the target: %w", err)
	}
	dstTx := dst.newTx(sqlTx, dst.write, nil)
	defer dstTx.Rollback()

	tables, err := copyOrder(ctx, src.dialect, srcTx)
	if err != nil {
		return nil, fmt.Errorf("copy: tables of the source: %w", err)
	}
	dstTables, err := copyOrder(ctx, dst.dialect, dstTx.Tx)
	if err != nil {
		return nil, fmt.Errorf("copy: tables of the target: %w", err)
	}
	if a, b := slices.Sorted(slices.Values(tables)), slices.Sorted(slices.Values(dstTables)); !slices.Equal(a, b) {
		return nil, fmt.Errorf("copy: the source has the tables %s and the target %s: migrate both with the same ctidesk",
			strings.Join(a, ", "), strings.Join(b, ", "))
	}
	cols := map[string][]column{}
	for _, t := range tables {
		sc, err := tableColumns(ctx, src.dialect, srcTx, t)
		if err != nil {
			return nil, fmt.Errorf("copy: columns of %s in the source: %w", t, err)
		}
		dc, err := tableColumns(ctx, dst.dialect, dstTx.Tx, t)
		if err != nil {
			return nil, fmt.Errorf("copy: columns of %s in the target: %w", t, err)
		}
		byName := map[string]column{}
		for _, c := range dc {
			byName[c.name] = c
		}
		if len(sc) != len(dc) {
			return nil, fmt.Errorf("copy: table %s has %d columns in the source and %d in the target: migrate both with the same ctidesk",
				t, len(sc), len(dc))
		}
		for i, c := range sc {
			d, ok := byName[c.name]
			if !ok {
				return nil, fmt.Errorf("copy: column %s.%s of the source is not in the target: migrate both with the same ctidesk", t, c.name)
			}
			sc[i].boolean = d.boolean // the type values are written as
		}
		cols[t] = sc
		var n int
		// t comes from the schema, quoted.
		if err := dstTx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(t)).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy: count %s in the target: %w", t, err)
		}
		if n > 0 && !slices.Contains(seededTables, t) {
			return nil, fmt.Errorf("copy: the target is not empty (table %s holds %d rows); copy only into a new database", t, n)
		}
	}

	var out []TableCopy
	var uncarried []string // the values the target cannot take
	for _, t := range tables {
		res, err := copyTable(ctx, dstTx, srcTx, t, cols[t], progress, dst.Postgres(), opt.Sanitize, &uncarried)
		if err != nil {
			return nil, fmt.Errorf("copy: table %s: %w", t, err)
		}
		out = append(out, res)
	}
	if len(uncarried) > 0 {
		more := ""
		if len(uncarried) > maxReported {
			more = fmt.Sprintf("\n  … and %d more", len(uncarried)-maxReported)
			uncarried = uncarried[:maxReported]
		}
		return nil, fmt.Errorf("copy: PostgreSQL cannot take these values, nothing was written (copy again with --sanitize to take NULs out and replace invalid bytes):\n  %s%s",
			strings.Join(uncarried, "\n  "), more)
	}
	if dst.Postgres() {
		if err := resetSequences(ctx, dstTx); err != nil {
			return nil, fmt.Errorf("copy: %w", err)
		}
	}
	// Read the target back, as it is about to be committed.
	var bad []string
	for i, t := range tables {
		n, sum, err := checksumTable(ctx, dstTx.Tx, t, cols[t])
		if err != nil {
			return nil, fmt.Errorf("copy: check table %s: %w", t, err)
		}
		if n != out[i].Rows || sum != out[i].Checksum {
			bad = append(bad, fmt.Sprintf("table %s: %d rows, checksum %s in the source; %d rows, checksum %s in the target",
				t, out[i].Rows, out[i].Checksum, n, sum))
		}
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("copy: the target differs from the source, nothing was written:\n  %s", strings.Join(bad, "\n  "))
	}
	if err := dstTx.Commit(); err != nil {
		return nil, fmt.Errorf("copy: commit: %w", err)
	}
	// The planner's statistics and the visibility map of the new rows, so
	// that the first pops do not wait for autovacuum.
	if err := dst.vacuumAnalyze(ctx); err != nil {
		return out, fmt.Errorf("copy: %w", err)
	}
	return out, nil
}

// copyTable copies the rows of table t, and returns their count and checksum
// as read from the source (sanitized when sanitize is set). For a
// PostgreSQL target (toPostgres), a text it cannot take is added to
// uncarried, or sanitized.
func copyTable(ctx context.Context, dstTx *Tx, srcTx *sql.Tx, t string, cols []column, progress func(string, int, int),
	toPostgres, sanitize bool, uncarried *[]string) (TableCopy, error) {
	res := TableCopy{Table: t}
	var total int
	if err := srcTx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(t)).Scan(&total); err != nil {
		return res, err
	}
	if slices.Contains(seededTables, t) {
		if _, err := dstTx.Tx.ExecContext(ctx, "DELETE FROM "+quoteIdent(t)); err != nil {
			return res, err
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.name)
	}
	rows, err := srcTx.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+quoteIdent(t))
	if err != nil {
		return res, err
	}
	defer rows.Close()
	ins := newBulkInsert(dstTx, quoteIdent(t), names, max(1, copyBatchParams/len(cols)), nil)
	defer ins.close()
	var h rowHasher
	values := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range values {
		dest[i] = &values[i]
	}
	if total > 0 {
		progress(t, 0, total)
	}
	last := time.Now()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return res, err
		}
		if toPostgres {
			for i, v := range values {
				if text, ok := uncarriable(v); ok {
					if sanitize {
						values[i] = strings.ToValidUTF8(strings.ReplaceAll(text, "\x00", ""), "\uFFFD")
						continue
					}
					*uncarried = append(*uncarried, fmt.Sprintf("table %s, %s, column %s", t, rowName(cols, values), cols[i].name))
				}
			}
		}
		h.add(values)
		if len(*uncarried) > 0 {
			res.Rows++ // the copy fails: read on only to name every such value
			continue
		}
		row := make([]any, len(values))
		for i, v := range values {
			row[i] = toTarget(v, cols[i])
		}
		if err := ins.add(ctx, row...); err != nil {
			return res, err
		}
		if res.Rows++; time.Since(last) > 200*time.Millisecond {
			progress(t, res.Rows, max(total, res.Rows))
			last = time.Now()
		}
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if len(*uncarried) > 0 {
		return res, nil
	}
	if err := ins.flush(ctx); err != nil {
		return res, err
	}
	if res.Rows != total {
		return res, fmt.Errorf("%d rows read, but the source counts %d", res.Rows, total)
	}
	progress(t, res.Rows, res.Rows)
	res.Checksum = h.sum()
	return res, nil
}

// uncarriable returns v as text when it is a text PostgreSQL cannot take: a
// NUL byte, or bytes that are not UTF-8.
func uncarriable(v any) (string, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return "", false
	}
	return s, strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)
}

// rowName names a row in a report: its id when the table has one.
func rowName(cols []column, values []any) string {
	for i, c := range cols {
		if c.name == "id" {
			return fmt.Sprintf("id %v", values[i])
		}
	}
	return "a row without id"
}

// checksumTable reads every row of t and returns their count and checksum.
func checksumTable(ctx context.Context, tx *sql.Tx, t string, cols []column) (int, string, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.name)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+quoteIdent(t))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var h rowHasher
	values := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range values {
		dest[i] = &values[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return 0, "", err
		}
		h.add(values)
		n++
	}
	return n, h.sum(), rows.Err()
}

// column is a column of a table, as Copy reads and writes it.
type column struct {
	name string
	// boolean: the target keeps booleans (PostgreSQL), which SQLite gives
	// as integers.
	boolean bool
}

// toTarget returns a value read from the source as the target takes it.
func toTarget(v any, c column) any {
	switch v := v.(type) {
	case time.Time:
		return v.UTC()
	case int64:
		if c.boolean {
			return v != 0
		}
	}
	return v
}

// rowHasher sums the SHA-256 of every row's canonical encoding, lane by
// lane: a checksum of the rows whatever their order, which each database
// returns in its own, and whatever the driver's types for one value (an
// integer or a boolean, a time in any zone).
type rowHasher struct {
	lanes [4]uint64
	buf   []byte
}

func (h *rowHasher) add(values []any) {
	b := h.buf[:0]
	for _, v := range values {
		var field []byte
		tag := byte('S')
		switch v := v.(type) {
		case nil:
			tag = 'N'
		case bool:
			tag, field = 'I', []byte("0")
			if v {
				field = []byte("1")
			}
		case int64:
			tag, field = 'I', strconv.AppendInt(nil, v, 10)
		case int32:
			tag, field = 'I', strconv.AppendInt(nil, int64(v), 10)
		case int:
			tag, field = 'I', strconv.AppendInt(nil, int64(v), 10)
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				tag, field = 'I', strconv.AppendInt(nil, int64(v), 10)
			} else {
				tag, field = 'F', strconv.AppendFloat(nil, v, 'g', -1, 64)
			}
		case string:
			field = []byte(v)
		case []byte:
			field = v
		case time.Time:
			tag, field = 'T', v.UTC().AppendFormat(nil, time.RFC3339Nano)
		default:
			tag, field = '?', fmt.Appendf(nil, "%T:%v", v, v)
		}
		b = append(b, tag)
		b = binary.AppendUvarint(b, uint64(len(field)))
		b = append(b, field...)
	}
	h.buf = b
	sum := sha256.Sum256(b)
	for i := range h.lanes {
		h.lanes[i] += binary.BigEndian.Uint64(sum[8*i:])
	}
}

// sum returns the checksum of the rows added so far, in hex.
func (h *rowHasher) sum() string {
	var b [32]byte
	for i, l := range h.lanes {
		binary.BigEndian.PutUint64(b[8*i:], l)
	}
	return hex.EncodeToString(b[:])
}

// quoteIdent quotes a name of the schema for SQL.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// copyOrder returns the tables of the database (but schema_migrations, which
// each database keeps for itself), every table after those its foreign keys
// refer to, and by name otherwise.
func copyOrder(ctx context.Context, d oql.Dialect, tx *sql.Tx) ([]string, error) {
	deps := map[string][]string{}
	var query string
	if d == oql.PostgreSQL {
		query = `SELECT c.relname, COALESCE(f.relname, '')
			FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f'
			LEFT JOIN pg_class f ON f.oid = k.confrelid
			WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`
	} else {
		query = `SELECT m.name, COALESCE(k."table", '')
			FROM sqlite_master m LEFT JOIN pragma_foreign_key_list(m.name) k
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	}
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t, ref string
		if err := rows.Scan(&t, &ref); err != nil {
			return nil, err
		}
		if t == "schema_migrations" || slices.Contains(transientTables, t) {
			continue
		}
		if _, ok := deps[t]; !ok {
			deps[t] = nil
		}
		if ref != "" && ref != t {
			deps[t] = append(deps[t], ref)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var order []string
	done := map[string]bool{}
	for len(order) < len(deps) {
		var ready []string
		for _, t := range slices.Sorted(maps.Keys(deps)) {
			if done[t] {
				continue
			}
			if !slices.ContainsFunc(deps[t], func(ref string) bool { return hasKey(deps, ref) && !done[ref] }) {
				ready = append(ready, t)
			}
		}
		if len(ready) == 0 {
			return nil, errors.New("the foreign keys of the tables make a cycle")
		}
		for _, t := range ready {
			done[t] = true
			order = append(order, t)
		}
	}
	return order, nil
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// tableColumns returns the columns of table t, in their order.
func tableColumns(ctx context.Context, d oql.Dialect, tx *sql.Tx, t string) ([]column, error) {
	query := "SELECT name, upper(type) = 'BOOLEAN' FROM pragma_table_info(?) ORDER BY cid"
	if d == oql.PostgreSQL {
		query = `SELECT column_name, data_type = 'boolean' FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	}
	rows, err := tx.QueryContext(ctx, query, t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.boolean); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s has no columns", t)
	}
	return cols, nil
}

// resetSequences sets the identity sequence of every table of the schema
// past its largest id, so that the next row inserted gets a new id.
func resetSequences(ctx context.Context, tx *Tx) error {
	rows, err := tx.Tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	type ident struct{ table, column string }
	var idents []ident
	for rows.Next() {
		var i ident
		if err := rows.Scan(&i.table, &i.column); err != nil {
			rows.Close()
			return fmt.Errorf("list sequences: %w", err)
		}
		idents = append(idents, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	slices.SortFunc(idents, func(a, b ident) int { return cmp.Or(cmp.Compare(a.table, b.table), cmp.Compare(a.column, b.column)) })
	for _, i := range idents {
		// The names come from the schema, quoted; pg_get_serial_sequence
		// takes the table's name as SQL text, hence the quoted name.
		if _, err := tx.Tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(`+quoteIdent(i.column)+`), 0) + 1, false)
			FROM `+quoteIdent(i.table), quoteIdent(i.table), i.column); err != nil {
			return fmt.Errorf("reset the sequence of %s.%s: %w", i.table, i.column, err)
		}
	}
	return nil
}
