package evidence_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

func dt(s string) comms.DateTime {
	d, err := comms.ParseDateTime(s)
	if err != nil {
		panic(err)
	}
	return d
}

// plan returns the test plan; monthly selects version 2, where the audit
// activity became monthly.
func plan(monthly bool) comms.Plan {
	audit := "FREQ=MONTHLY;INTERVAL=3"
	if monthly {
		audit = "FREQ=MONTHLY"
	}
	return comms.Plan{
		Format: comms.Format, ID: "acme", Organization: "Acme", TimeZone: "Europe/Berlin",
		Roles: []comms.Role{{ID: "iso", Name: "ISO"}, {ID: "audit", Name: "Internal Audit"}, {ID: "dpo", Name: "DPO"}},
		Stakeholders: []comms.Stakeholder{
			{ID: "employees", Name: "All Employees", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees, Size: 100},
			{ID: "management", Name: "Management", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindManagement, Size: 10},
			{ID: "dpa", Name: "Data Protection Authority", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindRegulator},
		},
		Channels: []comms.Channel{
			{ID: "email", Name: "Email", Kind: comms.ChannelKindEmail, Reach: []comms.Scope{comms.ScopeInternal, comms.ScopeExternal}},
			{ID: "intranet", Name: "Intranet", Kind: comms.ChannelKindIntranet, Reach: []comms.Scope{comms.ScopeInternal}},
			{ID: "portal", Name: "Portal", Kind: comms.ChannelKindPortal, Reach: []comms.Scope{comms.ScopeExternal}},
		},
		Activities: []comms.Activity{
			{ID: "newsletter", Name: "Security newsletter", What: comms.Message{Topic: comms.TopicAwareness, Message: "News"},
				Whom: []string{"employees"}, How: []string{"email"}, Owner: "iso",
				When: comms.Timing{RRule: "FREQ=MONTHLY;BYMONTHDAY=1", Start: dt("2026-01-01T09:00"), Within: "5d"}},
			{ID: "audit-results", Name: "Audit results", What: comms.Message{Topic: comms.TopicInternalAudit, Message: "Findings"},
				Whom: []string{"management"}, How: []string{"email"}, Owner: "audit",
				When: comms.Timing{RRule: audit, Start: dt("2026-01-15T10:00"), Within: "3d"}},
			{ID: "breach", Name: "Breach notification", What: comms.Message{Topic: comms.TopicRegulatoryReport, Message: "Breach"},
				Whom: []string{"dpa"}, How: []string{"portal"}, Owner: "dpo", Obligations: []string{"gdpr-art33"},
				When: comms.Timing{Trigger: "incident.aware", Within: "72h"}},
		},
	}
}

func sent(activity, when string, reached, ack int) comms.Record {
	r := comms.Record{PlanID: "acme", ActivityID: activity, SentAt: at(when), Channel: "email", Reached: reached, Acknowledged: ack}
	switch activity {
	case "newsletter":
		r.Audiences, r.SenderRole, r.Sender = []string{"employees"}, "iso", "ina@acme.example"
	case "audit-results":
		r.Audiences, r.SenderRole, r.Sender = []string{"management"}, "audit", "aud@acme.example"
	case "breach":
		r.Audiences, r.SenderRole, r.Sender, r.Channel = []string{"dpa"}, "dpo", "dpo@acme.example", "portal"
	}
	return r
}

