package sqlite_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// go test ./store/sqlite/ -run XXX -bench Outstanding -benchmem
//
// The outstanding list of one activity from SQLite, for a tenant of
// 10,000 people and a year of the activity's message: four material
// versions, a delivery naming everyone and 9,000 acknowledgements each
// (36,004 records; evidence's BenchmarkOutstanding has the same shape).
// records: the honest alternative, store.Records{ActivityID} (every
// record opened: hashed and decoded) and evidence.Outstanding. acks: the
// store.AckReader path, Communications{ActivityID} (the four deliveries,
// opened as Records opens them) and Acks of the digest accepted at the
// moment (9,000 rows of the covering index, no body read), then
// Outstanding. read-only variants leave out Outstanding.
func BenchmarkOutstanding(b *testing.B) {
	vs, roster, log, accepted := ackYear(10_000)
	when := time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "acks.db"), &sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := b.Context()
	for i := 0; i < len(log); i += 10_000 {
		if _, err := s.AppendRecords(ctx, "t", log[i:min(i+10_000, len(log))]); err != nil {
			b.Fatal(err)
		}
	}
	records := func(b *testing.B) []comms.Record {
		var out []comms.Record
		for r, err := range s.Records(ctx, "t", store.RecordQuery{ActivityID: "policy"}) {
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	fast := func(b *testing.B) []comms.Record {
		var out []comms.Record
		for r, err := range s.Communications(ctx, "t", store.RecordQuery{ActivityID: "policy", To: when.Add(time.Microsecond)}) {
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, r)
		}
		var acks []store.AckRecord
		for a, err := range s.Acks(ctx, "t", store.AckQuery{ActivityID: "policy", Digests: accepted, To: when.Add(time.Microsecond)}) {
			if err != nil {
				b.Fatal(err)
			}
			acks = append(acks, a)
		}
		out = slices.Grow(out, len(acks))
		for _, a := range acks {
			out = append(out, a.Record())
		}
		return out
	}
	outstanding := func(b *testing.B, log []comms.Record) *evidence.AckStatus {
		st, err := evidence.Outstanding(vs, roster, log, "policy", when)
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	// The two paths give the same answer.
	want, got := outstanding(b, records(b)), outstanding(b, fast(b))
	if want.Total != got.Total || want.Total.Acknowledged != 9000 || want.Total.Received != 10_000 {
		b.Fatalf("records path %+v, acks path %+v", want.Total, got.Total)
	}
	for i := range want.People {
		if !reflect.DeepEqual(want.People[i], got.People[i]) {
			b.Fatalf("person %d: records path %+v, acks path %+v", i, want.People[i], got.People[i])
		}
	}
	for _, bc := range []struct {
		name string
		read func(*testing.B) []comms.Record
		list bool
	}{
		{"records+outstanding", records, true},
		{"acks+outstanding", fast, true},
		{"records-read", records, false},
		{"acks-read", fast, false},
		{"acks-read/communications", func(b *testing.B) []comms.Record {
			var out []comms.Record
			for r, err := range s.Communications(ctx, "t", store.RecordQuery{ActivityID: "policy", To: when.Add(time.Microsecond)}) {
				if err != nil {
					b.Fatal(err)
				}
				out = append(out, r)
			}
			return out
		}, false},
		{"acks-read/acks", func(b *testing.B) []comms.Record {
			n := 0
			for _, err := range s.Acks(ctx, "t", store.AckQuery{ActivityID: "policy", Digests: accepted, To: when.Add(time.Microsecond)}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != 9000 {
				b.Fatal(n)
			}
			return nil
		}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				log := bc.read(b)
				if bc.list {
					if st := outstanding(b, log); st.Total.Acknowledged != 9000 {
						b.Fatal(st.Total)
					}
				}
			}
		})
	}
}

// ackYear is a plan saved four times in 2026, each a material version of
// the policy activity's message, a roster of n employees, and the year's
// log: per version a delivery naming everyone and an acknowledgement by
// nine in ten. accepted are the digests accepted at the end of the year.
func ackYear(n int) ([]store.Version, comms.Roster, []comms.Record, []string) {
	var vs []store.Version
	var digests []string
	var quarters []time.Time
	for q := 0; q < 4; q++ {
		when := time.Date(2026, time.Month(1+3*q), 1, 8, 0, 0, 0, time.UTC)
		d := comms.Digest([]byte(fmt.Sprint("v", q)))
		p := storetest.Plan("acme", q)
		p.Grace = "14d"
		p.Activities[0].What.Version = comms.MessageVersion{Digest: d, Change: comms.ChangeMaterial}
		vs = append(vs, store.Version{PlanID: "acme", Number: q + 1, SavedAt: when, Plan: p})
		digests, quarters = append(digests, d), append(quarters, when)
	}
	roster := comms.Roster{ID: "staff"}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("E-%05d", i)
		roster.People = append(roster.People, comms.Person{ID: ids[i], Stakeholders: []string{"employees"}})
	}
	var log []comms.Record
	for q, when := range quarters {
		log = append(log, comms.Record{PlanID: "acme", ActivityID: "policy", SentAt: when.Add(time.Hour), Digest: digests[q], Channel: "email", Recipients: ids})
		for j, id := range ids {
			if j%10 == 0 {
				continue
			}
			log = append(log, comms.Record{Type: comms.RecordTypeAck, PlanID: "acme", ActivityID: "policy", PersonID: id, Digest: digests[q],
				SentAt: when.Add(time.Duration(24+j%300) * time.Hour), Channel: "email", IdempotencyKey: comms.AckKey("plan", "policy", digests[q], id)})
		}
	}
	return vs, roster, log, digests[3:]
}
