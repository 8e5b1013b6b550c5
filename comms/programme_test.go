package comms_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ismscomms/ismscomms/comms"
)

func programmePlan(t *testing.T) comms.Plan {
	t.Helper()
	p, err := comms.LoadPlan("testdata/valid/programme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProgrammeDecoded: every field issue 16 added decodes from the file
// into its Go field, and the objectives' targets read as their measures
// say.
func TestProgrammeDecoded(t *testing.T) {
	p := programmePlan(t)
	if len(p.Objectives) != 8 {
		t.Fatalf("objectives: %d, want 8", len(p.Objectives))
	}
	want := map[string]comms.Target{
		"policy-understood":      {Kind: comms.MeasureKindRate, Hundredths: 9500},
		"training-participation": {Kind: comms.MeasureKindRate, Hundredths: 9000},
		"breach-notice-fast":     {Kind: comms.MeasureKindDuration, Within: "48h"},
		"on-time":                {Kind: comms.MeasureKindRate, Hundredths: 10000},
		"covered":                {Kind: comms.MeasureKindRate, Hundredths: 9950},
		"satisfied":              {Kind: comms.MeasureKindScore, Hundredths: 425},
		"feedback-answered":      {Kind: comms.MeasureKindDuration, Within: "5bd"},
	}
	for id, w := range want {
		o, ok := p.Objective(id)
		if !ok {
			t.Fatalf("no objective %s", id)
		}
		got, err := o.ParseTarget()
		if err != nil || got != w {
			t.Errorf("%s: ParseTarget = %+v, %v; want %+v", id, got, err, w)
		}
		if !o.Measurable() {
			t.Errorf("%s is not measurable", id)
		}
	}
	culture, _ := p.Objective("culture")
	if culture.Measurable() || culture.Statement == "" {
		t.Errorf("culture: %+v: a statement alone is an objective, not a measurable one", culture)
	}
	if o, _ := p.Objective("training-participation"); o.Scope != (comms.ObjectiveScope{Topic: comms.TopicTraining, Stakeholder: "employees"}) || o.DirectionOf() != comms.DirectionAtLeast || o.Period != comms.PeriodYearly {
		t.Errorf("training-participation: %+v", o)
	}
	if o, _ := p.Objective("breach-notice-fast"); o.DirectionOf() != comms.DirectionAtMost {
		t.Errorf("a duration defaults to at-most: %s", o.DirectionOf())
	}
	r, s, ok := p.Requirement("breach-72h")
	if !ok || s.ID != "customers" || r.Text == "" || len(r.Activities) != 1 || r.Activities[0] != "customer-breach-notice" {
		t.Errorf("Requirement(breach-72h) = %+v, %s, %v", r, s.ID, ok)
	}
	if p.Feedback == nil || p.Feedback.Scale == nil || *p.Feedback.Scale != (comms.Scale{Min: 1, Max: 5}) || p.Feedback.HandleWithin != "5bd" || p.Feedback.Calendar != "de" {
		t.Errorf("feedback: %+v", p.Feedback)
	}
	if c, _ := p.Channel("press-office"); !c.Inbound {
		t.Errorf("press-office is not inbound")
	}
	if c, _ := p.Channel("email"); c.Inbound {
		t.Errorf("email is inbound")
	}
	for id, topic := range map[string]comms.Topic{"incident-drill": comms.TopicDrill, "lessons-learned": comms.TopicLessonsLearned, "media-inquiries": comms.TopicMediaInquiry} {
		if a, _ := p.Activity(id); a.What.Topic != topic {
			t.Errorf("%s: topic %s, want %s", id, a.What.Topic, topic)
		}
	}
	if a, _ := p.Activity("lessons-learned"); a.When.Trigger != comms.EventKindIncident+"."+comms.MilestoneClosed {
		t.Errorf("lessons-learned trigger %s", a.When.Trigger)
	}
}

// TestProgrammeInvalid: each malformed use of the new fields is refused
// with its path, line and message, all at once.
func TestProgrammeInvalid(t *testing.T) {
	const base = `id: p
calendars: [{id: de}]
stakeholders:
  - {id: staff, scope: internal}
  - {id: press, scope: external}
channels: [{id: email}]
activities:
  - {id: policy, what: {topic: policy}, whom: [staff], when: {rrule: FREQ=YEARLY, start: "2026-01-01T09:00"}}
  - {id: notice, what: {topic: incident}, whom: [staff], when: {trigger: incident.aware, within: 72h}}
`
	cases := []struct {
		name, yaml, path, want string
	}{
		{"unknown measure", "objectives: [{id: o, measure: happiness}]", "objectives[0].measure", `unknown measure "happiness": use one of on-time-rate, coverage, acknowledgement-rate, participation, notification-timeliness, satisfaction, feedback-response-time`},
		{"rate without percent", "objectives: [{id: o, measure: coverage, target: 95}]", "objectives[0].target", `"95" is not a target for coverage, a rate: write a percentage from 0% to 100%`},
		{"rate over 100", "objectives: [{id: o, measure: on-time-rate, target: 100.5%}]", "objectives[0].target", "a percentage from 0% to 100%"},
		{"rate three decimals", "objectives: [{id: o, measure: on-time-rate, target: 99.125%}]", "objectives[0].target", "at most two decimals"},
		{"duration as percent", "objectives: [{id: o, measure: feedback-response-time, target: 95%}]", "objectives[0].target", `"95%" is not a target for feedback-response-time, a duration`},
		{"score without scale", "objectives: [{id: o, measure: satisfaction, target: 4}]", "objectives[0].target", "the plan declares none: add feedback: {scale: {min: 1, max: 5}}"},
		{"score off the scale", "feedback: {scale: {min: 1, max: 5}}\nobjectives: [{id: o, measure: satisfaction, target: 5.5}]", "objectives[0].target", `"5.5" is not on the plan's feedback scale, 1 to 5`},
		{"score as duration", "feedback: {scale: {min: 1, max: 5}}\nobjectives: [{id: o, measure: satisfaction, target: 2bd}]", "objectives[0].target", "a score: write a number on the plan's feedback scale"},
		{"target without measure", "objectives: [{id: o, target: 95%}]", "objectives[0].target", "a target needs a measure"},
		{"unknown direction", "objectives: [{id: o, measure: coverage, direction: up}]", "objectives[0].direction", "unknown direction \"up\": use at-least or at-most"},
		{"a rate at most", "objectives: [{id: o, measure: coverage, direction: at-most}]", "objectives[0].direction", "a rate is better higher, so coverage is judged at-least its target: at-most would call doing worse met"},
		{"a duration at least", "objectives: [{id: o, measure: feedback-response-time, direction: at-least}]", "objectives[0].direction", "a duration is better shorter, so feedback-response-time is judged at-most its target: at-least would call doing worse met"},
		{"unknown period", "objectives: [{id: o, measure: coverage, period: weekly}]", "objectives[0].period", "unknown period \"weekly\": use one of monthly, quarterly, yearly"},
		{"duplicate objective", "objectives: [{id: o}, {id: o}]", "objectives[1].id", `duplicate id "o" (also objectives[0])`},
		{"objective without id", "objectives: [{statement: s}]", "objectives[0].id", "missing"},
		{"scope activity unknown", "objectives: [{id: o, scope: {activity: nope}}]", "objectives[0].scope.activity", `activity "nope" is not declared in activities`},
		{"scope stakeholder unknown", "objectives: [{id: o, scope: {stakeholder: nope}}]", "objectives[0].scope.stakeholder", `stakeholder "nope" is not declared in stakeholders`},
		{"scope topic unknown", "objectives: [{id: o, scope: {topic: gossip}}]", "objectives[0].scope.topic", `unknown topic "gossip"`},
		{"scope topic not the activity's", "objectives: [{id: o, scope: {activity: policy, topic: training}}]", "objectives[0].scope.topic", `activity policy is of topic "policy", not "training": the scope holds nothing`},
		{"scope stakeholder not reached", "objectives: [{id: o, scope: {activity: policy, stakeholder: press}}]", "objectives[0].scope.stakeholder", `activity policy does not reach stakeholder "press"`},
		{"timeliness of a recurring activity", "objectives: [{id: o, measure: notification-timeliness, target: 24h, scope: {activity: policy}}]", "objectives[0].scope.activity", "activity policy is not triggered by events"},
		{"unknown scope field", "objectives: [{id: o, scope: {team: x}}]", "objectives[0].scope.team", `unknown field "team"`},
		{"requirement activity unknown", "stakeholders:\n  - {id: staff, requirements: [{id: r, activities: [nope]}]}", "stakeholders[0].requirements[0].activities[0]", `activity "nope" is not declared in activities`},
		{"requirement id twice in the plan", "stakeholders:\n  - {id: staff, requirements: [{id: r}]}\n  - {id: press, requirements: [{id: r}]}", "stakeholders[1].requirements[0].id", `duplicate requirement id "r" (also stakeholders[0].requirements[0])`},
		{"requirement without id", "stakeholders:\n  - {id: staff, requirements: [{text: t}]}", "stakeholders[0].requirements[0].id", "missing: every requirement needs an id"},
		{"requirement activity twice", "stakeholders:\n  - {id: staff, requirements: [{id: r, activities: [policy, policy]}]}", "stakeholders[0].requirements[0].activities[1]", "listed twice"},
		{"empty scale", "feedback: {scale: {min: 5, max: 5}}", "feedback.scale", "the scale from 5 to 5 is empty"},
		{"scale without max", "feedback: {scale: {min: 1}}", "feedback.scale", "the scale from 1 to 0 is empty"},
		{"scale too large", "feedback: {scale: {min: 0, max: 1000}}", "feedback.scale.max", "a feedback scale goes up to 100 at most"},
		{"negative scale", "feedback: {scale: {min: -1, max: 5}}", "feedback.scale.min", "expected a whole number"},
		{"handle_within not a deadline", "feedback: {handle_within: 5 days}", "feedback.handle_within", "5 days"},
		{"feedback calendar unknown", "feedback: {calendar: us}", "feedback.calendar", `calendar "us" is not declared in calendars`},
		{"inbound not a boolean", "channels: [{id: email, inbound: maybe}]", "channels[0].inbound", "expected true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := base
			// A case that redefines stakeholders or channels replaces them.
			for _, key := range []string{"stakeholders:", "channels:"} {
				if strings.HasPrefix(tc.yaml, key) {
					start := strings.Index(doc, key)
					end := start + strings.Index(doc[start:], "\n") + 1
					for end < len(doc) && strings.HasPrefix(doc[end:], "  ") {
						end += strings.Index(doc[end:], "\n") + 1
					}
					doc = doc[:start] + doc[end:]
				}
			}
			_, err := comms.DecodePlan(strings.NewReader(doc + tc.yaml + "\n"))
			var perr *comms.PlanError
			if !errors.As(err, &perr) {
				t.Fatalf("DecodePlan = %v, want a *PlanError\n%s", err, doc+tc.yaml)
			}
			for _, prob := range perr.Problems {
				if prob.Path == tc.path && strings.Contains(prob.Message, tc.want) {
					if !prob.Pos.IsValid() {
						t.Errorf("%s: no position", prob.Path)
					}
					return
				}
			}
			t.Fatalf("no problem at %s containing %q; got:\n%v", tc.path, tc.want, err)
		})
	}
}

func TestObjectiveParseTarget(t *testing.T) {
	for _, tc := range []struct {
		m      comms.Measure
		target string
		want   comms.Target
		ok     bool
	}{
		{comms.MeasureOnTimeRate, "0%", comms.Target{Kind: comms.MeasureKindRate}, true},
		{comms.MeasureOnTimeRate, "100%", comms.Target{Kind: comms.MeasureKindRate, Hundredths: 10000}, true},
		{comms.MeasureOnTimeRate, "100.00%", comms.Target{Kind: comms.MeasureKindRate, Hundredths: 10000}, true},
		{comms.MeasureParticipation, "66.5%", comms.Target{Kind: comms.MeasureKindRate, Hundredths: 6650}, true},
		{comms.MeasureParticipation, "100.01%", comms.Target{}, false},
		{comms.MeasureParticipation, "095%", comms.Target{}, false},
		{comms.MeasureParticipation, "%", comms.Target{}, false},
		{comms.MeasureParticipation, "95.%", comms.Target{}, false},
		{comms.MeasureParticipation, "-5%", comms.Target{}, false},
		{comms.MeasureParticipation, "0.95", comms.Target{}, false},
		{comms.MeasureNotificationTimeliness, "72h", comms.Target{Kind: comms.MeasureKindDuration, Within: "72h"}, true},
		{comms.MeasureNotificationTimeliness, "1mo", comms.Target{Kind: comms.MeasureKindDuration, Within: "1mo"}, true},
		{comms.MeasureNotificationTimeliness, "0h", comms.Target{}, false},
		{comms.MeasureNotificationTimeliness, "4", comms.Target{}, false},
		{comms.MeasureSatisfaction, "0", comms.Target{Kind: comms.MeasureKindScore}, true},
		{comms.MeasureSatisfaction, "4.5", comms.Target{Kind: comms.MeasureKindScore, Hundredths: 450}, true},
		{comms.MeasureSatisfaction, "4.05", comms.Target{Kind: comms.MeasureKindScore, Hundredths: 405}, true},
		{comms.MeasureSatisfaction, "4.567", comms.Target{}, false},
		{comms.MeasureSatisfaction, "1e1", comms.Target{}, false},
		{comms.MeasureSatisfaction, "80%", comms.Target{}, false},
		{"", "80%", comms.Target{}, false},
		{"gossip", "80%", comms.Target{}, false},
	} {
		got, err := comms.Objective{ID: "o", Measure: tc.m, Target: tc.target}.ParseTarget()
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s %q: ParseTarget = %+v, %v; want %+v, ok %v", tc.m, tc.target, got, err, tc.want, tc.ok)
		}
	}
	for _, m := range comms.Measures() {
		if m.Kind() == "" || m.Direction() == "" {
			t.Errorf("measure %s has no kind or direction", m)
		}
	}
}

