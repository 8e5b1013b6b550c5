package matrix

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
)

// Profile adds the legal obligations of a profile to the check: "gdpr",
// "nis2", "dora", "hipaa", "sec" and the others regulation.Profiles lists.
// For each obligation of the profile the plan needs an activity that
// declares it (obligations: [gdpr-art33]), reaches a stakeholder of the
// recipient's kind, is triggered by the same milestone, and has a within no
// longer than the legal deadline: rules REG-MISSING, REG-WRONG-AUDIENCE,
// REG-WRONG-TRIGGER and REG-LATE.
//
// A plan names the profiles it must pass in its profiles field, and Check
// applies those without being told; Profile adds to them (a profile named
// by both is checked once). A caller can require more than the plan
// declares, never less. An unknown profile name, given here or in the
// plan, is a REG-UNKNOWN finding about the plan (at profiles[i] for the
// plan's own).
func Profile(name string) CheckOption {
	return func(c *config) { c.profiles = append(c.profiles, name) }
}

// profileRule checks the obligations of one profile. index is the
// profile's place in the plan's profiles, or -1 for one given to Check.
type profileRule struct {
	name  string
	index int
}

// profileRules returns the rules of the plan's profiles, then of those
// given to Check that the plan does not name, each once.
func profileRules(p comms.Plan, given []string) []Checker {
	var out []Checker
	seen := map[string]bool{}
	for i, name := range p.Profiles {
		if !seen[name] {
			seen[name] = true
			out = append(out, profileRule{name: name, index: i})
		}
	}
	for _, name := range given {
		if !seen[name] {
			seen[name] = true
			out = append(out, profileRule{name: name, index: -1})
		}
	}
	return out
}

func (r profileRule) Info() CheckInfo {
	return CheckInfo{ID: "REG-MISSING", Severity: SeverityError, Clause: "A.5.31", Title: "Legal obligations of profile " + r.name}
}

func (r profileRule) Check(c *Context) []Finding {
	obligations, ok := regulation.Profile(r.name)
	if !ok {
		hint := "Use one of: " + strings.Join(regulation.Profiles(), ", ") + "."
		f := c.PlanFinding(fmt.Sprintf("Unknown profile %q: the catalog has no such profile, so none of its obligations was checked.", r.name), hint)
		if r.index >= 0 {
			f.Message = fmt.Sprintf("The plan must pass profile %q, which the catalog does not know: none of its obligations was checked.", r.name)
			f.Path = "profiles[" + strconv.Itoa(r.index) + "]"
		}
		f.Rule = "REG-UNKNOWN"
		return []Finding{f}
	}
	var out []Finding
	for _, o := range obligations {
		out = append(out, checkObligation(c, r.name, o)...)
	}
	return out
}

func lawName(o regulation.Obligation) string {
	return fmt.Sprintf("%s (%s %s)", o.ID, o.Instrument, o.Article)
}

func checkObligation(c *Context, profile string, o regulation.Obligation) []Finding {
	var declaring []int
	for i, a := range each(c, c.Plan.Activities) {
		if c.declares(a, o.ID) {
			declaring = append(declaring, i)
		}
	}
	if len(declaring) == 0 {
		f := c.PlanFinding(fmt.Sprintf("Profile %s: no activity fulfils %s: %s must notify %s, %s.",
			profile, lawName(o), o.Notifier, recipientNames(o), o.DeadlineText()),
			fmt.Sprintf("Add an activity with obligations: [%s], triggered by %s, reaching %s.", o.ID, triggerHint(c, o), recipientNames(o)))
		f.Rule = "REG-MISSING"
		return []Finding{f}
	}
	var out []Finding
	// Audience: together, the declaring activities reach every recipient.
	for _, rcpt := range each(c, o.Recipients) {
		reached := false
		for _, i := range each(c, declaring) {
			for _, k := range rcpt.Kinds {
				if c.reachesKind(c.Plan.Activities[i], k) {
					reached = true
				}
			}
		}
		if !reached {
			i := declaring[0]
			f := c.ActivityFinding(i, fmt.Sprintf("Activity %s fulfils %s but reaches no %s (a stakeholder of kind %s).",
				activityName(c.Plan.Activities[i]), o.ID, rcpt.Name, kindList(rcpt.Kinds)),
				fmt.Sprintf("Add a stakeholder of kind %s to whom.", kindList(rcpt.Kinds)))
			f.Rule, f.Path = "REG-WRONG-AUDIENCE", f.Path+".whom"
			out = append(out, f)
		}
	}
	want := wantTrigger(c, o)
	for _, i := range each(c, declaring) {
		a := c.Plan.Activities[i]
		if want != "" && a.When.Trigger != want {
			f := c.ActivityFinding(i, fmt.Sprintf("Activity %s fulfils %s, whose clock starts at %s, but is triggered by %q.",
				activityName(a), o.ID, o.Trigger, a.When.Trigger),
				fmt.Sprintf("Set when.trigger: %s.", want))
			f.Rule, f.Path = "REG-WRONG-TRIGGER", f.Path+".when"
			out = append(out, f)
			continue
		}
		if f, late := checkLate(c, i, o); late {
			out = append(out, f)
		}
	}
	return out
}

