// Package sqlite is the embedded, persistent store.Store: one SQLite file,
// written through modernc.org/sqlite (pure Go, no cgo).
//
//	s, err := sqlite.Open("ismscomms.db", nil)
//	if err != nil { ... }
//	defer s.Close()
//
// Open creates the file or opens an existing one, checks it is an intact
// SQLite database (it never overwrites a file that is not), applies the
// embedded schema migrations in one transaction, and refuses a file whose
// schema is newer than it knows. The database runs in WAL mode with
// synchronous=FULL, so a record whose append returned survives a crash of
// the process or the machine. Every pooled connection gets the busy
// timeout (through the DSN, not a PRAGMA on one connection), and write
// transactions begin IMMEDIATE, so that concurrent writers — in this
// process or others — wait for each other instead of failing with
// SQLITE_BUSY_SNAPSHOT. Within one process writers also queue on a mutex,
// which keeps SQLite's busy handler out of the common path.
//
// # Reading only
//
// Commands that only read open the store with Options.ReadOnly:
//
//	s, err := sqlite.Open("ismscomms.db", &sqlite.Options{ReadOnly: true})
//	// errors.Is(err, fs.ErrNotExist): "sqlite: no store at ismscomms.db"
//
// A read-only open never creates, migrates or writes the file. It reads
// while other processes write (WAL readers see the last committed state
// and do not wait for a write transaction), and it reads from read-only
// media: when the file's directory cannot be written and no writer has the
// database open (no -wal file beside it), SQLite cannot create the shared
// memory file WAL readers use, and the store opens the file as immutable
// instead, which reads it without locks. The store's write methods then
// fail with store.ErrReadOnly. A database whose schema is older than this
// package's is refused with ErrSchemaTooOld: open it once for writing to
// migrate it.
//
// # Integrity
//
// Store.Verify checks the record chain; Store.CheckIntegrity
// (store.IntegrityChecker) runs PRAGMA integrity_check over the whole file,
// which also finds an index that no longer matches its table — damage that
// would make a query miss a record while Verify, which reads the table,
// says intact — and names the records it affects. It reads every page and
// looks every index entry up: on the reference machine (2 cores) about
// 0.6 s for a file of 100,000 records (42 MiB) and 1.8 s for 200,000 (85
// MiB), where Verify of 100,000 records took 0.55 s before issue 18 (see
// below). A read-only Open runs no check (0.4 ms); a writable Open runs
// quick_check, 0.15 s for 100,000 records.
//
// # Reading a long log
//
// Verify reads a tenant's log in one read transaction through the
// driver's own rows, not database/sql's (whose lock and copy per row were
// a large part of a row's cost), takes each value's storage class from
// the Go type the driver returns it as, and streams the rows to
// store/driver.VerifyChain, which checks them in a second goroutine while
// the next are read; Records reads pages of 500 into one buffer. Neither
// holds more than a few pages, whatever the length of the log
// (BenchmarkVerify and BenchmarkRecords report the peak heap: about 6
// MiB at 100,000 records and at 1,000,000). On the reference machine (2
// cores, shared with other work while measured), 1,000,000 records of one
// tenant verify in about 8 s, where plain SQL reading the same columns
// through database/sql takes about 5 s (issue 18's goal of 2 s is below
// that), and list in about 7 to 10 s, where plain SQL reading their
// bodies takes 2.3 to 3 s; before issue 18, 21 to 25 s and 12 to 23 s.
//
// # Idempotency keys
//
// A keyed append looks its key up, through a unique index on tenant and
// key, inside its IMMEDIATE transaction, after it has read the chain head:
// concurrent retries, from this process or others, queue on the write
// lock, and all but the first find the record and return it. Schema 2 adds
// the key column (NULL for records without a key, and for every record
// written under schema 1, which keep their record format v1) and its
// index; a writable Open migrates a file of schema 1.
//
// # Rosters
//
// Schema 3 adds the rosters table (store.RosterStore): every version of
// each roster, saved as plans are saved; a writable Open migrates a file
// of an earlier schema, and a read-only Open refuses one with
// ErrSchemaTooOld.
//
// # Delivery log
//
// Schema 4 adds the delivery log and the jobs' checkpoints
// (store.DeliveryLog), operational state outside the record chain. A
// claim reads and writes the key's row in one IMMEDIATE transaction, so
// claims of one key queue on the write lock, from this process or
// another, and exactly one takes the key while its lease lasts; a
// transaction that waits longer than the busy timeout fails with
// ErrLocked, having claimed nothing. Two processes claiming the same keys
// on one file each win distinct keys (TestClaimTwoProcesses).
//
// # Acknowledgements read fast
//
// Schema 5 adds copies of an acknowledgement's person_id, digest and
// channel to its row (NULL for other records), written in the append's
// transaction, and the covering index records_by_ack (tenant,
// activity_id, digest, seq, sent_at, person_id, channel). Acks
// (store.AckReader) reads that index only, no body; Communications reads
// an activity's other records through it (their digest is NULL), opening
// each as Records does. Verify checks the copies against the hashed
// bodies, CheckIntegrity the index against the table. Migrating a file of
// schema 4 copies the fields of the acknowledgements it holds from their
// bodies (record format v3, a JSON array); Verify checks the result like
// any other copy. On the reference machine, the outstanding list of one
// activity for 10,000 people and a year of acknowledgements (36,004
// records) reads in about a sixth of the time of Records
// (BenchmarkOutstanding).
//
// A Store is safe for concurrent use by multiple goroutines. It implements
// store.BatchAppender, store.RosterStore, store.DeliveryLog,
// store.AckReader, store.TreeReader, store.TreeNotes, store.LeafVerifier,
// store.IntegrityChecker, store.Pinger and io.Closer.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	migrationlist "github.com/ismscomms/ismscomms/store/internal/migrations"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Now is the clock for SavedAt and RecordedAt; nil means time.Now.
	Now func() time.Time
	// BusyTimeout is how long a write waits for another writer (another
	// process, typically); 0 means 10 seconds.
	BusyTimeout time.Duration
	// Synchronous is SQLite's synchronous setting: "FULL" (the default)
	// or "NORMAL" (faster; in WAL mode a crash of the machine, not of the
	// process, may lose the last appends).
	Synchronous string
	// MaxOpenConns bounds the connection pool; 0 means 8.
	MaxOpenConns int
	// ReadOnly opens an existing store for reading only: Open never
	// creates the file, migrates it or writes to it, and the store's write
	// methods fail with store.ErrReadOnly. A missing file is an error
	// wrapping fs.ErrNotExist ("no store at ..."), as is an empty file or
	// an SQLite database without the store's schema; a schema older than
	// this package's is ErrSchemaTooOld. Synchronous does not apply.
	ReadOnly bool
}

