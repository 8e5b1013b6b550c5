package schedule_test

// The differential oracle (issue 14): thousands of random rules, expanded
// by python-dateutil in wall-clock time and mapped to instants by Python's
// zoneinfo with fold=0 (RFC 5545 §3.3.5), compared instant by instant with
// this package. See testdata/oracle/expand.py for the Python side.
//
// Where dateutil departs from RFC 5545, the rule's local times come from
// bruteWalls below instead: a deliberately naive expander that looks at
// every day of every period and applies the rule parts as the RFC words
// them. It runs on every rule, and on the rules dateutil gets right it is
// itself checked against dateutil, so it cannot drift. The departures:
//
//   - dateutil intersects plain and ordinal BYDAY values (BYDAY=MO,1FR
//     gives only the days that are both a Monday and the first Friday).
//     RFC 5545 §3.3.10: "The BYDAY rule part specifies a COMMA-separated
//     list of days of the week", each value selecting its days: a list is
//     a union, as it is for every other BYxxx part.
//   - dateutil starts the first period of a WEEKLY rule at DTSTART, so
//     BYSETPOS counts only the days from DTSTART on. RFC 5545 §3.3.10:
//     BYSETPOS "specifies a COMMA-separated list of values that
//     corresponds to the nth occurrence within the set of recurrence
//     instances specified by the rule", and a week is "a seven day
//     period, starting on the day of the week defined to be the week start
//     (see WKST)": the set is the whole week's, DTSTART only cuts what is
//     returned.
//   - dateutil labels the early-January days of a year whose previous year
//     has 52 weeks as week 53 when this year is long enough (it computes
//     the previous year's week count from this year's length). RFC 5545
//     §3.3.10: "Week number one of the calendar year is the first week
//     that contains at least four (4) days in that calendar year"; the
//     days before it belong to the last week of the previous year, whose
//     number is that year's count of weeks.
//   - negative BYWEEKNO values for the days of next year's week 1 that lie
//     in December: a choice this package makes (see the package
//     documentation, "Week numbers across the new year"), which dateutil
//     does not make. bruteWalls implements the choice.
//
// The test needs python3 with dateutil (Debian's python3-dateutil); it
// skips without one, and fails instead under CI=true.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/schedule"
)

const oracleRules = 2400

// oracleSeed is the default seed; ISMSCOMMS_ORACLE_SEED overrides it, to
// look further or to reproduce a run.
const oracleSeed = 20260308

// findPython returns a python3 with dateutil, or "".
func findPython() string {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import dateutil.rrule, zoneinfo").Run() == nil {
			return p
		}
	}
	return ""
}

// oracleZones are the zones and years of the rules: each has gaps and
// overlaps of its own kind (Sao Paulo's at midnight, Lord Howe's of 30
// minutes, Apia's skipped day, Casablanca's around Ramadan, Tehran's last
// DST, Moscow's 2011 spring forward without return and 2014 fall back).
var oracleZones = []struct {
	zone  string
	years []int
}{
	{"Europe/Berlin", []int{2026}},
	{"America/New_York", []int{2026}},
	{"America/Sao_Paulo", []int{2018}},
	{"Australia/Lord_Howe", []int{2026}},
	{"Pacific/Apia", []int{2011}},
	{"Africa/Casablanca", []int{2026}},
	{"Asia/Tehran", []int{2022}},
	{"Europe/Moscow", []int{2011, 2014}},
}

// transition is a change of UTC offset: at instant at, from before to
// after seconds east of UTC.
type transition struct {
	loc           *time.Location
	at            int64
	before, after int
}

// transitionsIn finds loc's changes of offset in year y by looking at
// every hour and bisecting: independent of the code under test.
func transitionsIn(loc *time.Location, y int) []transition {
	off := func(u int64) int { _, o := time.Unix(u, 0).In(loc).Zone(); return o }
	var out []transition
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	to := time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for u := from; u < to; u += 3600 {
		if off(u) == off(u+3600) {
			continue
		}
		a, b := u, u+3600
		for b-a > 1 {
			if m := (a + b) / 2; off(m) == off(a) {
				a = m
			} else {
				b = m
			}
		}
		out = append(out, transition{loc, b, off(a), off(b)})
	}
	return out
}