// wantTrigger is the trigger an activity fulfilling o must have: the
// milestone, or "activity:<id>" of an activity that fulfils the earlier
// obligation of a chain ("" when no activity does; REG-MISSING reports that
// one).
func wantTrigger(c *Context, o regulation.Obligation) string {
	earlier, chained := strings.CutPrefix(o.Trigger, regulation.SubmittedPrefix)
	if !chained {
		return o.Trigger
	}
	for _, a := range each(c, c.Plan.Activities) {
		if c.declares(a, earlier) {
			return comms.ActivityTriggerPrefix + a.ID
		}
	}
	return ""
}

// declares reports whether a declares the obligation id.
func (c *Context) declares(a comms.Activity, id string) bool {
	for _, o := range each(c, a.Obligations) {
		if o == id {
			return true
		}
	}
	return false
}

func triggerHint(c *Context, o regulation.Obligation) string {
	if t := wantTrigger(c, o); t != "" {
		return t
	}
	earlier, _ := strings.CutPrefix(o.Trigger, regulation.SubmittedPrefix)
	return "activity:<the activity that fulfils " + earlier + ">"
}

// checkLate compares the activity's within with the legal clock that runs
// from the same start, at sample starting times across a week, a holiday
// season and a daylight-saving change.
func checkLate(c *Context, i int, o regulation.Obligation) (Finding, bool) {
	a := c.Plan.Activities[i]
	var legal *regulation.Clock
	for k, cl := range o.Clocks {
		if cl.From == o.Trigger && cl.Anchor == "" {
			legal = &o.Clocks[k]
		}
	}
	if legal == nil {
		return Finding{}, false // no hard deadline from this milestone
	}
	f := c.ActivityFinding(i, "", "")
	f.Rule, f.Path = "REG-LATE", f.Path+".when.within"
	if a.When.Within == "" {
		f.Message = fmt.Sprintf("Activity %s fulfils %s, due %s, but has no deadline of its own.", activityName(a), o.ID, legal.Within)
		f.Hint = fmt.Sprintf("Set when.within to %s or less.", legal.Within)
		return f, true
	}
	mine, err := schedule.ParseDeadline(a.When.Within)
	if err != nil {
		return Finding{}, false // CMX-WHEN reports it
	}
	loc := c.loc
	if loc == nil {
		loc = time.UTC
	}
	planCal, err := c.calendar(a.Calendar)
	if err != nil {
		planCal = schedule.NewCalendar(loc, schedule.CalendarOptions{})
	}
	for _, start := range sampleStarts(loc) {
		lawCal, err := o.DayCalendar(loc, start.Year())
		if err != nil {
			return Finding{}, false
		}
		if due, limit := mine.From(start, planCal), legal.Within.From(start, lawCal); due.After(limit) {
			f.Message = fmt.Sprintf("Activity %s allows %s, but %s must be met within %s: from %s it would be due %s, after the legal deadline %s.",
				activityName(a), a.When.Within, o.ID, legal.Within, start.Format("Mon 2006-01-02 15:04"), due.Format("Mon 2006-01-02 15:04"), limit.Format("Mon 2006-01-02 15:04 MST"))
			f.Hint = fmt.Sprintf("Shorten when.within to %s or less.", legal.Within)
			return f, true
		}
	}
	return Finding{}, false
}

// sampleStarts are starting times that exercise weekends, holidays, month
// ends and daylight-saving changes.
func sampleStarts(loc *time.Location) []time.Time {
	var out []time.Time
	for _, d := range []struct {
		m      time.Month
		d, h   int
		minute int
	}{{3, 2, 9, 0}, {3, 6, 16, 0}, {3, 7, 10, 0}, {3, 8, 23, 30}, {3, 27, 16, 0}, {1, 30, 12, 0}, {11, 25, 15, 0}, {12, 23, 18, 0}, {10, 23, 20, 0}} {
		out = append(out, time.Date(2026, d.m, d.d, d.h, d.minute, 0, 0, loc))
	}
	return out
}

func recipientNames(o regulation.Obligation) string {
	names := make([]string, len(o.Recipients))
	for i, r := range o.Recipients {
		names[i] = r.Name
	}
	return strings.Join(names, " and ")
}

func kindList(kinds []comms.StakeholderKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	if len(s) > 1 {
		return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
	}
	return strings.Join(s, "")
}

func checkObligationIDs(c *Context) []Finding {
	var out []Finding
	for i, a := range each(c, c.Plan.Activities) {
		for j, id := range each(c, a.Obligations) {
			if _, ok := regulation.Lookup(id); !ok {
				f := c.ActivityFinding(i, fmt.Sprintf("Activity %s declares obligation %q, which the catalog does not know.", activityName(a), id),
					"Use an ID from package regulation (gdpr-art33, nis2-notification, ...); see regulation.All.")
				f.Path += fmt.Sprintf(".obligations[%d]", j)
				out = append(out, f)
			}
		}
	}
	return out
}
