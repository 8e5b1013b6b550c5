//go:build unix

package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/matrix"
)

// outWriter is a command that writes a file: the arguments that make it
// write to path, and the content it must write there.
type outWriter struct {
	name string
	args func(path string) []string
	want func(t *testing.T, got []byte)
}

// outTarget is a kind of thing a file output may be pointed at: setup
// makes one in dir and returns the path to give the command; check looks
// at what the command left there.
type outTarget struct {
	name  string
	setup func(t *testing.T, dir string) string
	// code is the exit status the command must end with.
	code  int
	check func(t *testing.T, dir, path string, w outWriter, stdout string)
}

// TestOutTargets points every file output (report --out, init --force,
// demo --out) at every kind of target: a missing file, a regular file, a
// symbolic link to a file (directly, through another link, and dangling),
// a FIFO, "-", a directory, a missing directory, a read-only directory, a
// read-only file.
// Only regular files are ever replaced, and then atomically with their
// permissions; everything else is written as it is or refused, and left
// as it was. FIFOs, links and files are made in a temporary directory: no
// test touches a real device node.
func TestOutTargets(t *testing.T) {
	c := newCLI(t)
	c.quiet = true
	c.must(0, "plan", "save", starterPlan)
	c.must(0, "record", "--activity", "security-metrics", "--occurrence", "2026-11-02T09:00:00+01:00", "--sent", "2026-11-02T09:40:00+01:00")
	reportArgs := []string{"report", "--format", "md", "--from", "2026-10-01"}
	report, _ := c.must(0, reportArgs...)
	starter, err := fs.ReadFile(matrix.StarterFiles(), variants["starter"])
	if err != nil {
		t.Fatal(err)
	}
	same := func(want string) func(*testing.T, []byte) {
		return func(t *testing.T, got []byte) {
			t.Helper()
			if string(got) != want {
				t.Errorf("wrote %d bytes, not the %d expected:\n%.300s", len(got), len(want), got)
			}
		}
	}
	writers := []outWriter{
		{"report --out", func(p string) []string { return append(reportArgs[:len(reportArgs):len(reportArgs)], "--out", p) }, same(report)},
		{"init --force", func(p string) []string { return []string{"init", "--force", p} }, same(string(starter))},
		{"demo --out", func(p string) []string { return []string{"demo", "--out", p} }, func(t *testing.T, got []byte) {
			t.Helper()
			if !bytes.HasPrefix(got, []byte("<!DOCTYPE html>")) || !bytes.HasSuffix(bytes.TrimSpace(got), []byte("</html>")) {
				t.Errorf("wrote %d bytes, not a whole HTML page:\n%.300s", len(got), got)
			}
		}},
	}

	old := syscall.Umask(0o022)
	syscall.Umask(old)
	newMode := fs.FileMode(0o666 &^ old)

	targets := []outTarget{
		{"missing file", func(t *testing.T, dir string) string { return filepath.Join(dir, "new.yaml") }, 0,
			func(t *testing.T, dir, path string, w outWriter, _ string) {
				w.want(t, readRegular(t, path, newMode))
				onlyFiles(t, dir, "new.yaml")
			}},
		{"regular file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "old.yaml")
			writeMode(t, p, "the previous version", 0o600)
			return p
		}, 0, func(t *testing.T, dir, path string, w outWriter, _ string) {
			w.want(t, readRegular(t, path, 0o600))
			onlyFiles(t, dir, "old.yaml")
		}},
		{"symlink to a file", func(t *testing.T, dir string) string {
			writeMode(t, filepath.Join(dir, "real", "report.yaml"), "the previous version", 0o640)
			return symlink(t, filepath.Join("real", "report.yaml"), filepath.Join(dir, "link.yaml"))
		}, 0, func(t *testing.T, dir, path string, w outWriter, _ string) {
			isLink(t, path, filepath.Join("real", "report.yaml"))
			w.want(t, readRegular(t, filepath.Join(dir, "real", "report.yaml"), 0o640))
			onlyFiles(t, filepath.Join(dir, "real"), "report.yaml")
		}},
		{"symlink to a symlink to a file", func(t *testing.T, dir string) string {
			writeMode(t, filepath.Join(dir, "real", "report.yaml"), "the previous version", 0o600)
			symlink(t, filepath.Join(dir, "real", "report.yaml"), filepath.Join(dir, "real", "current"))
			return symlink(t, filepath.Join("real", "current"), filepath.Join(dir, "link.yaml"))
		}, 0, func(t *testing.T, dir, path string, w outWriter, _ string) {
			isLink(t, path, filepath.Join("real", "current"))
			isLink(t, filepath.Join(dir, "real", "current"), filepath.Join(dir, "real", "report.yaml"))
			w.want(t, readRegular(t, filepath.Join(dir, "real", "report.yaml"), 0o600))
		}},
		{"dangling symlink", func(t *testing.T, dir string) string {
			if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
				t.Fatal(err)
			}
			return symlink(t, filepath.Join("real", "yet-to-be.yaml"), filepath.Join(dir, "link.yaml"))
		}, 0, func(t *testing.T, dir, path string, w outWriter, _ string) {
			isLink(t, path, filepath.Join("real", "yet-to-be.yaml"))
			w.want(t, readRegular(t, filepath.Join(dir, "real", "yet-to-be.yaml"), newMode))
		}},
		{"FIFO", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "pipe")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, 0, nil}, // checked by the reader, below
		{"-", func(t *testing.T, dir string) string { return "-" }, 0,
			func(t *testing.T, dir, path string, w outWriter, stdout string) {
				if w.name != "demo --out" { // demo prints its steps too
					w.want(t, []byte(stdout))
				} else if !strings.Contains(stdout, "<!DOCTYPE html>") {
					t.Errorf("demo --out - did not write the report to standard output")
				}
				if _, err := os.Lstat("-"); err == nil {
					os.Remove("-")
					t.Errorf(`wrote a file named "-"`)
				}
			}},
		{"directory", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "reports")
			writeMode(t, filepath.Join(p, "keep"), "kept", 0o644)
			return p
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			onlyFiles(t, path, "keep")
		}},
		{"symlink to a directory", func(t *testing.T, dir string) string {
			writeMode(t, filepath.Join(dir, "reports", "keep"), "kept", 0o644)
			return symlink(t, "reports", filepath.Join(dir, "link"))
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			isLink(t, path, "reports")
			onlyFiles(t, filepath.Join(dir, "reports"), "keep")
		}},
		{"missing directory", func(t *testing.T, dir string) string { return filepath.Join(dir, "nodir", "x.yaml") }, 4,
			func(t *testing.T, dir, path string, w outWriter, _ string) { onlyFiles(t, dir) }},
		// An output never replaces a store: not the one the command read
		// (report --out ismscomms.db once replaced every tenant's log with
		// HTML), not another.
		{"the store itself", func(t *testing.T, dir string) string { return c.path("ismscomms.db") }, 4,
			func(t *testing.T, dir, path string, w outWriter, _ string) { isDatabaseFile(t, path) }},
		{"another store", func(t *testing.T, dir string) string {
			data, err := os.ReadFile(c.path("ismscomms.db"))
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "other.db")
			writeMode(t, p, string(data), 0o644)
			return p
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) { isDatabaseFile(t, path) }},
		// The files SQLite keeps beside a database: its write-ahead log
		// holds committed records not yet in the database file.
		{"a store's write-ahead log", func(t *testing.T, dir string) string {
			data, err := os.ReadFile(c.path("ismscomms.db"))
			if err != nil {
				t.Fatal(err)
			}
			writeMode(t, filepath.Join(dir, "other.db"), string(data), 0o644)
			p := filepath.Join(dir, "other.db-wal")
			writeMode(t, p, "committed records", 0o644)
			return p
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			if got, _ := os.ReadFile(path); string(got) != "committed records" {
				t.Errorf("the write-ahead log was replaced")
			}
		}},
		{"a write-ahead log under another name", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "log.yaml")
			writeMode(t, p, "\x37\x7f\x06\x82\x00\x2d\xe2\x18 and the frames of a log", 0o644)
			return p
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			if got, _ := os.ReadFile(path); !strings.HasPrefix(string(got), "\x37\x7f\x06\x82") {
				t.Errorf("the write-ahead log was replaced")
			}
		}},
		// A file with a second name: a rename would leave the other name
		// with the old content.
		{"hard-linked file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "a.yaml")
			writeMode(t, p, "the previous version", 0o644)
			if err := os.Link(p, filepath.Join(dir, "b.yaml")); err != nil {
				t.Fatal(err)
			}
			return p
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			for _, name := range []string{"a.yaml", "b.yaml"} {
				if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != "the previous version" {
					t.Errorf("%s changed: %.100q", name, got)
				}
			}
		}},
		// Nobody may write these: refused for root too, as the README's
		// exit status table says.
		{"file nobody may write", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "kept.yaml")
			writeMode(t, p, "protected", 0o444)
			return p
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			if got, _ := os.ReadFile(path); string(got) != "protected" {
				t.Errorf("a file of mode 0444 was replaced")
			}
		}},
		{"file in a directory nobody may write", func(t *testing.T, dir string) string {
			ro := filepath.Join(dir, "ro")
			writeMode(t, filepath.Join(ro, "old.yaml"), "the previous version", 0o644)
			if err := os.Chmod(ro, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(ro, 0o755) })
			return filepath.Join(ro, "old.yaml")
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) {
			if got, _ := os.ReadFile(path); string(got) != "the previous version" {
				t.Errorf("a file in a directory of mode 0555 was replaced")
			}
			onlyFiles(t, filepath.Dir(path), "old.yaml")
		}},
		{"directory nobody may write", func(t *testing.T, dir string) string {
			ro := filepath.Join(dir, "ro")
			if err := os.Mkdir(ro, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(ro, 0o755) })
			return filepath.Join(ro, "new.yaml")
		}, 4, func(t *testing.T, dir, path string, w outWriter, _ string) { onlyFiles(t, filepath.Dir(path)) }},
	}

	for _, w := range writers {
		for _, tg := range targets {
			t.Run(w.name+" to a "+tg.name, func(t *testing.T) {
				dir := t.TempDir()
				path := tg.setup(t, dir)
				var fifo func() []byte
				var before fs.FileInfo
				if tg.name == "FIFO" {
					fifo = readFIFO(t, path)
				} else if fi, err := os.Stat(path); err == nil {
					before = fi
				}
				want := tg.code
				if w.name == "init --force" && (strings.HasSuffix(path, ".db") || strings.HasSuffix(path, "-wal")) {
					want = 2 // refused for its name before anything is opened
				}
				stdout, stderr, code := c.run(w.args(path)...)
				if code != want {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, want, stderr)
				}
				if want == 4 && !strings.Contains(stderr, "cannot write ") {
					t.Errorf("stderr does not say what could not be written:\n%s", stderr)
				}
				if fifo != nil {
					w.want(t, fifo())
					if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
						t.Errorf("the FIFO was replaced: %v, %v", fi.Mode(), err)
					}
					return
				}
				if before != nil && before.Mode().IsRegular() && tg.code == 0 {
					// Replaced by a rename, not rewritten in place: a reader
					// of the old file never sees half of the new one.
					after, err := os.Stat(path)
					if err != nil || os.SameFile(before, after) {
						t.Errorf("the file was rewritten in place, not replaced atomically (%v)", err)
					}
				}
				tg.check(t, dir, path, w, stdout)
			})
		}
	}

	// Without --force, init refuses whatever is there, and leaves it.
	for _, tg := range targets[1:6] {
		t.Run("init without --force to a "+tg.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tg.setup(t, dir)
			before, _ := os.Lstat(path)
			_, stderr, code := c.run("init", path)
			if code != 2 || !strings.Contains(stderr, "exists; use --force") {
				t.Errorf("exit %d, want 2 saying it exists; stderr:\n%s", code, stderr)
			}
			after, err := os.Lstat(path)
			if err != nil || !os.SameFile(before, after) || after.Mode() != before.Mode() {
				t.Errorf("init without --force changed %s", path)
			}
			if tg.name == "dangling symlink" {
				if _, err := os.Lstat(filepath.Join(dir, "real", "yet-to-be.yaml")); err == nil {
					t.Errorf("init without --force created the target of a dangling link")
				}
			}
		})
	}

	t.Run("read-only directory", readOnlyDirCase)
	t.Run("read-only file", readOnlyFileCase)
}

