// Package checkpoint signs and checks what a tenant's log is, so that an
// auditor can keep it outside the system: signed checkpoints of the
// log's Merkle tree (store.TreeReader), consistency proofs that today's
// log extends a checkpoint taken earlier, and inclusion proofs of one
// record, checked without a store.
//
//	skey, vkey, err := note.GenerateKey(rand.Reader, "isms.example.com/comms")
//	signer, err := note.NewSigner(skey)
//	cp, signed, err := checkpoint.Sign(ctx, st, "acme", signer) // signed: the note to hand out
//	// later, an auditor with the note and the verifier key:
//	verifier, err := note.NewVerifier(vkey)
//	old, err := checkpoint.Open(signed, "acme", note.VerifierList(verifier))
//	now, err := checkpoint.Verify(ctx, st, "acme", old) // today's log extends old, or why not
//	proof, err := checkpoint.Prove(ctx, st, "acme", old, 42)
//	_, err = checkpoint.CheckInclusion(proof.Text(), signed, note.VerifierList(verifier)) // no store
//
// The formats are golang.org/x/mod/sumdb's: the tree is tlog's (RFC 6962
// hashing), a checkpoint is a C2SP tlog-checkpoint body in a signed note
// (sumdb/note, Ed25519). A signer is a note.Signer: note.NewSigner of a
// key file, or a vendor's KMS behind that interface.
//
// # The tree
//
// Leaf i (from 0) of a tenant's tree is record i+1; its data is the
// record's canonical encoding (store/driver.Seal: the bytes the record
// chain hashes), its leaf hash tlog.RecordHash of them. The chain binds
// each record to the one before it; the tree lets a (size, root hash)
// that left the system prove every record up to that size (an inclusion
// proof) and that every later log extends it (a consistency proof), even
// against someone who rewrote the database and recomputed every hash.
//
// # Origin
//
// A checkpoint's origin names the log and the tenant: the signer's key
// name (the log's name, such as "isms.example.com/comms": no spaces, no
// "+"), a slash, and the tenant ID. A tenant ID that holds a slash, a
// plus sign, a space or another Unicode space cannot be written in an
// origin (it would be ambiguous, or is refused by the format): [Origin]
// refuses it with ErrOrigin, and so do Sign and Open.
//
// # Checkpoint format
//
// The signed note's text is the checkpoint body (c2sp.org/tlog-checkpoint),
// three lines, each ending in a newline:
//
//	<origin>
//	<tree size, decimal, no leading zeros>
//	<root hash, standard base64 with padding, 32 bytes>
//
// followed by the note's blank line and signature lines (sumdb/note).
// A checkpoint of an empty log is never made: its tree size is at least 1.
// The C2SP format allows optional extension lines after the root hash;
// this package writes none and [Parse] refuses a body that has any (with
// ErrFormat), so that a checkpoint has one text and nothing the signature
// covers goes unread.
//
// # Inclusion proof format
//
// An inclusion proof ([Proof.Text]) is text, one field per line, each
// line ending in a newline, nothing else:
//
//	ismscomms/inclusion-proof/v1
//	<origin>                     the checkpoint's origin
//	<tree size>                  the checkpoint's tree size, decimal
//	<leaf index>                 the record's sequence number minus 1, decimal
//	<record>                     the record's canonical encoding, standard base64 with padding
//	<hash>                       zero or more lines: the proof's hashes, standard base64
//	...                          with padding, 32 bytes each, in tlog.ProveRecord order
//
// To check one without this package: open the checkpoint note with
// note.Open and the verifier key, read its three lines, check that the
// proof's origin and tree size are the checkpoint's, and call
// tlog.CheckRecord(hashes, treeSize, rootHash, leafIndex,
// tlog.RecordHash(record)). The record is the JSON array store/driver.Seal
// documents: its second element is the tenant and its third the sequence
// number. [CheckInclusion] does all of this.
//
// The functions of this package are safe for concurrent use.
package checkpoint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	stdhash "hash"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// Errors. Failures of a log to match a checkpoint are *store.TreeError or
// *store.ChainError values (errors.Is(err, store.ErrChainBroken)).
var (
	// ErrOrigin: a tenant ID or log name that cannot be written in an
	// origin, or a checkpoint whose origin is not the tenant's.
	ErrOrigin = errors.New("checkpoint: origin")
	// ErrFormat: a checkpoint or proof that is not in its format.
	ErrFormat = errors.New("checkpoint: bad format")
	// ErrUnverified: a checkpoint note not signed by any of the verifier
	// keys given (signed by another key, or its signature broken).
	ErrUnverified = errors.New("checkpoint: not signed by a known key")
	// ErrNoTree: the store keeps no Merkle tree (it does not implement
	// store.TreeReader).
	ErrNoTree = errors.New("checkpoint: the store keeps no Merkle tree")
	// ErrEmpty: the tenant has no records; there is no tree to sign.
	ErrEmpty = errors.New("checkpoint: no records")
	// ErrNotInTree: a record that the checkpoint's tree does not hold
	// (its sequence number is past the tree's size, or not positive).
	ErrNotInTree = errors.New("checkpoint: record not in the checkpoint's tree")
	// ErrProofFailed: an inclusion proof that does not prove its record
	// is in the checkpoint's tree.
	ErrProofFailed = errors.New("checkpoint: inclusion proof failed")
)

