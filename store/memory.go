package store

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// MemoryOptions configures [NewMemory]. The zero value is the default.
type MemoryOptions struct {
	// Now is the clock for SavedAt and RecordedAt; nil means time.Now.
	Now func() time.Time
}

// Memory is a Store that keeps everything in memory: the default for tests,
// demos and embedding. It is safe for concurrent use by multiple
// goroutines; tenants do not block each other's record appends.
type Memory struct {
	now     func() time.Time
	mu      sync.RWMutex
	tenants map[string]*memTenant
}

type memTenant struct {
	mu      sync.RWMutex
	plans   map[string][]Version // by plan ID, versions in order
	events  map[string]comms.Event
	records []Stored       // the log as kept, for Verify
	decoded []comms.Record // the same records, decoded once, for listing
	// columns are what Records selects by, as a database store's columns:
	// Verify checks them against records.
	columns []Columns
	head    Head // the last record appended
}

// NewMemory returns an empty in-memory store. A nil o means the defaults.
func NewMemory(o *MemoryOptions) *Memory {
	m := &Memory{now: time.Now, tenants: map[string]*memTenant{}}
	if o != nil && o.Now != nil {
		m.now = o.Now
	}
	return m
}

var _ Store = (*Memory)(nil)

// tenant returns the tenant's data, creating it if create is set.
func (m *Memory) tenant(ctx context.Context, tenant string, create bool) (*memTenant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := CheckTenant(tenant); err != nil {
		return nil, err
	}
	m.mu.RLock()
	t := m.tenants[tenant]
	m.mu.RUnlock()
	if t != nil || !create {
		return t, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t = m.tenants[tenant]; t == nil {
		t = &memTenant{plans: map[string][]Version{}, events: map[string]comms.Event{}}
		m.tenants[tenant] = t
	}
	return t, nil
}

// clonePlan deep-copies a plan, so that no caller can change what the
// store holds.
func clonePlan(p comms.Plan) comms.Plan {
	q := p
	q.Calendars = slices.Clone(p.Calendars)
	for i := range q.Calendars {
		q.Calendars[i].Weekend = slices.Clone(q.Calendars[i].Weekend)
		q.Calendars[i].Holidays = slices.Clone(q.Calendars[i].Holidays)
	}
	q.Roles = slices.Clone(p.Roles)
	q.Stakeholders = slices.Clone(p.Stakeholders)
	q.Channels = slices.Clone(p.Channels)
	for i := range q.Channels {
		q.Channels[i].Reach = slices.Clone(q.Channels[i].Reach)
	}
	q.Activities = slices.Clone(p.Activities)
	for i := range q.Activities {
		a := &q.Activities[i]
		a.Whom, a.How, a.Support, a.Obligations = slices.Clone(a.Whom), slices.Clone(a.How), slices.Clone(a.Support), slices.Clone(a.Obligations)
		a.When.Exdates, a.When.Rdates = slices.Clone(a.When.Exdates), slices.Clone(a.When.Rdates)
	}
	q.Waivers = slices.Clone(p.Waivers)
	if p.Approved != nil {
		ap := *p.Approved
		q.Approved = &ap
	}
	return q
}

func cloneEvent(e comms.Event) comms.Event {
	e.Milestones = slices.Clone(e.Milestones)
	if e.Labels != nil {
		labels := make(map[string]string, len(e.Labels))
		for k, v := range e.Labels {
			labels[k] = v
		}
		e.Labels = labels
	}
	return e
}

func cloneVersion(v Version) Version {
	v.Plan = clonePlan(v.Plan)
	return v
}

// SavePlan implements Store.
func (m *Memory) SavePlan(ctx context.Context, tenant string, p comms.Plan, expect int) (int, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return 0, err
	}
	// The memory store keeps the plan as a value, but accepts exactly the
	// plans the database stores accept: valid, and with a stored form
	// within the limit.
	if _, err := EncodePlan(p); err != nil {
		return 0, err
	}
	info := SaveInfoFrom(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	versions := t.plans[p.ID]
	if latest := len(versions); expect != latest {
		return 0, fmt.Errorf("%w: plan %q is at version %d, not %d", ErrConflict, p.ID, latest, expect)
	}
	v := Version{PlanID: p.ID, Number: len(versions) + 1, Plan: clonePlan(p), SavedAt: m.now().UTC(), SavedBy: info.By, Note: info.Note}
	t.plans[p.ID] = append(versions, v)
	return v.Number, nil
}

// Plan implements Store.
func (m *Memory) Plan(ctx context.Context, tenant, id string) (Version, error) {
	return m.PlanVersion(ctx, tenant, id, 0)
}

// PlanVersion implements Store. Version 0 means the latest.
func (m *Memory) PlanVersion(ctx context.Context, tenant, id string, v int) (Version, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return Version{}, err
	}
	if t != nil {
		t.mu.RLock()
		defer t.mu.RUnlock()
		versions := t.plans[id]
		if v == 0 {
			v = len(versions)
		}
		if v >= 1 && v <= len(versions) {
			return cloneVersion(versions[v-1]), nil
		}
	}
	return Version{}, fmt.Errorf("%w: plan %q version %d", ErrNotFound, id, v)
}