// Errors of Open.
var (
	// ErrNotDatabase: the file exists but is not an SQLite database. It is
	// left untouched.
	ErrNotDatabase = errors.New("sqlite: not an SQLite database")
	// ErrCorrupt: the file is an SQLite database that fails its integrity
	// check, or whose pages a read finds damaged. It is left untouched.
	// errors.Is(err, store.ErrCorrupt) is true of it too.
	ErrCorrupt error = &categoryError{"sqlite: database is corrupt", store.ErrCorrupt}
	// ErrSchemaTooNew: the database was written by a newer version of
	// this module; upgrade before opening it.
	ErrSchemaTooNew = errors.New("sqlite: database schema is newer than this program")
	// ErrSchemaTooOld: opened with Options.ReadOnly, the database's schema
	// is older than this package's. A read-only open never migrates: open
	// the file once for writing (Open without ReadOnly; in the CLI,
	// ismscomms migrate), which migrates it, then read it.
	ErrSchemaTooOld = errors.New("sqlite: database schema is older than this program")
	// ErrLocked: another connection (most likely another process) held
	// the database for longer than Options.BusyTimeout; nothing was done.
	// Try again, or give a longer BusyTimeout.
	ErrLocked = errors.New("sqlite: database is locked")
)

// categoryError is a sentinel of this package that is also one of the
// store's categories.
type categoryError struct {
	msg      string
	category error
}

func (e *categoryError) Error() string        { return e.msg }
func (e *categoryError) Is(target error) bool { return target == e.category }

// Store is a store.Store on one SQLite file.
type Store struct {
	db        *sql.DB
	path      string
	now       func() time.Time
	busy      time.Duration // Options.BusyTimeout
	readOnly  bool
	immutable bool // opened read-only as immutable, on read-only media
	writeMu   sync.Mutex
	closed    atomic.Bool
	// unbuilt are the tenants whose tree the migration of this open left
	// unbuilt (store.TreeNotes).
	unbuilt []*store.TreeError
}

var (
	_ store.Store            = (*Store)(nil)
	_ store.IntegrityChecker = (*Store)(nil)
	_ store.Pinger           = (*Store)(nil)
	_ store.TreeNotes        = (*Store)(nil)
	_ io.Closer              = (*Store)(nil)
)

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	n, _ := migrationList()
	return len(n)
}

func migrationList() ([]string, error) {
	return migrationlist.List(migrations, "migrations")
}

