package postgres

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// A schema at version 1 holding records of format v1, as the release
// before idempotency keys left it, is refused by a read-only open
// (ErrSchemaTooOld) and migrated by Open with the owner, after which its
// records verify and read back unchanged and keyed records continue the
// chain.
func TestSchema1(t *testing.T) {
	srv := testServer(t)
	schema := newSchema(t, srv)
	owner := connect(t, srv.owner)
	tx, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	init, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	for _, q := range []string{
		`CREATE SCHEMA ` + ident,
		`CREATE TABLE ` + ident + `.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
		`SET LOCAL search_path TO ` + ident,
		string(init),
		`INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql')`,
		// The grants Migrate gave the application role then.
		`GRANT USAGE ON SCHEMA ` + ident + ` TO ` + appRole,
		`GRANT SELECT ON schema_migrations TO ` + appRole,
		`GRANT SELECT, INSERT ON plans, records TO ` + appRole,
		`GRANT SELECT, INSERT, UPDATE ON events, chain_heads TO ` + appRole,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	if _, err := tx.Exec(ctx, setTenantSQL, "acme"); err != nil {
		t.Fatal(err)
	}
	var old []comms.Record
	prev := ""
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := int64(1); i <= 20; i++ {
		r, body := driver.Seal("acme", i, prev, when.Add(time.Duration(i)*time.Minute), storetest.Record("a", when))
		if _, err := tx.Exec(ctx, `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			"acme", i, r.PlanID, r.ActivityID, r.EventID, r.SentAt, body, r.Hash); err != nil {
			t.Fatal(err)
		}
		old = append(old, r)
		prev = r.Hash
	}
	if _, err := tx.Exec(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES ('acme', 20, $1)`, prev); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	if _, err := Open(ctx, srv.app, &Options{Schema: schema, ReadOnly: true}); !errors.Is(err, ErrSchemaTooOld) {
		t.Fatalf("read-only Open of schema 1: %v, want ErrSchemaTooOld", err)
	}
	s, err := Open(ctx, srv.app, &Options{Schema: schema, OwnerDSN: srv.owner})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := count(t, owner, schema, "schema_migrations", ""); n != SchemaVersion() || n < 2 {
		t.Errorf("%d migrations recorded, want %d", n, SchemaVersion())
	}
	if head, err := s.Verify(ctx, "acme"); err != nil || head != (store.Head{Seq: 20, Hash: prev}) {
		t.Fatalf("Verify of the migrated log: %+v, %v", head, err)
	}
	var listed []comms.Record
	for r, err := range s.Records(ctx, "acme", store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, r)
	}
	if !reflect.DeepEqual(listed, old) {
		t.Error("the v1 records read back different after the migration")
	}
	r := storetest.Record("b", when)
	r.IdempotencyKey = "msg-21"
	first, err := s.AppendRecord(ctx, "acme", r)
	if err != nil || first.Seq != 21 || first.PrevHash != prev {
		t.Fatalf("keyed append after the migration: %+v, %v", first, err)
	}
	if again, err := s.AppendRecord(ctx, "acme", r); err != nil || again.Hash != first.Hash {
		t.Errorf("retry: %+v, %v", again, err)
	}
	if head, err := s.Verify(ctx, "acme"); err != nil || head.Seq != 21 {
		t.Errorf("Verify of v1 and v2 records: %+v, %v", head, err)
	}
}
