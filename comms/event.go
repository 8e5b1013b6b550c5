package comms

import (
	"time"
)

// Event is something that triggers communication: an incident, a policy
// change, a declared crisis. Its Kind is the first half of a trigger
// ("incident" in "incident.aware") and its Milestones supply the second:
// the named moments, such as detected, aware, classified, that deadlines
// count from.
//
// # Drills
//
// An exercise of the incident communication plan is an event of kind
// [EventKindDrill] that names the kind it exercises (Exercises, such as
// "incident") and its Scenario. Its kind is "drill", never the kind it
// exercises, so that nothing can take it for a real incident: a store
// lists it under kind drill, [Event.Reached] never answers an incident
// trigger for it, and code written before drills existed (a product's
// own, an older version's) sees an event of a kind it does not handle.
// Code that runs a drill as the real thing, with its incident clock and
// its notifications labelled as a drill, asks for it with
// [Event.ReachedInDrill]; records answering a drill say so themselves
// ([Record.Drill]), in the chained log. [Event.Check] checks these rules.
type Event struct {
	ID string `yaml:"id" json:"id"`
	// Kind is the kind of event: incident, policy, crisis, regulation,
	// ..., or drill ([EventKindDrill]) for an exercise.
	Kind  string `yaml:"kind" json:"kind"`
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	// Exercises is, for a drill, the kind of event it exercises
	// ("incident"): its milestones are that kind's (aware, classified,
	// closed), and the activities that answer that kind's triggers answer
	// them in the drill ([Event.ReachedInDrill]). Empty for every other
	// event.
	Exercises string `yaml:"exercises,omitempty" json:"exercises,omitempty"`
	// Scenario is, for a drill, the scenario exercised ("ransomware on
	// the file servers, personal data exfiltrated"); required for a drill,
	// empty for every other event.
	Scenario string `yaml:"scenario,omitempty" json:"scenario,omitempty"`
	// Milestones are the moments reached so far, in any order.
	Milestones []Milestone `yaml:"milestones,omitempty" json:"milestones,omitempty"`
	// Labels are free-form attributes (severity: major, personal-data: yes).
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
}

// Event kinds and milestones that the package's rules name. Event kinds
// are otherwise free names.
const (
	// EventKindIncident is an information security incident.
	EventKindIncident = "incident"
	// EventKindDrill is an exercise: see "Drills" at [Event].
	EventKindDrill = "drill"
	// MilestoneClosed is the moment an incident (or a drill) is closed:
	// handled, with its post-incident review to follow. An activity of
	// topic lessons-learned answers incident.closed. (The legal catalog's
	// incident.handled, from which final reports are owed, may come before
	// it or be the same moment.)
	MilestoneClosed = "closed"
)

// Milestone is a named moment of an event and the time it was reached.
type Milestone struct {
	Name string    `yaml:"name" json:"name"`
	At   time.Time `yaml:"at" json:"at"`
	Note string    `yaml:"note,omitempty" json:"note,omitempty"`
}

// Milestone returns when the named milestone was reached. If it was
// recorded more than once, the latest entry wins: a corrected time replaces
// the earlier one.
func (e Event) Milestone(name string) (time.Time, bool) {
	var at time.Time
	found := false
	for _, m := range e.Milestones {
		if m.Name == name {
			at, found = m.At, true
		}
	}
	return at, found
}

// Start returns the time of the event's earliest milestone, or the zero
// time if it has none. Stores list events by it.
func (e Event) Start() time.Time {
	var start time.Time
	for _, m := range e.Milestones {
		if start.IsZero() || m.At.Before(start) {
			start = m.At
		}
	}
	return start
}

// Reached returns when the event reached the milestone a trigger names
// ("incident.aware"). It is false when the trigger is for another kind of
// event or the milestone has not been reached.
func (e Event) Reached(trigger string) (time.Time, bool) {
	kind, milestone, ok := Timing{Trigger: trigger}.TriggerParts()
	if !ok || kind != e.Kind {
		return time.Time{}, false
	}
	return e.Milestone(milestone)
}

// IsDrill reports whether e is an exercise ([EventKindDrill]).
func (e Event) IsDrill() bool { return e.Kind == EventKindDrill }

