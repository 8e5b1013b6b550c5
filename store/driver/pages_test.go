package driver_test

import (
	"errors"
	"iter"
	"slices"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// TestPages checks keyset paging over a log of 10 records with pages of
// 3: cursors, limits, early stops and errors.
func TestPages(t *testing.T) {
	var fetches [][2]int64 // after, limit of each fetch
	fetch := func(after int64, limit int) iter.Seq2[comms.Record, error] {
		fetches = append(fetches, [2]int64{after, int64(limit)})
		return func(yield func(comms.Record, error) bool) {
			for seq, n := after+1, 0; seq <= 10 && n < limit; seq, n = seq+1, n+1 {
				if !yield(comms.Record{Seq: seq}, nil) {
					return
				}
			}
		}
	}
	seqs := func(q store.RecordQuery, stopAt int) []int64 {
		fetches = nil
		var out []int64
		for r, err := range driver.Pages(q, 3, fetch) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r.Seq)
			if len(out) == stopAt {
				break
			}
		}
		return out
	}
	tests := []struct {
		name    string
		q       store.RecordQuery
		stopAt  int
		want    []int64
		fetches [][2]int64
	}{
		{"all", store.RecordQuery{}, 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, [][2]int64{{0, 3}, {3, 3}, {6, 3}, {9, 3}}},
		{"after", store.RecordQuery{After: 7}, 0, []int64{8, 9, 10}, [][2]int64{{7, 3}, {10, 3}}},
		{"limit within a page", store.RecordQuery{Limit: 2}, 0, []int64{1, 2}, [][2]int64{{0, 2}}},
		{"limit across pages", store.RecordQuery{After: 2, Limit: 5}, 0, []int64{3, 4, 5, 6, 7}, [][2]int64{{2, 3}, {5, 2}}},
		{"caller stops", store.RecordQuery{}, 4, []int64{1, 2, 3, 4}, [][2]int64{{0, 3}, {3, 3}}},
	}
	for _, tt := range tests {
		got := seqs(tt.q, tt.stopAt)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: records %v, want %v", tt.name, got, tt.want)
		}
		if !slices.Equal(fetches, tt.fetches) {
			t.Errorf("%s: fetches (after, limit) %v, want %v", tt.name, fetches, tt.fetches)
		}
	}

	boom := errors.New("boom")
	n, errs := 0, 0
	for _, err := range driver.Pages(store.RecordQuery{}, 3, func(after int64, limit int) iter.Seq2[comms.Record, error] {
		return func(yield func(comms.Record, error) bool) {
			if after > 0 {
				yield(comms.Record{}, boom)
				return
			}
			for seq := int64(1); seq <= 3; seq++ {
				if !yield(comms.Record{Seq: seq}, nil) {
					return
				}
			}
		}
	}) {
		if errors.Is(err, boom) {
			errs++
		} else {
			n++
		}
	}
	if n != 3 || errs != 1 {
		t.Errorf("a failing second page: %d records and %d errors, want 3 and 1", n, errs)
	}
}
