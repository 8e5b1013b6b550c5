package postgres

import (
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

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