// LegacyDrill reports whether e is an event of kind drill saved before
// that kind was reserved for exercises: it names neither what it
// exercises nor its scenario, as [Event.Check] now asks of a new drill.
// Its records, written before records could be marked as a drill's
// (Record.Drill), are its own all the same.
func (e Event) LegacyDrill() bool { return e.IsDrill() && e.Exercises == "" && e.Scenario == "" }

// Counts reports whether record r, naming e, may count for e: a drill
// record for a drill, any other for a real event, and any record for a
// legacy drill ([Event.LegacyDrill]).
func (e Event) Counts(r Record) bool { return r.Drill == e.IsDrill() || e.LegacyDrill() }

// ReachedInDrill returns when the drill e reached the milestone a trigger
// of the kind it exercises names: for a drill exercising incidents,
// "incident.aware" answers with its aware milestone. It is false for an
// event that is not a drill, as [Event.Reached] is false for a drill and
// an incident trigger: a caller that asks for this one labels what it
// computes as a drill. (A trigger of kind drill itself, "drill.closed",
// is answered by Reached.)
func (e Event) ReachedInDrill(trigger string) (time.Time, bool) {
	kind, milestone, ok := Timing{Trigger: trigger}.TriggerParts()
	if !ok || !e.IsDrill() || e.Exercises == "" || kind != e.Exercises {
		return time.Time{}, false
	}
	return e.Milestone(milestone)
}

// RecordType distinguishes evidence that a communication was sent from a
// justified decision not to send it.
type RecordType string

// Record types. Values are persisted; new ones are added at the end.
const (
	// RecordTypeSent is evidence that a communication happened. It is the
	// meaning of an empty Type.
	RecordTypeSent RecordType = "sent"
	// RecordTypeWaived records that an occurrence was deliberately waived or
	// cancelled, with the reason in Note.
	RecordTypeWaived RecordType = "waived"
	// RecordTypeAck records that one person (PersonID) acknowledged one
	// version (Digest) of an activity's message at SentAt, through
	// Channel, optionally with Evidence. It is not evidence that a
	// communication was sent: matching, reach and timeliness ignore it.
	RecordTypeAck RecordType = "ack"
	// RecordTypeFeedback records feedback received: From the stakeholder,
	// through Channel (inbound), at SentAt (when it was received), about
	// ActivityID (and its Occurrence or EventID) if it is about one, with
	// a Score on the plan's feedback scale and the Digest of its text
	// (the text itself stays where it was received: the log holds no
	// personal opinions), and HandledAt once it was handled. It is not
	// evidence that a communication was sent: matching, reach and
	// timeliness ignore it. Feedback handled after it was recorded is
	// closed by a second feedback record that repeats it with HandledAt
	// set and Corrects naming the first.
	RecordTypeFeedback RecordType = "feedback"
)

// AckEvidence is what backs an acknowledgement: its Kind ("click-through",
// "signature", "e-mail reply") and a reference the system that holds it
// understands (a click-through ID, a signature envelope's reference). The
// zero value is no evidence beyond the record itself.
type AckEvidence struct {
	Kind string `json:"kind,omitempty"`
	Ref  string `json:"ref,omitempty"`
}

// IsZero reports whether e holds nothing.
func (e AckEvidence) IsZero() bool { return e == AckEvidence{} }

// AckKey is the idempotency key an acknowledgement takes unless its
// caller chooses another: "ack/" plan "/" activity "/" digest "/" person
// (plan and activity IDs hold no "/"; the person ID, last, may). With it, a
// person's acknowledgement of one version of an activity's message is
// stored once however often it is submitted (a resubmission of the same
// record is answered with the stored one; one with another time is a
// conflict that names the stored one). A product that asks people to
// acknowledge an unchanged version again (yearly, say) adds the period
// to the key.
func AckKey(planID, activityID, digest, personID string) string {
	return "ack/" + planID + "/" + activityID + "/" + digest + "/" + personID
}

