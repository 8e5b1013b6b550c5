package oscal_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// exampleYear writes the year of evidence that examples/evidence writes
// (the same plan, records, incident, feedback and drill, through the same
// checked appends, with the same seeded randomness) into a new SQLite
// store at dbPath, and returns the store and the Build options of the
// example's report. Keep it in step with examples/evidence/main.go.
func exampleYear(t *testing.T, dbPath string) (*sqlite.Store, evidence.BuildOptions) {
	t.Helper()
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	now := time.Date(2026, 12, 20, 9, 0, 0, 0, berlin)

	// The store records when each version was saved: the plan is saved at
	// the start of the year.
	clock := year.Add(-24 * time.Hour)
	st, err := sqlite.Open(dbPath, &sqlite.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
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
		t.Fatal(err)
	}

	// A year of records: each occurrence answered within its window, except
	// a few late, a few missed, one deviation and one waiver.
	rng := rand.New(rand.NewPCG(2026, 7))
	// Records go through the checked append: each is checked against the
	// plan version it names before it enters the log.
	appendRecord := func(r comms.Record) comms.Record {
		clock = r.SentAt.Add(time.Duration(rng.IntN(48)) * time.Hour) // entered a little later
		r.PlanID = plan.ID
		got, err := evidence.AppendRecord(ctx, st, tenant, r, clock)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, a := range plan.Activities {
		if !a.When.Recurring() || a.What.Topic == comms.TopicDrill {
			continue // the yearly drill is held as DRILL-2026 below: that is its evidence
		}
		rule, err := schedule.ActivityRule(plan, a)
		if err != nil {
			t.Fatal(err)
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
		t.Fatal(err)
	}
	appendRecord(comms.Record{ActivityID: "incident-response", EventID: inc.ID, SentAt: time.Date(2026, 9, 11, 16, 40, 0, 0, berlin),
		Channel: "email", Audiences: []string{"employees"}, Sender: "irt@acme.example", SenderRole: "irt", Subject: "Phishing: what to do", Reached: 236, Acknowledged: 201})
	appendRecord(comms.Record{ActivityID: "regulator-incident-reports", EventID: inc.ID, SentAt: time.Date(2026, 9, 14, 15, 0, 0, 0, berlin),
		Channel: "formal-reports", Audiences: []string{"regulators"}, Sender: "compliance@acme.example", SenderRole: "compliance", Subject: "Notification"})
	appendRecord(comms.Record{SentAt: time.Date(2026, 10, 20, 12, 0, 0, 0, berlin), Subject: "Cybersecurity awareness month quiz", Channel: "intranet"})

	// Feedback through the survey channel, scored on the plan's scale of 1
	// to 5 and to be handled within 5 business days: most handled in a day
	// or two, the June piece handled late (its handling recorded by a
	// correction), the November piece still open past its deadline and the
	// December piece open within it.
	feedback := []struct {
		from, activity string
		received       time.Time
		score          int
		handled        time.Duration // 0: open
	}{
		{"employees", "awareness-training", time.Date(2026, 3, 10, 11, 0, 0, 0, berlin), 4, 26 * time.Hour},
		{"management", "security-metrics", time.Date(2026, 4, 14, 9, 30, 0, 0, berlin), 5, 50 * time.Hour},
		{"employees", "policy", time.Date(2026, 5, 6, 15, 0, 0, 0, berlin), 3, 20 * time.Hour},
		{"customers", "customer-supplier-assurance", time.Date(2026, 6, 10, 10, 0, 0, 0, berlin), 4, 0},
		{"employees", "incident-response", time.Date(2026, 9, 18, 13, 0, 0, 0, berlin), 5, 4 * time.Hour},
		{"departments", "internal-audits", time.Date(2026, 10, 28, 16, 0, 0, 0, berlin), 4, 44 * time.Hour},
		{"employees", "awareness-training", time.Date(2026, 11, 20, 10, 0, 0, 0, berlin), 2, 0},
		{"management", "security-metrics", time.Date(2026, 12, 17, 9, 0, 0, 0, berlin), 5, 0},
	}
	for _, f := range feedback {
		score := f.score
		r := comms.Record{Type: comms.RecordTypeFeedback, From: f.from, ActivityID: f.activity, Channel: "feedback-survey", SentAt: f.received, Score: &score}
		if f.handled > 0 {
			r.HandledAt = f.received.Add(f.handled)
		}
		got := appendRecord(r)
		if f.from == "customers" {
			// Handled on 25 June, ten business days after it came in.
			fix := r
			fix.Corrects, fix.SentAt, fix.HandledAt = got.Seq, time.Date(2026, 6, 25, 17, 0, 0, 0, berlin), time.Date(2026, 6, 25, 17, 0, 0, 0, berlin)
			appendRecord(fix)
		}
	}

	// The yearly drill on 15 October: a ransomware scenario run through the
	// incident clock. Its records are marked as a drill's and count in no
	// figure of the report; the regulator's report would have been late.
	drill := comms.Event{ID: "DRILL-2026", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Title: "Yearly incident communication drill",
		Scenario: "Ransomware on the file servers", Milestones: []comms.Milestone{
			{Name: "detected", At: time.Date(2026, 10, 15, 10, 0, 0, 0, berlin)},
			{Name: "aware", At: time.Date(2026, 10, 15, 10, 30, 0, 0, berlin)},
			{Name: "closed", At: time.Date(2026, 10, 16, 16, 0, 0, 0, berlin)},
		}}
	if err := st.SaveEvent(ctx, tenant, drill); err != nil {
		t.Fatal(err)
	}
	appendRecord(comms.Record{ActivityID: "incident-response", EventID: drill.ID, Drill: true, SentAt: time.Date(2026, 10, 15, 10, 35, 0, 0, berlin),
		Channel: "email", Audiences: []string{"employees"}, Sender: "irt@acme.example", SenderRole: "irt", Subject: "DRILL: ransomware, what to do"})
	appendRecord(comms.Record{ActivityID: "regulator-incident-reports", EventID: drill.ID, Drill: true, SentAt: time.Date(2026, 10, 19, 9, 0, 0, 0, berlin),
		Channel: "formal-reports", Audiences: []string{"regulators"}, Sender: "compliance@acme.example", SenderRole: "compliance", Subject: "DRILL: notification (draft, not sent)"})
	appendRecord(comms.Record{ActivityID: "lessons-learned", EventID: drill.ID, Drill: true, SentAt: time.Date(2026, 10, 20, 11, 0, 0, 0, berlin),
		Channel: "email", Audiences: []string{"employees", "management"}, Sender: "irt@acme.example", SenderRole: "irt", Subject: "Drill lessons",
		Note: "The regulator's report needs a template signed off in advance."})

	return st, evidence.BuildOptions{Tenant: tenant, PlanID: plan.ID, From: year, To: year.AddDate(1, 0, 0), Now: now}
}
