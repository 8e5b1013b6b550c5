package sqlite

import (
	"crypto/rand"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
)

// allTreeHashes reads every stored hash of tenant "t"'s tree.
func allTreeHashes(t *testing.T, s *Store) (int64, []tlog.Hash) {
	t.Helper()
	return allTreeHashesOf(t, s, "t")
}

// allTreeHashesOf reads every stored hash of tenant's tree.
func allTreeHashesOf(t *testing.T, s *Store, tenant string) (int64, []tlog.Hash) {
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

// toSchema6 makes the store at path one that the release before the
// tree wrote: schema 6 is schema 7 without tree_hashes.
func toSchema6(t *testing.T, path string) {
	t.Helper()
	db := rawDB(t, path)
	for _, q := range []string{`DROP TABLE tree_hashes`, `DROP TABLE tree_unbuilt`, `PRAGMA user_version = 6`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
}

// A store of schema 6 (records, no tree) is refused by a read-only open
// with ErrSchemaTooOld; a writable open migrates it and builds the tree
// of the records already stored from their bodies, in the migration's
// transaction: the same stored hashes as appends would have written,
// and appends continue the tree.
func TestSchema6Tree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s6.db")
	s := openT(t, path)
	mustAppendN(t, s, 1, 9)
	other := record(1)
	if _, err := s.AppendRecord(ctx, "other tenant", other); err != nil {
		t.Fatal(err)
	}
	size, want := allTreeHashes(t, s)
	if size != 9 {
		t.Fatalf("tree size %d, want 9", size)
	}
	s.Close()
	toSchema6(t, path)

	if _, err := Open(path, &Options{ReadOnly: true}); !errors.Is(err, ErrSchemaTooOld) {
		t.Fatalf("read-only Open of schema 6: %v, want ErrSchemaTooOld", err)
	}
	s = openT(t, path)
	size, got := allTreeHashes(t, s)
	if size != 9 || !slices.Equal(got, want) {
		t.Fatalf("tree built by the migration: size %d, hashes equal %v; want size 9, the hashes appends wrote", size, slices.Equal(got, want))
	}
	if n, err := s.TreeSize(ctx, "other tenant"); err != nil || n != 1 {
		t.Errorf("the other tenant's tree: %d, %v", n, err)
	}
	mustAppendN(t, s, 10, 8)
	size, after := allTreeHashes(t, s)
	if size != 17 || !slices.Equal(after[:len(want)], want) {
		t.Fatalf("after appends: size %d", size)
	}
}

// The migration to schema 7 does not let one tenant's broken log (a
// record missing, or a log that ends before its head) lock the others
// out: it builds the trees of the intact tenants, leaves the broken
// ones' unbuilt and notes them (UnbuiltTrees, and in the file), so that
// a broken tenant's Verify reports the break and its appends fail with a
// *store.TreeError naming it, while the other tenants append and their
// trees are whole.
func TestSchema6BrokenLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s6.db")
	s := openT(t, path)
	mustAppendN(t, s, 1, 6)
	for _, tenant := range []string{"cut", "ok"} {
		for i := range 5 {
			if _, err := s.AppendRecord(ctx, tenant, record(i+1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, want := allTreeHashesOf(t, s, "ok")
	s.Close()
	toSchema6(t, path)
	db := rawDB(t, path)
	for _, q := range []string{`DELETE FROM records WHERE tenant = 't' AND seq = 4`, `DELETE FROM records WHERE tenant = 'cut' AND seq = 5`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open of a schema-6 store with two broken logs: %v, want migrated", err)
	}
	defer s.Close()
	notes := map[string]int64{}
	for _, e := range s.UnbuiltTrees() {
		notes[e.Tenant] = e.First
	}
	if len(notes) != 2 || notes["t"] != 4 || notes["cut"] != 5 {
		t.Errorf("UnbuiltTrees: %v, want t at record 4 and cut at record 5", s.UnbuiltTrees())
	}
	if _, err := s.Verify(ctx, "t"); !errors.As(err, new(*store.ChainError)) {
		t.Errorf("Verify of the broken log: %v, want a *store.ChainError", err)
	}
	for tenant, seq := range map[string]string{"t": "record 4", "cut": "record 5"} {
		_, err := s.AppendRecord(ctx, tenant, record(9))
		var te *store.TreeError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "broken at "+seq) || !strings.Contains(err.Error(), "no Merkle tree was built") {
			t.Errorf("append to %s's broken log: %v, want a *store.TreeError naming %s", tenant, err, seq)
		}
	}
	if n, _ := s.TreeSize(ctx, "t"); n != 6 {
		t.Errorf("a failed append moved the head: %d", n)
	}
	if _, err := s.AppendRecord(ctx, "ok", record(6)); err != nil {
		t.Fatalf("append to the intact tenant: %v", err)
	}
	if size, got := allTreeHashesOf(t, s, "ok"); size != 6 || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the intact tenant's tree after the migration and an append: size %d", size)
	}
	s.Close()
	// The note is in the file: a later open, which migrates nothing, still
	// names the break on append.
	s = openT(t, path)
	if _, err := s.AppendRecord(ctx, "t", record(9)); err == nil || !strings.Contains(err.Error(), "broken at record 4") {
		t.Errorf("append after reopening: %v", err)
	}
}

// Records cut behind the store's back with their tree hashes kept:
// TreeExtent finds the hashes past the size, and an append fails with a
// *store.TreeError saying the log was cut, not a constraint violation.
func TestTreeCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.db")
	s := openT(t, path)
	mustAppendN(t, s, 1, 20)
	if size, stray, err := s.TreeExtent(ctx, "t"); err != nil || size != 20 || stray != -1 {
		t.Fatalf("TreeExtent of an intact log: %d, %d, %v", size, stray, err)
	}
	s.Close()
	db := rawDB(t, path)
	for _, q := range []string{
		`DELETE FROM records WHERE tenant = 't' AND seq > 14`,
		`UPDATE chain_heads SET seq = 14, hash = (SELECT hash FROM records WHERE tenant = 't' AND seq = 14) WHERE tenant = 't'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s = openT(t, path)
	size, stray, err := s.TreeExtent(ctx, "t")
	if err != nil || size != 14 || stray < tlog.StoredHashCount(14) {
		t.Errorf("TreeExtent of a cut log: %d, %d, %v; want 14 and a hash at or past %d", size, stray, err, tlog.StoredHashCount(14))
	}
	_, err = s.AppendRecord(ctx, "t", record(15))
	var te *store.TreeError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "the log was cut") {
		t.Errorf("append to a cut log: %v, want a *store.TreeError saying the log was cut", err)
	}
}

// A tenant the migration to schema 7 left without a tree is not locked
// out for good: until its log is repaired, RebuildTrees keeps the note
// (updated), and the tree reads and checkpoint.Verify report it as
// unbuilt, not as a damaged tree; once the missing record is restored,
// RebuildTrees builds the tree and removes the note, and the tenant
// appends and checkpoints again.
func TestRebuildTrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s6.db")
	s := openT(t, path)
	mustAppendN(t, s, 1, 12)
	if _, err := s.AppendRecord(ctx, "u", record(1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	toSchema6(t, path)
	db := rawDB(t, path)
	for _, q := range []string{
		`CREATE TABLE saved AS SELECT * FROM records WHERE tenant = 't' AND seq = 5`,
		`DELETE FROM records WHERE tenant = 't' AND seq = 5`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s = openT(t, path)
	if n := len(s.UnbuiltTrees()); n != 1 {
		t.Fatalf("UnbuiltTrees: %v, want t's", s.UnbuiltTrees())
	}
	// Still broken: the note stays.
	built, unbuilt, err := s.RebuildTrees(ctx)
	if err != nil || len(built) != 0 || len(unbuilt) != 1 || unbuilt[0].Tenant != "t" || unbuilt[0].First != 5 || !unbuilt[0].Unbuilt {
		t.Fatalf("RebuildTrees of a log still broken: %v, %v, %v", built, unbuilt, err)
	}
	s.Close()
	db = rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO records SELECT * FROM saved`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = openT(t, path)
	defer s.Close()
	if _, err := s.Verify(ctx, "t"); err != nil {
		t.Fatalf("Verify of the repaired log: %v", err)
	}
	// Repaired, not yet rebuilt: unbuilt, said as such.
	var te *store.TreeError
	if _, err := s.TreeHashes(ctx, "t", 12, []int64{0}); !errors.As(err, &te) || !te.Unbuilt || te.Damaged {
		t.Errorf("TreeHashes of an unbuilt tree: %v, want the unbuilt note", err)
	}
	if _, err := checkpoint.Verify(ctx, s, "t", checkpoint.Checkpoint{}); !errors.As(err, &te) || !te.Unbuilt || strings.Contains(err.Error(), "behind its back") {
		t.Errorf("checkpoint.Verify of an unbuilt tree: %v, want the unbuilt note", err)
	}
	if _, err := s.AppendRecord(ctx, "t", record(13)); !errors.As(err, &te) || !te.Unbuilt {
		t.Errorf("append before the rebuild: %v, want the unbuilt note", err)
	}
	built, unbuilt, err = s.RebuildTrees(ctx)
	if err != nil || !slices.Equal(built, []string{"t"}) || len(unbuilt) != 0 {
		t.Fatalf("RebuildTrees of the repaired log: %v, %v, %v; want t built", built, unbuilt, err)
	}
	if built, unbuilt, err := s.RebuildTrees(ctx); err != nil || len(built)+len(unbuilt) != 0 {
		t.Errorf("RebuildTrees again: %v, %v, %v; want nothing left to do", built, unbuilt, err)
	}
	if _, err := s.AppendRecord(ctx, "t", record(13)); err != nil {
		t.Fatalf("append after the rebuild: %v", err)
	}
	if _, err := s.AppendRecord(ctx, "u", record(2)); err != nil {
		t.Fatalf("append to the other tenant: %v", err)
	}
	signer := testSigner(t)
	c, _, err := checkpoint.Sign(ctx, s, "t", signer)
	if err != nil || c.Size != 13 {
		t.Fatalf("Sign after the rebuild: %v, %v", c, err)
	}
	if _, err := checkpoint.Verify(ctx, s, "t", c); err != nil {
		t.Errorf("Verify after the rebuild: %v", err)
	}
}

// testSigner is a checkpoint signer with a fresh key.
func testSigner(t *testing.T) note.Signer {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "test.example/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}
