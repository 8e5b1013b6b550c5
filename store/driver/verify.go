package driver

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ismscomms/ismscomms/store"
)

// VerifyChain checks a tenant's log, read in sequence order: sequence
// numbers 1, 2, 3, ... with no gap, each stored hash equal to the SHA-256
// of the record's encoding, each record's sequence number, tenant and
// PrevHash as stored, each stored column (Stored.Columns) equal to the
// field it copies, and the log ending at head, the head the store keeps
// (the zero Head: none kept). It returns the head of the log it read and
// nil, or a *store.ChainError naming the first bad record (and, for a
// column, the column), or the error of rows, or the context's error.
// Store implementations call it from Verify.
//
// rows is read in the calling goroutine (a database connection is used
// where it was opened), and may reuse a row's Body and Columns for the
// next one: VerifyChain copies what it keeps. With more than one CPU
// (GOMAXPROCS), a log longer than a batch (verifyBatch rows) is checked in
// a goroutine of its own while rows reads on, a batch at a time: checking
// a record (hashing, decoding, comparing) costs about as much as a
// database takes to read it. Memory stays bounded by a few batches,
// whatever the length of the log. The result is the same either way: the
// first bad record in sequence order, or the error rows yields, if the
// records before it are good.
func VerifyChain(ctx context.Context, tenant string, rows iter.Seq2[Stored, error], head store.Head) (store.Head, error) {
	return VerifyChainLeaves(ctx, tenant, rows, head, nil)
}

// VerifyChainLeaves is [VerifyChain] that also calls leaf, if not nil,
// with each record once it has been checked, in sequence order, one call
// at a time (in the goroutine that checks: not necessarily the caller's):
// its sequence number and its stored encoding (Stored.Body, which hashes
// to its stored hash; valid only during the call). An error from leaf
// ends the check, and VerifyChainLeaves returns it. Stores call it from
// [store.LeafVerifier]'s VerifyLeaves.
func VerifyChainLeaves(ctx context.Context, tenant string, rows iter.Seq2[Stored, error], head store.Head, leaf func(seq int64, data []byte) error) (store.Head, error) {
	c := chainCheck{tenant: tenant, want: 1, leaf: leaf}
	var p *pipeline
	defer func() {
		// However VerifyChain ends (rows may panic: a driver's bug), the
		// checker ends with it.
		if p != nil {
			p.stop()
		}
	}()
	var first *batch // rows read before the pipeline starts
	var stop error   // the error that ended the read
	for row, err := range rows {
		if err != nil {
			stop = err
			break
		}
		if err := ctx.Err(); err != nil {
			stop = err
			break
		}
		if p == nil {
			if first == nil {
				if runtime.GOMAXPROCS(0) < 2 {
					// One CPU: check each row as it comes.
					if err := c.check(row); err != nil {
						return store.Head{}, err
					}
					continue
				}
				first = newBatch()
			}
			first.add(row)
			if !first.full() {
				continue
			}
			p = startPipeline(&c)
			p.send(first)
			first = nil
			continue
		}
		if !p.add(row) {
			break // the checker found a bad record
		}
	}
	if p != nil {
		if err := p.finish(); err != nil {
			return store.Head{}, err
		}
	} else if first != nil {
		for i := range first.rows {
			if err := c.check(first.rows[i]); err != nil {
				return store.Head{}, err
			}
		}
	}
	if stop != nil {
		return store.Head{}, stop
	}
	if err := ctx.Err(); err != nil {
		return store.Head{}, err
	}
	return c.end(head)
}

// chainCheck checks a log one record at a time, in sequence order.
type chainCheck struct {
	tenant string
	want   int64  // the next sequence number
	prev   string // the hash of the record before it
	leaf   func(seq int64, data []byte) error
}

func (c *chainCheck) broken(seq int64, format string, args ...any) error {
	return &store.ChainError{Tenant: c.tenant, Seq: seq, Reason: fmt.Sprintf(format, args...)}
}

// check checks the next row of the log.
func (c *chainCheck) check(row Stored) error {
	switch {
	case row.Seq > c.want:
		return c.broken(c.want, "record %d is missing (the next stored record is %d)", c.want, row.Seq)
	case row.Seq < c.want:
		return c.broken(row.Seq, "sequence number %d appears twice or out of order", row.Seq)
	}
	r, ce := row.open(c.tenant, true) // r is dropped before row.Body changes
	if ce != nil {
		return ce
	}
	if r.PrevHash != c.prev {
		return c.broken(row.Seq, "it does not link to the record before it")
	}
	c.prev = row.Hash
	c.want++
	if c.leaf != nil {
		return c.leaf(row.Seq, row.Body)
	}
	return nil
}

