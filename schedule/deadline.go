package schedule

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/deadline"
	"github.com/ismscomms/ismscomms/internal/recur"
	"github.com/ismscomms/ismscomms/internal/zone"
)

// Unit is the unit of a [Deadline]: its suffix in the text form. Values
// are persisted (in plan files).
type Unit string

// Deadline units.
const (
	Hours        Unit = "h"  // elapsed hours
	Days         Unit = "d"  // calendar days
	BusinessDays Unit = "bd" // business days of a Calendar
	Months       Unit = "mo" // calendar months
)

// Deadline is a time allowed to communicate: "72h", "14d", "3bd", "1mo".
// The zero value is no deadline.
type Deadline struct {
	N    int
	Unit Unit
}

// ParseDeadline parses a deadline's text form: a positive whole number and
// a unit, h (hours), d (days), bd (business days) or mo (months).
func ParseDeadline(s string) (Deadline, error) {
	n, u, err := deadline.Parse(s)
	if err != nil {
		return Deadline{}, fmt.Errorf("schedule: deadline: %w", err)
	}
	return Deadline{N: n, Unit: Unit(u)}, nil
}

// IsZero reports whether d is no deadline.
func (d Deadline) IsZero() bool { return d.N == 0 }

// String returns the text form ("72h"), which ParseDeadline accepts back.
func (d Deadline) String() string {
	if d.IsZero() {
		return ""
	}
	return strconv.Itoa(d.N) + string(d.Unit)
}

