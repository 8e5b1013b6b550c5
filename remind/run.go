package remind

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

// run is one computation of Due.
type run struct {
	in       Input
	versions []store.Version
	current  store.Version
	plan     comms.Plan
	ix       *comms.Index
	loc      *time.Location
	cals     map[string]calendar
	since    time.Time // reminders and chases: moments after it (Since, or Now - MaxLate)
	escFrom  time.Time // escalations: moments at or after it

	sent      map[string]*sentIndex          // by activity: communications, for "done"
	byEvent   map[string][]comms.Record      // by event: communications
	people    map[string]int                 // roster index by person ID
	chaseMemo map[chaseStart][]time.Time     // chase moments by start and policy
	memo      bool                           // use chaseMemo (off: the benchmark's baseline)
	formatted map[int64]string               // r.format's results
	statuses  map[string]*evidence.AckStatus // by activity, for chases: evidence.OutstandingAll
	out       []Reminder
}

// sentIndex holds an activity's communications (not for an event): the
// occurrences they name, and the times of those naming none, ascending.
type sentIndex struct {
	named   map[int64]bool
	unnamed []time.Time
}

func (r *run) prepare(memo bool) error {
	var err error
	if r.loc, err = r.plan.Location(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	r.ix = r.plan.Index()
	scals, err := schedule.PlanCalendars(r.plan)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	r.cals = make(map[string]calendar, len(scals))
	r.cals[""] = newCalendar(scals[""], comms.Calendar{})
	for _, c := range r.plan.Calendars {
		if _, dup := r.cals[c.ID]; !dup {
			r.cals[c.ID] = newCalendar(scals[c.ID], c)
		}
	}
	now := r.in.Now
	maxLate := r.in.MaxLate
	if maxLate <= 0 {
		maxLate = DefaultMaxLate
	}
	r.since = now.Add(-maxLate)
	if r.in.Since.After(r.since) {
		r.since = r.in.Since
	}
	lookback := r.in.Lookback
	if lookback <= 0 {
		lookback = DefaultLookback
	}
	r.escFrom = now.Add(-lookback)
	if !r.in.Since.IsZero() && r.in.Since.Before(r.escFrom) {
		r.escFrom = r.in.Since
	}

	// One pass over the log.
	r.sent = map[string]*sentIndex{}
	r.byEvent = map[string][]comms.Record{}
	r.memo = memo
	for i := range r.in.Log {
		rec := &r.in.Log[i] // not a copy: records are large
		if rec.Type != "" && rec.Type != comms.RecordTypeSent && rec.Type != comms.RecordTypeWaived {
			continue // an acknowledgement or feedback received: no communication sent
		}
		if rec.EventID != "" {
			r.byEvent[rec.EventID] = append(r.byEvent[rec.EventID], *rec)
			continue
		}
		if rec.ActivityID == "" {
			continue
		}
		s := r.sent[rec.ActivityID]
		if s == nil {
			s = &sentIndex{named: map[int64]bool{}}
			r.sent[rec.ActivityID] = s
		}
		if rec.Occurrence.IsZero() {
			s.unnamed = append(s.unnamed, rec.SentAt)
		} else {
			s.named[rec.Occurrence.UnixNano()] = true
		}
	}
	// Holding a drill is what an activity of topic drill plans: its
	// start answers the occurrence it falls after, as the evidence
	// report reads it, so no reminder or escalation chases a drill held.
	for _, a := range r.plan.Activities {
		if a.What.Topic != comms.TopicDrill || !a.When.Recurring() {
			continue
		}
		for _, e := range r.in.Events {
			if start := e.Start(); e.IsDrill() && !start.IsZero() && !start.After(r.in.Now) {
				s := r.sent[a.ID]
				if s == nil {
					s = &sentIndex{named: map[int64]bool{}}
					r.sent[a.ID] = s
				}
				s.unnamed = append(s.unnamed, start)
			}
		}
	}
	for _, s := range r.sent {
		slices.SortFunc(s.unnamed, time.Time.Compare)
	}
	return nil
}

// done reports whether the occurrence at t (the next one at next) has a
// communication: one naming it, or one naming none sent in [t, next).
func (s *sentIndex) done(t, next time.Time) bool {
	if s == nil {
		return false
	}
	if s.named[t.UnixNano()] {
		return true
	}
	i, _ := slices.BinarySearchFunc(s.unnamed, t, time.Time.Compare)
	return i < len(s.unnamed) && s.unnamed[i].Before(next)
}

// role returns the recipient for a role of the plan.
func (r *run) role(id string) Recipient {
	ro, _ := r.ix.Role(id)
	name := ro.Name
	if name == "" {
		name = ro.ID
	}
	return Recipient{RoleID: id, Name: name, Address: ro.Contact}
}

func (r *run) add(rem Reminder) {
	rem.Tenant, rem.PlanID = r.in.Tenant, r.plan.ID
	r.out = append(r.out, rem)
}

// format writes t for a reminder's text, once per instant.
func (r *run) format(t time.Time) string {
	k := t.UnixNano()
	if s, ok := r.formatted[k]; ok {
		return s
	}
	if r.formatted == nil {
		r.formatted = map[int64]string{}
	}
	s := t.In(r.loc).Format("2006-01-02 15:04 MST")
	r.formatted[k] = s
	return s
}

// occurrences adds the before-reminders and the escalations of
// activity a's occurrences.
func (r *run) occurrences(a comms.Activity, pol *comms.Reminders) error {
	if !a.When.Recurring() {
		return nil
	}
	k := r.cals[a.Calendar]
	var befores, afters []span
	var beforeSteps, afterSteps []string
	var afterTo []string
	if a.Owner != "" {
		for _, b := range pol.Before {
			s, err := parseSpan(b)
			if err != nil {
				return fmt.Errorf("remind: activity %s: %w", a.ID, err)
			}
			befores, beforeSteps = append(befores, s), append(beforeSteps, "before/"+b)
		}
	}
	for _, e := range pol.Escalate {
		if e.After == "" {
			continue
		}
		s, err := parseSpan(e.After)
		if err != nil {
			return fmt.Errorf("remind: activity %s: %w", a.ID, err)
		}
		afters, afterSteps, afterTo = append(afters, s), append(afterSteps, "escalate/after-"+e.After), append(afterTo, e.To)
	}
	if len(befores) == 0 && len(afters) == 0 {
		return nil
	}
	var within schedule.Deadline
	if a.When.Within != "" {
		var err error
		if within, err = schedule.ParseDeadline(a.When.Within); err != nil {
			return fmt.Errorf("remind: activity %s: %w", a.ID, err)
		}
	}
	now := r.in.Now
	// The occurrences to look at: for before-reminders, those after the
	// lower bound of a moment that passes Since and up to the end of the
	// largest offset from Now; for escalations, those whose deadline plus
	// after can reach escFrom, up to Now.
	from, till := now, now
	if len(befores) > 0 {
		from = k.lowerBound(r.since)
		for _, s := range befores {
			if u := k.upperBound(now, s); u.After(till) {
				till = u
			}
		}
	}
	if len(afters) > 0 {
		var reach time.Duration
		for _, s := range afters {
			reach = max(reach, k.reach(s))
		}
		wr := 48 * time.Hour // the end of the occurrence's day
		if !within.IsZero() {
			wr = k.reach(span{within.N, within.Unit})
		}
		// A moment moved into business hours is later, never earlier.
		if f := r.escFrom.Add(-reach - wr); f.Before(from) {
			from = f
		}
	}
	rule, err := schedule.ActivityRule(r.plan, a)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var occ []time.Time
	for t := range rule.Between(from, till.Add(time.Second)) {
		if len(occ) == MaxOccurrences {
			return fmt.Errorf("%w: activity %s has more than %d occurrences between %s and %s to look at; use shorter reminder offsets, deadlines or escalations",
				ErrLimit, a.ID, MaxOccurrences, from.Format(time.RFC3339), till.Format(time.RFC3339))
		}
		occ = append(occ, t)
	}
	if len(occ) == 0 {
		return nil
	}
	last, ok := rule.Next(occ[len(occ)-1])
	if !ok {
		last = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	sent := r.sent[a.ID]
	owner := Recipient{}
	if a.Owner != "" {
		owner = r.role(a.Owner)
	}
	label := a.Label()
	for i, t := range occ {
		next := last
		if i+1 < len(occ) {
			next = occ[i+1]
		}
		if sent.done(t, next) {
			continue
		}
		t = t.In(r.loc)
		due := endOfDay(t)
		if !within.IsZero() {
			due = within.From(t, k.cal).In(r.loc)
		}
		if t.After(now) {
			for j, s := range befores {
				raw := k.before(t, s)
				m := k.inHours(raw)
				if !m.Before(t) { // moved forward past the occurrence: back
					m = k.backInHours(raw)
				}
				if !m.After(r.since) || m.After(now) || !m.Before(t) {
					continue
				}
				r.add(Reminder{Kind: KindBefore, Step: beforeSteps[j], At: m.In(r.loc), ActivityID: a.ID, Activity: label,
					Occurrence: t, Due: due, To: owner,
					Subject: "Reminder: " + label + " on " + r.format(t),
					Text: "Hello " + owner.Name + ",\n\n" + label + " is planned for " + r.format(t) + " and due by " + r.format(due) +
						". Nothing has been recorded for it yet.\n"})
			}
		}
		for j, s := range afters {
			m := k.inHours(k.after(due, s))
			if m.After(now) || m.Before(r.escFrom) {
				continue
			}
			to := r.role(afterTo[j])
			r.add(Reminder{Kind: KindEscalate, Step: afterSteps[j], At: m.In(r.loc), ActivityID: a.ID, Activity: label,
				Occurrence: t, Due: due, To: to,
				Subject: "Overdue: " + label + " of " + r.format(t),
				Text: "Hello " + to.Name + ",\n\n" + label + " of " + r.format(t) + " was due by " + r.format(due) +
					" and nothing has been recorded for it (escalated " + afters[j].String() + " after the deadline).\n"})
		}
	}
	return nil
}

func (s span) String() string { return strconv.Itoa(s.n) + string(s.unit) }

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()).Add(-time.Second)
}

