package postgres

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// The PostgreSQL store next to the SQLite store, on the same machine, in
// the same run:
//
//	eval "$(.ci/postgres start /tmp/ismscomms-pg)"
//	go test ./store/postgres/ -run XXX -bench . -benchmem
//
// PostgreSQL runs with its defaults (fsync on, synchronous_commit on), the
// SQLite store with its own (WAL, synchronous=FULL): every append that
// returns is durable in both.

const benchTenants = 1000

// BenchmarkAppend appends records with 1, 8 and 32 concurrent writers,
// spread round-robin over 1,000 tenants. The PostgreSQL pool has one
// connection per writer.
// postgres-keyed appends records with an idempotency key each (looked up
// in the first round trip, then indexed).
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("postgres/writers=%d", writers), func(b *testing.B) {
			s, _ := openStore(b, &Options{MaxConns: int32(writers)})
			benchAppends(b, s, writers, false)
		})
		b.Run(fmt.Sprintf("postgres-keyed/writers=%d", writers), func(b *testing.B) {
			s, _ := openStore(b, &Options{MaxConns: int32(writers)})
			benchAppends(b, s, writers, true)
		})
		b.Run(fmt.Sprintf("sqlite/writers=%d", writers), func(b *testing.B) {
			s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchAppends(b, s, writers, false)
		})
	}
}

func benchAppends(b *testing.B, s store.Store, writers int, keyed bool) {
	var n atomic.Int64
	base := storetest.Record("a", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + writers - 1) / writers
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				k := n.Add(1)
				if k > int64(b.N) {
					return
				}
				r := base
				if keyed {
					r.IdempotencyKey = fmt.Sprintf("msg-%d", k)
				}
				if _, err := s.AppendRecord(ctx, fmt.Sprintf("tenant-%04d", k%benchTenants), r); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkAppendAcks appends keyed acknowledgements in batches of 1,000
// (store.BatchAppender: one transaction, one key lookup, one insert of
// all rows, one head move), by 8 concurrent writers spread over 1,000
// tenants, next to the honest alternative: the same acknowledgements one
// AppendRecord each, by 8 writers. ns/op is per acknowledgement; acks/s
// is the throughput of the 8 writers together.
func BenchmarkAppendAcks(b *testing.B) {
	const writers = 8
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	run := func(b *testing.B, batch int) {
		s, _ := openStore(b, &Options{MaxConns: writers})
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					first := next.Add(int64(batch)) - int64(batch)
					if first >= int64(b.N) {
						return
					}
					n := min(int64(batch), int64(b.N)-first)
					tenant := fmt.Sprintf("tenant-%04d", (first/int64(batch))%benchTenants)
					rs := make([]comms.Record, n)
					for i := range rs {
						rs[i] = storetest.Ack("policy", fmt.Sprintf("E-%09d", first+int64(i)), at.Add(time.Duration(first+int64(i))*time.Millisecond))
					}
					var err error
					if batch > 1 {
						_, err = s.AppendRecords(ctx, tenant, rs)
					} else {
						_, err = s.AppendRecord(ctx, tenant, rs[0])
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "acks/s")
	}
	b.Run("batch-1000/writers=8", func(b *testing.B) { run(b, 1000) })
	b.Run("single/writers=8", func(b *testing.B) { run(b, 1) })
}
