package driver_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var sent = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func keyed(key string) comms.Record {
	return comms.Record{ActivityID: "a", SentAt: sent, Subject: "s", Reached: 3, IdempotencyKey: key}
}

func stored(r comms.Record, body []byte) driver.Stored {
	c := driver.ColumnsOf(r)
	return driver.Stored{Seq: r.Seq, Body: body, Hash: r.Hash, Columns: &c}
}

func TestReplay(t *testing.T) {
	first, body := driver.Seal("t", 4, "prev", sent.Add(time.Hour), keyed("k"))
	st := stored(first, body)

	got, err := driver.Replay("t", st, keyed("k"))
	if err != nil || got.Seq != 4 || got.Hash != first.Hash || !got.RecordedAt.Equal(first.RecordedAt) {
		t.Errorf("Replay of the same record = %+v, %v; want the stored record", got, err)
	}

	other := keyed("k")
	other.Subject, other.Reached = "another", 4
	_, err = driver.Replay("t", st, other)
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "record 4") || !strings.Contains(err.Error(), "subject, reached") {
		t.Errorf("Replay of another record = %v; want ErrConflict naming record 4 and the fields subject, reached", err)
	}

	// Found through a column that does not match the body: a ChainError,
	// never the record.
	_, err = driver.Replay("t", st, keyed("other-key"))
	var ce *store.ChainError
	if !errors.As(err, &ce) || ce.Seq != 4 || ce.Column != "idempotency_key" {
		t.Errorf("Replay of a key the body does not carry = %v; want a ChainError at record 4, column idempotency_key", err)
	}
	bad := st
	bad.Body = append([]byte(nil), body...)
	bad.Body[len(bad.Body)-3] ^= 1
	if _, err := driver.Replay("t", bad, keyed("k")); !errors.As(err, &ce) || ce.Seq != 4 || ce.Column != "" {
		t.Errorf("Replay of an edited body = %v; want a ChainError at record 4", err)
	}
	if _, err := driver.Replay("another tenant", st, keyed("k")); !errors.As(err, &ce) {
		t.Errorf("Replay under another tenant = %v; want a ChainError", err)
	}
}

// A log written before idempotency keys (v1 records) goes on with keyed
// (v2) records in one chain that verifies.
func TestVerifyChainMixedFormats(t *testing.T) {
	var rows []driver.Stored
	prev := ""
	for i := int64(1); i <= 6; i++ {
		r := comms.Record{ActivityID: "a", SentAt: sent}
		if i > 3 {
			r.IdempotencyKey = "k" + string(rune('0'+i))
		}
		sealed, body := driver.Seal("t", i, prev, sent, r)
		rows = append(rows, stored(sealed, body))
		prev = sealed.Hash
	}
	seq := func(yield func(driver.Stored, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
	head, err := driver.VerifyChain(context.Background(), "t", seq, store.Head{Seq: 6, Hash: prev})
	if err != nil || head.Seq != 6 {
		t.Fatalf("VerifyChain of v1 and v2 records: %+v, %v", head, err)
	}
	for i, r := range rows {
		if got, want := strings.HasPrefix(string(r.Body), `["`+driver.RecordFormatV2), i >= 3; got != want {
			t.Errorf("record %d: v2 %v, want %v", r.Seq, got, want)
		}
	}
	// The key column is checked against the body.
	rows[4].Columns.IdempotencyKey = "changed"
	_, err = driver.VerifyChain(context.Background(), "t", seq, store.Head{Seq: 6, Hash: prev})
	var ce *store.ChainError
	if !errors.As(err, &ce) || ce.Seq != 5 || ce.Column != "idempotency_key" {
		t.Errorf("VerifyChain with an edited key column: %v", err)
	}
}

func TestCheckRecordQuery(t *testing.T) {
	for _, q := range []store.RecordQuery{{After: -1}, {Limit: -1}} {
		if err := driver.CheckRecordQuery(q); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("CheckRecordQuery(%+v) = %v", q, err)
		}
	}
	if err := driver.CheckRecordQuery(store.RecordQuery{After: 5, Limit: 10}); err != nil {
		t.Error(err)
	}
}

func TestSaveInfoFrom(t *testing.T) {
	ctx := store.WithSaveInfo(context.Background(), store.SaveInfo{By: "alice", Note: "n"})
	if got := driver.SaveInfoFrom(ctx); got != (store.SaveInfo{By: "alice", Note: "n"}) {
		t.Errorf("SaveInfoFrom = %+v", got)
	}
	if got := driver.SaveInfoFrom(context.Background()); got != (store.SaveInfo{}) {
		t.Errorf("SaveInfoFrom of a bare context = %+v", got)
	}
}