// chaseStart identifies a list of chase moments: the start, the calendar
// and the policy.
type chaseStart struct {
	start    int64
	calendar string
	every    string
	max      int
}

// chase adds the chases of activity a's people who have not acknowledged.
func (r *run) chase(a comms.Activity, pol *comms.Reminders) error {
	c := pol.Chase
	if c == nil || a.What.Version.Digest == "" {
		return nil
	}
	every, err := parseSpan(c.Every)
	if err != nil {
		return fmt.Errorf("remind: activity %s: %w", a.ID, err)
	}
	// Every chased activity's answer comes from one pass over the log
	// (evidence.OutstandingAll sorts it by activity), not a pass each.
	if r.statuses == nil {
		var ids []string
		for _, b := range r.plan.Activities {
			if p := r.plan.RemindersOf(b); p != nil && p.Chase != nil && b.What.Version.Digest != "" {
				ids = append(ids, b.ID)
			}
		}
		if r.statuses, err = evidence.OutstandingAll(r.versions, r.in.Roster, r.in.Log, ids, r.in.Now); err != nil {
			return fmt.Errorf("remind: %w", err)
		}
	}
	st, ok := r.statuses[a.ID]
	if !ok { // not answered: the reason, from the one activity
		_, err = evidence.Outstanding(r.versions, r.in.Roster, nil, a.ID, r.in.Now)
		if err == nil {
			err = fmt.Errorf("%w: no acknowledgement status", evidence.ErrInvalid)
		}
	}
	if err != nil {
		if errors.Is(err, evidence.ErrInvalid) {
			return fmt.Errorf("%w: activity %s: %w", ErrInvalid, a.ID, err)
		}
		return fmt.Errorf("remind: activity %s: %w", a.ID, err)
	}
	if r.people == nil {
		r.people = make(map[string]int, len(r.in.Roster.People))
		for i, p := range r.in.Roster.People {
			if _, dup := r.people[p.ID]; !dup {
				r.people[p.ID] = i
			}
		}
		r.chaseMemo = map[chaseStart][]time.Time{}
	}
	k := r.cals[a.Calendar]
	label := a.Label()
	version := a.What.Version.Label
	if version != "" {
		version = " (version " + version + ")"
	}
	for _, pa := range st.People {
		if pa.State == evidence.AckDone {
			continue
		}
		person := r.in.Roster.People[r.people[pa.PersonID]]
		start := st.Since
		if !person.From.IsZero() {
			if joined := person.From.In(r.loc); joined.After(start) {
				start = joined
			}
		}
		key := chaseStart{start.UnixNano(), a.Calendar, c.Every, c.Max}
		moments, ok := r.chaseMemo[key]
		if !ok || !r.memo {
			moments = make([]time.Time, c.Max)
			for i := range moments {
				moments[i] = k.inHours(k.after(start, span{every.n * (i + 1), every.unit})).In(r.loc)
			}
			r.chaseMemo[key] = moments
		}
		// Moments never decrease: those in (since, now].
		i, _ := slices.BinarySearchFunc(moments, r.since, func(m, t time.Time) int {
			if m.After(t) {
				return 1
			}
			return -1
		})
		for ; i < len(moments) && !moments[i].After(r.in.Now); i++ {
			to := Recipient{PersonID: person.ID, Name: person.Name, Address: person.Email}
			r.add(Reminder{Kind: KindChase, Step: "chase/" + strconv.Itoa(i+1), At: moments[i], ActivityID: a.ID, Activity: label,
				Digest: st.Digest, Due: pa.DueBy, To: to,
				Subject: "Please acknowledge: " + label,
				Text: "Hello " + person.Name + ",\n\nplease read and acknowledge " + label + version + ". It is due by " +
					r.format(pa.DueBy) + ". (Reminder " + strconv.Itoa(i+1) + " of " + strconv.Itoa(c.Max) + ".)\n"})
		}
	}
	return nil
}

