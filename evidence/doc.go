// Package evidence answers the auditor's question for Clause 7.4: "show me
// that you did what your plan says". It matches communication records to
// the occurrences of recurring activities and the deadlines of triggered
// ones, judges each against the plan version in force when it was due,
// flags evidence that is present but not as planned, computes the
// programme's performance indicators, and writes a report an auditor can
// read (Markdown, JSON, a self-contained HTML page).
//
//	rep, err := evidence.Evaluate(evidence.Input{
//		Versions: versions, Records: records, Events: events,
//		From: jan1, To: jan1.AddDate(1, 0, 0), Now: now,
//	})
//	rep.WriteHTML(f)
//
// or, from a store, [Build]:
//
//	rep, err := evidence.Build(ctx, st, evidence.BuildOptions{
//		Tenant: "acme", PlanID: "isms-comms", From: jan1, To: jan1.AddDate(1, 0, 0), Now: now,
//	})
//
// The package also holds the store-backed operations that judge against a
// plan: the incident clock of a stored event ([IncidentClock]) and the
// checked writes ([AppendRecord], [SaveMilestone]). Those that read take
// an options struct (BuildOptions, ClockOptions) whose required fields
// are documented; a missing one is an error wrapping [ErrInvalid], never a
// panic or a hidden default such as the current time. Those that write
// take what the store method they check takes, plus the reference time or
// their options.
//
// # Statuses
//
// A recurring occurrence is due from its time to its deadline (the
// activity's within; without one, the end of its day). A triggered
// activity is due from its trigger to the earlier of its plan deadline and
// the legal deadline of the obligations it fulfils. A record fulfils an
// occurrence when it is for that activity (and event) and names that
// occurrence, or was sent between the occurrence and its deadline. Each is:
// on time, late (sent after the deadline, before the next occurrence), missed
// (deadline passed, no record), due (deadline ahead, window open), upcoming,
// or waived (a waiver record answers it). Records that fulfil nothing are
// ad hoc.
//
// # From a store
//
// [Build] verifies the tenant's record chain first and then computes the
// report from exactly the records it verified: it reads the log up to the
// verified head and checks, as it reads, that the records are those the
// head's hash commits to. The report says how many records were verified
// and prints the head's hash, so an auditor can compare it with the
// output of "ismscomms verify". A broken chain, or a store that returns
// other records than it verified, does not stop the report: it leads it.
//
// # The programme's loop
//
// The assessment also judges what the plan wants to achieve and hears
// what came back. [Assessment.Objectives] judges each objective of the
// plan in force per calendar period of its period (met, missed, no data;
// a period not over "so far"), with its trend; [Assessment.Feedback]
// counts the feedback records received (comms.RecordTypeFeedback):
// satisfaction, handling against the plan's handle_within, overdue items.
// Drills ([Drill], events of kind comms.EventKindDrill) run the incident
// clock as the incident they exercise, and their records (marked
// comms.Record.Drill) count in no KPI, objective, acknowledgement or
// reminder; a real incident's records never count as a drill's, and a
// record that contradicts its event is a [RecordProblem], counted
// nowhere. Holding a drill answers the plan's recurring activity of topic
// drill.
//
// [Assessment.ManagementReview] makes the input to a management review
// (ISO/IEC 27001 9.3.2 c–d) from the same figures, without measuring
// anything again; [ReviewInput.Record] is the record that it was handed
// to management, with its digest, for the plan's activity of topic
// management-review, from which the next review counts the plan's
// changes ([Assessment.LastReview]).
//
// # The incident clock
//
// [IncidentClock] reads a stored event, the plan version in force when it
// began and the records sent for it, and returns every communication owed
// (regulation.IncidentClock), so that no caller writes the reading loop:
//
//	c, err := evidence.IncidentClock(ctx, st, evidence.ClockOptions{
//		Tenant: "acme", EventID: "INC-7", PlanID: "isms-comms", Now: now,
//	})
//	for _, o := range c.Owed { fmt.Println(o.Activity, o.Due, o) }
//
// # Checked writes
//
// The record log is append-only: a record that names an activity the plan
// lacks, an occurrence that is not one, or an event of the wrong kind stays
// in it forever. [AppendRecord] checks a record against the plan version
// it names (comms.Plan.CheckRecord, the activity's schedule, the event in
// the store, the reference time) and appends it only if it fits;
// [SaveMilestone] refuses a milestone that starts none of the plan's
// communications unless forced, and warns when an event became aware
// before it was detected. Products append through them rather than
// through store.Store directly. Both refuse with an error that says every
// problem (a *[RecordError], a *[MilestoneError]; errors.Is(err,
// [ErrRefused])) and write nothing then.
//
// # Zones
//
// Every function here that judges against a plan returns its times in the
// plan's zone: the assessment's period, occurrences, deadlines, records
// and notifications; the clock's deadlines and records; the records
// AppendRecord returns. A store keeps times in UTC; the instants are the
// same, only shown where the plan is ("done 08:49 CET", not "done 07:49
// UTC").
//
// # JSON
//
// [Assessment.WriteJSON] writes stable field names. Times are RFC 3339 with
// their offset, in the plan's zone (named by "timezone"). Durations are
// seconds, as JSON numbers, in fields whose names end in "_seconds". Rates
// are fractions from 0 to 1, or null where they cannot be computed
// (nothing was due, a stakeholder's size is unknown); in Go they are
// negative then. Texts are exact, with control and bidirectional
// formatting characters written as \u escapes.
//
// # Text in reports
//
// Records come from a store or from flags, not only from validated plans,
// so the Markdown and HTML writers pass every text they print, in one
// place, through the same escaping: control characters (ESC, BEL, CR, C1)
// and bidirectional formatting characters (U+202E) are spelled out
// ("\x1b", "\u202e") rather than obeyed, and a note near the top says how
// many texts held them. html/template escapes markup; the Markdown writer
// escapes Markdown's.
package evidence
