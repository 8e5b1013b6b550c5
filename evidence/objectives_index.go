package evidence

import (
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// objectiveIndex is what every objective of a report measures from,
// built once: each occurrence's activity (as the version it was planned
// under has it), the occurrences and feedback items of each scope, sorted
// so that each period is found by binary search. Judging k objectives
// over P periods costs the occurrences in their scopes and P·log n, not
// k·P passes over every occurrence (review 4, defect 1: 200 objectives
// once took 45 s on a year of 200 daily activities).
type objectiveIndex struct {
	rep  *Assessment
	acts []occActivity // by position in rep.Occurrences
	// byID, byStakeholder and byTopic list occurrence positions by
	// activity ID, and activity IDs by the stakeholders they reach and
	// their topic in any version.
	byID          map[string][]int
	ids           []string
	byStakeholder map[string][]string
	byTopic       map[comms.Topic][]string
	// feedbackBy lists feedback item positions by who gave them and by
	// the activity they are about.
	feedbackFrom, feedbackAbout map[string][]int
	scopes                      map[comms.ObjectiveScope]*scoped
	// acks memoizes OutstandingAll by moment and activities: the
	// objectives of one period kind share their moments.
	acks map[string]map[string]*AckStatus
	// visited counts the occurrences and feedback items looked at, for
	// the cost test.
	visited int
}

// occActivity is an occurrence's activity in its plan version.
type occActivity struct {
	a  comms.Activity
	ix *comms.Index
	ok bool
}

// scoped is what one scope holds: positions in rep.Occurrences by Due
// and by At, and in rep.Feedback.Items by ReceivedAt.
type scoped struct {
	byDue, byAt []int
	feedback    []int
}

func newObjectiveIndex(rep *Assessment, segs []segment) *objectiveIndex {
	x := &objectiveIndex{rep: rep, acts: make([]occActivity, len(rep.Occurrences)), byID: map[string][]int{},
		byStakeholder: map[string][]string{}, byTopic: map[comms.Topic][]string{},
		feedbackFrom: map[string][]int{}, feedbackAbout: map[string][]int{}, scopes: map[comms.ObjectiveScope]*scoped{},
		acks: map[string]map[string]*AckStatus{}}
	for i, o := range rep.Occurrences {
		a, ix, ok := activityIn(segs, o)
		x.acts[i] = occActivity{a, ix, ok}
		if _, seen := x.byID[o.ActivityID]; !seen {
			x.ids = append(x.ids, o.ActivityID)
		}
		x.byID[o.ActivityID] = append(x.byID[o.ActivityID], i)
	}
	seenS, seenT := map[[2]string]bool{}, map[[2]string]bool{}
	for _, s := range segs {
		for _, a := range s.v.Plan.Activities {
			for _, w := range a.Whom {
				if k := [2]string{w, a.ID}; !seenS[k] {
					seenS[k] = true
					x.byStakeholder[w] = append(x.byStakeholder[w], a.ID)
				}
			}
			if k := [2]string{string(a.What.Topic), a.ID}; !seenT[k] {
				seenT[k] = true
				x.byTopic[a.What.Topic] = append(x.byTopic[a.What.Topic], a.ID)
			}
		}
	}
	for i, it := range rep.Feedback.Items {
		x.feedbackFrom[it.From] = append(x.feedbackFrom[it.From], i)
		x.feedbackAbout[it.ActivityID] = append(x.feedbackAbout[it.ActivityID], i)
	}
	return x
}

// scope returns what j's scope holds, built on first use.
func (x *objectiveIndex) scope(j judge) *scoped {
	sc := j.o.Scope
	if s, ok := x.scopes[sc]; ok {
		return s
	}
	var ids []string
	switch {
	case sc.Activity != "":
		ids = []string{sc.Activity}
	case sc.Stakeholder != "":
		ids = x.byStakeholder[sc.Stakeholder]
	case sc.Topic != "":
		ids = x.byTopic[sc.Topic]
	default:
		ids = x.ids
	}
	s := &scoped{}
	for _, id := range ids {
		x.visited += len(x.byID[id])
		for _, i := range x.byID[id] {
			if oa := x.acts[i]; oa.ok && j.inScope(oa.a) {
				s.byDue = append(s.byDue, i)
			}
		}
	}
	occ := x.rep.Occurrences
	s.byAt = slices.Clone(s.byDue)
	slices.SortStableFunc(s.byDue, func(a, b int) int { return occ[a].Due.Compare(occ[b].Due) })
	slices.SortStableFunc(s.byAt, func(a, b int) int { return occ[a].At.Compare(occ[b].At) })
	var fb []int
	switch {
	case sc.Stakeholder != "":
		fb = x.feedbackFrom[sc.Stakeholder]
	case sc.Activity != "":
		fb = x.feedbackAbout[sc.Activity]
	default:
		fb = make([]int, len(x.rep.Feedback.Items))
		for i := range fb {
			fb[i] = i
		}
	}
	items := x.rep.Feedback.Items
	x.visited += len(fb)
	for _, i := range fb {
		if j.feedbackInScope(items[i]) {
			s.feedback = append(s.feedback, i)
		}
	}
	slices.SortStableFunc(s.feedback, func(a, b int) int { return items[a].ReceivedAt.Compare(items[b].ReceivedAt) })
	x.scopes[sc] = s
	return s
}

// within returns the positions of pos (sorted by the time at gives) whose
// time falls in p.
func within(pos []int, at func(int) time.Time, p *ObjectivePeriod) []int {
	lo, _ := slices.BinarySearchFunc(pos, p.From, func(i int, t time.Time) int { return at(i).Compare(t) })
	hi, _ := slices.BinarySearchFunc(pos[lo:], p.To, func(i int, t time.Time) int { return at(i).Compare(t) })
	return pos[lo : lo+hi]
}

// byDue, byAt and feedback are j's scope's occurrences due in p,
// planned in p, and feedback items received in p.
func (j judge) byDue(p *ObjectivePeriod) []int {
	occ := j.x.rep.Occurrences
	in := within(j.x.scope(j).byDue, func(i int) time.Time { return occ[i].Due }, p)
	j.x.visited += len(in)
	return in
}

func (j judge) byAt(p *ObjectivePeriod) []int {
	occ := j.x.rep.Occurrences
	in := within(j.x.scope(j).byAt, func(i int) time.Time { return occ[i].At }, p)
	j.x.visited += len(in)
	return in
}

func (j judge) feedback(p *ObjectivePeriod) []int {
	items := j.x.rep.Feedback.Items
	in := within(j.x.scope(j).feedback, func(i int) time.Time { return items[i].ReceivedAt }, p)
	j.x.visited += len(in)
	return in
}

// outstanding is OutstandingAll of j's input for activities ids at at,
// computed once per moment and activities.
func (x *objectiveIndex) outstanding(j judge, ids []string, at time.Time) (map[string]*AckStatus, error) {
	key := at.UTC().Format(time.RFC3339Nano) + "\x00" + strings.Join(ids, "\x00")
	if st, ok := x.acks[key]; ok {
		return st, nil
	}
	st, err := OutstandingAll(j.versions, *j.in.Roster, j.in.Records, ids, at)
	if err != nil {
		return nil, err
	}
	x.acks[key] = st
	return st, nil
}
