package remind

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// Kind is the kind of a reminder. Values are persisted (in keys and
// delivery logs); new ones are added at the end.
type Kind string

// Kinds of reminders.
const (
	// KindBefore: to an activity's owner, before an occurrence.
	KindBefore Kind = "before"
	// KindChase: to a person who has not acknowledged a message.
	KindChase Kind = "chase"
	// KindEscalate: to a role, about an overdue occurrence or a legal
	// deadline close to passing or passed.
	KindEscalate Kind = "escalate"
)

// Errors of Due, grouped; test them with errors.Is.
var (
	// ErrInvalid: the input is incomplete or malformed (no plan, no Now,
	// Since after Now, an invalid tenant ID or plan).
	ErrInvalid = errors.New("remind: invalid input")
	// ErrLimit: the plan asks for more work than Due does in one run (an
	// activity with more than [MaxOccurrences] occurrences to look at).
	ErrLimit = errors.New("remind: over a limit")
)

// Defaults of [Input].
const (
	// DefaultMaxLate is how late a reminder or chase may be sent when
	// Input.MaxLate is zero: a day. It is also how far back a first run
	// (Since zero) looks, not all of history.
	DefaultMaxLate = 24 * time.Hour
	// DefaultLookback is how far back escalations are looked for when
	// Input.Lookback is zero (and Since is more recent).
	DefaultLookback = 30 * 24 * time.Hour
	// MaxOccurrences bounds the occurrences of one activity one run
	// looks at.
	MaxOccurrences = 20000
)

// Input is what [Due] computes reminders from. Versions (or Plan) and Now
// are required.
type Input struct {
	// Tenant is the tenant's ID; it is part of every key.
	Tenant string
	// Versions is the plan's history, oldest first, as store.Versions
	// yields it: the version in force at Now (the last saved by then)
	// gives the policy, the activities and the roles, and the history
	// gives the message versions that chases follow. Empty: Plan alone,
	// as the only version.
	Versions []store.Version
	Plan     comms.Plan
	// Roster is the tenant's roster: who is due to acknowledge, with
	// their e-mail addresses.
	Roster comms.Roster
	// Log is the tenant's records in any order: communications sent
	// (they mark occurrences done), acknowledgements and deliveries.
	Log []comms.Record
	// Events are the tenant's events (incidents), whose incident clocks
	// escalations watch.
	Events []comms.Event
	// Since is when the previous run happened: reminders and chases whose
	// moment is at or before it are not due (they were due then). Zero: a
	// first run.
	Since time.Time
	// MaxLate is how late a reminder or chase may still be sent: one whose
	// moment is more than MaxLate before Now passed while nothing ran and
	// is not sent late. Zero: [DefaultMaxLate].
	MaxLate time.Duration
	// Now is the present.
	Now time.Time
	// Lookback is how far back from Now escalations are looked for (or
	// from Since, if that is earlier): escalations are retroactive, due
	// whenever their moment has come and the condition holds. Zero:
	// [DefaultLookback].
	Lookback time.Duration
}

// Reminder is one reminder that is due: what a sender needs to send it
// once.
type Reminder struct {
	// Key identifies the reminder across runs (see [Key]): give it to the
	// delivery log, a job queue's unique-job option, an e-mail's
	// Message-ID.
	Key string `json:"key"`
	// Tenant is the tenant's ID (Input.Tenant), PlanID the plan's.
	Tenant string `json:"tenant"`
	PlanID string `json:"plan_id"`
	Kind   Kind   `json:"kind"`
	// Step is the step of the policy: "before/7d", "chase/2",
	// "escalate/after-2bd", "escalate/at-80".
	Step string `json:"step"`
	// At is the reminder's moment (moved into the calendar's business
	// hours where it has them): it is due from then on.
	At time.Time `json:"at"`
	// ActivityID and Activity (its label) say what it is about: empty
	// ActivityID for an obligation of an event that no activity carries,
	// then Obligation names it.
	ActivityID string `json:"activity_id,omitempty"`
	Activity   string `json:"activity"`
	Obligation string `json:"obligation,omitempty"`
	// Occurrence is the occurrence of a recurring activity (before and
	// escalate), EventID the event (escalations of an incident clock),
	// Digest the message version (chase).
	Occurrence time.Time `json:"occurrence,omitzero"`
	EventID    string    `json:"event_id,omitempty"`
	Digest     string    `json:"digest,omitempty"`
	// Due is the deadline the reminder is about: the occurrence's, the
	// person's acknowledgement due time, the legal deadline.
	Due time.Time `json:"due,omitzero"`
	// To is the recipient.
	To Recipient `json:"to"`
	// Subject and Text are a short message for the recipient, naming no
	// one but them.
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Drill: the reminder is an escalation of a drill's clock (an event
	// of kind comms.EventKindDrill, regulation.Owed.Drill): an exercise,
	// nothing owed to anyone. Its Due is the deadline the real incident
	// would have; its Subject starts with [DrillSubject] and its Text
	// says that it is a drill, naming the scenario; its key names the
	// event as "drill:<event ID>" (see [Key]). A sender must never let it
	// pass for a real incident's escalation.
	Drill bool `json:"drill,omitempty"`
}

