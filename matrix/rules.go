package matrix

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// builtin is a rule defined by a function.
type builtin struct {
	info CheckInfo
	fn   func(c *Context) []Finding
}

func (b builtin) Info() CheckInfo            { return b.info }
func (b builtin) Check(c *Context) []Finding { return b.fn(c) }

// Checks returns the built-in checks in the order Check runs them. Their IDs
// are a contract: they never change meaning, and new ones are added.
func Checks() []CheckInfo {
	out := make([]CheckInfo, 0, len(catalog))
	for _, r := range catalog {
		out = append(out, r.info)
	}
	return out
}

func builtinRules() []Checker {
	out := make([]Checker, len(catalog))
	for i, r := range catalog {
		out[i] = r
	}
	return out
}

// catalog is every built-in rule, in report order.
var catalog = []builtin{
	{CheckInfo{"CMX-WHAT", SeverityError, "7.4 a)", "An activity lacks a topic or a key message",
		"Clause 7.4 a) asks what to communicate. Every activity needs a topic (what it is about, from the fixed list) and a key message (what is said)."}, checkWhat},
	{CheckInfo{"CMX-WHEN", SeverityError, "7.4 b)", "An activity has no valid timing, or a trigger without a deadline",
		"Clause 7.4 b) asks when to communicate. Every activity needs a recurrence that compiles (rrule and start) or a trigger (an event milestone); a trigger needs a within deadline, or \"immediately\" means nothing."}, checkWhen},
	{CheckInfo{"CMX-WHOM", SeverityError, "7.4 c)", "An activity has no audience, or names a stakeholder the plan lacks",
		"Clause 7.4 c) asks with whom to communicate. Every activity names at least one declared stakeholder."}, checkWhom},
	{CheckInfo{"CMX-HOW", SeverityError, "7.4 d)", "An activity has no channel, or names a channel the plan lacks",
		"Clause 7.4 d) asks how to communicate. Every activity names at least one declared channel."}, checkHow},
	{CheckInfo{"CMX-WHO", SeverityError, "7.4, 5.3", "An activity has no owner, or names a role the plan lacks",
		"Someone must be responsible for each communication (5.3 assigns responsibilities). Every activity names an owner role, and its supporting roles and spokesperson are declared."}, checkWho},
	{CheckInfo{"CMX-DEAD-RULE", SeverityWarning, "7.4 b)", "A recurrence yields no occurrence in the next 12 months",
		"A recurring activity whose UNTIL has passed or whose COUNT is spent no longer communicates anything: remove it, or extend it."}, checkDeadRule},
	{CheckInfo{"CMX-START-UNSYNCED", SeverityWarning, "7.4 b)", "A recurrence's start is not one of its own occurrences",
		"RFC 5545 leaves a recurrence whose DTSTART does not match its rule undefined; this library counts the start as an extra first occurrence. Set the start to the rule's first date."}, checkStartUnsynced},
	{CheckInfo{"CMX-WITHIN-OVERLAP", SeverityWarning, "7.4 b)", "An activity's deadline is longer than the time between its occurrences",
		"When the within window outlasts the recurrence interval, one occurrence's window runs into the next and evidence cannot tell them apart."}, checkWithinOverlap},
	{CheckInfo{"POL-COMMUNICATED", SeverityError, "5.2 e), 7.4", "The policy does not reach every employees stakeholder at least every 12 months",
		"Clause 5.2 e) requires the information security policy to be communicated within the organization. Each employees-kind stakeholder must receive a recurring policy activity at least once every 12 months."}, checkPolicy},
	{CheckInfo{"POL-CHANGE", SeverityWarning, "5.2, 7.4", "No activity is triggered by a policy change",
		"Changes to policies and procedures are to be communicated as they happen: an activity triggered by policy.changed."}, checkPolicyChange},
	{CheckInfo{"AWARENESS", SeverityError, "7.3, A.6.3", "No awareness or training activity reaches employees at least every 12 months",
		"Clause 7.3 and control A.6.3 require awareness and training. Each employees-kind stakeholder must receive a recurring awareness or training activity at least once every 12 months."}, checkAwareness},
	{CheckInfo{"INCIDENT-REPORTING", SeverityError, "A.6.8", "Employees are never told how to report security events",
		"Control A.6.8 requires a mechanism for personnel to report observed or suspected security events. Each employees-kind stakeholder must receive an incident-reporting activity."}, checkIncidentReporting},
	{CheckInfo{"INCIDENT-COMMS", SeverityError, "A.5.24–A.5.26", "No activity is triggered by an incident milestone",
		"Controls A.5.24 to A.5.26 require planned incident response, communication included: at least one activity triggered by incident.<milestone>."}, checkIncidentComms},
	{CheckInfo{"REGULATOR", SeverityError, "A.5.5", "A regulator is not notified on a trigger with a deadline",
		"Control A.5.5 requires contact with authorities. Every regulator-kind stakeholder needs a triggered activity reaching it, and every activity to a regulator needs a deadline."}, checkRegulator},
	{CheckInfo{"AUDIT-RESULTS", SeverityError, "9.2.2", "Internal audit results are not communicated to management",
		"Clause 9.2.2 c) requires the results of audits to be reported to relevant management: an internal-audit activity reaching a management-kind stakeholder."}, checkAuditResults},
	{CheckInfo{"MGMT-REVIEW", SeverityWarning, "9.3.3", "Management review results are not communicated",
		"Clause 9.3.3 makes the results of the management review decisions on continual improvement and changes to the ISMS; an activity with topic management-review or improvement communicates them."}, checkMgmtReview},
	{CheckInfo{"RISK-RESULTS", SeverityWarning, "6.1.2, 8.2", "Risk assessment results are not communicated to management",
		"Risk assessment results and treatment plans (6.1.2, 8.2) need an owner and management's attention: a risk activity reaching a management-kind stakeholder."}, checkRiskResults},
	{CheckInfo{"METRICS", SeverityWarning, "9.1", "No recurring metrics or report reaches management",
		"Clause 9.1 requires the results of monitoring and measurement to be evaluated: a recurring activity reaching management with topic metrics or through a report or dashboard."}, checkMetrics},
	{CheckInfo{"CRISIS", SeverityWarning, "7.4, A.5.26", "No crisis activity with a spokesperson and an external audience",
		"A crisis communication plan names one spokesperson towards the outside and reaches media or the public."}, checkCrisis},
	{CheckInfo{"EXT-ASSURANCE", SeverityWarning, "7.4 c), A.5.20", "Customers and suppliers get no security assurance",
		"External communication includes assurance of information security practices to customers and suppliers (A.5.20 supplier agreements): an assurance or certification activity reaching them."}, checkAssurance},
	{CheckInfo{"EXT-AUDIT", SeverityWarning, "7.4 c), 9.2", "External auditors are not communicated with",
		"Third-party audits and assessments need a planned channel: an external-audit activity reaching an auditor-kind stakeholder."}, checkExternalAudit},
	{CheckInfo{"STAKEHOLDER-UNREACHED", SeverityWarning, "7.4 c)", "A stakeholder receives no activity",
		"A stakeholder the plan identifies (4.2) but never communicates with is either missing from an activity or not relevant to the ISMS."}, checkUnreached},
	{CheckInfo{"CHANNEL-REACH", SeverityError, "7.4 d)", "An audience is served only by channels that cannot reach it",
		"A channel declares the scopes it reaches; an intranet cannot reach customers. Each audience of an activity needs at least one of its channels to reach the audience's scope."}, checkChannelReach},
	{CheckInfo{"CHANNEL-SECURITY", SeverityError, "7.4 d), A.5.14", "A message is more sensitive than a channel may carry",
		"Control A.5.14 requires information transfer to be protected. A channel declares the highest classification it may carry; a message above it must not use it."}, checkChannelSecurity},
	{CheckInfo{"FEEDBACK", SeverityWarning, "7.4, 9.1", "The plan has no feedback mechanism",
		"Monitoring communication effectiveness needs feedback: a survey or ticketing channel, or an activity with topic feedback. An inbound channel (inbound: true) of another kind does not count by itself: a press office line or a reporting hotline takes in questions and reports, not feedback on communication; an activity of topic feedback that uses it does."}, checkFeedback},
	{CheckInfo{"PLAN-REVIEW", SeverityWarning, "7.4, 9.3", "The plan has no review cadence, one longer than 12 months, or an approval older than its cadence",
		"Communication plans are reviewed and updated regularly; the plan's review rule says how often, and its approval must not be older than one cadence."}, checkPlanReview},
	{CheckInfo{"OBJECTIVES", SeverityWarning, "6.2", "The plan has no measurable objective, or an objective lacks a measure, a target or a period",
		"Clause 6.2 requires information security objectives that are measurable (if practicable) and monitored; the reference's programme sets objectives (part 1) and performance metrics (part 15). An objective is measurable when it has a measure package evidence computes, a target in the measure's form and a period it is judged per (comms.Objective.Measurable). The plan needs at least one; each objective that cannot be judged is reported by its ID, with what it lacks, and so is a measurable one whose scope (a topic or a stakeholder) holds no activity it can measure, which would never have data. Where measuring an objective is not practicable, waive its finding with the reason."}, checkObjectives},
	{CheckInfo{"REQUIREMENT-UNMET", SeverityWarning, "4.2, 7.4 c)", "A stakeholder's requirement is met by no activity that reaches the stakeholder",
		"Clause 4.2 asks for the needs and expectations of interested parties. A stakeholder's requirements (requirements under the stakeholder) each name the activities that meet them; a requirement that names no declared activity reaching the stakeholder is not met by the plan."}, checkRequirementUnmet},
	{CheckInfo{"REQUIREMENT-UNREACHED", SeverityWarning, "4.2, 7.4 c)", "A requirement names an activity that does not reach its stakeholder",
		"An activity that meets a stakeholder's requirement communicates with that stakeholder: its whom names it. A requirement naming an activity that does not reach the stakeholder, or one the plan does not declare, claims what the plan does not do."}, checkRequirementUnreached},
	{CheckInfo{"DRILL", SeverityWarning, "A.5.24, A.5.26", "No incident-communication drill is planned at least every 12 months",
		"Incident communication is exercised before it is needed (the reference's programme notes: conduct periodic drills and exercises to test the effectiveness of incident communication plans). A plan with incident communication (an activity triggered by incident.<milestone>) needs a recurring activity of topic drill that recurs at least once every 12 months; each drill held is an event of kind drill, and holding it is the evidence of the activity. Incident communication means the trigger kind incident exactly: activities triggered by events of other kinds (breach.aware, security-incident.detected) do not make this rule or POST-INCIDENT apply. A plan without incident communication is INCIDENT-COMMS's to report."}, checkDrill},
	{CheckInfo{"POST-INCIDENT", SeverityWarning, "A.5.27, 7.4", "No lessons-learned communication follows an incident's closure",
		"After an incident, the lessons learned and the preventive measures are communicated (the reference's part 10, post-incident communication; control A.5.27, learning from information security incidents). A plan with incident communication needs an activity of topic lessons-learned triggered by incident.closed."}, checkPostIncident},
	{CheckInfo{"MEDIA-INQUIRY", SeverityWarning, "7.4, A.5.26", "No protocol for media inquiries: an activity reaching media with a spokesperson and an inbound channel",
		"The media ask questions of their own (the reference's part 14: establish protocols for responding to media inquiries). When the plan has a media-kind stakeholder, an activity of topic media-inquiry or a crisis activity reaching a media-kind stakeholder, one such activity (of topic media-inquiry, or crisis reaching the media) reaches a media-kind stakeholder, names the spokesperson who answers, and uses an inbound channel (inbound: true) through which the questions come in. A crisis activity that reaches no media (a staff-only crisis alert) does not make the rule apply: CRISIS judges it."}, checkMediaInquiry},
	{CheckInfo{"REG-UNKNOWN", SeverityError, "A.5.31", "An obligation or a profile is not in the catalog",
		"The obligations an activity declares and the profiles a plan must pass (its profiles, or matrix.Profile) are names of package regulation's catalog (gdpr-art33, nis2-notification; gdpr, nis2, dora); an unknown one is a typo or something the catalog does not hold. Nothing is checked for an unknown profile, so the finding is an error: a plan with profiles: [gdrp] must not pass as if it had been checked against the GDPR."}, checkObligationIDs},
	{CheckInfo{"REG-MISSING", SeverityError, "A.5.31", "No activity fulfils an obligation of a profile",
		"Under a profile (profiles: [gdpr] in the plan, or matrix.Profile(\"gdpr\")), every obligation of the profile needs an activity that declares it in obligations."}, profileOnly},
	{CheckInfo{"REG-WRONG-AUDIENCE", SeverityError, "A.5.31", "An obligation's recipient is not reached",
		"Under a profile, the activities that fulfil an obligation must reach a stakeholder of each recipient's kind (a regulator for a supervisory authority, customers for recipients of services)."}, profileOnly},
	{CheckInfo{"REG-WRONG-TRIGGER", SeverityError, "A.5.31", "An activity's trigger is not the milestone the law counts from",
		"Under a profile, an activity that fulfils an obligation must be triggered by the milestone its clock starts at (incident.aware for GDPR Art. 33) or, for a chained report, by the sending of the activity that fulfils the earlier one (activity:<id>)."}, profileOnly},
	{CheckInfo{"REG-LATE", SeverityError, "A.5.31", "An activity's deadline is longer than the legal deadline",
		"Under a profile, an activity that fulfils an obligation must be due no later than the law allows: its within, counted from the same milestone, may not exceed the legal deadline at any starting time."}, profileOnly},
	{CheckInfo{"ROLES-COMMUNICATED", SeverityInfo, "5.3", "Roles and responsibilities are not communicated to employees",
		"Clause 5.3 asks top management to ensure responsibilities are communicated; an activity with topic roles reaching employees does it."}, checkRoles},
	{CheckInfo{"CHANNEL-UNUSED", SeverityInfo, "7.4 d)", "A channel is declared but no activity uses it",
		"An unused channel may be a feedback or reporting mechanism (fine) or a leftover."}, checkChannelUnused},
	{CheckInfo{"PLAN-APPROVAL", SeverityInfo, "7.5.2", "The plan has no approval record",
		"Documented information is reviewed and approved for suitability (7.5.2); record who approved the plan and when."}, checkApproval},
}

