// Package store implements the desk services on database/sql. SQLite
// (modernc.org/sqlite, no cgo) is the embedded default; PostgreSQL (pgx) is
// the choice for several instances sharing one database. Both run the same
// test suite (package storetest) and the same SQL, but for the few
// differences of dialect.go.
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
//     person_number on every write (docs/configuration.md, phone): FindCallersByNumber
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
//     use at most once a minute; FindSession reads with one statement.
//   - Call events and the callbacks they raise or close are committed in
//     groups (groupcommit.go): each is answered after the commit that wrote
//     it, and one that fails fails alone.
//   - A call of the call log (call.go) is visible as a phone call: with the
//     ticket it was tied to; without one, with its contact; with neither, to
//     its agent, or while nobody answered to the agents it rang for.
//   - On PostgreSQL, emails and text searches ignore the case of every
//     letter (lower(), ILIKE), where SQLite ignores that of ASCII letters
//     only; lists sort by the database's collation (C: as SQLite, by byte).
//   - On PostgreSQL, writes that read a row before changing it lock it
//     first (lockRow), as SQLite's single writer serializes them; batch
//     inserts take their ids from the tables' identity sequences.
//   - On PostgreSQL, a read's statements run on one connection without a
//     transaction: at read committed, each sees what it would alone. On
//     SQLite a read is a transaction: its statements see one snapshot; but
//     the reads of one statement of a call event (beginReadOne: the call
//     before the event, its agents, a user with his roles and organizations)
//     run without one, as the caller lookups do.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/oql"
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

// DB is a ctidesk database. On SQLite: one writer connection, so that writes
// never wait on each other inside SQLite, a pool of readers, which WAL lets
// run while the writer works, and a checkpointer. On PostgreSQL: one pool for both, and one
// for the lookups (see openPostgres).
type DB struct {
	write *sql.DB
	read  *sql.DB
	// lookup runs the one-statement lookups of the screen pop and the API
	// (queryRead): the reader pool on SQLite.
	lookup  *sql.DB
	path    string
	dialect oql.Dialect
	stmts   *stmtCache
	// callerQueries holds the caller lookup's SQL by scope size.
	callerQueries callerQueries
	// group commits the call events' writes together (groupcommit.go);
	// nil: each in its own transaction.
	group *groupCommit
	// checkpoints copies SQLite's WAL into the file in the background; nil
	// on PostgreSQL.
	checkpoints *checkpointer

	// Now returns the current time; tests replace it to fix the clock. The
	// store keeps times in UTC, to the second.
	Now func() time.Time

	// Phone normalizes every phone number the store writes or looks up: the
	// number keys of persons, caller lookups, number searches. Open sets the
	// defaults (region US, 7 digits); set it before any write, and run
	// Reindex after changing its region (keys depend on it).
	Phone *phone.Normalizer

	// Migrated, when set, is told of each migration Migrate applies (its
	// number and name), after it committed: an upgrade says what it changed.
	Migrated func(version int, name string)

	// KeysRebuild, when set, is told of the rebuild of the number keys that
	// Migrate runs when a migration (0002, 0007) marked them stale: first
	// (0, persons) before it starts, then the progress of each batch as
	// Reindex reports it. At 1,000,000 persons it takes minutes: the
	// command line says what happens rather than staying silent.
	KeysRebuild func(done, total int)
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

// Open opens the database named by dsn: "sqlite:PATH", or a PostgreSQL URL
// (postgres://user@host:5432/dbname?sslmode=disable&search_path=schema; see
// openPostgres). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	default:
		return nil, errors.New("open database: unknown database URL, expecting sqlite:PATH or postgres://USER@HOST/DATABASE")
	}
}

// RedactDSN returns dsn with the password of a PostgreSQL URL masked, for
// messages and logs.
func RedactDSN(dsn string) string {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	return u.Redacted()
}

