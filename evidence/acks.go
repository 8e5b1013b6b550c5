package evidence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/store"
)

// AckError is a batch of acknowledgements (or a record naming recipients)
// that [AppendAcks] or [AppendRecord] refused: every problem, each with the
// index of the entry at fault in the batch and naming its field
// ("person_id: tenant t has no person \"zoe\" in its rosters").
// errors.Is(err, ErrRefused) is true. Nothing was appended.
type AckError struct {
	Problems []AckProblem
	// More counts the problems left out of Problems, which holds at most
	// 300.
	More int
}

// AckProblem is one thing wrong with entry Index of a batch.
type AckProblem struct {
	Index int
	Err   error
}

func (e *AckError) Error() string {
	var b strings.Builder
	b.WriteString("evidence: acknowledgements refused:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n[%d] %v", p.Index, p.Err)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\nand %d more problems", e.More)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *AckError) Is(target error) bool { return target == ErrRefused }

// Unwrap returns the problems' errors.
func (e *AckError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p.Err
	}
	return errs
}

// maxAckProblems bounds the problems an AckError lists; a batch of
// 100,000 bad rows is refused with the first ones, and a count.
const maxAckProblems = 300

// TenantRoster returns the people of all the tenant's rosters (the latest
// version of each, store.RosterStore.Rosters) as one roster with the ID
// "" — the tenant's people, whatever source each came from. A person
// listed by two rosters (the same ID) is one person, a member of what
// either says: in the groups of both, from the earlier first day to the
// later last day (an open one, zero, is the earliest or latest of all),
// with the name and e-mail address of the first roster in ID order that
// gives one. ok is false when st keeps no rosters (it lacks the
// capability) or the tenant has none.
func TenantRoster(ctx context.Context, st store.Store, tenant string) (r comms.Roster, ok bool, err error) {
	rs, can := st.(store.RosterStore)
	if !can {
		return comms.Roster{}, false, nil
	}
	versions, err := fallible.Collect(rs.Rosters(ctx, tenant))
	if err != nil {
		return comms.Roster{}, false, fmt.Errorf("evidence: rosters: %w", err)
	}
	if len(versions) == 0 {
		return comms.Roster{}, false, nil
	}
	if len(versions) == 1 {
		return versions[0].Roster, true, nil
	}
	at := map[string]int{}
	for _, v := range versions {
		for _, p := range v.Roster.People {
			i, seen := at[p.ID]
			if !seen {
				at[p.ID] = len(r.People)
				r.People = append(r.People, p)
				continue
			}
			q := &r.People[i]
			groups := append([]string(nil), q.Stakeholders...)
			for _, s := range p.Stakeholders {
				if !q.In(s) {
					groups = append(groups, s)
				}
			}
			q.Stakeholders = groups
			if q.Name == "" {
				q.Name = p.Name
			}
			if q.Email == "" {
				q.Email = p.Email
			}
			if p.From.IsZero() || !q.From.IsZero() && p.From.Before(q.From) {
				q.From = p.From
			}
			if p.Until.IsZero() || !q.Until.IsZero() && p.Until.After(q.Until) {
				q.Until = p.Until
			}
		}
	}
	return r, true, nil
}

