package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// Drill is one exercise of the incident communication plan held in the
// period: an event of kind comms.EventKindDrill whose earliest milestone
// falls in it. Its deadlines are those the incident it exercises would
// have owed (regulation.IncidentClock runs a drill as the real thing),
// judged from the drill's own records (comms.Record.Drill) alone. None of
// it counts in the report's KPIs, occurrences, deviations, notifications
// or acknowledgements: a drill is evidence that the plan was exercised,
// never that anyone was notified.
type Drill struct {
	EventID string `json:"event_id"`
	Title   string `json:"title,omitempty"`
	// Exercises is the kind of event exercised ("incident"), Scenario the
	// scenario.
	Exercises string `json:"exercises"`
	Scenario  string `json:"scenario"`
	// Start is the drill's earliest milestone.
	Start time.Time `json:"start"`
	// PlanVersion is the plan version the drill ran under (in force at
	// Start).
	PlanVersion int `json:"plan_version,omitempty"`
	// Deadlines are what the drill owed, each with the status it would
	// have had in a real incident: on-time (met), late, missed, due or
	// upcoming (still open at Now), and the drill record that answered it.
	Deadlines []Occurrence `json:"deadlines"`
	// Met, Late, Missed and Open count Deadlines by status (Open: due or
	// upcoming); waived deadlines are in none of them.
	Met    int `json:"met"`
	Late   int `json:"late"`
	Missed int `json:"missed"`
	Open   int `json:"open"`
	// Lessons are the drill records of activities of topic
	// lessons-learned that answer the drill: what the exercise taught.
	Lessons []comms.Record `json:"lessons"`
	// Feedback is the feedback received about the drill (feedback
	// records marked as a drill's, naming it), by sequence number: what
	// the participants said. It counts in none of the report's feedback
	// figures, which are those of real communications.
	Feedback []comms.Record `json:"feedback,omitempty"`
	// Legacy says the event was saved before the kind drill was
	// reserved for exercises (when event kinds were free names): it
	// names neither what it exercises nor its scenario (both empty, the
	// report says "unknown"). It is read as a drill all the same, never
	// as an incident: it owes only what triggers of kind drill start
	// ("drill.closed"), and its records, from before records could be
	// marked as a drill's, are read as its own (see [LegacyDrill]).
	Legacy bool `json:"legacy,omitempty"`
}

// LegacyDrill reports whether e is an event of kind drill saved before
// that kind was reserved for exercises: it names neither what it
// exercises nor its scenario, as comms.Event.Check now asks of a new
// drill. The report reads such an event as a drill of unknown scenario
// that exercises nothing: never as an incident, no incident clock of its
// own, and the records answering it, which could not be marked as a
// drill's when they were written, count as its own records (in its
// Drills entry) and never in a KPI, as any drill's.
func LegacyDrill(e comms.Event) bool { return e.LegacyDrill() }

// DrillYear is a calendar year (of the plan's zone) of the report's
// period and the drills held in it, listed when the plan in force plans
// drills (a recurring activity of topic drill).
type DrillYear struct {
	Year int `json:"year"`
	// Drills counts the drills that began in the year: in the whole
	// calendar year up to the end of the period, among the events the
	// report was given.
	Drills int `json:"drills"`
	// Complete says the year ended by the end of the period and by Now,
	// so that a year without a drill is one ([DrillYear.Missing]).
	Complete bool `json:"complete"`
}

// Missing reports whether y is a complete year without a drill: the
// plan planned one, and none was held.
func (y DrillYear) Missing() bool { return y.Complete && y.Drills == 0 }

// RecordProblem is a record the report counted nowhere because it
// contradicts the event it names (a drill record naming a real incident,
// a record not marked as a drill answering a drill, a drill record
// naming no drill the report has), with what is wrong. It is listed,
// not silently dropped: it may be a real notification recorded wrongly.
type RecordProblem struct {
	Seq     int64     `json:"seq"`
	EventID string    `json:"event_id,omitempty"`
	SentAt  time.Time `json:"sent_at"`
	Problem string    `json:"problem"`
}

