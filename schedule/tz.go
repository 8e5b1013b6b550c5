package schedule

import (
	"time"

	"github.com/ismscomms/ismscomms/internal/recur"
)

// maxOffset bounds every UTC offset the tz database has (+14:00, -12:00,
// and historical local mean times); it sizes safety margins.
const maxOffset = 15 * 3600

// Resolve returns the instant at which the local time year-month-day
// hour:min:sec happens in loc, following RFC 5545 §3.3.5 exactly:
//
//   - a local time that does not exist (in a spring-forward gap) is read
//     with the UTC offset from before the gap, so New York 02:30 on the
//     spring-forward day is 03:30 EDT;
//   - a local time that happens twice (in a fall-back overlap) is the first
//     of the two, so New York 01:30 on the fall-back day is 01:30 EDT.
//
// Go's time.Date leaves both cases unspecified ("correct in one of the two
// zones involved in the transition, but it does not guarantee which").
// Values out of their usual ranges are normalised as time.Date does
// (October 32 is November 1). The result is in loc.
func Resolve(loc *time.Location, year int, month time.Month, day, hour, min, sec int) time.Time {
	w := time.Date(year, month, day, hour, min, sec, 0, time.UTC)
	return resolve(loc, recur.Wall(w.Unix())) // a Wall counts seconds from 1970-01-01 00:00, as Unix time does
}

// resolve is Resolve of a wall time.
func resolve(loc *time.Location, w recur.Wall) time.Time {
	var z zoneCache
	return time.Unix(z.resolve(loc, int64(w)), 0).In(loc)
}

// zoneCache remembers one zone period (a span with one UTC offset) of a
// location, so that resolving a run of wall times in the same period costs
// a comparison. It is not safe for concurrent use; each iterator has its own.
type zoneCache struct {
	loc        *time.Location
	off        int64 // offset in seconds
	start, end int64 // the period [start, end) in Unix seconds
	valid      bool
}

// resolve returns the Unix time of wall time w (seconds since 1970 as if
// UTC) in loc, by RFC 5545 §3.3.5.
//
// It relies only on offset lookups, which Go gets right for every instant.
// (Time.ZoneBounds is used as a hint for the cache and checked: after 2037
// it reports some bounds wrongly, such as a zone ending at the very instant
// asked about on 31 December 2040 in Europe/Berlin.)
func (z *zoneCache) resolve(loc *time.Location, w int64) int64 {
	if z.valid && z.loc == loc {
		// Far enough inside the cached period that no other offset can also
		// claim w, and no gap can be near: the answer is unique.
		if u := w - z.off; u >= z.start+2*maxOffset && u < z.end-2*maxOffset {
			return u
		}
	}
	// Every instant whose local reading is w lies within maxOffset of w.
	lo, hi := w-maxOffset, w+maxOffset
	oLo, oHi := offsetAt(loc, lo), offsetAt(loc, hi)
	if oLo == oHi {
		u := w - oLo
		z.remember(loc, u, oLo)
		return u
	}
	// One transition in between: find its instant T, the first second
	// with the new offset.
	a, b := lo, hi
	for b-a > 1 {
		m := a + (b-a)/2
		if offsetAt(loc, m) == oLo {
			a = m
		} else {
			b = m
		}
	}
	oT := offsetAt(loc, b)
	before, after := w-oLo, w-oT
	switch okBefore, okAfter := before < b, after >= b; {
	case okBefore && okAfter: // an overlap: the first of the two
		return min(before, after)
	case okAfter:
		return after
	}
	// Either only the earlier offset claims w, or w is in a gap, which is
	// read with the offset from before the gap.
	return before
}

// remember caches the zone period around instant u if the tz database
// confirms its bounds.
func (z *zoneCache) remember(loc *time.Location, u, off int64) {
	t := time.Unix(u, 0).In(loc)
	s, e := t.ZoneBounds()
	z.valid = false
	// A zero bound means the zone never changes in that direction.
	start, end := int64(-1<<62), int64(1<<62)
	if !s.IsZero() {
		start = s.Unix()
	}
	if !e.IsZero() {
		end = e.Unix()
	}
	if start <= u && u < end && (s.IsZero() || offsetAt(loc, start) == off) && (e.IsZero() || offsetAt(loc, end-1) == off) {
		z.loc, z.off, z.start, z.end, z.valid = loc, off, start, end, true
	}
}

func offsetAt(loc *time.Location, u int64) int64 {
	_, o := time.Unix(u, 0).In(loc).Zone()
	return int64(o)
}
