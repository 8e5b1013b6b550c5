// Command vendor does what a GRC product does with ismscomms for its
// tenants, through the module's exported API only (its test holds it to
// that): it takes each tenant's plan upload, checks it and refuses what is
// broken, saves the rest in one store, builds one agenda across the
// tenants, appends the evidence of what was sent through the checked append
// with idempotency keys (a retry appends nothing), opens an incident and
// reads its notification clock, and writes each tenant's evidence report.
//
// The product's clock is simulated (the first quarter of 2026), so every
// run prints the same. The store is the in-memory one; a product swaps in
// sqlite.Open or postgres.Open, which are the same store.Store.
//
//	go run ./examples/vendor                    # reports go to a new temporary directory
//	go run ./examples/vendor -out /tmp/reports  # or to this one
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

// initechUpload is a tenant's upload with a typing error: its activity
// addresses a stakeholder the plan does not declare.
const initechUpload = `format: ismscomms/v1
id: isms-comms
organization: Initech
timezone: Asia/Tokyo
roles: [{id: ciso, name: CISO}]
stakeholders: [{id: board, name: Board, scope: internal, kind: management}]
channels: [{id: email, name: Email, kind: email, reach: [internal], max_classification: confidential}]
activities:
  - id: metrics
    name: Security metrics to the board
    what: {topic: metrics, message: Key security metrics, classification: confidential}
    whom: [bord]
    how: [email]
    when: {rrule: "FREQ=MONTHLY;BYDAY=1MO", start: "2026-01-05T09:00", within: 5bd}
    owner: ciso
`

