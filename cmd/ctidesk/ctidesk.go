package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/locale"
	"github.com/ctidesk/ctidesk/internal/phone"
	"github.com/ctidesk/ctidesk/internal/store"
)

const usage = `ctidesk — a service desk with computer telephony integration

Usage:
  ctidesk serve [--addr :8080] [--demo]     serve the web application
  ctidesk migrate                           create or upgrade the database schema (safe while others serve)
  ctidesk copy [--from DATABASE] --to DATABASE
                                            copy every row into a new, empty database (sqlite: to postgres://),
                                            then compare row counts and checksums; --from defaults to --db
  ctidesk demo [--persons N] [--tickets N]  load demo data into an empty database
  ctidesk user add LOGIN --role admin|agent|viewer [--contact PERSON_ID] [--org ORG_ID]... [--language "FR FR"]
                                            add a user; the password is read from stdin
  ctidesk user logout LOGIN                 end every session of the user (log out everywhere)
  ctidesk token create LOGIN [--name NAME]  print a new API token acting as LOGIN (shown once)
  ctidesk token list [LOGIN]                the API tokens, of every user or of LOGIN
  ctidesk token revoke ID                   revoke an API token for good
  ctidesk integration create NAME           print the token of a new phone system integration, which posts call
                                            events to /api/v1/cti/TOKEN, as Zammad's Generic CTI (shown once)
  ctidesk integration list|revoke ID        the integrations; revoke one's token for good
  ctidesk extension LOGIN EXTENSION         the extension the phone system knows a user by ("" removes it)
  ctidesk pbx asterisk --ami HOST:PORT --user USER --secret-file FILE --url CTIDESK_URL --token-file FILE
                                            follow an Asterisk's manager interface and post its calls to ctidesk
  ctidesk pbx freeswitch --esl HOST:PORT --password-file FILE --url CTIDESK_URL --token-file FILE
                                            follow a FreeSWITCH's event socket and post its calls to ctidesk
  ctidesk lookup [--json] NUMBER            who is calling: the persons a number finds, ranked
  ctidesk lookup [--json] --employee-number|--support-id|--email VALUE
                                            the persons with that exact value
  ctidesk query [--json] [--param NAME=VALUE]... [--user LOGIN] 'OQL'
                                            run an OQL query (as the telephony configuration does) and
                                            print the objects it finds, with their attributes
  ctidesk reindex                           rebuild the phone number keys (after changing --phone-region)
  ctidesk import persons|organizations FILE.csv [--create-orgs=false]
                                            create or update persons or organizations from a CSV file
                                            (- reads stdin); bad rows are reported with their line, and skipped
  ctidesk config check [FILE]               check a configuration file: every mistake with its line
  ctidesk config import-itop [-o FILE] ITOP_FILE
                                            turn iTop's telephony configuration (config-itop.php or the XML
                                            module parameters) into ctidesk.yaml

Every subcommand takes --config (default ctidesk.yaml when it exists: the telephony configuration and the
server settings, docs/configuration.md), --db (sqlite:PATH, default sqlite:ctidesk.db, or a postgres:// URL:
docs/deployment.md), and --phone-region
(default US) and --min-match-digits (default 7), which set how phone numbers are read and matched.
Every flag can also be set by the environment: --db by CTIDESK_DB, --addr by CTIDESK_ADDR, and so on.
A flag wins over the environment, which wins over the configuration file.
`

