package evidence

import (
	"slices"
	"time"
)

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
