// Package memory is a store.Store that keeps everything in memory: the
// default for tests, demos and embedding, and the simplest complete
// implementation of the contract on store/driver.
//
//	st := memory.New(nil)
//	v, err := st.SavePlan(ctx, "acme", plan, 0)
//
// It keeps records as a database store does (the canonical encoding, its
// hash, and copies of the fields queries select by), so that it passes the
// same conformance suite, tamper clauses included, and behaves as the
// persistent stores do. Nothing survives the process.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// Options configures [New]. The zero value is the default.
type Options struct {
	// Now is the clock for SavedAt and RecordedAt; nil means time.Now.
	Now func() time.Time
}

// Store is a store.Store in memory. It is safe for concurrent use by
// multiple goroutines; tenants do not block each other's record appends.
// It holds nothing to release and has no Close. It implements
// store.BatchAppender, store.RosterStore, store.DeliveryLog,
// store.AckReader, store.LeafVerifier and store.TreeReader (the tree's
// stored hashes kept in memory, appended with the records).
type Store struct {
	now     func() time.Time
	mu      sync.RWMutex
	tenants map[string]*tenantData
}

// tenantData is one tenant's share of the store, guarded by mu.
type tenantData struct {
	mu      sync.RWMutex
	plans   map[string][]store.Version       // by plan ID, versions in order
	rosters map[string][]store.RosterVersion // by roster ID, versions in order
	events  map[string]comms.Event
	records []driver.Stored // the log as kept, for Verify
	decoded []comms.Record  // the same records, decoded once, for listing
	// columns are what Records and idempotency keys select by, as a
	// database store's columns: Verify checks them against records.
	columns []driver.Columns
	// keys is the index of idempotency keys: the position of the record
	// whose column holds the key.
	keys map[string]int
	head store.Head // the last record appended
	// tree is the Merkle tree's stored hashes (store.TreeReader), at
	// their tlog.StoredHashIndex, appended with the records.
	tree []tlog.Hash
	// deliveries and checkpoints are the delivery log
	// (store.DeliveryLog): operational state, outside the chain.
	deliveries  map[string]driver.StoredDelivery
	checkpoints map[string]time.Time
}

// New returns an empty in-memory store. A nil o means the defaults.
func New(o *Options) *Store {
	m := &Store{now: time.Now, tenants: map[string]*tenantData{}}
	if o != nil && o.Now != nil {
		m.now = o.Now
	}
	return m
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.RosterStore  = (*Store)(nil)
	_ store.TreeReader   = (*Store)(nil)
	_ store.LeafVerifier = (*Store)(nil)
)