// profileOnly is the check of a rule that only profiles emit (see Profile).
func profileOnly(*Context) []Finding { return nil }

// --- helpers ---

func (c *Context) stakeholder(id string) (comms.Stakeholder, bool) { return c.ix.Stakeholder(id) }

// reachesKind reports whether a addresses a stakeholder of kind k.
func (c *Context) reachesKind(a comms.Activity, k comms.StakeholderKind) bool {
	for _, id := range each(c, a.Whom) {
		if s, ok := c.stakeholder(id); ok && s.Kind == k {
			return true
		}
	}
	return false
}

func hasTopic(a comms.Activity, topics ...comms.Topic) bool {
	return slices.Contains(topics, a.What.Topic)
}

// yearly reports whether activity i recurs at least every 12 months from
// the reference time on: an occurrence within 12 months, and no gap longer
// than 12 months over the next two years.
func (c *Context) yearly(i int) bool {
	switch c.yearlyCache[i] {
	case 1:
		return true
	case 2:
		return false
	}
	ok := c.recursYearly(i)
	c.yearlyCache[i] = 2
	if ok {
		c.yearlyCache[i] = 1
	}
	return ok
}

func (c *Context) recursYearly(i int) bool {
	r, err := c.ActivityRule(i)
	if err != nil {
		return false
	}
	limit := c.At.AddDate(2, 0, 0)
	prev := c.At
	n := 0
	for t := range counted(c, r.Between(c.At, limit)) {
		if t.After(prev.AddDate(1, 0, 1)) {
			return false
		}
		prev = t
		n++
	}
	return n > 0 && !limit.After(prev.AddDate(1, 0, 1))
}

