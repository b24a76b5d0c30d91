package store_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ctidesk/ctidesk/internal/store"
)

// TestProbeWrite: the probe passes on a database that takes writes, and
// fails once the database's file system is full, as every write then does.
// The full disk is a small tmpfs, where the machine lets the test mount one.
func TestProbeWrite(t *testing.T) {
	ctx := context.Background()
	if err := openTemp(t).ProbeWrite(ctx); err != nil {
		t.Fatalf("probe of a healthy database: %v", err)
	}

	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s): the web test of /readyz uses a failing probe instead", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.ProbeWrite(ctx); err != nil {
		t.Fatalf("probe before the disk fills: %v", err)
	}
	// Fill the file system.
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	if err := db.ProbeWrite(ctx); err == nil {
		t.Fatal("probe of a database on a full disk passed")
	}
	// Room again: ready again.
	os.Remove(filepath.Join(dir, "filler"))
	if err := db.ProbeWrite(ctx); err != nil {
		t.Fatalf("probe once the disk has room again: %v", err)
	}
}
