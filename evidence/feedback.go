package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// FeedbackState is how far feedback received has been handled, at the
// report's reference time. Values are persisted (JSON).
type FeedbackState string

// Feedback states.
const (
	// FeedbackHandled: handled, within the plan's handle_within (or the
	// plan sets none).
	FeedbackHandled FeedbackState = "handled"
	// FeedbackHandledLate: handled, after its deadline.
	FeedbackHandledLate FeedbackState = "handled-late"
	// FeedbackOpen: not handled yet, its deadline ahead (or none).
	FeedbackOpen FeedbackState = "open"
	// FeedbackOverdue: not handled, its deadline passed.
	FeedbackOverdue FeedbackState = "overdue"
)

// FeedbackItem is one piece of feedback received in the period: a
// record of type comms.RecordTypeFeedback and the later feedback records
// that correct it (Corrects naming it, or a correction of it), of which
// the last is its current form. Its ReceivedAt is the first record's
// SentAt; its score, stakeholder, activity and HandledAt are the last
// record's. Drill records never count.
type FeedbackItem struct {
	// Seq is the first record; Last the last correction (Seq when none).
	Seq  int64 `json:"seq"`
	Last int64 `json:"last"`
	// From is the stakeholder it came from, Stakeholder its name.
	From        string `json:"from"`
	Stakeholder string `json:"stakeholder"`
	// ActivityID is the activity it is about; "" for none.
	ActivityID string    `json:"activity_id,omitempty"`
	Channel    string    `json:"channel,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	// Score is the score given, when it is on the plan's scale; a score
	// off the scale is left out here (and listed in
	// Assessment.RecordProblems).
	Score *int `json:"score,omitempty"`
	// Rescaled is Score on the scale in force at Now (Feedback.Scale)
	// when the plan version the feedback came under had another one:
	// mapped linearly, the ends onto the ends (4 of 1 to 5 is 7.5 of 0
	// to 10), so that scores given on different scales average as one.
	// Nil when the scales agree, or either is missing (Score counts as
	// given).
	Rescaled *float64 `json:"rescaled,omitempty"`
	// ScaleOf is the scale Score was given on, when Rescaled is set.
	ScaleOf *comms.Scale `json:"scale_of,omitempty"`
	// HandledAt is when it was handled; zero while it is open at the
	// reference time (Now, or the end of the period if earlier).
	HandledAt time.Time `json:"handled_at,omitzero"`
	// Due is when it had to be handled (the plan's handle_within from
	// ReceivedAt, in its calendar); zero when the plan sets no deadline.
	Due   time.Time     `json:"due,omitzero"`
	State FeedbackState `json:"state"`
	// Handling is from ReceivedAt to HandledAt or, while open, to the
	// reference time (its age). JSON: "handling_seconds".
	Handling time.Duration `json:"-"`
}

// FeedbackCounts are the figures of a set of feedback items.
type FeedbackCounts struct {
	Received    int `json:"received"`
	Handled     int `json:"handled"`      // handled, on time or late
	HandledLate int `json:"handled_late"` // handled after the deadline
	Open        int `json:"open"`         // open, deadline ahead or none
	Overdue     int `json:"overdue"`      // open past the deadline
	// Scored counts the items with a score on the scale, and Satisfaction
	// is their mean; negative when none was scored (null in JSON).
	Scored       int     `json:"scored"`
	Satisfaction float64 `json:"-"` // JSON: "satisfaction"
	// MeanHandling is the mean handling time of the items handled (zero,
	// null in JSON, when none was); Longest the longest handling time,
	// open items counting their age (the feedback-response-time measure).
	MeanHandling time.Duration `json:"-"` // JSON: "mean_handling_seconds"
	Longest      time.Duration `json:"-"` // JSON: "longest_handling_seconds"

	scoreSum    float64
	handledTime time.Duration
}

func (c *FeedbackCounts) add(it FeedbackItem) {
	c.Received++
	switch it.State {
	case FeedbackHandled:
		c.Handled++
	case FeedbackHandledLate:
		c.Handled++
		c.HandledLate++
	case FeedbackOpen:
		c.Open++
	case FeedbackOverdue:
		c.Overdue++
	}
	if !it.HandledAt.IsZero() {
		c.handledTime += it.Handling
	}
	c.Longest = max(c.Longest, it.Handling)
	if v, ok := it.value(); ok {
		c.Scored++
		c.scoreSum += v
	}
}

// value is the item's score as averaged: Rescaled when set, else Score.
func (it FeedbackItem) value() (float64, bool) {
	switch {
	case it.Rescaled != nil:
		return *it.Rescaled, true
	case it.Score != nil:
		return float64(*it.Score), true
	}
	return 0, false
}

// rescale maps score s from scale from onto scale to, the ends onto the
// ends; ok is false when the scales agree or either is missing.
func rescale(s int, from, to *comms.Scale) (float64, bool) {
	if from == nil || to == nil || *from == *to || from.Max <= from.Min {
		return 0, false
	}
	return float64(to.Min) + float64(s-from.Min)*float64(to.Max-to.Min)/float64(from.Max-from.Min), true
}

func (c *FeedbackCounts) finish() {
	c.Satisfaction = -1
	if c.Scored > 0 {
		c.Satisfaction = c.scoreSum / float64(c.Scored)
	}
	if c.Handled > 0 {
		c.MeanHandling = c.handledTime / time.Duration(c.Handled)
	}
}

// FeedbackGroup is the feedback of one stakeholder, one activity or one
// month.
type FeedbackGroup struct {
	// Key is the stakeholder's or activity's ID ("" for feedback about
	// no activity), or the month ("2026-03"); Name says it in words.
	Key  string `json:"key"`
	Name string `json:"name"`
	FeedbackCounts
}

// Feedback is the feedback received in the period (the reference's
// programme element 8, ISO/IEC 27001 9.3.2 d), and how it was handled:
// in total, per stakeholder, per activity and per month received.
type Feedback struct {
	// HandleWithin is the plan's deadline for handling feedback ("" for
	// none: then no feedback is overdue).
	HandleWithin string `json:"handle_within,omitempty"`
	// Scale is the plan's scale, nil for none.
	Scale *comms.Scale `json:"scale,omitempty"`
	// At is the reference time states and ages are judged at: Now, or the
	// end of the period if earlier.
	At            time.Time       `json:"at"`
	Total         FeedbackCounts  `json:"total"`
	ByStakeholder []FeedbackGroup `json:"by_stakeholder"`
	ByActivity    []FeedbackGroup `json:"by_activity"`
	Monthly       []FeedbackGroup `json:"monthly"`
	Items         []FeedbackItem  `json:"items"`
}

// feedbackPolicy is a plan version's feedback deadline and calendar.
type feedbackPolicy struct {
	scale  *comms.Scale
	within schedule.Deadline
	cal    *schedule.Calendar
}

func policyOf(p comms.Plan) (feedbackPolicy, error) {
	var fp feedbackPolicy
	if p.Feedback == nil {
		return fp, nil
	}
	fp.scale = p.Feedback.Scale
	if p.Feedback.HandleWithin == "" {
		return fp, nil
	}
	var err error
	if fp.within, err = schedule.ParseDeadline(p.Feedback.HandleWithin); err != nil {
		return fp, fmt.Errorf("evidence: plan %s: feedback handle_within: %w", p.ID, err)
	}
	if fp.cal, err = schedule.PlanCalendar(p, p.Feedback.Calendar); err != nil {
		return fp, fmt.Errorf("evidence: plan %s: feedback: %w", p.ID, err)
	}
	return fp, nil
}

// feedbackAt is the reference time of feedback states: Now, or the end
// of the period if earlier.
func feedbackAt(in Input) time.Time {
	if in.To.After(in.Now) {
		return in.Now
	}
	return in.To.Add(-time.Nanosecond)
}

// feedback gathers the real feedback records of the plan (records,
// already in the report's zone, of the plan, and without a drill's:
// splitDrills gave those to the drills), resolves their corrections and
// computes the figures.
func (rep *Assessment) feedback(segs []segment, records []comms.Record, in Input) error {
	fb := make([]*comms.Record, len(records))
	for i := range records {
		fb[i] = &records[i]
	}
	slices.SortStableFunc(fb, func(a, b *comms.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	problem := func(r *comms.Record, format string, args ...any) {
		if r.SentAt.Before(in.From) || !r.SentAt.Before(in.To) {
			return
		}
		rep.RecordProblems = append(rep.RecordProblems, RecordProblem{Seq: r.Seq, EventID: r.EventID, SentAt: r.SentAt, Problem: fmt.Sprintf(format, args...)})
	}
	// The first record of each chain of corrections, found in Seq order
	// (a correction names an earlier record), in one pass; lastOf[i] is
	// the last correction of root fb[i].
	rootOf := map[int64]int{}
	lastOf := make([]*comms.Record, len(fb))
	var roots []int
	for i, r := range fb {
		if r.Corrects == 0 {
			if r.Seq > 0 {
				rootOf[r.Seq] = i
			}
			lastOf[i] = r
			roots = append(roots, i)
			continue
		}
		first, ok := rootOf[r.Corrects]
		switch {
		case r.Corrects >= r.Seq && r.Seq > 0:
			problem(r, "a feedback record correcting #%d, which is not an earlier record: counted nowhere", r.Corrects)
		case ok:
			rootOf[r.Seq] = first
			lastOf[first] = r
		default:
			problem(r, "a feedback record correcting #%d, which the report does not have as feedback: counted nowhere", r.Corrects)
		}
	}
	at := feedbackAt(in)
	f := &rep.Feedback
	f.At = at.In(rep.loc)
	cur := inForce(segs, in.Now).Plan
	if cur.Feedback != nil {
		f.HandleWithin, f.Scale = cur.Feedback.HandleWithin, cur.Feedback.Scale
	}
	policies := map[int]feedbackPolicy{}
	for _, s := range segs {
		if _, done := policies[s.v.Number]; done {
			continue
		}
		fp, err := policyOf(s.v.Plan)
		if err != nil {
			return err
		}
		policies[s.v.Number] = fp
	}
	for _, i := range roots {
		r, l := fb[i], lastOf[i]
		if r.SentAt.Before(in.From) || !r.SentAt.Before(in.To) {
			continue
		}
		v := inForce(segs, r.SentAt)
		fp := policies[v.Number]
		it := FeedbackItem{Seq: r.Seq, Last: l.Seq, From: l.From, Stakeholder: l.From, ActivityID: l.ActivityID, Channel: l.Channel,
			ReceivedAt: r.SentAt}
		if s, ok := v.Plan.Index().Stakeholder(l.From); ok {
			it.Stakeholder = s.Label()
		}
		if l.Score != nil {
			switch {
			case fp.scale == nil:
				problem(l, "feedback with score %d, but plan version %d has no feedback scale: not averaged", *l.Score, v.Number)
			case !fp.scale.Contains(*l.Score):
				problem(l, "feedback with score %d, off plan version %d's scale of %d to %d: not averaged", *l.Score, v.Number, fp.scale.Min, fp.scale.Max)
			default:
				s := *l.Score
				it.Score = &s
				if v, ok := rescale(s, fp.scale, f.Scale); ok {
					sc := *fp.scale
					it.Rescaled, it.ScaleOf = &v, &sc
				}
			}
		}
		handled := l.HandledAt
		if !handled.IsZero() && handled.Before(r.SentAt) {
			problem(l, "feedback handled at %s, before it was received at %s: counted as handled when received", handled.Format(time.RFC3339), r.SentAt.Format(time.RFC3339))
			handled = r.SentAt
		}
		if !fp.within.IsZero() {
			it.Due = fp.within.From(r.SentAt, fp.cal).In(rep.loc)
		}
		switch {
		case !handled.IsZero() && !handled.After(at):
			it.HandledAt, it.Handling = handled.In(rep.loc), handled.Sub(r.SentAt)
			it.State = FeedbackHandled
			if !it.Due.IsZero() && handled.After(it.Due) {
				it.State = FeedbackHandledLate
			}
		default:
			it.Handling = max(at.Sub(r.SentAt), 0)
			it.State = FeedbackOpen
			if !it.Due.IsZero() && at.After(it.Due) {
				it.State = FeedbackOverdue
			}
		}
		f.Items = append(f.Items, it)
	}
	slices.SortStableFunc(f.Items, func(a, b FeedbackItem) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	rep.feedbackGroups(segs)
	return nil
}

// feedbackGroups counts the items in total, per stakeholder, per
// activity and per month received.
func (rep *Assessment) feedbackGroups(segs []segment) {
	f := &rep.Feedback
	type groups struct {
		m     map[string]*FeedbackGroup
		order []string
	}
	newGroups := func() *groups { return &groups{m: map[string]*FeedbackGroup{}} }
	add := func(g *groups, key, name string, it FeedbackItem) {
		x, ok := g.m[key]
		if !ok {
			x = &FeedbackGroup{Key: key, Name: name}
			g.m[key] = x
			g.order = append(g.order, key)
		}
		x.add(it)
	}
	out := func(g *groups) []FeedbackGroup {
		slices.Sort(g.order)
		res := []FeedbackGroup{}
		for _, k := range g.order {
			x := g.m[k]
			x.finish()
			res = append(res, *x)
		}
		return res
	}
	byS, byA, byM := newGroups(), newGroups(), newGroups()
	for t := rep.From; t.Before(rep.To); t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, rep.loc) {
		key := t.Format("2006-01")
		byM.m[key] = &FeedbackGroup{Key: key, Name: key}
		byM.order = append(byM.order, key)
	}
	cur := inForce(segs, rep.Now).Plan.Index()
	for _, it := range f.Items {
		f.Total.add(it)
		add(byS, it.From, it.Stakeholder, it)
		name := "(no activity)"
		if it.ActivityID != "" {
			name = it.ActivityID
			if a, ok := cur.Activity(it.ActivityID); ok {
				name = a.Label()
			}
		}
		add(byA, it.ActivityID, name, it)
		key := it.ReceivedAt.In(rep.loc).Format("2006-01")
		add(byM, key, key, it)
	}
	f.Total.finish()
	f.ByStakeholder, f.ByActivity, f.Monthly = out(byS), out(byA), out(byM)
}
