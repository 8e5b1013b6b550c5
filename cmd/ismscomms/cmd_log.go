package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
)

// maxKeyFile is the most a key or checkpoint file may hold.
const maxKeyFile = 64 << 10

// readSmall reads a small input file (a key, a checkpoint): exit status 2
// if it cannot be read or is too large.
func readSmall(flag, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputErr("%s %s: %s", flag, path, cannotRead(path, err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, inputErr("%s %s: %v", flag, path, err)
	}
	if len(b) > maxKeyFile {
		return nil, inputErr("%s %s: over %d bytes: not a key or checkpoint", flag, path, maxKeyFile)
	}
	return b, nil
}

// verifierKey reads --verifier-key: the key itself, or the name of a file
// that holds it (as key generate writes it, beside the signer key).
func verifierKey(value string) (note.Verifiers, error) {
	if value == "" {
		return nil, usageErr("--verifier-key: give the log's verifier key (or the file that holds it, KEY.pub)")
	}
	v, err := note.NewVerifier(value)
	if err != nil {
		b, rerr := readSmall("--verifier-key", value)
		if rerr != nil {
			if _, serr := os.Stat(value); errors.Is(serr, fs.ErrNotExist) {
				return nil, inputErr("--verifier-key: %s is neither a verifier key nor a file", value)
			}
			return nil, rerr
		}
		if v, err = note.NewVerifier(strings.TrimSpace(string(b))); err != nil {
			return nil, inputErr("--verifier-key %s: not a verifier key: %v", value, err)
		}
	}
	return note.VerifierList(v), nil
}

// openCheckpoint reads and opens the signed checkpoint of --checkpoint:
// any failure to open it is bad input (exit status 2).
func (a *app) openCheckpoint(path, key string) (checkpoint.Checkpoint, []byte, error) {
	verifiers, err := verifierKey(key)
	if err != nil {
		return checkpoint.Checkpoint{}, nil, err
	}
	msg, err := readSmall("--checkpoint", path)
	if err != nil {
		return checkpoint.Checkpoint{}, nil, err
	}
	c, err := checkpoint.Open(msg, a.tenant, verifiers)
	if err != nil {
		return checkpoint.Checkpoint{}, nil, inputErr("--checkpoint %s: %w", path, err)
	}
	return c, msg, nil
}

func (a *app) keyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Keys that sign the log's checkpoints",
		Args:  cobra.ArbitraryArgs,
		RunE:  group,
	}
	var out string
	gen := &cobra.Command{
		Use:   "generate <log-name>",
		Short: "Generate a key pair that signs checkpoints",
		Long: `Generate an Ed25519 key pair for signed checkpoints (sumdb note format).
<log-name> names the log, such as isms.example.com/comms (no spaces, no +):
a checkpoint's origin is <log-name>/<tenant>.

The signer key is written to --out, readable by its owner only (mode 0600),
and must stay outside the database; the verifier key is written beside it
(--out with .pub) and printed: hand it to the auditors. Neither file may
exist: a key is never overwritten.`,
		Example: `  ismscomms key generate isms.example.com/comms --out ismscomms.key`,
		Args:    positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" || out == "-" {
				return usageErr("--out %q: a key goes to a file (the signer key there, the verifier key beside it with .pub), never to standard output", out)
			}
			name := args[0]
			if _, err := checkpoint.Origin(name, "t"); err != nil {
				return inputErr("log name %s: it must be non-empty, without spaces or +", name)
			}
			skey, vkey, err := note.GenerateKey(rand.Reader, name)
			if err != nil {
				return inputErr("log name %s: %v", name, err)
			}
			pub := out + ".pub"
			if _, err := os.Lstat(out); err == nil {
				return errorf(exitInput, "%s exists: a key is never overwritten", out)
			}
			// The verifier key first: a signer key never exists without it.
			// If the signer key cannot be written, the verifier key written
			// here is removed.
			if err := writeFile(pub, true, func(w io.Writer) error { _, err := io.WriteString(w, vkey+"\n"); return err }); err != nil {
				return err
			}
			if err := writeSecret(out, func(w io.Writer) error { _, err := io.WriteString(w, skey+"\n"); return err }); err != nil {
				os.Remove(pub)
				return err
			}
			say(a.stdout, "%s\n", vkey)
			say(a.stderr, "signer key written to %s (keep it secret, outside the database); verifier key to %s\n", out, pub)
			return nil
		},
	}
	gen.Flags().StringVar(&out, "out", "ismscomms.key", "the signer key file to write (the verifier key goes to this name with .pub)")
	cmd.AddCommand(gen)
	return cmd
}