// Open opens (or creates) the store in the file at path. A nil o means the
// defaults. With o.ReadOnly it opens an existing store for reading only
// (see [Options]).
func Open(file string, o *Options) (*Store, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BusyTimeout == 0 {
		opt.BusyTimeout = 10 * time.Second
	}
	switch strings.ToUpper(opt.Synchronous) {
	case "":
		opt.Synchronous = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("sqlite: open %s: synchronous must be FULL or NORMAL, not %q", file, opt.Synchronous)
	}
	if opt.MaxOpenConns == 0 {
		opt.MaxOpenConns = 8
	}
	if opt.ReadOnly {
		return openReadOnly(file, opt)
	}
	if err := checkDir(file); err != nil {
		return nil, err
	}
	if _, err := checkFile(file, true); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opt.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+strings.ToUpper(opt.Synchronous)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+escapePath(file)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	db.SetMaxOpenConns(opt.MaxOpenConns)
	db.SetMaxIdleConns(opt.MaxOpenConns)
	s := &Store{db: db, path: file, now: opt.Now, busy: opt.BusyTimeout}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openReadOnly opens an existing store without writing to it.
func openReadOnly(file string, opt Options) (*Store, error) {
	// No quick_check: reading does not risk the file, and a command that
	// checks it (verify) runs the full integrity check, which names what
	// is damaged.
	state, err := checkFile(file, false)
	if err != nil {
		return nil, err
	}
	switch state {
	case fileMissing:
		return nil, fmt.Errorf("sqlite: no store at %s: %w", file, fs.ErrNotExist)
	case fileEmpty:
		return nil, fmt.Errorf("sqlite: no store at %s (the file is empty): %w", file, fs.ErrNotExist)
	}
	db, immutable, err := openRO(file, opt.BusyTimeout, opt.MaxOpenConns)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: file, now: opt.Now, busy: opt.BusyTimeout, readOnly: true, immutable: immutable}
	var current int
	if err := db.QueryRow("PRAGMA user_version").Scan(&current); err != nil {
		db.Close()
		return nil, classify(file, err)
	}
	names, err := migrationList()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	if err := readableVersion(file, current, len(names)); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// readableVersion checks, for a read-only open, the schema version of file
// against the one this package writes.
func readableVersion(file string, current, known int) error {
	switch {
	case current == 0:
		return fmt.Errorf("sqlite: no store at %s (an SQLite database without the store's schema): %w", file, fs.ErrNotExist)
	case current < known:
		return fmt.Errorf("%w: %s has schema version %d, this program's is %d, and a read-only open does not migrate (open it once without ReadOnly to migrate it)", ErrSchemaTooOld, file, current, known)
	case current > known:
		return fmt.Errorf("%w: %s has schema version %d; this program knows up to %d", ErrSchemaTooNew, file, current, known)
	}
	return nil
}

// openRO opens file read-only (mode=ro), or, when that fails because
// SQLite cannot create the shared-memory file WAL readers need (read-only
// media) and no writer has the database open, as immutable. It checks
// that a query works before it returns.
func openRO(file string, busy time.Duration, conns int) (*sql.DB, bool, error) {
	open := func(immutable bool) (*sql.DB, error) {
		q := url.Values{}
		q.Set("mode", "ro")
		if immutable {
			q.Set("immutable", "1")
		}
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
		db, err := sql.Open("sqlite", "file:"+escapePath(file)+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
		}
		db.SetMaxOpenConns(max(conns, 1))
		db.SetMaxIdleConns(max(conns, 1))
		var n int
		if err := db.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
	db, err := open(false)
	if err == nil {
		return db, false, nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) || (se.Code()&0xff != sqlite3.SQLITE_CANTOPEN && se.Code()&0xff != sqlite3.SQLITE_READONLY) {
		return nil, false, classify(file, err)
	}
	// A writer that has the database open keeps a -wal file beside it;
	// immutable would ignore what it holds. Without one, the file is all
	// there is.
	if st, werr := os.Stat(file + "-wal"); werr == nil && st.Size() > 0 {
		return nil, false, fmt.Errorf("sqlite: open %s read-only: %v; its -wal file holds changes that a reader cannot see without creating %s-shm beside it (let the writer finish, or make the directory writable)", file, err, file)
	}
	db, err2 := open(true)
	if err2 != nil {
		return nil, false, classify(file, err2)
	}
	return db, true, nil
}

func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// checkDir reports a missing directory for the file plainly (SQLite says
// "out of memory (14)").
func checkDir(file string) error {
	dir := filepath.Dir(file)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: open %s: directory %s does not exist: %w", file, dir, fs.ErrNotExist)
	case err != nil:
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	case !st.IsDir():
		return fmt.Errorf("sqlite: open %s: %s is not a directory", file, dir)
	}
	return nil
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.String()
}

type fileState int

const (
	fileMissing fileState = iota
	fileEmpty
	fileDatabase
)

// checkFile refuses, without writing to it, a file that is not an SQLite
// database or, with quick, fails SQLite's quick_check (structural damage;
// an index with the wrong number of entries). It reports whether the
// file exists and is empty.
func checkFile(file string, quick bool) (fileState, error) {
	// Stat before opening: opening a FIFO blocks until someone writes
	// to it, and a device is nothing SQLite should read or write.
	fi, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fileMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	if fi.IsDir() {
		return 0, fmt.Errorf("sqlite: open %s: is a directory", file)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("sqlite: open %s: not a regular file (%s): a store is a file of its own", file, fileKind(fi.Mode()))
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fileMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	if st.IsDir() {
		return 0, fmt.Errorf("sqlite: open %s: is a directory", file)
	}
	if st.Size() == 0 {
		return fileEmpty, nil
	}
	header := make([]byte, 16)
	if _, err := io.ReadFull(f, header); err != nil || !bytes.Equal(header, []byte("SQLite format 3\x00")) {
		return 0, fmt.Errorf("%w: %s", ErrNotDatabase, file)
	}
	if !quick {
		return fileDatabase, nil
	}
	// Check through a read-only connection, before anything is written
	// (WAL mode, migrations).
	ro, _, err := openRO(file, 10*time.Second, 1)
	if err != nil {
		return 0, err
	}
	defer ro.Close()
	ctx := context.Background()
	conn, err := ro.Conn(ctx)
	if err != nil {
		return 0, classify(file, err)
	}
	defer conn.Close()
	if err := checkIntegrity(ctx, conn, "quick_check"); err != nil {
		var ce *store.CorruptError
		if errors.As(err, &ce) {
			return 0, fmt.Errorf("sqlite: open %s: %w", file, err)
		}
		return 0, classify(file, err)
	}
	return fileDatabase, nil
}

// classify translates an SQLite error met while opening, by its code.
func classify(file string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %s", ErrNotDatabase, file)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %s: %v", ErrCorrupt, file, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("sqlite: open %s: the database cannot be written (%v); commands that only read open it with Options.ReadOnly: %w", file, err, store.ErrReadOnly)
		case sqlite3.SQLITE_CANTOPEN:
			return cantOpen(file, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %s: another connection held it for longer than the busy timeout", ErrLocked, file)
		}
	}
	return fmt.Errorf("sqlite: open %s: %w", file, err)
}

// cantOpen explains SQLITE_CANTOPEN, which SQLite reports without the
// operating system's reason, by asking the operating system.
func cantOpen(file string, err error) error {
	if err := checkDir(file); err != nil {
		return err
	}
	f, ferr := os.OpenFile(file, os.O_RDWR, 0)
	if errors.Is(ferr, fs.ErrNotExist) {
		// Would SQLite have been let create it? (If so, remove what only
		// this probe made.)
		if f, ferr = os.OpenFile(file, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644); ferr == nil {
			f.Close()
			os.Remove(file)
		}
	} else if ferr == nil {
		f.Close()
	}
	var pe *fs.PathError
	if errors.As(ferr, &pe) && (errors.Is(ferr, fs.ErrPermission) || errors.Is(ferr, syscall.EROFS)) {
		return fmt.Errorf("sqlite: open %s: cannot write it (%v); commands that only read open it with Options.ReadOnly: %w", file, pe.Err, store.ErrReadOnly)
	}
	if ferr != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, ferr)
	}
	return fmt.Errorf("sqlite: open %s: SQLite cannot open or create it, or the -wal and -shm files beside it, in directory %s (%v)", file, filepath.Dir(file), err)
}

