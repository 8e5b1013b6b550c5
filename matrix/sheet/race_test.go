//go:build race

package sheet_test

// raceEnabled: the race detector makes more allocations, and takes ten
// times as long, so the tests that bound allocations of large sheets are
// skipped (the code they test runs in one goroutine).
const raceEnabled = true
