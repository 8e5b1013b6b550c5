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

// otherUser runs the command as a user that file permissions bind, next
// to a store it may read. Root may write into any directory and over any
// file whatever their modes, so a chmod proves nothing when the tests run
// as root (as they do here). Then the command runs in a process of its own
// as the user nobody: this test binary, re-executed with
// ISMSCOMMS_TEST_AS_COMMAND=1 (see TestMain) and the credentials of
// nobody. Any other user runs the command in this process.
type otherUser struct {
	base string // a directory of mode 0755 the test removes
	db   string // a store holding the starter plan, readable and writable by the user
	root bool
	uid  uint32
	gid  uint32
	bin  string
}

func newOtherUser(t *testing.T) *otherUser {
	t.Helper()
	base, err := os.MkdirTemp("", "ismscomms-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	u := &otherUser{base: base, root: os.Geteuid() == 0}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	if u.root {
		u.uid, u.gid = nobody(t)
		u.bin = commandBinary(t)
	}
	u.db = filepath.Join(u.dir(t, "db", 0o777), "ismscomms.db")
	setup := newCLI(t)
	setup.quiet = true
	setup.must(0, "--db", u.db, "plan", "save", starterPlan)
	files, _ := filepath.Glob(u.db + "*")
	for _, f := range files {
		os.Chmod(f, 0o666) // the store and any -wal, -shm
	}
	return u
}

// dir makes a directory of the given mode in base.
func (u *otherUser) dir(t *testing.T, name string, mode os.FileMode) string {
	t.Helper()
	dir := filepath.Join(u.base, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

// own gives path to the user (when the tests run as root).
func (u *otherUser) own(t *testing.T, path string) {
	t.Helper()
	if u.root {
		if err := os.Lchown(path, int(u.uid), int(u.gid)); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs the command as the user, in dir (also its TMPDIR).
func (u *otherUser) run(t *testing.T, dir string, args ...string) (stderr string, code int) {
	t.Helper()
	if !u.root {
		c := newCLI(t)
		c.quiet = true
		_, stderr, code := c.run(args...)
		return stderr, code
	}
	cmd := exec.Command(u.bin, append([]string{"--now", testNow}, args...)...)
	cmd.Env = append(os.Environ(), "ISMSCOMMS_TEST_AS_COMMAND=1", "TMPDIR="+dir, "HOME="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.uid, Gid: u.gid}}
	var errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errBuf
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return errBuf.String(), ee.ExitCode()
	case err != nil:
		skipOrFail(t, "cannot run the command as nobody: "+err.Error())
	}
	return errBuf.String(), 0
}

// bound reports whether the user is bound by a mode that denies writing:
// a user with CAP_DAC_OVERRIDE other than root is not, and the test skips.
func (u *otherUser) bound(t *testing.T, ro string) {
	t.Helper()
	if u.root {
		return
	}
	probe := filepath.Join(ro, "probe")
	if f, err := os.Create(probe); err == nil {
		f.Close()
		os.Remove(probe)
		skipOrFail(t, "this user may write where the mode says it may not")
	}
}

// runInReadOnlyDir runs the command that args(dir, db) gives, as a user
// that may not write into dir (see otherUser), and checks that it exits 4
// saying "permission denied" and leaves dir empty. A control runs the same
// command into a directory it may write to, which must succeed (and, run
// as nobody, leave a file that is nobody's): the failure is the
// directory's permission and nothing else.
func runInReadOnlyDir(t *testing.T, name string, args func(dir, db string) []string) {
	t.Helper()
	u := newOtherUser(t)
	ro, rw := u.dir(t, "ro", 0o555), u.dir(t, "rw", 0o777)
	u.bound(t, ro)

	stderr, code := u.run(t, rw, args(ro, u.db)...)
	if code != exitOther || !strings.Contains(stderr, "cannot write "+ro+"/") || !strings.Contains(stderr, "permission denied") {
		t.Errorf("%s into a read-only directory: exit %d, want 4 with \"cannot write %s/...: permission denied\"; stderr:\n%s", name, code, ro, stderr)
	}
	if entries, _ := os.ReadDir(ro); len(entries) != 0 {
		t.Errorf("%s into a read-only directory left %d files there", name, len(entries))
	}

	// The control.
	stderr, code = u.run(t, rw, args(rw, u.db)...)
	if code != exitOK {
		t.Fatalf("%s into a writable directory: exit %d, want 0; stderr:\n%s", name, code, stderr)
	}
	entries, _ := os.ReadDir(rw)
	if len(entries) != 1 {
		t.Fatalf("%s into a writable directory: %d files, want 1", name, len(entries))
	}
	if u.root {
		fi, err := os.Stat(filepath.Join(rw, entries[0].Name()))
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != u.uid {
			t.Errorf("%s: the control's file does not belong to nobody: the command did not run as another user", name)
		}
	}
}

// readOnlyFileCase: a file output onto a file its user may not write
// (mode 0444, in a directory the user may write) is refused, exit 4, and
// the file is left as it was, although a rename could replace it: a
// read-only file is one its owner protected.
func readOnlyFileCase(t *testing.T) {
	u := newOtherUser(t)
	rw := u.dir(t, "rw", 0o777)
	u.bound(t, u.dir(t, "ro", 0o555))
	file := filepath.Join(rw, "kept.yaml")
	for _, args := range [][]string{
		{"--db", u.db, "report", "--format", "md", "--out", file},
		{"init", "--force", file},
	} {
		if err := os.WriteFile(file, []byte("protected"), 0o444); err != nil {
			t.Fatal(err)
		}
		os.Chmod(file, 0o444)
		u.own(t, file)
		stderr, code := u.run(t, rw, args...)
		if code != exitOther || !strings.Contains(stderr, "cannot write "+file+": permission denied") {
			t.Errorf("%s onto a read-only file: exit %d, want 4; stderr:\n%s", strings.Join(args, " "), code, stderr)
		}
		if got, _ := os.ReadFile(file); string(got) != "protected" {
			t.Errorf("%s replaced a read-only file", strings.Join(args, " "))
		}
		if entries, _ := os.ReadDir(rw); len(entries) != 1 {
			t.Errorf("%s left %d files, want the read-only one alone", strings.Join(args, " "), len(entries))
		}
		os.Remove(file)
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

// TestClosedPipe runs the command in a process of its own with its
// standard output a pipe whose reader has gone, as in "ismscomms agenda |
// head -1" once head exits: the write fails, and the command says so and
// exits 4 rather than dying of SIGPIPE or exiting 0.
func TestClosedPipe(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	cmd := exec.Command(self, "--now", testNow, "schema")
	cmd.Env = append(os.Environ(), "ISMSCOMMS_TEST_AS_COMMAND=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitOther || !strings.Contains(stderr.String(), "cannot write standard output: write /dev/stdout: broken pipe") {
		t.Errorf("schema into a closed pipe: %v, want exit status 4 saying so; stderr:\n%s", err, stderr.String())
	}
}
