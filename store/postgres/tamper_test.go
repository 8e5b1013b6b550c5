package postgres

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// ownerTamper edits the tables with plain SQL as their owner, which
// row-level security binds too: it sets the tenant first, as anyone who
// owns the tables can.
type ownerTamper struct {
	owner  string
	schema string
}

func (ot ownerTamper) exec(t *testing.T, tenant, sql string, args ...any) {
	t.Helper()
	conn := connect(t, ot.owner)
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, setTenantSQL, tenant); err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("%s: %d rows, %v", sql, tag.RowsAffected(), err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func (ot ownerTamper) SetColumn(t *testing.T, tenant string, seq int64, column string, value any) {
	t.Helper()
	if !slices.Contains([]string{"plan_id", "activity_id", "event_id", "sent_at", "idempotency_key", "person_id", "digest", "channel"}, column) {
		t.Fatalf("no column %q", column)
	}
	if value == "" && column == "idempotency_key" {
		value = nil
	}
	ot.exec(t, tenant, `UPDATE `+ot.schema+`.records SET `+column+` = $1 WHERE tenant = $2 AND seq = $3`, value, tenant, seq)
}

func (ot ownerTamper) DeleteRecord(t *testing.T, tenant string, seq int64) {
	t.Helper()
	ot.exec(t, tenant, `DELETE FROM `+ot.schema+`.records WHERE tenant = $1 AND seq = $2`, tenant, seq)
}

func (ot ownerTamper) SetBody(t *testing.T, tenant string, seq int64, body []byte) {
	t.Helper()
	ot.exec(t, tenant, `UPDATE `+ot.schema+`.records SET body = $1 WHERE tenant = $2 AND seq = $3`, body, tenant, seq)
}

func TestTamperConformance(t *testing.T) {
	storetest.RunTamper(t, func(t *testing.T) (store.Store, storetest.Tamperer) {
		s, srv := openStore(t, nil)
		return s, ownerTamper{owner: srv.owner, schema: s.schema}
	})
}

// Editing a record's plan_id, activity_id, event_id or sent_at column as
// the superuser hides it from the queries it belongs to; Verify names the
// record and the column.
func TestHiddenColumnEdits(t *testing.T) {
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		column string
		value  any
		q      store.RecordQuery
	}{
		{"plan_id", "other", store.RecordQuery{PlanID: "plan"}},
		{"activity_id", "b", store.RecordQuery{ActivityID: "a"}},
		{"event_id", "inc-9", store.RecordQuery{EventID: ""}},
		{"sent_at", when.Add(48 * time.Hour), store.RecordQuery{To: when.Add(time.Hour)}},
	} {
		t.Run(tc.column, func(t *testing.T) {
			s, srv := openStore(t, nil)
			fill(t, s, 3, "acme")
			admin := connect(t, srv.admin)
			if tag, err := admin.Exec(ctx, fmt.Sprintf(`UPDATE %s.records SET %s = $1 WHERE tenant = 'acme' AND seq = 2`, s.schema, tc.column), tc.value); err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("tampering: %d rows, %v", tag.RowsAffected(), err)
			}
			if tc.q != (store.RecordQuery{}) {
				for r, err := range s.Records(ctx, "acme", tc.q) {
					if err == nil && r.Seq == 2 {
						t.Fatalf("the edit of %s did not hide record 2 from %+v: the test proves nothing", tc.column, tc.q)
					}
				}
			}
			_, err := s.Verify(ctx, "acme")
			var ce *store.ChainError
			if !errors.As(err, &ce) || ce.Seq != 2 || ce.Column != tc.column || !strings.Contains(err.Error(), tc.column) {
				t.Fatalf("Verify = %v; want a ChainError at record 2 naming column %s", err, tc.column)
			}
		})
	}
}

// A stored plan or event whose ID or kind column disagrees with its body
// is not returned as if it were the one asked for.
func TestPlanAndEventColumns(t *testing.T) {
	s, srv := openStore(t, nil)
	fill(t, s, 1, "acme")
	admin := connect(t, srv.admin)
	for _, sql := range []string{
		`UPDATE %s.plans SET id = 'renamed' WHERE tenant = 'acme'`,
		`UPDATE %s.events SET kind = 'policy' WHERE tenant = 'acme'`,
	} {
		if _, err := admin.Exec(ctx, fmt.Sprintf(sql, s.schema)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Plan(ctx, "acme", "renamed"); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Plan through an edited id column: %v, want ErrCorrupt", err)
	}
	for _, err := range s.Events(ctx, "acme", store.EventQuery{Kind: "policy"}) {
		if !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("Events through an edited kind column: %v, want ErrCorrupt", err)
		}
	}
}

