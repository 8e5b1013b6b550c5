package sheet_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/matrix/sheet"
	"github.com/ismscomms/ismscomms/regulation"
)

// readTiming imports one activity with the timing phrase and returns the
// result: the timing is in column E of row 2, and every other cell is
// one the import reads.
func readTiming(t *testing.T, activity, phrase string) *sheet.Result {
	t.Helper()
	data := "Activity,Key message,Target audience,Communication method,Timing,Responsible party\n" +
		activity + ",The message,All staff,Email,\"" + phrase + "\",CISO\n"
	return read(t, []byte(data), "t.csv", sheet.Options{})
}

// problemAt returns the problems at the path, located at row 2.
func problemAt(res *sheet.Result, path string) []sheet.Problem {
	var out []sheet.Problem
	for _, p := range res.Problems {
		if p.Path == path && p.Row == 2 {
			out = append(out, p)
		}
	}
	return out
}

// yamlLine returns the line of the plan file that holds "key: value".
func yamlLine(res *sheet.Result, kv string) string {
	for _, l := range strings.Split(string(res.YAML), "\n") {
		if strings.Contains(l, kv) {
			return l
		}
	}
	return ""
}

// TestInventedDeadlines: a deadline the cell does not state is kept and
// is a problem to review at its value, located at the cell, saying which
// default was used: the plan is not complete (import exits 1). "As
// required by law" gets the shortest usual deadline, NIS2's early
// warning from the catalog, not GDPR's 72 hours. A deadline the cell
// states, and the default start, stay inferences (D10: the reference
// imported with exit 0 and invented deadlines).
func TestInventedDeadlines(t *testing.T) {
	nis2, ok := regulation.Lookup("nis2-early-warning")
	if !ok || len(nis2.Clocks) == 0 {
		t.Fatal("the catalog has no nis2-early-warning")
	}
	law := nis2.Clocks[0].Within.String()
	if law != "24h" {
		t.Fatalf("nis2-early-warning is due %s; the test expects the directive's 24h", law)
	}
	cases := []struct {
		activity, phrase, within string
		review                   string // a word of the problem; "" for none
	}{
		{"Policy communication", "As needed", "7d", "within 7d is a default"},
		{"Policy communication", "Immediately", "1h", "within 1h is this import's reading"},
		{"Policy communication", "ASAP", "1h", "within 1h is this import's reading"},
		{"Policy communication", "Immediate (during incidents)", "1h", "within 1h"},
		{"Crisis communication", "Immediately (during crises)", "1h", "within 1h"},
		{"Breach notification to the regulator", "Immediately (as required by law)", law, "nis2-early-warning"},
		{"Policy communication", "Within 72 hours", "72h", ""},
		{"Policy communication", "Within 5 business days of the incident's closure", "5bd", ""},
		{"Policy communication", "Within 2 weeks of policy.changed", "14d", ""},
	}
	for _, c := range cases {
		t.Run(c.phrase, func(t *testing.T) {
			res := readTiming(t, c.activity, c.phrase)
			w := res.Plan.Activities[0].When
			if w.Within != c.within || w.Trigger == "" {
				t.Fatalf("%q: %+v, want within %s", c.phrase, w, c.within)
			}
			probs := problemAt(res, "activities[0].when.within")
			line := yamlLine(res, "within: "+c.within)
			if c.review == "" {
				if len(probs) > 0 || !res.Complete() {
					t.Errorf("%q states its deadline, yet: %v", c.phrase, res.Problems)
				}
				if strings.Contains(line, "to review") {
					t.Errorf("%q: %s", c.phrase, line)
				}
				return
			}
			if len(probs) != 1 || probs[0].Column != 5 || !strings.Contains(probs[0].Message, c.review) || !strings.Contains(probs[0].Message, "no deadline") && !strings.Contains(probs[0].Message, "names no law") {
				t.Fatalf("%q: problems %v, want one at row 2, column E naming %q", c.phrase, res.Problems, c.review)
			}
			if res.Complete() {
				t.Errorf("%q: complete, with an invented deadline", c.phrase)
			}
			if !strings.Contains(line, `# to review: sheet "t.csv", row 2, column E: `) {
				t.Errorf("%q: the value is not marked to review: %q\n%s", c.phrase, line, res.YAML)
			}
			if inferred(res, "activities[0].when.within") {
				t.Errorf("%q: the invented deadline is also an inference", c.phrase)
			}
		})
	}
	// The law's deadline names its source and the lenient one it is not.
	res := readTiming(t, "Breach notification to the regulator", "Immediately (as required by law)")
	msg := problemAt(res, "activities[0].when.within")[0].Message
	for _, want := range []string{"Art. 23(4)(a)", nis2.Source, "gdpr-art33", "72h", "obligations"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the law's deadline problem lacks %q: %s", want, msg)
		}
	}
	// The default start is an inference, not a problem.
	res = readTiming(t, "Policy communication", "Annually")
	if !res.Complete() || !inferred(res, "activities[0].when.start") {
		t.Errorf("the default start: problems %v, inferred %v", res.Problems, inferred(res, "activities[0].when.start"))
	}
}