// wdn is one BYDAY value.
type wdn struct {
	N   int          `json:"n"`
	Day time.Weekday `json:"day"`
}

// oracleRule is one generated rule, in the form expand.py reads.
type oracleRule struct {
	ID         string   `json:"id"`
	Zone       string   `json:"zone"`
	DTStart    string   `json:"dtstart"` // local
	Limit      string   `json:"limit"`   // local: expand no further
	End        int64    `json:"end"`     // compare instants before this
	Freq       string   `json:"freq"`
	Interval   int      `json:"interval"`
	Count      int      `json:"count"`
	Until      int64    `json:"until"` // UTC instant, 0 for none
	ByMonth    []int    `json:"bymonth"`
	ByMonthDay []int    `json:"bymonthday"`
	ByYearDay  []int    `json:"byyearday"`
	ByWeekNo   []int    `json:"byweekno"`
	ByDay      []wdn    `json:"byday"`
	BySetPos   []int    `json:"bysetpos"`
	ByHour     []int    `json:"byhour"`
	ByMinute   []int    `json:"byminute"`
	Wkst       int      `json:"wkst"`
	RDates     []string `json:"rdates"`
	ExDates    []string `json:"exdates"`
	Walls      []string `json:"walls"` // bruteWalls's local times
	useDU      bool     // compare with dateutil, not with bruteWalls

	class string
	text  string
	start time.Time // DTSTART's local time, as a UTC Time
	limit time.Time
}

