package driver

import (
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
)

// TreeBuilder computes the stored hashes of a tenant's Merkle tree
// (store.TreeReader) as leaves are added, holding only the tree's right
// edge: at most 1 + log₂ n hashes, read once from the store when it
// starts. A store's append makes one with [NewTreeBuilder] after the
// head, adds the encoding of each record it seals ([TreeBuilder.Add]) and
// writes the hashes it returns in the append's transaction;
// store/checkpoint uses one to recompute a tree from its records. A
// TreeBuilder is not safe for concurrent use.
type TreeBuilder struct {
	n int64
	// edge[l] is the hash of node (l, n>>l - 1), the last complete node
	// of level l, for each level with n>>l > 0: the tree's right edge.
	edge [64]tlog.Hash
}

// FrontierIndexes returns the stored hash indexes that adding leaves to
// a tree of n leaves reads: for each level l with n>>l > 0, the last
// complete node of that level, (l, n>>l - 1); in increasing order. A
// store may read them in one query ahead of [NewTreeBuilder].
func FrontierIndexes(n int64) []int64 {
	var idx []int64
	for l := 0; l < 63 && n>>l > 0; l++ {
		idx = append(idx, tlog.StoredHashIndex(l, n>>l-1))
	}
	slices.Sort(idx)
	return idx
}

// NewTreeBuilder returns a TreeBuilder for a tree of n leaves, reading
// its right edge ([FrontierIndexes]) from r in one call.
func NewTreeBuilder(n int64, r tlog.HashReader) (*TreeBuilder, error) {
	b := &TreeBuilder{n: n}
	if n == 0 {
		return b, nil
	}
	idx := FrontierIndexes(n)
	hashes, err := r.ReadHashes(idx)
	if err != nil {
		return nil, err
	}
	if len(hashes) != len(idx) {
		return nil, fmt.Errorf("driver: tree: %d hashes read for %d indexes", len(hashes), len(idx))
	}
	for i, x := range idx {
		level, _ := tlog.SplitStoredHashIndex(x)
		b.edge[level] = hashes[i]
	}
	return b, nil
}

// Size returns the number of leaves added so far, those of the tree it
// started from included.
func (b *TreeBuilder) Size() int64 { return b.n }

// Add adds the leaf whose data is body (a record's canonical encoding)
// and returns the stored hashes it completes, which belong at indexes
// tlog.StoredHashCount(n) on, for the size n before the call (the first
// is tlog.StoredHashIndex(0, n)).
func (b *TreeBuilder) Add(body []byte) ([]tlog.Hash, error) {
	return b.AddHash(tlog.RecordHash(body))
}

// AddHash is [TreeBuilder.Add] for a leaf hash (tlog.RecordHash(body)).
func (b *TreeBuilder) AddHash(leaf tlog.Hash) ([]tlog.Hash, error) {
	hashes, err := tlog.StoredHashesForRecordHash(b.n, leaf, b)
	if err != nil {
		return nil, err
	}
	// Adding leaf n completes node (l, n>>l) of each level l below
	// len(hashes), the new right edge there; above, the edge stays.
	for l, h := range hashes {
		b.edge[l] = h
	}
	b.n++
	return hashes, nil
}

// Root returns the root hash of the tree of Size leaves
// (tlog.TreeHash).
func (b *TreeBuilder) Root() (tlog.Hash, error) {
	return tlog.TreeHash(b.n, b)
}

// ReadHashes implements tlog.HashReader over the right edge, the only
// hashes the builder keeps.
func (b *TreeBuilder) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		level, node := tlog.SplitStoredHashIndex(x)
		if level >= len(b.edge) || b.n>>level == 0 || node != b.n>>level-1 {
			return nil, fmt.Errorf("driver: tree: stored hash %d is not on the right edge of a tree of %d leaves", x, b.n)
		}
		out[i] = b.edge[level]
	}
	return out, nil
}

// CheckTreeHashes validates the arguments of store.TreeReader's
// TreeHashes for a tree that has treeSize leaves: size not negative nor
// larger, each index within the tree of size leaves. The error wraps
// store.ErrInvalid.
func CheckTreeHashes(size, treeSize int64, indexes []int64) error {
	if size < 0 {
		return invalid("tree size %d is negative", size)
	}
	if size > treeSize {
		return invalid("tree size %d: the tree has %d leaves", size, treeSize)
	}
	count := tlog.StoredHashCount(size)
	for _, x := range indexes {
		if x < 0 || x >= count {
			return invalid("stored hash index %d is not one of a tree of %d leaves (0 to %d)", x, size, count-1)
		}
	}
	return nil
}

