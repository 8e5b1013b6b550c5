package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// ReviewOptions say what a management-review input covers. The zero value
// takes the changes since the plan's approval.
type ReviewOptions struct {
	// Since is when the last management review was held: the changes are
	// the plan versions saved from then on. Zero: from the last review
	// the records show ([Assessment.LastReview]: the latest record of an
	// activity of topic management-review, such as the one
	// [ReviewInput.Record] makes of the input, but for the review whose
	// occurrence is open at Now), else from the day after the approval of
	// the plan in force (Assessment.Approved), or, without one, from the
	// start of the period.
	Since time.Time
}

// Where a review's Since came from (ReviewInput.SinceFrom). Values are
// persisted (JSON).
const (
	SinceOption   = "option"   // ReviewOptions.Since
	SinceReview   = "review"   // the last management review recorded (Assessment.LastReview)
	SinceApproval = "approval" // the day after the plan's approval
	SincePeriod   = "period"   // the start of the period
)

// ReviewInput is the evidence package's input to a management review
// (ISO/IEC 27001:2022 9.3.2 c–d; the reference's procedure 6.2: "include
// communication effectiveness as part of management reviews"): the
// objectives met and missed, the indicators and their trends, what is
// overdue and missed, feedback from interested parties and its handling,
// drills, incidents and their notifications, and the changes to the plan
// since the last review.
//
// Every figure in it is one the [Assessment] it was made from holds, or
// a count or trend of those figures: nothing is measured again, so the
// review and the evidence report never disagree. It is made by
// [Assessment.ManagementReview]; a ReviewInput built otherwise cannot be
// written. It is safe for concurrent readers; nothing changes it.
type ReviewInput struct {
	Tenant       string
	PlanID       string
	Organization string
	TimeZone     string
	From, To     time.Time
	Now          time.Time
	// Chain is the Assessment's: the figures are only as good as the
	// records they are computed from.
	Chain Chain
	// Objectives are the plan's objectives with their standing; the
	// counts say how many stand met or missed on a complete period, met
	// or missed so far (only a period not over has data:
	// ReviewObjective.SoFar), without data, or are not judged
	// (ObjectiveResult.Problem). ObjectivesMet and ObjectivesMissed never
	// count a partial period.
	Objectives                                []ReviewObjective
	ObjectivesMet, ObjectivesMissed           int
	ObjectivesMetSoFar, ObjectivesMissedSoFar int
	ObjectivesNoData, ObjectivesNotJudged     int
	KPIs                                      ReviewKPIs
	// Overdue are the missed occurrences (Assessment.KPIs.Overdue).
	Overdue []Occurrence
	// Acknowledgements are the versioned messages' totals at the reference
	// time (Assessment.Acknowledgements, without the people).
	Acknowledgements []ReviewAcks
	Feedback         ReviewFeedback
	// Drills are those held in the period; DrillsPlanned says the plan in
	// force plans them (Assessment.DrillYears is listed), and
	// YearsWithoutDrill are the complete years without one.
	Drills            []ReviewDrill
	DrillsPlanned     bool
	YearsWithoutDrill []int
	// Incidents are the real events whose triggered communications the
	// period holds, each with how they went; Timeliness is
	// Assessment.KPIs.Timeliness, per obligation.
	Incidents  []ReviewIncident
	Timeliness []Timeliness
	// Since is when the changes start, and SinceFrom where it came from
	// ([SinceOption], [SinceApproval], [SincePeriod]). Changes are the plan
	// versions saved at or after Since among those the Assessment lists
	// (the versions in force during the period); ChangesFrom is the later
	// of Since and the start of the period: a version saved earlier and
	// replaced before the period began is not known to the Assessment.
	Since, ChangesFrom time.Time
	SinceFrom          string
	Changes            []VersionInfo
	// RecordProblems counts the records the Assessment counted nowhere
	// (Assessment.RecordProblems): the evidence report lists them.
	RecordProblems int

	rep  *Assessment
	opts ReviewOptions
}

