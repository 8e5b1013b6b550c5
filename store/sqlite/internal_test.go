package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

var ctx = context.Background()

func record(i int) comms.Record {
	return comms.Record{PlanID: "plan", ActivityID: fmt.Sprintf("a%d", i%5), SentAt: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		Channel: "email", Audiences: []string{"employees"}, Subject: "s", Reached: 3}
}

func openT(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fill(t *testing.T, s *Store, tenant string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := s.AppendRecord(ctx, tenant, record(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// The busy timeout and the other settings reach every pooled connection.
func TestEveryConnectionConfigured(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "db"))
	var conns []*sql.Conn
	for i := 0; i < 4; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var busy int
		var mode string
		var sync int
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
		if busy != 10000 || mode != "wal" || sync != 2 {
			t.Errorf("connection %d: busy_timeout %d, journal_mode %s, synchronous %d", i, busy, mode, sync)
		}
		c.Close()
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := openT(t, path)
	fill(t, s, "t", 10)
	if _, err := s.SavePlan(ctx, "t", comms.Plan{ID: "p"}, 0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openT(t, path)
	if _, err := s2.Verify(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	if r, err := s2.AppendRecord(ctx, "t", record(10)); err != nil || r.Seq != 11 {
		t.Errorf("after reopening: %d, %v", r.Seq, err)
	}
	if v, err := s2.Plan(ctx, "t", "p"); err != nil || v.Number != 1 {
		t.Errorf("plan after reopening: %+v, %v", v, err)
	}
	var version int
	s2.db.QueryRow("PRAGMA user_version").Scan(&version)
	if version != SchemaVersion() {
		t.Errorf("schema version %d, want %d", version, SchemaVersion())
	}
}

func TestOpenRefusesWithoutTouching(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("these are my notes, not a database\n"), 0o644)

	good := filepath.Join(dir, "good.db")
	s := openT(t, good)
	fill(t, s, "t", 300)
	s.Close()
	os.Remove(good + "-wal")
	os.Remove(good + "-shm")

	newer := filepath.Join(dir, "newer.db")
	{
		s := openT(t, newer)
		s.db.Exec("PRAGMA user_version = 99")
		s.Close()
	}

	corrupt := filepath.Join(dir, "corrupt.db")
	data, _ := os.ReadFile(good)
	// Scribble over the middle of the file: a b-tree page, not the header.
	for i := len(data) / 2; i < len(data)/2+3000 && i < len(data); i++ {
		data[i] = byte(i * 7)
	}
	os.WriteFile(corrupt, data, 0o644)

	tests := []struct {
		path string
		want error
	}{
		{text, ErrNotDatabase},
		{corrupt, ErrCorrupt},
		{newer, ErrSchemaTooNew},
	}
	for _, tc := range tests {
		before, _ := os.ReadFile(tc.path)
		_, err := Open(tc.path, nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("Open(%s) = %v, want %v", filepath.Base(tc.path), err, tc.want)
		}
		after, _ := os.ReadFile(tc.path)
		if tc.want != ErrSchemaTooNew && !bytes.Equal(before, after) {
			t.Errorf("Open(%s) changed the file", filepath.Base(tc.path))
		}
	}
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Open(a directory) = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "x.db"), &Options{Synchronous: "OFF"}); err == nil {
		t.Error("synchronous=OFF is refused")
	}
}

// Editing one byte of a stored record, deleting a row or swapping two rows
// makes Verify fail naming the first bad sequence number.
func TestTamper(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		seq  int64
	}{
		{"edit one byte of a record", `UPDATE records SET body = CAST(replace(CAST(body AS TEXT), '"s"', '"S"') AS BLOB) WHERE tenant = 't' AND seq = 5`, 5},
		{"edit a hash", `UPDATE records SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE tenant = 't' AND seq = 3`, 3},
		{"delete a row", `DELETE FROM records WHERE tenant = 't' AND seq = 4`, 4},
		{"swap two rows", `UPDATE records SET seq = -1 WHERE tenant = 't' AND seq = 6;
			UPDATE records SET seq = 6 WHERE tenant = 't' AND seq = 7;
			UPDATE records SET seq = 7 WHERE tenant = 't' AND seq = -1`, 6},
		{"delete the newest rows", `DELETE FROM records WHERE tenant = 't' AND seq >= 9`, 9},
		{"move a record to another tenant", `UPDATE records SET tenant = 'u' WHERE tenant = 't' AND seq = 10`, 10},
		{"edit the head's hash", `UPDATE chain_heads SET hash = 'x' WHERE tenant = 't'`, 10},
		{"move the head back", `UPDATE chain_heads SET seq = 8 WHERE tenant = 't'`, 9},
		{"move the head on", `UPDATE chain_heads SET seq = 12 WHERE tenant = 't'`, 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openT(t, filepath.Join(t.TempDir(), "db"))
			fill(t, s, "t", 10)
			fill(t, s, "u", 2)
			if _, err := s.Verify(ctx, "t"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			_, err := s.Verify(ctx, "t")
			var ce *store.ChainError
			if !errors.As(err, &ce) || ce.Seq != tc.seq {
				t.Fatalf("Verify = %v, want a ChainError at record %d", err, tc.seq)
			}
			if tc.name == "move a record to another tenant" {
				if _, err := s.Verify(ctx, "u"); !errors.As(err, &ce) {
					t.Errorf("the other tenant's log verifies with a foreign record: %v", err)
				}
			}
		})
	}
}

