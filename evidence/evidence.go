// Package evidence answers the auditor's question for Clause 7.4: "show me
// that you did what your plan says". It matches communication records to
// the occurrences of recurring activities and the deadlines of triggered
// ones, judges each against the plan version in force when it was due,
// flags evidence that is present but not as planned, computes the
// programme's performance indicators, and writes a report an auditor can
// read (Markdown, JSON, a self-contained HTML page).
//
//	rep, err := evidence.Evaluate(evidence.Input{
//		Versions: versions, Records: records, Events: events,
//		From: jan1, To: jan1.AddDate(1, 0, 0), Now: now,
//	})
//	rep.WriteHTML(f)
//
// or, from a store, [Build]:
//
//	rep, err := evidence.Build(ctx, st, evidence.BuildOptions{
//		Tenant: "acme", PlanID: "isms-comms", From: jan1, To: jan1.AddDate(1, 0, 0), Now: now,
//	})
//
// The package also holds the store-backed operations that judge against a
// plan: the incident clock of a stored event ([IncidentClock]) and the
// checked writes ([AppendRecord], [SaveMilestone]). Those that read take
// an options struct (BuildOptions, ClockOptions) whose required fields
// are documented; a missing one is an error wrapping [ErrInvalid], never a
// panic or a hidden default such as the current time. Those that write
// take what the store method they check takes, plus the reference time or
// their options.
//
// # Statuses
//
// A recurring occurrence is due from its time to its deadline (the
// activity's within; without one, the end of its day). A triggered
// activity is due from its trigger to the earlier of its plan deadline and
// the legal deadline of the obligations it fulfils. A record fulfils an
// occurrence when it is for that activity (and event) and names that
// occurrence, or was sent between the occurrence and its deadline. Each is:
// on time, late (sent after the deadline, before the next occurrence), missed
// (deadline passed, no record), due (deadline ahead, window open), upcoming,
// or waived (a waiver record answers it). Records that fulfil nothing are
// ad hoc.
//
// # From a store
//
// [Build] verifies the tenant's record chain first and then computes the
// report from exactly the records it verified: it reads the log up to the
// verified head and checks, as it reads, that the records are those the
// head's hash commits to. The report says how many records were verified
// and prints the head's hash, so an auditor can compare it with the
// output of "ismscomms verify". A broken chain, or a store that returns
// other records than it verified, does not stop the report: it leads it.
//
// # The incident clock
//
// [IncidentClock] reads a stored event, the plan version in force when it
// began and the records sent for it, and returns every communication owed
// (regulation.IncidentClock), so that no caller writes the reading loop:
//
//	c, err := evidence.IncidentClock(ctx, st, evidence.ClockOptions{
//		Tenant: "acme", EventID: "INC-7", PlanID: "isms-comms", Now: now,
//	})
//	for _, o := range c.Owed { fmt.Println(o.Activity, o.Due, o) }
//
// # Checked writes
//
// The record log is append-only: a record that names an activity the plan
// lacks, an occurrence that is not one, or an event of the wrong kind stays
// in it forever. [AppendRecord] checks a record against the plan version
// it names (comms.Plan.CheckRecord, the activity's schedule, the event in
// the store, the reference time) and appends it only if it fits;
// [SaveMilestone] refuses a milestone that starts none of the plan's
// communications unless forced, and warns when an event became aware
// before it was detected. Products append through them rather than
// through store.Store directly. Both refuse with an error that says every
// problem (a *[RecordError], a *[MilestoneError]; errors.Is(err,
// [ErrRefused])) and write nothing then.
//
// # Zones
//
// Every function here that judges against a plan returns its times in the
// plan's zone: the assessment's period, occurrences, deadlines, records
// and notifications; the clock's deadlines and records; the records
// AppendRecord returns. A store keeps times in UTC; the instants are the
// same, only shown where the plan is ("done 08:49 CET", not "done 07:49
// UTC").
//
// # JSON
//
// [Assessment.WriteJSON] writes stable field names. Times are RFC 3339 with
// their offset, in the plan's zone (named by "timezone"). Durations are
// seconds, as JSON numbers, in fields whose names end in "_seconds". Rates
// are fractions from 0 to 1, or null where they cannot be computed
// (nothing was due, a stakeholder's size is unknown); in Go they are
// negative then. Texts are exact, with control and bidirectional
// formatting characters written as \u escapes.
//
// # Text in reports
//
// Records come from a store or from flags, not only from validated plans,
// so the Markdown and HTML writers pass every text they print, in one
// place, through the same escaping: control characters (ESC, BEL, CR, C1)
// and bidirectional formatting characters (U+202E) are spelled out
// ("\x1b", "\u202e") rather than obeyed, and a note near the top says how
// many texts held them. html/template escapes markup; the Markdown writer
// escapes Markdown's.
package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
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
	// ReachRate is Reached/Expected; AckRate is Acknowledged/Reached.
	// Negative when not computable (the stakeholders' sizes are unknown,
	// nothing was reached); null in JSON then.
	ReachRate float64 `json:"-"` // JSON: "reach_rate"
	AckRate   float64 `json:"-"` // JSON: "ack_rate"
}

