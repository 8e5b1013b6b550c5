package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// This file holds the command's outputs: the writers of standard output
// and error, which remember a failed write so that the exit status says
// the output is incomplete; say and table, the one place each kind of
// text output passes what it shows through [safetext.Line]; and
// writeFile, the one helper every file output goes through.

// trackedWriter remembers the first write that failed: a command that
// prints its result and returns nil must not exit 0 when the result never
// reached its reader (a full disk, a closed pipe). After a failure it
// writes nothing more.
type trackedWriter struct {
	w   io.Writer
	err error
}

func (t *trackedWriter) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		t.err = err
	}
	return n, err
}

// failed returns the first write error of w if w is a trackedWriter.
func failed(w io.Writer) error {
	if t, ok := w.(*trackedWriter); ok {
		return t.err
	}
	return nil
}

// escapeArgs replaces, in place, every string, []string, error and
// fmt.Stringer among args by its text passed through safetext.Line, so
// that a value from a flag, a plan or a store is shown rather than obeyed
// by the terminal. With keepErrors, error values are left for the caller
// (they may span lines and are escaped where they are printed).
func escapeArgs(args []any, keepErrors bool) []any {
	for i, arg := range args {
		switch v := arg.(type) {
		case string:
			args[i] = safetext.Line(v)
		case []string:
			esc := make([]string, len(v))
			for j, s := range v {
				esc[j] = safetext.Line(s)
			}
			args[i] = esc
		case error:
			if !keepErrors {
				args[i] = safetext.Line(v.Error())
			}
		case fmt.Stringer:
			args[i] = safetext.Line(v.String())
		}
	}
	return args
}

// say writes a message to w: format is the command's own text, and every
// string argument is escaped (see escapeArgs). Every message line of the
// command that echoes a flag, a plan or a store goes through it; a write
// error is remembered by w (see trackedWriter).
func say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, escapeArgs(args, false)...)
}

// table writes aligned columns. Every cell is escaped with safetext.Line
// (which also spells out a TAB or LF that would break the columns): it is
// the one place the command's tables pass their values through.
type table struct {
	w    io.Writer
	rows [][]string
}

// maxColumn is the widest a cell may make its column: a longer cell (an
// activity named with 100,000 characters) is printed whole but widens
// nothing, so that the table costs the size of its cells, not the widest
// cell times the rows (300 MB once, for a 120 KB plan).
const maxColumn = 80

// newTable starts a table on w with a header row (none if header is empty).
func newTable(w io.Writer, header ...string) *table {
	t := &table{w: w}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

func (t *table) row(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = safetext.Line(c)
	}
	t.rows = append(t.rows, row)
}

// cellWidth is how many columns of a terminal s takes: two for an East
// Asian wide or fullwidth character (情報), one for any other.
func cellWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 {
			if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
				n++
			}
		}
	}
	return n
}

// flush writes the rows, each cell but a row's last padded to its
// column's width and two spaces, as text/tabwriter aligns them.
func (t *table) flush() error {
	var widths []int
	for _, row := range t.rows {
		for i, c := range row[:max(len(row)-1, 0)] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			if n := cellWidth(c); n <= maxColumn {
				widths[i] = max(widths[i], n)
			}
		}
	}
	bw := bufio.NewWriter(t.w)
	for _, row := range t.rows {
		for i, c := range row {
			bw.WriteString(c)
			if i < len(row)-1 {
				bw.WriteString(strings.Repeat(" ", max(widths[i]-cellWidth(c), 0)+2))
			}
		}
		bw.WriteByte('\n')
	}
	t.rows = nil
	return bw.Flush()
}

// errOutputExists: writeFile was told not to replace path, and it exists.
var errOutputExists = errors.New("exists")

