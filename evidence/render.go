package evidence

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/deadline"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/matrix"
)

func pct(r float64) string {
	if r < 0 || math.IsNaN(r) {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", math.Floor(r*100+0.5))
}

// location is the report's zone (UTC for a Report not made by Evaluate).
func (rep *Assessment) location() *time.Location {
	if rep.loc == nil {
		return time.UTC
	}
	return rep.loc
}

// date shows a time with its zone: "2026-02-06 23:59 CET" (the zone's
// abbreviation, or its offset where it has none, "+03").
func (rep *Assessment) date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	// The abbreviation comes from the zone database, which ZONEINFO can
	// point anywhere: it is shown escaped, as any text from outside is.
	return safetext.Escape(t.In(rep.location()).Format("2006-01-02 15:04 MST"))
}

func (rep *Assessment) day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(rep.location()).Format("2006-01-02")
}

// dateHTML is date for HTML: the day, and the time with its zone, each
// kept on one line, so that a narrow column breaks between them and never
// inside "2026-02-06".
func (rep *Assessment) dateHTML(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	day, clock, _ := strings.Cut(rep.date(t), " ")
	return template.HTML(`<span class="nw">` + template.HTMLEscapeString(day) + `</span> <span class="nw">` + template.HTMLEscapeString(clock) + `</span>`)
}

// part is a piece of a table cell; a token is never broken across lines
// (a date, an address, an ID).
type part struct {
	Text  string
	Token bool
}

// words splits s at its spaces into tokens: "Ina Müller
// <ina@acme-corp.example>" may break between its words, never inside one
// (a browser would break after the hyphen).
func words(s string) []part {
	var parts []part
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			parts = append(parts, part{" ", false})
		}
		if w != "" {
			parts = append(parts, part{w, true})
		}
	}
	return parts
}

