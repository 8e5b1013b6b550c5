package evidence

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

// AckState is where one person stands with an activity's message.
type AckState string

// Acknowledgement states. Values are persisted in reports; new ones are
// added at the end.
const (
	// AckDone: the person acknowledged a version of the message that
	// counts (one since the last material change).
	AckDone AckState = "acknowledged"
	// AckOutstanding: not acknowledged yet, within the grace period.
	AckOutstanding AckState = "outstanding"
	// AckOverdue: not acknowledged, and the grace period is over.
	AckOverdue AckState = "overdue"
)

// AckCounts count people: those due to receive and acknowledge a message,
// those a delivery record names as recipients, those who acknowledged,
// those who have not (Outstanding, which includes Overdue) and those past
// their grace period. Rate is Acknowledged / Due, 0 when no one is due.
type AckCounts struct {
	Due          int     `json:"due"`
	Received     int     `json:"received"`
	Acknowledged int     `json:"acknowledged"`
	Outstanding  int     `json:"outstanding"`
	Overdue      int     `json:"overdue"`
	Rate         float64 `json:"rate"`
}

func (c *AckCounts) add(p PersonAck) {
	c.Due++
	if !p.ReceivedAt.IsZero() {
		c.Received++
	}
	switch p.State {
	case AckDone:
		c.Acknowledged++
	case AckOverdue:
		c.Overdue++
		c.Outstanding++
	default:
		c.Outstanding++
	}
}

func (c *AckCounts) rate() {
	if c.Due > 0 {
		c.Rate = float64(c.Acknowledged) / float64(c.Due)
	}
}

// PersonAck is one person's standing with the message of an activity.
type PersonAck struct {
	PersonID string `json:"person_id"`
	Name     string `json:"name,omitempty"`
	// Stakeholders are the activity's audiences the person belongs to.
	Stakeholders []string `json:"stakeholders"`
	// DueBy is when the grace period ends: counted from the start of the
	// acknowledgement round or the day the person joined, whichever is
	// later.
	DueBy time.Time `json:"due_by"`
	// ReceivedAt is the first delivery of an accepted version (a sent
	// record of the activity with its digest) that names the person as a
	// recipient; zero if none does.
	ReceivedAt time.Time `json:"received_at,omitzero"`
	// AcknowledgedAt is the person's first acknowledgement that counts,
	// and AckDigest the version it acknowledged; zero and empty if none.
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AckDigest      string    `json:"ack_digest,omitempty"`
	State          AckState  `json:"state"`
}

// StakeholderAcks are the counts of one audience of the activity. A
// person in two audiences counts in both.
type StakeholderAcks struct {
	StakeholderID string `json:"stakeholder_id"`
	AckCounts
}

// AckStatus answers, for one activity at one moment, who was due to
// receive and acknowledge its message, who did, who is outstanding and
// who is overdue: per person and per stakeholder.
type AckStatus struct {
	ActivityID string    `json:"activity_id"`
	At         time.Time `json:"at"`
	// PlanVersion is the plan version in force at At; Digest the message
	// version it declares.
	PlanVersion int    `json:"plan_version"`
	Digest      string `json:"digest"`
	// Accepted are the digests whose acknowledgements count: the version
	// of the last material change and the minor changes after it.
	Accepted []string `json:"accepted"`
	// Since is when the current acknowledgement round began: the
	// message version's Effective day, or else the first delivery of the
	// version, or else when the plan version declaring it was saved.
	Since time.Time `json:"since"`
	// Grace is the grace period (comms.Plan.GraceOf), "" for none: then
	// everyone due is overdue from the start of their round.
	Grace string `json:"grace,omitempty"`
	// People are the people due, in roster order.
	People       []PersonAck       `json:"people"`
	Stakeholders []StakeholderAcks `json:"stakeholders"`
	Total        AckCounts         `json:"total"`
}

