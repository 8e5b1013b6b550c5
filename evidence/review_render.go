package evidence

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/internal/deadline"
)

// escaped returns the review of a copy of r's assessment with f applied
// to every text (Assessment.mapText, the report's escaping), made with r's
// options: its figures are r's, its texts escaped.
func (r *ReviewInput) escaped(f func(string) string) (*ReviewInput, error) {
	if r == nil || r.rep == nil {
		return nil, invalid("management review: a ReviewInput not made by Assessment.ManagementReview")
	}
	return r.rep.mapText(f).ManagementReview(r.opts), nil
}

// WriteMarkdown writes the management-review input as Markdown, escaped
// as [Assessment.WriteMarkdown] escapes the report: every text from the
// plan, the records or the store has its line breaks turned into spaces,
// its Markdown markup escaped and its control and bidirectional
// formatting characters spelled out ("\u202e").
func (r *ReviewInput) WriteMarkdown(w io.Writer) error {
	var esc escaper
	e, err := r.escaped(func(s string) string { return markdownMarkup.Replace(esc.text(lineBreaks.Replace(s))) })
	if err != nil {
		return err
	}
	rep := e.rep
	var b strings.Builder
	title := "Management review input"
	if e.Organization != "" {
		title += " — " + e.Organization
	}
	fmt.Fprintf(&b, "# %s\n\n**%s**", title, rep.chainText())
	if e.Chain.HeadHash != "" {
		fmt.Fprintf(&b, " Head hash: %s.", e.Chain.HeadHash)
	}
	b.WriteString("\n\n")
	if note := esc.note(); note != "" {
		fmt.Fprintf(&b, "> **Note:** %s\n\n", markdownMarkup.Replace(note))
	}
	fmt.Fprintf(&b, "Communication performance of plan %s for the management review (ISO/IEC 27001:2022 9.3.2 c–d), period %s to %s, as of %s. Times are in %s. Every figure is the evidence report's for the same period.\n",
		e.PlanID, rep.day(e.From), rep.day(e.To.Add(-time.Second)), rep.date(e.Now), e.TimeZone)

	fmt.Fprintf(&b, "\n## Objectives (9.3.2 c 4)\n\n%s\n", e.objectivesSummary())
	if len(e.Objectives) > 0 {
		b.WriteString("\n| objective | measure | target | period | standing | latest | value | periods met | missed | no data | trend |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, o := range e.Objectives {
			standing, latest, value := string(o.Standing), "—", "—"
			if o.Problem != "" {
				standing = "not judged: " + o.Problem
			}
			if o.Latest != nil {
				standing, latest, value = objectiveStatus(*o.Latest), o.Latest.Label, objectiveValue(o.Kind, *o.Latest)
			}
			fmt.Fprintf(&b, "| %s | %s | %s %s | %s | %s | %s | %s | %d | %d | %d | %s |\n", o.ID, o.Measure, o.Direction, o.Target, o.Period, standing, latest, value, o.Met, o.Missed, o.NoData, orDash(string(o.Trend)))
		}
	}

	k := e.KPIs
	b.WriteString("\n## Monitoring and measurement results (9.3.2 c 2)\n\n| on-time rate | coverage | on time | late | missed | due | upcoming | waived | ad hoc | deviations |\n|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", pct(k.OnTimeRate), pct(k.Coverage), k.OnTime, k.Late, k.Missed, k.Due, k.Upcoming, k.Waived, k.AdHoc, k.Deviations)
	fmt.Fprintf(&b, "\nTrend from the first month judged to the last: on-time rate %s, coverage %s.\n\n", orDash(string(k.OnTimeTrend)), orDash(string(k.CoverageTrend)))
	b.WriteString("| month due | judged | on time | late | missed | on-time rate | coverage |\n|---|---|---|---|---|---|---|\n")
	for _, m := range k.Monthly {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s |\n", m.Month, m.Judged, m.OnTime, m.Late, m.Missed, pct(m.OnTimeRate), pct(m.Coverage))
	}
	if len(e.Acknowledgements) > 0 {
		b.WriteString("\n### Acknowledgements of versioned messages\n\n| activity | due | acknowledged | outstanding | overdue | rate |\n|---|---|---|---|---|---|\n")
		for _, a := range e.Acknowledgements {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s |\n", rep.activityName(a.ActivityID), a.Due, a.Acknowledged, a.Outstanding, a.Overdue, pct(ackRate(a.AckCounts)))
		}
	}

	fmt.Fprintf(&b, "\n## Overdue and missed communications\n\n%s\n", e.overdueSummary())
	if len(e.Overdue) > 0 {
		b.WriteString("\n| activity | planned | due | event |\n|---|---|---|---|\n")
		for _, o := range e.Overdue {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", o.Activity, rep.date(o.At), rep.date(o.Due), orDash(o.EventID))
		}
	}

	fb := e.Feedback
	fmt.Fprintf(&b, "\n## Feedback from interested parties (9.3.2 d)\n\n%s\n", e.feedbackSummary())
	if fb.Total.Received > 0 {
		b.WriteString("\n| from | received | scored | satisfaction | handled | handled late | open | overdue | mean handling |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, g := range slices.Concat(fb.ByStakeholder, []FeedbackGroup{{Name: "total", FeedbackCounts: fb.Total}}) {
			c := g.FeedbackCounts
			fmt.Fprintf(&b, "| %s | %d | %d | %s | %d | %d | %d | %d | %s |\n", g.Name, c.Received, c.Scored, score(c.Satisfaction), c.Handled, c.HandledLate, c.Open, c.Overdue, handlingText(c.MeanHandling, c.Handled > 0))
		}
	}
	for _, sec := range []struct {
		title string
		items []FeedbackItem
	}{{"Overdue feedback", fb.Overdue}, {"Feedback handled late", fb.HandledLate}} {
		if len(sec.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n| record | received | from | activity | due | handled | handling |\n|---|---|---|---|---|---|---|\n", sec.title)
		for _, it := range sec.items {
			fmt.Fprintf(&b, "| #%d | %s | %s | %s | %s | %s | %s |\n", it.Seq, rep.date(it.ReceivedAt), it.Stakeholder, orDash(it.ActivityID), rep.date(it.Due), rep.date(it.HandledAt), deadline.Short(it.Handling))
		}
	}

	fmt.Fprintf(&b, "\n## Drills\n\n%s\n", e.drillSummary())
	if len(e.Drills) > 0 {
		b.WriteString("\n| drill | held | exercises | scenario | deadlines met | late | missed | open | lessons |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, d := range e.Drills {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d | %d | %d |\n", d.EventID, rep.date(d.Start), d.Exercises, d.Scenario, d.Met, d.Late, d.Missed, d.Open, d.Lessons)
		}
	}

	fmt.Fprintf(&b, "\n## Incidents and their notifications\n\n%s\n", e.incidentSummary())
	if len(e.Incidents) > 0 {
		b.WriteString("\n| event | first trigger | communications | on time | late | missed | pending | waived | legal notifications |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, in := range e.Incidents {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %s |\n", in.EventID, rep.date(in.Start), in.Communications, in.OnTime, in.Late, in.Missed, in.Pending, in.Waived, notificationsText(in.Notifications))
		}
	}
	if len(e.Timeliness) > 0 {
		b.WriteString("\n| obligation | law | notifications | on time | late | missed | pending | slowest sent |\n|---|---|---|---|---|---|---|---|\n")
		for _, t := range e.Timeliness {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %s |\n", t.Obligation, orDash(t.Law), t.Count, t.OnTime, t.Late, t.Missed, t.Pending, slowest(t))
		}
	}

	fmt.Fprintf(&b, "\n## Changes to the plan since the last review\n\n%s\n", e.changesSummary())
	if len(e.Changes) > 0 {
		b.WriteString("\n| version | saved | saved by | note |\n|---|---|---|---|\n")
		for _, v := range e.Changes {
			fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", v.Number, rep.date(v.SavedAt), orDash(v.SavedBy), orDash(v.Note))
		}
	}
	if e.RecordProblems > 0 {
		fmt.Fprintf(&b, "\n**%s counted nowhere** (they contradict the event they name or the plan): the evidence report lists them.\n", plural(int64(e.RecordProblems), "record"))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("evidence: write management review Markdown: %w", err)
	}
	return nil
}

