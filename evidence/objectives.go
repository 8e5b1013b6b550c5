package evidence

import (
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

// ObjectiveStatus is how an objective fared in one period. Values are
// persisted (JSON).
type ObjectiveStatus string

// Objective statuses.
const (
	ObjectiveMet    ObjectiveStatus = "met"
	ObjectiveMissed ObjectiveStatus = "missed"
	// ObjectiveNoData: nothing in the period to measure (see
	// [ObjectivePeriod.Basis]).
	ObjectiveNoData ObjectiveStatus = "no-data"
)

// Trend is how an objective's measure moved over its periods. Values are
// persisted (JSON).
type Trend string

// Trends: from the first period with data to the last, in the
// objective's direction (a shorter time is an improvement for an
// at-most objective). Empty when fewer than two periods have data.
const (
	TrendImproving Trend = "improving"
	TrendWorsening Trend = "worsening"
	TrendSteady    Trend = "steady"
)

// ObjectivePeriod is one period of an objective: a calendar month,
// quarter or year of the plan's zone, cut to the report's range.
type ObjectivePeriod struct {
	// Label is "2026-03", "2026-Q1" or "2026".
	Label string `json:"label"`
	// From (inclusive) and To (exclusive) are the period within the
	// report's range.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Partial says the period is cut by the report's range or not over at
	// Now: its status is so far.
	Partial bool            `json:"partial,omitempty"`
	Status  ObjectiveStatus `json:"status"`
	// Value is the measure, for a rate (0 to 1) or a score; Duration for
	// a duration (the longest time). Meaningless for no-data. JSON:
	// "value" for a rate or score, "value_seconds" for a duration, null
	// for no-data.
	Value    float64       `json:"-"`
	Duration time.Duration `json:"-"`
	// Basis is how many things the value is computed from: occurrences
	// judged (on-time-rate, coverage), people due and records with a
	// reach (acknowledgement-rate), records with a reach and an
	// audience of known size (participation), triggered communications (notification-
	// timeliness), feedback scored (satisfaction) or received
	// (feedback-response-time). Zero is no-data.
	Basis int `json:"basis"`

	duration bool // the measure is a duration: JSON writes value_seconds
}

// ObjectiveResult is one objective of the plan in force at Now, judged
// per period over the report's range.
type ObjectiveResult struct {
	ID        string               `json:"id"`
	Statement string               `json:"statement,omitempty"`
	Measure   comms.Measure        `json:"measure,omitempty"`
	Kind      comms.MeasureKind    `json:"kind,omitempty"`
	Target    string               `json:"target,omitempty"`
	Direction comms.Direction      `json:"direction,omitempty"`
	Scope     comms.ObjectiveScope `json:"scope,omitzero"`
	Period    comms.Period         `json:"period,omitempty"`
	Periods   []ObjectivePeriod    `json:"periods"`
	// Met, Missed and NoData count Periods by status.
	Met    int   `json:"met"`
	Missed int   `json:"missed"`
	NoData int   `json:"no_data"`
	Trend  Trend `json:"trend,omitempty"`
	// Problem says why the objective is not judged (not measurable, a
	// target that does not read); empty when it is.
	Problem string `json:"problem,omitempty"`
}

// objectives judges each objective of the plan in force at Now.
func (rep *Assessment) objectives(segs []segment, versions []store.Version, in Input) error {
	cur := inForce(segs, in.Now).Plan
	var x *objectiveIndex // built for the first objective judged
	for _, o := range cur.Objectives {
		res := ObjectiveResult{ID: o.ID, Statement: o.Statement, Measure: o.Measure, Kind: o.Measure.Kind(), Target: o.Target,
			Direction: o.DirectionOf(), Scope: o.Scope, Period: o.Period}
		target, err := o.ParseTarget()
		switch {
		case !o.Measurable():
			res.Problem = "not measurable: it needs a measure, a target and a period"
		case !o.Measure.Valid() || !o.Period.Valid() || !res.Direction.Valid():
			res.Problem = fmt.Sprintf("not judged: measure %q, period %q or direction %q is unknown", o.Measure, o.Period, res.Direction)
		case err != nil:
			res.Problem = "not judged: " + err.Error()
		}
		if res.Problem != "" {
			rep.Objectives = append(rep.Objectives, res)
			continue
		}
		var within schedule.Deadline
		if target.Kind == comms.MeasureKindDuration {
			if within, err = schedule.ParseDeadline(target.Within); err != nil {
				res.Problem = "not judged: " + err.Error()
				rep.Objectives = append(rep.Objectives, res)
				continue
			}
		}
		if x == nil {
			x = newObjectiveIndex(rep, segs)
		}
		j := judge{rep: rep, segs: segs, versions: versions, in: in, o: o, target: target, within: within, x: x}
		for _, p := range rep.periods(o.Period, in) {
			p.duration = target.Kind == comms.MeasureKindDuration
			if err := j.period(&p); err != nil {
				return err
			}
			switch p.Status {
			case ObjectiveMet:
				res.Met++
			case ObjectiveMissed:
				res.Missed++
			default:
				res.NoData++
			}
			res.Periods = append(res.Periods, p)
		}
		res.Trend = trendOf(res)
		rep.Objectives = append(rep.Objectives, res)
	}
	if x != nil {
		rep.objectiveVisits = x.visited
	}
	return nil
}

// periods returns the calendar periods of kind p (in the report's zone)
// that meet the report's range, cut to it.
func (rep *Assessment) periods(p comms.Period, in Input) []ObjectivePeriod {
	from, to := rep.From, rep.To
	var start time.Time
	step := 1
	switch p {
	case comms.PeriodMonthly:
		start = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, rep.loc)
	case comms.PeriodQuarterly:
		start = time.Date(from.Year(), (from.Month()-1)/3*3+1, 1, 0, 0, 0, 0, rep.loc)
		step = 3
	default:
		start = time.Date(from.Year(), 1, 1, 0, 0, 0, 0, rep.loc)
		step = 12
	}
	var out []ObjectivePeriod
	for t := start; t.Before(to); {
		next := time.Date(t.Year(), t.Month()+time.Month(step), 1, 0, 0, 0, 0, rep.loc)
		label := t.Format("2006-01")
		switch p {
		case comms.PeriodQuarterly:
			label = fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
		case comms.PeriodYearly:
			label = t.Format("2006")
		}
		pp := ObjectivePeriod{Label: label, From: later(t, from), To: earlier(next, to)}
		pp.Partial = !pp.From.Equal(t) || !pp.To.Equal(next) || next.After(in.Now)
		out = append(out, pp)
		t = next
	}
	return out
}

