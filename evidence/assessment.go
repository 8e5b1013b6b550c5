package evidence

import (
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/store"
)

// Status is the state of one planned occurrence. Values are persisted (JSON).
type Status string

// Statuses.
const (
	StatusOnTime   Status = "on-time"
	StatusLate     Status = "late"
	StatusMissed   Status = "missed"
	StatusDue      Status = "due"
	StatusUpcoming Status = "upcoming"
	StatusWaived   Status = "waived"
)

// Occurrence is one planned communication and its evidence.
type Occurrence struct {
	ActivityID  string   `json:"activity_id"`
	Activity    string   `json:"activity"`
	PlanVersion int      `json:"plan_version,omitempty"`
	EventID     string   `json:"event_id,omitempty"` // for a triggered activity
	Obligations []string `json:"obligations,omitempty"`
	// At is the planned time (the occurrence, or the trigger).
	At time.Time `json:"at"`
	// Due is the deadline.
	Due    time.Time `json:"due"`
	Status Status    `json:"status"`
	// Record is the evidence (for waived, the waiver).
	Record *comms.Record `json:"record,omitempty"`
	// HeldAs is the drill event (comms.EventKindDrill) that answered an
	// occurrence of a recurring activity of topic drill, and HeldAt the
	// drill's start: holding the exercise is the evidence of the
	// activity that plans it (on time or late by its start), with no
	// Record. The drill's own records still count only in its Drills
	// entry, never in a KPI of reach or acknowledgement.
	HeldAs string    `json:"held_as,omitempty"`
	HeldAt time.Time `json:"held_at,omitzero"`
	// Evidence and LegalStatus are the standing of the law behind a
	// triggered occurrence with obligations (the weakest of them, as
	// regulation.Owed has it), and Law says it in words: "primary",
	// "secondary sources only", "proposed, not law; secondary sources
	// only". Empty for an occurrence no obligation applies to.
	Evidence    regulation.EvidenceLevel `json:"evidence,omitempty"`
	LegalStatus regulation.LegalStatus   `json:"legal_status,omitempty"`
	Law         string                   `json:"law,omitempty"`
	// NotInForce: the occurrence's obligations are not yet in force for
	// its event (it is owed by the plan alone); it is no legal
	// notification.
	NotInForce bool `json:"not_in_force,omitempty"`
	// Delay is how late a late record was. JSON: "delay_seconds", present
	// only for a late occurrence.
	Delay time.Duration `json:"-"`
}

// DeviationKind says how evidence departs from the plan.
type DeviationKind string

// Deviation kinds.
const (
	DeviationKindChannel  DeviationKind = "channel"  // a channel the activity does not name (or none recorded)
	DeviationKindAudience DeviationKind = "audience" // one of the activity's audiences not addressed
	DeviationKindSender   DeviationKind = "sender"   // sent by someone outside the owning roles (or not recorded)
)

// Deviation is evidence that is present but not as planned.
type Deviation struct {
	Kind       DeviationKind `json:"kind"`
	ActivityID string        `json:"activity_id"`
	Seq        int64         `json:"seq"`
	SentAt     time.Time     `json:"sent_at"`
	Detail     string        `json:"detail"`
}

// AudienceRate is reach and acknowledgement for one audience.
type AudienceRate struct {
	StakeholderID string `json:"stakeholder_id"`
	Stakeholder   string `json:"stakeholder"`
	Records       int    `json:"records"`
	// Expected is the people the records that count their reach addressed
	// (the stakeholder's size per such record; a record with Reached 0
	// does not say how many it reached and adds nothing); Reached and
	// Acknowledged are the records' counts, shared among a record's
	// audiences by size.
	Expected     float64 `json:"expected"`
	Reached      float64 `json:"reached"`
	Acknowledged float64 `json:"acknowledged"`
	// ReachRate is the share of Expected reached: the records' reach
	// counted against the audiences of known size only, each record's
	// at most the audience's size, so it never exceeds 1 (Reached also
	// holds the shares of audiences without a size). AckRate is
	// Acknowledged/Reached. Negative when not computable (the stakeholders' sizes are unknown,
	// nothing was reached); null in JSON then.
	ReachRate float64 `json:"-"` // JSON: "reach_rate"
	AckRate   float64 `json:"-"` // JSON: "ack_rate"

	reachedOfExpected float64 // the part of Reached counted against Expected
}

