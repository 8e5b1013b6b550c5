package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// keyed returns Record(a, sent) with an idempotency key.
func keyed(key, a string, sent time.Time) comms.Record {
	r := Record(a, sent)
	r.IdempotencyKey = key
	return r
}

// sameRecord reports whether a and b are the same stored record, times
// compared as instants.
func sameRecord(a, b comms.Record) bool {
	return reflect.DeepEqual(stripTimes([]comms.Record{a}), stripTimes([]comms.Record{b}))
}

func recordCount(t *testing.T, s store.Store, tenant string) int {
	t.Helper()
	return len(collect(t, s.Records(ctx, tenant, store.RecordQuery{})))
}

// Appending a record whose key the tenant has appends nothing and returns
// the stored record as it was returned when it was appended.
func testIdempotent(t *testing.T, s store.Store) {
	sent := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mustAppend(t, s, "t1", Record("before", sent))
	first := mustAppend(t, s, "t1", keyed("msg-1", "a", sent))
	if first.Seq != 2 || first.IdempotencyKey != "msg-1" {
		t.Fatalf("first append: %+v", first)
	}
	// The key is part of the hashed record.
	if want, _ := driver.Seal("t1", 2, first.PrevHash, first.RecordedAt, keyed("msg-1", "a", sent)); want.Hash != first.Hash {
		t.Errorf("hash %s; the canonical encoding with the key gives %s", first.Hash, want.Hash)
	}
	if plain, _ := driver.Seal("t1", 2, first.PrevHash, first.RecordedAt, Record("a", sent)); plain.Hash == first.Hash {
		t.Error("the key is not part of the hash")
	}
	head, err := s.Verify(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		again, err := s.AppendRecord(ctx, "t1", keyed("msg-1", "a", sent))
		if err != nil {
			t.Fatalf("retry %d: %v", i+1, err)
		}
		if !sameRecord(again, first) {
			t.Fatalf("retry %d returned\n%+v\nwant the stored record\n%+v", i+1, again, first)
		}
	}
	if n := recordCount(t, s, "t1"); n != 2 {
		t.Errorf("after the retries: %d records, want 2", n)
	}
	if h, err := s.Verify(ctx, "t1"); err != nil || h != head {
		t.Errorf("Verify after the retries: %+v, %v; want the head before them, %+v", h, err, head)
	}
	// Another key is another record; the next record follows the first.
	second := mustAppend(t, s, "t1", keyed("msg-2", "a", sent))
	if second.Seq != 3 || second.PrevHash != first.Hash {
		t.Errorf("the record after the retries: seq %d, prev %s; want 3 after record 2", second.Seq, second.PrevHash)
	}
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(listed) != 3 || !sameRecord(listed[1], first) || listed[2].IdempotencyKey != "msg-2" {
		t.Errorf("Records: %+v", listed)
	}
}

// The same record is compared once times are in UTC to the microsecond
// and an empty Type is sent; empty and absent audiences are the same.
func testIdempotentNormalised(t *testing.T, s store.Store) {
	berlin := time.FixedZone("CET", 3600)
	sent := time.Date(2026, 3, 1, 10, 0, 0, 123456000, berlin)
	r := keyed("msg-1", "a", sent)
	r.Audiences = nil
	r.Occurrence = time.Date(2026, 3, 1, 9, 0, 0, 0, berlin)
	first := mustAppend(t, s, "t1", r)
	same := r
	same.SentAt = sent.UTC().Add(789 * time.Nanosecond) // the same microsecond
	same.Occurrence = r.Occurrence.In(time.UTC)
	same.Type = comms.RecordTypeSent
	same.Audiences = []string{}
	again, err := s.AppendRecord(ctx, "t1", same)
	if err != nil || !sameRecord(again, first) {
		t.Fatalf("the same record, differently spelt: %+v, %v; want the stored record", again, err)
	}
	if n := recordCount(t, s, "t1"); n != 1 {
		t.Errorf("%d records, want 1", n)
	}
}

