package matrix

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/deadline"
	"github.com/ismscomms/ismscomms/internal/recur"
)

// describeTiming says when an activity happens in plain English:
// "Annually on 15 January", "Quarterly", "Monthly on the first Monday",
// "Within 72 hours of incident.aware". Where no phrase fits it gives the
// RRULE text. activityName resolves the activity a trigger names.
func describeTiming(t comms.Timing, activityName func(string) string) string {
	var parts []string
	if t.RRule != "" {
		parts = append(parts, describeRule(t))
	}
	if t.Trigger != "" {
		on := t.Trigger
		if id, ok := strings.CutPrefix(t.Trigger, comms.ActivityTriggerPrefix); ok {
			on = fmt.Sprintf("%q being sent", activityName(id))
		}
		within, onWord := "Within ", "On "
		if len(parts) > 0 {
			within, onWord = "within ", "on "
		}
		if t.Within != "" {
			parts = append(parts, within+describeDeadline(t.Within)+" of "+on)
		} else {
			parts = append(parts, onWord+on)
		}
	}
	return strings.Join(parts, "; ")
}

// describeDeadline spells out a deadline: "72 hours", "3 business days".
func describeDeadline(s string) string {
	n, u, err := deadline.Parse(s)
	if err != nil {
		return s
	}
	unit := map[deadline.Unit]string{
		deadline.Hours:        "hour",
		deadline.Days:         "day",
		deadline.BusinessDays: "business day",
		deadline.Months:       "month",
	}[u]
	return plural(n, unit)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

var ordinals = map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second-to-last"}

// describeRule phrases a recurrence, or returns its text when no phrase
// fits exactly.
func describeRule(t comms.Timing) string {
	r, err := recur.ParseRRule(t.RRule)
	if err != nil || len(r.ByWeekNo)+len(r.ByYearDay)+len(r.BySetPos)+len(r.ByHour)+len(r.ByMinute)+len(r.BySecond) > 0 {
		return t.RRule
	}
	phrase := rulePhrase(r, t.Start)
	if phrase == "" {
		return t.RRule
	}
	switch {
	case r.Count > 0:
		phrase += ", " + plural(r.Count, "time")
	case !t.Until.IsZero():
		phrase += ", until " + longDate(t.Until.Date)
	}
	return phrase
}

// rulePhrase phrases r, which starts at start, in words ("Quarterly",
// "Weekly on Monday"), or returns "" when no phrase fits exactly.
func rulePhrase(r recur.RRule, start comms.DateTime) string {
	byMonth, byMonthDay, byDay := byParts(r, start)
	n := r.Interval
	switch r.Freq {
	case recur.Daily:
		if len(byMonth)+len(byMonthDay) > 0 {
			return ""
		}
		return dailyPhrase(n, byDay)
	case recur.Weekly:
		if len(byMonth) > 0 || len(byDay) == 0 {
			return ""
		}
		return weeklyPhrase(n, byDay)
	case recur.Monthly:
		if len(byMonth) > 0 {
			return ""
		}
		return monthlyPhrase(n, byMonthDay, byDay)
	case recur.Yearly:
		if len(byMonth) == 0 {
			return ""
		}
		return yearlyPhrase(n, byMonth, byMonthDay, byDay)
	}
	return ""
}

// byParts returns r's BYMONTH, BYMONTHDAY and BYDAY parts, with what
// RFC 5545 derives from DTSTART (start) made explicit: a yearly rule
// without day parts falls on start's month and day, a monthly one on
// start's day, a weekly one on start's weekday.
func byParts(r recur.RRule, start comms.DateTime) (byMonth, byMonthDay []int, byDay []recur.WeekdayNum) {
	byMonth, byMonthDay, byDay = r.ByMonth, r.ByMonthDay, r.ByDay
	if len(byMonthDay) == 0 && len(byDay) == 0 && !start.IsZero() {
		switch r.Freq {
		case recur.Yearly:
			if len(byMonth) == 0 {
				byMonth = []int{int(start.Month)}
			}
			byMonthDay = []int{start.Day}
		case recur.Monthly:
			byMonthDay = []int{start.Day}
		case recur.Weekly:
			byDay = []recur.WeekdayNum{{Day: start.Weekday()}}
		}
	}
	return byMonth, byMonthDay, byDay
}

// dailyPhrase phrases a daily rule of interval n on the days byDay (none
// for every day), or returns "".
func dailyPhrase(n int, byDay []recur.WeekdayNum) string {
	if len(byDay) == 0 {
		if n == 1 {
			return "Daily"
		}
		return "Every " + plural(n, "day")
	}
	if weekdaysOnly(byDay) && n == 1 {
		return "Every weekday"
	}
	return ""
}

// weeklyPhrase phrases a weekly rule of interval n on the days byDay.
func weeklyPhrase(n int, byDay []recur.WeekdayNum) string {
	days := make([]string, len(byDay))
	for i, d := range byDay {
		days[i] = d.Day.String()
	}
	if n == 1 {
		return "Weekly on " + andList(days)
	}
	return "Every " + plural(n, "week") + " on " + andList(days)
}

// monthlyPhrase phrases a monthly rule of interval n on one day of the
// month (byMonthDay) or one numbered weekday (byDay), or returns "".
func monthlyPhrase(n int, byMonthDay []int, byDay []recur.WeekdayNum) string {
	var every string
	switch n {
	case 1:
		every = "Monthly"
	case 3:
		every = "Quarterly"
	case 12:
		every = "Annually"
	default:
		every = "Every " + plural(n, "month")
	}
	switch {
	case len(byMonthDay) == 1 && len(byDay) == 0:
		if n == 1 || byMonthDay[0] < 0 {
			return every + " on " + monthDay(byMonthDay[0])
		}
		// "Quarterly", "Every 6 months": the day comes from the start.
		return every
	case len(byMonthDay) == 0 && len(byDay) == 1 && byDay[0].N != 0:
		ord, ok := ordinals[byDay[0].N]
		if !ok {
			return ""
		}
		return every + " on the " + ord + " " + byDay[0].Day.String()
	}
	return ""
}

// yearlyPhrase phrases a yearly rule of interval n in the months byMonth
// (at least one) on one day of the month (byMonthDay), or in one month on
// one numbered weekday (byDay), or returns "".
func yearlyPhrase(n int, byMonth, byMonthDay []int, byDay []recur.WeekdayNum) string {
	every := "Annually"
	if n > 1 {
		every = "Every " + plural(n, "year")
	}
	months := make([]string, len(byMonth))
	for i, m := range byMonth {
		months[i] = time.Month(m).String()
	}
	switch {
	case len(byMonthDay) == 1 && len(byDay) == 0 && byMonthDay[0] > 0:
		dates := make([]string, len(months))
		for i, m := range months {
			dates[i] = strconv.Itoa(byMonthDay[0]) + " " + m
		}
		if len(dates) == 2 && n == 1 {
			return "Twice a year, on " + andList(dates)
		}
		return every + " on " + andList(dates)
	case len(byMonthDay) == 0 && len(byDay) == 1 && byDay[0].N != 0 && len(months) == 1:
		ord, ok := ordinals[byDay[0].N]
		if !ok {
			return ""
		}
		return every + " on the " + ord + " " + byDay[0].Day.String() + " of " + months[0]
	}
	return ""
}

func weekdaysOnly(days []recur.WeekdayNum) bool {
	if len(days) != 5 {
		return false
	}
	for _, d := range days {
		if d.N != 0 || d.Day == time.Saturday || d.Day == time.Sunday {
			return false
		}
	}
	return true
}

func monthDay(d int) string {
	switch {
	case d == -1:
		return "the last day"
	case d < 0:
		return "day " + strconv.Itoa(d)
	}
	suffix := "th"
	if d%100 < 11 || d%100 > 13 {
		switch d % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return "the " + strconv.Itoa(d) + suffix
}

func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(slices.Clip(items[:len(items)-1]), ", ") + " and " + items[len(items)-1]
}

func longDate(d comms.Date) string {
	return strconv.Itoa(d.Day) + " " + d.Month.String() + " " + strconv.Itoa(d.Year)
}