func joinParts(parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// evidence describes an occurrence's record: "#2 2026-02-08 09:00 CET,
// via email, by ina@acme.example, late by 1d9h".
func (rep *Assessment) evidence(o Occurrence) []part {
	r := o.Record
	if r == nil {
		if o.HeldAs == "" {
			return nil
		}
		day, clock, _ := strings.Cut(rep.date(o.HeldAt), " ")
		parts := []part{{"held as drill ", false}, {o.HeldAs, true}, {" from ", false}, {day, true}, {" ", false}, {clock, true}}
		if o.Status == StatusLate {
			parts = append(parts, part{", late by ", false}, part{deadline.Short(o.Delay), true})
		}
		return parts
	}
	day, clock, _ := strings.Cut(rep.date(r.SentAt), " ")
	parts := []part{{"#" + strconv.FormatInt(r.Seq, 10), true}, {" ", false}, {day, true}, {" ", false}, {clock, true}}
	if r.Channel != "" {
		parts = append(parts, part{", via ", false}, part{r.Channel, true})
	}
	if r.Sender != "" {
		parts = append(append(parts, part{", by ", false}), words(r.Sender)...)
	}
	if o.Status == StatusWaived {
		parts = append(parts, part{", waived: " + r.Note, false})
	}
	if o.Status == StatusLate {
		parts = append(parts, part{", late by ", false}, part{deadline.Short(o.Delay), true})
	}
	return parts
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(n, 10) + " " + word + "s"
}

// chainText is the report's first line: what was verified.
func (rep *Assessment) chainText() string {
	c := rep.Chain
	switch {
	case !c.Checked:
		return "Record chain not verified (the report was built without a store)."
	case c.OK && c.Verified == 0:
		return "Record chain verified: the tenant has no records."
	case c.OK:
		return fmt.Sprintf("Record chain verified: %s, intact and in sequence; the report is computed from exactly these.", plural(c.Verified, "record"))
	case c.HeadHash != "":
		return fmt.Sprintf("RECORDS NOT AS VERIFIED at record %d: %s", c.Seq, c.Error)
	}
	text := fmt.Sprintf("RECORD CHAIN BROKEN at record %d: %s", c.Seq, c.Error)
	switch {
	case c.Verified == 1:
		text += " (record 1 verified)"
	case c.Verified > 1:
		text += fmt.Sprintf(" (records 1 to %d verified)", c.Verified)
	}
	if len(c.Unreadable) > 0 {
		left := make([]string, len(c.Unreadable))
		for i, u := range c.Unreadable {
			left[i] = fmt.Sprintf("#%d (%s)", u.Seq, u.Reason)
		}
		text += ". Left out, as the store would not return them: " + strings.Join(left, ", ")
	}
	if c.ReadTo > 0 {
		text += fmt.Sprintf("; the report stops at record %d, after %d unreadable records", c.ReadTo, len(c.Unreadable))
	}
	return text
}

// treeText says which checkpoint of the Merkle tree the report was
// computed at.
func (rep *Assessment) treeText() string {
	t := rep.Chain.Tree
	text := fmt.Sprintf("Checkpoint: Merkle tree of %s, root hash %s (recomputed from the records).", plural(t.Size, "record"), t.RootHash)
	if t.Size != rep.Chain.Verified {
		text += fmt.Sprintf(" The report read %s: the checkpoint is at tree size %d.", plural(rep.Chain.Verified, "record"), t.Size)
	}
	return text
}

// noCheckpointText says why the report has no checkpoint, or is "".
func (rep *Assessment) noCheckpointText() string {
	if rep.Chain.NoCheckpoint == "" {
		return ""
	}
	return "NO CHECKPOINT: " + strings.TrimSuffix(rep.Chain.NoCheckpoint, ".") + "."
}

// treeTextOf is rep's treeText, or "" when no checkpoint was taken.
func treeTextOf(rep *Assessment) string {
	if rep.Chain.Tree == nil {
		return ""
	}
	return rep.treeText()
}

// slowest is a timeliness row's slowest notification: "pending" while
// none is sent but some may still be.
func slowest(t Timeliness) string {
	switch {
	case t.Sent() > 0:
		return deadline.Short(t.Slowest)
	case t.Pending > 0:
		return "pending"
	}
	return "none sent"
}

// expected is an audience's expected reach, "—" when the stakeholders'
// sizes are unknown.
func expected(a AudienceRate) string {
	if a.Expected <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f", a.Expected)
}

// mapText returns a copy of rep with f applied to every text the Markdown
// and HTML writers print: the one place they escape what they show.
func (rep *Assessment) mapText(f func(string) string) *Assessment {
	e := *rep
	strs := func(in []string) []string { return mapSlice(in, f) }
	record := func(r comms.Record) comms.Record {
		r.Type = comms.RecordType(f(string(r.Type)))
		r.PlanID, r.ActivityID, r.EventID, r.Channel = f(r.PlanID), f(r.ActivityID), f(r.EventID), f(r.Channel)
		r.Audiences = strs(r.Audiences)
		r.Sender, r.SenderRole, r.Subject, r.Digest = f(r.Sender), f(r.SenderRole), f(r.Subject), f(r.Digest)
		r.Note, r.PrevHash, r.Hash, r.From = f(r.Note), f(r.PrevHash), f(r.Hash), f(r.From)
		return r
	}
	occurrence := func(o Occurrence) Occurrence {
		o.ActivityID, o.Activity, o.EventID, o.HeldAs = f(o.ActivityID), f(o.Activity), f(o.EventID), f(o.HeldAs)
		o.Obligations = strs(o.Obligations)
		o.Status = Status(f(string(o.Status)))
		o.Law = f(o.Law)
		if o.Record != nil {
			r := record(*o.Record)
			o.Record = &r
		}
		return o
	}
	e.Tenant, e.PlanID, e.Organization, e.TimeZone = f(rep.Tenant), f(rep.PlanID), f(rep.Organization), f(rep.TimeZone)
	e.Chain.HeadHash, e.Chain.Error, e.Chain.NoCheckpoint = f(rep.Chain.HeadHash), f(rep.Chain.Error), f(rep.Chain.NoCheckpoint)
	e.Chain.Unreadable = make([]Unreadable, len(rep.Chain.Unreadable))
	for i, u := range rep.Chain.Unreadable {
		e.Chain.Unreadable[i] = Unreadable{Seq: u.Seq, Reason: f(u.Reason)}
	}
	e.Versions = mapSlice(rep.Versions, func(v VersionInfo) VersionInfo {
		v.SavedBy, v.Note = f(v.SavedBy), f(v.Note)
		return v
	})
	if rep.Approved != nil {
		e.Approved = &comms.Approval{By: f(rep.Approved.By), Date: rep.Approved.Date}
	}
	e.Matrix = matrix.Matrix{PlanID: f(rep.Matrix.PlanID), Organization: f(rep.Matrix.Organization),
		Rows: mapSlice(rep.Matrix.Rows, func(r matrix.Row) matrix.Row {
			return matrix.Row{ActivityID: f(r.ActivityID), Activity: f(r.Activity), KeyMessage: f(r.KeyMessage),
				Audience: strs(r.Audience), Methods: strs(r.Methods), Timing: f(r.Timing), Responsible: strs(r.Responsible)}
		})}
	e.Checks = matrix.Report{PlanID: f(rep.Checks.PlanID), At: rep.Checks.At,
		Findings: mapSlice(rep.Checks.Findings, func(x matrix.Finding) matrix.Finding {
			x.Rule, x.Severity, x.Clause = f(x.Rule), matrix.Severity(f(string(x.Severity))), f(x.Clause)
			x.Subject = matrix.Subject{Kind: matrix.SubjectKind(f(string(x.Subject.Kind))), ID: f(x.Subject.ID), Path: f(x.Subject.Path)}
			x.Path, x.Message, x.Hint, x.WaiverReason = f(x.Path), f(x.Message), f(x.Hint), f(x.WaiverReason)
			return x
		})}
	e.Occurrences = mapSlice(rep.Occurrences, occurrence)
	e.AdHoc = mapSlice(rep.AdHoc, record)
	e.Deviations = mapSlice(rep.Deviations, func(d Deviation) Deviation {
		d.Kind, d.ActivityID, d.Detail = DeviationKind(f(string(d.Kind))), f(d.ActivityID), f(d.Detail)
		return d
	})
	e.KPIs.Audiences = mapSlice(rep.KPIs.Audiences, func(a AudienceRate) AudienceRate {
		a.StakeholderID, a.Stakeholder = f(a.StakeholderID), f(a.Stakeholder)
		return a
	})
	e.KPIs.Notifications = mapSlice(rep.KPIs.Notifications, func(n Notification) Notification {
		n.Obligation, n.EventID, n.ActivityID, n.Status = f(n.Obligation), f(n.EventID), f(n.ActivityID), Status(f(string(n.Status)))
		n.Law = f(n.Law)
		return n
	})
	e.KPIs.Timeliness = mapSlice(rep.KPIs.Timeliness, func(t Timeliness) Timeliness {
		t.Obligation, t.Law = f(t.Obligation), f(t.Law)
		return t
	})
	e.KPIs.Overdue = mapSlice(rep.KPIs.Overdue, occurrence)
	e.Drills = mapSlice(rep.Drills, func(d Drill) Drill {
		d.EventID, d.Title, d.Exercises, d.Scenario = f(d.EventID), f(d.Title), f(d.Exercises), f(d.Scenario)
		if d.Legacy {
			d.Exercises, d.Scenario = "unknown", "unknown (a drill event saved before drills named them)"
		}
		d.Deadlines = mapSlice(d.Deadlines, occurrence)
		d.Lessons = mapSlice(d.Lessons, record)
		d.Feedback = mapSlice(d.Feedback, record)
		return d
	})
	e.Feedback.HandleWithin = f(rep.Feedback.HandleWithin)
	e.Feedback.Items = mapSlice(rep.Feedback.Items, func(it FeedbackItem) FeedbackItem {
		it.From, it.Stakeholder, it.ActivityID, it.Channel = f(it.From), f(it.Stakeholder), f(it.ActivityID), f(it.Channel)
		it.State = FeedbackState(f(string(it.State)))
		return it
	})
	group := func(g FeedbackGroup) FeedbackGroup {
		g.Key, g.Name = f(g.Key), f(g.Name)
		return g
	}
	e.Feedback.ByStakeholder = mapSlice(rep.Feedback.ByStakeholder, group)
	e.Feedback.ByActivity = mapSlice(rep.Feedback.ByActivity, group)
	e.Feedback.Monthly = mapSlice(rep.Feedback.Monthly, group)
	e.Objectives = mapSlice(rep.Objectives, func(o ObjectiveResult) ObjectiveResult {
		o.ID, o.Statement, o.Target, o.Problem = f(o.ID), f(o.Statement), f(o.Target), f(o.Problem)
		o.Measure, o.Kind, o.Direction, o.Period = comms.Measure(f(string(o.Measure))), comms.MeasureKind(f(string(o.Kind))), comms.Direction(f(string(o.Direction))), comms.Period(f(string(o.Period)))
		o.Scope = comms.ObjectiveScope{Activity: f(o.Scope.Activity), Stakeholder: f(o.Scope.Stakeholder), Topic: comms.Topic(f(string(o.Scope.Topic)))}
		o.Trend = Trend(f(string(o.Trend)))
		o.Periods = mapSlice(o.Periods, func(p ObjectivePeriod) ObjectivePeriod {
			p.Label = f(p.Label)
			return p
		})
		return o
	})
	e.RecordProblems = mapSlice(rep.RecordProblems, func(p RecordProblem) RecordProblem {
		p.EventID, p.Problem = f(p.EventID), f(p.Problem)
		return p
	})
	e.Activities = mapSlice(rep.Activities, func(a ActivityKPI) ActivityKPI {
		a.ActivityID, a.Activity = f(a.ActivityID), f(a.Activity)
		return a
	})
	e.Monthly = mapSlice(rep.Monthly, func(m Month) Month {
		m.Month = f(m.Month)
		return m
	})
	e.Acknowledgements = mapSlice(rep.Acknowledgements, func(s AckStatus) AckStatus {
		s.ActivityID, s.Digest, s.Grace = f(s.ActivityID), f(s.Digest), f(s.Grace)
		s.Accepted = strs(s.Accepted)
		s.Stakeholders = mapSlice(s.Stakeholders, func(g StakeholderAcks) StakeholderAcks {
			g.StakeholderID = f(g.StakeholderID)
			return g
		})
		s.People = mapSlice(s.People, func(p PersonAck) PersonAck {
			p.PersonID, p.Name, p.AckDigest = f(p.PersonID), f(p.Name), f(p.AckDigest)
			p.Stakeholders = strs(p.Stakeholders)
			p.State = AckState(f(string(p.State)))
			return p
		})
		return s
	})
	return &e
}

func mapSlice[T any](in []T, f func(T) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// escaper spells out control and bidirectional characters with safetext,
// after f (which may also escape a format's markup), and counts the texts
// that held any.
type escaper struct{ n int }

func (e *escaper) text(s string) string {
	if safetext.Index(s, false) >= 0 {
		e.n++
		return safetext.Escape(s)
	}
	return s
}

func (e *escaper) note() string {
	if e.n == 0 {
		return ""
	}
	held := fmt.Sprintf("%d texts hold", e.n)
	if e.n == 1 {
		held = "1 text holds"
	}
	return held + ` control or bidirectional formatting characters (from records, a store or a plan); they are shown spelled out, such as \u202e, rather than obeyed.`
}

var (
	lineBreaks     = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
	markdownMarkup = strings.NewReplacer(
		"\\", "\\\\", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;", "&", "&amp;",
		"[", "\\[", "]", "\\]", "#", "\\#",
	)
)

// WriteMarkdown writes the report as Markdown. Every text from the plan,
// the records or the store has its line breaks turned into spaces, its
// Markdown markup escaped and its control and bidirectional formatting
// characters spelled out ("\u202e").
func (rep *Assessment) WriteMarkdown(w io.Writer) error {
	var esc escaper
	e := rep.mapText(func(s string) string { return markdownMarkup.Replace(esc.text(lineBreaks.Replace(s))) })
	var b strings.Builder
	e.markdownHead(&b, &esc)
	e.markdownFigures(&b)
	e.markdownObjectives(&b)
	e.markdownFeedback(&b)
	e.markdownRecords(&b)
	e.markdownDrills(&b)
	b.WriteString("\n## Communication matrix\n\n")
	// The matrix's own writer escapes its cells.
	if err := rep.Matrix.WriteMarkdown(&b); err != nil {
		return err
	}
	e.markdownFindings(&b)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("evidence: write Markdown: %w", err)
	}
	return nil
}

// markdownHead writes the title, the chain, the escaping note, the period
// and the plan versions of rep, a report whose text is already escaped.
func (rep *Assessment) markdownHead(b *strings.Builder, esc *escaper) {
	title := "Communication evidence"
	if rep.Organization != "" {
		title += " — " + rep.Organization
	}
	fmt.Fprintf(b, "# %s\n\n", title)
	fmt.Fprintf(b, "**%s**", rep.chainText())
	if rep.Chain.HeadHash != "" {
		fmt.Fprintf(b, " Head hash: %s.", rep.Chain.HeadHash)
	}
	b.WriteString("\n\n")
	if t := rep.Chain.Tree; t != nil {
		fmt.Fprintf(b, "%s\n\n", rep.treeText())
		if t.Note != "" {
			b.WriteString("Signed checkpoint:\n\n    " + strings.ReplaceAll(strings.TrimSuffix(t.Note, "\n"), "\n", "\n    ") + "\n\n")
		}
	}
	if text := rep.noCheckpointText(); text != "" {
		fmt.Fprintf(b, "**%s**\n\n", text)
	}
	if note := esc.note(); note != "" {
		fmt.Fprintf(b, "> **Note:** %s\n\n", markdownMarkup.Replace(note))
	}
	fmt.Fprintf(b, "Plan %s, period %s to %s, as of %s. Times are in %s.\n\n", rep.PlanID, rep.day(rep.From), rep.day(rep.To.Add(-time.Second)), rep.date(rep.Now), rep.TimeZone)
	b.WriteString("## Plan versions in force\n\n| version | in force from | until | saved by | note |\n|---|---|---|---|---|\n")
	for _, v := range rep.Versions {
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s |\n", v.Number, rep.day(v.From), rep.day(v.Until.Add(-time.Second)), v.SavedBy, v.Note)
	}
}

// markdownFigures writes the key figures of rep: the totals, by month, by
// activity, reach, notification timeliness.
func (rep *Assessment) markdownFigures(b *strings.Builder) {
	k := rep.KPIs
	b.WriteString("\n## Key figures\n\n| on-time rate | coverage | on time | late | missed | due | upcoming | waived | ad hoc | deviations |\n|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", pct(k.OnTimeRate), pct(k.Coverage), k.OnTime, k.Late, k.Missed, k.Due, k.Upcoming, k.Waived, k.AdHoc, k.Deviations)
	fmt.Fprintf(b, "\n### By month due\n\nEach occurrence, and the record that answers it, counts in the month (%s) that holds its deadline.\n\n", rep.TimeZone)
	b.WriteString("| month | judged | on time | late | missed | waived | on-time rate | coverage | reached | acknowledged |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range rep.Monthly {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %d | %s | %s | %d | %d |\n", m.Month, m.Judged, m.OnTime, m.Late, m.Missed, m.Waived, pct(m.OnTimeRate), pct(m.Coverage), m.Reached, m.Acknowledged)
	}
	b.WriteString("\n### By activity\n\n| activity | judged | on time | late | missed | coverage |\n|---|---|---|---|---|---|\n")
	for _, a := range rep.Activities {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %s |\n", a.Activity, a.Judged, a.OnTime, a.Late, a.Missed, pct(a.Coverage))
	}
	if len(k.Audiences) > 0 {
		b.WriteString("\n### Reach and acknowledgement\n\n| audience | records | expected | reached | acknowledged | reach rate | acknowledgement rate |\n|---|---|---|---|---|---|---|\n")
		for _, a := range k.Audiences {
			fmt.Fprintf(b, "| %s | %d | %s | %.0f | %.0f | %s | %s |\n", a.Stakeholder, a.Records, expected(a), a.Reached, a.Acknowledged, pct(a.ReachRate), pct(a.AckRate))
		}
	}
	rep.markdownAcks(b)
	if len(k.Timeliness) > 0 {
		b.WriteString("\n### Incident notification timeliness\n\n| obligation | law | notifications | on time | late | missed | pending | slowest sent |\n|---|---|---|---|---|---|---|---|\n")
		for _, t := range k.Timeliness {
			fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %d | %d | %s |\n", t.Obligation, orDash(t.Law), t.Count, t.OnTime, t.Late, t.Missed, t.Pending, slowest(t))
		}
	}
}

