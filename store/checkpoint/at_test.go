package checkpoint_test

import (
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
)

// VerifyAt and SignAt give, of a log of 15 records, the checkpoint of its
// first k records that Sign gave when the log had k (the one a report
// that read k records was computed at), after verifying all 15; a size
// past the log's fails, and a tree damaged past k (record 11) is still
// refused.
func TestVerifyAtSignAt(t *testing.T) {
	signer, verifiers := keys(t, 1)
	today := logOf(t, honest(15))
	for _, k := range []int64{1, 2, 7, 10, 15} {
		_, signed, err := checkpoint.Sign(ctx, logOf(t, honest(int(k))), "acme", signer)
		if err != nil {
			t.Fatal(err)
		}
		then, err := checkpoint.Open(signed, "acme", verifiers)
		if err != nil {
			t.Fatal(err)
		}
		got, err := checkpoint.VerifyAt(ctx, today, "acme", k)
		if err != nil || got.Size != k || got.Hash != then.Hash {
			t.Errorf("VerifyAt(%d) = %+v, %v; want size %d, root %s", k, got, err, k, then.Hash)
		}
		c, note, err := checkpoint.SignAt(ctx, today, "acme", signer, k)
		if err != nil || c != then || string(note) != string(signed) {
			t.Errorf("SignAt(%d) = %+v, %v; want %+v, the note Sign gave then", k, c, err, then)
		}
	}
	if c, err := checkpoint.VerifyAt(ctx, today, "acme", 0); err != nil || c.Size != 15 {
		t.Errorf("VerifyAt(0) = %+v, %v; want today's 15 records", c, err)
	}
	var te *store.TreeError
	if _, err := checkpoint.VerifyAt(ctx, today, "acme", 16); !errors.As(err, &te) {
		t.Errorf("VerifyAt past the log: %v, want a *store.TreeError", err)
	}
	if _, _, err := checkpoint.SignAt(ctx, today, "acme", signer, 16); !errors.As(err, &te) {
		t.Errorf("SignAt past the log: %v, want a *store.TreeError", err)
	}
	if _, _, err := checkpoint.SignAt(ctx, damagedTree{Store: today, bad: tlog.StoredHashIndex(0, 10)}, "acme", signer, 3); !errors.As(err, &te) || !te.Damaged {
		t.Errorf("SignAt of a damaged tree: %v, want refused as damaged", err)
	}
}