// openPostgres opens a pool on a PostgreSQL URL. The URL's parameters reach
// the server as settings, search_path among them: the store works in the
// first schema of the search path, so several databases may share one
// PostgreSQL database in separate schemas. A password may come from the URL,
// PGPASSWORD or ~/.pgpass (pgx reads them as libpq does).
func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	redacted := RedactDSN(dsn)
	// The pool leaves PostgreSQL to choose between a plan for the values
	// and one for any values, kept after five runs of a prepared
	// statement. Planning each statement for its values (force_custom_plan)
	// cost a third of the pops (756 against 485 a second); the statements
	// of a pop are written to have good plans for any values, which
	// TestPostgresPlansAtScale checks.
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %s", redacted, redactError(err, dsn))
	}
	// Reads and writes share the pool; several instances share the server,
	// whose max_connections (100 by default) bounds them all.
	n := max(8, 4*runtime.GOMAXPROCS(0))
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database %s: %s", redacted, redactError(err, dsn))
	}
	// The lookups run on connections that plan each statement once, for
	// any values (plan_cache_mode force_generic_plan): PostgreSQL would
	// otherwise plan the caller lookup anew at every call, as its estimate
	// of a range on rdigits without the values is poor, and planning its
	// joins costs four times running them (measured: 340 us against 75 us
	// a lookup at 100,000 persons). These statements have one good plan
	// whatever the values, index probes (docs/configuration.md, phone: no lookup
	// scans a table); without the values, the planner is told so (no
	// sequential nor bitmap scan: a plain index scan of the few keys a
	// number finds), and that starting worker processes for a probe costs
	// more than the probe (no parallel plan). Other statements keep the
	// planner's choice: a page of a list needs its LIMIT to be planned.
	lookupDSN, err := withParams(dsn, "plan_cache_mode", "force_generic_plan",
		"enable_seqscan", "off", "enable_bitmapscan", "off", "max_parallel_workers_per_gather", "0")
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database %s: %s", redacted, redactError(err, dsn))
	}
	lookup, err := sql.Open("pgx", lookupDSN)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database %s: %s", redacted, redactError(err, dsn))
	}
	// Eight connections a core: a lookup is one short statement, and with
	// 2 a core the lookups waited for a connection while the database had
	// cores to spare (measured at 200 clients on 2 cores: 2,526 – 3,586
	// lookups/s with 4, 3,728 – 4,571 with 8, 4,104 – 4,595 with 16).
	m := max(4, 8*runtime.GOMAXPROCS(0))
	lookup.SetMaxOpenConns(m)
	lookup.SetMaxIdleConns(m)
	lookup.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{write: pool, read: pool, lookup: lookup, dialect: oql.PostgreSQL, stmts: newNoStmtCache(), Now: time.Now,
		Phone: phone.MustNew(phone.Options{})}
	// Groups written side by side, each on a connection of the pool: half
	// of it, so that reads always find connections.
	db.group = newGroupCommit(db, n/2)
	return db, nil
}

