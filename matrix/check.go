package matrix

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// Severity is how much a finding matters. Values are persisted (JSON,
// SARIF) and never change meaning.
type Severity string

// Severities, from most to least serious.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// SubjectKind says what a finding is about.
type SubjectKind string

// Subject kinds.
const (
	SubjectKindPlan        SubjectKind = "plan"
	SubjectKindActivity    SubjectKind = "activity"
	SubjectKindStakeholder SubjectKind = "stakeholder"
	SubjectKindChannel     SubjectKind = "channel"
	SubjectKindRole        SubjectKind = "role"
	// SubjectKindObjective is one of the plan's objectives (its ID).
	SubjectKindObjective SubjectKind = "objective"
	// SubjectKindRequirement is a stakeholder's requirement (its ID,
	// unique in the plan; its Path is under the stakeholder's).
	SubjectKindRequirement SubjectKind = "requirement"
)

// Subject is the element of the plan a finding is about.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	// ID is the element's ID (the plan's ID for a plan subject).
	ID string `json:"id"`
	// Path locates the element in the plan file ("activities[3]"), for
	// positions; empty for the plan.
	Path string `json:"path,omitempty"`
}

func (s Subject) String() string {
	if s.Kind == SubjectKindPlan {
		return "plan"
	}
	return string(s.Kind) + " " + s.ID
}

// Finding is one thing a check found.
type Finding struct {
	// Rule is the stable rule ID ("CMX-WHAT").
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Clause is the ISO/IEC 27001:2022 clause or Annex A control the rule
	// comes from ("7.4 a)", "A.6.8").
	Clause  string  `json:"clause"`
	Subject Subject `json:"subject"`
	// Path is where in the plan the finding points, at least as precise as
	// Subject.Path ("activities[3].how[1]").
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	// Hint says how to fix it.
	Hint string `json:"hint"`
	// Pos is the position of Path in the plan file, when Check was given
	// the plan's source (see [WithSource]).
	Pos comms.Position `json:"position,omitzero"`
	// Waived marks a finding excluded by a waiver; WaiverReason says why.
	Waived       bool   `json:"waived,omitempty"`
	WaiverReason string `json:"waiver_reason,omitempty"`
}

// Report is the result of [Check]: the plan's findings in a stable order
// (severity, then rule, then the subject's place in the plan).
type Report struct {
	PlanID string `json:"plan_id"`
	// At is the reference time the time-dependent rules used.
	At       time.Time `json:"at"`
	Findings []Finding `json:"findings"`
}

// OK reports whether no unwaived error-severity finding is left.
func (r Report) OK() bool { return r.Count(SeverityError) == 0 }

// Count returns the number of unwaived findings of severity s.
func (r Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s && !f.Waived {
			n++
		}
	}
	return n
}

// Has reports whether the report holds an unwaived finding of the rule.
func (r Report) Has(rule string) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Rule == rule && !f.Waived })
}

// Checker is one completeness check: the built-in ones are listed by
// [Checks], and vendors add their own with [WithChecker]. A check's ID (its
// "rule ID", as SARIF and a [Finding]'s Rule call it) should be unique and
// stable, as outside tests key on it.
type Checker interface {
	// Info describes the check: its ID, default severity, clause and texts.
	Info() CheckInfo
	// Check returns the check's findings for the plan in c. [Check] fills
	// in a finding's Rule, Severity and Clause from Info when they are
	// empty, and its position.
	Check(c *Context) []Finding
}

// CheckInfo describes a check for reports, SARIF rule descriptors and the
// rules reference (docs/rules.md).
type CheckInfo struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Clause   string   `json:"clause"`
	// Title is a one-line summary ("An activity lacks a topic or a key message").
	Title string `json:"title"`
	// Doc explains what the rule checks and why.
	Doc string `json:"doc,omitempty"`
}

