package comms

import (
	"time"
)

// Event is something that triggers communication: an incident, a policy
// change, a declared crisis. Its Kind is the first half of a trigger
// ("incident" in "incident.aware") and its Milestones supply the second:
// the named moments, such as detected, aware, classified, that deadlines
// count from.
type Event struct {
	ID string `yaml:"id" json:"id"`
	// Kind is the kind of event: incident, policy, crisis, regulation, ...
	Kind  string `yaml:"kind" json:"kind"`
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	// Milestones are the moments reached so far, in any order.
	Milestones []Milestone `yaml:"milestones,omitempty" json:"milestones,omitempty"`
	// Labels are free-form attributes (severity: major, personal-data: yes).
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
}

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
	// Type is RecordTypeSent (or empty), RecordTypeWaived or
	// RecordTypeAck.
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