const wallLayout = "20060102T150405"

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// subset returns 1..max distinct values of xs, sorted.
func subset(rng *rand.Rand, xs []int, maxN int) []int {
	n := 1 + rng.IntN(maxN)
	var out []int
	for range n {
		out = append(out, pick(rng, xs))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var (
	monthDays = []int{1, 2, 10, 15, 28, 29, 30, 31, -1, -2, -7, -28, -29, -30, -31}
	yearDays  = []int{1, 2, 59, 60, 61, 100, 182, 365, 366, -1, -2, -60, -300, -365, -366}
	weekNos   = []int{1, 2, 10, 26, 51, 52, 53, -1, -2, -52, -53}
	setPoses  = []int{1, 2, 3, -1, -2, -3, 5}
)

// genRule makes rule i: a zone and a DTSTART at or near one of its
// transitions (in its gap or overlap, or on a day before it at a time of
// day the transition affects), and random rule parts.
func genRule(rng *rand.Rand, i int, trans []transition) *oracleRule {
	tr := pick(rng, trans)
	lo, hi := tr.before, tr.after // the local times the change skips or repeats
	if lo > hi {
		lo, hi = hi, lo
	}
	span := hi - lo
	// A local time in the gap or overlap, on a 15-minute grid.
	affected := time.Unix(tr.at+int64(lo)+int64(rng.IntN(max(span/900, 1))*900), 0).UTC()
	if span >= 86400 {
		affected = affected.Truncate(time.Hour)
	}
	var start time.Time
	switch rng.IntN(4) {
	case 0, 1:
		start = affected
	case 2:
		start = affected.AddDate(0, 0, -1-rng.IntN(10))
	default:
		start = affected.AddDate(0, 0, -rng.IntN(60)).Add(time.Duration(rng.IntN(96)*15) * time.Minute)
	}
	r := &oracleRule{ID: strconv.Itoa(i), Zone: tr.loc.String(), Interval: 1, Wkst: int(time.Monday)}
	r.start = start
	r.Freq = pick(rng, []string{"DAILY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "YEARLY"})
	if rng.IntN(10) < 4 {
		r.Interval = 2 + rng.IntN(3)
	}
	if rng.IntN(10) < 3 {
		r.Wkst = rng.IntN(7)
	}
	// Times of day around the affected hour, so that rules land in gaps
	// and overlaps.
	if rng.IntN(10) < 6 {
		h := affected.Hour()
		r.ByHour = subset(rng, []int{h, h, (h + 1) % 24, (h + 23) % 24, rng.IntN(24)}, 2)
		if rng.IntN(2) == 0 {
			r.ByMinute = subset(rng, []int{0, 15, 30, 45}, 3)
		}
	}
	plain := func() wdn { return wdn{Day: time.Weekday(rng.IntN(7))} }
	switch r.Freq {
	case "DAILY":
		if rng.IntN(3) == 0 {
			r.ByDay = []wdn{plain(), plain()}
		}
		if rng.IntN(4) == 0 {
			r.ByMonth = subset(rng, []int{1, 2, 3, 4, 9, 10, 11, 12}, 3)
		}
		if rng.IntN(4) == 0 {
			r.ByMonthDay = subset(rng, monthDays, 4)
		}
	case "WEEKLY":
		if rng.IntN(3) > 0 {
			r.ByDay = []wdn{plain(), plain(), plain()}
		}
		if rng.IntN(5) == 0 {
			r.ByMonth = subset(rng, []int{1, 2, 3, 4, 9, 10, 11, 12}, 4)
		}
	case "MONTHLY":
		if rng.IntN(3) == 0 {
			r.ByMonthDay = subset(rng, monthDays, 3)
		}
		if rng.IntN(2) == 0 {
			for range 1 + rng.IntN(3) {
				d := plain()
				if rng.IntN(2) == 0 {
					d.N = pick(rng, []int{1, 2, 3, 4, 5, -1, -2, -5})
				}
				r.ByDay = append(r.ByDay, d)
			}
		}
		if rng.IntN(4) == 0 {
			r.ByMonth = subset(rng, []int{1, 2, 3, 6, 9, 10, 11, 12}, 4)
		}
	case "YEARLY":
		switch rng.IntN(5) {
		case 0:
			r.ByWeekNo = subset(rng, weekNos, 3)
			if rng.IntN(2) == 0 {
				r.ByDay = []wdn{plain(), plain()}
			}
		case 1:
			r.ByYearDay = subset(rng, yearDays, 3)
		default:
			if rng.IntN(2) == 0 {
				r.ByMonth = subset(rng, []int{1, 2, 3, 4, 9, 10, 11, 12}, 3)
			}
			if rng.IntN(3) == 0 {
				r.ByMonthDay = subset(rng, monthDays, 3)
			}
			if rng.IntN(2) == 0 {
				ords := []int{1, 2, -1, -2, 5}
				if len(r.ByMonth) == 0 {
					ords = []int{1, 2, 10, 20, 52, 53, -1, -2, -20, -53}
				}
				for range 1 + rng.IntN(3) {
					d := plain()
					if rng.IntN(2) == 0 {
						d.N = pick(rng, ords)
					}
					r.ByDay = append(r.ByDay, d)
				}
			}
		}
	}
	slices.SortFunc(r.ByDay, func(a, b wdn) int { return (a.N*7 + int(a.Day)) - (b.N*7 + int(b.Day)) })
	r.ByDay = slices.Compact(r.ByDay)
	if len(r.ByDay)+len(r.ByMonthDay)+len(r.ByYearDay)+len(r.ByWeekNo)+len(r.ByHour)+len(r.ByMinute) > 0 && rng.IntN(4) == 0 {
		r.BySetPos = subset(rng, setPoses, 2)
	}
	// How far to look: a few dozen periods.
	days := map[string]int{"DAILY": 40, "WEEKLY": 150, "MONTHLY": 2 * 366, "YEARLY": 6 * 366}[r.Freq]
	r.limit = start.AddDate(0, 0, days)
	r.End = r.limit.Unix() - 2*86400
	r.Limit = r.limit.Format(wallLayout)
	switch rng.IntN(10) {
	case 0, 1, 2, 3:
		r.Count = 1 + rng.IntN(25)
	case 4, 5, 6:
		r.Until = start.Unix() + rng.Int64N(r.End-start.Unix())
	}
	for range rng.IntN(3) {
		r.RDates = append(r.RDates, affected.AddDate(0, 0, rng.IntN(20)).Add(time.Duration(rng.IntN(8)*15)*time.Minute).Format(wallLayout))
	}
	for range rng.IntN(3) {
		// The DTSTART's time of day a few days on (an occurrence of many
		// daily rules), or a local time in the gap or overlap.
		x := start.AddDate(0, 0, rng.IntN(8))
		if rng.IntN(2) == 0 {
			x = affected
		}
		r.ExDates = append(r.ExDates, x.Format(wallLayout))
	}
	r.DTStart = start.Format(wallLayout)
	r.text = r.ruleText()
	return r
}

// ruleText is the rule as RFC 5545 content lines.
func (r *oracleRule) ruleText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "DTSTART;TZID=%s:%s\nRRULE:FREQ=%s", r.Zone, r.DTStart, r.Freq)
	if r.Interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.Interval)
	}
	if r.Count > 0 {
		fmt.Fprintf(&b, ";COUNT=%d", r.Count)
	}
	if r.Until != 0 {
		fmt.Fprintf(&b, ";UNTIL=%s", time.Unix(r.Until, 0).UTC().Format(wallLayout+"Z"))
	}
	ints := func(name string, v []int) {
		if len(v) > 0 {
			s := make([]string, len(v))
			for i, n := range v {
				s[i] = strconv.Itoa(n)
			}
			fmt.Fprintf(&b, ";%s=%s", name, strings.Join(s, ","))
		}
	}
	ints("BYHOUR", r.ByHour)
	ints("BYMINUTE", r.ByMinute)
	if len(r.ByDay) > 0 {
		s := make([]string, len(r.ByDay))
		for i, d := range r.ByDay {
			s[i] = strings.ToUpper(d.Day.String()[:2])
			if d.N != 0 {
				s[i] = strconv.Itoa(d.N) + s[i]
			}
		}
		fmt.Fprintf(&b, ";BYDAY=%s", strings.Join(s, ","))
	}
	ints("BYMONTHDAY", r.ByMonthDay)
	ints("BYYEARDAY", r.ByYearDay)
	ints("BYWEEKNO", r.ByWeekNo)
	ints("BYMONTH", r.ByMonth)
	ints("BYSETPOS", r.BySetPos)
	if r.Wkst != int(time.Monday) {
		fmt.Fprintf(&b, ";WKST=%s", strings.ToUpper(time.Weekday(r.Wkst).String()[:2]))
	}
	if len(r.ExDates) > 0 {
		fmt.Fprintf(&b, "\nEXDATE;TZID=%s:%s", r.Zone, strings.Join(r.ExDates, ","))
	}
	if len(r.RDates) > 0 {
		fmt.Fprintf(&b, "\nRDATE;TZID=%s:%s", r.Zone, strings.Join(r.RDates, ","))
	}
	return b.String()
}