func (c *Context) employees() []int {
	var out []int
	for i, s := range each(c, c.Plan.Stakeholders) {
		if s.Kind == comms.StakeholderKindEmployees {
			out = append(out, i)
		}
	}
	return out
}

// perEmployees reports, for each employees-kind stakeholder, when no
// activity matching ok reaches it; and on the plan when there are none.
func (c *Context) perEmployees(ok func(i int, a comms.Activity) bool, msg, hint string) []Finding {
	emp := c.employees()
	if len(emp) == 0 {
		return []Finding{c.PlanFinding("The plan has no employees-kind stakeholder, so "+msg, "Declare the organization's people as a stakeholder of kind employees. "+hint)}
	}
	var out []Finding
	for _, si := range each(c, emp) {
		reached := false
		for _, i := range each(c, c.reachedBy[c.Plan.Stakeholders[si].ID]) {
			if ok(i, c.Plan.Activities[i]) {
				reached = true
				break
			}
		}
		if !reached {
			out = append(out, c.StakeholderFinding(si, fmt.Sprintf("%s: %s", c.Plan.Stakeholders[si].Label(), msg), hint))
		}
	}
	return out
}

func activityName(a comms.Activity) string {
	if a.Name != "" {
		return fmt.Sprintf("%q", a.Name)
	}
	return a.ID
}

