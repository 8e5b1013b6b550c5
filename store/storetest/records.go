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

// Record returns a record for activity a sent at the given time.
func Record(a string, sent time.Time) comms.Record {
	return comms.Record{PlanID: "plan", PlanVersion: 1, ActivityID: a, SentAt: sent, Channel: "email", Audiences: []string{"employees"},
		Sender: "alice@example.org", SenderRole: "iso", Subject: "Subject " + a, Digest: "sha256:00", Reached: 10, Acknowledged: 7}
}

func mustAppend(t *testing.T, s store.Store, tenant string, r comms.Record) comms.Record {
	t.Helper()
	got, err := s.AppendRecord(ctx, tenant, r)
	if err != nil {
		t.Fatalf("AppendRecord: %v", err)
	}
	return got
}

// AppendRecord returns the record as stored: sequence numbers 1, 2, 3,
// RecordedAt from the store's clock, PrevHash the previous record's Hash,
// Hash over the canonical encoding, an empty Type as sent.
func testRecordChain(t *testing.T, s store.Store) {
	if head, err := s.Verify(ctx, "t1"); err != nil || head != (store.Head{}) {
		t.Errorf("Verify of an empty log: %+v, %v; want the zero Head", head, err)
	}
	sent := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	var appended []comms.Record
	before := time.Now()
	for i := 0; i < 5; i++ {
		appended = append(appended, mustAppend(t, s, "t1", Record(fmt.Sprintf("a%d", i), sent.Add(time.Duration(i)*time.Hour))))
	}
	after := time.Now()
	prev := ""
	for i, r := range appended {
		if r.Seq != int64(i+1) || r.PrevHash != prev || len(r.Hash) != 64 || r.Type != comms.RecordTypeSent {
			t.Errorf("record %d: seq %d prev %q hash %q type %q", i, r.Seq, r.PrevHash, r.Hash, r.Type)
		}
		near(t, "RecordedAt", r.RecordedAt, before, after)
		if !r.SentAt.Equal(sent.Add(time.Duration(i) * time.Hour)) {
			t.Errorf("SentAt changed: %v", r.SentAt)
		}
		want, _ := driver.Seal("t1", r.Seq, r.PrevHash, r.RecordedAt, Record(fmt.Sprintf("a%d", i), sent.Add(time.Duration(i)*time.Hour)))
		if want.Hash != r.Hash {
			t.Errorf("record %d: hash %s, the canonical encoding gives %s", r.Seq, r.Hash, want.Hash)
		}
		prev = r.Hash
	}
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if !reflect.DeepEqual(stripTimes(listed), stripTimes(appended)) {
		t.Errorf("Records differs from what AppendRecord returned:\n%+v\n%+v", listed, appended)
	}
	last := appended[len(appended)-1]
	if head, err := s.Verify(ctx, "t1"); err != nil || head != (store.Head{Seq: last.Seq, Hash: last.Hash}) {
		t.Errorf("Verify: %+v, %v; want the last record's sequence number and hash", head, err)
	}
}

// stripTimes makes records comparable with DeepEqual (time.Time holds a
// location pointer); times are compared separately.
func stripTimes(rs []comms.Record) []comms.Record {
	out := make([]comms.Record, len(rs))
	for i, r := range rs {
		r.SentAt, r.RecordedAt, r.Occurrence, r.HandledAt = r.SentAt.UTC(), r.RecordedAt.UTC(), r.Occurrence.UTC(), r.HandledAt.UTC()
		out[i] = r
	}
	return out
}

// Every field the caller sets survives the append and the listing.
func testRecordFields(t *testing.T, s store.Store) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	in := comms.Record{
		Type: comms.RecordTypeWaived, PlanID: "plan", PlanVersion: 3, ActivityID: "policy",
		Occurrence: time.Date(2026, 1, 15, 9, 0, 0, 0, berlin), EventID: "inc-1",
		SentAt: time.Date(2026, 1, 16, 10, 11, 12, 123456789, berlin), Channel: "email",
		Audiences: []string{"employees", "contractors"}, Sender: "Zoë <zoe@example.org>", SenderRole: "iso",
		Subject: "Ümlauts, \"quotes\", <tags> & \u2028", Digest: "sha256:abc", Reached: 100, Acknowledged: 42,
		Note: "Waived: the office was closed\nsecond line", IdempotencyKey: "msg-Ünïcödé-\"1\"",
	}
	got := mustAppend(t, s, "t1", in)
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(listed) != 1 {
		t.Fatalf("%d records", len(listed))
	}
	for _, r := range []comms.Record{got, listed[0]} {
		want := in
		want.Seq, want.RecordedAt, want.Hash = 1, r.RecordedAt, r.Hash
		want.SentAt = in.SentAt.Truncate(time.Microsecond)
		if !reflect.DeepEqual(stripTimes([]comms.Record{r}), stripTimes([]comms.Record{want})) || !r.Occurrence.Equal(in.Occurrence) {
			t.Errorf("record fields did not survive:\n got %+v\nwant %+v", r, want)
		}
	}
}

