// Package deadline holds the grammar of a plan's "within" deadlines
// ("72h", "3bd", "1mo"), shared by plan validation in package comms and by
// package schedule, which computes due times.
package deadline

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unit is the unit of a deadline.
type Unit string

// Units, by their suffix in the text form.
const (
	Hours        Unit = "h"
	Days         Unit = "d"
	BusinessDays Unit = "bd"
	Months       Unit = "mo"
)

// Max bounds the amount so that no deadline overflows a time.Duration or
// reaches past year 9999: ten years in any unit.
var Max = map[Unit]int{Hours: 87660, Days: 3653, BusinessDays: 2610, Months: 120}

// Parse parses "<n><unit>" with n a positive whole number and unit one of
// h, d, bd, mo. Spaces and case are not allowed: the form is a contract.
func Parse(s string) (n int, u Unit, err error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	digits, suffix := s[:i], s[i:]
	switch Unit(suffix) {
	case Hours, Days, BusinessDays, Months:
		u = Unit(suffix)
	default:
		if s == "" {
			return 0, "", fmt.Errorf("empty deadline: use a number and a unit, such as 72h, 14d, 3bd or 1mo")
		}
		if lower := strings.ToLower(suffix); lower != suffix && (lower == "h" || lower == "d" || lower == "bd" || lower == "mo") {
			return 0, "", fmt.Errorf("%q: write the unit in lower case (%s%s)", s, digits, lower)
		}
		return 0, "", fmt.Errorf("%q is not a deadline: use a number and a unit h (hours), d (days), bd (business days) or mo (months), such as 72h, 14d, 3bd or 1mo", s)
	}
	if digits == "" || (len(digits) > 1 && digits[0] == '0') {
		return 0, "", fmt.Errorf("%q is not a deadline: the amount must be a whole number without leading zeros, such as 72h", s)
	}
	if len(digits) > 6 {
		return 0, "", fmt.Errorf("%q: the amount is too large (at most %d%s)", s, Max[u], u)
	}
	n, _ = strconv.Atoi(digits)
	if n == 0 {
		return 0, "", fmt.Errorf("%q: a deadline must be greater than zero", s)
	}
	if n > Max[u] {
		return 0, "", fmt.Errorf("%q: the amount is too large (at most %d%s, ten years)", s, Max[u], u)
	}
	return n, u, nil
}

// Short writes a duration to the minute in the units deadlines are
// counted in: "2d3h15m", "45m"; "0m" for anything under half a minute or
// negative. Reports and the incident clock show time left and delays so.
func Short(d time.Duration) string {
	d = d.Round(time.Minute)
	if d <= 0 {
		return "0m"
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	return b.String()
}