// Record is evidence that a communication happened (or was waived): which
// activity and occurrence or event it answers, when it was sent, how, to
// whom and by whom, and a digest of what was said. Stores chain records by
// hash so that an edit or deletion is detectable; a correction is a new
// record that names the one it corrects.
type Record struct {
	// Seq is the record's position in its tenant's log, assigned by the
	// store (1, 2, 3, ... with no gaps).
	Seq int64 `json:"seq,omitempty"`
	// Type is RecordTypeSent (or empty), RecordTypeWaived,
	// RecordTypeAck or RecordTypeFeedback.
	Type RecordType `json:"type,omitempty"`
	// PlanID and PlanVersion identify the plan the record answers.
	PlanID      string `json:"plan_id,omitempty"`
	PlanVersion int    `json:"plan_version,omitempty"`
	// ActivityID is the activity the communication belongs to; empty for an
	// ad hoc communication.
	ActivityID string `json:"activity_id,omitempty"`
	// Occurrence is the planned occurrence the record answers, for a
	// recurring activity.
	Occurrence time.Time `json:"occurrence,omitzero"`
	// EventID is the event the record answers, for a triggered activity.
	EventID string `json:"event_id,omitempty"`
	// SentAt is when the communication went out; for an acknowledgement,
	// when the person acknowledged.
	SentAt time.Time `json:"sent_at"`
	// RecordedAt is when the record entered the store (assigned by it);
	// evidence is often entered after the fact.
	RecordedAt time.Time `json:"recorded_at,omitzero"`
	// Channel is the ID of the channel used.
	Channel string `json:"channel,omitempty"`
	// Audiences lists the IDs of the stakeholders addressed.
	Audiences []string `json:"audiences,omitempty"`
	// Sender is who sent it (a person), and SenderRole the plan role they
	// acted in.
	Sender     string `json:"sender,omitempty"`
	SenderRole string `json:"sender_role,omitempty"`
	Subject    string `json:"subject,omitempty"`
	// Digest identifies the content, such as "sha256:<hex>" of the message;
	// for an acknowledgement, the digest of the message version
	// acknowledged (MessageVersion.Digest).
	Digest string `json:"digest,omitempty"`
	// Reached and Acknowledged count the people who received and who
	// acknowledged the communication (training participants, policy
	// acknowledgements).
	Reached      int `json:"reached,omitempty"`
	Acknowledged int `json:"acknowledged,omitempty"`
	// Recipients lists, for a sent record, the IDs of the people (roster
	// person IDs) it reached, where the sender knows them; Reached is
	// then 0 or their number.
	Recipients []string `json:"recipients,omitempty"`
	// PersonID is, for an acknowledgement, the roster ID of the person who
	// acknowledged; empty for every other type.
	PersonID string `json:"person_id,omitempty"`
	// Evidence backs an acknowledgement; zero for every other type.
	Evidence AckEvidence `json:"evidence,omitzero"`
	// From is, for feedback, the ID of the stakeholder it came from;
	// empty for every other type. (Not Audiences, which are the
	// stakeholders a communication addressed: a reach computed from
	// Audiences must never count feedback received as a message sent.)
	From string `json:"from,omitempty"`
	// Score is, for feedback, the score given on the plan's feedback
	// scale ([Feedback.Scale]); nil for none, and for every other type.
	Score *int `json:"score,omitempty"`
	// HandledAt is, for feedback, when it was handled (answered, acted
	// on); zero while it is open, and for every other type.
	HandledAt time.Time `json:"handled_at,omitzero"`
	// Drill marks a record made in an exercise: it answers a drill event
	// (EventID names an event of kind drill, see [Event]), and never
	// counts as evidence of a real communication. It is part of the
	// record's hash, so that a drill's records stay drill records even if
	// the event (which is not chained) were changed later.
	Drill bool `json:"drill,omitempty"`
	// Note is free text; for a waiver, the reason.
	Note string `json:"note,omitempty"`
	// Corrects is the Seq of an earlier record this one corrects.
	Corrects int64 `json:"corrects,omitempty"`
	// IdempotencyKey, set by the caller, makes appending the record safe
	// to retry: a store that already holds a record of the tenant with
	// this key appends nothing and returns that record (or a conflict,
	// if this one differs). Empty means no key. At most 256 bytes of
	// UTF-8 without control characters; it is hashed with the record.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// PrevHash and Hash chain the record to its predecessor; both are
	// assigned by the store.
	PrevHash string `json:"prev_hash,omitempty"`
	Hash     string `json:"hash,omitempty"`
}
