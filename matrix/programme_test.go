package matrix_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

// brief is what the tests of the programme's rules assert of a finding.
type brief struct {
	Rule    string
	Subject string // kind and ID, as Subject.String says
	Path    string
	Message string
}

func (b brief) String() string {
	return fmt.Sprintf("%s %s at %q: %s", b.Rule, b.Subject, b.Path, b.Message)
}

// findingsOf returns the unwaived findings of the rules given, in the
// report's order.
func findingsOf(r matrix.Report, rules ...string) []brief {
	var out []brief
	for _, f := range r.Findings {
		if slices.Contains(rules, f.Rule) && !f.Waived {
			out = append(out, brief{f.Rule, f.Subject.String(), f.Path, f.Message})
		}
	}
	return out
}

func decode(t *testing.T, yaml string) comms.Plan {
	t.Helper()
	p, err := comms.DecodePlan(strings.NewReader(yaml))
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	return p
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantFindings(t *testing.T, got, want []brief) {
	t.Helper()
	if !slices.Equal(got, want) {
		var g, w strings.Builder
		for _, b := range got {
			g.WriteString("\n  " + b.String())
		}
		for _, b := range want {
			w.WriteString("\n  " + b.String())
		}
		t.Errorf("findings:\n got:%s\nwant:%s", g.String(), w.String())
	}
}

// The programme rules' failing and passing examples (testdata/rules) give
// exactly these findings, and the passing ones none of the new rules'.
func TestProgrammeRuleExamples(t *testing.T) {
	programme := []string{"OBJECTIVES", "REQUIREMENT-UNMET", "REQUIREMENT-UNREACHED", "DRILL", "POST-INCIDENT", "MEDIA-INQUIRY"}
	for _, tc := range []struct {
		rule string
		want []brief
	}{
		{"OBJECTIVES", []brief{
			{"OBJECTIVES", "plan", "objectives", "None of the plan's 2 objectives is measurable: each lacks a measure, a target or a period."},
			{"OBJECTIVES", "objective culture", "objectives[0]", "Objective culture has no measure, no target and no period: it cannot be judged."},
			{"OBJECTIVES", "objective on-time", "objectives[1]", "Objective on-time has no period: it cannot be judged."},
		}},
		{"REQUIREMENT-UNMET", []brief{
			{"REQUIREMENT-UNMET", "requirement assurance-letter", "stakeholders[0].requirements[0]", `Requirement assurance-letter ("Annual assurance letter") of Customers names no activity that meets it.`},
		}},
		{"REQUIREMENT-UNREACHED", []brief{
			{"REQUIREMENT-UNMET", "requirement assurance-letter", "stakeholders[0].requirements[0]", `Requirement assurance-letter ("Annual assurance letter") of Customers is met by no activity: none of the activities it names reaches customers.`},
			{"REQUIREMENT-UNREACHED", "requirement assurance-letter", "stakeholders[0].requirements[0].activities[0]", `Requirement assurance-letter ("Annual assurance letter") of Customers names activity assurance, which does not reach customers.`},
		}},
		{"DRILL", []brief{
			{"DRILL", "activity drill", "activities[1].when", `Drill activity drill is not planned at least every 12 months: it recurs by "FREQ=YEARLY;INTERVAL=2", less often than every 12 months.`},
		}},
		{"POST-INCIDENT", []brief{
			{"POST-INCIDENT", "activity lessons-learned", "activities[1].when", `Lessons-learned activity lessons-learned does not follow an incident's closure: it is triggered by "incident.detected", not incident.closed.`},
		}},
		{"MEDIA-INQUIRY", []brief{
			{"MEDIA-INQUIRY", "activity press-statement", "activities[0]", "Crisis activity press-statement is no protocol for media inquiries: it has no inbound channel."},
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			dir := "testdata/rules/" + tc.rule
			fail, _ := load(t, dir+"/fail.yaml")
			rules := []string{tc.rule}
			if tc.rule == "REQUIREMENT-UNREACHED" {
				rules = append(rules, "REQUIREMENT-UNMET") // its only activity does not meet it
			}
			wantFindings(t, findingsOf(matrix.Check(fail, matrix.At(ref)), rules...), tc.want)
			pass, _ := load(t, dir+"/pass.yaml")
			wantFindings(t, findingsOf(matrix.Check(pass, matrix.At(ref)), tc.rule), nil)
		})
	}
	// The plan of the format's own example uses every field of the
	// programme's loop and breaks none of the rules but one: its
	// qualitative objective, and the requirement no activity meets yet.
	p, _ := load(t, "../comms/testdata/valid/programme.yaml")
	wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), append(programme, "FEEDBACK")...), []brief{
		{"OBJECTIVES", "objective culture", "objectives[7]", "Objective culture has no measure, no target and no period: it cannot be judged."},
		{"REQUIREMENT-UNMET", "requirement assurance-letter", "stakeholders[1].requirements[1]", `Requirement assurance-letter ("Annual assurance letter") of Customers names no activity that meets it.`},
	})
}

