package recur

// Closed forms for the rule shapes communication plans use most: they find
// the next occurrence at or after any point in constant time, however far
// DTSTART lies in the past, where the general engine walks period by
// period. Every shape gives exactly what the general engine gives; a
// differential fuzz test holds them to it.

type fastKind int8

const (
	fastNone fastKind = iota
	fastDaily
	fastDailyWeekdays
	fastWeekly
	fastMonthDay
	fastMonthNth
	fastYearly
)

// Closed is a rule's closed form: everything needed to find its next
// occurrence, in one small value with no pointers, so that a caller
// iterating a great many rules keeps them in contiguous memory. The zero
// value is "no closed form".
type Closed struct {
	start, until Wall
	kind         fastKind
	wdayMask     uint8  // weekdays for fastDailyWeekdays and fastWeekly
	monthMask    uint16 // BYMONTH for fastYearly
	t            int32  // the one time of day, in seconds
	monthDay     int32  // BYMONTHDAY (±) for fastMonthDay and fastYearly
	nth, wday    int32  // ordinal and weekday for fastMonthNth
	interval     int32
	startDay     int32 // DTSTART's day number
	startP       int32 // DTSTART's period index
	weekRef      int32
	cycle        int32
}

type fastShape = Closed

// detectFast recognises a shape with a closed form. It needs one time of
// day and no BYSETPOS, BYWEEKNO or BYYEARDAY.
func (s *Spec) detectFast() fastShape {
	r := s.rule
	if len(s.times) != 1 || len(s.setpos) > 0 || s.hasWno || s.hasYday {
		return fastShape{}
	}
	f := fastShape{t: s.times[0], startDay: int32(s.start.Day()), startP: int32(s.sp),
		start: s.start, interval: int32(s.interval), weekRef: int32(s.weekRef),
		wdayMask: s.wdayMask, cycle: int32(s.cycle)}
	plainDays := s.hasDay && !s.hasNth
	switch s.freq {
	case Daily:
		switch {
		case s.monthMask != 0 || s.hasMday:
		case !s.hasDay:
			f.kind = fastDaily
		case plainDays && s.interval == 1:
			f.kind = fastDailyWeekdays
		}
	case Weekly:
		if s.monthMask == 0 && plainDays {
			f.kind = fastWeekly
		}
	case Monthly:
		if s.monthMask != 0 {
			break
		}
		mdays := bits32(s.mdayPos) + bits32(s.mdayNeg)
		switch {
		case !s.hasDay && mdays == 1:
			f.kind = fastMonthDay
			f.monthDay = int32(singleMonthDay(s))
		case s.hasNth && s.wdayMask == 0 && !s.hasMday && len(r.ByDay) == 1:
			f.kind = fastMonthNth
			f.nth, f.wday = int32(r.ByDay[0].N), int32(r.ByDay[0].Day)
		}
	case Yearly:
		mdays := bits32(s.mdayPos) + bits32(s.mdayNeg)
		if s.monthMask != 0 && !s.hasDay && mdays == 1 {
			f.kind = fastYearly
			f.monthDay = int32(singleMonthDay(s))
			f.monthMask = s.monthMask
		}
	}
	return f
}

func singleMonthDay(s *Spec) int {
	for d := 1; d <= 31; d++ {
		if s.mdayPos&(1<<d) != 0 {
			return d
		}
		if s.mdayNeg&(1<<d) != 0 {
			return -d
		}
	}
	return 0
}

