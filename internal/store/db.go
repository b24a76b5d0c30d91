// Package store implements the desk services on database/sql. SQLite
// (modernc.org/sqlite, no cgo) is the embedded default; PostgreSQL will follow
// and run the same test suite (package storetest).
//
// Exported methods open the transaction and apply rights and the organization
// scope of the user in the context; unexported helpers take the *Tx.
//
// Choices the callers can see:
//   - Times are kept in UTC, to the second.
//   - An object outside the user's organizations is ENOTFOUND when asked for,
//     and EINVALID on the field that names it when written. A user always
//     sees his own contact (as a ticket's or a call's agent).
//   - A phone call is visible with its ticket; without a ticket, with its
//     contact; with neither, to its agent only (and unscoped users).
//   - A nil ID list in a filter does not filter; an empty one matches nothing.
//   - Phone numbers are matched by the match keys of internal/phone, kept in
//     person_number on every write (DESIGN.md section 4): FindCallersByNumber
//     and the number searches probe a range of the reversed-digits index and
//     never scan. The keys depend on DB.Phone's default region; Reindex
//     rebuilds them after a change, and NumberKeysRegion tells which region
//     they were built with.
//   - PersonFilter.Query made of a number (and maybe an extension) is a
//     number search: with at least the normalizer's minimum of significant
//     digits it finds whom FindCallersByNumber finds; with fewer, but at least
//     minNumberDigits digits, the numbers ending with those digits as typed
//     ("0100"). Equal employee numbers and support ids match too. Any other
//     query is a case-insensitive substring of name, first name, full name,
//     email or employee number.
//   - Caller lookups run without a transaction (one statement), and rank in
//     Go: E.164 equal, then longest common suffix, then name, first name, id.
//   - A person still referred to by a ticket, phone call or user cannot be
//     deleted (ECONFLICT).
//   - Organization names and logins (whatever their case) are unique.
//   - API tokens, like sessions, are kept as their SHA-256 only. A user
//     manages his own; another user's token is ENOTFOUND but to an admin.
//     AuthenticateAPIToken reads with one statement and records a token's
//     use at most once a minute.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// Limits of Find* pages.
const (
	defaultLimit = 50
	maxLimit     = 1000
	// batchSize is the number of rows CreatePersons and CreateTickets insert per
	// transaction.
	batchSize = 10000
)

// DB is a ctidesk database: one writer connection, so that writes never wait
// on each other inside SQLite, and a pool of readers, which WAL lets run while
// the writer works.
type DB struct {
	write *sql.DB
	read  *sql.DB
	path  string
	stmts *stmtCache

	// Now returns the current time; tests replace it to fix the clock. The
	// store keeps times in UTC, to the second.
	Now func() time.Time

	// Phone normalizes every phone number the store writes or looks up: the
	// number keys of persons, caller lookups, number searches. Open sets the
	// defaults (region US, 7 digits); set it before any write, and run
	// Reindex after changing its region (keys depend on it).
	Phone *phone.Normalizer
}

// Interface checks: DB provides every service.
var (
	_ desk.OrganizationService = (*DB)(nil)
	_ desk.LocationService     = (*DB)(nil)
	_ desk.PersonService       = (*DB)(nil)
	_ desk.TicketService       = (*DB)(nil)
	_ desk.PhoneCallService    = (*DB)(nil)
	_ desk.UserService         = (*DB)(nil)
	_ desk.SessionService      = (*DB)(nil)
	_ desk.CallerService       = (*DB)(nil)
	_ desk.ImportService       = (*DB)(nil)
	_ desk.QueryService        = (*DB)(nil)
	_ desk.TokenService        = (*DB)(nil)
)