func TestCheckRecordFeedbackAndDrills(t *testing.T) {
	p := programmePlan(t)
	at := time.Date(2026, 4, 3, 10, 0, 0, 0, time.UTC)
	score := func(n int) *int { return &n }
	digest := comms.Digest([]byte("The training was too long"))
	tests := []struct {
		name string
		r    comms.Record
		want []string
	}{
		{"feedback", comms.Record{Type: comms.RecordTypeFeedback, From: "employees", Channel: "survey", ActivityID: "awareness-survey",
			Occurrence: time.Date(2026, 4, 1, 7, 0, 0, 0, time.UTC), SentAt: at, Score: score(4), Digest: digest, HandledAt: at.Add(48 * time.Hour)}, nil},
		{"score only", comms.Record{Type: comms.RecordTypeFeedback, From: "employees", Channel: "survey", SentAt: at, Score: score(1)}, nil},
		{"text only", comms.Record{Type: comms.RecordTypeFeedback, From: "press", Channel: "press-office", SentAt: at, Digest: digest}, nil},
		{"feedback on a drill", comms.Record{Type: comms.RecordTypeFeedback, From: "employees", Channel: "survey", SentAt: at, Score: score(5), ActivityID: "lessons-learned", EventID: "DRILL-1", Drill: true}, nil},
		{"drill notification", comms.Record{ActivityID: "customer-breach-notice", EventID: "DRILL-1", Drill: true, SentAt: at, Channel: "email", Audiences: []string{"customers"}}, nil},
		{"feedback from nobody", comms.Record{Type: comms.RecordTypeFeedback, Channel: "survey", SentAt: at, Score: score(3)}, []string{"from: feedback names the stakeholder it came from"}},
		{"feedback everything wrong", comms.Record{Type: comms.RecordTypeFeedback, From: "martians", SentAt: at, Score: score(9), Audiences: []string{"employees"}, Reached: 3, Digest: "sha256:xyz", HandledAt: at.Add(-time.Hour)}, []string{
			`from: plan programme has no stakeholder "martians"`,
			"channel: feedback names the channel it came in through",
			"audiences: feedback addresses no one",
			"reached: feedback reaches no one",
			"score: score 9 is not on the plan's feedback scale, 1 to 5",
			`digest: "sha256:xyz" is not a digest`,
			"handled_at: handled at 2026-04-03T09:00:00Z, before it was received",
		}},
		{"feedback empty", comms.Record{Type: comms.RecordTypeFeedback, From: "employees", Channel: "survey", SentAt: at}, []string{"digest: feedback holds a score or the digest of its text"}},
		{"feedback fields on a sent record", comms.Record{SentAt: at, Channel: "email", From: "employees", Score: score(3), HandledAt: at}, []string{
			"from: only feedback", "score: only feedback", "handled_at: only feedback",
		}},
		{"drill without event", comms.Record{ActivityID: "incident-drill", Occurrence: time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC), SentAt: at, Drill: true}, []string{"drill: a drill record answers the drill: name its event"}},
		{"drill acknowledgement", comms.Record{Type: comms.RecordTypeAck, PersonID: "p1", ActivityID: "customer-breach-notice", EventID: "DRILL-1", Digest: digest, SentAt: at, Drill: true}, []string{"drill: an acknowledgement is of a message version, never part of a drill"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantRecordProblems(t, p, tt.r, tt.want) })
	}
	// A plan without a feedback scale takes no scores.
	q := p
	q.Feedback = nil
	err := q.CheckRecord(comms.Record{Type: comms.RecordTypeFeedback, From: "employees", Channel: "survey", SentAt: at, Score: score(3)})
	if err == nil || !strings.Contains(err.Error(), "score: plan programme declares no feedback scale") {
		t.Errorf("a score without a scale: %v", err)
	}
}

