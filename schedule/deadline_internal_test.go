package schedule

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/recur"
)

// walkFrom is Deadline.From as it was: business days and the roll forward
// found by stepping a day at a time. It is the reference the arithmetic is
// held to.
func walkFrom(d Deadline, start time.Time, cal *Calendar) time.Time {
	if d.IsZero() || d.Unit == Hours {
		return d.From(start, cal)
	}
	if cal == nil {
		cal = &Calendar{loc: start.Location(), weekend: defaultWeekend}
	}
	day := recur.FromTime(start.In(cal.loc)).Day()
	switch d.Unit {
	case Days:
		day += d.N
	case BusinessDays:
		for n, i := 0, 0; n < d.N && i < 40000; i++ {
			day++
			if cal.businessDay(day) {
				n++
			}
		}
	case Months:
		y, m, dd := recur.CivilFromDays(day)
		total := y*12 + m - 1 + d.N
		y, m = total/12, total%12+1
		day = recur.DaysFromCivil(y, m, min(dd, recur.DaysIn(y, m)))
	}
	if cal.roll && d.Unit != BusinessDays {
		for i := 0; i < 366 && !cal.businessDay(day); i++ {
			day++
		}
	}
	return endOfDay(cal.loc, day)
}

// randomCalendar builds a calendar with a random weekend (none, all seven
// days, anything between) and holidays in dense runs, scattered, on
// weekends and repeated, around day number around.
func randomCalendar(rng *rand.Rand, loc *time.Location, around int) *Calendar {
	o := CalendarOptions{RollForward: rng.IntN(2) == 0}
	switch rng.IntN(6) {
	case 0: // nil: Saturday and Sunday
	case 1:
		o.Weekend = []time.Weekday{} // no weekend
	default:
		o.Weekend = []time.Weekday{}
		for wd := range 7 {
			if rng.IntN(3) == 0 {
				o.Weekend = append(o.Weekend, time.Weekday(wd))
			}
		}
		if rng.IntN(8) == 0 {
			o.Weekend = []time.Weekday{0, 1, 2, 3, 4, 5, 6}
		}
	}
	date := func(day int) comms.Date {
		y, m, d := recur.CivilFromDays(day)
		return comms.Date{Year: y, Month: time.Month(m), Day: d}
	}
	for range rng.IntN(6) {
		switch first := around - 30 + rng.IntN(400); rng.IntN(3) {
		case 0: // a run of consecutive days
			for i := range 1 + rng.IntN(300) {
				o.Holidays = append(o.Holidays, date(first+i))
			}
		case 1: // scattered
			for range 1 + rng.IntN(100) {
				o.Holidays = append(o.Holidays, date(first+rng.IntN(5000)))
			}
		default: // every k-th day, on weekends too
			k := 1 + rng.IntN(9)
			for i := range 1 + rng.IntN(200) {
				o.Holidays = append(o.Holidays, date(first+k*i))
			}
		}
	}
	rng.Shuffle(len(o.Holidays), func(i, j int) { o.Holidays[i], o.Holidays[j] = o.Holidays[j], o.Holidays[i] })
	return NewCalendar(loc, o)
}

// TestBusinessDaysMatchWalk: on random calendars, Deadline.From gives what
// stepping a day at a time gives, for business days (a few, many, more
// than the 40,000-day horizon allows, none), days and months with and
// without rolling forward, across zones.
func TestBusinessDaysMatchWalk(t *testing.T) {
	zones := []*time.Location{time.UTC, loadZone(t, "Europe/Berlin"), loadZone(t, "Pacific/Apia"), loadZone(t, "America/New_York")}
	rng := rand.New(rand.NewPCG(26, 10))
	n := 3000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		loc := zones[i%len(zones)]
		start := time.Date(1990+rng.IntN(60), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0, 0, loc)
		cal := randomCalendar(rng, loc, recur.FromTime(start).Day())
		if rng.IntN(20) == 0 {
			cal = nil
		}
		d := Deadline{Unit: []Unit{BusinessDays, BusinessDays, BusinessDays, Days, Months}[rng.IntN(5)]}
		switch rng.IntN(6) {
		case 0:
			d.N = 1 + rng.IntN(5)
		case 1:
			d.N = 2610
		case 2:
			d.N = 39990 + rng.IntN(20) // around the horizon
		case 3:
			d.N = -rng.IntN(3)
		default:
			d.N = 1 + rng.IntN(400)
		}
		if d.Unit == Months {
			d.N = min(d.N, 120)
		}
		if d.N == 0 {
			d.N = 1
		}
		got, want := d.From(start, cal), walkFrom(d, start, cal)
		if !got.Equal(want) {
			t.Fatalf("%v from %v (calendar %+v): %v, stepping gives %v", d, start, cal, got, want)
		}
	}
}