func (c *Context) anyActivity(ok func(i int, a comms.Activity) bool) bool {
	for i, a := range each(c, c.Plan.Activities) {
		if ok(i, a) {
			return true
		}
	}
	return false
}

// anyOf reports whether ok holds for one of the activities at the
// positions given.
func (c *Context) anyOf(positions []int, ok func(a comms.Activity) bool) bool {
	for _, i := range each(c, positions) {
		if ok(c.Plan.Activities[i]) {
			return true
		}
	}
	return false
}

// each ranges over s, counting a step of the check per element, and
// counted over seq likewise: every loop of the rules over the plan's
// lists goes through them, so that the tests can hold a check's steps to
// the size of the plan (TestCheckLinear).
func each[T any](c *Context, s []T) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i, v := range s {
			c.steps++
			if !yield(i, v) {
				return
			}
		}
	}
}

func counted[T any](c *Context, seq iter.Seq[T]) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range seq {
			c.steps++
			if !yield(v) {
				return
			}
		}
	}
}

func triggerKind(a comms.Activity) string {
	k, _, _ := a.When.TriggerParts()
	return k
}

// --- the rules ---

func checkWhat(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		var missing []string
		if a.What.Topic == "" {
			missing = append(missing, "topic")
		}
		if strings.TrimSpace(a.What.Message) == "" {
			missing = append(missing, "key message")
		}
		if len(missing) > 0 {
			f := c.ActivityFinding(i, fmt.Sprintf("Activity %s has no %s: what is communicated is not determined.", activityName(a), strings.Join(missing, " and no ")),
				"Set what.topic (policy, awareness, incident, ...) and what.message, the key message.")
			f.Path += ".what"
			out = append(out, f)
		}
	}
	return out
}

func checkWhen(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		t := a.When
		path := ""
		var msg, hint string
		switch {
		case !t.Recurring() && !t.Triggered():
			msg = fmt.Sprintf("Activity %s has neither a recurrence nor a trigger: when it happens is not determined.", activityName(a))
			hint = `Add when.rrule and when.start ("FREQ=YEARLY", "2026-01-15T09:00"), or when.trigger with when.within ("incident.aware", 72h).`
			path = ".when"
		case t.Triggered() && t.Within == "":
			msg = fmt.Sprintf("Activity %s is triggered by %s but has no deadline.", activityName(a), t.Trigger)
			hint = "Add when.within: how long after the trigger the communication is due (1h, 72h, 3bd)."
			path = ".when.trigger"
		case t.Recurring():
			if _, err := c.ActivityRule(i); err != nil {
				msg = fmt.Sprintf("Activity %s has a recurrence that does not compile: %v.", activityName(a), err)
				hint = "Fix when.rrule and when.start: an RFC 5545 rule (FREQ=DAILY or coarser) and a start date-time."
				path = ".when.rrule"
			}
		}
		if t.Triggered() && t.Within != "" {
			if _, err := schedule.ParseDeadline(t.Within); err != nil {
				msg, hint, path = fmt.Sprintf("Activity %s has an invalid deadline: %v.", activityName(a), err), "Write within as 4h, 72h, 14d, 3bd or 1mo.", ".when.within"
			}
		}
		if msg != "" {
			f := c.ActivityFinding(i, msg, hint)
			f.Path += path
			out = append(out, f)
		}
	}
	return out
}