func input() evidence.Input {
	records := []comms.Record{
		sent("newsletter", "2026-01-01 10:00", 90, 60), // on time
		sent("newsletter", "2026-02-08 09:00", 80, 40), // late: due 6 Feb
		// March: missed.
		{PlanID: "acme", ActivityID: "newsletter", Type: comms.RecordTypeWaived, Occurrence: at("2026-04-01 09:00"), SentAt: at("2026-03-30 12:00"), Note: "Office move; merged into May"},
		{PlanID: "acme", ActivityID: "newsletter", SentAt: at("2026-05-02 08:00"), Channel: "intranet", SenderRole: "hr", Sender: "hr@acme.example"}, // on time, three deviations
		sent("newsletter", "2026-06-03 17:00", 95, 70),                                                     // on time
		sent("audit-results", "2026-01-16 09:00", 10, 10),                                                  // on time (quarterly, v1)
		sent("audit-results", "2026-07-15 12:00", 10, 10),                                                  // on time (monthly, v2)
		sent("breach", "2026-09-12 18:00", 0, 0),                                                           // on time for inc-1
		{PlanID: "acme", ActivityID: "", SentAt: at("2026-03-20 12:00"), Subject: "Town hall on phishing"}, // ad hoc
	}
	records[1].Audiences = []string{"employees"}
	records[7].EventID = "inc-1"
	for i := range records {
		records[i].Seq = int64(i + 1)
	}
	events := []comms.Event{
		{ID: "inc-1", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at("2026-09-10 10:00")}}},
		{ID: "inc-2", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at("2026-10-20 08:00")}}},
	}
	return evidence.Input{
		Versions: []store.Version{
			{PlanID: "acme", Number: 1, Plan: plan(false), SavedAt: at("2025-12-01 10:00"), SavedBy: "ina"},
			{PlanID: "acme", Number: 2, Plan: plan(true), SavedAt: at("2026-07-01 00:00"), SavedBy: "ina", Note: "audits monthly"},
		},
		Records: records, Events: events,
		From: at("2026-01-01 00:00"), To: at("2027-01-01 00:00"), Now: at("2026-12-03 12:00"),
	}
}

func statuses(rep *evidence.Assessment, activity string) []string {
	var out []string
	for _, o := range rep.Occurrences {
		if o.ActivityID == activity {
			s := o.At.In(berlin).Format("01-02") + " " + string(o.Status)
			if o.EventID != "" {
				s = o.EventID + " " + string(o.Status)
			}
			out = append(out, s)
		}
	}
	return out
}

func TestStatuses(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"newsletter": {"01-01 on-time", "02-01 late", "03-01 missed", "04-01 waived", "05-01 on-time", "06-01 on-time",
			"07-01 missed", "08-01 missed", "09-01 missed", "10-01 missed", "11-01 missed", "12-01 due"},
		// Quarterly before July (version 1), monthly from July (version 2).
		"audit-results": {"01-15 on-time", "04-15 missed", "07-15 on-time", "08-15 missed", "09-15 missed", "10-15 missed", "11-15 missed", "12-15 upcoming"},
		"breach":        {"inc-1 on-time", "inc-2 missed"},
	}
	for activity, w := range want {
		if got := statuses(rep, activity); !slices.Equal(got, w) {
			t.Errorf("%s:\n got %v\nwant %v", activity, got, w)
		}
	}
	for _, o := range rep.Occurrences {
		if o.ActivityID == "audit-results" {
			wantVersion := 1
			if !o.At.Before(at("2026-07-01 00:00")) {
				wantVersion = 2
			}
			if o.PlanVersion != wantVersion {
				t.Errorf("audit %v judged against version %d", o.At, o.PlanVersion)
			}
		}
		if o.Status == evidence.StatusLate && o.Delay.Round(time.Hour) != 33*time.Hour {
			t.Errorf("late by %v, want 33h (due 6 Feb 23:59:59, sent 8 Feb 09:00)", o.Delay)
		}
	}
	if len(rep.AdHoc) != 1 || rep.AdHoc[0].Subject != "Town hall on phishing" {
		t.Errorf("ad hoc: %+v", rep.AdHoc)
	}
	if len(rep.Versions) != 2 || rep.Versions[1].Number != 2 || !rep.Versions[1].From.Equal(at("2026-07-01 00:00")) {
		t.Errorf("versions: %+v", rep.Versions)
	}
}

