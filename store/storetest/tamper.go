package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// Tamperer changes what a store keeps behind its back, as someone with
// write access to its database would (plain SQL as the tables' owner, for
// a database store). RunTamper uses it to check that Verify notices.
type Tamperer interface {
	// SetColumn overwrites a stored copy of one field of record seq of
	// tenant, one the store keeps apart from the hashed body to select
	// by: column is "plan_id", "activity_id", "event_id",
	// "idempotency_key", "person_id", "digest" or "channel" (value is a
	// string) or "sent_at" (value is a time.Time). It calls t.Skip if the store keeps no such copy,
	// t.Fatal if the edit fails.
	SetColumn(t *testing.T, tenant string, seq int64, column string, value any)
	// SetBody overwrites the stored body (the canonical encoding) of
	// record seq of tenant, leaving its stored hash as it was.
	SetBody(t *testing.T, tenant string, seq int64, body []byte)
	// DeleteRecord removes record seq of tenant from the log, leaving the
	// head the store keeps as it was.
	DeleteRecord(t *testing.T, tenant string, seq int64)
}

// RunTamper runs the tamper clauses of the contract. newStore returns a
// new, empty store for each subtest, and a Tamperer for it. Each clause
// appends six records to a tenant, each with an idempotency key, edits
// record 3 (or deletes a record) behind the store's back and checks that
// Verify fails with a *store.ChainError naming the record (and, for a
// column, the column), that Records never returns a record whose content
// contradicts its query or its stored hash, and that AppendRecord never
// returns, for a key, a record whose content does not carry it or does
// not match its hash.
func RunTamper(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer)) {
	for _, tc := range tamperColumns {
		t.Run("Column/"+tc.column, func(t *testing.T) { testTamperColumn(t, newStore, tc) })
	}
	t.Run("Column/idempotency_key", func(t *testing.T) { testTamperKey(t, newStore) })
	// The copies store.AckReader reads: edited on an acknowledgement, or
	// set on a record that is not one.
	for _, tc := range []struct {
		name, column string
		seq          int64
		value        string
	}{
		{"person_id", "person_id", 3, "e-other"},
		{"digest", "digest", 3, "sha256:" + strings.Repeat("f", 64)},
		{"channel", "channel", 3, "intranet"},
		{"person_id_of_a_sent_record", "person_id", 2, "e-001"},
		{"digest_of_a_sent_record", "digest", 2, AckDigest},
	} {
		t.Run("Column/"+tc.name, func(t *testing.T) { testTamperAckColumn(t, newStore, tc.column, tc.seq, tc.value) })
	}
	t.Run("Body", func(t *testing.T) { testTamperBody(t, newStore) })
	// A deleted record: Verify names it, a record in the middle or the
	// newest (the head the store keeps says it was appended).
	for _, seq := range []int64{3, 6, 1} {
		t.Run(fmt.Sprintf("Delete/%d", seq), func(t *testing.T) { testTamperDelete(t, newStore, seq) })
	}
}

// tamperBase is when the first record of a tamper clause was sent.
var tamperBase = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// tamperRecord is the i-th record (from 0) a tamper clause appends to
// tenant t1: activity and event alternate, and its key is key-(i+1).
func tamperRecord(i int) comms.Record {
	r := Record(fmt.Sprintf("a%d", i%2), tamperBase.Add(time.Duration(i)*24*time.Hour))
	r.EventID = fmt.Sprintf("inc-%d", i%2)
	r.IdempotencyKey = fmt.Sprintf("key-%d", i+1)
	return r
}

// tamperFill appends six records to tenant t1, returning them, and one
// to tenant t2.
func tamperFill(t *testing.T, s store.Store) []comms.Record {
	t.Helper()
	var out []comms.Record
	for i := 0; i < 6; i++ {
		out = append(out, mustAppend(t, s, "t1", tamperRecord(i)))
	}
	mustAppend(t, s, "t2", Record("a0", tamperBase))
	return out
}

// chainErrorAt checks that err, the outcome of what, is a *store.ChainError
// of tenant t1 at record seq and column.
func chainErrorAt(t *testing.T, what string, err error, seq int64, column string) {
	t.Helper()
	var ce *store.ChainError
	if !errors.As(err, &ce) || !errors.Is(err, store.ErrChainBroken) || ce.Seq != seq || ce.Column != column || ce.Tenant != "t1" {
		t.Errorf("%s: %v; want a *ChainError of tenant t1 at record %d (column %q)", what, err, seq, column)
	}
}