// readFIFO reads the FIFO at path in the background until its writer
// closes it, and returns a function that waits for what was read. If the
// command never opens the FIFO (or replaced it, as a file output once
// did), the wait gives up (a backstop, not a measurement) and unblocks the
// reader through a second link to the FIFO, which outlives a rename over
// the first.
func readFIFO(t *testing.T, path string) func() []byte {
	backstop := filepath.Join(t.TempDir(), "fifo")
	if err := os.Link(path, backstop); err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte, 1)
	go func() {
		f, err := os.Open(path) // blocks until a writer opens it
		if err != nil {
			done <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		done <- b
	}()
	return func() []byte {
		select {
		case b := <-done:
			return b
		case <-time.After(20 * time.Second):
			if f, err := os.OpenFile(backstop, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
			t.Error("the command never wrote to the FIFO")
			return <-done
		}
	}
}

func writeMode(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) string {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// readRegular returns the content of the regular file at path, checking
// its permissions.
func readRegular(t *testing.T, path string, mode fs.FileMode) []byte {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != mode {
		t.Errorf("%s: mode %v, want a regular file of mode %v", path, fi.Mode(), mode)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// isLink checks that path is still a symbolic link to target.
func isLink(t *testing.T, path, target string) {
	t.Helper()
	got, err := os.Readlink(path)
	if err != nil || got != target {
		t.Errorf("%s is no longer a link to %s (%q, %v)", path, target, got, err)
	}
}

// onlyFiles checks that dir holds exactly names: no temporary file left.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// isDatabaseFile fails unless the file at path still begins as an SQLite
// database does.
func isDatabaseFile(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
		t.Errorf("%s is no longer an SQLite database (%v): %.60q", path, err, data)
	}
}
