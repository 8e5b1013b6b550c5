package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// treeReader returns s's store.TreeReader, or skips the clause.
func treeReader(t *testing.T, s store.Store) store.TreeReader {
	t.Helper()
	tr, ok := s.(store.TreeReader)
	if !ok {
		t.Skip("the store does not implement store.TreeReader")
	}
	return tr
}

// recomputeTree returns the stored hashes of the tree of the tenant's
// records, computed from their canonical encodings (store/driver.Seal
// again of what Records returns: every record has exactly one
// encoding), in stored hash index order.
func recomputeTree(t *testing.T, s store.Store, tenant string) []tlog.Hash {
	t.Helper()
	b, err := driver.NewTreeBuilder(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []tlog.Hash
	for _, r := range collect(t, s.Records(ctx, tenant, store.RecordQuery{})) {
		again, body := driver.Seal(tenant, r.Seq, r.PrevHash, r.RecordedAt, r)
		if again.Hash != r.Hash {
			t.Fatalf("record %d: sealed again, hash %s, not %s", r.Seq, again.Hash, r.Hash)
		}
		hashes, err := b.Add(body)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, hashes...)
	}
	return all
}

// checkTree checks that the tenant's tree has as many leaves as it has
// records and that every stored hash is the one its records give.
func checkTree(t *testing.T, s store.Store, tenant string) int64 {
	t.Helper()
	tr := treeReader(t, s)
	want := recomputeTree(t, s, tenant)
	size, err := tr.TreeSize(ctx, tenant)
	if err != nil {
		t.Fatalf("TreeSize: %v", err)
	}
	if got := tlog.StoredHashCount(size); got != int64(len(want)) {
		t.Fatalf("TreeSize = %d (%d stored hashes), but the records give %d stored hashes", size, got, len(want))
	}
	if esize, stray, err := tr.TreeExtent(ctx, tenant); err != nil || esize != size || stray != -1 {
		t.Fatalf("TreeExtent = %d, %d, %v; want %d, -1 (an honest tree holds no hash past its size)", esize, stray, err, size)
	}
	indexes := make([]int64, len(want))
	for i := range indexes {
		indexes[i] = int64(i)
	}
	got, err := tr.TreeHashes(ctx, tenant, size, indexes)
	if err != nil {
		t.Fatalf("TreeHashes(size %d, all %d): %v", size, len(indexes), err)
	}
	for i := range want {
		if got[i] != want[i] {
			level, n := tlog.SplitStoredHashIndex(int64(i))
			t.Fatalf("stored hash %d (level %d, node %d) = %v, its records give %v", i, level, n, got[i], want[i])
		}
	}
	return size
}

// reader is a tlog.HashReader of the tenant's tree of size leaves.
func reader(tr store.TreeReader, tenant string, size int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return tr.TreeHashes(ctx, tenant, size, indexes)
	})
}

// A store.TreeReader: the tree has as many leaves as the tenant has
// records (0 for none), and its stored hashes are tlog's for leaves that
// are the records' canonical encodings, in sequence order; an
// idempotent retry adds no leaf.
func testTreeLeaves(t *testing.T, s store.Store) {
	tr := treeReader(t, s)
	if size, err := tr.TreeSize(ctx, "t1"); err != nil || size != 0 {
		t.Fatalf("TreeSize of a tenant without records = %d, %v; want 0, nil", size, err)
	}
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 37 {
		r := Record(fmt.Sprintf("a%d", i%3), base.Add(time.Duration(i)*time.Hour))
		if i%4 == 0 {
			r.IdempotencyKey = fmt.Sprintf("key-%d", i)
		}
		mustAppend(t, s, "t1", r)
		if i == 0 || i == 6 || i == 7 {
			checkTree(t, s, "t1")
		}
	}
	again := Record("a0", base)
	again.IdempotencyKey = "key-0"
	mustAppend(t, s, "t1", again) // a retry: no new record, no new leaf
	if size := checkTree(t, s, "t1"); size != 37 {
		t.Fatalf("tree size %d, want 37 (one per record; a retry adds none)", size)
	}
}

// A store.TreeReader: proofs work on it with tlog: an inclusion proof of
// every record against trees of several sizes, and consistency proofs
// between them; and the stored hashes of a tree of some size are the
// same after more appends (appends never change a stored hash).
func testTreeProofs(t *testing.T, s store.Store) {
	tr := treeReader(t, s)
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	roots := map[int64]tlog.Hash{}
	var bodies [][]byte
	for i := range 21 {
		r := mustAppend(t, s, "t1", Record("a", base.Add(time.Duration(i)*time.Minute)))
		_, body := driver.Seal("t1", r.Seq, r.PrevHash, r.RecordedAt, r)
		bodies = append(bodies, body)
		size, err := tr.TreeSize(ctx, "t1")
		if err != nil || size != r.Seq {
			t.Fatalf("TreeSize after record %d = %d, %v", r.Seq, size, err)
		}
		root, err := tlog.TreeHash(size, reader(tr, "t1", size))
		if err != nil {
			t.Fatalf("TreeHash(%d): %v", size, err)
		}
		roots[size] = root
	}
	// Every size's root, read again now that the tree is larger.
	for size, root := range roots {
		again, err := tlog.TreeHash(size, reader(tr, "t1", size))
		if err != nil || again != root {
			t.Fatalf("TreeHash(%d) after later appends = %v, %v; want %v (a stored hash changed)", size, again, err, root)
		}
	}
	for _, size := range []int64{1, 2, 7, 8, 13, 21} {
		for leaf := range size {
			p, err := tlog.ProveRecord(size, leaf, reader(tr, "t1", 21))
			if err != nil {
				t.Fatalf("ProveRecord(%d, %d): %v", size, leaf, err)
			}
			if err := tlog.CheckRecord(p, size, roots[size], leaf, tlog.RecordHash(bodies[leaf])); err != nil {
				t.Fatalf("CheckRecord(size %d, record %d): %v", size, leaf+1, err)
			}
			other := bodies[(leaf+1)%int64(len(bodies))]
			if err := tlog.CheckRecord(p, size, roots[size], leaf, tlog.RecordHash(other)); err == nil {
				t.Fatalf("CheckRecord(size %d, record %d) passes for another record's encoding", size, leaf+1)
			}
		}
		for old := int64(1); old <= size; old++ {
			p, err := tlog.ProveTree(size, old, reader(tr, "t1", size))
			if err != nil {
				t.Fatalf("ProveTree(%d, %d): %v", size, old, err)
			}
			if err := tlog.CheckTree(p, size, roots[size], old, roots[old]); err != nil {
				t.Fatalf("CheckTree(%d, %d): %v", size, old, err)
			}
		}
	}
}