// MarshalText implements encoding.TextMarshaler.
func (d Deadline) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Deadline) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Deadline{}
		return nil
	}
	v, err := ParseDeadline(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// From returns when the deadline falls for something that started at start.
//
// Hours are elapsed time: 72h after 10:00 is 10:00 three days later
// whatever the clocks did. Days, business days and months are counted the
// way notification laws count them (EU Regulation 1182/71 Art. 3): in the
// calendar's time zone, not counting the day of the start, and ending with
// the last second of the last day. 14d after 15 January 09:00 ends at
// 29 January 23:59:59; 1mo after 31 January ends on the last day of
// February; 3bd skips weekends and the calendar's holidays. If the
// calendar rolls forward, a day or month deadline whose last day is not a
// business day moves to the end of the next business day.
//
// A nil calendar counts in start's location with a Saturday-Sunday weekend
// and no holidays.
func (d Deadline) From(start time.Time, cal *Calendar) time.Time {
	if d.IsZero() {
		return start
	}
	if d.Unit == Hours {
		return start.Add(time.Duration(d.N) * time.Hour)
	}
	if cal == nil {
		cal = &Calendar{loc: start.Location(), weekend: defaultWeekend, week: defaultWeek}
	}
	local := start.In(cal.loc)
	day := recur.FromTime(local).Day()
	switch d.Unit {
	case Days:
		day += d.N
	case BusinessDays:
		// Bounded: a calendar with no business days at all gives the day
		// maxBusinessSpan days on.
		day = cal.businessAfter(day, d.N, maxBusinessSpan)
	case Months:
		y, m, dd := recur.CivilFromDays(day)
		total := y*12 + m - 1 + d.N
		y, m = total/12, total%12+1
		day = recur.DaysFromCivil(y, m, min(dd, recur.DaysIn(y, m)))
	}
	if cal.roll && d.Unit != BusinessDays {
		// The first business day from day on, at most maxRollSpan days on.
		day = cal.businessAfter(day-1, 1, maxRollSpan+1)
	}
	return endOfDay(cal.loc, day)
}

// Business days are counted at most maxBusinessSpan days ahead (about 109
// years: far beyond the ten years a deadline may span), and a deadline
// rolls forward at most maxRollSpan days: a calendar without business days
// gives a time that far ahead rather than none.
const (
	maxBusinessSpan = 40000
	maxRollSpan     = 366
)

// businessAfter returns the n-th business day after day: the day stepping
// one day at a time and counting business days would stop at, stepping at
// most limit days (day+limit if the n-th is further; day if n ≤ 0).
//
// It costs O(log h) for h holidays, whatever n: whole weeks are counted by
// arithmetic, and the holidays (only those on business weekdays are kept)
// by binary search.
func (c *Calendar) businessAfter(day, n, limit int) int {
	return c.countedBusinessAfter(day, n, limit, nil)
}

// countedBusinessAfter is businessAfter that adds to *probes, if not nil,
// the holidays it looks at (tests count them).
func (c *Calendar) countedBusinessAfter(day, n, limit int, probes *int) int {
	if n <= 0 {
		return day
	}
	if n > limit {
		return day + limit // every business day takes at least a day
	}
	wk := &c.week
	w := wk.n
	if w == 0 {
		return day + limit
	}
	// before(x) counts the business weekdays before day number x (from day
	// 0 on, negative before it), and nth(i) is the day number of the i-th
	// of them (i counted from 0 at day 0, negative before).
	before := func(x int) int {
		q := floorDiv(x, 7)
		return q*w + int(wk.pre[x-7*q])
	}
	nth := func(i int) int {
		q := floorDiv(i, w)
		return 7*q + int(wk.pos[i-q*w])
	}
	// base is the index of the first business weekday after day. The k-th
	// holiday after day has f(k) business days between day and it; f never
	// decreases (each holiday is itself a business weekday), so the
	// holidays before the n-th business day are the first m, m the first
	// k with f(k) ≥ n.
	base := before(day + 1)
	hs := c.holidays[sort.Search(len(c.holidays), func(i int) bool {
		if probes != nil {
			*probes++
		}
		return c.holidays[i] > day
	}):]
	m := sort.Search(len(hs), func(k int) bool {
		if probes != nil {
			*probes++
		}
		return before(hs[k])-base-k >= n
	})
	if t := nth(base + n - 1 + m); t-day <= limit {
		return t
	}
	return day + limit
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// endOfDay returns the last second of local day number day.
func endOfDay(loc *time.Location, day int) time.Time {
	// The instant before the next day begins, so a day cut short or
	// lengthened by a clock change still ends at midnight.
	return resolve(loc, recur.Wall(day+1)*86400).Add(-time.Second)
}

// Calendar is a business-day calendar: a time zone, weekend days and
// holidays. It is immutable and safe for concurrent use. Counting business
// days with it costs O(log h) for h holidays, however many days are
// counted; building one costs O(h log h), so build a plan's calendars once
// ([PlanCalendars]).
type Calendar struct {
	loc      *time.Location
	weekend  [7]bool
	week     weekTable
	holidays []int // local day numbers of the holidays on business weekdays, ascending
	roll     bool
}

// weekTable describes the business weekdays of a calendar in a week of
// day numbers 7q..7q+6 (whose day r has the weekday of day number r).
type weekTable struct {
	n   int     // business weekdays in a week
	pos [7]int8 // the offsets of the business weekdays, ascending
	pre [8]int8 // pre[r]: business weekdays among offsets below r
}

func weekTableOf(weekend [7]bool) weekTable {
	var t weekTable
	for r := 0; r < 7; r++ {
		t.pre[r] = int8(t.n)
		if !weekend[recur.Weekday(r)] {
			t.pos[t.n] = int8(r)
			t.n++
		}
	}
	t.pre[7] = int8(t.n)
	return t
}

var (
	defaultWeekend = [7]bool{time.Saturday: true, time.Sunday: true}
	defaultWeek    = weekTableOf(defaultWeekend)
)

// CalendarOptions configures [NewCalendar].
type CalendarOptions struct {
	// Weekend lists the days that are never business days; nil means
	// Saturday and Sunday.
	Weekend []time.Weekday
	// Holidays are dates that are not business days.
	Holidays []comms.Date
	// RollForward moves a day or month deadline whose last day is not a
	// business day to the end of the next business day (EU Regulation
	// 1182/71 Art. 3(4)).
	RollForward bool
}

// NewCalendar returns a calendar in loc (UTC if nil).
func NewCalendar(loc *time.Location, o CalendarOptions) *Calendar {
	if loc == nil {
		loc = time.UTC
	}
	c := &Calendar{loc: loc, weekend: defaultWeekend, roll: o.RollForward}
	if o.Weekend != nil {
		c.weekend = [7]bool{}
		for _, d := range o.Weekend {
			c.weekend[d%7] = true
		}
	}
	c.week = weekTableOf(c.weekend)
	c.holidays = make([]int, 0, len(o.Holidays))
	for _, h := range o.Holidays {
		// A holiday on a weekend day changes nothing.
		if d := recur.DaysFromCivil(h.Year, int(h.Month), h.Day); !c.weekend[recur.Weekday(d)] {
			c.holidays = append(c.holidays, d)
		}
	}
	slices.Sort(c.holidays)
	c.holidays = slices.Compact(c.holidays)
	return c
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsBusinessDay reports whether the local date of t is a business day.
func (c *Calendar) IsBusinessDay(t time.Time) bool {
	return c.businessDay(recur.FromTime(t.In(c.loc)).Day())
}

func (c *Calendar) businessDay(day int) bool {
	if c.weekend[recur.Weekday(day)] {
		return false
	}
	_, holiday := slices.BinarySearch(c.holidays, day)
	return !holiday
}

// PlanCalendar returns the calendar an activity of p names (id), or for an
// empty id the plan's default: its zone, a Saturday-Sunday weekend, no
// holidays. Each call builds the calendar anew, sorting its holidays; a
// caller that needs the calendars of many activities or occurrences builds
// them once with [PlanCalendars].
func PlanCalendar(p comms.Plan, id string) (*Calendar, error) {
	loc, err := p.Location()
	if err != nil {
		return nil, fmt.Errorf("schedule: plan %s: %w", p.ID, err)
	}
	if id == "" {
		return NewCalendar(loc, CalendarOptions{}), nil
	}
	c, ok := p.Calendar(id)
	if !ok {
		return nil, fmt.Errorf("schedule: plan %s has no calendar %q", p.ID, id)
	}
	return planCalendar(loc, c)
}

// PlanCalendars returns every calendar of p, keyed by its ID, and the
// plan's default calendar (see [PlanCalendar]) under "": the calendar of
// activity a is cals[a.Calendar]. It builds each calendar once, so that
// counting deadlines for every occurrence of every activity costs a map
// lookup and a few binary searches per deadline.
func PlanCalendars(p comms.Plan) (map[string]*Calendar, error) {
	loc, err := p.Location()
	if err != nil {
		return nil, fmt.Errorf("schedule: plan %s: %w", p.ID, err)
	}
	cals := make(map[string]*Calendar, len(p.Calendars)+1)
	cals[""] = NewCalendar(loc, CalendarOptions{})
	for _, c := range p.Calendars {
		if _, dup := cals[c.ID]; dup {
			continue // the first of a duplicate ID, as Plan.Calendar finds
		}
		if cals[c.ID], err = planCalendar(loc, c); err != nil {
			return nil, err
		}
	}
	return cals, nil
}

func planCalendar(loc *time.Location, c comms.Calendar) (*Calendar, error) {
	if c.TimeZone != "" {
		var err error
		if loc, err = zone.Load(c.TimeZone); err != nil {
			return nil, fmt.Errorf("schedule: calendar %s: %w", c.ID, err)
		}
	}
	o := CalendarOptions{Holidays: c.Holidays}
	for _, w := range c.Weekend {
		d, ok := recur.ParseDayCode(w)
		if !ok {
			return nil, fmt.Errorf("schedule: calendar %s: %q is not a weekday", c.ID, w)
		}
		o.Weekend = append(o.Weekend, d)
	}
	return NewCalendar(loc, o), nil
}
