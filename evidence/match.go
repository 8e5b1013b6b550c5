package evidence

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// planned is a recurring occurrence being matched.
type planned struct {
	Occurrence
	next time.Time // the activity's next occurrence (bounds a late record)
	// drill: the activity is of topic drill in the version that planned
	// this occurrence, so that a drill held answers it.
	drill bool
}

// recurring lists the occurrences of every recurring activity, each from
// the version in force at its time, and matches records to them.
//
// An occurrence of an activity of topic drill that no record answers is
// answered by a drill event that began in its window, or late before
// the next occurrence (each drill answers one occurrence): holding the
// exercise is what the activity plans.
func (rep *Assessment) recurring(segs []segment, records []comms.Record, used []bool, drills []comms.Event, in Input) error {
	byActivity := map[string][]*planned{}
	var order []string
	for _, s := range segs {
		from, till := later(s.from, in.From), earlier(s.till, in.To)
		if !from.Before(till) {
			continue
		}
		// Each calendar of the version built once, not once per activity
		// (one of 250,000 holidays, sorted anew for each of 20,000
		// activities, would take minutes).
		cals, err := schedule.PlanCalendars(s.v.Plan)
		if err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
		for _, a := range s.v.Plan.Activities {
			if !a.When.Recurring() {
				continue
			}
			if _, seen := byActivity[a.ID]; !seen {
				order = append(order, a.ID)
			}
			occ, err := rep.occurrences(s.v, a, cals, from, till)
			if err != nil {
				return err
			}
			byActivity[a.ID] = append(byActivity[a.ID], occ...)
		}
	}
	starts := drillStarts(drills, in.Now)
	for _, id := range order {
		occ := byActivity[id]
		matchRecurring(id, occ, records, used)
		matchDrills(occ, starts)
		for _, o := range occ {
			if o.Record == nil && o.HeldAs == "" {
				o.Status = openStatus(o.At, o.Due, in.Now)
			}
			rep.Occurrences = append(rep.Occurrences, o.Occurrence)
		}
	}
	return nil
}

// occurrences lists recurring activity a's occurrences in [from, till) as
// version v plans them, each with its deadline in a's calendar, one of
// cals (schedule.PlanCalendars of v's plan).
func (rep *Assessment) occurrences(v store.Version, a comms.Activity, cals map[string]*schedule.Calendar, from, till time.Time) ([]*planned, error) {
	p := v.Plan
	rule, err := schedule.ActivityRule(p, a)
	if err != nil {
		return nil, fmt.Errorf("evidence: plan %s version %d: %w", p.ID, v.Number, err)
	}
	cal, ok := cals[a.Calendar]
	if !ok {
		return nil, fmt.Errorf("evidence: plan %s has no calendar %q", p.ID, a.Calendar)
	}
	var within schedule.Deadline
	if a.When.Within != "" {
		if within, err = schedule.ParseDeadline(a.When.Within); err != nil {
			return nil, fmt.Errorf("evidence: activity %s: %w", a.ID, err)
		}
	}
	var out []*planned
	for t := range rule.Between(from, till) {
		t = t.In(rep.loc)
		due := endOfDay(t)
		if !within.IsZero() {
			due = within.From(t, cal).In(rep.loc)
		}
		next, ok := rule.Next(t)
		if !ok {
			next = end
		}
		out = append(out, &planned{Occurrence{
			ActivityID: a.ID, Activity: a.Label(), PlanVersion: v.Number,
			Obligations: a.Obligations, At: t, Due: due,
		}, next, a.What.Topic == comms.TopicDrill})
	}
	return out, nil
}

// matchRecurring matches the unused records of activity id to its
// occurrences occ (in time order): records that name their occurrence
// first, then by time — within an occurrence's window, or late before the
// next occurrence. It marks the records it matches in used.
func matchRecurring(id string, occ []*planned, records []comms.Record, used []bool) {
	assign := func(o *planned, i int) {
		r := records[i]
		used[i] = true
		o.Record = &r
		switch {
		case r.Type == comms.RecordTypeWaived:
			o.Status = StatusWaived
		case r.SentAt.After(o.Due):
			o.Status, o.Delay = StatusLate, r.SentAt.Sub(o.Due)
		default:
			o.Status = StatusOnTime
		}
	}
	// Records that name their occurrence first.
	for i, r := range records {
		if used[i] || r.ActivityID != id || r.EventID != "" || r.Occurrence.IsZero() {
			continue
		}
		for _, o := range occ {
			if o.Record == nil && o.At.Equal(r.Occurrence) {
				assign(o, i)
				break
			}
		}
	}
	// Then by time: within an occurrence's window, or late before the
	// next occurrence.
	for i, r := range records {
		if used[i] || r.ActivityID != id || r.EventID != "" {
			continue
		}
		for _, o := range occ {
			if o.Record == nil && !r.SentAt.Before(o.At) && !r.SentAt.After(o.Due) {
				assign(o, i)
				break
			}
		}
		if used[i] {
			continue
		}
		for k := len(occ) - 1; k >= 0; k-- {
			o := occ[k]
			if o.Record == nil && r.SentAt.After(o.Due) && r.SentAt.Before(o.next) {
				assign(o, i)
				break
			}
		}
	}
}

// drillStart is a drill event and when it began.
type drillStart struct {
	id string
	at time.Time
}

