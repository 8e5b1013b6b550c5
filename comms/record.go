package comms

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// In returns r with its times (Occurrence, SentAt, RecordedAt) in loc: the
// same instants, shown in another zone, as [time.Time.In] does. Every
// other field is r's as it is, so the copy hashes as r does. Functions
// that take a plan return records in the plan's zone this way. A nil loc
// returns r unchanged.
func (r Record) In(loc *time.Location) Record {
	if loc == nil {
		return r
	}
	if !r.Occurrence.IsZero() {
		r.Occurrence = r.Occurrence.In(loc)
	}
	if !r.SentAt.IsZero() {
		r.SentAt = r.SentAt.In(loc)
	}
	if !r.RecordedAt.IsZero() {
		r.RecordedAt = r.RecordedAt.In(loc)
	}
	return r
}

// CheckRecord checks that r's references resolve in the plan: its
// activity, channel, audiences and sender role are declared, and it names
// the planned occurrence or the event it answers in a way the activity's
// timing allows. It returns every problem found, joined, each naming the
// record field at fault; nil when r fits the plan.
//
// Records are append-only: a store keeps a mistyped activity ID forever
// (a correction can supersede, not erase it). evidence.AppendRecord, the
// checked append, runs CheckRecord against the plan version a record
// names, and checks what this package cannot see: that Occurrence is one
// of the activity's schedule, that the event exists and is of the kind
// the activity answers, that the record was sent by the reference time.
// Append records through it.
func (p Plan) CheckRecord(r Record) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if r.PlanID != "" && p.ID != "" && r.PlanID != p.ID {
		bad("plan_id", "record is for plan %q, not %q", r.PlanID, p.ID)
	}
	if r.ActivityID != "" {
		a, ok := p.Activity(r.ActivityID)
		switch {
		case !ok:
			bad("activity_id", "plan %s has no activity %q", p.ID, r.ActivityID)
		default:
			if !r.Occurrence.IsZero() && !a.When.Recurring() {
				bad("occurrence", "activity %s does not recur; name the event it answers instead", a.ID)
			}
			if r.EventID != "" && !a.When.Triggered() {
				bad("event_id", "activity %s is not triggered by events", a.ID)
			}
		}
	}
	if r.Type == RecordTypeWaived && (r.ActivityID == "" || (r.Occurrence.IsZero() && r.EventID == "")) {
		bad("type", "a waiver names the activity and the occurrence or event it waives")
	}
	if r.Channel != "" {
		if _, ok := p.Channel(r.Channel); !ok {
			bad("channel", "plan %s has no channel %q", p.ID, r.Channel)
		}
	}
	for i, id := range r.Audiences {
		if _, ok := p.Stakeholder(id); !ok {
			bad("audiences["+strconv.Itoa(i)+"]", "plan %s has no stakeholder %q", p.ID, id)
		}
	}
	if r.SenderRole != "" {
		if _, ok := p.Role(r.SenderRole); !ok {
			bad("sender_role", "plan %s has no role %q", p.ID, r.SenderRole)
		}
	}
	return errors.Join(errs...)
}
