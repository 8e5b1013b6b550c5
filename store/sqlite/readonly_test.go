package sqlite

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A read-only open of a file that holds no store says so, and creates
// nothing.
func TestReadOnlyNoStore(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	_, err := Open(missing, &Options{ReadOnly: true})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no store at "+missing) {
		t.Errorf("Open(missing, ReadOnly) = %v; want fs.ErrNotExist saying \"no store at %s\"", err, missing)
	}
	deep := filepath.Join(dir, "no", "such", "dir", "x.db")
	if _, err := Open(deep, &Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no store at "+deep) {
		t.Errorf("Open(missing directory, ReadOnly) = %v", err)
	}

	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Open(empty, &Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no store at "+empty) {
		t.Errorf("Open(empty file, ReadOnly) = %v", err)
	}

	// Another program's SQLite database.
	foreign := filepath.Join(dir, "foreign.db")
	db := rawDB(t, foreign)
	if _, err := db.Exec(`CREATE TABLE notes (text TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(foreign)
	if _, err := Open(foreign, &Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "without the store's schema") {
		t.Errorf("Open(another program's database, ReadOnly) = %v", err)
	}
	if after, _ := os.ReadFile(foreign); !bytes.Equal(before, after) {
		t.Error("a read-only open changed another program's database")
	}

	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a database\n"), 0o644)
	if _, err := Open(text, &Options{ReadOnly: true}); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("Open(a text file, ReadOnly) = %v, want ErrNotDatabase", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"empty.db", "foreign.db", "notes.txt"}) {
		t.Errorf("the directory holds %v after the read-only opens", got)
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Error("a read-only open wrote to an empty file")
	}
}

// A schema other than this package's is refused, without migrating.
func TestReadOnlySchemaVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := openT(t, path)
	s.db.Exec("PRAGMA user_version = 99")
	s.Close()
	if _, err := Open(path, &Options{ReadOnly: true}); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open(a newer schema, ReadOnly) = %v, want ErrSchemaTooNew", err)
	}
	// An older schema on disk: see TestSchema1. The rule it follows:
	err := readableVersion(path, 1, 2)
	if !errors.Is(err, ErrSchemaTooOld) || !strings.Contains(err.Error(), "open it once without ReadOnly to migrate it") {
		t.Errorf("readableVersion(1 of 2) = %v, want ErrSchemaTooOld saying how to migrate", err)
	}
	if err := readableVersion(path, 2, 2); err != nil {
		t.Errorf("readableVersion(2 of 2) = %v", err)
	}
}

// filled makes a store at path with a plan, an event and n records, and
// closes it.
func filled(t *testing.T, path string, n int) {
	t.Helper()
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SavePlan(ctx, "t", storetest.Plan("plan", 1), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEvent(ctx, "t", comms.Event{ID: "inc-1", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}}); err != nil {
		t.Fatal(err)
	}
	fill(t, s, "t", n)
}

// readAll checks that s reads a store made by filled with n records, and
// refuses to write.
func readAll(t *testing.T, s *Store, n int) {
	t.Helper()
	if v, err := s.Plan(ctx, "t", "plan"); err != nil || v.Number != 1 {
		t.Errorf("Plan: %+v, %v", v.Number, err)
	}
	if _, err := s.Event(ctx, "t", "inc-1"); err != nil {
		t.Errorf("Event: %v", err)
	}
	got := 0
	for _, err := range s.Records(ctx, "t", store.RecordQuery{}) {
		if err != nil {
			t.Fatalf("Records: %v", err)
		}
		got++
	}
	if got != n {
		t.Errorf("Records: %d, want %d", got, n)
	}
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != int64(n) {
		t.Errorf("Verify: %+v, %v; want %d records", head, err, n)
	}
	if err := s.CheckIntegrity(ctx); err != nil {
		t.Errorf("CheckIntegrity: %v", err)
	}
	if _, err := s.SavePlan(ctx, "t", storetest.Plan("plan", 2), 1); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("SavePlan on a read-only store: %v, want ErrReadOnly", err)
	}
	if err := s.SaveEvent(ctx, "t", comms.Event{ID: "x", Kind: "incident"}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("SaveEvent on a read-only store: %v, want ErrReadOnly", err)
	}
	if _, err := s.AppendRecord(ctx, "t", record(1)); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("AppendRecord on a read-only store: %v, want ErrReadOnly", err)
	}
}

// A read-only store reads everything, writes nothing, and leaves the
// database file as it was.
func TestReadOnlyReads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db")
	filled(t, path, 20)
	before, _ := os.ReadFile(path)
	s, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, s, 20)
	s.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a read-only store changed the database file")
	}
	// What a WAL reader may leave beside the database, as the sqlite3
	// shell does: the shared-memory index and an empty log.
	for _, name := range names(t, dir) {
		switch name {
		case "db", "db-shm":
		case "db-wal":
			if st, _ := os.Stat(filepath.Join(dir, name)); st.Size() != 0 {
				t.Errorf("a read-only store wrote %d bytes of log", st.Size())
			}
		default:
			t.Errorf("a read-only store left %s behind", name)
		}
	}
}

// A writable open of a file in a directory that does not exist says so
// (SQLite says "out of memory (14)").
func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "x.db")
	_, err := Open(path, nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "directory "+filepath.Dir(path)+" does not exist") {
		t.Errorf("Open(missing directory) = %v", err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o644)
	if _, err := Open(filepath.Join(notDir, "x.db"), nil); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("Open(under a file) = %v", err)
	}
}

const holdChild = "ISMSCOMMS_SQLITE_HOLD_CHILD"

// TestHoldChild is the child of TestReadOnlyWhileWriting: it appends a
// record in a write transaction, says so, and commits only when its
// standard input closes.
func TestHoldChild(t *testing.T) {
	path := os.Getenv(holdChild)
	if path == "" {
		t.Skip("run by TestReadOnlyWhileWriting")
	}
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		// AppendRecord's statements, with a pause before the commit.
		var seq int64
		var prev string
		if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM chain_heads WHERE tenant = 't'`).Scan(&seq, &prev); err != nil {
			return err
		}
		r, body := driver.Seal("t", seq+1, prev, time.Now(), record(21))
		if _, err := tx.ExecContext(ctx, `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			"t", r.Seq, r.PlanID, r.ActivityID, r.EventID, micros(r.SentAt), body, r.Hash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chain_heads SET seq = ?, hash = ? WHERE tenant = 't'`, r.Seq, r.Hash); err != nil {
			return err
		}
		os.Stdout.WriteString("holding\n")
		bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes it
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A read-only store reads while another process holds a write transaction
// (as a WAL reader: it neither waits nor sees the uncommitted record),
// where a writable open would wait for the writer.
func TestReadOnlyWhileWriting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	filled(t, path, 20)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdChild+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "holding\n" {
		t.Fatalf("child: %q, %v\n%s", line, err, stderr.String())
	}
	// A busy timeout of 1 ms: had the reader to wait for the writer, it
	// would fail.
	s, err := Open(path, &Options{ReadOnly: true, BusyTimeout: time.Millisecond})
	if err != nil {
		t.Fatalf("Open(ReadOnly) while another process writes: %v", err)
	}
	defer s.Close()
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != 20 {
		t.Errorf("Verify while another process writes: %+v, %v; want the 20 committed records", head, err)
	}
	readAll(t, s, 20)
	if w, err := Open(path, &Options{BusyTimeout: 50 * time.Millisecond}); err == nil {
		w.Close()
		t.Error("a writable open did not wait for the writer: the child holds no write transaction, the test proves nothing")
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	// The committed record is there for the next read.
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != 21 {
		t.Errorf("Verify after the child committed: %+v, %v; want 21 records", head, err)
	}
}
