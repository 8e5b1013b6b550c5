// Package oscal writes an [evidence.Assessment] as OSCAL 1.1 (NIST's Open
// Security Controls Assessment Language) JSON: assessment results, and a
// plan of action and milestones (POA&M) for what was missed.
//
//	rep, err := evidence.Build(ctx, st, evidence.BuildOptions{...})
//	ar, err := oscal.AssessmentResults(rep, oscal.Options{})
//	poam, err := oscal.POAM(rep, oscal.Options{}) // errors.Is(err, oscal.ErrNothingToRemediate) when nothing was missed
//
// Both return the whole document as indented JSON: it is built whole,
// because its UUID is made from its content. [Options] carries what OSCAL
// needs and an assessment does not say (a title, the organization, the
// import-ap href); its zero value gives the defaults each field names.
// Nothing reads the clock: the document's last-modified time, and the
// time the absence of a record was observed, are the assessment's Now.
// The functions are safe for concurrent use; they only read rep.
//
// # What is written
//
// The assessment results hold one result for the assessment's period.
// Its subject is the communication plan, a local component of type
// "plan" that every observation names. Observations: each record the
// assessment shows as evidence (the records answering occurrences, ad hoc
// records and waivers; method EXAMINE; collected when it was recorded;
// relevant evidence: its sequence number and SHA-256 hash in the chained
// log, which the back-matter describes with the chain's verification);
// for each occurrence judged missed, the examination of the log that
// found no record; for each occurrence that a drill answered
// (evidence.Occurrence.HeldAs), the drill and when it was held (props
// held-as, held-at); for each completeness finding of the plan
// (matrix.Check; waived ones are left out), the examination of the plan.
// Findings, all with the target status "not-satisfied": each completeness
// finding of severity error or warning (target objective-id: its rule
// ID, "CMX-WHAT"; an info finding is advice, an observation only), and
// each occurrence judged missed or late (target statement-id: the
// activity's ID, with "_" put before an ID that does not start with a
// letter, as OSCAL tokens must), related to the record that came late,
// the drill held late, or the observation that none came.
//
// The POA&M has one poam-item per missed communication (the missed
// occurrences, which KPIs.Overdue lists), related to the same finding and
// observation, with the same UUIDs, as in the assessment results. It
// imports no system security plan, so its local-definitions define the
// plan component its observations name, as the results' do. A late
// communication was sent: it is a finding, not an item to plan - except a
// legal notification (an occurrence with obligations in force) sent after
// its deadline, whose missed deadline is itself to remediate: it gets a
// poam-item too, related to the record that came late. OSCAL's schema
// wants at least one poam-item, so an assessment with nothing to
// remediate has no POA&M: [POAM] returns [ErrNothingToRemediate].
//
// Drills are left out: a drill's records are no evidence of a real
// communication, and a deadline a drill missed is no real finding. A
// drill is named only where holding it answered an occurrence of a
// planned drill activity.
//
// Every text is written as OSCAL reads it: titles, descriptions and
// remarks are OSCAL markup (Markdown), so the text they take from a plan
// or a record is escaped - "*", "_", "[", "<", "&", "`", "|", "~", "{{",
// and a heading, list or quote mark opening a line get a backslash, as
// CommonMark reads it - and shows as typed, never as formatting, a link,
// HTML or an OSCAL insert; a string field (a prop value,
// a name, a version) and a title have no leading, trailing or repeated
// white space, where white space is ECMA-262's (OSCAL's patterns are
// ECMA-262 regular expressions: U+FEFF and U+2028 count, unlike in Go's
// unicode.IsSpace), and no control characters. Every uuid is defined
// once, and every *-uuid reference and "#" href resolves in the same
// document.
//
// Props this package defines are in the namespace [NS]. Times are UTC
// (OSCAL's date-time pattern allows only some offsets); descriptions give
// them in the plan's zone.
//
// # import-ap without an assessment plan
//
// OSCAL requires assessment results to import an assessment plan
// (import-ap, required by the assessment-results schema). Communication
// evidence has no separate OSCAL assessment plan: the communication plan
// is what was assessed against. OSCAL's definition of import-ap's href
// (the assessment-results metaschema, src/metaschema/
// oscal_assessment-results_metaschema.xml in github.com/usnistgov/OSCAL,
// v1.1.x) allows three forms: an absolute URI, a relative reference, or
// "a bare URI fragment (i.e., `#uuid`) pointing to a back-matter
// resource in this or an imported document", as its "URI Usage" concept
// page describes ("Linking to another OSCAL object"). The export takes
// the third: the href is "#" and the UUID of a back-matter resource that
// describes the communication plan (its ID, version and tenant, and with
// Options.PlanHref a link to the plan file), with remarks that say so.
// Give Options.ImportAP when a real OSCAL assessment plan exists.
//
// # Deterministic UUIDs
//
// Every UUID is a version 5 UUID (RFC 9562 §5.5, SHA-1 name-based) in the
// namespace [Namespace], of a name built from what identifies the object:
// tenant, plan, and the record's sequence number and hash, or the
// activity, event and planned time of an occurrence, or the check's rule
// and subject. The same assessment exports the same bytes, and an
// object keeps its UUID from one export to the next, as OSCAL asks
// ("assigned per-subject"). The document's own UUID is made from the
// SHA-256 of its content, so that it changes when the content does and
// only then, as OSCAL asks of a document UUID. Completeness findings
// with the same rule, subject and path (which matrix.Check does not
// make, but Assessment.Checks may hold) are told apart by their place
// among those. Lists are in a fixed
// order: checks as matrix.Check orders them, records by sequence number,
// occurrences by planned time, then activity and event.
//
// The exports are validated in this package's tests against NIST's
// published JSON schema of OSCAL [Version] (see testdata/README.md).
package oscal