// Plans implements Store.
func (m *Memory) Plans(ctx context.Context, tenant string) iter.Seq2[Version, error] {
	return func(yield func(Version, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err != nil {
			yield(Version{}, err)
			return
		}
		if t == nil {
			return
		}
		t.mu.RLock()
		latest := make([]Version, 0, len(t.plans))
		for _, vs := range t.plans {
			latest = append(latest, cloneVersion(vs[len(vs)-1]))
		}
		t.mu.RUnlock()
		slices.SortFunc(latest, func(a, b Version) int { return cmp.Compare(a.PlanID, b.PlanID) })
		for _, v := range latest {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Versions implements Store.
func (m *Memory) Versions(ctx context.Context, tenant, id string) iter.Seq2[Version, error] {
	return func(yield func(Version, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err != nil {
			yield(Version{}, err)
			return
		}
		if t == nil {
			return
		}
		t.mu.RLock()
		vs := make([]Version, len(t.plans[id]))
		for i, v := range t.plans[id] {
			vs[i] = cloneVersion(v)
		}
		t.mu.RUnlock()
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// SaveEvent implements Store.
func (m *Memory) SaveEvent(ctx context.Context, tenant string, e comms.Event) error {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return err
	}
	if err := CheckEvent(e); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	t.events[e.ID] = cloneEvent(e)
	return nil
}

// Event implements Store.
func (m *Memory) Event(ctx context.Context, tenant, id string) (comms.Event, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return comms.Event{}, err
	}
	if t != nil {
		t.mu.RLock()
		defer t.mu.RUnlock()
		if e, ok := t.events[id]; ok {
			return cloneEvent(e), nil
		}
	}
	return comms.Event{}, fmt.Errorf("%w: event %q", ErrNotFound, id)
}

// Events implements Store.
func (m *Memory) Events(ctx context.Context, tenant string, q EventQuery) iter.Seq2[comms.Event, error] {
	return func(yield func(comms.Event, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err != nil {
			yield(comms.Event{}, err)
			return
		}
		if t == nil {
			return
		}
		t.mu.RLock()
		var out []comms.Event
		for _, e := range t.events {
			if EventMatches(q, e) {
				out = append(out, cloneEvent(e))
			}
		}
		t.mu.RUnlock()
		SortEvents(out)
		for _, e := range out {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// EventMatches reports whether e matches q.
func EventMatches(q EventQuery, e comms.Event) bool {
	start := e.Start()
	switch {
	case q.Kind != "" && e.Kind != q.Kind,
		!q.From.IsZero() && start.Before(q.From),
		!q.To.IsZero() && !start.Before(q.To):
		return false
	}
	return true
}

// SortEvents orders events by their first milestone, then ID.
func SortEvents(es []comms.Event) {
	slices.SortFunc(es, func(a, b comms.Event) int {
		if c := a.Start().Compare(b.Start()); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// AppendRecord implements Store.
func (m *Memory) AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return comms.Record{}, err
	}
	if err := CheckRecord(r); err != nil {
		return comms.Record{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return comms.Record{}, err
	}
	seq := int64(len(t.records)) + 1
	if r.Corrects != 0 && r.Corrects >= seq {
		return comms.Record{}, invalid("record corrects record %d, which does not exist", r.Corrects)
	}
	prev := ""
	if n := len(t.records); n > 0 {
		prev = t.records[n-1].Hash
	}
	sealed, body := Seal(tenant, seq, prev, m.now(), r)
	t.records = append(t.records, Stored{Seq: seq, Body: body, Hash: sealed.Hash})
	t.decoded = append(t.decoded, sealed)
	t.columns = append(t.columns, ColumnsOf(sealed))
	t.head = Head{Seq: seq, Hash: sealed.Hash}
	sealed.Audiences = slices.Clone(sealed.Audiences)
	return sealed, nil
}

// Records implements Store. It reads a page of records at a time, so a
// long listing never holds the tenant's lock while the caller works.
func (m *Memory) Records(ctx context.Context, tenant string, q RecordQuery) iter.Seq2[comms.Record, error] {
	return func(yield func(comms.Record, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err != nil {
			yield(comms.Record{}, err)
			return
		}
		if t == nil {
			return
		}
		after, n := q.After, 0
		for {
			if err := ctx.Err(); err != nil {
				yield(comms.Record{}, err)
				return
			}
			t.mu.RLock()
			var page []comms.Record
			var bad error
			for i := max(after, 0); i < int64(len(t.decoded)) && len(page) < 256; i++ {
				r := t.decoded[i]
				after = r.Seq
				if q.matchColumns(t.columns[i]) {
					if !q.Match(r) {
						bad = &ChainError{Tenant: tenant, Seq: r.Seq, Reason: "the store selected it for a query its content does not match (a stored column was changed)"}
						break
					}
					r.Audiences = slices.Clone(r.Audiences)
					page = append(page, r)
				}
			}
			done := after >= int64(len(t.decoded))
			t.mu.RUnlock()
			for _, r := range page {
				if !yield(r, nil) {
					return
				}
				if n++; q.Limit > 0 && n >= q.Limit {
					return
				}
			}
			if bad != nil {
				yield(comms.Record{}, bad)
				return
			}
			if done {
				return
			}
		}
	}
}

// Verify implements Store.
func (m *Memory) Verify(ctx context.Context, tenant string) (Head, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil || t == nil {
		return Head{}, err
	}
	t.mu.RLock()
	rows, head := slices.Clone(t.records), t.head
	columns := slices.Clone(t.columns)
	t.mu.RUnlock()
	return VerifyChain(ctx, tenant, func(yield func(Stored, error) bool) {
		for _, r := range rows {
			if i := r.Seq - 1; i >= 0 && i < int64(len(columns)) {
				r.Columns = &columns[i]
			}
			if !yield(r, nil) {
				return
			}
		}
	}, head)
}
