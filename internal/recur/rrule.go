// Package recur is the RFC 5545 recurrence engine behind package schedule
// and the plan validation in package comms: the RRULE grammar, and the
// expansion of a rule into wall-clock occurrences.
//
// It supports the frequencies a communication plan needs (DAILY, WEEKLY,
// MONTHLY, YEARLY) with every RFC 5545 rule part. It works in wall-clock
// time only; mapping wall times to instants in a time zone is done by the
// caller.
//
// Rules come from untrusted plan files, so the work for any rule is
// bounded (see [Compile]) and can be charged to a [Budget] shared by all
// the rules of one input. Compiled rules are kept in a bounded cache shared
// by the whole process, so that the commands and reports that build a
// plan's rules after its validation find them compiled ([CacheStats]).
package recur

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// Freq is an RRULE frequency.
type Freq int8

// Frequencies the engine supports. Sub-daily ones are recognised only to
// reject them with a clear message.
const (
	Daily Freq = iota + 1
	Weekly
	Monthly
	Yearly
)

func (f Freq) String() string {
	switch f {
	case Daily:
		return "DAILY"
	case Weekly:
		return "WEEKLY"
	case Monthly:
		return "MONTHLY"
	case Yearly:
		return "YEARLY"
	}
	return "Freq(" + strconv.Itoa(int(f)) + ")"
}

// WeekdayNum is one BYDAY value: an optional ordinal N (0 for none, or
// ±1..53) and a weekday.
type WeekdayNum struct {
	N   int
	Day time.Weekday
}

func (w WeekdayNum) String() string {
	s := dayCodes[w.Day]
	if w.N != 0 {
		s = strconv.Itoa(w.N) + s
	}
	return s
}

var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// DayCode returns the two-letter RFC 5545 code of d ("MO").
func DayCode(d time.Weekday) string { return dayCodes[d] }

