package evidence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

// AppendRecord checks r against the plan version it names and the facts
// in st, and appends it to the tenant's log only if it fits: the checked
// append. Records are append-only (a mistyped activity stays in the log
// forever), so a product appends through AppendRecord rather than
// store.Store.AppendRecord, and cannot forget a check.
//
// r.PlanID is required; r.PlanVersion 0 means the latest version, and the
// record is appended naming the version it was checked against. The
// checks, all made before anything is written:
//
//   - comms.Plan.CheckRecord: the activity, channel, audiences and sender
//     role are the plan's, and the record names an occurrence or an event
//     as the activity's timing allows;
//   - a named Occurrence is one of the activity's schedule;
//   - a named event exists for the tenant and is of the kind the
//     activity's trigger answers (a drill: of the kind it exercises, or
//     drill), and the record agrees with it about being a drill
//     (comms.Event.CheckRecord: a drill record answers a drill, and a
//     record answering a drill is a drill record; errors.Is
//     comms.ErrDrillMismatch);
//   - the record was sent by now (a record tells what has happened);
//   - the recipients it names, if any, are people of the tenant's rosters
//     ([TenantRoster]).
//
// An acknowledgement (type comms.RecordTypeAck) is checked and appended
// by [AppendAcks], as a batch of one, and refused with its *[AckError].
//
// A record that fails any of them is refused with a *[RecordError] that
// lists every problem (errors.Is(err, [ErrRefused])). A plan or version
// the tenant does not have is an error wrapping store.ErrNotFound; what
// the store refuses (store.CheckRecord) or fails at is returned wrapped.
//
// The record is otherwise passed to the store as it is, every field of
// it. The stored record comes back with its times in the plan's zone (the
// same instants the store hashed).
func AppendRecord(ctx context.Context, st store.Store, tenant string, r comms.Record, now time.Time) (comms.Record, error) {
	switch {
	case st == nil:
		return comms.Record{}, invalid("append record: no store")
	case tenant == "":
		return comms.Record{}, invalid("append record: no tenant")
	case now.IsZero():
		return comms.Record{}, invalid("append record: no now (the reference time)")
	case r.PlanID == "":
		return comms.Record{}, invalid("append record: the record names no plan (PlanID): a checked record is checked against one")
	case r.Type == comms.RecordTypeAck:
		got, _, err := AppendAcks(ctx, st, tenant, []comms.Record{r}, now)
		if err != nil {
			return comms.Record{}, err
		}
		return got[0], nil
	}
	var v store.Version
	var err error
	if r.PlanVersion == 0 {
		v, err = st.Plan(ctx, tenant, r.PlanID)
	} else {
		v, err = st.PlanVersion(ctx, tenant, r.PlanID, r.PlanVersion)
	}
	if err != nil {
		if r.PlanVersion == 0 {
			return comms.Record{}, fmt.Errorf("evidence: append record: plan %s: %w", r.PlanID, err)
		}
		return comms.Record{}, fmt.Errorf("evidence: append record: plan %s version %d: %w", r.PlanID, r.PlanVersion, err)
	}
	r.PlanVersion = v.Number
	loc, err := v.Plan.Location()
	if err != nil {
		return comms.Record{}, fmt.Errorf("evidence: append record: plan %s: %w", v.PlanID, err)
	}
	problems, err := checkRecord(ctx, st, tenant, v.Plan, r, now, loc)
	if err != nil {
		return comms.Record{}, err
	}
	if len(problems) > 0 {
		return comms.Record{}, &RecordError{PlanID: v.PlanID, Version: v.Number, Problems: problems}
	}
	got, err := st.AppendRecord(ctx, tenant, r)
	if err != nil {
		return comms.Record{}, fmt.Errorf("evidence: append record: %w", err)
	}
	return got.In(loc), nil
}

