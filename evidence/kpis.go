package evidence

import (
	"errors"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/store"
)

func rate(num, den int) float64 {
	if den == 0 {
		return -1
	}
	return float64(num) / float64(den)
}

// kpis computes the programme's indicators from the occurrences, ad hoc
// records and deviations already found.
func (rep *Assessment) kpis(segs []segment, roster *comms.Roster) {
	k := &rep.KPIs
	k.Occurrences = len(rep.Occurrences)
	k.AdHoc = len(rep.AdHoc)
	k.Deviations = len(rep.Deviations)
	months := newMonths(rep.From, rep.To, rep.loc)
	rep.countStatuses(months)
	rep.audienceRates(segs, months, roster)
	rep.notifications()
	rep.Monthly = months.sorted()
}

// months is the monthly series being counted, keyed "2006-01" in the
// report's zone.
type months struct {
	loc *time.Location
	m   map[string]*Month
}

// newMonths returns a series with every month of [from, to), even an
// empty one.
func newMonths(from, to time.Time, loc *time.Location) months {
	ms := months{loc: loc, m: map[string]*Month{}}
	for t := from.In(loc); t.Before(to); t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc) {
		ms.at(t)
	}
	return ms
}

// at returns the month of t, adding it if it is new.
func (ms months) at(t time.Time) *Month {
	key := t.In(ms.loc).Format("2006-01")
	m, ok := ms.m[key]
	if !ok {
		m = &Month{Month: key}
		ms.m[key] = m
	}
	return m
}

// sorted returns the months in time order (never nil).
func (ms months) sorted() []Month {
	keys := make([]string, 0, len(ms.m))
	for key := range ms.m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	out := []Month{}
	for _, key := range keys {
		out = append(out, *ms.m[key])
	}
	return out
}

