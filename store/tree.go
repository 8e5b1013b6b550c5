package store

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TreeReader is an optional capability of a Store (find it by type
// assertion): the Merkle tree over each tenant's log, the tree of
// golang.org/x/mod/sumdb/tlog (RFC 6962 hashing), kept beside the record
// chain so that a signed (size, root hash) that left the system proves
// every earlier record and every later extension (see the package
// documentation, "The log as a tree", and store/checkpoint, which signs
// and checks them). store/memory, store/sqlite and store/postgres
// implement it.
//
//	if tr, ok := st.(store.TreeReader); ok {
//		size, err := tr.TreeSize(ctx, tenant)
//		hashes, err := tr.TreeHashes(ctx, tenant, size, []int64{tlog.StoredHashIndex(0, 0)})
//	}
//
// Leaf i (from 0) of a tenant's tree is record i+1; its data is the
// record's canonical encoding (store/driver.Seal, the bytes the chain
// hashes), its leaf hash tlog.RecordHash of them. The store keeps tlog's
// stored hashes (tlog.StoredHashes, at tlog.StoredHashIndex) of each
// tenant, written in the transaction that appends the records, so that
// the tree always has as many leaves as the log has records.
//
// The stored hashes of a tree of n leaves are those with an index below
// tlog.StoredHashCount(n); appends only add hashes past them and never
// change one. So a size read once and the hashes read later for that
// size are one consistent view of the tree, whatever was appended in
// between: that is how TreeSize and TreeHashes make a snapshot without a
// transaction held open.
type TreeReader interface {
	// TreeSize returns the number of leaves of the tenant's tree, which
	// is the number of its records (the head's Seq): 0 for a tenant
	// without records. With a done context it fails with the context's
	// error; after Close, with ErrClosed.
	TreeSize(ctx context.Context, tenant string) (int64, error)
	// TreeHashes returns the stored hashes with the given indexes
	// (tlog.StoredHashIndex) of the tenant's tree of size leaves, one for
	// each index, in order: a tlog.HashReader for that tree (see
	// store/checkpoint.HashReader). An index at or past
	// tlog.StoredHashCount(size), or a size larger than the tree's, fails
	// with ErrInvalid; a stored hash the store should have and has not
	// (its storage was changed behind its back) with a *TreeError. It
	// returns the hashes as stored: a caller that must not trust them
	// recomputes them from the records (store/checkpoint.Verify does).
	TreeHashes(ctx context.Context, tenant string, size int64, indexes []int64) ([]tlog.Hash, error)
	// TreeExtent returns, read at one moment, the tree's size (as
	// TreeSize) and the index (tlog.StoredHashIndex) of a stored hash at
	// or past tlog.StoredHashCount(size), or -1 when the store holds
	// none. Appends only write hashes below the count of the size they
	// make, so such a hash is left from records that were appended and
	// then removed behind the store's back: the log was cut (the hash's
	// records, driver.HashRecords, are among those removed).
	// store/checkpoint.Verify and Sign refuse such a log.
	TreeExtent(ctx context.Context, tenant string) (size, stray int64, err error)
}

// LeafVerifier is an optional capability of a Store (find it by type
// assertion): Verify that also hands over, one by one, the records it
// verified, so that a caller who recomputes the Merkle tree from the
// records (store/checkpoint.Verify) reads the log once and not twice.
// store/memory, store/sqlite and store/postgres implement it.
type LeafVerifier interface {
	// VerifyLeaves verifies tenant's log exactly as Verify does and
	// returns what Verify returns. Along the way it calls leaf, if not
	// nil, with each record once it is verified, in sequence order, one
	// call at a time: its sequence number and its stored encoding (the
	// bytes its stored hash is the SHA-256 of, which are the leaf data of
	// the record in the tree when the record was appended through the
	// store). data is valid only during the call. leaf may run in
	// another goroutine than the caller's and while the store's read is
	// open: it must not call the store. An error from leaf ends the read,
	// and VerifyLeaves returns it.
	VerifyLeaves(ctx context.Context, tenant string, leaf func(seq int64, data []byte) error) (Head, error)
}

// TreeNotes is an optional capability of a Store that migrates a store
// written before the tree (schema 7 of store/sqlite and store/postgres):
// the tenants whose tree the migration, in this open, left unbuilt
// because their log was broken (a gap in its sequence numbers, or a log
// that ends before its head). Their tree stays unbuilt: their verify
// reports the break, their appends fail with a *TreeError naming it,
// and the other tenants are unaffected.
type TreeNotes interface {
	// UnbuiltTrees returns one *TreeError per tenant whose tree the
	// migration left unbuilt, naming the record where its log breaks;
	// none when the open migrated nothing or every log was intact.
	UnbuiltTrees() []*TreeError
}

// TreeError says what is inconsistent about a tenant's Merkle tree: a
// stored hash missing or not the one its records give, or a tree that
// does not extend a checkpoint (store/checkpoint.Verify). errors.Is(err,
// ErrChainBroken) is true: like a *ChainError, it is evidence that the
// log was changed.
type TreeError struct {
	Tenant string
	// Size is the tree size the inconsistency is about: that of the
	// checkpoint the tree does not extend, or of the tree whose stored
	// hash is wrong.
	Size int64
	// First and Last are the records whose leaves the wrong hash covers
	// (tlog's subtree of the stored hash), 0 when it is the tree as a
	// whole.
	First, Last int64
	Reason      string
	// Damaged is true when what is wrong is a hash the store keeps (its
	// tree) and not the records: the records, recomputed, may still be
	// sound and extend a checkpoint (Reason says whether they do).
	Damaged bool
	// Unbuilt is true when the store has no tree for the log at all: the
	// migration to the tree found the log broken and built none (store
	// notes, TreeNotes). It is neither a changed log nor a damaged tree;
	// Reason names the break the migration found.
	Unbuilt bool
}

func (e *TreeError) Error() string {
	switch {
	case e.Unbuilt:
		return fmt.Sprintf("store: no Merkle tree for tenant %q: %s", e.Tenant, e.Reason)
	case e.First == 0:
		return fmt.Sprintf("store: Merkle tree of tenant %q inconsistent at tree size %d: %s", e.Tenant, e.Size, e.Reason)
	case e.First == e.Last:
		return fmt.Sprintf("store: Merkle tree of tenant %q inconsistent at record %d (tree size %d): %s", e.Tenant, e.First, e.Size, e.Reason)
	}
	return fmt.Sprintf("store: Merkle tree of tenant %q inconsistent over records %d to %d (tree size %d): %s", e.Tenant, e.First, e.Last, e.Size, e.Reason)
}

// Is makes errors.Is(err, ErrChainBroken) true.
func (e *TreeError) Is(target error) bool { return target == ErrChainBroken }
