//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// runInReadOnlyDir runs the command that args(dir, db) gives with dir a
// directory the command may not write to and db a store holding the
// starter plan, and checks that it exits 4 saying "permission denied" and
// leaves dir empty. A control runs the same command into a directory it
// may write to, which must succeed: the failure is the directory's
// permission and nothing else.
//
// Root may write into any directory whatever its mode, so a chmod proves
// nothing when the tests run as root (as they do here). Then the command
// runs in a process of its own as the user nobody: this test binary,
// re-executed with ISMSCOMMS_TEST_AS_COMMAND=1 (see TestMain) and the
// credentials of nobody; the control also checks that the file it wrote
// belongs to nobody. Any other user runs the command in this process, on
// a directory of mode 0555.
func runInReadOnlyDir(t *testing.T, name string, args func(dir, db string) []string) {
	t.Helper()
	base, err := os.MkdirTemp("", "ismscomms-rodir-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	ro, rw, dbDir := filepath.Join(base, "ro"), filepath.Join(base, "rw"), filepath.Join(base, "db")
	for dir, mode := range map[string]os.FileMode{base: 0o755, ro: 0o555, rw: 0o777, dbDir: 0o777} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dbDir, "ismscomms.db")
	setup := newCLI(t)
	setup.quiet = true
	setup.must(0, "--db", db, "plan", "save", starterPlan)
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		os.Chmod(f, 0o666) // the store and any -wal, -shm: another user reads it
	}

	var runIn func(dir string) (stderr string, code int)
	asRoot := os.Geteuid() == 0
	if asRoot {
		uid, gid := nobody(t)
		bin := commandBinary(t)
		runIn = func(dir string) (string, int) {
			cmd := exec.Command(bin, append([]string{"--now", testNow}, args(dir, db)...)...)
			cmd.Env = append(os.Environ(), "ISMSCOMMS_TEST_AS_COMMAND=1", "TMPDIR="+rw, "HOME="+rw)
			cmd.Dir = rw
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				return stderr.String(), ee.ExitCode()
			case err != nil:
				skipOrFail(t, "cannot run the command as nobody: "+err.Error())
			}
			return stderr.String(), 0
		}
	} else {
		probe := filepath.Join(ro, "probe")
		if f, err := os.Create(probe); err == nil {
			f.Close()
			os.Remove(probe)
			skipOrFail(t, "this user may write into a directory of mode 0555")
		}
		runIn = func(dir string) (string, int) {
			c := newCLI(t)
			c.quiet = true
			_, stderr, code := c.run(args(dir, db)...)
			return stderr, code
		}
	}

	stderr, code := runIn(ro)
	if code != exitOther || !strings.Contains(stderr, "cannot write "+ro+"/") || !strings.Contains(stderr, "permission denied") {
		t.Errorf("%s into a read-only directory: exit %d, want 4 with \"cannot write %s/...: permission denied\"; stderr:\n%s", name, code, ro, stderr)
	}
	if entries, _ := os.ReadDir(ro); len(entries) != 0 {
		t.Errorf("%s into a read-only directory left %d files there", name, len(entries))
	}

	// The control.
	stderr, code = runIn(rw)
	if code != exitOK {
		t.Fatalf("%s into a writable directory: exit %d, want 0; stderr:\n%s", name, code, stderr)
	}
	entries, _ := os.ReadDir(rw)
	if len(entries) != 1 {
		t.Fatalf("%s into a writable directory: %d files, want 1", name, len(entries))
	}
	if asRoot {
		fi, err := os.Stat(filepath.Join(rw, entries[0].Name()))
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid == 0 {
			t.Errorf("%s: the control's file belongs to root: the command did not run as another user", name)
		}
	}
}

// nobody returns the user ID and group ID of the user nobody.
func nobody(t *testing.T) (uint32, uint32) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return 65534, 65534
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil || uid == 0 {
		skipOrFail(t, "no usable user nobody")
	}
	return uint32(uid), uint32(gid)
}

// commandBinary returns this test binary, copied once where another user
// may run it (the directory the build put it in is private); TestMain
// removes the copy.
func commandBinary(t *testing.T) string {
	sharedBinary.once.Do(func() {
		sharedBinary.path, sharedBinary.err = copyBinary()
	})
	if sharedBinary.err != nil {
		t.Fatal(sharedBinary.err)
	}
	return sharedBinary.path
}

var sharedBinary struct {
	once sync.Once
	path string
	err  error
}

func copyBinary() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "ismscomms-test-bin-")
	if err != nil {
		return "", err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	src, err := os.Open(self)
	if err != nil {
		return "", err
	}
	defer src.Close()
	bin := filepath.Join(dir, "ismscomms.test")
	dst, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return "", err
	}
	return bin, dst.Close()
}

// skipOrFail skips a test that cannot run here, except in CI, where it
// must.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}
