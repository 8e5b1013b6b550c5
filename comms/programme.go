package comms

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ismscomms/ismscomms/internal/deadline"
)

// Objective is a measurable objective of the communication programme
// (ISO/IEC 27001 6.2; the reference's programme elements 1 and 15): a
// statement, the [Measure] package evidence computes for it, the target
// and its direction, the scope the measure is taken over and the period
// it is judged per. In a plan file:
//
//	objectives:
//	  - id: training-participation
//	    statement: Employees take part in security awareness training
//	    measure: participation
//	    target: 90%
//	    scope: {topic: training, stakeholder: employees}
//	    period: yearly
//	  - {id: feedback-handled, measure: feedback-response-time, target: 5bd, period: quarterly}
//	  - {id: satisfied, measure: satisfaction, target: 4, period: yearly}
//
// An objective without a measure, a target or a period is well formed but
// not measurable ([Objective.Measurable]); package matrix reports a plan
// that has no measurable objective. What is given is checked: a target in
// the form its measure takes (a percentage for a rate, a deadline's form
// for a duration, a score on the plan's feedback scale for satisfaction),
// a scope that names what the plan declares.
type Objective struct {
	ID string `yaml:"id" json:"id"`
	// Statement says the objective in words ("Ensure all employees
	// understand and adhere to information security policies").
	Statement string `yaml:"statement,omitempty" json:"statement,omitempty"`
	// Measure is what is measured; empty: the objective is not measurable.
	Measure Measure `yaml:"measure,omitempty" json:"measure,omitempty"`
	// Target is the value to reach, in the form the measure's kind takes
	// ([Measure.Kind]): a percentage from 0% to 100% with at most two
	// decimals for a rate ("95%", "99.5%"); a deadline's form for a
	// duration ("24h", "5bd"; business days in the calendar of what is
	// measured); a number on the plan's feedback scale, with at most two
	// decimals, for a score ("4", "4.25"). [Objective.ParseTarget] reads it.
	Target string `yaml:"target,omitempty" json:"target,omitempty"`
	// Direction says whether the measure must be at least or at most the
	// target; empty means the measure's own ([Measure.Direction]), the
	// only one a plan may name: a rate or a score is better higher, a
	// duration shorter, and the other direction would call an objective
	// met for doing worse (validation refuses it).
	Direction Direction `yaml:"direction,omitempty" json:"direction,omitempty"`
	// Scope narrows what is measured; the zero scope is the whole plan.
	Scope ObjectiveScope `yaml:"scope,omitempty" json:"scope,omitzero"`
	// Period is how often the objective is judged: each calendar month,
	// quarter or year of the plan's zone is met, missed or without
	// enough data.
	Period Period `yaml:"period,omitempty" json:"period,omitempty"`
}

// ObjectiveScope narrows what an objective measures. Each field set
// narrows it further (they intersect): {topic: training, stakeholder:
// employees} is the training activities' reach of the employees. The zero
// ObjectiveScope is the whole plan.
type ObjectiveScope struct {
	// Activity is the ID of one activity.
	Activity string `yaml:"activity,omitempty" json:"activity,omitempty"`
	// Stakeholder is the ID of a stakeholder: the activities that reach
	// it and, for the feedback measures, the feedback it gave.
	Stakeholder string `yaml:"stakeholder,omitempty" json:"stakeholder,omitempty"`
	// Topic is the activities of one topic.
	Topic Topic `yaml:"topic,omitempty" json:"topic,omitempty"`
}

// IsZero reports whether s is the whole plan.
func (s ObjectiveScope) IsZero() bool { return s == ObjectiveScope{} }

// Measurable reports whether o can be judged: it has a measure, a target
// and a period. (Whether they are well formed is [Plan.Validate]'s to
// say.)
func (o Objective) Measurable() bool {
	return o.Measure != "" && o.Target != "" && o.Period != ""
}

// DirectionOf returns the direction o is judged in: its own, or its
// measure's default.
func (o Objective) DirectionOf() Direction {
	if o.Direction != "" {
		return o.Direction
	}
	return o.Measure.Direction()
}

// Measure is what an objective measures. Package evidence computes each
// over the records of a period, for the objective's scope. Values are
// persisted; their meaning never changes and new ones are added at the
// end.
type Measure string