func checkWhom(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		if len(a.Whom) == 0 {
			f := c.ActivityFinding(i, fmt.Sprintf("Activity %s has no audience: with whom it communicates is not determined.", activityName(a)),
				"List the stakeholder IDs it reaches in whom.")
			out = append(out, f)
			continue
		}
		for j, id := range each(c, a.Whom) {
			if _, ok := c.stakeholder(id); !ok {
				f := c.ActivityFinding(i, fmt.Sprintf("Activity %s names stakeholder %q, which the plan does not declare.", activityName(a), id),
					"Declare the stakeholder under stakeholders, or correct the ID.")
				f.Path += fmt.Sprintf(".whom[%d]", j)
				out = append(out, f)
			}
		}
	}
	return out
}

func checkHow(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		if len(a.How) == 0 {
			out = append(out, c.ActivityFinding(i, fmt.Sprintf("Activity %s has no channel: how it communicates is not determined.", activityName(a)),
				"List the channel IDs it uses in how."))
			continue
		}
		for j, id := range each(c, a.How) {
			if _, ok := c.ix.Channel(id); !ok {
				f := c.ActivityFinding(i, fmt.Sprintf("Activity %s names channel %q, which the plan does not declare.", activityName(a), id),
					"Declare the channel under channels, or correct the ID.")
				f.Path += fmt.Sprintf(".how[%d]", j)
				out = append(out, f)
			}
		}
	}
	return out
}

func checkWho(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		if a.Owner == "" {
			out = append(out, c.ActivityFinding(i, fmt.Sprintf("Activity %s has no owner: no one is responsible for it.", activityName(a)),
				"Set owner to the ID of the responsible role."))
		}
		check := func(field, id string) {
			if id == "" {
				return
			}
			if _, ok := c.ix.Role(id); !ok {
				f := c.ActivityFinding(i, fmt.Sprintf("Activity %s names role %q, which the plan does not declare.", activityName(a), id),
					"Declare the role under roles, or correct the ID.")
				f.Path += "." + field
				out = append(out, f)
			}
		}
		check("owner", a.Owner)
		for j, r := range each(c, a.Support) {
			check(fmt.Sprintf("support[%d]", j), r)
		}
		check("spokesperson", a.Spokesperson)
	}
	return out
}

func checkDeadRule(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		if !a.When.Recurring() {
			continue
		}
		r, err := c.ActivityRule(i)
		if err != nil {
			continue // CMX-WHEN reports it
		}
		if next, ok := r.Next(c.At.Add(-time.Nanosecond)); ok && !next.After(c.At.AddDate(1, 0, 0)) {
			continue
		}
		f := c.ActivityFinding(i, fmt.Sprintf("Activity %s has no occurrence in the 12 months from %s: its recurrence has ended or lies too far ahead.", activityName(a), c.At.Format(time.DateOnly)),
			"Extend or remove until (or COUNT), or remove the activity if it is no longer needed.")
		f.Path += ".when.rrule"
		out = append(out, f)
	}
	return out
}

func checkStartUnsynced(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		if !a.When.Recurring() {
			continue
		}
		r, err := c.ActivityRule(i)
		if err != nil || r.StartMatches() {
			continue
		}
		next, _ := r.Next(r.Start())
		f := c.ActivityFinding(i, fmt.Sprintf("Activity %s starts on %s, which its rule %q does not produce; the start counts as an extra occurrence.",
			activityName(a), a.When.Start, a.When.RRule),
			fmt.Sprintf("Set when.start to the rule's first date (%s).", comms.DateTimeOf(next)))
		f.Path += ".when.start"
		out = append(out, f)
	}
	return out
}

func checkWithinOverlap(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		if !a.When.Recurring() || a.When.Within == "" {
			continue
		}
		r, err := c.ActivityRule(i)
		d, derr := schedule.ParseDeadline(a.When.Within)
		if err != nil || derr != nil {
			continue
		}
		// The deadline counts business days in the activity's calendar, as
		// the agenda and the evidence do.
		cal, err := c.calendar(a.Calendar)
		if err != nil {
			continue // Validate reports an unknown calendar
		}
		var prev time.Time
		n := 0
		for t := range counted(c, r.Between(c.At, c.At.AddDate(2, 0, 0))) {
			if n > 0 && d.From(prev, cal).After(t) {
				f := c.ActivityFinding(i, fmt.Sprintf("Activity %s allows %s after each occurrence, but the next one follows on %s.", activityName(a), a.When.Within, t.Format(time.DateOnly)),
					"Shorten when.within to less than the time between occurrences.")
				f.Path += ".when.within"
				out = append(out, f)
				break
			}
			prev = t
			if n++; n > 60 {
				break
			}
		}
	}
	return out
}