// signer reads the signer key file of --key.
func signer(path string) (note.Signer, error) {
	if path == "" {
		return nil, usageErr("--key: give the signer key file (ismscomms key generate)")
	}
	b, err := readSmall("--key", path)
	if err != nil {
		return nil, err
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, inputErr("--key %s: not a signer key: %v", path, err)
	}
	return s, nil
}

// logFailure classifies an error of checkpoint.Verify, Sign or Prove: a
// log that does not match (broken chain, inconsistent tree) is the
// negative answer, exit status 1, said on stdout; the rest as
// storeFailure.
func (a *app) logFailure(err error, what string) error {
	if errors.Is(err, store.ErrChainBroken) {
		say(a.stdout, "%s: %s\n", what, libText(err))
		return errNegative
	}
	for _, e := range []error{checkpoint.ErrOrigin, checkpoint.ErrEmpty, checkpoint.ErrNotInTree} {
		if errors.Is(err, e) {
			return inputErr("%s", libText(err))
		}
	}
	if errors.Is(err, checkpoint.ErrNoTree) {
		return storeErr(err)
	}
	return storeFailure(err)
}

func (a *app) checkpointCommand() *cobra.Command {
	var key, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign a checkpoint of the tenant's log",
		Long: `Verify the tenant's log (the record chain, and the Merkle tree recomputed
from the records) and write a signed checkpoint of it: its origin
(<log-name>/<tenant>), its tree size (the number of records) and the tree's
root hash, signed with the key of --key (sumdb note format). Keep it outside
the system: verify --checkpoint later proves that the log still extends it,
and prove gives inclusion proofs of records against it.

It signs nothing of a store whose storage check fails (SQLite's integrity
check: a damaged index could hide records), nor of a log whose chain is
broken, whose tree the records do not give, or that was cut behind the
store's back. --out never replaces an existing file (a checkpoint is
evidence to keep) unless --force is given.

Exit status: 0 written; 1 the log did not verify or the storage is damaged
(nothing written); 2 a bad key, a tenant with no record, one whose ID
cannot be written in an origin, or an --out that exists; 3 the store
failed; 4 the output could not be written.`,
		Example: `  ismscomms checkpoint --tenant acme --key ismscomms.key --out acme-2026-05.checkpoint`,
		Args:    positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := signer(key)
			if err != nil {
				return err
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			c, signed, err := a.signLog(cmd.Context(), st, s, 0)
			switch {
			case errors.Is(err, errStorageDamaged):
				say(a.stdout, "no checkpoint written: %s; ismscomms verify says more\n", err)
				return errNegative
			case err != nil:
				return a.logFailure(err, "no checkpoint written: the log of tenant "+a.tenant+" did not verify")
			}
			write := func(w io.Writer) error { _, err := w.Write(signed); return err }
			if out == "-" {
				err = a.writeOutput(out, write)
			} else {
				err = writeFile(out, !force, write)
			}
			if err != nil {
				return err
			}
			if out != "-" {
				say(a.stdout, "checkpoint of tenant %s written to %s: %s, root hash %s\n", a.tenant, out, plural(int(c.Size), "record"), c.Hash)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the signer key file (ismscomms key generate)")
	cmd.Flags().StringVar(&out, "out", "-", "where to write the signed checkpoint: a new file, or - for standard output")
	cmd.Flags().BoolVar(&force, "force", false, "with --out: replace an existing file")
	return cmd
}

// errStorageDamaged is signLog's refusal of a store whose storage check
// failed.
var errStorageDamaged = errors.New("the store's storage is DAMAGED (integrity check failed)")

// signLog is the one way a checkpoint of the tenant's log is signed, by
// checkpoint and by report --key: first the storage check of a store that
// has one (SQLite's integrity check: a damaged index could hide records
// from the reads the signature vouches for, and from a report's), failing
// with errStorageDamaged, then checkpoint.SignAt, which verifies the log
// and signs the tree of its first size records (0: all of them).
func (a *app) signLog(ctx context.Context, st store.Store, s note.Signer, size int64) (checkpoint.Checkpoint, []byte, error) {
	if ic, ok := st.(store.IntegrityChecker); ok {
		var corrupt *store.CorruptError
		switch err := ic.CheckIntegrity(ctx); {
		case errors.As(err, &corrupt):
			return checkpoint.Checkpoint{}, nil, errStorageDamaged
		case err != nil:
			return checkpoint.Checkpoint{}, nil, err
		}
	}
	return checkpoint.SignAt(ctx, st, a.tenant, s, size)
}

// checkpointResult is what verify --checkpoint found about the
// checkpoint, as --format json prints it.
type checkpointResult struct {
	// Size and Hash are the checkpoint's tree size and root hash.
	Size int64  `json:"size"`
	Hash string `json:"hash"`
	// Status is "extends" (the records, recomputed, extend it; the
	// storage may still be damaged: see integrity), "tree damaged" (the
	// records extend it, but a hash of the store's tree is wrong),
	// "does not extend", or "not checked" (the record chain is broken).
	Status string `json:"status"`
	// TreeSize and TreeHash are today's, computed from the records, when
	// they extend the checkpoint.
	TreeSize int64  `json:"tree_size,omitempty"`
	TreeHash string `json:"tree_hash,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// verifyCheckpoint is verify --checkpoint: everything plain verify does
// (chain, storage, "nothing stored"), then that the log, its tree
// recomputed from the records, extends the checkpoint.
func (a *app) verifyCheckpoint(cmd *cobra.Command, path, key, format string) error {
	old, _, err := a.openCheckpoint(path, key)
	if err != nil {
		return err
	}
	st, err := a.openStore(readStore)
	if err != nil {
		return err
	}
	defer st.Close()
	res, tc, err := a.verifyLog(cmd.Context(), st, old)
	if err != nil {
		return err
	}
	cp := &checkpointResult{Size: old.Size, Hash: old.Hash.String()}
	res.Checkpoint = cp
	now, err := tc.now, tc.err
	if !tc.ran {
		now, err = checkpoint.Verify(cmd.Context(), st, a.tenant, old) // ErrNoTree
	}
	var te *store.TreeError
	var ce *store.ChainError
	switch {
	case err == nil:
		cp.Status, cp.TreeSize, cp.TreeHash = "extends", now.Size, now.Hash.String()
	case errors.As(err, &te) && te.Damaged:
		cp.Status, cp.TreeSize, cp.TreeHash, cp.Reason = "tree damaged", now.Size, now.Hash.String(), te.Reason
		res.Intact = false
	case errors.As(err, &te):
		cp.Status, cp.Reason = "does not extend", libText(err)
		res.Intact = false
	case errors.As(err, &ce):
		cp.Status, cp.Reason = "not checked", libText(err)
		res.Intact = false
	default:
		return a.logFailure(err, "")
	}
	if format == "json" {
		if err := writeJSON(a.stdout, res); err != nil {
			return err
		}
	} else {
		a.sayVerify(res)
		cps := plural(int(old.Size), "record")
		switch {
		case cp.Status == "extends" && res.Integrity == "corrupt":
			say(a.stdout, "the records of tenant %s extend the checkpoint of %s (root hash %s), but the store's storage is DAMAGED (above): queries and reports may not see them all\ntoday: tree size %d, root hash %s\n",
				a.tenant, cps, old.Hash, now.Size, now.Hash)
		case cp.Status == "extends":
			say(a.stdout, "log of tenant %s verified: %s, chain and tree intact, and it extends the checkpoint of %s (root hash %s)\ntoday: tree size %d, root hash %s\n",
				a.tenant, plural(int(now.Size), "record"), cps, old.Hash, now.Size, now.Hash)
		case cp.Status == "tree damaged":
			say(a.stdout, "the Merkle tree the store keeps for tenant %s is DAMAGED, though its records extend the checkpoint of %s (root hash %s): %s\n",
				a.tenant, cps, old.Hash, cp.Reason)
		case cp.Status == "does not extend":
			say(a.stdout, "log of tenant %s does NOT extend the checkpoint of %s (root hash %s): %s\n", a.tenant, cps, old.Hash, cp.Reason)
		default:
			say(a.stdout, "the log of tenant %s was not checked against the checkpoint of %s: its record chain is broken (%s)\n", a.tenant, cps, cp.Reason)
		}
	}
	if !res.sound() {
		return errNegative
	}
	return nil
}

// reportCheckpoint puts in rep's header the checkpoint of the tenant's
// Merkle tree at the size the report read (rep.Chain.Verified; records
// appended since are not in it), its root recomputed from the records
// (checkpoint.VerifyAt), or signed with the key file keyPath when given
// (signLog: never of damaged storage): on a store that keeps the tree and
// a chain that verified. A log whose tree does not verify, or damaged
// storage with --key, gets no checkpoint: the header says why
// (rep.Chain.NoCheckpoint) and the error is returned as treeErr (the
// report is still written, and the command exits 1). A --key on a store
// without a tree is bad input.
func (a *app) reportCheckpoint(ctx context.Context, st store.Store, rep *evidence.Assessment, keyPath string) (treeErr, err error) {
	var s note.Signer
	if keyPath != "" {
		if s, err = signer(keyPath); err != nil {
			return nil, err
		}
	}
	if _, ok := st.(store.TreeReader); !ok {
		if s != nil {
			return nil, inputErr("--key: the store keeps no Merkle tree to checkpoint")
		}
		return nil, nil
	}
	if !rep.Chain.OK || rep.Chain.Verified == 0 {
		return nil, nil // the header says the chain is broken, or that there is nothing
	}
	var c checkpoint.Checkpoint
	var signed []byte
	if s != nil {
		c, signed, err = a.signLog(ctx, st, s, rep.Chain.Verified)
	} else {
		c, err = checkpoint.VerifyAt(ctx, st, a.tenant, rep.Chain.Verified)
	}
	switch {
	case errors.Is(err, errStorageDamaged), errors.Is(err, store.ErrChainBroken):
		rep.Chain.NoCheckpoint = libText(err)
		return err, nil
	case err != nil:
		return nil, a.logFailure(err, "")
	}
	rep.Chain.Tree = &evidence.TreeCheckpoint{Size: c.Size, RootHash: c.Hash.String(), Note: string(signed)}
	return nil, nil
}

func (a *app) proveCommand() *cobra.Command {
	var cpFile, key, out string
	cmd := &cobra.Command{
		Use:   "prove <seq>",
		Short: "Print an inclusion proof of one record against a checkpoint",
		Long: `Print an inclusion proof that record <seq> of the tenant is in the tree of
the signed checkpoint --checkpoint (opened with --verifier-key: the key
itself or the file that holds it). An auditor checks it with the checkpoint
and the verifier key alone (store/checkpoint.CheckInclusion, or their own
tool: the format is in store/checkpoint's documentation):

  ismscomms/inclusion-proof/v1
  <origin>
  <tree size>
  <leaf index: the record's number minus 1>
  <the record's canonical encoding, base64>
  <the proof's hashes, base64, one a line, in tlog.ProveRecord order>

Exit status: 0 printed; 1 the store's log does not extend the checkpoint;
2 a bad checkpoint or key, or a record not in the checkpoint's tree; 3 the
store failed; 4 the output could not be written.`,
		Example: `  ismscomms prove 42 --tenant acme --checkpoint acme-2026-05.checkpoint --verifier-key ismscomms.key.pub`,
		Args:    positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			seq, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || seq < 1 {
				return inputErr("record %s: a record's sequence number, 1 or more", args[0])
			}
			c, _, err := a.openCheckpoint(cpFile, key)
			if err != nil {
				return err
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := checkpoint.Prove(cmd.Context(), st, a.tenant, c, seq)
			if err != nil {
				return a.logFailure(err, fmt.Sprintf("no proof of record %d", seq))
			}
			return a.writeOutput(out, func(w io.Writer) error { _, err := w.Write(p.Text()); return err })
		},
	}
	cmd.Flags().StringVar(&cpFile, "checkpoint", "", "the signed checkpoint the proof is against")
	cmd.Flags().StringVar(&key, "verifier-key", "", "the log's verifier key, or the file that holds it")
	cmd.Flags().StringVar(&out, "out", "-", "where to write the proof: a file, or - for standard output")
	cmd.MarkFlagRequired("checkpoint")
	return cmd
}