const programmeBase = `format: ismscomms/v1
id: p
timezone: Europe/Berlin
roles: [{id: irt, name: IRT}, {id: ceo, name: CEO}]
stakeholders:
  - {id: employees, name: All Employees, scope: internal, kind: employees}
  - {id: press, name: Press, scope: external, kind: media}
  - {id: public, name: The Public, scope: external, kind: public}
channels:
  - {id: email, name: Email, kind: email}
  - {id: line, name: Press line, kind: phone, inbound: true}
  - {id: hotline, name: Reporting hotline, kind: phone, inbound: true}
`

func TestObjectives(t *testing.T) {
	for _, tc := range []struct {
		name, objectives string
		want             []brief
	}{
		{"none", "", []brief{{"OBJECTIVES", "plan", "", "The plan declares no objectives: nothing says what its communication is to achieve, or how that is measured."}}},
		{"one, not measurable", "objectives: [{id: o, measure: satisfaction}]\n", []brief{
			{"OBJECTIVES", "plan", "objectives", "The plan's one objective is not measurable: it lacks a measure, a target or a period."},
			{"OBJECTIVES", "objective o", "objectives[0]", "Objective o has no target and no period: it cannot be judged."},
		}},
		{"one measurable, one not", "objectives: [{id: a, measure: coverage, target: 99%, period: monthly}, {id: b, measure: coverage, period: yearly}]\n", []brief{
			{"OBJECTIVES", "objective b", "objectives[1]", "Objective b has no target: it cannot be judged."},
		}},
		{"every measure", "objectives:\n" +
			"  - {id: a, measure: on-time-rate, target: 95%, period: monthly}\n" +
			"  - {id: b, measure: coverage, target: 99.5%, period: quarterly}\n" +
			"  - {id: c, measure: acknowledgement-rate, target: 90%, period: yearly}\n" +
			"  - {id: d, measure: participation, target: 80%, period: yearly}\n" +
			"  - {id: e, measure: notification-timeliness, target: 24h, period: yearly}\n" +
			"  - {id: f, measure: feedback-response-time, target: 5bd, period: quarterly}\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decode(t, programmeBase+tc.objectives)
			wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "OBJECTIVES"), tc.want)
		})
	}
	// A plan built in Go is judged by what evidence can judge: an unknown
	// measure or period, or a target not in the measure's form, is not
	// measurable, though Objective.Measurable says only that the fields
	// are set.
	p := decode(t, programmeBase)
	p.Objectives = []comms.Objective{
		{ID: "x", Measure: "speed", Target: "fast", Period: "weekly"},
		{ID: "y", Measure: comms.MeasureOnTimeRate, Target: "ninety", Period: comms.PeriodYearly},
		{ID: "z", Measure: comms.MeasureSatisfaction, Target: "4", Period: comms.Period(strings.Repeat("p", 500))},
	}
	wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "OBJECTIVES"), []brief{
		{"OBJECTIVES", "plan", "objectives", "None of the plan's 3 objectives is measurable: each lacks a measure, a target or a period."},
		{"OBJECTIVES", "objective x", "objectives[0]", `Objective x has an unknown measure "speed" and an unknown period "weekly": it cannot be judged.`},
		{"OBJECTIVES", "objective y", "objectives[1]", `Objective y has a target, "ninety", that is not a rate: it cannot be judged.`},
		{"OBJECTIVES", "objective z", "objectives[2]", `Objective z has an unknown period "` + strings.Repeat("p", 60) + `"…: it cannot be judged.`},
	})
}

