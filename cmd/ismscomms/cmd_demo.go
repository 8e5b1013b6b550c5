package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

func (a *app) demoCommand() *cobra.Command {
	var out string
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole flow in a temporary store and write an evidence report",
		Long: `Run the whole flow once, in a temporary SQLite store: write the GDPR + NIS2
starter plan, check it, print its matrix and the next 90 days, open an
incident and follow its notification clock, record communications, verify
the record chain, and write the evidence report as HTML.`,
		Example: `  go run ./cmd/ismscomms demo
  ismscomms demo --out /tmp/report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := os.MkdirTemp("", "ismscomms-demo-")
			if err != nil {
				return err
			}
			if keep {
				say(a.stderr, "keeping the demo's files in %s\n", dir)
			} else {
				defer os.RemoveAll(dir)
			}
			return a.demo(cmd, dir, out, keep)
		},
	}
	cmd.Flags().StringVar(&out, "out", "ismscomms-demo-report.html", "where to write the evidence report")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary plan file and database")
	return cmd
}

func (a *app) demo(cmd *cobra.Command, dir, out string, keep bool) error {
	ctx := cmd.Context()
	w := a.stdout
	step := func(n int, title string) { fmt.Fprintf(w, "\n== %d. %s\n\n", n, title) }

	// 1. The plan.
	plan := matrix.StarterGDPRNIS2()
	plan.Organization = "Demo Corp"
	loc, err := plan.Location()
	if err != nil {
		return err
	}
	now := a.now.In(loc)
	planPath := filepath.Join(dir, "communication-plan.yaml")
	if err := writeFile(planPath, true, func(w io.Writer) error { return comms.EncodeYAML(w, plan) }); err != nil {
		return err
	}
	step(1, "The plan: the reference's communication matrix, with GDPR and NIS2 notifications")
	fmt.Fprintf(w, "%d roles, %d stakeholders, %d channels, %d activities\n",
		len(plan.Roles), len(plan.Stakeholders), len(plan.Channels), len(plan.Activities))
	if keep {
		say(w, "written to %s\n", planPath)
	} else {
		fmt.Fprintln(w, "ismscomms init --variant gdpr-nis2 writes it to a file you keep")
	}

	// 2. Check: the plan declares the profiles it must pass.
	step(2, "Check: ismscomms check "+filepath.Base(planPath)+" (the plan declares its profiles: gdpr, nis2)")
	r := matrix.Check(plan, matrix.At(now))
	if err := r.WriteText(w, matrix.TextOptions{Color: a.colour(w)}); err != nil {
		return err
	}

	// 3. Matrix.
	step(3, "The communication matrix")
	if err := matrix.Build(plan).WriteMarkdown(w); err != nil {
		return err
	}

	// 4. Agenda.
	step(4, "The next 90 days")
	ag := schedule.NewAgenda()
	if err := ag.AddPlan("", plan); err != nil {
		return err
	}
	t := newTable(w)
	for o := range ag.Between(now, now.AddDate(0, 0, 90)) {
		act, _ := plan.Activity(o.Key)
		t.row(o.At.Format("Mon 2006-01-02 15:04 MST"), act.Name)
	}
	if err := t.flush(); err != nil {
		return err
	}

	// A store, with the plan saved half a year ago.
	dbPath := filepath.Join(dir, "ismscomms.db")
	clock := now.AddDate(0, -6, 0)
	st, err := sqlite.Open(dbPath, &sqlite.Options{Now: func() time.Time { return clock }})
	if err != nil {
		return storeErr(err)
	}
	defer st.Close()
	const tenant = "demo"
	if _, err := st.SavePlan(store.WithSaveInfo(ctx, store.SaveInfo{By: "ciso", Note: "demo"}), tenant, plan, 0); err != nil {
		return storeFailure(err)
	}
	// The demo tells what has happened by its "now": a record sent after it
	// is not made (its occurrence shows as due), and none is recorded after
	// it either. Records go through the checked append, as a product's
	// would.
	appendRecord := func(rec comms.Record) (bool, error) {
		if rec.SentAt.After(now) {
			return false, nil
		}
		clock = rec.SentAt.Add(3 * time.Hour)
		if clock.After(now) {
			clock = now
		}
		rec.PlanID = plan.ID
		_, err := evidence.AppendRecord(ctx, st, tenant, rec, clock)
		return err == nil, err
	}

	// 5. Six months of communication: mostly on time, one late, one
	// missed, one waived.
	step(5, "Six months of records")
	from := now.AddDate(0, -6, 0)
	n := 0
	for _, act := range plan.Activities {
		if !act.When.Recurring() {
			continue
		}
		rule, err := schedule.ActivityRule(plan, act)
		if err != nil {
			return err
		}
		k := 0
		for t := range rule.Between(from, now) {
			k++
			rec := comms.Record{ActivityID: act.ID, Occurrence: t, SentAt: t.Add(2 * time.Hour), Channel: act.How[0], Audiences: act.Whom,
				Sender: act.Owner + "@demo.example", SenderRole: act.Owner, Subject: act.Name, Reached: 180, Acknowledged: 150}
			switch {
			case act.ID == "security-metrics" && k == 2:
				continue // missed
			case act.ID == "security-metrics" && k == 4:
				rec.Type, rec.Note, rec.Reached, rec.Acknowledged = comms.RecordTypeWaived, "Reported together with the next month", 0, 0
			case act.ID == "internal-audits" && k == 1:
				rec.SentAt = t.AddDate(0, 0, 20) // late
			}
			ok, err := appendRecord(rec)
			if err != nil {
				return storeFailure(err)
			}
			if ok {
				n++
			}
		}
	}
	fmt.Fprintf(w, "%d records of recurring activities appended (one late, one missed, one waived)\n", n)

	// 6. An incident.
	step(6, "An incident and its notification clock")
	detected := now.AddDate(0, 0, -10).Truncate(time.Hour)
	inc := comms.Event{ID: "INC-DEMO-1", Kind: "incident", Title: "Credential phishing", Milestones: []comms.Milestone{{Name: "detected", At: detected}}}
	show := func(at time.Time) error {
		c, err := evidence.IncidentClock(ctx, st, evidence.ClockOptions{Tenant: tenant, EventID: inc.ID, PlanID: plan.ID, Now: at})
		if err != nil {
			return storeFailure(err)
		}
		fmt.Fprintf(w, "%s %s at %s\n", c.Event.ID, c.Event.Title, c.Now.Format("Mon 2006-01-02 15:04 MST"))
		return writeClock(w, c.Owed)
	}
	if err := st.SaveEvent(ctx, tenant, inc); err != nil {
		return storeFailure(err)
	}
	if err := show(detected.Add(30 * time.Minute)); err != nil {
		return err
	}
	if _, err := evidence.SaveMilestone(ctx, st, tenant, inc.ID, comms.Milestone{Name: "aware", At: detected.Add(18 * time.Hour)},
		evidence.MilestoneOptions{PlanID: plan.ID}); err != nil {
		return storeFailure(err)
	}
	for _, s := range []struct {
		activity string
		after    time.Duration
		whom     string
		channel  string
	}{
		{"incident-response", 40 * time.Minute, "employees", "email"},
		{"nis2-early-warning", 30 * time.Hour, "csirt", "csirt-portal"},
		{"nis2-service-recipients", 31 * time.Hour, "customers", "email"},
		{"gdpr-breach-notification", 60 * time.Hour, "dpa", "dpa-portal"},
		{"regulator-incident-reports", 62 * time.Hour, "regulators", "formal-reports"},
		{"nis2-notification", 64 * time.Hour, "csirt", "csirt-portal"},
	} {
		act, _ := plan.Activity(s.activity)
		if _, err := appendRecord(comms.Record{ActivityID: s.activity, EventID: inc.ID, SentAt: detected.Add(s.after), Channel: s.channel,
			Audiences: []string{s.whom}, SenderRole: act.Owner, Sender: act.Owner + "@demo.example", Subject: act.Name}); err != nil {
			return storeFailure(err)
		}
	}
	fmt.Fprintln(w)
	if err := show(detected.Add(70 * time.Hour)); err != nil {
		return err
	}

	// 7. Verify and report.
	step(7, "Verify the record chain and write the evidence report")
	head, err := st.Verify(ctx, tenant)
	if err != nil {
		return storeFailure(err)
	}
	say(w, "record chain verified: %s, head hash %s\n", plural(int(head.Seq), "record"), head.Hash)
	rep, err := evidence.Build(ctx, st, evidence.BuildOptions{Tenant: tenant, PlanID: plan.ID, From: from, To: now, Now: now})
	if err != nil {
		return storeFailure(err)
	}
	if err := a.writeOutput(out, rep.WriteHTML); err != nil {
		return err
	}
	k := rep.KPIs
	fmt.Fprintf(w, "%d occurrences: %d on time, %d late, %d missed, %d waived, %d due — on-time rate %s, coverage %s\n",
		k.Occurrences, k.OnTime, k.Late, k.Missed, k.Waived, k.Due, pctText(k.OnTimeRate), pctText(k.Coverage))
	say(w, "evidence report written to %s\n", out)
	return nil
}
