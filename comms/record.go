package comms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// In returns r with its times (Occurrence, SentAt, RecordedAt, HandledAt) in loc: the
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
	if !r.HandledAt.IsZero() {
		r.HandledAt = r.HandledAt.In(loc)
	}
	return r
}

// CheckRecord checks that r's references resolve in the plan: its
// activity, channel, audiences and sender role are declared, and it names
// the planned occurrence or the event it answers in a way the activity's
// timing allows. A feedback record ([RecordTypeFeedback]) comes from a
// declared stakeholder through a declared channel, addresses no
// audience, reaches no one, and holds a score on the plan's feedback
// scale or the digest of its text (or both), handled no earlier than it
// was received; only feedback has From, Score and HandledAt. A drill
// record ([Record.Drill]) answers an event, and is no acknowledgement. It returns every problem found, joined, each naming the
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
	if r.Type == RecordTypeFeedback {
		errs = append(errs, p.checkFeedback(r)...)
	} else {
		if r.From != "" {
			bad("from", "only feedback (type %q) comes from a stakeholder; a communication names its audiences", RecordTypeFeedback)
		}
		if r.Score != nil {
			bad("score", "only feedback (type %q) has a score", RecordTypeFeedback)
		}
		if !r.HandledAt.IsZero() {
			bad("handled_at", "only feedback (type %q) is handled", RecordTypeFeedback)
		}
	}
	if r.Drill {
		switch {
		case r.Type == RecordTypeAck:
			bad("drill", "an acknowledgement is of a message version, never part of a drill")
		case r.EventID == "":
			bad("drill", "a drill record answers the drill: name its event in event_id")
		}
	}
	return errors.Join(errs...)
}

// checkFeedback checks what only a feedback record has.
func (p Plan) checkFeedback(r Record) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	switch {
	case r.From == "":
		bad("from", "feedback names the stakeholder it came from")
	default:
		if _, ok := p.Stakeholder(r.From); !ok {
			bad("from", "plan %s has no stakeholder %q", p.ID, r.From)
		}
	}
	if r.Channel == "" {
		bad("channel", "feedback names the channel it came in through")
	}
	if len(r.Audiences) > 0 {
		bad("audiences", "feedback addresses no one: the stakeholder it came from is From")
	}
	if r.Reached != 0 || r.Acknowledged != 0 || len(r.Recipients) > 0 {
		bad("reached", "feedback reaches no one: it has no reached or acknowledged counts and no recipients")
	}
	var scale *Scale
	if p.Feedback != nil {
		scale = p.Feedback.Scale
	}
	switch {
	case r.Score == nil:
	case scale == nil:
		bad("score", "plan %s declares no feedback scale (feedback.scale) for scores", p.ID)
	case !scale.Contains(*r.Score):
		bad("score", "score %d is not on the plan's feedback scale, %d to %d", *r.Score, scale.Min, scale.Max)
	}
	switch {
	case r.Digest != "" && !validDigest(r.Digest):
		bad("digest", "%s is not a digest: write sha256: and 64 lower-case hex digits of the feedback's text, as comms.Digest computes it", quoteValue(r.Digest))
	case r.Digest == "" && r.Score == nil:
		bad("digest", "feedback holds a score or the digest of its text, or both")
	}
	if !r.HandledAt.IsZero() && !r.SentAt.IsZero() && r.HandledAt.Before(r.SentAt) {
		bad("handled_at", "handled at %s, before it was received (sent_at %s)", r.HandledAt.Format(time.RFC3339), r.SentAt.Format(time.RFC3339))
	}
	return errs
}

// Check checks what this package says of an event as a drill or not
// (see "Drills" at [Event]): a drill names the kind it exercises (a
// trigger's event kind, not drill itself) and its scenario; no other
// event has either. It returns every problem, joined, each naming the
// field at fault; nil when e is sound. Stores check the rest (IDs,
// milestones, text).
func (e Event) Check() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("comms: event %s: %s: "+format, append([]any{e.ID, field}, args...)...))
	}
	if e.IsDrill() {
		switch {
		case e.Exercises == "":
			bad("exercises", "a drill names the kind of event it exercises, such as %s", EventKindIncident)
		case e.Exercises == EventKindDrill:
			bad("exercises", "a drill exercises a real kind of event, such as %s, not another drill", EventKindIncident)
		case !validName(e.Exercises):
			bad("exercises", "%s is not an event kind: use lower-case letters, digits, '-' and '_', as in a trigger", quoteValue(e.Exercises))
		}
		if strings.TrimSpace(e.Scenario) == "" {
			bad("scenario", "a drill says which scenario it exercises")
		}
	} else {
		if e.Exercises != "" {
			bad("exercises", "only a drill (kind %s) exercises another kind of event", EventKindDrill)
		}
		if e.Scenario != "" {
			bad("scenario", "only a drill (kind %s) has a scenario", EventKindDrill)
		}
	}
	return errors.Join(errs...)
}

// ErrDrillMismatch is the error of [Event.CheckRecord] for a record and
// the event it answers that disagree about being a drill.
var ErrDrillMismatch = errors.New("comms: a drill record answers a drill, and a drill only drill records")

// CheckRecord checks that r, which names e as its event (EventID), agrees
// with it about being a drill: a drill record answers a drill event, and
// a record answering a drill is a drill record. Otherwise it fails with
// an error that wraps [ErrDrillMismatch]: a drill's notification must
// never count as a real one, nor a real one as a drill's.
func (e Event) CheckRecord(r Record) error {
	switch {
	case r.EventID != e.ID:
		return fmt.Errorf("comms: record answers event %q, not %q", r.EventID, e.ID)
	case r.Drill && !e.IsDrill():
		return fmt.Errorf("%w: the record is marked as a drill, but event %s is a real %s", ErrDrillMismatch, e.ID, e.Kind)
	case !r.Drill && e.IsDrill():
		return fmt.Errorf("%w: event %s is a drill (exercising %s), but the record is not marked as one (drill)", ErrDrillMismatch, e.ID, e.Exercises)
	}
	return nil
}
