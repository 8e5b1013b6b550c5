package evidence_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

// The checked append: a record is appended only if it fits the plan version
// it names; otherwise nothing is written and the error lists every problem.
func ExampleAppendRecord() {
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := time.Date(2026, 1, 2, 9, 0, 0, 0, berlin) // the store's clock, for RecordedAt
	var st store.Store = memory.New(&memory.Options{Now: func() time.Time { return clock }})
	plan := matrix.Starter()
	if _, err := st.SavePlan(ctx, "acme", plan, 0); err != nil {
		panic(err)
	}
	occ := time.Date(2026, 1, 5, 9, 0, 0, 0, berlin) // the first Monday: security metrics are due
	now := occ.Add(3 * time.Hour)
	clock = now

	rec, err := evidence.AppendRecord(ctx, st, "acme", comms.Record{
		PlanID: plan.ID, ActivityID: "security-metrics", Occurrence: occ, SentAt: occ.Add(time.Hour),
		Channel: "dashboards", Audiences: []string{"management"}, SenderRole: "iso",
		IdempotencyKey: "dash-2026-01",
	}, now)
	fmt.Println(rec.Seq, rec.PlanVersion, rec.SentAt.Format("2006-01-02 15:04 MST"), err)

	_, err = evidence.AppendRecord(ctx, st, "acme", comms.Record{
		PlanID: plan.ID, ActivityID: "security-metrics", Occurrence: occ.Add(24 * time.Hour), SentAt: occ.Add(time.Hour),
		Channel: "fax", Audiences: []string{"management"}, SenderRole: "iso",
	}, now)
	var misfit *evidence.RecordError
	if errors.As(err, &misfit) {
		fmt.Println(errors.Is(err, evidence.ErrRefused), len(misfit.Problems))
		for _, p := range misfit.Problems {
			fmt.Println(p)
		}
	}
	head, _ := st.Verify(ctx, "acme")
	fmt.Println("records:", head.Seq)
	// Output:
	// 1 1 2026-01-05 10:00 CET <nil>
	// true 2
	// channel: plan starter has no channel "fax"
	// occurrence: 2026-01-06T09:00:00+01:00 is not an occurrence of activity security-metrics (FREQ=MONTHLY;BYDAY=1MO); the next is 2026-02-02T09:00:00+01:00
	// records: 1
}