// markdownRecords writes what is overdue, the deviations, every
// occurrence with its evidence and the ad hoc records of rep.
func (rep *Assessment) markdownRecords(b *strings.Builder) {
	if k := rep.KPIs; len(k.Overdue) > 0 {
		b.WriteString("\n## Overdue\n\n| activity | planned | due | event |\n|---|---|---|---|\n")
		for _, o := range k.Overdue {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", o.Activity, rep.date(o.At), rep.date(o.Due), o.EventID)
		}
	}
	if len(rep.Deviations) > 0 {
		b.WriteString("\n## Deviations from the plan\n\n| record | activity | kind | detail |\n|---|---|---|---|\n")
		for _, d := range rep.Deviations {
			fmt.Fprintf(b, "| #%d | %s | %s | %s |\n", d.Seq, d.ActivityID, d.Kind, d.Detail)
		}
	}
	b.WriteString("\n## Occurrences and their evidence\n\n| planned | activity | version | event | due | status | evidence |\n|---|---|---|---|---|---|---|\n")
	for _, o := range rep.Occurrences {
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %s | %s |\n", rep.date(o.At), o.Activity+lawNote(o.Law), o.PlanVersion, o.EventID, rep.date(o.Due), o.Status, joinParts(rep.evidence(o)))
	}
	if len(rep.AdHoc) > 0 {
		b.WriteString("\n## Ad hoc communications\n\n| record | sent | activity | subject |\n|---|---|---|---|\n")
		for _, r := range rep.AdHoc {
			fmt.Fprintf(b, "| #%d | %s | %s | %s |\n", r.Seq, rep.date(r.SentAt), r.ActivityID, r.Subject)
		}
	}
}

