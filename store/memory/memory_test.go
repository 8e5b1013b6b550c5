package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
	"github.com/ismscomms/ismscomms/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New(nil) })
}

func TestReliability(t *testing.T) {
	storetest.RunReliability(t, func(t *testing.T) store.Store { return memory.New(nil) })
}

func TestTamperConformance(t *testing.T) {
	storetest.RunTamper(t, func(t *testing.T) (store.Store, storetest.Tamperer) {
		m := memory.New(nil)
		return m, memory.Tamper{M: m}
	})
}

func record(sent time.Time) comms.Record {
	return comms.Record{ActivityID: "a", SentAt: sent, Audiences: []string{"employees"}, Subject: "s"}
}

func TestClock(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	m := memory.New(&memory.Options{Now: func() time.Time { return at }})
	r, err := m.AppendRecord(context.Background(), "t", record(at.Add(-time.Hour)))
	if err != nil || !r.RecordedAt.Equal(at) {
		t.Errorf("RecordedAt = %v, %v", r.RecordedAt, err)
	}
	if _, err := m.SavePlan(context.Background(), "t", storetest.Plan("plan", 1), 0); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Plan(context.Background(), "t", "plan"); err != nil || !v.SavedAt.Equal(at) {
		t.Errorf("SavedAt = %v, %v", v.SavedAt, err)
	}
}

// Tampering with the stored log is caught, naming the first bad record.
func TestTamper(t *testing.T) {
	ctx := context.Background()
	fresh := func(t *testing.T) *memory.Store {
		m := memory.New(nil)
		for i := 0; i < 8; i++ {
			if _, err := m.AppendRecord(ctx, "t", record(time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		return m
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, m *memory.Store)
		seq    int64
	}{
		{"edit one byte", func(t *testing.T, m *memory.Store) { memory.EditBody(m, "t", 4, func(b []byte) { b[len(b)-80] ^= 1 }) }, 5},
		{"delete a record", func(t *testing.T, m *memory.Store) { memory.Tamper{M: m}.DeleteRecord(t, "t", 4) }, 4},
		{"swap two records", func(t *testing.T, m *memory.Store) { memory.Swap(m, "t", 5, 6, true) }, 6},
		{"swap bodies, keep numbers", func(t *testing.T, m *memory.Store) { memory.Swap(m, "t", 5, 6, false) }, 6},
		{"drop the last record", func(t *testing.T, m *memory.Store) { memory.Tamper{M: m}.DeleteRecord(t, "t", 8) }, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := fresh(t)
			tc.tamper(t, m)
			_, err := m.Verify(ctx, "t")
			var ce *store.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, store.ErrChainBroken) || ce.Seq != tc.seq {
				t.Fatalf("Verify = %v, want a ChainError at record %d", err, tc.seq)
			}
		})
	}
}

func TestDeliveryLog(t *testing.T) {
	storetest.RunDeliveryLog(t, func(t *testing.T, now func() time.Time) store.Store {
		return memory.New(&memory.Options{Now: now})
	})
}