// checkRecord returns what is wrong with r under plan p, or the error of
// a store that failed to say.
func checkRecord(ctx context.Context, st store.Store, tenant string, p comms.Plan, r comms.Record, now time.Time, loc *time.Location) ([]error, error) {
	var problems []error
	if err := p.CheckRecord(r); err != nil {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			problems = append(problems, joined.Unwrap()...)
		} else {
			problems = append(problems, err)
		}
	}
	act, known := p.Activity(r.ActivityID)
	if known && !r.Occurrence.IsZero() && act.When.Recurring() {
		if err := checkOccurrence(p, act, r.Occurrence.In(loc)); err != nil {
			problems = append(problems, err)
		}
	}
	if r.EventID != "" {
		e, err := st.Event(ctx, tenant, r.EventID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			problems = append(problems, &problem{fmt.Sprintf("event_id: tenant %s has no event %s", tenant, r.EventID), err})
		case err != nil:
			return nil, fmt.Errorf("evidence: append record: event %s: %w", r.EventID, err)
		default:
			if err := e.CheckRecord(r); err != nil {
				problems = append(problems, &problem{"drill: " + strings.TrimPrefix(err.Error(), "comms: "), err})
			}
			if kind, _, ok := act.When.TriggerParts(); known && ok && kind != e.Kind && (!e.IsDrill() || kind != e.Exercises) {
				problems = append(problems, fmt.Errorf("event_id: event %s is of kind %s; activity %s answers %s events (%s)", e.ID, kindOf(e), act.ID, kind, act.When.Trigger))
			}
		}
	}
	more, err := checkRecipients(ctx, st, tenant, r.Recipients)
	if err != nil {
		return nil, err
	}
	problems = append(problems, more...)
	if r.SentAt.After(now) {
		problems = append(problems, fmt.Errorf("sent_at: %s is after the reference time %s: a record tells what has happened",
			r.SentAt.In(loc).Format(time.RFC3339), now.In(loc).Format(time.RFC3339)))
	}
	return problems, nil
}

// kindOf says what kind of event e is: its kind, and for a drill the kind
// it exercises.
func kindOf(e comms.Event) string {
	if e.IsDrill() {
		return e.Kind + " (exercising " + e.Exercises + ")"
	}
	return e.Kind
}

// problem is a problem of a record in the checker's words, wrapping the
// store's error that found it (errors.Is(err, store.ErrNotFound)).
type problem struct {
	msg string
	err error
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.err }

// checkOccurrence checks that at is an occurrence of the recurring
// activity a.
func checkOccurrence(p comms.Plan, a comms.Activity, at time.Time) error {
	rule, err := schedule.ActivityRule(p, a)
	if err != nil {
		return fmt.Errorf("occurrence: activity %s: %w", a.ID, err)
	}
	next, ok := rule.Next(at.Add(-time.Nanosecond))
	if ok && next.Equal(at) {
		return nil
	}
	hint := "it has no occurrence after it"
	if ok {
		hint = "the next is " + next.Format(time.RFC3339)
	}
	return fmt.Errorf("occurrence: %s is not an occurrence of activity %s (%s); %s", at.Format(time.RFC3339), a.ID, a.When.RRule, hint)
}

// MilestoneOptions say what [SaveMilestone] checks a milestone against.
type MilestoneOptions struct {
	// PlanID names the stored plan the milestone is checked against: its
	// version in force when the event began, as [IncidentClock] runs.
	PlanID string
	// Plan, if not nil, is checked against instead of a stored plan (a
	// plan file not saved); PlanID is then not read.
	Plan *comms.Plan
	// Force saves a milestone that starts none of the plan's
	// communications (with a warning), and, with no plan given, saves it
	// unchecked.
	Force bool
}

// MilestoneResult is what [SaveMilestone] saved and what it noticed.
type MilestoneResult struct {
	// Event is the event as saved, with the new milestone; with a plan,
	// its milestones' times are in the plan's zone.
	Event comms.Event
	// Warnings are what SaveMilestone noticed but saved anyway: a
	// *[MilestoneError] when Force saved a milestone that starts nothing;
	// an *[OrderError] when the event, as saved, became aware before it was
	// detected.
	Warnings []error
}

