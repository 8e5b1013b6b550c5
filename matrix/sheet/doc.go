// Package sheet imports a communication matrix kept in a spreadsheet (CSV
// or XLSX) as a plan: the six columns of the reference text (activity, key
// message, target audience, method, timing, responsible party) become
// activities with their stakeholders, channels and roles.
//
//	f, _ := os.Open("matrix.xlsx")
//	res, err := sheet.Read(f, "matrix.xlsx", sheet.Options{Now: time.Now()})
//	if err != nil { ... }            // unreadable: not CSV or XLSX, too large, no header row
//	os.WriteFile("plan.yaml", res.YAML, 0o666)
//	for _, inf := range res.Inferences { fmt.Println(inf) }
//	for _, p := range res.Problems { fmt.Println(p) }
//
// The package lives apart from package matrix so that the core packages
// never compile a spreadsheet reader. It reads XLSX itself (archive/zip
// and encoding/xml, one pass over each part it needs): cell values as a
// spreadsheet shows them in the General format (shared and inline
// strings with their rich text runs, numbers, booleans, the values saved
// with formulas, and dates and times, in ISO 8601, where the cell's
// format shows one); other number formats are not applied.
//
// # Nothing guessed silently
//
// A spreadsheet says less than a plan needs: "Annually" has no date,
// "All Employees" no kind, "Email" no reach. Read fills in what the words
// allow and lists each such value as an [Inference] (where it came from:
// sheet, row and column; where it went: the plan's field path; and why),
// and the YAML it writes carries a "# inferred: …" comment at every one.
// A cell it could not read (an unknown timing phrase, an empty required
// cell, a missing column) is a [Problem] with its location; the plan is
// written all the same, without the value, so that `ismscomms check` names
// what is left to do. A value the sheet does not state but a plan needs,
// where a default is no safe guess (a deadline for "as needed"), is kept
// and is a [Problem] too, marked "# to review: …" at the value: a plan
// that needs review is never reported complete. [Result.Complete]
// reports whether there was no problem; `ismscomms import` exits 0 only
// then, 1 when the plan was written with values to review, 2 when the
// input is unreadable. The plan Read returns always decodes with
// comms.DecodePlan.
//
// # Columns
//
// The header row is the first of the first ten non-empty rows in which at
// least two cells name a column. Headers are matched ignoring case, spaces
// and punctuation, with synonyms: activity (communication activity),
// key message (message), target audience (audience, stakeholders,
// recipients), method (communication method, channel, how), timing (when,
// frequency, schedule), responsible party (responsible, owner), and notes
// (comments, remarks), in any order. Other columns, and the rows above
// the header row (titles), are listed in [Result.Ignored] and not read. A
// non-empty cell outside the matrix's columns (under a blank heading, or
// past the header row's last) is a [Problem]: what it means is unknown.
// A second column of a field ("Stakeholders" next to "Audience") is the
// field's data: a second audience, method or responsible party column's
// names are added to the row's list, and a second notes column's text to
// its notes, each an inference at its cell; a second activity, key
// message or timing column's non-empty cell is a [Problem] (an activity
// has one of each).
//
// A CSV file's delimiter is a comma, a semicolon or a tab: the one with
// which a header row is found among the first ten rows, a title row
// above it notwithstanding (the one whose header names the most columns
// where more than one finds one); one that is not a comma is an
// inference.
//
// A list cell that holds line breaks is one name a line, split on nothing
// else: this is how `ismscomms matrix --format csv` writes lists. Any
// other list cell is split on commas, semicolons, slashes (not between
// digits: 24/7) and the word "and" or "&" (each split on "and" is an
// inference: "Research and Development" is one department). Audiences
// become stakeholders, methods channels, responsible parties roles (the
// first the owner, the others support), each with an ID made from its
// name (lower case, hyphens) and shared by every row that names it, in
// any case ("All staff" is "All Staff", said so). Names that differ only
// in punctuation, spaces or accents ("R&D", "R D", "R-D"; "Email",
// "E-mail") are kept apart, and an inference says which earlier name each
// looks like; where two names make one ID, the second gets "-2", said so.
// Row numbers are left out of activity names ("1. Kickoff" is "Kickoff",
// listed) only when every activity's name starts with one, counting up
// by one, as a spreadsheet numbers its rows.
//
// # Round trip
//
// `ismscomms matrix --format csv` of a valid plan, read back, gives the
// same matrix: each row's activity, key message, names of audiences,
// methods and responsible parties, and timing text (matrix.Row), whatever
// the names hold (separators, quotes, leading digits, repeated spaces,
// YAML's special words, text starting with "=" or "'="). The CSV writer's
// formula guard (a quote before a cell starting =, +, -, @, tab, or
// quotes and then one of them) is undone exactly. What does not come
// back: two stakeholders (channels, roles) of one name, or of names that
// differ only in case, are one; the spaces and tabs that start or end a
// name or a key message are dropped; and the row numbers of a plan whose
// every activity is numbered in order (as above). IDs are made again from
// names, and what the matrix does not show (kinds, reach, times of day,
// deadlines of recurring activities) is inferred again.
//
// # Timing
//
// Timing phrases become recurrence rules or triggers: daily, weekly,
// every 2 weeks (fortnightly, bi-weekly), monthly, quarterly, every 6
// months (biannually, biannual, semi-annually, twice a year), annually
// (annual, yearly), with the day where the phrase gives one ("Monthly on
// the first Monday", "Monthly (first Monday)", "Annually on 15 January"),
// a count ("Quarterly, 4 times"; 0 times is a problem), or an RRULE as it
// is (FREQ=…); "as needed", "immediately" or "ASAP" (with "(during
// incidents)", "(during crises)", "(as required by law)"), "within 72
// hours", "within 5 business days of …" become triggers with deadlines.
// "Biannual" and "bi-weekly" are read as twice a year and every two
// weeks, and an inference says so. "Ongoing" has no schedule, and "at
// onboarding" names a joining, for which a plan has no trigger: both are
// problems.
//
// Triggers are read from whole words; an incident.* trigger needs the
// words incident, breach or security, or an incident topic, and words
// that name no event it knows are a problem to review, not a guess ("as
// needed (after board meetings)" keeps the trigger of its topic, to
// review). A deadline the cell does not state is a problem to review,
// kept in the plan and marked at its value: "as needed" is given 7 days,
// "immediately" 1 hour, and "immediately (as required by law)", which
// names no law, the shortest of the usual deadlines from becoming aware
// of an incident, NIS2's early warning (24 hours, from package
// regulation's catalog), not GDPR's 72 hours. So the reference's matrix
// imports with its "as needed" and "immediately" rows to review
// (`ismscomms import` exits 1), into a plan `ismscomms check` passes. An
// incident-reporting row that is sent only once an incident is under way
// is to review too: A.6.8 asks that staff know how to report before one.
//
// Every phrase that `ismscomms matrix` writes reads back to the same
// phrase. A recurrence starts on [Options.Start], by default the first
// Monday of the month after [Options.Now], at 09:00 (or on the first date
// on or after it that the phrase names); the start is always listed as an
// inference, not a problem. A monthly or yearly rule that names no day
// recurs on its start's day, so a start on the 29th to the 31st is moved
// to the 28th (listed); a rule, phrase or RRULE, that names a day some
// months lack ("on the 31st", "the fifth Friday", BYMONTHDAY=30,
// BYSETPOS=5) is kept and is a problem to review.
//
// # Limits
//
// Read refuses input over [MaxInputSize] bytes; an XLSX part read that
// unpacks to more than [MaxUnpackRatio] times its packed size, or parts
// that unpack to more than [MaxUnpackedSize] bytes together (both checked
// before unpacking); a sheet of more than [MaxMergedRanges] merged
// ranges, [MaxSheetRows] rows (blank ones included) or [MaxCells] cells,
// a value past column [MaxColumns], cells whose text passes
// [MaxSheetText] all together (a shared string counted at each cell
// that shows it), a part whose elements nest more than [MaxDepth] deep
// or that has more than [MaxTokenRatio] XML tokens for each byte it
// packs to; more than [MaxRows] rows of data; and
// a cell over [MaxCellSize] bytes (a problem; the cell is left out). It
// refuses a sheet that names more than [MaxElements] stakeholders,
// channels or roles, or whose plan would be too large for a plan file to
// decode (more than comms.MaxPlanSize bytes, or more nodes than the
// decoder reads): an upper bound of the file's size is kept as the sheet
// is read, so such a sheet is refused ([ErrTooLarge]) at the row where
// the bound passed the limit, before the plan is encoded. Its cost is
// linear in the size of the input.
//
// # Encodings and sheets
//
// A CSV file is read as UTF-8, or as UTF-16 when it starts with a byte
// order mark; a file that is not UTF-8 is read as Windows-1252 (what
// Excel on Windows saves as "CSV"), which is a problem of the sheet to
// review. An XLSX workbook's sheet is [Options.Sheet], or else the active
// sheet, or the first visible one when that is hidden. A formula saved
// without its value, and an error value (#N/A, #REF!; in CSV, a cell
// that is one), are problems of their cell, and merged ranges that
// start on or above the header row are not copied into the rows below.
// An activity of a hidden row is noted as an inference, and a matrix
// column the workbook hides is a problem to review.
package sheet
