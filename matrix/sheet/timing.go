package sheet

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/recur"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
)

// note is an inference about a field below an activity: its path suffix
// ("when.rrule"), the value and why.
type note struct {
	field, value, why string
}

// timing is what a timing cell was read as.
type timing struct {
	when  comms.Timing
	notes []note
	// activity, when set, is the name of the activity whose completion
	// triggers this one ("Within 3 days of "Notice" being sent"); the
	// trigger is set once every activity is known.
	activity string
	problem  string
	// reviews are values kept that must be checked: each is a Problem
	// at its field (a deadline the cell does not state), or at the
	// timing when field is "" (a rule that skips the months without its
	// day).
	reviews []note
}

// keepTiming records what the timing t read for the activity at path p
// (row, col: the timing cell) gives: an inference for each note, a
// Problem at the value for each review, and a Problem at the topic when
// staff are told how to report incidents only once one is under way.
func (b *builder) keepTiming(row, col int, p string, topic comms.Topic, t timing) {
	for _, n := range t.notes {
		b.infer(row, col, p+"."+n.field, n.value, n.why)
	}
	for _, r := range t.reviews {
		if r.field == "" {
			b.problem(row, col, p+".when", r.why)
			continue
		}
		b.review(row, col, p+"."+r.field, r.why)
	}
	if kind, _, _ := t.when.TriggerParts(); topic == comms.TopicIncidentReporting && kind == comms.EventKindIncident && !t.when.Recurring() {
		b.review(row, max(b.col[fActivity], b.col[fMessage])+1, p+".what.topic",
			"read as incident-reporting from the name and key message, but the row is sent only once an incident is under way ("+t.when.Trigger+
				"): control A.6.8 needs staff told how to report security events before one, and check's INCIDENT-REPORTING counts this activity as doing so; "+
				"if the row is about the response, set topic: incident; if staff learn how to report here, add a recurring incident-reporting activity")
	}
}

// review is a Problem with a value that is kept in the plan: it is
// listed with its cell, and the plan file marks the value itself.
func (b *builder) review(row, col int, path, msg string) {
	b.res.Problems = append(b.res.Problems, Problem{Sheet: b.g.sheet, Row: row, Column: col, Path: path, Message: msg})
	b.comments[path] = append(b.comments[path], "to review: "+location(b.g.sheet, row, col)+": "+msg)
}

const startHour = 9

// defaultStart is the first Monday of the month after now.
func defaultStart(now time.Time) comms.Date {
	d := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return comms.DateOf(d)
}