// SaveMilestone records that the tenant's event eventID reached milestone
// m, checked against the plan: a milestone that starts none of the plan's
// communications — no activity is triggered by it and no clock of an
// obligation the plan declares counts from it — is refused with a
// *[MilestoneError] (errors.Is(err, [ErrRefused]), [ErrStartsNothing]),
// naming the milestones that do, unless opts.Force. Recording a milestone
// again corrects its time: deadlines move with it (comms.Event.Milestone).
// An event whose aware milestone comes before its detected one is saved
// with a warning (an *[OrderError]).
//
// Without a plan (neither opts.PlanID nor opts.Plan) the milestone is
// saved only with opts.Force, unchecked; otherwise that is an error
// wrapping [ErrInvalid]. An event or plan the tenant does not have is an
// error wrapping store.ErrNotFound.
//
// SaveMilestone reads the event and saves it whole (store.Store.SaveEvent
// replaces an event): two writers adding milestones to the same event at
// once can lose one of them; serialise the writers of one event.
func SaveMilestone(ctx context.Context, st store.Store, tenant, eventID string, m comms.Milestone, opts MilestoneOptions) (MilestoneResult, error) {
	switch {
	case eventID == "":
		return MilestoneResult{}, invalid("save milestone: no event ID")
	case m.Name == "":
		return MilestoneResult{}, invalid("save milestone: the milestone has no name")
	case m.At.IsZero():
		return MilestoneResult{}, invalid("save milestone: milestone %s has no time", m.Name)
	}
	if err := checkMilestoneArgs("save milestone", st, tenant, m.Name, opts); err != nil {
		return MilestoneResult{}, err
	}
	e, err := st.Event(ctx, tenant, eventID)
	if err != nil {
		return MilestoneResult{}, fmt.Errorf("evidence: event %s: %w", eventID, err)
	}
	e.Milestones = append(slices.Clone(e.Milestones), m)
	return saveChecked(ctx, st, tenant, e, []comms.Milestone{m}, opts)
}

// OpenEvent saves a new event e (an incident with its first milestone,
// usually detected), checked against the plan as [SaveMilestone] checks
// a milestone: the event's kind and each of its milestones must start one
// of the plan's communications, or the event is refused with a
// *[MilestoneError] naming the milestones that do, unless opts.Force. An
// event the tenant already has is an error wrapping store.ErrConflict,
// and nothing is saved: add milestones to it with SaveMilestone.
//
// Without a plan (neither opts.PlanID nor opts.Plan) the event is saved
// only with opts.Force, unchecked; otherwise that is an error wrapping
// [ErrInvalid].
func OpenEvent(ctx context.Context, st store.Store, tenant string, e comms.Event, opts MilestoneOptions) (MilestoneResult, error) {
	switch {
	case e.ID == "":
		return MilestoneResult{}, invalid("open event: no event ID")
	case len(e.Milestones) == 0:
		return MilestoneResult{}, invalid("open event %s: no milestone (an event begins with one, usually detected)", e.ID)
	}
	for _, m := range e.Milestones {
		if m.Name == "" || m.At.IsZero() {
			return MilestoneResult{}, invalid("open event %s: every milestone needs a name and a time", e.ID)
		}
	}
	if err := checkMilestoneArgs("open event", st, tenant, e.Milestones[0].Name, opts); err != nil {
		return MilestoneResult{}, err
	}
	switch _, err := st.Event(ctx, tenant, e.ID); {
	case err == nil:
		return MilestoneResult{}, fmt.Errorf("evidence: open event %s: %w: the tenant has it already (add milestones with SaveMilestone)", e.ID, store.ErrConflict)
	case !errors.Is(err, store.ErrNotFound):
		return MilestoneResult{}, fmt.Errorf("evidence: event %s: %w", e.ID, err)
	}
	return saveChecked(ctx, st, tenant, e, e.Milestones, opts)
}