// markdownDrills writes the drills of rep, the years without one and the
// records counted nowhere.
func (rep *Assessment) markdownDrills(b *strings.Builder) {
	if len(rep.Drills) > 0 || len(rep.DrillYears) > 0 {
		b.WriteString("\n## Drills\n\nExercises of the incident communication plan. Their deadlines are those the real incident would have owed; none of their records counts in the figures above.\n")
	}
	for _, y := range rep.DrillYears {
		if y.Missing() {
			fmt.Fprintf(b, "\n**No drill was held in %d**, though the plan plans one.\n", y.Year)
		}
	}
	for _, d := range rep.Drills {
		fmt.Fprintf(b, "\n### Drill %s, %s\n\nExercises %s; scenario: %s. Plan version %d. Deadlines met %d, late %d, missed %d, open %d.\n\n", d.EventID, rep.date(d.Start), d.Exercises, d.Scenario, d.PlanVersion, d.Met, d.Late, d.Missed, d.Open)
		b.WriteString("| triggered | activity | due | would have been | drill record |\n|---|---|---|---|---|\n")
		for _, o := range d.Deadlines {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", rep.date(o.At), o.Activity+lawNote(o.Law), rep.date(o.Due), o.Status, joinParts(rep.evidence(o)))
		}
		if len(d.Lessons) > 0 {
			b.WriteString("\nLessons learned:\n\n")
			for _, r := range d.Lessons {
				fmt.Fprintf(b, "- #%d %s: %s %s\n", r.Seq, rep.date(r.SentAt), r.Subject, r.Note)
			}
		}
		if len(d.Feedback) > 0 {
			b.WriteString("\nFeedback on the drill (counted in no feedback figure):\n\n")
			for _, r := range d.Feedback {
				sc := "no score"
				if r.Score != nil {
					sc = "score " + strconv.Itoa(*r.Score)
				}
				fmt.Fprintf(b, "- #%d %s from %s, %s\n", r.Seq, rep.date(r.SentAt), r.From, sc)
			}
		}
	}
	if len(rep.RecordProblems) > 0 {
		b.WriteString("\n## Record problems\n\n| record | sent | event | problem |\n|---|---|---|---|\n")
		for _, p := range rep.RecordProblems {
			fmt.Fprintf(b, "| #%d | %s | %s | %s |\n", p.Seq, rep.date(p.SentAt), p.EventID, p.Problem)
		}
	}
}

