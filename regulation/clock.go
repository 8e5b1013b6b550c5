package regulation

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/deadline"
	"github.com/ismscomms/ismscomms/schedule"
)

// OwedStatus is the state of a communication owed for an event.
type OwedStatus string

// Statuses of the incident clock. Values are persisted (JSON).
const (
	// OwedStatusWaiting: its trigger has not happened yet (the milestone, or the
	// sending of the earlier report).
	OwedStatusWaiting OwedStatus = "waiting"
	// OwedStatusOpen: owed and not sent; its deadline, if any, is ahead.
	OwedStatusOpen OwedStatus = "open"
	// OwedStatusOverdue: owed, not sent, its deadline passed.
	OwedStatusOverdue OwedStatus = "overdue"
	// OwedStatusDone: sent by its deadline.
	OwedStatusDone OwedStatus = "done"
	// OwedStatusDoneLate: sent, after its deadline.
	OwedStatusDoneLate OwedStatus = "done-late"
)

// Owed is one communication owed for an event: an activity of the plan
// (with the obligations it fulfils), or an obligation of the plan that no
// activity carries.
type Owed struct {
	ActivityID string `json:"activity_id,omitempty"`
	Activity   string `json:"activity,omitempty"`
	// Obligations the activity declares (or the one obligation no activity
	// carries).
	Obligations []string `json:"obligations,omitempty"`
	// Recipients are the names of the stakeholders addressed (or, for an
	// obligation without activity, the law's recipients).
	Recipients []string `json:"recipients"`
	Trigger    string   `json:"trigger"`
	// Start is when the trigger fired.
	Start time.Time `json:"start,omitzero"`
	// PlanDue is the plan's own deadline (the activity's within), LegalDue
	// the earliest legal deadline of its obligations; Due the earlier of
	// the two. Zero: none.
	PlanDue  time.Time `json:"plan_due,omitzero"`
	LegalDue time.Time `json:"legal_due,omitzero"`
	Due      time.Time `json:"due,omitzero"`
	// UndueDelay: an obligation says "without undue delay".
	UndueDelay bool       `json:"undue_delay,omitempty"`
	Status     OwedStatus `json:"status"`
	// Left is the time from now to Due while not done (negative: overdue
	// by); zero when done or when there is no deadline. JSON carries it
	// as whole seconds, "left_seconds".
	Left time.Duration `json:"-"`
	// Record is the record that did it.
	Record *comms.Record `json:"record,omitempty"`
}

type owedJSON Owed

