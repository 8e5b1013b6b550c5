package driver

import (
	"fmt"
	"math/bits"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memTree is every stored hash of a tree, and counts the hashes read.
type memTree struct {
	hashes []tlog.Hash
	reads  int
	calls  int
}

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	m.calls++
	m.reads += len(idx)
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// A TreeBuilder computes tlog's stored hashes and root, started at any
// size from the stored hashes, and reads the store once, at most
// 1 + log₂ n hashes: an append never re-reads the tree or the log.
func TestTreeBuilder(t *testing.T) {
	const total = 300
	all := &memTree{}
	var roots []tlog.Hash
	for n := range int64(total) {
		leaf := []byte(fmt.Sprintf("record %d", n+1))
		want, err := tlog.StoredHashes(n, leaf, all)
		if err != nil {
			t.Fatal(err)
		}
		all.hashes = append(all.hashes, want...)
		root, err := tlog.TreeHash(n+1, all)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, root)
	}
	for _, start := range []int64{0, 1, 2, 3, 7, 8, 100, 255, 256, 299} {
		r := &memTree{hashes: all.hashes[:tlog.StoredHashCount(start)]}
		b, err := NewTreeBuilder(start, r)
		if err != nil {
			t.Fatalf("NewTreeBuilder(%d): %v", start, err)
		}
		if bound := 1 + bits.Len64(uint64(start)); r.reads > bound || r.calls > 1 {
			t.Errorf("NewTreeBuilder(%d) read %d hashes in %d calls, want at most %d in one", start, r.reads, r.calls, bound)
		}
		reads := r.reads
		for n := start; n < total; n++ {
			got, err := b.Add([]byte(fmt.Sprintf("record %d", n+1)))
			if err != nil {
				t.Fatalf("start %d, Add(%d): %v", start, n, err)
			}
			first := tlog.StoredHashCount(n)
			for i, h := range got {
				if h != all.hashes[first+int64(i)] {
					t.Fatalf("start %d, leaf %d: stored hash %d differs", start, n, first+int64(i))
				}
			}
			root, err := b.Root()
			if err != nil || root != roots[n] {
				t.Fatalf("start %d, root of %d: %v, %v", start, n+1, root, err)
			}
		}
		if r.reads != reads {
			t.Errorf("start %d: Add read the store (%d hashes): it must use the right edge it holds", start, r.reads-reads)
		}
	}
}

// HashRuns groups indexes into runs of consecutive nodes of a level,
// each position once.
func TestHashRuns(t *testing.T) {
	var idx []int64
	for n := int64(5); n < 40; n++ {
		idx = append(idx, tlog.StoredHashIndex(0, n))
		if n%2 == 1 {
			idx = append(idx, tlog.StoredHashIndex(1, n/2))
		}
	}
	idx = append(idx, idx[3]) // twice
	seen := make([]bool, len(idx))
	runs := HashRuns(idx)
	if len(runs) > 4 {
		t.Errorf("%d runs for two levels of consecutive nodes and one repeat, want at most 4", len(runs))
	}
	for _, run := range runs {
		if int64(len(run.At)) != run.Last-run.First+1 {
			t.Fatalf("run %+v: %d positions", run, len(run.At))
		}
		for k, pos := range run.At {
			if seen[pos] {
				t.Fatalf("position %d twice", pos)
			}
			seen[pos] = true
			if want := tlog.StoredHashIndex(run.Level, run.First+int64(k)); idx[pos] != want {
				t.Fatalf("position %d holds index %d, the run says %d", pos, idx[pos], want)
			}
		}
	}
	for pos, ok := range seen {
		if !ok {
			t.Fatalf("position %d in no run", pos)
		}
	}
}