// Context is what a check sees: the plan, the reference time, and helpers
// the built-in rules share. It is valid only during one Check.
type Context struct {
	Plan comms.Plan
	// At is the reference time.
	At  time.Time
	loc *time.Location
	ix  *comms.Index
	// rules caches each recurring activity's compiled rule (or error).
	rules map[int]ruleOrErr
	// reachedBy lists, for each stakeholder ID, the activities whose whom
	// names it (each once, in plan order); used says which channel IDs
	// some activity's how names. Built once per Check, so that no rule
	// searches every activity for every stakeholder or channel.
	reachedBy map[string][]int
	used      map[string]bool
	// reach holds, for the stakeholder IDs a rule asked about, the set
	// of reachedBy's positions (see reaching).
	reach map[string]map[int]bool
	// yearlyCache holds yearly's answer per activity: 0 not computed, 1
	// yes, 2 no.
	yearlyCache []uint8
	// calendars caches each calendar ID's schedule.Calendar (or error).
	calendars map[string]calendarOrErr
	// steps counts the steps of the check's loops over the plan (see
	// each); the tests hold it to a multiple of the plan's size.
	steps int
}

// checkSteps, when a test sets it, receives the steps of the last Check.
var checkSteps *int

type calendarOrErr struct {
	cal *schedule.Calendar
	err error
}

// newContext prepares what the rules share, in one pass over the plan.
func newContext(p comms.Plan, at time.Time, loc *time.Location) *Context {
	c := &Context{Plan: p, At: at, loc: loc, ix: p.Index(), rules: map[int]ruleOrErr{},
		reachedBy: map[string][]int{}, used: map[string]bool{}, yearlyCache: make([]uint8, len(p.Activities)),
		calendars: map[string]calendarOrErr{}}
	for i, a := range each(c, p.Activities) {
		for _, id := range each(c, a.Whom) {
			if r := c.reachedBy[id]; len(r) == 0 || r[len(r)-1] != i {
				c.reachedBy[id] = append(r, i)
			}
		}
		for _, id := range each(c, a.How) {
			c.used[id] = true
		}
	}
	return c
}

// Index returns the index of the plan's IDs (see comms.Index), for
// checks that look elements up by ID.
func (c *Context) Index() *comms.Index { return c.ix }

// calendar returns the business-day calendar of an activity's calendar ID
// (schedule.PlanCalendar), built once per Check.
func (c *Context) calendar(id string) (*schedule.Calendar, error) {
	if r, ok := c.calendars[id]; ok {
		return r.cal, r.err
	}
	cal, err := schedule.PlanCalendar(c.Plan, id)
	c.calendars[id] = calendarOrErr{cal, err}
	return cal, err
}

type ruleOrErr struct {
	rule *schedule.Rule
	err  error
}

// ActivityRule returns the compiled recurrence of the i-th activity, or an
// error when it has none or it does not compile.
func (c *Context) ActivityRule(i int) (*schedule.Rule, error) {
	if r, ok := c.rules[i]; ok {
		return r.rule, r.err
	}
	a := c.Plan.Activities[i]
	var r ruleOrErr
	if !a.When.Recurring() {
		r.err = fmt.Errorf("no recurrence")
	} else if c.loc == nil {
		r.err = fmt.Errorf("the plan's time zone %q is unknown", c.Plan.TimeZone)
	} else {
		r.rule, r.err = schedule.FromTiming(a.When, c.loc)
	}
	c.rules[i] = r
	return r.rule, r.err
}

// ActivityFinding starts a finding about the i-th activity.
func (c *Context) ActivityFinding(i int, msg, hint string) Finding {
	a := c.Plan.Activities[i]
	path := "activities[" + strconv.Itoa(i) + "]"
	return Finding{Subject: Subject{Kind: SubjectKindActivity, ID: a.ID, Path: path}, Path: path, Message: msg, Hint: hint}
}

// StakeholderFinding starts a finding about the i-th stakeholder.
func (c *Context) StakeholderFinding(i int, msg, hint string) Finding {
	s := c.Plan.Stakeholders[i]
	path := "stakeholders[" + strconv.Itoa(i) + "]"
	return Finding{Subject: Subject{Kind: SubjectKindStakeholder, ID: s.ID, Path: path}, Path: path, Message: msg, Hint: hint}
}

// ChannelFinding starts a finding about the i-th channel.
func (c *Context) ChannelFinding(i int, msg, hint string) Finding {
	ch := c.Plan.Channels[i]
	path := "channels[" + strconv.Itoa(i) + "]"
	return Finding{Subject: Subject{Kind: SubjectKindChannel, ID: ch.ID, Path: path}, Path: path, Message: msg, Hint: hint}
}

// ObjectiveFinding starts a finding about the i-th objective.
func (c *Context) ObjectiveFinding(i int, msg, hint string) Finding {
	o := c.Plan.Objectives[i]
	path := "objectives[" + strconv.Itoa(i) + "]"
	return Finding{Subject: Subject{Kind: SubjectKindObjective, ID: o.ID, Path: path}, Path: path, Message: msg, Hint: hint}
}