// AppendAcks checks acknowledgements and appends them to the tenant's log
// as one batch: all of them, or, if any is refused, none (the checked
// append of acknowledgements; [AppendRecord] routes a single one here).
//
// Each entry is a record of type comms.RecordTypeAck (an empty Type is
// taken as one) naming the plan (PlanID; PlanVersion 0 means the latest),
// the activity, the person (PersonID) and the message version
// acknowledged (Digest), with SentAt the moment of acknowledgement. The
// checks, all made before anything is written:
//
//   - the plan has the activity, and the channel, if named, is the plan's
//     (comms.Plan.CheckRecord);
//   - the digest is a version the activity's message has had in some
//     version of the plan (store.Versions): an acknowledgement of a
//     version that never existed is refused;
//   - the person is in one of the tenant's rosters ([TenantRoster]); a
//     tenant without a roster has no one to acknowledge;
//   - the acknowledgement was made by now;
//   - an entry without an idempotency key gets comms.AckKey's, so that a
//     person's acknowledgement of a version submitted twice, in one batch
//     or two, is stored once.
//
// A person acknowledges a version once: the first acknowledgement stands.
// An entry under comms.AckKey that the log already holds, or that an
// earlier entry of the batch has, is answered with that acknowledgement,
// whatever its time (a second click is not a conflict). An entry under a
// key of the caller's own is the store's: the same record again is
// answered with the stored one, another under that key is refused
// (store.ErrConflict), the whole batch with it.
//
// appended is how many of the records this call added to the log; the
// others answer entries that were there already (or came twice).
//
// A batch that fails is refused with an *[AckError] listing every problem
// by index (errors.Is(err, ErrRefused)). Appending goes through
// store.BatchAppender, one transaction, when st has it; otherwise entry by
// entry through AppendRecord, under their keys, so that a run again after
// a failure appends only what is missing. The stored records come back in
// the order given, with their times in the plan's zone.
func AppendAcks(ctx context.Context, st store.Store, tenant string, acks []comms.Record, now time.Time) (records []comms.Record, appended int, err error) {
	switch {
	case st == nil:
		return nil, 0, invalid("append acknowledgements: no store")
	case tenant == "":
		return nil, 0, invalid("append acknowledgements: no tenant")
	case now.IsZero():
		return nil, 0, invalid("append acknowledgements: no now (the reference time)")
	case len(acks) > store.MaxBatch:
		return nil, 0, invalid("append acknowledgements: %d entries, more than a batch holds (%d)", len(acks), store.MaxBatch)
	case len(acks) == 0:
		return nil, 0, nil
	}
	roster, _, err := TenantRoster(ctx, st, tenant)
	if err != nil {
		return nil, 0, err
	}
	c := ackChecker{ctx: ctx, st: st, tenant: tenant, now: now, plans: map[string]*planHistory{}, people: personIndex(roster)}
	batch := make([]comms.Record, len(acks))
	var refusal AckError
	for i, r := range acks {
		r, problems, err := c.check(r)
		if err != nil {
			return nil, 0, err
		}
		batch[i] = r
		for _, p := range problems {
			if len(refusal.Problems) < maxAckProblems {
				refusal.Problems = append(refusal.Problems, AckProblem{Index: i, Err: p})
			} else {
				refusal.More++
			}
		}
	}
	if len(refusal.Problems) > 0 {
		return nil, 0, &refusal
	}
	head, err := lastSeq(ctx, st, tenant)
	if err != nil {
		return nil, 0, fmt.Errorf("evidence: append acknowledgements: %w", err)
	}
	got, err := appendOnce(ctx, st, tenant, batch)
	for try := 0; errors.Is(err, store.ErrConflict) && try < 3; try++ {
		// Some were acknowledged before, at another time: the first
		// stands. Find them, and append the rest (again, if another
		// writer acknowledged one of them meanwhile).
		stored, rerr := storedAcks(ctx, st, tenant, batch)
		if rerr != nil {
			return nil, 0, rerr
		}
		got, err = appendOnce(ctx, st, tenant, batch, stored)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("evidence: append acknowledgements: %w", err)
	}
	counted := map[int64]bool{}
	for i := range got {
		got[i] = got[i].In(c.plans[batch[i].PlanID].loc) // the plan checked, not one the store names
		if s := got[i].Seq; s > head && !counted[s] {
			counted[s] = true
			appended++
		}
	}
	return got, appended, nil
}

