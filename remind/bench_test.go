package remind

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// go test ./remind/ -run XXX -bench Due -benchmem -benchtime=5x
//
// A tenant of 10,000 people and 20 activities (7 weekly, 7 monthly, 6
// yearly), each with before-reminders and an escalation; the first 10
// versioned, with a grace period and a chase, and a material change on
// 1 July. A year of the log: every occurrence sent (but those of the
// last three days), and for each versioned activity two deliveries
// naming everyone and 17,000 acknowledgements (a tenth never
// acknowledges version 1, a fifth not version 2): 170,000 acks. Due runs
// at 17 July 09:05, 15 minutes after the last run, when the fourth chase
// of version 2 falls: 20,000 chases, and the before-reminders and
// escalations of the window.
//
// The log is in the order things happened, as a store returns it (the
// activities' acknowledgements mixed).
//
//   - due: Due;
//   - baseline: the same computation with each person's chase moments
//     counted for them, as a caller of evidence.Outstanding writes it
//     (Due counts them once per start: most people share the round's);
//   - sqlite-read-and-due: the log read from a SQLite store through
//     store.Records (the whole tenant), then Due.
func BenchmarkDue(b *testing.B) {
	for _, order := range []string{"time-ordered"} {
		in := benchTenant(b, 10_000)
		want := -1
		b.Run(order+"/due", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				got, err := Due(in)
				if err != nil {
					b.Fatal(err)
				}
				want = len(got)
			}
			b.ReportMetric(float64(want), "reminders")
		})
		b.Run(order+"/baseline", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				got, err := due(in, false)
				if err != nil || (want >= 0 && len(got) != want) {
					b.Fatal(len(got), want, err)
				}
			}
		})
		b.Run(order+"/sqlite-read-and-due", func(b *testing.B) {
			s := storeWith(b, in)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				log, err := fallible.Collect(s.Records(b.Context(), in.Tenant, store.RecordQuery{}))
				if err != nil {
					b.Fatal(err)
				}
				x := in
				x.Log = log
				got, err := Due(x)
				if err != nil || (want >= 0 && len(got) != want) {
					b.Fatal(len(got), want, err)
				}
			}
		})
		b.Run(order+"/sqlite-fast-read-and-due", func(b *testing.B) {
			s := storeWith(b, in)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				log, err := evidence.ReadLog(b.Context(), s, in.Tenant, in.Versions, in.Now)
				if err != nil {
					b.Fatal(err)
				}
				x := in
				x.Log = log
				got, err := Due(x)
				if err != nil || (want >= 0 && len(got) != want) {
					b.Fatal(len(got), want, err)
				}
			}
		})
	}
}

func benchTenant(b *testing.B, n int) Input {
	b.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, loc) }
	digest := func(a, v int) string { return comms.Digest(fmt.Appendf(nil, "a%d v%d", a, v)) }
	build := func(version int) comms.Plan {
		p := comms.Plan{Format: comms.Format, ID: "acme", TimeZone: "Europe/Berlin", Grace: "14d",
			Roles:        []comms.Role{{ID: "iso", Name: "Security Officer", Contact: "iso@example.com"}, {ID: "ciso", Name: "CISO", Contact: "ciso@example.com"}},
			Stakeholders: []comms.Stakeholder{{ID: "employees", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees}},
			Channels:     []comms.Channel{{ID: "email", Kind: comms.ChannelKindEmail, Reach: []comms.Scope{comms.ScopeInternal}, MaxClassification: comms.ClassificationInternal}},
			Reminders:    &comms.Reminders{Before: []string{"7d", "1d"}, Escalate: []comms.Escalation{{After: "2bd", To: "ciso"}}},
		}
		for i := range 20 {
			rule := "FREQ=WEEKLY;BYDAY=MO"
			switch {
			case i%3 == 1:
				rule = "FREQ=MONTHLY;BYMONTHDAY=10"
			case i%3 == 2:
				rule = "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=1"
			}
			a := comms.Activity{ID: fmt.Sprintf("a%02d", i), Whom: []string{"employees"}, How: []string{"email"}, Owner: "iso",
				What: comms.Message{Topic: comms.TopicAwareness, Message: "message", Classification: comms.ClassificationInternal},
				When: comms.Timing{RRule: rule, Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 5}, Hour: 10}, Within: "3bd"}}
			if i < 10 {
				a.What.Version = comms.MessageVersion{Digest: digest(i, version)}
				a.Reminders = &comms.Reminders{Before: []string{"7d", "1d"}, Chase: &comms.Chase{Every: "3bd", Max: 4},
					Escalate: []comms.Escalation{{After: "2bd", To: "ciso"}}}
			}
			p.Activities = append(p.Activities, a)
		}
		return p
	}
	in := Input{Tenant: "acme",
		Versions: []store.Version{
			{PlanID: "acme", Number: 1, SavedAt: at(1, 1, 8), Plan: build(1)},
			{PlanID: "acme", Number: 2, SavedAt: at(7, 1, 8), Plan: build(2)},
		},
		Roster: comms.Roster{ID: "staff"},
		Now:    at(7, 17, 9).Add(5 * time.Minute),
	}
	in.Since = in.Now.Add(-15 * time.Minute)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("E-%05d", i)
		in.Roster.People = append(in.Roster.People, comms.Person{ID: ids[i], Name: fmt.Sprint("Person ", i),
			Email: fmt.Sprintf("e%05d@example.com", i), Stakeholders: []string{"employees"}})
	}
	p := in.Versions[1].Plan
	for _, a := range p.Activities {
		r, err := schedule.ActivityRule(p, a)
		if err != nil {
			b.Fatal(err)
		}
		for t := range r.Between(at(1, 1, 0), in.Now) {
			if !t.Add(3 * 24 * time.Hour).Before(in.Now) {
				continue // not done yet: the before-reminders and escalations have work
			}
			in.Log = append(in.Log, comms.Record{Type: comms.RecordTypeSent, PlanID: "acme", ActivityID: a.ID, Occurrence: t, SentAt: t.Add(time.Hour), Channel: "email"})
		}
	}
	for i := range 10 {
		a := fmt.Sprintf("a%02d", i)
		for v, start := range []time.Time{at(1, 1, 9), at(7, 1, 9)} {
			in.Log = append(in.Log, comms.Record{Type: comms.RecordTypeSent, PlanID: "acme", ActivityID: a, SentAt: start, Digest: digest(i, v+1), Channel: "email", Recipients: ids})
			skip := 10 // a tenth never acknowledges version 1
			if v == 1 {
				skip = 5 // a fifth not version 2
			}
			for j, id := range ids {
				if j%skip == 0 {
					continue
				}
				in.Log = append(in.Log, comms.Record{Type: comms.RecordTypeAck, PlanID: "acme", ActivityID: a, PersonID: id, Digest: digest(i, v+1),
					SentAt: start.Add(time.Duration(1+j%72) * time.Hour), Channel: "email", IdempotencyKey: comms.AckKey("acme", a, digest(i, v+1), id)})
			}
		}
	}
	// As a store returns them: in the order they happened.
	slices.SortStableFunc(in.Log, func(a, b comms.Record) int { return a.SentAt.Compare(b.SentAt) })
	return in
}

// storeWith is a SQLite store holding in's log, appended in batches.
func storeWith(b *testing.B, in Input) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "remind.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for i := 0; i < len(in.Log); i += store.MaxBatch {
		if _, err := s.AppendRecords(b.Context(), in.Tenant, in.Log[i:min(i+store.MaxBatch, len(in.Log))]); err != nil {
			b.Fatal(err)
		}
	}
	return s
}
