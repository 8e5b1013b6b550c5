package memory_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

func rec(i int) comms.Record {
	return comms.Record{PlanID: "plan", ActivityID: fmt.Sprintf("a%d", i%5), SentAt: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		Channel: "email", Audiences: []string{"employees"}, Subject: "s", Reached: 3}
}

// go test ./store/memory/ -run XXX -bench Append -benchmem
//
// Appends without a key, with a new key each, and retries of an appended
// keyed record (which append nothing and return the stored record).
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	for _, writers := range []int{1, 8} {
		for _, mode := range []string{"plain", "keyed", "retry"} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				m := memory.New(nil)
				var n atomic.Int64
				retry := rec(0)
				retry.IdempotencyKey = "retried"
				if _, err := m.AppendRecord(ctx, "t", retry); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				fn := func() {
					i := int(n.Add(1))
					r := rec(i)
					switch mode {
					case "keyed":
						r.IdempotencyKey = fmt.Sprintf("msg-%d", i)
					case "retry":
						r = retry
					}
					if _, err := m.AppendRecord(ctx, "t", r); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
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
}

func BenchmarkRecords100k(b *testing.B) {
	ctx := context.Background()
	m := memory.New(nil)
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
