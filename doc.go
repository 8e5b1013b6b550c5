// Package ismscomms makes ISO/IEC 27001:2022 Clause 7.4 Communication
// executable. The clause says an organization shall determine, for its
// information security management system, the need for internal and
// external communications, including
//
//	a) on what to communicate,
//	b) when to communicate,
//	c) with whom to communicate,
//	d) how to communicate,
//
// and in practice who is responsible. This module turns that
// determination from a spreadsheet into a plan file that code can load,
// check, schedule and prove.
//
// # Where each question is answered
//
//   - What: [github.com/ismscomms/ismscomms/comms.Message] (topic, key
//     message, classification) on each
//     [github.com/ismscomms/ismscomms/comms.Activity].
//   - When: [github.com/ismscomms/ismscomms/comms.Timing], an RFC 5545
//     recurrence or a trigger with a deadline.
//   - With whom: [github.com/ismscomms/ismscomms/comms.Stakeholder].
//   - How: [github.com/ismscomms/ismscomms/comms.Channel].
//   - Who is responsible: [github.com/ismscomms/ismscomms/comms.Role].
//
// Package comms holds this vocabulary and reads plan files; package
// matrix builds the communication matrix (the reference's six columns)
// and ships the reference's 14-row matrix as a starter plan; package
// schedule turns timings into occurrences and deadlines: RFC 5545 rules, an
// Agenda across many plans, business-day deadlines and iCalendar export;
// package regulation catalogs legal notification obligations (GDPR, NIS2,
// DORA, HIPAA, SEC, ...) and runs the incident clock; package store keeps
// plans, events and a hash-chained log of communication records per tenant;
// package evidence judges those records against the plan and writes the
// report an auditor reads, and answers who was due to acknowledge a
// message, who did and who is overdue, from the tenant's rosters (kept in
// the store too, never in the plan); package remind computes the
// reminders and escalations a plan's policy makes due, each with a stable
// key, and package notify sends them by e-mail or signed webhook, once,
// through the store's delivery log.
//
// # Ten lines
//
//	plan, err := comms.LoadPlan("plan.yaml") // or matrix.Starter()
//	if err != nil {
//		log.Fatal(err) // every problem, with file:line:col and path
//	}
//	matrix.Build(plan).WriteMarkdown(os.Stdout) // or WriteHTML, WriteCSV
//	agenda := schedule.NewAgenda()
//	agenda.AddPlan("", plan)
//	for o := range agenda.Between(now, now.AddDate(0, 0, 90)) {
//		fmt.Println(o.At, o.Key) // what is due, when
//	}
//
// Run it with go run ./examples/quickstart.
//
// # The command
//
// cmd/ismscomms puts the same on the command line for an ISMS manager, an
// auditor and a CI pipeline: init, check (text, JSON or SARIF), matrix,
// calendar, agenda, record, incident, roster, ack, outstanding, remind,
// report, verify, schema. go run
// ./cmd/ismscomms demo runs the whole flow in a temporary store.
package ismscomms
