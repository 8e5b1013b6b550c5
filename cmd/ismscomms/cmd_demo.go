package main

import (
	"context"
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

// demoRun is one run of the demo: what its steps share.
type demoRun struct {
	a    *app
	ctx  context.Context
	w    io.Writer
	plan comms.Plan
	now  time.Time
	// from is where the six months of records begin.
	from time.Time
	st   *sqlite.Store
	// clock is the store's time: records are appended a little after they
	// were sent.
	clock time.Time
}

const demoTenant = "demo"

func (a *app) demo(cmd *cobra.Command, dir, out string, keep bool) error {
	d := &demoRun{a: a, ctx: cmd.Context(), w: a.stdout}
	planPath, err := d.writePlan(dir, keep)
	if err != nil {
		return err
	}
	if err := d.show(planPath); err != nil {
		return err
	}
	if err := d.openStore(dir); err != nil {
		return err
	}
	defer d.st.Close()
	if err := d.records(); err != nil {
		return err
	}
	if err := d.incident(); err != nil {
		return err
	}
	return d.report(out)
}

func (d *demoRun) step(n int, title string) { fmt.Fprintf(d.w, "\n== %d. %s\n\n", n, title) }

// writePlan is step 1: the plan, written to a file in dir.
func (d *demoRun) writePlan(dir string, keep bool) (string, error) {
	w := d.w
	d.plan = matrix.StarterGDPRNIS2()
	d.plan.Organization = "Demo Corp"
	plan := d.plan
	loc, err := plan.Location()
	if err != nil {
		return "", err
	}
	d.now = d.a.now.In(loc)
	planPath := filepath.Join(dir, "communication-plan.yaml")
	if err := writeFile(planPath, true, func(w io.Writer) error { return comms.EncodeYAML(w, plan) }); err != nil {
		return "", err
	}
	d.step(1, "The plan: the reference's communication matrix, with GDPR and NIS2 notifications")
	fmt.Fprintf(w, "%d roles, %d stakeholders, %d channels, %d activities\n",
		len(plan.Roles), len(plan.Stakeholders), len(plan.Channels), len(plan.Activities))
	if keep {
		say(w, "written to %s\n", planPath)
	} else {
		fmt.Fprintln(w, "ismscomms init --variant gdpr-nis2 writes it to a file you keep")
	}
	return planPath, nil
}

// show is steps 2 to 4: the check, the matrix and the agenda.
func (d *demoRun) show(planPath string) error {
	w, plan, now := d.w, d.plan, d.now
	// 2. Check: the plan declares the profiles it must pass.
	d.step(2, "Check: ismscomms check "+filepath.Base(planPath)+" (the plan declares its profiles: gdpr, nis2)")
	r := matrix.Check(plan, matrix.At(now))
	if err := r.WriteText(w, matrix.TextOptions{Color: d.a.colour(w)}); err != nil {
		return err
	}

	// 3. Matrix.
	d.step(3, "The communication matrix")
	if err := matrix.Build(plan).WriteMarkdown(w); err != nil {
		return err
	}

	// 4. Agenda.
	d.step(4, "The next 90 days")
	ag := schedule.NewAgenda()
	if err := ag.AddPlan("", plan); err != nil {
		return err
	}
	t := newTable(w)
	for o := range ag.Between(now, now.AddDate(0, 0, 90)) {
		act, _ := plan.Activity(o.Key)
		t.row(o.At.Format("Mon 2006-01-02 15:04 MST"), act.Name)
	}
	return t.flush()
}

// openStore opens a store in dir, with the plan saved half a year ago.
func (d *demoRun) openStore(dir string) error {
	dbPath := filepath.Join(dir, "ismscomms.db")
	d.clock = d.now.AddDate(0, -6, 0)
	st, err := sqlite.Open(dbPath, &sqlite.Options{Now: func() time.Time { return d.clock }})
	if err != nil {
		return storeErr(err)
	}
	d.st = st
	if _, err := st.SavePlan(store.WithSaveInfo(d.ctx, store.SaveInfo{By: "ciso", Note: "demo"}), demoTenant, d.plan, 0); err != nil {
		st.Close()
		return storeFailure(err)
	}
	return nil
}

// appendRecord appends rec if it was sent by the demo's "now": the demo
// tells what has happened by then, so a record sent after it is not made
// (its occurrence shows as due), and none is recorded after it either.
// Records go through the checked append, as a product's would.
func (d *demoRun) appendRecord(rec comms.Record) (bool, error) {
	if rec.SentAt.After(d.now) {
		return false, nil
	}
	d.clock = rec.SentAt.Add(3 * time.Hour)
	if d.clock.After(d.now) {
		d.clock = d.now
	}
	rec.PlanID = d.plan.ID
	_, err := evidence.AppendRecord(d.ctx, d.st, demoTenant, rec, d.clock)
	return err == nil, err
}

// records is step 5: six months of communication, mostly on time, one
// late, one missed, one waived.
func (d *demoRun) records() error {
	d.step(5, "Six months of records")
	d.from = d.now.AddDate(0, -6, 0)
	var n, late, missed, waived int
	for _, act := range d.plan.Activities {
		if !act.When.Recurring() {
			continue
		}
		rule, err := schedule.ActivityRule(d.plan, act)
		if err != nil {
			return err
		}
		k := 0
		for t := range rule.Between(d.from, d.now) {
			k++
			rec := comms.Record{ActivityID: act.ID, Occurrence: t, SentAt: t.Add(2 * time.Hour), Channel: act.How[0], Audiences: act.Whom,
				Sender: act.Owner + "@demo.example", SenderRole: act.Owner, Subject: act.Name, Reached: 180, Acknowledged: 150}
			switch {
			case act.ID == "security-metrics" && k == 2:
				missed++
				continue
			case act.ID == "security-metrics" && k == 4:
				rec.Type, rec.Note, rec.Reached, rec.Acknowledged = comms.RecordTypeWaived, "Reported together with the next month", 0, 0
			case act.ID == "internal-audits" && k == 1:
				rec.SentAt = t.AddDate(0, 0, 20) // late
			}
			ok, err := d.appendRecord(rec)
			if err != nil {
				return storeFailure(err)
			}
			if !ok {
				continue // not yet sent at --now
			}
			n++
			switch {
			case rec.Type == comms.RecordTypeWaived:
				waived++
			case !rec.SentAt.Equal(t.Add(2 * time.Hour)):
				late++
			}
		}
	}
	// Say what was made, not what was meant: with an early --now there is
	// little or no history before it.
	fmt.Fprintf(d.w, "%s of recurring activities appended (%d late, %d waived); %s left without a record (missed)\n",
		plural(n, "record"), late, waived, plural(missed, "occurrence"))
	return nil
}

// incident is step 6: an incident, its notifications and its clock
// before and after them.
func (d *demoRun) incident() error {
	d.step(6, "An incident and its notification clock")
	detected := d.now.AddDate(0, 0, -10).Truncate(time.Hour)
	inc := comms.Event{ID: "INC-DEMO-1", Kind: "incident", Title: "Credential phishing", Milestones: []comms.Milestone{{Name: "detected", At: detected}}}
	if err := d.st.SaveEvent(d.ctx, demoTenant, inc); err != nil {
		return storeFailure(err)
	}
	if err := d.showClock(inc.ID, detected.Add(30*time.Minute)); err != nil {
		return err
	}
	if _, err := evidence.SaveMilestone(d.ctx, d.st, demoTenant, inc.ID, comms.Milestone{Name: "aware", At: detected.Add(18 * time.Hour)},
		evidence.MilestoneOptions{PlanID: d.plan.ID}); err != nil {
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
		act, _ := d.plan.Activity(s.activity)
		if _, err := d.appendRecord(comms.Record{ActivityID: s.activity, EventID: inc.ID, SentAt: detected.Add(s.after), Channel: s.channel,
			Audiences: []string{s.whom}, SenderRole: act.Owner, Sender: act.Owner + "@demo.example", Subject: act.Name}); err != nil {
			return storeFailure(err)
		}
	}
	fmt.Fprintln(d.w)
	return d.showClock(inc.ID, detected.Add(70*time.Hour))
}

// showClock prints the incident clock of event id at a moment.
func (d *demoRun) showClock(id string, at time.Time) error {
	c, err := evidence.IncidentClock(d.ctx, d.st, evidence.ClockOptions{Tenant: demoTenant, EventID: id, PlanID: d.plan.ID, Now: at})
	if err != nil {
		return storeFailure(err)
	}
	fmt.Fprintf(d.w, "%s %s at %s\n", c.Event.ID, c.Event.Title, c.Now.Format("Mon 2006-01-02 15:04 MST"))
	return writeClock(d.w, c.Owed)
}

// report is step 7: verify the record chain and write the evidence report
// to out.
func (d *demoRun) report(out string) error {
	w := d.w
	d.step(7, "Verify the record chain and write the evidence report")
	head, err := d.st.Verify(d.ctx, demoTenant)
	if err != nil {
		return storeFailure(err)
	}
	say(w, "record chain verified: %s, head hash %s\n", plural(int(head.Seq), "record"), head.Hash)
	rep, err := evidence.Build(d.ctx, d.st, evidence.BuildOptions{Tenant: demoTenant, PlanID: d.plan.ID, From: d.from, To: d.now, Now: d.now})
	if err != nil {
		return storeFailure(err)
	}
	if err := d.a.writeOutput(out, rep.WriteHTML); err != nil {
		return err
	}
	k := rep.KPIs
	fmt.Fprintf(w, "%d occurrences: %d on time, %d late, %d missed, %d waived, %d due — on-time rate %s, coverage %s\n",
		k.Occurrences, k.OnTime, k.Late, k.Missed, k.Waived, k.Due, pctText(k.OnTimeRate), pctText(k.Coverage))
	say(w, "evidence report written to %s\n", out)
	return nil
}