func bits32(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// dayOfMonth resolves a ± BYMONTHDAY in a month, or returns 0 when the
// month has no such day.
func dayOfMonth(y, m, md int) int {
	n := DaysIn(y, m)
	if md < 0 {
		md = n + md + 1
	}
	if md < 1 || md > n {
		return 0
	}
	return md
}

// nthWeekday returns the day of month of the nth (±) weekday wd in y-m, or 0.
func nthWeekday(y, m, n, wd int) int {
	first := DaysFromCivil(y, m, 1)
	length := DaysIn(y, m)
	var md int
	if n > 0 {
		md = 1 + floorMod(wd-int(Weekday(first)), 7) + (n-1)*7
	} else {
		last := first + length - 1
		md = length - floorMod(int(Weekday(last))-wd, 7) + (n+1)*7
	}
	if md < 1 || md > length {
		return 0
	}
	return md
}

// next returns the first occurrence at or after lower (and not before
// DTSTART), ignoring the bound, by the closed form of the rule's shape.
func (f *Closed) next(lower Wall) (Wall, bool) {
	lower = max(lower, f.start)
	d0 := lower.Day()
	t := int(f.t)
	if lower.Secs() > t {
		d0++
	}
	at := func(d int) (Wall, bool) {
		if d > maxDay {
			return 0, false
		}
		return Wall(d)*86400 + Wall(t), true
	}
	k := int(f.interval)
	switch f.kind {
	case fastDaily:
		return at(d0 + floorMod(int(f.startDay)-d0, k))
	case fastDailyWeekdays:
		for d := d0; d < d0+7; d++ {
			if f.wdayMask&(1<<Weekday(d)) != 0 {
				return at(d)
			}
		}
	case fastWeekly:
		ref := int(f.weekRef)
		w := floorDiv(d0-ref, 7)
		d := d0
		if off := floorMod(w-int(f.startP), k); off != 0 {
			w += k - off
			d = ref + 7*w
		}
		for range 2 {
			for end := ref + 7*w + 6; d <= end; d++ {
				if f.wdayMask&(1<<Weekday(d)) != 0 {
					return at(d)
				}
			}
			w += k
			d = ref + 7*w
		}
	case fastMonthDay, fastMonthNth:
		y, m, _ := CivilFromDays(d0)
		p := y*12 + m - 1
		if off := floorMod(p-int(f.startP), k); off != 0 {
			p += k - off
		}
		for i := 0; i <= int(f.cycle); i, p = i+1, p+k {
			y, m := floorDiv(p, 12), floorMod(p, 12)+1
			if y > MaxYear {
				return 0, false
			}
			var md int
			if f.kind == fastMonthDay {
				md = dayOfMonth(y, m, int(f.monthDay))
			} else {
				md = nthWeekday(y, m, int(f.nth), int(f.wday))
			}
			if md == 0 {
				continue
			}
			if d := DaysFromCivil(y, m, md); d >= d0 {
				return at(d)
			}
		}
	case fastYearly:
		y, _, _ := CivilFromDays(d0)
		if off := floorMod(y-int(f.startP), k); off != 0 {
			y += k - off
		}
		for i := 0; i <= int(f.cycle); i, y = i+1, y+k {
			if y > MaxYear {
				return 0, false
			}
			for m := 1; m <= 12; m++ {
				if f.monthMask&(1<<m) == 0 {
					continue
				}
				md := dayOfMonth(y, m, int(f.monthDay))
				if md == 0 {
					continue
				}
				if d := DaysFromCivil(y, m, md); d >= d0 {
					return at(d)
				}
			}
		}
	}
	return 0, false
}

// Closed returns the rule's closed form, or false if it has none. For a
// rule with COUNT it computes the rule's bound (see [Spec.Until]).
func (s *Spec) Closed() (Closed, bool) {
	if s.fast.kind == fastNone {
		return Closed{}, false
	}
	f := s.fast
	f.until = s.Until()
	return f, true
}

// NextAt returns the first occurrence at or after lower (not before DTSTART,
// not after the rule's bound), or false. It keeps no state, so a caller
// iterating many rules can hold just a Wall per rule.
func (f *Closed) NextAt(lower Wall) (Wall, bool) {
	if lower > f.until {
		return 0, false
	}
	w, ok := f.next(lower)
	if !ok || w > f.until {
		return 0, false
	}
	return w, true
}