// judge measures one objective.
type judge struct {
	rep      *Assessment
	segs     []segment
	versions []store.Version
	in       Input
	o        comms.Objective
	target   comms.Target
	within   schedule.Deadline
	x        *objectiveIndex
}

// inScope reports whether activity a (of the plan version ix indexes)
// is in the objective's scope.
func (j judge) inScope(a comms.Activity) bool {
	s := j.o.Scope
	return (s.Activity == "" || a.ID == s.Activity) && (s.Topic == "" || a.What.Topic == s.Topic) &&
		(s.Stakeholder == "" || slices.Contains(a.Whom, s.Stakeholder))
}

func inPeriod(t time.Time, p *ObjectivePeriod) bool { return !t.Before(p.From) && t.Before(p.To) }

// period measures p and sets its value, basis and status.
func (j judge) period(p *ObjectivePeriod) error {
	switch j.o.Measure {
	case comms.MeasureOnTimeRate, comms.MeasureCoverage:
		judged, good := 0, 0
		for _, i := range j.byDue(p) {
			switch o := j.rep.Occurrences[i]; o.Status {
			case StatusOnTime:
				judged++
				good++
			case StatusLate:
				judged++
				if j.o.Measure == comms.MeasureCoverage {
					good++
				}
			case StatusMissed:
				judged++
			}
		}
		j.rate(p, float64(good), float64(judged), judged)
	case comms.MeasureParticipation:
		num, den, n := j.reach(p, false, nil)
		j.rate(p, num, den, n)
	case comms.MeasureAcknowledgementRate:
		return j.acks(p)
	case comms.MeasureNotificationTimeliness:
		return j.notifications(p)
	case comms.MeasureSatisfaction:
		sum, n := 0.0, 0
		for _, i := range j.feedback(p) {
			if v, ok := j.rep.Feedback.Items[i].value(); ok {
				sum += v
				n++
			}
		}
		p.Basis = n
		if n > 0 {
			p.Value = sum / float64(n)
			p.Status = j.compare(p.Value)
		}
	case comms.MeasureFeedbackResponseTime:
		fp, err := policyOf(inForce(j.segs, j.in.Now).Plan)
		if err != nil {
			return err
		}
		var ends []span
		for _, i := range j.feedback(p) {
			it := j.rep.Feedback.Items[i]
			ends = append(ends, span{start: it.ReceivedAt, took: it.Handling, cal: fp.cal})
		}
		j.durations(p, ends)
	}
	if p.Basis == 0 {
		p.Status = ObjectiveNoData
	}
	return nil
}