// Notification is one legal notification of an event.
type Notification struct {
	Obligation string    `json:"obligation"`
	EventID    string    `json:"event_id"`
	ActivityID string    `json:"activity_id"`
	Start      time.Time `json:"start"`
	Due        time.Time `json:"due"`
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
}

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
	Matrix      matrix.Matrix  `json:"matrix"`
	Checks      matrix.Report  `json:"findings"`
	Occurrences []Occurrence   `json:"occurrences"`
	AdHoc       []comms.Record `json:"ad_hoc"`
	Deviations  []Deviation    `json:"deviations"`
	KPIs        KPIs           `json:"kpis"`
	Activities  []ActivityKPI  `json:"activities"`
	Monthly     []Month        `json:"monthly"`

	loc *time.Location
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
}

// segment is a plan version and when it was in force.
type segment struct {
	v          store.Version
	from, till time.Time
}

var (
	beginning = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	end       = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// segments returns when each of versions (oldest first, at least one) was
// in force: from its SavedAt (the first from the beginning of time) until
// the next one's.
func segments(versions []store.Version) []segment {
	segs := make([]segment, len(versions))
	for i, v := range versions {
		from := v.SavedAt
		if i == 0 || from.IsZero() {
			from = beginning
		}
		till := end
		if i+1 < len(versions) {
			till = versions[i+1].SavedAt
		}
		segs[i] = segment{v, from, till}
	}
	return segs
}

// inForce returns the version in force at t: the last one saved at or
// before t, or the first one for a t before every version.
func inForce(segs []segment, t time.Time) store.Version {
	v := segs[0].v
	for _, s := range segs {
		if !t.Before(s.from) {
			v = s.v
		}
	}
	return v
}

// Evaluate judges the records against the plan over the period. The
// times of the assessment — its period, occurrences, deadlines, records
// and notifications — are in the zone of the plan version in force at
// Now, whatever the zone of the records and events it was given.
func Evaluate(in Input) (*Assessment, error) {
	if !in.To.After(in.From) {
		return nil, fmt.Errorf("%w: the period ends (%v) before it begins (%v)", ErrInvalid, in.To, in.From)
	}
	versions := in.Versions
	if len(versions) == 0 {
		if in.Plan.ID == "" {
			return nil, fmt.Errorf("%w: no plan: give Versions or Plan", ErrInvalid)
		}
		versions = []store.Version{{PlanID: in.Plan.ID, Number: 0, Plan: in.Plan}}
	}
	segs := segments(versions)
	current := inForce(segs, in.Now).Plan
	loc, err := current.Location()
	if err != nil {
		return nil, fmt.Errorf("evidence: plan %s: %w", current.ID, err)
	}
	rep := &Assessment{
		Tenant: in.Tenant, PlanID: current.ID, Organization: current.Organization, TimeZone: loc.String(),
		From: in.From.In(loc), To: in.To.In(loc), Now: in.Now.In(loc), loc: loc,
		Matrix: matrix.Build(current),
		Checks: matrix.Check(current, append([]matrix.CheckOption{matrix.At(in.Now)}, in.CheckOptions...)...),
	}
	if in.Chain != nil {
		rep.Chain = *in.Chain
	}
	for _, s := range segs {
		if s.till.After(in.From) && s.from.Before(in.To) {
			rep.Versions = append(rep.Versions, VersionInfo{Number: s.v.Number, SavedAt: s.v.SavedAt, SavedBy: s.v.SavedBy, Note: s.v.Note,
				From: later(s.from, in.From), Until: earlier(s.till, in.To)})
		}
	}

	var records []comms.Record
	for _, r := range in.Records {
		if r.PlanID == "" || r.PlanID == current.ID || slices.ContainsFunc(versions, func(v store.Version) bool { return v.PlanID == r.PlanID }) {
			records = append(records, r.In(loc))
		}
	}
	slices.SortStableFunc(records, func(a, b comms.Record) int { return a.SentAt.Compare(b.SentAt) })
	used := make([]bool, len(records))

	if err := rep.recurring(segs, records, used, in); err != nil {
		return nil, err
	}
	if err := rep.triggered(segs, records, used, in); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rep.Occurrences, func(a, b Occurrence) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ActivityID, b.ActivityID)
	})
	for i, r := range records {
		if !used[i] && !r.SentAt.Before(in.From) && r.SentAt.Before(in.To) {
			rep.AdHoc = append(rep.AdHoc, r)
		}
	}
	rep.deviations(segs)
	rep.kpis(segs)
	return rep, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func activityName(a comms.Activity) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// recurring lists the occurrences of every recurring activity, each from
