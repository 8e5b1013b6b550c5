package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/store"
)

// segment is a plan version and when it was in force.
type segment struct {
	v          store.Version
	ix         *comms.Index // of v.Plan, for lookups by ID in loops
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
		segs[i] = segment{v: v, ix: v.Plan.Index(), from: from, till: till}
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
	in.Records = markLegacyDrills(in.Records, in.Events)
	current := inForce(segs, in.Now).Plan
	loc, err := current.Location()
	if err != nil {
		return nil, fmt.Errorf("evidence: plan %s: %w", current.ID, err)
	}
	rep := &Assessment{
		Tenant: in.Tenant, PlanID: current.ID, Organization: current.Organization, TimeZone: loc.String(),
		From: in.From.In(loc), To: in.To.In(loc), Now: in.Now.In(loc), loc: loc,
		Matrix: matrix.Build(current), Approved: current.Approved,
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

	var records, feedback []comms.Record
	for _, r := range in.Records {
		if r.Type == comms.RecordTypeAck {
			continue // one person's acknowledgement (see Outstanding): not a communication sent
		}
		if r.PlanID == "" || r.PlanID == current.ID || slices.ContainsFunc(versions, func(v store.Version) bool { return v.PlanID == r.PlanID }) {
			if r.Type == comms.RecordTypeFeedback {
				feedback = append(feedback, r.In(loc)) // feedback received: not a communication sent
			} else {
				records = append(records, r.In(loc))
			}
		}
	}
	slices.SortStableFunc(records, func(a, b comms.Record) int { return a.SentAt.Compare(b.SentAt) })
	// Drills apart: their records never count as evidence of a real
	// communication, nor real records as a drill's.
	var realEvents, drillEvents []comms.Event
	for _, e := range in.Events {
		if e.IsDrill() {
			drillEvents = append(drillEvents, e)
		} else {
			realEvents = append(realEvents, e)
		}
	}
	records, drillRecords := rep.splitDrills(records, in.Events, in)
	// Feedback about a drill is the drill's; feedback contradicting the
	// event it names is a record problem, as any record's.
	feedback, drillFeedback := rep.splitDrills(feedback, in.Events, in)
	used := make([]bool, len(records))

	if err := rep.recurring(segs, records, used, drillEvents, in); err != nil {
		return nil, err
	}
	if err := rep.triggered(segs, records, used, realEvents, in); err != nil {
		return nil, err
	}
	if err := rep.drills(segs, drillRecords, drillFeedback, drillEvents, in); err != nil {
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
	rep.LastReview = lastReview(segs, records, rep.Occurrences, in.Now)
	rep.deviations(segs)
	rep.kpis(segs, in.Roster)
	if err := rep.feedback(segs, feedback, in); err != nil {
		return nil, err
	}
	if err := rep.objectives(segs, versions, in); err != nil {
		return nil, err
	}
	if err := rep.acknowledgements(versions, in); err != nil {
		return nil, err
	}
	if !in.Names {
		rep.withoutNames()
	}
	return rep, nil
}

// withoutNames removes from the records the report shows the people they
// name (a delivery's Recipients), which only Input.Names may show: the
// counts stay (Reached is as recorded), and the record's hash is still the
// one stored.
func (rep *Assessment) withoutNames() {
	// A copy: the records may be shared with the caller's Input.
	unnamed := func(r *comms.Record) *comms.Record {
		if r == nil || len(r.Recipients) == 0 {
			return r
		}
		c := *r
		c.Recipients = nil
		return &c
	}
	for i := range rep.Occurrences {
		rep.Occurrences[i].Record = unnamed(rep.Occurrences[i].Record)
	}
	for i := range rep.KPIs.Overdue {
		rep.KPIs.Overdue[i].Record = unnamed(rep.KPIs.Overdue[i].Record)
	}
	for i := range rep.AdHoc {
		rep.AdHoc[i] = *unnamed(&rep.AdHoc[i])
	}
	for i := range rep.Drills {
		d := &rep.Drills[i]
		d.Deadlines = slices.Clone(d.Deadlines)
		for k := range d.Deadlines {
			d.Deadlines[k].Record = unnamed(d.Deadlines[k].Record)
		}
		d.Lessons = slices.Clone(d.Lessons)
		for k := range d.Lessons {
			d.Lessons[k] = *unnamed(&d.Lessons[k])
		}
	}
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

// markLegacyDrills returns records with those answering a legacy drill
// (LegacyDrill: saved before records could be marked as a drill's)
// marked as the drill's, so that no path of the report (acknowledgements
// and Outstanding read the records themselves) counts them as real; it
// copies records only when one is marked.
func markLegacyDrills(records []comms.Record, events []comms.Event) []comms.Record {
	legacy := map[string]bool{}
	for _, e := range events {
		if LegacyDrill(e) {
			legacy[e.ID] = true
		}
	}
	if len(legacy) == 0 {
		return records
	}
	var out []comms.Record
	for i, r := range records {
		if r.Drill || r.EventID == "" || !legacy[r.EventID] {
			continue
		}
		if out == nil {
			out = slices.Clone(records)
		}
		out[i].Drill = true
	}
	if out == nil {
		return records
	}
	return out
}

// lastReview returns when the last management review was held by now:
// the latest of records (real ones) of an activity of topic
// management-review in the version in force when it was sent; zero for
// none. While an occurrence of such an activity is open at now (now in
// its window, from its time to its deadline), the review being prepared
// is that occurrence's, so records sent from its time on are this
// review's own, not the last one: a review recorded and then written
// again in its window counts its changes from the review before.
func lastReview(segs []segment, records []comms.Record, occurrences []Occurrence, now time.Time) time.Time {
	reviewAt := func(id string, t time.Time) bool {
		for _, s := range segs {
			if !t.Before(s.from) && t.Before(s.till) {
				a, ok := s.ix.Activity(id)
				return ok && a.What.Topic == comms.TopicManagementReview
			}
		}
		return false
	}
	limit := now // records sent after it are not the last review's
	for _, o := range occurrences {
		if o.EventID == "" && !now.Before(o.At) && !now.After(o.Due) && o.At.Before(limit) && reviewAt(o.ActivityID, o.At) {
			limit = o.At.Add(-time.Nanosecond)
		}
	}
	var last time.Time
	for _, r := range records {
		if r.ActivityID == "" || r.Type == comms.RecordTypeWaived || r.EventID != "" || r.SentAt.After(limit) || !r.SentAt.After(last) {
			continue
		}
		if reviewAt(r.ActivityID, r.SentAt) {
			last = r.SentAt
		}
	}
	return last
}
