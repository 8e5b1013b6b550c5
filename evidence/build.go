package evidence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// BuildOptions say what [Build] reads and judges. Tenant, PlanID and Now
// are required; a missing one is an error wrapping [ErrInvalid].
type BuildOptions struct {
	// Tenant is the tenant whose plan, events and records are read.
	Tenant string
	// PlanID is the plan; every version of it is read, and each
	// occurrence is judged against the version in force when it was due.
	PlanID string
	// From (inclusive) and To (exclusive) bound the period. A zero To is
	// Now; a zero From is a year before To.
	From, To time.Time
	// Now is the reference time for what is due, missed or upcoming.
	// There is no default: a report never reads the clock behind its
	// caller's back.
	Now time.Time
	// CheckOptions are passed to matrix.Check for the findings. The
	// profiles the plan declares are applied without them; a
	// matrix.Profile here adds to those.
	CheckOptions []matrix.CheckOption
	// Names lists the people in the report's acknowledgement figures
	// (Input.Names); without it, counts and rates only.
	Names bool
}

// Build reads a plan's versions and the tenant's events from st, verifies
// the tenant's record chain, and evaluates the period at Now against
// exactly the records it verified (see [Evaluate]; the assessment's times
// are in the plan's zone).
//
// The records are one consistent snapshot: Build takes the head that
// Verify returns (how many records, the last one's hash), reads the log up
// to that head in sequence order, and checks as it reads that the records
// are numbered 1 to head.Seq, that each one's hash is that of its content
// and links to the one before, and that the last is the head. Records
// appended after Verify are not read; a store whose Records returns other
// records than those it verified (a copy of a column edited outside the
// hashed body, say) is caught. The plan and the period are selected in
// memory, not by the store's query columns.
//
// The tenant's rosters, where the store keeps them ([TenantRoster]), give
// the sizes of the groups they cover and the acknowledgement figures of
// versioned messages (Assessment.Acknowledgements).
//
// A broken chain, or records that are not those verified, do not stop the
// report: the report's Chain says so, and it is the first thing the
// Markdown and HTML show. Build returns an error only when an option is
// missing ([ErrInvalid]), the store fails, or the plan does not exist
// (store.ErrNotFound).
func Build(ctx context.Context, st store.Store, opts BuildOptions) (*Assessment, error) {
	from, to, err := buildPeriod(st, opts)
	if err != nil {
		return nil, err
	}
	tenant, planID := opts.Tenant, opts.PlanID
	versions, err := fallible.Collect(st.Versions(ctx, tenant, planID))
	if err != nil {
		return nil, fmt.Errorf("evidence: plan %s: %w", planID, err)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("evidence: plan %s: %w", planID, store.ErrNotFound)
	}
	// Events from two months before the period (an incident's deadlines
	// can fall in it), and from the start of its first calendar year (a
	// year's drills are counted over the whole year).
	eventsFrom := earlier(from.AddDate(0, -2, 0), time.Date(from.Year(), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
	events, err := fallible.Collect(st.Events(ctx, tenant, store.EventQuery{From: eventsFrom, To: to}))
	if err != nil {
		return nil, fmt.Errorf("evidence: events: %w", err)
	}
	head, err := st.Verify(ctx, tenant)
	chain := Chain{Checked: true, OK: true, Verified: head.Seq, HeadHash: head.Hash}
	if err != nil {
		var ce *store.ChainError
		if !errors.As(err, &ce) {
			return nil, fmt.Errorf("evidence: verify: %w", err)
		}
		chain = Chain{Checked: true, Verified: max(ce.Seq-1, 0), Seq: ce.Seq, Error: chainReason(ce)}
	}
	// Records sent before the period cannot answer its occurrences, except
	// those that name one; two months of slack cover every sensible window.
	lookback := from.AddDate(0, -2, 0)
	// Acknowledgements, and the deliveries of versioned messages that
	// start their rounds, count however old they are.
	relevant := func(r comms.Record) bool {
		return (r.PlanID == "" || r.PlanID == planID) &&
			(!r.SentAt.Before(lookback) || !r.Occurrence.IsZero() && !r.Occurrence.Before(from) ||
				r.Type == comms.RecordTypeAck || r.Digest != "")
	}
	records, err := buildRecords(ctx, st, tenant, head, relevant, &chain)
	if err != nil {
		return nil, err
	}
	var roster *comms.Roster
	if r, ok, err := TenantRoster(ctx, st, tenant); err != nil {
		return nil, err
	} else if ok {
		roster = &r
	}
	return Evaluate(Input{
		Tenant: tenant, Versions: versions, Records: records, Events: events,
		From: from, To: to, Now: opts.Now, Chain: &chain, CheckOptions: opts.CheckOptions,
		Roster: roster, Names: opts.Names,
	})
}

// buildPeriod checks Build's options and returns the period they give.
func buildPeriod(st store.Store, opts BuildOptions) (from, to time.Time, err error) {
	switch {
	case st == nil:
		return from, to, invalid("build: no store")
	case opts.Tenant == "":
		return from, to, invalid("build: no Tenant")
	case opts.PlanID == "":
		return from, to, invalid("build: no PlanID")
	case opts.Now.IsZero():
		return from, to, invalid("build: no Now (the reference time)")
	}
	from, to = opts.From, opts.To
	if to.IsZero() {
		to = opts.Now
	}
	if from.IsZero() {
		from = to.AddDate(-1, 0, 0)
	}
	if !to.After(from) {
		return from, to, invalid("build: the period ends (%v) before it begins (%v)", to, from)
	}
	return from, to, nil
}

// buildRecords reads the records relevant says for a report whose chain
// Verify found as chain says, up to head: exactly the records verified
// when the chain is intact (chain is changed to say so where they are
// not), the log as it is when it is broken.
func buildRecords(ctx context.Context, st store.Store, tenant string, head store.Head, relevant func(comms.Record) bool, chain *Chain) ([]comms.Record, error) {
	var records []comms.Record
	switch {
	case !chain.OK:
		// Nothing verified to hold the read to: read the log as it is,
		// past the records the store will not return.
		records, unreadable, readTo, err := ReadRecords(ctx, st, tenant, store.RecordQuery{}, relevant)
		chain.Unreadable, chain.ReadTo = unreadable, readTo
		if err != nil {
			return nil, fmt.Errorf("evidence: records: %w", err)
		}
		return records, nil
	case head.Seq > 0:
		check := snapshot{tenant: tenant, head: head}
		for r, err := range st.Records(ctx, tenant, store.RecordQuery{Limit: int(min(head.Seq, maxLimit))}) {
			if err != nil {
				return nil, fmt.Errorf("evidence: records: %w", err)
			}
			if !check.next(r) {
				break
			}
			if relevant(r) {
				records = append(records, r)
			}
		}
		if seq, reason := check.end(); reason != "" {
			*chain = Chain{Checked: true, Verified: head.Seq, HeadHash: head.Hash, Seq: seq,
				Error: fmt.Sprintf("the records read for the report are not the %d verified: %s", head.Seq, reason)}
		}
	}
	return records, nil
}

// chainReason is what Chain.Error says of a broken chain: the store's
// reason, with the column it names, without the sentence around it that
// the report already says ("record chain of tenant ... broken at record
// 6").
func chainReason(ce *store.ChainError) string {
	if ce.Column != "" && !strings.Contains(ce.Reason, ce.Column) {
		return ce.Reason + " (column " + ce.Column + ")"
	}
	return ce.Reason
}

// ReadRecords reads the tenant's records that q selects and keep (nil:
// all) from a log that may be damaged: a record the store will not return
// because its content does not match its hash (an edited record: the
// store yields a *store.ChainError for it) is left out, listed in
// unreadable with the store's reason, and the read goes on after it, so that
// one edited record does not keep a report or an agenda from being made.
// After MaxUnreadable such records it stops reading; readTo is then the
// last record it read past, and zero when it read to the end. Any other
// error ends the read. Nothing here is verified: Build verifies the
// chain first and reads with ReadRecords only when it is broken.
func ReadRecords(ctx context.Context, st store.Store, tenant string, q store.RecordQuery, keep func(comms.Record) bool) (records []comms.Record, unreadable []Unreadable, readTo int64, err error) {
	if q.Limit != 0 {
		return nil, nil, 0, invalid("read records: a Limit is not supported")
	}
	for {
		var bad *store.ChainError
		for r, err := range st.Records(ctx, tenant, q) {
			if err != nil {
				if !errors.As(err, &bad) || bad.Seq <= q.After {
					return nil, nil, 0, err
				}
				break
			}
			q.After = r.Seq
			if keep == nil || keep(r) {
				records = append(records, r)
			}
		}
		if bad == nil {
			return records, unreadable, 0, nil
		}
		if len(unreadable) == MaxUnreadable {
			return records, unreadable, q.After, nil
		}
		unreadable = append(unreadable, Unreadable{Seq: bad.Seq, Reason: bad.Reason})
		q.After = bad.Seq
	}
}

// maxLimit is the largest RecordQuery.Limit on every platform.
const maxLimit = int64(^uint(0) >> 1)

// snapshot checks that the records read after Verify are the records
// verified: 1, 2, 3, ... head.Seq, each one's hash that of its content
// (recomputed, not taken from the store), each linked to the one before,
// the last one's hash the head's. Because each hash covers the previous
// one, a sequence that ends at the verified head's hash is the verified
// log, record for record and field for field.
type snapshot struct {
	tenant string
	head   store.Head
	n      int64  // records read
	prev   string // the hash of the last record read
	bad    int64  // the first record that is not as verified
	reason string
}

// next checks r and reports whether to read on.
func (s *snapshot) next(r comms.Record) bool {
	if s.reason != "" || s.n == s.head.Seq {
		return false // a store that ignores Limit: stop at the head
	}
	want := s.n + 1
	fail := func(format string, args ...any) bool {
		s.bad, s.reason = want, fmt.Sprintf(format, args...)
		return false
	}
	if r.Seq != want {
		return fail("record %d is missing (the store returned record %d in its place)", want, r.Seq)
	}
	sealed, _ := driver.Seal(s.tenant, r.Seq, r.PrevHash, r.RecordedAt, r)
	if sealed.Hash != r.Hash {
		return fail("record %d does not match its hash", want)
	}
	if r.PrevHash != s.prev {
		return fail("record %d does not link to the record before it", want)
	}
	s.n, s.prev = want, sealed.Hash
	return true
}

// end returns the first record that is not as verified and why, or "".
func (s *snapshot) end() (int64, string) {
	switch {
	case s.reason != "":
		return s.bad, s.reason
	case s.n < s.head.Seq:
		return s.n + 1, fmt.Sprintf("the store returned %d records, not %d", s.n, s.head.Seq)
	case s.prev != s.head.Hash:
		return s.n, fmt.Sprintf("record %d is not the head that was verified", s.n)
	}
	return 0, ""
}
