package recur

import (
	"fmt"
	"slices"
	"time"
)

// MaxTimesPerDay bounds BYHOUR × BYMINUTE × BYSECOND. Communications recur
// at most daily; a handful of times a day is the most a plan needs, and the
// bound keeps every period small.
const MaxTimesPerDay = 24

// Options carries what a rule is expanded against.
type Options struct {
	// Start is DTSTART's wall-clock reading.
	Start Wall
	// DateOnly is true when DTSTART is a DATE: occurrences fall at 00:00
	// and BYHOUR, BYMINUTE and BYSECOND are not allowed.
	DateOnly bool
	// Until bounds the occurrences (inclusive) in wall time. Zero means no
	// bound. The caller converts an UNTIL value to wall time; when UNTIL is
	// in UTC the caller passes a generous bound and filters instants itself.
	Until Wall
}

// Spec is a compiled rule: a normalised RRULE bound to its DTSTART. It is
// immutable and safe for concurrent use; iterate it with a [Cursor].
type Spec struct {
	rule     RRule // as given
	freq     Freq
	interval int
	start    Wall
	until    Wall // inclusive; MaxWall when unbounded
	sp       int  // period index of start
	times    []int32

	monthMask      uint16
	mdayPos        uint32
	mdayNeg        uint32
	hasMday        bool
	ydayPos        [6]uint64
	ydayNeg        [6]uint64
	hasYday        bool
	wnoPos, wnoNeg uint64
	hasWno         bool
	wdayMask       uint8
	nthPos, nthNeg [7]uint64
	hasDay, hasNth bool
	nthInYear      bool
	wkst           time.Weekday
	weekRef        int // a day number whose weekday is wkst
	setpos         []int
	startMatches   bool
	cycle          int // active periods after which the pattern repeats
	fast           fastShape
}