// withParams returns the URL dsn with query parameters set, name then value,
// but for those dsn sets already.
func withParams(dsn string, nameValues ...string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	for i := 0; i+1 < len(nameValues); i += 2 {
		if !q.Has(nameValues[i]) {
			q.Set(nameValues[i], nameValues[i+1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redactError returns the text of err without the password of dsn, should
// the driver quote it.
func redactError(err error, dsn string) string {
	msg := err.Error()
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "//") // sqlite:///abs/path
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
	// The writer never checkpoints: a checkpointer does, in the background
	// (checkpoint.go).
	write, err := sql.Open("sqlite", path+"?"+common+"&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
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
	// Readers read through the operating system's page cache, each with a
	// page cache of its own of 8 MiB. Mapping the file (mmap_size) saved a
	// third of a lookup's median in BenchmarkFindCallersByNumber but nothing
	// measurable through HTTP, and every mapped page read counted in the
	// server's resident memory: 640 MB at 1,000,000 persons against 160 MB
	// without (docs/performance.md).
	read, err := sql.Open("sqlite", path+"?"+common+"&_pragma=cache_size(-8192)&_pragma=mmap_size(0)&_query_only=1")
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
	ckpt, err := startCheckpointer(ctx, path+"?"+common, checkpointEvery)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{write: write, read: read, lookup: read, path: path, dialect: oql.SQLite, stmts: newStmtCache(), Now: time.Now,
		Phone: phone.MustNew(phone.Options{}), checkpoints: ckpt}
	db.group = newGroupCommit(db, 1) // one writer
	return db, nil
}

// Path returns the file of a SQLite database, "" for PostgreSQL.
func (db *DB) Path() string { return db.path }

// Postgres reports whether the database is PostgreSQL rather than SQLite.
func (db *DB) Postgres() bool { return db.dialect == oql.PostgreSQL }

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.close()
	var err error
	if db.checkpoints != nil {
		err = db.checkpoints.close()
	}
	err = errors.Join(db.write.Close(), err)
	if db.read != db.write {
		err = errors.Join(db.read.Close(), err)
	}
	if db.lookup != db.read {
		err = errors.Join(db.lookup.Close(), err)
	}
	db.stmts.wait()
	return err
}

// Services returns every service of the store.
func (db *DB) Services() desk.Services {
	return desk.Services{
		Organizations: db,
		Locations:     db,
		Persons:       db,
		Teams:         db,
		Tickets:       db,
		PhoneCalls:    db,
		Users:         db,
		Sessions:      db,
		Callers:       db,
		Importer:      db,
		Queries:       db,
		Tokens:        db,
		Calls:         db,
		Telephony:     db,
		Transactions:  db,
		PopNotes:      db,
		Callbacks:     db,
		Stats:         db,
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
	pool    *sql.DB
	dialect oql.Dialect
	stmts   *stmtCache
	user    *desk.User
	now     time.Time
	phone   *phone.Normalizer
	// authorName caches the name signing log entries, see author.
	authorName string
	// joined is set on the Tx of a store call made inside Atomically: it
	// works in the transaction of Atomically, which commits or rolls back
	// for it.
	joined bool
	// conn, set instead of Tx, runs a read on PostgreSQL: its statements on
	// one connection, outside any transaction (see begin).
	conn *sql.Conn
	// pooled, set instead of Tx and conn, runs a read of one statement on
	// the pool, outside any transaction (see beginReadOne).
	pooled bool
}

// Commit commits the transaction; joined to Atomically's, it leaves that to
// Atomically.
func (tx *Tx) Commit() error {
	switch {
	case tx.joined, tx.pooled:
		return nil
	case tx.conn != nil:
		return tx.release()
	}
	return tx.Tx.Commit()
}

// Rollback rolls the transaction back; joined to Atomically's, it leaves
// that to Atomically, which rolls back when its function fails.
func (tx *Tx) Rollback() error {
	switch {
	case tx.joined, tx.pooled:
		return nil
	case tx.conn != nil:
		return tx.release()
	}
	return tx.Tx.Rollback()
}

// release gives the connection of a read back to its pool; again is no
// error, as a Rollback after Commit is none.
func (tx *Tx) release() error {
	if err := tx.conn.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) {
		return err
	}
	return nil
}

// atomicKey carries the transaction of Atomically in a context.
type atomicKey struct{}

// Atomically runs fn in one write transaction: every call of the store fn
// makes with the context it is given joins it, and fn's error rolls all of
// them back. An action a user sees as one (a ticket, its first log entry and
// the phone call it was created from) is then all there or not at all, even
// under kill -9. Inside fn, the caller lookups that read without a
// transaction do not see fn's writes. A nested Atomically joins the outer
// one.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(atomicKey{}).(*Tx); ok {
		return fn(ctx)
	}
	user := desk.UserFromContext(ctx)
	if user == nil {
		return desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := db.newTx(sqlTx, db.write, user)
	if err := fn(context.WithValue(ctx, atomicKey{}, tx)); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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
	return db.begin(ctx, db.read, true, desk.ActionRead, class)
}

// beginReadOne is beginRead for a read of one statement, on SQLite: no
// transaction (one statement reads one snapshot), which spares a BEGIN, a
// ROLLBACK and the goroutine database/sql starts to watch each transaction's
// context. The *Tx it returns runs its statements on the reader pool, each on
// its own, with the statement cache; its reads must not depend on each
// other's snapshot, and it writes nothing. Inside Atomically it is
// Atomically's transaction, and on PostgreSQL a read of beginRead (which is
// no transaction there either).
func (db *DB) beginReadOne(ctx context.Context, class string) (*Tx, error) {
	if _, ok := ctx.Value(atomicKey{}).(*Tx); ok || db.Postgres() {
		return db.beginRead(ctx, class) // PostgreSQL: a read is no transaction already
	}
	user, err := actingUser(ctx, desk.ActionRead, class)
	if err != nil {
		return nil, err
	}
	return &Tx{pool: db.read, dialect: db.dialect, stmts: db.stmts, user: user, now: db.now(), phone: db.Phone,
		pooled: true}, nil
}

// beginWrite starts a transaction on the writer connection (SQLite: BEGIN
// IMMEDIATE), after checking that the user in ctx may do action on class.
func (db *DB) beginWrite(ctx context.Context, action, class string) (*Tx, error) {
	return db.begin(ctx, db.write, false, action, class)
}

// actingUser returns the user in ctx after checking that he may do action
// on class (none: only a logged-in user is needed).
func actingUser(ctx context.Context, action, class string) (*desk.User, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	if class != "" {
		if err := desk.Authorize(ctx, action, class); err != nil {
			return nil, err
		}
	}
	return user, nil
}

func (db *DB) begin(ctx context.Context, pool *sql.DB, readOnly bool, action, class string) (*Tx, error) {
	user, err := actingUser(ctx, action, class)
	if err != nil {
		return nil, err
	}
	if outer, ok := ctx.Value(atomicKey{}).(*Tx); ok {
		// Inside Atomically: its transaction, even to read, so that what fn
		// wrote is seen; the user is the one of this call.
		return &Tx{Tx: outer.Tx, pool: outer.pool, dialect: db.dialect, stmts: db.stmts, user: user, now: outer.now,
			phone: db.Phone, joined: true}, nil
	}
	if readOnly && db.Postgres() {
		// At PostgreSQL's isolation (read committed) each statement of a
		// transaction sees the rows committed when it starts, as it does
		// alone: a read transaction bought nothing but its BEGIN and
		// ROLLBACK, two round trips. Its statements run on one connection.
		conn, err := pool.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("begin read: %w", err)
		}
		return &Tx{conn: conn, pool: pool, dialect: db.dialect, stmts: db.stmts, user: user, now: db.now(),
			phone: db.Phone}, nil
	}
	tx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return db.newTx(tx, pool, user), nil
}

// newTx wraps a transaction begun on pool, acting as user.
func (db *DB) newTx(tx *sql.Tx, pool *sql.DB, user *desk.User) *Tx {
	return &Tx{Tx: tx, pool: pool, dialect: db.dialect, stmts: db.stmts, user: user, now: db.now(), phone: db.Phone}
}

// sql returns query as the database runs it (see rebind).
func (db *DB) sql(query string) string { return rebind(db.dialect, query) }

// lockRow locks the row of id in table until the transaction ends, on
// PostgreSQL, where write transactions run side by side: the updates that
// read a row, then write it (or its log, or its keys) from what they read
// take it first, so that two of them never interleave. On SQLite the single
// writer already serializes them. table is a constant of this package.
func (tx *Tx) lockRow(ctx context.Context, table string, id int64) error {
	if tx.dialect != oql.PostgreSQL {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT id FROM "+table+" WHERE id = ? FOR NO KEY UPDATE", id); err != nil {
		return fmt.Errorf("lock %s: %w", table, err)
	}
	return nil
}

// Advisory locks of PostgreSQL (the first key; the second is the hash of the
// schema, so that databases in separate schemas do not wait on each other).
const (
	lockMigrate = 0x63740001 // Migrate: one instance migrates at a time
	lockImport  = 0x63740002 // ImportPersons: one batch at a time
)

// advisoryLock takes the PostgreSQL advisory lock key until the transaction
// ends; on SQLite the single writer holds the database already.
func (tx *Tx) advisoryLock(ctx context.Context, key int32) error {
	if tx.dialect != oql.PostgreSQL {
		return nil
	}
	if _, err := tx.Tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))", key); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	return nil
}