// classify says which oracle a rule is checked against: dateutil, or
// bruteWalls where dateutil departs from RFC 5545 (see the top of this
// file).
func (r *oracleRule) classify() string {
	plain, ordinal := false, false
	for _, d := range r.ByDay {
		if d.N == 0 {
			plain = true
		} else {
			ordinal = true
		}
	}
	switch {
	case plain && ordinal:
		return "brute: plain and ordinal BYDAY (dateutil intersects)"
	case r.Freq == "WEEKLY" && len(r.BySetPos) > 0:
		return "brute: WEEKLY BYSETPOS (dateutil starts the week at DTSTART)"
	case slices.ContainsFunc(r.ByWeekNo, func(n int) bool { return n < 0 || n >= 52 }):
		return "brute: BYWEEKNO 52, 53 or negative (dateutil's week 53; our choice for negatives)"
	}
	return "dateutil"
}

// bruteWalls lists the rule's local times from DTSTART's to r.limit by
// looking at every day of every period of the rule and applying each rule
// part as RFC 5545 §3.3.10 words it. It shares nothing with the engine.
func bruteWalls(r *oracleRule) []time.Time {
	start := r.start
	byMonth, byMonthDay, byDay := r.ByMonth, r.ByMonthDay, r.ByDay
	// The parts RFC 5545 takes from DTSTART when the rule names no day.
	if len(r.ByWeekNo)+len(r.ByYearDay)+len(byMonthDay)+len(byDay) == 0 {
		switch r.Freq {
		case "YEARLY":
			if len(byMonth) == 0 {
				byMonth = []int{int(start.Month())}
			}
			byMonthDay = []int{start.Day()}
		case "MONTHLY":
			byMonthDay = []int{start.Day()}
		case "WEEKLY":
			byDay = []wdn{{Day: start.Weekday()}}
		}
	}
	hours, minutes := r.ByHour, r.ByMinute
	if len(hours) == 0 {
		hours = []int{start.Hour()}
	}
	if len(minutes) == 0 {
		minutes = []int{start.Minute()}
	}
	var times []time.Duration
	for _, h := range hours {
		for _, m := range minutes {
			times = append(times, time.Duration(h)*time.Hour+time.Duration(m)*time.Minute+time.Duration(start.Second())*time.Second)
		}
	}
	slices.Sort(times)
	wkst := time.Weekday(r.Wkst)
	day0 := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	weekStart := func(d time.Time) time.Time { return d.AddDate(0, 0, -((int(d.Weekday()) - int(wkst) + 7) % 7)) }
	// The week-numbering year of d's week (the year holding at least four
	// of its days), its number in that year and that year's count of weeks.
	week1 := func(y int) time.Time { return weekStart(time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)) }
	weekOf := func(d time.Time) (no, weeks int) {
		ws := weekStart(d)
		y := ws.AddDate(0, 0, 3).Year()
		no = int(ws.Sub(week1(y)).Hours()/24)/7 + 1
		weeks = int(week1(y+1).Sub(week1(y)).Hours()/24) / 7
		return no, weeks
	}
	has := func(xs []int, n int) bool { return slices.Contains(xs, n) }
	dayOK := func(d time.Time) bool {
		if len(byMonth) > 0 && !has(byMonth, int(d.Month())) {
			return false
		}
		if len(r.ByWeekNo) > 0 {
			no, weeks := weekOf(d)
			if !has(r.ByWeekNo, no) && !has(r.ByWeekNo, no-weeks-1) {
				return false
			}
		}
		if len(r.ByYearDay) > 0 {
			yl := time.Date(d.Year(), 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
			if !has(r.ByYearDay, d.YearDay()) && !has(r.ByYearDay, d.YearDay()-yl-1) {
				return false
			}
		}
		if len(byMonthDay) > 0 {
			ml := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if !has(byMonthDay, d.Day()) && !has(byMonthDay, d.Day()-ml-1) {
				return false
			}
		}
		if len(byDay) == 0 {
			return true
		}
		// The scope an ordinal counts in: the month in a MONTHLY rule or a
		// YEARLY one with BYMONTH, else the year.
		inScope := func(x time.Time) bool {
			if r.Freq == "MONTHLY" || r.Freq == "YEARLY" && len(r.ByMonth) > 0 {
				return x.Year() == d.Year() && x.Month() == d.Month()
			}
			return x.Year() == d.Year()
		}
		fromStart, fromEnd := 0, 0
		for x := d; inScope(x); x = x.AddDate(0, 0, -7) {
			fromStart++
		}
		for x := d; inScope(x); x = x.AddDate(0, 0, 7) {
			fromEnd--
		}
		for _, v := range byDay { // a union
			if v.Day == d.Weekday() && (v.N == 0 || v.N == fromStart || v.N == fromEnd) {
				return true
			}
		}
		return false
	}
	var out []time.Time
	for p := 0; ; p += r.Interval {
		var first, last time.Time
		switch r.Freq {
		case "YEARLY":
			first = time.Date(start.Year()+p, 1, 1, 0, 0, 0, 0, time.UTC)
			last = first.AddDate(1, 0, -1)
		case "MONTHLY":
			first = time.Date(start.Year(), start.Month()+time.Month(p), 1, 0, 0, 0, 0, time.UTC)
			last = first.AddDate(0, 1, -1)
		case "WEEKLY":
			first = weekStart(day0).AddDate(0, 0, 7*p)
			last = first.AddDate(0, 0, 6)
		default:
			first = day0.AddDate(0, 0, p)
			last = first
		}
		if first.After(r.limit) {
			return out
		}
		var set []time.Time
		for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
			if dayOK(d) {
				for _, t := range times {
					set = append(set, d.Add(t))
				}
			}
		}
		if len(r.BySetPos) > 0 {
			var picked []time.Time
			for _, pos := range r.BySetPos {
				i := pos - 1
				if pos < 0 {
					i = len(set) + pos
				}
				if i >= 0 && i < len(set) {
					picked = append(picked, set[i])
				}
			}
			slices.SortFunc(picked, time.Time.Compare)
			set = slices.CompactFunc(picked, time.Time.Equal)
		}
		for _, w := range set {
			if !w.Before(start) && !w.After(r.limit) {
				out = append(out, w)
			}
		}
	}
}

