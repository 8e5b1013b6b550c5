package schedule

import (
	"github.com/ismscomms/ismscomms/comms"
)

// ActivityRule returns the rule of a recurring activity of p, in p's time
// zone. It fails for an activity without a recurrence.
func ActivityRule(p comms.Plan, a comms.Activity) (*Rule, error) {
	loc, err := p.Location()
	if err != nil {
		return nil, inContext(err, "plan %s", p.ID)
	}
	r, err := FromTiming(a.When, loc)
	if err != nil {
		return nil, inContext(err, "activity %s", a.ID)
	}
	return r, nil
}

// AddPlan adds every recurring activity of p to a, keyed prefix+activity
// ID (use a prefix such as "tenant/plan/" to tell plans apart). Activities
// that only have a trigger are skipped. It stops at the first activity
// whose rule does not compile; validated plans have none.
func (a *Agenda) AddPlan(prefix string, p comms.Plan) error {
	for _, act := range p.Activities {
		if !act.When.Recurring() {
			continue
		}
		r, err := ActivityRule(p, act)
		if err != nil {
			return err
		}
		a.Add(prefix+act.ID, r)
	}
	return nil
}
