package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// Concurrent appends to one tenant form one chain, with no gap and no
// sequence number twice.
func testConcurrentAppends(t *testing.T, s store.Store) {
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.AppendRecord(ctx, "t1", Record(fmt.Sprintf("w%d", w), time.Now())); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rs := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(rs) != writers*each {
		t.Fatalf("%d records, want %d", len(rs), writers*each)
	}
	for i, r := range rs {
		if r.Seq != int64(i+1) {
			t.Fatalf("sequence has a gap or duplicate at %d: %d", i+1, r.Seq)
		}
	}
	if _, err := s.Verify(ctx, "t1"); err != nil {
		t.Error(err)
	}
}

// Of concurrent SavePlan calls with the same expected version, exactly
// one succeeds and the others fail with ErrConflict.
func testConcurrentSavePlan(t *testing.T, s store.Store) {
	mustSave(t, s, "t1", Plan("plan", 0), 0)
	for round := 1; round <= 5; round++ {
		const writers = 6
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SavePlan(ctx, "t1", Plan("plan", round*10+w), round)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Errorf("SavePlan: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != writers-1 {
			t.Fatalf("round %d: %d saves succeeded and %d conflicted; want 1 and %d", round, wins, conflicts, writers-1)
		}
	}
}

// RunReliability is the heavier part of the contract, for CI: 8 goroutines
// appending 1,000 records each to one tenant (8,000 records, sequence
// 1..8000 with no gap or duplicate, a chain that verifies), and 100 rounds
// of 8 writers saving a plan with the same expected version (exactly one
// succeeds each round, the others get ErrConflict), and 100 rounds of 8
// goroutines retrying one keyed record (exactly one stored each round,
// every retry returns it). Run it under -race.
func RunReliability(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Run("IdempotentRetries/100rounds", func(t *testing.T) { testReliableRetries(t, newStore(t)) })
	t.Run("Appends/8x1000", func(t *testing.T) { testReliableAppends(t, newStore(t)) })
	t.Run("SavePlan/100rounds", func(t *testing.T) { testReliableSavePlan(t, newStore(t)) })
}

// testReliableRetries: in each of 100 rounds, 8 goroutines retry one keyed
// record; exactly one is stored and every retry returns it.
func testReliableRetries(t *testing.T, s store.Store) {
	sent := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for round := 1; round <= 100; round++ {
		const retries = 8
		var wg sync.WaitGroup
		got := make([]comms.Record, retries)
		errs := make([]error, retries)
		for w := 0; w < retries; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[w], errs[w] = s.AppendRecord(ctx, "tenant", keyed(fmt.Sprintf("msg-%d", round), "a", sent))
			}()
		}
		wg.Wait()
		for w := 0; w < retries; w++ {
			if errs[w] != nil {
				t.Fatalf("round %d: %v", round, errs[w])
			}
			if got[w].Seq != int64(round) || got[w].Hash != got[0].Hash {
				t.Fatalf("round %d: a retry got record %d, want %d", round, got[w].Seq, round)
			}
		}
	}
	if head, err := s.Verify(ctx, "tenant"); err != nil || head.Seq != 100 {
		t.Fatalf("after 100 rounds: %+v, %v; want 100 records", head, err)
	}
}

// testReliableAppends: 8 goroutines append 1,000 records each to one
// tenant; the records are numbered 1..8000 with no gap or duplicate, and
// the chain verifies.
func testReliableAppends(t *testing.T, s store.Store) {
	const writers, each = 8, 1000
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.AppendRecord(ctx, "tenant", Record(fmt.Sprintf("w%d-%d", w, i), time.Now())); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := make([]bool, writers*each+1)
	n := 0
	for r, err := range s.Records(ctx, "tenant", store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.Seq < 1 || r.Seq > writers*each || seen[r.Seq] || r.Seq != int64(n) {
			t.Fatalf("record %d has sequence number %d", n, r.Seq)
		}
		seen[r.Seq] = true
	}
	if n != writers*each {
		t.Fatalf("%d records, want %d", n, writers*each)
	}
	if _, err := s.Verify(ctx, "tenant"); err != nil {
		t.Fatal(err)
	}
}

// testReliableSavePlan: in each of 100 rounds, 8 writers save a plan with
// the same expected version; exactly one succeeds and the others get
// ErrConflict.
func testReliableSavePlan(t *testing.T, s store.Store) {
	mustSave(t, s, "tenant", Plan("plan", 0), 0)
	for round := 1; round <= 100; round++ {
		const writers = 8
		var wg sync.WaitGroup
		results := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SavePlan(ctx, "tenant", Plan("plan", round*10+w), round)
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		wins := 0
		for err := range results {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d writers succeeded, want exactly 1", round, wins)
		}
	}
	if v, err := s.Plan(ctx, "tenant", "plan"); err != nil || v.Number != 101 {
		t.Fatalf("after 100 rounds: version %d, %v", v.Number, err)
	}
}