// Evaluate judges records given in memory, without a store: here the
// monthly security metrics of the first quarter, one of them missed.
func ExampleEvaluate() {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	plan := matrix.Starter()
	var records []comms.Record
	for _, day := range []int{5, 33} { // 5 January, 2 February; March is missed
		occ := time.Date(2026, 1, day, 9, 0, 0, 0, berlin)
		records = append(records, comms.Record{PlanID: plan.ID, ActivityID: "security-metrics", Occurrence: occ,
			SentAt: occ.Add(2 * time.Hour), Channel: "dashboards", Audiences: []string{"management"}, SenderRole: "iso"})
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	rep, err := evidence.Evaluate(evidence.Input{Plan: plan, Records: records,
		From: from, To: from.AddDate(0, 3, 0), Now: time.Date(2026, 3, 31, 12, 0, 0, 0, berlin)})
	if err != nil {
		panic(err)
	}
	for _, o := range rep.Occurrences {
		if o.ActivityID == "security-metrics" {
			fmt.Println(o.At.Format("2006-01-02"), o.Due.Format("2006-01-02 15:04"), o.Status)
		}
	}
	for _, a := range rep.Activities {
		if a.ActivityID == "security-metrics" {
			fmt.Printf("coverage %.0f%%\n", 100*a.Coverage)
		}
	}
	// Output:
	// 2026-01-05 2026-01-12 23:59 on-time
	// 2026-02-02 2026-02-09 23:59 on-time
	// 2026-03-02 2026-03-09 23:59 missed
	// coverage 67%
}

// Build reads a tenant's plan, events and records from a store, verifies
// the record chain and judges the period against exactly the records it
// verified. The report says how many and prints the head's hash.
func ExampleBuild() {
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := time.Date(2026, 1, 2, 9, 0, 0, 0, berlin) // the store's clock, for RecordedAt
	var st store.Store = memory.New(&memory.Options{Now: func() time.Time { return clock }})
	plan := matrix.Starter()
	if _, err := st.SavePlan(ctx, "acme", plan, 0); err != nil {
		panic(err)
	}
	for _, occ := range []time.Time{
		time.Date(2026, 1, 5, 9, 0, 0, 0, berlin),
		time.Date(2026, 2, 2, 9, 0, 0, 0, berlin),
	} {
		clock = occ.Add(2 * time.Hour)
		if _, err := evidence.AppendRecord(ctx, st, "acme", comms.Record{PlanID: plan.ID, ActivityID: "security-metrics",
			Occurrence: occ, SentAt: occ.Add(time.Hour), Channel: "dashboards", Audiences: []string{"management"}, SenderRole: "iso"}, clock); err != nil {
			panic(err)
		}
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	rep, err := evidence.Build(ctx, st, evidence.BuildOptions{
		Tenant: "acme", PlanID: plan.ID, From: from, To: from.AddDate(0, 2, 0),
		Now: time.Date(2026, 3, 1, 0, 0, 0, 0, berlin),
	})
	if err != nil {
		panic(err)
	}
	// rep.WriteHTML(f), rep.WriteMarkdown(f) and rep.WriteJSON(f) render it.
	head, _ := st.Verify(ctx, "acme")
	k := rep.KPIs
	fmt.Println("chain checked:", rep.Chain.Checked, "ok:", rep.Chain.OK, "records:", rep.Chain.Verified, "head matches:", rep.Chain.HeadHash == head.Hash)
	fmt.Println("on time:", k.OnTime, "missed:", k.Missed, "due:", k.Due)
	// Output:
	// chain checked: true ok: true records: 2 head matches: true
	// on time: 2 missed: 3 due: 1
}

// IncidentClock reads a stored incident and the records sent for it, and
// returns every communication owed, with its deadline and the time left.
func ExampleIncidentClock() {
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := time.Date(2026, 1, 2, 9, 0, 0, 0, berlin) // the store's clock, for RecordedAt
	var st store.Store = memory.New(&memory.Options{Now: func() time.Time { return clock }})
	plan := matrix.Starter()
	if _, err := st.SavePlan(ctx, "acme", plan, 0); err != nil {
		panic(err)
	}
	detected := time.Date(2026, 3, 6, 16, 0, 0, 0, berlin)
	if err := st.SaveEvent(ctx, "acme", comms.Event{ID: "INC-7", Kind: "incident", Milestones: []comms.Milestone{
		{Name: "detected", At: detected},
		{Name: "aware", At: detected.Add(18 * time.Hour)},
	}}); err != nil {
		panic(err)
	}
	clock = detected.Add(time.Hour)
	if _, err := evidence.AppendRecord(ctx, st, "acme", comms.Record{PlanID: plan.ID, ActivityID: "incident-response", EventID: "INC-7",
		SentAt: detected.Add(40 * time.Minute), Channel: "email", Audiences: []string{"employees"}, SenderRole: "irt"}, clock); err != nil {
		panic(err)
	}

	c, err := evidence.IncidentClock(ctx, st, evidence.ClockOptions{
		Tenant: "acme", EventID: "INC-7", PlanID: plan.ID, Now: time.Date(2026, 3, 8, 12, 0, 0, 0, berlin),
	})
	if err != nil {
		panic(err)
	}
	for _, o := range c.Owed {
		due := "-" // not started yet: its milestone has not come
		if !o.Due.IsZero() {
			due = o.Due.Format("Mon 02 Jan 15:04")
		}
		fmt.Println(o.ActivityID, due, o)
	}
	// Output:
	// incident-response Fri 06 Mar 17:00 done 2026-03-06 16:40 CET
	// regulator-incident-reports Tue 10 Mar 10:00 1d22h left
	// lessons-learned - waiting for incident.closed
}
