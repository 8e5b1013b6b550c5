package evidence_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store/memory"
)

// yearOfStarter builds a year of evidence for the starter plan: every
// occurrence answered (some late, some missed), 150 incidents with their
// communications, and ad hoc records, n records in all.
func yearOfStarter(tb testing.TB, n int) evidence.Input {
	tb.Helper()
	p := matrix.StarterGDPRNIS2()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	to := from.AddDate(1, 0, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	var records []comms.Record
	add := func(r comms.Record) {
		r.PlanID = p.ID
		r.Seq = int64(len(records) + 1)
		records = append(records, r)
	}
	for _, a := range p.Activities {
		if !a.When.Recurring() {
			continue
		}
		rule, err := schedule.ActivityRule(p, a)
		if err != nil {
			tb.Fatal(err)
		}
		for t := range rule.Between(from, to) {
			if rng.IntN(10) == 0 {
				continue // missed
			}
			add(comms.Record{ActivityID: a.ID, SentAt: t.Add(time.Duration(rng.IntN(20*24)) * time.Hour), Channel: a.How[0], Audiences: a.Whom,
				SenderRole: a.Owner, Reached: 100, Acknowledged: rng.IntN(100)})
		}
	}
	var events []comms.Event
	for i := 0; i < 150; i++ {
		aware := from.Add(time.Duration(rng.Int64N(int64(360 * 24 * time.Hour))))
		e := comms.Event{ID: fmt.Sprintf("inc-%d", i), Kind: "incident", Milestones: []comms.Milestone{
			{Name: "detected", At: aware.Add(-2 * time.Hour)}, {Name: "aware", At: aware}}}
		events = append(events, e)
		for _, a := range p.Activities {
			if k, _, ok := a.When.TriggerParts(); ok && k == "incident" && rng.IntN(5) > 0 {
				add(comms.Record{ActivityID: a.ID, EventID: e.ID, SentAt: aware.Add(time.Duration(rng.IntN(80)) * time.Hour), Channel: a.How[0], Audiences: a.Whom, SenderRole: a.Owner})
			}
		}
	}
	for len(records) < n {
		add(comms.Record{Subject: "ad hoc", SentAt: from.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))})
	}
	return evidence.Input{Plan: p, Records: records, Events: events, From: from, To: to, Now: to}
}

// A year's report for the starter plan with 10,000 records: evaluate and
// render as HTML. Target: well under a second.
func BenchmarkYearReport10k(b *testing.B) {
	in := yearOfStarter(b, 10_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := evidence.Evaluate(in)
		if err != nil {
			b.Fatal(err)
		}
		if err := rep.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// Build from a memory store holding the same year (10,000 records): it
// verifies the chain, reads the verified records back and checks each
// one's hash, then evaluates and renders.
func BenchmarkBuild10k(b *testing.B) {
	in := yearOfStarter(b, 10_000)
	ctx := context.Background()
	mem := memory.New(nil)
	if _, err := mem.SavePlan(ctx, "t", in.Plan, 0); err != nil {
		b.Fatal(err)
	}
	for _, r := range in.Records {
		r.Seq = 0
		if _, err := mem.AppendRecord(ctx, "t", r); err != nil {
			b.Fatal(err)
		}
	}
	for _, e := range in.Events {
		if err := mem.SaveEvent(ctx, "t", e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: in.Plan.ID, From: in.From, To: in.To, Now: in.Now})
		if err != nil {
			b.Fatal(err)
		}
		if !rep.Chain.OK {
			b.Fatal(rep.Chain.Error)
		}
		if err := rep.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