// objectiveValue shows an objective's value in one period: a rate as a
// percentage, a score with two decimals, a duration short ("3d 4h"); "—"
// without data.
func objectiveValue(kind comms.MeasureKind, p ObjectivePeriod) string {
	if p.Status == ObjectiveNoData {
		return "—"
	}
	switch kind {
	case comms.MeasureKindRate:
		return pct(p.Value)
	case comms.MeasureKindDuration:
		return deadline.Short(p.Duration)
	}
	return strconv.FormatFloat(p.Value, 'f', 2, 64)
}

// objectiveStatus says a period's status, "so far" for a partial one.
func objectiveStatus(p ObjectivePeriod) string {
	s := string(p.Status)
	if p.Partial && p.Status != ObjectiveNoData {
		s += " so far"
	}
	return s
}

// scopeText says an objective's scope in words.
func scopeText(s comms.ObjectiveScope) string {
	var parts []string
	if s.Activity != "" {
		parts = append(parts, "activity "+s.Activity)
	}
	if s.Stakeholder != "" {
		parts = append(parts, "stakeholder "+s.Stakeholder)
	}
	if s.Topic != "" {
		parts = append(parts, "topic "+string(s.Topic))
	}
	if len(parts) == 0 {
		return "the plan"
	}
	return strings.Join(parts, ", ")
}

// markdownObjectives writes the objectives of rep, each judged per
// period.
func (rep *Assessment) markdownObjectives(b *strings.Builder) {
	if len(rep.Objectives) == 0 {
		return
	}
	b.WriteString("\n## Objectives\n\nEach objective of the plan in force, judged per period; a period with nothing to measure has no data, and one not over (or cut by the report's period) is judged so far.\n\n")
	b.WriteString("| objective | measure | target | scope | period | met | missed | no data | trend |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, o := range rep.Objectives {
		fmt.Fprintf(b, "| %s | %s | %s %s | %s | %s | %d | %d | %d | %s |\n", o.ID, o.Measure, o.Direction, o.Target, scopeText(o.Scope), o.Period, o.Met, o.Missed, o.NoData, orDash(string(o.Trend)))
	}
	for _, o := range rep.Objectives {
		fmt.Fprintf(b, "\n### Objective %s\n\n", o.ID)
		if o.Statement != "" {
			fmt.Fprintf(b, "%s\n\n", o.Statement)
		}
		if o.Problem != "" {
			fmt.Fprintf(b, "**Not judged:** %s\n", o.Problem)
			continue
		}
		b.WriteString("| period | value | status | basis |\n|---|---|---|---|\n")
		for _, p := range o.Periods {
			fmt.Fprintf(b, "| %s | %s | %s | %d |\n", p.Label, objectiveValue(o.Kind, p), objectiveStatus(p), p.Basis)
		}
	}
}

// handlingText shows a handling time, "—" when there is none.
func handlingText(d time.Duration, ok bool) string {
	if !ok {
		return "—"
	}
	return deadline.Short(d)
}

