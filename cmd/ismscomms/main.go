// Command ismscomms is ISO/IEC 27001:2022 Clause 7.4 Communication on the
// command line: write a starter plan, check it, print its matrix, calendar
// and agenda, keep evidence of communications in a store, run the incident
// clock, and write the report an auditor reads.
//
//	go install github.com/ismscomms/ismscomms/cmd/ismscomms@latest
//	ismscomms demo
//
// Results go to standard output, diagnostics to standard error. Exit
// status (the README's table): 0 success; 1 the answer is no (check found
// findings at the --fail-on level, verify found a broken chain or nothing
// stored for the tenant, outstanding --fail-on found someone overdue); 2
// usage or bad input (an unknown command, flag or profile, a missing
// argument, an unreadable plan, a bad date, a record or acknowledgement
// that does not fit the plan and rosters); 3 the store failed (no store at
// --db, locked, corrupt, unreachable); 4 an output could not be written
// (standard output or error, an --out file, a reminder remind --send could
// not send), or anything else.
package main

import (
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
)

func main() {
	// A reader that goes away (ismscomms agenda | head -1) makes a write
	// fail with EPIPE instead of killing the process: the command then
	// says its output was cut short and exits 4, as for a full disk.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