// Measures, with what each computes.
const (
	// MeasureOnTimeRate (a rate): the share of the occurrences and
	// triggered communications due in the period that were sent by their
	// deadline: on time / (on time + late + missed).
	MeasureOnTimeRate Measure = "on-time-rate"
	// MeasureCoverage (a rate): the share of them that have evidence at
	// all, on time or late: (on time + late) / (on time + late + missed).
	MeasureCoverage Measure = "coverage"
	// MeasureAcknowledgementRate (a rate): the share of the people due to
	// acknowledge a message who did (acknowledgement records against the
	// roster; for a message that is not versioned, the records'
	// Acknowledged / Reached).
	MeasureAcknowledgementRate Measure = "acknowledgement-rate"
	// MeasureParticipation (a rate): the share of the people of the
	// audiences addressed who were reached or took part (the records'
	// Reached over the stakeholders' sizes): the reference's "employee
	// participation rates in training programs" with topic training.
	MeasureParticipation Measure = "participation"
	// MeasureNotificationTimeliness (a duration): the longest time, in the
	// period, from the milestone that triggered a communication to the
	// communication (the reference's "incident reporting timeliness");
	// one not sent counts with the time that has passed. The worst case,
	// not an average: one late notification is what a regulator sees.
	MeasureNotificationTimeliness Measure = "notification-timeliness"
	// MeasureSatisfaction (a score): the mean score of the feedback
	// records received in the period, on the plan's feedback scale
	// ([Feedback.Scale]): the reference's "stakeholder satisfaction with
	// communication effectiveness".
	MeasureSatisfaction Measure = "satisfaction"
	// MeasureFeedbackResponseTime (a duration): the longest time, in the
	// period, from receiving feedback to handling it; feedback not yet
	// handled counts with the time that has passed.
	MeasureFeedbackResponseTime Measure = "feedback-response-time"
)

// Measures lists every Measure.
func Measures() []Measure {
	return []Measure{
		MeasureOnTimeRate, MeasureCoverage, MeasureAcknowledgementRate, MeasureParticipation,
		MeasureNotificationTimeliness, MeasureSatisfaction, MeasureFeedbackResponseTime,
	}
}

// Valid reports whether m is a known Measure.
func (m Measure) Valid() bool { return slices.Contains(Measures(), m) }

// Kind returns what m's values are: a rate, a duration or a score; ""
// for an unknown measure.
func (m Measure) Kind() MeasureKind {
	switch m {
	case MeasureOnTimeRate, MeasureCoverage, MeasureAcknowledgementRate, MeasureParticipation:
		return MeasureKindRate
	case MeasureNotificationTimeliness, MeasureFeedbackResponseTime:
		return MeasureKindDuration
	case MeasureSatisfaction:
		return MeasureKindScore
	}
	return ""
}

// Direction returns m's default direction: at most for a duration (less
// is better), at least otherwise; "" for an unknown measure.
func (m Measure) Direction() Direction {
	switch m.Kind() {
	case MeasureKindDuration:
		return DirectionAtMost
	case MeasureKindRate, MeasureKindScore:
		return DirectionAtLeast
	}
	return ""
}

// MeasureKind is what the values of a [Measure] are, and so the form of
// an objective's target.
type MeasureKind string

// Measure kinds.
const (
	// MeasureKindRate: a share, its target a percentage ("95%").
	MeasureKindRate MeasureKind = "rate"
	// MeasureKindDuration: a time, its target a deadline's form ("5bd").
	MeasureKindDuration MeasureKind = "duration"
	// MeasureKindScore: a score on the plan's feedback scale ("4.5").
	MeasureKindScore MeasureKind = "score"
)

// Direction says on which side of its target an objective is met.
type Direction string

// Directions. Values are persisted; their meaning never changes.
const (
	// DirectionAtLeast: met when the measure is the target or more.
	DirectionAtLeast Direction = "at-least"
	// DirectionAtMost: met when the measure is the target or less.
	DirectionAtMost Direction = "at-most"
)

// Directions lists every Direction.
func Directions() []Direction { return []Direction{DirectionAtLeast, DirectionAtMost} }

// Valid reports whether d is a known Direction.
func (d Direction) Valid() bool { return slices.Contains(Directions(), d) }

// Period is how often an objective is judged.
type Period string

// Periods: calendar months, quarters and years of the plan's zone.
// Values are persisted; new ones are added at the end.
const (
	PeriodMonthly   Period = "monthly"
	PeriodQuarterly Period = "quarterly"
	PeriodYearly    Period = "yearly"
)

// Periods lists every Period.
func Periods() []Period { return []Period{PeriodMonthly, PeriodQuarterly, PeriodYearly} }

// Valid reports whether p is a known Period.
func (p Period) Valid() bool { return slices.Contains(Periods(), p) }

// Target is an objective's target, read by [Objective.ParseTarget].
type Target struct {
	// Kind is the kind of the objective's measure.
	Kind MeasureKind
	// Hundredths is, for a rate, the percentage in hundredths of a percent
	// (9500 for "95%", 0 to 10000) and, for a score, the score in
	// hundredths of a point (425 for "4.25"); 0 for a duration.
	Hundredths int
	// Within is, for a duration, the target in a deadline's form as
	// written ("5bd"), which schedule.ParseDeadline reads; "" otherwise.
	Within string
}