// score shows a mean score, "—" when nothing was scored.
func score(v float64) string {
	if v < 0 || math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// markdownFeedback writes the feedback received and its handling.
func (rep *Assessment) markdownFeedback(b *strings.Builder) {
	f := rep.Feedback
	if len(f.Items) == 0 && f.Scale == nil && f.HandleWithin == "" {
		return
	}
	b.WriteString("\n## Feedback received\n\n")
	scale := "no scale"
	if f.Scale != nil {
		scale = fmt.Sprintf("scale %d to %d", f.Scale.Min, f.Scale.Max)
	}
	fmt.Fprintf(b, "Feedback records received in the period (%s; handle within %s), as of %s; drill records never count.\n\n", scale, orDash(f.HandleWithin), rep.date(f.At))
	row := func(name string, c FeedbackCounts) {
		fmt.Fprintf(b, "| %s | %d | %d | %s | %d | %d | %d | %d | %s | %s |\n", name, c.Received, c.Scored, score(c.Satisfaction), c.Handled, c.HandledLate, c.Open, c.Overdue,
			handlingText(c.MeanHandling, c.Handled > 0), handlingText(c.Longest, c.Received > 0))
	}
	head := "| %s | received | scored | satisfaction | handled | handled late | open | overdue | mean handling (handled) | longest (open included) |\n|---|---|---|---|---|---|---|---|---|---|\n"
	fmt.Fprintf(b, head, "")
	row("total", f.Total)
	for _, sec := range []struct {
		title string
		gs    []FeedbackGroup
	}{{"stakeholder", f.ByStakeholder}, {"activity", f.ByActivity}, {"month received", f.Monthly}} {
		if len(sec.gs) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n### By %s\n\n", sec.title)
		fmt.Fprintf(b, head, sec.title)
		for _, g := range sec.gs {
			row(g.Name, g.FeedbackCounts)
		}
	}
	if len(f.Items) > 0 {
		b.WriteString("\n### Feedback\n\n| record | received | from | activity | score | state | due | handled | handling |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, it := range f.Items {
			sc := scoreText(it)
			rec := fmt.Sprintf("#%d", it.Seq)
			if it.Last != it.Seq {
				rec += fmt.Sprintf(" (#%d)", it.Last)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", rec, rep.date(it.ReceivedAt), it.Stakeholder, orDash(it.ActivityID), sc, it.State,
				rep.date(it.Due), rep.date(it.HandledAt), deadline.Short(it.Handling))
		}
	}
}

// feedbackView is the feedback section as the HTML shows it.
type feedbackView struct {
	Shown     bool
	Scale, At string
	Within    string
	Groups    []feedbackGroupView
	Items     []feedbackItemView
}

type feedbackGroupView struct {
	Title string
	Rows  []feedbackRow
}

type feedbackRow struct {
	Name                                           string
	Received, Scored, Handled, Late, Open, Overdue int
	Satisfaction, Mean, Longest                    string
}

type feedbackItemView struct {
	FeedbackItem
	Record, ScoreText, Handling        string
	ReceivedHTML, DueHTML, HandledHTML template.HTML
}

func (rep *Assessment) feedbackView() feedbackView {
	f := rep.Feedback
	v := feedbackView{Shown: len(f.Items) > 0 || f.Scale != nil || f.HandleWithin != "", Scale: "no scale", At: rep.date(f.At), Within: orDash(f.HandleWithin)}
	if f.Scale != nil {
		v.Scale = fmt.Sprintf("scale %d to %d", f.Scale.Min, f.Scale.Max)
	}
	row := func(name string, c FeedbackCounts) feedbackRow {
		return feedbackRow{Name: name, Received: c.Received, Scored: c.Scored, Handled: c.Handled, Late: c.HandledLate, Open: c.Open, Overdue: c.Overdue,
			Satisfaction: score(c.Satisfaction), Mean: handlingText(c.MeanHandling, c.Handled > 0), Longest: handlingText(c.Longest, c.Received > 0)}
	}
	v.Groups = append(v.Groups, feedbackGroupView{Title: "Total", Rows: []feedbackRow{row("total", f.Total)}})
	for _, sec := range []struct {
		title string
		gs    []FeedbackGroup
	}{{"Stakeholder", f.ByStakeholder}, {"Activity", f.ByActivity}, {"Month received", f.Monthly}} {
		if len(sec.gs) == 0 {
			continue
		}
		g := feedbackGroupView{Title: sec.title}
		for _, x := range sec.gs {
			g.Rows = append(g.Rows, row(x.Name, x.FeedbackCounts))
		}
		v.Groups = append(v.Groups, g)
	}
	for _, it := range f.Items {
		iv := feedbackItemView{FeedbackItem: it, Record: fmt.Sprintf("#%d", it.Seq), ScoreText: "—", Handling: deadline.Short(it.Handling),
			ReceivedHTML: rep.dateHTML(it.ReceivedAt), DueHTML: rep.dateHTML(it.Due), HandledHTML: rep.dateHTML(it.HandledAt)}
		if it.Last != it.Seq {
			iv.Record += fmt.Sprintf(" (#%d)", it.Last)
		}
		iv.ScoreText = scoreText(it)
		v.Items = append(v.Items, iv)
	}
	return v
}

// scoreText is an item's score as the report shows it: "4", or, given
// on another scale than the one in force, "4 of 1–5 (7.50)".
func scoreText(it FeedbackItem) string {
	switch {
	case it.Score == nil:
		return "—"
	case it.Rescaled != nil && it.ScaleOf != nil:
		return fmt.Sprintf("%d of %d–%d (%.2f)", *it.Score, it.ScaleOf.Min, it.ScaleOf.Max, *it.Rescaled)
	}
	return strconv.Itoa(*it.Score)
}

// markdownFindings writes the completeness findings of rep.
func (rep *Assessment) markdownFindings(b *strings.Builder) {
	b.WriteString("\n## Completeness findings\n\n")
	if len(rep.Checks.Findings) == 0 {
		b.WriteString("None.\n")
	}
	for _, f := range rep.Checks.Findings {
		waived := ""
		if f.Waived {
			waived = " (waived: " + f.WaiverReason + ")"
		}
		fmt.Fprintf(b, "- **%s** %s [%s] %s: %s%s\n", f.Severity, f.Rule, f.Clause, f.Subject, f.Message, waived)
	}
}

//go:embed report.html.tmpl
var htmlText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":      pct,
	"slowest":  slowest,
	"expected": expected,
}).Parse(htmlText))

// bar is one bar of an inline SVG chart.
type bar struct {
	X, Y, W, H   float64
	Label, Value string
	LabelX       float64
	Class        string
}

type chart struct {
	Width, Height float64
	Bars          []bar
	Axis          float64
}

// monthChart draws the on-time rate by month due as vertical bars.
func (rep *Assessment) monthChart() chart {
	c := chart{Width: 720, Height: 220, Axis: 180}
	n := float64(max(len(rep.Monthly), 1))
	slot := (c.Width - 40) / n
	for i, m := range rep.Monthly {
		label := m.Month
		if t, err := time.Parse("2006-01", m.Month); err == nil {
			label = t.Format("Jan")
			if rep.From.Year() != rep.To.Add(-time.Second).Year() {
				label = t.Format("Jan 06")
			}
		}
		b := bar{X: 40 + float64(i)*slot + slot*0.15, W: slot * 0.7, Label: label, Value: pct(m.OnTimeRate), Class: "none"}
		b.LabelX = b.X + b.W/2
		if m.OnTimeRate >= 0 {
			b.H = 160 * m.OnTimeRate
			b.Class = "ok"
			if m.OnTimeRate < 0.8 {
				b.Class = "warn"
			}
			if m.OnTimeRate < 0.5 {
				b.Class = "bad"
			}
		}
		b.Y = c.Axis - b.H
		c.Bars = append(c.Bars, b)
	}
	return c
}