func main() {
	log.SetFlags(0)
	plans := flag.String("plans", filepath.Join("..", "plans"), "directory of the starter plan files the tenants upload")
	out := flag.String("out", "", "directory for the evidence reports (default: a new temporary directory)")
	flag.Parse()
	if _, err := os.Stat(*plans); err != nil && !isFlagSet("plans") {
		*plans = filepath.Join("examples", "plans") // run from the repository root
	}

	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		log.Fatal(err)
	}
	// The product's clock: the store stamps SavedAt and RecordedAt with it.
	clock := time.Date(2026, 1, 2, 9, 0, 0, 0, berlin)
	st := memory.New(&memory.Options{Now: func() time.Time { return clock }})
	quarter := time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	now := time.Date(2026, 3, 31, 17, 0, 0, 0, berlin)

	// 1. Uploads: decode, check, save. A plan that does not decode or that
	// fails its checks is refused with every problem, and nothing is saved.
	uploads := []struct{ tenant, name, organization string }{
		{"acme", "starter-gdpr-nis2.yaml", "Acme GmbH"},
		{"globex", "starter.yaml", "Globex AG"},
		{"initech", "initech.yaml", ""},
	}
	saved := map[string]comms.Plan{}
	var tenants []string
	fmt.Println("== plan uploads")
	for _, u := range uploads {
		body := []byte(initechUpload)
		if u.name != "initech.yaml" {
			if body, err = os.ReadFile(filepath.Join(*plans, u.name)); err != nil {
				log.Fatal(err)
			}
		}
		plan, src, err := comms.DecodePlanSource(bytes.NewReader(body), u.name)
		if err != nil {
			var perr *comms.PlanError
			if !errors.As(err, &perr) {
				log.Fatal(err)
			}
			fmt.Printf("%-8s refused: %d problem(s)\n", u.tenant, len(perr.Problems))
			for _, p := range perr.Problems {
				fmt.Printf("         %s:%d:%d: %s: %s\n", u.name, p.Pos.Line, p.Pos.Column, p.Path, p.Message)
			}
			continue
		}
		plan.Organization = u.organization // the product knows its customer's name
		report := matrix.Check(plan, matrix.At(clock), matrix.WithSource(src))
		if !report.OK() {
			fmt.Printf("%-8s refused: %d errors\n", u.tenant, report.Count(matrix.SeverityError))
			continue
		}
		v, err := st.SavePlan(store.WithSaveInfo(ctx, store.SaveInfo{By: "upload", Note: u.name}), u.tenant, plan, 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-8s %s version %d saved: %d activities, profiles %v, %d warnings\n",
			u.tenant, plan.ID, v, len(plan.Activities), plan.Profiles, report.Count(matrix.SeverityWarning))
		saved[u.tenant] = plan
		tenants = append(tenants, u.tenant)
	}

	// 2. One agenda across the tenants, keyed tenant/plan/activity.
	agenda := schedule.NewAgenda()
	for _, t := range tenants {
		if err := agenda.AddPlan(t+"/"+saved[t].ID+"/", saved[t]); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("\n== agenda: %d recurring activities across %d tenants, first quarter 2026\n", agenda.Len(), len(tenants))

	// 3. Evidence of what was sent, through the checked append. Each record
	// carries an idempotency key made from what it answers, so the product
	// can retry an append after a timeout without a second record.
	appended, byTenant := 0, map[string]int{}
	var retry comms.Record
	for o := range agenda.Between(quarter, now) {
		tenant, rest, _ := strings.Cut(o.Key, "/")
		planID, activityID, _ := strings.Cut(rest, "/")
		plan := saved[tenant]
		a, _ := plan.Activity(activityID)
		r := comms.Record{PlanID: planID, ActivityID: a.ID, Occurrence: o.At, SentAt: o.At.Add(time.Hour),
			Channel: a.How[0], Audiences: a.Whom, SenderRole: a.Owner, Subject: a.Name,
			IdempotencyKey: o.Key + "@" + o.At.UTC().Format(time.RFC3339)}
		switch {
		case tenant == "globex" && a.ID == "security-metrics" && o.At.Month() == time.March:
			continue // never sent: the report shows it missed
		case tenant == "acme" && a.ID == "policy":
			r.SentAt = o.At.AddDate(0, 0, 21) // after its 14-day window: late
		}
		clock = r.SentAt.Add(10 * time.Minute)
		rec, err := evidence.AppendRecord(ctx, st, tenant, r, clock)
		if err != nil {
			log.Fatal(err)
		}
		if appended == 0 {
			fmt.Printf("first: %s seq %d  %s  key %s\n", tenant, rec.Seq, rec.SentAt.Format("Mon 02 Jan 15:04 MST"), rec.IdempotencyKey)
			retry = r
		}
		appended++
		byTenant[tenant]++
	}
	fmt.Printf("appended %d records (acme %d, globex %d)\n", appended, byTenant["acme"], byTenant["globex"])
	again, err := evidence.AppendRecord(ctx, st, "acme", retry, now)
	if err != nil {
		log.Fatal(err)
	}
	head, err := st.Verify(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("retry of %s: seq %d again, acme log still %d records\n", again.IdempotencyKey, again.Seq, head.Seq)
	misfit := retry
	misfit.Channel, misfit.IdempotencyKey = "fax", ""
	if _, err := evidence.AppendRecord(ctx, st, "acme", misfit, now); errors.Is(err, evidence.ErrRefused) {
		fmt.Printf("refused: %v\n", err)
	} else {
		log.Fatalf("a record through an undeclared channel was not refused: %v", err)
	}

	// 4. An incident at acme: detected Monday 14:00, personal data known
	// affected at 18:00; the early warning went to the CSIRT the next morning.
	fmt.Println("\n== incident")
	inc := comms.Event{ID: "INC-2026-007", Kind: "incident", Title: "Ransomware on a file server",
		Milestones: []comms.Milestone{{Name: "detected", At: time.Date(2026, 3, 30, 14, 0, 0, 0, berlin)}}}
	if err := st.SaveEvent(ctx, "acme", inc); err != nil {
		log.Fatal(err)
	}
	acme := saved["acme"]
	if _, err := evidence.SaveMilestone(ctx, st, "acme", inc.ID, comms.Milestone{Name: "awere", At: time.Date(2026, 3, 30, 18, 0, 0, 0, berlin)},
		evidence.MilestoneOptions{PlanID: acme.ID}); errors.Is(err, evidence.ErrRefused) {
		fmt.Printf("refused: %v\n", err)
	} else {
		log.Fatalf("a milestone that starts nothing was not refused: %v", err)
	}
	if _, err := evidence.SaveMilestone(ctx, st, "acme", inc.ID, comms.Milestone{Name: "aware", At: time.Date(2026, 3, 30, 18, 0, 0, 0, berlin)},
		evidence.MilestoneOptions{PlanID: acme.ID}); err != nil {
		log.Fatal(err)
	}
	for _, s := range []struct {
		activity string
		at       time.Time
	}{
		{"incident-response", time.Date(2026, 3, 30, 14, 40, 0, 0, berlin)},
		{"nis2-early-warning", time.Date(2026, 3, 31, 9, 30, 0, 0, berlin)},
	} {
		a, _ := acme.Activity(s.activity)
		clock = s.at.Add(5 * time.Minute)
		if _, err := evidence.AppendRecord(ctx, st, "acme", comms.Record{PlanID: acme.ID, ActivityID: a.ID, EventID: inc.ID,
			SentAt: s.at, Channel: a.How[0], Audiences: a.Whom, SenderRole: a.Owner, Subject: a.Name,
			IdempotencyKey: "acme/" + inc.ID + "/" + a.ID}, clock); err != nil {
			log.Fatal(err)
		}
	}
	c, err := evidence.IncidentClock(ctx, st, evidence.ClockOptions{Tenant: "acme", EventID: inc.ID, PlanID: acme.ID, Now: now})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q, clock at %s:\n", c.Event.ID, c.Event.Title, c.Now.Format("Mon 02 Jan 15:04 MST"))
	for _, o := range c.Owed {
		due := "—"
		if !o.Due.IsZero() {
			due = o.Due.Format("Mon 02 Jan 15:04")
		}
		fmt.Printf("  %-28s %-20s %-16s %s\n", o.ActivityID, strings.Join(o.Obligations, ","), due, o)
	}

	// 5. Each tenant's evidence report for the quarter, from the store: the
	// chain is verified first and the report says so.
	fmt.Println("\n== evidence reports")
	dir := *out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "ismscomms-vendor-"); err != nil {
			log.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, t := range tenants {
		rep, err := evidence.Build(ctx, st, evidence.BuildOptions{Tenant: t, PlanID: saved[t].ID, From: quarter, To: quarter.AddDate(0, 3, 0), Now: now})
		if err != nil {
			log.Fatal(err)
		}
		k := rep.KPIs
		fmt.Printf("%-8s chain verified: %v (%d records, head %.12s)\n", t, rep.Chain.OK, rep.Chain.Verified, rep.Chain.HeadHash)
		fmt.Printf("         occurrences %d: on time %d, late %d, missed %d, due %d; notifications %d\n",
			k.Occurrences, k.OnTime, k.Late, k.Missed, k.Due, len(k.Notifications))
		for _, w := range []struct {
			ext   string
			write func(io.Writer) error
		}{{".html", rep.WriteHTML}, {".md", rep.WriteMarkdown}} {
			if err := writeFile(filepath.Join(dir, t+"-evidence"+w.ext), w.write); err != nil {
				log.Fatal(err)
			}
		}
	}
	fmt.Printf("reports written to %s\n", dir)
}

// writeFile writes a report to path atomically: into a temporary file in the
// same directory, renamed over path. It refuses to replace anything but a
// regular file (a symlink, a FIFO, a device), so it never destroys what it
// did not create.
func writeFile(path string, write func(io.Writer) error) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("vendor: %s is not a regular file; not replacing it", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return fmt.Errorf("vendor: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, nothing
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("vendor: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("vendor: write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("vendor: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("vendor: %w", err)
	}
	return nil
}

// isFlagSet reports whether the flag was given on the command line.
func isFlagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