// Checkpoint is a tenant's tree at one size: what a signed checkpoint
// says.
type Checkpoint struct {
	Origin string
	Size   int64
	Hash   tlog.Hash
}

// Origin returns the origin of tenant's checkpoints in the log named log
// (the signer's key name): log + "/" + tenant. It fails with ErrOrigin
// for a log name that is not a valid key name (empty, or with a space or
// "+") or a tenant that holds "/", "+" or a Unicode space, or is
// invalid.
func Origin(log, tenant string) (string, error) {
	if log == "" || strings.ContainsFunc(log, func(r rune) bool { return r == '+' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", fmt.Errorf("%w: log name %q: it must be non-empty, without spaces or \"+\"", ErrOrigin, log)
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return "", fmt.Errorf("%w: %w", ErrOrigin, err)
	}
	if strings.ContainsFunc(tenant, func(r rune) bool { return r == '/' || r == '+' || unicode.IsSpace(r) }) {
		return "", fmt.Errorf("%w: tenant %q cannot be written in a checkpoint's origin (it holds \"/\", \"+\" or a space)", ErrOrigin, tenant)
	}
	return log + "/" + tenant, nil
}

// Text returns the checkpoint body: the text a note signs.
func (c Checkpoint) Text() []byte {
	return []byte(c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Hash[:]) + "\n")
}

// Parse reads a checkpoint body (see the package documentation). It
// fails with ErrFormat.
func Parse(text []byte) (Checkpoint, error) {
	lines := strings.SplitAfter(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, fmt.Errorf("%w: a checkpoint is three lines, each ending in a newline", ErrFormat)
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	if origin == "" {
		return Checkpoint{}, fmt.Errorf("%w: line 1: the origin is empty", ErrFormat)
	}
	size, err := decimal(strings.TrimSuffix(lines[1], "\n"))
	if err != nil || size < 1 {
		return Checkpoint{}, fmt.Errorf("%w: line 2: tree size %q: a positive decimal number without leading zeros", ErrFormat, strings.TrimSuffix(lines[1], "\n"))
	}
	hash, err := hash(strings.TrimSuffix(lines[2], "\n"))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: line 3: root hash: %v", ErrFormat, err)
	}
	return Checkpoint{Origin: origin, Size: size, Hash: hash}, nil
}

// decimal reads a non-negative decimal number without sign or leading
// zeros.
func decimal(s string) (int64, error) {
	if s == "" || s[0] == '+' || s[0] == '-' || len(s) > 1 && s[0] == '0' {
		return 0, errors.New("not a canonical decimal")
	}
	return strconv.ParseInt(s, 10, 64)
}

// hash reads one 32-byte hash in standard base64 with padding.
func hash(s string) (tlog.Hash, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != s {
		return tlog.Hash{}, fmt.Errorf("%q is not %d bytes in standard base64", s, tlog.HashSize)
	}
	return tlog.Hash(b), nil
}

// Open opens a signed checkpoint note of tenant: it checks its signature
// with verifiers (note.Open; ErrUnverified if no key of verifiers signed
// it), reads its body (ErrFormat) and checks that its origin is tenant's
// in the log of a key that signed it (ErrOrigin: another tenant's or
// another log's checkpoint).
func Open(msg []byte, tenant string, verifiers note.Verifiers) (Checkpoint, error) {
	c, signers, err := open(msg, verifiers)
	if err != nil {
		return Checkpoint{}, err
	}
	for _, name := range signers {
		if want, err := Origin(name, tenant); err == nil && want == c.Origin {
			return c, nil
		}
	}
	if _, err := Origin(signers[0], tenant); err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{}, fmt.Errorf("%w: the checkpoint's origin is %q, not tenant %q's in log %q", ErrOrigin, c.Origin, tenant, signers[0])
}