// tenant returns the tenant's data, creating it if create is set.
func (m *Store) tenant(ctx context.Context, id string, create bool) (*tenantData, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := driver.CheckTenant(id); err != nil {
		return nil, err
	}
	m.mu.RLock()
	t := m.tenants[id]
	m.mu.RUnlock()
	if t != nil || !create {
		return t, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t = m.tenants[id]; t == nil {
		t = &tenantData{plans: map[string][]store.Version{}, rosters: map[string][]store.RosterVersion{}, events: map[string]comms.Event{}, keys: map[string]int{},
			deliveries: map[string]driver.StoredDelivery{}, checkpoints: map[string]time.Time{}}
		m.tenants[id] = t
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

func cloneVersion(v store.Version) store.Version {
	v.Plan = clonePlan(v.Plan)
	return v
}

// SavePlan implements store.Store.
func (m *Store) SavePlan(ctx context.Context, tenant string, p comms.Plan, expect int) (int, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return 0, err
	}
	// The memory store keeps the plan as a value, but accepts exactly the
	// plans the database stores accept: valid, and with a stored form
	// within the limit.
	if _, err := driver.EncodePlan(p); err != nil {
		return 0, err
	}
	info := driver.SaveInfoFrom(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	versions := t.plans[p.ID]
	if latest := len(versions); expect != latest {
		return 0, fmt.Errorf("%w: plan %q is at version %d, not %d", store.ErrConflict, p.ID, latest, expect)
	}
	v := store.Version{PlanID: p.ID, Number: len(versions) + 1, Plan: clonePlan(p), SavedAt: m.now().UTC(), SavedBy: info.By, Note: info.Note}
	t.plans[p.ID] = append(versions, v)
	return v.Number, nil
}

// Plan implements store.Store.
func (m *Store) Plan(ctx context.Context, tenant, id string) (store.Version, error) {
	return m.PlanVersion(ctx, tenant, id, 0)
}

// PlanVersion implements store.Store. Version 0 means the latest.
func (m *Store) PlanVersion(ctx context.Context, tenant, id string, v int) (store.Version, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return store.Version{}, err
	}
	if t != nil {
		t.mu.RLock()
		defer t.mu.RUnlock()
		versions := t.plans[id]
		n := v
		if n == 0 {
			n = len(versions)
		}
		if n >= 1 && n <= len(versions) {
			return cloneVersion(versions[n-1]), nil
		}
	}
	if v == 0 {
		return store.Version{}, fmt.Errorf("%w: plan %q", store.ErrNotFound, id)
	}
	return store.Version{}, fmt.Errorf("%w: plan %q version %d", store.ErrNotFound, id, v)
}

// Plans implements store.Store.
func (m *Store) Plans(ctx context.Context, tenant string) iter.Seq2[store.Version, error] {
	return listing(ctx, m, tenant, func(t *tenantData) []store.Version {
		latest := make([]store.Version, 0, len(t.plans))
		for _, vs := range t.plans {
			latest = append(latest, cloneVersion(vs[len(vs)-1]))
		}
		return latest
	}, driver.SortPlans)
}

// Versions implements store.Store.
func (m *Store) Versions(ctx context.Context, tenant, id string) iter.Seq2[store.Version, error] {
	return listing(ctx, m, tenant, func(t *tenantData) []store.Version {
		vs := make([]store.Version, len(t.plans[id]))
		for i, v := range t.plans[id] {
			vs[i] = cloneVersion(v)
		}
		return vs
	}, nil)
}

// listing yields what take copies out of the tenant's data under its read
// lock, in the order sort (if not nil) puts it after the lock is released;
// an unknown tenant lists nothing. Copying first means a caller may write
// to the store while it iterates.
func listing[T any](ctx context.Context, m *Store, id string, take func(*tenantData) []T, sort func([]T)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		t, err := m.tenant(ctx, id, false)
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		if t == nil {
			return
		}
		t.mu.RLock()
		out := take(t)
		t.mu.RUnlock()
		if sort != nil {
			sort(out)
		}
		for _, v := range out {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// SaveEvent implements store.Store.
func (m *Store) SaveEvent(ctx context.Context, tenant string, e comms.Event) error {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return err
	}
	if err := driver.CheckEvent(e); err != nil {
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

// Event implements store.Store.
func (m *Store) Event(ctx context.Context, tenant, id string) (comms.Event, error) {
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
	return comms.Event{}, fmt.Errorf("%w: event %q", store.ErrNotFound, id)
}

// Events implements store.Store.
func (m *Store) Events(ctx context.Context, tenant string, q store.EventQuery) iter.Seq2[comms.Event, error] {
	return listing(ctx, m, tenant, func(t *tenantData) []comms.Event {
		var out []comms.Event
		for _, e := range t.events {
			if driver.EventMatches(q, e) {
				out = append(out, cloneEvent(e))
			}
		}
		return out
	}, driver.SortEvents)
}

// AppendRecord implements store.Store.
func (m *Store) AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return comms.Record{}, err
	}
	if err := driver.CheckRecord(r); err != nil {
		return comms.Record{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return comms.Record{}, err
	}
	if r.IdempotencyKey != "" {
		if i, ok := t.keys[r.IdempotencyKey]; ok {
			st := t.records[i]
			st.Columns = &t.columns[i]
			return driver.Replay(tenant, st, r)
		}
	}
	seq := t.head.Seq + 1
	if err := driver.CheckCorrects(r, seq); err != nil {
		return comms.Record{}, err
	}
	sealed, body := driver.Seal(tenant, seq, t.head.Hash, m.now(), r)
	tree, err := t.treeBuilder(tenant)
	if err != nil {
		return comms.Record{}, err
	}
	hashes, err := tree.Add(body)
	if err != nil {
		return comms.Record{}, err
	}
	t.tree = append(t.tree, hashes...)
	t.records = append(t.records, driver.Stored{Seq: seq, Body: body, Hash: sealed.Hash})
	t.decoded = append(t.decoded, sealed)
	t.columns = append(t.columns, driver.ColumnsOf(sealed))
	if sealed.IdempotencyKey != "" {
		t.keys[sealed.IdempotencyKey] = len(t.records) - 1
	}
	t.head = store.Head{Seq: seq, Hash: sealed.Hash}
	return driver.CloneRecord(sealed), nil
}

// AppendRecords implements store.BatchAppender: under the tenant's lock,
// it seals the batch after the head and appends it, or nothing.
func (m *Store) AppendRecords(ctx context.Context, tenant string, rs []comms.Record) ([]comms.Record, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return nil, err
	}
	if err := driver.CheckBatch(rs); err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pending, head, err := driver.SealBatch(tenant, t.head, m.now(), rs, func(key string) (driver.Stored, bool, error) {
		i, ok := t.keys[key]
		if !ok {
			return driver.Stored{}, false, nil
		}
		st := t.records[i]
		st.Columns = &t.columns[i]
		return st, true, nil
	})
	if err != nil {
		return nil, err
	}
	// The tree's new hashes first: nothing is appended if they fail.
	tree, err := t.treeBuilder(tenant)
	if err != nil {
		return nil, err
	}
	var hashes []tlog.Hash
	for _, p := range pending {
		if p.Body != nil {
			h, err := tree.Add(p.Body)
			if err != nil {
				return nil, err
			}
			hashes = append(hashes, h...)
		}
	}
	t.tree = append(t.tree, hashes...)
	out := make([]comms.Record, len(pending))
	for i, p := range pending {
		out[i] = p.Record
		if p.Body == nil {
			continue
		}
		sealed := p.Record
		t.records = append(t.records, driver.Stored{Seq: sealed.Seq, Body: p.Body, Hash: sealed.Hash})
		t.decoded = append(t.decoded, driver.CloneRecord(sealed))
		t.columns = append(t.columns, driver.ColumnsOf(sealed))
		if sealed.IdempotencyKey != "" {
			t.keys[sealed.IdempotencyKey] = len(t.records) - 1
		}
	}
	t.head = head
	return out, nil
}

// recordPage is how many records Records selects under the tenant's lock
// at a time.
const recordPage = 256

// Records implements store.Store. It reads a page of records at a time, so
// a long listing never holds the tenant's lock while the caller works.
func (m *Store) Records(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return m.records(ctx, tenant, q, false)
}

// Communications implements store.AckReader: Records without the
// acknowledgements, which it leaves out by their columns.
func (m *Store) Communications(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return m.records(ctx, tenant, q, true)
}

// records is Records, less the acknowledgements if noAcks.
func (m *Store) records(ctx context.Context, tenant string, q store.RecordQuery, noAcks bool) iter.Seq2[comms.Record, error] {
	return func(yield func(comms.Record, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err == nil {
			err = driver.CheckRecordQuery(q)
		}
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
			start, _ := slices.BinarySearchFunc(t.decoded, after+1, func(r comms.Record, seq int64) int { return cmp.Compare(r.Seq, seq) })
			i := start
			for ; i < len(t.decoded) && len(page) < recordPage; i++ {
				r := t.decoded[i]
				after = r.Seq
				if t.columns[i].Matches(q) && !(noAcks && t.columns[i].IsAck()) {
					if !driver.RecordMatches(q, r) {
						bad = &store.ChainError{Tenant: tenant, Seq: r.Seq, Reason: "the store selected it for a query its content does not match (a stored column was changed)"}
						break
					}
					if noAcks && r.Type == comms.RecordTypeAck {
						bad = &store.ChainError{Tenant: tenant, Seq: r.Seq, Column: "person_id", Reason: "the store selected it as a communication, but its content is an acknowledgement (a stored column was changed)"}
						break
					}
					r = driver.CloneRecord(r)
					page = append(page, r)
				}
			}
			done := i >= len(t.decoded)
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

// Verify implements store.Store.
func (m *Store) Verify(ctx context.Context, tenant string) (store.Head, error) {
	return m.VerifyLeaves(ctx, tenant, nil)
}

// VerifyLeaves implements store.LeafVerifier: leaf runs on a copy of the
// log taken under the tenant's lock, with the lock released.
func (m *Store) VerifyLeaves(ctx context.Context, tenant string, leaf func(seq int64, data []byte) error) (store.Head, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil || t == nil {
		return store.Head{}, err
	}
	t.mu.RLock()
	rows, head := slices.Clone(t.records), t.head
	columns := slices.Clone(t.columns)
	t.mu.RUnlock()
	return driver.VerifyChainLeaves(ctx, tenant, func(yield func(driver.Stored, error) bool) {
		for i, r := range rows {
			if i < len(columns) {
				r.Columns = &columns[i]
			}
			if !yield(r, nil) {
				return
			}
		}
	}, head, leaf)
}

// treeBuilder returns a driver.TreeBuilder after the tenant's last
// record, reading the tree's right edge from t.tree. The caller holds
// t.mu.
func (t *tenantData) treeBuilder(tenant string) (*driver.TreeBuilder, error) {
	return driver.NewTreeBuilder(t.head.Seq, tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(t.tree)) {
				return nil, driver.MissingHash(tenant, t.head.Seq, x)
			}
			out[i] = t.tree[x]
		}
		return out, nil
	}))
}

// TreeSize implements store.TreeReader.
func (m *Store) TreeSize(ctx context.Context, tenant string) (int64, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil || t == nil {
		return 0, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.head.Seq, nil
}

// TreeExtent implements store.TreeReader: the memory store's tree is
// only ever written by its appends, so it holds no hash past its size.
func (m *Store) TreeExtent(ctx context.Context, tenant string) (int64, int64, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil || t == nil {
		return 0, -1, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	stray := int64(-1)
	if n := tlog.StoredHashCount(t.head.Seq); int64(len(t.tree)) > n {
		stray = n
	}
	return t.head.Seq, stray, nil
}

// TreeHashes implements store.TreeReader.
func (m *Store) TreeHashes(ctx context.Context, tenant string, size int64, indexes []int64) ([]tlog.Hash, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return nil, err
	}
	var treeSize int64
	if t != nil {
		t.mu.RLock()
		defer t.mu.RUnlock()
		treeSize = t.head.Seq
	}
	if err := driver.CheckTreeHashes(size, treeSize, indexes); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(t.tree)) {
			return nil, driver.MissingHash(tenant, size, x)
		}
		out[i] = t.tree[x]
	}
	return out, nil
}

func cloneRosterVersion(v store.RosterVersion) store.RosterVersion {
	v.Roster = driver.CloneRoster(v.Roster)
	return v
}

// SaveRoster implements store.RosterStore.
func (m *Store) SaveRoster(ctx context.Context, tenant string, r comms.Roster, expect int) (int, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return 0, err
	}
	// Kept as a value, but checked as the database stores check it.
	if _, err := driver.EncodeRoster(r); err != nil {
		return 0, err
	}
	info := driver.SaveInfoFrom(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	versions := t.rosters[r.ID]
	if latest := len(versions); expect != latest {
		return 0, fmt.Errorf("%w: roster %q is at version %d, not %d", store.ErrConflict, r.ID, latest, expect)
	}
	v := store.RosterVersion{RosterID: r.ID, Number: len(versions) + 1, Roster: driver.CloneRoster(r), SavedAt: m.now().UTC(), SavedBy: info.By, Note: info.Note}
	t.rosters[r.ID] = append(versions, v)
	return v.Number, nil
}

// Roster implements store.RosterStore. Version 0 means the latest.
func (m *Store) Roster(ctx context.Context, tenant, id string, v int) (store.RosterVersion, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return store.RosterVersion{}, err
	}
	if t != nil {
		t.mu.RLock()
		defer t.mu.RUnlock()
		versions := t.rosters[id]
		n := v
		if n == 0 {
			n = len(versions)
		}
		if n >= 1 && n <= len(versions) {
			return cloneRosterVersion(versions[n-1]), nil
		}
	}
	if v == 0 {
		return store.RosterVersion{}, fmt.Errorf("%w: roster %q", store.ErrNotFound, id)
	}
	return store.RosterVersion{}, fmt.Errorf("%w: roster %q version %d", store.ErrNotFound, id, v)
}