// Main is the program: it parses the command line, wires the packages and
// runs one subcommand. Tests run it in-process on :0 with a temporary database.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Logger *slog.Logger
	// Messages renders the messages of errors for the terminal, in English.
	Messages *locale.Printer

	run func(ctx context.Context) error // the parsed subcommand

	DSN string
	DB  *store.DB
	// Phone configures the phone number normalizer of the store, from
	// --phone-region and --min-match-digits.
	Phone phone.Options
	// keysChecked: openDB does not warn about number keys built for another
	// region (reindex is about to rebuild them).
	keysChecked bool
	// migrated lists the migrations openDB applied ("0017_teams.sql"),
	// which ctidesk migrate reports.
	migrated []string

	// ConfigPath is --config; "" reads ctidesk.yaml when it exists.
	ConfigPath string
	// Config is the configuration in force once ParseFlags returns: the
	// built-in defaults, the file over them, the environment over the file
	// and the flags over everything.
	Config *config.Config
	// flags are the parsed subcommand's, which the configuration file
	// fills when they were not given; nil for commands that do not read it.
	flags *flag.FlagSet

	serving    bool
	listener   net.Listener
	httpServer *http.Server
	// pprofServer serves the profiles of serve --pprof.
	pprofServer *http.Server
	// bus is serve's PostgreSQL event bus, which Close stops before the
	// database; nil for none.
	bus interface{ Close() error }
	// stopSweep stops serve's sweep of the stale calls, and waits for it;
	// nil for none.
	stopSweep func()
}

// NewMain returns a Main on the process's standard streams and environment.
func NewMain() *Main {
	return &Main{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Getenv:   os.Getenv,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Messages: locale.MustLoad().Printer(locale.English),
	}
}

// ParseFlags reads the subcommand and its flags from args, then the
// configuration file, which sets what the flags and the environment do not.
func (m *Main) ParseFlags(ctx context.Context, args []string) (err error) {
	defer func() {
		if err == nil && m.flags != nil {
			err = m.loadConfig()
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	}
	// The rule of text of every edge: an argument that is not text (invalid
	// UTF-8, control characters but tabs and line breaks) goes no further.
	for i, a := range args {
		if !desk.ValidText(a, true) {
			return fmt.Errorf("argument %d is not text: invalid UTF-8 or control characters", i+1)
		}
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return m.parseServe(args)
	case "migrate":
		return m.parseMigrate(args)
	case "copy":
		return m.parseCopy(args)
	case "demo":
		return m.parseDemo(args)
	case "lookup":
		return m.parseLookup(args)
	case "query":
		return m.parseQuery(args)
	case "reindex":
		return m.parseReindex(args)
	case "import":
		return m.parseImport(args)
	case "user":
		switch {
		case len(args) > 0 && args[0] == "add":
			return m.parseUserAdd(args[1:])
		case len(args) > 0 && args[0] == "logout":
			return m.parseUserLogout(args[1:])
		}
		return fmt.Errorf("usage: ctidesk user add LOGIN --role admin|agent|viewer, or ctidesk user logout LOGIN")
	case "integration":
		return m.parseIntegration(args)
	case "extension":
		return m.parseExtension(args)
	case "pbx":
		return m.parsePBX(args)
	case "token":
		return m.parseToken(args)
	case "config":
		return m.parseConfig(args)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return flag.ErrHelp
	default:
		fmt.Fprint(m.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newFlagSet returns a flag set with the flags every subcommand shares.
func (m *Main) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("ctidesk "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	m.flags = fs
	fs.StringVar(&m.ConfigPath, "config", "", "configuration `file` (default ctidesk.yaml when it exists, else the "+
		"built-in defaults)")
	fs.StringVar(&m.DSN, "db", "sqlite:ctidesk.db", "database: sqlite:PATH or a postgres:// URL")
	m.Phone = phone.Options{DefaultRegion: phone.DefaultRegion, MinMatchDigits: phone.DefaultMinMatchDigits}
	fs.Var(phoneRegionFlag{&m.Phone}, "phone-region", "default region of phone numbers written without a country code "+
		"(ISO 3166-1 `code`: US, FR, GB...); run ctidesk reindex after changing it. Default: phone.default_region "+
		"of the configuration, US")
	fs.Var(minMatchDigitsFlag{&m.Phone}, "min-match-digits", "least `number` of trailing digits two phone numbers must "+
		"share to match, 4 to 15. Default: phone.min_match_digits of the configuration, 7")
	return fs
}

// Run runs the parsed subcommand. For serve it returns once the server
// listens; Close stops it.
func (m *Main) Run(ctx context.Context) error {
	if m.run == nil {
		return errors.New("no command parsed")
	}
	return m.run(ctx)
}

// Serving reports whether Run started a server that runs until Close.
func (m *Main) Serving() bool { return m.serving }

// Addr returns the address the server listens on, once serving.
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// Close stops the server, waiting briefly for requests in flight, and closes
// the database.
func (m *Main) Close() error {
	var errs []error
	if m.httpServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.httpServer.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		m.httpServer = nil
	}
	if m.pprofServer != nil {
		if err := m.pprofServer.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the profiles' server: %w", err))
		}
		m.pprofServer = nil
	}
	if m.stopSweep != nil {
		m.stopSweep()
		m.stopSweep = nil
	}
	if m.bus != nil {
		if err := m.bus.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the event bus: %w", err))
		}
		m.bus = nil
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
		m.DB = nil
	}
	return errors.Join(errs...)
}

// openDB opens and migrates the database named by --db, with the phone
// normalizer of --phone-region and --min-match-digits. It warns when the
// number keys were built for another region than --phone-region.
func (m *Main) openDB(ctx context.Context) error {
	norm, err := phone.New(m.Phone)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, m.DSN)
	if err != nil {
		return err // it names the database, without its password
	}
	m.DB = db
	db.Phone = norm
	db.KeysRebuild = m.keysRebuildProgress()
	db.Migrated = func(_ int, name string) { m.migrated = append(m.migrated, name) }
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", store.RedactDSN(m.DSN), err)
	}
	if m.keysChecked {
		return nil
	}
	if region, err := db.NumberKeysRegion(ctx); err != nil {
		return err
	} else if want := norm.Options().DefaultRegion; region != want {
		fmt.Fprintf(m.Stderr, "warning: the phone number keys of %s were built for region %s, not %s: "+
			"numbers are matched wrongly until you run ctidesk reindex --phone-region %s\n", store.RedactDSN(m.DSN), region, want, want)
	}
	return nil
}