// Two stores on one file — two processes, as far as SQLite can tell —
// append concurrently without a gap, a duplicate or SQLITE_BUSY.
func TestTwoWritersOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	a, b := openT(t, path), openT(t, path)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, s := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				if _, err := s.AppendRecord(ctx, "t", record(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	for r, err := range a.Records(ctx, "t", store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; r.Seq != int64(n) {
			t.Fatalf("record %d has sequence number %d", n, r.Seq)
		}
	}
	if n != 600 {
		t.Fatalf("%d records", n)
	}
	if _, err := b.Verify(ctx, "t"); err != nil {
		t.Fatal(err)
	}
}

const crashChild = "ISMSCOMMS_SQLITE_CRASH_CHILD"

// TestCrashChild is the child of TestKilledWhileAppending: it appends
// records until it is killed, printing each sequence number once its
// append has returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChild)
	if path == "" {
		t.Skip("run by TestKilledWhileAppending")
	}
	s, err := Open(path, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		r, err := s.AppendRecord(ctx, "t", record(i))
		if err != nil {
			fmt.Fprintln(w, "error:", err)
			w.Flush()
			os.Exit(4)
		}
		fmt.Fprintf(w, "ok %d %s\n", r.Seq, r.Hash)
		w.Flush()
	}
}

// A child process appends records in a loop and is killed with SIGKILL at a
// random moment, 20 times: every append that returned is there after
// reopening, the chain verifies, and PRAGMA integrity_check is ok.
func TestKilledWhileAppending(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 child processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	acked := map[int64]string{}
	for round := 0; round < 20; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChild+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it get going, then kill it at a random moment.
		seen := 0
		deadline := time.After(30 * time.Second)
	wait:
		for seen < 5 {
			select {
			case line, ok := <-lines:
				if !ok {
					break wait
				}
				if strings.HasPrefix(line, "ok ") {
					seen++
					record := strings.Fields(line)
					seq, _ := strconv.ParseInt(record[1], 10, 64)
					acked[seq] = record[2]
				}
			case <-deadline:
				break wait
			}
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for line := range lines {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "ok" {
				seq, _ := strconv.ParseInt(f[1], 10, 64)
				acked[seq] = f[2]
			} else if strings.HasPrefix(line, "error") || strings.HasPrefix(line, "open") {
				t.Fatalf("child: %s", line)
			}
		}
		cmd.Wait()
		if seen < 5 {
			t.Fatalf("round %d: the child appended only %d records", round, seen)
		}

		s, err := Open(path, nil)
		if err != nil {
			t.Fatalf("round %d: reopening after SIGKILL: %v", round, err)
		}
		if _, err := s.Verify(ctx, "t"); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		stored := map[int64]string{}
		for r, err := range s.Records(ctx, "t", store.RecordQuery{}) {
			if err != nil {
				t.Fatal(err)
			}
			stored[r.Seq] = r.Hash
		}
		for seq, hash := range acked {
			if stored[seq] != hash {
				t.Fatalf("round %d: record %d was acknowledged but is %q after the crash", round, seq, stored[seq])
			}
		}
		var check string
		if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		s.Close()
	}
	t.Logf("%d acknowledged appends over 20 kills, all present", len(acked))
}