// the version in force at its time, and matches records to them.
func (rep *Assessment) recurring(segs []segment, records []comms.Record, used []bool, in Input) error {
	type planned struct {
		Occurrence
		next time.Time // the activity's next occurrence (bounds a late record)
	}
	byActivity := map[string][]*planned{}
	var order []string
	for _, s := range segs {
		from, till := later(s.from, in.From), earlier(s.till, in.To)
		if !from.Before(till) {
			continue
		}
		p := s.v.Plan
		for _, a := range p.Activities {
			if !a.When.Recurring() {
				continue
			}
			rule, err := schedule.ActivityRule(p, a)
			if err != nil {
				return fmt.Errorf("evidence: plan %s version %d: %w", p.ID, s.v.Number, err)
			}
			cal, err := schedule.PlanCalendar(p, a.Calendar)
			if err != nil {
				return fmt.Errorf("evidence: %w", err)
			}
			var within schedule.Deadline
			if a.When.Within != "" {
				if within, err = schedule.ParseDeadline(a.When.Within); err != nil {
					return fmt.Errorf("evidence: activity %s: %w", a.ID, err)
				}
			}
			if _, seen := byActivity[a.ID]; !seen {
				order = append(order, a.ID)
			}
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
				byActivity[a.ID] = append(byActivity[a.ID], &planned{Occurrence{
					ActivityID: a.ID, Activity: activityName(a), PlanVersion: s.v.Number,
					Obligations: a.Obligations, At: t, Due: due,
				}, next})
			}
		}
	}
	for _, id := range order {
		occ := byActivity[id]
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
		for _, o := range occ {
			if o.Record == nil {
				o.Status = openStatus(o.At, o.Due, in.Now)
			}
			rep.Occurrences = append(rep.Occurrences, o.Occurrence)
		}
	}
	return nil
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

// triggered lists the deadlines of triggered activities for every event,
// from the version in force when the event began, and their evidence.
func (rep *Assessment) triggered(segs []segment, records []comms.Record, used []bool, in Input) error {
	events := slices.Clone(in.Events)
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
			return fmt.Errorf("evidence: event %s: %w", e.ID, err)
		}
		for _, o := range owed {
			if o.Status == regulation.OwedStatusWaiting || o.ActivityID == "" || o.Start.Before(in.From) || !o.Start.Before(in.To) {
				continue
			}
			occ := Occurrence{ActivityID: o.ActivityID, Activity: o.Activity, PlanVersion: version, EventID: e.ID,
				Obligations: o.Obligations, At: o.Start.In(rep.loc), Due: o.Due}
			if !o.Due.IsZero() {
				occ.Due = o.Due.In(rep.loc)
			}
			// The first record of this activity for this event: a waiver or
			// the communication.
			for _, i := range byEvent[e.ID] {
				r := records[i]
				if r.ActivityID != o.ActivityID {
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
			rep.Occurrences = append(rep.Occurrences, occ)
		}
	}
	return nil
}

