package driver_test

import (
	"context"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// sealedLog returns the rows of a tenant's log of n storetest.LogRecord
// records, with their columns, as a store reads them back, and its head.
func sealedLog(n int) ([]driver.Stored, store.Head) {
	rows := make([]driver.Stored, n)
	prev := ""
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		r, body := driver.Seal("t", int64(i+1), prev, at, storetest.LogRecord(i+1))
		rows[i] = stored(r, body)
		prev = r.Hash
	}
	return rows, store.Head{Seq: int64(n), Hash: prev}
}

// VerifyChain costs a bounded number of allocations per record, whatever
// the length of the log: every hash, link and column is checked without
// copying the record's fields (its one allocation is the slice of a
// communication's audiences). A regression to a copy per field (the
// decoder before issue 18 made about twenty) fails here, without timing
// anything.
func TestVerifyChainAllocs(t *testing.T) {
	const n = 2000
	rows, head := sealedLog(n)
	seq := func(yield func(driver.Stored, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
	allocs := testing.AllocsPerRun(5, func() {
		if got, err := driver.VerifyChain(context.Background(), "t", seq, head); err != nil || got != head {
			t.Fatalf("VerifyChain = %+v, %v", got, err)
		}
	})
	if perRecord := allocs / n; perRecord > 1 {
		t.Errorf("VerifyChain made %.2f allocations per record, want at most 1", perRecord)
	}
}

// OpenStored, which every listing calls on every record, copies a
// record's encoding once and its fields not at all.
func TestOpenStoredAllocs(t *testing.T) {
	const n = 2000
	rows, _ := sealedLog(n)
	allocs := testing.AllocsPerRun(5, func() {
		for _, st := range rows {
			if _, err := driver.OpenStored("t", st, store.RecordQuery{}); err != nil {
				t.Fatal(err)
			}
		}
	})
	if perRecord := allocs / n; perRecord > 2 {
		t.Errorf("OpenStored made %.2f allocations per record, want at most 2", perRecord)
	}
}