// open opens a note and reads its checkpoint, returning the names of the
// keys that signed it.
func open(msg []byte, verifiers note.Verifiers) (Checkpoint, []string, error) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var unknown *note.UnknownVerifierError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) && unverified.Note != nil && len(unverified.Note.UnverifiedSigs) > 0 {
			// Who did sign it, as a verifier key begins: name+hash.
			var by []string
			for _, sig := range unverified.Note.UnverifiedSigs {
				by = append(by, fmt.Sprintf("%s+%08x", sig.Name, sig.Hash))
			}
			return Checkpoint{}, nil, fmt.Errorf("%w: it is signed by %s, and none of the verifier keys given is that key (a verifier key begins with the key's name+hash): %w", ErrUnverified, strings.Join(by, ", "), err)
		}
		if errors.As(err, &unverified) || errors.As(err, &unknown) || errors.As(err, &invalid) {
			return Checkpoint{}, nil, fmt.Errorf("%w: %w", ErrUnverified, err)
		}
		return Checkpoint{}, nil, fmt.Errorf("%w: the signed note: %w", ErrFormat, err)
	}
	c, err := Parse([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, nil, err
	}
	var names []string
	for _, s := range n.Sigs {
		names = append(names, s.Name)
	}
	return c, names, nil
}

// treeReader returns st's store.TreeReader, or ErrNoTree.
func treeReader(st store.Store) (store.TreeReader, error) {
	tr, ok := st.(store.TreeReader)
	if !ok {
		return nil, fmt.Errorf("%w (%T does not implement store.TreeReader)", ErrNoTree, st)
	}
	return tr, nil
}

// HashReader returns a tlog.HashReader of tenant's tree of size leaves
// in tr, reading with ctx.
func HashReader(ctx context.Context, tr store.TreeReader, tenant string, size int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return tr.TreeHashes(ctx, tenant, size, indexes)
	})
}

// Sign verifies tenant's log as [Verify] does (so that it never signs a
// tree its records do not give) and signs a checkpoint of it with
// signer, whose name is the log's: it returns the checkpoint and the
// signed note. A tenant without records fails with ErrEmpty.
func Sign(ctx context.Context, st store.Store, tenant string, signer note.Signer) (Checkpoint, []byte, error) {
	return SignAt(ctx, st, tenant, signer, 0)
}

// SignAt is [Sign] of the tree of tenant's first size records (0: of
// today's log), after it verified the whole log as [VerifyAt] does: what
// a report that read size records signs, though records were appended
// since it read them.
func SignAt(ctx context.Context, st store.Store, tenant string, signer note.Signer, size int64) (Checkpoint, []byte, error) {
	origin, err := Origin(signer.Name(), tenant)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	c, err := VerifyAt(ctx, st, tenant, size)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if c.Size == 0 {
		return Checkpoint{}, nil, fmt.Errorf("%w: tenant %q has no record to checkpoint", ErrEmpty, tenant)
	}
	c.Origin = origin
	msg, err := note.Sign(&note.Note{Text: string(c.Text())}, signer)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("checkpoint: sign: %w", err)
	}
	return c, msg, nil
}

// verifyChunk is how many stored hashes Verify compares per read.
const verifyChunk = 4096

// Verify checks tenant's log in st and, unless old is the zero
// Checkpoint, that it extends old; it returns the checkpoint of the log
// it verified (old's origin, today's size and root hash).
//
// It trusts no stored hash it did not recompute: it verifies the record
// chain (st.Verify), computes each leaf from the record's canonical
// encoding (the bytes the chain hashes, which the chain check refuses to
// be anything else), recomputes every stored hash of the tree and
// compares it with the store's, and compares the root hash its first
// old.Size records give with old's: that is the consistency check, made
// from the records alone. A log rewritten from some record on, with every chain
// hash and every tree hash recomputed, a record removed, records swapped
// or a record inserted, up to old's size, fails with a *store.TreeError
// naming old's size; a log cut behind the store's back (fewer records
// than old's size, or stored hashes past its size: TreeExtent), with one
// saying so; a broken chain, with the *store.ChainError of Verify naming
// the record. A *store.TreeError is returned only for a log whose record
// chain verified.
//
// A log whose tree the store never built (store.TreeError.Unbuilt: the
// migration to the tree found it broken) fails with that note.
//
// A stored hash that is missing or not the one the records give, in
// records that do extend old, is a damaged tree, not a changed log: the
// *store.TreeError has Damaged set, names the records the hash covers and
// says that the records extend the checkpoint, and Verify returns the
// checkpoint the records give along with it. (When the records do not
// extend old, that is the error, and its reason mentions the damage.)
//
// It holds only O(log n) hashes. From a store that is a
// store.LeafVerifier (store/memory, store/sqlite, store/postgres) it
// reads the log once when all is well, and the tree's stored hashes once;
// when something does not match, it reads the log once more to name the
// first record or stored hash at fault. From any other store, it reads
// the log twice (Verify, then Records).
func Verify(ctx context.Context, st store.Store, tenant string, old Checkpoint) (Checkpoint, error) {
	return verify(ctx, st, tenant, old, 0, nil)
}

