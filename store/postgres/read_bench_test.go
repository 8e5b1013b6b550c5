package postgres

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/internal/heapwatch"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// Reading a whole log back, at 100,000 and 1,000,000 records of one
// tenant (with 100,000 of another tenant in the same tables), the data of
// store/sqlite's BenchmarkVerify and BenchmarkRecords:
//
//	eval "$(.ci/postgres start /tmp/ismscomms-pg)"
//	go test ./store/postgres/ -run XXX -bench 'Verify|Records' -benchmem
//
// Each size runs the store's method next to its limit, in the same run,
// on the same tables: plain-sql, the same columns in the same order read
// in the same kind of transaction (REPEATABLE READ, the tenant set for
// row-level security) as the application role, as raw values (pgx's
// RawValues: no decoding, nothing checked). The tables are filled once
// per server (COPY as the cluster's admin) in a schema named after the
// fixture, and kept for later runs on the same server.
var readSizes = []struct {
	name string
	n    int
}{{"100k", 100_000}, {"1M", 1_000_000}}

// fixtureVersion names the content of the fixture's schemas (see
// store/sqlite's): change it when that content changes.
const fixtureVersion = 2

const fixtureOther = 100_000

var fixtureOnce sync.Map // schema name → *sync.Once

// readFixture returns a store on a schema holding tenant "t" with n
// records of storetest.LogRecord and tenant "other" with fixtureOther.
func readFixture(b *testing.B, n int) *Store {
	b.Helper()
	schema := fmt.Sprintf("bench_f%d_%d", fixtureVersion, n)
	s, srv := openStore(b, &Options{Schema: schema})
	once, _ := fixtureOnce.LoadOrStore(schema, new(sync.Once))
	once.(*sync.Once).Do(func() {
		if c, err := checkpoint.Verify(ctx, s, "t", checkpoint.Checkpoint{}); err == nil && c.Size == int64(n) {
			return // filled by an earlier run
		}
		b.Logf("filling schema %s (kept for later runs on this server)", schema)
		admin := connect(b, srv.admin)
		for _, t := range []string{"records", "chain_heads", "tree_hashes"} {
			if _, err := admin.Exec(ctx, `TRUNCATE `+pgx.Identifier{schema, t}.Sanitize()); err != nil {
				b.Fatal(err)
			}
		}
		for _, t := range []struct {
			tenant string
			n      int
		}{{"other", fixtureOther}, {"t", n}} {
			prev, i := "", 0
			recorded := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			// The Merkle tree's stored hashes, as the appends write them.
			tree, err := driver.NewTreeBuilder(0, nil)
			if err != nil {
				b.Fatal(err)
			}
			var hashes [][]any
			text := func(s string) any {
				if s == "" {
					return nil
				}
				return s
			}
			_, err = admin.CopyFrom(ctx, pgx.Identifier{schema, "records"},
				[]string{"tenant", "seq", "plan_id", "activity_id", "event_id", "sent_at", "body", "hash", "idempotency_key", "person_id", "digest", "channel"},
				pgx.CopyFromFunc(func() ([]any, error) {
					if i == t.n {
						return nil, nil
					}
					i++
					r, body := driver.Seal(t.tenant, int64(i), prev, recorded.Add(time.Duration(i)*time.Second), storetest.LogRecord(i))
					prev = r.Hash
					first := tlog.StoredHashCount(tree.Size())
					hs, err := tree.Add(body)
					if err != nil {
						return nil, err
					}
					for k, h := range hs {
						level, node := tlog.SplitStoredHashIndex(first + int64(k))
						hashes = append(hashes, []any{t.tenant, level, node, h[:]})
					}
					c := driver.ColumnsOf(r)
					return []any{t.tenant, r.Seq, c.PlanID, c.ActivityID, c.EventID, c.SentAt, body, r.Hash,
						text(c.IdempotencyKey), text(c.PersonID), text(c.Digest), text(c.Channel)}, nil
				}))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := admin.Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "chain_heads"}.Sanitize()+` VALUES ($1, $2, $3)`, t.tenant, t.n, prev); err != nil {
				b.Fatal(err)
			}
			if _, err := admin.CopyFrom(ctx, pgx.Identifier{schema, "tree_hashes"}, []string{"tenant", "level", "node", "hash"}, pgx.CopyFromRows(hashes)); err != nil {
				b.Fatal(err)
			}
		}
		for _, t := range []string{"records", "tree_hashes"} {
			if _, err := admin.Exec(ctx, `ANALYZE `+pgx.Identifier{schema, t}.Sanitize()); err != nil {
				b.Fatal(err)
			}
		}
		if c, err := checkpoint.Verify(ctx, s, "t", checkpoint.Checkpoint{}); err != nil || c.Size != int64(n) {
			b.Fatalf("the fixture does not verify: %+v, %v", c, err)
		}
	})
	return s
}

// BenchmarkVerify: Verify (every hash, link and stored column) next to
// plain-sql reading the same columns.
func BenchmarkVerify(b *testing.B) {
	for _, size := range readSizes {
		b.Run("records="+size.name+"/Verify", func(b *testing.B) {
			s := readFixture(b, size.n)
			heapwatch.Measure(b, size.n, func() int {
				head, err := s.Verify(ctx, "t")
				if err != nil {
					b.Fatal(err)
				}
				return int(head.Seq)
			})
		})
		b.Run("records="+size.name+"/plain-sql", func(b *testing.B) {
			s := readFixture(b, size.n)
			heapwatch.Measure(b, size.n, func() int { return plainSQL(b, s, s.q.verifyRecords) })
		})
		b.Run("records="+size.name+"/checkpoint.Verify", func(b *testing.B) {
			s := readFixture(b, size.n)
			heapwatch.Measure(b, size.n, func() int {
				c, err := checkpoint.Verify(ctx, s, "t", checkpoint.Checkpoint{})
				if err != nil {
					b.Fatal(err)
				}
				return int(c.Size)
			})
		})
	}
}

// BenchmarkRecords: Records over the whole log (pages of recordPage,
// every record decoded, its hash and its query checked) next to plain-sql
// reading the same columns in one query.
func BenchmarkRecords(b *testing.B) {
	for _, size := range readSizes {
		b.Run("records="+size.name+"/Records", func(b *testing.B) {
			s := readFixture(b, size.n)
			heapwatch.Measure(b, size.n, func() int {
				n := 0
				for _, err := range s.Records(ctx, "t", store.RecordQuery{}) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				return n
			})
		})
		b.Run("records="+size.name+"/plain-sql", func(b *testing.B) {
			s := readFixture(b, size.n)
			heapwatch.Measure(b, size.n, func() int {
				return plainSQL(b, s, `SELECT seq, body, hash FROM `+pgx.Identifier{s.schema, "records"}.Sanitize()+` WHERE tenant = $1 ORDER BY seq`)
			})
		})
	}
}

// plainSQL runs query for tenant "t" in a transaction as Verify's, on a
// connection of the store's pool, and returns the number of rows.
func plainSQL(b *testing.B, s *Store, query string) int {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, setTenantSQL, "t"); err != nil {
		b.Fatal(err)
	}
	rows, err := tx.Query(ctx, query, "t")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		_ = rows.RawValues()
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
