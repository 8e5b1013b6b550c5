package fallible_test

import (
	"errors"
	"iter"
	"slices"
	"testing"

	"github.com/ismscomms/ismscomms/internal/fallible"
)

// seq yields 1..n, then err if it is not nil; it counts what it yielded.
func seq(n int, err error, yielded *int) iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		for i := 1; i <= n; i++ {
			*yielded++
			if !yield(i, nil) {
				return
			}
		}
		if err != nil {
			yield(0, err)
		}
	}
}

func TestCollect(t *testing.T) {
	var n int
	got, err := fallible.Collect(seq(3, nil, &n))
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("Collect: %v %v", got, err)
	}
	boom := errors.New("boom")
	got, err = fallible.Collect(seq(3, boom, &n))
	if !errors.Is(err, boom) || got != nil {
		t.Errorf("Collect of a failing sequence: %v %v", got, err)
	}
	got, err = fallible.Collect(seq(0, nil, &n))
	if err != nil || len(got) != 0 {
		t.Errorf("Collect of nothing: %v %v", got, err)
	}
	n = 0
	got, err = fallible.CollectFunc(seq(6, nil, &n), func(i int) bool { return i%2 == 0 })
	if err != nil || !slices.Equal(got, []int{2, 4, 6}) || n != 6 {
		t.Errorf("CollectFunc: %v %v after %d", got, err, n)
	}
	if _, err := fallible.CollectFunc(seq(2, boom, &n), func(int) bool { return true }); !errors.Is(err, boom) {
		t.Errorf("CollectFunc of a failing sequence: %v", err)
	}
}
