package matrix

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// Every writer of this package shows plan text (names, messages, reasons)
// that may not come from a validated plan file, so each passes all of it,
// in one place, through internal/safetext: control characters (ESC, BEL,
// CR, C1) and bidirectional formatting characters (U+202E) are spelled out
// ("\x1b", "\u202e") instead of being obeyed by a terminal, a spreadsheet
// or a browser.

// WriteMarkdown writes m as a GitHub-flavoured Markdown table. Markup in
// the cells is escaped; line breaks become spaces; control and
// bidirectional formatting characters are spelled out ("\u202e").
func (m Matrix) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(Columns[:], " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(Columns)) + "|\n")
	for _, r := range m.Rows {
		cells := r.Cells()
		for i, c := range cells {
			cells[i] = markdownCell(c)
		}
		b.WriteString("| " + strings.Join(cells[:], " | ") + " |\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("matrix: write Markdown: %w", err)
	}
	return nil
}

// markdownCell escapes what would break a table cell or be read as markup,
// and spells out control and bidirectional characters: the one place the
// Markdown writer's text goes through.
func markdownCell(s string) string {
	return markdownMarkup.Replace(safetext.Escape(lineBreaks.Replace(s)))
}

var (
	lineBreaks     = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
	markdownMarkup = strings.NewReplacer(
		"\\", "\\\\", "|", "\\|",
		"*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;", "&", "&amp;", "[", "\\[", "]", "\\]",
	)
)

// WriteCSV writes m as CSV (RFC 4180): a header row with the column names,
// then one record per activity. A cell that a spreadsheet would run as a
// formula gets a quote prefix; control and bidirectional formatting
// characters are spelled out ("\u202e"); line breaks in a cell are kept
// (quoted, as RFC 4180 allows).
func (m Matrix) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Columns[:]); err != nil {
		return fmt.Errorf("matrix: write CSV: %w", err)
	}
	for _, r := range m.Rows {
		cells := r.Cells()
		for i, c := range cells {
			cells[i] = csvCell(c)
		}
		if err := cw.Write(cells[:]); err != nil {
			return fmt.Errorf("matrix: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("matrix: write CSV: %w", err)
	}
	return nil
}

// csvCell is the one place the CSV writer's text goes through.
func csvCell(s string) string { return neutralizeFormula(safetext.Escape(s)) }

// neutralizeFormula keeps a spreadsheet from running a cell as a formula
// (CSV injection): a leading =, +, -, @, tab or CR gets a quote prefix.
func neutralizeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

//go:embed matrix.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("matrix").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(htmlTemplateText))

// WriteHTML writes m as a standalone HTML page with no external assets,
// printed in landscape on whatever paper the printer holds (A4 or Letter).
// All text is escaped: markup by html/template, control and bidirectional
// formatting characters spelled out ("\u202e") with a note at the top of
// the page saying how many texts held them.
func (m Matrix) WriteHTML(w io.Writer) error {
	n := 0
	m = m.mapText(func(s string) string {
		if safetext.Index(s, false) < 0 {
			return s
		}
		n++
		return safetext.Escape(s)
	})
	if err := htmlTemplate.Execute(w, struct {
		Matrix
		Columns [6]string
		Escaped int
	}{m, Columns, n}); err != nil {
		return fmt.Errorf("matrix: write HTML: %w", err)
	}
	return nil
}

// mapText returns a copy of m with f applied to every text it holds.
func (m Matrix) mapText(f func(string) string) Matrix {
	out := Matrix{PlanID: f(m.PlanID), Organization: f(m.Organization), Rows: make([]Row, len(m.Rows))}
	list := func(in []string) []string {
		if in == nil {
			return nil
		}
		o := make([]string, len(in))
		for i, s := range in {
			o[i] = f(s)
		}
		return o
	}
	for i, r := range m.Rows {
		out.Rows[i] = Row{
			ActivityID: f(r.ActivityID), Activity: f(r.Activity), KeyMessage: f(r.KeyMessage),
			Audience: list(r.Audience), Methods: list(r.Methods), Timing: f(r.Timing), Responsible: list(r.Responsible),
		}
	}
	return out
}