// ReviewObjective is one objective and where it stands: the status of
// its latest complete period with data (Latest) or, when no complete
// period has data, of its latest partial one (SoFar: the standing is "so
// far"); its periods met, missed and without data, and its trend.
type ReviewObjective struct {
	ID        string
	Statement string
	Measure   comms.Measure
	Kind      comms.MeasureKind
	Target    string
	Direction comms.Direction
	Period    comms.Period
	// Standing is Latest's status, ObjectiveNoData when no period has
	// data or the objective is not judged; SoFar says Latest is partial
	// (no complete period has data).
	Standing ObjectiveStatus
	Latest   *ObjectivePeriod
	SoFar    bool
	Met      int
	Missed   int
	NoData   int
	Trend    Trend
	Problem  string
}

// ReviewKPIs are the Assessment's totals and monthly series, with the
// trends of the on-time rate and coverage from the first month judged to
// the last.
type ReviewKPIs struct {
	Occurrences, OnTime, Late, Missed, Due, Upcoming, Waived, AdHoc, Deviations int
	// OnTimeRate and Coverage are negative when nothing was judged.
	OnTimeRate, Coverage float64
	Monthly              []Month
	// OnTimeTrend and CoverageTrend compare the first and the last month
	// with anything judged; empty with fewer than two such months.
	OnTimeTrend, CoverageTrend Trend
}

// ReviewAcks is one versioned message's acknowledgement totals.
type ReviewAcks struct {
	ActivityID string
	AckCounts
}

// ReviewFeedback is the feedback received and its handling: the totals
// and, per stakeholder, Assessment.Feedback's figures, and the items that
// are overdue or were handled late.
type ReviewFeedback struct {
	HandleWithin  string
	Scale         *comms.Scale
	At            time.Time
	Total         FeedbackCounts
	ByStakeholder []FeedbackGroup
	Overdue       []FeedbackItem
	HandledLate   []FeedbackItem
}

// ReviewDrill is one drill held, with its deadlines' counts and how many
// lessons were recorded.
type ReviewDrill struct {
	EventID, Title, Exercises, Scenario string
	Start                               time.Time
	Met, Late, Missed, Open, Lessons    int
}

// ReviewIncident is one real event and its triggered communications in
// the period: their statuses and the legal notifications among them.
type ReviewIncident struct {
	EventID string
	// Start is the earliest trigger among its communications.
	Start                                 time.Time
	Communications                        int
	OnTime, Late, Missed, Pending, Waived int
	Notifications                         []Notification
}

// standing is the period an objective stands by: its latest complete
// period with data, else its latest partial one with data, else nil.
// A partial period (the current month, three days in) never outranks a
// complete one.
func standing(periods []ObjectivePeriod) *ObjectivePeriod {
	var partial *ObjectivePeriod
	for i := len(periods) - 1; i >= 0; i-- {
		p := periods[i]
		switch {
		case p.Status == ObjectiveNoData:
		case !p.Partial:
			return &p
		case partial == nil:
			partial = &p
		}
	}
	return partial
}

