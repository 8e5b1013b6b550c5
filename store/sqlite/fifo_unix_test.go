//go:build unix

package sqlite

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A store path naming a FIFO, or a symlink to one, is refused at once, for
// reading and for writing, and left as it is: opening a FIFO to read it
// would block until someone wrote to it (the review's D13: every command
// hung). The timer is only a backstop against that hang.
func TestOpenFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "store.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(time.Minute, func() { panic("sqlite.Open blocks on a FIFO") })
	defer timer.Stop()
	for _, path := range []string{fifo, link} {
		for _, ro := range []bool{false, true} {
			s, err := Open(path, &Options{ReadOnly: ro})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s, ReadOnly %v) opened a FIFO", path, ro)
			}
			if !strings.Contains(err.Error(), "FIFO") {
				t.Errorf("Open(%s, ReadOnly %v) = %v; want it to say the file is a FIFO", path, ro, err)
			}
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was changed: %v, %v", fi, err)
	}
}
