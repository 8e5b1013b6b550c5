package comms

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ismscomms/ismscomms/internal/deadline"
)

// Reminders is a reminder and escalation policy: reminders to an
// activity's owner before an occurrence is due, chasing of the people who
// have not acknowledged a versioned message, and escalations to a role
// when an occurrence or a legal deadline is overdue or close to it. In a
// plan file, plan-wide or on an activity:
//
//	reminders:
//	  before: [7d, 1d]            # to the owner, before an occurrence
//	  chase: {every: 3bd, max: 4} # people who have not acknowledged
//	  escalate:
//	    - {after: 2bd, to: ciso}  # an occurrence or deadline overdue by 2 business days
//	    - {at: 80%, to: dpo}      # 80% of the time to a legal deadline used
//
// Durations have a deadline's form (h, d, bd, mo), at most a year, and
// are counted in the activity's calendar (its business days and, if the
// calendar gives them, its business hours: see [Calendar.Hours]).
// Package remind computes, from a policy, which reminders are due.
//
// An activity's Reminders replace the plan's wholly, not field by field
// ([Plan.RemindersOf]): an activity that writes only chase has no before
// or escalate, and an empty block (reminders: {}) turns reminders off for
// that activity.
type Reminders struct {
	// Before lists how long before each occurrence of a recurring
	// activity its owner is reminded, such as 7d and 1d.
	Before []string `yaml:"before,omitempty" json:"before,omitempty"`
	// Chase reminds the people who have not acknowledged a versioned
	// message; nil: no one is chased.
	Chase *Chase `yaml:"chase,omitempty" json:"chase,omitempty"`
	// Escalate lists the escalations to roles.
	Escalate []Escalation `yaml:"escalate,omitempty" json:"escalate,omitempty"`
}

// Chase says how the people who have not acknowledged a message are
// reminded: every Every from the start of their acknowledgement round
// (or the day they joined, if later), at most Max times.
type Chase struct {
	// Every is the interval, in a deadline's form (3bd, 7d).
	Every string `yaml:"every" json:"every"`
	// Max is how many reminders a person gets at most, 1 to [MaxChases].
	Max int `yaml:"max" json:"max"`
}

// Escalation sends word to a role: After an occurrence's or a
// triggered communication's deadline passed with nothing sent, or, for a
// legal deadline of an event's incident clock, when the share At of the
// time to it is used. Exactly one of After and At is set.
type Escalation struct {
	// After is how long past the deadline, in a deadline's form (2bd).
	After string `yaml:"after,omitempty" json:"after,omitempty"`
	// At is a share of the time from the start of a legal deadline's
	// clock to the deadline: a percentage from 1% to 99%, with at most
	// two decimals ("80%", "66.5%").
	At string `yaml:"at,omitempty" json:"at,omitempty"`
	// To is the ID of the role escalated to.
	To string `yaml:"to" json:"to"`
}

// Limits of a reminder policy, so that computing reminders stays cheap
// whatever a plan says.
const (
	// MaxBefore is how many offsets Reminders.Before may list.
	MaxBefore = 8
	// MaxChases is the largest Chase.Max.
	MaxChases = 52
	// MaxEscalations is how many escalations Reminders.Escalate may list.
	MaxEscalations = 8
)

// maxReminderSpan bounds every duration of a reminder policy: a year in
// each unit.
var maxReminderSpan = map[deadline.Unit]int{"h": 8784, "d": 366, "bd": 262, "mo": 12}

// RemindersOf returns the reminder policy of activity a: its own
// Reminders if it has a block (even an empty one), else the plan's; nil
// for none.
func (p Plan) RemindersOf(a Activity) *Reminders {
	if a.Reminders != nil {
		return a.Reminders
	}
	return p.Reminders
}

// Share returns the percentage At in hundredths of a percent (8000 for
// "80%", 6650 for "66.5%"); ok is false if At is not a percentage from
// 1% to 99% with at most two decimals.
func (e Escalation) Share() (basisPoints int, ok bool) {
	return parseShare(e.At)
}

func parseShare(s string) (int, bool) {
	num, found := strings.CutSuffix(s, "%")
	if !found || num == "" || len(num) > 5 {
		return 0, false
	}
	whole, frac, dot := strings.Cut(num, ".")
	if whole == "" || len(whole) > 2 || (len(whole) > 1 && whole[0] == '0') || (dot && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if frac != "" {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	bp := w*100 + f
	if bp < 100 || bp > 9900 {
		return 0, false
	}
	return bp, true
}

// BusinessHours parses a calendar's Hours, "09:00-17:00", into minutes
// after midnight: open is the first minute of business, close the first
// minute after it. ok is false for empty or malformed hours.
func (c Calendar) BusinessHours() (open, close int, ok bool) {
	return parseHours(c.Hours)
}

func parseHours(s string) (open, close int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	open, ok1 := parseClock(a)
	close, ok2 := parseClock(b)
	if !ok1 || !ok2 || open >= close {
		return 0, 0, false
	}
	return open, close, true
}

// parseClock parses "HH:MM", 00:00 to 24:00, into minutes.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// reminderDuration checks a duration of a reminder policy: a deadline's
// form, at most a year.
func reminderDuration(s string) error {
	n, u, err := deadline.Parse(s)
	if err != nil {
		return err
	}
	if n > maxReminderSpan[u] {
		return fmt.Errorf("%q is longer than a year (at most %d%s)", s, maxReminderSpan[u], u)
	}
	return nil
}