// events adds the escalations of the incident clocks of the events.
func (r *run) events() error {
	if len(r.in.Events) == 0 {
		return nil
	}
	for _, e := range r.in.Events {
		start := e.Start()
		if start.IsZero() {
			continue
		}
		p := inForce(r.versions, start).Plan
		owed, err := regulation.IncidentClock(p, e, r.byEvent[e.ID], r.in.Now)
		if err != nil {
			return fmt.Errorf("remind: event %s: %w", e.ID, err)
		}
		for _, o := range owed {
			if o.Status != regulation.OwedStatusOpen && o.Status != regulation.OwedStatusOverdue {
				continue
			}
			pol := r.plan.Reminders
			label := o.Activity
			obligation := ""
			if o.ActivityID != "" {
				if a, ok := r.ix.Activity(o.ActivityID); ok {
					pol, label = r.plan.RemindersOf(a), a.Label()
				}
			} else {
				obligation = strings.Join(o.Obligations, ",")
				if label == "" {
					label = o.FollowUp
				}
				if label == "" {
					label = obligation
				}
			}
			if pol == nil {
				continue
			}
			for _, esc := range pol.Escalate {
				var m, due time.Time
				var step, why string
				switch {
				case esc.At != "":
					bp, ok := esc.Share()
					if !ok || o.LegalDue.IsZero() {
						continue
					}
					from := o.FromAt
					if from.IsZero() {
						from = o.Start
					}
					total := o.LegalDue.Sub(from)
					if total <= 0 {
						continue
					}
					m = from.Add(total/10000*time.Duration(bp) + total%10000*time.Duration(bp)/10000)
					due = o.LegalDue
					step = "escalate/at-" + shareText(bp) // 80% and 80.0% are one step
					why = esc.At + " of the time to the legal deadline " + r.format(due) + " is used"
					if o.Drill {
						why = esc.At + " of the time to " + r.format(due) + " is used (the legal deadline the real " + e.Exercises + " would have)"
					}
				default:
					if o.Due.IsZero() {
						continue
					}
					s, err := parseSpan(esc.After)
					if err != nil {
						return fmt.Errorf("remind: event %s: %w", e.ID, err)
					}
					k := r.cals[""]
					if a, ok := r.ix.Activity(o.ActivityID); ok {
						k = r.cals[a.Calendar]
					}
					due = o.Due
					m = k.after(due, s)
					step = "escalate/after-" + esc.After
					why = "it was due by " + r.format(due) + " and is overdue by " + esc.After
					if o.Drill {
						why = "it was due by " + r.format(due) + " (the deadline the real " + e.Exercises + " would have) and is overdue by " + esc.After
					}
				}
				if m.After(r.in.Now) || m.Before(r.escFrom) {
					continue
				}
				to := r.role(esc.To)
				rem := Reminder{Kind: KindEscalate, Step: step, At: m.In(r.loc), ActivityID: o.ActivityID, Activity: label,
					Obligation: obligation, EventID: e.ID, Due: due.In(r.loc), To: to,
					Subject: "Escalation: " + label + " for event " + e.ID,
					Text:    "Hello " + to.Name + ",\n\n" + label + " for event " + e.ID + " has not been sent: " + why + ".\n"}
				if o.Drill {
					rem.Drill = true
					rem.Subject = DrillSubject + "Escalation: " + label + " for drill " + e.ID
					rem.Text = "Hello " + to.Name + ",\n\nthis is a DRILL, an exercise of the " + e.Exercises + " plan (scenario: " + oneLine(e.Scenario) +
						"), not a real " + e.Exercises + ": nothing is owed to a regulator or anyone else.\n\n" +
						label + " for drill " + e.ID + " has not been sent in the exercise: " + why + ".\n"
				}
				r.add(rem)
			}
		}
	}
	return nil
}

// shareText writes a share in hundredths of a percent as the fewest
// digits that say it: 8000 is "80", 6650 "66.5", 8005 "80.05".
func shareText(bp int) string {
	s := strconv.Itoa(bp/100) + "." + fmt.Sprintf("%02d", bp%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// oneLine is s with every run of control characters and spaces written as
// one space, trimmed: a scenario in a reminder's text stays on its line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}