// ParseDayCode parses a two-letter weekday code, case-insensitively.
func ParseDayCode(s string) (time.Weekday, bool) {
	for i, c := range dayCodes {
		if strings.EqualFold(s, c) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// Until is an UNTIL value: a DATE, a floating DATE-TIME, or a UTC DATE-TIME.
type Until struct {
	Wall    Wall // the value's wall-clock reading (for a DATE: its midnight)
	IsDate  bool // VALUE=DATE form (YYYYMMDD)
	IsUTC   bool // DATE-TIME ending in Z
	Present bool
}

func (u Until) String() string {
	if u.IsDate {
		y, m, d, _, _, _ := u.Wall.Civil()
		return fmt.Sprintf("%04d%02d%02d", y, m, d)
	}
	s := FormatDateTime(u.Wall)
	if u.IsUTC {
		s += "Z"
	}
	return s
}

// RRule is a parsed RRULE value. The zero value is not a valid rule; use
// [ParseRRule].
type RRule struct {
	Freq       Freq
	Interval   int // >= 1
	Count      int // 0: not set
	Until      Until
	BySecond   []int
	ByMinute   []int
	ByHour     []int
	ByDay      []WeekdayNum
	ByMonthDay []int
	ByYearDay  []int
	ByWeekNo   []int
	ByMonth    []int
	BySetPos   []int
	Wkst       time.Weekday
	HasWkst    bool // WKST was given explicitly
}

// Error is a problem with a recurrence rule. Part names the rule part
// ("BYMONTHDAY"), empty for the rule as a whole.
type Error struct {
	Part string
	Msg  string
}

func (e *Error) Error() string {
	if e.Part == "" {
		return e.Msg
	}
	return e.Part + ": " + e.Msg
}

func errorf(part, format string, args ...any) error {
	return &Error{Part: part, Msg: fmt.Sprintf(format, args...)}
}

// ParseRRule parses the value of an RRULE property ("FREQ=WEEKLY;BYDAY=MO").
// Names are case-insensitive, as RFC 5545 §3.1 requires. It checks the
// grammar and the rules of RFC 5545 §3.3.10 that do not depend on DTSTART;
// [Compile] checks the rest.
func ParseRRule(s string) (RRule, error) {
	var r RRule
	if len(s) > 4096 {
		return r, errorf("", "rule is %d bytes long; at most 4096 are allowed", len(s))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return r, errorf("", "empty rule")
	}
	if i := safetext.Index(s, true); i >= 0 {
		// Part names are repeated in messages: nothing there may be obeyed.
		what := fmt.Sprintf("the byte 0x%02x (not UTF-8)", s[i])
		if c, size := utf8.DecodeRuneInString(s[i:]); size > 1 || c != utf8.RuneError {
			what = fmt.Sprintf("the character %U (%s)", c, safetext.Line(string(c)))
		}
		return r, errorf("", "%s at position %d is not allowed in a rule", what, utf8.RuneCountInString(s[:i])+1)
	}
	if up := strings.ToUpper(s); strings.HasPrefix(up, "RRULE:") {
		s = s[len("RRULE:"):]
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			// Tolerate a trailing semicolon, which many producers emit.
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToUpper(strings.TrimSpace(name))
		if !ok {
			return r, errorf(name, "missing '=' in %q", part)
		}
		if seen[name] {
			return r, errorf(name, "appears more than once")
		}
		seen[name] = true
		var err error
		switch name {
		case "FREQ":
			r.Freq, err = parseFreq(value)
		case "INTERVAL":
			r.Interval, err = parseInt(name, value, 1, 1_000_000)
		case "COUNT":
			r.Count, err = parseInt(name, value, 1, 1<<31-1)
		case "UNTIL":
			r.Until, err = parseUntil(value)
		case "BYSECOND":
			if slices.Contains(strings.Split(value, ","), "60") {
				return r, errorf(name, "60: leap seconds are not supported")
			}
			r.BySecond, err = parseInts(name, value, 0, 59, false)
		case "BYMINUTE":
			r.ByMinute, err = parseInts(name, value, 0, 59, false)
		case "BYHOUR":
			r.ByHour, err = parseInts(name, value, 0, 23, false)
		case "BYDAY":
			r.ByDay, err = parseByDay(value)
		case "BYMONTHDAY":
			r.ByMonthDay, err = parseInts(name, value, 1, 31, true)
		case "BYYEARDAY":
			r.ByYearDay, err = parseInts(name, value, 1, 366, true)
		case "BYWEEKNO":
			r.ByWeekNo, err = parseInts(name, value, 1, 53, true)
		case "BYMONTH":
			r.ByMonth, err = parseInts(name, value, 1, 12, false)
		case "BYSETPOS":
			r.BySetPos, err = parseInts(name, value, 1, 366, true)
		case "WKST":
			d, ok := ParseDayCode(strings.TrimSpace(value))
			if !ok {
				err = errorf(name, "%q is not a weekday (MO, TU, WE, TH, FR, SA or SU)", value)
			}
			r.Wkst, r.HasWkst = d, true
		default:
			if strings.HasPrefix(name, "X-") {
				return r, errorf(name, "extension rule parts are not supported")
			}
			return r, errorf(name, "unknown rule part (RFC 5545 defines FREQ, UNTIL, COUNT, INTERVAL, BYSECOND, BYMINUTE, BYHOUR, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS and WKST)")
		}
		if err != nil {
			return r, err
		}
	}
	if !seen["FREQ"] {
		return r, errorf("FREQ", "missing: every rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	if !seen["WKST"] {
		r.Wkst = time.Monday
	}
	if r.Interval == 0 {
		r.Interval = 1
	}
	if seen["COUNT"] && seen["UNTIL"] {
		return r, errorf("", "COUNT and UNTIL must not both be given")
	}
	return r, r.check()
}

// clone returns a copy of r that shares no memory with it.
func (r RRule) clone() RRule {
	r.BySecond, r.ByMinute, r.ByHour = slices.Clone(r.BySecond), slices.Clone(r.ByMinute), slices.Clone(r.ByHour)
	r.ByDay, r.ByMonthDay, r.ByYearDay = slices.Clone(r.ByDay), slices.Clone(r.ByMonthDay), slices.Clone(r.ByYearDay)
	r.ByWeekNo, r.ByMonth, r.BySetPos = slices.Clone(r.ByWeekNo), slices.Clone(r.ByMonth), slices.Clone(r.BySetPos)
	return r
}

// check applies the rules of RFC 5545 §3.3.10 about which parts go with
// which frequency.
func (r *RRule) check() error {
	for _, d := range r.ByDay {
		if d.N == 0 {
			continue
		}
		if r.Freq != Monthly && r.Freq != Yearly {
			return errorf("BYDAY", "%s: an ordinal weekday is only allowed with FREQ=MONTHLY or FREQ=YEARLY", d)
		}
		if r.Freq == Yearly && len(r.ByWeekNo) > 0 {
			return errorf("BYDAY", "%s: an ordinal weekday is not allowed together with BYWEEKNO", d)
		}
		if r.Freq == Monthly && (d.N > 5 || d.N < -5) {
			return errorf("BYDAY", "%s: a month has at most 5 of each weekday", d)
		}
	}
	if len(r.ByMonthDay) > 0 && r.Freq == Weekly {
		return errorf("BYMONTHDAY", "not allowed with FREQ=WEEKLY")
	}
	if len(r.ByYearDay) > 0 && r.Freq != Yearly {
		return errorf("BYYEARDAY", "only allowed with FREQ=YEARLY")
	}
	if len(r.ByWeekNo) > 0 && r.Freq != Yearly {
		return errorf("BYWEEKNO", "only allowed with FREQ=YEARLY")
	}
	if len(r.BySetPos) > 0 && len(r.BySecond)+len(r.ByMinute)+len(r.ByHour)+len(r.ByDay)+
		len(r.ByMonthDay)+len(r.ByYearDay)+len(r.ByWeekNo)+len(r.ByMonth) == 0 {
		return errorf("BYSETPOS", "must be used together with another BYxxx rule part")
	}
	return nil
}

func parseFreq(v string) (Freq, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "DAILY":
		return Daily, nil
	case "WEEKLY":
		return Weekly, nil
	case "MONTHLY":
		return Monthly, nil
	case "YEARLY":
		return Yearly, nil
	case "HOURLY", "MINUTELY", "SECONDLY":
		return 0, errorf("FREQ", "%s: communications recur at most daily; use FREQ=DAILY with BYHOUR/BYMINUTE for several times a day", strings.ToUpper(v))
	}
	return 0, errorf("FREQ", "%q is not a frequency (DAILY, WEEKLY, MONTHLY or YEARLY)", v)
}

func parseInt(part, v string, lo, hi int) (int, error) {
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	if err != nil || strings.HasPrefix(v, "+") {
		return 0, errorf(part, "%q is not a whole number", v)
	}
	if n < lo || n > hi {
		return 0, errorf(part, "%d is out of range %d..%d", n, lo, hi)
	}
	return n, nil
}

// parseInts parses a comma-separated list of integers in lo..hi, or in
// -hi..-lo as well when signed. The result is sorted and free of duplicates.
func parseInts(part, v string, lo, hi int, signed bool) ([]int, error) {
	if strings.TrimSpace(v) == "" {
		return nil, errorf(part, "empty list")
	}
	fields := strings.Split(v, ",")
	if len(fields) > 400 {
		return nil, errorf(part, "%d values; at most 400 are allowed", len(fields))
	}
	out := make([]int, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || f == "" {
			return nil, errorf(part, "%q is not a whole number", f)
		}
		abs := n
		if abs < 0 {
			abs = -abs
		}
		if n < 0 && !signed || abs < lo || abs > hi || (!signed && n < lo) {
			if signed {
				return nil, errorf(part, "%d is out of range: use %d..%d or -%d..-%d", n, lo, hi, hi, lo)
			}
			return nil, errorf(part, "%d is out of range %d..%d", n, lo, hi)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func parseByDay(v string) ([]WeekdayNum, error) {
	if strings.TrimSpace(v) == "" {
		return nil, errorf("BYDAY", "empty list")
	}
	fields := strings.Split(v, ",")
	if len(fields) > 400 {
		return nil, errorf("BYDAY", "%d values; at most 400 are allowed", len(fields))
	}
	out := make([]WeekdayNum, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if len(f) < 2 {
			return nil, errorf("BYDAY", "%q is not a weekday such as MO, 1MO or -1FR", f)
		}
		day, ok := ParseDayCode(f[len(f)-2:])
		if !ok {
			return nil, errorf("BYDAY", "%q is not a weekday such as MO, 1MO or -1FR", f)
		}
		wd := WeekdayNum{Day: day}
		if num := f[:len(f)-2]; num != "" {
			n, err := strconv.Atoi(num)
			if err != nil || n == 0 || n > 53 || n < -53 {
				return nil, errorf("BYDAY", "%q: the ordinal must be 1..53 or -53..-1", f)
			}
			wd.N = n
		}
		out = append(out, wd)
	}
	slices.SortFunc(out, func(a, b WeekdayNum) int {
		if a.N != b.N {
			return a.N - b.N
		}
		return int(a.Day) - int(b.Day)
	})
	return slices.Compact(out), nil
}

func parseUntil(v string) (Until, error) {
	v = strings.TrimSpace(v)
	w, isDate, isUTC, err := ParseDateTime(v)
	if err != nil {
		return Until{}, errorf("UNTIL", "%v", err)
	}
	return Until{Wall: w, IsDate: isDate, IsUTC: isUTC, Present: true}, nil
}

// ParseDateTime parses an RFC 5545 DATE (YYYYMMDD) or DATE-TIME
// (YYYYMMDDTHHMMSS, optionally followed by Z).
func ParseDateTime(v string) (w Wall, isDate, isUTC bool, err error) {
	bad := func() (Wall, bool, bool, error) {
		return 0, false, false, fmt.Errorf("%q is not a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z])", v)
	}
	digits := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	switch {
	case len(v) == 8:
		isDate = true
	case len(v) == 15 && (v[8] == 'T' || v[8] == 't'):
	case len(v) == 16 && (v[8] == 'T' || v[8] == 't') && (v[15] == 'Z' || v[15] == 'z'):
		isUTC = true
	default:
		return bad()
	}
	y, ok1 := digits(v[0:4])
	mo, ok2 := digits(v[4:6])
	d, ok3 := digits(v[6:8])
	if !ok1 || !ok2 || !ok3 {
		return bad()
	}
	h, mi, s := 0, 0, 0
	if !isDate {
		var ok4, ok5, ok6 bool
		h, ok4 = digits(v[9:11])
		mi, ok5 = digits(v[11:13])
		s, ok6 = digits(v[13:15])
		if !ok4 || !ok5 || !ok6 {
			return bad()
		}
	}
	if y < MinYear || mo < 1 || mo > 12 || d < 1 || d > DaysIn(y, mo) {
		return 0, false, false, fmt.Errorf("%q is not a valid date", v)
	}
	if h > 23 || mi > 59 || s > 59 {
		if s == 60 {
			return 0, false, false, fmt.Errorf("%q: leap seconds are not supported", v)
		}
		return 0, false, false, fmt.Errorf("%q is not a valid time of day", v)
	}
	return MakeWall(y, mo, d, h, mi, s), isDate, isUTC, nil
}

// FormatDateTime formats w as an RFC 5545 local DATE-TIME (no Z).
func FormatDateTime(w Wall) string {
	y, mo, d, h, mi, s := w.Civil()
	return fmt.Sprintf("%04d%02d%02dT%02d%02d%02d", y, mo, d, h, mi, s)
}

// FormatDate formats the date of w as an RFC 5545 DATE.
func FormatDate(w Wall) string {
	y, mo, d, _, _, _ := w.Civil()
	return fmt.Sprintf("%04d%02d%02d", y, mo, d)
}

// String returns the canonical text of the rule: parts in the order of
// RFC 5545's grammar, defaults (INTERVAL=1, WKST=MO) omitted.
func (r RRule) String() string {
	var b strings.Builder
	b.WriteString("FREQ=")
	b.WriteString(r.Freq.String())
	if r.Until.Present {
		b.WriteString(";UNTIL=")
		b.WriteString(r.Until.String())
	}
	if r.Count > 0 {
		b.WriteString(";COUNT=")
		b.WriteString(strconv.Itoa(r.Count))
	}
	if r.Interval > 1 {
		b.WriteString(";INTERVAL=")
		b.WriteString(strconv.Itoa(r.Interval))
	}
	ints := func(name string, v []int) {
		if len(v) == 0 {
			return
		}
		b.WriteString(";" + name + "=")
		for i, n := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
	}
	ints("BYSECOND", r.BySecond)
	ints("BYMINUTE", r.ByMinute)
	ints("BYHOUR", r.ByHour)
	if len(r.ByDay) > 0 {
		b.WriteString(";BYDAY=")
		for i, d := range r.ByDay {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.String())
		}
	}
	ints("BYMONTHDAY", r.ByMonthDay)
	ints("BYYEARDAY", r.ByYearDay)
	ints("BYWEEKNO", r.ByWeekNo)
	ints("BYMONTH", r.ByMonth)
	ints("BYSETPOS", r.BySetPos)
	if r.HasWkst && r.Wkst != time.Monday {
		b.WriteString(";WKST=")
		b.WriteString(dayCodes[r.Wkst])
	}
	return b.String()
}

// ErrNoOccurrence is returned by [Compile] for a rule that matches no date
// before the end of year 9999.
var ErrNoOccurrence = errors.New("the rule matches no date")

// MaxDates bounds the RDATE values of one rule, and its EXDATE values: plan
// validation (package comms, at a timing's rdates and exdates) refuses
// more, and package schedule builds no rule with more, so that whatever a
// plan may hold, its rule can be built.
const MaxDates = 50_000
