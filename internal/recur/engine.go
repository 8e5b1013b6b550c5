package recur

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
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
	// Budget, if not nil, is charged for the work Compile does; Compile
	// fails with an error wrapping [ErrBudget] once it is spent. Callers
	// that compile many rules from one untrusted input (the activities of
	// a plan file) share one Budget among them.
	Budget *Budget
}

// Budget bounds the work of compiling rules: every step of the check that a
// rule can match and of the bound COUNT sets (a period or a month looked
// at, a day tested) costs one unit, and every compilation a fixed
// [CompileCost] on top. The work per rule is bounded whatever the rule
// (see [Compile]); a Budget bounds the total over many rules, such as the
// rules of one plan.
//
// A Budget pays once for each distinct rule (rule, DTSTART and bound):
// compiling it again against the same Budget costs nothing and returns the
// same Spec, even if the shared cache has let it go meanwhile. It is
// charged what the work costs even when the rule is found compiled, so the
// outcome is the same on a cold cache as on a warm one. A Budget is not
// safe for concurrent use.
type Budget struct {
	left int64
	paid map[specKey]*compiled // the distinct rules charged, and what they gave
}

// paidFor returns what compiling k gave, if b has paid for it.
func (b *Budget) paidFor(k specKey) (*compiled, bool) {
	if b == nil {
		return nil, false
	}
	e, ok := b.paid[k]
	return e, ok
}

// pay records that b paid for k.
func (b *Budget) pay(k specKey, e *compiled) {
	if b == nil {
		return
	}
	if b.paid == nil {
		b.paid = map[specKey]*compiled{}
	}
	b.paid[k] = e
}

// CompileCost is what every Compile call charges a [Budget] before it
// starts: parsing and binding a rule costs about as much as this many
// steps of the search for its first occurrence.
const CompileCost = 32

// NewBudget returns a budget of steps units of work.
func NewBudget(steps int64) *Budget { return &Budget{left: steps} }

// Left returns the units not yet spent; it is negative once the budget is
// overspent.
func (b *Budget) Left() int64 { return b.left }

// ErrBudget is wrapped by the error of a Compile call whose [Budget] ran
// out.
var ErrBudget = errors.New("the work budget for recurrence rules is spent")

// Spec is a compiled rule: a normalised RRULE bound to its DTSTART. It is
// immutable and safe for concurrent use; iterate it with a [Cursor].
type Spec struct {
	rule     RRule // as given, without UNTIL (Options.Until carries it)
	freq     Freq
	interval int
	start    Wall
	until    Wall // inclusive: Options.Until, COUNT's bound, or MaxWall
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

	// For FREQ=DAILY: the weekdays of BYDAY repeated (bit t: weekday t%7),
	// and the interval's grid (bit t: t%interval == 0).
	wdayPat, gridPat uint64
	// nKeys is the number of kinds of period (see periodKey) the
	// calendar has for this rule's frequency.
	nKeys int
}

// Compile binds r to its DTSTART. It makes the rule parts RFC 5545 derives
// from DTSTART explicit, and rejects a rule that can produce no occurrence
// before the end of year 9999 (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30) with an
// error wrapping [ErrNoOccurrence], without iterating to year 9999. The
// rule's UNTIL part is ignored: the caller gives the bound in
// [Options.Until].
//
// Compiled rules are shared (see [CacheStats]): compiling the same rule,
// DTSTART and bound again returns the same immutable *Spec, or the same
// error, without doing the work again, however many plans, activities or
// packages ask. A [Budget] is still charged what the work costs, once for
// each distinct rule, so whether a budget lasts never depends on what was
// compiled before.
//
// # Cost
//
// The work is bounded for every rule, and independent of COUNT in all but
// a bounded way: the bound COUNT puts on the occurrences is computed here,
// from counts per period rather than by walking the occurrences, in at
// most two 400-year calendar cycles of periods (see [Spec.Until]).
// Finding the first occurrence looks at each period of the rule (year,
// month, week) at most once, in constant time for every kind of period
// already seen (a year is known by its leap year and weekday of 1
// January, a month by its length and the weekday of its first day, a week
// by where a month boundary cuts it: at most 91 kinds), and stops after a
// whole 400-year cycle of them; a period is evaluated a month at a time
// with bit masks, or for BYWEEKNO and BYYEARDAY only on the days they
// name; a daily rule is searched a month at a time. Rules a single look
// shows can never match are rejected at once. The costliest rules found
// by the tests take about 10,000 [Budget] units (some hundreds of
// microseconds); an ordinary rule takes about 50.
//
// Compile is safe for concurrent use; a Budget is not (give each goroutine
// its own).
func Compile(r RRule, o Options) (*Spec, error) { return compileShared(r, o) }

