package regulation_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
)

// Worked examples of issue 14, items 3 to 7. Each cites the row of
// ../shared/reference/notification-deadlines.md its figures come from.

// at parses a local time "2006-01-02 15:04" in loc.
func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	tt, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

// owedFor returns the item of the clock that lists obligation id (alone or
// among others); ok false when none does.
func owedFor(owed []regulation.Owed, id string) (regulation.Owed, bool) {
	for _, o := range owed {
		if slices.Contains(o.Obligations, id) {
			return o, true
		}
	}
	return regulation.Owed{}, false
}

// onePlan is a plan in zone with one activity "report" triggered at
// trigger and declaring obligations.
func onePlan(zone, trigger string, obligations ...string) comms.Plan {
	return comms.Plan{ID: "p", TimeZone: zone, Activities: []comms.Activity{
		{ID: "report", When: comms.Timing{Trigger: trigger}, Obligations: obligations},
	}}
}

// Item 3: every follow-up is on the clock, with its deadline, what it
// counts from and its status, as a main obligation is.
func TestIncidentClockFollowUps(t *testing.T) {
	tests := []struct {
		name, row    string // the test's name; the reference row
		obligation   string // the plan's activity "report" declares it
		zone         string
		trigger      string // the activity's trigger
		milestones   ms
		reportSent   string // when "report" was sent ("" not sent)
		followUp     string // the follow-up's obligation ID
		due, from    string // its deadline (local) and what it counts from
		status       regulation.OwedStatus
		standingPart string
	}{
		{"SOCI written record of an oral report", "au-soci-critical: H:12 (oral report: written record within H:84)",
			"au-soci-critical", "Australia/Sydney", "incident.aware", ms{"aware": "2026-03-06 22:00"}, "2026-03-07 08:00",
			"au-soci-critical.written-record", "2026-03-10 20:00:00 +1100", "submitted:au-soci-critical", regulation.OwedStatusOpen, "primary"},
		{"California Attorney General", "ca-1798-82: AG within CD:15 of resident notice when >500",
			"ca-1798-82", "America/Los_Angeles", "incident.discovered", ms{"discovered": "2026-01-10 14:00"}, "2026-02-02 10:00",
			"ca-1798-82.attorney-general", "2026-02-17 23:59:59 -0800", "submitted:ca-1798-82", regulation.OwedStatusOpen, "secondary sources only"},
		{"NYDFS written explanation", "nydfs-extortion: H:24 notice; CD:30 written explanation",
			"nydfs-extortion", "America/New_York", "incident.ransom-paid", ms{"ransom-paid": "2026-03-06 16:00"}, "",
			"nydfs-extortion.written-explanation", "2026-04-05 23:59:59 -0400", "incident.ransom-paid", regulation.OwedStatusOpen, "secondary sources only"},
		{"CRA notification", "cra-early-warning: H:24 warning; H:72 notification",
			"cra-early-warning", "Europe/Berlin", "incident.aware", ms{"aware": "2026-10-02 16:00"}, "",
			"cra-early-warning.notification", "2026-10-05 16:00:00 +0200", "incident.aware", regulation.OwedStatusOverdue, "secondary sources only"},
		{"CRA final report after a fix", "cra-early-warning: final CD:14 after fix (vulnerability)",
			"cra-early-warning", "Europe/Berlin", "incident.aware", ms{"aware": "2026-10-02 16:00", "fixed": "2026-10-20 12:00"}, "",
			"cra-early-warning.final-report-vulnerability", "2026-11-03 23:59:59 +0100", "incident.fixed", regulation.OwedStatusOpen, "secondary sources only"},
		// 20 Brazilian working days from Friday 6 March: 3 April (Good
		// Friday is not a national holiday, see br-national).
		{"LGPD supplement", "br-lgpd: BD:3 (Brazilian working days); supplement BD:20",
			"br-lgpd", "America/Sao_Paulo", "incident.aware", ms{"aware": "2026-03-06 10:00"}, "2026-03-09 10:00",
			"br-lgpd.supplement", "2026-04-03 23:59:59 -0300", "incident.aware", regulation.OwedStatusOpen, "secondary sources only"},
		{"CIRCIA ransom payment report", "circia (proposed): H:72 / H:24",
			"circia", "America/New_York", "incident.believed", ms{"believed": "2026-03-06 10:00", "ransom-paid": "2026-03-06 16:00"}, "",
			"circia.ransom-payment-report", "2026-03-07 16:00:00 -0500", "incident.ransom-paid", regulation.OwedStatusOpen, "proposed, not law"},
		{"NIS2 final report after handling", "nis2-progress: final M:1 after handling of the incident",
			"nis2-notification", "Europe/Berlin", "incident.aware", ms{"aware": "2026-03-07 10:00", "handled": "2026-05-20 15:00"}, "2026-03-09 11:00",
			// A month after 20 May is Saturday 20 June: note 5 moves it to Monday.
			"nis2-progress.final-report", "2026-06-22 23:59:59 +0200", "incident.handled", regulation.OwedStatusOpen, "primary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := load(t, tc.zone)
			p := onePlan(tc.zone, tc.trigger, tc.obligation)
			if tc.obligation == "nis2-notification" {
				p.Activities[0].Obligations = append(p.Activities[0].Obligations, "nis2-progress")
			}
			e := event(t, loc, tc.milestones)
			var records []comms.Record
			if tc.reportSent != "" {
				records = append(records, comms.Record{ActivityID: "report", EventID: e.ID, SentAt: at(t, loc, tc.reportSent)})
			}
			now := at(t, loc, "2026-03-07 09:00")
			if tc.name == "CRA notification" || tc.name == "CRA final report after a fix" {
				now = at(t, loc, "2026-10-21 09:00")
			}
			if tc.name == "NIS2 final report after handling" {
				now = at(t, loc, "2026-05-21 09:00")
			}
			if tc.name == "California Attorney General" {
				now = at(t, loc, "2026-02-03 09:00")
			}
			owed, err := regulation.IncidentClock(p, e, records, now)
			if err != nil {
				t.Fatal(err)
			}
			o, ok := owedFor(owed, tc.followUp)
			if !ok {
				t.Fatalf("%s (row %s) is not on the clock: %v", tc.followUp, tc.row, owed)
			}
			got := o.Due.In(loc).Format("2006-01-02 15:04:05 -0700")
			if got != tc.due || o.From != tc.from || o.Status != tc.status || o.FollowUp == "" || o.ActivityID != "" {
				t.Errorf("row %s: %s due %s from %s, %s (follow-up %q), want due %s from %s, %s",
					tc.row, tc.followUp, got, o.From, o.Status, o.FollowUp, tc.due, tc.from, tc.status)
			}
			if !strings.Contains(o.Standing(), tc.standingPart) {
				t.Errorf("%s: standing %q, want it to say %q", tc.followUp, o.Standing(), tc.standingPart)
			}
		})
	}
}

