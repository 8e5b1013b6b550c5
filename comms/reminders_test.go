package comms_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const remindersPlan = `format: ismscomms/v1
id: reminded
roles: [{id: iso}, {id: ciso}, {id: dpo}]
calendars: [{id: office, hours: "09:00-17:00"}]
stakeholders: [{id: employees, scope: internal}]
reminders:
  before: [7d, 1d]
  chase: {every: 3bd, max: 4}
  escalate:
    - {after: 2bd, to: ciso}
    - {at: 80%, to: dpo}
activities:
  - id: policy
    whom: [employees]
    owner: iso
    calendar: office
  - id: awareness
    whom: [employees]
    owner: iso
    reminders:
      chase: {every: 1bd, max: 2}
  - id: quiet
    whom: [employees]
    owner: iso
    reminders: {}
`

// The policy decodes plan-wide and per activity; an activity's block
// replaces the plan's wholly (an empty one turns reminders off); the
// business hours parse; both encodings keep it all.
func TestReminders(t *testing.T) {
	p, err := comms.DecodePlan(strings.NewReader(remindersPlan))
	if err != nil {
		t.Fatal(err)
	}
	want := comms.Reminders{Before: []string{"7d", "1d"}, Chase: &comms.Chase{Every: "3bd", Max: 4},
		Escalate: []comms.Escalation{{After: "2bd", To: "ciso"}, {At: "80%", To: "dpo"}}}
	check := func(t *testing.T, p comms.Plan) {
		t.Helper()
		if got := p.RemindersOf(p.Activities[0]); got == nil || !equalReminders(*got, want) {
			t.Errorf("RemindersOf(policy) = %+v, want the plan's %+v", got, want)
		}
		aw := p.RemindersOf(p.Activities[1])
		if aw == nil || aw.Chase == nil || *aw.Chase != (comms.Chase{Every: "1bd", Max: 2}) || aw.Before != nil || aw.Escalate != nil {
			t.Errorf("RemindersOf(awareness) = %+v, want its own chase only (a block replaces the plan's wholly)", aw)
		}
		q := p.RemindersOf(p.Activities[2])
		if q == nil || q.Before != nil || q.Chase != nil || q.Escalate != nil {
			t.Errorf("RemindersOf(quiet) = %+v, want an empty policy (reminders: {} turns them off)", q)
		}
		if open, close, ok := p.Calendars[0].BusinessHours(); !ok || open != 9*60 || close != 17*60 {
			t.Errorf("BusinessHours = %d, %d, %v", open, close, ok)
		}
	}
	check(t, p)
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return comms.EncodeYAML(b, p) },
		func(b *bytes.Buffer) error { return comms.EncodeJSON(b, p) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		q, err := comms.DecodePlan(&b)
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, b.String())
		}
		check(t, q)
	}
	if got := (comms.Plan{}).RemindersOf(comms.Activity{}); got != nil {
		t.Errorf("no policy anywhere: %+v", got)
	}
}

func equalReminders(a, b comms.Reminders) bool {
	if strings.Join(a.Before, ",") != strings.Join(b.Before, ",") || (a.Chase == nil) != (b.Chase == nil) || len(a.Escalate) != len(b.Escalate) {
		return false
	}
	if a.Chase != nil && *a.Chase != *b.Chase {
		return false
	}
	for i := range a.Escalate {
		if a.Escalate[i] != b.Escalate[i] {
			return false
		}
	}
	return true
}

