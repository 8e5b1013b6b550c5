package schedule

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/ismscomms/ismscomms/internal/recur"
)

// ruleIter walks the occurrences of a Rule as Unix seconds, in time order:
// DTSTART, the RRULE's occurrences and the RDATEs merged, EXDATEs removed,
// duplicates dropped. It is not safe for concurrent use.
type ruleIter struct {
	r    *Rule
	cur  recur.Cursor
	zc   zoneCache
	from int64

	// The RRULE source, one value of lookahead.
	rv     int64
	rok    bool
	peekW  recur.Wall // next wall time not yet resolved (multi only)
	peekOK bool
	pend   []int64 // resolved but not yet released (multi only), ascending

	ri        int  // next RDATE
	ei        int  // next EXDATE
	startTodo bool // DTSTART not yet emitted
	last      int64
	hasLast   bool
	steps     int           // candidates looked at (tests count them)
	budget    *recur.Budget // charged for the engine's work, if not nil (tests count it)
}

// init positions it at the first occurrence at or after from.
func (it *ruleIter) init(r *Rule, from time.Time) {
	// Occurrences are those of the local times from DTSTART's on (see
	// countInstants): one whose instant comes before DTSTART's, when
	// DTSTART is in a gap, is kept.
	*it = ruleIter{r: r, from: from.Unix(), pend: it.pend[:0], budget: it.budget}
	it.startTodo = !r.start.Before(from)
	if r.spec != nil {
		// Occurrences at or after from have wall times no earlier than
		// from's wall time less the largest offset change.
		seek := recur.FromTime(from.In(r.loc)) - 2*maxOffset
		it.cur.SeekBudget(r.spec, max(seek, r.startW), it.budget)
		if r.multi {
			it.peekW, it.peekOK = it.cur.Next()
		}
		it.advanceRule()
	}
	it.ri, _ = slices.BinarySearchFunc(r.rdates, from, time.Time.Compare)
	it.ei, _ = slices.BinarySearchFunc(r.exdates, from, time.Time.Compare)
}

// advanceRule loads the next RRULE occurrence at or after it.from into rv.
func (it *ruleIter) advanceRule() {
	for {
		u, ok := it.pullRule()
		if !ok {
			it.rok = false
			return
		}
		if !it.r.untilUTC.IsZero() && u > it.r.untilUTC.Unix() {
			it.rok = false
			return
		}
		if u >= it.from {
			it.rv, it.rok = u, true
			return
		}
	}
}

func (it *ruleIter) pullRule() (int64, bool) {
	loc := it.r.loc
	if !it.r.multi {
		// One time a day: resolved instants are already in order.
		w, ok := it.cur.Next()
		if !ok {
			return 0, false
		}
		return it.zc.resolve(loc, int64(w)), true
	}
	// Several times a day: a local time in a gap resolves later than a
	// local time just after the gap. Hold instants back until no later
	// wall time can resolve before them.
	for it.peekOK && (len(it.pend) == 0 || it.pend[0] >= int64(it.peekW)-maxOffset) {
		u := it.zc.resolve(loc, int64(it.peekW))
		i, _ := slices.BinarySearch(it.pend, u)
		it.pend = slices.Insert(it.pend, i, u)
		it.peekW, it.peekOK = it.cur.Next()
	}
	if len(it.pend) == 0 {
		return 0, false
	}
	u := it.pend[0]
	it.pend = it.pend[1:]
	return u, true
}

// next returns the next occurrence.
func (it *ruleIter) next() (int64, bool) {
	r := it.r
	for {
		it.steps++
		// The smallest of DTSTART, the rule and the RDATEs.
		u, ok := int64(0), false
		take := func(v int64) {
			if !ok || v < u {
				u, ok = v, true
			}
		}
		if it.startTodo {
			take(r.start.Unix())
		}
		if it.rok {
			take(it.rv)
		}
		if it.ri < len(r.rdates) {
			take(r.rdates[it.ri].Unix())
		}
		if !ok {
			return 0, false
		}
		if it.startTodo && u == r.start.Unix() {
			it.startTodo = false
		}
		if it.rok && u == it.rv {
			it.advanceRule()
		}
		for it.ri < len(r.rdates) && r.rdates[it.ri].Unix() == u {
			it.ri++
		}
		if it.hasLast && u == it.last {
			continue
		}
		if it.excludedAt(u) {
			continue
		}
		if day, last, ok := it.excludedDay(u); ok {
			if last > day {
				// A run of whole days left out: move the rule past all
				// but its last day, whose wall times may resolve into
				// the next day and are looked at one by one.
				it.skipRule(recur.Wall(last) * 86400)
			}
			continue
		}
		it.last, it.hasLast = u, true
		return u, true
	}
}

// excludedAt reports whether an EXDATE names the instant u. EXDATEs are
// sorted; it searches from the last one passed, never scanning them.
func (it *ruleIter) excludedAt(u int64) bool {
	ex := it.r.exdates[it.ei:]
	i, found := slices.BinarySearchFunc(ex, u, func(t time.Time, u int64) int { return cmp.Compare(t.Unix(), u) })
	it.ei += i
	return found
}

// excludedDay reports whether a DATE EXDATE leaves out the local day of
// instant u, and returns that day and the last day of the run of
// consecutive days left out that it belongs to. Both are binary searches.
func (it *ruleIter) excludedDay(u int64) (day, last int, ok bool) {
	days := it.r.exdays
	if len(days) == 0 {
		return 0, 0, false
	}
	day = recur.FromTime(time.Unix(u, 0).In(it.r.loc)).Day()
	i, found := slices.BinarySearch(days, day)
	if !found {
		return 0, 0, false
	}
	// days is strictly increasing, so days[j]-j never decreases, and a run
	// of consecutive days is where it stays the same.
	key := day - i
	j := i + sort.Search(len(days)-i, func(k int) bool { return days[i+k]-(i+k) != key }) - 1
	return day, days[j], true
}

// skipRule moves the RRULE source on to its first occurrence at or after
// wall time w, dropping the ones before (the caller knows they are left
// out). It never moves backwards.
func (it *ruleIter) skipRule(w recur.Wall) {
	r := it.r
	if r.spec == nil || !it.rok {
		return
	}
	if r.multi {
		if !it.peekOK || w <= it.peekW {
			return
		}
		it.cur.Seek(r.spec, w)
		it.peekW, it.peekOK = it.cur.Next()
	} else {
		// The cursor is just past the wall time of the loaded occurrence;
		// re-seeking yields it again if it is at or after w.
		it.cur.Seek(r.spec, w)
	}
	it.advanceRule()
}