func (s *Store) migrate(ctx context.Context) error {
	names, err := migrationList()
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return classify(s.path, err)
	}
	if current > len(names) {
		return fmt.Errorf("%w: %s has schema version %d; this program knows up to %d", ErrSchemaTooNew, s.path, current, len(names))
	}
	var unbuilt []*store.TreeError
	for i := current; i < len(names); i++ {
		sqlText, err := migrations.ReadFile(path.Join("migrations", names[i]))
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", names[i], err)
		}
		if _, err := tx.ExecContext(ctx, string(sqlText)); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", names[i], err)
		}
		if names[i] == treeMigration {
			if unbuilt, err = buildTrees(ctx, tx); err != nil {
				return fmt.Errorf("sqlite: migration %s: %w", names[i], err)
			}
		}
	}
	if current != len(names) {
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(names))); err != nil {
			return fmt.Errorf("sqlite: set schema version: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return classify(s.path, err)
	}
	s.unbuilt = unbuilt
	return nil
}

// UnbuiltTrees implements store.TreeNotes: the tenants whose log was
// broken when this open migrated the file to schema 7, whose tree was
// left unbuilt (noted in the file: their appends fail naming the break).
func (s *Store) UnbuiltTrees() []*store.TreeError { return s.unbuilt }

// Close closes the database (io.Closer). After Close, every method fails
// with store.ErrClosed; Close again returns nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

// usable returns the context's error, or store.ErrClosed after Close.
func (s *Store) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return s.closedErr()
	}
	return nil
}

func (s *Store) closedErr() error {
	return fmt.Errorf("sqlite: %s: %w", s.path, store.ErrClosed)
}