// ParseTarget reads o's Target in the form its measure takes. It checks
// the form only: whether a score is on the plan's feedback scale is
// [Plan.Validate]'s to say.
func (o Objective) ParseTarget() (Target, error) {
	t := Target{Kind: o.Measure.Kind()}
	switch t.Kind {
	case "":
		return Target{}, fmt.Errorf("comms: objective %s: a target needs a known measure, which says what the target is a number of", o.ID)
	case MeasureKindRate:
		bp, ok := parseHundredths(strings.TrimSuffix(o.Target, "%"), 3)
		if !ok || !strings.HasSuffix(o.Target, "%") || bp > 10000 {
			return Target{}, fmt.Errorf("comms: objective %s: %s is not a target for %s, a rate: write a percentage from 0%% to 100%% with at most two decimals, such as 95%% or 99.5%%", o.ID, quoteValue(o.Target), o.Measure)
		}
		t.Hundredths = bp
	case MeasureKindDuration:
		if len(o.Target) > 32 {
			return Target{}, fmt.Errorf("comms: objective %s: %s is not a target for %s, a duration: write a deadline's form, such as 24h, 5bd or 1mo", o.ID, quoteValue(o.Target), o.Measure)
		}
		if _, _, err := deadline.Parse(o.Target); err != nil {
			return Target{}, fmt.Errorf("comms: objective %s: %s is not a target for %s, a duration: write a deadline's form, such as 24h, 5bd or 1mo (%w)", o.ID, quoteValue(o.Target), o.Measure, err)
		}
		t.Within = o.Target
	case MeasureKindScore:
		h, ok := parseHundredths(o.Target, 3)
		if !ok {
			return Target{}, fmt.Errorf("comms: objective %s: %s is not a target for %s, a score: write a number on the plan's feedback scale with at most two decimals, such as 4 or 4.25", o.ID, quoteValue(o.Target), o.Measure)
		}
		t.Hundredths = h
	}
	return t, nil
}

// parseHundredths reads a number of at most maxWhole digits and at most
// two decimals ("95", "99.5", "4.25") into hundredths. A whole part of
// more than one digit does not start with 0.
func parseHundredths(s string, maxWhole int) (int, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > maxWhole || (len(whole) > 1 && whole[0] == '0') || (dot && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if frac != "" {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}

// Requirement is what a stakeholder needs to be told or expects (ISO/IEC
// 27001 4.2: the needs and expectations of interested parties), and the
// activities that meet it. In a plan file, under a stakeholder:
//
//	requirements:
//	  - id: breach-72h
//	    text: Notified of personal-data breaches affecting them within 72 h
//	    activities: [customer-breach-notice]
//
// Requirement IDs are unique in the plan. Whether the activities reach
// the stakeholder, and which requirements no activity meets, is for
// package matrix to check.
type Requirement struct {
	ID string `yaml:"id" json:"id"`
	// Text says the requirement in words.
	Text string `yaml:"text,omitempty" json:"text,omitempty"`
	// Activities lists the IDs of the activities that meet it.
	Activities []string `yaml:"activities,omitempty" json:"activities,omitempty"`
}

// Feedback is the plan's feedback policy (the reference's programme
// element 8): the scale feedback is scored on and how soon feedback
// received must be handled. In a plan file:
//
//	feedback: {scale: {min: 1, max: 5}, handle_within: 5bd}
//
// Feedback received is recorded as records of type [RecordTypeFeedback].
type Feedback struct {
	// Scale is the scale scores are given on; nil: feedback carries no
	// scores, and satisfaction cannot be measured.
	Scale *Scale `yaml:"scale,omitempty" json:"scale,omitempty"`
	// HandleWithin is how soon feedback must be handled after it was
	// received, in a deadline's form (5bd, 72h); empty: no deadline, and
	// no feedback is ever overdue.
	HandleWithin string `yaml:"handle_within,omitempty" json:"handle_within,omitempty"`
	// Calendar is the ID of the calendar business days of HandleWithin
	// are counted in; empty means the plan's zone with a Saturday-Sunday
	// weekend and no holidays.
	Calendar string `yaml:"calendar,omitempty" json:"calendar,omitempty"`
}

// Scale is a scale of whole-number scores from Min to Max, both
// included: 1 to 5 for a five-point rating, 0 to 10 for a
// likely-to-recommend question. 0 <= Min < Max <= [MaxScale].
type Scale struct {
	Min int `yaml:"min" json:"min"`
	Max int `yaml:"max" json:"max"`
}

// MaxScale is the largest top of a feedback scale.
const MaxScale = 100

// Contains reports whether score is on the scale.
func (s Scale) Contains(score int) bool { return score >= s.Min && score <= s.Max }

// Objective returns the objective with the given ID.
func (p Plan) Objective(id string) (Objective, bool) {
	return find(p.Objectives, id, func(o Objective) string { return o.ID })
}

// Requirement returns the requirement with the given ID and the
// stakeholder that holds it.
func (p Plan) Requirement(id string) (Requirement, Stakeholder, bool) {
	for _, s := range p.Stakeholders {
		for _, r := range s.Requirements {
			if r.ID == id {
				return r, s, true
			}
		}
	}
	return Requirement{}, Stakeholder{}, false
}