// VerifyAt verifies tenant's log as [Verify] does with no checkpoint to
// extend, and returns the checkpoint of its first size records (0: of
// the whole log), its root recomputed from the records. A size past
// the log's fails with a *store.TreeError. With a damaged tree it
// returns the checkpoint along with the error, as Verify does.
func VerifyAt(ctx context.Context, st store.Store, tenant string, size int64) (Checkpoint, error) {
	var at tlog.Hash
	now, err := verify(ctx, st, tenant, Checkpoint{}, size, &at)
	if size == 0 || (err != nil && now.Size == 0) {
		return now, err
	}
	if size > now.Size {
		return Checkpoint{}, &store.TreeError{Tenant: tenant, Size: size, Reason: fmt.Sprintf("the log has %d records, fewer than the %d asked for", now.Size, size)}
	}
	return Checkpoint{Size: size, Hash: at}, err
}

// verify is Verify; with at 1 or more, up to the tree's size, it also
// sets *atRoot to the root hash of the first at records. A store that is
// a store.LeafVerifier is verified in one read of its log when all is
// well (verifyOnce); what verifyOnce cannot vouch for, verifyTwice finds
// and names.
func verify(ctx context.Context, st store.Store, tenant string, old Checkpoint, at int64, atRoot *tlog.Hash) (Checkpoint, error) {
	if lv, ok := st.(store.LeafVerifier); ok {
		if now, done, err := verifyOnce(ctx, st, lv, tenant, old, at, atRoot); done {
			return now, err
		}
	}
	return verifyTwice(ctx, st, tenant, old, at, atRoot)
}

// storedChunk is how many stored hashes of a level verifyOnce reads at a
// time.
const storedChunk = 8192

// verifyOnce is verify in one read of the log: VerifyLeaves hands over
// each verified record's stored encoding (the canonical encoding: the
// chain refuses any other), from which it builds the tree, keeping the
// SHA-256 of each level's computed hashes in node order; then it reads
// the store's hashes a level at a time and compares the two digests of
// each level. done is true when everything matched (the checkpoint and
// nil), or on an error verifyTwice would return as well (a broken chain,
// a cut log, an unbuilt tree, the store's failure); false when a root or
// a stored hash does not match, which verifyTwice then names.
func verifyOnce(ctx context.Context, st store.Store, lv store.LeafVerifier, tenant string, old Checkpoint, at int64, atRoot *tlog.Hash) (now Checkpoint, done bool, err error) {
	tr, err := treeReader(st)
	if err != nil {
		return Checkpoint{}, true, err
	}
	size, stray, err := tr.TreeExtent(ctx, tenant)
	if err != nil {
		return Checkpoint{}, true, err
	}
	b, err := driver.NewTreeBuilder(0, nil)
	if err != nil {
		return Checkpoint{}, true, err
	}
	// The store's hashes are read while the log is: neither waits for
	// the other.
	readCtx, cancel := context.WithCancel(ctx)
	storedc := make(chan storedLevels, 1)
	go func() {
		defer func() {
			// A store's panic (a bug) is an error of the read here, not
			// the end of the process: in the caller's goroutine a server
			// could recover from it.
			if r := recover(); r != nil {
				storedc <- storedLevels{err: fmt.Errorf("checkpoint: reading the stored hashes of tenant %q panicked: %v", tenant, r)}
			}
		}()
		storedc <- readStoredLevels(readCtx, tr, tenant, size)
	}()
	defer func() {
		cancel()
		<-storedc // nothing is left reading once verifyOnce returns
	}()
	var levels []stdhash.Hash // levels[l]: the digest of level l's computed hashes
	var oldRoot tlog.Hash
	head, err := lv.VerifyLeaves(ctx, tenant, func(seq int64, data []byte) error {
		if seq > size {
			return nil // appended since TreeExtent: not in this tree
		}
		first := tlog.StoredHashCount(b.Size())
		hs, err := b.Add(data)
		if err != nil {
			return err
		}
		for i := range hs {
			level, _ := tlog.SplitStoredHashIndex(first + int64(i))
			for len(levels) <= level {
				levels = append(levels, sha256.New())
			}
			levels[level].Write(hs[i][:])
		}
		if b.Size() == old.Size {
			oldRoot, err = b.Root()
		}
		if b.Size() == at && err == nil {
			*atRoot, err = b.Root()
		}
		return err
	})
	if err != nil {
		return Checkpoint{}, true, err
	}
	if err := extentError(tenant, size, stray, head, old); err != nil {
		return Checkpoint{}, true, err
	}
	if b.Size() != size || old.Size > 0 && oldRoot != old.Hash {
		return Checkpoint{}, false, nil
	}
	stored := <-storedc
	storedc <- stored // for the deferred receive
	var te *store.TreeError
	switch {
	case errors.As(stored.err, &te) && te.Unbuilt:
		return Checkpoint{}, true, stored.err
	case errors.As(stored.err, &te):
		return Checkpoint{}, false, nil // a missing hash: verifyTwice names it
	case stored.err != nil:
		return Checkpoint{}, true, stored.err
	case len(stored.digests) != len(levels):
		return Checkpoint{}, false, nil
	}
	var want [sha256.Size]byte
	for level, d := range levels {
		if [sha256.Size]byte(d.Sum(want[:0])) != stored.digests[level] {
			return Checkpoint{}, false, nil
		}
	}
	root, err := b.Root()
	if err != nil {
		return Checkpoint{}, true, err
	}
	return Checkpoint{Origin: old.Origin, Size: size, Hash: root}, true, nil
}