// Compile binds r to its DTSTART. It makes the rule parts RFC 5545 derives
// from DTSTART explicit, and rejects a rule that can produce no occurrence
// before the end of year 9999 (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30) with an
// error wrapping [ErrNoOccurrence], without iterating to year 9999.
func Compile(r RRule, o Options) (*Spec, error) {
	if o.Start < MinWall || o.Start > MaxWall {
		return nil, errorf("DTSTART", "year out of range %d..%d", MinYear, MaxYear)
	}
	if o.DateOnly {
		if len(r.ByHour)+len(r.ByMinute)+len(r.BySecond) > 0 {
			return nil, errorf("", "BYHOUR, BYMINUTE and BYSECOND cannot be used with a DATE start (an all-day rule)")
		}
		if o.Start.Secs() != 0 {
			return nil, errorf("DTSTART", "a DATE start has no time of day")
		}
	}
	s := &Spec{rule: r, freq: r.Freq, interval: r.Interval, start: o.Start, wkst: r.Wkst}
	if s.interval < 1 {
		s.interval = 1
	}
	s.weekRef = floorMod(int(s.wkst)-4, 7) // day 0 is a Thursday
	_, sm, sd, sh, smi, ss := o.Start.Civil()

	byMonth, byMonthDay, byDay := r.ByMonth, r.ByMonthDay, r.ByDay
	if len(r.ByWeekNo) == 0 && len(r.ByYearDay) == 0 && len(byMonthDay) == 0 && len(byDay) == 0 {
		switch r.Freq {
		case Yearly:
			if len(byMonth) == 0 {
				byMonth = []int{sm}
			}
			byMonthDay = []int{sd}
		case Monthly:
			byMonthDay = []int{sd}
		case Weekly:
			byDay = []WeekdayNum{{Day: Weekday(o.Start.Day())}}
		}
	}
	hours, minutes, seconds := r.ByHour, r.ByMinute, r.BySecond
	if len(hours) == 0 {
		hours = []int{sh}
	}
	if len(minutes) == 0 {
		minutes = []int{smi}
	}
	if len(seconds) == 0 {
		seconds = []int{ss}
	}
	if n := len(hours) * len(minutes) * len(seconds); n > MaxTimesPerDay {
		return nil, errorf("", "BYHOUR × BYMINUTE × BYSECOND give %d times a day; at most %d are allowed (communications recur at most daily)", n, MaxTimesPerDay)
	}
	for _, h := range hours {
		for _, mi := range minutes {
			for _, se := range seconds {
				s.times = append(s.times, int32(h*3600+mi*60+se))
			}
		}
	}
	slices.Sort(s.times)

	for _, m := range byMonth {
		s.monthMask |= 1 << m
	}
	for _, d := range byMonthDay {
		s.hasMday = true
		if d > 0 {
			s.mdayPos |= 1 << d
		} else {
			s.mdayNeg |= 1 << -d
		}
	}
	for _, d := range r.ByYearDay {
		s.hasYday = true
		if d > 0 {
			s.ydayPos[d/64] |= 1 << (d % 64)
		} else {
			s.ydayNeg[-d/64] |= 1 << (-d % 64)
		}
	}
	for _, w := range r.ByWeekNo {
		s.hasWno = true
		if w > 0 {
			s.wnoPos |= 1 << w
		} else {
			s.wnoNeg |= 1 << -w
		}
	}
	for _, d := range byDay {
		s.hasDay = true
		switch {
		case d.N == 0:
			s.wdayMask |= 1 << d.Day
		case d.N > 0:
			s.hasNth = true
			s.nthPos[d.Day] |= 1 << d.N
		default:
			s.hasNth = true
			s.nthNeg[d.Day] |= 1 << -d.N
		}
	}
	s.nthInYear = r.Freq == Yearly && len(r.ByMonth) == 0
	s.setpos = r.BySetPos
	s.sp = s.period(o.Start.Day())

	// The calendar repeats every 400 years (146097 days, a whole number of
	// weeks). Walking the active periods, the pattern repeats after
	// C/gcd(C, interval) of them, C being the cycle length in periods.
	var c int
	switch s.freq {
	case Yearly:
		c = 400
	case Monthly:
		c = 4800
	case Weekly:
		c = 146097 / 7
	default:
		c = 146097
	}
	s.cycle = c/gcd(c, s.interval) + 1
	s.startMatches = s.matches(o.Start)
	s.fast = s.detectFast()

	// Satisfiability, ignoring UNTIL and COUNT: a rule whose pattern has no
	// date at all is malformed, not merely finished.
	s.until = MaxWall
	var cur Cursor
	cur.Seek(s, o.Start)
	if _, ok := cur.Next(); !ok {
		return nil, fmt.Errorf("%w before the end of year %d", ErrNoOccurrence, MaxYear)
	}

	switch {
	case o.Until != 0:
		s.until = min(o.Until, MaxWall)
	case r.Count > 0:
		s.until = s.countBound(r.Count)
	}
	s.fast.until = s.until
	return s, nil
}

// countBound turns COUNT into an inclusive wall-time bound. DTSTART always
// counts as the first occurrence (RFC 5545 §3.3.10), so the rule gives
// count-1 more after it.
func (s *Spec) countBound(count int) Wall {
	after := count - 1
	if after == 0 {
		return s.start
	}
	// If COUNT cannot be reached before year 9999 it bounds nothing.
	active := int64((s.period(maxDay)-s.sp)/s.interval) + 1
	perPeriod := int64(len(s.times))
	switch {
	case len(s.setpos) > 0:
		perPeriod = int64(len(s.setpos))
	case s.freq == Yearly:
		perPeriod *= 366
	case s.freq == Monthly:
		perPeriod *= 31
	case s.freq == Weekly:
		perPeriod *= 7
	}
	if int64(after) >= active*perPeriod {
		return MaxWall
	}
	var cur Cursor
	cur.Seek(s, s.start+1)
	last := s.start
	for i := 0; i < after; i++ {
		w, ok := cur.Next()
		if !ok {
			return MaxWall
		}
		last = w
	}
	return last
}

// Start returns DTSTART's wall time.
func (s *Spec) Start() Wall { return s.start }

// Until returns the inclusive wall-time bound of the rule (MaxWall if none).
func (s *Spec) Until() Wall { return s.until }

// StartMatches reports whether DTSTART is itself an occurrence of the rule
// (whether DTSTART is "synchronized" with it, in RFC 5545's words).
func (s *Spec) StartMatches() bool { return s.startMatches }

// Rule returns the rule as given.
func (s *Spec) Rule() RRule { return s.rule }