// Outstanding answers the acknowledgement questions for activity
// activityID at the moment at, from the plan's history (versions, oldest
// first, as store.Versions yields them), the roster and the log (the
// tenant's records, in any order; those of other activities or another
// plan, and those after at, are ignored). It is a pure function; it costs O(people +
// records + versions).
//
// The message's history is the plan versions saved by at: a version whose
// digest differs from the one before it is a new message version, and
// unless it is declared minor (comms.MessageVersion.Material) it starts
// a new acknowledgement round, in which only acknowledgements of it and of
// the minor versions after it count. The round starts on its Effective
// day, or at its first delivery (a sent record of the activity with its
// digest), or when the plan version was saved.
//
// A person is due if, on the day of at (in the plan's zone), the roster
// has them (comms.Person.Active) in one of the activity's audiences: a
// person who left is not due, and one who joined is due from the day they
// joined. Each has the grace period, counted in the activity's calendar,
// from the start of the round or the day they joined, whichever is later.
// An acknowledgement counts if it is a record of type ack of the activity,
// by the person, of an accepted digest, made by at.
//
// It fails with ErrInvalid when no plan version was saved by at, the
// activity is not in the version in force, or its message has no
// version.
func Outstanding(versions []store.Version, roster comms.Roster, log []comms.Record, activityID string, at time.Time) (*AckStatus, error) {
	return outstanding(versions, roster, log, nil, activityID, at)
}