func TestRequirements(t *testing.T) {
	p := decode(t, `format: ismscomms/v1
id: req
roles: [{id: iso, name: ISO}]
stakeholders:
  - id: customers
    name: Customers
    kind: customers
    requirements:
      - {id: none, text: Told nothing yet}
      - {id: met, activities: [to-customers]}
      - {id: half, activities: [to-suppliers, to-both]}
      - {id: wrong, text: Misdirected, activities: [to-suppliers]}
  - id: suppliers
    name: Suppliers
    kind: suppliers
    requirements: [{id: s-met, activities: [to-both]}]
activities:
  - {id: to-customers, name: Letter to customers, what: {topic: assurance, message: m}, whom: [customers], owner: iso}
  - {id: to-suppliers, what: {topic: assurance, message: m}, whom: [suppliers], owner: iso}
  - {id: to-both, what: {topic: assurance, message: m}, whom: [suppliers, customers], owner: iso}
`)
	// Listed twice, as only a plan built in Go can.
	p.Stakeholders[0].Requirements[3].Activities = append(p.Stakeholders[0].Requirements[3].Activities, "to-suppliers")
	p.Activities[2].Whom = append(p.Activities[2].Whom, "customers")
	want := []brief{
		{"REQUIREMENT-UNMET", "requirement none", "stakeholders[0].requirements[0]", `Requirement none ("Told nothing yet") of Customers names no activity that meets it.`},
		{"REQUIREMENT-UNMET", "requirement wrong", "stakeholders[0].requirements[3]", `Requirement wrong ("Misdirected") of Customers is met by no activity: none of the activities it names reaches customers.`},
		{"REQUIREMENT-UNREACHED", "requirement half", "stakeholders[0].requirements[2].activities[0]", "Requirement half of Customers names activity to-suppliers, which does not reach customers."},
		{"REQUIREMENT-UNREACHED", "requirement wrong", "stakeholders[0].requirements[3].activities[0]", `Requirement wrong ("Misdirected") of Customers names activity to-suppliers, which does not reach customers.`},
		{"REQUIREMENT-UNREACHED", "requirement wrong", "stakeholders[0].requirements[3].activities[1]", `Requirement wrong ("Misdirected") of Customers names activity to-suppliers, which does not reach customers.`},
	}
	wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "REQUIREMENT-UNMET", "REQUIREMENT-UNREACHED"), want)

	// A plan built in Go that names an activity it lacks gets a finding,
	// not a panic; an activity named by a requirement of a stakeholder
	// the plan declares twice is judged against the stakeholder holding it.
	p.Stakeholders[0].Requirements[1].Activities = []string{"ghost"}
	p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: "customers", Requirements: []comms.Requirement{{ID: "dup", Activities: []string{"to-customers"}}}})
	got := findingsOf(matrix.Check(p, matrix.At(ref)), "REQUIREMENT-UNMET", "REQUIREMENT-UNREACHED")
	for _, w := range []brief{
		{"REQUIREMENT-UNMET", "requirement met", "stakeholders[0].requirements[1]", "Requirement met of Customers is met by no activity: none of the activities it names reaches customers."},
		{"REQUIREMENT-UNREACHED", "requirement met", "stakeholders[0].requirements[1].activities[0]", `Requirement met of Customers names activity "ghost", which the plan does not declare.`},
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no finding %s", w)
		}
	}
	if slices.ContainsFunc(got, func(b brief) bool { return b.Subject == "requirement dup" }) {
		t.Errorf("requirement dup is met by to-customers, which reaches customers: %v", got)
	}

	// Findings carry the requirement's position in the file, and a waiver
	// names the requirement.
	src := `format: ismscomms/v1
id: req
stakeholders:
  - id: customers
    kind: customers
    requirements:
      - {id: a, text: First}
      - {id: b, text: Second}
`
	path := t.TempDir() + "/req.yaml"
	writeFile(t, path, src)
	p2, source := load(t, path)
	r := matrix.Check(p2, matrix.At(ref), matrix.WithSource(source), matrix.Waive("REQUIREMENT-UNMET", "a", "Met by the customer portal's own notices"))
	var lines []int
	for _, f := range r.Findings {
		if f.Rule == "REQUIREMENT-UNMET" {
			lines = append(lines, f.Pos.Line)
			if f.Waived != (f.Subject.ID == "a") {
				t.Errorf("waiver of requirement a: %+v", f)
			}
		}
	}
	if !slices.Equal(lines, []int{7, 8}) {
		t.Errorf("REQUIREMENT-UNMET findings on lines %v, want [7 8]", lines)
	}
}