// lastSeq returns the sequence number of the tenant's last record, found
// with O(log n) reads of one record each (Records after a cursor): a
// store has no cheaper way to say it than Verify, which reads them all. A
// record that cannot be read is there all the same.
func lastSeq(ctx context.Context, st store.Store, tenant string) (int64, error) {
	after := func(seq int64) (bool, error) { // is there a record after seq?
		for _, err := range st.Records(ctx, tenant, store.RecordQuery{After: seq, Limit: 1}) {
			var ce *store.ChainError
			if err != nil && !errors.As(err, &ce) {
				return false, err
			}
			return true, nil
		}
		return false, nil
	}
	if ok, err := after(0); err != nil || !ok {
		return 0, err
	}
	lo, hi := int64(0), int64(1) // a record after lo; is there one after hi?
	for {
		ok, err := after(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := after(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, nil
}

// appendOnce appends the entries of batch that are new: not under a
// default acknowledgement key that an earlier entry has, or stored has.
// It returns a record for each entry of batch: the one appended, or the
// one that answers it.
func appendOnce(ctx context.Context, st store.Store, tenant string, batch []comms.Record, stored ...map[string]comms.Record) ([]comms.Record, error) {
	var known map[string]comms.Record
	if len(stored) > 0 {
		known = stored[0]
	}
	first := map[string]int{} // default key → index of its first entry
	answer := make([]int, len(batch))
	fresh := make([]comms.Record, 0, len(batch))
	for i, r := range batch {
		answer[i] = -1
		if r.IdempotencyKey != comms.AckKey(r.PlanID, r.ActivityID, r.Digest, r.PersonID) {
			fresh = append(fresh, r) // the caller's key: the store decides
			answer[i] = len(fresh) - 1
			continue
		}
		if _, ok := known[r.IdempotencyKey]; ok {
			continue
		}
		if j, ok := first[r.IdempotencyKey]; ok {
			answer[i] = answer[j]
			continue
		}
		first[r.IdempotencyKey] = i
		fresh = append(fresh, r)
		answer[i] = len(fresh) - 1
	}
	var got []comms.Record
	var err error
	if ba, ok := st.(store.BatchAppender); ok {
		got, err = ba.AppendRecords(ctx, tenant, fresh)
	} else {
		got = make([]comms.Record, 0, len(fresh))
		for _, r := range fresh {
			s, aerr := st.AppendRecord(ctx, tenant, r)
			if aerr != nil {
				err = fmt.Errorf("%d of %d appended: %w", len(got), len(fresh), aerr)
				break
			}
			got = append(got, s)
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]comms.Record, len(batch))
	for i, r := range batch {
		if answer[i] >= 0 {
			out[i] = got[answer[i]]
		} else {
			out[i] = known[r.IdempotencyKey]
		}
	}
	return out, nil
}

// storedAcks returns the acknowledgements of the batch's activities that
// the log holds, by key.
func storedAcks(ctx context.Context, st store.Store, tenant string, batch []comms.Record) (map[string]comms.Record, error) {
	activities, plans := map[string]bool{}, map[string]bool{}
	for _, r := range batch {
		activities[r.ActivityID], plans[r.PlanID] = true, true
	}
	stored := map[string]comms.Record{}
	for id := range activities {
		for r, err := range st.Records(ctx, tenant, store.RecordQuery{ActivityID: id}) {
			if err != nil {
				return nil, fmt.Errorf("evidence: append acknowledgements: records of %s: %w", id, err)
			}
			if r.Type == comms.RecordTypeAck && r.IdempotencyKey != "" && plans[r.PlanID] {
				if _, dup := stored[r.IdempotencyKey]; !dup {
					stored[r.IdempotencyKey] = r
				}
			}
		}
	}
	return stored, nil
}

// planHistory is what the checks of acknowledgements need of one plan.
type planHistory struct {
	versions []store.Version
	loc      *time.Location
	digests  map[string]map[string]bool // activity → every digest it has had
}

type ackChecker struct {
	ctx    context.Context
	st     store.Store
	tenant string
	now    time.Time
	plans  map[string]*planHistory
	people map[string]bool
}

func personIndex(r comms.Roster) map[string]bool {
	m := make(map[string]bool, len(r.People))
	for _, p := range r.People {
		m[p.ID] = true
	}
	return m
}

// history reads a plan's versions once per batch.
func (c *ackChecker) history(planID string) (*planHistory, error) {
	if h, ok := c.plans[planID]; ok {
		return h, nil
	}
	versions, err := fallible.Collect(c.st.Versions(c.ctx, c.tenant, planID))
	if err != nil {
		return nil, fmt.Errorf("evidence: append acknowledgements: plan %s: %w", planID, err)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("evidence: append acknowledgements: plan %s: %w", planID, store.ErrNotFound)
	}
	loc, err := versions[len(versions)-1].Plan.Location()
	if err != nil {
		return nil, fmt.Errorf("evidence: append acknowledgements: plan %s: %w", planID, err)
	}
	h := &planHistory{versions: versions, loc: loc, digests: map[string]map[string]bool{}}
	for _, v := range versions {
		for _, a := range v.Plan.Activities {
			if d := a.What.Version.Digest; d != "" {
				if h.digests[a.ID] == nil {
					h.digests[a.ID] = map[string]bool{}
				}
				h.digests[a.ID][d] = true
			}
		}
	}
	c.plans[planID] = h
	return h, nil
}

// check completes r (type, plan version, key) and returns what is wrong
// with it, or the error of a store that failed to say.
func (c *ackChecker) check(r comms.Record) (comms.Record, []error, error) {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if r.Type == "" {
		r.Type = comms.RecordTypeAck
	}
	if r.Type != comms.RecordTypeAck {
		bad("type: %q is not an acknowledgement (%s)", r.Type, comms.RecordTypeAck)
	}
	if r.PlanID == "" {
		bad("plan_id: the acknowledgement names no plan")
		return r, problems, nil
	}
	h, err := c.history(r.PlanID)
	if errors.Is(err, store.ErrNotFound) {
		bad("plan_id: tenant %s has no plan %s", c.tenant, r.PlanID)
		return r, problems, nil
	}
	if err != nil {
		return r, nil, err
	}
	v := h.versions[len(h.versions)-1]
	if r.PlanVersion != 0 {
		if r.PlanVersion < 1 || r.PlanVersion > len(h.versions) || h.versions[r.PlanVersion-1].Number != r.PlanVersion {
			bad("plan_version: plan %s has no version %d", r.PlanID, r.PlanVersion)
			return r, problems, nil
		}
		v = h.versions[r.PlanVersion-1]
	}
	r.PlanVersion = v.Number
	if err := v.Plan.CheckRecord(r); err != nil {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			problems = append(problems, joined.Unwrap()...)
		} else {
			problems = append(problems, err)
		}
	}
	switch {
	case r.ActivityID == "":
		bad("activity_id: an acknowledgement names the activity whose message it acknowledges")
	case h.digests[r.ActivityID] == nil:
		if _, ok := v.Plan.Activity(r.ActivityID); ok {
			bad("activity_id: the message of activity %s has never had a version (what.version.digest) to acknowledge", r.ActivityID)
		}
	case r.Digest == "":
		bad("digest: an acknowledgement names the message version acknowledged")
	case !h.digests[r.ActivityID][r.Digest]:
		bad("digest: %s is not a version the message of activity %s has had in plan %s", r.Digest, r.ActivityID, r.PlanID)
	}
	switch {
	case r.PersonID == "":
		bad("person_id: an acknowledgement names the person who acknowledged")
	case len(c.people) == 0:
		bad("person_id: tenant %s has no roster, so no person %q (import one first)", c.tenant, r.PersonID)
	case !c.people[r.PersonID]:
		bad("person_id: tenant %s has no person %q in its rosters", c.tenant, r.PersonID)
	}
	switch {
	case r.SentAt.IsZero():
		bad("sent_at: the moment of acknowledgement is missing")
	case r.SentAt.After(c.now):
		bad("sent_at: %s is after the reference time %s: a record tells what has happened",
			r.SentAt.In(h.loc).Format(time.RFC3339), c.now.In(h.loc).Format(time.RFC3339))
	}
	if r.IdempotencyKey == "" && r.ActivityID != "" && r.Digest != "" && r.PersonID != "" {
		r.IdempotencyKey = comms.AckKey(r.PlanID, r.ActivityID, r.Digest, r.PersonID)
	}
	return r, problems, nil
}

// checkRecipients returns what is wrong with the recipients a sent record
// names: each must be a person of the tenant's rosters.
func checkRecipients(ctx context.Context, st store.Store, tenant string, ids []string) ([]error, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	roster, _, err := TenantRoster(ctx, st, tenant)
	if err != nil {
		return nil, err
	}
	if len(roster.People) == 0 {
		return []error{fmt.Errorf("recipients: tenant %s has no roster, so no person %q (import one first)", tenant, ids[0])}, nil
	}
	people := personIndex(roster)
	var problems []error
	unknown := 0
	for i, id := range ids {
		if !people[id] {
			if unknown < 20 {
				problems = append(problems, fmt.Errorf("recipients[%d]: tenant %s has no person %q in its rosters", i, tenant, id))
			}
			unknown++
		}
	}
	if unknown > 20 {
		problems = append(problems, fmt.Errorf("recipients: and %d more unknown people", unknown-20))
	}
	return problems, nil
}