// TestDrillNeverAnIncident: a drill's milestones never answer an incident
// trigger through Reached (which code that knows no drills uses), only
// through ReachedInDrill; a real incident's never answer ReachedInDrill;
// a record and its event must agree about being a drill.
func TestDrillNeverAnIncident(t *testing.T) {
	aware := time.Date(2026, 10, 15, 10, 0, 0, 0, time.UTC)
	drill := comms.Event{ID: "DRILL-1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "Ransomware on the file servers",
		Milestones: []comms.Milestone{{Name: "aware", At: aware}, {Name: "closed", At: aware.Add(6 * time.Hour)}}}
	real := comms.Event{ID: "INC-1", Kind: comms.EventKindIncident, Milestones: []comms.Milestone{{Name: "aware", At: aware}}}
	if err := drill.Check(); err != nil {
		t.Fatalf("Check(drill) = %v", err)
	}
	if err := real.Check(); err != nil {
		t.Fatalf("Check(incident) = %v", err)
	}
	if !drill.IsDrill() || real.IsDrill() {
		t.Fatal("IsDrill")
	}
	if _, ok := drill.Reached("incident.aware"); ok {
		t.Error("Reached answers an incident trigger for a drill")
	}
	if at, ok := drill.ReachedInDrill("incident.aware"); !ok || !at.Equal(aware) {
		t.Errorf("ReachedInDrill(incident.aware) = %v, %v", at, ok)
	}
	if _, ok := drill.ReachedInDrill("crisis.declared"); ok {
		t.Error("a drill of incidents answers a crisis trigger")
	}
	if _, ok := drill.ReachedInDrill("incident.classified"); ok {
		t.Error("ReachedInDrill answers a milestone the drill has not reached")
	}
	if at, ok := drill.Reached("drill.closed"); !ok || !at.Equal(aware.Add(6*time.Hour)) {
		t.Errorf("Reached(drill.closed) = %v, %v", at, ok)
	}
	if _, ok := real.ReachedInDrill("incident.aware"); ok {
		t.Error("ReachedInDrill answers for a real incident")
	}
	if at, ok := real.Reached("incident.aware"); !ok || !at.Equal(aware) {
		t.Errorf("Reached(incident.aware) = %v, %v", at, ok)
	}

	for _, tc := range []struct {
		e     comms.Event
		r     comms.Record
		wrong bool
	}{
		{drill, comms.Record{EventID: "DRILL-1", Drill: true}, false},
		{real, comms.Record{EventID: "INC-1"}, false},
		{drill, comms.Record{EventID: "DRILL-1"}, true},
		{real, comms.Record{EventID: "INC-1", Drill: true}, true},
	} {
		err := tc.e.CheckRecord(tc.r)
		if tc.wrong != errors.Is(err, comms.ErrDrillMismatch) {
			t.Errorf("%s.CheckRecord(drill=%v) = %v", tc.e.ID, tc.r.Drill, err)
		}
	}
	if err := drill.CheckRecord(comms.Record{EventID: "INC-1", Drill: true}); err == nil {
		t.Error("CheckRecord accepts a record of another event")
	}

	for _, tc := range []struct {
		e    comms.Event
		want []string
	}{
		{comms.Event{ID: "D", Kind: comms.EventKindDrill}, []string{"exercises: a drill names the kind of event it exercises", "scenario: a drill says which scenario"}},
		{comms.Event{ID: "D", Kind: comms.EventKindDrill, Exercises: comms.EventKindDrill, Scenario: "s"}, []string{"exercises: a drill exercises a real kind of event"}},
		{comms.Event{ID: "D", Kind: comms.EventKindDrill, Exercises: "Incident!", Scenario: "s"}, []string{`exercises: "Incident!" is not an event kind`}},
		{comms.Event{ID: "I", Kind: comms.EventKindIncident, Exercises: "incident", Scenario: "s"}, []string{"exercises: only a drill", "scenario: only a drill"}},
	} {
		err := tc.e.Check()
		if err == nil {
			t.Errorf("Check(%+v) = nil", tc.e)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Check(%+v) = %q, want %q", tc.e, err, w)
			}
		}
		if got := strings.Count(err.Error(), "\n") + 1; got != len(tc.want) {
			t.Errorf("Check(%+v): %d problems, want %d: %v", tc.e, got, len(tc.want), err)
		}
	}
}