var (
	spaces      = regexp.MustCompile(`\s+`)
	reCount     = regexp.MustCompile(`^(.*), (\d{1,4}) times?$`)
	reUntil     = regexp.MustCompile(`^(.*), until (\d{1,2}) ([a-z]+) (\d{4})$`)
	reEveryN    = regexp.MustCompile(`^every (\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (days|weeks|months|years)(?: on (.+))?$`)
	reBase      = regexp.MustCompile(`^(daily|every day|weekly|every week|fortnightly|bi-weekly|biweekly|bi weekly|monthly|every month|quarterly|every quarter|annually|annual|yearly|every year|once a year|biannually|bi-annually|biannual|bi-annual|semi-annually|semiannually|semi annually|semi-annual|semiannual|semi annual|twice a year|twice yearly|half-yearly|half yearly)(?:,? on (.+))?$`)
	reWithin    = regexp.MustCompile(`^within (\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (hours?|days?|calendar days?|business days?|working days?|weeks?|months?)(?: (?:of|after|from) (.+))?$`)
	reOnTrigger = regexp.MustCompile(`^on ([a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9_-]*)$`)
	reTrigger   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}\.[a-z0-9][a-z0-9_-]{0,63}$`)
	reSentRef   = regexp.MustCompile(`(?i)^(?:within .+ of |on )"(.+)" being sent$`)
	reImmediate = regexp.MustCompile(`^(immediate(?:ly)?|asap|a\.s\.a\.p|as soon as possible|without delay|without undue delay)(?: \(?([^()]*)\)?)?$`)
	reAsNeeded  = regexp.MustCompile(`^(as needed|as required|when needed|when required|as necessary|if needed|on demand|ad hoc|ad-hoc|on request|upon request|as and when (?:needed|required))(?: \(?([^()]*)\)?)?$`)
	reMonthDay  = regexp.MustCompile(`^(?:the )?(\d{1,2})(?:st|nd|rd|th)?(?: day)?(?: of the month)?$`)
	reNthDay    = regexp.MustCompile(`^(?:the )?(first|second|third|fourth|fifth|last|second-to-last|1st|2nd|3rd|4th|5th) ([a-z]+?)s?(?: of (?:the month|([a-z]+)))?$`)
	// reParenDay is a day in brackets: "monthly (first Monday)".
	reParenDay = regexp.MustCompile(`^([a-z -]+?),? \((?:on )?([^()]+)\)$`)
	// reOngoing is a timing with no schedule at all.
	reOngoing = regexp.MustCompile(`^(ongoing|on-going|continuous|continuously|continual|continually|always|at all times|constant|constantly|all year|all year round|year-round|year round|throughout the year|permanent|permanently)$`)
	// reJoining names the day a person joins.
	reJoining = regexp.MustCompile(`^(?:(?:at|on|upon|during|after|before|with|for|at the time of) (?:the )?)?(onboarding|on-boarding|induction|hire|hiring|joining|start of employment|employment start|new hires?|new joiners?|new starters?|new employees?|new staff)$`)
	reDate    = regexp.MustCompile(`^(\d{1,2}) ([a-z]+)$|^([a-z]+) (\d{1,2})(?:st|nd|rd|th)?$`)
)

var numberWords = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

func number(s string) (int, bool) {
	if n, ok := numberWords[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

var ordinalWords = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
	"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1, "second-to-last": -2}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

var weekdayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func month(s string) (time.Month, bool) {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || len(s) == 3 && strings.HasPrefix(name, s) {
			return m, true
		}
	}
	return 0, false
}

// rule is a recurrence being read: its parts, and the test a date must
// pass to be one of its occurrences (for the start).
type rule struct {
	freq     string
	interval int
	byMonth  []int
	byMonthD int // 0: none
	byDay    []string
	count    int
	until    comms.Date
	match    func(time.Time) bool
}

func (r rule) text() string {
	s := "FREQ=" + r.freq
	if r.interval > 1 {
		s += ";INTERVAL=" + strconv.Itoa(r.interval)
	}
	if len(r.byMonth) > 0 {
		ms := make([]string, len(r.byMonth))
		for i, m := range r.byMonth {
			ms[i] = strconv.Itoa(m)
		}
		s += ";BYMONTH=" + strings.Join(ms, ",")
	}
	if r.byMonthD != 0 {
		s += ";BYMONTHDAY=" + strconv.Itoa(r.byMonthD)
	}
	if len(r.byDay) > 0 {
		s += ";BYDAY=" + strings.Join(r.byDay, ",")
	}
	if r.count > 0 {
		s += ";COUNT=" + strconv.Itoa(r.count)
	}
	return s
}

// readTiming reads a timing cell. topic and id are the activity's, for the
// trigger of phrases that name none ("as needed").
func (b *builder) readTiming(raw string, topic comms.Topic) timing {
	var t timing
	s := strings.TrimSpace(raw)
	if s == "" {
		t.problem = "empty: when the activity happens is not determined"
		return t
	}
	if up := strings.ToUpper(strings.Join(strings.Fields(s), "")); strings.HasPrefix(up, "FREQ=") || strings.HasPrefix(up, "RRULE:FREQ=") {
		up = strings.TrimPrefix(up, "RRULE:")
		for _, sub := range []string{"FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY"} {
			if strings.Contains(up, sub) {
				t.problem = fmt.Sprintf("%q: a plan's recurrences are daily or coarser", raw)
				return t
			}
		}
		start, why := b.start, b.startWhy
		if !strings.Contains(up, ";BY") {
			freq, _, _ := strings.Cut(strings.TrimPrefix(up, "FREQ="), ";")
			start, why = everyMonthStart(freq, start, why)
		}
		t.when = comms.Timing{RRule: up, Start: comms.DateTime{Date: start, Hour: startHour}}
		t.notes = append(t.notes, note{"when.start", t.when.Start.String(), why + "; check that the rule produces it"})
		if skip := skips(t.when); skip != "" {
			t.reviews = append(t.reviews, note{why: skip})
		}
		return t
	}
	lower := strings.TrimSuffix(spaces.ReplaceAllString(strings.ToLower(s), " "), ".")
	rulePart, trigPart, two := cutUnquoted(lower, "; ")
	if r, why, ok := b.readRule(rulePart); ok {
		if two {
			_, origTrig, _ := cutUnquoted(s, ";")
			trig := b.readTrigger(trigPart, origTrig, topic)
			if trig.problem != "" {
				return trig
			}
			t = trig
		}
		if r.problem != "" {
			t.problem = r.problem
			return t
		}
		t.when.RRule = r.text()
		t.when.Start = comms.DateTime{Date: r.start, Hour: startHour}
		if !r.until.IsZero() {
			t.when.Until = comms.DateTime{Date: r.until, DateOnly: true}
		}
		t.notes = append(t.notes, note{"when.rrule", t.when.RRule, why})
		t.notes = append(t.notes, note{"when.start", t.when.Start.String(), r.startWhy})
		if skip := skips(t.when); skip != "" {
			t.reviews = append(t.reviews, note{why: skip})
		}
		return t
	}
	if two {
		t.problem = fmt.Sprintf("%q is not a timing phrase this import knows (%s)", raw, knownPhrases)
		return t
	}
	return b.readTrigger(lower, s, topic)
}

const knownPhrases = `daily, weekly, monthly, quarterly, every 6 months, annually, "monthly on the first Monday", "annually on 15 January", as needed, immediately, "within 72 hours", "within 5 business days of …", or an RRULE`

// readRule is a recurrence read from a phrase, its start, and why.
type readRule struct {
	rule
	start    comms.Date
	startWhy string
	problem  string
}

// readRule reads a recurrence phrase; ok is false when s is none.
func (b *builder) readRule(s string) (readRule, string, bool) {
	var r readRule
	phrase := s
	if m := reParenDay.FindStringSubmatch(s); m != nil && reBase.MatchString(m[1]) && !strings.Contains(m[1], " on ") {
		// "Monthly (first Monday)": the day in brackets.
		s = m[1] + " on " + m[2]
	}
	if m := reCount.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if n == 0 {
			r.problem = fmt.Sprintf("%q: a recurrence that happens 0 times never happens: give the number of times (\"quarterly, 4 times\") or leave the count out", phrase)
			return r, "", true
		}
		r.count, s = n, m[1]
	} else if m := reUntil.FindStringSubmatch(s); m != nil {
		mo, ok := month(m[3])
		d, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[4])
		if !ok || !validDay(y, mo, d) {
			return r, "", false
		}
		r.until, s = comms.Date{Year: y, Month: mo, Day: d}, m[1]
	}
	var on string
	why := fmt.Sprintf("the timing %q read as this rule", phrase)
	if m := reEveryN.FindStringSubmatch(s); m != nil {
		n, _ := number(m[1])
		if n < 1 || n > 999 {
			return r, "", false
		}
		r.interval, on = n, m[3]
		r.freq = map[string]string{"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY", "years": "YEARLY"}[m[2]]
	} else if m := reBase.FindStringSubmatch(s); m != nil {
		on = m[2]
		switch m[1] {
		case "daily", "every day":
			r.freq = "DAILY"
		case "weekly", "every week":
			r.freq = "WEEKLY"
		case "fortnightly":
			r.freq, r.interval = "WEEKLY", 2
		case "bi-weekly", "biweekly", "bi weekly":
			r.freq, r.interval = "WEEKLY", 2
			why += ` read as every 2 weeks (fortnightly); "bi-weekly" can also mean twice a week: write "weekly on Monday and Thursday" for that`
		case "monthly", "every month":
			r.freq = "MONTHLY"
		case "quarterly", "every quarter":
			r.freq, r.interval = "MONTHLY", 3
		case "annually", "annual", "yearly", "every year", "once a year":
			r.freq = "YEARLY"
		case "biannually", "bi-annually", "biannual", "bi-annual":
			r.freq, r.interval = "MONTHLY", 6
			why += ` read as twice a year (every 6 months), as the reference guide means it; "biannual" can also mean every two years: write "every 2 years" for that`
		case "twice a year", "twice yearly":
			if on != "" {
				r.freq = "YEARLY"
			} else {
				r.freq, r.interval = "MONTHLY", 6
				why += " read as every 6 months"
			}
		default: // semi-annually, half-yearly
			r.freq, r.interval = "MONTHLY", 6
			why += " read as every 6 months"
		}
	} else if s == "every weekday" || s == "every working day" || s == "every business day" {
		r.freq, r.byDay = "DAILY", []string{"MO", "TU", "WE", "TH", "FR"}
		r.match = func(t time.Time) bool { return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday }
	} else {
		return r, "", false
	}
	if on != "" && !b.readOn(&r.rule, on) {
		r.problem = fmt.Sprintf("%q: the day %q is not one this import can read (write \"on the 15th\", \"on the first Monday\", \"on 15 January\")", phrase, on)
		return r, why, true
	}
	if r.match == nil {
		r.start, r.startWhy = everyMonthStart(r.freq, b.start, b.startWhy)
	} else {
		start, ok := firstOnOrAfter(b.start, r.match)
		if !ok {
			r.problem = fmt.Sprintf("%q names no date that exists", phrase)
			return r, why, true
		}
		r.start, r.startWhy = start, "the first date the rule produces on or after "+b.start.String()+" ("+b.startWhy+"), at 09:00"
	}
	if r.match == nil {
		r.startWhy += ", at 09:00"
	}
	return r, why, true
}

// everyMonthStart is the start of a monthly or yearly rule that names no
// day, which recurs on its start's day: RFC 5545 skips the months that
// lack it, so a start on the 29th to the 31st (of a monthly rule, or 29
// February of a yearly one) is moved to the 28th, and why says so.
func everyMonthStart(freq string, start comms.Date, why string) (comms.Date, string) {
	if start.Day > 28 && (freq == "MONTHLY" || freq == "YEARLY" && start.Month == time.February) {
		moved := comms.Date{Year: start.Year, Month: start.Month, Day: 28}
		return moved, fmt.Sprintf("%s, moved from %s to the 28th: a rule that names no day recurs on its start's day, and months without a %d%s would be skipped",
			why, start, start.Day, ordinalSuffix(start.Day))
	}
	return start, why
}

func ordinalSuffix(d int) string {
	switch {
	case d%100 >= 11 && d%100 <= 13:
		return "th"
	case d%10 == 1:
		return "st"
	case d%10 == 2:
		return "nd"
	case d%10 == 3:
		return "rd"
	}
	return "th"
}

// skips is a problem to review for a monthly or yearly rule that names
// a day some of its periods lack ("on the 31st", "the fifth Friday",
// BYSETPOS=5, Friday the 13th): RFC 5545 skips the periods without it,
// so the activity does not happen every period. It asks the rule itself
// for an occurrence in each period of its first five years (eight for a
// yearly rule; each month a yearly BYMONTH names, without BYSETPOS):
// at most 96 calls of Next, whatever the rule. A rule that does not
// compile is left to validate.
func skips(w comms.Timing) string {
	rr, err := recur.ParseRRule(w.RRule)
	if err != nil || rr.Freq != recur.Monthly && rr.Freq != recur.Yearly {
		return ""
	}
	ordinal := false
	for _, d := range rr.ByDay {
		ordinal = ordinal || d.N != 0
	}
	if !ordinal && len(rr.ByMonthDay)+len(rr.BySetPos)+len(rr.ByYearDay)+len(rr.ByWeekNo) == 0 {
		return "" // every period has its start's day (everyMonthStart) or every weekday it names
	}
	rule, err := schedule.FromTiming(w, time.UTC)
	if err != nil {
		return ""
	}
	start := rule.Start()
	type window struct {
		from, to time.Time
		name     string
	}
	var windows []window
	if rr.Freq == recur.Monthly {
		first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		for k := 1; k*rr.Interval <= 60; k++ {
			from := first.AddDate(0, k*rr.Interval, 0)
			if len(rr.ByMonth) > 0 && !slices.Contains(rr.ByMonth, int(from.Month())) {
				continue // a month the rule leaves out on purpose
			}
			windows = append(windows, window{from, from.AddDate(0, 1, 0), from.Format("January 2006")})
		}
	} else {
		for k := 1; k <= 8; k++ {
			y := start.Year() + k*rr.Interval
			if y > 9999 {
				break
			}
			if len(rr.ByMonth) == 0 || len(rr.BySetPos) > 0 {
				from := time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
				windows = append(windows, window{from, from.AddDate(1, 0, 0), strconv.Itoa(y)})
				continue
			}
			for _, m := range rr.ByMonth {
				from := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
				windows = append(windows, window{from, from.AddDate(0, 1, 0), from.Format("January 2006")})
			}
		}
	}
	for _, win := range windows {
		next, ok := rule.Next(win.from.Add(-time.Second))
		if !ok {
			return "" // the rule has ended (COUNT, until), or never occurs: validate says so
		}
		if !next.Before(win.to) {
			return fmt.Sprintf("%s has no occurrence in %s: the periods without the day it names are skipped (RFC 5545), so it does not happen every period; use \"the last day\" or \"the last <weekday>\" (BYMONTHDAY=-1, BYDAY=-1FR) if that is what is meant",
				w.RRule, win.name)
		}
	}
	return ""
}

// readOn reads the day part of a phrase ("the 15th", "the first Monday",
// "Monday and Friday", "15 January and 15 July", "the first Monday of
// March") into r.
func (b *builder) readOn(r *rule, on string) bool {
	switch r.freq {
	case "DAILY":
		return false
	case "WEEKLY":
		var days []time.Weekday
		for _, w := range splitWords(on) {
			d, ok := weekdays[strings.TrimSuffix(w, "s")]
			if !ok {
				return false
			}
			days = append(days, d)
			r.byDay = append(r.byDay, weekdayCodes[d])
		}
		r.match = func(t time.Time) bool {
			for _, d := range days {
				if t.Weekday() == d {
					return true
				}
			}
			return false
		}
		return len(days) > 0
	case "MONTHLY":
		return readMonthDay(r, on, 0)
	}
	// YEARLY: dates, or an ordinal weekday of a month.
	if m := reNthDay.FindStringSubmatch(on); m != nil && m[3] != "" {
		mo, ok := month(m[3])
		if !ok {
			return false
		}
		r.byMonth = []int{int(mo)}
		return readMonthDay(r, "the "+m[1]+" "+m[2], mo)
	}
	day := 0
	var months []time.Month
	for _, item := range splitWords(on) {
		m := reDate.FindStringSubmatch(item)
		if m == nil {
			return false
		}
		ds, ms := m[1], m[2]
		if ds == "" {
			ds, ms = m[4], m[3]
		}
		d, _ := strconv.Atoi(ds)
		mo, ok := month(ms)
		if !ok || d < 1 || d > 31 || day != 0 && d != day {
			return false // one day of the month for every date: BYMONTHDAY
		}
		day = d
		months = append(months, mo)
		r.byMonth = append(r.byMonth, int(mo))
	}
	if day == 0 {
		return false
	}
	r.byMonthD = day
	r.match = func(t time.Time) bool {
		for _, mo := range months {
			if t.Month() == mo && t.Day() == day {
				return true
			}
		}
		return false
	}
	return true
}

// readMonthDay reads a day of the month: "the 15th", "the last day",
// "day -3", "the first Monday"; in month mo only if it is not 0.
func readMonthDay(r *rule, on string, mo time.Month) bool {
	inMonth := func(t time.Time) bool { return mo == 0 || t.Month() == mo }
	switch {
	case on == "the last day" || on == "the last day of the month":
		r.byMonthD = -1
		r.match = func(t time.Time) bool { return inMonth(t) && t.AddDate(0, 0, 1).Day() == 1 }
		return true
	case strings.HasPrefix(on, "day -"):
		n, err := strconv.Atoi(strings.TrimPrefix(on, "day "))
		if err != nil || n < -31 || n > -1 {
			return false
		}
		r.byMonthD = n
		r.match = func(t time.Time) bool { return inMonth(t) && t.AddDate(0, 0, -n).Day() == 1 }
		return true
	}
	if m := reMonthDay.FindStringSubmatch(on); m != nil {
		d, _ := strconv.Atoi(m[1])
		if d < 1 || d > 31 {
			return false
		}
		r.byMonthD = d
		r.match = func(t time.Time) bool { return inMonth(t) && t.Day() == d }
		return true
	}
	m := reNthDay.FindStringSubmatch(on)
	if m == nil || m[3] != "" && mo == 0 {
		return false
	}
	n, ok := ordinalWords[m[1]]
	wd, ok2 := weekdays[m[2]]
	if !ok || !ok2 {
		return false
	}
	r.byDay = []string{strconv.Itoa(n) + weekdayCodes[wd]}
	r.match = func(t time.Time) bool {
		if !inMonth(t) || t.Weekday() != wd {
			return false
		}
		if n > 0 {
			return (t.Day()-1)/7+1 == n
		}
		last := t.AddDate(0, 1, -t.Day()).Day()
		return (last-t.Day())/7+1 == -n
	}
	return true
}

// splitWords splits "a, b and c" into its items.
func splitWords(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		for _, item := range strings.Split(part, " and ") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

func validDay(y int, m time.Month, d int) bool {
	return y >= 1 && y <= 9999 && d >= 1 && time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() == d
}

// firstOnOrAfter is the first date from d on (within eight years) that
// match accepts.
func firstOnOrAfter(d comms.Date, match func(time.Time) bool) (comms.Date, bool) {
	t := d.In(time.UTC)
	for range 366 * 8 {
		if match(t) {
			return comms.DateOf(t), true
		}
		t = t.AddDate(0, 0, 1)
	}
	return comms.Date{}, false
}

// readTrigger reads a phrase of a triggered activity; orig is the phrase
// as written (for an activity's name).
func (b *builder) readTrigger(s, orig string, topic comms.Topic) timing {
	var t timing
	orig = strings.TrimSuffix(strings.TrimSpace(orig), ".")
	if m := reSentRef.FindStringSubmatch(orig); m != nil {
		t.activity = m[1]
		if w := reWithin.FindStringSubmatch(s); w != nil {
			t.within(w[1], w[2], orig)
		}
		return t
	}
	if m := reOnTrigger.FindStringSubmatch(s); m != nil {
		t.when.Trigger = m[1]
		return t
	}
	if m := reWithin.FindStringSubmatch(s); m != nil {
		if !t.within(m[1], m[2], orig) {
			return t
		}
		switch of := m[3]; {
		case of == "":
			trig, why := triggerForTopic(topic, b.current)
			t.when.Trigger = trig
			t.notes = append(t.notes, note{"when.trigger", trig, fmt.Sprintf("%q names no event: %s", orig, why)})
		case reTrigger.MatchString(of):
			t.when.Trigger = of
		default:
			trig, why, ok := triggerForWords(of, topic)
			if !ok {
				t.problem = fmt.Sprintf("%q: %q names no event this import can make a trigger of (an incident trigger needs the words incident, breach or security, or an incident topic): write the trigger, as in \"within 3 days of policy.changed\"", orig, of)
				return t
			}
			t.when.Trigger = trig
			t.notes = append(t.notes, note{"when.trigger", trig, fmt.Sprintf("%q: %s", of, why)})
		}
		return t
	}
	if m := reImmediate.FindStringSubmatch(s); m != nil {
		ctx := words(m[2])
		incident := incidentContext(ctx, topic)
		trig, why := "", ""
		within := "1h"
		review := fmt.Sprintf("%q states no deadline: within 1h is this import's reading of %q, not a figure from the sheet; set the deadline the organization keeps", orig, m[1])
		switch {
		case strings.TrimSpace(ctx) == "":
			trig, why = triggerForTopic(topic, b.current)
			why = fmt.Sprintf("%q: %s", orig, why)
		case legalWords(ctx) && incident:
			trig, why = "incident.aware", fmt.Sprintf("%q: a legal notification counts from becoming aware of an incident (GDPR Art. 33, NIS2 Art. 23)", orig)
			within, review = lawDeadline(orig)
		case hasWord(ctx, "incident", "incidents", "breach", "breaches") || has(ctx, "security event", "security incident"):
			trig, why = "incident.detected", fmt.Sprintf("%q: during incidents, from their detection", orig)
		case hasWord(ctx, "crisis", "crises", "emergency", "emergencies"):
			trig, why = "crisis.declared", fmt.Sprintf("%q: during crises, from their declaration", orig)
		default:
			t.problem = fmt.Sprintf("%q: %q names no event this import can make a trigger of (an incident trigger needs the words incident, breach or security, or an incident topic): write the trigger, as in \"within 1 hour of incident.detected\"", orig, m[2])
			return t
		}
		t.when = comms.Timing{Trigger: trig, Within: within}
		t.notes = append(t.notes, note{"when.trigger", trig, why})
		t.reviews = append(t.reviews, note{"when.within", within, review})
		return t
	}
	if m := reAsNeeded.FindStringSubmatch(s); m != nil {
		trig, why := triggerForTopic(topic, b.current)
		t.when = comms.Timing{Trigger: trig, Within: "7d"}
		if m[2] != "" {
			if tw, w, ok := triggerForWords(m[2], topic); ok {
				trig, why = tw, fmt.Sprintf("%q: %s", m[2], w)
				t.when.Trigger = trig
			} else {
				// The cell's own words say when; the trigger read is
				// not theirs.
				t.reviews = append(t.reviews, note{"when.trigger", trig, fmt.Sprintf("%q: %q names no event this import knows, so the trigger is not read from it but is %s, %s: set the trigger those words mean", orig, m[2], trig, why)})
			}
		}
		if len(t.reviews) == 0 {
			t.notes = append(t.notes, note{"when.trigger", trig, fmt.Sprintf("%q: on each occasion, %s", orig, why)})
		}
		t.reviews = append(t.reviews, note{"when.within", "7d", fmt.Sprintf("%q states no deadline: within 7d is a default this import chose, not the organization's; set the deadline it keeps", orig)})
		return t
	}
	if reOngoing.MatchString(s) {
		t.problem = fmt.Sprintf("%q has no schedule: a plan needs a recurrence (\"monthly\", \"quarterly\") or a trigger with a deadline (\"within 5 days of policy.changed\") to know when the communication is due and whether it happened", orig)
		return t
	}
	if reJoining.MatchString(s) {
		t.problem = fmt.Sprintf("%q: a plan has no trigger for a person joining (its events are incidents, crises and the like): write a recurrence that reaches new joiners (\"monthly on the first Monday\"), or a trigger the organization records, such as \"within 5 days of onboarding.joined\"; a message the audience acknowledges is owed by each joiner from the day the roster says they joined", orig)
		return t
	}
	t.problem = fmt.Sprintf("%q is not a timing phrase this import knows (%s)", orig, knownPhrases)
	return t
}

// lawDeadline is the deadline of "immediately (as required by law)",
// which names no law, and the problem to review that says so: the
// shortest of the usual deadlines from becoming aware of an incident,
// NIS2's early warning (Art. 23(4)(a), 24 hours), read from package
// regulation's catalog, never the most lenient (GDPR Art. 33's 72 hours).
// Without it in the catalog no deadline is set.
func lawDeadline(orig string) (within, review string) {
	clock := func(id string) (regulation.Obligation, string) {
		o, ok := regulation.Lookup(id)
		if !ok {
			return o, ""
		}
		for _, c := range o.Clocks {
			if c.From == o.Trigger && c.Anchor == "" {
				return o, c.Within.String()
			}
		}
		return o, ""
	}
	nis2, within := clock("nis2-early-warning")
	if within == "" {
		return "", fmt.Sprintf("%q names no law, and no deadline is set: set the deadline of the law that applies, and list it in obligations", orig)
	}
	lenient := ""
	if gdpr, w := clock("gdpr-art33"); w != "" {
		lenient = fmt.Sprintf("; %s (%s %s) allows %s", gdpr.ID, gdpr.Instrument, gdpr.Article, w)
	}
	return within, fmt.Sprintf("%q names no law: within %s is this import's default, the shortest of the usual deadlines from becoming aware of an incident, %s (%s %s, source %s)%s; "+
		"set the deadline of the law that applies, and list the obligations the activity fulfils (obligations: [%s, …]) so that ismscomms check --profile compares the two",
		orig, within, nis2.ID, nis2.Instrument, nis2.Article, nis2.Source, lenient, nis2.ID)
}

// within sets the deadline "within n unit" stated in orig, with a note
// of how it was read, or the problem that a plan cannot hold it (false).
func (t *timing) within(n, unit, orig string) bool {
	within, why, ok := deadlineOf(n, unit)
	if !ok {
		t.problem = fmt.Sprintf("%q: the deadline is not one a plan can hold", orig)
		return false
	}
	t.when.Within = within
	if why != "" {
		t.notes = append(t.notes, note{"when.within", within, why})
	}
	return true
}

// deadlineOf turns "72" "hours" into 72h.
func deadlineOf(n, unit string) (string, string, bool) {
	k, ok := number(n)
	if !ok || k > 9999 {
		return "", "", false
	}
	unit = strings.TrimSuffix(unit, "s")
	switch unit {
	case "hour":
		return strconv.Itoa(k) + "h", "", true
	case "day", "calendar day":
		return strconv.Itoa(k) + "d", "", true
	case "business day", "working day":
		return strconv.Itoa(k) + "bd", "", true
	case "week":
		return strconv.Itoa(7*k) + "d", fmt.Sprintf("%d weeks written as %d days", k, 7*k), true
	case "month":
		return strconv.Itoa(k) + "mo", "", true
	}
	return "", "", false
}

// triggerForTopic is the trigger of an activity that names no event, by
// its topic; else one named after the activity (id).
func triggerForTopic(topic comms.Topic, id string) (string, string) {
	trig, ok := map[comms.Topic]string{
		comms.TopicIncident:           "incident.detected",
		comms.TopicIncidentReporting:  "incident.detected",
		comms.TopicCrisis:             "crisis.declared",
		comms.TopicMediaInquiry:       "crisis.declared",
		comms.TopicRegulatoryReport:   "incident.aware",
		comms.TopicLessonsLearned:     "incident.closed",
		comms.TopicPolicyChange:       "policy.changed",
		comms.TopicPolicy:             "policy.changed",
		comms.TopicRegulatoryUpdate:   "regulation.changed",
		comms.TopicChange:             "change.approved",
		comms.TopicThreatIntelligence: "threat.identified",
	}[topic]
	if ok {
		return trig, fmt.Sprintf("the event of its topic (%s)", topic)
	}
	kind := eventKind(id)
	return kind + ".needed", "an event named after the activity; record it with ismscomms incident when the communication is needed"
}

// eventKind makes an event kind of an ID: letters, digits and hyphens, at
// most 48 characters.
func eventKind(id string) string {
	k := slug(strings.ReplaceAll(id, ".", "-"), 48)
	if k == "" {
		k = "activity"
	}
	return k
}

// triggerForWords makes a trigger of the words after "within N days of",
// matching whole words: an incident.* trigger only where the words (or
// the activity's topic) speak of an incident, a breach or security
// ("the awareness session", "the discovery call" are not incidents).
// ok is false for words that name no event it knows.
func triggerForWords(of string, topic comms.Topic) (string, string, bool) {
	w := words(of)
	incident := incidentContext(w, topic)
	switch {
	case incident && hasWord(w, "aware", "awareness"):
		return "incident.aware", "becoming aware of an incident", true
	case incident && hasWord(w, "detect", "detection", "detected", "discover", "discovery", "discovered"):
		return "incident.detected", "the detection of an incident", true
	case incident && hasWord(w, "closure", "closed", "closing", "close"):
		return "incident.closed", "the closure of an incident", true
	case incident && hasWord(w, "resolve", "resolved", "resolving", "resolution"):
		return "incident.resolved", "the resolution of an incident", true
	case hasWord(w, "incident", "incidents", "breach", "breaches") || has(w, "security event", "security incident"):
		return "incident.detected", "an incident, from its detection", true
	case hasWord(w, "crisis", "crises"):
		return "crisis.declared", "the declaration of a crisis", true
	case hasWord(w, "policy", "policies"):
		return "policy.changed", "a change of policy", true
	case legalWords(w) && hasWord(w, "change", "changes", "changed", "update", "updates", "updated", "new", "amendment"):
		return "regulation.changed", "a change of law or regulation", true
	}
	return "", "", false
}

// incidentContext reports whether w (from words) or the topic speaks of
// an incident: what an incident.* trigger needs.
func incidentContext(w string, topic comms.Topic) bool {
	switch topic {
	case comms.TopicIncident, comms.TopicIncidentReporting, comms.TopicRegulatoryReport, comms.TopicLessonsLearned:
		return true
	}
	return hasWord(w, "incident", "incidents", "breach", "breaches", "security")
}

// legalWords reports whether w (from words) names a law or regulation.
func legalWords(w string) bool {
	return hasWord(w, "law", "laws", "legal", "legally", "statute", "statutes", "statutory") || has(w, "regulat", "legislat")
}

// hasWord reports whether w (from words) holds one of the words whole.
func hasWord(w string, ws ...string) bool {
	for _, x := range ws {
		if strings.Contains(w, " "+x+" ") {
			return true
		}
	}
	return false
}
