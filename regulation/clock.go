package regulation

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	// OwedStatusNotInForce: its trigger happened, but the law applies only
	// to events whose clock starts on or after its effective date
	// ([Owed.Effective]); nothing is owed under it.
	OwedStatusNotInForce OwedStatus = "not-in-force"
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
	// FollowUp is the follow-up's name when the item is a follow-up of an
	// obligation no activity carries (Obligations then holds
	// "<obligation>.<follow-up id>"): "written record of an oral report".
	FollowUp string `json:"follow_up,omitempty"`
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
	// PracticalDue is the last moment a submission counts as made by
	// LegalDue where a filing cut-off moves it earlier (EDGAR: after 17:30
	// Eastern a filing counts as filed the next business day); zero
	// otherwise. When set, Due is the earlier of PlanDue and PracticalDue,
	// and the status is judged against it.
	PracticalDue time.Time `json:"practical_due,omitzero"`
	// From is the milestone or submission the legal deadline counts from
	// ("incident.aware", "submitted:dora-intermediate"), FromAt when it
	// was reached.
	From   string    `json:"from,omitempty"`
	FromAt time.Time `json:"from_at,omitzero"`
	// UndueDelay: an obligation says "without undue delay".
	UndueDelay bool `json:"undue_delay,omitempty"`
	// Evidence and LegalStatus are the standing of the law behind the
	// item: the weakest of its obligations (secondary if any is secondary;
	// proposed if any is a proposal); empty for an item no obligation
	// applies to. [Owed.Standing] says it in words.
	Evidence    EvidenceLevel `json:"evidence,omitempty"`
	LegalStatus LegalStatus   `json:"legal_status,omitempty"`
	// NotInForce: every obligation of the item that has arisen applies
	// only to events whose clock starts on or after Effective, and this
	// event's started before.
	NotInForce bool       `json:"not_in_force,omitempty"`
	Effective  comms.Date `json:"effective,omitzero"`
	// WithoutHolidays: the legal deadline is counted in business days
	// without public holidays, because the catalog holds no sourced
	// holiday calendar for the law's jurisdiction.
	WithoutHolidays bool       `json:"without_holidays,omitempty"`
	Status          OwedStatus `json:"status"`
	// Left is the time from now to Due while not done (negative: overdue
	// by); zero when done or when there is no deadline. JSON carries it
	// as whole seconds, "left_seconds".
	Left time.Duration `json:"-"`
	// Record is the record that did it.
	Record *comms.Record `json:"record,omitempty"`
	// Drill: the event is a drill (comms.EventKindDrill), and this is what
	// the real incident would owe: its deadlines are what a drill is
	// judged by, never a real notification owed, and its Record is a
	// drill record.
	Drill bool `json:"drill,omitempty"`
}

type owedJSON Owed

// MarshalJSON encodes o with Left as "left_seconds" and its standing in
// words ([Owed.Standing]) as "standing".
func (o Owed) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		owedJSON
		LeftSeconds int64  `json:"left_seconds,omitempty"`
		Standing    string `json:"standing,omitempty"`
	}{owedJSON(o), int64(o.Left / time.Second), o.Standing()})
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
// activity sent for e, each obligation of the plan's activities that is
// owed but carried by no triggered activity, and each follow-up of those
// obligations (a written record, a supplement, a final report) that no
// activity carries. For each: the obligation, recipients, deadline (the
// plan's and the law's, with the milestone or submission it counts from
// and the practical deadline where a filing cut-off moves it), time left
// or overdue by, the record that did it, and the standing of the law
// behind it (evidence level, proposed or in force, in force for this
// event) — in deadline order (no deadline after, then waiting and not in
// force).
//
// An obligation not yet in force when the event's clock starts (the CRA
// before 11 September 2026) is listed with status
// [OwedStatusNotInForce], or, on an activity the plan owes anyway, with
// NotInForce set. A report sent by one activity and updated by another
// activity declaring the same obligation: the law's deadline is the first
// one's; the update counts for clocks that run from the latest submission
// (DORA's final report).
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
//
// # Drills
//
// For a drill (an event of kind comms.EventKindDrill), the clock runs
// exactly as for a real event of the kind it exercises: the activities
// and obligations triggered by that kind's milestones are owed, with the
// same deadlines (comms.Event.ReachedInDrill), and so are those of kind
// drill itself ("drill.closed"); every item is marked [Owed.Drill]. Only
// drill records (comms.Record.Drill) count for a drill, and only records
// that are not drill records count for any other event: a drill record
// naming a real incident never makes its notification done, nor a real
// record a drill's.
func IncidentClock(p comms.Plan, e comms.Event, records []comms.Record, now time.Time) ([]Owed, error) {
	loc, err := p.Location()
	if err != nil {
		return nil, fmt.Errorf("regulation: plan %s: %w", p.ID, err)
	}
	c := clock{p: p, ix: p.Index(), e: e, loc: loc, now: now, first: firstSent(e, records), carried: map[string]bool{}}
	c.submitted, c.firstBy = submissions(p, e, records)
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
		if isMilestone && kind != e.Kind && (!e.IsDrill() || kind != e.Exercises) {
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
		out[i].Drill = e.IsDrill()
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
	// submitted is when each obligation's report was submitted, first and
	// latest; firstBy the activity that submitted it first.
	submitted map[string]Submitted
	firstBy   map[string]string
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
		if !answers(e, r) {
			continue
		}
		if prev, ok := first[r.ActivityID]; !ok || r.SentAt.Before(prev.SentAt) {
			first[r.ActivityID] = r
		}
	}
	return first
}

