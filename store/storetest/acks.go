package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// AckDigest is the message version digest the acknowledgements of this
// suite name.
const AckDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// Ack returns person's acknowledgement of activity a's message version
// AckDigest at the given time, keyed with comms.AckKey.
func Ack(a, person string, at time.Time) comms.Record {
	return comms.Record{Type: comms.RecordTypeAck, PlanID: "plan", PlanVersion: 1, ActivityID: a, SentAt: at, Channel: "email",
		PersonID: person, Digest: AckDigest, Evidence: comms.AckEvidence{Kind: "click-through", Ref: "ct-" + person},
		IdempotencyKey: comms.AckKey("plan", a, AckDigest, person)}
}

// An acknowledgement and a record with recipients are appended, listed and
// verified with every field they carry; an acknowledgement submitted again
// is stored once, and one with the same key but another time is a
// conflict.
func testAcks(t *testing.T, s store.Store) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sent := Record("policy", at.Add(-time.Hour))
	sent.Recipients, sent.Reached, sent.Acknowledged = []string{"p1", "p2", "p3"}, 3, 0
	gotSent := mustAppend(t, s, "t1", sent)
	ack := Ack("policy", "p2", at)
	gotAck := mustAppend(t, s, "t1", ack)
	if gotAck.Type != comms.RecordTypeAck || gotAck.PersonID != "p2" || gotAck.Evidence != ack.Evidence || gotAck.Digest != AckDigest {
		t.Fatalf("appended acknowledgement %+v", gotAck)
	}
	// The people are part of the hashed record, as the v3 format.
	if want, body := driver.Seal("t1", gotAck.Seq, gotAck.PrevHash, gotAck.RecordedAt, ack); want.Hash != gotAck.Hash || !hasPrefix(body, driver.RecordFormatV3) {
		t.Errorf("hash %s; the canonical encoding gives %s (%.30s)", gotAck.Hash, want.Hash, body)
	}
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{ActivityID: "policy"}))
	if len(listed) != 2 || !sameRecord(listed[0], gotSent) || !sameRecord(listed[1], gotAck) {
		t.Fatalf("listed %+v\nwant %+v and %+v", listed, gotSent, gotAck)
	}
	if !slices.Equal(listed[0].Recipients, []string{"p1", "p2", "p3"}) {
		t.Errorf("recipients listed as %q", listed[0].Recipients)
	}
	again, err := s.AppendRecord(ctx, "t1", ack)
	if err != nil || !sameRecord(again, gotAck) {
		t.Fatalf("acknowledgement submitted again: %+v, %v; want the stored one", again, err)
	}
	later := ack
	later.SentAt = at.Add(time.Hour)
	if _, err := s.AppendRecord(ctx, "t1", later); !errors.Is(err, store.ErrConflict) {
		t.Errorf("acknowledgement with the same key at another time: %v, want ErrConflict", err)
	}
	if n := recordCount(t, s, "t1"); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != 2 {
		t.Errorf("Verify: %+v, %v", head, err)
	}
}

func hasPrefix(body []byte, format string) bool {
	return len(body) > len(format)+2 && string(body[2:2+len(format)]) == format
}

