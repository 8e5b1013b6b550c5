package postgres

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// allTreeHashes reads every stored hash of tenant's tree.
func allTreeHashes(t *testing.T, s *Store, tenant string) (int64, []tlog.Hash) {
	t.Helper()
	size, err := s.TreeSize(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int64, tlog.StoredHashCount(size))
	for i := range idx {
		idx[i] = int64(i)
	}
	hashes, err := s.TreeHashes(ctx, tenant, size, idx)
	if err != nil {
		t.Fatalf("TreeHashes: %v", err)
	}
	return size, hashes
}

// A schema of version 6 (records, no tree) is refused by a read-only
// open (ErrSchemaTooOld) and migrated by Open with the owner, which
// builds each tenant's tree from the stored bodies under FORCE ROW LEVEL
// SECURITY: the hashes appends would have written; FORCE is on again
// after, on tree_hashes too, and appends continue the tree.
func TestSchema6Tree(t *testing.T) {
	s, srv := openStore(t, nil)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	want := map[string][]tlog.Hash{}
	sizes := map[string]int64{"acme": 11, "globex": 12}
	for n, tenant := range []string{"acme", "globex"} {
		for i := range 11 + n {
			if _, err := s.AppendRecord(ctx, tenant, storetest.Record("policy", base.Add(time.Duration(i)*time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
		_, want[tenant] = allTreeHashes(t, s, tenant)
	}
	s.Close()
	owner := connect(t, srv.owner)
	sch := s.schema
	for _, q := range []string{
		`DROP TABLE ` + sch + `.tree_hashes`,
		`DROP TABLE ` + sch + `.tree_unbuilt`,
		`DELETE FROM ` + sch + `.schema_migrations WHERE version >= 7`,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := Open(ctx, srv.app, &Options{Schema: sch, ReadOnly: true}); !errors.Is(err, ErrSchemaTooOld) {
		t.Fatalf("read-only Open of schema 6: %v, want ErrSchemaTooOld", err)
	}
	s2, _ := openStore(t, &Options{Schema: sch})
	for tenant, hashes := range want {
		size, got := allTreeHashes(t, s2, tenant)
		if size != sizes[tenant] || !slices.Equal(got, hashes) {
			t.Fatalf("tree of %s built by the migration: size %d, equal %v", tenant, size, slices.Equal(got, hashes))
		}
	}
	if _, err := s2.AppendRecord(ctx, "acme", storetest.Record("policy", base)); err != nil {
		t.Fatal(err)
	}
	if size, got := allTreeHashes(t, s2, "acme"); size != 12 || !slices.Equal(got[:len(want["acme"])], want["acme"]) {
		t.Fatalf("after an append: size %d", size)
	}
	var forced bool
	if err := owner.QueryRow(ctx, `SELECT relforcerowsecurity FROM pg_class WHERE oid = $1::regclass`, sch+".tree_hashes").Scan(&forced); err != nil || !forced {
		t.Errorf("tree_hashes: FORCE ROW LEVEL SECURITY = %v, %v after the migration", forced, err)
	}
	app := connect(t, srv.app)
	if n := count(t, app, sch, "tree_hashes", ""); n != 0 {
		t.Errorf("the application role with no tenant sees %d tree hashes", n)
	}
}

// The migration to schema 7 does not let one tenant's broken log lock
// the others out: the intact tenant's tree is built, the broken one's is
// left unbuilt and noted (UnbuiltTrees, and tree_unbuilt, readable by
// the application role under its tenant only), its Verify reports the
// break and its appends fail with a *store.TreeError naming it.
func TestSchema6BrokenLog(t *testing.T) {
	s, srv := openStore(t, nil)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tenant := range []string{"acme", "globex"} {
		for i := range 6 {
			if _, err := s.AppendRecord(ctx, tenant, storetest.Record("policy", base.Add(time.Duration(i)*time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, want := allTreeHashes(t, s, "globex")
	s.Close()
	owner := connect(t, srv.owner)
	sch := s.schema
	for _, q := range []string{
		`DROP TABLE ` + sch + `.tree_hashes`,
		`DROP TABLE ` + sch + `.tree_unbuilt`,
		`DELETE FROM ` + sch + `.schema_migrations WHERE version >= 7`,
		`ALTER TABLE ` + sch + `.records NO FORCE ROW LEVEL SECURITY`,
		`CREATE TABLE ` + sch + `.saved AS SELECT * FROM ` + sch + `.records WHERE tenant = 'acme' AND seq = 4`,
		`DELETE FROM ` + sch + `.records WHERE tenant = 'acme' AND seq = 4`,
		`ALTER TABLE ` + sch + `.records FORCE ROW LEVEL SECURITY`,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s2, _ := openStore(t, &Options{Schema: sch})
	if u := s2.UnbuiltTrees(); len(u) != 1 || u[0].Tenant != "acme" || u[0].First != 4 {
		t.Errorf("UnbuiltTrees: %v, want acme at record 4", u)
	}
	if _, err := s2.Verify(ctx, "acme"); !errors.As(err, new(*store.ChainError)) {
		t.Errorf("Verify of the broken log: %v, want a *store.ChainError", err)
	}
	_, err := s2.AppendRecord(ctx, "acme", storetest.Record("policy", base))
	var te *store.TreeError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "broken at record 4") {
		t.Errorf("append to the broken log: %v, want a *store.TreeError naming record 4", err)
	}
	if _, err := s2.AppendRecords(ctx, "acme", []comms.Record{storetest.Record("policy", base)}); !errors.As(err, &te) || !strings.Contains(err.Error(), "broken at record 4") {
		t.Errorf("batch append to the broken log: %v", err)
	}
	// The tree reads say unbuilt, not damaged.
	if _, err := s2.TreeHashes(ctx, "acme", 6, []int64{0}); !errors.As(err, &te) || !te.Unbuilt || te.Damaged {
		t.Errorf("TreeHashes of the unbuilt tree: %v, want the note", err)
	}
	if _, err := s2.AppendRecord(ctx, "globex", storetest.Record("policy", base)); err != nil {
		t.Fatalf("append to the intact tenant: %v", err)
	}
	if size, got := allTreeHashes(t, s2, "globex"); size != 7 || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the intact tenant's tree: size %d", size)
	}
	app := connect(t, srv.app)
	if n := count(t, app, sch, "tree_unbuilt", ""); n != 0 {
		t.Errorf("the application role with no tenant sees %d notes (acme's)", n)
	}
	forced := func(when string) {
		t.Helper()
		for _, table := range []string{"records", "chain_heads", "tree_hashes", "tree_unbuilt"} {
			var forced bool
			if err := owner.QueryRow(ctx, `SELECT relforcerowsecurity FROM pg_class WHERE oid = $1::regclass`, sch+"."+table).Scan(&forced); err != nil || !forced {
				t.Errorf("%s: FORCE ROW LEVEL SECURITY = %v, %v %s", table, forced, err, when)
			}
		}
	}
	forced("after the migration")

	// RebuildTrees: refused without the owner; a log still broken keeps
	// its note; once repaired, its tree is built, and it can be appended
	// to and checkpointed again.
	appOnly, err := Open(ctx, srv.app, &Options{Schema: sch})
	if err != nil {
		t.Fatal(err)
	}
	defer appOnly.Close()
	if _, _, err := appOnly.RebuildTrees(ctx); !errors.Is(err, ErrPermission) || !strings.Contains(err.Error(), "needs the owner") {
		t.Errorf("RebuildTrees as the application role: %v, want refused, naming the owner", err)
	}
	// A reader of the log holds its tables: a tenant to retry makes
	// RebuildTrees wait for it, at most its LockTimeout, then give up,
	// changing nothing; with nothing to retry, it does not wait at all.
	reader, err := connect(t, srv.app).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, `SELECT set_config('ismscomms.tenant', 'globex', true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, `SELECT count(*) FROM `+sch+`.records`); err != nil {
		t.Fatal(err)
	}
	impatient, err := Open(ctx, srv.app, &Options{Schema: sch, OwnerDSN: srv.owner, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	if _, _, err := impatient.RebuildTrees(ctx); !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "owner") {
		t.Errorf("RebuildTrees while a reader holds the records: %v, want ErrUnavailable (a lock timeout)", err)
	}
	forced("after a RebuildTrees that timed out")
	reader.Rollback(ctx)
	// A migration holding the migrations' advisory lock: waited for at
	// most the lock timeout too.
	migration, err := connect(t, srv.owner).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migration.Exec(ctx, `SELECT pg_advisory_xact_lock(`+migrationLockKey+`)`, sch); err != nil {
		t.Fatal(err)
	}
	if _, _, err := impatient.RebuildTrees(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("RebuildTrees while a migration holds the advisory lock: %v, want ErrUnavailable (a lock timeout)", err)
	}
	migration.Rollback(ctx)
	built, still, err := s2.RebuildTrees(ctx)
	if err != nil || len(built) != 0 || len(still) != 1 || still[0].Tenant != "acme" || still[0].First != 4 {
		t.Fatalf("RebuildTrees of a log still broken: %v, %v, %v; want acme still unbuilt at record 4", built, still, err)
	}
	forced("after RebuildTrees")
	for _, q := range []string{
		`ALTER TABLE ` + sch + `.records NO FORCE ROW LEVEL SECURITY`,
		`INSERT INTO ` + sch + `.records SELECT * FROM ` + sch + `.saved`,
		`ALTER TABLE ` + sch + `.records FORCE ROW LEVEL SECURITY`,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	built, still, err = s2.RebuildTrees(ctx)
	if err != nil || !slices.Equal(built, []string{"acme"}) || len(still) != 0 {
		t.Fatalf("RebuildTrees of the repaired log: %v, %v, %v; want acme built", built, still, err)
	}
	forced("after RebuildTrees built a tree")
	if c, err := checkpoint.Verify(ctx, s2, "acme", checkpoint.Checkpoint{}); err != nil || c.Size != 6 {
		t.Errorf("checkpoint.Verify of the rebuilt tree: %+v, %v", c, err)
	}
	if _, err := s2.AppendRecord(ctx, "acme", storetest.Record("policy", base)); err != nil {
		t.Errorf("append to the repaired log: %v", err)
	}
	if c, err := checkpoint.Verify(ctx, s2, "acme", checkpoint.Checkpoint{}); err != nil || c.Size != 7 {
		t.Errorf("checkpoint.Verify after the append: %+v, %v", c, err)
	}
	reader, err = connect(t, srv.app).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(ctx)
	if _, err := reader.Exec(ctx, `SELECT set_config('ismscomms.tenant', 'globex', true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, `SELECT count(*) FROM `+sch+`.records`); err != nil {
		t.Fatal(err)
	}
	if built, still, err := impatient.RebuildTrees(ctx); err != nil || len(built)+len(still) != 0 {
		t.Errorf("RebuildTrees with nothing unbuilt, a reader holding the records: %v, %v, %v; want nothing done, without waiting for the reader", built, still, err)
	}
	forced("after a RebuildTrees with nothing to do")
}

// Records cut behind the store's back, their tree hashes kept: TreeExtent
// finds a hash past the size, and an append fails with a
// *store.TreeError saying the log was cut, not a unique violation.
func TestTreeCut(t *testing.T) {
	s, srv := openStore(t, nil)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range 20 {
		if _, err := s.AppendRecord(ctx, "acme", storetest.Record("policy", base.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if size, stray, err := s.TreeExtent(ctx, "acme"); err != nil || size != 20 || stray != -1 {
		t.Fatalf("TreeExtent of an intact log: %d, %d, %v", size, stray, err)
	}
	owner := connect(t, srv.owner)
	sch := s.schema
	for _, q := range []string{
		`ALTER TABLE ` + sch + `.records NO FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE ` + sch + `.chain_heads NO FORCE ROW LEVEL SECURITY`,
		`DELETE FROM ` + sch + `.records WHERE tenant = 'acme' AND seq > 14`,
		`UPDATE ` + sch + `.chain_heads SET seq = 14, hash = (SELECT hash FROM ` + sch + `.records WHERE tenant = 'acme' AND seq = 14) WHERE tenant = 'acme'`,
		`ALTER TABLE ` + sch + `.records FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE ` + sch + `.chain_heads FORCE ROW LEVEL SECURITY`,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if size, stray, err := s.TreeExtent(ctx, "acme"); err != nil || size != 14 || stray < tlog.StoredHashCount(14) {
		t.Errorf("TreeExtent of a cut log: %d, %d, %v", size, stray, err)
	}
	_, err := s.AppendRecord(ctx, "acme", storetest.Record("policy", base))
	var te *store.TreeError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "the log was cut") {
		t.Errorf("append to a cut log: %v, want a *store.TreeError saying the log was cut", err)
	}
}