// compile is Compile without the shared cache; with check false it skips
// the proof that the rule can match (for tests that check the proof). It
// runs the steps of binding a rule in order: check the options, derive
// the parts DTSTART implies, lay out the times of day and the date
// filters, size the calendar cycle, then prove the rule can match and
// bound it.
func compile(r RRule, o Options, check bool) (*Spec, error) {
	if err := checkOptions(r, o); err != nil {
		return nil, err
	}
	// A Spec is shared (see Compile): it keeps its own copy of the rule.
	r = r.clone()
	r.Until = Until{}
	s := &Spec{rule: r, freq: r.Freq, interval: max(r.Interval, 1), start: o.Start, wkst: r.Wkst}
	s.weekRef = floorMod(int(s.wkst)-4, 7) // day 0 is a Thursday
	if err := s.bindTimes(r, o.Start); err != nil {
		return nil, err
	}
	byMonth, byMonthDay, byDay := impliedDates(r, o.Start)
	s.bindDates(r, byMonth, byMonthDay, byDay)
	if err := s.bindSetPos(check); err != nil {
		return nil, err
	}
	s.sp = s.period(o.Start.Day())
	if err := s.bindCycle(check); err != nil {
		return nil, err
	}
	s.startMatches = s.matches(o.Start)
	s.fast = s.detectFast()
	if err := s.bound(o, check); err != nil {
		return nil, err
	}
	return s, nil
}

// checkOptions charges the budget for a compilation and checks DTSTART
// against the calendar's range and the rule's form.
func checkOptions(r RRule, o Options) error {
	if b := o.Budget; b != nil {
		if b.left -= CompileCost; b.left < 0 {
			return ErrBudget
		}
	}
	if o.Start < MinWall || o.Start > MaxWall {
		return errorf("DTSTART", "year out of range %d..%d", MinYear, MaxYear)
	}
	if o.DateOnly {
		if len(r.ByHour)+len(r.ByMinute)+len(r.BySecond) > 0 {
			return errorf("", "BYHOUR, BYMINUTE and BYSECOND cannot be used with a DATE start (an all-day rule)")
		}
		if o.Start.Secs() != 0 {
			return errorf("DTSTART", "a DATE start has no time of day")
		}
	}
	return nil
}

// impliedDates returns BYMONTH, BYMONTHDAY and BYDAY with what RFC 5545
// takes from DTSTART when a rule names no day at all: a yearly rule recurs
// on DTSTART's month and day, a monthly one on its day of the month, a
// weekly one on its weekday.
func impliedDates(r RRule, start Wall) (byMonth, byMonthDay []int, byDay []WeekdayNum) {
	byMonth, byMonthDay, byDay = r.ByMonth, r.ByMonthDay, r.ByDay
	if len(r.ByWeekNo) > 0 || len(r.ByYearDay) > 0 || len(byMonthDay) > 0 || len(byDay) > 0 {
		return byMonth, byMonthDay, byDay
	}
	_, sm, sd, _, _, _ := start.Civil()
	switch r.Freq {
	case Yearly:
		if len(byMonth) == 0 {
			byMonth = []int{sm}
		}
		byMonthDay = []int{sd}
	case Monthly:
		byMonthDay = []int{sd}
	case Weekly:
		byDay = []WeekdayNum{{Day: Weekday(start.Day())}}
	}
	return byMonth, byMonthDay, byDay
}

// bindTimes sets the times of day of the rule: every combination of
// BYHOUR, BYMINUTE and BYSECOND, each defaulting to DTSTART's, at most
// [MaxTimesPerDay] of them.
func (s *Spec) bindTimes(r RRule, start Wall) error {
	_, _, _, sh, smi, ss := start.Civil()
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
		return errorf("", "BYHOUR × BYMINUTE × BYSECOND give %d times a day; at most %d are allowed (communications recur at most daily)", n, MaxTimesPerDay)
	}
	for _, h := range hours {
		for _, mi := range minutes {
			for _, se := range seconds {
				s.times = append(s.times, int32(h*3600+mi*60+se))
			}
		}
	}
	slices.Sort(s.times)
	return nil
}

// bindDates turns the date filters into bit masks: BYMONTH, BYMONTHDAY
// and BYDAY as DTSTART completes them (see impliedDates), BYYEARDAY and
// BYWEEKNO as given.
func (s *Spec) bindDates(r RRule, byMonth, byMonthDay []int, byDay []WeekdayNum) {
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
	for t := 0; t < 64; t++ {
		if s.wdayMask&(1<<(t%7)) != 0 {
			s.wdayPat |= 1 << t
		}
	}
}

// bindSetPos sets BYSETPOS. A daily rule's set is its times of day, the
// same every day, so BYSETPOS is applied to them once, here.
func (s *Spec) bindSetPos(check bool) error {
	s.setpos = s.rule.BySetPos
	if s.freq != Daily || len(s.setpos) == 0 {
		return nil
	}
	n := len(s.times)
	s.times = pick(s.times, s.setpos)
	s.setpos = nil
	if len(s.times) == 0 && check {
		return fmt.Errorf("%w: BYSETPOS selects none of the %d times of a day", ErrNoOccurrence, n)
	}
	return nil
}

