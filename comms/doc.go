// Package comms is the vocabulary of ISO/IEC 27001:2022 Clause 7.4
// Communication: a [Plan] of [Activity] rows that say what is communicated
// (a [Message]), when (a [Timing]), with whom ([Stakeholder]), how
// ([Channel]) and who is responsible ([Role]); the [Event] that triggers
// communication (an incident and its milestones); and the [Record] that
// proves a communication happened.
//
// Most programs start by loading a plan file:
//
//	plan, err := comms.LoadPlan("plan.yaml")
//	if err != nil {
//		log.Fatal(err) // every problem, as file:line:col: path: message
//	}
//
// # Plan files
//
// A plan file is YAML or JSON in the format "ismscomms/v1"; the starter
// plan in examples/plans/starter.yaml shows every part. Field names are a
// contract and do not change.
//
// # Malformed versus incomplete
//
// Decoding is strict about form and reports every problem of a file at
// once in a *[PlanError], each [Problem] with its line, column and a path
// such as "activities[3].how[0]": unknown fields, wrong types, duplicate
// keys and IDs, references to stakeholders, channels, roles or calendars
// the plan lacks, unknown enumeration values, an unknown time zone, an
// invalid recurrence rule, a bad deadline or trigger.
//
// It accepts what is well formed but incomplete (an activity with no
// channel, no owner, or no timing): reporting incompleteness is the job of
// matrix.Check, which must see such plans.
//
// Input is bounded: files over [MaxPlanSize], alias bombs, deep nesting and
// invalid UTF-8 fail fast with an error.
//
// # Enumerations
//
// [Scope], [Classification], [Topic], [StakeholderKind] and [ChannelKind]
// are string types whose values are persisted; a value never changes
// meaning and new ones are only added.
//
// # Times
//
// Wall-clock values in a plan ([DateTime], [Date]) carry no zone: they are
// local to the plan's TimeZone, so a 09:00 activity stays at 09:00 across
// daylight-saving changes. Package schedule turns them into instants.
package comms