// storedLevels is what readStoredLevels read: the SHA-256 of each level's
// stored hashes in node order, or the error that ended the read.
type storedLevels struct {
	digests [][sha256.Size]byte
	err     error
}

// readStoredLevels reads the stored hashes of tenant's tree of size
// leaves a level at a time, in node order (the stored hashes of level l
// are nodes 0 to size>>l - 1), storedChunk at a time, and returns the
// digest of each level.
func readStoredLevels(ctx context.Context, tr store.TreeReader, tenant string, size int64) storedLevels {
	var out storedLevels
	indexes := make([]int64, 0, storedChunk)
	for level := 0; size>>level > 0; level++ {
		digest := sha256.New()
		n := size >> level
		for node := int64(0); node < n; node += storedChunk {
			indexes = indexes[:0]
			for k := node; k < min(n, node+storedChunk); k++ {
				indexes = append(indexes, tlog.StoredHashIndex(level, k))
			}
			stored, err := tr.TreeHashes(ctx, tenant, size, indexes)
			if err != nil {
				return storedLevels{err: err}
			}
			for i := range stored {
				digest.Write(stored[i][:])
			}
		}
		out.digests = append(out.digests, [sha256.Size]byte(digest.Sum(nil)))
	}
	return out
}

// extentError checks the tree's extent (size and stray, TreeExtent's)
// against the head the chain verified and against old, as verify does
// once the log is verified and before the tree is compared: a tree with
// more leaves than the log has records, a log shorter than old, or a
// stored hash past the tree's size (the log was cut).
func extentError(tenant string, size, stray int64, head store.Head, old Checkpoint) error {
	switch {
	case head.Seq < size:
		return &store.TreeError{Tenant: tenant, Size: size, Reason: fmt.Sprintf("the tree has %d leaves, but the log only %d records", size, head.Seq)}
	case old.Size > size:
		return &store.TreeError{Tenant: tenant, Size: old.Size, Reason: fmt.Sprintf("the log has %d records, fewer than the checkpoint's %d: records %d to %d were removed", size, old.Size, size+1, old.Size)}
	case stray >= 0:
		return driver.StrayHash(tenant, size, stray)
	}
	return nil
}

