package matrix

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteMarkdown writes m as a GitHub-flavoured Markdown table.
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

// markdownCell escapes what would break a table cell or be read as markup.
var markdownCell = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "\r\n", " ", "\n", " ", "\r", " ",
	"*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]",
).Replace

// WriteCSV writes m as CSV (RFC 4180): a header row with the column names,
// then one record per activity.
func (m Matrix) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Columns[:]); err != nil {
		return fmt.Errorf("matrix: write CSV: %w", err)
	}
	for _, r := range m.Rows {
		cells := r.Cells()
		for i, c := range cells {
			cells[i] = neutralizeFormula(c)
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

// WriteHTML writes m as a standalone, print-friendly HTML page with no
// external assets. All text is escaped.
func (m Matrix) WriteHTML(w io.Writer) error {
	if err := htmlTemplate.Execute(w, struct {
		Matrix
		Columns [6]string
	}{m, Columns}); err != nil {
		return fmt.Errorf("matrix: write HTML: %w", err)
	}
	return nil
}