// bindCycle sets how many active periods the rule's pattern takes to
// repeat and how many kinds of period the calendar has for its frequency.
// The calendar repeats every 400 years (146097 days, a whole number of
// weeks); walking the active periods, the pattern repeats after
// C/gcd(C, interval) of them, C being the cycle length in periods. For a
// daily rule it also rejects the filters a single look shows can never
// match.
func (s *Spec) bindCycle(check bool) error {
	var c int
	switch s.freq {
	case Yearly:
		c, s.nKeys = 400, 21
		if s.hasWno {
			s.nKeys = 28
		}
	case Monthly:
		c, s.nKeys = 4800, 91
	case Weekly:
		c, s.nKeys = 146097/7, 84
		if s.monthMask == 0 {
			s.nKeys = 1
		}
	default:
		c = 146097
		for t := 0; t < 64; t++ {
			if t%s.interval == 0 {
				s.gridPat |= 1 << t
			}
		}
		startDay := Weekday(s.start.Day())
		if check && s.hasDay && s.interval%7 == 0 && s.wdayMask&(1<<startDay) == 0 {
			// Every day of the grid is the weekday DTSTART is.
			return fmt.Errorf("%w: every %d days from a %v is a %v, which BYDAY leaves out", ErrNoOccurrence, s.interval, startDay, startDay)
		}
		if check && !s.someMonthMatches() {
			return fmt.Errorf("%w: no month has a day that BYMONTH, BYMONTHDAY and BYDAY all allow", ErrNoOccurrence)
		}
	}
	s.cycle = c/gcd(c, s.interval) + 1
	return nil
}

// bound proves that the rule can match (ignoring UNTIL and COUNT: a rule
// whose pattern has no date at all is malformed, not merely finished),
// then sets its inclusive bound from Options.Until or COUNT.
func (s *Spec) bound(o Options, check bool) error {
	s.until = MaxWall
	var cur Cursor
	cur.budget = o.Budget
	cur.seek(s, o.Start, MaxWall)
	if _, ok := cur.Next(); !ok && check {
		if cur.spent {
			return ErrBudget
		}
		return fmt.Errorf("%w before the end of year %d", ErrNoOccurrence, MaxYear)
	}
	switch {
	case o.Until != 0:
		s.until = min(o.Until, MaxWall)
	case s.rule.Count > 0:
		// Computed now, so that the work is charged with the rest: a Spec
		// is shared, and whoever iterates it first must not pay for it
		// outside any budget.
		s.until = s.countBound(s.rule.Count, o.Budget)
		if o.Budget != nil && o.Budget.left < 0 {
			return ErrBudget
		}
	}
	s.fast.until = s.until
	return nil
}