// writeOutput writes a command's output through write to path, the value
// of a flag such as --out: "-" is standard output, anything else a file
// written by writeFile.
func (a *app) writeOutput(path string, write func(io.Writer) error) error {
	if path == "-" {
		if err := write(a.stdout); err != nil {
			return &exitError{code: exitOther, err: fmt.Errorf("cannot write standard output: %w", err)}
		}
		return nil
	}
	return writeFile(path, false, write)
}

// writeFile writes a file through write, and never replaces anything but
// a regular file:
//
//   - a missing file is created, and an existing regular file that the
//     process may write replaced, atomically: write goes to a temporary
//     file in the same directory, which is synced and renamed over path
//     only once complete, so a failure (a full disk) leaves the old file
//     as it was and no temporary file behind. A replaced file keeps its
//     permissions (and, where the process may, its owner); a new one gets
//     0666 less the umask. A regular file the process may not write is
//     refused, although a rename could replace it;
//   - a symbolic link is followed to its final target, which is then
//     written as above: the link stays a link;
//   - a device, FIFO or socket is opened and written directly, never
//     removed or replaced;
//   - a directory is refused.
//
// With exclusive set, an existing path (of any kind, a dangling link too)
// is refused with errOutputExists and a new file appears only once
// complete. Every error is exit status 4 and names path.
func writeFile(path string, exclusive bool, write func(io.Writer) error) error {
	return writeFileMode(path, exclusive, 0o666, write)
}

// writeSecret writes a new file as writeFile does with exclusive set (an
// existing path of any kind is refused, so no device, FIFO or link is
// ever written or replaced), readable and writable by its owner only
// (0600) from its creation on: a private key.
func writeSecret(path string, write func(io.Writer) error) error {
	return writeFileMode(path, true, 0o600, write)
}

// writeFileMode is writeFile creating new files with mode perm (less the
// umask).
func writeFileMode(path string, exclusive bool, perm fs.FileMode, write func(io.Writer) error) error {
	if exclusive {
		if _, err := os.Lstat(path); err == nil {
			return &exitError{code: exitInput, err: fmt.Errorf("%s %w", path, errOutputExists)}
		}
	}
	target, err := resolveLinks(path)
	if err != nil {
		return outputErr(path, err)
	}
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := writable(filepath.Dir(target)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return outputErr(path, err)
		}
		return replaceFile(path, target, nil, exclusive, perm, write)
	case err != nil:
		return outputErr(path, err)
	case fi.Mode().IsRegular():
		if err := writable(target); err != nil {
			// A rename could replace it, but a file its user may not write
			// is one its owner protected.
			return outputErr(path, err)
		}
		if err := writable(filepath.Dir(target)); err != nil {
			// The rename writes the directory: one nobody may write is
			// protected too, from root as well.
			return outputErr(path, err)
		}
		if n := hardLinks(fi); n > 1 {
			// Renaming over one name would leave the others with the
			// old content; writing in place would not be atomic.
			return outputErr(path, fmt.Errorf("it has %d hard links: a new file would leave the other names with the old content (write to another name)", n))
		}
		if isDatabase(target) {
			return outputErr(path, errors.New("it is an SQLite database or one of its files (a store?), which an output never replaces"))
		}
		return replaceFile(path, target, fi, exclusive, perm, write)
	case fi.IsDir():
		return outputErr(path, errors.New("it is a directory"))
	case fi.Mode()&fs.ModeSymlink != 0:
		return outputErr(path, errors.New("it changed while it was being resolved"))
	}
	return writeInPlace(path, target, exclusive, write)
}

// isDatabase reports whether the file at name begins as an SQLite
// database does: an output written over it would destroy a store (the
// review's D14: report --out ismscomms.db replaced every tenant's log).
//
// The files SQLite keeps beside a database count as the database: its
// write-ahead log holds committed transactions not yet copied into it
// (replacing it loses them, and nothing can tell), and its shared-memory
// index and rollback journal are its own.
func isDatabase(name string) bool {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && isDatabase(base) {
			return true
		}
	}
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	header := make([]byte, 16)
	if _, err := io.ReadFull(f, header); err != nil {
		return false
	}
	switch {
	case string(header) == "SQLite format 3\x00":
		return true
	case string(header[:4]) == "\x37\x7f\x06\x82" || string(header[:4]) == "\x37\x7f\x06\x83":
		return true // a write-ahead log, whatever its name
	}
	return false
}