// A follow-up counts from its milestone or submission: before the oral
// SOCI report is sent, no written record is owed; an activity that
// declares the follow-up carries it, and its record does it.
func TestIncidentClockFollowUpCarried(t *testing.T) {
	sydney := load(t, "Australia/Sydney")
	p := onePlan("Australia/Sydney", "incident.aware", "au-soci-critical")
	e := event(t, sydney, ms{"aware": "2026-03-06 22:00"})
	owed, err := regulation.IncidentClock(p, e, nil, at(t, sydney, "2026-03-07 01:00"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := owedFor(owed, "au-soci-critical.written-record"); ok || len(owed) != 1 {
		t.Errorf("a written record is owed before the oral report was sent: %v", owed)
	}
	p.Activities = append(p.Activities, comms.Activity{ID: "written", When: comms.Timing{Trigger: "activity:report"},
		Obligations: []string{"au-soci-critical.written-record"}})
	records := []comms.Record{
		{ActivityID: "report", EventID: e.ID, SentAt: at(t, sydney, "2026-03-07 08:00")},
		{ActivityID: "written", EventID: e.ID, SentAt: at(t, sydney, "2026-03-09 12:00")},
	}
	owed, err = regulation.IncidentClock(p, e, records, at(t, sydney, "2026-03-09 13:00"))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := owedFor(owed, "au-soci-critical.written-record")
	if !ok || o.ActivityID != "written" || o.Status != regulation.OwedStatusDone || !o.LegalDue.Equal(at(t, sydney, "2026-03-10 20:00")) {
		t.Errorf("the carried written record: %+v", o)
	}
	if len(owed) != 2 {
		t.Errorf("the follow-up is listed twice: %v", owed)
	}
}

// Item 4: DORA's final report counts from the latest intermediate report
// (row dora-final: "submission of the latest intermediate report", M:1;
// RTS 2025/301 Art. 5(1)(c)), whether the update is recorded on the same
// activity or on another one declaring dora-intermediate.
func TestIncidentClockDORALatestIntermediate(t *testing.T) {
	berlin := load(t, "Europe/Berlin")
	plan := func(separate bool) comms.Plan {
		p := comms.Plan{ID: "bank", TimeZone: "Europe/Berlin", Activities: []comms.Activity{
			{ID: "initial", When: comms.Timing{Trigger: "incident.classified"}, Obligations: []string{"dora-initial"}},
			{ID: "intermediate", When: comms.Timing{Trigger: "activity:initial"}, Obligations: []string{"dora-intermediate"}},
			{ID: "final", When: comms.Timing{Trigger: "activity:intermediate"}, Obligations: []string{"dora-final"}},
		}}
		if separate {
			p.Activities = append(p.Activities, comms.Activity{ID: "update", When: comms.Timing{Trigger: "activity:intermediate", Within: "10d"},
				Obligations: []string{"dora-intermediate"}})
		}
		return p
	}
	e := event(t, berlin, ms{"aware": "2026-03-09 09:00", "classified": "2026-03-09 11:00"})
	sent := func(activity, when string) comms.Record {
		return comms.Record{ActivityID: activity, EventID: e.ID, SentAt: at(t, berlin, when)}
	}
	base := []comms.Record{sent("initial", "2026-03-09 14:00"), sent("intermediate", "2026-03-12 10:00")}
	now := at(t, berlin, "2026-03-21 09:00")
	for _, tc := range []struct {
		name     string
		separate bool
		update   comms.Record
	}{
		{"updated on the same activity", false, sent("intermediate", "2026-03-20 10:00")},
		{"updated on a separate activity", true, sent("update", "2026-03-20 10:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(tc.separate)
			owed, err := regulation.IncidentClock(p, e, base, now)
			if err != nil {
				t.Fatal(err)
			}
			final, _ := owedFor(owed, "dora-final")
			if want := at(t, berlin, "2026-04-12 23:59").Add(59 * time.Second); !final.Due.Equal(want) {
				t.Errorf("before the update: final due %v, want %v", final.Due, want)
			}
			owed, err = regulation.IncidentClock(p, e, append(slices.Clone(base), tc.update), now)
			if err != nil {
				t.Fatal(err)
			}
			final, _ = owedFor(owed, "dora-final")
			if want := at(t, berlin, "2026-04-20 23:59").Add(59 * time.Second); !final.Due.Equal(want) ||
				final.From != "submitted:dora-intermediate" || !final.FromAt.Equal(tc.update.SentAt) {
				t.Errorf("after the update: final due %v from %s at %v, want %v from the update", final.Due, final.From, final.FromAt, want)
			}
			if tc.separate {
				// The update is not judged against the intermediate
				// report's 72 hours: only the plan's 10 days.
				for _, o := range owed {
					if o.ActivityID == "update" && (!o.LegalDue.IsZero() || o.Status != regulation.OwedStatusDone) {
						t.Errorf("the update: %+v", o)
					}
					// ... but it is still under the law, and says how far
					// its figure can be relied on.
					if o.ActivityID == "update" && (o.Evidence == "" || o.Standing() == "") {
						t.Errorf("the update lost its standing: %+v", o)
					}
				}
			}
		})
	}

	// "first" is the other explicit choice: the same records, counted from
	// the first intermediate report.
	o, _ := regulation.Lookup("dora-final")
	if o.Clocks[0].Submission != regulation.SubmissionLatest {
		t.Fatalf("dora-final counts from %q", o.Clocks[0].Submission)
	}
	subs := map[string]regulation.Submitted{"dora-intermediate": {First: at(t, berlin, "2026-03-12 10:00"), Latest: at(t, berlin, "2026-03-20 10:00")}}
	for choice, want := range map[regulation.Submission]string{
		regulation.SubmissionFirst: "2026-04-12", "": "2026-04-12", regulation.SubmissionLatest: "2026-04-20",
	} {
		o.Clocks[0].Submission = choice
		d, ok, err := o.DeadlineWith(e, subs, berlin)
		if err != nil || !ok || d.At.Format("2006-01-02") != want {
			t.Errorf("submission %q: due %v (%v, %v), want %s", choice, d.At, ok, err, want)
		}
	}
}

// Item 5: an obligation is owed only for incidents whose clock starts on
// or after its effective date.
func TestEffectiveDates(t *testing.T) {
	tests := []struct {
		row, id, zone string
		milestones    ms
		want          string // due, or "not yet in force (from …)"
	}{
		// Row cra-early-warning: "EU CRA 2024/2847 Art 14 (from 11 Sep 2026)".
		{"cra-early-warning", "cra-early-warning", "Europe/Berlin", ms{"aware": "2026-06-15 10:00"}, "not yet in force (from 2026-09-11)"},
		{"cra-early-warning", "cra-early-warning.notification", "Europe/Berlin", ms{"aware": "2026-06-15 10:00"}, "not yet in force (from 2026-09-11)"},
		{"cra-early-warning", "cra-early-warning", "Europe/Berlin", ms{"aware": "2026-09-10 23:30"}, "not yet in force (from 2026-09-11)"},
		{"cra-early-warning", "cra-early-warning", "Europe/Berlin", ms{"aware": "2026-09-11 00:00"}, "2026-09-12 00:00:00 +0200"},
		{"cra-early-warning", "cra-early-warning", "Europe/Berlin", ms{"aware": "2026-10-15 10:00"}, "2026-10-16 10:00:00 +0200"},
		// Row ca-1798-82: "Cal. Civ. Code 1798.82 (SB 446, from 1 Jan 2026)".
		{"ca-1798-82", "ca-1798-82", "America/Los_Angeles", ms{"discovered": "2025-12-20 10:00"}, "not yet in force (from 2026-01-01)"},
		{"ca-1798-82", "ca-1798-82", "America/Los_Angeles", ms{"discovered": "2026-01-01 00:30"}, "2026-01-31 23:59:59 -0800"},
	}
	for _, tc := range tests {
		loc := load(t, tc.zone)
		o, _ := regulation.Lookup(tc.id)
		e := event(t, loc, tc.milestones)
		d, ok, err := o.DeadlineFor(e, nil, loc)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", tc.id, ok, err)
		}
		got := d.At.In(loc).Format("2006-01-02 15:04:05 -0700")
		if d.NotInForce {
			got = "not yet in force (from " + d.Effective.String() + ")"
			if !d.At.IsZero() || d.UndueDelay {
				t.Errorf("%s: a law not in force has a deadline: %+v", tc.id, d)
			}
		}
		if got != tc.want {
			t.Errorf("row %s: %s %v: %s, want %s", tc.row, tc.id, tc.milestones, got, tc.want)
		}
	}

	// On the clock: the CRA in June is listed, not owed; in October owed.
	berlin := load(t, "Europe/Berlin")
	p := onePlan("Europe/Berlin", "incident.aware", "cra-early-warning")
	p.Activities[0].When.Trigger = "incident.detected" // the plan's own report comes later
	june := event(t, berlin, ms{"aware": "2026-06-15 10:00"})
	owed, err := regulation.IncidentClock(p, june, nil, at(t, berlin, "2026-06-16 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range owed {
		if o.Status != regulation.OwedStatusNotInForce || o.String() != "not yet in force (from 2026-09-11)" || !o.Due.IsZero() ||
			!strings.Contains(o.Standing(), "not yet in force (from 2026-09-11)") {
			t.Errorf("June 2026: %s %s %q", o.Obligations, o.Status, o.Standing())
		}
	}
	// The early warning, its notification and its severe-incident final
	// report; the vulnerability's final report waits for incident.fixed.
	if len(owed) != 3 {
		t.Errorf("June 2026: %d items: %v", len(owed), owed)
	}
	october := event(t, berlin, ms{"aware": "2026-10-15 10:00"})
	owed, err = regulation.IncidentClock(p, october, nil, at(t, berlin, "2026-10-15 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	o, _ := owedFor(owed, "cra-early-warning")
	if o.Status != regulation.OwedStatusOpen || !o.Due.Equal(at(t, berlin, "2026-10-16 10:00")) || o.NotInForce {
		t.Errorf("October 2026: %+v", o)
	}
}

// Item 6: working days of the law's own jurisdiction. Row br-lgpd: BD:3
// in Brazilian working days; 20 November is a national holiday since Lei
// 14.759/2023. Known on Thursday 19 November 2026: Friday 20 is a holiday,
// so Monday 23, Tuesday 24, Wednesday 25.
func TestLGPDOverBlackConsciousnessDay(t *testing.T) {
	o, _ := regulation.Lookup("br-lgpd")
	for _, zone := range []string{"America/Sao_Paulo", "Europe/Berlin", "UTC"} { // the plan's zone does not matter
		loc := load(t, zone)
		e := event(t, loc, ms{"aware": "2026-11-19 10:00"})
		if zone != "America/Sao_Paulo" {
			e.Milestones[0].At = at(t, load(t, "America/Sao_Paulo"), "2026-11-19 10:00")
		}
		d, _, err := o.DeadlineFor(e, nil, loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.At.In(load(t, "America/Sao_Paulo")).Format("Mon 2006-01-02 15:04:05 -0700"); got != "Wed 2026-11-25 23:59:59 -0300" || d.WithoutHolidays {
			t.Errorf("plan in %s: due %s (without holidays %v), want Wed 2026-11-25 23:59:59 -0300", zone, got, d.WithoutHolidays)
		}
	}
	// The same incident in 2023, before Lei 14.759/2023: 20 November 2023
	// (a Monday) was a working day.
	sp := load(t, "America/Sao_Paulo")
	d, _, _ := o.DeadlineFor(event(t, sp, ms{"aware": "2023-11-16 10:00"}), nil, sp)
	if got := d.At.Format("2006-01-02"); got != "2023-11-21" {
		t.Errorf("2023: due %s, want 2023-11-21", got)
	}

	var s []string
	got, _ := regulation.Holidays("br-national", 2026)
	for _, d := range got {
		s = append(s, d.String())
	}
	want := []string{"2026-01-01", "2026-04-21", "2026-05-01", "2026-09-07", "2026-10-12", "2026-11-02", "2026-11-15", "2026-11-20", "2026-12-25"}
	if !slices.Equal(s, want) {
		t.Errorf("br-national 2026:\n got %v\nwant %v", s, want)
	}
}

// A jurisdiction whose holidays the catalog cannot source is counted
// without holidays, and the clock says so.
func TestWorkingDaysWithoutSourcedHolidays(t *testing.T) {
	o, _ := regulation.Lookup("br-lgpd")
	o.ID, o.Calendar = "unsourced", regulation.CalendarRef{TimeZone: "America/Sao_Paulo"}
	sp := load(t, "America/Sao_Paulo")
	d, _, err := o.DeadlineFor(event(t, sp, ms{"aware": "2026-11-19 10:00"}), nil, sp)
	if err != nil {
		t.Fatal(err)
	}
	if d.At.Format("2006-01-02") != "2026-11-24" || !d.WithoutHolidays {
		t.Errorf("without holidays: due %v, WithoutHolidays %v", d.At, d.WithoutHolidays)
	}
	ow := regulation.Owed{Evidence: regulation.EvidenceLevelSecondary, LegalStatus: regulation.LegalStatusInForce, WithoutHolidays: true}
	if !strings.Contains(ow.Standing(), "without public holidays") {
		t.Errorf("Standing %q does not say the holidays are missing", ow.Standing())
	}
}

// US federal holidays: 5 U.S.C. 6103(a), observed by 6103(b); Inauguration
// Day (6103(c)) is not counted (see the us-federal calendar's note), and
// Juneteenth only from 2021.
func TestUSFederalInaugurationDay(t *testing.T) {
	for _, y := range []int{2029, 2033} {
		got, _ := regulation.Holidays("us-federal", y)
		if slices.Contains(got, comms.Date{Year: y, Month: 1, Day: 20}) {
			t.Errorf("%d: Inauguration Day counted as a holiday", y)
		}
	}
	got, _ := regulation.Holidays("us-federal", 2020)
	if slices.Contains(got, comms.Date{Year: 2020, Month: 6, Day: 19}) {
		t.Error("Juneteenth in 2020, before Pub. L. 117-17")
	}
}

// Every holiday rule names the law that creates it, and every milestone
// the catalog uses is in its header's list.
func TestCatalogSources(t *testing.T) {
	raw, err := os.ReadFile("catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Calendars []struct {
			ID, Source, Note string
			Fixed            []map[string]any
			NthWeekday       []map[string]any `yaml:"nth_weekday"`
			Observed         string
			ObservedSource   string `yaml:"observed_source"`
		}
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	for _, cal := range c.Calendars {
		for _, h := range slices.Concat(cal.Fixed, cal.NthWeekday) {
			if src, _ := h["source"].(string); src == "" {
				t.Errorf("%s: holiday %v has no source", cal.ID, h["name"])
			}
		}
		if cal.Observed != "" && cal.ObservedSource == "" {
			t.Errorf("%s: the observed rule has no source", cal.ID)
		}
	}
	us := c.Calendars[slices.IndexFunc(c.Calendars, func(x struct {
		ID, Source, Note string
		Fixed            []map[string]any
		NthWeekday       []map[string]any `yaml:"nth_weekday"`
		Observed         string
		ObservedSource   string `yaml:"observed_source"`
	}) bool {
		return x.ID == "us-federal"
	})]
	for _, h := range slices.Concat(us.Fixed, us.NthWeekday) {
		if !strings.Contains(h["source"].(string), "5 U.S.C. 6103(a)") {
			t.Errorf("us-federal %v does not cite 5 U.S.C. 6103(a)", h["name"])
		}
	}
	if !strings.Contains(us.Note, "6103(c)") {
		t.Error("us-federal does not document its Inauguration Day choice")
	}

	header, _, _ := strings.Cut(string(raw), "\nobligations:")
	for _, o := range regulation.All() {
		uses := []string{o.Trigger}
		for _, cl := range o.Clocks {
			uses = append(uses, cl.From)
		}
		for _, f := range o.FollowUpObligations() {
			uses = append(uses, f.Trigger)
			for _, cl := range f.Clocks {
				uses = append(uses, cl.From)
			}
		}
		for _, m := range uses {
			if strings.HasPrefix(m, regulation.SubmittedPrefix) {
				continue
			}
			if !strings.Contains(header, "#   "+m+" ") {
				t.Errorf("%s: milestone %s is not in the catalog's list of milestones", o.ID, m)
			}
		}
	}
}

// Item 7: the evidence level travels with the figure, and EDGAR's cut-off
// gives a practical deadline before the legal one. Row sec-8k-105: BD:4,
// US federal business days, S; note 4: "EDGAR treats filings after 17:30
// Eastern as next business day".
func TestEvidenceAndPracticalDeadline(t *testing.T) {
	ny := load(t, "America/New_York")
	la := load(t, "America/Los_Angeles")
	o, _ := regulation.Lookup("sec-8k-105")
	e := event(t, la, ms{"material": "2026-11-25 09:00"})
	d, _, err := o.DeadlineFor(e, nil, la)
	if err != nil {
		t.Fatal(err)
	}
	if d.At.In(ny).Format("2006-01-02 15:04:05") != "2026-12-02 23:59:59" || d.Practical.In(ny).Format("2006-01-02 15:04") != "2026-12-02 17:30" ||
		d.Evidence != regulation.EvidenceLevelSecondary {
		t.Errorf("8-K: legal %v, practical %v, evidence %s", d.At.In(ny), d.Practical.In(ny), d.Evidence)
	}

	p := onePlan("America/Los_Angeles", "incident.material", "sec-8k-105")
	p.Activities = append(p.Activities,
		comms.Activity{ID: "cisa", When: comms.Timing{Trigger: "incident.believed"}, Obligations: []string{"circia"}},
		comms.Activity{ID: "bank", When: comms.Timing{Trigger: "incident.aware"}, Obligations: []string{"us-bank-36h"}})
	e.Milestones = append(e.Milestones, comms.Milestone{Name: "aware", At: at(t, la, "2026-11-25 08:00")},
		comms.Milestone{Name: "believed", At: at(t, la, "2026-11-25 08:00")},
		comms.Milestone{Name: "determined", At: at(t, la, "2026-11-25 08:30")})
	// Filed at 18:00 Eastern on the last day: counted as filed the next
	// business day, late.
	rec := comms.Record{ActivityID: "report", EventID: e.ID, SentAt: at(t, ny, "2026-12-02 18:00")}
	owed, err := regulation.IncidentClock(p, e, []comms.Record{rec}, at(t, la, "2026-12-03 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := owedFor(owed, "sec-8k-105")
	if !sec.PracticalDue.Equal(at(t, ny, "2026-12-02 17:30")) || !sec.Due.Equal(sec.PracticalDue) ||
		!sec.LegalDue.Equal(at(t, ny, "2026-12-02 23:59").Add(59*time.Second)) || sec.Status != regulation.OwedStatusDoneLate {
		t.Errorf("8-K filed at 18:00 Eastern on the last day: %+v", sec)
	}
	for id, want := range map[string]string{"sec-8k-105": "secondary sources only", "circia": "proposed, not law; secondary sources only", "us-bank-36h": "primary"} {
		o, _ := owedFor(owed, id)
		if o.Standing() != want {
			t.Errorf("%s: standing %q, want %q", id, o.Standing(), want)
		}
	}
	data, err := json.Marshal(sec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"evidence":"secondary"`, `"legal_status":"in-force"`, `"standing":"secondary sources only"`, `"practical_due":"2026-12-02T14:30:00-08:00"`, `"from":"incident.material"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON %s lacks %s", data, want)
		}
	}
	// An activity carrying a primary and a secondary obligation is as weak
	// as the weaker.
	p.Activities[2].Obligations = append(p.Activities[2].Obligations, "nydfs-500-17", "cert-in")
	owed, _ = regulation.IncidentClock(p, e, nil, at(t, la, "2026-11-25 09:00"))
	if b, _ := owedFor(owed, "us-bank-36h"); b.Evidence != regulation.EvidenceLevelPrimary {
		t.Errorf("cert-in has not arisen (no detected milestone) but lowers the level: %s", b.Evidence)
	}
	e.Milestones = append(e.Milestones, comms.Milestone{Name: "detected", At: at(t, la, "2026-11-25 07:00")})
	owed, _ = regulation.IncidentClock(p, e, nil, at(t, la, "2026-11-25 09:00"))
	if b, _ := owedFor(owed, "us-bank-36h"); b.Evidence != regulation.EvidenceLevelSecondary {
		t.Errorf("an item with a secondary obligation is %s", b.Evidence)
	}
}

// TestLawsZone: day- and month-based deadlines and effective dates of a
// law with one legal time zone count in that zone, whatever the plan's
// (reference note 6), so a plan in another zone never shows a deadline
// after the law's, nor "not yet in force" for a law that applies.
func TestLawsZone(t *testing.T) {
	tests := []struct {
		row, id, planZone, lawZone string
		milestones                 ms // in the law's zone
		want                       string
	}{
		// Row sg-pdpa-pdpc: "SG PDPA s 26D(1) … CD:3 (day itself not counted)".
		{"sg-pdpa-pdpc", "sg-pdpa-pdpc", "America/New_York", "Asia/Singapore", ms{"assessed": "2026-03-02 20:00"}, "2026-03-05 23:59:59 +0800"},
		// Row ca-1798-82: 30 calendar days, from 1 Jan 2026.
		{"ca-1798-82", "ca-1798-82", "Europe/Berlin", "America/Los_Angeles", ms{"discovered": "2026-01-10 20:00"}, "2026-02-09 23:59:59 -0800"},
		{"ca-1798-82", "ca-1798-82", "Europe/Berlin", "America/Los_Angeles", ms{"discovered": "2025-12-31 20:00"}, "not yet in force (from 2026-01-01)"},
		// Row cn-cac: from 1 Nov 2025, 4 hours.
		{"cn-cac", "cn-cac", "America/Los_Angeles", "Asia/Shanghai", ms{"discovered": "2025-11-01 08:00"}, "2025-11-01 12:00:00 +0800"},
	}
	for _, tc := range tests {
		plan, law := load(t, tc.planZone), load(t, tc.lawZone)
		o, ok := regulation.Lookup(tc.id)
		if !ok {
			t.Fatalf("no %s", tc.id)
		}
		d, ok, err := o.DeadlineFor(event(t, law, tc.milestones), nil, plan)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", tc.id, ok, err)
		}
		got := d.At.In(law).Format("2006-01-02 15:04:05 -0700")
		if d.NotInForce {
			got = "not yet in force (from " + d.Effective.String() + ")"
		}
		if got != tc.want {
			t.Errorf("%s (row %s), plan in %s: %s, want %s", tc.id, tc.row, tc.planZone, got, tc.want)
		}
	}
}
