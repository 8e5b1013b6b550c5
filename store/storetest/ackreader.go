package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

func ackReader(t *testing.T, s store.Store) store.AckReader {
	t.Helper()
	ar, ok := s.(store.AckReader)
	if !ok {
		t.Skip("the store does not implement store.AckReader")
	}
	return ar
}

// ackLog appends to t1 a mixed log: deliveries naming people (sent
// records with a digest), acknowledgements of two activities and two
// digests, some through a batch if the store has one, a waiver and a
// keyless record; and one ack to t2. It returns t1's records as stored.
func ackLog(t *testing.T, s store.Store) []comms.Record {
	t.Helper()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	other := "sha256:" + strings.Repeat("1", 64)
	var rs []comms.Record
	for i := 0; i < 40; i++ {
		var r comms.Record
		switch {
		case i%10 == 0:
			r = Record("policy", base.Add(time.Duration(i)*time.Hour))
			r.Digest, r.Recipients, r.Reached, r.Acknowledged = AckDigest, []string{"e-1", "e-2"}, 2, 0
		case i%10 == 5:
			r = Record("awareness", base.Add(time.Duration(i)*time.Hour))
		default:
			a := []string{"policy", "awareness"}[i%2]
			r = Ack(a, fmt.Sprintf("e-%d", i), base.Add(time.Duration(i)*time.Hour+time.Microsecond))
			if i%3 == 0 {
				r.Digest = other
				r.IdempotencyKey = comms.AckKey(r.PlanID, a, other, r.PersonID)
			}
			if i%7 == 0 {
				r.Channel = ""
			}
			if i%4 == 2 { // another plan's activity of the same ID
				r.PlanID = "other-plan"
				r.IdempotencyKey = comms.AckKey(r.PlanID, a, r.Digest, r.PersonID)
			}
		}
		rs = append(rs, r)
	}
	var out []comms.Record
	if ba, ok := s.(store.BatchAppender); ok {
		for _, r := range rs[:20] {
			out = append(out, mustAppend(t, s, "t1", r))
		}
		got, err := ba.AppendRecords(ctx, "t1", rs[20:])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	} else {
		for _, r := range rs {
			out = append(out, mustAppend(t, s, "t1", r))
		}
	}
	mustAppend(t, s, "t2", Ack("policy", "e-1", base))
	return out
}

// wantAcks selects from records, as Acks must, the acknowledgements q
// selects.
func wantAcks(records []comms.Record, q store.AckQuery) []store.AckRecord {
	var out []store.AckRecord
	for _, r := range records {
		if r.Type != comms.RecordTypeAck || r.ActivityID != q.ActivityID || q.PlanID != "" && r.PlanID != q.PlanID ||
			len(q.Digests) > 0 && !strings.Contains(strings.Join(q.Digests, " "), r.Digest) ||
			!q.From.IsZero() && r.SentAt.Before(q.From) || !q.To.IsZero() && !r.SentAt.Before(q.To) {
			continue
		}
		out = append(out, store.AckRecord{Seq: r.Seq, PlanID: r.PlanID, ActivityID: r.ActivityID, PersonID: r.PersonID, Digest: r.Digest, SentAt: r.SentAt, Channel: r.Channel})
	}
	return out
}

