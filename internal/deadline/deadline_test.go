package deadline

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	good := []struct {
		in string
		n  int
		u  Unit
	}{
		{"4h", 4, Hours}, {"72h", 72, Hours}, {"14d", 14, Days}, {"3bd", 3, BusinessDays},
		{"1mo", 1, Months}, {"120mo", 120, Months}, {"87660h", 87660, Hours},
	}
	for _, tc := range good {
		n, u, err := Parse(tc.in)
		if err != nil || n != tc.n || u != tc.u {
			t.Errorf("Parse(%q) = %d, %q, %v; want %d, %q", tc.in, n, u, err, tc.n, tc.u)
		}
	}
	bad := map[string]string{
		"":         "empty deadline",
		"72":       "not a deadline",
		"h":        "whole number",
		"0h":       "greater than zero",
		"072h":     "leading zeros",
		"72 h":     "not a deadline",
		"72H":      "lower case",
		"3BD":      "lower case",
		"-1d":      "not a deadline",
		"1.5h":     "not a deadline",
		"1w":       "not a deadline",
		"121mo":    "too large",
		"9999999h": "too large",
		"1m":       "not a deadline",
		"72hours":  "not a deadline",
		"+3d":      "not a deadline",
	}
	for in, want := range bad {
		if _, _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestShort(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Hour:                     "0m",
		0:                              "0m",
		20 * time.Second:               "0m",
		45 * time.Minute:               "45m",
		2 * time.Hour:                  "2h",
		29*24*time.Hour + 20*time.Hour: "29d20h",
		2*24*time.Hour + 3*time.Hour + 15*time.Minute + 31*time.Second: "2d3h16m",
		72 * time.Hour: "3d",
	} {
		if got := Short(d); got != want {
			t.Errorf("Short(%v) = %q, want %q", d, got, want)
		}
	}
}