// ManagementReview returns the management-review input of rep (see
// [ReviewInput]). rep is not changed.
func (rep *Assessment) ManagementReview(opts ReviewOptions) *ReviewInput {
	r := &ReviewInput{Tenant: rep.Tenant, PlanID: rep.PlanID, Organization: rep.Organization, TimeZone: rep.TimeZone,
		From: rep.From, To: rep.To, Now: rep.Now, Chain: rep.Chain, rep: rep, opts: opts,
		Overdue: rep.KPIs.Overdue, Timeliness: rep.KPIs.Timeliness, RecordProblems: len(rep.RecordProblems)}
	loc := rep.location()
	for _, o := range rep.Objectives {
		ro := ReviewObjective{ID: o.ID, Statement: o.Statement, Measure: o.Measure, Kind: o.Kind, Target: o.Target, Direction: o.Direction,
			Period: o.Period, Standing: ObjectiveNoData, Met: o.Met, Missed: o.Missed, NoData: o.NoData, Trend: o.Trend, Problem: o.Problem}
		if o.Problem == "" {
			ro.Latest = standing(o.Periods)
		}
		if ro.Latest != nil {
			ro.Standing, ro.SoFar = ro.Latest.Status, ro.Latest.Partial
		}
		switch {
		case o.Problem != "":
			r.ObjectivesNotJudged++
		case ro.Standing == ObjectiveMet && ro.SoFar:
			r.ObjectivesMetSoFar++
		case ro.Standing == ObjectiveMissed && ro.SoFar:
			r.ObjectivesMissedSoFar++
		case ro.Standing == ObjectiveMet:
			r.ObjectivesMet++
		case ro.Standing == ObjectiveMissed:
			r.ObjectivesMissed++
		default:
			r.ObjectivesNoData++
		}
		r.Objectives = append(r.Objectives, ro)
	}
	k := rep.KPIs
	r.KPIs = ReviewKPIs{Occurrences: k.Occurrences, OnTime: k.OnTime, Late: k.Late, Missed: k.Missed, Due: k.Due, Upcoming: k.Upcoming,
		Waived: k.Waived, AdHoc: k.AdHoc, Deviations: k.Deviations, OnTimeRate: k.OnTimeRate, Coverage: k.Coverage, Monthly: rep.Monthly}
	r.KPIs.OnTimeTrend = monthTrend(rep.Monthly, func(m Month) float64 { return m.OnTimeRate })
	r.KPIs.CoverageTrend = monthTrend(rep.Monthly, func(m Month) float64 { return m.Coverage })
	for _, s := range rep.Acknowledgements {
		r.Acknowledgements = append(r.Acknowledgements, ReviewAcks{ActivityID: s.ActivityID, AckCounts: s.Total})
	}
	f := rep.Feedback
	r.Feedback = ReviewFeedback{HandleWithin: f.HandleWithin, Scale: f.Scale, At: f.At, Total: f.Total, ByStakeholder: f.ByStakeholder}
	for _, it := range f.Items {
		switch it.State {
		case FeedbackOverdue:
			r.Feedback.Overdue = append(r.Feedback.Overdue, it)
		case FeedbackHandledLate:
			r.Feedback.HandledLate = append(r.Feedback.HandledLate, it)
		}
	}
	for _, d := range rep.Drills {
		r.Drills = append(r.Drills, ReviewDrill{EventID: d.EventID, Title: d.Title, Exercises: d.Exercises, Scenario: d.Scenario, Start: d.Start,
			Met: d.Met, Late: d.Late, Missed: d.Missed, Open: d.Open, Lessons: len(d.Lessons)})
	}
	r.DrillsPlanned = len(rep.DrillYears) > 0
	for _, y := range rep.DrillYears {
		if y.Missing() {
			r.YearsWithoutDrill = append(r.YearsWithoutDrill, y.Year)
		}
	}
	r.Incidents = rep.reviewIncidents()
	last := rep.LastReview
	switch {
	case !opts.Since.IsZero():
		r.Since, r.SinceFrom = opts.Since.In(loc), SinceOption
	case !last.IsZero():
		r.Since, r.SinceFrom = last.In(loc), SinceReview
	case rep.Approved != nil && !rep.Approved.Date.IsZero():
		d := rep.Approved.Date
		r.Since, r.SinceFrom = time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc), SinceApproval
	default:
		r.Since, r.SinceFrom = rep.From, SincePeriod
	}
	r.ChangesFrom = later(r.Since, rep.From)
	for _, v := range rep.Versions {
		if !v.SavedAt.IsZero() && !v.SavedAt.Before(r.Since) {
			r.Changes = append(r.Changes, v)
		}
	}
	return r
}

// ReviewSubject begins the subject of the record [ReviewInput.Record]
// makes.
const ReviewSubject = "Management-review input"

// Record returns the record that the input, as written in body (the
// bytes of WriteMarkdown or WriteHTML), was communicated at at through
// activity a of the plan, of topic management-review: the input of the
// plan's own review, in the tenant's log. Its digest is body's, so that
// the file handed to management can be proven to be the one recorded;
// its subject names the period, its note the headline figures, and its
// channel, audiences and role are the activity's first channel, its
// audiences and its owner. Append it with [AppendRecord]; the next
// review's changes start from it ([ReviewOptions.Since]).
func (in *ReviewInput) Record(a comms.Activity, body []byte, at time.Time) (comms.Record, error) {
	if len(body) == 0 {
		return comms.Record{}, fmt.Errorf("%w: record review input: no body: record the input as it was written", ErrInvalid)
	}
	return in.RecordDigest(a, comms.Digest(body), at)
}

