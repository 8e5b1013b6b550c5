package schedule

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/recur"
)

// Rule is a recurrence: a DTSTART with an optional RRULE, RDATEs and
// EXDATEs, as RFC 5545 defines them. DTSTART is always an occurrence, the
// first in wall-clock order. Occurrences keep their wall-clock time in the
// rule's location across daylight-saving changes, and local times in a gap
// or overlap resolve as RFC 5545 §3.3.5 says (see [Resolve]); local times
// that resolve to one instant are one occurrence, and COUNT counts
// occurrences (see the package documentation).
//
// A Rule is immutable and safe for concurrent use by multiple goroutines.
// Build one with [Parse] or [FromTiming].
type Rule struct {
	loc      *time.Location
	form     valueForm  // how DTSTART was written
	startW   recur.Wall // DTSTART's wall time
	start    time.Time  // DTSTART's instant
	spec     *recur.Spec
	rrule    recur.RRule
	hasRule  bool
	untilUTC time.Time // UNTIL given in UTC: an exact instant bound
	rdates   []time.Time
	exdates  []time.Time // exact instants, ascending
	exdays   []int       // whole local days (DATE EXDATEs), ascending
	multi    bool        // more than one occurrence a day: instants may need reordering
	text     string
}

// valueForm is how a DATE or DATE-TIME value is written.
type valueForm int8

const (
	formZoned    valueForm = iota // DATE-TIME with TZID
	formUTC                       // DATE-TIME ending in Z
	formFloating                  // DATE-TIME with neither (read in UTC)
	formDate                      // DATE
)

// Location returns the time zone occurrences are computed in.
func (r *Rule) Location() *time.Location { return r.loc }

// Start returns DTSTART, the first occurrence in wall-clock order. It is
// the first in time too, except when DTSTART's local time is in a
// daylight-saving gap: it then resolves forward by the gap, and local times
// of the rule after it can resolve before it (New York's 02:30 on the
// spring-forward night is 03:30 EDT, after the rule's 03:00 EDT). To list
// every occurrence, start Between at the zero Time.
func (r *Rule) Start() time.Time { return r.start }

// StartMatches reports whether DTSTART is itself an occurrence of the
// RRULE — "synchronized" with it, as RFC 5545 says it should be. When it is
// not, RFC 5545 leaves the set undefined; this package counts DTSTART as an
// extra first occurrence. A rule without an RRULE matches trivially.
func (r *Rule) StartMatches() bool { return r.spec == nil || r.spec.StartMatches() }

// String returns the rule's canonical text: DTSTART, RRULE, RDATE and
// EXDATE content lines, which [Parse] accepts back.
func (r *Rule) String() string { return r.text }

// Next returns the first occurrence strictly after t, or false if there is
// none. It costs what finding that one occurrence costs (at most one or two
// periods of the rule evaluated, never the occurrences before t), so
// calling Next with each occurrence it returned walks a rule as cheaply as
// Between, give or take a constant.
func (r *Rule) Next(after time.Time) (time.Time, bool) { return r.next(after, nil) }

// next is Next with the engine's work charged to b, if not nil (tests
// count it).
func (r *Rule) next(after time.Time, b *recur.Budget) (time.Time, bool) {
	it := ruleIter{budget: b}
	it.init(r, after.Add(time.Nanosecond).Truncate(time.Second))
	for {
		u, ok := it.next()
		if !ok {
			return time.Time{}, false
		}
		if t := time.Unix(u, 0).In(r.loc); t.After(after) {
			return t, true
		}
	}
}

// Between returns the occurrences in the half-open range [from, to), in
// time order. The sequence is lazy: an unbounded rule over a 1,000-year
// window costs only what the caller consumes. It may be iterated any number
// of times.
func (r *Rule) Between(from, to time.Time) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		var it ruleIter
		it.init(r, from)
		for {
			u, ok := it.next()
			if !ok {
				return
			}
			t := time.Unix(u, 0).In(r.loc)
			if t.Before(from) {
				continue
			}
			if !t.Before(to) || !yield(t) {
				return
			}
		}
	}
}