// activityChart draws the coverage by activity as horizontal bars.
func (rep *Assessment) activityChart() chart {
	c := chart{Width: 720, Height: float64(24*len(rep.Activities) + 10)}
	for i, a := range rep.Activities {
		b := bar{X: 300, Y: float64(24*i + 5), H: 16, Label: a.Activity, Value: pct(a.Coverage), Class: "none"}
		if a.Coverage >= 0 {
			b.W = 360 * a.Coverage
			b.Class = "ok"
			if a.Coverage < 0.8 {
				b.Class = "warn"
			}
			if a.Coverage < 0.5 {
				b.Class = "bad"
			}
		}
		b.LabelX = 292
		c.Bars = append(c.Bars, b)
	}
	return c
}

// objectiveView is an objective as the HTML shows it: its periods'
// values in words and a small chart of them.
type objectiveView struct {
	ObjectiveResult
	Scope string
	Rows  []objectiveRow
	Chart chart
	// TargetY is the target's height in the chart; negative for none (a
	// duration's target is counted per item, not a line).
	TargetY float64
}

type objectiveRow struct {
	Label, Value, Status string
	Class                string
	Basis                int
}

// objectiveViews draws each objective's periods as bars (green met, red
// missed, grey without data) under a line at the target.
func (rep *Assessment) objectiveViews() []objectiveView {
	var out []objectiveView
	for _, o := range rep.Objectives {
		v := objectiveView{ObjectiveResult: o, Scope: scopeText(o.Scope), TargetY: -1}
		// The scale: 0 to 100% for a rate, the feedback scale (or the
		// largest of the values and the target) for a score, the longest
		// value for a duration.
		top, target := 1.0, -1.0
		t, err := (comms.Objective{ID: o.ID, Measure: o.Measure, Target: o.Target}).ParseTarget()
		switch o.Kind {
		case comms.MeasureKindRate:
			if err == nil {
				target = float64(t.Hundredths) / 10000
			}
		case comms.MeasureKindScore:
			top = 0
			if err == nil {
				target = float64(t.Hundredths) / 100
				top = target
			}
			if rep.Feedback.Scale != nil {
				top = float64(rep.Feedback.Scale.Max)
			}
			for _, p := range o.Periods {
				top = max(top, p.Value)
			}
		case comms.MeasureKindDuration:
			top = 0
			for _, p := range o.Periods {
				top = max(top, p.Duration.Seconds())
			}
		}
		const h, axis = 60.0, 66.0
		c := chart{Width: float64(max(24*len(o.Periods)+8, 120)), Height: 84, Axis: axis}
		for i, p := range o.Periods {
			val := p.Value
			if o.Kind == comms.MeasureKindDuration {
				val = p.Duration.Seconds()
			}
			b := bar{X: float64(8 + 24*i), W: 18, Label: p.Label, Value: objectiveValue(o.Kind, p), Class: "none"}
			b.LabelX = b.X + b.W/2
			switch p.Status {
			case ObjectiveMet:
				b.Class = "ok"
			case ObjectiveMissed:
				b.Class = "bad"
			}
			if p.Status != ObjectiveNoData && top > 0 {
				b.H = math.Max(h*math.Min(val/top, 1), 1)
			} else {
				b.H = 2
			}
			b.Y = axis - b.H
			c.Bars = append(c.Bars, b)
			v.Rows = append(v.Rows, objectiveRow{Label: p.Label, Value: objectiveValue(o.Kind, p), Status: objectiveStatus(p), Class: string(p.Status), Basis: p.Basis})
		}
		if target >= 0 && top > 0 {
			v.TargetY = axis - h*math.Min(target/top, 1)
		}
		v.Chart = c
		out = append(out, v)
	}
	return out
}

type occurrenceView struct {
	Occurrence
	AtHTML, DueHTML template.HTML
	Evidence        []part
}

// WriteHTML writes the report as [Assessment.WriteHTMLPage] does with the
// zero HTMLOptions: on the printer's paper, generated at the report's reference time.
func (rep *Assessment) WriteHTML(w io.Writer) error {
	return rep.WriteHTMLPage(w, HTMLOptions{})
}