// objectivesSummary says how the objectives stand, in a sentence.
func (r *ReviewInput) objectivesSummary() string {
	if len(r.Objectives) == 0 {
		return "The plan sets no objectives."
	}
	return fmt.Sprintf("%s: %d met, %d missed (each by its latest complete period with data), %d met so far, %d missed so far (only a period not over has data), %d without data, %d not judged.",
		plural(int64(len(r.Objectives)), "objective"), r.ObjectivesMet, r.ObjectivesMissed, r.ObjectivesMetSoFar, r.ObjectivesMissedSoFar, r.ObjectivesNoData, r.ObjectivesNotJudged)
}

func (r *ReviewInput) overdueSummary() string {
	return fmt.Sprintf("%s missed (no record by the deadline); %d due now and not yet sent.", plural(int64(len(r.Overdue)), "communication"), r.KPIs.Due)
}

func (r *ReviewInput) feedbackSummary() string {
	f := r.Feedback
	if f.Total.Received == 0 {
		return "No feedback was recorded in the period."
	}
	return fmt.Sprintf("%d received (%d scored, mean satisfaction %s%s); %d handled, %d of them late; %d open, %d overdue (handle within %s), as of %s. Drill records never count.",
		f.Total.Received, f.Total.Scored, score(f.Total.Satisfaction), scaleText(r), f.Total.Handled, f.Total.HandledLate, f.Total.Open, f.Total.Overdue,
		orDash(f.HandleWithin), r.rep.date(f.At))
}