// drillStarts lists the drills of events that began by now, by start.
func drillStarts(events []comms.Event, now time.Time) []drillStart {
	var out []drillStart
	for _, e := range events {
		if s := e.Start(); e.IsDrill() && !s.IsZero() && !s.After(now) {
			out = append(out, drillStart{e.ID, s})
		}
	}
	slices.SortStableFunc(out, func(a, b drillStart) int { return a.at.Compare(b.at) })
	return out
}

// matchDrills answers the occurrences of occ (of one activity, in time
// order) that are of topic drill in the version that planned them and
// that no record answered with the drills of starts: one that began in
// an occurrence's window is on time, one that began after its deadline
// and before the next occurrence is late. Each drill answers at most one
// occurrence of the activity (a plan with two drill activities has each
// answered by the same drill, as reminders read it).
func matchDrills(occ []*planned, starts []drillStart) {
	if !slices.ContainsFunc(occ, func(o *planned) bool { return o.drill }) {
		return
	}
	held := make([]bool, len(starts))
	assign := func(o *planned, k int) {
		held[k] = true
		o.HeldAs, o.HeldAt = starts[k].id, starts[k].at
		if starts[k].at.After(o.Due) {
			o.Status, o.Delay = StatusLate, starts[k].at.Sub(o.Due)
		} else {
			o.Status = StatusOnTime
		}
	}
	for k, d := range starts {
		for _, o := range occ {
			if o.drill && o.Record == nil && o.HeldAs == "" && !d.at.Before(o.At) && !d.at.After(o.Due) {
				assign(o, k)
				break
			}
		}
	}
	for k, d := range starts {
		if held[k] {
			continue
		}
		for i := len(occ) - 1; i >= 0; i-- {
			o := occ[i]
			if o.drill && o.Record == nil && o.HeldAs == "" && d.at.After(o.Due) && d.at.Before(o.next) {
				assign(o, k)
				break
			}
		}
	}
}

// openStatus is the status of an occurrence without evidence.
func openStatus(at, due, now time.Time) Status {
	switch {
	case now.After(due):
		return StatusMissed
	case now.Before(at):
		return StatusUpcoming
	}
	return StatusDue
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()).Add(-time.Second)
}

// triggered lists the deadlines of triggered activities for every event
// of events, from the version in force when the event began, and their
// evidence.
func (rep *Assessment) triggered(segs []segment, records []comms.Record, used []bool, events []comms.Event, in Input) error {
	occ, err := rep.eventOccurrences(segs, records, used, events, in)
	rep.Occurrences = append(rep.Occurrences, occ...)
	return err
}

// eventOccurrences returns the deadlines of triggered activities for
// every event of events that began in the period, and their evidence
// among records, which it marks in used.
func (rep *Assessment) eventOccurrences(segs []segment, records []comms.Record, used []bool, events []comms.Event, in Input) ([]Occurrence, error) {
	var out []Occurrence
	events = slices.Clone(events)
	driver.SortEvents(events)
	byEvent := map[string][]int{} // record indexes by event
	for i, r := range records {
		if r.EventID != "" {
			byEvent[r.EventID] = append(byEvent[r.EventID], i)
		}
	}
	for _, e := range events {
		mine := make([]comms.Record, len(byEvent[e.ID]))
		for k, i := range byEvent[e.ID] {
			mine[k] = records[i]
		}
		v := inForce(segs, e.Start())
		p, version := v.Plan, v.Number
		owed, err := regulation.IncidentClock(p, e, mine, in.Now)
		if err != nil {
			return nil, fmt.Errorf("evidence: event %s: %w", e.ID, err)
		}
		for _, o := range owed {
			// An item no activity carries (a follow-up the law adds) is owed
			// all the same: it is judged like the others, and, with no
			// activity to record it against, stays due or missed, so that
			// the report never looks better than the clock.
			if o.Status == regulation.OwedStatusWaiting || o.Status == regulation.OwedStatusNotInForce || o.Start.Before(in.From) || !o.Start.Before(in.To) {
				continue
			}
			occ := Occurrence{ActivityID: o.ActivityID, Activity: o.Activity, PlanVersion: version, EventID: e.ID,
				Obligations: o.Obligations, At: o.Start.In(rep.loc), Due: o.Due,
				Evidence: o.Evidence, LegalStatus: o.LegalStatus, Law: o.Standing(), NotInForce: o.NotInForce}
			if occ.ActivityID == "" {
				// Owed by the law alone: named after what is owed.
				name := o.FollowUp
				if name == "" {
					name = strings.Join(o.Obligations, ", ")
				}
				occ.Activity = name + " (no activity of the plan carries it)"
			}
			if !o.Due.IsZero() {
				occ.Due = o.Due.In(rep.loc)
			}
			// The first record of this activity for this event: a waiver or
			// the communication.
			for _, i := range byEvent[e.ID] {
				r := records[i]
				if o.ActivityID == "" || r.ActivityID != o.ActivityID {
					continue
				}
				used[i] = true
				if occ.Record == nil {
					rr := r
					occ.Record = &rr
				}
			}
			switch {
			case occ.Record != nil && occ.Record.Type == comms.RecordTypeWaived:
				occ.Status = StatusWaived
			case occ.Record != nil && !occ.Due.IsZero() && occ.Record.SentAt.After(occ.Due):
				occ.Status, occ.Delay = StatusLate, occ.Record.SentAt.Sub(occ.Due)
			case occ.Record != nil:
				occ.Status = StatusOnTime
			case occ.Due.IsZero():
				occ.Status = StatusDue // "without undue delay": open until done
			default:
				occ.Status = openStatus(occ.At, occ.Due, in.Now)
			}
			out = append(out, occ)
		}
	}
	return out, nil
}