// WriteHTMLPage writes the report as one self-contained HTML page: no
// external assets, no JavaScript (a Content-Security-Policy says so),
// charts as inline SVG. It prints as a document to file, upright on
// opts.Paper: a document-control block at the top (plan version,
// approver, approval date, when generated), a running header
// (organization, plan and version, period) and footer (when generated,
// with its zone; page N of M) on every page, tables' headers repeated on
// each page and no table row split across two. Dates, times, addresses
// and IDs never break across lines. Markup in texts is escaped by
// html/template, and control and bidirectional formatting characters are
// spelled out ("\u202e"), with a note near the top saying how many texts
// held them.
func (rep *Assessment) WriteHTMLPage(w io.Writer, opts HTMLOptions) error {
	var esc escaper
	e := rep.mapText(esc.text)
	pv, err := e.printView("Communication evidence", opts)
	if err != nil {
		return err
	}
	occ := make([]occurrenceView, len(e.Occurrences))
	for i, o := range e.Occurrences {
		occ[i] = occurrenceView{o, e.dateHTML(o.At), e.dateHTML(o.Due), e.evidence(o)}
	}
	overdue := make([]occurrenceView, len(e.KPIs.Overdue))
	for i, o := range e.KPIs.Overdue {
		overdue[i] = occurrenceView{o, e.dateHTML(o.At), e.dateHTML(o.Due), nil}
	}
	adhoc := make([]struct {
		comms.Record
		SentHTML template.HTML
	}, len(e.AdHoc))
	for i, r := range e.AdHoc {
		adhoc[i].Record, adhoc[i].SentHTML = r, e.dateHTML(r.SentAt)
	}
	type versionView struct {
		VersionInfo
		FromText, UntilText string
		By                  []part
	}
	versions := make([]versionView, len(e.Versions))
	for i, v := range e.Versions {
		versions[i] = versionView{v, e.day(v.From), e.day(v.Until.Add(-time.Second)), words(v.SavedBy)}
	}
	type drillView struct {
		Drill
		StartHTML template.HTML
		Deadlines []occurrenceView
	}
	drills := make([]drillView, len(e.Drills))
	for i, d := range e.Drills {
		drills[i] = drillView{Drill: d, StartHTML: e.dateHTML(d.Start)}
		for _, o := range d.Deadlines {
			drills[i].Deadlines = append(drills[i].Deadlines, occurrenceView{o, e.dateHTML(o.At), e.dateHTML(o.Due), e.evidence(o)})
		}
	}
	var missingYears []int
	for _, y := range e.DrillYears {
		if y.Missing() {
			missingYears = append(missingYears, y.Year)
		}
	}
	data := map[string]any{
		"Drills":        drills,
		"DrillYears":    e.DrillYears,
		"MissingYears":  missingYears,
		"R":             e,
		"Checkpoint":    treeTextOf(e),
		"NoCheckpoint":  e.noCheckpointText(),
		"Title":         "Communication evidence",
		"From":          e.day(e.From),
		"Until":         e.day(e.To.Add(-time.Second)),
		"Now":           e.dateHTML(e.Now),
		"Chain":         e.chainText(),
		"Escaped":       esc.note(),
		"Occurrences":   occ,
		"Overdue":       overdue,
		"AdHoc":         adhoc,
		"Versions":      versions,
		"MonthChart":    e.monthChart(),
		"ActivityChart": e.activityChart(),
		"Acks":          e.ackViews(),
		"Objectives":    e.objectiveViews(),
		"Feedback":      e.feedbackView(),
		"Print":         pv,
	}
	if err := htmlTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("evidence: write HTML: %w", err)
	}
	return nil
}

// orDash is s, or "—" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// lawNote is the standing of the law behind an occurrence, for a table
// cell after its activity: " (law: secondary sources only)"; empty
// when no obligation applies.
func lawNote(law string) string {
	if law == "" {
		return ""
	}
	return " (law: " + law + ")"
}

// activityName is the name of the activity with the given ID in the
// report's matrix, or the ID.
func (rep *Assessment) activityName(id string) string {
	for _, r := range rep.Matrix.Rows {
		if r.ActivityID == id && r.Activity != "" {
			return r.Activity
		}
	}
	return id
}

// ackRound says which version of the message and since when.
func (rep *Assessment) ackRound(s AckStatus) string {
	grace := "no grace period"
	if s.Grace != "" {
		grace = "grace " + s.Grace
	}
	return fmt.Sprintf("version %s since %s, %s", shortHash(s.Digest), rep.day(s.Since), grace)
}

// shortHash is a digest's first 12 hexadecimal digits, for tables.
func shortHash(d string) string {
	hex := strings.TrimPrefix(d, comms.DigestPrefix)
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return hex
}

// markdownAcks writes who acknowledged the versioned messages.
func (rep *Assessment) markdownAcks(b *strings.Builder) {
	if len(rep.Acknowledgements) == 0 {
		return
	}
	b.WriteString("\n### Acknowledgements\n\nFrom the tenant's roster and the acknowledgements in the log, at the reference time.")
	if !rep.Names {
		b.WriteString(" Counts only: the people are listed when the report is asked for names.")
	}
	b.WriteString("\n\n| activity | audience | due | received | acknowledged | outstanding | overdue | rate |\n|---|---|---|---|---|---|---|---|\n")
	for _, s := range rep.Acknowledgements {
		row := func(who string, c AckCounts) {
			fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %d | %d | %s |\n", rep.activityName(s.ActivityID), who, c.Due, c.Received, c.Acknowledged, c.Outstanding, c.Overdue, pct(ackRate(c)))
		}
		row("all ("+rep.ackRound(s)+")", s.Total)
		for _, g := range s.Stakeholders {
			row(g.StakeholderID, g.AckCounts)
		}
	}
	if !rep.Names {
		return
	}
	for _, s := range rep.Acknowledgements {
		fmt.Fprintf(b, "\n#### %s: people\n\n| person | name | state | due by | acknowledged |\n|---|---|---|---|---|\n", rep.activityName(s.ActivityID))
		for _, p := range s.People {
			acked := "—"
			if !p.AcknowledgedAt.IsZero() {
				acked = rep.date(p.AcknowledgedAt)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", p.PersonID, p.Name, p.State, rep.date(p.DueBy), acked)
		}
	}
}

// ackRate is c's rate, or -1 (shown as a dash) when no one is due.
func ackRate(c AckCounts) float64 {
	if c.Due == 0 {
		return -1
	}
	return c.Rate
}

// ackView is one versioned activity's acknowledgement figures, for the
// HTML report.
type ackView struct {
	Name, Round string
	Rows        []ackRow
	People      []personView
}

type ackRow struct {
	Who string
	AckCounts
	RateText string
}

type personView struct {
	PersonAck
	DueText, AckedText string
}

func (rep *Assessment) ackViews() []ackView {
	views := make([]ackView, 0, len(rep.Acknowledgements))
	for _, s := range rep.Acknowledgements {
		v := ackView{Name: rep.activityName(s.ActivityID), Round: rep.ackRound(s)}
		v.Rows = append(v.Rows, ackRow{"all", s.Total, pct(ackRate(s.Total))})
		for _, g := range s.Stakeholders {
			v.Rows = append(v.Rows, ackRow{g.StakeholderID, g.AckCounts, pct(ackRate(g.AckCounts))})
		}
		for _, p := range s.People {
			pv := personView{PersonAck: p, DueText: rep.date(p.DueBy), AckedText: "—"}
			if !p.AcknowledgedAt.IsZero() {
				pv.AckedText = rep.date(p.AcknowledgedAt)
			}
			v.People = append(v.People, pv)
		}
		views = append(views, v)
	}
	return views
}