// RosterVersions implements store.RosterStore.
func (m *Store) RosterVersions(ctx context.Context, tenant, id string) iter.Seq2[store.RosterVersion, error] {
	return func(yield func(store.RosterVersion, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err != nil {
			yield(store.RosterVersion{}, err)
			return
		}
		if t == nil {
			return
		}
		t.mu.RLock()
		vs := make([]store.RosterVersion, len(t.rosters[id]))
		for i, v := range t.rosters[id] {
			vs[i] = cloneRosterVersion(v)
		}
		t.mu.RUnlock()
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Rosters implements store.RosterStore.
func (m *Store) Rosters(ctx context.Context, tenant string) iter.Seq2[store.RosterVersion, error] {
	return func(yield func(store.RosterVersion, error) bool) {
		t, err := m.tenant(ctx, tenant, false)
		if err != nil {
			yield(store.RosterVersion{}, err)
			return
		}
		if t == nil {
			return
		}
		t.mu.RLock()
		latest := make([]store.RosterVersion, 0, len(t.rosters))
		for _, vs := range t.rosters {
			latest = append(latest, cloneRosterVersion(vs[len(vs)-1]))
		}
		t.mu.RUnlock()
		driver.SortRosters(latest)
		for _, v := range latest {
			if !yield(v, nil) {
				return
			}
		}
	}
}