// The store refuses with ErrInvalid an acknowledgement without its person,
// activity or digest or with what a delivery says, a person or evidence
// on any other record, and recipients that are empty, repeated, too many
// for Reached or on a waiver; it stores nothing.
func testAckInvalid(t *testing.T, s store.Store) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	acks := map[string]func(r *comms.Record){
		"no person":    func(r *comms.Record) { r.PersonID = "" },
		"no plan":      func(r *comms.Record) { r.PlanID = "" },
		"no activity":  func(r *comms.Record) { r.ActivityID = "" },
		"no digest":    func(r *comms.Record) { r.Digest = "" },
		"recipients":   func(r *comms.Record) { r.Recipients = []string{"p1"} },
		"reached":      func(r *comms.Record) { r.Reached = 1 },
		"occurrence":   func(r *comms.Record) { r.Occurrence = at },
		"person NUL":   func(r *comms.Record) { r.PersonID = "p\x00" },
		"evidence ref": func(r *comms.Record) { r.Evidence.Ref = string(make([]byte, store.MaxEvidenceRef+1)) },
		"evidence ctl": func(r *comms.Record) { r.Evidence.Kind = "click\nthrough" },
	}
	for name, edit := range acks {
		r := Ack("policy", "p1", at)
		edit(&r)
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("acknowledgement with %s: %v, want ErrInvalid", name, err)
		}
	}
	records := map[string]func(r *comms.Record){
		"person on a sent record":   func(r *comms.Record) { r.PersonID = "p1" },
		"evidence on a sent record": func(r *comms.Record) { r.Evidence.Ref = "x" },
		"empty recipient":           func(r *comms.Record) { r.Recipients, r.Reached = []string{"p1", ""}, 2 },
		"repeated recipient":        func(r *comms.Record) { r.Recipients, r.Reached = []string{"p1", "p1"}, 2 },
		"reached not recipients":    func(r *comms.Record) { r.Recipients, r.Reached, r.Acknowledged = []string{"p1", "p2"}, 3, 0 },
		"recipients of a waiver": func(r *comms.Record) {
			r.Type, r.Note, r.Recipients, r.Reached, r.Acknowledged = comms.RecordTypeWaived, "why", []string{"p1"}, 0, 0
		},
	}
	for name, edit := range records {
		r := Record("policy", at)
		edit(&r)
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("record with %s: %v, want ErrInvalid", name, err)
		}
	}
	if n := recordCount(t, s, "t1"); n != 0 {
		t.Errorf("%d records stored, want 0", n)
	}
}

func batchAppender(t *testing.T, s store.Store) store.BatchAppender {
	t.Helper()
	ba, ok := s.(store.BatchAppender)
	if !ok {
		t.Skip("the store does not implement store.BatchAppender")
	}
	return ba
}

// acks returns n acknowledgements of activity a by people p0, p1, ...
// starting at person first.
func acks(a string, first, n int, at time.Time) []comms.Record {
	out := make([]comms.Record, n)
	for i := range out {
		out[i] = Ack(a, fmt.Sprintf("p%d", first+i), at.Add(time.Duration(i)*time.Second))
	}
	return out
}

// AppendRecords appends a batch as that many AppendRecord calls would:
// consecutive sequence numbers in the order given, one chain; a record
// whose key is stored, or repeated within the batch, is answered with the
// stored record and appended once; Corrects may name an earlier record of
// the batch; an empty batch appends nothing.
func testBatchAppend(t *testing.T, s store.Store) {
	ba := batchAppender(t, s)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	first := mustAppend(t, s, "t1", Ack("policy", "p0", at))
	if got, err := ba.AppendRecords(ctx, "t1", nil); err != nil || len(got) != 0 {
		t.Fatalf("empty batch: %v, %v", got, err)
	}
	batch := acks("policy", 0, 2000, at) // p0 is stored already
	batch = append(batch, batch[10])     // repeated within the batch
	plain := Record("policy", at)
	plain.Recipients, plain.Reached, plain.Acknowledged = []string{"p1", "p2"}, 2, 0
	batch = append(batch, plain)
	correction := Record("policy", at)
	correction.Corrects = first.Seq + 2000 // the plain record of this batch
	batch = append(batch, correction)
	got, err := ba.AppendRecords(ctx, "t1", batch)
	if err != nil {
		t.Fatalf("AppendRecords: %v", err)
	}
	if len(got) != len(batch) {
		t.Fatalf("%d records returned for a batch of %d", len(got), len(batch))
	}
	if !sameRecord(got[0], first) {
		t.Errorf("a stored key in the batch returned %+v, want the stored %+v", got[0], first)
	}
	if !sameRecord(got[2000], got[10]) {
		t.Errorf("a key repeated in the batch returned %d, want %d", got[2000].Seq, got[10].Seq)
	}
	want := first.Seq + 1
	prev := first.Hash
	for i, r := range got {
		if i == 0 || i == 2000 {
			continue
		}
		if r.Seq != want || r.PrevHash != prev {
			t.Fatalf("record %d of the batch: seq %d prev %.8s, want %d %.8s", i, r.Seq, r.PrevHash, want, prev)
		}
		want, prev = want+1, r.Hash
	}
	if got[len(got)-1].Corrects != got[len(got)-2].Seq {
		t.Errorf("the correction names %d, want %d", got[len(got)-1].Corrects, got[len(got)-2].Seq)
	}
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(listed) != 2002 {
		t.Fatalf("%d records stored, want 2002", len(listed))
	}
	for i, r := range listed[1:] {
		j := i + 1
		if j >= 2000 {
			j++ // got[2000] is the repeat
		}
		if !sameRecord(r, got[j]) {
			t.Fatalf("stored record %d differs from the one returned", r.Seq)
		}
	}
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != 2002 || head.Hash != got[len(got)-1].Hash {
		t.Errorf("Verify: %+v, %v", head, err)
	}
	// Again, the whole batch: every record is answered, nothing appended.
	again, err := ba.AppendRecords(ctx, "t1", batch[:2001])
	if err != nil {
		t.Fatalf("the batch again: %v", err)
	}
	for i := range again {
		if !sameRecord(again[i], got[i]) {
			t.Fatalf("the batch again: record %d is %d, want %d", i, again[i].Seq, got[i].Seq)
		}
	}
	if n := recordCount(t, s, "t1"); n != 2002 {
		t.Errorf("after the batch again: %d records, want 2002", n)
	}
	// Returned records share no memory with the store.
	got[len(got)-2].Recipients[0] = "changed-after-append"
	if r := collect(t, s.Records(ctx, "t1", store.RecordQuery{After: 2000, Limit: 1})); r[0].Recipients[0] != "p1" {
		t.Errorf("the store shares memory with a returned record: %q", r[0].Recipients)
	}
}