// A store.TreeReader: a batch (store.BatchAppender) adds one leaf per
// new record, as that many AppendRecord calls would; a batch that fails
// adds none.
func testTreeBatch(t *testing.T, s store.Store) {
	ba, ok := s.(store.BatchAppender)
	if !ok {
		t.Skip("the store does not implement store.BatchAppender")
	}
	treeReader(t, s)
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mustAppend(t, s, "t1", Record("a", base))
	for _, n := range []int{1, 2, 5, 16, 33} {
		rs := make([]comms.Record, n)
		for i := range rs {
			rs[i] = Record(fmt.Sprintf("b%d", i), base.Add(time.Duration(i)*time.Second))
			rs[i].IdempotencyKey = fmt.Sprintf("batch-%d-%d", n, i)
		}
		if n == 5 {
			rs[3] = rs[1] // answered by rs[1]: one leaf for both
		}
		if _, err := ba.AppendRecords(ctx, "t1", rs); err != nil {
			t.Fatalf("AppendRecords(%d): %v", n, err)
		}
		checkTree(t, s, "t1")
	}
	before := checkTree(t, s, "t1")
	bad := []comms.Record{Record("x", base), {ActivityID: "no sent_at"}}
	if _, err := ba.AppendRecords(ctx, "t1", bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("AppendRecords of an invalid batch: %v, want ErrInvalid", err)
	}
	if after := checkTree(t, s, "t1"); after != before {
		t.Fatalf("a refused batch moved the tree from %d to %d leaves", before, after)
	}
}

// A store.TreeReader: tenants' trees are their own; concurrent appends
// to one tenant leave a tree that matches its log.
func testTreeTenants(t *testing.T, s store.Store) {
	treeReader(t, s)
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				tenant := "t1"
				if i%3 == 0 {
					tenant = "t2"
				}
				if _, err := s.AppendRecord(ctx, tenant, Record(fmt.Sprintf("w%d", w), time.Now())); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n1, n2 := checkTree(t, s, "t1"), checkTree(t, s, "t2")
	if n1+n2 != writers*each || n2 == 0 {
		t.Fatalf("tree sizes %d and %d, want %d in all", n1, n2, writers*each)
	}
}

// A store.TreeReader: TreeHashes refuses with ErrInvalid an index that
// is not one of the tree of the size asked for, a negative size, and a
// size past the tree's; an invalid tenant fails both methods with
// ErrInvalid; a done context fails them with its error.
func testTreeInvalid(t *testing.T, s store.Store) {
	tr := treeReader(t, s)
	base := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		mustAppend(t, s, "t1", Record("a", base.Add(time.Duration(i)*time.Hour)))
	}
	if _, err := tr.TreeHashes(ctx, "t1", 5, []int64{tlog.StoredHashCount(5) - 1}); err != nil {
		t.Fatalf("TreeHashes of the last stored hash of a tree of 5: %v", err)
	}
	for name, c := range map[string]struct {
		size    int64
		indexes []int64
	}{
		"index past the size":  {3, []int64{tlog.StoredHashCount(3)}},
		"index past the tree":  {5, []int64{tlog.StoredHashCount(5)}},
		"negative index":       {5, []int64{-1}},
		"negative size":        {-1, nil},
		"size past the tree":   {6, []int64{0}},
		"size of another tree": {1, []int64{0, tlog.StoredHashIndex(1, 0)}},
	} {
		if _, err := tr.TreeHashes(ctx, "t1", c.size, c.indexes); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("TreeHashes, %s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := tr.TreeSize(ctx, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("TreeSize of tenant \"\": %v, want ErrInvalid", err)
	}
	if _, err := tr.TreeHashes(ctx, "", 0, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("TreeHashes of tenant \"\": %v, want ErrInvalid", err)
	}
	if _, err := tr.TreeHashes(ctx, "t2", 1, []int64{0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("TreeHashes of a tenant without records: %v, want ErrInvalid", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tr.TreeSize(done, "t1"); !errors.Is(err, context.Canceled) {
		t.Errorf("TreeSize with a done context: %v", err)
	}
	if _, err := tr.TreeHashes(done, "t1", 5, []int64{0}); !errors.Is(err, context.Canceled) {
		t.Errorf("TreeHashes with a done context: %v", err)
	}
}
