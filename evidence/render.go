package evidence

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/deadline"
)

// WriteJSON writes the report as indented JSON with stable field names.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("evidence: write JSON: %w", err)
	}
	return nil
}

func pct(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", math.Floor(r*100+0.5))
}

func (rep *Report) date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(rep.loc).Format("2006-01-02 15:04")
}

func (rep *Report) day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(rep.loc).Format("2006-01-02")
}

func (rep *Report) evidenceText(o Occurrence) string {
	r := o.Record
	if r == nil {
		return ""
	}
	parts := []string{fmt.Sprintf("#%d %s", r.Seq, rep.date(r.SentAt))}
	if r.Channel != "" {
		parts = append(parts, "via "+r.Channel)
	}
	if r.Sender != "" {
		parts = append(parts, "by "+r.Sender)
	}
	if o.Status == Waived {
		parts = append(parts, "waived: "+r.Note)
	}
	if o.Status == Late {
		parts = append(parts, "late by "+deadline.Short(o.Delay))
	}
	return strings.Join(parts, ", ")
}

func (rep *Report) chainText() string {
	switch {
	case !rep.Chain.Checked:
		return "Record chain not verified (the report was built without a store)."
	case rep.Chain.OK:
		return "Record chain verified: every record is intact and in sequence."
	}
	return fmt.Sprintf("RECORD CHAIN BROKEN at record %d: %s", rep.Chain.Seq, rep.Chain.Error)
}

// WriteMarkdown writes the report as Markdown.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	cell := strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace
	title := "Communication evidence"
	if rep.Organization != "" {
		title += " — " + rep.Organization
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	fmt.Fprintf(&b, "**%s**\n\n", rep.chainText())
	fmt.Fprintf(&b, "Plan `%s`, period %s to %s, as of %s.\n\n", rep.PlanID, rep.day(rep.From), rep.day(rep.To.Add(-time.Second)), rep.date(rep.Now))
	b.WriteString("## Plan versions in force\n\n| version | in force from | until | saved by | note |\n|---|---|---|---|---|\n")
	for _, v := range rep.Versions {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", v.Number, rep.day(v.From), rep.day(v.Until.Add(-time.Second)), cell(v.SavedBy), cell(v.Note))
	}
	k := rep.KPIs
	b.WriteString("\n## Key figures\n\n| on-time rate | coverage | on time | late | missed | due | upcoming | waived | ad hoc | deviations |\n|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", pct(k.OnTimeRate), pct(k.Coverage), k.OnTime, k.Late, k.Missed, k.Due, k.Upcoming, k.Waived, k.AdHoc, k.Deviations)
	b.WriteString("\n### By month\n\n| month | judged | on time | late | missed | waived | on-time rate | coverage | reached | acknowledged |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range rep.Monthly {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %s | %s | %d | %d |\n", m.Month, m.Judged, m.OnTime, m.Late, m.Missed, m.Waived, pct(m.OnTimeRate), pct(m.Coverage), m.Reached, m.Acknowledged)
	}
	b.WriteString("\n### By activity\n\n| activity | judged | on time | late | missed | coverage |\n|---|---|---|---|---|---|\n")
	for _, a := range rep.Activities {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s |\n", cell(a.Activity), a.Judged, a.OnTime, a.Late, a.Missed, pct(a.Coverage))
	}
	if len(k.Audiences) > 0 {
		b.WriteString("\n### Reach and acknowledgement\n\n| audience | records | expected | reached | acknowledged | reach rate | acknowledgement rate |\n|---|---|---|---|---|---|---|\n")
		for _, a := range k.Audiences {
			fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f | %.0f | %s | %s |\n", cell(a.Stakeholder), a.Records, a.Expected, a.Reached, a.Acknowledged, pct(a.ReachRate), pct(a.AckRate))
		}
	}
	if len(k.Timeliness) > 0 {
		b.WriteString("\n### Incident notification timeliness\n\n| obligation | notifications | on time | late | missed | slowest |\n|---|---|---|---|---|---|\n")
		for _, t := range k.Timeliness {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s |\n", t.Obligation, t.Count, t.OnTime, t.Late, t.Missed, deadline.Short(t.Slowest))
		}
	}
	if len(k.Overdue) > 0 {
		b.WriteString("\n## Overdue\n\n| activity | planned | due | event |\n|---|---|---|---|\n")
		for _, o := range k.Overdue {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(o.Activity), rep.date(o.At), rep.date(o.Due), o.EventID)
		}
	}
	if len(rep.Deviations) > 0 {
		b.WriteString("\n## Deviations from the plan\n\n| record | activity | kind | detail |\n|---|---|---|---|\n")
		for _, d := range rep.Deviations {
			fmt.Fprintf(&b, "| #%d | %s | %s | %s |\n", d.Seq, d.ActivityID, d.Kind, cell(d.Detail))
		}
	}
	b.WriteString("\n## Occurrences and their evidence\n\n| planned | activity | version | event | due | status | evidence |\n|---|---|---|---|---|---|---|\n")
	for _, o := range rep.Occurrences {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s |\n", rep.date(o.At), cell(o.Activity), o.PlanVersion, o.EventID, rep.date(o.Due), o.Status, cell(rep.evidenceText(o)))
	}
	if len(rep.AdHoc) > 0 {
		b.WriteString("\n## Ad hoc communications\n\n| record | sent | activity | subject |\n|---|---|---|---|\n")
		for _, r := range rep.AdHoc {
			fmt.Fprintf(&b, "| #%d | %s | %s | %s |\n", r.Seq, rep.date(r.SentAt), r.ActivityID, cell(r.Subject))
		}
	}
	b.WriteString("\n## Communication matrix\n\n")
	if err := rep.Matrix.WriteMarkdown(&b); err != nil {
		return err
	}
	b.WriteString("\n## Completeness findings\n\n")
	if len(rep.Findings.Findings) == 0 {
		b.WriteString("None.\n")
	}
	for _, f := range rep.Findings.Findings {
		waived := ""
		if f.Waived {
			waived = " (waived: " + f.WaiverReason + ")"
		}
		fmt.Fprintf(&b, "- **%s** %s [%s] %s: %s%s\n", f.Severity, f.Rule, f.Clause, f.Subject, f.Message, waived)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("evidence: write Markdown: %w", err)
	}
	return nil
}

