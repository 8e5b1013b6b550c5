package sqlite

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// columnNames are the columns of storedColumns, in order, and
// columnClasses the storage class an intact row holds in each. SQLite
// keeps whatever storage class a value is written with (these tables are
// not STRICT): an edit that casts plan_id to a BLOB keeps the value a scan
// returns, yet no query by plan_id (= compares a BLOB with TEXT as
// unequal) finds the record any more. Verify checks the classes, so such
// an edit is named like any other edit of a column.
var (
	columnNames   = strings.Split(storedColumns, ", ")
	columnClasses = []string{"integer", "blob", "text", "text", "text", "text", "integer", "text", "text", "text", "text"}
)

// nullColumn names the columns that hold NULL for a record without the
// field: no idempotency key, not an acknowledgement.
var nullColumn = map[string]bool{"idempotency_key": true, "person_id": true, "digest": true, "channel": true}

// storageClass is the storage class of a value that modernc.org/sqlite
// returned for a column read untyped, as SQL's typeof names it: the driver
// returns each class as its own Go type (int64, float64, string, []byte,
// nil) for columns declared as these are (it would parse a TEXT column
// declared DATE into a time.Time; none is). TestStorageClass holds it to
// typeof for every class in every column.
func storageClass(v sqldriver.Value) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "real"
	case string:
		return "text"
	case []byte:
		return "blob"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v) // none of SQLite's: never equal to a class
}

// checkClasses returns a *store.ChainError naming the first column of
// record seq whose value, in vals (a row of storedColumns read untyped),
// is not of the storage class Records and Verify rely on. A record without
// an idempotency key keeps NULL there, and one that is not an
// acknowledgement in person_id, digest and channel.
func checkClasses(tenant string, seq int64, vals []sqldriver.Value) error {
	for i, name := range columnNames {
		got, want := storageClass(vals[i]), columnClasses[i]
		if got == want || got == "null" && nullColumn[name] {
			continue
		}
		column := name
		if name == "seq" || name == "body" || name == "hash" {
			column = "" // not a copy of a field: the chain itself
		}
		return &store.ChainError{Tenant: tenant, Seq: seq, Column: column,
			Reason: fmt.Sprintf("its column %s holds a value of type %s, not %s, which a query by it never matches (the column was changed behind the store)", name, got, want)}
	}
	return nil
}

// storedOf makes a Stored, whose Columns is c, of a row of storedColumns
// read untyped, whose storage classes checkClasses found right. Body is
// the driver's slice, valid until the next row is read.
func storedOf(vals []sqldriver.Value, c *driver.Columns) driver.Stored {
	text := func(v sqldriver.Value) string {
		s, _ := v.(string) // NULL: ""
		return s
	}
	st := driver.Stored{Columns: c}
	st.Seq, _ = vals[0].(int64)
	st.Body, _ = vals[1].([]byte)
	st.Hash = text(vals[2])
	c.PlanID, c.ActivityID, c.EventID = text(vals[3]), text(vals[4]), text(vals[5])
	sent, _ := vals[6].(int64)
	c.SentAt = time.UnixMicro(sent).UTC()
	c.IdempotencyKey = text(vals[7])
	c.PersonID, c.Digest, c.Channel = text(vals[8]), text(vals[9]), text(vals[10])
	return st
}

// Verify implements store.Store. It reads the head and the log in one
// read transaction, so that appends in the meantime do not look like a
// broken chain, and streams the log through driver.VerifyChain.
//
// It reads the rows through the driver's own interface (database/sql's
// Conn.Raw): once a record is decoded without a copy per field, what
// database/sql adds to each row (a lock, and a copy of every []byte it
// scans into an any) is a large part of what a row costs. The columns are
// read untyped, so that no edit of a column fails the read (a sent_at
// changed to 'x' would, with a driver error, where it is an edited
// record), and each value's storage class is checked first.
func (s *Store) Verify(ctx context.Context, tenant string) (store.Head, error) {
	return s.VerifyLeaves(ctx, tenant, nil)
}

// VerifyLeaves implements store.LeafVerifier, reading the log as Verify
// does.
func (s *Store) VerifyLeaves(ctx context.Context, tenant string, leaf func(seq int64, data []byte) error) (store.Head, error) {
	if err := s.usable(ctx); err != nil {
		return store.Head{}, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Head{}, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return store.Head{}, s.wrap(ctx, err)
	}
	defer conn.Close()
	var verified store.Head
	var chainErr error
	err = conn.Raw(func(dc any) error {
		begin, ok1 := dc.(sqldriver.ConnBeginTx)
		query, ok2 := dc.(sqldriver.QueryerContext)
		if !ok1 || !ok2 {
			return fmt.Errorf("the driver's connection (%T) cannot begin a transaction or query", dc)
		}
		tx, err := begin.BeginTx(ctx, sqldriver.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		args := []sqldriver.NamedValue{{Ordinal: 1, Value: tenant}}
		head, err := readHead(ctx, query, args)
		if err != nil {
			return err
		}
		// The primary key is the table itself (WITHOUT ROWID): Verify
		// reads the table, not an index that may disagree with it
		// (CheckIntegrity finds those).
		rows, err := query.QueryContext(ctx, `SELECT `+storedColumns+` FROM records WHERE tenant = ? ORDER BY seq`, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		var readErr error
		var columns driver.Columns
		vals := make([]sqldriver.Value, len(columnNames))
		verified, chainErr = driver.VerifyChainLeaves(ctx, tenant, func(yield func(driver.Stored, error) bool) {
			var last int64 // the last record read
			for {
				if err := rows.Next(vals); err != nil {
					if err != io.EOF {
						readErr = err
					}
					return
				}
				seq, ok := vals[0].(int64)
				if !ok {
					seq = last + 1
				}
				if err := checkClasses(tenant, seq, vals); err != nil {
					yield(driver.Stored{}, err)
					return
				}
				st := storedOf(vals, &columns)
				last = st.Seq
				if !yield(st, nil) {
					return
				}
			}
		}, head, leaf)
		return readErr
	})
	if err != nil {
		return store.Head{}, s.wrap(ctx, err)
	}
	return verified, chainErr
}

// readHead reads the tenant's chain head (the zero Head: none kept).
func readHead(ctx context.Context, query sqldriver.QueryerContext, args []sqldriver.NamedValue) (store.Head, error) {
	rows, err := query.QueryContext(ctx, `SELECT seq, hash FROM chain_heads WHERE tenant = ?`, args)
	if err != nil {
		return store.Head{}, err
	}
	defer rows.Close()
	vals := make([]sqldriver.Value, 2)
	switch err := rows.Next(vals); {
	case errors.Is(err, io.EOF):
		return store.Head{}, nil
	case err != nil:
		return store.Head{}, err
	}
	// Converted as database/sql's Scan converts them (sql.Null*.Scan is
	// its conversion), which the appends read the head with.
	var seq sql.NullInt64
	var hash sql.NullString
	if err := seq.Scan(vals[0]); err != nil {
		return store.Head{}, fmt.Errorf("reading the chain head's seq: %w", err)
	}
	if err := hash.Scan(vals[1]); err != nil {
		return store.Head{}, fmt.Errorf("reading the chain head's hash: %w", err)
	}
	if !seq.Valid || !hash.Valid {
		return store.Head{}, errors.New("reading the chain head: its seq or hash is NULL")
	}
	return store.Head{Seq: seq.Int64, Hash: hash.String}, nil
}