// A batch is all or nothing: one invalid record (ErrInvalid), a record
// whose key the tenant has with other content, two records of the batch
// with one key and different content (ErrConflict), or a correction of a
// record that does not exist, and nothing of the batch is stored.
func testBatchAllOrNothing(t *testing.T, s store.Store) {
	ba := batchAppender(t, s)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	mustAppend(t, s, "t1", Ack("policy", "stored", at))
	head, err := s.Verify(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		edit func(b []comms.Record) []comms.Record
		want error
	}{
		"invalid": {func(b []comms.Record) []comms.Record { b[500].PersonID = ""; return b }, store.ErrInvalid},
		"stored key, other content": {func(b []comms.Record) []comms.Record {
			r := Ack("policy", "stored", at.Add(time.Minute))
			return append(b, r)
		}, store.ErrConflict},
		"repeated key, other content": {func(b []comms.Record) []comms.Record {
			r := b[3]
			r.Channel = "intranet"
			return append(b, r)
		}, store.ErrConflict},
		"corrects what does not exist": {func(b []comms.Record) []comms.Record {
			r := Record("policy", at)
			r.Corrects = head.Seq + int64(len(b)) + 1
			return append(b, r)
		}, store.ErrInvalid},
		"too many": {func(b []comms.Record) []comms.Record {
			return slices.Grow(b, store.MaxBatch+1)[:store.MaxBatch+1]
		}, store.ErrInvalid},
	}
	for name, c := range cases {
		batch := c.edit(acks("policy", 0, 1000, at))
		if name == "too many" {
			for i := 1000; i < len(batch); i++ {
				batch[i] = batch[i%1000]
			}
		}
		if _, err := ba.AppendRecords(ctx, "t1", batch); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		if got, err := s.Verify(ctx, "t1"); err != nil || got != head {
			t.Errorf("%s: after the refused batch the head is %+v (%v), want %+v", name, got, err, head)
		}
	}
	if _, err := ba.AppendRecords(ctx, "", acks("policy", 0, 1, at)); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("batch for an invalid tenant: %v, want ErrInvalid", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ba.AppendRecords(done, "t1", acks("policy", 0, 10, at)); !errors.Is(err, context.Canceled) {
		t.Errorf("batch with a done context: %v, want context.Canceled", err)
	}
	if n := recordCount(t, s, "t1"); n != 1 {
		t.Errorf("%d records stored, want 1", n)
	}
}

// Concurrent batches and appends to one tenant form one chain, with no
// gap and no sequence number twice, each batch's new records consecutive;
// concurrent batches of the same acknowledgements store each once.
func testBatchConcurrent(t *testing.T, s store.Store) {
	ba := batchAppender(t, s)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	const writers, size = 8, 100
	var wg sync.WaitGroup
	got := make([][]comms.Record, writers)
	same := make([][]comms.Record, writers)
	errs := make([]error, 2*writers+1)
	for w := 0; w < writers; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			got[w], errs[w] = ba.AppendRecords(ctx, "t1", acks(fmt.Sprintf("a%d", w), 0, size, at))
		}()
		go func() { // every writer submits the same batch of "shared"
			defer wg.Done()
			same[w], errs[writers+w] = ba.AppendRecords(ctx, "t1", acks("shared", 0, size, at))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20 && errs[2*writers] == nil; i++ {
			_, errs[2*writers] = s.AppendRecord(ctx, "t1", Record("single", at))
		}
	}()
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	for w, b := range got {
		for i := 1; i < len(b); i++ {
			if b[i].Seq != b[i-1].Seq+1 {
				t.Fatalf("batch %d is not consecutive: %d after %d", w, b[i].Seq, b[i-1].Seq)
			}
		}
	}
	for w := 1; w < writers; w++ {
		for i := range same[w] {
			if !sameRecord(same[w][i], same[0][i]) {
				t.Fatalf("writers 0 and %d got different records for the same acknowledgement %d", w, i)
			}
		}
	}
	total := writers*size + size + 20
	if n := recordCount(t, s, "t1"); n != total {
		t.Errorf("%d records, want %d", n, total)
	}
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != int64(total) {
		t.Errorf("Verify: %+v, %v; want %d records", head, err, total)
	}
}

