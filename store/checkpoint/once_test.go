package checkpoint

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

// reads is a memory store that counts its reads of the log, and whose
// tree can be damaged: the stored hash at index bad reads as zeros,
// missing is refused as missing, and with cut a hash past the size is
// reported (records cut, their hashes kept).
type reads struct {
	*memory.Store
	verifies, leaves, records int
	bad, missing              int64
	cut                       bool
}

func (r *reads) Verify(ctx context.Context, tenant string) (store.Head, error) {
	r.verifies++
	return r.Store.Verify(ctx, tenant)
}

func (r *reads) VerifyLeaves(ctx context.Context, tenant string, leaf func(int64, []byte) error) (store.Head, error) {
	r.leaves++
	return r.Store.VerifyLeaves(ctx, tenant, leaf)
}

func (r *reads) Records(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	r.records++
	return r.Store.Records(ctx, tenant, q)
}

func (r *reads) TreeHashes(ctx context.Context, tenant string, size int64, indexes []int64) ([]tlog.Hash, error) {
	for _, x := range indexes {
		if x == r.missing {
			return nil, &store.TreeError{Tenant: tenant, Size: size, Reason: fmt.Sprintf("the stored hash %d is missing", x)}
		}
	}
	hs, err := r.Store.TreeHashes(ctx, tenant, size, indexes)
	for i, x := range indexes {
		if err == nil && x == r.bad {
			hs[i] = tlog.Hash{}
		}
	}
	return hs, err
}

func (r *reads) TreeExtent(ctx context.Context, tenant string) (int64, int64, error) {
	size, stray, err := r.Store.TreeExtent(ctx, tenant)
	if r.cut && err == nil {
		stray = tlog.StoredHashCount(size) + 3
	}
	return size, stray, err
}

var ctx = context.Background()

func logOf(t *testing.T, n int, change int) *reads {
	t.Helper()
	base := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	i := 0
	m := memory.New(&memory.Options{Now: func() time.Time { i++; return base.Add(time.Duration(i) * time.Minute) }})
	for k := 1; k <= n; k++ {
		r := comms.Record{PlanID: "plan", ActivityID: "a", SentAt: base.Add(time.Duration(k) * time.Hour), Subject: fmt.Sprintf("message %d", k)}
		if k == change {
			r.Subject += " (changed)"
		}
		if _, err := m.AppendRecord(ctx, "acme", r); err != nil {
			t.Fatal(err)
		}
	}
	return &reads{Store: m, bad: -1, missing: -1}
}

// An intact log is verified in one read of the log (VerifyLeaves: no
// Verify, no Records), against a checkpoint or not.
func TestVerifyReadsTheLogOnce(t *testing.T) {
	old, err := Verify(ctx, logOf(t, 37, 0), "acme", Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	old.Size, old.Hash = 20, mustRoot(t, logOf(t, 20, 0))
	for _, c := range []Checkpoint{{}, old} {
		r := logOf(t, 50, 0)
		if _, err := Verify(ctx, r, "acme", c); err != nil {
			t.Fatal(err)
		}
		if r.leaves != 1 || r.verifies != 0 || r.records != 0 {
			t.Errorf("checkpoint of %d: VerifyLeaves %d, Verify %d, Records %d times; want the log read once", c.Size, r.leaves, r.verifies, r.records)
		}
	}
}

func mustRoot(t *testing.T, r *reads) tlog.Hash {
	c, err := Verify(ctx, r, "acme", Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	return c.Hash
}

// Whatever is wrong, verify (one read when it can) returns exactly what
// verifyTwice (two reads, naming the first fault) returns: every stored
// hash damaged or missing in turn, a cut log, a record changed before or
// after the checkpoint, at sizes around the powers of two up to 33.
func TestVerifyOnceAgreesWithTwice(t *testing.T) {
	same := func(name string, r *reads, old Checkpoint, at int64) {
		t.Helper()
		var root1, root2 tlog.Hash
		c1, err1 := verify(ctx, r, "acme", old, at, &root1)
		c2, err2 := verifyTwice(ctx, r, "acme", old, at, &root2)
		if c1 != c2 || fmt.Sprint(err1) != fmt.Sprint(err2) || err1 == nil && root1 != root2 {
			t.Fatalf("%s: verify = %+v, %v (root at %d: %v); verifyTwice = %+v, %v (%v)", name, c1, err1, at, root1, c2, err2, root2)
		}
	}
	roots := map[int]tlog.Hash{}
	for _, n := range []int{1, 2, 3, 5, 8, 9, 16, 17, 33} {
		log := logOf(t, n, 0).Store // the wrappers below damage only what is read
		for _, oldSize := range []int{0, 1, n / 2, n} {
			old := Checkpoint{}
			if oldSize > 0 {
				if _, ok := roots[oldSize]; !ok {
					roots[oldSize] = mustRoot(t, logOf(t, oldSize, 0))
				}
				old = Checkpoint{Size: int64(oldSize), Hash: roots[oldSize]}
			}
			at := int64(n/3 + 1)
			same(fmt.Sprintf("n=%d old=%d intact", n, oldSize), &reads{Store: log, bad: -1, missing: -1}, old, at)
			for x := int64(0); x < tlog.StoredHashCount(int64(n)); x++ {
				same(fmt.Sprintf("n=%d old=%d hash %d damaged", n, oldSize, x), &reads{Store: log, bad: x, missing: -1}, old, at)
				same(fmt.Sprintf("n=%d old=%d hash %d missing", n, oldSize, x), &reads{Store: log, bad: -1, missing: x}, old, at)
			}
			same(fmt.Sprintf("n=%d old=%d cut", n, oldSize), &reads{Store: log, bad: -1, missing: -1, cut: true}, old, at)
			for _, change := range []int{1, n/2 + 1, n} {
				same(fmt.Sprintf("n=%d old=%d record %d changed", n, oldSize, change), logOf(t, n, change), old, at)
			}
		}
	}
}

// panicky is a store whose TreeHashes panics (a driver's bug).
type panicky struct{ *reads }

func (p panicky) TreeHashes(context.Context, string, int64, []int64) ([]tlog.Hash, error) {
	panic("driver bug")
}

// A store that panics while its hashes are read concurrently makes Verify
// fail with an error, not the process crash.
func TestVerifyStoredHashesPanic(t *testing.T) {
	_, err := Verify(ctx, panicky{logOf(t, 5, 0)}, "acme", Checkpoint{})
	if err == nil || !strings.Contains(err.Error(), "panicked: driver bug") {
		t.Fatalf("Verify with a panicking TreeHashes: %v", err)
	}
}
