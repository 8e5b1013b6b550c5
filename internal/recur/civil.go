package recur

import "time"

// Wall is a wall-clock ("floating") date-time: seconds since
// 1970-01-01T00:00:00 on the proleptic Gregorian calendar, with no time
// zone. The engine works entirely in wall time; converting to instants is
// the caller's business.
type Wall int64

// Bounds of the calendar the engine works in: years 1 to 9999, the range
// RFC 5545's four-digit years can express.
const (
	MinYear = 1
	MaxYear = 9999
)

var (
	minDay = DaysFromCivil(MinYear, 1, 1)
	maxDay = DaysFromCivil(MaxYear, 12, 31)
	// MaxWall is the last second of year 9999.
	MaxWall = Wall(maxDay)*86400 + 86399
	// MinWall is the first second of year 1.
	MinWall = Wall(minDay) * 86400
)

// DaysFromCivil returns the number of days from 1970-01-01 to y-m-d.
// It is Howard Hinnant's days_from_civil: exact for every Gregorian date.
func DaysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// Weekday of a day number.
func Weekday(day int) time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(day+4, 7))
}

// IsLeap reports whether y is a Gregorian leap year.
func IsLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// DaysIn returns the number of days in month m of year y.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if IsLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// YearLen returns 365 or 366.
func YearLen(y int) int {
	if IsLeap(y) {
		return 366
	}
	return 365
}

// MakeWall builds a Wall from civil fields. Fields must be in range.
func MakeWall(y, mo, d, h, mi, s int) Wall {
	return Wall(DaysFromCivil(y, mo, d))*86400 + Wall(h*3600+mi*60+s)
}

// Day returns the day number of w.
func (w Wall) Day() int { return int(floorDiv64(int64(w), 86400)) }

// Secs returns the seconds since midnight of w.
func (w Wall) Secs() int { return int(int64(w) - int64(w.Day())*86400) }

// Civil returns the civil fields of w.
func (w Wall) Civil() (y, mo, d, h, mi, s int) {
	y, mo, d = CivilFromDays(w.Day())
	secs := w.Secs()
	return y, mo, d, secs / 3600, secs / 60 % 60, secs % 60
}

// Time returns w as a time.Time in UTC (the usual representation of a
// floating time).
func (w Wall) Time() time.Time { return time.Unix(int64(w), 0).UTC() }

// FromTime returns the wall-clock reading of t in its own location.
func FromTime(t time.Time) Wall {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return MakeWall(y, int(mo), d, h, mi, s)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

func floorDiv64(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