func TestDrill(t *testing.T) {
	incident := "activities:\n  - {id: ir, what: {topic: incident, message: m}, whom: [employees], how: [email], when: {trigger: incident.detected, within: 1h}, owner: irt}\n"
	for _, tc := range []struct {
		name, activities string
		want             []brief
	}{
		{"no incident communication", "activities: [{id: crisis, what: {topic: crisis, message: m}, whom: [press], when: {trigger: crisis.declared, within: 1h}, owner: irt}]\n", nil},
		{"no drill", incident, []brief{{"DRILL", "plan", "", "No drill of the incident communication plan is planned: no recurring activity of topic drill."}}},
		{"a drill on a trigger", incident + "  - {id: d, what: {topic: drill, message: m}, whom: [employees], when: {trigger: audit.planned, within: 30d}, owner: irt}\n",
			[]brief{{"DRILL", "activity d", "activities[1].when", `Drill activity d is not planned at least every 12 months: it is triggered by "audit.planned".`}}},
		{"a drill that has ended", incident + "  - {id: d, what: {topic: drill, message: m}, whom: [employees], when: {rrule: FREQ=YEARLY, start: \"2020-06-01T10:00\", until: \"2025-12-31\"}, owner: irt}\n",
			[]brief{{"DRILL", "activity d", "activities[1].when", `Drill activity d is not planned at least every 12 months: it has no occurrence in the 12 months from 2026-11-27.`}}},
		{"an awareness activity is no drill", incident + "  - {id: a, what: {topic: awareness, message: m}, whom: [employees], when: {rrule: FREQ=YEARLY, start: \"2026-06-01T10:00\"}, owner: irt}\n",
			[]brief{{"DRILL", "plan", "", "No drill of the incident communication plan is planned: no recurring activity of topic drill."}}},
		{"a two-yearly drill and a yearly one", incident +
			"  - {id: d2, what: {topic: drill, message: m}, whom: [employees], when: {rrule: \"FREQ=YEARLY;INTERVAL=2\", start: \"2026-06-01T10:00\"}, owner: irt}\n" +
			"  - {id: d1, what: {topic: drill, message: m}, whom: [employees], when: {rrule: \"FREQ=MONTHLY;INTERVAL=6\", start: \"2026-06-01T10:00\"}, owner: irt}\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decode(t, programmeBase+tc.activities)
			wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "DRILL"), tc.want)
		})
	}
}

func TestPostIncident(t *testing.T) {
	incident := "activities:\n  - {id: ir, what: {topic: incident, message: m}, whom: [employees], how: [email], when: {trigger: incident.detected, within: 1h}, owner: irt}\n"
	for _, tc := range []struct {
		name, activities string
		want             []brief
	}{
		{"no incident communication", "activities: [{id: p, what: {topic: policy, message: m}, whom: [employees], when: {trigger: policy.changed, within: 1d}, owner: irt}]\n", nil},
		{"none", incident, []brief{{"POST-INCIDENT", "plan", "", "No lessons-learned activity follows an incident's closure: lessons learned and preventive measures are not communicated."}}},
		{"recurring", incident + "  - {id: ll, name: Quarterly lessons, what: {topic: lessons-learned, message: m}, whom: [employees], when: {rrule: \"FREQ=MONTHLY;INTERVAL=3\", start: \"2026-01-15T10:00\"}, owner: irt}\n",
			[]brief{{"POST-INCIDENT", "activity ll", "activities[1].when", `Lessons-learned activity "Quarterly lessons" does not follow an incident's closure: it recurs by "FREQ=MONTHLY;INTERVAL=3", not incident.closed.`}}},
		{"a crisis's closure", incident + "  - {id: ll, what: {topic: lessons-learned, message: m}, whom: [employees], when: {trigger: crisis.closed, within: 10bd}, owner: irt}\n",
			[]brief{{"POST-INCIDENT", "activity ll", "activities[1].when", `Lessons-learned activity ll does not follow an incident's closure: it is triggered by "crisis.closed", not incident.closed.`}}},
		{"closure without the topic", incident + "  - {id: ll, what: {topic: improvement, message: m}, whom: [employees], when: {trigger: incident.closed, within: 10bd}, owner: irt}\n",
			[]brief{{"POST-INCIDENT", "plan", "", "No lessons-learned activity follows an incident's closure: lessons learned and preventive measures are not communicated."}}},
		{"the second one", incident +
			"  - {id: ll1, what: {topic: lessons-learned, message: m}, whom: [employees], when: {trigger: incident.resolved, within: 10bd}, owner: irt}\n" +
			"  - {id: ll2, what: {topic: lessons-learned, message: m}, whom: [employees], when: {trigger: incident.closed, within: 10bd}, owner: irt}\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decode(t, programmeBase+tc.activities)
			wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "POST-INCIDENT"), tc.want)
		})
	}
}