func checkPolicy(c *Context) []Finding {
	return c.perEmployees(func(i int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicPolicy) && c.yearly(i)
	}, "no recurring policy activity reaches them at least every 12 months.",
		"Add an activity with what.topic: policy, whom including them and a recurrence of at most 12 months (FREQ=YEARLY).")
}

func checkPolicyChange(c *Context) []Finding {
	if c.anyActivity(func(_ int, a comms.Activity) bool { return a.When.Trigger == "policy.changed" }) {
		return nil
	}
	return []Finding{c.PlanFinding("No activity is triggered by a policy change: changes to policies and procedures are not communicated as they happen.",
		"Add an activity with when.trigger: policy.changed and a within deadline.")}
}

func checkAwareness(c *Context) []Finding {
	return c.perEmployees(func(i int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicAwareness, comms.TopicTraining) && c.yearly(i)
	}, "no awareness or training activity reaches them at least every 12 months.",
		"Add an activity with what.topic: awareness (or training), whom including them and a recurrence of at most 12 months.")
}

func checkIncidentReporting(c *Context) []Finding {
	return c.perEmployees(func(_ int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicIncidentReporting)
	}, "they are never told how to report security events.",
		"Add an activity with what.topic: incident-reporting whose whom includes them.")
}

func checkIncidentComms(c *Context) []Finding {
	if c.anyActivity(func(_ int, a comms.Activity) bool { return triggerKind(a) == "incident" }) {
		return nil
	}
	return []Finding{c.PlanFinding("No activity is triggered by an incident milestone: communication during incidents is not planned.",
		"Add activities with when.trigger: incident.detected (or incident.aware, incident.resolved) and a within deadline.")}
}

func checkRegulator(c *Context) []Finding {
	var out []Finding
	for si, s := range each(c, c.Plan.Stakeholders) {
		if s.Kind != comms.StakeholderKindRegulator {
			continue
		}
		if !c.anyOf(c.reachedBy[s.ID], func(a comms.Activity) bool { return a.When.Triggered() }) {
			out = append(out, c.StakeholderFinding(si, fmt.Sprintf("Regulator %s is not notified by any triggered activity.", s.Label()),
				"Add an activity triggered by the milestone the law counts from (incident.aware) with the legal deadline in within, reaching this stakeholder."))
		}
	}
	for i, a := range each(c, c.Plan.Activities) {
		if c.reachesKind(a, comms.StakeholderKindRegulator) && a.When.Within == "" {
			f := c.ActivityFinding(i, fmt.Sprintf("Activity %s reaches a regulator but has no deadline.", activityName(a)),
				"Set when.within to the legal deadline (72h for GDPR Art. 33).")
			f.Path += ".when"
			out = append(out, f)
		}
	}
	return out
}

func (c *Context) planFindingUnless(ok func(i int, a comms.Activity) bool, msg, hint string) []Finding {
	if c.anyActivity(ok) {
		return nil
	}
	return []Finding{c.PlanFinding(msg, hint)}
}

func checkAuditResults(c *Context) []Finding {
	return c.planFindingUnless(func(_ int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicInternalAudit) && c.reachesKind(a, comms.StakeholderKindManagement)
	}, "Internal audit results are not communicated to management.",
		"Add an activity with what.topic: internal-audit whose whom includes a management-kind stakeholder.")
}

func checkMgmtReview(c *Context) []Finding {
	return c.planFindingUnless(func(_ int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicManagementReview, comms.TopicImprovement) && len(a.Whom) > 0
	}, "The results of management reviews (improvement decisions, changes to the ISMS) are not communicated.",
		"Add an activity with what.topic: management-review (or improvement) reaching the people concerned.")
}

func checkRiskResults(c *Context) []Finding {
	return c.planFindingUnless(func(_ int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicRisk) && c.reachesKind(a, comms.StakeholderKindManagement)
	}, "Risk assessment results and treatment plans are not communicated to management.",
		"Add an activity with what.topic: risk whose whom includes a management-kind stakeholder.")
}

func checkMetrics(c *Context) []Finding {
	return c.planFindingUnless(func(i int, a comms.Activity) bool {
		if !a.When.Recurring() || !c.reachesKind(a, comms.StakeholderKindManagement) {
			return false
		}
		if _, err := c.ActivityRule(i); err != nil {
			return false
		}
		if hasTopic(a, comms.TopicMetrics) {
			return true
		}
		for _, id := range each(c, a.How) {
			if ch, ok := c.ix.Channel(id); ok && (ch.Kind == comms.ChannelKindReport || ch.Kind == comms.ChannelKindDashboard) {
				return true
			}
		}
		return false
	}, "No recurring metrics or report reaches management.",
		"Add a recurring activity with what.topic: metrics (or a report or dashboard channel) reaching a management-kind stakeholder.")
}

