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
// A Store is safe for concurrent use by multiple goroutines.
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
	"iter"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
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
}

// Errors of Open.
var (
	// ErrNotDatabase: the file exists but is not an SQLite database. It is
	// left untouched.
	ErrNotDatabase = errors.New("sqlite: not an SQLite database")
	// ErrCorrupt: the file is an SQLite database that fails its integrity
	// check. It is left untouched.
	ErrCorrupt = errors.New("sqlite: database is corrupt")
	// ErrSchemaTooNew: the database was written by a newer version of
	// this module; upgrade before opening it.
	ErrSchemaTooNew = errors.New("sqlite: database schema is newer than this program")
)

// Store is a store.Store on one SQLite file.
type Store struct {
	db      *sql.DB
	path    string
	now     func() time.Time
	writeMu sync.Mutex
}

var _ store.Store = (*Store)(nil)

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	n, _ := migrationList()
	return len(n)
}

func migrationList() ([]string, error) {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names, nil
}

// Open opens (or creates) the store in the file at path. A nil o means the
// defaults.
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
	if err := checkFile(file); err != nil {
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
	s := &Store{db: db, path: file, now: opt.Now}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// checkFile refuses, without writing to it, a file that is not an SQLite
// database or fails a quick integrity check.
func checkFile(file string) error {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil // created by Open
	}
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	if st.IsDir() {
		return fmt.Errorf("sqlite: open %s: is a directory", file)
	}
	if st.Size() == 0 {
		return nil // an empty file becomes a database
	}
	header := make([]byte, 16)
	if _, err := io.ReadFull(f, header); err != nil || !bytes.Equal(header, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%w: %s", ErrNotDatabase, file)
	}
	// Check integrity through a read-only connection, before anything is
	// written (WAL mode, migrations).
	ro, err := sql.Open("sqlite", "file:"+escapePath(file)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	defer ro.Close()
	rows, err := ro.Query("PRAGMA quick_check")
	if err != nil {
		return classify(file, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return classify(file, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(file, err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], "…")
		}
		return fmt.Errorf("%w: %s: %s", ErrCorrupt, file, strings.Join(problems, "; "))
	}
	return nil
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
		}
	}
	return fmt.Errorf("sqlite: open %s: %w", file, err)
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
	for i := current; i < len(names); i++ {
		sqlText, err := migrations.ReadFile(path.Join("migrations", names[i]))
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", names[i], err)
		}
		if _, err := tx.ExecContext(ctx, string(sqlText)); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", names[i], err)
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
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// write runs fn in an IMMEDIATE transaction, one writer of this process at
// a time.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
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
// own words) and names the package.
func (s *Store) wrap(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
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
	if err := store.CheckTenant(tenant); err != nil {
		return 0, err
	}
	if err := store.CheckPlan(p); err != nil {
		return 0, err
	}
	var body bytes.Buffer
	if err := comms.EncodeJSON(&body, p); err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	info := store.SaveInfoFrom(ctx)
	version := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var latest int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM plans WHERE tenant = ? AND id = ?`, tenant, p.ID).Scan(&latest); err != nil {
			return s.wrap(ctx, err)
		}
		if latest != expect {
			return fmt.Errorf("%w: plan %q is at version %d, not %d", store.ErrConflict, p.ID, latest, expect)
		}
		version = latest + 1
		_, err := tx.ExecContext(ctx, `INSERT INTO plans (tenant, id, version, body, saved_at, saved_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tenant, p.ID, version, body.String(), s.now().UTC().Format(time.RFC3339Nano), info.By, info.Note)
		if err != nil {
			var se *sqlite.Error
			if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
				return fmt.Errorf("%w: plan %q version %d was saved concurrently", store.ErrConflict, p.ID, version)
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
	var body, savedAt string
	if err := sc.Scan(&v.PlanID, &v.Number, &body, &savedAt, &v.SavedBy, &v.Note); err != nil {
		return v, err
	}
	p, _, err := comms.ParsePlan("", []byte(body))
	if err != nil {
		return v, fmt.Errorf("stored plan %s version %d: %w", v.PlanID, v.Number, err)
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
	if err := ctx.Err(); err != nil {
		return store.Version{}, err
	}
	if err := store.CheckTenant(tenant); err != nil {
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
		var zero T
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			yield(zero, s.wrap(ctx, err))
			return
		}
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				rows.Close()
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

func invalidSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// Plans implements store.Store.
func (s *Store) Plans(ctx context.Context, tenant string) iter.Seq2[store.Version, error] {
	if err := store.CheckTenant(tenant); err != nil {
		return invalidSeq[store.Version](err)
	}
	return queryAll(ctx, s, func(r *sql.Rows) (store.Version, error) { return scanVersion(r) },
		`SELECT `+versionColumns+` FROM plans p WHERE tenant = ?
		   AND version = (SELECT MAX(version) FROM plans WHERE tenant = p.tenant AND id = p.id)
		 ORDER BY id`, tenant)
}

// Versions implements store.Store.
func (s *Store) Versions(ctx context.Context, tenant, id string) iter.Seq2[store.Version, error] {
	if err := store.CheckTenant(tenant); err != nil {
		return invalidSeq[store.Version](err)
	}
	return queryAll(ctx, s, func(r *sql.Rows) (store.Version, error) { return scanVersion(r) },
		`SELECT `+versionColumns+` FROM plans WHERE tenant = ? AND id = ? ORDER BY version`, tenant, id)
}

// SaveEvent implements store.Store.
func (s *Store) SaveEvent(ctx context.Context, tenant string, e comms.Event) error {
	if err := store.CheckTenant(tenant); err != nil {
		return err
	}
	if err := store.CheckEvent(e); err != nil {
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

func scanEvent(sc interface{ Scan(...any) error }) (comms.Event, error) {
	var body string
	if err := sc.Scan(&body); err != nil {
		return comms.Event{}, err
	}
	var e comms.Event
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return comms.Event{}, fmt.Errorf("stored event: %w", err)
	}
	return e, nil
}

// Event implements store.Store.
func (s *Store) Event(ctx context.Context, tenant, id string) (comms.Event, error) {
	if err := ctx.Err(); err != nil {
		return comms.Event{}, err
	}
	if err := store.CheckTenant(tenant); err != nil {
		return comms.Event{}, err
	}
	e, err := scanEvent(s.db.QueryRowContext(ctx, `SELECT body FROM events WHERE tenant = ? AND id = ?`, tenant, id))
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
	if err := store.CheckTenant(tenant); err != nil {
		return invalidSeq[comms.Event](err)
	}
	query := `SELECT body FROM events WHERE tenant = ?`
	args := []any{tenant}
	if q.Kind != "" {
		query += ` AND kind = ?`
		args = append(args, q.Kind)
	}
	if !q.From.IsZero() {
		query += ` AND start >= ?`
		args = append(args, q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		query += ` AND start < ?`
		args = append(args, q.To.UnixMicro())
	}
	query += ` ORDER BY start, id`
	return queryAll(ctx, s, func(r *sql.Rows) (comms.Event, error) { return scanEvent(r) }, query, args...)
}

// AppendRecord implements store.Store.
func (s *Store) AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error) {
	if err := store.CheckTenant(tenant); err != nil {
		return comms.Record{}, err
	}
	if err := store.CheckRecord(r); err != nil {
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
		seq++
		if r.Corrects != 0 && r.Corrects >= seq {
			return fmt.Errorf("%w: record corrects record %d, which does not exist", store.ErrInvalid, r.Corrects)
		}
		var body []byte
		sealed, body = store.Seal(tenant, seq, prev, s.now(), r)
		if _, err := tx.ExecContext(ctx, `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant, seq, sealed.PlanID, sealed.ActivityID, sealed.EventID, micros(sealed.SentAt), body, sealed.Hash); err != nil {
			return s.wrap(ctx, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?)
			ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, tenant, seq, sealed.Hash); err != nil {
			return s.wrap(ctx, err)
		}
		return nil
	})
	if err != nil {
		return comms.Record{}, err
	}
	return sealed, nil
}

// recordPage is how many records Records reads per query.
const recordPage = 500

// Records implements store.Store. It reads a page at a time (keyset paging
// on the sequence number), so no read transaction stays open while the
// caller works through a long listing.
func (s *Store) Records(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	if err := store.CheckTenant(tenant); err != nil {
		return invalidSeq[comms.Record](err)
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
	if !q.From.IsZero() {
		where += ` AND sent_at >= ?`
		filters = append(filters, q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		where += ` AND sent_at < ?`
		filters = append(filters, q.To.UnixMicro())
	}
	query := `SELECT seq, body FROM records WHERE ` + where + ` ORDER BY seq LIMIT ?`
	scan := func(r *sql.Rows) (comms.Record, error) {
		var seq int64
		var body []byte
		if err := r.Scan(&seq, &body); err != nil {
			return comms.Record{}, err
		}
		rec, err := store.OpenRecord(tenant, body)
		if err != nil {
			return comms.Record{}, fmt.Errorf("record %d: %w", seq, err)
		}
		return rec, nil
	}
	return store.Pages(q, recordPage, func(after int64, limit int) iter.Seq2[comms.Record, error] {
		return queryAll(ctx, s, scan, query, append(append([]any{tenant, after}, filters...), limit)...)
	})
}

// Verify implements store.Store. It reads the log in one read transaction,
// so that appends in the meantime do not look like a broken chain.
func (s *Store) Verify(ctx context.Context, tenant string) (store.Head, error) {
	if err := ctx.Err(); err != nil {
		return store.Head{}, err
	}
	if err := store.CheckTenant(tenant); err != nil {
		return store.Head{}, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return store.Head{}, s.wrap(ctx, err)
	}
	defer tx.Rollback()
	var head store.Head
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM chain_heads WHERE tenant = ?`, tenant).Scan(&head.Seq, &head.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return store.Head{}, s.wrap(ctx, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, body, hash FROM records WHERE tenant = ? ORDER BY seq`, tenant)
	if err != nil {
		return store.Head{}, s.wrap(ctx, err)
	}
	defer rows.Close()
	return store.VerifyChain(ctx, tenant, func(yield func(store.Stored, error) bool) {
		for rows.Next() {
			var st store.Stored
			if err := rows.Scan(&st.Seq, &st.Body, &st.Hash); err != nil {
				yield(st, s.wrap(ctx, err))
				return
			}
			if !yield(st, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(store.Stored{}, s.wrap(ctx, err))
		}
	}, head)
}