// Acks yields, by sequence number, the acknowledgements of the activity
// (appended one by one or in a batch), of the digests and in the SentAt
// bounds the query names, with the fields of the records as appended;
// never a delivery, another activity's or another tenant's record.
func testAckReaderQuery(t *testing.T, s store.Store) {
	ar := ackReader(t, s)
	records := ackLog(t, s)
	other := "sha256:" + strings.Repeat("1", 64)
	from := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 3, 20, 0, 0, 1000, time.UTC)
	for _, q := range []store.AckQuery{
		{ActivityID: "policy"},
		{ActivityID: "awareness"},
		{ActivityID: "policy", Digests: []string{AckDigest}},
		{ActivityID: "policy", Digests: []string{other}},
		{ActivityID: "policy", Digests: []string{other, AckDigest}},
		{ActivityID: "policy", Digests: []string{"sha256:" + strings.Repeat("2", 64)}},
		{ActivityID: "policy", From: from},
		{ActivityID: "policy", To: to},
		{ActivityID: "awareness", Digests: []string{AckDigest}, From: from, To: to},
		{ActivityID: "nothing"},
		{PlanID: "plan", ActivityID: "policy"},
		{PlanID: "other-plan", ActivityID: "policy", Digests: []string{AckDigest}},
		{PlanID: "nothing", ActivityID: "policy"},
	} {
		got := collect(t, ar.Acks(ctx, "t1", q))
		want := wantAcks(records, q)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Acks(%+v):\n got %+v\nwant %+v", q, got, want)
		}
		for _, a := range got {
			if a.SentAt.Location() != time.UTC {
				t.Errorf("Acks(%+v): SentAt %v not in UTC", q, a.SentAt)
			}
		}
	}
	if n := len(wantAcks(records, store.AckQuery{ActivityID: "policy"})); n < 10 {
		t.Fatalf("the log has %d acks of policy: the test proves little", n)
	}
	if n := len(wantAcks(records, store.AckQuery{PlanID: "other-plan", ActivityID: "policy"})); n == 0 {
		t.Fatal("the log has no ack of another plan: the plan filter is not tested")
	}
	if got := collect(t, ar.Acks(ctx, "t2", store.AckQuery{ActivityID: "policy"})); len(got) != 1 || got[0].Seq != 1 {
		t.Errorf("t2's acks: %+v, want its one", got)
	}
	if got := collect(t, ar.Acks(ctx, "t3", store.AckQuery{ActivityID: "policy"})); len(got) != 0 {
		t.Errorf("a tenant with nothing has acks: %+v", got)
	}
	// Lazy and again: an ack appended after the call, before iterating.
	seq := ar.Acks(ctx, "t1", store.AckQuery{ActivityID: "late"})
	mustAppend(t, s, "t1", Ack("late", "e-9", from))
	for i := 0; i < 2; i++ {
		if got := collect(t, seq); len(got) != 1 || got[0].PersonID != "e-9" {
			t.Errorf("iteration %d of a listing made before the append: %+v", i, got)
		}
	}
	// The AckRecord as a comms.Record carries the fields Outstanding reads.
	a := collect(t, ar.Acks(ctx, "t1", store.AckQuery{ActivityID: "late"}))[0]
	if r := a.Record(); r.Type != comms.RecordTypeAck || r.PersonID != "e-9" || r.Digest != AckDigest || !r.SentAt.Equal(from) || r.Seq != a.Seq {
		t.Errorf("Record() = %+v", r)
	}
}

// Acks refuses with ErrInvalid a query without an activity, with more
// than MaxAckDigests digests, or with To before From, and an invalid
// tenant; a done context fails it with the context's error.
func testAckReaderInvalid(t *testing.T, s store.Store) {
	ar := ackReader(t, s)
	mustAppend(t, s, "t1", Ack("policy", "e-1", time.Now()))
	many := make([]string, store.MaxAckDigests+1)
	for i := range many {
		many[i] = AckDigest
	}
	now := time.Now()
	for _, q := range []store.AckQuery{{}, {Digests: []string{AckDigest}}, {ActivityID: "policy", Digests: many}, {ActivityID: "policy", From: now, To: now.Add(-time.Second)}} {
		if err := firstErr(ar.Acks(ctx, "t1", q)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Acks(%d digests, activity %q): %v, want ErrInvalid", len(q.Digests), q.ActivityID, err)
		}
	}
	for _, tenant := range []string{"", "a\nb"} {
		if err := firstErr(ar.Acks(ctx, tenant, store.AckQuery{ActivityID: "policy"})); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Acks for tenant %q: %v, want ErrInvalid", tenant, err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := firstErr(ar.Acks(done, "t1", store.AckQuery{ActivityID: "policy"})); !errors.Is(err, context.Canceled) {
		t.Errorf("Acks with a cancelled context: %v, want context.Canceled", err)
	}
}