// Notification is one legal notification of an event.
type Notification struct {
	Obligation string `json:"obligation"`
	// Evidence and LegalStatus are the obligation's, and Law says them in
	// words ("secondary sources only", "proposed, not law; ...").
	Evidence    regulation.EvidenceLevel `json:"evidence,omitempty"`
	LegalStatus regulation.LegalStatus   `json:"legal_status,omitempty"`
	Law         string                   `json:"law,omitempty"`
	EventID     string                   `json:"event_id"`
	ActivityID  string                   `json:"activity_id"`
	Start       time.Time                `json:"start"`
	Due         time.Time                `json:"due"`
	// Sent is when it went out; zero if not (yet).
	Sent time.Time `json:"sent,omitzero"`
	// Elapsed is from Start to Sent (zero when not sent; JSON:
	// "elapsed_seconds", null then). Allowed is from Start to Due (zero
	// when the law sets no deadline, only "without undue delay"; JSON:
	// "allowed_seconds", null then).
	Elapsed time.Duration `json:"-"`
	Allowed time.Duration `json:"-"`
	// Status is on-time, late, missed, or due while it is pending (not
	// sent, its deadline ahead).
	Status Status `json:"status"`
}

// Pending reports whether n is not sent yet and its deadline is ahead.
func (n Notification) Pending() bool { return pending(n.Status) }

func pending(s Status) bool { return s == StatusDue || s == StatusUpcoming }

// Timeliness summarises one obligation's notifications.
type Timeliness struct {
	Obligation string `json:"obligation"`
	// Law is the obligation's standing in words ("primary", "secondary
	// sources only", "proposed, not law; secondary sources only").
	Law string `json:"law,omitempty"`
	// Count is OnTime + Late + Missed + Pending.
	Count  int `json:"count"`
	OnTime int `json:"on_time"`
	Late   int `json:"late"`
	Missed int `json:"missed"`
	// Pending counts the notifications not sent yet whose deadline is
	// ahead.
	Pending int `json:"pending"`
	// Slowest is the longest time from start to sending among the
	// notifications sent (OnTime + Late of them); zero when none was sent
	// (JSON: "slowest_seconds", null then).
	Slowest time.Duration `json:"-"`
}

// Sent is how many of the notifications were sent.
func (t Timeliness) Sent() int { return t.OnTime + t.Late }

// KPIs are the programme's performance metrics (reference, element 15).
type KPIs struct {
	Occurrences int `json:"occurrences"`
	OnTime      int `json:"on_time"`
	Late        int `json:"late"`
	Missed      int `json:"missed"`
	Due         int `json:"due"`
	Upcoming    int `json:"upcoming"`
	Waived      int `json:"waived"`
	AdHoc       int `json:"ad_hoc"`
	Deviations  int `json:"deviations"`
	// OnTimeRate is on time / (on time + late + missed); Coverage is
	// (on time + late) / (on time + late + missed): the share of occurrences
	// due that have evidence. Negative when nothing was due; null in JSON
	// then.
	OnTimeRate float64 `json:"-"` // JSON: "on_time_rate"
	Coverage   float64 `json:"-"` // JSON: "coverage"
	// Reach and acknowledgement per audience.
	Audiences []AudienceRate `json:"audiences"`
	// Legal notifications and their timeliness per obligation.
	Notifications []Notification `json:"notifications"`
	Timeliness    []Timeliness   `json:"timeliness"`
	// Overdue lists the missed occurrences.
	Overdue []Occurrence `json:"overdue"`
}

// ActivityKPI is one activity's coverage.
type ActivityKPI struct {
	ActivityID string `json:"activity_id"`
	Activity   string `json:"activity"`
	Judged     int    `json:"judged"` // on time + late + missed
	OnTime     int    `json:"on_time"`
	Late       int    `json:"late"`
	Missed     int    `json:"missed"`
	// Coverage is (on time + late) / judged; negative when nothing was
	// judged, null in JSON then.
	Coverage float64 `json:"-"` // JSON: "coverage"
}