// DrillSubject starts the subject of every reminder of a drill
// ([Reminder.Drill]).
const DrillSubject = "DRILL (exercise, not a real incident): "

// Recipient is who a reminder goes to: a role of the plan (RoleID) or a
// person of the roster (PersonID). Address is the role's Contact or the
// person's e-mail; empty when there is none (the reminder is due all the
// same: say so rather than drop it).
type Recipient struct {
	RoleID   string `json:"role_id,omitempty"`
	PersonID string `json:"person_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Address  string `json:"address,omitempty"`
}

// KeyPrefix starts every key.
const KeyPrefix = "remind/v1/"

// MaxKeyLen is the longest key [Key] returns: it fits the delivery log
// (store.MaxDeliveryKey) and an e-mail header (notify.MaxKeyLen).
const MaxKeyLen = 256

// maxField is the longest field of a key as it is written; a longer one
// is written as "~" and 32 hexadecimal digits of its SHA-256.
const maxField = 40

// Key returns the idempotency key of a reminder:
//
//	remind/v1/<tenant>/<plan>/<activity>/<subject>/<recipient>/<kind>/<step>
//
// with
//   - plan: the plan's ID (a tenant's plans may share activity and role
//     IDs; each plan's reminders are its own);
//   - activity: the activity ID, or "obligation:<id>" for an obligation
//     of an event that no activity carries;
//   - subject: "at:<occurrence>" (RFC 3339 in UTC, to the second, or
//     finer if it has a fraction), "event:<event ID>" ("drill:<event
//     ID>" for a drill's escalation, [Reminder.Drill], so that a delivery
//     log or a Message-ID shows an exercise as one) or, for a chase,
//     "version:<digest>@<due>": the message version and when the
//     person's acknowledgement was due, so that each acknowledgement
//     round of each person is chased afresh (a version that comes back
//     after another, a person who leaves and comes back);
//   - recipient: "role:<role ID>" or "person:<person ID>";
//   - kind and step: "before/7d", "chase/2", "escalate/after-2bd",
//     "escalate/at-80" (80%), "escalate/at-66.5".
//
// In every field but kind and step (which never hold one), "%" is
// written "%25" and "/" is written "%2F", so no ID can forge a field
// boundary; a field longer than 40 bytes so written (a digest, a person
// ID that is a URL) is written as "~" and the first 32 hexadecimal digits
// of the SHA-256 of what it would be, so that a key is at most
// [MaxKeyLen] bytes. Two reminders have the same key only if they agree
// on every field. The format is API: it changes only with its version
// prefix.
func Key(r Reminder) string {
	var b strings.Builder
	b.WriteString(PlanPrefix(r.Tenant, r.PlanID))
	if r.ActivityID != "" {
		b.WriteString(field("", r.ActivityID))
	} else {
		b.WriteString(field("obligation:", r.Obligation))
	}
	b.WriteByte('/')
	switch {
	case r.EventID != "" && r.Drill:
		b.WriteString(field("drill:", r.EventID))
	case r.EventID != "":
		b.WriteString(field("event:", r.EventID))
	case r.Kind == KindChase:
		b.WriteString(field("version:", r.Digest+"@"+r.Due.UTC().Format(time.RFC3339Nano)))
	default:
		b.WriteString(field("at:", r.Occurrence.UTC().Format(time.RFC3339Nano)))
	}
	b.WriteByte('/')
	if r.To.PersonID != "" {
		b.WriteString(field("person:", r.To.PersonID))
	} else {
		b.WriteString(field("role:", r.To.RoleID))
	}
	b.WriteByte('/')
	b.WriteString(r.Step)
	return b.String()
}

// PlanPrefix is what the keys of a tenant's plan's reminders start with:
// select them in a delivery log with it.
func PlanPrefix(tenant, planID string) string {
	return KeyPrefix + field("", tenant) + "/" + field("", planID) + "/"
}

// field is tag and s as a key's field: escaped, and hashed if long.
func field(tag, s string) string {
	f := tag + escape(s)
	if len(f) <= maxField {
		return f
	}
	sum := sha256.Sum256([]byte(f))
	return "~" + hex.EncodeToString(sum[:16])
}

func escape(s string) string {
	if !strings.ContainsAny(s, "%/") {
		return s
	}
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(s)
}

// Due returns the reminders due at in.Now, in order of their moment, then
// key. It is a pure function: no store, no clock, no I/O.
//
// Three kinds:
//   - before: for each occurrence of a recurring activity not yet done,
//     Reminders.Before it, to the activity's owner (an activity without
//     an owner gets none), while the occurrence is still ahead.
//   - chase: for each versioned activity with a chase, each person who
//     has not acknowledged the version in force (evidence.Outstanding:
//     due, not acknowledged; a person who left is not due), at their
//     start (the round's, or the day they joined if later) plus k×Every,
//     k = 1..Max. A material change starts a new round, so a new chase.
//   - escalate: for a recurring occurrence not done, at its deadline plus
//     After; for each communication owed for an event and not yet sent
//     (regulation.IncidentClock), at its deadline plus After, and at the
//     share At of the time from the start of its legal deadline's clock
//     to the legal deadline.
//
// Reminders and chases are never sent late: one whose moment is at or
// before Since, or more than MaxLate before Now, is not due. Escalations are: due whenever their moment is
// at or before Now (within Lookback) and their condition still holds;
// the sender's delivery log sends each key once.
//
// Moments are counted in the activity's calendar: business days, and
// business hours if the calendar has them (a reminder or chase or
// escalation of an occurrence outside them moves to the next opening;
// escalations of an incident clock are not moved, as its deadlines run
// around the clock).
//
// "Done" follows the evidence report's rule: an occurrence is done when
// a communication of the activity (sent or waived, not an
// acknowledgement) names it, or, naming none, was sent from it until the
// next occurrence.
//
// The plan in force at Now is validated first, so that its rules' cost is
// bounded as everywhere; an activity is looked at for at most
// [MaxOccurrences] occurrences (the window (Since, Now] widened by its
// largest before offset, and for escalations by its deadline and
// after), never from its start. The cost is O(records + people ×
// versioned activities + occurrences in the window).
func Due(in Input) ([]Reminder, error) {
	return due(in, true)
}

// due is Due; memo false computes each person's chase moments anew (the
// baseline the benchmark compares with: what a caller of Outstanding
// writes).
func due(in Input, memo bool) ([]Reminder, error) {
	if in.Now.IsZero() {
		return nil, fmt.Errorf("%w: no Now", ErrInvalid)
	}
	if !in.Since.IsZero() && in.Since.After(in.Now) {
		return nil, fmt.Errorf("%w: Since (%s) is after Now (%s)", ErrInvalid, in.Since.Format(time.RFC3339), in.Now.Format(time.RFC3339))
	}
	if err := driver.CheckTenant(in.Tenant); err != nil {
		return nil, fmt.Errorf("remind: %w", errors.Join(ErrInvalid, err))
	}
	versions := in.Versions
	if len(versions) == 0 {
		if in.Plan.ID == "" {
			return nil, fmt.Errorf("%w: no plan: give Versions or Plan", ErrInvalid)
		}
		versions = []store.Version{{PlanID: in.Plan.ID, Plan: in.Plan}}
	}
	r := &run{in: in, versions: versions, current: inForce(versions, in.Now)}
	r.plan = r.current.Plan
	if err := r.plan.Validate(); err != nil {
		return nil, fmt.Errorf("%w: plan %s version %d: %w", ErrInvalid, r.plan.ID, r.current.Number, err)
	}
	if err := r.prepare(memo); err != nil {
		return nil, err
	}
	for _, a := range r.plan.Activities {
		pol := r.plan.RemindersOf(a)
		if pol == nil {
			continue
		}
		if err := r.occurrences(a, pol); err != nil {
			return nil, err
		}
		if err := r.chase(a, pol); err != nil {
			return nil, err
		}
	}
	if err := r.events(); err != nil {
		return nil, err
	}
	out := r.out
	for i := range out {
		out[i].Key = Key(out[i])
	}
	slices.SortFunc(out, func(a, b Reminder) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return slices.CompactFunc(out, func(a, b Reminder) bool { return a.Key == b.Key }), nil
}

// inForce returns the version in force at t: the last one saved at or
// before t, or the first for a t before every version.
func inForce(versions []store.Version, t time.Time) store.Version {
	v := versions[0]
	for _, x := range versions {
		if !x.SavedAt.After(t) {
			v = x
		}
	}
	return v
}
