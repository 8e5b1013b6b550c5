// Package fallible collects fallible sequences (iter.Seq2[T, error], as
// store.Store lists plans, events and records) into slices, so that the
// callers that need every element at once do not each write the loop.
package fallible

import "iter"

// Collect returns the elements of seq in order, or the first error it
// yields (with the elements before it dropped). It stops iterating at
// that error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// CollectFunc is [Collect] keeping only the elements keep accepts.
func CollectFunc[T any](seq iter.Seq2[T, error], keep func(T) bool) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		if keep(v) {
			out = append(out, v)
		}
	}
	return out, nil
}
