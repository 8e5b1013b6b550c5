package recur

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// general returns a copy of s that never uses a closed form.
func general(s *Spec) *Spec {
	g := *s
	g.fast = fastShape{}
	return &g
}

// compareFast checks that the closed form of rule and the general engine
// give the same occurrences from lower on.
func compareFast(t *testing.T, rule string, start, lower Wall, n int) bool {
	t.Helper()
	r, err := ParseRRule(rule)
	if err != nil {
		return false
	}
	s, err := Compile(r, Options{Start: start})
	if err != nil {
		return false
	}
	if s.fast.kind == fastNone {
		return false
	}
	got, want := take(s, lower, n), take(general(s), lower, n)
	if walls(got) != walls(want) {
		t.Fatalf("rule %q start %s from %s:\nfast    %s\ngeneral %s", rule, FormatDateTime(start), FormatDateTime(lower), walls(got), walls(want))
	}
	return true
}

// fastRule builds a rule of one of the shapes with a closed form.
func fastRule(shape, interval, days, monthDay, nth, months uint8) string {
	k := 1 + int(interval)%6
	dayList := func() string {
		var ds []string
		for d := 0; d < 7; d++ {
			if days&(1<<d) != 0 {
				ds = append(ds, dayCodes[d])
			}
		}
		if len(ds) == 0 {
			ds = []string{"MO"}
		}
		return strings.Join(ds, ",")
	}
	md := 1 + int(monthDay)%31
	if monthDay&0x80 != 0 {
		md = -md
	}
	n := 1 + int(nth)%5
	if nth&0x80 != 0 {
		n = -n
	}
	switch shape % 7 {
	case 0:
		return fmt.Sprintf("FREQ=DAILY;INTERVAL=%d", k)
	case 1:
		return "FREQ=DAILY;BYDAY=" + dayList()
	case 2:
		return fmt.Sprintf("FREQ=WEEKLY;INTERVAL=%d;BYDAY=%s;WKST=%s", k, dayList(), dayCodes[int(nth)%7])
	case 3:
		return fmt.Sprintf("FREQ=MONTHLY;INTERVAL=%d;BYMONTHDAY=%d", k, md)
	case 4:
		return fmt.Sprintf("FREQ=MONTHLY;INTERVAL=%d;BYDAY=%d%s", k, n, dayCodes[int(days)%7])
	case 5:
		var ms []string
		for m := 0; m < 12; m++ {
			if uint16(months)<<(m%8)&0x80 != 0 || m == int(months)%12 {
				ms = append(ms, fmt.Sprint(m+1))
			}
		}
		return fmt.Sprintf("FREQ=YEARLY;INTERVAL=%d;BYMONTH=%s;BYMONTHDAY=%d", k, strings.Join(ms, ","), md)
	default:
		return fmt.Sprintf("FREQ=MONTHLY;INTERVAL=%d", k)
	}
}

func TestFastMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	compared := 0
	for i := 0; i < n; i++ {
		rule := fastRule(uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)))
		start := MakeWall(1995+rng.IntN(40), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0)
		lower := start + Wall(rng.Int64N(86400*365*12)) - 86400*30
		if compareFast(t, rule, start, lower, 12) {
			compared++
		}
	}
	if compared < n/2 {
		t.Fatalf("only %d of %d rules had a closed form", compared, n)
	}
}

// FuzzFastPath is the differential fuzz test: the closed forms must agree
// with the general engine on every rule and starting point.
func FuzzFastPath(f *testing.F) {
	f.Add(uint8(3), uint8(0), uint8(1), uint8(30), uint8(0), uint8(0), uint16(2026), uint16(45), uint32(1000000))
	f.Add(uint8(4), uint8(2), uint8(2), uint8(0), uint8(0x80), uint8(0), uint16(2020), uint16(300), uint32(99999999))
	f.Add(uint8(5), uint8(3), uint8(0), uint8(28), uint8(0), uint8(1), uint16(2024), uint16(59), uint32(5))
	f.Fuzz(func(t *testing.T, shape, interval, days, monthDay, nth, months uint8, year, yday uint16, offset uint32) {
		rule := fastRule(shape, interval, days, monthDay, nth, months)
		y := 1900 + int(year)%300
		start := Wall(DaysFromCivil(y, 1, 1)+int(yday)%365)*86400 + Wall(offset%86400)
		compareFast(t, rule, start, start+Wall(offset)*7, 8)
	})
}

func TestNthWeekday(t *testing.T) {
	for y := 2020; y <= 2030; y++ {
		for m := 1; m <= 12; m++ {
			for wd := 0; wd < 7; wd++ {
				var days []int
				for d := 1; d <= DaysIn(y, m); d++ {
					if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Weekday() == time.Weekday(wd) {
						days = append(days, d)
					}
				}
				for n := 1; n <= 5; n++ {
					want := 0
					if n <= len(days) {
						want = days[n-1]
					}
					if got := nthWeekday(y, m, n, wd); got != want {
						t.Fatalf("%d-%02d %dth %v: got %d want %d", y, m, n, time.Weekday(wd), got, want)
					}
					if n <= len(days) {
						want = days[len(days)-n]
					} else {
						want = 0
					}
					if got := nthWeekday(y, m, -n, wd); got != want {
						t.Fatalf("%d-%02d %dth %v: got %d want %d", y, m, -n, time.Weekday(wd), got, want)
					}
				}
			}
		}
	}
}
