//go:build !race

package sheet_test

const raceEnabled = false