// RecordDigest is [ReviewInput.Record] for a body written elsewhere
// (streamed to a file), given by its digest (comms.Digest's form).
func (in *ReviewInput) RecordDigest(a comms.Activity, digest string, at time.Time) (comms.Record, error) {
	if a.What.Topic != comms.TopicManagementReview {
		return comms.Record{}, fmt.Errorf("%w: record review input: activity %s is of topic %q, not %s: the input goes to the plan's management review", ErrInvalid, a.ID, a.What.Topic, comms.TopicManagementReview)
	}
	if hexPart, ok := strings.CutPrefix(digest, comms.DigestPrefix); !ok || len(hexPart) != 64 || strings.Trim(hexPart, "0123456789abcdef") != "" {
		return comms.Record{}, fmt.Errorf("%w: record review input: %q is not a digest (sha256: and 64 hex digits)", ErrInvalid, digest)
	}
	r := comms.Record{Type: comms.RecordTypeSent, PlanID: in.PlanID, ActivityID: a.ID, SentAt: at,
		Audiences: slices.Clone(a.Whom), SenderRole: a.Owner, Digest: digest,
		Subject: fmt.Sprintf("%s %s to %s", ReviewSubject, in.From.Format("2006-01-02"), in.To.Format("2006-01-02")),
		Note: fmt.Sprintf("objectives met %d, missed %d (so far: met %d, missed %d); occurrences %d, missed %d; feedback received %d; drills %d; incidents %d; plan versions since %s: %d",
			in.ObjectivesMet, in.ObjectivesMissed, in.ObjectivesMetSoFar, in.ObjectivesMissedSoFar, in.KPIs.Occurrences, in.KPIs.Missed,
			in.Feedback.Total.Received, len(in.Drills), len(in.Incidents), in.Since.Format("2006-01-02"), len(in.Changes))}
	if len(a.How) > 0 {
		r.Channel = a.How[0]
	}
	return r, nil
}

// reviewIncidents groups the triggered occurrences of rep (real events
// only: a drill's are never among them) by event, with the legal
// notifications of each.
func (rep *Assessment) reviewIncidents() []ReviewIncident {
	byID := map[string]*ReviewIncident{}
	var order []string
	for _, o := range rep.Occurrences {
		if o.EventID == "" {
			continue
		}
		in, ok := byID[o.EventID]
		if !ok {
			in = &ReviewIncident{EventID: o.EventID, Start: o.At}
			byID[o.EventID] = in
			order = append(order, o.EventID)
		}
		if o.At.Before(in.Start) {
			in.Start = o.At
		}
		in.Communications++
		switch o.Status {
		case StatusOnTime:
			in.OnTime++
		case StatusLate:
			in.Late++
		case StatusMissed:
			in.Missed++
		case StatusDue, StatusUpcoming:
			in.Pending++
		case StatusWaived:
			in.Waived++
		}
	}
	for _, n := range rep.KPIs.Notifications {
		if in, ok := byID[n.EventID]; ok {
			in.Notifications = append(in.Notifications, n)
		}
	}
	out := make([]ReviewIncident, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	slices.SortStableFunc(out, func(a, b ReviewIncident) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.EventID, b.EventID)
	})
	return out
}

// monthTrend compares the first and the last month with anything judged
// (a rate that only rises is improving).
func monthTrend(months []Month, rate func(Month) float64) Trend {
	var vals []float64
	for _, m := range months {
		if m.Judged > 0 {
			vals = append(vals, rate(m))
		}
	}
	if len(vals) < 2 {
		return ""
	}
	const eps = 1e-9
	first, last := vals[0], vals[len(vals)-1]
	switch {
	case last > first+eps:
		return TrendImproving
	case last < first-eps:
		return TrendWorsening
	}
	return TrendSteady
}