// verifyTwice is verify for any store: Verify, then the records read
// again (Records), the tree built from their encodings and each stored
// hash compared with the one computed, a chunk at a time, so that the
// first wrong one is named.
func verifyTwice(ctx context.Context, st store.Store, tenant string, old Checkpoint, at int64, atRoot *tlog.Hash) (Checkpoint, error) {
	tr, err := treeReader(st)
	if err != nil {
		return Checkpoint{}, err
	}
	size, stray, err := tr.TreeExtent(ctx, tenant)
	if err != nil {
		return Checkpoint{}, err
	}
	head, err := st.Verify(ctx, tenant)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := extentError(tenant, size, stray, head, old); err != nil {
		return Checkpoint{}, err
	}
	b, err := driver.NewTreeBuilder(0, nil)
	if err != nil {
		return Checkpoint{}, err
	}
	reader := HashReader(ctx, tr, tenant, size)
	var computed []tlog.Hash
	var damage *store.TreeError // the first stored hash found wrong
	compare := func() error {
		if len(computed) == 0 || damage != nil {
			computed = computed[:0]
			return nil
		}
		first := tlog.StoredHashCount(b.Size()) - int64(len(computed))
		idx := make([]int64, len(computed))
		for i := range idx {
			idx[i] = first + int64(i)
		}
		stored, err := reader.ReadHashes(idx)
		var te *store.TreeError
		if errors.As(err, &te) && te.Unbuilt {
			return err // no tree at all: not a damaged one
		}
		if errors.As(err, &damage) {
			computed = computed[:0]
			return nil
		}
		if err != nil {
			return err
		}
		for i, h := range computed {
			if stored[i] != h {
				from, to := driver.HashRecords(idx[i])
				level, node := tlog.SplitStoredHashIndex(idx[i])
				damage = &store.TreeError{Tenant: tenant, Size: size, First: from, Last: to, Damaged: true,
					Reason: fmt.Sprintf("the store's tree hash %d (level %d, node %d) is not the one the records' content gives", idx[i], level, node)}
				break
			}
		}
		computed = computed[:0]
		return nil
	}
	var oldRoot tlog.Hash
	prev := ""
	if size > 0 {
		for r, err := range st.Records(ctx, tenant, store.RecordQuery{Limit: int(size)}) {
			if err != nil {
				return Checkpoint{}, err
			}
			want := b.Size() + 1
			switch {
			case r.Seq != want:
				return Checkpoint{}, &store.ChainError{Tenant: tenant, Seq: want, Reason: fmt.Sprintf("record %d is missing (the next record read is %d)", want, r.Seq)}
			case r.PrevHash != prev:
				return Checkpoint{}, &store.ChainError{Tenant: tenant, Seq: r.Seq, Reason: "it does not link to the record before it"}
			}
			again, body := driver.Seal(tenant, r.Seq, r.PrevHash, r.RecordedAt, r)
			if again.Hash != r.Hash {
				return Checkpoint{}, &store.ChainError{Tenant: tenant, Seq: r.Seq, Reason: "its content does not encode to its hash"}
			}
			prev = r.Hash
			hs, err := b.Add(body)
			if err != nil {
				return Checkpoint{}, err
			}
			computed = append(computed, hs...)
			if b.Size() == old.Size {
				if oldRoot, err = b.Root(); err != nil {
					return Checkpoint{}, err
				}
			}
			if b.Size() == at {
				if *atRoot, err = b.Root(); err != nil {
					return Checkpoint{}, err
				}
			}
			if len(computed) >= verifyChunk {
				if err := compare(); err != nil {
					return Checkpoint{}, err
				}
			}
		}
	}
	if err := compare(); err != nil {
		return Checkpoint{}, err
	}
	if b.Size() != size {
		return Checkpoint{}, &store.ChainError{Tenant: tenant, Seq: b.Size() + 1, Reason: fmt.Sprintf("the log ends at record %d, but the tree has %d leaves", b.Size(), size)}
	}
	root, err := b.Root()
	if err != nil {
		return Checkpoint{}, err
	}
	now := Checkpoint{Origin: old.Origin, Size: size, Hash: root}
	if old.Size > 0 && oldRoot != old.Hash {
		reason := fmt.Sprintf("today's log (tree size %d, root %s) does not extend the checkpoint: its first %d records give root %s, the checkpoint says %s; a record up to %d was changed, removed, inserted or reordered since the checkpoint was taken",
			size, root, old.Size, oldRoot, old.Hash, old.Size)
		if damage != nil {
			reason += "; the store's Merkle tree is also damaged (" + damageAt(damage) + ")"
		}
		return Checkpoint{}, &store.TreeError{Tenant: tenant, Size: old.Size, Reason: reason}
	}
	if damage != nil {
		extends := "no checkpoint was given to check the records against"
		if old.Size > 0 {
			extends = fmt.Sprintf("the records, recomputed, do extend the checkpoint of %d records (root %s)", old.Size, old.Hash)
		}
		damage.Reason = fmt.Sprintf("the store's Merkle tree is damaged at %s: %s; %s; today's records give tree size %d, root %s", damageAt(damage), damage.Reason, extends, size, root)
		return now, damage
	}
	return now, nil
}