// TestBusinessDaysCost: a 2610bd deadline on a calendar with a six-day
// weekend and 250,000 holidays costs two binary searches, not 18,000 days
// stepped (counted: the holidays looked at, and allocations).
func TestBusinessDaysCost(t *testing.T) {
	var holidays []comms.Date
	for i := range 250_000 {
		y, m, d := recur.CivilFromDays(recur.DaysFromCivil(1900, 1, 1) + 3*i)
		holidays = append(holidays, comms.Date{Year: y, Month: time.Month(m), Day: d})
	}
	cal := NewCalendar(time.UTC, CalendarOptions{Weekend: []time.Weekday{1, 2, 3, 4, 5, 6}, Holidays: holidays})
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	d := Deadline{N: 2610, Unit: BusinessDays}
	if got, want := d.From(start, cal), walkFrom(d, start, cal); !got.Equal(want) {
		t.Fatalf("From: %v, stepping: %v", got, want)
	}
	if a := testing.AllocsPerRun(100, func() { d.From(start, cal) }); a > 0 {
		t.Errorf("From allocates %.0f times", a)
	}
	// The holidays looked at: two binary searches, about 2 log2(250,000).
	probes := 0
	day := recur.FromTime(start).Day()
	if got := cal.countedBusinessAfter(day, d.N, maxBusinessSpan, &probes); got != cal.businessAfter(day, d.N, maxBusinessSpan) || probes > 40 {
		t.Errorf("%d holidays looked at for one deadline", probes)
	}
}

func loadZone(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skip(err)
	}
	return loc
}

// FuzzBusinessDays holds the business-day arithmetic to the day-by-day
// walk for any weekend, holidays, start and count.
func FuzzBusinessDays(f *testing.F) {
	f.Add(uint8(0b1000001), []byte{3, 4, 5}, int32(20000), int32(3), true)
	f.Add(uint8(0b0111111), []byte{0, 7, 14, 21}, int32(-400), int32(2610), false)
	f.Add(uint8(0b1111111), []byte{}, int32(0), int32(1), true)
	f.Add(uint8(0), []byte{1, 1, 1, 2}, int32(2932000), int32(40005), false)
	f.Fuzz(func(t *testing.T, weekend uint8, gaps []byte, startDay, n int32, roll bool) {
		if len(gaps) > 2000 {
			return
		}
		o := CalendarOptions{RollForward: roll, Weekend: []time.Weekday{}}
		for wd := range 7 {
			if weekend&(1<<wd) != 0 {
				o.Weekend = append(o.Weekend, time.Weekday(wd))
			}
		}
		// Holidays: consecutive gaps from the start day (0: the same day again).
		day := int(startDay)%3_000_000 - 200
		for _, g := range gaps {
			day += int(g % 16)
			y, m, d := recur.CivilFromDays(day)
			o.Holidays = append(o.Holidays, comms.Date{Year: y, Month: time.Month(m), Day: d})
		}
		cal := NewCalendar(time.UTC, o)
		y, m, d := recur.CivilFromDays(int(startDay) % 3_000_000)
		start := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
		for _, dl := range []Deadline{{N: int(n) % 50_000, Unit: BusinessDays}, {N: int(n) % 400, Unit: Days}} {
			if dl.IsZero() {
				continue
			}
			if got, want := dl.From(start, cal), walkFrom(dl, start, cal); !got.Equal(want) {
				t.Fatalf("%v from %v, weekend %07b, %d holidays: %v, stepping gives %v", dl, start, weekend, len(o.Holidays), got, want)
			}
		}
	})
}