// RequirementFinding starts a finding about the j-th requirement of the
// i-th stakeholder.
func (c *Context) RequirementFinding(i, j int, msg, hint string) Finding {
	r := c.Plan.Stakeholders[i].Requirements[j]
	path := "stakeholders[" + strconv.Itoa(i) + "].requirements[" + strconv.Itoa(j) + "]"
	return Finding{Subject: Subject{Kind: SubjectKindRequirement, ID: r.ID, Path: path}, Path: path, Message: msg, Hint: hint}
}

// PlanFinding starts a finding about the plan as a whole.
func (c *Context) PlanFinding(msg, hint string) Finding {
	return Finding{Subject: Subject{Kind: SubjectKindPlan, ID: c.Plan.ID}, Message: msg, Hint: hint}
}

// CheckOption configures [Check].
type CheckOption func(*config)

type config struct {
	at        time.Time
	waivers   []comms.Waiver
	severity  map[string]Severity
	rules     []Checker
	profiles  []string
	src       *comms.Source
	noBuiltin bool
}

// At sets the reference time for the rules that depend on the present (a
// recurrence that has ended, an approval older than its review cadence).
// Without it Check uses the current time.
func At(t time.Time) CheckOption { return func(c *config) { c.at = t } }

// Waive excludes the findings of rule about subject (an activity,
// stakeholder, channel or role ID; "" for every subject), for the reason
// given. Waived findings stay in the report, marked waived with the reason.
// A waiver without a reason is not applied. Waivers in the plan's waivers
// section apply too.
func Waive(rule, subject, reason string) CheckOption {
	return func(c *config) {
		c.waivers = append(c.waivers, comms.Waiver{Rule: rule, Subject: subject, Reason: reason})
	}
}

// WithSeverity overrides the severity of a rule's findings.
func WithSeverity(rule string, s Severity) CheckOption {
	return func(c *config) {
		if c.severity == nil {
			c.severity = map[string]Severity{}
		}
		c.severity[rule] = s
	}
}

// WithChecker adds a custom check to the built-in ones.
func WithChecker(r Checker) CheckOption { return func(c *config) { c.rules = append(c.rules, r) } }

// WithSource gives Check the positions of the plan's elements in its file
// (from comms.LoadPlanSource), so that findings carry line and column.
func WithSource(src *comms.Source) CheckOption { return func(c *config) { c.src = src } }

// Only runs just the checks given by WithChecker and the profiles (the
// plan's and those given by Profile), not the built-in ones. Products that
// run their own rule set use it.
func Only() CheckOption { return func(c *config) { c.noBuiltin = true } }

// Check runs the completeness checks of ISO/IEC 27001:2022 Clause 7.4 (and
// the clauses and Annex A controls that depend on communication) on p and
// returns every finding. See [Checks] for the built-in rules and
// docs/rules.md for a reference with examples. The legal profiles the plan
// names in its profiles field are checked too, with those given by
// [Profile].
//
// Check works on any plan, valid or not: a plan built in Go that names a
// stakeholder it lacks gets a finding, not a panic.
func Check(p comms.Plan, opts ...CheckOption) Report {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.at.IsZero() {
		cfg.at = time.Now()
	}
	loc, err := p.Location()
	if err != nil {
		loc = nil
	}
	ctx := newContext(p, cfg.at, loc)
	var rules []Checker
	if !cfg.noBuiltin {
		rules = builtinRules()
	}
	rules = append(rules, cfg.rules...)
	rules = append(rules, profileRules(p, cfg.profiles)...)

	// Each rule's findings, then one slice of them all, sized once.
	outs := make([][]Finding, len(rules))
	infos := make([]CheckInfo, len(rules))
	order := map[string]int{}
	total := 0
	for i, r := range rules {
		infos[i] = r.Info()
		if _, dup := order[infos[i].ID]; !dup {
			order[infos[i].ID] = i
		}
		outs[i] = r.Check(ctx)
		total += len(outs[i])
	}
	findings := make([]Finding, 0, total)
	for i, out := range outs {
		info := infos[i]
		for _, f := range out {
			if f.Rule == "" {
				f.Rule = info.ID
			}
			if f.Severity == "" {
				f.Severity = info.Severity
			}
			if f.Clause == "" {
				f.Clause = info.Clause
			}
			if s, ok := cfg.severity[f.Rule]; ok {
				f.Severity = s
			}
			if f.Subject.Kind == "" {
				f.Subject = Subject{Kind: SubjectKindPlan, ID: p.ID}
			}
			if f.Path == "" {
				f.Path = f.Subject.Path
			}
			if cfg.src != nil {
				f.Pos = cfg.src.Position(f.Path)
			}
			findings = append(findings, f)
		}
		outs[i] = nil
	}
	waivers := indexWaivers(append(slices.Clone(p.Waivers), cfg.waivers...), cfg.at)
	for i := range each(ctx, findings) {
		waivers.apply(&findings[i])
	}
	ctx.steps += len(waivers.waivers)
	if checkSteps != nil {
		*checkSteps = ctx.steps
	}
	sortFindings(findings, order)
	return Report{PlanID: p.ID, At: cfg.at, Findings: findings}
}