func TestMediaInquiry(t *testing.T) {
	noMedia := strings.Replace(programmeBase, "  - {id: press, name: Press, scope: external, kind: media}\n", "", 1)
	for _, tc := range []struct {
		name, base, activities string
		want                   []brief
	}{
		{"no media and no crisis", noMedia, "activities: [{id: a, what: {topic: awareness, message: m}, whom: [employees], when: {trigger: x.y, within: 1d}, owner: irt}]\n", nil},
		{"media, no protocol", programmeBase, "activities: [{id: a, what: {topic: awareness, message: m}, whom: [press], how: [line], when: {trigger: x.y, within: 1d}, owner: irt, spokesperson: ceo}]\n",
			[]brief{{"MEDIA-INQUIRY", "plan", "", "The plan has no protocol for media inquiries: no activity of topic media-inquiry, and no crisis activity reaching the media, answers the media's questions."}}},
		// A crisis activity that reaches no media does not make the rule
		// apply (review 3, defect 5): CRISIS judges it.
		{"a crisis, no media", noMedia, "activities: [{id: c, name: Crisis, what: {topic: crisis, message: m}, whom: [public], how: [line], when: {trigger: crisis.declared, within: 1h}, owner: irt, spokesperson: ceo}]\n", nil},
		{"a staff-only crisis plan", noMedia, "activities: [{id: c, what: {topic: crisis, message: m}, whom: [employees], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt}]\n", nil},
		{"media, a staff-only crisis alert", programmeBase, "activities: [{id: c, what: {topic: crisis, message: m}, whom: [employees], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt}]\n",
			[]brief{{"MEDIA-INQUIRY", "plan", "", "The plan has no protocol for media inquiries: no activity of topic media-inquiry, and no crisis activity reaching the media, answers the media's questions."}}},
		{"a crisis reaching the media", programmeBase, "activities: [{id: c, what: {topic: crisis, message: m}, whom: [employees, press], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt}]\n",
			[]brief{{"MEDIA-INQUIRY", "activity c", "activities[0]", "Crisis activity c is no protocol for media inquiries: it has no spokesperson and no inbound channel."}}},
		{"a media-inquiry activity, no media stakeholder", noMedia, "activities: [{id: m, what: {topic: media-inquiry, message: m}, whom: [public], how: [line], when: {trigger: crisis.declared, within: 1h}, owner: irt, spokesperson: ceo}]\n",
			[]brief{{"MEDIA-INQUIRY", "activity m", "activities[0]", "Media-inquiry activity m is no protocol for media inquiries: it has no media audience."}}},
		{"nothing of it", programmeBase, "activities: [{id: m, what: {topic: media-inquiry, message: m}, whom: [public], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt}]\n",
			[]brief{{"MEDIA-INQUIRY", "activity m", "activities[0]", "Media-inquiry activity m is no protocol for media inquiries: it has no media audience, no spokesperson and no inbound channel."}}},
		{"the closest candidate", programmeBase, "activities:\n" +
			"  - {id: m1, what: {topic: media-inquiry, message: m}, whom: [public], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt}\n" +
			"  - {id: c1, what: {topic: crisis, message: m}, whom: [press], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt, spokesperson: ceo}\n" +
			"  - {id: m2, what: {topic: media-inquiry, message: m}, whom: [press], how: [email], when: {trigger: crisis.declared, within: 1h}, owner: irt, spokesperson: ceo}\n",
			[]brief{{"MEDIA-INQUIRY", "activity m2", "activities[2]", "Media-inquiry activity m2 is no protocol for media inquiries: it has no inbound channel."}}},
		{"a crisis activity that is one", programmeBase, "activities: [{id: c, what: {topic: crisis, message: m}, whom: [employees, press], how: [email, line], when: {trigger: crisis.declared, within: 1h}, owner: irt, spokesperson: ceo}]\n", nil},
		{"an inbound channel the plan lacks", programmeBase, "activities: [{id: m, what: {topic: media-inquiry, message: m}, whom: [press], how: [fax], when: {trigger: crisis.declared, within: 1h}, owner: irt, spokesperson: ceo}]\n",
			[]brief{{"MEDIA-INQUIRY", "activity m", "activities[0]", "Media-inquiry activity m is no protocol for media inquiries: it has no inbound channel."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := comms.DecodePlan(strings.NewReader(tc.base + tc.activities))
			if err != nil && !strings.Contains(tc.activities, "fax") {
				t.Fatal(err)
			}
			wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "MEDIA-INQUIRY"), tc.want)
		})
	}
}