// MarshalJSON encodes o with Left as "left_seconds".
func (o Owed) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		owedJSON
		LeftSeconds int64 `json:"left_seconds,omitempty"`
	}{owedJSON(o), int64(o.Left / time.Second)})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (o *Owed) UnmarshalJSON(data []byte) error {
	var v struct {
		owedJSON
		LeftSeconds int64 `json:"left_seconds"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*o = Owed(v.owedJSON)
	o.Left = time.Duration(v.LeftSeconds) * time.Second
	return nil
}

// IncidentClock lists every communication owed for event e under plan p
// at now: each activity triggered by one of e's milestones or by another
// activity sent for e, and each obligation of the plan's activities that
// is owed but carried by no triggered activity. For each: the obligation,
// recipients, deadline (the plan's and the law's), time left or overdue by,
// and the record that did it — in deadline order (no deadline last).
//
// records are the records sent so far (those for other events are
// ignored). Deadlines move when a milestone is recorded later, and chained
// stages ("activity:nis2-notification", "submitted:nis2-notification") when
// the earlier report is actually sent.
//
// The times of the result, and of the records in it, are in the plan's
// zone, whatever the zone of the event's milestones and of the records
// (a store returns them in UTC): [Owed.String] says "done 2026-03-09
// 08:49 CET" for a Berlin plan.
func IncidentClock(p comms.Plan, e comms.Event, records []comms.Record, now time.Time) ([]Owed, error) {
	loc, err := p.Location()
	if err != nil {
		return nil, fmt.Errorf("regulation: plan %s: %w", p.ID, err)
	}
	c := clock{p: p, ix: p.Index(), e: e, loc: loc, now: now, first: firstSent(e, records), carried: map[string]bool{}}
	c.submitted = submittedAt(p, c.first)
	planDue, err := schedule.Deadlines(p, e, recordsOf(c.first))
	if err != nil {
		return nil, fmt.Errorf("regulation: %w", err)
	}
	c.planDue = map[string]schedule.EventDeadline{}
	for _, d := range planDue {
		c.planDue[d.ActivityID] = d
	}

	var out []Owed
	for _, a := range p.Activities {
		if !a.When.Triggered() {
			continue
		}
		kind, _, isMilestone := a.When.TriggerParts()
		if isMilestone && kind != e.Kind {
			continue // another kind of event
		}
		o, err := c.activity(a)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	uncarried, err := c.uncarried()
	if err != nil {
		return nil, err
	}
	out = append(out, uncarried...)
	for i := range out {
		out[i].in(loc)
	}
	slices.SortStableFunc(out, compareOwed)
	return out, nil
}

// clock is one computation of [IncidentClock].
type clock struct {
	p   comms.Plan
	ix  *comms.Index // of p
	e   comms.Event
	loc *time.Location
	now time.Time
	// first is the first record sent for each activity of the event.
	first map[string]comms.Record
	// submitted is when each obligation's report was submitted.
	submitted map[string]time.Time
	// planDue is the plan's deadline of each triggered activity owed.
	planDue map[string]schedule.EventDeadline
	// carried marks the obligations a triggered activity carries (or that
	// were already listed).
	carried map[string]bool
}

// firstSent returns the first record sent for each activity of event e.
func firstSent(e comms.Event, records []comms.Record) map[string]comms.Record {
	first := map[string]comms.Record{}
	for _, r := range records {
		if r.EventID != e.ID || r.ActivityID == "" || (r.Type != "" && r.Type != comms.RecordTypeSent) {
			continue
		}
		if prev, ok := first[r.ActivityID]; !ok || r.SentAt.Before(prev.SentAt) {
			first[r.ActivityID] = r
		}
	}
	return first
}

// submittedAt returns when each obligation's report was submitted: by the
// first activity that declares it and was sent.
func submittedAt(p comms.Plan, first map[string]comms.Record) map[string]time.Time {
	submitted := map[string]time.Time{}
	for _, a := range p.Activities {
		r, ok := first[a.ID]
		if !ok {
			continue
		}
		for _, id := range a.Obligations {
			if t, ok := submitted[id]; !ok || r.SentAt.Before(t) {
				submitted[id] = r.SentAt
			}
		}
	}
	return submitted
}

// activity returns what triggered activity a owes: its plan deadline, the
// earliest legal deadline of the obligations it carries, and its record.
func (c *clock) activity(a comms.Activity) (Owed, error) {
	o := Owed{
		ActivityID: a.ID, Activity: a.Label(), Obligations: slices.Clone(a.Obligations),
		Recipients: stakeholderNames(c.ix, a.Whom), Trigger: a.When.Trigger,
	}
	d, owed := c.planDue[a.ID]
	if owed {
		o.Start, o.PlanDue = d.Start, d.At
	}
	for _, id := range a.Obligations {
		ob, ok := Lookup(id)
		if !ok {
			continue
		}
		c.carried[id] = true
		ld, arisen, err := ob.DeadlineFor(c.e, c.submitted, c.loc)
		if err != nil {
			return Owed{}, err
		}
		if !arisen {
			continue
		}
		owed = true
		if o.Start.IsZero() || ld.Start.Before(o.Start) {
			o.Start = ld.Start
		}
		if !ld.At.IsZero() && (o.LegalDue.IsZero() || ld.At.Before(o.LegalDue)) {
			o.LegalDue = ld.At
		}
		o.UndueDelay = o.UndueDelay || ld.UndueDelay
	}
	if !owed {
		o.Status = OwedStatusWaiting
	}
	o.Due = earliest(o.PlanDue, o.LegalDue)
	if r, ok := c.first[a.ID]; ok && owed {
		rec := r
		o.Record = &rec
	}
	o.settle(c.now)
	return o, nil
}

// uncarried returns the obligations the plan declares that no triggered
// activity carries, once they are owed: a gap the clock must show. Call
// it after activity has marked what the activities carry.
func (c *clock) uncarried() ([]Owed, error) {
	var out []Owed
	for _, a := range c.p.Activities {
		for _, id := range a.Obligations {
			if c.carried[id] {
				continue
			}
			c.carried[id] = true
			ob, ok := Lookup(id)
			if !ok {
				continue
			}
			ld, arisen, err := ob.DeadlineFor(c.e, c.submitted, c.loc)
			if err != nil {
				return nil, err
			}
			if !arisen {
				continue
			}
			o := Owed{Obligations: []string{id}, Trigger: ob.Trigger, Start: ld.Start, LegalDue: ld.At, Due: ld.At, UndueDelay: ld.UndueDelay}
			for _, r := range ob.Recipients {
				o.Recipients = append(o.Recipients, r.Name)
			}
			o.settle(c.now)
			out = append(out, o)
		}
	}
	return out, nil
}

// compareOwed orders the clock: by deadline, no deadline after, waiting
// last.
func compareOwed(a, b Owed) int {
	if (a.Status == OwedStatusWaiting) != (b.Status == OwedStatusWaiting) {
		if a.Status == OwedStatusWaiting {
			return 1
		}
		return -1
	}
	if a.Due.IsZero() != b.Due.IsZero() {
		if a.Due.IsZero() {
			return 1
		}
		return -1
	}
	return cmp.Compare(a.Due.UnixNano(), b.Due.UnixNano())
}

// in moves o's times, and its record's, to loc.
func (o *Owed) in(loc *time.Location) {
	for _, t := range []*time.Time{&o.Start, &o.PlanDue, &o.LegalDue, &o.Due} {
		if !t.IsZero() {
			*t = t.In(loc)
		}
	}
	if o.Record != nil {
		r := o.Record.In(loc)
		o.Record = &r
	}
}

func (o *Owed) settle(now time.Time) {
	switch {
	case o.Status == OwedStatusWaiting:
	case o.Record != nil && !o.Due.IsZero() && o.Record.SentAt.After(o.Due):
		o.Status = OwedStatusDoneLate
	case o.Record != nil:
		o.Status = OwedStatusDone
	case o.Due.IsZero():
		o.Status = OwedStatusOpen
	case now.After(o.Due):
		o.Status, o.Left = OwedStatusOverdue, o.Due.Sub(now)
	default:
		o.Status, o.Left = OwedStatusOpen, o.Due.Sub(now)
	}
}

func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

func recordsOf(m map[string]comms.Record) []comms.Record {
	out := make([]comms.Record, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	return out
}

func stakeholderNames(p *comms.Index, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if s, ok := p.Stakeholder(id); ok {
			out[i] = s.Label()
		}
	}
	return out
}

// String formats the clock line of o at a glance, for terminals:
// "overdue by 2h30m", "4h left", "done 2026-03-09 11:00", "waiting".
func (o Owed) String() string {
	switch o.Status {
	case OwedStatusWaiting:
		return "waiting for " + o.Trigger
	case OwedStatusDone, OwedStatusDoneLate:
		s := "done " + o.Record.SentAt.Format("2006-01-02 15:04 MST")
		if o.Status == OwedStatusDoneLate {
			s += " (late)"
		}
		return s
	case OwedStatusOverdue:
		return "overdue by " + deadline.Short(-o.Left)
	}
	if o.Due.IsZero() {
		if o.UndueDelay {
			return "without undue delay"
		}
		return "no deadline"
	}
	return deadline.Short(o.Left) + " left"
}
