package remind

import (
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// span is a duration of a reminder policy: a deadline's amount and unit.
type span struct {
	n    int
	unit schedule.Unit
}

func parseSpan(s string) (span, error) {
	d, err := schedule.ParseDeadline(s)
	if err != nil {
		return span{}, err
	}
	return span{d.N, d.Unit}, nil
}

// calendar is an activity's calendar as reminders count in it: business
// days (a schedule.Calendar), and business hours if it gives them.
type calendar struct {
	cal         *schedule.Calendar
	loc         *time.Location
	hours       bool
	open, close int // minutes after midnight, close excluded
	// slack is, in days, how far apart n business days can be at most
	// beyond n/workdays weeks: a week and one day per holiday.
	workdays, holidays int
}

func newCalendar(cal *schedule.Calendar, c comms.Calendar) calendar {
	k := calendar{cal: cal, loc: cal.Location(), workdays: 7 - len(c.Weekend), holidays: len(c.Holidays)}
	if len(c.Weekend) == 0 {
		k.workdays = 5
	}
	k.workdays = max(k.workdays, 1)
	k.open, k.close, k.hours = c.BusinessHours()
	return k
}

// dayNumber numbers the civil date of t (in its location): days since
// 1970-01-01.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// onDay returns the wall-clock time of t (hour, minute, second,
// nanosecond in the calendar's zone) on day number day.
func (k calendar) onDay(day int, t time.Time) time.Time {
	y, m, d := time.Unix(int64(day)*86400, 0).UTC().Date()
	l := t.In(k.loc)
	return time.Date(y, m, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), k.loc)
}

// noon is day number day at 12:00 in the calendar's zone.
func (k calendar) noon(day int) time.Time {
	y, m, d := time.Unix(int64(day)*86400, 0).UTC().Date()
	return time.Date(y, m, d, 12, 0, 0, 0, k.loc)
}

// businessAfter is the day number of the n-th business day after day.
func (k calendar) businessAfter(day, n int) int {
	return dayNumber(schedule.Deadline{N: n, Unit: schedule.BusinessDays}.From(k.noon(day), k.cal).In(k.loc))
}

func (k calendar) isBusinessDay(day int) bool { return k.cal.IsBusinessDay(k.noon(day)) }

// maxDaysFor bounds, in days, how far n business days reach.
func (k calendar) maxDaysFor(n int) int { return (n/k.workdays+1)*7 + k.holidays + 7 }

// after returns t moved s later, keeping t's wall-clock time for days,
// business days and months (counted in the calendar's zone): 3bd after
// Friday 10:00 is Wednesday 10:00 in a Saturday-Sunday week.
func (k calendar) after(t time.Time, s span) time.Time {
	switch s.unit {
	case schedule.Hours:
		return t.Add(time.Duration(s.n) * time.Hour)
	case schedule.Days:
		return t.In(k.loc).AddDate(0, 0, s.n)
	case schedule.Months:
		return addMonths(t.In(k.loc), s.n)
	}
	return k.onDay(k.businessAfter(dayNumber(t.In(k.loc)), s.n), t)
}

// before returns t moved s earlier, as after moves it later: n business
// days before a day D is the business day B with n business days in
// [B, D), so 1bd before a Monday (or a Sunday) is the Friday.
func (k calendar) before(t time.Time, s span) time.Time {
	switch s.unit {
	case schedule.Hours:
		return t.Add(-time.Duration(s.n) * time.Hour)
	case schedule.Days:
		return t.In(k.loc).AddDate(0, 0, -s.n)
	case schedule.Months:
		return addMonths(t.In(k.loc), -s.n)
	}
	d := dayNumber(t.In(k.loc))
	// target: the first business day from d on. B is the least day whose
	// n-th business day after it is target or later (f is monotone), found
	// by binary search: O(log n) deadline counts of O(log h) each.
	target := d
	if !k.isBusinessDay(d) {
		target = k.businessAfter(d, 1)
	}
	lo, hi := d-k.maxDaysFor(s.n), d-1 // f(hi) ≥ target; f(lo) < target
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if k.businessAfter(mid, s.n) >= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	return k.onDay(hi, t)
}