// keysRebuildProgress returns what tells, on stderr, of the rebuild of the
// number keys a migration asks for (store.DB.KeysRebuild): what it does, how
// long it takes, then its progress.
func (m *Main) keysRebuildProgress() func(done, total int) {
	progress := m.progress()
	return func(done, total int) {
		if done == 0 {
			fmt.Fprintf(m.Stderr, "Rebuilding the phone number keys of %d persons for region %s: they were written by an "+
				"earlier number matching (migration 0007: extension words of more languages, national prefixes of every "+
				"region, internal extensions). This takes a few minutes at 1,000,000 persons; lookups keep working "+
				"meanwhile; an interrupted rebuild runs again at the next migrate or serve.\n", total, m.DB.Phone.Options().DefaultRegion)
		}
		progress("number keys", done, total)
	}
}

func (m *Main) parseMigrate(args []string) error {
	fs := m.newFlagSet("migrate")
	if _, err := parseFlags(fs, args, m.Getenv); err != nil {
		return err
	}
	m.run = func(ctx context.Context) error {
		if err := m.openDB(ctx); err != nil {
			return err
		}
		for _, name := range m.migrated {
			fmt.Fprintln(m.Stdout, "applied migration", name)
		}
		fmt.Fprintln(m.Stdout, "database is up to date:", store.RedactDSN(m.DSN))
		return nil
	}
	return nil
}

// readPassword reads the first line of stdin, so that a password never
// appears in the process list or the shell history.
func readPassword(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 1024 {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err == io.EOF {
			break
		} else if err != nil {
			return "", err
		}
	}
	return strings.TrimRight(b.String(), "\r"), nil
}
