package sqlite

import (
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// storageClass, which Verify checks a row's values by, names the class
// SQL's typeof names, for a value of every class in every column Verify
// reads, as the driver returns it. (Verify once asked SQLite for
// typeof() of every column of every row; a driver that returned some
// class as another Go type would make Verify miss an edit of it.)
func TestStorageClass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := openT(t, path)
	fill(t, s, "t", 1)
	db := rawDB(t, path)
	for _, column := range columnNames {
		for _, value := range []string{`7`, `1.5`, `'x'`, `X'78'`, `NULL`} {
			// NOT NULL columns refuse NULL; a WITHOUT ROWID table its
			// primary key's NULL; the others take any class.
			if _, err := db.Exec(`UPDATE records SET ` + column + ` = ` + value + ` WHERE tenant = 't'`); err != nil {
				continue
			}
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = conn.Raw(func(dc any) error {
				rows, err := dc.(sqldriver.QueryerContext).QueryContext(ctx, `SELECT `+column+`, typeof(`+column+`) FROM records WHERE tenant = 't'`, nil)
				if err != nil {
					return err
				}
				defer rows.Close()
				vals := make([]sqldriver.Value, 2)
				if err := rows.Next(vals); err != nil {
					return err
				}
				if got, want := storageClass(vals[0]), vals[1]; got != want {
					t.Errorf("%s = %s: the driver returned a %T, storageClass says %s, typeof %v", column, value, vals[0], got, want)
				}
				return nil
			})
			conn.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A chain head that is not an integer and a hash is reported, not read
// as zero.
func TestVerifyBadHead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := openT(t, path)
	fill(t, s, "t", 3)
	execOne(t, rawDB(t, path), `UPDATE chain_heads SET seq = 'three' WHERE tenant = 't'`)
	_, err := s.Verify(ctx, "t")
	var ce *store.ChainError
	if err == nil || errors.As(err, &ce) || errors.Is(err, io.EOF) {
		t.Fatalf("Verify = %v; want the error of reading the head", err)
	}
}

// sealLog writes a log of n storetest.LogRecord records for tenant
// behind the store's back, sealed as AppendRecord seals them, in one
// transaction.
func sealLog(t testing.TB, s *Store, tenant string, n int) {
	t.Helper()
	err := s.write(ctx, func(tx *sql.Tx) error {
		prev := ""
		at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		for i := 1; i <= n; i++ {
			r, body := driver.Seal(tenant, int64(i), prev, at, storetest.LogRecord(i))
			if _, err := tx.ExecContext(ctx, insertRecordSQL, recordArgs(tenant, r, body)...); err != nil {
				return err
			}
			prev = r.Hash
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?)`, tenant, n, prev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Verify's allocations per record are bounded, whatever the length of
// the log: most are the driver's (a value of each column it returns);
// Verify adds about one (driver.TestVerifyChainAllocs). Verify through
// database/sql and the decoder before issue 18 made 45.
func TestVerifyAllocs(t *testing.T) {
	const n = 2000
	s := openT(t, filepath.Join(t.TempDir(), "db"))
	sealLog(t, s, "t", n)
	allocs := testing.AllocsPerRun(3, func() {
		if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != n {
			t.Fatalf("Verify = %+v, %v", head, err)
		}
	})
	if perRecord := allocs / n; perRecord > 17 {
		t.Errorf("Verify made %.2f allocations per record, want at most 17", perRecord)
	} else {
		t.Logf("%.2f allocations per record", perRecord)
	}
}
