package comms

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time zone, such as a plan's approval
// date or a holiday. Its text form is YYYY-MM-DD. The zero value means
// "not set".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("%s is not a date (YYYY-MM-DD)", quoteValue(s))
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// After reports whether d is after e.
func (d Date) After(e Date) bool { return e.Before(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DateTime is a wall-clock date and time with no time zone: in a plan it is
// local to the plan's time zone, so a 09:00 start stays at 09:00 across
// daylight-saving changes. Its text form is YYYY-MM-DDTHH:MM, with :SS when
// the seconds are not zero, or YYYY-MM-DD alone for a date with no time of
// day (an all-day start). The zero value means "not set".
type DateTime struct {
	Date
	Hour, Minute, Second int
	// DateOnly marks a value given as a date with no time of day.
	DateOnly bool
}

// ParseDateTime parses YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD.
func ParseDateTime(s string) (DateTime, error) {
	if len(s) == len(time.DateOnly) {
		d, err := ParseDate(s)
		if err != nil {
			return DateTime{}, fmt.Errorf("%s is not a date-time (YYYY-MM-DDTHH:MM[:SS]) or a date (YYYY-MM-DD)", quoteValue(s))
		}
		return DateTime{Date: d, DateOnly: true}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if len(s) != len(layout) {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			return DateTimeOf(t), nil
		}
	}
	return DateTime{}, fmt.Errorf("%s is not a date-time (YYYY-MM-DDTHH:MM[:SS]) or a date (YYYY-MM-DD)", quoteValue(s))
}

// DateTimeOf returns the wall-clock reading of t in t's location.
func DateTimeOf(t time.Time) DateTime {
	h, mi, s := t.Clock()
	return DateTime{Date: DateOf(t), Hour: h, Minute: mi, Second: s}
}

// IsZero reports whether dt is the zero DateTime.
func (dt DateTime) IsZero() bool { return dt == DateTime{} }

// String returns the text form of dt, or "" for the zero value.
func (dt DateTime) String() string {
	switch {
	case dt.IsZero():
		return ""
	case dt.DateOnly:
		return dt.Date.String()
	case dt.Second != 0:
		return fmt.Sprintf("%sT%02d:%02d:%02d", dt.Date, dt.Hour, dt.Minute, dt.Second)
	}
	return fmt.Sprintf("%sT%02d:%02d", dt.Date, dt.Hour, dt.Minute)
}

// In returns dt as a time in loc, using Go's time.Date for local times that
// fall in a daylight-saving gap or overlap. Package schedule resolves those
// exactly as RFC 5545 §3.3.5 says; use it where that matters.
func (dt DateTime) In(loc *time.Location) time.Time {
	return time.Date(dt.Year, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second, 0, loc)
}

// MarshalText implements encoding.TextMarshaler.
func (dt DateTime) MarshalText() ([]byte, error) { return []byte(dt.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (dt *DateTime) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*dt = DateTime{}
		return nil
	}
	v, err := ParseDateTime(string(b))
	if err != nil {
		return err
	}
	*dt = v
	return nil
}