// OutstandingAll is [Outstanding] for each of activityIDs, from one pass
// over the log that sorts its records by activity: for a tenant's
// versioned activities, it costs O(people × activities + records) rather
// than a pass over the whole log for each. An activity whose message has
// no version at at (or that the plan in force does not have) is absent
// from the result; any other error ends it.
func OutstandingAll(versions []store.Version, roster comms.Roster, log []comms.Record, activityIDs []string, at time.Time) (map[string]*AckStatus, error) {
	only := make(map[string][]int32, len(activityIDs))
	for _, id := range activityIDs {
		only[id] = []int32{}
	}
	for i := range log {
		if ix, ok := only[log[i].ActivityID]; ok {
			only[log[i].ActivityID] = append(ix, int32(i))
		}
	}
	out := make(map[string]*AckStatus, len(activityIDs))
	for id, ix := range only {
		st, err := outstanding(versions, roster, log, ix, id, at)
		if errors.Is(err, ErrInvalid) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, nil
}

// outstanding is Outstanding over the records of log that only indexes,
// or all of them when only is nil.
func outstanding(versions []store.Version, roster comms.Roster, log []comms.Record, only []int32, activityID string, at time.Time) (*AckStatus, error) {
	m := roundAt(versions, activityID, at)
	current, accepted, roundDigest, round := m.current, m.accepted, m.roundDigest, m.round
	if current == nil {
		return nil, invalid("outstanding: no plan version was saved by %s", at.Format(time.RFC3339))
	}
	p := current.Plan
	a, ok := p.Activity(activityID)
	if !ok {
		return nil, invalid("outstanding: plan %s version %d has no activity %q", p.ID, current.Number, activityID)
	}
	if a.What.Version.Digest == "" || round == nil {
		return nil, invalid("outstanding: activity %s of plan %s version %d has no message version (what.version.digest)", a.ID, p.ID, current.Number)
	}
	loc, err := p.Location()
	if err != nil {
		return nil, fmt.Errorf("evidence: outstanding: %w", err)
	}
	cal, err := schedule.PlanCalendar(p, a.Calendar)
	if err != nil {
		return nil, fmt.Errorf("evidence: outstanding: %w", err)
	}
	grace := p.GraceOf(a)
	var within schedule.Deadline
	if grace != "" {
		if within, err = schedule.ParseDeadline(grace); err != nil {
			return nil, fmt.Errorf("evidence: outstanding: activity %s: grace: %w", a.ID, err)
		}
	}
	// One pass over the log: the first delivery of the round's version,
	// each person's first delivery and first acknowledgement that count.
	var eff comms.Date
	if ra, ok := round.Plan.Activity(activityID); ok {
		eff = ra.What.Version.Effective
	}
	day := comms.DateOf(at.In(loc))

	st := &AckStatus{ActivityID: a.ID, At: at.In(loc), PlanVersion: current.Number, Digest: a.What.Version.Digest,
		Accepted: accepted, Grace: grace}
	index := make(map[string]int, len(a.Whom))
	for _, id := range a.Whom {
		index[id] = len(st.Stakeholders)
		st.Stakeholders = append(st.Stakeholders, StakeholderAcks{StakeholderID: id})
	}
	// First the people due, each with their position: the pass over the
	// log then finds a person's entry with one map lookup (a record of
	// someone not due is skipped), rather than filling maps of deliveries
	// and acknowledgements to be looked up again for every person.
	st.People = make([]PersonAck, 0, len(roster.People))
	pos := make(map[string]int, len(roster.People))
	joined := make([]comms.Date, 0, len(roster.People)) // each entry's person's From
	dups := false                                       // a person ID twice (an unvalidated roster)
	// The people's groups share one backing array, each a full slice
	// expression of it (an append to one cannot overwrite the next).
	var pool []string
	for _, person := range roster.People {
		if !person.Active(day) {
			continue
		}
		begin := len(pool)
		for _, s := range person.Stakeholders {
			if _, ok := index[s]; ok {
				if pool == nil {
					pool = make([]string, 0, len(roster.People))
				}
				pool = append(pool, s)
			}
		}
		if len(pool) == begin {
			continue
		}
		if _, dup := pos[person.ID]; !dup {
			pos[person.ID] = len(st.People)
		} else {
			dups = true
		}
		st.People = append(st.People, PersonAck{PersonID: person.ID, Name: person.Name, Stakeholders: pool[begin:len(pool):len(pool)]})
		joined = append(joined, person.From)
	}

	// One pass over the log: the first delivery of the round's version,
	// each person's first delivery and first acknowledgement that count.
	var firstSent time.Time
	n := len(log)
	if only != nil {
		n = len(only)
	}
	for j := range n {
		i := j
		if only != nil {
			i = int(only[j])
		}
		r := &log[i] // not a copy: a record is hundreds of bytes, the log large
		if r.Drill || r.ActivityID != activityID || r.PlanID != "" && r.PlanID != p.ID || r.SentAt.After(at) || !slices.Contains(accepted, r.Digest) {
			continue
		}
		switch r.Type {
		case comms.RecordTypeAck:
			if k, ok := pos[r.PersonID]; ok {
				if pa := &st.People[k]; pa.AckDigest == "" || r.SentAt.Before(pa.AcknowledgedAt) {
					pa.AcknowledgedAt, pa.AckDigest = r.SentAt, r.Digest
				}
			}
		case "", comms.RecordTypeSent:
			if r.Digest == roundDigest && (firstSent.IsZero() || r.SentAt.Before(firstSent)) {
				firstSent = r.SentAt
			}
			for _, id := range r.Recipients {
				if k, ok := pos[id]; ok {
					if pa := &st.People[k]; pa.ReceivedAt.IsZero() || r.SentAt.Before(pa.ReceivedAt) {
						pa.ReceivedAt = r.SentAt
					}
				}
			}
		}
	}
	since := round.SavedAt
	switch {
	case !eff.IsZero():
		since = eff.In(loc)
	case !firstSent.IsZero():
		since = firstSent
	}
	st.Since = since.In(loc)

	// Most people share the round's start, so their DueBy is counted once.
	var lastStart, lastDue time.Time
	for i := range st.People {
		pa := &st.People[i]
		if dups {
			if k := pos[pa.PersonID]; k != i {
				// A second entry of one person ID stands as the first does.
				pa.AcknowledgedAt, pa.AckDigest, pa.ReceivedAt = st.People[k].AcknowledgedAt, st.People[k].AckDigest, st.People[k].ReceivedAt
			}
		}
		start := st.Since
		if from := joined[i]; !from.IsZero() {
			if t := from.In(loc); t.After(start) {
				start = t
			}
		}
		pa.DueBy = start
		if grace != "" {
			if lastDue.IsZero() || !start.Equal(lastStart) {
				lastStart, lastDue = start, within.From(start, cal).In(loc)
			}
			pa.DueBy = lastDue
		}
		if !pa.ReceivedAt.IsZero() {
			pa.ReceivedAt = pa.ReceivedAt.In(loc)
		}
		switch {
		case pa.AckDigest != "":
			pa.AcknowledgedAt, pa.State = pa.AcknowledgedAt.In(loc), AckDone
		case at.After(pa.DueBy):
			pa.State = AckOverdue
		default:
			pa.State = AckOutstanding
		}
		st.Total.add(*pa)
		for _, g := range pa.Stakeholders {
			st.Stakeholders[index[g]].add(*pa)
		}
	}
	if len(st.People) == 0 {
		st.People = nil // as before: no one due is null in JSON, not []
	}
	st.Total.rate()
	for i := range st.Stakeholders {
		st.Stakeholders[i].rate()
	}
	return st, nil
}
