package store

import (
	"slices"
	"testing"
	"time"
)

// MemoryTamper edits what a Memory store keeps behind its back, for the
// tamper tests (storetest.Tamperer).
type MemoryTamper struct{ M *Memory }

func (mt MemoryTamper) tenant(t *testing.T, tenant string, seq int64) (*memTenant, int) {
	t.Helper()
	mt.M.mu.RLock()
	tt := mt.M.tenants[tenant]
	mt.M.mu.RUnlock()
	if tt == nil || seq < 1 || seq > int64(len(tt.records)) {
		t.Fatalf("tamper: tenant %q has no record %d", tenant, seq)
	}
	return tt, int(seq - 1)
}

// SetColumn implements storetest.Tamperer.
func (mt MemoryTamper) SetColumn(t *testing.T, tenant string, seq int64, column string, value any) {
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
	default:
		t.Fatalf("tamper: no column %q", column)
	}
}

// SetBody implements storetest.Tamperer.
func (mt MemoryTamper) SetBody(t *testing.T, tenant string, seq int64, body []byte) {
	tt, i := mt.tenant(t, tenant, seq)
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.records[i].Body = slices.Clone(body)
}
