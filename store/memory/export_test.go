package memory

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// Tamper edits what a Store keeps behind its back, for the tamper tests
// (storetest.Tamperer).
type Tamper struct{ M *Store }

func (mt Tamper) tenant(t *testing.T, id string, seq int64) (*tenantData, int) {
	t.Helper()
	mt.M.mu.RLock()
	tt := mt.M.tenants[id]
	mt.M.mu.RUnlock()
	if tt != nil {
		for i, st := range tt.records {
			if st.Seq == seq {
				return tt, i
			}
		}
	}
	t.Fatalf("tamper: tenant %q has no record %d", id, seq)
	return nil, 0
}

// SetColumn implements storetest.Tamperer. Like a database's index, the
// index of idempotency keys follows the column.
func (mt Tamper) SetColumn(t *testing.T, tenant string, seq int64, column string, value any) {
	tt, i := mt.tenant(t, tenant, seq)
	tt.mu.Lock()
	defer tt.mu.Unlock()
	c := &tt.columns[i]
	switch column {
	case "plan_id":
		c.PlanID = value.(string)
	case "activity_id":
		c.ActivityID = value.(string)
	case "event_id":
		c.EventID = value.(string)
	case "sent_at":
		c.SentAt = value.(time.Time)
	case "idempotency_key":
		delete(tt.keys, c.IdempotencyKey)
		c.IdempotencyKey = value.(string)
		if c.IdempotencyKey != "" {
			tt.keys[c.IdempotencyKey] = i
		}
	case "person_id":
		c.PersonID = value.(string)
	case "digest":
		c.Digest = value.(string)
	case "channel":
		c.Channel = value.(string)
	default:
		t.Fatalf("tamper: no column %q", column)
	}
}

// SetBody implements storetest.Tamperer.
func (mt Tamper) SetBody(t *testing.T, tenant string, seq int64, body []byte) {
	tt, i := mt.tenant(t, tenant, seq)
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.records[i].Body = slices.Clone(body)
}

// DeleteRecord implements storetest.Tamperer.
func (mt Tamper) DeleteRecord(t *testing.T, tenant string, seq int64) {
	tt, i := mt.tenant(t, tenant, seq)
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.records = slices.Delete(tt.records, i, i+1)
	tt.decoded = slices.Delete(tt.decoded, i, i+1)
	tt.columns = slices.Delete(tt.columns, i, i+1)
	maps.DeleteFunc(tt.keys, func(_ string, j int) bool { return j == i })
	for k, j := range tt.keys {
		if j > i {
			tt.keys[k] = j - 1
		}
	}
}

// EditBody changes the body of the record at index i of tenant in place.
func EditBody(m *Store, tenant string, i int, edit func([]byte)) {
	tt := m.tenants[tenant]
	edit(tt.records[i].Body)
}

// Swap swaps the records at indexes i and j of tenant: whole (with their
// sequence numbers) or, with whole false, their bodies and hashes only.
func Swap(m *Store, tenant string, i, j int, whole bool) {
	r := m.tenants[tenant].records
	if whole {
		r[i], r[j] = r[j], r[i]
		return
	}
	r[i].Body, r[j].Body = r[j].Body, r[i].Body
	r[i].Hash, r[j].Hash = r[j].Hash, r[i].Hash
}