// rate sets p from num/den (basis n).
func (j judge) rate(p *ObjectivePeriod, num, den float64, n int) {
	p.Basis = n
	if den <= 0 {
		p.Basis = 0
		return
	}
	p.Value = num / den
	p.Status = j.compare(p.Value)
}

// compare judges a rate (0 to 1) or a score against the target.
func (j judge) compare(v float64) ObjectiveStatus {
	t := float64(j.target.Hundredths) / 100
	if j.target.Kind == comms.MeasureKindRate {
		t /= 100
	}
	const eps = 1e-9
	met := v >= t-eps
	if j.o.DirectionOf() == comms.DirectionAtMost {
		met = v <= t+eps
	}
	if met {
		return ObjectiveMet
	}
	return ObjectiveMissed
}

// span is something timed by a duration measure: from start, it took
// took (or, still open, has taken so far), and its deadline counts in cal.
type span struct {
	start time.Time
	took  time.Duration
	cal   *schedule.Calendar
}

// durations sets p from spans: the value is the longest; an at-most
// objective is met when each ended (or, open, has run) no later than the
// target counted from its start, an at-least one when each took at least
// that long.
func (j judge) durations(p *ObjectivePeriod, spans []span) {
	p.Basis = len(spans)
	if len(spans) == 0 {
		return
	}
	p.Status = ObjectiveMet
	atMost := j.o.DirectionOf() == comms.DirectionAtMost
	for _, s := range spans {
		p.Duration = max(p.Duration, s.took)
		end, limit := s.start.Add(s.took), j.within.From(s.start, s.cal)
		if atMost && end.After(limit) || !atMost && end.Before(limit) {
			p.Status = ObjectiveMissed
		}
	}
}

// reach sums, over the records answering occurrences in scope due in p
// that say how many they reached, the people reached and the audiences'
// sizes (participation: only audiences of known size, as the report's
// reach per audience, see audienceShares) or the people acknowledged and
// reached (ack, true); skip leaves out activities measured otherwise.
// With a stakeholder scope, only that stakeholder's share counts.
func (j judge) reach(p *ObjectivePeriod, ack bool, skip map[string]bool) (num, den float64, n int) {
	for _, i := range j.byDue(p) {
		o := j.rep.Occurrences[i]
		r := o.Record
		if r == nil || o.Status == StatusWaived || skip[o.ActivityID] {
			continue
		}
		ix := j.x.acts[i].ix
		reached := r.Reached
		if reached == 0 {
			reached = len(r.Recipients)
		}
		if reached == 0 {
			continue
		}
		var rn, rd float64
		counted := false
		if ack && j.o.Scope.Stakeholder == "" {
			rn, rd, counted = float64(r.Acknowledged), float64(reached), true
		} else {
			for _, sh := range audienceShares(r, ix, j.in.Roster, o.Due.In(j.rep.loc)) {
				switch {
				case j.o.Scope.Stakeholder != "" && sh.id != j.o.Scope.Stakeholder:
					// only the stakeholder's share counts
				case ack:
					rn, rd, counted = rn+sh.acknowledged, rd+sh.reached, true
				case sh.expected > 0:
					rn, rd, counted = rn+sh.reachedOfExpected, rd+sh.expected, true
				}
			}
		}
		if !counted {
			continue // no audience in scope, or none of a known size
		}
		n++
		num, den = num+rn, den+rd
	}
	return num, den, n
}

