package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadyzFullDisk serves from a SQLite database on a small tmpfs and
// fills it: /readyz turns 503, naming the database, while /healthz (alive,
// the database reads) stays 200; with room again, it is ready again.
func TestReadyzFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s); internal/web's TestReadyz covers /readyz with a failing probe", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	m, _ := MustServe(t, "--db", "sqlite:"+filepath.Join(dir, "ctidesk.db"))
	base := "http://" + m.Addr()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz on a healthy disk: %d %s", status, body)
	}
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 256<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	time.Sleep(3100 * time.Millisecond) // past the readiness answer's cache
	if status, body := get("/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "database_write") {
		t.Errorf("/readyz on a full disk: %d %q, want 503 naming database_write", status, body)
	}
	if status, body := get("/healthz"); status != http.StatusOK {
		t.Errorf("/healthz on a full disk: %d %s, want 200 (alive: it reads)", status, body)
	}
	os.Remove(filler)
	time.Sleep(3100 * time.Millisecond)
	if status, body := get("/readyz"); status != http.StatusOK {
		t.Errorf("/readyz with room again: %d %s", status, body)
	}
}
