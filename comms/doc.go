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
// # Loading plans
//
// Four loaders read a plan, in YAML or JSON (JSON when the first
// non-blank character is '{'; a UTF-8 byte order mark before it is
// skipped), decode it strictly and validate it:
//
//	                     the plan         the plan and its positions
//	a file, by its path  LoadPlan(path)   LoadPlanSource(path)
//	an io.Reader         DecodePlan(r)    DecodePlanSource(r, name)
//
// The Source variants take what their plain sibling takes (a reader has
// no name, so [DecodePlanSource] takes one for messages and Source.File;
// it may be empty) and also return where each element is in the file
// (a *[Source]), for tools that point at lines (matrix.WithSource). All
// four fail alike:
//
//   - When the content is at fault (malformed, invalid, larger than
//     [MaxPlanSize], empty), the error is a *[PlanError] listing every
//     problem (at most [MaxProblems]) with its line and column, and the
//     Plan and Source hold what could be decoded, so that a product can
//     still show it next to the problems.
//   - When the input cannot be read (no such file, a directory, a path
//     that does not end in .yaml, .yml or .json, a failing reader), the
//     error says why and wraps the cause (errors.Is(err, fs.ErrNotExist)),
//     the Plan is the zero Plan and the Source nil.
//
// [EncodeYAML] and [EncodeJSON] write a plan that the loaders read back
// as it was.
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
// # Text
//
// No string of a plan may hold a character that a terminal or a reader
// would obey rather than show: C0 controls (NUL, BEL, ESC, CR, ...), DEL,
// C1 controls, bidirectional formatting characters (U+202E and the rest)
// and the line separators U+2028 and U+2029. The message of an activity
// (what.message) and its notes may span lines and hold tabs; every other
// string (IDs, names, the organization, zones, rules, references, waiver
// reasons and who accepted them, approvals) is one line, without LF or
// TAB. Decoding refuses them with the field's line, column and path,
// whether the file holds them raw or escaped ("\e", "\u202e"), and
// [Plan.Validate] refuses them in a plan built in Go. In the file itself,
// outside any field, NUL and the other C0 controls (but TAB, LF and the CR
// of CRLF), a CR alone, bytes that are not UTF-8 and, in YAML, DEL, C1
// controls and the line separators are refused with their line and column;
// so is any other such character in a comment or a key. A UTF-8 byte order
// mark at the start is skipped, before YAML and JSON alike.
//
// YAML tags are refused on every value (!!binary, !!python/object, !foo),
// except the tag a value has anyway (!!str on a string). Time zones are
// names of the IANA time zone database (Europe/Berlin, UTC, links such as
// US/Eastern); other files of a zoneinfo directory (localtime, posixrules,
// right/UTC, posix/...) and "Local" are refused; an empty zone is UTC.
//
// # Cost
//
// Any input up to [MaxPlanSize] is decoded or refused within about a
// second and 256 MiB on a 2-core machine (the issue 12 contract; the
// tests assert the allocations, the benchmarks of BenchmarkHostile measure
// the time). What bounds it:
//
//   - The raw bytes are scanned once, in linear time, before any parser.
//   - JSON is parsed here, keeping the line and column as it goes, with
//     every value counted: at most 500,000 values (nodes) and 64 levels.
//   - YAML is refused before it is parsed when the scan's upper bound on
//     the nodes the YAML parser would build passes 300,000 (about 150,000
//     true nodes: some 1.8 MB, or 6,000 activities, of a plan written by
//     hand); the YAML parser refuses nesting deeper than 10,000.
//   - Decoding counts every value, and the bytes of every string, at each
//     use of a YAML alias or merge key: at most 500,000 values and 4 MiB of
//     text, checked before a list is allocated.
//   - A [PlanError] lists at most [MaxProblems] problems, then one that
//     says how many more there were.
//   - Each distinct recurrence (rule text, start, until) is compiled once
//     per decode, the cost of one rule is bounded whatever it is
//     (independent of COUNT, which is never walked), and all the rules of
//     one plan share a work budget: a plan whose rules would take more
//     than about a fifth of a second is refused at the rule where the
//     budget ran out.
//
// A plan of 20,000 activities (the output of [EncodeJSON], read back with
// [DecodePlan]) decodes in about a quarter of a second.
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