// FEEDBACK keeps its meaning: an inbound channel that is not a survey or
// ticketing channel is no feedback mechanism by itself; an activity of
// topic feedback through it is.
func TestFeedbackInbound(t *testing.T) {
	p := decode(t, programmeBase)
	if !matrix.Check(p, matrix.At(ref)).Has("FEEDBACK") {
		t.Error("an inbound press line and a reporting hotline count as a feedback mechanism")
	}
	p.Activities = append(p.Activities, comms.Activity{ID: "ask", What: comms.Message{Topic: comms.TopicFeedback, Message: "How did we do?"},
		Whom: []string{"press"}, How: []string{"line"}, Owner: "irt", When: comms.Timing{Trigger: "crisis.closed", Within: "5bd"}})
	if matrix.Check(p, matrix.At(ref)).Has("FEEDBACK") {
		t.Error("a feedback activity does not count")
	}
}

// The programme's rules are waived like the others: in the plan, by rule
// and subject (an objective's or a requirement's ID), or as an option.
func TestProgrammeWaivers(t *testing.T) {
	p := decode(t, programmeBase+`activities:
  - {id: ir, what: {topic: incident, message: m}, whom: [employees], how: [email], when: {trigger: incident.detected, within: 1h}, owner: irt}
objectives: [{id: culture, statement: A positive security culture}]
waivers:
  - {rule: OBJECTIVES, subject: culture, reason: Judged in the management review; not practicable to measure}
  - {rule: DRILL, reason: The group runs our drills}
`)
	r := matrix.Check(p, matrix.At(ref), matrix.Waive("POST-INCIDENT", "", "Lessons go through the group's process"), matrix.Waive("MEDIA-INQUIRY", "", "The group press office answers"))
	// The plan still has no measurable objective: waiving the one
	// objective does not waive that.
	wantFindings(t, findingsOf(r, "OBJECTIVES", "DRILL", "POST-INCIDENT", "MEDIA-INQUIRY"), []brief{
		{"OBJECTIVES", "plan", "objectives", "The plan's one objective is not measurable: it lacks a measure, a target or a period."},
	})
	waived := map[string]string{}
	for _, f := range r.Findings {
		if f.Waived {
			waived[f.Rule+" "+f.Subject.String()] = f.WaiverReason
		}
	}
	for k, reason := range map[string]string{
		"OBJECTIVES objective culture": "Judged in the management review; not practicable to measure",
		"DRILL plan":                   "The group runs our drills",
		"POST-INCIDENT plan":           "Lessons go through the group's process",
		"MEDIA-INQUIRY plan":           "The group press office answers",
	} {
		if waived[k] != reason {
			t.Errorf("%s: waived with %q, want %q (waived: %v)", k, waived[k], reason, waived)
		}
	}
}

// A measurable objective whose scope holds no activity it could measure
// never has data: OBJECTIVES says so (review 3, minor point).
func TestObjectiveEmptyScope(t *testing.T) {
	p := decode(t, programmeBase+`activities:
  - {id: newsletter, what: {topic: awareness, message: m}, whom: [employees], how: [email], when: {rrule: FREQ=MONTHLY, start: "2026-01-05T09:00"}, owner: irt}
objectives:
  - {id: aware, measure: on-time-rate, target: 95%, period: yearly, scope: {topic: awareness}}
  - {id: train, measure: participation, target: 90%, period: yearly, scope: {topic: training}}
  - {id: press, measure: coverage, target: 90%, period: yearly, scope: {stakeholder: press}}
  - {id: fast, measure: notification-timeliness, target: 24h, period: yearly, scope: {topic: awareness}}
  - {id: liked, measure: satisfaction, target: 4, period: yearly, scope: {stakeholder: press}}
feedback: {scale: {min: 1, max: 5}}
`)
	wantFindings(t, findingsOf(matrix.Check(p, matrix.At(ref)), "OBJECTIVES"), []brief{
		{"OBJECTIVES", "objective train", "objectives[1]", `Objective train measures activities of topic "training": the plan has none, so the objective never has data.`},
		{"OBJECTIVES", "objective press", "objectives[2]", `Objective press measures activities reaching "press": the plan has none, so the objective never has data.`},
		{"OBJECTIVES", "objective fast", "objectives[3]", `Objective fast measures triggered activities of topic "awareness": the plan has none, so the objective never has data.`},
	})
}
