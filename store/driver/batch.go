package driver

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// Pending is one record of a batch that [SealBatch] sealed: the record to
// return and, for one the store must write, its encoding (Body nil: a
// stored record, or an earlier one of the batch, answers it).
type Pending struct {
	Record comms.Record
	Body   []byte
}

// CheckBatch validates a batch for store.BatchAppender's AppendRecords:
// at most store.MaxBatch records, each as [CheckRecord] checks it. The
// error names the first invalid record's index.
func CheckBatch(rs []comms.Record) error {
	if len(rs) > store.MaxBatch {
		return invalid("a batch of %d records, over the limit of %d", len(rs), store.MaxBatch)
	}
	for i, r := range rs {
		if err := CheckRecord(r); err != nil {
			return fmt.Errorf("record %d of the batch: %w", i, err)
		}
	}
	return nil
}

// Keys returns the distinct idempotency keys of rs, in order of first
// appearance: what a store looks up before [SealBatch].
func Keys(rs []comms.Record) []string {
	var keys []string
	seen := map[string]struct{}{}
	for _, r := range rs {
		if r.IdempotencyKey == "" {
			continue
		}
		if _, ok := seen[r.IdempotencyKey]; !ok {
			seen[r.IdempotencyKey] = struct{}{}
			keys = append(keys, r.IdempotencyKey)
		}
	}
	return keys
}

// SealBatch seals rs (which passed [CheckBatch]) for the log of tenant
// whose head is head, in order, as consecutive AppendRecord calls would:
// a record whose key stored finds is answered by [Replay]; a record whose
// key an earlier record of rs has is answered by that record if it is the
// same, and is a store.ErrConflict error otherwise; every other record is
// sealed after the one before it, with recordedAt. stored looks an
// idempotency key up in the tenant's log (false: not there). It returns
// one Pending for each of rs and the head after the batch; the store
// writes the Pending with a Body, in order, and moves its head once.
func SealBatch(tenant string, head store.Head, recordedAt time.Time, rs []comms.Record, stored func(key string) (Stored, bool, error)) ([]Pending, store.Head, error) {
	out := make([]Pending, len(rs))
	inBatch := map[string]int{} // key → index in rs of the record that holds it
	for i, r := range rs {
		if r.IdempotencyKey != "" {
			if j, ok := inBatch[r.IdempotencyKey]; ok {
				prev := out[j].Record
				again, _ := Seal(tenant, prev.Seq, prev.PrevHash, prev.RecordedAt, r)
				if again.Hash != prev.Hash {
					return nil, store.Head{}, fmt.Errorf("%w: records %d and %d of the batch have idempotency key %q but differ in %s",
						store.ErrConflict, j, i, r.IdempotencyKey, strings.Join(differences(prev, again), ", "))
				}
				out[i] = Pending{Record: CloneRecord(prev)}
				continue
			}
			inBatch[r.IdempotencyKey] = i
			st, ok, err := stored(r.IdempotencyKey)
			if err != nil {
				return nil, store.Head{}, err
			}
			if ok {
				got, err := Replay(tenant, st, r)
				if err != nil {
					return nil, store.Head{}, fmt.Errorf("record %d of the batch: %w", i, err)
				}
				out[i] = Pending{Record: got}
				continue
			}
		}
		next := head.Seq + 1
		if err := CheckCorrects(r, next); err != nil {
			return nil, store.Head{}, fmt.Errorf("record %d of the batch: %w", i, err)
		}
		sealed, body := Seal(tenant, next, head.Hash, recordedAt, r)
		out[i] = Pending{Record: sealed, Body: body}
		head = store.Head{Seq: next, Hash: sealed.Hash}
	}
	return out, head, nil
}

// CloneRecord returns r sharing no memory with it: its Audiences and
// Recipients copied.
func CloneRecord(r comms.Record) comms.Record {
	r.Audiences = slices.Clone(r.Audiences)
	r.Recipients = slices.Clone(r.Recipients)
	if r.Score != nil {
		score := *r.Score
		r.Score = &score
	}
	return r
}
