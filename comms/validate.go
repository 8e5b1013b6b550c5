package comms

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/internal/deadline"
	"github.com/ismscomms/ismscomms/internal/recur"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/internal/zone"
)

// Validate checks the plan's structure and returns a *[PlanError] listing
// every problem (at most [MaxProblems]), or nil. It checks what makes a
// plan malformed: missing or duplicate IDs, references to stakeholders,
// channels, roles, calendars or activities the plan lacks, unknown
// enumeration values, an unknown time zone, an invalid recurrence rule, a
// bad deadline or trigger, text that holds control or bidirectional
// formatting characters (see the package documentation), a Date or
// DateTime that is not one of the calendar and the clock (2026-02-30,
// hour 25), and a number a plan file cannot hold. Whatever it accepts,
// [EncodeJSON] and [EncodeYAML] write as a file that [DecodePlan] reads
// back as the same plan (its size aside: a plan over [MaxPlanSize] bytes
// is refused by the decoder).
//
// It does not check completeness (an activity with no channel is valid);
// that is matrix.Check's job.
func (p Plan) Validate() error {
	v := newValidator()
	p.check(v)
	if len(v.probs.list) == 0 && v.probs.more == 0 {
		return nil
	}
	return &PlanError{Problems: v.probs.sorted()}
}

type validator struct {
	probs problems
	// badText holds the paths of strings refused for their characters,
	// and of dates refused as not of the calendar: other checks of them
	// would only repeat the refusal.
	badText map[string]bool
	// rules caches the outcome of compiling each distinct recurrence (rule
	// text, start and until): a plan that repeats one rule compiles it
	// once, and pays its cost again at every use (repeated).
	rules map[ruleKey]ruleOutcome
	// budget bounds the work of compiling all of them; repeated counts
	// what the uses of rules compiled before cost on top of it.
	budget   *recur.Budget
	repeated int64
	spent    bool // the budget ran out; the rules after are not compiled
}

type ruleKey struct {
	rule         string
	start, until DateTime
}

func newValidator() *validator {
	return &validator{badText: map[string]bool{}, rules: map[ruleKey]ruleOutcome{}, budget: recur.NewBudget(maxRuleWork)}
}

