package heapwatch

import (
	"testing"
	"time"
)

// Measure runs read b.N times, each expected to read n records (it fails
// b otherwise), and reports the time and the process's CPU time per
// record (ns/record, cpu-ns/record) and the peak heap (Peak.Report): the
// stores' benchmarks of reading a whole log. On a shared machine the CPU
// time is the steadier measure of the work done; with more than one
// goroutine at work it is above the time taken. A server's CPU time (a
// database in another process) is not counted.
func Measure(b *testing.B, n int, read func() int) {
	b.ReportAllocs()
	w := Start()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		if got := read(); got != n {
			b.Fatalf("read %d records, want %d", got, n)
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu
	b.StopTimer()
	w.Stop().Report(b)
	perRecord := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / float64(n) }
	b.ReportMetric(perRecord(elapsed), "ns/record")
	b.ReportMetric(perRecord(cpu), "cpu-ns/record")
}
