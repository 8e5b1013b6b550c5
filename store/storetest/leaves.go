package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// A store.LeafVerifier: VerifyLeaves returns what Verify returns and hands
// over every record once, in sequence order, as the bytes its stored hash
// is the SHA-256 of, which are the record's canonical encoding (what
// driver.Seal writes for it: the leaf data of the record in the tree);
// an error of leaf ends it, and it returns that error; nil leaf is
// Verify. The log is longer than a batch of driver.VerifyChain's checker,
// so that a store's read and the check run side by side.
func testLeafVerifier(t *testing.T, s store.Store) {
	lv, ok := s.(store.LeafVerifier)
	if !ok {
		t.Skip("the store does not implement store.LeafVerifier")
	}
	leaves := func(tenant string, stopAt int64) ([]int64, [][]byte, store.Head, error) {
		var seqs []int64
		var data [][]byte
		head, err := lv.VerifyLeaves(ctx, tenant, func(seq int64, b []byte) error {
			seqs, data = append(seqs, seq), append(data, append([]byte(nil), b...))
			if seq == stopAt {
				return errStop
			}
			return nil
		})
		return seqs, data, head, err
	}
	if seqs, _, head, err := leaves("t1", 0); err != nil || head != (store.Head{}) || len(seqs) != 0 {
		t.Fatalf("VerifyLeaves of a tenant without records: %v leaves, %+v, %v; want none, the zero head, nil", seqs, head, err)
	}
	const n = 600
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	rs := make([]comms.Record, n)
	for i := range rs {
		rs[i] = Record(fmt.Sprintf("a%d", i%3), base.Add(time.Duration(i)*time.Minute))
		rs[i].Subject = fmt.Sprintf("message %d: \"quoted\", <tagged> & on\na second line", i)
	}
	if ba, ok := s.(store.BatchAppender); ok {
		if _, err := ba.AppendRecords(ctx, "t1", rs); err != nil {
			t.Fatal(err)
		}
	} else {
		for _, r := range rs {
			mustAppend(t, s, "t1", r)
		}
	}
	mustAppend(t, s, "t2", Record("a0", base)) // another tenant's record is not handed over
	want, err := s.Verify(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	seqs, data, head, err := leaves("t1", 0)
	if err != nil || head != want {
		t.Fatalf("VerifyLeaves = %+v, %v; Verify = %+v, nil", head, err, want)
	}
	records := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(seqs) != n || len(records) != n {
		t.Fatalf("VerifyLeaves handed over %d records, Records returned %d; want %d", len(seqs), len(records), n)
	}
	for i, r := range records {
		_, body := driver.Seal("t1", r.Seq, r.PrevHash, r.RecordedAt, r)
		sum := sha256.Sum256(data[i])
		switch {
		case seqs[i] != int64(i+1):
			t.Fatalf("leaf %d has sequence number %d, want %d (in sequence order)", i, seqs[i], i+1)
		case hex.EncodeToString(sum[:]) != r.Hash:
			t.Fatalf("record %d: the bytes handed over do not hash to its hash", r.Seq)
		case string(data[i]) != string(body):
			t.Fatalf("record %d: the bytes handed over are not its canonical encoding:\n%s\n%s", r.Seq, data[i], body)
		}
	}
	seqs, _, _, err = leaves("t1", 550)
	if !errors.Is(err, errStop) || len(seqs) != 550 {
		t.Fatalf("VerifyLeaves whose leaf fails at record 550: %d leaves, %v; want 550 and the leaf's error", len(seqs), err)
	}
	if head, err := lv.VerifyLeaves(ctx, "t1", nil); err != nil || head != want {
		t.Fatalf("VerifyLeaves with no leaf = %+v, %v; want %+v, nil", head, err, want)
	}
}

// errStop is the error a clause's leaf returns to end VerifyLeaves.
var errStop = errors.New("storetest: stop")
