package evidence_test

import (
	"path/filepath"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// go test ./evidence/ -run XXX -bench Outstanding -benchmem
//
// A tenant of 10,000 people and a year of one activity's message: four
// material versions, a delivery naming everyone and 9,000
// acknowledgements each (36,004 records). Outstanding over the
// activity's records, next to the honest alternative a user writes
// without it: for each person, a look through the activity's
// acknowledgements for theirs (one query per person, in memory). From
// SQLite: the activity's records read through store.Records (the
// (tenant, activity_id, seq) index), then Outstanding; the tenant's other
// activities are not stored, as the index never reads them.
func BenchmarkOutstanding(b *testing.B) {
	vs, roster, log := ackTenant(10_000, 1)
	when := at("2026-12-31 12:00")
	b.Run("outstanding", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			st, err := evidence.Outstanding(vs, roster, log, "a0", when)
			if err != nil || st.Total.Acknowledged != 9000 {
				b.Fatal(st.Total, err)
			}
		}
	})
	b.Run("per-person-scan", func(b *testing.B) {
		b.ReportAllocs()
		digest := vs[len(vs)-1].Plan.Activities[0].What.Version.Digest
		for i := 0; i < b.N; i++ {
			done := 0
			for _, p := range roster.People {
				for _, r := range log {
					if r.Type == comms.RecordTypeAck && r.ActivityID == "a0" && r.PersonID == p.ID && r.Digest == digest && !r.SentAt.After(when) {
						done++
						break
					}
				}
			}
			if done != 9000 {
				b.Fatal(done)
			}
		}
	})
	b.Run("sqlite-read-and-outstanding", func(b *testing.B) {
		s, err := sqlite.Open(filepath.Join(b.TempDir(), "acks.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		for i := 0; i < len(log); i += store.MaxBatch {
			if _, err := s.AppendRecords(b.Context(), "t", log[i:min(i+store.MaxBatch, len(log))]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			records, err := fallible.Collect(s.Records(b.Context(), "t", store.RecordQuery{ActivityID: "a0"}))
			if err != nil {
				b.Fatal(err)
			}
			st, err := evidence.Outstanding(vs, roster, records, "a0", when)
			if err != nil || st.Total.Acknowledged != 9000 {
				b.Fatal(st.Total, err)
			}
		}
	})
}