// Open opens the database named by dsn, "sqlite:PATH". It does not migrate;
// call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return nil, errors.New("open database: postgres is not supported yet")
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	default:
		return nil, errors.New("open database: unknown database URL, expecting sqlite:PATH")
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if strings.HasPrefix(path, "//") { // sqlite:///abs/path
		path = path[2:]
	}
	switch {
	case path == "":
		return nil, errors.New("open database: sqlite:PATH needs a file path")
	case path == ":memory:" || strings.Contains(path, "mode=memory"):
		return nil, errors.New("open database: in-memory SQLite is not supported, use a file")
	case strings.ContainsAny(path, "?#"):
		return nil, fmt.Errorf("open database %s: the path may not contain ? or #", path)
	}
	// Every pooled connection runs these pragmas when it opens. Times are
	// written as "2006-01-02 15:04:05-07:00" text, always in UTC, so that they
	// sort as text.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	write, err := sql.Open("sqlite", path+"?"+common+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer connects first: it turns WAL on in a new file.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Readers map up to 1 GiB of the file: a lookup at 1,000,000 persons
	// reads a few pages anywhere in a file of half a gigabyte, and mapped
	// pages skip a read system call and a copy each (a third off the median
	// lookup, measured; see BenchmarkFindCallersByNumber).
	read, err := sql.Open("sqlite", path+"?"+common+"&_pragma=cache_size(-16384)&_pragma=mmap_size(1073741824)&_query_only=1")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return &DB{write: write, read: read, path: path, stmts: newStmtCache(), Now: time.Now,
		Phone: phone.MustNew(phone.Options{})}, nil
}

// Path returns the file of the database.
func (db *DB) Path() string { return db.path }

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.close()
	err := errors.Join(db.read.Close(), db.write.Close())
	db.stmts.wait()
	return err
}

// Services returns every service of the store.
func (db *DB) Services() desk.Services {
	return desk.Services{
		Organizations: db,
		Locations:     db,
		Persons:       db,
		Tickets:       db,
		PhoneCalls:    db,
		Users:         db,
		Sessions:      db,
		Callers:       db,
		Importer:      db,
		Queries:       db,
		Tokens:        db,
	}
}

// IsEmpty reports whether the database holds no organization, person, ticket
// or user, as a new one.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	for _, table := range []string{"organization", "person", "ticket", "users"} {
		var exists bool
		// table is one of the constants above.
		if err := db.read.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+")").Scan(&exists); err != nil {
			return false, fmt.Errorf("check whether the database is empty: %w", err)
		}
		if exists {
			return false, nil
		}
	}
	return true, nil
}

// Tx is a transaction of the store; it carries the acting user and the time,
// so every row written by one call is dated alike. Its QueryContext,
// QueryRowContext and ExecContext use the statement cache of the DB.
type Tx struct {
	*sql.Tx
	pool  *sql.DB
	stmts *stmtCache
	user  *desk.User
	now   time.Time
	phone *phone.Normalizer
	// authorName caches the name signing log entries, see author.
	authorName string
}

// now returns db.Now in UTC, to the second.
func (db *DB) now() time.Time {
	return dbTime(db.Now())
}

// dbTime returns t as the store keeps it: UTC, to the second.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Second)
}

// beginRead starts a read-only transaction on the reader pool, after checking
// that the user in ctx may read class (none: only a logged-in user is needed).
func (db *DB) beginRead(ctx context.Context, class string) (*Tx, error) {
	return db.begin(ctx, db.read, desk.ActionRead, class)
}

// beginWrite starts a transaction on the writer connection (BEGIN IMMEDIATE),
// after checking that the user in ctx may do action on class.
func (db *DB) beginWrite(ctx context.Context, action, class string) (*Tx, error) {
	return db.begin(ctx, db.write, action, class)
}

func (db *DB) begin(ctx context.Context, pool *sql.DB, action, class string) (*Tx, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.Errorf(desk.EUNAUTHORIZED, "You must log in.")
	}
	if class != "" {
		if err := desk.Authorize(ctx, action, class); err != nil {
			return nil, err
		}
	}
	tx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: pool == db.read})
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return &Tx{Tx: tx, pool: pool, stmts: db.stmts, user: user, now: db.now(), phone: db.Phone}, nil
}