// damageAt names what a damaged stored hash covers.
func damageAt(e *store.TreeError) string {
	switch {
	case e.First == 0:
		return fmt.Sprintf("tree size %d", e.Size)
	case e.First == e.Last:
		return fmt.Sprintf("record %d", e.First)
	}
	return fmt.Sprintf("records %d to %d", e.First, e.Last)
}

// proofFormat is the first line of an inclusion proof.
const proofFormat = "ismscomms/inclusion-proof/v1"

// Proof is an inclusion proof of one record in a checkpoint's tree (see
// the package documentation for its text form).
type Proof struct {
	Origin string
	Size   int64
	// Index is the record's leaf index: its sequence number minus 1.
	Index int64
	// Record is the record's canonical encoding, the leaf's data.
	Record []byte
	// Hashes are tlog.ProveRecord's proof.
	Hashes tlog.RecordProof
}

// Text returns the proof in its text form.
func (p Proof) Text() []byte {
	var b bytes.Buffer
	b.WriteString(proofFormat + "\n" + p.Origin + "\n" + strconv.FormatInt(p.Size, 10) + "\n" + strconv.FormatInt(p.Index, 10) + "\n")
	b.WriteString(base64.StdEncoding.EncodeToString(p.Record) + "\n")
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	return b.Bytes()
}

// MaxProof is the largest inclusion proof text ParseProof reads: a
// record's encoding (a few hundred KiB at most) and 63 hashes.
const MaxProof = 16 << 20