// Ping implements store.Pinger: it checks that the database file can be
// read, on a pooled connection.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap(ctx, err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// write runs fn in an IMMEDIATE transaction, one writer of this process at
// a time.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return fmt.Errorf("sqlite: %s was opened read-only: %w", s.path, store.ErrReadOnly)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(ctx, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}

// wrap prefers the context's error (a cancelled query reports it in its
// own words), names the package, and puts SQLite's errors in the store's
// categories by their codes: a database that cannot be written is
// store.ErrReadOnly; one whose pages are damaged (a read-only open runs no
// check, so a read meets it first) is ErrCorrupt, which is store.ErrCorrupt.
func (s *Store) wrap(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if s.closed.Load() {
		// database/sql's "database is closed" has no sentinel to test.
		return s.closedErr()
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("sqlite: %w: %w", store.ErrReadOnly, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, s.path, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %s: another connection held it for longer than the busy timeout (%s)", ErrLocked, s.path, s.busy)
		}
	}
	return fmt.Errorf("sqlite: %w", err)
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// SavePlan implements store.Store.
func (s *Store) SavePlan(ctx context.Context, tenant string, p comms.Plan, expect int) (int, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, err
	}
	body, err := driver.EncodePlan(p)
	if err != nil {
		return 0, err
	}
	return s.saveVersion(ctx, "plans", "plan", tenant, p.ID, body, expect)
}

// saveVersion inserts body as the next version of the plan or roster id
// (table "plans" or "rosters", what the errors call it) in one IMMEDIATE
// transaction, if expect is the latest version; a version saved
// concurrently is a conflict.
func (s *Store) saveVersion(ctx context.Context, table, what, tenant, id string, body []byte, expect int) (int, error) {
	info := driver.SaveInfoFrom(ctx)
	version := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var latest int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+table+` WHERE tenant = ? AND id = ?`, tenant, id).Scan(&latest); err != nil {
			return s.wrap(ctx, err)
		}
		if latest != expect {
			return fmt.Errorf("%w: %s %q is at version %d, not %d", store.ErrConflict, what, id, latest, expect)
		}
		version = latest + 1
		_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (tenant, id, version, body, saved_at, saved_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tenant, id, version, string(body), s.now().UTC().Format(time.RFC3339Nano), info.By, info.Note)
		if err != nil {
			var se *sqlite.Error
			if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
				return fmt.Errorf("%w: %s %q version %d was saved concurrently", store.ErrConflict, what, id, version)
			}
			return s.wrap(ctx, err)
		}
		return nil
	})
	return version, err
}

const versionColumns = `id, version, body, saved_at, saved_by, note`

func scanVersion(sc interface{ Scan(...any) error }) (store.Version, error) {
	var v store.Version
	var body []byte
	var savedAt string
	if err := sc.Scan(&v.PlanID, &v.Number, &body, &savedAt, &v.SavedBy, &v.Note); err != nil {
		return v, err
	}
	p, err := driver.DecodePlan(body)
	if err != nil {
		return v, fmt.Errorf("stored plan %s version %d: %w", v.PlanID, v.Number, err)
	}
	if p.ID != v.PlanID {
		return v, fmt.Errorf("%w: stored plan %s version %d holds plan %q", store.ErrCorrupt, v.PlanID, v.Number, p.ID)
	}
	v.Plan = p
	if v.SavedAt, err = time.Parse(time.RFC3339Nano, savedAt); err != nil {
		return v, fmt.Errorf("stored plan %s version %d: saved_at: %w", v.PlanID, v.Number, err)
	}
	return v, nil
}

// Plan implements store.Store.
func (s *Store) Plan(ctx context.Context, tenant, id string) (store.Version, error) {
	return s.PlanVersion(ctx, tenant, id, 0)
}

// PlanVersion implements store.Store. Version 0 means the latest.
func (s *Store) PlanVersion(ctx context.Context, tenant, id string, v int) (store.Version, error) {
	if err := s.usable(ctx); err != nil {
		return store.Version{}, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Version{}, err
	}
	var row *sql.Row
	if v == 0 {
		row = s.db.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM plans WHERE tenant = ? AND id = ? ORDER BY version DESC LIMIT 1`, tenant, id)
	} else {
		row = s.db.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM plans WHERE tenant = ? AND id = ? AND version = ?`, tenant, id, v)
	}
	ver, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		if v == 0 {
			return store.Version{}, fmt.Errorf("%w: plan %q", store.ErrNotFound, id)
		}
		return store.Version{}, fmt.Errorf("%w: plan %q version %d", store.ErrNotFound, id, v)
	}
	if err != nil {
		return store.Version{}, s.wrap(ctx, err)
	}
	return ver, nil
}

// queryAll runs a query and yields each row through scan; it reads all
// rows before yielding, so that the caller may use the store meanwhile.
func queryAll[T any](ctx context.Context, s *Store, scan func(*sql.Rows) (T, error), query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var buf []T // one per iteration
		queryInto(ctx, s, &buf, scan, query, args...)(yield)
	}
}

