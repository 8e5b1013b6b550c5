package comms

import (
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/internal/zone"
)

// Format is the value of a plan file's format field.
const Format = "ismscomms/v1"

// Plan is an organization's communication plan for its ISMS: who is
// responsible (Roles), with whom it communicates (Stakeholders), how
// (Channels) and what and when (Activities). It is the Go form of a plan
// file; see [LoadPlan].
//
// A Plan is a plain value: copying it shares its slices. It is safe for
// concurrent reads.
type Plan struct {
	// Format is "ismscomms/v1".
	Format string `yaml:"format" json:"format"`
	// ID identifies the plan within its organization (a tenant).
	ID string `yaml:"id" json:"id"`
	// Organization is the name of the organization the plan belongs to.
	Organization string `yaml:"organization,omitempty" json:"organization,omitempty"`
	// TimeZone is the IANA name of the zone that the plan's wall-clock
	// times are local to. Empty means UTC.
	TimeZone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	// Review is an RRULE saying how often the plan itself is reviewed.
	Review string `yaml:"review,omitempty" json:"review,omitempty"`
	// Approved records the plan's latest approval.
	Approved *Approval `yaml:"approved,omitempty" json:"approved,omitempty"`
	// Profiles names the legal profiles the plan must pass ("gdpr",
	// "nis2"; package regulation lists them): matrix.Check applies them
	// without being told, and so do the evidence report and the command's
	// check and report. A profile given to matrix.Check as well adds to
	// them. The names are checked against the catalog by matrix.Check (rule
	// REG-UNKNOWN), not here: this package knows no laws.
	Profiles []string `yaml:"profiles,omitempty" json:"profiles,omitempty"`

	Calendars    []Calendar    `yaml:"calendars,omitempty" json:"calendars,omitempty"`
	Roles        []Role        `yaml:"roles,omitempty" json:"roles,omitempty"`
	Stakeholders []Stakeholder `yaml:"stakeholders,omitempty" json:"stakeholders,omitempty"`
	Channels     []Channel     `yaml:"channels,omitempty" json:"channels,omitempty"`
	Activities   []Activity    `yaml:"activities,omitempty" json:"activities,omitempty"`
	// Waivers are justified exclusions from the completeness checks, as a
	// Statement of Applicability records them for Annex A controls.
	Waivers []Waiver `yaml:"waivers,omitempty" json:"waivers,omitempty"`
	// Grace is how long people have to acknowledge a message (a new one,
	// or one whose version changed materially) before they count as
	// overdue, for every activity that does not give its own
	// ([Activity.Grace]). Its form is a deadline's: 14d, 3bd, 1mo, 72h.
	// Empty: no grace period, due at once.
	Grace string `yaml:"grace,omitempty" json:"grace,omitempty"`
	// Reminders is the plan-wide reminder and escalation policy, for
	// every activity that has no reminders block of its own; nil: none.
	// See [Reminders].
	Reminders *Reminders `yaml:"reminders,omitempty" json:"reminders,omitempty"`
	// Objectives are the programme's measurable objectives, each judged
	// per period by package evidence. See [Objective].
	Objectives []Objective `yaml:"objectives,omitempty" json:"objectives,omitempty"`
	// Feedback is the plan's feedback policy: the scale scores are given
	// on and how soon feedback must be handled; nil: none. See [Feedback].
	Feedback *Feedback `yaml:"feedback,omitempty" json:"feedback,omitempty"`
}

// Waiver excludes a finding of matrix.Check, with the reason why. A waived
// finding stays in the report, marked waived with its reason.
type Waiver struct {
	// Rule is the check's ID, such as "CRISIS".
	Rule string `yaml:"rule" json:"rule"`
	// Subject is the ID of the activity, stakeholder, channel, role,
	// objective or requirement the finding is about; empty waives the
	// rule for the whole plan.
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"`
	// Reason is the written justification. It is required.
	Reason string `yaml:"reason" json:"reason"`
	// By is who accepted the waiver.
	By string `yaml:"by,omitempty" json:"by,omitempty"`
	// Until is the last day the waiver applies; zero means no end.
	Until Date `yaml:"until,omitempty" json:"until,omitzero"`
}

// Approval is who approved a plan and when.
type Approval struct {
	// By is the role (or person) that approved the plan.
	By   string `yaml:"by,omitempty" json:"by,omitempty"`
	Date Date   `yaml:"date,omitempty" json:"date,omitzero"`
}

// Role is a responsibility in the plan: the Information Security Officer,
// the Incident Response Team. Activities name their owner by role.
type Role struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Contact is an address for the role, such as a shared mailbox.
	Contact string `yaml:"contact,omitempty" json:"contact,omitempty"`
}