// Feedback received and a drill's record are appended, listed and
// verified with every field they carry, hashed as the v4 format; a score
// of 0 stays a score, and the stored record shares no memory with the
// caller's.
func testProgrammeRecords(t *testing.T, s store.Store) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	score := 0
	fb := comms.Record{Type: comms.RecordTypeFeedback, PlanID: "plan", ActivityID: "survey", Channel: "survey", SentAt: at,
		Digest: "sha256:" + strings.Repeat("c", 64), From: "customers", Score: &score, HandledAt: at.Add(48 * time.Hour)}
	drill := Record("regulator", at.Add(time.Hour))
	drill.EventID, drill.Drill = "DRILL-1", true
	var got []comms.Record
	for _, r := range []comms.Record{fb, drill} {
		g := mustAppend(t, s, "t1", r)
		if want, body := driver.Seal("t1", g.Seq, g.PrevHash, g.RecordedAt, r); want.Hash != g.Hash || !hasPrefix(body, driver.RecordFormatV4) {
			t.Errorf("hash %s; the canonical encoding gives %s (%.30s)", g.Hash, want.Hash, body)
		}
		got = append(got, g)
	}
	score = 7
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(listed) != 2 || !sameRecord(listed[0], got[0]) || !sameRecord(listed[1], got[1]) {
		t.Fatalf("listed %+v\nwant %+v", listed, got)
	}
	if l := listed[0]; l.Score == nil || *l.Score != 0 || l.From != "customers" || !l.HandledAt.Equal(fb.HandledAt) || l.Type != comms.RecordTypeFeedback {
		t.Errorf("feedback listed as %+v", l)
	}
	if !listed[1].Drill || listed[1].Score != nil {
		t.Errorf("drill record listed as %+v", listed[1])
	}
	*listed[0].Score = 9 // a listing's record is the caller's to change
	if again := collect(t, s.Records(ctx, "t1", store.RecordQuery{})); *again[0].Score != 0 {
		t.Errorf("changing a listed record changed the store's: score %d", *again[0].Score)
	}
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != 2 {
		t.Errorf("Verify: %+v, %v", head, err)
	}
	for name, edit := range map[string]func(*comms.Record){
		"feedback from no one":  func(r *comms.Record) { r.From = "" },
		"a negative score":      func(r *comms.Record) { n := -1; r.Score = &n },
		"from on a sent record": func(r *comms.Record) { r.Type = comms.RecordTypeSent },
		"handled in year 10000": func(r *comms.Record) { r.HandledAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		r := fb
		r.Score = nil
		edit(&r)
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// A drill's mark only on a record answering an event, never on an
	// acknowledgement.
	drillAck := Ack("policy", "alice", at)
	drillAck.EventID, drillAck.Drill = "DRILL-1", true
	noEvent := drill
	noEvent.EventID = ""
	for name, r := range map[string]comms.Record{"a drill acknowledgement": drillAck, "a drill record naming no event": noEvent} {
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if head, err := s.Verify(ctx, "t1"); err != nil || head.Seq != 2 {
		t.Errorf("Verify after the refusals: %+v, %v", head, err)
	}
}
