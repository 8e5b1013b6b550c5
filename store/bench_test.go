package store_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

func rec(i int) comms.Record {
	return comms.Record{PlanID: "plan", ActivityID: fmt.Sprintf("a%d", i%5), SentAt: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		Channel: "email", Audiences: []string{"employees"}, Subject: "s", Reached: 3}
}

func BenchmarkMemoryAppend(b *testing.B) {
	ctx := context.Background()
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			m := store.NewMemory(nil)
			var n atomic.Int64
			b.ReportAllocs()
			fn := func() {
				if _, err := m.AppendRecord(ctx, "t", rec(int(n.Add(1)))); err != nil {
					b.Fatal(err)
				}
			}
			if writers == 1 {
				for i := 0; i < b.N; i++ {
					fn()
				}
				return
			}
			b.SetParallelism(writers / 2)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					fn()
				}
			})
		})
	}
}

func BenchmarkMemoryRecords100k(b *testing.B) {
	ctx := context.Background()
	m := store.NewMemory(nil)
	for i := 0; i < 100_000; i++ {
		m.AppendRecord(ctx, "t", rec(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, err := range m.Records(ctx, "t", store.RecordQuery{}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 100_000 {
			b.Fatalf("%d", n)
		}
	}
}

// Reading a stored plan back: store.DecodePlan on the compact form the
// stores now keep, next to what they did before — comms.DecodePlan (the
// hostile-text decoder, with positions and full validation) on the
// indented form of comms.EncodeJSON. The indented form of 20,000
// activities is over the 4 MiB limit, so comms.DecodePlan refuses it.
//
//	go test ./store/ -run XXX -bench PlanReadBack -benchmem
func BenchmarkPlanReadBack(b *testing.B) {
	for _, n := range []int{2_000, 10_000, 20_000} {
		p := storetest.LargePlan("big", n)
		compact, err := store.EncodePlan(p)
		if err != nil {
			b.Fatal(err)
		}
		var indented bytes.Buffer
		comms.EncodeJSON(&indented, p)
		b.Run(fmt.Sprintf("DecodePlan/compact/activities=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(compact)), "stored-bytes")
			for i := 0; i < b.N; i++ {
				if _, err := store.DecodePlan(compact); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("comms.DecodePlan/indented/activities=%d", n), func(b *testing.B) {
			if indented.Len() > comms.MaxPlanSize {
				b.Skipf("the indented form is %d bytes, over comms.MaxPlanSize: unreadable", indented.Len())
			}
			b.ReportAllocs()
			b.ReportMetric(float64(indented.Len()), "stored-bytes")
			for i := 0; i < b.N; i++ {
				if _, err := comms.DecodePlan(bytes.NewReader(indented.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
