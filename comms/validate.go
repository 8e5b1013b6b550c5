package comms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ismscomms/ismscomms/internal/deadline"
	"github.com/ismscomms/ismscomms/internal/recur"
	"github.com/ismscomms/ismscomms/internal/zone"
)

// Validate checks the plan's structure and returns a *[PlanError] listing
// every problem, or nil. It checks what makes a plan malformed: missing or
// duplicate IDs, references to stakeholders, channels, roles, calendars or
// activities the plan lacks, unknown enumeration values, an unknown time
// zone, an invalid recurrence rule, a bad deadline or trigger.
//
// It does not check completeness (an activity with no channel is valid);
// that is matrix.Check's job.
func (p Plan) Validate() error {
	probs := p.problems()
	if len(probs) == 0 {
		return nil
	}
	return &PlanError{Problems: probs}
}

type validator struct {
	probs []Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.probs = append(v.probs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
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
			v.add(path, "%q is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit", s)
		case set[s]:
			v.add(path, "duplicate id %q (also %s)", s, idx(list, first[s]))
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

func (p Plan) problems() []Problem {
	v := &validator{}
	if p.Format != "" && p.Format != Format {
		v.add("format", "unsupported format %q: this version reads %q", p.Format, Format)
	}
	switch {
	case p.ID == "":
		v.add("id", "missing: the plan needs an id")
	case !validID(p.ID):
		v.add("id", "%q is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit", p.ID)
	}
	if p.TimeZone != "" {
		if _, err := zone.Load(p.TimeZone); err != nil {
			v.add("timezone", "%v", err)
		}
	}
	if p.Review != "" {
		if _, err := recur.ParseRRule(p.Review); err != nil {
			v.add("review", "invalid recurrence rule %q: %v", p.Review, err)
		}
	}

	calendars := ids(v, "calendars", p.Calendars, func(c Calendar) string { return c.ID })
	for i, c := range p.Calendars {
		path := idx("calendars", i)
		if c.TimeZone != "" {
			if _, err := zone.Load(c.TimeZone); err != nil {
				v.add(path+".timezone", "%v", err)
			}
		}
		for j, w := range c.Weekend {
			if _, ok := recur.ParseDayCode(w); !ok || len(w) != 2 {
				v.add(idx(path+".weekend", j), "%q is not a weekday: use mo, tu, we, th, fr, sa or su", w)
			}
		}
		if len(c.Weekend) >= 7 {
			v.add(path+".weekend", "a calendar needs at least one business day")
		}
	}
	roles := ids(v, "roles", p.Roles, func(r Role) string { return r.ID })
	stakeholders := ids(v, "stakeholders", p.Stakeholders, func(s Stakeholder) string { return s.ID })
	for i, s := range p.Stakeholders {
		path := idx("stakeholders", i)
		if s.Scope != "" && !s.Scope.Valid() {
			v.add(path+".scope", "unknown scope %q: use internal or external", s.Scope)
		}
		if s.Kind != "" && !s.Kind.Valid() {
			v.add(path+".kind", "unknown stakeholder kind %q: use one of %s", s.Kind, list(StakeholderKinds()))
		}
		if s.Size < 0 {
			v.add(path+".size", "must not be negative")
		}
	}
	channels := ids(v, "channels", p.Channels, func(c Channel) string { return c.ID })
	for i, c := range p.Channels {
		path := idx("channels", i)
		if c.Kind != "" && !c.Kind.Valid() {
			v.add(path+".kind", "unknown channel kind %q: use one of %s", c.Kind, list(ChannelKinds()))
		}
		for j, s := range c.Reach {
			if !s.Valid() {
				v.add(idx(path+".reach", j), "unknown scope %q: use internal or external", s)
			}
		}
		if c.MaxClassification != "" && !c.MaxClassification.Valid() {
			v.add(path+".max_classification", "unknown classification %q: use one of %s", c.MaxClassification, list(Classifications()))
		}
	}
	activities := ids(v, "activities", p.Activities, func(a Activity) string { return a.ID })
	for i, a := range p.Activities {
		path := idx("activities", i)
		if a.What.Topic != "" && !a.What.Topic.Valid() {
			v.add(path+".what.topic", "unknown topic %q: use one of %s", a.What.Topic, list(Topics()))
		}
		if a.What.Classification != "" && !a.What.Classification.Valid() {
			v.add(path+".what.classification", "unknown classification %q: use one of %s", a.What.Classification, list(Classifications()))
		}
		refs(v, path+".whom", a.Whom, stakeholders, "stakeholder", "stakeholders")
		refs(v, path+".how", a.How, channels, "channel", "channels")
		if a.Owner != "" && !roles[a.Owner] {
			v.add(path+".owner", "role %q is not declared in roles", a.Owner)
		}
		refs(v, path+".support", a.Support, roles, "role", "roles")
		if a.Spokesperson != "" && !roles[a.Spokesperson] {
			v.add(path+".spokesperson", "role %q is not declared in roles", a.Spokesperson)
		}
		if a.Calendar != "" && !calendars[a.Calendar] {
			v.add(path+".calendar", "calendar %q is not declared in calendars", a.Calendar)
		}
		for j, o := range a.Obligations {
			if !validID(o) {
				v.add(idx(path+".obligations", j), "%q is not a valid obligation id", o)
			}
		}
		v.timing(path+".when", a.ID, a.When, activities)
	}
	for i, w := range p.Waivers {
		path := idx("waivers", i)
		if w.Rule == "" {
			v.add(path+".rule", "missing: name the rule the waiver excludes, such as CRISIS")
		}
		if strings.TrimSpace(w.Reason) == "" {
			v.add(path+".reason", "missing: a waiver needs a written reason")
		}
	}
	return v.probs
}

func refs(v *validator, path string, ids []string, declared map[string]bool, what, section string) {
	seen := map[string]bool{}
	for j, id := range ids {
		switch {
		case !declared[id]:
			v.add(idx(path, j), "%s %q is not declared in %s", what, id, section)
		case seen[id]:
			v.add(idx(path, j), "%s %q is listed twice", what, id)
		}
		seen[id] = true
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
	if t.RRule != "" {
		rr, err := recur.ParseRRule(t.RRule)
		if err != nil {
			v.add(path+".rrule", "invalid recurrence rule %q: %v", t.RRule, err)
		} else {
			switch {
			case t.Start.IsZero():
				v.add(path+".start", "missing: a recurrence needs a start, its first occurrence (such as 2026-01-15T09:00)")
			case rr.Until.Present:
				v.add(path+".rrule", "write the end of the recurrence in until, not as UNTIL in the rule")
			default:
				if err := compileTiming(rr, t); err != nil {
					v.add(path+".rrule", "%v", err)
				} else if !t.Until.IsZero() && untilWall(t.Until) < wall(t.Start) {
					v.add(path+".until", "until %s is before start %s", t.Until, t.Start)
				}
			}
		}
	} else {
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
	if t.Trigger != "" {
		if target, ok := strings.CutPrefix(t.Trigger, ActivityTriggerPrefix); ok {
			switch {
			case target == self:
				v.add(path+".trigger", "an activity cannot be triggered by its own completion")
			case !activities[target]:
				v.add(path+".trigger", "activity %q is not declared in activities", target)
			}
		} else if !validTrigger(t.Trigger) {
			v.add(path+".trigger", "%q is not a trigger: write <event-kind>.<milestone> (incident.aware) or activity:<id>", t.Trigger)
		}
	}
	if t.Within != "" {
		if _, _, err := deadline.Parse(t.Within); err != nil {
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

// compileTiming checks that a timing's recurrence can be expanded: its
// start is in range and the rule matches at least one date before the end
// of year 9999.
func compileTiming(rr recur.RRule, t Timing) error {
	o := recur.Options{Start: wall(t.Start), DateOnly: t.Start.DateOnly}
	if !t.Until.IsZero() {
		o.Until = untilWall(t.Until)
	}
	_, err := recur.Compile(rr, o)
	if errors.Is(err, recur.ErrNoOccurrence) {
		return fmt.Errorf("the rule %q never matches a date (before the end of year %d) from start %s", t.RRule, recur.MaxYear, t.Start)
	}
	if err != nil {
		return fmt.Errorf("rule %q: %w", t.RRule, err)
	}
	return nil
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
