package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/internal/heapwatch"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// Reading a whole log back, at 100,000 and 1,000,000 records of one
// tenant (with 100,000 of another tenant in the same tables):
//
//	go test ./store/sqlite/ -run XXX -bench 'Verify|Records' -benchmem
//
// Each size runs the store's method next to its limit, in the same run, on
// the same file: plain-sql, a database/sql SELECT of the same columns in
// the same order, scanned into sql.RawBytes (database/sql's cheapest scan:
// no copy, no decoding, nothing checked). peak-heap-MiB and peak-live-MiB
// (store/internal/heapwatch) show the read is streamed: they do not grow
// with the number of records.
//
// The files are built once (a bulk insert in one transaction, sealing the
// chain as AppendRecord does, then the Merkle tree as the migration to
// the tree builds it) and kept under os.TempDir, keyed by the
// schema version and the fixture's version; the 1,000,000-record file is
// about 0.8 GB (the 100,000-record one 0.15 GB) and takes about a minute
// to build.
var readSizes = []struct {
	name string
	n    int
}{{"100k", 100_000}, {"1M", 1_000_000}}

// fixtureVersion names the content of readFixture's files: change it
// when that content changes, so that no stale file is reused.
const fixtureVersion = 2

// fixtureOther is how many records the fixture's second tenant holds.
const fixtureOther = 100_000

// readFixture returns a store opened read-only on a file holding tenant
// "t" with n records of storetest.LogRecord and tenant "other" with
// fixtureOther, building the file if it is not cached yet.
func readFixture(b *testing.B, n int) *Store {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ismscomms-bench-schema%d-fixture%d-%d.db", SchemaVersion(), fixtureVersion, n))
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		b.Logf("building %s (cached for later runs)", path)
		buildFixture(b, path, n)
	} else if err != nil {
		b.Fatal(err)
	}
	s, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// buildFixture writes the file of readFixture to a temporary name beside
// path and renames it into place, so that a run interrupted, or another
// run at the same time, never leaves a partial file at path.
func buildFixture(b *testing.B, path string, n int) {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp)
	s, err := Open(tmp, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	err = s.write(ctx, func(tx *sql.Tx) error {
		insert, err := tx.PrepareContext(ctx, insertRecordSQL)
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, t := range []struct {
			tenant string
			n      int
		}{{"other", fixtureOther}, {"t", n}} {
			prev := ""
			recorded := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			for i := 1; i <= t.n; i++ {
				r, body := driver.Seal(t.tenant, int64(i), prev, recorded.Add(time.Duration(i)*time.Second), storetest.LogRecord(i))
				if _, err := insert.ExecContext(ctx, recordArgs(t.tenant, r, body)...); err != nil {
					return err
				}
				prev = r.Hash
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?)`, t.tenant, t.n, prev); err != nil {
				return err
			}
			// The Merkle tree, as the migration builds it from the records.
			if err := buildTree(ctx, tx, t.tenant, int64(t.n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != int64(n) {
		b.Fatalf("the fixture does not verify: %+v, %v", head, err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVerify: Verify (every hash, link, stored column and storage
// class) next to plain-sql reading the same columns, and
// checkpoint.Verify (Verify, then the Merkle tree recomputed from the
// records and compared with the stored hashes).
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
			heapwatch.Measure(b, size.n, func() int {
				return plainSQL(b, s, `SELECT `+storedColumns+` FROM records WHERE tenant = ? ORDER BY seq`)
			})
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

// BenchmarkRecords: Records over the whole log (every record decoded,
// its hash and its query checked) next to plain-sql reading the same
// columns in one query.
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
				return plainSQL(b, s, `SELECT seq, body, hash FROM records WHERE tenant = ? ORDER BY seq`)
			})
		})
	}
}

// plainSQL runs query for tenant "t" and scans every column of every row
// into sql.RawBytes, and returns the number of rows.
func plainSQL(b *testing.B, s *Store, query string) int {
	rows, err := s.db.QueryContext(ctx, query, "t")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		b.Fatal(err)
	}
	vals := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