// ReadOnly never migrates: an absent schema is ErrSchemaMissing (and stays
// absent), one behind ErrSchemaTooOld, one ahead ErrSchemaTooNew.
func TestReadOnlySchema(t *testing.T) {
	srv := testServer(t)
	admin := connect(t, srv.admin)
	schema := newSchema(t, srv)
	if _, err := Open(ctx, srv.app, &Options{Schema: schema, ReadOnly: true}); !errors.Is(err, ErrSchemaMissing) {
		t.Errorf("ReadOnly on an absent schema: %v, want ErrSchemaMissing", err)
	}
	var exists bool
	admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists)
	if exists {
		t.Error("a read-only open created the schema")
	}
	if _, err := Open(ctx, srv.app, &Options{Schema: schema, ReadOnly: true, OwnerDSN: srv.owner}); err == nil {
		t.Error("ReadOnly with OwnerDSN was accepted")
	}

	s, _ := openStore(t, nil)
	owner := connect(t, srv.owner)
	if _, err := owner.Exec(ctx, `DELETE FROM `+s.schema+`.schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, srv.app, &Options{Schema: s.schema, ReadOnly: true}); !errors.Is(err, ErrSchemaTooOld) {
		t.Errorf("ReadOnly on a schema behind: %v, want ErrSchemaTooOld", err)
	}
	if n := count(t, owner, s.schema, "schema_migrations", ""); n != 0 {
		t.Errorf("a read-only open migrated: %d migrations recorded", n)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO `+s.schema+`.schema_migrations (version, name) VALUES (999, 'future.sql')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, srv.app, &Options{Schema: s.schema, ReadOnly: true}); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("ReadOnly on a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// A read-only store reads, refuses writes, and its transactions are READ
// ONLY at the server; it reads while another session holds the tenant's
// chain head locked for writing.
func TestReadOnlyStore(t *testing.T) {
	w, srv := openStore(t, nil)
	fill(t, w, 3, "acme")
	s, err := Open(ctx, srv.app, &Options{Schema: w.schema, ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// A writer holds acme's head, as an append in progress does.
	admin := connect(t, srv.admin)
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT * FROM `+w.schema+`.chain_heads WHERE tenant = 'acme' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if head, err := s.Verify(ctx, "acme"); err != nil || head.Seq != 3 {
		t.Errorf("Verify: %+v, %v", head, err)
	}
	if rs := collectRecords(t, s, "acme"); len(rs) != 3 {
		t.Errorf("Records: %d", len(rs))
	}
	if v, err := s.Plan(ctx, "acme", "plan"); err != nil || v.Number != 1 {
		t.Errorf("Plan: %d, %v", v.Number, err)
	}
	if _, err := s.Event(ctx, "acme", "inc-1"); err != nil {
		t.Errorf("Event: %v", err)
	}
	if _, err := s.AppendRecord(ctx, "acme", storetest.Record("a", time.Now())); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("AppendRecord: %v, want ErrReadOnly", err)
	}
	if _, err := s.SavePlan(ctx, "acme", storetest.Plan("plan", 2), 1); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("SavePlan: %v, want ErrReadOnly", err)
	}
	if err := s.SaveEvent(ctx, "acme", comms.Event{ID: "x", Kind: "incident"}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("SaveEvent: %v, want ErrReadOnly", err)
	}
	tx.Rollback(ctx)
	// The server refuses a write in the store's transactions.
	err = s.batch(ctx, "acme", func(b *pgx.Batch) {
		b.Queue(`UPDATE ` + w.schema + `.events SET kind = 'x' WHERE tenant = 'acme'`)
	})
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("a write in a read-only store's transaction: %v, want ErrReadOnly (SQLSTATE 25006)", err)
	}
	if e, _ := w.Event(ctx, "acme", "inc-1"); e.Kind != "incident" {
		t.Errorf("the event changed: %+v", e)
	}
}
