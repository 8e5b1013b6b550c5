package recur

import (
	"errors"
	"math"
	"sync"
	"unsafe"
)

// Compiled rules are shared by every caller in the process: plan
// validation in package comms compiles each rule of a plan once, and
// package schedule, building the rules again for every command and report
// (check, agenda, the calendar, the evidence report), finds them compiled.
// The cache is bounded, so a tenant who uploads many distinct rules cannot
// grow the memory it holds, only push older rules out; and every Budget is
// charged what a rule costs whether it was found compiled or not, so what
// a plan may hold never depends on what the process compiled before.

// Limits of the shared cache: at most this many compiled rules, and about
// this many bytes of them.
const (
	cacheEntries = 8192
	cacheBytes   = 16 << 20
)

// specKey is everything a compiled rule depends on.
type specKey struct {
	rule     string // the canonical text of the rule, without UNTIL
	start    Wall
	until    Wall
	dateOnly bool
}

func keyOf(r RRule, o Options) specKey {
	r.Until = Until{}
	return specKey{rule: r.String(), start: o.Start, until: o.Until, dateOnly: o.DateOnly}
}

// compiled is the outcome of compiling one rule: a Spec or the error (never
// ErrBudget, which depends on the budget, not on the rule), and the work it
// took.
type compiled struct {
	spec *Spec
	err  error
	cost int64 // Budget units
	size int64 // bytes held, about
}

// specCache is a bounded map of compiled rules with two generations: new
// entries go into cur; when cur is full it becomes old and the previous
// old is dropped; an entry found in old moves back to cur. An entry used
// at least once in the last half of the capacity's worth of insertions
// stays, so a plan's rules, looked up by one command after another, stay
// compiled while other tenants' rules come and go.
type specCache struct {
	mu       sync.Mutex
	cur, old map[specKey]*compiled
	curBytes int64
	oldBytes int64
	hits     int64
	misses   int64
}

var shared = &specCache{cur: map[specKey]*compiled{}}

func (c *specCache) get(k specKey) *compiled {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.cur[k]; ok {
		c.hits++
		return e
	}
	if e, ok := c.old[k]; ok {
		delete(c.old, k)
		c.oldBytes -= e.size
		c.insert(k, e)
		c.hits++
		return e
	}
	c.misses++
	return nil
}

func (c *specCache) put(k specKey, e *compiled) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[k]; ok {
		return // compiled meanwhile by another goroutine
	}
	if old, ok := c.old[k]; ok {
		delete(c.old, k)
		c.oldBytes -= old.size
	}
	c.insert(k, e)
}

// insert adds e to cur, turning cur into old first if it is full.
func (c *specCache) insert(k specKey, e *compiled) {
	if len(c.cur) >= cacheEntries/2 || c.curBytes+e.size > cacheBytes/2 {
		c.old, c.oldBytes = c.cur, c.curBytes
		c.cur, c.curBytes = make(map[specKey]*compiled, len(c.old)), 0
	}
	c.cur[k] = e
	c.curBytes += e.size
}

// CacheStats describes the shared cache of compiled rules (see [Compile]).
type CacheStats struct {
	Entries int   // compiled rules held
	Bytes   int64 // about how much memory they hold
	Hits    int64 // Compile calls that found the rule compiled
	Misses  int64 // Compile calls that compiled it
}

// SharedCacheStats returns the state of the shared cache of compiled rules.
// It is safe for concurrent use.
func SharedCacheStats() CacheStats {
	c := shared
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.cur) + len(c.old), Bytes: c.curBytes + c.oldBytes, Hits: c.hits, Misses: c.misses}
}

// compileShared is Compile: it looks the rule up in the Budget's rules,
// then in the shared cache, and compiles it only if neither has it.
func compileShared(r RRule, o Options) (*Spec, error) {
	k := keyOf(r, o)
	b := o.Budget
	if e, ok := b.paidFor(k); ok {
		return e.spec, e.err
	}
	e := shared.get(k)
	if e == nil {
		var err error
		if e, err = compileCounted(k, r, o); err != nil {
			return nil, err // the budget ran out: nothing to keep
		}
		shared.put(k, e)
	} else if b != nil {
		if b.left -= e.cost; b.left < 0 {
			return nil, ErrBudget
		}
	}
	b.pay(k, e)
	return e.spec, e.err
}

// compileCounted compiles r and measures the work in Budget units, charging
// it to o.Budget if there is one.
func compileCounted(k specKey, r RRule, o Options) (*compiled, error) {
	counter := &Budget{left: math.MaxInt64 / 2}
	if o.Budget != nil {
		counter.left = o.Budget.left
	}
	before := counter.left
	caller := o.Budget
	o.Budget = counter
	s, err := compile(r, o, true)
	if caller != nil {
		caller.left = counter.left
	}
	if errors.Is(err, ErrBudget) {
		return nil, err
	}
	return &compiled{spec: s, err: err, cost: before - counter.left, size: sizeOf(k, s)}, nil
}

// sizeOf estimates the bytes a cache entry holds.
func sizeOf(k specKey, s *Spec) int64 {
	n := int64(unsafe.Sizeof(compiled{})+unsafe.Sizeof(k)) + int64(len(k.rule)) + 64 // map slot
	if s == nil {
		return n + 64 // an error
	}
	r := &s.rule
	ints := len(r.BySecond) + len(r.ByMinute) + len(r.ByHour) + len(r.ByMonthDay) + len(r.ByYearDay) +
		len(r.ByWeekNo) + len(r.ByMonth) + len(r.BySetPos) + len(s.setpos)
	return n + int64(unsafe.Sizeof(*s)) + int64(8*ints+16*len(r.ByDay)+4*len(s.times))
}
