package matrix

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// The rules of the programme's loop (issue 16): objectives, stakeholders'
// requirements, drills, post-incident communication and media inquiries.

// maxQuoted is how many characters of a value from the plan a message
// quotes: a message must not grow with what the plan's author wrote.
const maxQuoted = 60

// quoted quotes s for a message, cut to maxQuoted characters.
func quoted(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		return fmt.Sprintf("%q…", string(r[:maxQuoted]))
	}
	return fmt.Sprintf("%q", s)
}

// joinAnd joins parts as prose: "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// objectiveGaps returns what keeps o from being judged: each of measure,
// target and period that is missing or not well formed. None: o is
// measurable, and package evidence can judge it.
func objectiveGaps(o comms.Objective) []string {
	var gaps []string
	switch {
	case o.Measure == "":
		gaps = append(gaps, "no measure")
	case !o.Measure.Valid():
		gaps = append(gaps, "an unknown measure "+quoted(string(o.Measure)))
	}
	switch {
	case o.Target == "":
		gaps = append(gaps, "no target")
	case o.Measure.Valid():
		if _, err := o.ParseTarget(); err != nil {
			gaps = append(gaps, fmt.Sprintf("a target, %s, that is not a %s", quoted(o.Target), o.Measure.Kind()))
		}
	}
	switch {
	case o.Period == "":
		gaps = append(gaps, "no period")
	case !o.Period.Valid():
		gaps = append(gaps, "an unknown period "+quoted(string(o.Period)))
	}
	return gaps
}

func checkObjectives(c *Context) []Finding {
	const hint = "Give each objective a measure (on-time-rate, coverage, acknowledgement-rate, participation, notification-timeliness, satisfaction or feedback-response-time), a target and a period (monthly, quarterly or yearly); where measuring one is not practicable (6.2), waive its finding with the reason."
	if len(c.Plan.Objectives) == 0 {
		return []Finding{c.PlanFinding("The plan declares no objectives: nothing says what its communication is to achieve, or how that is measured.",
			"Add an objective with a measure, a target and a period: objectives: [{id: on-time, measure: on-time-rate, target: 95%, period: quarterly}].")}
	}
	var out []Finding
	measurable := 0
	holds := map[scopeKey]bool{}
	for i, o := range each(c, c.Plan.Objectives) {
		gaps := objectiveGaps(o)
		if len(gaps) == 0 {
			measurable++
			if what, empty := emptyScope(c, o, holds); empty {
				out = append(out, c.ObjectiveFinding(i, fmt.Sprintf("Objective %s measures %s: the plan has none, so the objective never has data.", o.ID, what),
					"Scope the objective to activities the plan has, or add the activities it is meant to measure."))
			}
			continue
		}
		out = append(out, c.ObjectiveFinding(i, fmt.Sprintf("Objective %s has %s: it cannot be judged.", o.ID, joinAnd(gaps)), hint))
	}
	if measurable == 0 {
		msg := fmt.Sprintf("None of the plan's %d objectives is measurable: each lacks a measure, a target or a period.", len(c.Plan.Objectives))
		if len(c.Plan.Objectives) == 1 {
			msg = "The plan's one objective is not measurable: it lacks a measure, a target or a period."
		}
		f := c.PlanFinding(msg, hint)
		f.Path = "objectives"
		out = append([]Finding{f}, out...)
	}
	return out
}

// scopeKey is what an objective's scope asks of an activity (package
// comms's validation has checked a scope naming an activity).
type scopeKey struct {
	topic       comms.Topic
	stakeholder string
	triggered   bool
}

// emptyScope reports whether measurable objective o, scoped to a topic
// or a stakeholder and no activity, holds no activity of the plan it can
// measure (for notification timeliness, a triggered one), and says what
// it measures. Feedback measures scoped to a stakeholder alone read the
// feedback it gave, which needs no activity. holds memoizes the answers,
// so that many objectives of one scope cost one pass.
func emptyScope(c *Context, o comms.Objective, holds map[scopeKey]bool) (string, bool) {
	sc := o.Scope
	if sc.Activity != "" || sc.Topic == "" && sc.Stakeholder == "" {
		return "", false
	}
	feedback := o.Measure == comms.MeasureSatisfaction || o.Measure == comms.MeasureFeedbackResponseTime
	if feedback && sc.Topic == "" {
		return "", false
	}
	k := scopeKey{sc.Topic, sc.Stakeholder, o.Measure == comms.MeasureNotificationTimeliness}
	if feedback {
		k.stakeholder = "" // feedback the stakeholder gave, about any activity of the topic
	}
	held, ok := holds[k]
	if !ok {
		for _, a := range each(c, c.Plan.Activities) {
			if (k.topic == "" || a.What.Topic == k.topic) && (k.stakeholder == "" || slices.Contains(a.Whom, k.stakeholder)) && (!k.triggered || a.When.Triggered()) {
				held = true
				break
			}
		}
		holds[k] = held
	}
	if held {
		return "", false
	}
	var what []string
	if k.triggered {
		what = append(what, "triggered activities")
	} else {
		what = append(what, "activities")
	}
	if k.topic != "" {
		what = append(what, "of topic "+quoted(string(k.topic)))
	}
	if k.stakeholder != "" {
		what = append(what, "reaching "+quoted(k.stakeholder))
	}
	return strings.Join(what, " "), true
}