// pick returns the elements of sorted set at the positions of BYSETPOS.
func pick(set []int32, setpos []int) []int32 {
	var out []int32
	for _, pos := range setpos {
		i := pos - 1
		if pos < 0 {
			i = len(set) + pos
		}
		if i >= 0 && i < len(set) {
			out = append(out, set[i])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// countBound turns COUNT into an inclusive wall-time bound. DTSTART always
// counts as the first occurrence (RFC 5545 §3.3.10), so the rule gives
// count-1 more after it. b, if not nil, is charged for the work; once it
// is spent the count stops, and the bound returned means nothing.
func (s *Spec) countBound(count int, b *Budget) Wall {
	after := int64(count - 1)
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
	if after >= active*perPeriod {
		return MaxWall
	}
	var w Wall
	var ok bool
	c := &Cursor{budget: b}
	if s.freq == Daily {
		w, ok = s.nthDaily(after, c)
	} else {
		w, ok = s.nthPeriods(after, c)
	}
	if !ok {
		return MaxWall
	}
	return w
}

// nthPeriods returns the n-th occurrence (n ≥ 1) after DTSTART of a rule
// of yearly, monthly or weekly frequency. It counts occurrences period by
// period, each kind of period evaluated once, and skips whole calendar
// cycles by arithmetic, so its cost does not depend on n: at most two
// cycles of periods.
func (s *Spec) nthPeriods(n int64, c *Cursor) (Wall, bool) {
	p := s.sp
	var set periodSet
	s.evalPeriod(&set, p)
	for k := 0; k < set.n; k++ {
		if w := set.at(s, k); w > s.start {
			if n--; n == 0 {
				return w, true
			}
		}
	}
	var counts [91]int32 // count+1 per kind of period; 0: not yet known
	lastP := s.period(maxDay)
	r := s.cycle - 1 // active periods in a cycle
	steps, total := 0, int64(0)
	for {
		p += s.interval
		if p > lastP {
			return 0, false
		}
		first, last := s.periodDays(p)
		key, keyed := s.periodKey(p, first, last)
		cnt := int64(-1)
		if keyed && counts[key] > 0 {
			cnt = int64(counts[key] - 1)
		}
		if !c.spend(1) {
			return 0, false
		}
		if cnt < 0 {
			if !c.spend(s.periodCost()) {
				return 0, false
			}
			s.evalPeriod(&set, p)
			if !c.spend(set.work()) {
				return 0, false
			}
			cnt = int64(set.n)
			if keyed {
				counts[key] = int32(cnt + 1)
			}
		}
		if cnt >= n {
			s.evalPeriod(&set, p)
			return set.at(s, int(n-1)), true
		}
		n -= cnt
		if r == 0 {
			continue
		}
		total += cnt
		if steps++; steps < r {
			continue
		}
		// One whole cycle counted: skip as many more as leave occurrences
		// to find, and never the last period, which the end of year 9999
		// may cut short.
		r = 0
		if total == 0 {
			return 0, false
		}
		span := int64(steps) * int64(s.interval) // periods in a cycle
		t := min((n-1)/total, (int64(lastP-p)-1)/span)
		if t > 0 {
			p += int(t * span)
			n -= t * total
		}
	}
}

// nthDaily is nthPeriods for FREQ=DAILY, a month at a time.
func (s *Spec) nthDaily(n int64, c *Cursor) (Wall, bool) {
	perDay := int64(len(s.times))
	d0 := s.start.Day()
	if s.dayMatches(d0) {
		for _, t := range s.times {
			if w := Wall(d0)*86400 + Wall(t); w > s.start {
				if n--; n == 0 {
					return w, true
				}
			}
		}
	}
	k := s.interval
	// After k/g 400-year cycles (g = gcd(146097, k)), both the calendar and
	// the grid of every k-th day repeat: count one such span, then skip
	// whole ones. Longer intervals are walked a grid day at a time.
	g := gcd(146097, k)
	span := 0
	if k <= 31 {
		span = 146097 * (k / g)
	}
	cycleStart, total := 0, int64(0)
	for d := d0 + 1; d <= maxDay; {
		if !c.spend(2) {
			return 0, false
		}
		y, m, md := CivilFromDays(d)
		length := DaysIn(y, m)
		first := d - md + 1
		mask := s.dayMask(m, length, first) & s.gridMask(first, length) &^ (1<<md - 1)
		cnt := int64(bits.OnesCount32(mask)) * perDay
		if n <= cnt {
			for i := (n - 1) / perDay; i > 0; i-- {
				mask &= mask - 1
			}
			day := first + bits.TrailingZeros32(mask) - 1
			return Wall(day)*86400 + Wall(s.times[(n-1)%perDay]), true
		}
		n -= cnt
		d = s.afterMonth(y, m, first+length)
		switch {
		case span == 0:
		case cycleStart == 0:
			// The rest of DTSTART's month comes before the first span.
			cycleStart = d
		default:
			total += cnt
			if d < cycleStart+span {
				break
			}
			// Months in [cycleStart+span, d) were skipped as empty, as they
			// are in every span.
			if total == 0 {
				return 0, false
			}
			if t := min((n-1)/total, int64(maxDay-d)/int64(span)); t > 0 {
				d += int(t) * span
				n -= t * total
			}
			span = 0
		}
	}
	return 0, false
}

// Start returns DTSTART's wall time.
func (s *Spec) Start() Wall { return s.start }

// Until returns the inclusive wall-time bound of the rule (MaxWall if none).
// For a rule with COUNT it is the last occurrence COUNT allows.
func (s *Spec) Until() Wall { return s.until }

// Matches reports whether w is an occurrence of the rule, ignoring its
// bound and DTSTART (which is an occurrence whether or not it matches).
// It costs one evaluation of w's period.
func (s *Spec) Matches(w Wall) bool { return s.matches(w) }

// WithCount returns a copy of s bounded by its count-th occurrence in
// wall-clock order, DTSTART being the first, as if its COUNT were count.
// A caller that maps wall times to instants, where two local times can
// name one instant, uses it to make COUNT count instants (see package
// schedule). The work is that of Compile's bound for COUNT, charged to b
// if not nil; once b is spent, the copy's bound means nothing and the
// caller must report [ErrBudget].
func (s *Spec) WithCount(count int, b *Budget) *Spec {
	c := *s
	c.until = s.countBound(count, b)
	c.fast.until = c.until
	return &c
}

// StartMatches reports whether DTSTART is itself an occurrence of the rule
// (whether DTSTART is "synchronized" with it, in RFC 5545's words).
func (s *Spec) StartMatches() bool { return s.startMatches }

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

// periodKey returns the kind of period p (whose days are first..last): a
// number below s.nKeys such that two periods of one kind have their
// occurrences on the same days and times counted from their first day. It
// is false for a period that the ends of the calendar cut short, and for
// FREQ=DAILY.
//
// A year's occurrences depend on whether it is a leap year, the weekday of
// 1 January and, for week numbers, whether the year before or the year
// after is a leap year (at most one of the three is: 21 kinds, 28 with
// BYWEEKNO, whose weeks -52 and -53 reach into the next year's week 1); a month's on its length and the weekday of its first day
// (91 kinds); a week's on the month of its first day and how many of its
// days that month holds (84 kinds), since weekly rules filter by weekday
// and month only.
func (s *Spec) periodKey(p, first, last int) (int, bool) {
	switch s.freq {
	case Yearly:
		key := int(Weekday(first))
		switch {
		case IsLeap(p):
			key += 7
		case IsLeap(p - 1):
			key += 14
		case IsLeap(p+1) && s.hasWno:
			key += 21
		}
		return key, true
	case Monthly:
		y, m := floorDiv(p, 12), floorMod(p, 12)+1
		if m == 2 && IsLeap(y) {
			return 84 + int(Weekday(first)), true
		}
		return (m-1)*7 + int(Weekday(first)), true
	case Weekly:
		if first < minDay || last > maxDay {
			return 0, false
		}
		if s.monthMask == 0 {
			return 0, true
		}
		y, m, md := CivilFromDays(first)
		in := min(7, DaysIn(y, m)-md+1)
		return (m-1)*7 + in - 1, true
	}
	return 0, false
}

// dayMask returns the days of month m (bit d for day d; the month has
// length days and starts on day number first) that pass the filters of a
// FREQ=DAILY rule: BYMONTH, BYMONTHDAY and BYDAY, the only ones RFC 5545
// allows with it.
func (s *Spec) dayMask(m, length, first int) uint32 {
	if s.monthMask != 0 && s.monthMask&(1<<m) == 0 {
		return 0
	}
	mask := uint32(uint64(1)<<(length+1) - 2)
	if s.hasMday {
		// -j is day length+1-j: reverse the bits of BYMONTHDAY's negatives.
		neg := uint32(uint64(bits.Reverse32(s.mdayNeg)) << 1 >> (31 - length))
		mask &= s.mdayPos | neg
	}
	if s.hasDay {
		mask &= uint32(s.wdayPat>>Weekday(first)) << 1
	}
	return mask
}

// someMonthMatches reports whether any month of any year has a day that
// passes the filters of a FREQ=DAILY rule: it tries every kind of month
// (length and weekday of the first day), 91 masks.
func (s *Spec) someMonthMatches() bool {
	for m := 1; m <= 12; m++ {
		for _, length := range []int{DaysIn(2001, m), DaysIn(2004, m)} {
			for wd := 0; wd < 7; wd++ {
				// Day number wd+3 is a weekday wd (day 0 is a Thursday).
				if s.dayMask(m, length, wd+3) != 0 {
					return true
				}
			}
		}
	}
	return false
}

// gridMask returns the days of a month (as dayMask) that lie on the rule's
// grid: every interval-th day from DTSTART.
func (s *Spec) gridMask(first, length int) uint32 {
	k := s.interval
	if k == 1 {
		return ^uint32(0)
	}
	off := 1 + floorMod(s.start.Day()-first, k) // the first such day
	if k <= 31 {
		return uint32(s.gridPat << off)
	}
	if off <= length {
		return 1 << off
	}
	return 0
}

// dayMatches reports whether day d is on the grid of a FREQ=DAILY rule and
// passes its filters.
func (s *Spec) dayMatches(d int) bool {
	y, m, md := CivilFromDays(d)
	length := DaysIn(y, m)
	first := d - md + 1
	return s.dayMask(m, length, first)&s.gridMask(first, length)&(1<<md) != 0
}

// nextDay returns the first day from day from on (which is on the grid) to
// day limit that a FREQ=DAILY rule matches, looking at a month at a time.
func (s *Spec) nextDay(from, limit int, c *Cursor) (int, bool) {
	for d := from; d <= limit; {
		if !c.spend(2) {
			return 0, false
		}
		y, m, md := CivilFromDays(d)
		length := DaysIn(y, m)
		first := d - md + 1
		if mask := s.dayMask(m, length, first) & s.gridMask(first, length) &^ (1<<md - 1); mask != 0 {
			day := first + bits.TrailingZeros32(mask) - 1
			return day, day <= limit
		}
		d = s.afterMonth(y, m, first+length)
	}
	return 0, false
}

// afterMonth returns the day a month-at-a-time scan of a FREQ=DAILY rule
// looks at after month y-m, which ends the day before next: the first day
// of the next month BYMONTH allows, or for an interval longer than a month
// the first day of the grid from then on. It is past maxDay when the
// calendar ends first.
func (s *Spec) afterMonth(y, m, next int) int {
	if s.monthMask != 0 && s.monthMask&(1<<(m%12+1)) == 0 {
		for {
			if m++; m > 12 {
				y, m = y+1, 1
			}
			if s.monthMask&(1<<m) != 0 {
				break
			}
		}
		if y > MaxYear {
			return maxDay + 1
		}
		next = DaysFromCivil(y, m, 1)
	}
	if s.interval > 31 {
		next += floorMod(s.start.Day()-next, s.interval)
	}
	return next
}

// dayInfo describes one day for the BYxxx filters. Scans advance it a day
// at a time within a month instead of recomputing the civil date.
type dayInfo struct {
	day, m, mday, yday, monthLen, yearLen int
	wd                                    time.Weekday
	// Week numbering of the day's year, set only when BYWEEKNO is used:
	// the first days of week 1 of this and the next year, and the number
	// of weeks of the previous and the next year.
	w1, w1next, prevWeeks, nextWeeks int
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

// matchWeekNo reports whether BYWEEKNO selects the week of the day. A week
// has a number counted from the start of the week-numbering year it
// belongs to (the year that holds at least four of its days) and one
// counted from its end (-1 for the last week), and either selects it, also
// for the days of the week that lie in the calendar year before or after:
// the days of 1 January's week that belong to last year's last week are
// selected by that week's number (52 or 53) and by -1; the December days
// of next year's week 1 by 1 and by -52 or -53, whichever is next year's
// week 1 counted from its end.
func (s *Spec) matchWeekNo(di *dayInfo) bool {
	switch {
	case di.day < di.w1:
		// The last week of the previous year.
		return s.wnoPos&(1<<di.prevWeeks) != 0 || s.wnoNeg&(1<<1) != 0
	case di.day >= di.w1next:
		// Week 1 of the next year, which is also that year's week -n of n.
		return s.wnoPos&(1<<1) != 0 || s.wnoNeg&(1<<di.nextWeeks) != 0
	}
	no := (di.day-di.w1)/7 + 1
	n := (di.w1next - di.w1) / 7
	return s.wnoPos&(1<<no) != 0 || s.wnoNeg&(1<<(n-no+1)) != 0
}

// monthLocal reports whether every filter of the rule is decided by the
// day's month, day of month and weekday (no BYYEARDAY, BYWEEKNO or ordinal
// weekday counted in the year), so that a month's matching days are a bit
// mask.
func (s *Spec) monthLocal() bool { return !s.hasYday && !s.hasWno && !(s.hasNth && s.nthInYear) }

// monthMatches returns the days of month m that pass a month-local rule's
// filters, as dayMask does, ordinal weekdays of the month included.
func (s *Spec) monthMatches(m, length, first int) uint32 {
	if !s.hasNth {
		return s.dayMask(m, length, first)
	}
	if s.monthMask != 0 && s.monthMask&(1<<m) == 0 {
		return 0
	}
	days := uint32(s.wdayPat>>Weekday(first)) << 1
	wd1 := int(Weekday(first))
	for wd := 0; wd < 7; wd++ {
		if s.nthPos[wd] == 0 && s.nthNeg[wd] == 0 {
			continue
		}
		for pos := 1 + floorMod(wd-wd1, 7); pos <= length; pos += 7 {
			if s.nthPos[wd]&(1<<((pos-1)/7+1)) != 0 || s.nthNeg[wd]&(1<<((length-pos)/7+1)) != 0 {
				days |= 1 << pos
			}
		}
	}
	mask := uint32(uint64(1)<<(length+1) - 2)
	if s.hasMday {
		neg := uint32(uint64(bits.Reverse32(s.mdayNeg)) << 1 >> (31 - length))
		mask &= s.mdayPos | neg
	}
	return mask & days
}

// appendYearCandidates is appendDays for a yearly rule with BYWEEKNO or
// BYYEARDAY over year y (days first..last): it tests only the days those
// parts allow, the weeks or the days of the year they name.
func (s *Spec) appendYearCandidates(days []int32, y, first, last int) []int32 {
	var runs [][2]int
	add := func(a, b int) {
		a, b = max(a, first), min(b, last)
		if a > b {
			return
		}
		if n := len(runs); n > 0 && runs[n-1][1] >= a-1 {
			runs[n-1][1] = max(runs[n-1][1], b)
			return
		}
		runs = append(runs, [2]int{a, b})
	}
	jan1 := DaysFromCivil(y, 1, 1)
	if s.hasWno {
		w1, w1next := s.week1Start(y), s.week1Start(y+1)
		n := (w1next - w1) / 7
		// The days before week 1 are in the last week of the year before;
		// those from w1next on in week 1 of the next (see matchWeekNo).
		prevWeeks := (w1 - s.week1Start(y-1)) / 7
		nextWeeks := (s.week1Start(y+2) - w1next) / 7
		if s.wnoPos&(1<<prevWeeks) != 0 || s.wnoNeg&(1<<1) != 0 {
			add(jan1, w1-1)
		}
		for no := 1; no <= n; no++ {
			if s.wnoPos&(1<<no) != 0 || s.wnoNeg&(1<<(n-no+1)) != 0 {
				add(w1+7*(no-1), w1+7*no-1)
			}
		}
		if s.wnoPos&(1<<1) != 0 || s.wnoNeg&(1<<nextWeeks) != 0 {
			add(w1next, last)
		}
		if s.hasYday {
			// Both: test the days of the weeks, which are fewer.
		}
	} else {
		yl := YearLen(y)
		for yd := 1; yd <= yl; yd++ {
			n := yl - yd + 1
			if s.ydayPos[yd/64]&(1<<(yd%64)) != 0 || s.ydayNeg[n/64]&(1<<(n%64)) != 0 {
				add(jan1+yd-1, jan1+yd-1)
			}
		}
	}
	for _, r := range runs {
		days = s.appendDays(days, r[0], r[1])
	}
	return days
}

// appendDays appends the day numbers of the days in [first, last] that
// pass the filters. Each of them holds an occurrence at every time of day
// of the rule; leaving the times out keeps a period's set small (a year of
// 24 times a day is 366 days, not 8,784 occurrences).
func (s *Spec) appendDays(days []int32, first, last int) []int32 {
	if s.monthLocal() {
		for d := first; d <= last; {
			y, m, md := CivilFromDays(d)
			length := DaysIn(y, m)
			start := d - md + 1
			end := min(last, start+length-1)
			mask := s.monthMatches(m, length, start) &^ (1<<md - 1)
			if end < start+length-1 {
				mask &= 1<<(end-start+2) - 1
			}
			for ; mask != 0; mask &= mask - 1 {
				days = append(days, int32(start+bits.TrailingZeros32(mask)-1))
			}
			d = end + 1
		}
		return days
	}
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
			di.nextWeeks = (s.week1Start(y+2) - di.w1next) / 7
		}
		for ; d <= end; d++ {
			if s.matchDay(&di) {
				days = append(days, int32(d))
			}
			di.advance()
		}
	}
	return days
}

// periodCost is what evaluating one period costs, in Budget units. A unit
// is about the work of stepping to the next period (a few tens of
// nanoseconds); evaluating a month-local period costs about a unit per
// month it spans, one with BYWEEKNO or BYYEARDAY up to a unit per few days
// it tests.
func (s *Spec) periodCost() int {
	months := 1 // months a period spans or touches, for the month masks
	switch {
	case s.freq != Yearly:
	case !s.monthLocal():
		return 120
	case s.monthMask != 0:
		months = bits.OnesCount16(s.monthMask)
	default:
		months = 12
	}
	if s.hasNth {
		return 3 * months // ordinal weekdays are found a weekday at a time
	}
	return months
}

// matches reports whether w is an occurrence of the rule, ignoring bounds.
func (s *Spec) matches(w Wall) bool {
	d := w.Day()
	p := s.period(d)
	if p < s.sp || (p-s.sp)%s.interval != 0 {
		return false
	}
	var ps periodSet
	s.evalPeriod(&ps, p)
	k := ps.search(s, w)
	return k < ps.n && ps.at(s, k) == w
}

// periodSet is the occurrences of one period, in time order: the days
// that match, each at every time of day of the rule, or, with BYSETPOS,
// the occurrences picked from those. It is built without writing out the
// times of day: a period costs what its days cost, and BYSETPOS picks by
// arithmetic on the positions.
type periodSet struct {
	days  []int32 // the days that match, ascending
	picks []Wall  // with BYSETPOS: the occurrences picked, ascending
	n     int     // occurrences
}

// at returns the k-th occurrence of the set (0 ≤ k < n).
func (ps *periodSet) at(s *Spec, k int) Wall {
	if len(s.setpos) > 0 {
		return ps.picks[k]
	}
	t := len(s.times)
	return Wall(ps.days[k/t])*86400 + Wall(s.times[k%t])
}

// search returns the index of the first occurrence at or after w, or n.
func (ps *periodSet) search(s *Spec, w Wall) int {
	return sort.Search(ps.n, func(k int) bool { return ps.at(s, k) >= w })
}

// work is what building the set cost, in Budget units beyond
// [Spec.periodCost]: a unit per eight days or picks written.
func (ps *periodSet) work() int { return (len(ps.days) + len(ps.picks)) / 8 }

// evalPeriod fills ps with the occurrences of period p, with BYSETPOS
// applied and without regard to DTSTART or UNTIL. It reuses ps's buffers.
func (s *Spec) evalPeriod(ps *periodSet, p int) {
	ps.days, ps.picks, ps.n = ps.days[:0], ps.picks[:0], 0
	first, last := s.periodDays(p)
	first, last = max(first, minDay), min(last, maxDay)
	if first > last {
		return
	}
	if cap(ps.days) == 0 {
		ps.days = make([]int32, 0, last-first+1)
	}
	if s.freq == Yearly && (s.hasWno || s.hasYday) {
		ps.days = s.appendYearCandidates(ps.days, p, first, last)
	} else {
		ps.days = s.appendDays(ps.days, first, last)
	}
	t := len(s.times)
	total := len(ps.days) * t
	if len(s.setpos) == 0 {
		ps.n = total
		return
	}
	// The period's set is every matching day at every time, in order;
	// BYSETPOS picks from it by position.
	ps.picks = slices.Grow(ps.picks, len(s.setpos))
	for _, pos := range s.setpos {
		i := pos - 1
		if pos < 0 {
			i = total + pos
		}
		if i >= 0 && i < total {
			ps.picks = append(ps.picks, Wall(ps.days[i/t])*86400+Wall(s.times[i%t]))
		}
	}
	slices.Sort(ps.picks)
	ps.picks = slices.Compact(ps.picks)
	ps.n = len(ps.picks)
}

// appendPeriod appends the occurrences of period p in time order, with
// BYSETPOS applied and without regard to DTSTART or UNTIL.
func (s *Spec) appendPeriod(buf []Wall, p int) []Wall {
	var ps periodSet
	s.evalPeriod(&ps, p)
	for k := 0; k < ps.n; k++ {
		buf = append(buf, ps.at(s, k))
	}
	return buf
}

// Cursor iterates the occurrences of a Spec in time order. Its zero value
// is unusable; call [Cursor.Seek] first. A Cursor is not safe for
// concurrent use, but any number of Cursors may share one Spec.
type Cursor struct {
	s     *Spec
	p     int       // current period
	set   periodSet // occurrences of period p (general path)
	k     int       // next index into set
	lower Wall      // occurrences before lower are skipped
	until Wall      // occurrences after until end the iteration
	idle  int       // consecutive active periods without an occurrence
	done  bool
	fast  bool // the rule has a closed form

	// What is known of each kind of period (see periodKey): 0 not yet
	// seen, 1 without occurrences, 2 with; how many kinds were seen and
	// how many of them had occurrences.
	kinds         [91]uint8
	seen, nonzero int

	budget *Budget // charged for the work, if not nil
	spent  bool    // the budget ran out
}

// Seek positions c at the first occurrence of s at or after from (and not
// before DTSTART). It reuses c's buffers, and costs what finding that
// occurrence costs: the period holding from is evaluated once, and the
// cursor starts inside it by binary search, so a caller that seeks again
// for every occurrence (Next after Next) pays for one period each time,
// never for the occurrences before from.
func (c *Cursor) Seek(s *Spec, from Wall) { c.seek(s, from, s.Until()) }

// SeekBudget is Seek with the cursor's work, from now on, charged to b
// (nil: not counted). Once b is spent the cursor ends early, as if the rule
// had no more occurrences.
func (c *Cursor) SeekBudget(s *Spec, from Wall, b *Budget) {
	c.budget = b
	c.Seek(s, from)
}

func (c *Cursor) seek(s *Spec, from, until Wall) {
	set, budget := c.set, c.budget
	set.days, set.picks, set.n = set.days[:0], set.picks[:0], 0
	*c = Cursor{s: s, set: set, lower: max(from, s.start), until: until, budget: budget}
	if c.lower > until {
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
	c.k = 0
}

// spend charges n units to the budget, if any, and reports whether it
// lasted.
func (c *Cursor) spend(n int) bool {
	if c.budget == nil {
		return true
	}
	if c.budget.left -= int64(n); c.budget.left < 0 {
		c.spent = true
		return false
	}
	return true
}

// Next returns the next occurrence, or false when there are no more.
func (c *Cursor) Next() (Wall, bool) {
	if c.done {
		return 0, false
	}
	s := c.s
	if c.fast {
		if !c.spend(1) {
			c.done = true
			return 0, false
		}
		w, ok := s.fast.next(c.lower)
		if !ok || w > c.until {
			c.done = true
			return 0, false
		}
		c.lower = w + 1
		return w, true
	}
	for {
		if c.k < c.set.n {
			w := c.set.at(s, c.k)
			c.k++
			if w > c.until {
				c.done = true
				return 0, false
			}
			c.lower = w + 1
			c.idle = 0
			return w, true
		}
		if !c.advance() {
			c.done = true
			return 0, false
		}
	}
}

// advance loads the occurrences of the next active period that has any
// at or after c.lower into c.set, positioned at the first of them, or
// reports that there are no more.
func (c *Cursor) advance() bool {
	s := c.s
	c.k = 0
	if s.freq == Daily {
		for {
			// A whole calendar cycle of the grid without an occurrence:
			// there will never be another.
			limit := min(maxDay, c.until.Day(), c.p+s.interval*s.cycle)
			d, ok := s.nextDay(c.p+s.interval, limit, c)
			if !ok {
				return false
			}
			c.p = d
			c.set.days = append(c.set.days[:0], int32(d))
			c.set.n = len(s.times)
			// Only the day Seek starts on can have times before lower.
			if c.k = c.set.search(s, c.lower); c.k < c.set.n {
				return true
			}
		}
	}
	for {
		c.p += s.interval
		first, last := s.periodDays(c.p)
		if first > maxDay || Wall(first)*86400 > c.until {
			return false
		}
		c.idle++
		if c.idle > s.cycle {
			// A whole calendar cycle of active periods without an
			// occurrence: there will never be another.
			return false
		}
		if !c.spend(1) {
			return false
		}
		key, keyed := s.periodKey(c.p, first, last)
		if keyed && c.kinds[key] == 1 {
			continue // a kind of period without occurrences
		}
		if !c.spend(s.periodCost()) {
			return false
		}
		s.evalPeriod(&c.set, c.p)
		if !c.spend(c.set.work()) {
			return false
		}
		if keyed && c.kinds[key] == 0 {
			c.seen++
			c.kinds[key] = 1
			if c.set.n > 0 {
				c.kinds[key] = 2
				c.nonzero++
			}
			if c.nonzero == 0 && c.seen == s.nKeys {
				return false // every kind of period is empty
			}
		}
		c.k = 0
		if c.set.n > 0 && Wall(first)*86400 < c.lower {
			// The period Seek starts in: skip what lies before lower.
			c.k = c.set.search(s, c.lower)
		}
		if c.k < c.set.n {
			return true
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
