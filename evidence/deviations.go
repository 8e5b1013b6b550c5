package evidence

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ismscomms/ismscomms/comms"
)

// activityIn returns the activity as the version in force for occurrence o
// planned it, and the index of that version's plan.
func activityIn(segs []segment, o Occurrence) (comms.Activity, *comms.Index, bool) {
	for _, s := range segs {
		if s.v.Number == o.PlanVersion {
			a, ok := s.ix.Activity(o.ActivityID)
			return a, s.ix, ok
		}
	}
	return comms.Activity{}, comms.Plan{}.Index(), false
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
				if s, ok := p.Stakeholder(w); ok {
					name = s.Label()
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