// activityIn returns the activity as the version in force for occurrence o
// planned it.
func activityIn(segs []segment, o Occurrence) (comms.Activity, comms.Plan, bool) {
	for _, s := range segs {
		if s.v.Number == o.PlanVersion {
			a, ok := s.v.Plan.Activity(o.ActivityID)
			return a, s.v.Plan, ok
		}
	}
	return comms.Activity{}, comms.Plan{}, false
}

func (rep *Assessment) deviations(segs []segment) {
	for _, o := range rep.Occurrences {
		if o.Record == nil || o.Status == StatusWaived {
			continue
		}
		a, p, ok := activityIn(segs, o)
		if !ok {
			continue
		}
		r := o.Record
		add := func(kind DeviationKind, format string, args ...any) {
			rep.Deviations = append(rep.Deviations, Deviation{Kind: kind, ActivityID: a.ID, Seq: r.Seq, SentAt: r.SentAt, Detail: fmt.Sprintf(format, args...)})
		}
		switch {
		case r.Channel == "":
			add(DeviationKindChannel, "no channel recorded; the plan names %s", strings.Join(a.How, ", "))
		case !slices.Contains(a.How, r.Channel):
			add(DeviationKindChannel, "sent through %s, which the plan does not name for this activity (it names %s)", r.Channel, strings.Join(a.How, ", "))
		}
		var missing []string
		for _, w := range a.Whom {
			if !slices.Contains(r.Audiences, w) {
				name := w
				if s, ok := p.Stakeholder(w); ok && s.Name != "" {
					name = s.Name
				}
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			add(DeviationKindAudience, "did not address %s", strings.Join(missing, ", "))
		}
		roles := append([]string{a.Owner}, a.Support...)
		switch {
		case r.SenderRole == "":
			add(DeviationKindSender, "no sender role recorded; the owner is %s", a.Owner)
		case !slices.Contains(roles, r.SenderRole):
			add(DeviationKindSender, "sent by %s (role %s), not by the owning role %s", r.Sender, r.SenderRole, strings.Join(roles, " or "))
		}
	}
}

func rate(num, den int) float64 {
	if den == 0 {
		return -1
	}
	return float64(num) / float64(den)
}

func (rep *Assessment) kpis(segs []segment) {
	k := &rep.KPIs
	k.Occurrences = len(rep.Occurrences)
	k.AdHoc = len(rep.AdHoc)
	k.Deviations = len(rep.Deviations)
	months := map[string]*Month{}
	month := func(t time.Time) *Month {
		key := t.In(rep.loc).Format("2006-01")
		m, ok := months[key]
		if !ok {
			m = &Month{Month: key}
			months[key] = m
		}
		return m
	}
	// Every month of the period appears, even an empty one.
	for t := rep.From.In(rep.loc); t.Before(rep.To); t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, rep.loc) {
		month(t)
	}
	acts := map[string]*ActivityKPI{}
	var actOrder []string
	for _, o := range rep.Occurrences {
		a, ok := acts[o.ActivityID]
		if !ok {
			a = &ActivityKPI{ActivityID: o.ActivityID, Activity: o.Activity}
			acts[o.ActivityID] = a
			actOrder = append(actOrder, o.ActivityID)
		}
		m := month(o.Due)
		switch o.Status {
		case StatusOnTime:
			k.OnTime++
			a.OnTime++
			m.OnTime++
		case StatusLate:
			k.Late++
			a.Late++
			m.Late++
		case StatusMissed:
			k.Missed++
			a.Missed++
			m.Missed++
			k.Overdue = append(k.Overdue, o)
		case StatusDue:
			k.Due++
		case StatusUpcoming:
			k.Upcoming++
		case StatusWaived:
			k.Waived++
			m.Waived++
		}
	}
	judged := k.OnTime + k.Late + k.Missed
	k.OnTimeRate, k.Coverage = rate(k.OnTime, judged), rate(k.OnTime+k.Late, judged)
	for _, id := range actOrder {
		a := acts[id]
		a.Judged = a.OnTime + a.Late + a.Missed
		a.Coverage = rate(a.OnTime+a.Late, a.Judged)
		rep.Activities = append(rep.Activities, *a)
	}
	for _, m := range months {
		m.Judged = m.OnTime + m.Late + m.Missed
		m.OnTimeRate, m.Coverage = rate(m.OnTime, m.Judged), rate(m.OnTime+m.Late, m.Judged)
	}

	// Reach and acknowledgement, from the evidence of planned occurrences.
	aud := map[string]*AudienceRate{}
	var audOrder []string
	for _, o := range rep.Occurrences {
		r := o.Record
		if r == nil || o.Status == StatusWaived {
			continue
		}
		m := month(o.Due)
		m.Reached += r.Reached
		m.Acknowledged += r.Acknowledged
		_, p, _ := activityIn(segs, o)
		sizes := make([]float64, len(r.Audiences))
		total := 0.0
		for i, id := range r.Audiences {
			if s, ok := p.Stakeholder(id); ok {
				sizes[i] = float64(s.Size)
			}
			total += sizes[i]
		}
		for i, id := range r.Audiences {
			ar, ok := aud[id]
			if !ok {
				ar = &AudienceRate{StakeholderID: id, Stakeholder: id}
				if s, ok := p.Stakeholder(id); ok && s.Name != "" {
					ar.Stakeholder = s.Name
				}
				aud[id] = ar
				audOrder = append(audOrder, id)
			}
			share := 1 / float64(len(r.Audiences))
			if total > 0 {
				share = sizes[i] / total
			}
			ar.Records++
			if r.Reached > 0 {
				ar.Expected += sizes[i]
			}
			ar.Reached += float64(r.Reached) * share
			ar.Acknowledged += float64(r.Acknowledged) * share
		}
	}
	slices.Sort(audOrder)
	for _, id := range audOrder {
		ar := aud[id]
		ar.ReachRate, ar.AckRate = -1, -1
		if ar.Expected > 0 {
			ar.ReachRate = ar.Reached / ar.Expected
		}
		if ar.Reached > 0 {
			ar.AckRate = ar.Acknowledged / ar.Reached
		}
		k.Audiences = append(k.Audiences, *ar)
	}

	// Legal notifications: triggered occurrences with obligations.
	tl := map[string]*Timeliness{}
	var tlOrder []string
	for _, o := range rep.Occurrences {
		if o.EventID == "" || len(o.Obligations) == 0 || o.Status == StatusWaived {
			continue
		}
		for _, ob := range o.Obligations {
			n := Notification{Obligation: ob, EventID: o.EventID, ActivityID: o.ActivityID, Start: o.At, Due: o.Due, Status: o.Status}
			if !o.Due.IsZero() {
				n.Allowed = o.Due.Sub(o.At)
			}
			if o.Record != nil {
				n.Sent, n.Elapsed = o.Record.SentAt, o.Record.SentAt.Sub(o.At)
			}
			k.Notifications = append(k.Notifications, n)
			t, ok := tl[ob]
			if !ok {
				t = &Timeliness{Obligation: ob}
				tl[ob] = t
				tlOrder = append(tlOrder, ob)
			}
			t.Count++
			switch o.Status {
			case StatusOnTime:
				t.OnTime++
			case StatusLate:
				t.Late++
			case StatusMissed:
				t.Missed++
			case StatusDue, StatusUpcoming:
				t.Pending++
			}
			if !n.Sent.IsZero() {
				t.Slowest = max(t.Slowest, n.Elapsed)
			}
		}
	}
	for _, ob := range tlOrder {
		k.Timeliness = append(k.Timeliness, *tl[ob])
	}
	keys := make([]string, 0, len(months))
	for key := range months {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		rep.Monthly = append(rep.Monthly, *months[key])
	}
	if rep.Monthly == nil {
		rep.Monthly = []Month{}
	}
}
