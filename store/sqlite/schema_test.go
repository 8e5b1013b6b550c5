package sqlite

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// schema1 makes, at path, a database as the release before idempotency
// keys left it: schema 1, and n records of tenant "t" in record format v1
// (driver.Seal encodes a record without a key exactly as that release
// did: see driver's TestSealGolden), inserted with that release's
// statements. It returns the records.
func schema1(t *testing.T, path string, n int) []comms.Record {
	t.Helper()
	db := rawDB(t, path)
	sqlText, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA journal_mode = WAL`, string(sqlText), `PRAGMA user_version = 1`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	var out []comms.Record
	prev := ""
	for i := 1; i <= n; i++ {
		r, body := driver.Seal("t", int64(i), prev, time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), record(i))
		execOne(t, db, `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			"t", r.Seq, r.PlanID, r.ActivityID, r.EventID, micros(r.SentAt), body, r.Hash)
		execOne(t, db, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, "t", r.Seq, r.Hash)
		out = append(out, r)
		prev = r.Hash
	}
	body, err := driver.EncodePlan(storetest.Plan("plan", 1))
	if err != nil {
		t.Fatal(err)
	}
	execOne(t, db, `INSERT INTO plans (tenant, id, version, body, saved_at, saved_by, note) VALUES ('t', 'plan', 1, ?, '2026-01-01T00:00:00Z', 'alice', '')`, string(body))
	db.Close()
	return out
}

// A database of schema 1 is refused by a read-only open (ErrSchemaTooOld,
// nothing changed), and migrated by a writable one, after which its v1
// records verify and read back unchanged, and keyed (v2) records continue
// the chain.
func TestSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old := schema1(t, path, 50)

	if _, err := Open(path, &Options{ReadOnly: true}); !errors.Is(err, ErrSchemaTooOld) {
		t.Fatalf("read-only Open of schema 1: %v, want ErrSchemaTooOld", err)
	}
	s := openT(t, path)
	var version int
	s.db.QueryRow("PRAGMA user_version").Scan(&version)
	if version != SchemaVersion() || version < 2 {
		t.Fatalf("schema version after Open: %d, want %d", version, SchemaVersion())
	}
	head, err := s.Verify(ctx, "t")
	if err != nil || head != (store.Head{Seq: 50, Hash: old[49].Hash}) {
		t.Fatalf("Verify of the migrated log: %+v, %v", head, err)
	}
	var listed []comms.Record
	for r, err := range s.Records(ctx, "t", store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, r)
	}
	if !reflect.DeepEqual(listed, old) {
		t.Errorf("the v1 records read back different after the migration")
	}
	if v, err := s.Plan(ctx, "t", "plan"); err != nil || v.SavedBy != "alice" {
		t.Errorf("Plan after the migration: %+v, %v", v, err)
	}
	// Keyed records continue the chain; a retry returns the first.
	r := record(51)
	r.IdempotencyKey = "msg-51"
	first, err := s.AppendRecord(ctx, "t", r)
	if err != nil || first.Seq != 51 || first.PrevHash != old[49].Hash {
		t.Fatalf("keyed append after the migration: %+v, %v", first, err)
	}
	again, err := s.AppendRecord(ctx, "t", r)
	if err != nil || again.Hash != first.Hash {
		t.Errorf("retry: %+v, %v", again, err)
	}
	mustAppendN(t, s, 52, 3)
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != 54 {
		t.Errorf("Verify of v1 and v2 records: %+v, %v", head, err)
	}
	if err := s.CheckIntegrity(ctx); err != nil {
		t.Errorf("CheckIntegrity after the migration: %v", err)
	}
	s.Close()
	// And the migrated file opens read-only now.
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if head, err := ro.Verify(ctx, "t"); err != nil || head.Seq != 54 {
		t.Errorf("read-only Verify: %+v, %v", head, err)
	}
}

func mustAppendN(t *testing.T, s *Store, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		r := record(i)
		if i%2 == 0 {
			r.IdempotencyKey = fmt.Sprintf("msg-%d", i)
		}
		if _, err := s.AppendRecord(ctx, "t", r); err != nil {
			t.Fatal(err)
		}
	}
}