// commit commits tx, wrapping the error.
func (tx *Tx) commit() error {
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// scope returns the organizations the acting user may see, nil for all.
func (tx *Tx) scope() []int64 { return tx.user.OrgScope() }

// conds collects the conditions of a WHERE clause and their arguments. The
// SQL fragments are constants of this package; values only ever go in args.
type conds struct {
	exprs []string
	args  []any
}

func (c *conds) add(expr string, args ...any) {
	c.exprs = append(c.exprs, expr)
	c.args = append(c.args, args...)
}

// addIn adds "col IN (?, ...)"; an empty list matches nothing.
func (c *conds) addIn(col string, ids []int64) {
	if len(ids) == 0 {
		c.add("1 = 0")
		return
	}
	c.add(col+" IN ("+placeholders(len(ids))+")", int64Args(ids)...)
}

// where returns the WHERE clause, or "" when there is no condition.
func (c *conds) where() string {
	if len(c.exprs) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.exprs, " AND ")
}

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// page returns the LIMIT and OFFSET of a Find*: limit 0 is the default,
// anything above maxLimit is maxLimit.
func page(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	return max(offset, 0), limit
}

// needCount reports whether a page of n rows leaves the total count unknown,
// so that the count query must run: a short page ends the list.
func needCount(offset, limit, n int) bool {
	return n == limit || (n == 0 && offset > 0)
}

// likePattern returns a LIKE pattern (ESCAPE '\') matching s anywhere.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// likeOp is the case-insensitive LIKE of the dialect: SQLite's LIKE ignores the
// case of ASCII letters (PostgreSQL will use ILIKE).
const likeOp = "LIKE"

// nullID returns nil for a zero id, so that an optional reference is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullTime returns nil for a nil time, else the time as the store keeps it.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dbTime(*t)
}

// timePtr returns the time of a nullable column, in UTC.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// chunks calls fn with successive slices of ids of at most n elements.
func chunks(ids []int64, n int, fn func([]int64) error) error {
	for len(ids) > 0 {
		k := min(n, len(ids))
		if err := fn(ids[:k]); err != nil {
			return err
		}
		ids = ids[k:]
	}
	return nil
}

// isConstraint reports whether err is a violation of the given SQLite
// extended constraint code.
func isConstraint(err error, code int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == code
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) || isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}

// edgeError turns the constraint errors left over by the explicit checks into
// desk codes, so that no driver error reaches the user as "internal".
func edgeError(err error) error {
	var de *desk.Error
	switch {
	case err == nil || errors.As(err, &de):
		return err
	case isUnique(err):
		return desk.Errorf(desk.ECONFLICT, "This value is already used by another object.")
	case isForeignKey(err):
		return desk.Errorf(desk.ECONFLICT, "The object is referenced by, or refers to, an object that does not exist or is still in use.")
	}
	return err
}

// bulkInsert inserts rows with multi-row INSERT statements of up to per rows,
// each size prepared once. Rows of a table referring to another are flushed
// after the rows of the other (after).
type bulkInsert struct {
	tx    *Tx
	head  string // INSERT INTO table (columns) VALUES
	row   string // (?, ?, ...)
	ncols int
	per   int
	after *bulkInsert
	stmts map[int]*sql.Stmt
	buf   []any
}

func newBulkInsert(tx *Tx, table string, cols []string, per int, after *bulkInsert) *bulkInsert {
	// table and cols are constants of this package.
	return &bulkInsert{
		tx:    tx,
		head:  "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		row:   "(" + placeholders(len(cols)) + ")",
		ncols: len(cols),
		per:   per,
		after: after,
		stmts: map[int]*sql.Stmt{},
	}
}

// add queues a row, and writes the queue when it is full.
func (b *bulkInsert) add(ctx context.Context, values ...any) error {
	b.buf = append(b.buf, values...)
	if len(b.buf) >= b.per*b.ncols {
		return b.flush(ctx)
	}
	return nil
}

// flush writes the queued rows.
func (b *bulkInsert) flush(ctx context.Context) error {
	if b.after != nil {
		if err := b.after.flush(ctx); err != nil {
			return err
		}
	}
	n := len(b.buf) / b.ncols
	if n == 0 {
		return nil
	}
	stmt := b.stmts[n]
	if stmt == nil {
		var err error
		stmt, err = b.tx.PrepareContext(ctx, b.head+strings.TrimSuffix(strings.Repeat(b.row+", ", n), ", "))
		if err != nil {
			return err
		}
		b.stmts[n] = stmt
	}
	if _, err := stmt.ExecContext(ctx, b.buf...); err != nil {
		return err
	}
	b.buf = b.buf[:0]
	return nil
}

// close closes the prepared statements.
func (b *bulkInsert) close() {
	for _, s := range b.stmts {
		s.Close()
	}
}
