package sqlite

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
)

// allTreeHashes reads every stored hash of tenant "t"'s tree.
func allTreeHashes(t *testing.T, s *Store) (int64, []tlog.Hash) {
	t.Helper()
	size, err := s.TreeSize(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int64, tlog.StoredHashCount(size))
	for i := range idx {
		idx[i] = int64(i)
	}
	hashes, err := s.TreeHashes(ctx, "t", size, idx)
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
	for _, q := range []string{`DROP TABLE tree_hashes`, `PRAGMA user_version = 6`} {
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

// The migration to schema 7 refuses a log it cannot build a tree of (a
// record missing): it names the tenant and the record and changes
// nothing, the file stays at schema 6.
func TestSchema6BrokenLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s6.db")
	s := openT(t, path)
	mustAppendN(t, s, 1, 6)
	s.Close()
	toSchema6(t, path)
	db := rawDB(t, path)
	if _, err := db.Exec(`DELETE FROM records WHERE tenant = 't' AND seq = 4`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(path, nil)
	var ce *store.ChainError
	if !errors.As(err, &ce) || ce.Seq != 4 || !strings.Contains(err.Error(), `tenant "t"`) {
		t.Fatalf("Open of a schema-6 store missing record 4: %v, want a *store.ChainError naming tenant t and record 4", err)
	}
	db = rawDB(t, path)
	var version int
	db.QueryRow(`PRAGMA user_version`).Scan(&version)
	if version != 6 {
		t.Errorf("schema version after the failed migration: %d, want 6", version)
	}
	var tables int
	db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'tree_hashes'`).Scan(&tables)
	if tables != 0 {
		t.Errorf("the failed migration left tree_hashes behind")
	}
}