// splitDrills sorts records (sorted by SentAt) into those that count as
// real evidence and those of the drill events; records that contradict
// the event they name go into neither, and are reported in
// rep.RecordProblems when they were sent in the period. Records of a
// legacy drill come marked as the drill's (markLegacyDrills).
func (rep *Assessment) splitDrills(records []comms.Record, events []comms.Event, in Input) (real, drill []comms.Record) {
	// Most tenants hold no drill: then every record is real, as it is.
	if !slices.ContainsFunc(events, comms.Event.IsDrill) && !slices.ContainsFunc(records, func(r comms.Record) bool { return r.Drill }) {
		return records, nil
	}
	real = make([]comms.Record, 0, len(records))
	byID := make(map[string]comms.Event, len(events))
	for _, e := range events {
		byID[e.ID] = e
	}
	problem := func(r comms.Record, format string, args ...any) {
		if r.SentAt.Before(in.From) || !r.SentAt.Before(in.To) {
			return
		}
		rep.RecordProblems = append(rep.RecordProblems, RecordProblem{Seq: r.Seq, EventID: r.EventID, SentAt: r.SentAt, Problem: fmt.Sprintf(format, args...)})
	}
	for _, r := range records {
		e, known := byID[r.EventID]
		if r.EventID == "" {
			known = false
		}
		switch {
		case r.Drill && known && e.IsDrill():
			drill = append(drill, r)
		case r.Drill && known:
			problem(r, "a drill record answering event %s, a real %s (not a drill): counted neither as the drill's nor as a real communication", e.ID, e.Kind)
		case r.Drill && r.EventID == "":
			problem(r, "a drill record that names no drill: counted nowhere")
		case r.Drill:
			problem(r, "a drill record answering event %s, which the report does not have: counted nowhere", r.EventID)
		case known && e.IsDrill():
			problem(r, "a record not marked as a drill answering drill %s: counted neither as the drill's nor as a real communication", e.ID)
		default:
			real = append(real, r)
		}
	}
	return real, drill
}

// drills lists the drills that began in the period, their deadlines from
// their own records (the clock's, as for the incident they exercise), and
// the years without one.
func (rep *Assessment) drills(segs []segment, records, feedback []comms.Record, events []comms.Event, in Input) error {
	used := make([]bool, len(records))
	occ, err := rep.eventOccurrences(segs, records, used, events, in)
	if err != nil {
		return err
	}
	byEvent := map[string][]Occurrence{}
	for _, o := range occ {
		byEvent[o.EventID] = append(byEvent[o.EventID], o)
	}
	for _, e := range events {
		start := e.Start()
		if start.IsZero() || start.Before(in.From) || !start.Before(in.To) {
			continue
		}
		v := inForce(segs, start)
		d := Drill{EventID: e.ID, Title: e.Title, Exercises: e.Exercises, Scenario: e.Scenario, Start: start.In(rep.loc),
			PlanVersion: v.Number, Deadlines: byEvent[e.ID], Legacy: LegacyDrill(e)}
		for _, o := range d.Deadlines {
			switch o.Status {
			case StatusOnTime:
				d.Met++
			case StatusLate:
				d.Late++
			case StatusMissed:
				d.Missed++
			case StatusDue, StatusUpcoming:
				d.Open++
			}
		}
		ix := v.Plan.Index()
		for _, r := range records {
			if a, ok := ix.Activity(r.ActivityID); ok && r.EventID == e.ID && a.What.Topic == comms.TopicLessonsLearned {
				d.Lessons = append(d.Lessons, r)
			}
		}
		for _, r := range feedback {
			if r.EventID == e.ID {
				d.Feedback = append(d.Feedback, r)
			}
		}
		slices.SortStableFunc(d.Feedback, func(a, b comms.Record) int { return cmp.Compare(a.Seq, b.Seq) })
		rep.Drills = append(rep.Drills, d)
	}
	slices.SortStableFunc(rep.Drills, func(a, b Drill) int { return a.Start.Compare(b.Start) })
	rep.drillYears(segs, events, in)
	return nil
}

// drillYears lists the calendar years of the period and the drills that
// began in each, when the plan in force at Now plans drills.
func (rep *Assessment) drillYears(segs []segment, events []comms.Event, in Input) {
	plans := false
	for _, a := range inForce(segs, in.Now).Plan.Activities {
		if a.What.Topic == comms.TopicDrill && a.When.Recurring() {
			plans = true
		}
	}
	if !plans {
		return
	}
	from, to := in.From.In(rep.loc), in.To.In(rep.loc)
	for y := from.Year(); y <= to.Add(-time.Nanosecond).Year(); y++ {
		begin := time.Date(y, 1, 1, 0, 0, 0, 0, rep.loc)
		next := time.Date(y+1, 1, 1, 0, 0, 0, 0, rep.loc)
		dy := DrillYear{Year: y, Complete: !next.After(in.To) && !next.After(in.Now)}
		for _, e := range events {
			if s := e.Start(); !s.IsZero() && !s.Before(begin) && s.Before(next) && s.Before(in.To) {
				dy.Drills++
			}
		}
		rep.DrillYears = append(rep.DrillYears, dy)
	}
}