// waiverIndex finds the waiver that applies to a finding in constant
// time: the first waiver, in the order given, of the finding's rule whose
// subject is the finding's or empty, that has a reason and has not
// expired. (Scanning every waiver for every finding made a plan of 25,000
// findings and 30,000 waivers cost half a minute.)
type waiverIndex struct {
	waivers []comms.Waiver
	// first maps a rule and a subject ("" for the whole plan) to the
	// first applicable waiver naming them.
	first map[[2]string]int
}

func indexWaivers(waivers []comms.Waiver, at time.Time) waiverIndex {
	x := waiverIndex{waivers: waivers, first: make(map[[2]string]int, len(waivers))}
	today := comms.DateOf(at)
	for i, w := range waivers {
		if strings.TrimSpace(w.Reason) == "" || !w.Until.IsZero() && today.After(w.Until) {
			continue // not applied: no reason, or expired
		}
		if _, ok := x.first[[2]string{w.Rule, w.Subject}]; !ok {
			x.first[[2]string{w.Rule, w.Subject}] = i
		}
	}
	return x
}

// apply marks f waived by the first waiver that applies to it.
func (x waiverIndex) apply(f *Finding) {
	i, ok := x.first[[2]string{f.Rule, f.Subject.ID}]
	if j, whole := x.first[[2]string{f.Rule, ""}]; whole && (!ok || j < i) {
		i, ok = j, true
	}
	if ok {
		f.Waived, f.WaiverReason = true, x.waivers[i].Reason
	}
}

// sortFindings orders findings by severity, then by the rule's place in
// order, then by the place in the plan of the path, keeping the order of
// findings alike. It sorts keys computed once per finding and then moves
// each finding once, rather than comparing and moving the findings
// themselves.
func sortFindings(findings []Finding, order map[string]int) {
	type key struct {
		rank, rule, section, index int
		path                       string
		at                         int32 // the finding's place: ties keep their order
	}
	keys := make([]key, len(findings))
	for i, f := range findings {
		section, index := splitPath(f.Path)
		keys[i] = key{f.Severity.rank(), order[f.Rule], sectionOrder(section), index, f.Path, int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.rule, b.rule), cmp.Compare(a.section, b.section),
			cmp.Compare(a.index, b.index), cmp.Compare(a.path, b.path), cmp.Compare(a.at, b.at))
	})
	// Apply the permutation in place, a cycle at a time: the finding at
	// keys[i].at goes to i.
	for i := range keys {
		if keys[i].at < 0 || int(keys[i].at) == i {
			continue
		}
		tmp := findings[i]
		j := i
		for {
			from := int(keys[j].at)
			keys[j].at = -1
			if from == i {
				findings[j] = tmp
				break
			}
			findings[j] = findings[from]
			j = from
		}
	}
}

// splitPath splits a plan path into its section and its first index, so
// that "activities[10]" sorts after "activities[9]".
func splitPath(p string) (section string, index int) {
	section, rest, ok := strings.Cut(p, "[")
	if !ok {
		return p, -1
	}
	n, _ := strconv.Atoi(rest[:strings.IndexByte(rest+"]", ']')])
	return section, n
}

func sectionOrder(s string) int {
	switch s {
	case "":
		return 0
	case "stakeholders":
		return 2
	case "channels":
		return 3
	case "roles":
		return 4
	case "activities":
		return 5
	}
	return 1
}