// countStatuses counts the occurrences by status, in total, per activity
// and per month, lists the overdue ones and computes the rates.
func (rep *Assessment) countStatuses(months months) {
	k := &rep.KPIs
	acts := map[string]*ActivityKPI{}
	var actOrder []string
	for _, o := range rep.Occurrences {
		a, ok := acts[o.ActivityID]
		if !ok {
			a = &ActivityKPI{ActivityID: o.ActivityID, Activity: o.Activity}
			acts[o.ActivityID] = a
			actOrder = append(actOrder, o.ActivityID)
		}
		m := months.at(o.Due)
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
	for _, m := range months.m {
		m.Judged = m.OnTime + m.Late + m.Missed
		m.OnTimeRate, m.Coverage = rate(m.OnTime, m.Judged), rate(m.OnTime+m.Late, m.Judged)
	}
}

// audienceRates computes reach and acknowledgement per audience and per
// month, from the evidence of planned occurrences.
func (rep *Assessment) audienceRates(segs []segment, months months, roster *comms.Roster) {
	aud := map[string]*AudienceRate{}
	var audOrder []string
	for _, o := range rep.Occurrences {
		r := o.Record
		if r == nil || o.Status == StatusWaived {
			continue
		}
		m := months.at(o.Due)
		reached := r.Reached
		if reached == 0 {
			reached = len(r.Recipients) // the people it names
		}
		m.Reached += reached
		m.Acknowledged += r.Acknowledged
		_, p, _ := activityIn(segs, o)
		for _, sh := range audienceShares(r, p, roster, o.Due.In(rep.loc)) {
			ar, ok := aud[sh.id]
			if !ok {
				ar = &AudienceRate{StakeholderID: sh.id, Stakeholder: sh.id}
				if s, ok := p.Stakeholder(sh.id); ok {
					ar.Stakeholder = s.Label()
				}
				aud[sh.id] = ar
				audOrder = append(audOrder, sh.id)
			}
			ar.Records++
			ar.Expected += sh.expected
			ar.Reached += sh.reached
			ar.reachedOfExpected += sh.reachedOfExpected
			ar.Acknowledged += sh.acknowledged
		}
	}
	slices.Sort(audOrder)
	for _, id := range audOrder {
		ar := aud[id]
		ar.ReachRate, ar.AckRate = -1, -1
		if ar.Expected > 0 {
			ar.ReachRate = ar.reachedOfExpected / ar.Expected
		}
		if ar.Reached > 0 {
			ar.AckRate = ar.Acknowledged / ar.Reached
		}
		rep.KPIs.Audiences = append(rep.KPIs.Audiences, *ar)
	}
}

// audienceShare is one audience's part of a record's counts.
type audienceShare struct {
	id string
	// reached and acknowledged are the record's counts shared among its
	// audiences by size (equally when no audience has a known size).
	reached, acknowledged float64
	// expected is the audience's size when it is known and the record
	// says how many it reached, else 0; reachedOfExpected is the part of
	// reached that counts against it: at most expected, 0 when expected
	// is. Reach rates are reachedOfExpected/expected over the same
	// records, so a record without audiences, or with an audience of
	// unknown size, adds to neither side and no rate exceeds 1.
	expected, reachedOfExpected float64
}

// audienceShares shares r's counts among its audiences (their sizes from
// the plan p or, when set, the roster at at). The report's per-audience
// reach and the participation objective both come from it.
func audienceShares(r *comms.Record, p *comms.Index, roster *comms.Roster, at time.Time) []audienceShare {
	if len(r.Audiences) == 0 {
		return nil
	}
	reached := r.Reached
	if reached == 0 {
		reached = len(r.Recipients) // the people it names
	}
	out := make([]audienceShare, len(r.Audiences))
	total := 0.0
	for i, id := range r.Audiences {
		out[i].id = id
		if s, ok := p.Stakeholder(id); ok {
			out[i].expected = float64(s.Size)
			if roster != nil {
				n, _ := roster.Size(s, at)
				out[i].expected = float64(n)
			}
		}
		out[i].expected = max(out[i].expected, 0)
		total += out[i].expected
	}
	for i := range out {
		sh := &out[i]
		share := 1 / float64(len(out))
		if total > 0 {
			share = sh.expected / total
		}
		sh.reached = float64(reached) * share
		sh.acknowledged = float64(r.Acknowledged) * share
		if reached == 0 {
			sh.expected = 0 // the record does not say how many it reached
		}
		sh.reachedOfExpected = min(sh.reached, sh.expected)
	}
	return out
}

// notifications lists the legal notifications (triggered occurrences with
// obligations) and their timeliness per obligation.
func (rep *Assessment) notifications() {
	k := &rep.KPIs
	tl := map[string]*Timeliness{}
	var tlOrder []string
	for _, o := range rep.Occurrences {
		if o.EventID == "" || len(o.Obligations) == 0 || o.Status == StatusWaived || o.NotInForce {
			continue
		}
		for _, ob := range o.Obligations {
			n := Notification{Obligation: ob, EventID: o.EventID, ActivityID: o.ActivityID, Start: o.At, Due: o.Due, Status: o.Status}
			if law, ok := regulation.Lookup(ob); ok {
				n.Evidence, n.LegalStatus = law.Evidence, law.Status
				n.Law = regulation.Owed{Evidence: law.Evidence, LegalStatus: law.Status}.Standing()
			}
			if !o.Due.IsZero() {
				n.Allowed = o.Due.Sub(o.At)
			}
			if o.Record != nil {
				n.Sent, n.Elapsed = o.Record.SentAt, o.Record.SentAt.Sub(o.At)
			}
			k.Notifications = append(k.Notifications, n)
			t, ok := tl[ob]
			if !ok {
				t = &Timeliness{Obligation: ob, Law: n.Law}
				tl[ob] = t
				tlOrder = append(tlOrder, ob)
			}
			t.count(n)
		}
	}
	for _, ob := range tlOrder {
		k.Timeliness = append(k.Timeliness, *tl[ob])
	}
}

// count adds notification n to t.
func (t *Timeliness) count(n Notification) {
	t.Count++
	switch n.Status {
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

// acknowledgements computes, for each versioned activity of the plan in
// force, who was due to acknowledge its message and who did.
func (rep *Assessment) acknowledgements(versions []store.Version, in Input) error {
	if in.Roster == nil {
		return nil
	}
	at := in.Now
	if !in.To.After(at) {
		at = in.To.Add(-time.Nanosecond)
	}
	current := inForce(segments(versions), at).Plan
	rep.Names = in.Names
	for _, a := range current.Activities {
		if a.What.Version.Digest == "" {
			continue
		}
		st, err := Outstanding(versions, *in.Roster, in.Records, a.ID, at)
		if errors.Is(err, ErrInvalid) {
			continue // the activity's message was not versioned by at
		}
		if err != nil {
			return err
		}
		if !in.Names {
			st.People = nil
		}
		rep.Acknowledgements = append(rep.Acknowledgements, *st)
	}
	return nil
}
