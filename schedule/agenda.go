package schedule

import (
	"cmp"
	"iter"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/ismscomms/ismscomms/internal/recur"
)

// Occurrence is one occurrence in an [Agenda]: the key the rule was added
// under and the time, in the rule's location.
type Occurrence struct {
	Key string
	At  time.Time
}

// Agenda merges many rules (every activity of every tenant, say) into one
// time-ordered stream of occurrences.
//
// Add rules, then call Between as often as needed, from any number of
// goroutines: an Agenda is safe for concurrent use, and Between never
// re-walks a rule from its DTSTART, so its cost does not grow with the
// rules' age. The zero value is an empty Agenda ready to use.
type Agenda struct {
	mu       sync.Mutex
	entries  []agendaEntry
	prepared *prepared // built on the first Between after an Add
}

// prepared is an immutable, Between-ready form of the entries: sorted by
// key, with each closed-form rule's parameters laid out contiguously.
type prepared struct {
	entries []agendaEntry
	slots   []slot
	locs    []*time.Location
}

// slot is what the merger needs of a rule with a closed form, in one cache
// line: no pointer chasing per occurrence.
type slot struct {
	closed   recur.Closed
	start    int64 // DTSTART, Unix seconds
	zone     int32 // index into prepared.locs
	closedOK bool  // closed form, one time a day, no RDATE, EXDATE or UTC UNTIL
	synced   bool  // DTSTART is an occurrence of the RRULE
}

type agendaEntry struct {
	key  string
	rule *Rule
}

// NewAgenda returns an empty Agenda.
func NewAgenda() *Agenda { return &Agenda{} }

// Add adds rule r under key. Keys need not be unique; occurrences at the
// same instant come out in key order. A nil rule is ignored.
func (a *Agenda) Add(key string, r *Rule) {
	if r == nil {
		return
	}
	a.mu.Lock()
	a.entries = append(a.entries, agendaEntry{key, r})
	a.prepared = nil
	a.mu.Unlock()
}

// Len returns the number of rules added.
func (a *Agenda) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.entries)
}

// snapshot returns the prepared entries, preparing them once after Adds.
func (a *Agenda) snapshot() *prepared {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prepared != nil || len(a.entries) == 0 {
		return a.prepared
	}
	p := &prepared{entries: slices.Clone(a.entries)}
	slices.SortStableFunc(p.entries, func(x, y agendaEntry) int { return cmp.Compare(x.key, y.key) })
	p.slots = make([]slot, len(p.entries))
	zones := map[*time.Location]int32{}
	for i, e := range p.entries {
		r := e.rule
		z, ok := zones[r.loc]
		if !ok {
			z = int32(len(p.locs))
			zones[r.loc] = z
			p.locs = append(p.locs, r.loc)
		}
		sl := slot{start: r.start.Unix(), zone: z}
		if r.spec != nil {
			sl.closed, sl.closedOK = r.spec.Closed()
			sl.closedOK = sl.closedOK && !r.multi && len(r.rdates) == 0 && len(r.exdates) == 0 &&
				len(r.exdays) == 0 && r.untilUTC.IsZero()
			sl.synced = r.spec.StartMatches()
		}
		p.slots[i] = sl
	}
	a.prepared = p
	return p
}

const ringDays = 64

// Between returns the occurrences of every rule in [from, to), in time
// order, ties broken by key. The sequence is lazy: it computes a day of
// occurrences at a time, so consuming the first few of a long window costs
// little. It may be iterated any number of times.
func (a *Agenda) Between(from, to time.Time) iter.Seq[Occurrence] {
	return func(yield func(Occurrence) bool) {
		p := a.snapshot()
		if p == nil || !from.Before(to) {
			return
		}
		m := newMerger(p, from, to)
		m.run(yield)
	}
}

// merger runs one Between: a calendar queue of per-rule cursors, bucketed
// by the day (counted in UTC from the window's start) of their next
// occurrence. Each day's occurrences are sorted as packed integers, so the
// merge costs O(1) per occurrence plus a sort of one day.
//
// Most rules have a closed form, one time a day and no RDATE or EXDATE;
// for those the merger keeps only the next wall time to search from, and
// resolves instants through one zone cache per location. Other rules get a
// full iterator.
type merger struct {
	p        *prepared
	lower    []recur.Wall        // closed-form rules: where to search next
	prev     []int64             // closed-form rules: the last instant resolved
	isFull   []uint64            // bit i: rule i is driven by a full iterator
	full     map[int32]*ruleIter // the other rules
	next     []int64             // next occurrence of each rule, Unix seconds
	zones    []zoneCache         // one per location
	from, to int64
	ring     [ringDays][]int32
	inRing   int
	overflow []int32
	day, tmp []uint64
	idxBits  uint // a packed occurrence is offset<<idxBits | rule index
}

