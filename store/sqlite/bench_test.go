package sqlite

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// go test ./store/sqlite/ -run XXX -bench . -benchmem
//
// AppendRecord (hash chain, head row, IMMEDIATE transaction) next to the
// honest baseline: a plain INSERT of the same row into the same schema,
// one transaction per row, no chain. chain-keyed appends records with an
// idempotency key each (the key looked up, then indexed); retry appends
// an appended keyed record again (looked up, compared, nothing written).
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("chain/writers=%d", writers), func(b *testing.B) {
			s := openB(b)
			var n atomic.Int64
			run(b, writers, func() {
				if _, err := s.AppendRecord(ctx, "t", record(int(n.Add(1)))); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("chain-keyed/writers=%d", writers), func(b *testing.B) {
			s := openB(b)
			var n atomic.Int64
			run(b, writers, func() {
				i := int(n.Add(1))
				r := record(i)
				r.IdempotencyKey = fmt.Sprintf("msg-%d", i)
				if _, err := s.AppendRecord(ctx, "t", r); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("retry/writers=%d", writers), func(b *testing.B) {
			s := openB(b)
			r := record(1)
			r.IdempotencyKey = "retried"
			if _, err := s.AppendRecord(ctx, "t", r); err != nil {
				b.Fatal(err)
			}
			run(b, writers, func() {
				if _, err := s.AppendRecord(ctx, "t", r); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("plain-insert/writers=%d", writers), func(b *testing.B) {
			s := openB(b)
			var n atomic.Int64
			r, body := driver.Seal("t", 1, "", time.Now(), record(1))
			run(b, writers, func() {
				seq := n.Add(1)
				err := s.write(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
						"t", seq, r.PlanID, r.ActivityID, r.EventID, micros(r.SentAt), body, r.Hash)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func openB(b *testing.B) *Store {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// run calls fn b.N times from the given number of goroutines.
func run(b *testing.B, writers int, fn func()) {
	b.ReportAllocs()
	if writers == 1 {
		for i := 0; i < b.N; i++ {
			fn()
		}
		return
	}
	b.SetParallelism((writers + 1) / 2) // GOMAXPROCS is 2 on the CI machine
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fn()
		}
	})
}

// bulk appends n records in one transaction, sealing the chain as
// AppendRecord does, to set benchmarks up quickly.
func bulk(b *testing.B, s *Store, tenant string, n int) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		prev := ""
		for i := 1; i <= n; i++ {
			r, body := driver.Seal(tenant, int64(i), prev, time.Now(), record(i))
			if _, err := tx.ExecContext(ctx, `INSERT INTO records (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				tenant, i, r.PlanID, r.ActivityID, r.EventID, micros(r.SentAt), body, r.Hash); err != nil {
				return err
			}
			prev = r.Hash
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?)`, tenant, n, prev)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Verify(ctx, tenant); err != nil {
		b.Fatal(err)
	}
}

// PRAGMA integrity_check over a file of 200,000 records (two tenants of
// 100,000): what `ismscomms verify` adds to Verify. Next to it, the
// quick_check a writable Open runs, and a read-only Open, which runs none.
func BenchmarkCheckIntegrity100k(b *testing.B) {
	s := openB(b)
	for _, tenant := range []string{"other", "t"} {
		bulk(b, s, tenant, 100_000)
	}
	st, err := os.Stat(s.path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("integrity_check", func(b *testing.B) {
		b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := s.CheckIntegrity(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open/quick_check", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			w, err := Open(s.path, nil)
			if err != nil {
				b.Fatal(err)
			}
			w.Close()
		}
	})
	b.Run("Open/ReadOnly", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			r, err := Open(s.path, &Options{ReadOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			r.Close()
		}
	})
}

// Reading back a plan of 20,000 activities (3.8 MiB stored), end to end.
func BenchmarkPlan20k(b *testing.B) {
	s := openB(b)
	if _, err := s.SavePlan(ctx, "t", storetest.LargePlan("big", 20_000), 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v, err := s.Plan(ctx, "t", "big"); err != nil || len(v.Plan.Activities) != 20_000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendAcks: 10,000 keyed acknowledgements appended as one batch
// (store.BatchAppender: one IMMEDIATE transaction, one commit, one head
// move) next to the honest alternative, the same acknowledgements
// appended one AppendRecord each (a commit each; ns/op of "single" is per
// acknowledgement). Both fsync as the store's Options say: the batch pays
// for one commit, the single appends for one each.
func BenchmarkAppendAcks(b *testing.B) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	acks := func(tenant string, n int) []comms.Record {
		out := make([]comms.Record, n)
		for i := range out {
			out[i] = storetest.Ack("policy", fmt.Sprintf("E-%05d", i), at.Add(time.Duration(i)*time.Second))
		}
		return out
	}
	b.Run("batch-10000", func(b *testing.B) {
		s := openB(b)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			batch := acks("t", 10_000)
			if _, err := s.AppendRecords(ctx, fmt.Sprintf("t%d", i), batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("single", func(b *testing.B) {
		s := openB(b)
		batch := acks("t", 10_000)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r := batch[i%len(batch)]
			if _, err := s.AppendRecord(ctx, fmt.Sprintf("t%d", i/len(batch)), r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