func checkCrisis(c *Context) []Finding {
	var crisis []int
	for i, a := range each(c, c.Plan.Activities) {
		if hasTopic(a, comms.TopicCrisis) {
			crisis = append(crisis, i)
		}
	}
	if len(crisis) == 0 {
		return []Finding{c.PlanFinding("The plan has no crisis communication activity.",
			"Add an activity with what.topic: crisis, triggered by crisis.declared, with a spokesperson role and media or the public in whom.")}
	}
	for _, i := range each(c, crisis) {
		a := c.Plan.Activities[i]
		if a.Spokesperson != "" && (c.reachesKind(a, comms.StakeholderKindMedia) || c.reachesKind(a, comms.StakeholderKindPublic)) {
			return nil
		}
	}
	var missing []string
	a := c.Plan.Activities[crisis[0]]
	if a.Spokesperson == "" {
		missing = append(missing, "no spokesperson")
	}
	if !c.reachesKind(a, comms.StakeholderKindMedia) && !c.reachesKind(a, comms.StakeholderKindPublic) {
		missing = append(missing, "no media or public audience")
	}
	return []Finding{c.ActivityFinding(crisis[0], fmt.Sprintf("Crisis activity %s has %s.", activityName(a), strings.Join(missing, " and ")),
		"Name a spokesperson role (the one voice towards media and public) and add a media- or public-kind stakeholder to whom.")}
}

func checkAssurance(c *Context) []Finding {
	external := false
	for _, s := range each(c, c.Plan.Stakeholders) {
		if s.Kind == comms.StakeholderKindCustomers || s.Kind == comms.StakeholderKindSuppliers {
			external = true
		}
	}
	if !external {
		return nil // no customers or suppliers to assure
	}
	return c.planFindingUnless(func(_ int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicAssurance, comms.TopicCertification) &&
			(c.reachesKind(a, comms.StakeholderKindCustomers) || c.reachesKind(a, comms.StakeholderKindSuppliers))
	}, "Customers and suppliers receive no assurance of the organization's information security practices.",
		"Add an activity with what.topic: assurance (or certification) reaching the customers and suppliers.")
}

func checkExternalAudit(c *Context) []Finding {
	var out []Finding
	for si, s := range each(c, c.Plan.Stakeholders) {
		if s.Kind != comms.StakeholderKindAuditor || s.Scope != comms.ScopeExternal {
			continue
		}
		if !c.anyOf(c.reachedBy[s.ID], func(a comms.Activity) bool {
			return hasTopic(a, comms.TopicExternalAudit, comms.TopicCertification)
		}) {
			out = append(out, c.StakeholderFinding(si, fmt.Sprintf("External auditor %s receives no external-audit communication.", s.Label()),
				"Add an activity with what.topic: external-audit reaching them."))
		}
	}
	return out
}

func checkUnreached(c *Context) []Finding {
	var out []Finding
	for si, s := range each(c, c.Plan.Stakeholders) {
		if len(c.reachedBy[s.ID]) == 0 {
			out = append(out, c.StakeholderFinding(si, fmt.Sprintf("Stakeholder %s receives no activity.", s.Label()),
				"Add it to the whom of the activities that concern it, or remove it from the plan."))
		}
	}
	return out
}

func checkChannelReach(c *Context) []Finding {
	// Each channel's reach as a set, once: a channel with no reach
	// declared reaches every scope.
	reach := make(map[string]map[comms.Scope]bool, len(c.Plan.Channels))
	for _, ch := range each(c, c.Plan.Channels) {
		if _, dup := reach[ch.ID]; dup {
			continue // the first of an ID, as Plan.Channel finds it
		}
		var set map[comms.Scope]bool // nil: every scope
		if len(ch.Reach) > 0 {
			set = make(map[comms.Scope]bool, 2)
			for _, sc := range each(c, ch.Reach) {
				set[sc] = true
			}
		}
		reach[ch.ID] = set
	}
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		// The scopes the activity's channels reach together, and the
		// channels' names (the first few, for the message).
		var scopes map[comms.Scope]bool
		all, some := false, false
		var names []string
		more := 0
		seen := map[string]bool{}
		for _, id := range each(c, a.How) {
			set, ok := reach[id]
			if !ok || seen[id] {
				continue
			}
			seen[id], some = true, true
			if set == nil {
				all = true
			}
			for sc := range set {
				if scopes == nil {
					scopes = map[comms.Scope]bool{}
				}
				scopes[sc] = true
			}
			if len(names) < maxNames {
				ch, _ := c.ix.Channel(id)
				names = append(names, orID(ch.Name, ch.ID))
			} else {
				more++
			}
		}
		if !some || all {
			continue
		}
		via := strings.Join(names, ", ")
		if more > 0 {
			via += fmt.Sprintf(" and %d more", more)
		}
		for j, id := range each(c, a.Whom) {
			s, ok := c.stakeholder(id)
			if !ok || s.Scope == "" || scopes[s.Scope] {
				continue
			}
			f := c.ActivityFinding(i, fmt.Sprintf("Activity %s reaches %s (%s) only through %s, which cannot reach %s stakeholders.",
				activityName(a), s.Label(), s.Scope, via, s.Scope),
				fmt.Sprintf("Add a channel whose reach includes %s (email, letter, portal, website), or remove %s from whom.", s.Scope, s.ID))
			f.Path += fmt.Sprintf(".whom[%d]", j)
			out = append(out, f)
		}
	}
	return out
}

