package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// TestCheckpointInBackground checks that a write reaches the database file
// itself, not only the write-ahead log, while the server runs and without
// another write: the checkpoints run in the background, not in the commits
// of the call events (a commit that crossed SQLite's threshold used to copy
// megabytes before it was acknowledged).
func TestCheckpointInBackground(t *testing.T) {
	ctx := desk.NewSystemContext(context.Background())
	db := openTemp(t)
	org := &desk.Organization{Name: "Checkpointed Ltd"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	// The database file alone, copied without its WAL, holds what was
	// checkpointed into it.
	var lastErr error
	fileHolds := func() bool {
		data, err := os.ReadFile(db.Path())
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join(t.TempDir(), "file-only.db")
		if err := os.WriteFile(copyPath, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := sql.Open("sqlite", copyPath)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		// Until the first checkpoint the file holds not even the tables.
		var n int
		lastErr = file.QueryRowContext(ctx, "SELECT COUNT(*) FROM organization WHERE name = ?", org.Name).Scan(&n)
		return lastErr == nil && n == 1
	}
	for deadline := time.Now().Add(10 * time.Second); !fileHolds(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the organization written 10 s ago is in the WAL only: nothing checkpoints it (%v)", lastErr)
		}
	}
}