// checkMilestoneArgs checks what SaveMilestone and OpenEvent are given
// besides the event.
func checkMilestoneArgs(op string, st store.Store, tenant, milestone string, opts MilestoneOptions) error {
	switch {
	case st == nil:
		return invalid("%s: no store", op)
	case tenant == "":
		return invalid("%s: no tenant", op)
	case opts.PlanID == "" && opts.Plan == nil && !opts.Force:
		return invalid("%s: no plan to check milestone %s against: give PlanID or Plan, or Force to save it unchecked", op, milestone)
	}
	return nil
}

// saveChecked saves event e, whose milestones added are checked against
// the plan opts names, with the warnings of SaveMilestone.
func saveChecked(ctx context.Context, st store.Store, tenant string, e comms.Event, added []comms.Milestone, opts MilestoneOptions) (MilestoneResult, error) {
	var res MilestoneResult
	var loc *time.Location
	if opts.PlanID != "" || opts.Plan != nil {
		v, err := planFor(ctx, st, tenant, opts.PlanID, opts.Plan, e)
		if err != nil {
			return MilestoneResult{}, err
		}
		if loc, err = v.Plan.Location(); err != nil {
			return MilestoneResult{}, fmt.Errorf("evidence: plan %s: %w", v.PlanID, err)
		}
		starting := startingMilestones(v.Plan, e.Kind)
		if e.IsDrill() && e.Exercises != "" {
			// A drill's milestones are those of the kind it exercises.
			for _, m := range startingMilestones(v.Plan, e.Exercises) {
				if !slices.Contains(starting, m) {
					starting = append(starting, m)
				}
			}
		}
		for _, m := range added {
			if slices.Contains(starting, m.Name) {
				continue
			}
			merr := &MilestoneError{EventID: e.ID, Kind: e.Kind, Milestone: m.Name, PlanID: v.PlanID, Starting: starting, Refused: !opts.Force}
			if !opts.Force {
				return MilestoneResult{}, merr
			}
			res.Warnings = append(res.Warnings, merr)
		}
	}
	if err := st.SaveEvent(ctx, tenant, e); err != nil {
		return MilestoneResult{}, fmt.Errorf("evidence: save event %s: %w", e.ID, err)
	}
	if loc != nil {
		e = eventIn(e, loc)
	}
	detected, okD := e.Milestone("detected")
	aware, okA := e.Milestone("aware")
	if okD && okA && aware.Before(detected) {
		res.Warnings = append(res.Warnings, &OrderError{EventID: e.ID, Aware: aware, Detected: detected})
	}
	res.Event = e
	return res, nil
}

// startingMilestones returns the milestones of events of kind that start
// a clock of plan p: those its activities are triggered by, and those the
// clocks of the obligations its activities declare, and of their
// follow-ups, count from (what regulation.IncidentClock and
// schedule.Deadlines count from), in the order the plan first names them.
func startingMilestones(p comms.Plan, kind string) []string {
	var out []string
	add := func(trigger string) {
		k, m, ok := comms.Timing{Trigger: trigger}.TriggerParts()
		if ok && k == kind && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, act := range p.Activities {
		add(act.When.Trigger)
		for _, id := range act.Obligations {
			ob, ok := regulation.Lookup(id)
			if !ok {
				continue
			}
			// The obligation's own clocks and its follow-ups' (a ransom
			// payment starts CIRCIA's 24-hour report), which the clock
			// lists as owed whether or not an activity carries them.
			for _, o := range append([]regulation.Obligation{ob}, ob.FollowUpObligations()...) {
				add(o.Trigger)
				for _, c := range o.Clocks {
					add(c.From)
				}
			}
		}
	}
	return out
}