func scaleText(r *ReviewInput) string {
	if s := r.Feedback.Scale; s != nil {
		return fmt.Sprintf(" on a scale of %d to %d", s.Min, s.Max)
	}
	return ""
}

func (r *ReviewInput) drillSummary() string {
	s := plural(int64(len(r.Drills)), "drill") + " held in the period."
	if !r.DrillsPlanned {
		return s + " The plan plans no recurring drill."
	}
	years := make([]string, len(r.rep.DrillYears))
	for i, y := range r.rep.DrillYears {
		years[i] = strconv.Itoa(y.Year) + ": " + strconv.Itoa(y.Drills)
		switch {
		case y.Missing():
			years[i] += " (none held, though the plan plans them)"
		case !y.Complete:
			years[i] += " (the year is not over)"
		}
	}
	return s + " Drills per calendar year: " + strings.Join(years, "; ") + "."
}

func (r *ReviewInput) incidentSummary() string {
	if len(r.Incidents) == 0 {
		return "No incident or other event triggered a communication in the period (drills are counted above, never here)."
	}
	return plural(int64(len(r.Incidents)), "event") + " triggered communications in the period (drills are never among them)."
}

func (r *ReviewInput) changesSummary() string {
	since := r.rep.day(r.Since)
	var from string
	switch r.SinceFrom {
	case SinceOption:
		from = "the last review, " + since
	case SinceReview:
		from = "the last management review recorded, " + since
	case SinceApproval:
		from = fmt.Sprintf("the plan's approval (%s)", r.rep.Approved.Date)
	default:
		from = "the start of the period, " + since + " (the plan records no approval)"
	}
	s := fmt.Sprintf("Plan versions saved since %s: %d.", from, len(r.Changes))
	if r.ChangesFrom.After(r.Since) {
		s += fmt.Sprintf(" Only the versions in force during the period are known to this input: one saved since then and replaced before %s is not listed.", r.rep.day(r.ChangesFrom))
	}
	return s
}

// notificationsText sums up an event's legal notifications:
// "gdpr-art33 on-time, nis2-early-warning late".
func notificationsText(ns []Notification) string {
	if len(ns) == 0 {
		return "—"
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.Obligation + " " + string(n.Status)
	}
	return strings.Join(parts, ", ")
}

//go:embed review.html.tmpl
var reviewText string

var reviewTemplate = template.Must(template.Must(htmlTemplate.Clone()).New("review").Parse(reviewText))

// WriteHTML writes the management-review input as
// [ReviewInput.WriteHTMLPage] does with the zero HTMLOptions: on the printer's paper,
// generated at the report's reference time.
func (r *ReviewInput) WriteHTML(w io.Writer) error {
	return r.WriteHTMLPage(w, HTMLOptions{})
}

