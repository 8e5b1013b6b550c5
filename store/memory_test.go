package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

func record(sent time.Time) comms.Record {
	return comms.Record{ActivityID: "a", SentAt: sent, Audiences: []string{"employees"}, Subject: "s"}
}

func TestMemoryClock(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	m := NewMemory(&MemoryOptions{Now: func() time.Time { return at }})
	r, err := m.AppendRecord(context.Background(), "t", record(at.Add(-time.Hour)))
	if err != nil || !r.RecordedAt.Equal(at) {
		t.Errorf("RecordedAt = %v, %v", r.RecordedAt, err)
	}
}

// Tampering with the stored log is caught, naming the first bad record.
func TestMemoryTamper(t *testing.T) {
	ctx := context.Background()
	fresh := func(t *testing.T) (*Memory, *memTenant) {
		m := NewMemory(nil)
		for i := 0; i < 8; i++ {
			if _, err := m.AppendRecord(ctx, "t", record(time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		return m, m.tenants["t"]
	}
	tests := []struct {
		name   string
		tamper func(tt *memTenant)
		seq    int64
	}{
		{"edit one byte", func(tt *memTenant) { b := tt.records[4].Body; b[len(b)-80] ^= 1 }, 5},
		{"delete a record", func(tt *memTenant) { tt.records = append(tt.records[:3], tt.records[4:]...) }, 4},
		{"swap two records", func(tt *memTenant) { tt.records[5], tt.records[6] = tt.records[6], tt.records[5] }, 6},
		{"swap bodies, keep numbers", func(tt *memTenant) {
			tt.records[5].Body, tt.records[6].Body = tt.records[6].Body, tt.records[5].Body
			tt.records[5].Hash, tt.records[6].Hash = tt.records[6].Hash, tt.records[5].Hash
		}, 6},
		{"drop the last record", func(tt *memTenant) { tt.records = tt.records[:7] }, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, tt := fresh(t)
			tc.tamper(tt)
			_, err := m.Verify(ctx, "t")
			var ce *ChainError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChainBroken) || ce.Seq != tc.seq {
				t.Fatalf("Verify = %v, want a ChainError at record %d", err, tc.seq)
			}
		})
	}
}