// Records yields the records q selects: by plan, activity, event, sent
// time bounds (finer than a microsecond too), After and Limit.
func testRecordQuery(t *testing.T, s store.Store) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ {
		r := Record(fmt.Sprintf("a%d", i%3), base.Add(time.Duration(i)*24*time.Hour))
		if i%4 == 0 {
			r.PlanID, r.EventID = "other", "inc-1"
		}
		mustAppend(t, s, "t1", r)
	}
	seqs := func(q store.RecordQuery) []int64 {
		var out []int64
		for _, r := range collect(t, s.Records(ctx, "t1", q)) {
			out = append(out, r.Seq)
		}
		return out
	}
	tests := []struct {
		q    store.RecordQuery
		want []int64
	}{
		{store.RecordQuery{ActivityID: "a1"}, []int64{2, 5, 8, 11}},
		{store.RecordQuery{PlanID: "other"}, []int64{1, 5, 9}},
		{store.RecordQuery{EventID: "inc-1", ActivityID: "a0"}, []int64{1}},
		{store.RecordQuery{From: base.Add(3 * 24 * time.Hour), To: base.Add(6 * 24 * time.Hour)}, []int64{4, 5, 6}},
		{store.RecordQuery{After: 10}, []int64{11, 12}},
		{store.RecordQuery{ActivityID: "a2", Limit: 2}, []int64{3, 6}},
		{store.RecordQuery{ActivityID: "nope"}, nil},
		// Bounds finer than the microsecond SentAt is kept to.
		{store.RecordQuery{From: base.Add(time.Nanosecond), To: base.Add(24*time.Hour + time.Nanosecond)}, []int64{2}},
		{store.RecordQuery{From: base.Add(-time.Nanosecond), To: base.Add(-time.Nanosecond)}, nil},
	}
	for _, tc := range tests {
		if got := seqs(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Records(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// Paging by After and Limit visits every record once.
func testRecordPaging(t *testing.T, s store.Store) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	const n = 700
	for i := 0; i < n; i++ {
		mustAppend(t, s, "t1", Record("a", base.Add(time.Duration(i)*time.Minute)))
	}
	var got []int64
	after := int64(0)
	for {
		page := collect(t, s.Records(ctx, "t1", store.RecordQuery{After: after, Limit: 100}))
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			got = append(got, r.Seq)
		}
		after = page[len(page)-1].Seq
	}
	if len(got) != n || got[0] != 1 || got[n-1] != n {
		t.Errorf("paging gave %d records", len(got))
	}
	// Stopping early is allowed.
	count := 0
	for range s.Records(ctx, "t1", store.RecordQuery{}) {
		if count++; count == 3 {
			break
		}
	}
	if count != 3 {
		t.Error("early stop")
	}
}

// A correction is a new record whose Corrects names an earlier record; one
// naming a record that does not exist is ErrInvalid.
func testCorrections(t *testing.T, s store.Store) {
	first := mustAppend(t, s, "t1", Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)))
	fix := Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	fix.Corrects, fix.Reached, fix.Note = first.Seq, 12, "reach count was wrong"
	if got := mustAppend(t, s, "t1", fix); got.Corrects != 1 || got.Seq != 2 {
		t.Errorf("correction = %+v", got)
	}
	fix.Corrects = 3
	if _, err := s.AppendRecord(ctx, "t1", fix); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("correcting a record that does not exist: %v, want ErrInvalid", err)
	}
	if _, err := s.Verify(ctx, "t1"); err != nil {
		t.Error(err)
	}
}