// nextIDs returns n new ids of table (person or ticket), whose rows the
// caller inserts with multi-row INSERTs. SQLite: the ids following the
// largest one, which the single writer holds until it commits. PostgreSQL:
// ids drawn from the table's identity sequence, as other instances may
// insert at the same time.
func (tx *Tx) nextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if tx.dialect != oql.PostgreSQL {
		var last int64
		// table is a constant of this package.
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&last); err != nil {
			return nil, err
		}
		for i := range n {
			ids = append(ids, last+1+int64(i))
		}
		return ids, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
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

// maxQueryLength bounds the text of a search: SQLite refuses a LIKE pattern
// beyond 50,000 bytes, and no one types a tenth of it.
const maxQueryLength = 1000

// checkQuery refuses the text of a search longer than maxQueryLength.
func checkQuery(q string) error {
	if len(q) > maxQueryLength {
		return desk.Invalid("q", "error.search_too_long", maxQueryLength)
	}
	return nil
}

// likePattern returns a LIKE pattern (ESCAPE '\') matching s anywhere.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// like returns the case-insensitive LIKE of the transaction's dialect.
func (tx *Tx) like() string { return tx.dialect.Like() }

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

// collect returns what scan reads of each row of rows, the result of a
// query that failed with err or not; an error reads "what: …".
func collect[T any](rows *sql.Rows, err error, what string, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
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

// edgeError turns the constraint errors left over by the explicit checks into
// desk codes, so that no driver error reaches the user as "internal".
func edgeError(err error) error {
	var de *desk.Error
	switch {
	case err == nil || errors.As(err, &de):
		return err
	case isUnique(err):
		return desk.NewError(desk.ECONFLICT, "error.value_taken")
	case isForeignKey(err):
		return desk.NewError(desk.ECONFLICT, "error.reference_broken")
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
