package matrix

import (
	"bufio"
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
// bidirectional formatting characters are spelled out ("\u202e"). It
// writes a row at a time.
func (m Matrix) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriterSize(w, outputBuffer)
	bw.WriteString("| " + strings.Join(Columns[:], " | ") + " |\n")
	bw.WriteString(strings.Repeat("|---", len(Columns)) + "|\n")
	for _, r := range m.Rows {
		bw.WriteString("|")
		for _, c := range r.Cells() {
			bw.WriteString(" ")
			bw.WriteString(markdownCell(c))
			bw.WriteString(" |")
		}
		if _, err := bw.WriteString("\n"); err != nil {
			break
		}
	}
	if err := bw.Flush(); err != nil {
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
	"esc": safetext.Escape,
}).Parse(htmlTemplateText))

// WriteHTML writes m as a standalone HTML page with no external assets,
// printed in landscape on whatever paper the printer holds (A4 or Letter).
// All text is escaped: markup by html/template, control and bidirectional
// formatting characters spelled out ("\u202e") with a note at the top of
// the page saying how many texts held them. It writes as it goes, through
// a buffer.
func (m Matrix) WriteHTML(w io.Writer) error {
	// The note comes first, so the texts are counted before the page is
	// written; each is escaped where the template shows it (esc).
	n := 0
	m.eachText(func(s string) {
		if safetext.Index(s, false) >= 0 {
			n++
		}
	})
	bw := bufio.NewWriterSize(w, outputBuffer)
	err := htmlTemplate.Execute(bw, struct {
		Matrix
		Columns [6]string
		Escaped int
	}{m, Columns, n})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("matrix: write HTML: %w", err)
	}
	return nil
}

// eachText calls f with every text m holds (each entry of a list apart).
func (m Matrix) eachText(f func(string)) {
	f(m.PlanID)
	f(m.Organization)
	for _, r := range m.Rows {
		f(r.ActivityID)
		f(r.Activity)
		f(r.KeyMessage)
		for _, l := range [][]string{r.Audience, r.Methods, r.Responsible} {
			for _, s := range l {
				f(s)
			}
		}
		f(r.Timing)
	}
}