// A record that sets what the store assigns, or breaks the rules on type,
// counts, IDs, text or idempotency key, is ErrInvalid and appends nothing
// (and uses up no sequence number); what the rules allow is appended.
func testRecordInvalid(t *testing.T, s store.Store) {
	ok := Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	bad := []func(*comms.Record){
		func(r *comms.Record) { r.SentAt = time.Time{} },
		func(r *comms.Record) { r.Seq = 7 },
		func(r *comms.Record) { r.Hash = "abc" },
		func(r *comms.Record) { r.RecordedAt = time.Now() },
		func(r *comms.Record) { r.Type = "maybe" },
		func(r *comms.Record) { r.Type = comms.RecordTypeWaived; r.Note = "" },
		func(r *comms.Record) { r.Reached = -1 },
		func(r *comms.Record) { r.Acknowledged = r.Reached + 1 },
		func(r *comms.Record) { r.PrevHash = "abc" },
		func(r *comms.Record) { r.Type = comms.RecordTypeWaived; r.Note = " \n" },
		func(r *comms.Record) { r.Acknowledged = -1 },
		func(r *comms.Record) { r.Corrects = -1 },
		func(r *comms.Record) { r.PlanVersion = -1 },
		func(r *comms.Record) { r.IdempotencyKey = strings.Repeat("k", store.MaxIDLen+1) },
		func(r *comms.Record) { r.IdempotencyKey = "line\nbreak" },
		func(r *comms.Record) { r.IdempotencyKey = "nul\x00" },
		func(r *comms.Record) { r.IdempotencyKey = "bad \xff UTF-8" },
		func(r *comms.Record) { r.ActivityID = "a\x00b" },
		func(r *comms.Record) { r.PlanID = strings.Repeat("p", store.MaxIDLen+1) },
		func(r *comms.Record) { r.EventID = "inc\x001" },
		func(r *comms.Record) { r.Channel = "\xfe" },
		func(r *comms.Record) { r.SenderRole = "iso\x00" },
		func(r *comms.Record) { r.Audiences = []string{"employees", "bad\x00"} },
		func(r *comms.Record) { r.Subject = "invalid \xff UTF-8" },
		// Times the record encoding cannot hold: stored, they would never
		// read back, and the tenant's chain would stay broken for good.
		func(r *comms.Record) { r.SentAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(r *comms.Record) {
			r.SentAt = time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("-12", -12*3600))
		},
		func(r *comms.Record) { r.SentAt = time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC) },
		func(r *comms.Record) { r.Occurrence = time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(r *comms.Record) { r.Note = "invalid \xc3" },
		func(r *comms.Record) { r.Sender = "\xff" },
		func(r *comms.Record) { r.Digest = "\xff" },
	}
	for i, change := range bad {
		r := ok
		change(&r)
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("invalid record %d: %v, want ErrInvalid", i, err)
		}
	}
	if rs := collect(t, s.Records(ctx, "t1", store.RecordQuery{})); len(rs) != 0 {
		t.Errorf("invalid records were appended: %d", len(rs))
	}
	if r := mustAppend(t, s, "t1", ok); r.Seq != 1 {
		t.Errorf("a rejected record used up sequence numbers: %d", r.Seq)
	}
	// What the contract allows: a waiver with a reason, no Reached with
	// any Acknowledged, a key of exactly the limit.
	for i, change := range []func(*comms.Record){
		func(r *comms.Record) { r.Type = comms.RecordTypeWaived; r.Note = "office closed" },
		func(r *comms.Record) { r.Type = comms.RecordTypeSent },
		func(r *comms.Record) { r.Reached, r.Acknowledged = 0, 5 },
		func(r *comms.Record) { r.IdempotencyKey = strings.Repeat("k", store.MaxIDLen) },
		func(r *comms.Record) { r.IdempotencyKey = "Ünïcödé key 🔐" },
		func(r *comms.Record) { r.ActivityID = strings.Repeat("a", store.MaxIDLen) },
		func(r *comms.Record) { r.Subject = "free text\twith\ncontrol characters\x00" },
		func(r *comms.Record) { r.ActivityID, r.Channel, r.SenderRole = "a\x1b[31m", "mail\n", "iso\u202e" },
	} {
		r := ok
		change(&r)
		if _, err := s.AppendRecord(ctx, "t1", r); err != nil {
			t.Errorf("valid record %d: %v", i, err)
		}
	}
}