// resolveLinks follows path through symbolic links to the file they end
// at, which need not exist. A path that is not a link is returned as it is.
func resolveLinks(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if r, err := filepath.EvalSymlinks(path); err == nil {
			return r, nil
		}
		// A dangling link (its target does not exist yet): one hop.
		next, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(next) {
			dir, err := filepath.EvalSymlinks(filepath.Dir(path))
			if err != nil {
				return "", err
			}
			next = filepath.Join(dir, next)
		}
		path = next
	}
	return "", errors.New("too many levels of symbolic links")
}

// writeInPlace writes to an existing file that is not a regular file (a
// device, a FIFO) as it is: no truncation, no rename.
func writeInPlace(path, target string, exclusive bool, write func(io.Writer) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return outputErr(path, err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		// Replaced by a regular file since it was looked at: nothing was
		// written to it (no O_TRUNC); write it the way regular files are.
		f.Close()
		return replaceFile(path, target, fi, exclusive, 0o666, write)
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return outputErr(path, err)
	}
	return nil
}

// replaceFile writes target (named path by the user) through a temporary
// file renamed over it; old is the regular file it replaces, nil if none.
func replaceFile(path, target string, old fs.FileInfo, exclusive bool, perm fs.FileMode, write func(io.Writer) error) error {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, base, perm)
	if err != nil {
		return outputErr(path, err)
	}
	tmp := f.Name()
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return outputErr(path, err)
	}
	if old != nil {
		if err := os.Chmod(tmp, old.Mode().Perm()); err != nil {
			return outputErr(path, err)
		}
		keepOwner(tmp, old)
	}
	if exclusive {
		err := os.Link(tmp, target)
		switch {
		case errors.Is(err, fs.ErrExist):
			return &exitError{code: exitInput, err: fmt.Errorf("%s %w", path, errOutputExists)}
		case err != nil:
			// No hard links here (some file systems): the rename below, after
			// one more look.
			if _, err := os.Lstat(target); err == nil {
				return &exitError{code: exitInput, err: fmt.Errorf("%s %w", path, errOutputExists)}
			}
		default:
			syncDir(dir)
			return nil // the deferred Remove drops the temporary name
		}
	} else if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
		// Something that is not a regular file appeared while we wrote:
		// leave it.
		return outputErr(path, errors.New("it changed while it was being written (it is no longer a regular file)"))
	}
	if err := os.Rename(tmp, target); err != nil {
		return outputErr(path, err)
	}
	tmp = ""
	syncDir(dir)
	return nil
}

// createTemp creates a new file for writing in dir, named after base, with
// mode perm less the umask: 0666 for outputs (os.CreateTemp's 0600 would
// make a new report unreadable to the others a user's umask admits),
// 0600 for a secret.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64()>>16, 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, errors.New("cannot find an unused temporary file name")
}

// syncDir makes a rename in dir durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// outputErr is exit status 4: path could not be written, and why, in the
// words of the system without the temporary file's name.
func outputErr(path string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	reason := err.Error()
	if errors.Is(err, fs.ErrNotExist) {
		dir := filepath.Dir(path)
		if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
			reason = "directory " + safetext.Line(dir) + " does not exist"
		}
	}
	return &exitError{code: exitOther, err: &describedError{"cannot write " + safetext.Line(path) + ": " + reason, err}}
}

// describedError is an error told in the command's words, wrapping the
// error it describes.
type describedError struct {
	msg string
	err error
}

func (e *describedError) Error() string { return e.msg }
func (e *describedError) Unwrap() error { return e.err }
