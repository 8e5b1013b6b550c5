package sheet_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/matrix/sheet"
)

var now = time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)

// referenceRows reads the reference's 14-row matrix as typed into
// testdata/reference.csv.
func referenceRows(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile("testdata/reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// xlsx makes a workbook of rows on a sheet, merging the ranges given.
func xlsx(t *testing.T, name string, rows [][]string, merges ...[2]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if name != "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			t.Fatal(err)
		}
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if v == "" {
				continue
			}
			if err := f.SetCellStr(name, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range merges {
		if err := f.MergeCell(name, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(t *testing.T, data []byte, name string, opts sheet.Options) *sheet.Result {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = now
	}
	res, err := sheet.Read(bytes.NewReader(data), name, opts)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	decodes(t, res)
	return res
}

// decodes: the YAML decodes to the plan returned.
func decodes(t *testing.T, res *sheet.Result) {
	t.Helper()
	p, err := comms.DecodePlan(bytes.NewReader(res.YAML))
	if err != nil {
		t.Fatalf("the plan written does not decode: %v\n%s", err, res.YAML)
	}
	if got, want := len(p.Activities), len(res.Plan.Activities); got != want {
		t.Fatalf("the YAML holds %d activities, the plan %d", got, want)
	}
}

// TestReference: the reference's matrix, typed into a CSV and an XLSX as
// the reference text has it, imports into a plan that passes Check with
// no error, every inferred value listed and commented in the file.
func TestReference(t *testing.T) {
	csvData, err := os.ReadFile("testdata/reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"reference.csv":  csvData,
		"reference.xlsx": xlsx(t, "Matrix", referenceRows(t)),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			res := read(t, data, name, sheet.Options{})
			// The values to review: the deadlines the cells do not state
			// (D10), and the incident-reporting row sent only during
			// incidents; nothing else.
			var problems []string
			for _, p := range res.Problems {
				problems = append(problems, fmt.Sprintf("%d %d %s", p.Row, p.Column, p.Path))
			}
			if want := []string{"3 5 activities[1].when.within", "5 5 activities[3].when.within", "5 2 activities[3].what.topic",
				"9 5 activities[7].when.within", "10 5 activities[8].when.within", "13 5 activities[11].when.within"}; !slices.Equal(problems, want) {
				t.Errorf("problems:\n%v\nwant\n%v\n%v", problems, want, res.Problems)
			}
			if len(res.Plan.Activities) != 14 {
				t.Fatalf("%d activities, want 14", len(res.Plan.Activities))
			}
			report := matrix.Check(res.Plan, matrix.At(now))
			for _, f := range report.Findings {
				if f.Severity == matrix.SeverityError {
					t.Errorf("check: %s %s: %s", f.Rule, f.Path, f.Message)
				}
			}
			// Every activity's topic and timing are inferred, and listed.
			for i, a := range res.Plan.Activities {
				p := fmt.Sprintf("activities[%d]", i)
				for _, field := range []string{".what.topic", ".name"} {
					if !inferred(res, p+field) {
						t.Errorf("%s%s not listed as inferred", p, field)
					}
				}
				if a.When.Recurring() && !inferred(res, p+".when.start") || a.When.Triggered() && !inferred(res, p+".when.trigger") {
					t.Errorf("%s: timing %+v not listed as inferred", p, a.When)
				}
			}
			// Each inference carries a comment in the file, on its line.
			if n := strings.Count(string(res.YAML), "# inferred:"); n < len(uniquePaths(res)) {
				t.Errorf("%d inferred comments in the file for %d inferred values", n, len(uniquePaths(res)))
			}
			for _, inf := range res.Inferences {
				if inf.Sheet == "" || inf.Why == "" || inf.Path == "" {
					t.Errorf("inference without its place or reason: %+v", inf)
				}
			}
			// The reference's words, read as the starter plan reads them.
			want := map[string]string{
				"information-security-policy-communication": "FREQ=YEARLY",
				"risk-assessment-results":                   "FREQ=MONTHLY;INTERVAL=6",
				"internal-audits-and-assessments":           "FREQ=MONTHLY;INTERVAL=3",
				"security-metrics-and-dashboards":           "FREQ=MONTHLY",
			}
			for id, rule := range want {
				a, ok := res.Plan.Activity(id)
				if !ok || a.When.RRule != rule || a.When.Start.String() != "2026-06-01T09:00" {
					t.Errorf("activity %s: %+v, want %s from 2026-06-01T09:00", id, a.When, rule)
				}
			}
			trig := map[string][2]string{
				"policy-changes-and-updates":                     {"policy.changed", "7d"},
				"incident-response-communication":                {"incident.detected", "1h"},
				"security-incident-reports-to-regulatory-bodies": {"incident.aware", "24h"},
				"crisis-communication-plan-activation":           {"crisis.declared", "1h"},
			}
			for id, w := range trig {
				a, _ := res.Plan.Activity(id)
				if a.When.Trigger != w[0] || a.When.Within != w[1] {
					t.Errorf("activity %s: %+v, want %v", id, a.When, w)
				}
			}
			a, _ := res.Plan.Activity("employee-recognition-programs")
			if a.Owner != "human-resources" || !slices.Equal(a.Support, []string{"information-security-officer"}) {
				t.Errorf("recognition: owner %s support %v", a.Owner, a.Support)
			}
			// Stakeholders shared across rows.
			if n := len(res.Plan.Stakeholders); n != 8 {
				t.Errorf("%d stakeholders, want 8: %v", n, res.Plan.Stakeholders)
			}
		})
	}
}

func inferred(res *sheet.Result, path string) bool {
	for _, inf := range res.Inferences {
		if inf.Path == path {
			return true
		}
	}
	return false
}

func uniquePaths(res *sheet.Result) map[string]bool {
	m := map[string]bool{}
	for _, inf := range res.Inferences {
		if inf.Path != "timezone" {
			m[inf.Path] = true
		}
	}
	return m
}

// TestMessy: merged cells, blank rows, a missing column, an extra column
// and an unknown timing phrase get located messages, and a plan is written.
func TestMessy(t *testing.T) {
	rows := [][]string{
		{"Communication Matrix"}, // a title row
		{},
		{"#", "Activity", "Message", "Stakeholders", "When", "Priority"}, // no owner column
		{"1", "Policy communication", "The policy", "All staff", "Annually on 15 January", "high"},
		{"2", "Awareness training", "Why security matters", "", "Fortnightly-ish", "low"}, // audience merged from above
		{},
		{"3", "Incident reporting", "How to report incidents", "Employees and Contractors", "Within 72 hours of incident.aware"},
	}
	data := xlsx(t, "Plan", rows, [2]string{"D4", "D5"}, [2]string{"A1", "F1"})
	res := read(t, data, "messy.xlsx", sheet.Options{Sheet: "Plan"})
	if res.Complete() {
		t.Fatal("Complete with a missing column and an unknown phrase")
	}
	if res.Header != 3 {
		t.Errorf("header row %d, want 3", res.Header)
	}
	want := []string{
		`sheet "Plan", row 3: no "Responsible party" column`,
		`sheet "Plan", row 5, column E: activities[1].when: "Fortnightly-ish" is not a timing phrase`,
	}
	for _, w := range want {
		if !slices.ContainsFunc(res.Problems, func(p sheet.Problem) bool { return strings.HasPrefix(p.String(), w) }) {
			t.Errorf("no problem %q in:\n%v", w, res.Problems)
		}
	}
	var ignored []string
	for _, c := range res.Ignored {
		ignored = append(ignored, c.String())
	}
	if !slices.ContainsFunc(ignored, func(s string) bool { return strings.HasPrefix(s, `sheet "Plan", column F: column "Priority" ignored`) }) ||
		!slices.ContainsFunc(ignored, func(s string) bool { return strings.HasPrefix(s, `sheet "Plan", column A: column "#" ignored`) }) {
		t.Errorf("ignored columns: %v", ignored)
	}
	// The merged D4:D5 gives row 5 its audience, said so.
	if len(res.Plan.Activities) != 3 {
		t.Fatalf("%d activities, want 3 (blank rows skipped)", len(res.Plan.Activities))
	}
	if got := res.Plan.Activities[1].Whom; !slices.Equal(got, []string{"all-staff"}) {
		t.Errorf("row 5 audience %v, want the merged [all-staff]", got)
	}
	if !slices.ContainsFunc(res.Inferences, func(i sheet.Inference) bool {
		return i.Row == 5 && i.Column == 4 && strings.Contains(i.Why, "merged range D4:D5")
	}) {
		t.Errorf("the merged value is not listed: %v", res.Inferences)
	}
	if w := res.Plan.Activities[1].When; w.RRule != "" || w.Trigger != "" {
		t.Errorf("an unknown phrase made a timing: %+v", w)
	}
	a := res.Plan.Activities[0]
	if a.When.RRule != "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15" || a.When.Start.String() != "2027-01-15T09:00" {
		t.Errorf("annually on 15 January: %+v", a.When)
	}
	if got := res.Plan.Activities[2].Whom; len(got) != 2 || !inferred(res, "activities[2].whom") {
		t.Errorf("\"Employees and Contractors\" split into %v, listed: %v", got, inferred(res, "activities[2].whom"))
	}
	// check reports what is left: the timing and the owners.
	report := matrix.Check(res.Plan, matrix.At(now))
	for _, rule := range []string{"CMX-WHEN", "CMX-WHO"} {
		if !slices.ContainsFunc(report.Findings, func(f matrix.Finding) bool { return f.Rule == rule }) {
			t.Errorf("check does not report %s", rule)
		}
	}
	// The file says what to review, above the activity.
	if !strings.Contains(string(res.YAML), `# to review: sheet "Plan", row 5, column E:`) {
		t.Errorf("the file does not mark the unreadable timing:\n%s", res.YAML)
	}
}

// TestTimingPhrases: each phrase of the issue, and of matrix's own
// describeTiming, makes the rule or trigger it says.
func TestTimingPhrases(t *testing.T) {
	cases := []struct {
		phrase, rrule, start, trigger, within string
	}{
		{"Annually", "FREQ=YEARLY", "2026-06-01T09:00", "", ""},
		{"yearly", "FREQ=YEARLY", "2026-06-01T09:00", "", ""},
		{"Biannually", "FREQ=MONTHLY;INTERVAL=6", "2026-06-01T09:00", "", ""},
		{"Semi-annually", "FREQ=MONTHLY;INTERVAL=6", "2026-06-01T09:00", "", ""},
		{"Twice a year", "FREQ=MONTHLY;INTERVAL=6", "2026-06-01T09:00", "", ""},
		{"Every 6 months", "FREQ=MONTHLY;INTERVAL=6", "2026-06-01T09:00", "", ""},
		{"Quarterly", "FREQ=MONTHLY;INTERVAL=3", "2026-06-01T09:00", "", ""},
		{"Monthly", "FREQ=MONTHLY", "2026-06-01T09:00", "", ""},
		{"Weekly", "FREQ=WEEKLY", "2026-06-01T09:00", "", ""},
		{"Monthly on the first Monday", "FREQ=MONTHLY;BYDAY=1MO", "2026-06-01T09:00", "", ""},
		{"Monthly on the last Friday", "FREQ=MONTHLY;BYDAY=-1FR", "2026-06-26T09:00", "", ""},
		{"Monthly on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15", "2026-06-15T09:00", "", ""},
		{"Weekly on Tuesday and Thursday", "FREQ=WEEKLY;BYDAY=TU,TH", "2026-06-02T09:00", "", ""},
		{"Annually on 15 January", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15", "2027-01-15T09:00", "", ""},
		{"Twice a year, on 15 January and 15 July", "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=15", "2026-07-15T09:00", "", ""},
		{"Annually on the first Monday of March", "FREQ=YEARLY;BYMONTH=3;BYDAY=1MO", "2027-03-01T09:00", "", ""},
		{"Every 2 years on 1 March", "FREQ=YEARLY;INTERVAL=2;BYMONTH=3;BYMONTHDAY=1", "2027-03-01T09:00", "", ""},
		{"Every weekday", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "2026-06-01T09:00", "", ""},
		{"Quarterly, 4 times", "FREQ=MONTHLY;INTERVAL=3;COUNT=4", "2026-06-01T09:00", "", ""},
		{"FREQ=YEARLY;BYWEEKNO=20", "FREQ=YEARLY;BYWEEKNO=20", "2026-06-01T09:00", "", ""},
		{"As needed", "", "", "policy.changed", "7d"},
		{"Immediately", "", "", "policy.changed", "1h"},
		{"Immediate (during incidents)", "", "", "incident.detected", "1h"},
		{"Within 72 hours", "", "", "policy.changed", "72h"},
		{"Within 5 business days of the incident's closure", "", "", "incident.closed", "5bd"},
		{"Within 2 weeks of policy.changed", "", "", "policy.changed", "14d"},
		{"On incident.aware", "", "", "incident.aware", ""},
		{"Annually on 1 December; within 3 days of crisis.declared", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1", "2026-12-01T09:00", "crisis.declared", "3d"},
	}
	for _, c := range cases {
		t.Run(c.phrase, func(t *testing.T) {
			data := "Activity,Key message,Timing\nPolicy communication,The policy,\"" + c.phrase + "\"\n"
			res := read(t, []byte(data), "t.csv", sheet.Options{})
			w := res.Plan.Activities[0].When
			if w.RRule != c.rrule || w.Start.String() != c.start || w.Trigger != c.trigger || w.Within != c.within {
				t.Errorf("%q: %+v, want %s %s %s %s; problems %v", c.phrase, w, c.rrule, c.start, c.trigger, c.within, res.Problems)
			}
		})
	}
	// --start moves every start, and the default is listed as such.
	res := read(t, []byte("Activity,Key message,Timing\nPolicy communication,The policy,Annually\n"), "t.csv",
		sheet.Options{Start: comms.Date{Year: 2027, Month: 2, Day: 3}})
	if got := res.Plan.Activities[0].When.Start.String(); got != "2027-02-03T09:00" {
		t.Errorf("--start: %s", got)
	}
}

// TestTriggerWords: triggers are read from whole words, and an incident.*
// trigger needs an incident, a breach or security in the phrase or the
// activity's topic; anything else is a problem to review, not a guess
// (D8: "flaw" held "law", "prevent" held "event").
func TestTriggerWords(t *testing.T) {
	cases := []struct {
		activity, phrase, trigger, within string // trigger "": a problem
	}{
		{"Policy communication", "Immediately (flaw found)", "", ""},
		{"Policy communication", "Immediately (to prevent escalation)", "", ""},
		{"Policy communication", "Immediately (when regulations change)", "", ""},
		{"Policy communication", "Immediately (as required by law)", "", ""},
		{"Awareness reminder", "Within 3 days of the awareness session", "", ""},
		{"Policy communication", "Within 2 days of the discovery call", "", ""},
		{"Policy communication", "Within 24 hours of the board meeting closing", "", ""},
		{"Policy communication", "Within 24 hours of the unlawful act", "", ""},
		{"Breach notification to the regulator", "Immediately (as required by law)", "incident.aware", "24h"},
		{"Policy communication", "Immediately (security incident)", "incident.detected", "1h"},
		{"Policy communication", "Immediate (during incidents)", "incident.detected", "1h"},
		{"Policy communication", "Immediately (in a crisis)", "crisis.declared", "1h"},
		{"Policy communication", "Within 72 hours of becoming aware of a breach", "incident.aware", "72h"},
		{"Policy communication", "Within 2 days of the discovery of a security incident", "incident.detected", "2d"},
		{"Incident status update", "Within 24 hours of closing", "incident.closed", "24h"},
		{"Policy communication", "Within 5 days of a policy change", "policy.changed", "5d"},
		{"Policy communication", "Within 30 days of a change in the law", "regulation.changed", "30d"},
	}
	for _, c := range cases {
		t.Run(c.activity+"/"+c.phrase, func(t *testing.T) {
			data := "Activity,Key message,Timing\n" + c.activity + ",The message,\"" + c.phrase + "\"\n"
			res := read(t, []byte(data), "t.csv", sheet.Options{})
			decodes(t, res)
			w := res.Plan.Activities[0].When
			var timingProblem bool
			for _, p := range res.Problems {
				if p.Path == "activities[0].when" && p.Row == 2 && p.Column == 3 {
					timingProblem = true
				}
			}
			if c.trigger == "" {
				if w.Trigger != "" || !timingProblem {
					t.Errorf("%q: trigger %q, a problem %v; want no trigger and a problem", c.phrase, w.Trigger, timingProblem)
				}
				if !strings.Contains(string(res.YAML), "to review: ") {
					t.Errorf("%q: no \"to review\" comment in\n%s", c.phrase, res.YAML)
				}
				return
			}
			if w.Trigger != c.trigger || w.Within != c.within || timingProblem {
				t.Errorf("%q: %s within %s (a problem %v), want %s within %s", c.phrase, w.Trigger, w.Within, timingProblem, c.trigger, c.within)
			}
		})
	}
}

// TestUnknownKinds: a stakeholder or channel whose kind cannot be read is
// a located problem, with a "to review" comment above it in the plan, as
// an unreadable topic is (D9: it was silent).
func TestUnknownKinds(t *testing.T) {
	data := "Activity,Key message,Target audience,Communication method,Timing,Responsible party\n" +
		"Policy communication,The policy,Zorblax,Carrier pigeon,Annually,CISO\n" +
		"Policy reminder,The policy,Employees,Email,Annually,CISO\n"
	res := read(t, []byte(data), "k.csv", sheet.Options{})
	decodes(t, res)
	if res.Complete() {
		t.Fatal("complete, with a stakeholder and a channel of no kind")
	}
	want := map[string]int{"stakeholders[0].kind": 3, "channels[0].kind": 4}
	for _, p := range res.Problems {
		if col, ok := want[p.Path]; ok && p.Row == 2 && p.Column == col {
			delete(want, p.Path)
		}
		if strings.HasPrefix(p.Path, "stakeholders[1]") || strings.HasPrefix(p.Path, "channels[1]") {
			t.Errorf("a problem with a kind that was read: %s", p)
		}
	}
	if len(want) > 0 {
		t.Errorf("no located problem at %v; problems: %v", want, res.Problems)
	}
	y := string(res.YAML)
	for _, name := range []string{"Zorblax", "Carrier pigeon"} {
		i := strings.Index(y, "# to review: sheet \"k.csv\", row 2")
		j := strings.Index(y, "name: "+name)
		if i < 0 || j < 0 || !strings.Contains(y[:j], "no kind could be read from \""+name+"\"") {
			t.Errorf("no \"to review\" comment before %s in\n%s", name, y)
		}
	}
}

// TestManyBadTimings: more invalid timings than a PlanError lists
// (comms.MaxProblems, then "and N more" without a path) still make a
// plan: each is dropped and reported at its cell (D4: no plan at all).
func TestManyBadTimings(t *testing.T) {
	const n = 400
	var b strings.Builder
	b.WriteString("Activity,Key message,Timing\n")
	for i := range n {
		fmt.Fprintf(&b, "Policy reminder %d,The policy,FREQ=WEEKLY;INTERVAL=0\n", i)
	}
	b.WriteString("Policy review,The policy,Annually\n")
	res := read(t, []byte(b.String()), "inv.csv", sheet.Options{})
	decodes(t, res)
	if len(res.Plan.Activities) != n+1 {
		t.Fatalf("%d activities, want %d", len(res.Plan.Activities), n+1)
	}
	bad := 0
	for _, p := range res.Problems {
		if strings.HasSuffix(p.Path, ".when") && strings.Contains(p.Message, "does not make a valid plan") && p.Column == 3 {
			bad++
		}
	}
	if bad != n {
		t.Errorf("%d timings reported as invalid, want %d", bad, n)
	}
	for i, a := range res.Plan.Activities[:n] {
		if a.When.RRule != "" || inferred(res, fmt.Sprintf("activities[%d].when.start", i)) {
			t.Fatalf("activity %d keeps its invalid timing: %+v", i, a.When)
		}
	}
	if w := res.Plan.Activities[n].When; w.RRule != "FREQ=YEARLY" {
		t.Errorf("the valid timing was dropped: %+v", w)
	}
}

// TestLateStart: a --start on the 29th to the 31st does not make a
// monthly or yearly rule that names no day skip the months without it:
// the start moves to the 28th, listed as an inference; a rule that names
// such a day itself ("on the 31st", "the fifth Friday") is kept and is a
// problem to review (D6: months were skipped without a word).
func TestLateStart(t *testing.T) {
	jan31 := comms.Date{Year: 2026, Month: 1, Day: 31}
	cases := []struct {
		phrase string
		start  comms.Date
		want   string // the start read
		moved  bool   // an inference says the start moved
		review bool   // a problem to review, the timing kept
	}{
		{"Monthly", jan31, "2026-01-28T09:00", true, false},
		{"Quarterly", jan31, "2026-01-28T09:00", true, false},
		{"Every 6 months", comms.Date{Year: 2026, Month: 3, Day: 30}, "2026-03-28T09:00", true, false},
		{"FREQ=MONTHLY;INTERVAL=2", jan31, "2026-01-28T09:00", true, false},
		{"Annually", comms.Date{Year: 2028, Month: 2, Day: 29}, "2028-02-28T09:00", true, false},
		{"Annually", jan31, "2026-01-31T09:00", false, false},
		{"Weekly", jan31, "2026-01-31T09:00", false, false},
		{"Monthly", comms.Date{Year: 2026, Month: 1, Day: 28}, "2026-01-28T09:00", false, false},
		{"Monthly on the 31st", jan31, "2026-01-31T09:00", false, true},
		{"Monthly on the 30th", jan31, "2026-03-30T09:00", false, true},
		{"Monthly on the fifth Friday", jan31, "2026-05-29T09:00", false, true},
		{"Annually on 31 March", jan31, "2026-03-31T09:00", false, false},
		{"Monthly on the 15th", jan31, "2026-02-15T09:00", false, false},
	}
	for _, c := range cases {
		t.Run(c.phrase+"/"+c.start.String(), func(t *testing.T) {
			data := "Activity,Key message,Timing\nPolicy communication,The policy,\"" + c.phrase + "\"\n"
			res := read(t, []byte(data), "t.csv", sheet.Options{Start: c.start})
			decodes(t, res)
			w := res.Plan.Activities[0].When
			if w.RRule == "" || w.Start.String() != c.want {
				t.Fatalf("%q from %s: %+v, want the start %s; problems %v", c.phrase, c.start, w, c.want, res.Problems)
			}
			moved := false
			for _, inf := range res.Inferences {
				if inf.Path == "activities[0].when.start" && strings.Contains(inf.Why, "moved from "+c.start.String()) {
					moved = true
				}
			}
			review := false
			for _, p := range res.Problems {
				if p.Path == "activities[0].when" && strings.Contains(p.Message, "skipped") {
					review = true
				}
			}
			if moved != c.moved || review != c.review {
				t.Errorf("%q from %s: moved %v, to review %v; want %v, %v\ninferences %v\nproblems %v",
					c.phrase, c.start, moved, review, c.moved, c.review, res.Inferences, res.Problems)
			}
		})
	}
}

// TestRoundTrip: the matrix of every valid plan (the starters and the
// test plans), written as CSV and imported, gives the same matrix:
// activity names, key messages, audiences, methods, timing text and
// responsible parties equal cell for cell (matrix.Row.Cells); IDs
// differ, being made from names, and so does what the matrix does not
// show (kinds, classifications, deadlines of recurring activities,
// times of day).
func TestRoundTrip(t *testing.T) {
	plans := map[string]comms.Plan{"starter": matrix.Starter(), "starter-gdpr-nis2": matrix.StarterGDPRNIS2()}
	files, _ := filepath.Glob("../../comms/testdata/valid/*.yaml")
	if len(files) < 3 {
		t.Fatalf("found %d test plans", len(files))
	}
	for _, f := range files {
		p, err := comms.LoadPlan(f)
		if err != nil {
			t.Fatal(err)
		}
		plans[filepath.Base(f)] = p
	}
	for name, p := range plans {
		t.Run(name, func(t *testing.T) {
			before := matrix.Build(p)
			var buf bytes.Buffer
			if err := before.WriteCSV(&buf); err != nil {
				t.Fatal(err)
			}
			res := read(t, buf.Bytes(), name+".csv", sheet.Options{})
			after := matrix.Build(res.Plan)
			if len(after.Rows) != len(before.Rows) {
				t.Fatalf("%d rows, want %d", len(after.Rows), len(before.Rows))
			}
			for i := range before.Rows {
				if b, a := before.Rows[i].Cells(), after.Rows[i].Cells(); b != a {
					t.Errorf("row %d:\n was %q\n now %q", i+1, b, a)
				}
			}
		})
	}
}

// TestRefused: input over the limits, or not a spreadsheet, is an error
// that says so, never a plan.
func TestRefused(t *testing.T) {
	many := strings.Repeat("a,b\n", sheet.MaxRows+1)
	cases := []struct {
		name string
		data []byte
		opts sheet.Options
		want error
	}{
		{"big.csv", bytes.Repeat([]byte("x"), sheet.MaxInputSize+1), sheet.Options{}, sheet.ErrTooLarge},
		{"rows.csv", []byte("Activity,Timing\n" + many), sheet.Options{}, sheet.ErrTooLarge},
		{"wide.csv", []byte("Activity,Timing" + strings.Repeat(",", sheet.MaxColumns) + "\n"), sheet.Options{}, sheet.ErrTooLarge},
		{"noheader.csv", []byte("a,b,c\n1,2,3\n"), sheet.Options{}, sheet.ErrNoHeader},
		{"quote.csv", []byte("Activity,Timing\n\"x,y\n"), sheet.Options{}, sheet.ErrUnreadable},
		{"fake.xlsx", []byte("Activity,Timing\nx,Annually\n"), sheet.Options{}, sheet.ErrUnreadable},
		{"broken.xlsx", []byte("PK\x03\x04garbage"), sheet.Options{}, sheet.ErrUnreadable},
		{"old.xls", []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0}, sheet.Options{}, sheet.ErrUnreadable},
		{"sheet.xlsx", xlsx(t, "Matrix", [][]string{{"Activity", "Timing"}}), sheet.Options{Sheet: "Other"}, sheet.ErrSheetNotFound},
		{"sheet.csv", []byte("Activity,Timing\n"), sheet.Options{Sheet: "Other"}, sheet.ErrSheetNotFound},
	}
	for _, c := range cases {
		c.opts.Now = now
		_, err := sheet.Read(bytes.NewReader(c.data), c.name, c.opts)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := sheet.Read(strings.NewReader("Activity,Timing\n"), "x.csv", sheet.Options{}); err == nil {
		t.Error("Read without Now: no error")
	}
}

// TestZipBomb: a workbook that unpacks to more than the limit is refused
// before excelize unpacks it.
func TestZipBomb(t *testing.T) {
	f := excelize.NewFile()
	big := strings.Repeat("A", 32<<10)
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= (sheet.MaxUnpackedSize/len(big))+2; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, []any{big}); err != nil {
			t.Fatal(err)
		}
	}
	sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > sheet.MaxInputSize {
		t.Fatalf("the bomb is %d bytes packed, over the input limit: the test tests the wrong limit", buf.Len())
	}
	_, err = sheet.Read(&buf, "bomb.xlsx", sheet.Options{Now: now})
	if !errors.Is(err, sheet.ErrTooLarge) {
		t.Errorf("a workbook unpacking to over %d bytes: %v", sheet.MaxUnpackedSize, err)
	}
}

// TestMergeLimit: more merged ranges than the limit are refused before
// excelize compares them pairwise.
func TestMergeLimit(t *testing.T) {
	f := excelize.NewFile()
	for i := 0; i <= sheet.MaxMergedRanges; i++ {
		a, _ := excelize.CoordinatesToCellName(1, 2*i+1)
		b, _ := excelize.CoordinatesToCellName(2, 2*i+1)
		if err := f.MergeCell("Sheet1", a, b); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := sheet.Read(&buf, "m.xlsx", sheet.Options{Now: now}); !errors.Is(err, sheet.ErrTooLarge) {
		t.Errorf("%d merged ranges: %v", sheet.MaxMergedRanges+1, err)
	}
}

// TestHostileCells: control characters, bidirectional overrides and
// bytes that are not UTF-8 are removed, each removal a located problem,
// and the plan decodes.
func TestHostileCells(t *testing.T) {
	data := "Activity,Key message,Audience,Method,Timing,Owner\n" +
		"Policy\x1b[2J communication,\"Line one\nline \u202etwo\",All \xffstaff,Email,Annually,ISO\n"
	res := read(t, []byte(data), "h.csv", sheet.Options{})
	a := res.Plan.Activities[0]
	if a.Name != "Policy[2J communication" || a.What.Message != "Line one\nline two" {
		t.Errorf("cleaned: %q %q", a.Name, a.What.Message)
	}
	if len(res.Problems) != 3 {
		t.Errorf("%d problems, want 3: %v", len(res.Problems), res.Problems)
	}
}