//go:embed report.html.tmpl
var htmlText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":      pct,
	"duration": deadline.Short,
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

// monthChart draws the on-time rate by month as vertical bars.
func (rep *Report) monthChart() chart {
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
func (rep *Report) activityChart() chart {
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

type occurrenceView struct {
	Occurrence
	AtText, DueText, Evidence string
}

// WriteHTML writes the report as one self-contained, print-friendly HTML
// page: no external assets, no JavaScript (a Content-Security-Policy says
// so), charts as inline SVG.
func (rep *Report) WriteHTML(w io.Writer) error {
	occ := make([]occurrenceView, len(rep.Occurrences))
	for i, o := range rep.Occurrences {
		occ[i] = occurrenceView{o, rep.date(o.At), rep.date(o.Due), rep.evidenceText(o)}
	}
	overdue := make([]occurrenceView, len(rep.KPIs.Overdue))
	for i, o := range rep.KPIs.Overdue {
		overdue[i] = occurrenceView{o, rep.date(o.At), rep.date(o.Due), ""}
	}
	adhoc := make([]struct {
		comms.Record
		SentText string
	}, len(rep.AdHoc))
	for i, r := range rep.AdHoc {
		adhoc[i].Record, adhoc[i].SentText = r, rep.date(r.SentAt)
	}
	type versionView struct {
		VersionInfo
		FromText, UntilText string
	}
	versions := make([]versionView, len(rep.Versions))
	for i, v := range rep.Versions {
		versions[i] = versionView{v, rep.day(v.From), rep.day(v.Until.Add(-time.Second))}
	}
	data := map[string]any{
		"R":             rep,
		"Title":         "Communication evidence",
		"Period":        rep.day(rep.From) + " to " + rep.day(rep.To.Add(-time.Second)),
		"Now":           rep.date(rep.Now),
		"Chain":         rep.chainText(),
		"Occurrences":   occ,
		"Overdue":       overdue,
		"AdHoc":         adhoc,
		"Versions":      versions,
		"MonthChart":    rep.monthChart(),
		"ActivityChart": rep.activityChart(),
	}
	if err := htmlTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("evidence: write HTML: %w", err)
	}
	return nil
}