// reaching returns, for stakeholder ID id, the set of the positions of
// the activities whose whom names it, built once per Check.
func (c *Context) reaching(id string) map[int]bool {
	if set, ok := c.reach[id]; ok {
		return set
	}
	set := make(map[int]bool, len(c.reachedBy[id]))
	for _, i := range each(c, c.reachedBy[id]) {
		set[i] = true
	}
	if c.reach == nil {
		c.reach = map[string]map[int]bool{}
	}
	c.reach[id] = set
	return set
}

// requirementName names the j-th requirement of stakeholder s for a
// message: its ID, its text (cut short) and whose it is.
func requirementName(s comms.Stakeholder, r comms.Requirement) string {
	if r.Text != "" {
		return fmt.Sprintf("Requirement %s (%s) of %s", r.ID, quoted(r.Text), s.Label())
	}
	return fmt.Sprintf("Requirement %s of %s", r.ID, s.Label())
}

func checkRequirementUnmet(c *Context) []Finding {
	var out []Finding
	for si, s := range each(c, c.Plan.Stakeholders) {
		if len(s.Requirements) == 0 {
			continue
		}
		reach := c.reaching(s.ID)
		for j, r := range each(c, s.Requirements) {
			met := false
			for _, id := range each(c, r.Activities) {
				if i, ok := c.ix.ActivityIndex(id); ok && reach[i] {
					met = true
					break
				}
			}
			if met {
				continue
			}
			msg := fmt.Sprintf("%s names no activity that meets it.", requirementName(s, r))
			if len(r.Activities) > 0 {
				msg = fmt.Sprintf("%s is met by no activity: none of the activities it names reaches %s.", requirementName(s, r), s.ID)
			}
			out = append(out, c.RequirementFinding(si, j, msg,
				fmt.Sprintf("List in the requirement's activities an activity that meets it, with %s in its whom; or remove the requirement if the ISMS does not address it.", s.ID)))
		}
	}
	return out
}

func checkRequirementUnreached(c *Context) []Finding {
	var out []Finding
	for si, s := range each(c, c.Plan.Stakeholders) {
		if len(s.Requirements) == 0 {
			continue
		}
		reach := c.reaching(s.ID)
		for j, r := range each(c, s.Requirements) {
			for k, id := range each(c, r.Activities) {
				var msg, hint string
				i, ok := c.ix.ActivityIndex(id)
				switch {
				case !ok:
					msg = fmt.Sprintf("%s names activity %s, which the plan does not declare.", requirementName(s, r), quoted(id))
					hint = "Declare the activity under activities, or correct the ID."
				case !reach[i]:
					a := c.Plan.Activities[i]
					msg = fmt.Sprintf("%s names activity %s, which does not reach %s.", requirementName(s, r), activityName(a), s.ID)
					hint = fmt.Sprintf("Add %s to the whom of activity %s, or remove %s from the requirement's activities.", s.ID, a.ID, a.ID)
				default:
					continue
				}
				f := c.RequirementFinding(si, j, msg, hint)
				f.Path += fmt.Sprintf(".activities[%d]", k)
				out = append(out, f)
			}
		}
	}
	return out
}

// occursWithinYear reports whether r has an occurrence in the 12 months
// from the reference time.
func (c *Context) occursWithinYear(r *schedule.Rule) bool {
	next, ok := r.Next(c.At.Add(-time.Nanosecond))
	return ok && !next.After(c.At.AddDate(1, 0, 0))
}

// hasIncidentComms reports whether the plan communicates during incidents:
// an activity triggered by an incident milestone (INCIDENT-COMMS reports a
// plan without).
func (c *Context) hasIncidentComms() bool {
	return c.anyActivity(func(_ int, a comms.Activity) bool { return triggerKind(a) == comms.EventKindIncident })
}

// timingOf says in words how an activity is timed, for a message.
func timingOf(a comms.Activity) string {
	switch {
	case a.When.Triggered():
		return "it is triggered by " + quoted(a.When.Trigger)
	case a.When.Recurring():
		return "it recurs by " + quoted(a.When.RRule)
	}
	return "it has neither a recurrence nor a trigger"
}