// answers reports whether r is a communication sent for e that counts for
// it: it names e, an activity, is sent (not a waiver, an acknowledgement
// or feedback), and is a drill record exactly when e is a drill (any
// record, for a drill saved before records could say so: comms.Event.Counts).
func answers(e comms.Event, r comms.Record) bool {
	return r.EventID == e.ID && r.ActivityID != "" && (r.Type == "" || r.Type == comms.RecordTypeSent) && e.Counts(r)
}

// submissions returns when each obligation's report was submitted for
// event e — first and latest, by any activity that declares it — and the
// activity that submitted it first.
func submissions(p comms.Plan, e comms.Event, records []comms.Record) (map[string]Submitted, map[string]string) {
	declares := map[string][]string{}
	for _, a := range p.Activities {
		declares[a.ID] = a.Obligations
	}
	submitted, firstBy := map[string]Submitted{}, map[string]string{}
	for _, r := range records {
		if !answers(e, r) {
			continue
		}
		for _, id := range declares[r.ActivityID] {
			s, ok := submitted[id]
			if !ok || r.SentAt.Before(s.First) {
				s.First, firstBy[id] = r.SentAt, r.ActivityID
			}
			if !ok || r.SentAt.After(s.Latest) {
				s.Latest = r.SentAt
			}
			submitted[id] = s
		}
	}
	return submitted, firstBy
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
	var inForce, notInForce bool
	for _, id := range a.Obligations {
		ob, ok := Lookup(id)
		if !ok {
			continue
		}
		c.carried[id] = true
		if by, ok := c.firstBy[id]; ok && by != a.ID && (o.Start.IsZero() || !c.submitted[id].First.After(o.Start)) {
			// Another activity submitted this report before a arose: a
			// is an update, with the plan's deadline only, but still under
			// the law's standing, which the reader must see.
			o.standing(ob)
			continue
		}
		ld, arisen, err := ob.DeadlineWith(c.e, c.submitted, c.loc)
		if err != nil {
			return Owed{}, err
		}
		if !arisen {
			continue
		}
		o.standing(ob)
		if ld.NotInForce {
			notInForce = true
			if o.Effective.IsZero() || ld.Effective.Before(o.Effective) {
				o.Effective = ld.Effective
			}
			continue
		}
		inForce, owed = true, true
		if o.Start.IsZero() || ld.Start.Before(o.Start) {
			o.Start = ld.Start
		}
		o.legal(ld)
	}
	switch {
	case notInForce && !inForce && !owed:
		o.Status, o.NotInForce = OwedStatusNotInForce, true
	case notInForce && !inForce:
		o.NotInForce = true
	case !owed:
		o.Status = OwedStatusWaiting
		// Nothing has arisen: the standing of what it waits for.
		for _, id := range a.Obligations {
			if ob, ok := Lookup(id); ok {
				o.standing(ob)
			}
		}
	default:
		o.Effective = comms.Date{}
	}
	o.Due = earliest(o.PlanDue, o.legalDue())
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
	add := func(ob Obligation) error {
		if c.carried[ob.ID] {
			return nil
		}
		c.carried[ob.ID] = true
		ld, arisen, err := ob.DeadlineWith(c.e, c.submitted, c.loc)
		if err != nil || !arisen {
			return err
		}
		o := Owed{Obligations: []string{ob.ID}, FollowUp: ob.FollowUp, Trigger: ob.Trigger, Start: ld.Start}
		for _, r := range ob.Recipients {
			o.Recipients = append(o.Recipients, r.Name)
		}
		o.standing(ob)
		if ld.NotInForce {
			o.Status, o.NotInForce, o.Effective = OwedStatusNotInForce, true, ld.Effective
		} else {
			o.legal(ld)
			o.Due = o.legalDue()
		}
		o.settle(c.now)
		out = append(out, o)
		return nil
	}
	for _, a := range c.p.Activities {
		for _, id := range a.Obligations {
			ob, ok := Lookup(id)
			if !ok {
				continue
			}
			if err := add(ob); err != nil {
				return nil, err
			}
			// Its follow-ups, whether or not an activity carries it.
			for _, f := range ob.FollowUpObligations() {
				if err := add(f); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// standing lowers o's evidence level and status to ob's where ob's are
// weaker.
func (o *Owed) standing(ob Obligation) {
	if o.Evidence == "" || ob.Evidence != EvidenceLevelPrimary {
		o.Evidence = ob.Evidence
	}
	if o.LegalStatus == "" || ob.Status == LegalStatusProposed {
		o.LegalStatus = ob.Status
	}
}

// legal takes ld's deadline when it is the earliest legal one of o.
func (o *Owed) legal(ld LegalDeadline) {
	o.UndueDelay = o.UndueDelay || ld.UndueDelay
	if ld.At.IsZero() || (!o.LegalDue.IsZero() && !ld.At.Before(o.LegalDue)) {
		return
	}
	o.LegalDue, o.PracticalDue, o.WithoutHolidays = ld.At, ld.Practical, ld.WithoutHolidays
	o.From, o.FromAt = ld.Clock.From, ld.ClockStart
}

// legalDue is the legal deadline a submission must meet: the practical
// one where a cut-off moves it.
func (o *Owed) legalDue() time.Time {
	if !o.PracticalDue.IsZero() {
		return o.PracticalDue
	}
	return o.LegalDue
}

// compareOwed orders the clock: by deadline, no deadline after, waiting
// last.
func compareOwed(a, b Owed) int {
	if a.inactive() != b.inactive() {
		if a.inactive() {
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

// inactive: nothing is owed yet (waiting), or nothing under a law in
// force.
func (o Owed) inactive() bool {
	return o.Status == OwedStatusWaiting || o.Status == OwedStatusNotInForce
}

// in moves o's times, and its record's, to loc.
func (o *Owed) in(loc *time.Location) {
	for _, t := range []*time.Time{&o.Start, &o.PlanDue, &o.LegalDue, &o.Due, &o.PracticalDue, &o.FromAt} {
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
	case o.inactive():
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
	case OwedStatusNotInForce:
		return "not yet in force (from " + o.Effective.String() + ")"
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

// Standing says in words how far the law behind o can be relied on, for
// a reader who must not miss it: "primary" (read in the law's own text),
// "secondary sources only", "proposed, not law; secondary sources only",
// with "not yet in force (from 2026-09-11)" and "business days counted
// without public holidays (none sourced)" where they apply. Empty for an
// item no obligation applies to (the plan's own deadline).
func (o Owed) Standing() string {
	var parts []string
	if o.LegalStatus == LegalStatusProposed {
		parts = append(parts, "proposed, not law")
	}
	switch o.Evidence {
	case "":
	case EvidenceLevelPrimary:
		if len(parts) == 0 {
			parts = append(parts, "primary")
		}
	case EvidenceLevelSecondary:
		parts = append(parts, "secondary sources only")
	default:
		parts = append(parts, "evidence "+string(o.Evidence))
	}
	if o.NotInForce {
		parts = append(parts, "not yet in force (from "+o.Effective.String()+")")
	}
	if o.WithoutHolidays {
		parts = append(parts, "business days counted without public holidays (none sourced)")
	}
	return strings.Join(parts, "; ")
}
