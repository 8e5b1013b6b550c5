// Package matrix is the communication matrix of a plan and the checks that
// it answers Clause 7.4 completely.
//
// # The matrix
//
// [Build] turns a plan into a [Matrix]: the six columns of the reference
// text (communication activity, key message, target audience,
// communication method, timing, responsible party) for every activity,
// rendered as Markdown, CSV or HTML. [Starter] returns the reference's own
// 14-row matrix as a complete plan to start from:
//
//	m := matrix.Build(matrix.Starter())
//	m.WriteMarkdown(os.Stdout)
//
// Timing reads as plain English ("Annually on 15 January", "Quarterly",
// "Monthly on the first Monday", "Within 72 hours of incident.aware"),
// with the RRULE text where no phrase fits exactly.
//
// # Completeness checks
//
// [Check] asks an auditor's questions of a plan and returns a [Report] of
// findings, each with a stable rule ID, a severity, the ISO/IEC 27001:2022
// clause or Annex A control it comes from, the activity, stakeholder,
// channel or plan it is about, a message and a hint:
//
//	report := matrix.Check(plan, matrix.At(now))
//	if !report.OK() { ... } // an error-severity finding is left
//	report.WriteText(os.Stderr, matrix.TextOptions{File: "plan.yaml"})
//
// [Checks] lists the built-in rules; docs/rules.md documents each with a
// failing and a passing example. Options set the reference time ([At]),
// waive findings with a written reason ([Waive], or the plan's waivers
// section), override severities ([WithSeverity]), add a vendor's own rules
// ([WithChecker], the [Checker] interface), and attach file positions
// ([WithSource]) so that findings carry line and column. Reports render as
// text, JSON and SARIF 2.1.0 for code-scanning UIs.
//
// # Legal profiles
//
// A plan names the legal profiles it must pass (profiles: [gdpr, nis2] in
// the file, comms.Plan.Profiles in Go) and Check applies them unasked:
// every obligation of each profile needs an activity that fulfils it, as
// the REG-* rules check. [Profile] requires another profile on top; it adds
// to the plan's, never replaces them, so no caller can check a plan
// against less than it declares. An unknown profile name is an error
// finding (REG-UNKNOWN), never silently skipped.
//
// Package matrixtest turns the checks into assertions for other
// repositories' test suites.
package matrix