// FromTiming builds the Rule of a plan activity's recurring timing, with
// its start, until, exdates and rdates local to loc (the plan's zone). It
// fails when the timing has no rule.
func FromTiming(t comms.Timing, loc *time.Location) (*Rule, error) {
	if t.RRule == "" {
		return nil, fmt.Errorf("schedule: timing has no rrule")
	}
	if t.Start.IsZero() {
		return nil, fmt.Errorf("schedule: rrule %q has no start", t.RRule)
	}
	rr, err := recur.ParseRRule(t.RRule)
	if err != nil {
		return nil, fmt.Errorf("schedule: rrule %q: %w", t.RRule, err)
	}
	if rr.Until.Present {
		return nil, fmt.Errorf("schedule: rrule %q: give the end in until, not UNTIL", t.RRule)
	}
	if !t.Until.IsZero() {
		rr.Until = recur.Until{Wall: civilWall(t.Until), IsDate: t.Until.DateOnly, Present: true}
	}
	b := builder{loc: loc, form: formZoned}
	if t.Start.DateOnly {
		b.form = formDate
	}
	b.startW = civilWall(t.Start)
	b.rrule, b.hasRule = rr, true
	for _, d := range t.Rdates {
		b.rdates = append(b.rdates, value{w: civilWall(d), form: formOf(d, b.form)})
	}
	for _, d := range t.Exdates {
		b.exdates = append(b.exdates, value{w: civilWall(d), form: formOf(d, b.form)})
	}
	r, err := b.build()
	if err != nil {
		return nil, fmt.Errorf("schedule: rrule %q: %w", t.RRule, err)
	}
	return r, nil
}

func formOf(d comms.DateTime, zoned valueForm) valueForm {
	if d.DateOnly {
		return formDate
	}
	return zoned
}

func civilWall(d comms.DateTime) recur.Wall {
	return recur.MakeWall(d.Year, int(d.Month), d.Day, d.Hour, d.Minute, d.Second)
}

// value is a parsed DATE or DATE-TIME with its form; for formUTC, w is the
// UTC wall time (Unix seconds).
type value struct {
	w    recur.Wall
	form valueForm
}

// builder collects the parts of a rule before it is compiled.
type builder struct {
	loc             *time.Location
	form            valueForm
	startW          recur.Wall
	rrule           recur.RRule
	hasRule         bool
	rdates, exdates []value
}

func (b *builder) instant(v value) time.Time {
	if v.form == formUTC {
		return time.Unix(int64(v.w), 0).In(b.loc)
	}
	return resolve(b.loc, v.w)
}

func (b *builder) build() (*Rule, error) {
	// The same limit as plan validation's, so that a plan that validates
	// builds.
	switch {
	case len(b.rdates) > recur.MaxDates:
		return nil, fmt.Errorf("%d RDATE values; at most %d are allowed", len(b.rdates), recur.MaxDates)
	case len(b.exdates) > recur.MaxDates:
		return nil, fmt.Errorf("%d EXDATE values; at most %d are allowed", len(b.exdates), recur.MaxDates)
	}
	r := &Rule{loc: b.loc, form: b.form, startW: b.startW, rrule: b.rrule, hasRule: b.hasRule}
	if b.form == formUTC {
		// A UTC DTSTART recurs in UTC.
		r.loc = time.UTC
		b.loc = time.UTC
	}
	r.start = b.instant(value{w: b.startW, form: b.form})
	if b.hasRule {
		o := recur.Options{Start: b.startW, DateOnly: b.form == formDate}
		if u := b.rrule.Until; u.Present {
			switch {
			case u.IsUTC && b.form == formDate:
				return nil, fmt.Errorf("UNTIL must be a DATE when DTSTART is a DATE")
			case u.IsUTC:
				r.untilUTC = time.Unix(int64(u.Wall), 0)
				// Bound the wall times generously; instants are cut exactly.
				o.Until = u.Wall + 2*maxOffset
			case u.IsDate:
				o.Until = u.Wall + 86399 // the whole day
			default:
				o.Until = u.Wall
			}
			if o.Until < b.startW {
				o.Until = b.startW // only DTSTART remains
			}
		}
		spec, err := recur.Compile(b.rrule, o)
		if err != nil {
			return nil, err
		}
		if b.rrule.Count > 0 {
			spec = countInstants(spec, r.loc, b.startW, b.rrule.Count)
		}
		r.spec = spec
		r.multi = len(spec.Times()) > 1
	}
	for _, v := range b.rdates {
		r.rdates = append(r.rdates, b.instant(v))
	}
	slices.SortFunc(r.rdates, time.Time.Compare)
	r.rdates = slices.CompactFunc(r.rdates, time.Time.Equal)
	for _, v := range b.exdates {
		if v.form == formDate {
			r.exdays = append(r.exdays, v.w.Day())
		} else {
			r.exdates = append(r.exdates, b.instant(v))
		}
	}
	slices.SortFunc(r.exdates, time.Time.Compare)
	r.exdates = slices.CompactFunc(r.exdates, time.Time.Equal)
	slices.Sort(r.exdays)
	r.exdays = slices.Compact(r.exdays)
	r.text = r.format()
	return r, nil
}