func TestDeviations(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rep.Deviations {
		got = append(got, fmt.Sprintf("#%d %s %s", d.Seq, d.Kind, d.Detail))
	}
	want := []string{
		"#4 channel sent through intranet, which the plan does not name for this activity (it names email)",
		"#4 audience did not address All Employees",
		"#4 sender sent by hr@acme.example (role hr), not by the owning role iso",
	}
	if !slices.Equal(got, want) {
		t.Errorf("deviations:\n got %q\nwant %q", got, want)
	}
}

func TestKPIs(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	k := rep.KPIs
	if k.OnTime != 6 || k.Late != 1 || k.Missed != 12 || k.Due != 1 || k.Upcoming != 1 || k.Waived != 1 || k.AdHoc != 1 || k.Deviations != 3 {
		t.Errorf("counts: %+v", k)
	}
	if k.OnTimeRate != 6.0/19 || k.Coverage != 7.0/19 {
		t.Errorf("rates: on time %v coverage %v", k.OnTimeRate, k.Coverage)
	}
	if len(k.Overdue) != 12 {
		t.Errorf("overdue: %d", len(k.Overdue))
	}
	var emp, mgmt evidence.AudienceRate
	for _, a := range k.Audiences {
		switch a.StakeholderID {
		case "employees":
			emp = a
		case "management":
			mgmt = a
		}
	}
	if emp.Records != 3 || emp.Expected != 300 || emp.Reached != 265 || emp.Acknowledged != 170 || fmt.Sprintf("%.3f %.3f", emp.ReachRate, emp.AckRate) != "0.883 0.642" {
		t.Errorf("employees: %+v", emp)
	}
	if mgmt.ReachRate != 1 || mgmt.AckRate != 1 {
		t.Errorf("management: %+v", mgmt)
	}
	if len(k.Timeliness) != 1 || k.Timeliness[0] != (evidence.Timeliness{Obligation: "gdpr-art33", Law: "primary", Count: 2, OnTime: 1, Missed: 1, Slowest: 56 * time.Hour}) {
		t.Errorf("timeliness: %+v", k.Timeliness)
	}
	n := k.Notifications[0]
	if n.Allowed != 72*time.Hour || n.Elapsed != 56*time.Hour || n.Status != evidence.StatusOnTime {
		t.Errorf("notification: %+v", n)
	}
	// Monthly series: January has two on-time occurrences; February's late
	// newsletter; April's waiver.
	months := map[string]evidence.Month{}
	for _, m := range rep.Monthly {
		months[m.Month] = m
	}
	if len(rep.Monthly) != 12 {
		t.Errorf("%d months", len(rep.Monthly))
	}
	if m := months["2026-01"]; m.OnTime != 2 || m.OnTimeRate != 1 || m.Reached != 100 {
		t.Errorf("January: %+v", m)
	}
	if m := months["2026-02"]; m.Late != 1 || m.OnTimeRate != 0 || m.Coverage != 1 {
		t.Errorf("February: %+v", m)
	}
	if m := months["2026-04"]; m.Waived != 1 || m.Missed != 1 || m.Judged != 1 {
		t.Errorf("April: %+v", m)
	}
	var audit evidence.ActivityKPI
	for _, a := range rep.Activities {
		if a.ActivityID == "audit-results" {
			audit = a
		}
	}
	if audit.Judged != 7 || audit.OnTime != 2 || audit.Coverage != 2.0/7 {
		t.Errorf("audit coverage: %+v", audit)
	}
}

// A record that names its occurrence is matched to it even when sent early.
func TestExplicitOccurrence(t *testing.T) {
	in := input()
	in.Records = []comms.Record{{PlanID: "acme", ActivityID: "newsletter", SentAt: at("2026-02-27 15:00"), Occurrence: at("2026-03-01 09:00"), Channel: "email", Audiences: []string{"employees"}, SenderRole: "iso"}}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep, "newsletter")[2]; got != "03-01 on-time" {
		t.Errorf("March: %s", got)
	}
	if len(rep.AdHoc) != 0 || len(rep.Deviations) != 0 {
		t.Errorf("ad hoc %v deviations %v", rep.AdHoc, rep.Deviations)
	}
}

