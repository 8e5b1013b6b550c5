package schedule

import (
	"fmt"
	"slices"
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
		cal = &Calendar{loc: start.Location(), weekend: defaultWeekend}
	}
	local := start.In(cal.loc)
	day := recur.FromTime(local).Day()
	switch d.Unit {
	case Days:
		day += d.N
	case BusinessDays:
		// Bounded: a calendar with no business days at all must not hang.
		for n, i := 0, 0; n < d.N && i < 40000; i++ {
			day++
			if cal.businessDay(day) {
				n++
			}
		}
	case Months:
		y, m, dd := recur.CivilFromDays(day)
		total := y*12 + m - 1 + d.N
		y, m = total/12, total%12+1
		day = recur.DaysFromCivil(y, m, min(dd, recur.DaysIn(y, m)))
	}
	if cal.roll && d.Unit != BusinessDays {
		for i := 0; i < 366 && !cal.businessDay(day); i++ {
			day++
		}
	}
	return endOfDay(cal.loc, day)
}

// endOfDay returns the last second of local day number day.
func endOfDay(loc *time.Location, day int) time.Time {
	// The instant before the next day begins, so a day cut short or
	// lengthened by a clock change still ends at midnight.
	return resolve(loc, recur.Wall(day+1)*86400).Add(-time.Second)
}

// Calendar is a business-day calendar: a time zone, weekend days and
// holidays. It is immutable and safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	weekend  [7]bool
	holidays []int // local day numbers, ascending
	roll     bool
}

var defaultWeekend = [7]bool{time.Saturday: true, time.Sunday: true}

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
	for _, h := range o.Holidays {
		c.holidays = append(c.holidays, recur.DaysFromCivil(h.Year, int(h.Month), h.Day))
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
// holidays.
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
	if c.TimeZone != "" {
		if loc, err = zone.Load(c.TimeZone); err != nil {
			return nil, fmt.Errorf("schedule: calendar %s: %w", id, err)
		}
	}
	o := CalendarOptions{Holidays: c.Holidays}
	for _, w := range c.Weekend {
		d, ok := recur.ParseDayCode(w)
		if !ok {
			return nil, fmt.Errorf("schedule: calendar %s: %q is not a weekday", id, w)
		}
		o.Weekend = append(o.Weekend, d)
	}
	return NewCalendar(loc, o), nil
}
