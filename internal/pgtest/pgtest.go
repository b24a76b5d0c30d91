// Package pgtest gives tests their own PostgreSQL schema, fresh for every
// test and dropped at its end.
//
// The server is CTIDESK_TEST_POSTGRES (a postgres:// URL), else the local one
// CI machines have (postgres@127.0.0.1:5432/test). When none answers, the
// test is skipped, with a reason that says PostgreSQL is required, unless
// CTIDESK_TEST_POSTGRES is set: then it fails, so that CI cannot skip it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// DefaultURL is the server tried when CTIDESK_TEST_POSTGRES is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL returns the server's URL, skipping the test when none answers and
// CTIDESK_TEST_POSTGRES is not set.
func URL(tb testing.TB) string {
	tb.Helper()
	u, required := os.Getenv("CTIDESK_TEST_POSTGRES"), true
	if u == "" {
		u, required = DefaultURL, false
	}
	db, err := sql.Open("pgx", u)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		if required {
			tb.Fatalf("CTIDESK_TEST_POSTGRES is set but PostgreSQL does not answer: %v", err)
		}
		tb.Skipf("requires PostgreSQL (set CTIDESK_TEST_POSTGRES; %s does not answer: %v)", DefaultURL, err)
	}
	return u
}

// Open returns a connection pool whose every connection works in a new empty
// schema, dropped when the test ends, and the URL that reaches it.
func Open(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	base := URL(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	// schema is hex digits: nothing to quote.
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return db, u.String()
}