// ParseProof reads an inclusion proof in its text form. It fails with
// ErrFormat, naming the line.
func ParseProof(text []byte) (Proof, error) {
	if len(text) > MaxProof {
		return Proof{}, fmt.Errorf("%w: a proof of %d bytes, over %d", ErrFormat, len(text), MaxProof)
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return Proof{}, fmt.Errorf("%w: a proof is lines, each ending in a newline", ErrFormat)
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 5 {
		return Proof{}, fmt.Errorf("%w: a proof has at least 5 lines, this one %d", ErrFormat, len(lines))
	}
	if lines[0] != proofFormat {
		return Proof{}, fmt.Errorf("%w: line 1: %q, not %q", ErrFormat, lines[0], proofFormat)
	}
	p := Proof{Origin: lines[1]}
	if p.Origin == "" {
		return Proof{}, fmt.Errorf("%w: line 2: the origin is empty", ErrFormat)
	}
	var err error
	if p.Size, err = decimal(lines[2]); err != nil || p.Size < 1 {
		return Proof{}, fmt.Errorf("%w: line 3: tree size %q", ErrFormat, lines[2])
	}
	if p.Index, err = decimal(lines[3]); err != nil || p.Index >= p.Size {
		return Proof{}, fmt.Errorf("%w: line 4: leaf index %q (of a tree of %d)", ErrFormat, lines[3], p.Size)
	}
	// DecodeString skips CR and LF even in Strict mode: the line must be
	// the record's encoding exactly, so that a proof has one text form.
	if p.Record, err = base64.StdEncoding.Strict().DecodeString(lines[4]); err != nil || len(p.Record) == 0 || base64.StdEncoding.EncodeToString(p.Record) != lines[4] {
		return Proof{}, fmt.Errorf("%w: line 5: the record is not standard base64", ErrFormat)
	}
	if len(lines)-5 > 63 {
		return Proof{}, fmt.Errorf("%w: %d proof hashes, over 63", ErrFormat, len(lines)-5)
	}
	for i, line := range lines[5:] {
		h, err := hash(line)
		if err != nil {
			return Proof{}, fmt.Errorf("%w: line %d: %v", ErrFormat, i+6, err)
		}
		p.Hashes = append(p.Hashes, h)
	}
	return p, nil
}

// Prove returns an inclusion proof of tenant's record seq in the tree of
// checkpoint c, from st. It checks first that the store's tree at c's
// size has c's root hash (a *store.TreeError if not: the log does not
// extend c) and that the record's encoding is the leaf the store keeps;
// a record past c's size fails with ErrNotInTree. It proves what the
// store holds: check the proof with [CheckInclusion], and the log with
// [Verify].
func Prove(ctx context.Context, st store.Store, tenant string, c Checkpoint, seq int64) (Proof, error) {
	tr, err := treeReader(st)
	if err != nil {
		return Proof{}, err
	}
	if seq < 1 || seq > c.Size {
		return Proof{}, fmt.Errorf("%w: record %d, a tree of records 1 to %d", ErrNotInTree, seq, c.Size)
	}
	size, err := tr.TreeSize(ctx, tenant)
	if err != nil {
		return Proof{}, err
	}
	if size < c.Size {
		return Proof{}, &store.TreeError{Tenant: tenant, Size: c.Size, Reason: fmt.Sprintf("the log has %d records, fewer than the checkpoint's %d", size, c.Size)}
	}
	reader := HashReader(ctx, tr, tenant, c.Size)
	root, err := tlog.TreeHash(c.Size, reader)
	if err != nil {
		return Proof{}, err
	}
	if root != c.Hash {
		return Proof{}, &store.TreeError{Tenant: tenant, Size: c.Size, Reason: fmt.Sprintf("the store's tree of %d records has root %s, the checkpoint %s: the log does not extend the checkpoint", c.Size, root, c.Hash)}
	}
	var body []byte
	for r, err := range st.Records(ctx, tenant, store.RecordQuery{After: seq - 1, Limit: 1}) {
		if err != nil {
			return Proof{}, err
		}
		if r.Seq == seq {
			_, body = driver.Seal(tenant, r.Seq, r.PrevHash, r.RecordedAt, r)
		}
	}
	if body == nil {
		return Proof{}, &store.ChainError{Tenant: tenant, Seq: seq, Reason: "the record is missing"}
	}
	leaf, err := reader.ReadHashes([]int64{tlog.StoredHashIndex(0, seq-1)})
	if err != nil {
		return Proof{}, err
	}
	if leaf[0] != tlog.RecordHash(body) {
		return Proof{}, &store.TreeError{Tenant: tenant, Size: c.Size, First: seq, Last: seq, Reason: "the tree's leaf is not the record's content"}
	}
	hashes, err := tlog.ProveRecord(c.Size, seq-1, reader)
	if err != nil {
		return Proof{}, err
	}
	p := Proof{Origin: c.Origin, Size: c.Size, Index: seq - 1, Record: body, Hashes: hashes}
	if err := tlog.CheckRecord(hashes, c.Size, c.Hash, seq-1, tlog.RecordHash(body)); err != nil {
		return Proof{}, &store.TreeError{Tenant: tenant, Size: c.Size, First: seq, Last: seq, Reason: "the store's tree gives a proof that fails: " + err.Error()}
	}
	return p, nil
}

// CheckInclusion checks an inclusion proof (its text form) against a
// signed checkpoint, with no store: it opens the checkpoint with
// verifiers (ErrUnverified, ErrFormat), checks that the proof is for it
// (the same origin and tree size: ErrProofFailed) and that its record is
// the tenant's of the origin with the sequence number the leaf index
// gives (ErrProofFailed), and runs tlog.CheckRecord (ErrProofFailed). It
// returns the proof read.
func CheckInclusion(proof, signedCheckpoint []byte, verifiers note.Verifiers) (Proof, error) {
	p, err := ParseProof(proof)
	if err != nil {
		return Proof{}, err
	}
	c, signers, err := open(signedCheckpoint, verifiers)
	if err != nil {
		return Proof{}, err
	}
	// The tenant is the one whose origin, by Open's rule (Origin of a
	// signer's name and the tenant), is the checkpoint's.
	tenant := ""
	for _, name := range signers {
		if t, ok := strings.CutPrefix(c.Origin, name+"/"); ok {
			if want, err := Origin(name, t); err == nil && want == c.Origin {
				tenant = t
				break
			}
		}
	}
	if tenant == "" {
		return Proof{}, fmt.Errorf("%w: the checkpoint's origin %q is not in the log of a key that signed it", ErrOrigin, c.Origin)
	}
	if p.Origin != c.Origin || p.Size != c.Size {
		return Proof{}, fmt.Errorf("%w: the proof is for %s at tree size %d, the checkpoint is %s at %d", ErrProofFailed, p.Origin, p.Size, c.Origin, c.Size)
	}
	r, err := driver.OpenRecord(tenant, p.Record)
	if err != nil {
		return Proof{}, fmt.Errorf("%w: the proof's record is not one of tenant %q: %v", ErrProofFailed, tenant, err)
	}
	if r.Seq != p.Index+1 {
		return Proof{}, fmt.Errorf("%w: the proof's record is record %d, its leaf index says %d", ErrProofFailed, r.Seq, p.Index+1)
	}
	if err := tlog.CheckRecord(p.Hashes, c.Size, c.Hash, p.Index, tlog.RecordHash(p.Record)); err != nil {
		return Proof{}, fmt.Errorf("%w: record %d is not in the tree of %d records the checkpoint signed: %v", ErrProofFailed, p.Index+1, c.Size, err)
	}
	return p, nil
}
