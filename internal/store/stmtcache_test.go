package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStmtCache: a statement run twice is prepared once, in the background,
// and its later runs use the prepared statement (which made a lookup 3 to 4
// times faster, docs/architecture.md); a statement with a long IN list is
// never kept, and a closed cache keeps nothing.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "stmt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := newStmtCache()
	pool := db.read
	const query = "SELECT count(*) FROM sqlite_master WHERE name = ?"
	if s := c.get(pool, query); s != nil {
		t.Fatal("a statement was prepared before its first run ended")
	}
	deadline := time.Now().Add(30 * time.Second)
	var s *sql.Stmt
	for s == nil && time.Now().Before(deadline) {
		c.wait()
		s = c.get(pool, query)
	}
	if s == nil {
		t.Fatal("the statement was never prepared")
	}
	if again := c.get(pool, query); again != s {
		t.Error("a second run prepared the statement again")
	}
	long := "SELECT count(*) FROM sqlite_master WHERE name IN (" + strings.Repeat("?, ", maxCachedParams) + "?)"
	c.get(pool, long)
	c.wait()
	if c.get(pool, long) != nil {
		t.Errorf("a statement of %d parameters was kept", maxCachedParams+1)
	}
	c.close()
	c.wait()
	if c.get(pool, query) != nil {
		t.Error("a closed cache gave a statement")
	}
}