// Times returns the seconds-of-day at which occurrences fall, ascending.
func (s *Spec) Times() []int32 { return slices.Clone(s.times) }

// period returns the index of the period that contains day d.
func (s *Spec) period(d int) int {
	switch s.freq {
	case Yearly:
		y, _, _ := CivilFromDays(d)
		return y
	case Monthly:
		y, m, _ := CivilFromDays(d)
		return y*12 + m - 1
	case Weekly:
		return floorDiv(d-s.weekRef, 7)
	}
	return d
}

// periodDays returns the first and last day numbers of period p.
func (s *Spec) periodDays(p int) (first, last int) {
	switch s.freq {
	case Yearly:
		return DaysFromCivil(p, 1, 1), DaysFromCivil(p, 12, 31)
	case Monthly:
		y, m := floorDiv(p, 12), floorMod(p, 12)+1
		first = DaysFromCivil(y, m, 1)
		return first, first + DaysIn(y, m) - 1
	case Weekly:
		first = s.weekRef + 7*p
		return first, first + 6
	}
	return p, p
}

// dayInfo describes one day for the BYxxx filters. Scans advance it a day
// at a time within a month instead of recomputing the civil date.
type dayInfo struct {
	day, m, mday, yday, monthLen, yearLen int
	wd                                    time.Weekday
	// Week numbering of the day's year, set only when BYWEEKNO is used:
	// the first days of week 1 of this and the next year, and the number
	// of weeks of the previous year.
	w1, w1next, prevWeeks int
}

func (di *dayInfo) advance() {
	di.day++
	di.mday++
	di.yday++
	if di.wd++; di.wd == 7 {
		di.wd = 0
	}
}

// matchDay applies every BYxxx filter that concerns dates.
func (s *Spec) matchDay(di *dayInfo) bool {
	if s.hasMday && s.mdayPos&(1<<di.mday) == 0 && s.mdayNeg&(1<<(di.monthLen-di.mday+1)) == 0 {
		return false
	}
	if s.hasYday {
		p, n := di.yday, di.yearLen-di.yday+1
		if s.ydayPos[p/64]&(1<<(p%64)) == 0 && s.ydayNeg[n/64]&(1<<(n%64)) == 0 {
			return false
		}
	}
	if s.hasWno && !s.matchWeekNo(di) {
		return false
	}
	if s.hasDay {
		if s.wdayMask&(1<<di.wd) != 0 {
			return true
		}
		if !s.hasNth {
			return false
		}
		pos, length := di.mday, di.monthLen
		if s.nthInYear {
			pos, length = di.yday, di.yearLen
		}
		k, kneg := (pos-1)/7+1, (length-pos)/7+1
		return s.nthPos[di.wd]&(1<<k) != 0 || s.nthNeg[di.wd]&(1<<kneg) != 0
	}
	return true
}

// week1Start returns the first day of week 1 of year y: the week, starting
// on WKST, that holds at least four days of y (RFC 5545 §3.3.10, BYWEEKNO).
func (s *Spec) week1Start(y int) int {
	jan1 := DaysFromCivil(y, 1, 1)
	off := floorMod(int(Weekday(jan1))-int(s.wkst), 7)
	if off <= 3 {
		return jan1 - off
	}
	return jan1 + 7 - off
}

func (s *Spec) matchWeekNo(di *dayInfo) bool {
	switch {
	case di.day < di.w1:
		// The last week of the previous year.
		return s.wnoPos&(1<<di.prevWeeks) != 0 || s.wnoNeg&(1<<1) != 0
	case di.day >= di.w1next:
		// Week 1 of the next year. Like other implementations, only the
		// positive number 1 selects it.
		return s.wnoPos&(1<<1) != 0
	}
	no := (di.day-di.w1)/7 + 1
	n := (di.w1next - di.w1) / 7
	return s.wnoPos&(1<<no) != 0 || s.wnoNeg&(1<<(n-no+1)) != 0
}