// Stakeholder is an interested party the organization communicates with.
type Stakeholder struct {
	ID    string          `yaml:"id" json:"id"`
	Name  string          `yaml:"name,omitempty" json:"name,omitempty"`
	Scope Scope           `yaml:"scope,omitempty" json:"scope,omitempty"`
	Kind  StakeholderKind `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Size is how many people the stakeholder group holds, if known. The
	// evidence package uses it for reach rates.
	Size int `yaml:"size,omitempty" json:"size,omitempty"`
	// Requirements are what the stakeholder needs to be told or expects,
	// each with the activities that meet it. See [Requirement].
	Requirements []Requirement `yaml:"requirements,omitempty" json:"requirements,omitempty"`
}

// Label is the name to show for s: its Name, or its ID when it has none.
func (s Stakeholder) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// Channel is a means of communication.
type Channel struct {
	ID   string      `yaml:"id" json:"id"`
	Name string      `yaml:"name,omitempty" json:"name,omitempty"`
	Kind ChannelKind `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Reach lists the scopes of stakeholders the channel can reach: an
	// intranet reaches internal ones only.
	Reach []Scope `yaml:"reach,omitempty" json:"reach,omitempty"`
	// MaxClassification is the most sensitive classification the channel
	// may carry.
	MaxClassification Classification `yaml:"max_classification,omitempty" json:"max_classification,omitempty"`
	// Inbound says the channel also takes communication in: stakeholders
	// can reach the organization through it (a press office's line for
	// media inquiries, a survey, a suggestion box, a reporting hotline).
	// Feedback and media-inquiry protocols name inbound channels.
	Inbound bool `yaml:"inbound,omitempty" json:"inbound,omitempty"`
}

// Reaches reports whether c can reach stakeholders of scope s.
func (c Channel) Reaches(s Scope) bool {
	for _, r := range c.Reach {
		if r == s {
			return true
		}
	}
	return false
}

// Calendar is a business-day calendar that deadlines counted in business
// days ("3bd") use: a time zone, the weekend days and the holidays.
type Calendar struct {
	ID string `yaml:"id" json:"id"`
	// TimeZone is an IANA zone name; empty means the plan's zone.
	TimeZone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	// Weekend lists the days that are not business days, as two-letter
	// codes (sa, su). Empty means Saturday and Sunday.
	Weekend  []string `yaml:"weekend,omitempty" json:"weekend,omitempty"`
	Holidays []Date   `yaml:"holidays,omitempty" json:"holidays,omitempty"`
	// Hours are the business hours, "09:00-17:00" (local to the
	// calendar's zone, the end excluded; 24:00 for midnight), within
	// which reminders are sent: package remind moves a reminder that
	// falls outside them, or on a day that is not a business day, to the
	// start of the next business hours. Empty: reminders are sent at any
	// hour. Deadlines are not affected.
	Hours string `yaml:"hours,omitempty" json:"hours,omitempty"`
}

// Activity is one row of the communication matrix: what is communicated,
// when, with whom, how and by whom.
type Activity struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// What is the message.
	What Message `yaml:"what" json:"what"`
	// Whom lists the IDs of the stakeholders the activity reaches.
	Whom []string `yaml:"whom,omitempty" json:"whom,omitempty"`
	// How lists the IDs of the channels the activity uses.
	How []string `yaml:"how,omitempty" json:"how,omitempty"`
	// When is the timing: a recurrence, a trigger, or both.
	When Timing `yaml:"when" json:"when"`
	// Owner is the ID of the role responsible for the activity.
	Owner string `yaml:"owner,omitempty" json:"owner,omitempty"`
	// Support lists roles that share the responsibility with the owner.
	Support []string `yaml:"support,omitempty" json:"support,omitempty"`
	// Spokesperson is the role that speaks for the organization towards
	// media and the public (crisis communication).
	Spokesperson string `yaml:"spokesperson,omitempty" json:"spokesperson,omitempty"`
	// Calendar is the ID of the calendar business-day deadlines are
	// counted in; empty means the plan's zone with a Saturday-Sunday
	// weekend and no holidays.
	Calendar string `yaml:"calendar,omitempty" json:"calendar,omitempty"`
	// Obligations lists IDs of legal notification obligations the activity
	// fulfils (see package regulation), such as "gdpr-art33".
	Obligations []string `yaml:"obligations,omitempty" json:"obligations,omitempty"`
	// Notes is free text for the plan's reader.
	Notes string `yaml:"notes,omitempty" json:"notes,omitempty"`
	// Grace is how long people have to acknowledge the activity's message
	// before they count as overdue; empty means the plan's [Plan.Grace].
	// Its form is a deadline's (14d, 3bd, 1mo, 72h), business days
	// counted in the activity's calendar.
	Grace string `yaml:"grace,omitempty" json:"grace,omitempty"`
	// Reminders is the activity's reminder and escalation policy; it
	// replaces the plan's wholly ([Plan.RemindersOf]). An empty block
	// turns reminders off for the activity; nil means the plan's.
	Reminders *Reminders `yaml:"reminders,omitempty" json:"reminders,omitempty"`
}