func TestOracleDateutil(t *testing.T) {
	python := findPython()
	if python == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 with dateutil is needed for the recurrence oracle (Debian: python3-dateutil); under CI=true it must not be skipped")
		}
		t.Skip("python3 with dateutil not found (Debian: python3-dateutil)")
	}
	seed := uint64(oracleSeed)
	if s := os.Getenv("ISMSCOMMS_ORACLE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("ISMSCOMMS_ORACLE_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (set ISMSCOMMS_ORACLE_SEED to change it)", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var trans []transition
	for _, z := range oracleZones {
		loc := loadLoc(t, z.zone)
		for _, y := range z.years {
			tr := transitionsIn(loc, y)
			if len(tr) == 0 {
				t.Fatalf("%s has no transition in %d", z.zone, y)
			}
			trans = append(trans, tr...)
		}
	}
	began := time.Now()
	var rules []*oracleRule
	classes := map[string]int{}
	rejected := 0
	for i := 0; len(rules) < oracleRules; i++ {
		r := genRule(rng, i, trans)
		r.class = r.classify()
		r.useDU = r.class == "dateutil"
		for _, w := range bruteWalls(r) {
			r.Walls = append(r.Walls, w.Format(wallLayout))
		}
		rules = append(rules, r)
	}
	in, err := json.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/oracle/expand.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pyStart := time.Now()
	out, err := cmd.Output()
	pyTime := time.Since(pyStart)
	if err != nil {
		t.Fatalf("expand.py: %v\n%s", err, stderr.String())
	}
	var want map[string]struct {
		DateUtil []int64 `json:"dateutil"`
		Brute    []int64 `json:"brute"`
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	bad := 0
	perZone, perFreq := map[string]int{}, map[string]int{}
	duDeparts := map[string]int{}
	for _, r := range rules {
		w := want[r.ID]
		rule, err := schedule.Parse(r.text)
		if err != nil {
			// Rules that can never match are refused; the oracle must agree
			// that the rule gives nothing but DTSTART.
			if errors.Is(err, schedule.ErrNoOccurrence) && (len(r.Walls) == 0 || len(r.Walls) == 1 && r.Walls[0] == r.DTStart) {
				rejected++
				continue
			}
			t.Errorf("rule %s:\n%s\nParse: %v", r.ID, r.text, err)
			bad++
			continue
		}
		classes[r.class]++
		perZone[r.Zone]++
		perFreq[r.Freq]++
		oracle := w.Brute
		if !r.useDU && !slices.Equal(w.DateUtil, w.Brute) {
			duDeparts[r.class]++
		}
		if r.useDU {
			oracle = w.DateUtil
			if !slices.Equal(w.DateUtil, w.Brute) {
				t.Errorf("rule %s: the brute-force expander and dateutil disagree:\n%s\n dateutil %v\n    brute %v", r.ID, r.text, unixTimes(w.DateUtil, r.Zone), unixTimes(w.Brute, r.Zone))
				bad++
			}
		}
		var got []int64
		for at := range rule.Between(time.Time{}, time.Unix(r.End, 0)) {
			got = append(got, at.Unix())
		}
		if !slices.Equal(got, oracle) {
			bad++
			if bad <= 20 {
				extra, missing := diffTimes(got, oracle)
				t.Errorf("rule %s (%s):\n%s\n%d occurrences, want %d; extra %v, missing %v", r.ID, r.class, r.text, len(got), len(oracle), unixTimes(extra, r.Zone), unixTimes(missing, r.Zone))
			}
		}
	}
	if bad > 20 {
		t.Errorf("%d rules disagree in all", bad)
	}
	t.Logf("%d rules compared in %v, of which python %v (%d more refused as never matching, and the oracle agrees)", len(rules)-rejected, time.Since(began).Round(time.Millisecond), pyTime.Round(time.Millisecond), rejected)
	for _, m := range []map[string]int{classes, perFreq, perZone} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k == "dateutil" {
				t.Logf("  %5d  %s", m[k], k)
			} else if m[k] > 0 && strings.HasPrefix(k, "brute") {
				t.Logf("  %5d  %s: dateutil departs from RFC 5545 on %d of them", m[k], k, duDeparts[k])
			} else {
				t.Logf("  %5d  %s", m[k], k)
			}
		}
	}
	// The departures are real: on each class some rules show them, else
	// the reason for not asking dateutil has gone.
	for k, n := range classes {
		if k != "dateutil" && duDeparts[k] == 0 {
			t.Errorf("%s: dateutil agrees with RFC 5545 on all %d rules of the class", k, n)
		}
	}
}