func TestEscalationShare(t *testing.T) {
	good := map[string]int{"80%": 8000, "1%": 100, "99%": 9900, "66.5%": 6650, "12.34%": 1234, "50.05%": 5005}
	for in, want := range good {
		if got, ok := (comms.Escalation{At: in}).Share(); !ok || got != want {
			t.Errorf("Share(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "80", "0%", "0.5%", "100%", "99.5%", "080%", "8o%", "1.234%", "1.%", ".5%", "-5%", "80 %", "80%%", "1e1%"} {
		if got, ok := (comms.Escalation{At: in}).Share(); ok {
			t.Errorf("Share(%q) = %d, accepted", in, got)
		}
	}
}

func TestBusinessHoursForms(t *testing.T) {
	for in, want := range map[string][2]int{"09:00-17:00": {540, 1020}, "00:00-24:00": {0, 1440}, "08:30-12:15": {510, 735}} {
		if o, c, ok := (comms.Calendar{Hours: in}).BusinessHours(); !ok || o != want[0] || c != want[1] {
			t.Errorf("BusinessHours(%q) = %d, %d, %v", in, o, c, ok)
		}
	}
	for _, in := range []string{"", "9:00-17:00", "17:00-09:00", "09:00-09:00", "09:00-24:01", "25:00-26:00", "09:60-10:00", "09:00 - 17:00", "09:00", "09h00-17h00"} {
		if _, _, ok := (comms.Calendar{Hours: in}).BusinessHours(); ok {
			t.Errorf("BusinessHours(%q) accepted", in)
		}
	}
}

// Every problem of a policy is located (line:column and path), all at
// once.
func TestRemindersInvalid(t *testing.T) {
	plan := func(cal, plan, act string) string {
		return "format: ismscomms/v1\nid: r\nroles: [{id: iso}]\n" +
			"calendars: [{id: office, hours: \"" + cal + "\"}]\n" +
			"reminders: " + plan + "\n" +
			"activities:\n  - id: a\n    owner: iso\n    reminders: " + act + "\n"
	}
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"hours", plan("17:00-09:00", "{}", "{}"), []string{"4:33: calendars[0].hours: \"17:00-09:00\" are not business hours"}},
		{"before unit", plan("09:00-17:00", "{before: [1w]}", "{}"), []string{"5:22: reminders.before[0]: a reminder before an occurrence:"}},
		{"before over a year", plan("09:00-17:00", "{before: [400d]}", "{}"), []string{"reminders.before[0]: a reminder before an occurrence: \"400d\" is longer than a year"}},
		{"before twice", plan("09:00-17:00", "{before: [1d, 1d]}", "{}"), []string{"reminders.before[1]: \"1d\" is listed twice (also reminders.before[0])"}},
		{"before too many", plan("09:00-17:00", "{before: [1d, 2d, 3d, 4d, 5d, 6d, 7d, 8d, 9d]}", "{}"), []string{"reminders.before: 9 reminders before an occurrence; at most 8"}},
		{"chase", plan("09:00-17:00", "{}", "{chase: {every: 3 days, max: 0}}"), []string{"9:32: activities[0].reminders.chase.every: chase.every:", "9:45: activities[0].reminders.chase.max: chase.max is 0"}},
		{"chase missing every", plan("09:00-17:00", "{chase: {max: 3}}", "{}"), []string{"reminders.chase.every: missing"}},
		{"chase too many", plan("09:00-17:00", "{chase: {every: 1d, max: 53}}", "{}"), []string{"reminders.chase.max: chase.max is 53: give how many reminders a person gets at most, 1 to 52"}},
		{"unknown role", plan("09:00-17:00", "{escalate: [{after: 2bd, to: cfo}]}", "{}"), []string{"5:41: reminders.escalate[0].to: role \"cfo\" is not declared in roles"}},
		{"no role", plan("09:00-17:00", "{escalate: [{after: 2bd}]}", "{}"), []string{"reminders.escalate[0].to: missing"}},
		{"both", plan("09:00-17:00", "{}", "{escalate: [{after: 2bd, at: 80%, to: iso}]}"), []string{"activities[0].reminders.escalate[0]: an escalation has either after"}},
		{"neither", plan("09:00-17:00", "{}", "{escalate: [{to: iso}]}"), []string{"activities[0].reminders.escalate[0]: an escalation needs after"}},
		{"share", plan("09:00-17:00", "{escalate: [{at: 100%, to: iso}, {at: 80, to: iso}]}", "{}"),
			[]string{"reminders.escalate[0].at: \"100%\" is not a share", "reminders.escalate[1].at: \"80\" is not a share"}},
		{"twice", plan("09:00-17:00", "{escalate: [{at: 80%, to: iso}, {at: 80%, to: iso}]}", "{}"), []string{"reminders.escalate[1]: the same escalation is listed twice"}},
		{"twice, written otherwise", plan("09:00-17:00", "{escalate: [{at: 80%, to: iso}, {at: 80.0%, to: iso}]}", "{}"), []string{"reminders.escalate[1]: the same escalation is listed twice"}},
		{"unknown field", plan("09:00-17:00", "{remind: [1d]}", "{}"), []string{"5:13: reminders.remind: unknown field \"remind\""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := comms.DecodePlan(strings.NewReader(c.file))
			var pe *comms.PlanError
			if !errors.As(err, &pe) {
				t.Fatalf("DecodePlan: %v, want a *PlanError", err)
			}
			if len(pe.Problems) != len(c.want) {
				t.Errorf("%d problems, want %d:\n%v", len(pe.Problems), len(c.want), err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// The schema takes the policy's forms and refuses what DecodePlan
// refuses for form.
func TestRemindersSchema(t *testing.T) {
	s := compileSchema(t)
	for _, c := range []struct {
		doc  string
		good bool
	}{
		{`{"id": "p", "reminders": {"before": ["7d", "1bd"], "chase": {"every": "3bd", "max": 4}, "escalate": [{"after": "2bd", "to": "ciso"}, {"at": "66.5%", "to": "dpo"}]}}`, true},
		{`{"id": "p", "calendars": [{"id": "c", "hours": "09:00-17:00"}]}`, true},
		{`{"id": "p", "reminders": {"before": ["1w"]}}`, false},
		{`{"id": "p", "reminders": {"escalate": [{"at": "100%", "to": "r"}]}}`, false},
		{`{"id": "p", "reminders": {"escalate": [{"at": "80", "to": "r"}]}}`, false},
		{`{"id": "p", "reminders": {"chase": {"every": "3bd", "max": 4, "until": "x"}}}`, false},
		{`{"id": "p", "calendars": [{"id": "c", "hours": "9-17"}]}`, false},
		{`{"id": "p", "activities": [{"id": "a", "reminders": {"remind": []}}]}`, false},
	} {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(doc); (err == nil) != c.good {
			t.Errorf("%s: schema says %v, want valid %v", c.doc, err, c.good)
		}
	}
}