// GraceOf returns the grace period that applies to the activity: its own
// Grace, or else the plan's; empty for none.
func (p Plan) GraceOf(a Activity) string {
	if a.Grace != "" {
		return a.Grace
	}
	return p.Grace
}

// Message is what an activity communicates.
type Message struct {
	Topic   Topic  `yaml:"topic,omitempty" json:"topic,omitempty"`
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
	// Classification is the sensitivity of the message; channels must be
	// cleared for it.
	Classification Classification `yaml:"classification,omitempty" json:"classification,omitempty"`
	// Version identifies the content now in force (a policy document, a
	// notice) and says how it changed from the one before; the zero
	// value means the message is not versioned. See [MessageVersion].
	Version MessageVersion `yaml:"version,omitempty" json:"version,omitzero"`
}

// MessageVersion is the version of an activity's message: the digest of
// its content, and the class of the change from the version before it.
// In a plan file:
//
//	what:
//	  topic: policy
//	  message: Information security policy
//	  version: {digest: "sha256:9f86d0…", change: minor, label: "3.1", effective: 2026-03-01}
//
// The history of a message is the sequence of plan versions in a store
// (store.Store keeps every one): a plan version whose digest differs from
// the previous plan version's is a new message version, and its Change
// says whether acknowledgements of the version before carry over (minor)
// or everyone must acknowledge again (material, the default). The first
// version of a message is always acknowledged by everyone.
//
// The zero MessageVersion is "not versioned".
type MessageVersion struct {
	// Digest identifies the content: "sha256:" and 64 lower-case hex
	// digits, as [Digest] computes it. Required when any other field is
	// set.
	Digest string `yaml:"digest,omitempty" json:"digest,omitempty"`
	// Change is the class of the change from the previous version;
	// empty means material.
	Change ChangeClass `yaml:"change,omitempty" json:"change,omitempty"`
	// Label is a name for people, such as "3.1" or "2026 edition".
	Label string `yaml:"label,omitempty" json:"label,omitempty"`
	// Effective is the day the version takes effect; the grace period
	// counts from it (and from the day a person joins, if later). Zero:
	// from when it is first sent.
	Effective Date `yaml:"effective,omitempty" json:"effective,omitzero"`
}

// IsZero reports whether v is the zero MessageVersion (not versioned).
func (v MessageVersion) IsZero() bool { return v == MessageVersion{} }

// Material reports whether the version requires everyone to acknowledge
// again: its Change is material or empty.
func (v MessageVersion) Material() bool { return v.Change != ChangeMinor }

// Label is the name to show for a: its Name, or its ID when it has none.
func (a Activity) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// Timing says when an activity happens: on a recurrence (RRule with Start),
// in answer to a trigger (Trigger with Within), or both.
type Timing struct {
	// RRule is an RFC 5545 RRULE value such as "FREQ=YEARLY;BYMONTH=1".
	RRule string `yaml:"rrule,omitempty" json:"rrule,omitempty"`
	// Start is the first occurrence (DTSTART), local to the plan's zone.
	Start DateTime `yaml:"start,omitempty" json:"start,omitzero"`
	// Until ends the recurrence (inclusive), local to the plan's zone. A
	// date alone includes that whole day.
	Until DateTime `yaml:"until,omitempty" json:"until,omitzero"`
	// Exdates are occurrences left out. A date alone leaves out every
	// occurrence on that day.
	Exdates []DateTime `yaml:"exdates,omitempty" json:"exdates,omitempty"`
	// Rdates are occurrences added to the recurrence.
	Rdates []DateTime `yaml:"rdates,omitempty" json:"rdates,omitempty"`
	// Trigger is the event milestone the activity answers, written
	// "<event-kind>.<milestone>" (incident.aware), or
	// "activity:<id>" for the completion of another activity for the same
	// event (a final report after the notification was sent).
	Trigger string `yaml:"trigger,omitempty" json:"trigger,omitempty"`
	// Within is the deadline: after an occurrence or after the trigger.
	// Its form is a number and a unit: 4h, 72h, 14d, 3bd (business days),
	// 1mo. See schedule.ParseDeadline.
	Within string `yaml:"within,omitempty" json:"within,omitempty"`
}

// Recurring reports whether t has a recurrence rule.
func (t Timing) Recurring() bool { return t.RRule != "" }

// Triggered reports whether t has a trigger.
func (t Timing) Triggered() bool { return t.Trigger != "" }