// chainStore reports a broken chain.
type chainStore struct{ store.Store }

func (chainStore) Verify(ctx context.Context, tenant string) (store.Head, error) {
	return store.Head{}, &store.ChainError{Tenant: tenant, Seq: 4, Reason: "its content does not match its hash"}
}

func TestBuildFromStore(t *testing.T) {
	ctx := context.Background()
	clock := at("2025-12-01 10:00")
	mem := memory.New(&memory.Options{Now: func() time.Time { return clock }})
	in := input()
	if _, err := mem.SavePlan(store.WithSaveInfo(ctx, store.SaveInfo{By: "ina"}), "t", plan(false), 0); err != nil {
		t.Fatal(err)
	}
	clock = at("2026-07-01 00:00")
	if _, err := mem.SavePlan(ctx, "t", plan(true), 1); err != nil {
		t.Fatal(err)
	}
	for _, r := range in.Records {
		r.Seq = 0
		if _, err := mem.AppendRecord(ctx, "t", r); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range in.Events {
		if err := mem.SaveEvent(ctx, "t", e); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Chain.Checked || !rep.Chain.OK || rep.KPIs.OnTime != 6 || rep.KPIs.Missed != 12 || len(rep.Versions) != 2 {
		t.Errorf("report from store: chain %+v, kpis %+v", rep.Chain, rep.KPIs)
	}
	broken, err := evidence.Build(ctx, chainStore{mem}, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	if broken.Chain.OK || broken.Chain.Seq != 4 {
		t.Errorf("broken chain: %+v", broken.Chain)
	}
	var html bytes.Buffer
	broken.WriteHTML(&html)
	if i := strings.Index(html.String(), "RECORD CHAIN BROKEN at record 4"); i < 0 || i > strings.Index(html.String(), "id=\"kpis\"") {
		t.Error("a broken chain must be the first thing the report shows")
	}
	if _, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "nope", From: in.From, To: in.To, Now: in.Now}); err == nil {
		t.Error("unknown plan")
	}
}

func TestRenderers(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	var md, js, html bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Communication evidence — Acme", "Record chain not verified", "| 32% | 37% | 6 | 1 | 12 | 1 | 1 | 1 | 1 | 3 |",
		"| 2026-02-01 09:00 CET | Security newsletter | 1 |  | 2026-02-06 23:59 CET | late | #2 2026-02-08 09:00 CET, via email, by ina@acme.example, late by 1d9h |",
		"| 2026-04-01 09:00 CEST | Security newsletter | 1 |  | 2026-04-06 23:59 CEST | waived |", "| gdpr-art33 | primary | 2 | 1 | 0 | 1 | 0 | 2d8h |",
		"as of 2026-12-03 12:00 CET. Times are in Europe/Berlin.", "### By month due", "counts in the month (Europe/Berlin) that holds its deadline",
		"| Data Protection Authority | 1 | — | 0 | 0 | — | — |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back["plan_id"] != "acme" {
		t.Errorf("JSON: %v", err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	out := html.String()
	if n := strings.Count(out, `<tr class="occ `); n != len(rep.Occurrences) {
		t.Errorf("%d occurrence rows, want %d", n, len(rep.Occurrences))
	}
	if strings.Count(out, `<rect class="bar`) != 12+len(rep.Activities) {
		t.Error("chart bars")
	}
	for _, forbidden := range []string{"<script", "http://", "https://", "src="} {
		if strings.Contains(out, forbidden) {
			t.Errorf("the page is not self-contained: %s", forbidden)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	in := input()
	in.To = in.From
	if _, err := evidence.Evaluate(in); err == nil {
		t.Error("empty period")
	}
	if _, err := evidence.Evaluate(evidence.Input{From: in.From, To: in.From.Add(time.Hour)}); err == nil {
		t.Error("no plan")
	}
}