// queryInto is queryAll reading the rows into *buf, which it reuses: a
// caller that runs one query after another (Records, a page at a time)
// passes the same buffer to each, so that a page costs no allocation of
// its own. The values are yielded by copy; the buffer keeps the last
// query's until the next.
func queryInto[T any](ctx context.Context, s *Store, buf *[]T, scan func(*sql.Rows) (T, error), query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := s.usable(ctx); err != nil {
			yield(zero, err)
			return
		}
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			yield(zero, s.wrap(ctx, err))
			return
		}
		out := (*buf)[:0]
		defer func() { *buf = out }()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				// The rows before the bad one are good: yield them, then
				// the error, so that a reader that goes on after a refused
				// record (evidence.ReadRecords) loses none of them.
				rows.Close()
				for _, v := range out {
					if !yield(v, nil) {
						return
					}
				}
				yield(zero, s.wrap(ctx, err))
				return
			}
			out = append(out, v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			yield(zero, s.wrap(ctx, err))
			return
		}
		for _, v := range out {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Plans implements store.Store.
func (s *Store) Plans(ctx context.Context, tenant string) iter.Seq2[store.Version, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.Version](err)
	}
	return queryAll(ctx, s, func(r *sql.Rows) (store.Version, error) { return scanVersion(r) },
		`SELECT `+versionColumns+` FROM plans p WHERE tenant = ?
		   AND version = (SELECT MAX(version) FROM plans WHERE tenant = p.tenant AND id = p.id)
		 ORDER BY id`, tenant)
}

// Versions implements store.Store.
func (s *Store) Versions(ctx context.Context, tenant, id string) iter.Seq2[store.Version, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.Version](err)
	}
	return queryAll(ctx, s, func(r *sql.Rows) (store.Version, error) { return scanVersion(r) },
		`SELECT `+versionColumns+` FROM plans WHERE tenant = ? AND id = ? ORDER BY version`, tenant, id)
}

// SaveEvent implements store.Store.
func (s *Store) SaveEvent(ctx context.Context, tenant string, e comms.Event) error {
	if err := driver.CheckTenant(tenant); err != nil {
		return err
	}
	if err := driver.CheckEvent(e); err != nil {
		return err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO events (tenant, id, kind, start, body) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant, id) DO UPDATE SET kind = excluded.kind, start = excluded.start, body = excluded.body`,
			tenant, e.ID, e.Kind, micros(e.Start()), string(body))
		if err != nil {
			return s.wrap(ctx, err)
		}
		return nil
	})
}

// scanEvent reads an event's ID and body and checks them against q (nil
// for a lookup by ID).
func scanEvent(sc interface{ Scan(...any) error }, q *store.EventQuery) (comms.Event, error) {
	var id string
	var body []byte
	if err := sc.Scan(&id, &body); err != nil {
		return comms.Event{}, err
	}
	return driver.OpenStoredEvent(id, body, q)
}

// Event implements store.Store.
func (s *Store) Event(ctx context.Context, tenant, id string) (comms.Event, error) {
	if err := s.usable(ctx); err != nil {
		return comms.Event{}, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return comms.Event{}, err
	}
	e, err := scanEvent(s.db.QueryRowContext(ctx, `SELECT id, body FROM events WHERE tenant = ? AND id = ?`, tenant, id), nil)
	if errors.Is(err, sql.ErrNoRows) {
		return comms.Event{}, fmt.Errorf("%w: event %q", store.ErrNotFound, id)
	}
	if err != nil {
		return comms.Event{}, s.wrap(ctx, err)
	}
	return e, nil
}

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, tenant string, q store.EventQuery) iter.Seq2[comms.Event, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[comms.Event](err)
	}
	query := `SELECT id, body FROM events WHERE tenant = ?`
	args := []any{tenant}
	if q.Kind != "" {
		query += ` AND kind = ?`
		args = append(args, q.Kind)
	}
	from, to := driver.StartBounds(q)
	if !from.IsZero() {
		query += ` AND start >= ?`
		args = append(args, from.UnixMicro())
	}
	if !to.IsZero() {
		query += ` AND (start < ? OR start = 0)` // no milestones: start 0, the zero time, before any bound (EventMatches drops a real start at 0 that is not)
		args = append(args, to.UnixMicro())
	}
	query += ` ORDER BY start, id`
	return driver.ExactEvents(q, queryAll(ctx, s, func(r *sql.Rows) (comms.Event, error) { return scanEvent(r, &q) }, query, args...))
}

// AppendRecord implements store.Store. In one IMMEDIATE transaction it
// reads the tenant's chain head, looks a keyed record's key up (through
// the unique index on tenant and key) and answers a retry with the record
// stored, or seals the record after the head, inserts it and moves the
// head.
func (s *Store) AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return comms.Record{}, err
	}
	if err := driver.CheckRecord(r); err != nil {
		return comms.Record{}, err
	}
	var sealed comms.Record
	err := s.write(ctx, func(tx *sql.Tx) error {
		var seq int64
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM chain_heads WHERE tenant = ?`, tenant).Scan(&seq, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.wrap(ctx, err)
		}
		if r.IdempotencyKey != "" {
			var columns driver.Columns
			st, err := scanStored(tx.QueryRowContext(ctx, `SELECT `+storedColumns+` FROM records WHERE tenant = ? AND idempotency_key = ?`, tenant, r.IdempotencyKey), &columns)
			switch {
			case err == nil:
				sealed, err = driver.Replay(tenant, st, r)
				if err == nil {
					err = errReplayed
				}
				return err
			case !errors.Is(err, sql.ErrNoRows):
				return s.wrap(ctx, err)
			}
		}
		seq++
		if err := driver.CheckCorrects(r, seq); err != nil {
			return err
		}
		var body []byte
		sealed, body = driver.Seal(tenant, seq, prev, s.now(), r)
		if _, err := tx.ExecContext(ctx, insertRecordSQL, recordArgs(tenant, sealed, body)...); err != nil {
			var se *sqlite.Error
			if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
				// The transaction looked the key up: only a writer that
				// bypassed this store's lookup could have stored it.
				return fmt.Errorf("%w: idempotency key %q of tenant %q is already stored: %w", store.ErrConflict, r.IdempotencyKey, tenant, err)
			}
			return s.wrap(ctx, err)
		}
		if err := s.appendTree(ctx, tx, tenant, seq-1, [][]byte{body}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?)
			ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, tenant, seq, sealed.Hash); err != nil {
			return s.wrap(ctx, err)
		}
		return nil
	})
	if errors.Is(err, errReplayed) {
		return sealed, nil
	}
	if err != nil {
		return comms.Record{}, err
	}
	return sealed, nil
}

