package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// EventDeadline is the deadline of a triggered activity for one event.
type EventDeadline struct {
	ActivityID string
	// Trigger is the activity's trigger ("incident.aware",
	// "activity:nis2-notification").
	Trigger string
	// Start is when the trigger fired: the milestone's time, or when the
	// activity the trigger names was actually sent.
	Start time.Time
	// Deadline is the activity's "within"; zero if it has none.
	Deadline Deadline
	// At is when the deadline falls; zero if there is no deadline.
	At time.Time
}

// Deadlines returns, for each activity of p triggered by one of e's
// milestones ("incident.aware") or by the completion of another activity
// for e ("activity:nis2-notification"), when it falls due. An activity whose
// milestone has not been reached, or whose earlier activity has not been
// sent yet (no record of it for e among records), yields nothing: when
// those happen, call Deadlines again and the deadlines move with them.
//
// A drill (comms.EventKindDrill) answers the triggers of the kind it
// exercises as that kind's event would (comms.Event.ReachedInDrill), as
// well as those of kind drill; only drill records (comms.Record.Drill)
// count as sent for a drill, and only other records for any other event.
//
// The result is in deadline order (activities without a deadline last),
// ties in plan order. Its times are in the plan's zone, whatever the zone
// of the milestones and records it was given.
func Deadlines(p comms.Plan, e comms.Event, records []comms.Record) ([]EventDeadline, error) {
	loc, err := p.Location()
	if err != nil {
		return nil, inContext(err, "plan %s", p.ID)
	}
	// When each activity was first sent for this event.
	sent := map[string]time.Time{}
	for _, r := range records {
		if r.EventID != e.ID || r.ActivityID == "" || (r.Type != "" && r.Type != comms.RecordTypeSent) || !e.Counts(r) {
			continue // not sent for e; or a drill's record for a real event, or a real one for a drill
		}
		if t, ok := sent[r.ActivityID]; !ok || r.SentAt.Before(t) {
			sent[r.ActivityID] = r.SentAt
		}
	}
	type indexed struct {
		EventDeadline
		order int
	}
	var out []indexed
	var cals map[string]*Calendar
	for i, a := range p.Activities {
		t := a.When.Trigger
		if t == "" {
			continue
		}
		var start time.Time
		var ok bool
		if id, isActivity := strings.CutPrefix(t, comms.ActivityTriggerPrefix); isActivity {
			start, ok = sent[id]
		} else if start, ok = e.Reached(t); !ok {
			start, ok = e.ReachedInDrill(t)
		}
		if !ok {
			continue
		}
		d := EventDeadline{ActivityID: a.ID, Trigger: t, Start: start.In(loc)}
		if a.When.Within != "" {
			dl, err := ParseDeadline(a.When.Within)
			if err != nil {
				return nil, inContext(err, "activity %s", a.ID)
			}
			if cals == nil { // built once, when the first deadline needs one
				if cals, err = PlanCalendars(p); err != nil {
					return nil, err
				}
			}
			cal, ok := cals[a.Calendar]
			if !ok {
				return nil, fmt.Errorf("schedule: plan %s has no calendar %q", p.ID, a.Calendar)
			}
			d.Deadline, d.At = dl, dl.From(start, cal).In(loc)
		}
		out = append(out, indexed{d, i})
	}
	slices.SortStableFunc(out, func(a, b indexed) int {
		switch {
		case a.At.IsZero() != b.At.IsZero():
			if a.At.IsZero() {
				return 1
			}
			return -1
		case !a.At.Equal(b.At):
			return a.At.Compare(b.At)
		}
		return cmp.Compare(a.order, b.order)
	})
	dues := make([]EventDeadline, len(out))
	for i, d := range out {
		dues[i] = d.EventDeadline
	}
	return dues, nil
}