// end checks that the log read ends at head, and returns its head.
func (c *chainCheck) end(head store.Head) (store.Head, error) {
	last := c.want - 1
	if head.Seq != 0 || head.Hash != "" {
		switch {
		case last < head.Seq:
			return store.Head{}, c.broken(last+1, "the log ends at record %d but record %d was appended", last, head.Seq)
		case last > head.Seq:
			return store.Head{}, c.broken(head.Seq+1, "record %d was never appended through the store", head.Seq+1)
		case c.prev != head.Hash:
			return store.Head{}, c.broken(last, "the last record is not the one appended")
		}
	}
	return store.Head{Seq: last, Hash: c.prev}, nil
}

// verifyBatch is how many rows a batch holds, and verifyBatches how many
// batches a pipeline has: one being read, one being checked, and one
// waiting between them.
const (
	verifyBatch   = 512
	verifyBatches = 3
)

// batch is rows copied out of a store's reads: their bodies into one
// buffer, their columns into a slice of their own, so that the store may
// reuse its buffers for the next row.
type batch struct {
	rows   []Stored
	cols   []Columns
	bodies []byte
}

func newBatch() *batch {
	return &batch{rows: make([]Stored, 0, verifyBatch), cols: make([]Columns, 0, verifyBatch)}
}

func (b *batch) full() bool { return len(b.rows) == cap(b.rows) }

func (b *batch) reset() {
	b.rows, b.cols, b.bodies = b.rows[:0], b.cols[:0], b.bodies[:0]
}

// add copies row into b, which is not full.
func (b *batch) add(row Stored) {
	if len(b.bodies)+len(row.Body) > cap(b.bodies) {
		// A new buffer: the rows already added keep the old one.
		b.bodies = make([]byte, 0, max(2*cap(b.bodies), len(row.Body)*verifyBatch))
	}
	start := len(b.bodies)
	b.bodies = append(b.bodies, row.Body...)
	row.Body = b.bodies[start:len(b.bodies):len(b.bodies)]
	if row.Columns != nil {
		b.cols = append(b.cols, *row.Columns)
		row.Columns = &b.cols[len(b.cols)-1]
	}
	b.rows = append(b.rows, row)
}

// pipeline checks batches in a goroutine of its own, in the order sent.
type pipeline struct {
	full, free chan *batch
	cur        *batch // being filled
	failed     atomic.Bool
	err        error // the checker's, once done
	panicked   any   // what the checker panicked with, raised again by finish
	stopped    bool
	done       sync.WaitGroup
}

func startPipeline(c *chainCheck) *pipeline {
	p := &pipeline{full: make(chan *batch, verifyBatches), free: make(chan *batch, verifyBatches)}
	for range verifyBatches - 1 {
		p.free <- newBatch()
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		defer func() {
			// A panic while checking (a bug) is raised again in the
			// caller's goroutine by finish, where its recover can see it;
			// until then the batches go back unchecked, so that the
			// reader never waits for one.
			if r := recover(); r != nil {
				p.panicked = r
				p.failed.Store(true)
				for b := range p.full {
					b.reset()
					p.free <- b
				}
			}
		}()
		for b := range p.full {
			if p.err == nil {
				for i := range b.rows {
					if err := c.check(b.rows[i]); err != nil {
						p.err = err
						p.failed.Store(true)
						break
					}
				}
			}
			b.reset()
			p.free <- b // never blocks: there are no more batches than free's capacity
		}
	}()
	return p
}

// send hands a full batch to the checker.
func (p *pipeline) send(b *batch) { p.full <- b }

// add copies row into the batch being filled, sending it when full. It
// returns false once the checker has found a bad record: the caller stops
// reading.
func (p *pipeline) add(row Stored) bool {
	if p.failed.Load() {
		return false
	}
	if p.cur == nil {
		p.cur = <-p.free
	}
	p.cur.add(row)
	if p.cur.full() {
		p.send(p.cur)
		p.cur = nil
	}
	return true
}

// finish sends the last batch, waits for the checker, and returns the
// first bad record it found (or panics as the checker did).
func (p *pipeline) finish() error {
	if p.cur != nil && len(p.cur.rows) > 0 && !p.failed.Load() {
		p.send(p.cur)
	}
	p.cur = nil
	p.stop()
	if p.panicked != nil {
		panic(p.panicked)
	}
	return p.err
}

// stop ends the checker and waits for it; it may be called again.
func (p *pipeline) stop() {
	if !p.stopped {
		p.stopped = true
		close(p.full)
		p.done.Wait()
	}
}