// TestAsNeededWords: "as needed (<words>)" whose words name no event
// does not silently take the topic's trigger: the trigger is kept and is
// a problem to review that names the fallback; words that name an event
// give its trigger.
func TestAsNeededWords(t *testing.T) {
	res := readTiming(t, "Policy communication", "As needed (after board meetings)")
	w := res.Plan.Activities[0].When
	probs := problemAt(res, "activities[0].when.trigger")
	if w.Trigger != "policy.changed" || len(probs) != 1 || !strings.Contains(probs[0].Message, `"after board meetings" names no event`) ||
		!strings.Contains(probs[0].Message, "policy.changed") {
		t.Errorf("as needed (after board meetings): %+v, problems %v", w, res.Problems)
	}
	if !strings.Contains(yamlLine(res, "trigger: policy.changed"), "# to review:") {
		t.Errorf("the fallback trigger is not marked:\n%s", res.YAML)
	}
	res = readTiming(t, "Awareness reminder", "As needed (after a security incident)")
	if w := res.Plan.Activities[0].When; w.Trigger != "incident.detected" || len(problemAt(res, "activities[0].when.trigger")) != 0 {
		t.Errorf("as needed (after a security incident): %+v, problems %v", w, res.Problems)
	}
}

// TestCount: a count is read; "0 times" is a problem, not a rule without
// end (it was dropped).
func TestCount(t *testing.T) {
	res := readTiming(t, "Policy communication", "Monthly, 3 times")
	if w := res.Plan.Activities[0].When; w.RRule != "FREQ=MONTHLY;COUNT=3" {
		t.Errorf("monthly, 3 times: %+v", w)
	}
	for _, phrase := range []string{"Monthly, 0 times", "Quarterly, 0 times"} {
		res := readTiming(t, "Policy communication", phrase)
		w := res.Plan.Activities[0].When
		probs := problemAt(res, "activities[0].when")
		if w.RRule != "" || len(probs) != 1 || !strings.Contains(probs[0].Message, "0 times") {
			t.Errorf("%q: %+v, problems %v", phrase, w, res.Problems)
		}
	}
}

// TestRawRuleSkips: an RRULE written as such that skips some of its
// months (a day past the 28th, a fifth weekday, BYSETPOS, Friday the
// 13th) is kept and is a problem to review, as the phrases are; one that
// happens every period is not.
func TestRawRuleSkips(t *testing.T) {
	cases := []struct {
		rule  string
		skips bool
	}{
		{"FREQ=MONTHLY;BYMONTHDAY=31", true},
		{"FREQ=MONTHLY;BYMONTHDAY=30", true},
		{"FREQ=MONTHLY;BYMONTHDAY=29", true},
		{"FREQ=MONTHLY;BYDAY=5FR", true},
		{"FREQ=MONTHLY;BYDAY=-5MO", true},
		{"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", true},
		{"FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", true},
		{"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31", true},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", true},
		{"FREQ=YEARLY;BYMONTH=1,4;BYMONTHDAY=31", true},
		{"FREQ=MONTHLY;BYMONTHDAY=-1", false},
		{"FREQ=MONTHLY;BYMONTHDAY=28", false},
		{"FREQ=MONTHLY;BYMONTHDAY=15,31", false},
		{"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", false},
		{"FREQ=MONTHLY;BYDAY=4TH", false},
		{"FREQ=MONTHLY;BYMONTH=1,7;BYMONTHDAY=15", false},
		{"FREQ=MONTHLY;BYMONTH=1,3;BYMONTHDAY=31", false},
		{"FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31", false},
		{"FREQ=YEARLY;BYWEEKNO=20", false},
		{"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=1", false},
		{"FREQ=WEEKLY;BYDAY=MO", false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			res := readTiming(t, "Policy communication", c.rule)
			w := res.Plan.Activities[0].When
			if w.RRule != c.rule {
				t.Fatalf("%s: %+v, problems %v", c.rule, w, res.Problems)
			}
			probs := problemAt(res, "activities[0].when")
			if got := len(probs) == 1 && strings.Contains(probs[0].Message, "skipped"); got != c.skips || len(probs) > 1 {
				t.Errorf("%s: to review %v, want %v: %v", c.rule, got, c.skips, res.Problems)
			}
		})
	}
}