func checkDrill(c *Context) []Finding {
	if !c.hasIncidentComms() {
		return nil
	}
	first := -1
	for i, a := range each(c, c.Plan.Activities) {
		if !hasTopic(a, comms.TopicDrill) {
			continue
		}
		if a.When.Recurring() && c.yearly(i) {
			return nil
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return []Finding{c.PlanFinding("No drill of the incident communication plan is planned: no recurring activity of topic drill.",
			"Add an activity with what.topic: drill, the people who take part in whom and a recurrence of at most 12 months (FREQ=YEARLY); record each drill as an event of kind drill.")}
	}
	a := c.Plan.Activities[first]
	why := timingOf(a)
	if a.When.Recurring() {
		switch r, err := c.ActivityRule(first); {
		case err != nil:
			why = "its recurrence does not compile"
		case !c.occursWithinYear(r):
			why = fmt.Sprintf("it has no occurrence in the 12 months from %s", c.At.Format(time.DateOnly))
		default:
			why += ", less often than every 12 months"
		}
	}
	f := c.ActivityFinding(first, fmt.Sprintf("Drill activity %s is not planned at least every 12 months: %s.", activityName(a), why),
		"Give it a recurrence of at most 12 months (when.rrule: FREQ=YEARLY) that has occurrences from now on.")
	f.Path += ".when"
	return []Finding{f}
}

func checkPostIncident(c *Context) []Finding {
	if !c.hasIncidentComms() {
		return nil
	}
	closed := comms.EventKindIncident + "." + comms.MilestoneClosed
	first := -1
	for i, a := range each(c, c.Plan.Activities) {
		if !hasTopic(a, comms.TopicLessonsLearned) {
			continue
		}
		if a.When.Trigger == closed {
			return nil
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return []Finding{c.PlanFinding("No lessons-learned activity follows an incident's closure: lessons learned and preventive measures are not communicated.",
			"Add an activity with what.topic: lessons-learned, when.trigger: incident.closed and a within deadline (10bd).")}
	}
	a := c.Plan.Activities[first]
	f := c.ActivityFinding(first, fmt.Sprintf("Lessons-learned activity %s does not follow an incident's closure: %s, not incident.closed.", activityName(a), timingOf(a)),
		"Set when.trigger: incident.closed and a within deadline, so that every closed incident is followed by its lessons learned.")
	f.Path += ".when"
	return []Finding{f}
}

// mediaGaps returns what keeps activity a from being a protocol for media
// inquiries: a media audience, a spokesperson, an inbound channel.
func (c *Context) mediaGaps(a comms.Activity) []string {
	var gaps []string
	if !c.reachesKind(a, comms.StakeholderKindMedia) {
		gaps = append(gaps, "no media audience")
	}
	if a.Spokesperson == "" {
		gaps = append(gaps, "no spokesperson")
	}
	inbound := false
	for _, id := range each(c, a.How) {
		if ch, ok := c.ix.Channel(id); ok && ch.Inbound {
			inbound = true
			break
		}
	}
	if !inbound {
		gaps = append(gaps, "no inbound channel")
	}
	return gaps
}

// checkMediaInquiry applies where the media are in the plan: a
// media-kind stakeholder, an activity of topic media-inquiry, or a crisis
// activity reaching a media-kind stakeholder. A crisis activity that
// reaches no media (a staff-only crisis alert) is neither a candidate nor
// a reason to apply: CRISIS judges it.
func checkMediaInquiry(c *Context) []Finding {
	applies := false
	for _, s := range each(c, c.Plan.Stakeholders) {
		if s.Kind == comms.StakeholderKindMedia {
			applies = true
			break
		}
	}
	// The candidate closest to a protocol: the fewest gaps, a
	// media-inquiry activity before a crisis one, then plan order.
	best, bestRank := -1, 0
	var bestGaps []string
	for i, a := range each(c, c.Plan.Activities) {
		inquiry := hasTopic(a, comms.TopicMediaInquiry)
		if !inquiry && !(hasTopic(a, comms.TopicCrisis) && c.reachesKind(a, comms.StakeholderKindMedia)) {
			continue
		}
		applies = true
		gaps := c.mediaGaps(a)
		if len(gaps) == 0 {
			return nil
		}
		rank := 2 * len(gaps)
		if !inquiry {
			rank++
		}
		if best < 0 || rank < bestRank {
			best, bestRank, bestGaps = i, rank, gaps
		}
	}
	if !applies {
		return nil
	}
	if best < 0 {
		return []Finding{c.PlanFinding("The plan has no protocol for media inquiries: no activity of topic media-inquiry, and no crisis activity reaching the media, answers the media's questions.",
			"Add an activity with what.topic: media-inquiry that reaches the media-kind stakeholder, names the spokesperson and uses a channel with inbound: true (a press office line).")}
	}
	a := c.Plan.Activities[best]
	kind := "Crisis"
	if hasTopic(a, comms.TopicMediaInquiry) {
		kind = "Media-inquiry"
	}
	return []Finding{c.ActivityFinding(best, fmt.Sprintf("%s activity %s is no protocol for media inquiries: it has %s.", kind, activityName(a), joinAnd(bestGaps)),
		"A protocol for media inquiries reaches a media-kind stakeholder, names the spokesperson who answers, and uses a channel with inbound: true (a press office line) through which the questions come in.")}
}