// otherTenantIntact checks that tenant t2, which no clause tampers with,
// still verifies.
func otherTenantIntact(t *testing.T, s store.Store) {
	t.Helper()
	if head, err := s.Verify(ctx, "t2"); err != nil || head.Seq != 1 {
		t.Errorf("Verify of another tenant: %+v, %v", head, err)
	}
}

// tamperColumn is an edit of a column kept to select by: it writes value
// into column, which moves record 3 out of the query from and into the
// query to.
type tamperColumn struct {
	column   string
	value    any
	from, to store.RecordQuery
}

// tamperColumns are the edits of the columns. Record 3 is plan "plan",
// activity "a0", event "inc-0", sent tamperBase+2d.
var tamperColumns = []tamperColumn{
	{"plan_id", "other", store.RecordQuery{PlanID: "plan"}, store.RecordQuery{PlanID: "other"}},
	{"activity_id", "a1", store.RecordQuery{ActivityID: "a0"}, store.RecordQuery{ActivityID: "a1"}},
	{"event_id", "inc-1", store.RecordQuery{EventID: "inc-0"}, store.RecordQuery{EventID: "inc-1"}},
	{"sent_at", tamperBase.Add(-30 * 24 * time.Hour), store.RecordQuery{From: tamperBase}, store.RecordQuery{To: tamperBase}},
}

// testTamperColumn: after tc's edit of record 3's column, Verify names
// the record and the column, and Records, whether the query is the one
// the record left, the one it entered or none, yields only records as
// appended that match the query, or a *ChainError at record 3.
func testTamperColumn(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer), tc tamperColumn) {
	s, tamper := newStore(t)
	appended := tamperFill(t, s)
	tamper.SetColumn(t, "t1", 3, tc.column, tc.value)
	_, err := s.Verify(ctx, "t1")
	chainErrorAt(t, "Verify after editing the "+tc.column+" column of record 3", err, 3, tc.column)
	otherTenantIntact(t, s)
	var ce *store.ChainError
	for _, q := range []store.RecordQuery{tc.from, tc.to, {}} {
		for r, err := range s.Records(ctx, "t1", q) {
			if err != nil {
				if !errors.As(err, &ce) || ce.Seq != 3 {
					t.Errorf("Records(%+v): %v; want a record or a *ChainError at record 3", q, err)
				}
				break
			}
			if !reflect.DeepEqual(stripTimes([]comms.Record{r}), stripTimes(appended[r.Seq-1:r.Seq])) {
				t.Errorf("Records(%+v) returned record %d with content other than appended:\n got %+v\nwant %+v", q, r.Seq, r, appended[r.Seq-1])
			} else if !driver.RecordMatches(q, r) {
				t.Errorf("Records(%+v) returned record %d, whose content does not match the query", q, r.Seq)
			}
		}
	}
}

// testTamperKey: an edit of the key column hides record 3 from the retry
// of its own key (which Verify reports) and must not make it the answer
// to another key.
func testTamperKey(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer)) {
	s, tamper := newStore(t)
	appended := tamperFill(t, s)
	tamper.SetColumn(t, "t1", 3, "idempotency_key", "key-other")
	_, err := s.Verify(ctx, "t1")
	chainErrorAt(t, "Verify after editing the idempotency_key column of record 3", err, 3, "idempotency_key")
	otherTenantIntact(t, s)
	r := tamperRecord(2)
	r.IdempotencyKey = "key-other"
	got, err := s.AppendRecord(ctx, "t1", r)
	chainErrorAt(t, "AppendRecord of the key the edited column holds", err, 3, "idempotency_key")
	if err == nil && sameRecord(got, appended[2]) {
		t.Errorf("AppendRecord returned record 3 for key-other, a key its hashed content does not carry")
	}
	// Other keys still answer.
	if got, err := s.AppendRecord(ctx, "t1", tamperRecord(4)); err != nil || !sameRecord(got, appended[4]) {
		t.Errorf("a retry of record 5 by its key: %+v, %v", got, err)
	}
}