// addMonths moves t by n months, keeping its wall-clock time, the day
// clamped to the month's last (31 January + 1mo is 28 or 29 February).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// upperBound is a time after every u with before(u, s) at or before t:
// the end of the deadline s counts from t (and a few days more for
// months).
func (k calendar) upperBound(t time.Time, s span) time.Time {
	u := schedule.Deadline{N: s.n, Unit: s.unit}.From(t, k.cal).Add(time.Second)
	if s.unit == schedule.Months {
		// Clamping to a month's last day: 1mo before 31 March is
		// 28 February, more than a month after it.
		u = u.Add(4 * 24 * time.Hour)
	}
	if k.hours {
		// A reminder moved back into business hours (backInHours) can
		// come up to the days without them before its occurrence.
		u = u.Add(time.Duration(k.maxDaysFor(1)) * 24 * time.Hour)
	}
	return u
}

// reach bounds how far after(t, s) can be from t.
func (k calendar) reach(s span) time.Duration {
	day := 24 * time.Hour
	switch s.unit {
	case schedule.Hours:
		return time.Duration(s.n) * time.Hour
	case schedule.Days:
		return time.Duration(s.n+2) * day
	case schedule.Months:
		return time.Duration(31*s.n+2) * day
	}
	return time.Duration(k.maxDaysFor(s.n)+2) * day
}

// inHours moves t to the start of the next business hours when it falls
// outside them or on a day that is not a business day; t itself if the
// calendar has no business hours.
func (k calendar) inHours(t time.Time) time.Time {
	if !k.hours {
		return t
	}
	l := t.In(k.loc)
	day := dayNumber(l)
	secs := l.Hour()*3600 + l.Minute()*60 + l.Second()
	if k.isBusinessDay(day) {
		if secs >= k.open*60 && secs < k.close*60 {
			return t
		}
		if secs < k.open*60 {
			return k.opening(day)
		}
	}
	return k.opening(k.businessAfter(day, 1))
}

// backInHours moves t back to the start of the business hours it falls
// in or the last ones before it: for a reminder before an occurrence,
// which moved forward would come after what it announces. t itself if
// the calendar has no business hours.
func (k calendar) backInHours(t time.Time) time.Time {
	if !k.hours {
		return t
	}
	l := t.In(k.loc)
	day := dayNumber(l)
	secs := l.Hour()*3600 + l.Minute()*60 + l.Second()
	if k.isBusinessDay(day) && secs >= k.open*60 {
		if secs < k.close*60 {
			return t
		}
		return k.opening(day)
	}
	for step := 1; step <= k.maxDaysFor(1); step++ {
		if k.isBusinessDay(day - step) {
			return k.opening(day - step)
		}
	}
	return t
}

// opening is when business hours begin on day number day.
func (k calendar) opening(day int) time.Time {
	y, m, d := time.Unix(int64(day)*86400, 0).UTC().Date()
	return time.Date(y, m, d, k.open/60, k.open%60, 0, 0, k.loc)
}

// lowerBound returns a time at or before which any t that inHours moves
// past since must lie after: since itself without business hours, else
// the last close of business hours at or before since (a t before it is
// moved to an opening at or before since).
func (k calendar) lowerBound(since time.Time) time.Time {
	if !k.hours {
		return since
	}
	l := since.In(k.loc)
	day := dayNumber(l)
	for step := 0; step <= k.maxDaysFor(1); step++ {
		x := day - step
		if !k.isBusinessDay(x) {
			continue
		}
		y, m, d := time.Unix(int64(x)*86400, 0).UTC().Date()
		closing := time.Date(y, m, d, 0, 0, 0, 0, k.loc).Add(time.Duration(k.close) * time.Minute)
		if !closing.After(since) {
			return closing
		}
		if !k.opening(x).After(since) {
			return since // within business hours
		}
	}
	return since.Add(-time.Duration(k.maxDaysFor(1)+1) * 24 * time.Hour)
}