// appendDays appends, for every day in [first, last] that passes the
// filters, one occurrence per time of day.
func (s *Spec) appendDays(buf []Wall, first, last int) []Wall {
	for d := first; d <= last; {
		y, m, md := CivilFromDays(d)
		ml := DaysIn(y, m)
		end := min(last, d+ml-md)
		if s.monthMask != 0 && s.monthMask&(1<<m) == 0 {
			d = end + 1
			continue
		}
		jan1 := DaysFromCivil(y, 1, 1)
		di := dayInfo{day: d, m: m, mday: md, yday: d - jan1 + 1, monthLen: ml, yearLen: YearLen(y), wd: Weekday(d)}
		if s.hasWno {
			di.w1, di.w1next = s.week1Start(y), s.week1Start(y+1)
			di.prevWeeks = (di.w1 - s.week1Start(y-1)) / 7
		}
		for ; d <= end; d++ {
			if s.matchDay(&di) {
				for _, t := range s.times {
					buf = append(buf, Wall(d)*86400+Wall(t))
				}
			}
			di.advance()
		}
	}
	return buf
}

// matches reports whether w is an occurrence of the rule, ignoring bounds.
func (s *Spec) matches(w Wall) bool {
	d := w.Day()
	p := s.period(d)
	if p < s.sp || (p-s.sp)%s.interval != 0 {
		return false
	}
	_, found := slices.BinarySearch(s.appendPeriod(nil, p), w)
	return found
}

// appendPeriod appends the occurrences of period p in time order, with
// BYSETPOS applied and without regard to DTSTART or UNTIL.
func (s *Spec) appendPeriod(buf []Wall, p int) []Wall {
	first, last := s.periodDays(p)
	first, last = max(first, minDay), min(last, maxDay)
	if first > last {
		return buf
	}
	start := len(buf)
	buf = s.appendDays(buf, first, last)
	if len(s.setpos) == 0 {
		return buf
	}
	// The period's set is sorted; BYSETPOS picks from it by position.
	set := buf[start:]
	total := len(set)
	var picked [8]Wall
	sel := picked[:0]
	for _, pos := range s.setpos {
		i := pos - 1
		if pos < 0 {
			i = total + pos
		}
		if i >= 0 && i < total {
			sel = append(sel, set[i])
		}
	}
	slices.Sort(sel)
	return append(buf[:start], slices.Compact(sel)...)
}

// Cursor iterates the occurrences of a Spec in time order. Its zero value
// is unusable; call [Cursor.Seek] first. A Cursor is not safe for
// concurrent use, but any number of Cursors may share one Spec.
type Cursor struct {
	s     *Spec
	p     int    // current period
	buf   []Wall // occurrences of period p (general path)
	i     int    // next index into buf
	lower Wall   // occurrences before lower are skipped
	idle  int    // consecutive active periods without an occurrence
	done  bool
	fast  bool // the rule has a closed form
}

// Seek positions c at the first occurrence of s at or after from (and not
// before DTSTART). It reuses c's buffer.
func (c *Cursor) Seek(s *Spec, from Wall) {
	buf := c.buf[:0]
	*c = Cursor{s: s, buf: buf, lower: max(from, s.start)}
	if c.lower > s.until {
		c.done = true
		return
	}
	if s.fast.kind != fastNone {
		c.fast = true
		return
	}
	p := s.period(c.lower.Day())
	if off := (p - s.sp) % s.interval; off != 0 {
		p += s.interval - off
	}
	c.p = p - s.interval // Next advances into p
	c.i = 0
}

// Next returns the next occurrence, or false when there are no more.
func (c *Cursor) Next() (Wall, bool) {
	if c.done {
		return 0, false
	}
	s := c.s
	if c.fast {
		w, ok := s.fast.next(c.lower)
		if !ok || w > s.until {
			c.done = true
			return 0, false
		}
		c.lower = w + 1
		return w, true
	}
	for {
		for c.i < len(c.buf) {
			w := c.buf[c.i]
			c.i++
			if w < c.lower {
				continue
			}
			if w > s.until {
				c.done = true
				return 0, false
			}
			c.lower = w + 1
			c.idle = 0
			return w, true
		}
		c.p += s.interval
		first, _ := s.periodDays(c.p)
		if first > maxDay || Wall(first)*86400 > s.until {
			c.done = true
			return 0, false
		}
		c.idle++
		if c.idle > s.cycle {
			// A whole calendar cycle of active periods without an
			// occurrence: there will never be another.
			c.done = true
			return 0, false
		}
		c.buf = s.appendPeriod(c.buf[:0], c.p)
		c.i = 0
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