// testTamperBody: after record 3's body is rewritten, Verify names the
// record, a retry by its key never returns the edited record, and
// Records yields only records as appended, or a *ChainError at record 3.
func testTamperBody(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer)) {
	s, tamper := newStore(t)
	appended := tamperFill(t, s)
	// A well-formed encoding of the same record with another subject:
	// the edit an attacker would make.
	r := appended[2]
	r.Subject = "rewritten"
	_, body := driver.Seal("t1", r.Seq, r.PrevHash, r.RecordedAt, r)
	tamper.SetBody(t, "t1", 3, body)
	_, err := s.Verify(ctx, "t1")
	chainErrorAt(t, "Verify after editing the body of record 3", err, 3, "")
	otherTenantIntact(t, s)
	// A retry of record 3 by its key, with the content appended or with
	// the content of the edited body: never the edited record.
	for _, retry := range []comms.Record{tamperRecord(2), func() comms.Record { r := tamperRecord(2); r.Subject = "rewritten"; return r }()} {
		got, err := s.AppendRecord(ctx, "t1", retry)
		chainErrorAt(t, "AppendRecord of record 3's key after its body was edited", err, 3, "")
		if err == nil {
			t.Errorf("AppendRecord returned %+v", got)
		}
	}
	// Records yields the records before the edited one, then a
	// *ChainError at it (a store that reads a page at a time must not drop
	// the good rows of the page), and a listing after it reads on.
	for _, after := range []int64{0, 3} {
		var ce *store.ChainError
		var seqs []int64
		for r, err := range s.Records(ctx, "t1", store.RecordQuery{After: after}) {
			if err != nil {
				if !errors.As(err, &ce) || ce.Seq != 3 {
					t.Errorf("Records(After %d): %v; want a record or a *ChainError at record 3", after, err)
				}
				break
			}
			seqs = append(seqs, r.Seq)
			if !reflect.DeepEqual(stripTimes([]comms.Record{r}), stripTimes(appended[r.Seq-1:r.Seq])) {
				t.Errorf("Records returned record %d with content other than appended (subject %q)", r.Seq, r.Subject)
			}
		}
		// A store that keeps the records it returns apart from the body
		// (store/memory) returns them all, as appended; one that reads the
		// body back stops at it, after the good ones.
		var want []int64
		for i := after + 1; i <= int64(len(appended)); i++ {
			if ce == nil || i < 3 {
				want = append(want, i)
			}
		}
		if !slices.Equal(seqs, want) {
			t.Errorf("Records(After %d) yielded %v then %v; want %v", after, seqs, ce, want)
		}
	}
}

// testTamperDelete: after record seq is deleted, Verify names it and
// Records never yields it.
func testTamperDelete(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer), seq int64) {
	s, tamper := newStore(t)
	tamperFill(t, s)
	tamper.DeleteRecord(t, "t1", seq)
	_, err := s.Verify(ctx, "t1")
	chainErrorAt(t, fmt.Sprintf("Verify after deleting record %d", seq), err, seq, "")
	otherTenantIntact(t, s)
	for r, err := range s.Records(ctx, "t1", store.RecordQuery{}) {
		if err == nil && r.Seq == seq {
			t.Errorf("Records yields the deleted record %d", seq)
		}
	}
}

// testTamperAckColumn: record 3 of t1 is an acknowledgement, the others
// are not; after column of record seq is set to value behind the store's
// back, Verify names the record and the column.
func testTamperAckColumn(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer), column string, seq int64, value string) {
	s, tamper := newStore(t)
	for i := 0; i < 6; i++ {
		r := tamperRecord(i)
		if i == 2 {
			r = Ack("a0", "e-001", tamperBase.Add(48*time.Hour))
		}
		mustAppend(t, s, "t1", r)
	}
	mustAppend(t, s, "t2", Ack("a0", "e-001", tamperBase))
	if _, err := s.Verify(ctx, "t1"); err != nil {
		t.Fatalf("Verify before the edit: %v", err)
	}
	tamper.SetColumn(t, "t1", seq, column, value)
	_, err := s.Verify(ctx, "t1")
	chainErrorAt(t, "Verify after editing the "+column+" column of record "+fmt.Sprint(seq), err, seq, column)
	otherTenantIntact(t, s)
}