// format renders the canonical text of r.
func (r *Rule) format() string {
	var b strings.Builder
	b.WriteString("DTSTART")
	b.WriteString(r.valueText(value{w: r.startW, form: r.form}))
	if r.hasRule {
		b.WriteString("\nRRULE:")
		b.WriteString(r.rrule.String())
	}
	r.dateLines(&b, "RDATE", r.rdates, nil)
	r.dateLines(&b, "EXDATE", r.exdates, r.exdays)
	return b.String()
}

// valueText renders a value with its parameters: ";TZID=Europe/Berlin:20260115T090000".
func (r *Rule) valueText(v value) string {
	switch v.form {
	case formUTC:
		return ":" + recur.FormatDateTime(v.w) + "Z"
	case formFloating:
		return ":" + recur.FormatDateTime(v.w)
	case formDate:
		return ";VALUE=DATE:" + recur.FormatDate(v.w)
	}
	return ";TZID=" + r.loc.String() + ":" + recur.FormatDateTime(v.w)
}

// dateLines writes RDATE or EXDATE lines: instants in the rule's own form
// (a TZID line; a UTC line for instants that a local time cannot name, the
// second of an overlap), and whole days as a DATE line.
func (r *Rule) dateLines(b *strings.Builder, name string, instants []time.Time, days []int) {
	var local, utc []string
	for _, t := range instants {
		w := recur.FromTime(t.In(r.loc))
		switch {
		case r.form == formUTC:
			utc = append(utc, recur.FormatDateTime(recur.FromTime(t.UTC())))
		case r.form == formDate && w.Secs() == 0 && resolve(r.loc, w).Equal(t):
			local = append(local, recur.FormatDate(w))
		case r.form != formDate && resolve(r.loc, w).Equal(t):
			local = append(local, recur.FormatDateTime(w))
		default:
			utc = append(utc, recur.FormatDateTime(recur.FromTime(t.UTC())))
		}
	}
	if len(local) > 0 {
		b.WriteString("\n" + name)
		switch r.form {
		case formDate:
			b.WriteString(";VALUE=DATE:")
		case formFloating:
			b.WriteString(":")
		default:
			b.WriteString(";TZID=" + r.loc.String() + ":")
		}
		b.WriteString(strings.Join(local, ","))
	}
	if len(utc) > 0 {
		b.WriteString("\n" + name + ":")
		b.WriteString(strings.Join(utc, "Z,") + "Z")
	}
	if len(days) > 0 {
		ds := make([]string, len(days))
		for i, d := range days {
			ds[i] = recur.FormatDate(recur.Wall(d) * 86400)
		}
		b.WriteString("\n" + name + ";VALUE=DATE:" + strings.Join(ds, ","))
	}
}
