// Command evidence builds a year of evidence for the starter plan in the
// embedded SQLite store — records sent on time, some late, some missed, one
// sent through the wrong channel, one occurrence waived, an incident with
// its notifications — and writes the auditor's report as a self-contained
// HTML page (and Markdown next to it).
//
//	go run ./examples/evidence                     # writes evidence-report.html
//	go run ./examples/evidence -out /tmp/r.html -db /tmp/evidence.db
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

func main() {
	log.SetFlags(0)
	out := flag.String("out", "evidence-report.html", "the HTML report to write (Markdown goes next to it)")
	dbPath := flag.String("db", "", "the SQLite file to fill (default: a temporary one)")
	flag.Parse()
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "ismscomms-evidence-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "evidence.db")
	}
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		log.Fatal(err)
	}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	now := time.Date(2026, 12, 20, 9, 0, 0, 0, berlin)

	// The store records when each version was saved: the plan is saved at
	// the start of the year.
	clock := year.Add(-24 * time.Hour)
	st, err := sqlite.Open(*dbPath, &sqlite.Options{Now: func() time.Time { return clock }})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	const tenant = "acme"
	plan := matrix.Starter()
	plan.Organization = "Acme Corp"
	plan.Approved = &comms.Approval{By: "ciso", Date: comms.Date{Year: 2025, Month: 12, Day: 15}}
	sizes := map[string]int{"employees": 240, "management": 12, "departments": 40, "internal-auditors": 4, "compliance-officer": 1,
		"external-auditors": 3, "customers": 130, "suppliers": 25}
	for i, s := range plan.Stakeholders {
		plan.Stakeholders[i].Size = sizes[s.ID]
	}
	if _, err := st.SavePlan(store.WithSaveInfo(ctx, store.SaveInfo{By: "ciso", Note: "approved for 2026"}), tenant, plan, 0); err != nil {
		log.Fatal(err)
	}

	// A year of records: each occurrence answered within its window, except
	// a few late, a few missed, one deviation and one waiver.
	rng := rand.New(rand.NewPCG(2026, 7))
	n := 0
	// Records go through the checked append: each is checked against the
	// plan version it names before it enters the log.
	appendRecord := func(r comms.Record) {
		clock = r.SentAt.Add(time.Duration(rng.IntN(48)) * time.Hour) // entered a little later
		r.PlanID = plan.ID
		if _, err := evidence.AppendRecord(ctx, st, tenant, r, clock); err != nil {
			log.Fatal(err)
		}
		n++
	}
	for _, a := range plan.Activities {
		if !a.When.Recurring() {
			continue
		}
		rule, err := schedule.ActivityRule(plan, a)
		if err != nil {
			log.Fatal(err)
		}
		for t := range rule.Between(year, now) {
			r := comms.Record{ActivityID: a.ID, Occurrence: t, Channel: a.How[0], Audiences: a.Whom,
				Sender: a.Owner + "@acme.example", SenderRole: a.Owner, Subject: a.Name, Digest: "sha256:…"}
			for _, w := range a.Whom {
				size := sizes[w]
				reached := size - rng.IntN(size/10+1)
				r.Reached += reached
				r.Acknowledged += reached - rng.IntN(reached/3+1)
			}
			switch {
			case a.ID == "security-metrics" && t.Month() == time.August:
				r.Type, r.Note, r.SentAt = comms.RecordTypeWaived, "Summer shutdown; July and August metrics reported together in September", t
			case a.ID == "security-metrics" && (t.Month() == time.March || t.Month() == time.October):
				continue // missed
			case a.ID == "continuous-improvement" && t.Month() == time.July:
				r.SentAt = t.AddDate(0, 0, 20) // late: within is 14d
			case a.ID == "internal-audits" && t.Month() == time.April:
				r.SentAt, r.Channel = t.Add(2*time.Hour), "email" // deviation: not a planned channel
			default:
				r.SentAt = t.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
			}
			appendRecord(r)
		}
	}
	// An incident in September with its communications.
	inc := comms.Event{ID: "INC-2026-014", Kind: "incident", Title: "Phishing led to a mailbox takeover", Milestones: []comms.Milestone{
		{Name: "detected", At: time.Date(2026, 9, 11, 16, 0, 0, 0, berlin)},
		{Name: "aware", At: time.Date(2026, 9, 12, 10, 0, 0, 0, berlin)},
	}}
	if err := st.SaveEvent(ctx, tenant, inc); err != nil {
		log.Fatal(err)
	}
	appendRecord(comms.Record{ActivityID: "incident-response", EventID: inc.ID, SentAt: time.Date(2026, 9, 11, 16, 40, 0, 0, berlin),
		Channel: "email", Audiences: []string{"employees"}, Sender: "irt@acme.example", SenderRole: "irt", Subject: "Phishing: what to do", Reached: 236, Acknowledged: 201})
	appendRecord(comms.Record{ActivityID: "regulator-incident-reports", EventID: inc.ID, SentAt: time.Date(2026, 9, 14, 15, 0, 0, 0, berlin),
		Channel: "formal-reports", Audiences: []string{"regulators"}, Sender: "compliance@acme.example", SenderRole: "compliance", Subject: "Notification"})
	appendRecord(comms.Record{SentAt: time.Date(2026, 10, 20, 12, 0, 0, 0, berlin), Subject: "Cybersecurity awareness month quiz", Channel: "intranet"})

	rep, err := evidence.Build(ctx, st, evidence.BuildOptions{Tenant: tenant, PlanID: plan.ID, From: year, To: year.AddDate(1, 0, 0), Now: now})
	if err != nil {
		log.Fatal(err)
	}
	for _, write := range []struct {
		path string
		fn   func(*os.File) error
	}{
		{*out, func(f *os.File) error { return rep.WriteHTML(f) }},
		{strings.TrimSuffix(*out, filepath.Ext(*out)) + ".md", func(f *os.File) error { return rep.WriteMarkdown(f) }},
	} {
		f, err := os.Create(write.path)
		if err != nil {
			log.Fatal(err)
		}
		if err := write.fn(f); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	k := rep.KPIs
	fmt.Printf("%d records in %s; chain verified: %v (%d records, head %.12s)\n", n, *dbPath, rep.Chain.OK, rep.Chain.Verified, rep.Chain.HeadHash)
	fmt.Printf("occurrences %d: on time %d, late %d, missed %d, waived %d, due %d, upcoming %d; deviations %d; ad hoc %d\n",
		k.Occurrences, k.OnTime, k.Late, k.Missed, k.Waived, k.Due, k.Upcoming, k.Deviations, k.AdHoc)
	fmt.Printf("on-time rate %s, coverage %s\n", percent(k.OnTimeRate), percent(k.Coverage))
	fmt.Printf("report written to %s\n", *out)
}

// percent formats a rate; a negative rate is unknown (nothing to count).
func percent(r float64) string {
	if r < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}