// TestProgrammeSchema: the schema takes a score written as a number, and
// refuses what DecodePlan refuses for form in the new fields.
func TestProgrammeSchema(t *testing.T) {
	s := compileSchema(t)
	ok := `{"id": "p", "feedback": {"scale": {"min": 1, "max": 5}}, "objectives": [{"id": "o", "measure": "satisfaction", "target": 4, "period": "yearly"}, {"id": "t", "measure": "notification-timeliness", "direction": "at-most"}, {"id": "d", "direction": "at-least"}]}`
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(ok))
	if err := s.Validate(doc); err != nil {
		t.Errorf("the schema refuses %s: %v", ok, err)
	}
	if _, err := comms.DecodePlan(strings.NewReader(ok)); err != nil {
		t.Errorf("DecodePlan refuses %s: %v", ok, err)
	}
	for _, bad := range []string{
		`{"id": "p", "objectives": [{"id": "o", "measure": "happiness"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "coverage", "target": "95 percent"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "period": "weekly"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "direction": "up"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "coverage", "direction": "at-most"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "coverage", "target": "100.5%"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "coverage", "target": 95}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "coverage", "target": "5bd"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "feedback-response-time", "target": "95%"}]}`,
		`{"id": "p", "feedback": {"scale": {"min": 1, "max": 5}}, "objectives": [{"id": "o", "measure": "satisfaction", "target": "4%"}]}`,
		`{"id": "p", "feedback": {"scale": {"min": 1, "max": 101}}}`,
		`{"id": "p", "feedback": {"scale": {"max": 5}}}`,
		`{"id": "p", "stakeholders": [{"id": "s", "requirements": [{"id": "r", "activities": ["a", "a"]}]}], "activities": [{"id": "a"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "measure": "feedback-response-time", "direction": "at-least"}]}`,
		`{"id": "p", "objectives": [{"statement": "no id"}]}`,
		`{"id": "p", "objectives": [{"id": "o", "scope": {"team": "x"}}]}`,
		`{"id": "p", "feedback": {"scale": {"min": 1}}}`,
		`{"id": "p", "feedback": {"handle_within": "5 days"}}`,
		`{"id": "p", "stakeholders": [{"id": "s", "requirements": [{"text": "no id"}]}]}`,
		`{"id": "p", "channels": [{"id": "c", "inbound": "yes"}]}`,
	} {
		doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if s.Validate(doc) == nil {
			t.Errorf("the schema accepts %s", bad)
		}
		if _, err := comms.DecodePlan(strings.NewReader(bad)); err == nil {
			t.Errorf("DecodePlan accepts %s", bad)
		}
	}
}