func newMerger(p *prepared, from, to time.Time) *merger {
	n := len(p.entries)
	m := &merger{
		p:      p,
		lower:  make([]recur.Wall, n),
		prev:   make([]int64, n),
		isFull: make([]uint64, (n+63)/64),
		full:   map[int32]*ruleIter{},
		next:   make([]int64, n),
		zones:  make([]zoneCache, len(p.locs)),
		from:   from.Unix(),
		to:     to.Unix(),
	}
	m.idxBits = uint(bits.Len(uint(n)))
	// Occurrences fall on whole seconds: round a fractional start up and a
	// fractional end up too (the second before it is still in the window).
	if from.After(time.Unix(m.from, 0)) {
		m.from++
	}
	if to.After(time.Unix(m.to, 0)) {
		m.to++
	}
	// Occurrences at or after from have wall times no earlier than from's
	// wall time less the largest offset change.
	seek := make([]recur.Wall, len(p.locs))
	for z, loc := range p.locs {
		seek[z] = recur.FromTime(from.In(loc)) - 2*maxOffset
	}
	for i := range p.entries {
		sl := &p.slots[i]
		if sl.closedOK && (sl.synced || sl.start < m.from) {
			m.lower[i] = seek[sl.zone]
			m.prev[i] = math.MinInt64 // nothing resolved yet
		} else {
			it := &ruleIter{}
			it.init(p.entries[i].rule, from)
			m.full[int32(i)] = it
			m.isFull[i/64] |= 1 << (i % 64)
		}
		m.advance(int32(i), 0)
	}
	return m
}

// step returns rule i's next occurrence.
func (m *merger) step(i int32) (int64, bool) {
	if m.isFull[i/64]&(1<<(i%64)) != 0 {
		return m.full[i].next()
	}
	sl := &m.p.slots[i]
	loc := m.p.locs[sl.zone]
	for {
		w, ok := sl.closed.NextAt(m.lower[i])
		if !ok {
			return 0, false
		}
		u := m.zones[sl.zone].resolve(loc, int64(w))
		// One time a day resolves in time order, but a day-long gap (Apia,
		// 30 December 2011) resolves onto the next day's instant: one
		// instance.
		repeat := u == m.prev[i]
		m.lower[i], m.prev[i] = w+1, u
		if !repeat {
			return u, true
		}
	}
}

// advance loads rule i's next occurrence and files it by day; base is the
// first day the ring currently covers.
func (m *merger) advance(i int32, base int64) {
	u, ok := m.step(i)
	for ok && u < m.from {
		u, ok = m.step(i)
	}
	if !ok || u >= m.to {
		return
	}
	m.next[i] = u
	d := (u - m.from) / 86400
	if d < base+ringDays {
		m.ring[d%ringDays] = append(m.ring[d%ringDays], i)
		m.inRing++
	} else {
		m.overflow = append(m.overflow, i)
	}
}

func (m *merger) run(yield func(Occurrence) bool) {
	lastDay := (m.to - 1 - m.from) / 86400
	for d := int64(0); d <= lastDay; d++ {
		if d%ringDays == 0 && d > 0 || m.inRing == 0 {
			if m.inRing == 0 {
				if len(m.overflow) == 0 {
					return
				}
				// Nothing in the ring: jump to the earliest pending day.
				first := int64(1 << 62)
				for _, i := range m.overflow {
					first = min(first, (m.next[i]-m.from)/86400)
				}
				d = max(d, first-first%ringDays)
			}
			m.refile(d - d%ringDays)
		}
		bucket := m.ring[d%ringDays]
		if len(bucket) == 0 {
			continue
		}
		m.ring[d%ringDays] = bucket[:0] // refilled only for a later window
		m.inRing -= len(bucket)
		dayStart, dayEnd := m.from+d*86400, m.from+(d+1)*86400
		m.day = m.day[:0]
		for _, i := range bucket {
			for {
				m.day = append(m.day, uint64(m.next[i]-dayStart)<<m.idxBits|uint64(i))
				u, ok := m.step(i)
				if !ok || u >= m.to {
					break
				}
				m.next[i] = u
				if u >= dayEnd {
					nd := (u - m.from) / 86400
					if nd < d-d%ringDays+ringDays {
						m.ring[nd%ringDays] = append(m.ring[nd%ringDays], i)
						m.inRing++
					} else {
						m.overflow = append(m.overflow, i)
					}
					break
				}
			}
		}
		m.sortDay()
		for _, packed := range m.day {
			i := int32(packed & (1<<m.idxBits - 1))
			e := &m.p.entries[i]
			at := time.Unix(dayStart+int64(packed>>m.idxBits), 0).In(m.p.locs[m.p.slots[i].zone])
			if !yield(Occurrence{Key: e.key, At: at}) {
				return
			}
		}
	}
}

// refile moves overflow entries whose next occurrence falls in the ring
// window starting at day base into the ring.
func (m *merger) refile(base int64) {
	kept := m.overflow[:0]
	for _, i := range m.overflow {
		if d := (m.next[i] - m.from) / 86400; d < base+ringDays {
			m.ring[d%ringDays] = append(m.ring[d%ringDays], i)
			m.inRing++
		} else {
			kept = append(kept, i)
		}
	}
	m.overflow = kept
}

// sortDay sorts the day's packed occurrences (offset in the day, then rule
// index). A least-significant-digit radix sort: the keys are small and a
// day holds thousands of them, many at the same instant.
func (m *merger) sortDay() {
	keys := m.day
	if len(keys) < 256 {
		slices.Sort(keys)
		return
	}
	var maxKey uint64
	for _, k := range keys {
		maxKey |= k
	}
	if cap(m.tmp) < len(keys) {
		m.tmp = make([]uint64, len(keys))
	}
	src, dst := keys, m.tmp[:len(keys)]
	const bits = 11
	for shift := 0; shift < 64 && maxKey>>shift != 0; shift += bits {
		var count [1 << bits]int
		for _, k := range src {
			count[(k>>shift)&(1<<bits-1)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range src {
			d := (k >> shift) & (1<<bits - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}
