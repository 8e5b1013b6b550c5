// Package schedule answers "when": RFC 5545 recurrence rules, an Agenda
// that merges the rules of every activity of every tenant in time order,
// deadlines counted in hours, days, business days or months, the deadlines
// of triggered activities, and iCalendar export.
//
// Parse a rule from its content lines and walk its occurrences:
//
//	r, err := schedule.Parse("DTSTART;TZID=Europe/Berlin:20260115T090000\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15")
//	for t := range r.Between(from, to) { ... }
//
// or take it from a plan: [ActivityRule], [FromTiming], [Agenda.AddPlan].
//
// # Correct to the letter of RFC 5545
//
// DTSTART is required (a bare RRULE is an error, never "starting now") and
// is always the first occurrence. Rules recur at most daily; BYEASTER and
// other non-RFC parts are rejected, and so is a rule that can never match a
// date (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30), when it is parsed. Wall-clock
// times stay put across daylight-saving changes, and a local time that falls
// in a gap or happens twice resolves as §3.3.5 says ([Resolve]), in every
// zone. The engine is this module's own (internal/recur); it is checked
// against RFC 5545's examples, hand-computed cases and, where that library
// is right, github.com/teambition/rrule-go.
//
// # Fast at SaaS scale
//
// No operation re-walks a rule from its DTSTART: the common shapes (yearly,
// monthly on a day or an nth weekday, weekly, daily) have closed forms, and
// the general engine skips straight to the period in question. An [Agenda]
// answers "what is due in the next 30 days" across 200,000 rules more than
// a hundred times faster than calling rrule-go on each; see the README's
// performance section.
//
// # Cost of untrusted rules
//
// Rule text is untrusted input, and its cost is bounded: any single rule
// is parsed and yields its first 1,000 occurrences within 100 ms, through
// [Rule.Between] or through [Rule.Next] called with each occurrence it
// returned (issue 12; the tests count the engine's steps,
// BenchmarkHostileRules and BenchmarkNextChain measure the time). [Parse]
// reads at most 1 MiB in time linear in it, however the lines are folded,
// and refuses control and bidirectional formatting characters with their
// line and column. Proving that a rule can match at all looks at each kind
// of period once (a few thousand steps at worst); COUNT is never walked
// (its bound is computed from counts per period, in at most two calendar
// cycles of periods); a period is evaluated as its matching days, not as
// every time of each day, and Next starts inside it by binary search; at
// most 50,000 RDATE values and 50,000 EXDATE values are kept (the limit
// plan validation applies too), EXDATEs are found by binary search, and a
// run of consecutive whole-day EXDATEs is skipped at once, so [Rule.Next]
// does not step through the occurrences they leave out.
//
// Compiling a rule is the costly part of building it, and compiled rules
// are shared by the whole process in a bounded cache: once a plan is
// validated (comms.Plan.Validate compiles every rule within a work budget),
// [FromTiming], [ActivityRule] and [Agenda.AddPlan] find its rules compiled,
// however many commands and reports build them again.
//
// Deadlines in business days cost O(log h) for a calendar of h holidays,
// however many days they span: whole weeks are counted by arithmetic and
// holidays by binary search. Building a [Calendar] sorts its holidays;
// build a plan's calendars once with [PlanCalendars].
//
// # Concurrency
//
// A [Rule] is immutable and safe for concurrent use. An [Agenda] is safe
// for concurrent use; Add and Between may be called from any goroutine.
// [Calendar] is immutable. Sequences returned by Between may be iterated
// any number of times.
package schedule
