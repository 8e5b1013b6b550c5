// Package heapwatch measures the peak heap of a piece of work, for the
// stores' benchmarks to show that reading a log is streamed: its peak does
// not grow with the number of records.
//
//	w := heapwatch.Start()
//	// ... the work ...
//	w.Stop().Report(b)
//
// It samples runtime/metrics (no stop-the-world, about a microsecond a
// sample) every millisecond from a goroutine of its own.
package heapwatch

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// The metrics sampled.
const (
	heapObjects = "/memory/classes/heap/objects:bytes" // in use: live and not yet swept
	heapLive    = "/gc/heap/live:bytes"                // live, as the last GC marked it
)

// Interval is how often a Watch samples the heap.
const Interval = time.Millisecond

// A Watch samples the heap until Stop. It is not safe for concurrent use
// (one goroutine starts and stops it).
type Watch struct {
	stop chan struct{}
	done sync.WaitGroup
	peak Peak
}

// Peak is what a Watch saw: the largest heap in use (objects, live and
// garbage not yet collected: what the process needs) and the largest live
// heap a garbage collection marked (what the work retained), in bytes.
type Peak struct {
	InUse, Live uint64
}

// Start collects garbage, so that what an earlier step left behind does
// not count, and starts sampling.
func Start() *Watch {
	runtime.GC()
	w := &Watch{stop: make(chan struct{})}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		samples := []metrics.Sample{{Name: heapObjects}, {Name: heapLive}}
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			w.sample(samples)
			select {
			case <-w.stop:
				w.sample(samples)
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *Watch) sample(s []metrics.Sample) {
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		w.peak.InUse = max(w.peak.InUse, s[0].Value.Uint64())
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		w.peak.Live = max(w.peak.Live, s[1].Value.Uint64())
	}
}

// Stop stops sampling and returns the peak.
func (w *Watch) Stop() Peak {
	close(w.stop)
	w.done.Wait()
	return w.peak
}

// Report reports the peak with b.ReportMetric (b is a *testing.B), in
// MiB, as peak-heap-MiB and peak-live-MiB.
func (p Peak) Report(b interface{ ReportMetric(float64, string) }) {
	b.ReportMetric(float64(p.InUse)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(p.Live)/(1<<20), "peak-live-MiB")
}