// acks measures the acknowledgement rate: from the roster for the
// activities in scope whose message has a version at the end of p (or
// Now), from the records' counts for the others.
func (j judge) acks(p *ObjectivePeriod) error {
	var num, den float64
	n := 0
	var skip map[string]bool
	at := earlier(p.To, j.in.Now).Add(-time.Nanosecond)
	if j.in.Roster != nil && !at.Before(p.From) {
		plan := inForce(j.segs, at).Plan
		var ids []string
		for _, a := range plan.Activities {
			if j.inScope(a) && a.What.Version.Digest != "" {
				ids = append(ids, a.ID)
			}
		}
		if len(ids) > 0 {
			st, err := j.x.outstanding(j, ids, at)
			if err != nil {
				return err
			}
			skip = map[string]bool{}
			for id, s := range st {
				skip[id] = true
				c := s.Total
				if sh := j.o.Scope.Stakeholder; sh != "" {
					c = AckCounts{}
					for _, g := range s.Stakeholders {
						if g.StakeholderID == sh {
							c = g.AckCounts
						}
					}
				}
				num += float64(c.Acknowledged)
				den += float64(c.Due)
				n += c.Due
			}
		}
	}
	rn, rd, rc := j.reach(p, true, skip)
	j.rate(p, num+rn, den+rd, n+rc)
	if p.Basis == 0 {
		p.Status = ObjectiveNoData
	}
	return nil
}

// notifications measures notification timeliness: the triggered
// communications in scope whose trigger fell in p, from the trigger to
// the record or, unsent, to the reference time.
func (j judge) notifications(p *ObjectivePeriod) error {
	ref := feedbackAt(j.in)
	var spans []span
	cals := map[int]map[string]*schedule.Calendar{}
	for _, i := range j.byAt(p) {
		o := j.rep.Occurrences[i]
		if o.EventID == "" || o.Status == StatusWaived || o.At.After(ref) {
			continue
		}
		a := j.x.acts[i].a
		cs, ok := cals[o.PlanVersion]
		if !ok {
			var err error
			for _, s := range j.segs {
				if s.v.Number == o.PlanVersion {
					if cs, err = schedule.PlanCalendars(s.v.Plan); err != nil {
						return fmt.Errorf("evidence: objective %s: %w", j.o.ID, err)
					}
				}
			}
			cals[o.PlanVersion] = cs
		}
		end := ref
		switch {
		case o.Record != nil:
			end = o.Record.SentAt
		case o.HeldAs != "":
			end = o.HeldAt
		}
		spans = append(spans, span{start: o.At, took: max(end.Sub(o.At), 0), cal: cs[a.Calendar]})
	}
	j.durations(p, spans)
	if p.Basis == 0 {
		p.Status = ObjectiveNoData
	}
	return nil
}

// feedbackInScope reports whether feedback it is in the objective's
// scope: from its stakeholder, about its activity or an activity of its
// topic.
func (j judge) feedbackInScope(it FeedbackItem) bool {
	s := j.o.Scope
	if s.Stakeholder != "" && it.From != s.Stakeholder || s.Activity != "" && it.ActivityID != s.Activity {
		return false
	}
	if s.Topic != "" {
		a, ok := inForce(j.segs, it.ReceivedAt).Plan.Activity(it.ActivityID)
		return ok && a.What.Topic == s.Topic
	}
	return true
}

// trendOf compares the first and the last periods with data.
func trendOf(res ObjectiveResult) Trend {
	var vals []float64
	for _, p := range res.Periods {
		if p.Status == ObjectiveNoData {
			continue
		}
		v := p.Value
		if res.Kind == comms.MeasureKindDuration {
			v = p.Duration.Seconds()
		}
		vals = append(vals, v)
	}
	if len(vals) < 2 {
		return ""
	}
	first, last := vals[0], vals[len(vals)-1]
	const eps = 1e-9
	switch {
	case last > first+eps:
		if res.Direction == comms.DirectionAtMost {
			return TrendWorsening
		}
		return TrendImproving
	case last < first-eps:
		if res.Direction == comms.DirectionAtMost {
			return TrendImproving
		}
		return TrendWorsening
	}
	return TrendSteady
}
