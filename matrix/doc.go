// Package matrix is the communication matrix of a plan: the six columns of
// the reference text (communication activity, key message, target
// audience, communication method, timing, responsible party) for every
// activity, rendered as Markdown, CSV or HTML.
//
// [Build] turns a plan into a [Matrix]; [Starter] returns the reference's
// own 14-row matrix as a complete plan to start from:
//
//	m := matrix.Build(matrix.Starter())
//	m.WriteMarkdown(os.Stdout)
//
// Timing reads as plain English ("Annually on 15 January", "Quarterly",
// "Monthly on the first Monday", "Within 72 hours of incident.aware"),
// with the RRULE text where no phrase fits exactly.
package matrix