// errReplayed ends the transaction of an append that a stored record
// answers: nothing to write.
var errReplayed = errors.New("sqlite: replayed")

// AppendRecords implements store.BatchAppender. In one IMMEDIATE
// transaction it reads the tenant's chain head, looks each key of the
// batch up (through the unique index on tenant and key, one prepared
// statement), seals the batch, inserts its new records with one prepared
// statement and moves the head once: one commit, so one fsync for the
// batch.
func (s *Store) AppendRecords(ctx context.Context, tenant string, rs []comms.Record) ([]comms.Record, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return nil, err
	}
	if err := driver.CheckBatch(rs); err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		if err := s.usable(ctx); err != nil {
			return nil, err
		}
		return nil, nil
	}
	var out []comms.Record
	err := s.write(ctx, func(tx *sql.Tx) error {
		var head store.Head
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM chain_heads WHERE tenant = ?`, tenant).Scan(&head.Seq, &head.Hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.wrap(ctx, err)
		}
		var byKey *sql.Stmt
		if len(driver.Keys(rs)) > 0 {
			if byKey, err = tx.PrepareContext(ctx, `SELECT `+storedColumns+` FROM records WHERE tenant = ? AND idempotency_key = ?`); err != nil {
				return s.wrap(ctx, err)
			}
			defer byKey.Close()
		}
		pending, head, err := driver.SealBatch(tenant, head, s.now(), rs, func(key string) (driver.Stored, bool, error) {
			columns := new(driver.Columns)
			st, err := scanStored(byKey.QueryRowContext(ctx, tenant, key), columns)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return driver.Stored{}, false, nil
			case err != nil:
				return driver.Stored{}, false, s.wrap(ctx, err)
			}
			return st, true, nil
		})
		if err != nil {
			return err
		}
		insert, err := tx.PrepareContext(ctx, insertRecordSQL)
		if err != nil {
			return s.wrap(ctx, err)
		}
		defer insert.Close()
		out = make([]comms.Record, len(pending))
		wrote := false
		var bodies [][]byte
		for i, p := range pending {
			out[i] = p.Record
			if p.Body == nil {
				continue
			}
			bodies = append(bodies, p.Body)
			r := p.Record
			if _, err := insert.ExecContext(ctx, recordArgs(tenant, r, p.Body)...); err != nil {
				var se *sqlite.Error
				if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
					return fmt.Errorf("%w: idempotency key %q of tenant %q is already stored: %w", store.ErrConflict, r.IdempotencyKey, tenant, err)
				}
				return s.wrap(ctx, err)
			}
			wrote = true
		}
		if !wrote {
			return errReplayed
		}
		if err := s.appendTree(ctx, tx, tenant, head.Seq-int64(len(bodies)), bodies); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?)
			ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, tenant, head.Seq, head.Hash); err != nil {
			return s.wrap(ctx, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errReplayed) {
		return nil, err
	}
	return out, nil
}

// insertRecordSQL inserts a record with its columns (recordArgs).
const insertRecordSQL = `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash, idempotency_key, person_id, digest, channel)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// recordArgs are the values of insertRecordSQL for the sealed record r:
// the copies store.AckReader reads are NULL but for an acknowledgement.
func recordArgs(tenant string, r comms.Record, body []byte) []any {
	c := driver.ColumnsOf(r)
	ack := func(v string) any {
		if !c.IsAck() {
			return nil
		}
		return v
	}
	return []any{tenant, r.Seq, c.PlanID, c.ActivityID, c.EventID, micros(c.SentAt), body, r.Hash, nullable(c.IdempotencyKey),
		ack(c.PersonID), ack(c.Digest), ack(c.Channel)}
}

// nullable returns s, or NULL for "".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// storedColumns are the columns of a record that Verify and the key
// lookup read: all of them but the tenant.
const storedColumns = `seq, body, hash, plan_id, activity_id, event_id, sent_at, idempotency_key, person_id, digest, channel`

// scanStored reads storedColumns into a Stored whose Columns is c (reused
// from row to row).
func scanStored(sc interface{ Scan(...any) error }, c *driver.Columns) (driver.Stored, error) {
	st := driver.Stored{Columns: c}
	var sent int64
	var key, person, digest, channel sql.NullString
	if err := sc.Scan(&st.Seq, &st.Body, &st.Hash, &c.PlanID, &c.ActivityID, &c.EventID, &sent, &key, &person, &digest, &channel); err != nil {
		return st, err
	}
	c.SentAt = time.UnixMicro(sent).UTC()
	c.IdempotencyKey = key.String
	c.PersonID, c.Digest, c.Channel = person.String, digest.String, channel.String
	return st, nil
}

// recordPage is how many records Records reads per query.
const recordPage = 500

// Records implements store.Store. It reads a page at a time (keyset paging
// on the sequence number), so no read transaction stays open while the
// caller works through a long listing.
func (s *Store) Records(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return s.records(ctx, tenant, q, false)
}

// Communications implements store.AckReader: Records without the
// acknowledgements, which it leaves out by their digest column (NULL for
// every other record).
func (s *Store) Communications(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return s.records(ctx, tenant, q, true)
}

// records is Records, less the acknowledgements if noAcks.
func (s *Store) records(ctx context.Context, tenant string, q store.RecordQuery, noAcks bool) iter.Seq2[comms.Record, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[comms.Record](err)
	}
	if err := driver.CheckRecordQuery(q); err != nil {
		return driver.Fail[comms.Record](err)
	}
	where := `tenant = ? AND seq > ?`
	var filters []any
	for _, f := range []struct {
		col, val string
	}{{"plan_id", q.PlanID}, {"activity_id", q.ActivityID}, {"event_id", q.EventID}} {
		if f.val != "" {
			where += ` AND ` + f.col + ` = ?`
			filters = append(filters, f.val)
		}
	}
	from, to := driver.SentBounds(q)
	if !from.IsZero() {
		where += ` AND sent_at >= ?`
		filters = append(filters, from.UnixMicro())
	}
	if !to.IsZero() {
		where += ` AND sent_at < ?`
		filters = append(filters, to.UnixMicro())
	}
	open := driver.OpenStored
	table := `records`
	if noAcks {
		// Other records hold NULL in digest, so that through
		// records_by_ack (tenant, activity_id, digest, seq) the
		// communications of an activity are a range of their own, in
		// sequence order, not a walk past its acknowledgements.
		where += ` AND digest IS NULL`
		table = `records INDEXED BY records_by_kind`
		if q.ActivityID != "" {
			table = `records INDEXED BY records_by_ack`
		}
		open = func(tenant string, st driver.Stored, q store.RecordQuery) (comms.Record, error) {
			return driver.OpenCommunication(tenant, "digest", st, q)
		}
	}
	// The columns selected by are not read back: OpenStored checks each
	// record against q by its hashed content (Verify checks the columns).
	query := `SELECT seq, body, hash FROM ` + table + ` WHERE ` + where + ` ORDER BY seq LIMIT ?`
	scan := func(r *sql.Rows) (comms.Record, error) {
		var st driver.Stored
		// The body is read in place (RawBytes, valid until the next row):
		// OpenStored makes the one copy of it the record keeps.
		var body sql.RawBytes
		if err := r.Scan(&st.Seq, &body, &st.Hash); err != nil {
			return comms.Record{}, err
		}
		st.Body = body
		return open(tenant, st, q)
	}
	return func(yield func(comms.Record, error) bool) {
		// Pages reads one page after the other, so that the pages of
		// one iteration share a buffer.
		page := make([]comms.Record, 0, recordPage)
		driver.Pages(q, recordPage, func(after int64, limit int) iter.Seq2[comms.Record, error] {
			return queryInto(ctx, s, &page, scan, query, append(append([]any{tenant, after}, filters...), limit)...)
		})(yield)
	}
}