// A different record under a used key fails with ErrConflict and appends
// nothing; records without a key are never compared.
func testIdempotentConflict(t *testing.T, s store.Store) {
	sent := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	first := mustAppend(t, s, "t1", keyed("msg-1", "a", sent))
	for name, change := range map[string]func(*comms.Record){
		"subject":     func(r *comms.Record) { r.Subject = "another" },
		"sent":        func(r *comms.Record) { r.SentAt = r.SentAt.Add(time.Microsecond) },
		"activity":    func(r *comms.Record) { r.ActivityID = "b" },
		"reached":     func(r *comms.Record) { r.Reached++ },
		"audiences":   func(r *comms.Record) { r.Audiences = append(r.Audiences, "contractors") },
		"type":        func(r *comms.Record) { r.Type, r.Note = comms.RecordTypeWaived, "closed" },
		"corrects":    func(r *comms.Record) { r.Corrects = 1 },
		"plan":        func(r *comms.Record) { r.PlanVersion = 2 },
		"occurrence":  func(r *comms.Record) { r.Occurrence = sent },
		"note":        func(r *comms.Record) { r.Note = "n" },
		"sender":      func(r *comms.Record) { r.Sender = "bob" },
		"sender role": func(r *comms.Record) { r.SenderRole = "ciso" },
		"channel":     func(r *comms.Record) { r.Channel = "intranet" },
		"digest":      func(r *comms.Record) { r.Digest = "sha256:01" },
		"ack":         func(r *comms.Record) { r.Acknowledged-- },
		"event":       func(r *comms.Record) { r.EventID = "inc-1" },
	} {
		r := keyed("msg-1", "a", sent)
		change(&r)
		if got, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a record with another %s under a used key: %+v, %v; want ErrConflict", name, got, err)
		}
	}
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(listed) != 1 || !sameRecord(listed[0], first) {
		t.Errorf("after the conflicts: %+v; want the first record alone, unchanged", listed)
	}
	// Without a key, the same record twice is two records.
	a := mustAppend(t, s, "t1", Record("a", sent))
	b := mustAppend(t, s, "t1", Record("a", sent))
	if a.Seq != 2 || b.Seq != 3 {
		t.Errorf("two records without a key: seq %d and %d, want 2 and 3", a.Seq, b.Seq)
	}
	// The conflict used up no sequence number, and the chain verifies.
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != 3 {
		t.Errorf("Verify: %+v, %v", head, err)
	}
}

// A key stays the tenant's for good: after many records, and after other
// keys.
func testIdempotentForGood(t *testing.T, s store.Store) {
	sent := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	first := mustAppend(t, s, "t1", keyed("msg-1", "a", sent))
	for i := 0; i < 300; i++ {
		r := Record("b", sent.Add(time.Duration(i)*time.Minute))
		if i%10 == 0 {
			r.IdempotencyKey = fmt.Sprintf("other-%d", i)
		}
		mustAppend(t, s, "t1", r)
	}
	again, err := s.AppendRecord(ctx, "t1", keyed("msg-1", "a", sent))
	if err != nil || !sameRecord(again, first) {
		t.Errorf("retry after 300 records: %+v, %v; want record 1", again, err)
	}
	if _, err := s.AppendRecord(ctx, "t1", keyed("msg-1", "changed", sent)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("another record under the old key: %v, want ErrConflict", err)
	}
	if r, err := s.AppendRecord(ctx, "t1", keyed("other-150", "b", sent.Add(150*time.Minute))); err != nil || r.Seq != 152 {
		t.Errorf("retry of record 152 by its key: seq %d, %v", r.Seq, err)
	}
	if n := recordCount(t, s, "t1"); n != 301 {
		t.Errorf("%d records, want 301", n)
	}
}

// The record is checked before its key is looked up: an invalid retry is
// ErrInvalid, whatever the key names.
func testIdempotentChecksFirst(t *testing.T, s store.Store) {
	sent := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	first := mustAppend(t, s, "t1", keyed("msg-1", "a", sent))
	for name, r := range map[string]comms.Record{
		"with the Seq it was given":     func() comms.Record { r := keyed("msg-1", "a", sent); r.Seq = first.Seq; return r }(),
		"as returned (hash, recorded)":  first,
		"without SentAt":                func() comms.Record { r := keyed("msg-1", "a", sent); r.SentAt = time.Time{}; return r }(),
		"with a negative reached count": func() comms.Record { r := keyed("msg-1", "a", sent); r.Reached = -1; return r }(),
	} {
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a retry %s: %v, want ErrInvalid", name, err)
		}
	}
}

// Concurrent appends of one record with the same key store it once, and
// each returns it, while other records are appended around them.
func testConcurrentRetries(t *testing.T, s store.Store) {
	sent := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const rounds, retries = 5, 8
	for round := 0; round < rounds; round++ {
		key := fmt.Sprintf("msg-%d", round)
		var wg sync.WaitGroup
		got := make([]comms.Record, retries)
		errs := make([]error, retries+2)
		for w := 0; w < retries; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[w], errs[w] = s.AppendRecord(ctx, "t1", keyed(key, "a", sent))
			}()
		}
		// Other writers append records of their own meanwhile.
		for w := retries; w < retries+2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[w] = s.AppendRecord(ctx, "t1", Record(fmt.Sprintf("other-%d", w), sent))
			}()
		}
		wg.Wait()
		for w, err := range errs {
			if err != nil {
				t.Fatalf("round %d, writer %d: %v", round, w, err)
			}
		}
		for w := 1; w < retries; w++ {
			if !sameRecord(got[w], got[0]) {
				t.Fatalf("round %d: the retries got different records: %d and %d", round, got[0].Seq, got[w].Seq)
			}
		}
		n := 0
		for _, r := range collect(t, s.Records(ctx, "t1", store.RecordQuery{})) {
			if r.IdempotencyKey == key {
				n++
				if !sameRecord(r, got[0]) {
					t.Errorf("round %d: the stored record is not the one returned", round)
				}
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d records with key %s, want 1", round, n, key)
		}
	}
	if n := recordCount(t, s, "t1"); n != rounds*3 {
		t.Errorf("%d records, want %d", n, rounds*3)
	}
	if _, err := s.Verify(ctx, "t1"); err != nil {
		t.Error(err)
	}
}
