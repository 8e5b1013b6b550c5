//go:build linux

package sqlite

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/ismscomms/ismscomms/store"
)

const mediaChild = "ISMSCOMMS_SQLITE_RO_MEDIA"

// A read-only store reads a database on read-only media: a store closed
// cleanly (no -wal file; SQLite cannot create the shared-memory file WAL
// readers use, so the store opens it immutable), and one a writer still
// has open, whose latest appends are only in its -wal file. A writable
// open there fails with store.ErrReadOnly. Nothing in the directory
// changes.
//
// The tests run as root, whom file modes do not stop, so as root the
// check runs in a child process with a mount namespace of its own, in
// which the directory is bind-mounted read-only: read-only media for
// real. Not as root, the directory's and files' modes make it read-only.
func TestReadOnlyMedia(t *testing.T) {
	dir := t.TempDir()
	filled(t, filepath.Join(dir, "clean.db"), 20)
	live, err := Open(filepath.Join(dir, "live.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	fill(t, live, "t", 5)
	if st, err := os.Stat(filepath.Join(dir, "live.db-wal")); err != nil || st.Size() == 0 {
		t.Fatalf("the live store has no -wal file (%v): the test proves nothing", err)
	}

	if os.Geteuid() != 0 {
		restore := readOnlyModes(t, dir)
		defer restore()
		checkReadOnlyMedia(t, dir)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReadOnlyMediaChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), mediaChild+"="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(err.Error(), "operation not permitted") {
		t.Skipf("no mount namespace for a read-only bind mount (%v); run the tests as a user other than root to check file modes instead", err)
	}
	if strings.Contains(string(out), "bind mount: operation not permitted") {
		t.Skipf("a read-only bind mount is not permitted here:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestReadOnlyMediaChild") {
		t.Fatalf("the check on a read-only mount failed: %v\n%s", err, out)
	}
	t.Logf("checked on a read-only bind mount:\n%s", out)
}

// TestReadOnlyMediaChild is the child of TestReadOnlyMedia, run as root in
// its own mount namespace: it bind-mounts the directory onto itself
// read-only, and checks the stores in it.
func TestReadOnlyMediaChild(t *testing.T) {
	dir := os.Getenv(mediaChild)
	if dir == "" {
		t.Skip("run by TestReadOnlyMedia")
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount: %v", err)
	}
	if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("bind mount: remount read-only: %v", err)
	}
	checkReadOnlyMedia(t, dir)
}

// readOnlyModes makes dir and its files read-only by mode, and returns a
// function that restores them.
func readOnlyModes(t *testing.T, dir string) func() {
	t.Helper()
	files := names(t, dir)
	for _, name := range files {
		os.Chmod(filepath.Join(dir, name), 0o444)
	}
	os.Chmod(dir, 0o555)
	return func() {
		os.Chmod(dir, 0o755)
		for _, name := range files {
			os.Chmod(filepath.Join(dir, name), 0o644)
		}
	}
}

func checkReadOnlyMedia(t *testing.T, dir string) {
	t.Helper()
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatal("the directory is writable: the test proves nothing")
	}
	before := names(t, dir)
	clean := filepath.Join(dir, "clean.db")

	s, err := Open(clean, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(ReadOnly) on read-only media: %v", err)
	}
	if !s.immutable {
		t.Error("the clean store did not need immutable: SQLite could write beside it")
	}
	readAll(t, s, 20)
	s.Close()

	s, err = Open(filepath.Join(dir, "live.db"), &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(ReadOnly) of a store a writer has open, on read-only media: %v", err)
	}
	if s.immutable {
		t.Error("a store with a -wal file was opened immutable: its latest appends would be invisible")
	}
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != 5 {
		t.Errorf("Verify of the live store: %+v, %v; want the 5 records of its -wal file", head, err)
	}
	s.Close()

	if w, err := Open(clean, nil); err == nil {
		w.Close()
		t.Error("a writable open on read-only media succeeded")
	} else if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("a writable open on read-only media: %v, want store.ErrReadOnly", err)
	} else {
		t.Logf("writable open: %v", err)
	}
	if after := names(t, dir); !slices.Equal(before, after) {
		t.Errorf("the directory changed: %v, then %v", before, after)
	}
}
