// Command ismscomms is ISO/IEC 27001:2022 Clause 7.4 Communication on the
// command line: write a starter plan, check it, print its matrix, calendar
// and agenda, keep evidence of communications in a store, run the incident
// clock, and write the report an auditor reads.
//
//	go install github.com/ismscomms/ismscomms/cmd/ismscomms@latest
//	ismscomms demo
//
// Results go to standard output, diagnostics to standard error. Exit
// status: 0 success; 1 the answer is negative (check found errors, verify
// found a broken chain); 2 bad input (usage, an unreadable plan, a bad
// date, a record that does not fit the plan); 3 the store failed (cannot
// be opened, is locked or corrupt); 4 anything else, such as an output
// that could not be written.
package main

import (
	"os"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