// A RecordQuery with a negative After or Limit is ErrInvalid, in the
// sequence.
func testQueryInvalid(t *testing.T, s store.Store) {
	mustAppend(t, s, "t1", Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)))
	for _, q := range []store.RecordQuery{{After: -1}, {Limit: -1}, {After: -5, Limit: -5}} {
		if err := firstErr(s.Records(ctx, "t1", q)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Records(%+v): %v, want ErrInvalid", q, err)
		}
	}
}

// The store keeps what records and events refer to as given: a plan,
// version, activity, occurrence or event that was never stored.
func testNoReferences(t *testing.T, s store.Store) {
	r := Record("no-such-activity", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	r.PlanID, r.PlanVersion, r.EventID = "no-such-plan", 99, "no-such-event"
	r.Occurrence = time.Date(2031, 7, 4, 3, 2, 1, 0, time.UTC)
	got := mustAppend(t, s, "t1", r)
	if got.PlanID != r.PlanID || got.PlanVersion != 99 || got.ActivityID != r.ActivityID || got.EventID != r.EventID || !got.Occurrence.Equal(r.Occurrence) {
		t.Errorf("the record's references were not kept as given: %+v", got)
	}
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	r.PlanID, r.PlanVersion = "plan", 7 // a version the plan does not have
	mustAppend(t, s, "t1", r)
	e := event("inc-1", "no-such-kind", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	e.Milestones[0].Name = "no-such-milestone"
	if err := s.SaveEvent(ctx, "t1", e); err != nil {
		t.Errorf("SaveEvent of an event no plan is triggered by: %v", err)
	}
}

// Records come back as they were appended, after any number of later
// appends: never changed, never removed.
func testRecordsNeverChanged(t *testing.T, s store.Store) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	var appended []comms.Record
	for i := 0; i < 20; i++ {
		r := Record(fmt.Sprintf("a%d", i%4), base.Add(time.Duration(i)*time.Hour))
		if i%3 == 0 {
			r.IdempotencyKey = fmt.Sprintf("key-%d", i)
		}
		if i == 10 {
			r.Corrects = 4
		}
		appended = append(appended, mustAppend(t, s, "t1", r))
		listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
		if !reflect.DeepEqual(stripTimes(listed), stripTimes(appended)) {
			t.Fatalf("after %d appends, Records differs from what AppendRecord returned", i+1)
		}
	}
}

// Records yields records by sequence number, whatever order their other
// fields are in.
func testOrderRecords(t *testing.T, s store.Store) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 30; i++ {
		// Sent times, activities and plans that run against the order
		// of appending.
		r := Record(fmt.Sprintf("a%02d", 30-i), base.Add(-time.Duration(i)*time.Hour))
		r.PlanID = fmt.Sprintf("p%d", (7*i)%5)
		mustAppend(t, s, "t1", r)
	}
	for _, q := range []store.RecordQuery{{}, {From: base.Add(-20 * time.Hour)}, {PlanID: "p2"}, {After: 11, Limit: 7}} {
		prev := q.After
		for _, r := range collect(t, s.Records(ctx, "t1", q)) {
			if r.Seq <= prev {
				t.Errorf("Records(%+v): record %d after record %d", q, r.Seq, prev)
			}
			prev = r.Seq
		}
	}
}

// Verify returns the last record's sequence number and hash, the zero
// Head for an empty log, and does not change as the log is read.
func testVerifyHead(t *testing.T, s store.Store) {
	if head, err := s.Verify(ctx, "t1"); err != nil || head != (store.Head{}) {
		t.Errorf("Verify of an empty log: %+v, %v; want the zero Head", head, err)
	}
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	if head, err := s.Verify(ctx, "t1"); err != nil || head != (store.Head{}) {
		t.Errorf("Verify of a tenant with a plan and no records: %+v, %v; want the zero Head", head, err)
	}
	var last comms.Record
	for i := 0; i < 7; i++ {
		last = mustAppend(t, s, "t1", Record("a", time.Date(2026, 2, 1, 9, i, 0, 0, time.UTC)))
		head, err := s.Verify(ctx, "t1")
		if err != nil || head != (store.Head{Seq: last.Seq, Hash: last.Hash}) {
			t.Fatalf("Verify after %d appends: %+v, %v; want record %d's sequence number and hash", i+1, head, err, last.Seq)
		}
	}
	collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != 7 || head.Hash != last.Hash {
		t.Errorf("Verify again: %+v, %v", head, err)
	}
}