func (v *validator) add(path, format string, args ...any) {
	if v.badText[path] {
		return
	}
	if !v.probs.room() {
		v.probs.more++
		return
	}
	v.probs.add(Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func idx(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }

// ids checks that every item has a well-formed ID, unique in its list, and
// returns the set of IDs.
func ids[T any](v *validator, list string, items []T, id func(T) string) map[string]bool {
	set := make(map[string]bool, len(items))
	first := make(map[string]int, len(items))
	for i, it := range items {
		path := idx(list, i) + ".id"
		s := id(it)
		switch {
		case s == "":
			v.add(path, "missing: every entry needs an id")
		case !validID(s):
			v.add(path, "%s is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit", quoteValue(s))
		case set[s]:
			v.add(path, "duplicate id %s (also %s)", quoteValue(s), idx(list, first[s]))
		default:
			set[s] = true
			first[s] = i
		}
	}
	return set
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case (r == '-' || r == '_' || r == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// check runs every check of Validate on p, section by section, adding
// what it finds to v.
func (p Plan) check(v *validator) {
	v.text(reflect.ValueOf(p), make([]segment, 0, 8))
	v.header(p)
	v.profiles(p.Profiles)
	d := declared{calendars: v.calendars(p.Calendars)}
	d.roles = ids(v, "roles", p.Roles, func(r Role) string { return r.ID })
	d.stakeholders = v.stakeholders(p.Stakeholders)
	d.channels = v.channels(p.Channels)
	d.activities = v.activities(p.Activities, d)
	v.requirements(p.Stakeholders, d.activities)
	v.waivers(p.Waivers)
	v.grace("grace", p.Grace)
	v.reminders("reminders", p.Reminders, d.roles)
	v.feedback(p.Feedback, d.calendars)
	v.objectives(p, d)
}

// declared holds the IDs a plan declares, by section, for the checks of
// the references to them.
type declared struct {
	calendars, roles, stakeholders, channels, activities map[string]bool
}

// header checks the plan's own fields: its format, ID, time zone and
// review rule.
func (v *validator) header(p Plan) {
	if p.Format != "" && p.Format != Format {
		v.add("format", "unsupported format %s: this version reads %q", quoteValue(p.Format), Format)
	}
	switch {
	case p.ID == "":
		v.add("id", "missing: the plan needs an id")
	case !validID(p.ID):
		v.add("id", "%s is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit", quoteValue(p.ID))
	}
	if p.TimeZone != "" {
		if _, err := zone.Load(p.TimeZone); err != nil {
			v.add("timezone", "%v", err)
		}
	}
	if p.Review != "" {
		if rr, err := recur.ParseRRule(p.Review); err != nil {
			v.add("review", "invalid recurrence rule %s: %v", quoteValue(p.Review), err)
		} else if err := v.compile(rr, Timing{RRule: p.Review, Start: DateTime{Date: Date{Year: 2000, Month: 1, Day: 1}}}); err != nil {
			v.add("review", "%v", err)
		}
	}
}

// calendars checks the calendars' IDs, time zones and weekends, and
// returns the set of their IDs.
func (v *validator) calendars(items []Calendar) map[string]bool {
	set := ids(v, "calendars", items, func(c Calendar) string { return c.ID })
	for i, c := range items {
		path := idx("calendars", i)
		if c.TimeZone != "" {
			if _, err := zone.Load(c.TimeZone); err != nil {
				v.add(path+".timezone", "%v", err)
			}
		}
		for j, w := range c.Weekend {
			if _, ok := recur.ParseDayCode(w); !ok || len(w) != 2 {
				v.add(idx(path+".weekend", j), "%s is not a weekday: use mo, tu, we, th, fr, sa or su", quoteValue(w))
			}
		}
		if len(c.Weekend) >= 7 {
			v.add(path+".weekend", "a calendar needs at least one business day")
		}
		if c.Hours != "" && !v.badText[path+".hours"] {
			if _, _, ok := parseHours(c.Hours); !ok {
				v.add(path+".hours", "%s are not business hours: write the opening and closing time, HH:MM-HH:MM, such as 09:00-17:00 (the end after the start, 24:00 for midnight)", quoteValue(c.Hours))
			}
		}
	}
	return set
}

// stakeholders checks the stakeholders' IDs, scopes and kinds, and returns
// the set of their IDs.
func (v *validator) stakeholders(items []Stakeholder) map[string]bool {
	set := ids(v, "stakeholders", items, func(s Stakeholder) string { return s.ID })
	for i, s := range items {
		path := idx("stakeholders", i)
		if s.Scope != "" && !s.Scope.Valid() {
			v.add(path+".scope", "unknown scope %s: use internal or external", quoteValue(string(s.Scope)))
		}
		if s.Kind != "" && !s.Kind.Valid() {
			v.add(path+".kind", "unknown stakeholder kind %s: use one of %s", quoteValue(string(s.Kind)), list(StakeholderKinds()))
		}
	}
	return set
}

// channels checks the channels' IDs, kinds, reach and classifications, and
// returns the set of their IDs.
func (v *validator) channels(items []Channel) map[string]bool {
	set := ids(v, "channels", items, func(c Channel) string { return c.ID })
	for i, c := range items {
		path := idx("channels", i)
		if c.Kind != "" && !c.Kind.Valid() {
			v.add(path+".kind", "unknown channel kind %s: use one of %s", quoteValue(string(c.Kind)), list(ChannelKinds()))
		}
		for j, s := range c.Reach {
			if !s.Valid() {
				v.add(idx(path+".reach", j), "unknown scope %s: use internal or external", quoteValue(string(s)))
			}
		}
		if c.MaxClassification != "" && !c.MaxClassification.Valid() {
			v.add(path+".max_classification", "unknown classification %s: use one of %s", quoteValue(string(c.MaxClassification)), list(Classifications()))
		}
	}
	return set
}

// activities checks the activities' IDs, topics and classifications,
// their references to what d declares, their obligations and their
// timing, and returns the set of their IDs.
func (v *validator) activities(items []Activity, d declared) map[string]bool {
	activities := ids(v, "activities", items, func(a Activity) string { return a.ID })
	for i, a := range items {
		path := idx("activities", i)
		if a.What.Topic != "" && !a.What.Topic.Valid() {
			v.add(path+".what.topic", "unknown topic %s: use one of %s", quoteValue(string(a.What.Topic)), list(Topics()))
		}
		if a.What.Classification != "" && !a.What.Classification.Valid() {
			v.add(path+".what.classification", "unknown classification %s: use one of %s", quoteValue(string(a.What.Classification)), list(Classifications()))
		}
		refs(v, path+".whom", a.Whom, d.stakeholders, "stakeholder", "stakeholders")
		refs(v, path+".how", a.How, d.channels, "channel", "channels")
		if a.Owner != "" && !d.roles[a.Owner] {
			v.add(path+".owner", "role %s is not declared in roles", quoteValue(a.Owner))
		}
		refs(v, path+".support", a.Support, d.roles, "role", "roles")
		if a.Spokesperson != "" && !d.roles[a.Spokesperson] {
			v.add(path+".spokesperson", "role %s is not declared in roles", quoteValue(a.Spokesperson))
		}
		if a.Calendar != "" && !d.calendars[a.Calendar] {
			v.add(path+".calendar", "calendar %s is not declared in calendars", quoteValue(a.Calendar))
		}
		for j, o := range a.Obligations {
			if !validID(o) {
				v.add(idx(path+".obligations", j), "%s is not a valid obligation id", quoteValue(o))
			}
		}
		v.timing(path+".when", a.ID, a.When, activities)
		v.version(path+".what.version", a.What.Version)
		v.grace(path+".grace", a.Grace)
		v.reminders(path+".reminders", a.Reminders, d.roles)
	}
	return activities
}

// requirements checks the stakeholders' requirements: IDs unique in the
// whole plan, and the activities that meet them declared.
func (v *validator) requirements(items []Stakeholder, activities map[string]bool) {
	first := map[string]string{}
	for i, s := range items {
		for j, r := range s.Requirements {
			path := idx(idx("stakeholders", i)+".requirements", j)
			switch {
			case r.ID == "":
				v.add(path+".id", "missing: every requirement needs an id")
			case !validID(r.ID):
				v.add(path+".id", "%s is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit", quoteValue(r.ID))
			case first[r.ID] != "":
				v.add(path+".id", "duplicate requirement id %s (also %s): requirement ids are unique in the plan", quoteValue(r.ID), first[r.ID])
			default:
				first[r.ID] = path
			}
			refs(v, path+".activities", r.Activities, activities, "activity", "activities")
		}
	}
}

// feedback checks the plan's feedback policy: a scale of at least two
// points up to MaxScale, a deadline's form for handle_within, a declared
// calendar.
func (v *validator) feedback(f *Feedback, calendars map[string]bool) {
	if f == nil {
		return
	}
	if s := f.Scale; s != nil && s.Min >= 0 && s.Max >= 0 {
		switch {
		case s.Max > MaxScale:
			v.add("feedback.scale.max", "a feedback scale goes up to %d at most, not %d", MaxScale, s.Max)
		case s.Max <= s.Min:
			v.add("feedback.scale", "the scale from %d to %d is empty: max must be more than min (such as {min: 1, max: 5})", s.Min, s.Max)
		}
	}
	if f.HandleWithin != "" && !v.badText["feedback.handle_within"] {
		if len(f.HandleWithin) > 32 {
			v.add("feedback.handle_within", "%s is not a deadline: use a number and a unit, such as 5bd, 72h or 14d", quoteValue(f.HandleWithin))
		} else if _, _, err := deadline.Parse(f.HandleWithin); err != nil {
			v.add("feedback.handle_within", "%v", err)
		}
	}
	if f.Calendar != "" && !calendars[f.Calendar] {
		v.add("feedback.calendar", "calendar %s is not declared in calendars", quoteValue(f.Calendar))
	}
}

// objectives checks the objectives: IDs, known measures, directions and
// periods, a target in the form its measure takes (on the feedback scale
// for a score), and a scope that names what the plan declares and is not
// empty by construction.
func (v *validator) objectives(p Plan, d declared) {
	ids(v, "objectives", p.Objectives, func(o Objective) string { return o.ID })
	var acts map[string]int
	if len(p.Objectives) > 0 {
		acts = positions(p.Activities, func(a Activity) string { return a.ID })
	}
	for i, o := range p.Objectives {
		path := idx("objectives", i)
		if o.Measure != "" && !o.Measure.Valid() {
			v.add(path+".measure", "unknown measure %s: use one of %s", quoteValue(string(o.Measure)), list(Measures()))
		}
		switch {
		case o.Direction != "" && !o.Direction.Valid():
			v.add(path+".direction", "unknown direction %s: use at-least or at-most", quoteValue(string(o.Direction)))
		case o.Direction != "" && o.Measure.Valid() && o.Direction != o.Measure.Direction():
			// Every measure has one good side: a rate or a score is
			// better higher, a duration shorter. The other direction
			// would call an objective met for doing worse.
			v.add(path+".direction", "a %s is better %s, so %s is judged %s its target: %s would call doing worse met", o.Measure.Kind(), better(o.Measure), o.Measure, o.Measure.Direction(), o.Direction)
		}
		if o.Period != "" && !o.Period.Valid() {
			v.add(path+".period", "unknown period %s: use one of %s", quoteValue(string(o.Period)), list(Periods()))
		}
		v.target(path+".target", p, o)
		sc := o.Scope
		var act *Activity
		if sc.Activity != "" {
			if k, ok := acts[sc.Activity]; ok {
				act = &p.Activities[k]
			} else {
				v.add(path+".scope.activity", "activity %s is not declared in activities", quoteValue(sc.Activity))
			}
		}
		if sc.Stakeholder != "" && !d.stakeholders[sc.Stakeholder] {
			v.add(path+".scope.stakeholder", "stakeholder %s is not declared in stakeholders", quoteValue(sc.Stakeholder))
		}
		if sc.Topic != "" && !sc.Topic.Valid() {
			v.add(path+".scope.topic", "unknown topic %s: use one of %s", quoteValue(string(sc.Topic)), list(Topics()))
		}
		if act == nil {
			continue
		}
		if sc.Topic != "" && sc.Topic.Valid() && act.What.Topic != sc.Topic {
			v.add(path+".scope.topic", "activity %s is of topic %s, not %s: the scope holds nothing", act.ID, quoteValue(string(act.What.Topic)), quoteValue(string(sc.Topic)))
		}
		if sc.Stakeholder != "" && d.stakeholders[sc.Stakeholder] && !slices.Contains(act.Whom, sc.Stakeholder) {
			v.add(path+".scope.stakeholder", "activity %s does not reach stakeholder %s: the scope holds nothing", act.ID, quoteValue(sc.Stakeholder))
		}
		if o.Measure == MeasureNotificationTimeliness && !act.When.Triggered() {
			v.add(path+".scope.activity", "activity %s is not triggered by events: %s measures the time from a trigger to the communication", act.ID, o.Measure)
		}
	}
}

// better says which way measure m improves.
func better(m Measure) string {
	if m.Direction() == DirectionAtMost {
		return "shorter"
	}
	return "higher"
}

// target checks an objective's target against its measure.
func (v *validator) target(path string, p Plan, o Objective) {
	if o.Target == "" || v.badText[path] {
		return
	}
	switch {
	case o.Measure == "":
		v.add(path, "a target needs a measure, which says what the target is a number of: add measure (one of %s)", list(Measures()))
		return
	case !o.Measure.Valid():
		return // the measure was reported
	}
	t, err := o.ParseTarget()
	if err != nil {
		_, msg, _ := strings.Cut(err.Error(), ": ")
		_, msg, _ = strings.Cut(msg, ": ") // without "comms: objective x: "
		v.add(path, "%s", msg)
		return
	}
	if t.Kind != MeasureKindScore {
		return
	}
	var scale *Scale
	if p.Feedback != nil {
		scale = p.Feedback.Scale
	}
	switch {
	case scale == nil:
		v.add(path, "%s is a score on the plan's feedback scale, and the plan declares none: add feedback: {scale: {min: 1, max: 5}}", o.Measure)
	case scale.Max > scale.Min && (t.Hundredths < scale.Min*100 || t.Hundredths > scale.Max*100):
		v.add(path, "%s is not on the plan's feedback scale, %d to %d", quoteValue(o.Target), scale.Min, scale.Max)
	}
}

// reminders checks a reminder policy: durations in a deadline's form of
// at most a year, a chase with both fields, escalations with exactly one
// of after and at and a declared role, and the limits on list lengths.
func (v *validator) reminders(path string, r *Reminders, roles map[string]bool) {
	if r == nil {
		return
	}
	duration := func(p, s, what string) {
		switch {
		case v.badText[p]:
		case s == "":
			v.add(p, "missing: %s needs a duration, such as 3bd, 7d, 1mo or 72h", what)
		case len(s) > 32:
			v.add(p, "%s is not a duration: use a number and a unit, such as 3bd, 7d, 1mo or 72h", quoteValue(s))
		default:
			if err := reminderDuration(s); err != nil {
				v.add(p, "%s: %v", what, err)
			}
		}
	}
	if len(r.Before) > MaxBefore {
		v.add(path+".before", "%d reminders before an occurrence; at most %d", len(r.Before), MaxBefore)
	}
	seen := make(map[string]int, len(r.Before))
	for i, b := range r.Before {
		p := idx(path+".before", i)
		duration(p, b, "a reminder before an occurrence")
		if j, dup := seen[b]; dup && b != "" {
			v.add(p, "%s is listed twice (also %s)", quoteValue(b), idx(path+".before", j))
		} else {
			seen[b] = i
		}
	}
	if c := r.Chase; c != nil {
		duration(path+".chase.every", c.Every, "chase.every")
		if c.Max < 1 || c.Max > MaxChases {
			v.add(path+".chase.max", "chase.max is %d: give how many reminders a person gets at most, 1 to %d", c.Max, MaxChases)
		}
	}
	if len(r.Escalate) > MaxEscalations {
		v.add(path+".escalate", "%d escalations; at most %d", len(r.Escalate), MaxEscalations)
	}
	steps := make(map[Escalation]int, len(r.Escalate))
	for i, e := range r.Escalate {
		p := idx(path+".escalate", i)
		switch {
		case e.After != "" && e.At != "":
			v.add(p, "an escalation has either after (a time past the deadline) or at (a share of the time to a legal deadline), not both")
		case e.After == "" && e.At == "":
			v.add(p, "an escalation needs after (a time past the deadline, such as 2bd) or at (a share of the time to a legal deadline, such as 80%%)")
		case e.After != "":
			duration(p+".after", e.After, "escalate.after")
		case !v.badText[p+".at"]:
			if _, ok := parseShare(e.At); !ok {
				v.add(p+".at", "%s is not a share of the time to a deadline: write a percentage from 1%% to 99%% with at most two decimals, such as 80%% or 66.5%%", quoteValue(e.At))
			}
		}
		switch {
		case e.To == "":
			v.add(p+".to", "missing: an escalation names the role it goes to")
		case !roles[e.To]:
			v.add(p+".to", "role %s is not declared in roles", quoteValue(e.To))
		}
		same := e // 80% and 80.0% are one share
		if bp, ok := parseShare(e.At); ok {
			same.At = strconv.Itoa(bp)
		}
		if j, dup := steps[same]; dup {
			v.add(p, "the same escalation is listed twice (also %s)", idx(path+".escalate", j))
		} else {
			steps[same] = i
		}
	}
}

// version checks a message's version: a well-formed digest whenever
// anything is set, and a known change class.
func (v *validator) version(path string, mv MessageVersion) {
	if mv.IsZero() {
		return
	}
	switch {
	case mv.Digest == "":
		v.add(path+".digest", "missing: a version needs the digest of its content (sha256: and 64 hex digits, as comms.Digest computes it)")
	case !v.badText[path+".digest"] && !validDigest(mv.Digest):
		v.add(path+".digest", "%s is not a digest: write sha256: and 64 lower-case hex digits, as comms.Digest computes it", quoteValue(mv.Digest))
	}
	if mv.Change != "" && !mv.Change.Valid() {
		v.add(path+".change", "unknown change class %s: use material (everyone acknowledges again) or minor (acknowledgements carry over)", quoteValue(string(mv.Change)))
	}
}

// grace checks a grace period, which has the form of a deadline.
func (v *validator) grace(path, g string) {
	if g == "" || v.badText[path] {
		return
	}
	if len(g) > 32 {
		v.add(path, "%s is not a grace period: use a number and a unit, such as 14d, 3bd, 1mo or 72h", quoteValue(g))
	} else if _, _, err := deadline.Parse(g); err != nil {
		v.add(path, "grace period: %v", err)
	}
}

// waivers checks that every waiver names a rule and gives a reason.
func (v *validator) waivers(items []Waiver) {
	for i, w := range items {
		path := idx("waivers", i)
		if w.Rule == "" {
			v.add(path+".rule", "missing: name the rule the waiver excludes, such as CRISIS")
		}
		if strings.TrimSpace(w.Reason) == "" {
			v.add(path+".reason", "missing: a waiver needs a written reason")
		}
	}
}

// multiLine are the fields whose text may span lines (and hold TAB): the
// message of an activity and its notes. Every other string of a plan (IDs,
// names, the organization, zones, rules, references, waiver reasons and
// who accepted them, approvals) is one line.
var multiLine = map[string]bool{"Message.Message": true, "Activity.Notes": true}

// textField is a field of a plan type that text walks into.
type textField struct {
	index int
	name  string // its yaml name
	multi bool   // multi-line text
	str   bool   // a string
	num   bool   // an int (else a struct, slice or pointer to walk)
}

var textFields sync.Map // reflect.Type → []textField

func textFieldsOf(t reflect.Type) []textField {
	if fs, ok := textFields.Load(t); ok {
		return fs.([]textField)
	}
	var fs []textField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fs = append(fs, textField{index: i, name: name, multi: multiLine[t.Name()+"."+f.Name], str: f.Type.Kind() == reflect.String, num: f.Type.Kind() == reflect.Int})
	}
	textFields.Store(t, fs)
	return fs
}

// segment is one step of a path: a field name, or a list index when name
// is empty. text keeps a stack of them and writes a path out only for a
// problem.
type segment struct {
	name  string
	index int
}

func pathOf(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.name == "" {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
	}
	return b.String()
}

// text checks every value of the plan that a plan file could not hold
// or that would be obeyed rather than shown. In every string it refuses
// the characters that a terminal or a reader would obey (safetext.Unsafe):
// C0 controls, DEL, C1 controls, bidirectional formatting characters and
// the line separators; in a one-line field also TAB and LF. Every Date and
// DateTime must be one of the calendar (2026-02-30 is not), with a time of
// day on the clock (no hour 25, no second 61), and every number must be
// one a plan file may hold (0 to maxNumber). The walk goes by reflection
// over the plan's types, so a field added later is checked too (a string
// as one-line text unless multiLine says otherwise), and so whatever
// Validate accepts, EncodeJSON and EncodeYAML write a file that the
// decoders read back as the same plan.
func (v *validator) text(rv reflect.Value, segs []segment) {
	switch rv.Kind() {
	case reflect.Struct:
		switch rv.Type() {
		case reflect.TypeFor[Date]():
			v.checkDate(rv.Interface().(Date), segs)
			return
		case reflect.TypeFor[DateTime]():
			v.checkDateTime(rv.Interface().(DateTime), segs)
			return
		}
		for _, f := range textFieldsOf(rv.Type()) {
			fv := rv.Field(f.index)
			if f.str {
				v.checkText(fv.String(), f.multi, append(segs, segment{name: f.name}))
			} else if f.num {
				v.checkNumber(fv.Int(), append(segs, segment{name: f.name}))
			} else if !fv.IsZero() {
				v.text(fv, append(segs, segment{name: f.name}))
			}
		}
	case reflect.Slice:
		for i := range rv.Len() {
			if e := rv.Index(i); e.Kind() == reflect.String {
				v.checkText(e.String(), false, append(segs, segment{index: i}))
			} else {
				v.text(e, append(segs, segment{index: i}))
			}
		}
	case reflect.Pointer:
		if !rv.IsNil() {
			v.text(rv.Elem(), segs)
		}
	}
}

// maxNumber is the largest number a plan file may hold (the decoder
// refuses larger ones).
const maxNumber = 1 << 31

func (v *validator) checkNumber(n int64, segs []segment) {
	switch {
	case n < 0:
		v.add(pathOf(segs), "must not be negative")
	case n > maxNumber:
		v.add(pathOf(segs), "%d is more than %d, the largest number a plan may hold", n, maxNumber)
	}
}

// dateProblem says what makes d not a date of the calendar, or "".
func dateProblem(d Date) string {
	switch {
	case d.Year < 1 || d.Year > 9999:
		return fmt.Sprintf("year %d is out of range (a plan's dates are in years 1 to 9999)", d.Year)
	case d.Month < 1 || d.Month > 12:
		return fmt.Sprintf("month %d is not a month (1 to 12)", d.Month)
	}
	if last := time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day(); d.Day < 1 || d.Day > last {
		return fmt.Sprintf("day %d is not a day of %s %d (1 to %d)", d.Day, d.Month, d.Year, last)
	}
	return ""
}

// checkDate refuses a Date that is not one of the calendar (the zero Date
// means "not set" and is fine).
func (v *validator) checkDate(d Date, segs []segment) {
	if d.IsZero() {
		return
	}
	if msg := dateProblem(d); msg != "" {
		path := pathOf(segs)
		v.add(path, "%04d-%02d-%02d is not a date: %s", d.Year, int(d.Month), d.Day, msg)
		v.badText[path] = true
	}
}

// checkDateTime refuses a DateTime whose date is not one of the calendar,
// whose time of day is not on the clock, that has a time of day but no
// date, or that is marked DateOnly but has a time of day (which its text
// form, a date alone, would lose).
func (v *validator) checkDateTime(dt DateTime, segs []segment) {
	if dt.IsZero() {
		return
	}
	text := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", dt.Year, int(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second)
	if dt.DateOnly && dt.Hour == 0 && dt.Minute == 0 && dt.Second == 0 {
		text = text[:len(text)-len("T00:00:00")]
	}
	var msg string
	switch {
	case dt.Date.IsZero():
		msg = "it has a time of day but no date"
	case dateProblem(dt.Date) != "":
		msg = dateProblem(dt.Date)
	case dt.Hour < 0 || dt.Hour > 23:
		msg = fmt.Sprintf("hour %d is not an hour of the day (0 to 23)", dt.Hour)
	case dt.Minute < 0 || dt.Minute > 59:
		msg = fmt.Sprintf("minute %d is not a minute (0 to 59)", dt.Minute)
	case dt.Second < 0 || dt.Second > 59:
		msg = fmt.Sprintf("second %d is not a second (0 to 59)", dt.Second)
	case dt.DateOnly && (dt.Hour != 0 || dt.Minute != 0 || dt.Second != 0):
		msg = "it is marked as a date alone (DateOnly) but has a time of day, which its text form (YYYY-MM-DD) would lose"
	default:
		return
	}
	path := pathOf(segs)
	v.add(path, "%s is not a date-time: %s", text, msg)
	v.badText[path] = true // what else would be said of it follows from this
}

func (v *validator) checkText(s string, multi bool, segs []segment) {
	i := safetext.Index(s, !multi)
	if i < 0 {
		return
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	what := fmt.Sprintf("the character %U (%s)", r, safetext.Line(string(r)))
	switch {
	case r == utf8.RuneError:
		what = fmt.Sprintf("the byte 0x%02x (not UTF-8)", s[i])
	case r == '\n':
		what = "a line break"
	case r == '\t':
		what = "a tab"
	}
	kind := "this field is one line of text"
	if multi {
		kind = "text may hold line breaks and tabs, but no other control or bidirectional formatting character"
	}
	path := pathOf(segs)
	v.add(path, "%s at character %d is not allowed: %s", what, utf8.RuneCountInString(s[:i])+1, kind)
	v.badText[path] = true
}

func refs(v *validator, path string, ids []string, declared map[string]bool, what, section string) {
	var seen map[string]bool // for long lists; a short one is searched
	if len(ids) > 8 {
		seen = make(map[string]bool, len(ids))
	}
	for j, id := range ids {
		var twice bool
		if seen != nil {
			twice, seen[id] = seen[id], true
		} else {
			twice = slices.Contains(ids[:j], id)
		}
		switch {
		case !declared[id]:
			v.add(idx(path, j), "%s %s is not declared in %s", what, quoteValue(id), section)
		case twice:
			v.add(idx(path, j), "%s %s is listed twice", what, quoteValue(id))
		}
	}
}

// profiles checks the form of the plan's profile names (which exist is
// matrix.Check's to say: this package knows no laws) and that none is
// listed twice; in linear time, however long the list.
func (v *validator) profiles(names []string) {
	var seen map[string]bool // for long lists; a short one is searched
	if len(names) > 8 {
		seen = make(map[string]bool, len(names))
	}
	for j, name := range names {
		var twice bool
		if seen != nil {
			twice, seen[name] = seen[name], true
		} else {
			twice = slices.Contains(names[:j], name)
		}
		switch {
		case !validID(name):
			v.add(idx("profiles", j), "%s is not a valid profile name: use a name of package regulation's profiles, such as gdpr or nis2", quoteValue(name))
		case twice:
			v.add(idx("profiles", j), "profile %s is listed twice", quoteValue(name))
		}
	}
}

func list[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func (v *validator) timing(path, self string, t Timing, activities map[string]bool) {
	if t.RRule != "" && !v.badText[path+".rrule"] {
		rr, err := recur.ParseRRule(t.RRule)
		if err != nil {
			v.add(path+".rrule", "invalid recurrence rule %s: %v", quoteValue(t.RRule), err)
		} else {
			switch {
			case t.Start.IsZero():
				v.add(path+".start", "missing: a recurrence needs a start, its first occurrence (such as 2026-01-15T09:00)")
			case v.badText[path+".start"] || v.badText[path+".until"]:
				// Not a date-time, which was said: the rule cannot be
				// checked against it.
			case rr.Until.Present:
				v.add(path+".rrule", "write the end of the recurrence in until, not as UNTIL in the rule")
			case rr.Count > 0 && !t.Until.IsZero():
				// RFC 5545 §3.3.10: COUNT and UNTIL MUST NOT occur in the
				// same rule, and until becomes the rule's UNTIL.
				v.add(path+".until", "the rule ends after COUNT=%d occurrences: give COUNT or until, not both", rr.Count)
			default:
				if err := v.compile(rr, t); err != nil {
					v.add(path+".rrule", "%v", err)
				} else if !t.Until.IsZero() && untilWall(t.Until) < wall(t.Start) {
					v.add(path+".until", "until %s is before start %s", t.Until, t.Start)
				}
			}
		}
	} else if t.RRule == "" {
		if !t.Start.IsZero() {
			v.add(path+".start", "a start without an rrule: add an rrule (COUNT=1 for a one-off)")
		}
		if !t.Until.IsZero() {
			v.add(path+".until", "an until without an rrule")
		}
		if len(t.Exdates) > 0 {
			v.add(path+".exdates", "exdates without an rrule")
		}
		if len(t.Rdates) > 0 {
			v.add(path+".rdates", "rdates without an rrule")
		}
	}
	if len(t.Exdates) > recur.MaxDates {
		v.add(path+".exdates", "%d exdates; at most %d are allowed", len(t.Exdates), recur.MaxDates)
	}
	if len(t.Rdates) > recur.MaxDates {
		v.add(path+".rdates", "%d rdates; at most %d are allowed", len(t.Rdates), recur.MaxDates)
	}
	if t.Trigger != "" {
		if target, ok := strings.CutPrefix(t.Trigger, ActivityTriggerPrefix); ok {
			switch {
			case target == self:
				v.add(path+".trigger", "an activity cannot be triggered by its own completion")
			case !activities[target]:
				v.add(path+".trigger", "activity %s is not declared in activities", quoteValue(target))
			}
		} else if !validTrigger(t.Trigger) {
			v.add(path+".trigger", "%s is not a trigger: write <event-kind>.<milestone> (incident.aware) or activity:<id>", quoteValue(t.Trigger))
		}
	}
	if t.Within != "" && !v.badText[path+".within"] {
		if len(t.Within) > 32 {
			v.add(path+".within", "%s is not a deadline: use a number and a unit, such as 72h, 14d, 3bd or 1mo", quoteValue(t.Within))
		} else if _, _, err := deadline.Parse(t.Within); err != nil {
			v.add(path+".within", "%v", err)
		}
	}
}

func validTrigger(s string) bool {
	kind, milestone, ok := strings.Cut(s, ".")
	return ok && validName(kind) && validName(milestone)
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// errRuleBudget is the problem of the rule at which the plan's budget for
// checking rules ran out.
var errRuleBudget = fmt.Errorf("checking the plan's recurrence rules takes too long (more than %d steps); this rule and the ones after it are not checked, so the plan is refused: use fewer or simpler rules", maxRuleWork)

// compile checks that a timing's recurrence can be expanded: its start is
// in range and the rule matches at least one date before the end of year
// 9999. Each distinct rule is compiled once, and charged to the plan's
// budget at every use: each use is evaluated again by every command.
func (v *validator) compile(rr recur.RRule, t Timing) error {
	if v.spent {
		return nil // the first rule over the budget was reported
	}
	key := ruleKey{rule: t.RRule, start: t.Start, until: t.Until}
	if o, ok := v.rules[key]; ok {
		// Compiled once, but charged at every use: every command
		// evaluates each activity's rule again (15,000 activities sharing
		// one costly rule cost 15,000 evaluations downstream).
		v.repeated += o.cost
		if v.spentUnits() > maxRuleWork {
			v.spent = true
			return errRuleBudget
		}
		return o.err
	}
	before := v.budget.Left()
	err := compileTiming(rr, t, v.budget)
	if errors.Is(err, recur.ErrBudget) || v.spentUnits() > maxRuleWork {
		v.spent = true
		return errRuleBudget
	}
	v.rules[key] = ruleOutcome{err: err, cost: before - v.budget.Left()}
	return err
}

// spentUnits is the plan's budget spent so far: the rules compiled and
// the uses of rules compiled before.
func (v *validator) spentUnits() int64 { return maxRuleWork - v.budget.Left() + v.repeated }

// ruleOutcome is what compiling a rule gave, and what it cost.
type ruleOutcome struct {
	err  error
	cost int64
}

// compileTiming compiles a timing's recurrence with a budget.
func compileTiming(rr recur.RRule, t Timing, budget *recur.Budget) error {
	o := recur.Options{Start: wall(t.Start), DateOnly: t.Start.DateOnly, Budget: budget}
	if !t.Until.IsZero() {
		o.Until = untilWall(t.Until)
	}
	_, err := recur.Compile(rr, o)
	if errors.Is(err, recur.ErrNoOccurrence) {
		return fmt.Errorf("the rule %s never matches a date (before the end of year %d) from start %s", quoteValue(t.RRule), recur.MaxYear, t.Start)
	}
	if err != nil && !errors.Is(err, recur.ErrBudget) {
		return fmt.Errorf("rule %s: %w", quoteValue(t.RRule), err)
	}
	return err
}

// untilWall is the last wall time an until value includes: a date alone
// includes its whole day.
func untilWall(dt DateTime) recur.Wall {
	w := wall(dt)
	if dt.DateOnly {
		w += 86399
	}
	return w
}

func wall(dt DateTime) recur.Wall {
	return recur.MakeWall(dt.Year, int(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second)
}
