//go:build !unix

package heapwatch

import "time"

// cpuTime is 0 where the process's CPU time is not read: cpu-ns/record
// reports 0.
func cpuTime() time.Duration { return 0 }