// diffTimes returns what got has that want lacks, and the other way round
// (at most five of each).
func diffTimes(got, want []int64) (extra, missing []int64) {
	for _, u := range got {
		if !slices.Contains(want, u) && len(extra) < 5 {
			extra = append(extra, u)
		}
	}
	for _, u := range want {
		if !slices.Contains(got, u) && len(missing) < 5 {
			missing = append(missing, u)
		}
	}
	return extra, missing
}

func unixTimes(us []int64, zone string) []string {
	loc, _ := time.LoadLocation(zone)
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = time.Unix(u, 0).In(loc).Format("2006-01-02 15:04 -0700")
	}
	return out
}

// TestOracleHandCases runs testdata/oracle/cases.txt: the disagreements the
// oracle found, worked by hand, checked without python.
func TestOracleHandCases(t *testing.T) {
	data, err := os.ReadFile("testdata/oracle/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(string(data), "\n\n") {
		var rule, want []string
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			switch {
			case strings.HasPrefix(line, "#") || line == "":
			case strings.HasPrefix(line, "=>"):
				for _, w := range strings.Split(strings.TrimPrefix(line, "=>"), ",") {
					want = append(want, strings.TrimSpace(w))
				}
			default:
				rule = append(rule, line)
			}
		}
		if len(rule) == 0 {
			continue
		}
		n++
		text := strings.Join(rule, "\n")
		if len(want) == 0 {
			t.Fatalf("case %q lists no occurrences", text)
		}
		if got := first(mustParse(t, text), len(want)+3); !slices.Equal(got, want) {
			t.Errorf("%s\n got %v\nwant %v", text, got, want)
		}
	}
	if n < 10 {
		t.Fatalf("read %d cases; the file holds more", n)
	}
}
