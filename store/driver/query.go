package driver

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/internal/saveinfo"
)

// SaveInfoFrom returns the store.SaveInfo of ctx (zero if none), which
// store.WithSaveInfo put there; stores call it in SavePlan.
func SaveInfoFrom(ctx context.Context) store.SaveInfo {
	info, _ := saveinfo.From(ctx).(store.SaveInfo)
	return info
}

// Fail returns a sequence that yields err, with the zero value, and stops:
// what a listing returns when it fails before its first value.
func Fail[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// RecordMatches reports whether r matches q, ignoring q.After and q.Limit.
func RecordMatches(q store.RecordQuery, r comms.Record) bool {
	switch {
	case q.PlanID != "" && r.PlanID != q.PlanID,
		q.ActivityID != "" && r.ActivityID != q.ActivityID,
		q.EventID != "" && r.EventID != q.EventID,
		!q.From.IsZero() && r.SentAt.Before(q.From),
		!q.To.IsZero() && !r.SentAt.Before(q.To):
		return false
	}
	return true
}

// SentBounds returns q.From and q.To as a database store compares them
// with SentAt, which it keeps to the microsecond: rounded up to the
// microsecond (a zero bound stays zero). Because every SentAt is a whole
// microsecond (see [Seal]), a record is at or after From exactly when it
// is at or after the rounded From, and before To exactly when it is
// before the rounded To; comparing with the bounds as given, truncated to
// microseconds as drivers send them, would select records [RecordMatches]
// does not.
func SentBounds(q store.RecordQuery) (from, to time.Time) {
	return ceilMicro(q.From), ceilMicro(q.To)
}

func ceilMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	if c := t.Truncate(time.Microsecond); !c.Equal(t) {
		return c.Add(time.Microsecond)
	}
	return t
}

// StartBounds returns q.From and q.To widened to whole microseconds (From
// rounded down, To up), for a store that keeps an event's start to the
// microsecond in a column to select by while its body keeps the exact
// time: a query with these bounds returns every event that matches q, and
// perhaps some in the same microsecond as a bound, which the store then
// drops with [EventMatches].
func StartBounds(q store.EventQuery) (from, to time.Time) {
	if !q.From.IsZero() {
		from = q.From.Truncate(time.Microsecond)
	}
	return from, ceilMicro(q.To)
}

// EventMatches reports whether e matches q.
func EventMatches(q store.EventQuery, e comms.Event) bool {
	start := e.Start()
	switch {
	case q.Kind != "" && e.Kind != q.Kind,
		!q.From.IsZero() && start.Before(q.From),
		!q.To.IsZero() && !start.Before(q.To):
		return false
	}
	return true
}

// SortEvents orders events as Events yields them: by their first
// milestone, then in byte order of ID.
func SortEvents(es []comms.Event) {
	slices.SortFunc(es, func(a, b comms.Event) int {
		if c := a.Start().Compare(b.Start()); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// ExactEvents yields the events of seq that match q, in the order of
// [SortEvents], and the first error of seq. It is for a database whose
// query narrows by what it can index (a start time to the microsecond)
// while the event's body holds the exact one: the query may return a few
// events too many and in its own order, and ExactEvents settles both. It
// reads all of seq before it yields; the result is single-use if seq is.
func ExactEvents(q store.EventQuery, seq iter.Seq2[comms.Event, error]) iter.Seq2[comms.Event, error] {
	return func(yield func(comms.Event, error) bool) {
		var out []comms.Event
		for e, err := range seq {
			if err != nil {
				yield(comms.Event{}, err)
				return
			}
			if EventMatches(q, e) {
				out = append(out, e)
			}
		}
		SortEvents(out)
		for _, e := range out {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// SortPlans orders versions as Plans yields them: in byte order of plan
// ID (which a database's collation may not follow), then by number.
func SortPlans(vs []store.Version) {
	slices.SortFunc(vs, func(a, b store.Version) int {
		if c := cmp.Compare(a.PlanID, b.PlanID); c != 0 {
			return c
		}
		return cmp.Compare(a.Number, b.Number)
	})
}

// OpenStoredEvent decodes an event's stored body (JSON), which a store
// read back through its ID column id and, for a listing, its query q (nil
// for a lookup by ID), and checks that the body agrees with the columns
// the store selected it by: its ID is id and, for a listing by kind, its
// kind is q.Kind. An event whose stored ID or kind column was changed is
// not returned as another; that fails with store.ErrCorrupt. (The start
// column, kept to the microsecond, selects by bounds widened to whole
// microseconds, see [StartBounds]; the store filters the exact bounds with
// [EventMatches].) Events are not tamper-evident otherwise: see the store
// package's documentation.
func OpenStoredEvent(id string, body []byte, q *store.EventQuery) (comms.Event, error) {
	var e comms.Event
	if err := json.Unmarshal(body, &e); err != nil {
		return comms.Event{}, fmt.Errorf("%w: stored event %q: %w", store.ErrCorrupt, id, err)
	}
	if e.ID != id {
		return comms.Event{}, fmt.Errorf("%w: stored event %q holds event %q", store.ErrCorrupt, id, e.ID)
	}
	if q != nil && q.Kind != "" && e.Kind != q.Kind {
		return comms.Event{}, fmt.Errorf("%w: stored event %q was selected by kind %q, but its body says %q (its stored kind column was changed)", store.ErrCorrupt, id, q.Kind, e.Kind)
	}
	return e, nil
}

// Pages yields the records q selects, reading them a page at a time by
// keyset paging on the sequence number: fetch returns, in sequence order,
// at most limit records of q with a sequence number greater than after.
// Pages starts after q.After, stops at q.Limit, and reads the next page
// only when the caller has taken the whole of the last one, so a database
// store holds no transaction open while the caller works. It yields an
// error of fetch as its last pair and stops. Each iteration starts again
// from q.After.
func Pages(q store.RecordQuery, pageSize int, fetch func(after int64, limit int) iter.Seq2[comms.Record, error]) iter.Seq2[comms.Record, error] {
	return func(yield func(comms.Record, error) bool) {
		after, n := q.After, 0
		for {
			limit := pageSize
			if q.Limit > 0 {
				limit = min(limit, q.Limit-n)
			}
			got := 0
			for rec, err := range fetch(after, limit) {
				if err != nil {
					yield(comms.Record{}, err)
					return
				}
				if !yield(rec, nil) {
					return
				}
				after = rec.Seq
				got++
				n++
			}
			if got < limit || (q.Limit > 0 && n >= q.Limit) {
				return
			}
		}
	}
}