// WriteHTMLPage writes the management-review input as one self-contained
// HTML page, as [Assessment.WriteHTML] writes the report: no external
// assets, no JavaScript (the same Content-Security-Policy), charts as
// inline SVG (the on-time rate by month, each objective's periods),
// markup escaped by html/template and control and bidirectional
// formatting characters spelled out, with a note saying how many texts
// held them. It prints as the report does (see [Assessment.WriteHTMLPage]):
// on opts.Paper, with a document-control block, a running header and
// footer with page numbers, and no table row split across pages.
func (r *ReviewInput) WriteHTMLPage(w io.Writer, opts HTMLOptions) error {
	var esc escaper
	e, err := r.escaped(esc.text)
	if err != nil {
		return err
	}
	rep := e.rep
	pv, err := rep.printView("Management review input", opts)
	if err != nil {
		return err
	}
	type objectiveRowView struct {
		ReviewObjective
		Standing, Latest, Value string
		Chart                   chart
		TargetY                 float64
		Class                   string
	}
	charts := rep.objectiveViews()
	objectives := make([]objectiveRowView, len(e.Objectives))
	for i, o := range e.Objectives {
		v := objectiveRowView{ReviewObjective: o, Standing: string(o.Standing), Latest: "—", Value: "—", Class: string(o.Standing)}
		if o.Problem != "" {
			v.Standing = "not judged: " + o.Problem
		}
		if o.Latest != nil {
			v.Standing, v.Latest, v.Value = objectiveStatus(*o.Latest), o.Latest.Label, objectiveValue(o.Kind, *o.Latest)
		}
		if i < len(charts) {
			v.Chart, v.TargetY = charts[i].Chart, charts[i].TargetY
		}
		objectives[i] = v
	}
	type occView struct {
		Occurrence
		AtHTML, DueHTML template.HTML
	}
	overdue := make([]occView, len(e.Overdue))
	for i, o := range e.Overdue {
		overdue[i] = occView{o, rep.dateHTML(o.At), rep.dateHTML(o.Due)}
	}
	type itemView struct {
		FeedbackItem
		ReceivedHTML, DueHTML, HandledHTML template.HTML
		Handling                           string
	}
	items := func(its []FeedbackItem) []itemView {
		out := make([]itemView, len(its))
		for i, it := range its {
			out[i] = itemView{it, rep.dateHTML(it.ReceivedAt), rep.dateHTML(it.Due), rep.dateHTML(it.HandledAt), deadline.Short(it.Handling)}
		}
		return out
	}
	type feedbackRowView struct {
		Name string
		FeedbackCounts
		Satisfaction, Mean string
	}
	var fbRows []feedbackRowView
	if e.Feedback.Total.Received > 0 {
		for _, g := range slices.Concat(e.Feedback.ByStakeholder, []FeedbackGroup{{Name: "total", FeedbackCounts: e.Feedback.Total}}) {
			fbRows = append(fbRows, feedbackRowView{g.Name, g.FeedbackCounts, score(g.Satisfaction), handlingText(g.MeanHandling, g.Handled > 0)})
		}
	}
	type drillView struct {
		ReviewDrill
		StartHTML template.HTML
	}
	drills := make([]drillView, len(e.Drills))
	for i, d := range e.Drills {
		drills[i] = drillView{d, rep.dateHTML(d.Start)}
	}
	type incidentView struct {
		ReviewIncident
		StartHTML     template.HTML
		Notifications string
	}
	incidents := make([]incidentView, len(e.Incidents))
	for i, in := range e.Incidents {
		incidents[i] = incidentView{in, rep.dateHTML(in.Start), notificationsText(in.Notifications)}
	}
	type changeView struct {
		VersionInfo
		SavedHTML template.HTML
		By        []part
	}
	changes := make([]changeView, len(e.Changes))
	for i, v := range e.Changes {
		changes[i] = changeView{v, rep.dateHTML(v.SavedAt), words(orDash(v.SavedBy))}
	}
	type ackView struct {
		Name string
		AckCounts
		RateText string
	}
	acks := make([]ackView, len(e.Acknowledgements))
	for i, a := range e.Acknowledgements {
		acks[i] = ackView{rep.activityName(a.ActivityID), a.AckCounts, pct(ackRate(a.AckCounts))}
	}
	data := map[string]any{
		"Title":             "Management review input",
		"V":                 e,
		"R":                 rep,
		"From":              rep.day(e.From),
		"Until":             rep.day(e.To.Add(-time.Second)),
		"Now":               rep.dateHTML(e.Now),
		"Chain":             rep.chainText(),
		"Escaped":           esc.note(),
		"ObjectivesSummary": e.objectivesSummary(),
		"Objectives":        objectives,
		"KPIs":              e.KPIs,
		"MonthChart":        rep.monthChart(),
		"Acks":              acks,
		"OverdueSummary":    e.overdueSummary(),
		"Overdue":           overdue,
		"FeedbackSummary":   e.feedbackSummary(),
		"FeedbackRows":      fbRows,
		"FeedbackOverdue":   items(e.Feedback.Overdue),
		"FeedbackLate":      items(e.Feedback.HandledLate),
		"DrillSummary":      e.drillSummary(),
		"Drills":            drills,
		"IncidentSummary":   e.incidentSummary(),
		"Incidents":         incidents,
		"Timeliness":        e.Timeliness,
		"ChangesSummary":    e.changesSummary(),
		"Changes":           changes,
		"Problems":          "",
		"Print":             pv,
	}
	if e.RecordProblems > 0 {
		data["Problems"] = plural(int64(e.RecordProblems), "record") + " counted nowhere (they contradict the event they name or the plan): the evidence report lists them."
	}
	if err := reviewTemplate.ExecuteTemplate(w, "review", data); err != nil {
		return fmt.Errorf("evidence: write management review HTML: %w", err)
	}
	return nil
}