// ActivityTriggerPrefix starts a trigger that names another activity.
const ActivityTriggerPrefix = "activity:"

// TriggerParts splits a milestone trigger "incident.aware" into its event
// kind and milestone. ok is false for an activity trigger or a malformed one.
func (t Timing) TriggerParts() (kind, milestone string, ok bool) {
	if strings.HasPrefix(t.Trigger, ActivityTriggerPrefix) {
		return "", "", false
	}
	kind, milestone, ok = strings.Cut(t.Trigger, ".")
	return kind, milestone, ok && kind != "" && milestone != ""
}

// Location loads the plan's time zone (UTC when TimeZone is empty). Zones
// are loaded once per process and shared.
func (p Plan) Location() (*time.Location, error) {
	return zone.Load(p.TimeZone)
}

// Role returns the role with the given ID (the first, should two share
// it). Role, Stakeholder, Channel, Activity and Calendar search the plan's
// list, in time proportional to its length: a caller that looks up many
// IDs builds an [Index] once instead.
func (p Plan) Role(id string) (Role, bool) {
	return find(p.Roles, id, func(r Role) string { return r.ID })
}

// Stakeholder returns the stakeholder with the given ID.
func (p Plan) Stakeholder(id string) (Stakeholder, bool) {
	return find(p.Stakeholders, id, func(s Stakeholder) string { return s.ID })
}

// Channel returns the channel with the given ID.
func (p Plan) Channel(id string) (Channel, bool) {
	return find(p.Channels, id, func(c Channel) string { return c.ID })
}

// Activity returns the activity with the given ID.
func (p Plan) Activity(id string) (Activity, bool) {
	return find(p.Activities, id, func(a Activity) string { return a.ID })
}

// Calendar returns the calendar with the given ID.
func (p Plan) Calendar(id string) (Calendar, bool) {
	return find(p.Calendars, id, func(c Calendar) string { return c.ID })
}

func find[T any](items []T, id string, key func(T) string) (T, bool) {
	for _, it := range items {
		if key(it) == id {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// Index finds a plan's elements by ID in constant time: build it once
// with [Plan.Index] where many IDs are looked up (a check over every
// activity, an agenda of every occurrence), instead of calling
// [Plan.Activity] and its kind, which search the plan's lists. Like them
// it returns the first element with an ID should two share it.
//
// An Index holds the plan it was built from and shares its slices: it
// reflects the plan as it was then, so change the plan and build another.
// It is safe for concurrent use by multiple goroutines.
type Index struct {
	plan                                                 Plan
	roles, stakeholders, channels, activities, calendars map[string]int
}

// Index builds the plan's [Index], in time proportional to its size.
func (p Plan) Index() *Index {
	return &Index{
		plan:         p,
		roles:        positions(p.Roles, func(r Role) string { return r.ID }),
		stakeholders: positions(p.Stakeholders, func(s Stakeholder) string { return s.ID }),
		channels:     positions(p.Channels, func(c Channel) string { return c.ID }),
		activities:   positions(p.Activities, func(a Activity) string { return a.ID }),
		calendars:    positions(p.Calendars, func(c Calendar) string { return c.ID }),
	}
}

// positions maps each ID of items to the position of its first item.
func positions[T any](items []T, key func(T) string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		if _, dup := m[key(it)]; !dup {
			m[key(it)] = i
		}
	}
	return m
}

// Plan returns the plan the index was built from.
func (x *Index) Plan() Plan { return x.plan }

// Role returns the role with the given ID, as [Plan.Role] does.
func (x *Index) Role(id string) (Role, bool) { return at(x.plan.Roles, x.roles, id) }

// Stakeholder returns the stakeholder with the given ID.
func (x *Index) Stakeholder(id string) (Stakeholder, bool) {
	return at(x.plan.Stakeholders, x.stakeholders, id)
}

// Channel returns the channel with the given ID.
func (x *Index) Channel(id string) (Channel, bool) { return at(x.plan.Channels, x.channels, id) }

// Activity returns the activity with the given ID.
func (x *Index) Activity(id string) (Activity, bool) {
	return at(x.plan.Activities, x.activities, id)
}

// ActivityIndex returns the position of the activity with the given ID in
// the plan's Activities, or false.
func (x *Index) ActivityIndex(id string) (int, bool) {
	i, ok := x.activities[id]
	return i, ok
}

// Calendar returns the calendar with the given ID.
func (x *Index) Calendar(id string) (Calendar, bool) { return at(x.plan.Calendars, x.calendars, id) }

func at[T any](items []T, pos map[string]int, id string) (T, bool) {
	if i, ok := pos[id]; ok {
		return items[i], true
	}
	var zero T
	return zero, false
}