// maxNames is how many names a message lists before "and N more": a
// message per audience that named every channel of a long how list would
// make the report grow with the square of the plan.
const maxNames = 5

func checkChannelSecurity(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		cls := a.What.Classification
		if !cls.Valid() {
			continue
		}
		for j, id := range each(c, a.How) {
			ch, ok := c.ix.Channel(id)
			if !ok || !ch.MaxClassification.Valid() {
				continue
			}
			if cls.Above(ch.MaxClassification) {
				f := c.ActivityFinding(i, fmt.Sprintf("Activity %s sends a %s message through %s, which may carry %s information at most.",
					activityName(a), cls, ch.Name, ch.MaxClassification),
					fmt.Sprintf("Use a channel cleared for %s, lower the message's classification, or remove %s from how.", cls, ch.ID))
				f.Path += fmt.Sprintf(".how[%d]", j)
				out = append(out, f)
			}
		}
	}
	return out
}

func checkFeedback(c *Context) []Finding {
	for _, ch := range each(c, c.Plan.Channels) {
		if ch.Kind == comms.ChannelKindSurvey || ch.Kind == comms.ChannelKindTicketing {
			return nil
		}
	}
	return c.planFindingUnless(func(_ int, a comms.Activity) bool { return hasTopic(a, comms.TopicFeedback) },
		"The plan has no feedback mechanism: no survey or ticketing channel and no feedback activity.",
		"Declare a channel of kind survey or ticketing, or add an activity with what.topic: feedback.")
}

func checkPlanReview(c *Context) []Finding {
	p := c.Plan
	if p.Review == "" {
		f := c.PlanFinding("The plan has no review cadence.", `Set review to an RRULE such as "FREQ=YEARLY".`)
		f.Path = "review"
		return []Finding{f}
	}
	loc := c.loc
	if loc == nil {
		loc = time.UTC
	}
	start := c.At
	if p.Approved != nil && !p.Approved.Date.IsZero() {
		start = p.Approved.Date.In(loc)
	}
	r, err := schedule.FromTiming(comms.Timing{RRule: p.Review, Start: comms.DateTimeOf(start.In(loc))}, loc)
	if err != nil {
		f := c.PlanFinding(fmt.Sprintf("The plan's review cadence %q does not compile: %v.", p.Review, err), `Set review to an RRULE such as "FREQ=YEARLY".`)
		f.Path = "review"
		return []Finding{f}
	}
	// The cadence: the longest gap between reviews over the next years.
	prev, gapTooLong := start, false
	n := 0
	for t := range counted(c, r.Between(start.Add(time.Second), start.AddDate(4, 0, 0))) {
		if t.After(prev.AddDate(1, 0, 1)) {
			gapTooLong = true
		}
		prev = t
		n++
	}
	if gapTooLong || n == 0 {
		f := c.PlanFinding(fmt.Sprintf("The plan's review cadence %q is longer than 12 months.", p.Review), `Review the plan at least yearly: review: "FREQ=YEARLY".`)
		f.Path = "review"
		return []Finding{f}
	}
	if p.Approved != nil && !p.Approved.Date.IsZero() {
		if due, ok := r.Next(start); ok && due.Before(c.At) {
			f := c.PlanFinding(fmt.Sprintf("The plan was approved on %s; by its review cadence it was due for review on %s.", p.Approved.Date, due.Format(time.DateOnly)),
				"Review the plan and record the new approval (approved.by, approved.date).")
			f.Path = "approved.date"
			return []Finding{f}
		}
	}
	return nil
}

func checkRoles(c *Context) []Finding {
	return c.planFindingUnless(func(_ int, a comms.Activity) bool {
		return hasTopic(a, comms.TopicRoles) && c.reachesKind(a, comms.StakeholderKindEmployees)
	}, "Roles and responsibilities for information security are not communicated to employees.",
		"Add an activity with what.topic: roles reaching the employees.")
}

func checkChannelUnused(c *Context) []Finding {
	var out []Finding
	for ci, ch := range each(c, c.Plan.Channels) {
		if !c.used[ch.ID] {
			out = append(out, c.ChannelFinding(ci, fmt.Sprintf("Channel %s is declared but no activity uses it.", ch.ID),
				"Use it in an activity's how, or remove it if it serves no purpose (a feedback channel may stand alone)."))
		}
	}
	return out
}

func checkApproval(c *Context) []Finding {
	if c.Plan.Approved != nil && !c.Plan.Approved.Date.IsZero() {
		return nil
	}
	return []Finding{c.PlanFinding("The plan has no approval record.", "Record the approval: approved: {by: <role>, date: YYYY-MM-DD}.")}
}