// TestCommonPhrases: phrases that came back unknown are read where they
// have one clear meaning, with an inference where English has two;
// "ongoing" and joining (for which a plan has no trigger) are located
// problems with no timing.
func TestCommonPhrases(t *testing.T) {
	cases := []struct {
		phrase, rrule string
		why           string // a word of the rule's inference
	}{
		{"Annual", "FREQ=YEARLY", ""},
		{"Biannual", "FREQ=MONTHLY;INTERVAL=6", "twice a year"},
		{"Bi-annual", "FREQ=MONTHLY;INTERVAL=6", "twice a year"},
		{"Semi-annual", "FREQ=MONTHLY;INTERVAL=6", "every 6 months"},
		{"Semiannual", "FREQ=MONTHLY;INTERVAL=6", "every 6 months"},
		{"Bi-weekly", "FREQ=WEEKLY;INTERVAL=2", "twice a week"},
		{"Biweekly", "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"},
		{"Fortnightly", "FREQ=WEEKLY;INTERVAL=2", ""},
		{"Monthly (first Monday)", "FREQ=MONTHLY;BYDAY=1MO", ""},
		{"Monthly (on the last Friday)", "FREQ=MONTHLY;BYDAY=-1FR", ""},
		{"Quarterly (15th)", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", ""},
	}
	for _, c := range cases {
		t.Run(c.phrase, func(t *testing.T) {
			res := readTiming(t, "Policy communication", c.phrase)
			if w := res.Plan.Activities[0].When; w.RRule != c.rrule || !res.Complete() {
				t.Fatalf("%q: %+v, want %s; problems %v", c.phrase, w, c.rrule, res.Problems)
			}
			if c.why != "" && !strings.Contains(yamlLine(res, "rrule: "), c.why) {
				t.Errorf("%q: the reading is not explained: %s", c.phrase, yamlLine(res, "rrule: "))
			}
		})
	}
	problems := map[string]string{
		"Ongoing": "has no schedule", "Continuous": "has no schedule", "Continuously": "has no schedule",
		"At onboarding": "no trigger for a person joining", "Upon hire": "no trigger for a person joining",
		"On joining": "no trigger for a person joining", "During induction": "no trigger for a person joining",
	}
	for phrase, want := range problems {
		t.Run(phrase, func(t *testing.T) {
			res := readTiming(t, "Policy communication", phrase)
			w := res.Plan.Activities[0].When
			probs := problemAt(res, "activities[0].when")
			if w.RRule != "" || w.Trigger != "" || len(probs) != 1 || probs[0].Column != 5 || !strings.Contains(probs[0].Message, want) {
				t.Errorf("%q: %+v, problems %v; want one saying %q", phrase, w, res.Problems, want)
			}
		})
	}
}

// TestIncidentReportingDuringIncidents: an activity read as
// incident-reporting that is sent only once an incident is under way
// (the reference's row 4) satisfies check's INCIDENT-REPORTING, though
// staff are told how to report only after the fact: the topic is a value
// to review, marked at the topic; a recurring one is not.
func TestIncidentReportingDuringIncidents(t *testing.T) {
	const row = "Incident Response Communication,Reporting procedures and updates during security incidents,All Employees,Email,%s,Incident Response Team\n"
	head := "Communication Activity,Key Message,Target Audience,Communication Method,Timing,Responsible Party\n"
	res := read(t, []byte(head+fmt.Sprintf(row, "Immediate (during incidents)")), "r.csv", sheet.Options{})
	var probs []sheet.Problem
	for _, p := range res.Problems {
		if p.Path == "activities[0].what.topic" {
			probs = append(probs, p)
		}
	}
	if res.Plan.Activities[0].What.Topic != "incident-reporting" || len(probs) != 1 || probs[0].Row != 2 || probs[0].Column != 2 ||
		!strings.Contains(probs[0].Message, "A.6.8") || !strings.Contains(probs[0].Message, "INCIDENT-REPORTING") {
		t.Fatalf("topic %s, problems %v", res.Plan.Activities[0].What.Topic, res.Problems)
	}
	if !strings.Contains(yamlLine(res, "topic: incident-reporting"), `to review: sheet "r.csv", row 2, column B: `) {
		t.Errorf("the topic is not marked:\n%s", res.YAML)
	}
	res = read(t, []byte(head+fmt.Sprintf(row, "Annually")), "r.csv", sheet.Options{})
	if !res.Complete() {
		t.Errorf("a recurring incident-reporting activity: %v", res.Problems)
	}
}

// TestSkipsCost: the check for skipped periods asks the rule for at most
// one occurrence per period of five years (96 calls of Next at most):
// the import of rules it checks, the rarest a rule can be (Friday the
// 13th, 29 February on a Monday), allocates a small multiple of the
// import of rules it does not check.
func TestSkipsCost(t *testing.T) {
	csv := func(rule string) []byte {
		var b strings.Builder
		b.WriteString("Activity,Key message,Timing\n")
		for i := range 100 {
			fmt.Fprintf(&b, "Policy reminder %d,The policy,\"%s\"\n", i, rule)
		}
		return []byte(b.String())
	}
	allocs := func(rule string) float64 {
		data := csv(rule)
		return testing.AllocsPerRun(1, func() {
			if _, err := sheet.Read(strings.NewReader(string(data)), "c.csv", sheet.Options{Now: now}); err != nil {
				t.Fatal(err)
			}
		})
	}
	base := allocs("FREQ=WEEKLY")
	for _, rule := range []string{"FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=31"} {
		if got := allocs(rule); got > 3*base {
			t.Errorf("%s: %.0f allocations for 100 rows, FREQ=WEEKLY %.0f", rule, got, base)
		} else {
			t.Logf("%s: %.0f allocations for 100 rows, FREQ=WEEKLY %.0f", rule, got, base)
		}
	}
}