// Month is one month of the series. Everything in it counts by due date:
// an occurrence, and the record that answers it, belong to the month (of
// the plan's zone) that holds the occurrence's deadline.
type Month struct {
	Month  string `json:"month"` // "2026-03"
	Judged int    `json:"judged"`
	OnTime int    `json:"on_time"`
	Late   int    `json:"late"`
	Missed int    `json:"missed"`
	Waived int    `json:"waived"`
	// OnTimeRate and Coverage are as in [KPIs]: negative when nothing was
	// judged, null in JSON then.
	OnTimeRate float64 `json:"-"` // JSON: "on_time_rate"
	Coverage   float64 `json:"-"` // JSON: "coverage"
	// Reached and Acknowledged sum the counts of the records answering the
	// month's occurrences.
	Reached      int `json:"reached"`
	Acknowledged int `json:"acknowledged"`
}

// VersionInfo is a plan version in force during the period.
type VersionInfo struct {
	Number  int       `json:"version"`
	SavedAt time.Time `json:"saved_at,omitzero"`
	SavedBy string    `json:"saved_by,omitempty"`
	Note    string    `json:"note,omitempty"`
	// From and Until bound when it was in force within the period.
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// Chain is the result of verifying the tenant's record chain (the store's
// Verify) and, in [Build], of checking that the records the report was
// computed from are exactly those verified.
type Chain struct {
	// Checked says whether the chain was verified at all (false for a
	// report that [Evaluate] built from records it was given).
	Checked bool `json:"checked"`
	// OK says the chain is intact and the report read exactly the records
	// verified.
	OK bool `json:"ok"`
	// Verified is how many records were verified: the whole log when OK,
	// the records before the first bad one when not.
	Verified int64 `json:"verified"`
	// HeadHash is the hash of the last record verified (lower-case hex
	// SHA-256), when the chain verified and the log is not empty. With OK
	// false and HeadHash set, the chain verified but the records read for
	// the report are not the ones verified; Seq and Error say where.
	HeadHash string `json:"head_hash,omitempty"`
	// Seq is the first bad record, and Error says what is wrong with it.
	Seq   int64  `json:"seq,omitempty"`
	Error string `json:"error,omitempty"`
	// Unreadable lists, for a broken chain, the records the store would
	// not return because their content does not match their hash (an
	// edited record): the report leaves them out, and reads on after
	// them. At most MaxUnreadable are listed; past that the report stops
	// reading, at the record ReadTo names.
	Unreadable []Unreadable `json:"unreadable,omitempty"`
	// ReadTo, when not zero, is the last record the report read: it gave
	// up after MaxUnreadable unreadable records.
	ReadTo int64 `json:"read_to,omitempty"`
	// Tree is the checkpoint of the tenant's Merkle tree the report was
	// computed at, when its caller took one (the report command does, on
	// a store that keeps the tree: store/checkpoint.Verify or Sign).
	Tree *TreeCheckpoint `json:"tree,omitempty"`
	// NoCheckpoint, when not empty, says why the report carries no
	// checkpoint though its caller tried to take one: the store's Merkle
	// tree does not verify, or its storage is damaged (a checkpoint is
	// never signed of it). The header says so.
	NoCheckpoint string `json:"no_checkpoint,omitempty"`
}

// TreeCheckpoint is a checkpoint of the tenant's Merkle tree
// (store/checkpoint): its size and root hash, recomputed from the
// records, and the signed note when one was signed.
type TreeCheckpoint struct {
	// Size is the tree's size: the number of records it covers. It can
	// exceed Chain.Verified when records were appended while the report
	// was made; the header says so.
	Size int64 `json:"size"`
	// RootHash is the tree's root hash, standard base64.
	RootHash string `json:"root_hash"`
	// Note is the signed checkpoint (sumdb note), when one was signed.
	Note string `json:"note,omitempty"`
}

// Unreadable is a record a report left out because the store would not
// return it, and why (the store's *store.ChainError: "its content does
// not match its hash", a time that does not parse, ...).
type Unreadable struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// MaxUnreadable is how many unreadable records a report on a broken
// chain reads past before it stops reading.
const MaxUnreadable = 100

// Assessment is the evidence of a plan over a period.
type Assessment struct {
	Tenant       string `json:"tenant,omitempty"`
	PlanID       string `json:"plan_id"`
	Organization string `json:"organization,omitempty"`
	// TimeZone is the IANA name of the plan's zone, which the report's
	// times and months are in.
	TimeZone string        `json:"timezone"`
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Now      time.Time     `json:"now"`
	Chain    Chain         `json:"chain"`
	Versions []VersionInfo `json:"versions"`
	// Matrix and Checks are those of the plan version in force at Now
	// (or the last one of the period).
	// Approved is the latest approval of the plan in force at Now (nil
	// when it records none): [Assessment.ManagementReview] takes the
	// changes since its day.
	Approved    *comms.Approval `json:"approved,omitempty"`
	Matrix      matrix.Matrix   `json:"matrix"`
	Checks      matrix.Report   `json:"findings"`
	Occurrences []Occurrence    `json:"occurrences"`
	AdHoc       []comms.Record  `json:"ad_hoc"`
	Deviations  []Deviation     `json:"deviations"`
	KPIs        KPIs            `json:"kpis"`
	Activities  []ActivityKPI   `json:"activities"`
	Monthly     []Month         `json:"monthly"`
	// Acknowledgements are, for each activity of the plan in force whose
	// message has a version, who was due to acknowledge it at Now (or the
	// end of the period, if earlier), who did and who is outstanding or
	// overdue ([Outstanding]), computed from the tenant's roster and the
	// acknowledgements in the log: counts and rates per audience and in
	// total. The people themselves are listed only when Names is set
	// (Input.Names): a report is often shared, and they are personal data.
	Acknowledgements []AckStatus `json:"acknowledgements"`
	// Drills are the drills held in the period (events of kind
	// comms.EventKindDrill that began in it), with the deadlines they
	// would have met or missed and their lessons; none of their records
	// counts anywhere else in the report. DrillYears are the period's
	// calendar years and their drills, when the plan in force plans
	// drills; a complete year without one is [DrillYear.Missing].
	Drills     []Drill     `json:"drills"`
	DrillYears []DrillYear `json:"drill_years"`
	// Feedback is the feedback received in the period and its handling
	// (records of type comms.RecordTypeFeedback; a drill's never count).
	Feedback Feedback `json:"feedback"`
	// Objectives are the plan's objectives (of the version in force at
	// Now), each judged per period (see [ObjectiveResult]).
	Objectives []ObjectiveResult `json:"objectives"`
	// RecordProblems are the records sent in the period that the report
	// counted nowhere, or not wholly, because they contradict the event
	// they name or the plan (see [RecordProblem]): a feedback score off the
	// plan's scale, a correction of a record the report does not have.
	RecordProblems []RecordProblem `json:"record_problems"`
	// LastReview is when the last management review was held, as the
	// records show: the latest sent record, by Now, of an activity of
	// topic management-review (a planned occurrence's or ad hoc); zero
	// for none. While an occurrence of such an activity is open at Now,
	// the review being prepared is that one, and records sent from its
	// time on are its own, not the last review's: the input recorded and
	// written again in the window counts its changes from the review
	// before. [Assessment.ManagementReview] counts the changes to the plan
	// from it.
	LastReview time.Time `json:"last_review,omitzero"`
	// Names says whether the report names people: the Acknowledgements'
	// People, and the Recipients of the records it shows (without Names,
	// those are left out; the records' counts and hashes are as stored).
	Names bool `json:"names"`

	loc *time.Location
	// objectiveVisits counts what judging the objectives looked at (objectiveIndex.visited), for the cost test.
	objectiveVisits int
}

// Input is what Evaluate judges.
type Input struct {
	Tenant string
	// Versions are the plan's versions, oldest first; each is in force from
	// its SavedAt until the next one's (the first from the beginning of
	// time). Give Plan instead for a single plan.
	Versions []store.Version
	Plan     comms.Plan
	// Records and Events are the tenant's (those of other plans are
	// ignored).
	Records []comms.Record
	Events  []comms.Event
	// From (inclusive) and To (exclusive) bound the period; Now is the
	// reference time for what is due, missed or upcoming.
	From, To, Now time.Time
	// Chain is the store's Verify result, if it was run.
	Chain *Chain
	// CheckOptions are passed to matrix.Check for the findings (profiles).
	CheckOptions []matrix.CheckOption
	// Roster is the tenant's people (see [TenantRoster]); nil for none.
	// Where it covers a stakeholder group, the group's size is the
	// roster's count on the day (comms.Roster.Size), not the plan's
	// declared figure, and the acknowledgements of versioned messages are
	// computed from it.
	Roster *comms.Roster
	// Names lists the people in the report's Acknowledgements; without
	// it, only counts and rates.
	Names bool
}