// HashRecords returns the records whose leaves the stored hash at index
// covers: first and last sequence number.
func HashRecords(index int64) (first, last int64) {
	level, n := tlog.SplitStoredHashIndex(index)
	return n<<level + 1, (n + 1) << level
}

// MissingHash is the error of a store that should hold the stored hash
// at index of tenant's tree of size leaves and does not.
func MissingHash(tenant string, size, index int64) error {
	first, last := HashRecords(index)
	level, n := tlog.SplitStoredHashIndex(index)
	return &store.TreeError{Tenant: tenant, Size: size, First: first, Last: last, Damaged: true,
		Reason: fmt.Sprintf("the stored hash %d (level %d, node %d) is missing (the store's tree was changed behind its back)", index, level, n)}
}

// CutTree is the *store.TreeError of an append to tenant's tree of n
// leaves that finds the hashes it would write already stored: records
// past n were appended and then removed behind the store's back, and
// their hashes kept.
func CutTree(tenant string, n int64) error {
	return &store.TreeError{Tenant: tenant, Size: n, Damaged: true,
		Reason: fmt.Sprintf("the tree already holds hashes past record %d: records after it were appended and then removed behind the store's back (the log was cut); nothing was appended", n)}
}

// StrayHash is the *store.TreeError of a stored hash at index, past the
// stored hashes of tenant's tree of size leaves (store.TreeReader's
// TreeExtent): the log was cut.
func StrayHash(tenant string, size, index int64) error {
	first, last := HashRecords(index)
	level, n := tlog.SplitStoredHashIndex(index)
	if size == 0 {
		// No head: its row was deleted, or every record was.
		return &store.TreeError{Tenant: tenant, Size: size, First: first, Last: last,
			Reason: fmt.Sprintf("the store keeps no chain head for the log (as for a log without records), but its tree holds hash %d (level %d, node %d) of records %d to %d: the chain head, or the records, were removed behind the store's back (the log was cut)", index, level, n, first, last)}
	}
	return &store.TreeError{Tenant: tenant, Size: size, First: first, Last: last,
		Reason: fmt.Sprintf("the log has %d records, but the store's tree holds hash %d (level %d, node %d) of records %d to %d: records after %d were removed behind the store's back (the log was cut)", size, index, level, n, first, last, size)}
}

// UnbuiltTree is the *store.TreeError of a tenant whose tree the
// migration to the tree did not build because its log was broken at
// record seq, for reason.
func UnbuiltTree(tenant string, seq int64, reason string) *store.TreeError {
	return &store.TreeError{Tenant: tenant, First: seq, Last: seq, Unbuilt: true,
		Reason: fmt.Sprintf("no Merkle tree was built for this log when the store was migrated to the tree, because the log was broken at record %d then (%s): nothing can be appended to it and it cannot be checkpointed until it is repaired and the store migrated again (ismscomms migrate), which builds the tree", seq, reason)}
}

// HashRun is a run of consecutive nodes of one level of a tree: what a
// store reads with one range query.
type HashRun struct {
	Level       int
	First, Last int64 // nodes of the level, inclusive
	// At are the positions, in the indexes the run was made from, of
	// nodes First to Last.
	At []int
}

// HashRuns groups stored hash indexes into runs of consecutive nodes of
// one level, so that a store reads a batch of stored hashes (a verifier
// reads them all, a few thousand at a time) with a few range queries.
func HashRuns(indexes []int64) []HashRun {
	type at struct {
		level int
		node  int64
		pos   int
	}
	coords := make([]at, len(indexes))
	for i, x := range indexes {
		l, n := tlog.SplitStoredHashIndex(x)
		coords[i] = at{l, n, i}
	}
	slices.SortFunc(coords, func(a, b at) int {
		if a.level != b.level {
			return a.level - b.level
		}
		switch {
		case a.node < b.node:
			return -1
		case a.node > b.node:
			return 1
		}
		return a.pos - b.pos
	})
	var runs []HashRun
	for _, c := range coords {
		if k := len(runs) - 1; k >= 0 && runs[k].Level == c.level && (runs[k].Last == c.node || runs[k].Last+1 == c.node) {
			if runs[k].Last == c.node {
				// The same index twice: both positions get the hash.
				runs = append(runs, HashRun{Level: c.level, First: c.node, Last: c.node, At: []int{c.pos}})
				continue
			}
			runs[k].Last = c.node
			runs[k].At = append(runs[k].At, c.pos)
			continue
		}
		runs = append(runs, HashRun{Level: c.level, First: c.node, Last: c.node, At: []int{c.pos}})
	}
	return runs
}
