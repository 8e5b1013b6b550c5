package matrix

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
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
// then one record per activity. Lists (audience, methods, responsible
// parties) are written one item a line, so that a name holding a comma,
// a slash or "and" ("Research and Development") reads back as one name:
// a list of one such name ends with a line break. Line breaks in a cell
// are kept (quoted, as RFC 4180 allows). A cell that a spreadsheet would
// run as a formula gets a quote prefix (see [neutralizeFormula]); control
// and bidirectional formatting characters are spelled out ("\u202e").
// ismscomms import (package matrix/sheet) reads what it writes back to
// the same cells.
func (m Matrix) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Columns[:]); err != nil {
		return fmt.Errorf("matrix: write CSV: %w", err)
	}
	for _, r := range m.Rows {
		cells := [6]string{r.Activity, r.KeyMessage, csvList(r.Audience), csvList(r.Methods), r.Timing, csvList(r.Responsible)}
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

// csvList writes a list cell one item a line. A single item that a reader
// splitting on separators would split (a comma, semicolon, slash, "&" or
// the word "and") ends with a line break, which tells it the cell is a
// list of lines.
func csvList(items []string) string {
	s := strings.Join(items, "\n")
	if len(items) == 1 && splittable(items[0]) {
		s += "\n"
	}
	return s
}

// splittable reports whether a name holds a list separator of a cell
// written by hand: a comma, semicolon, slash or "&", or the word "and".
func splittable(name string) bool {
	if strings.ContainsAny(name, ",;/&") {
		return true
	}
	for _, w := range strings.Fields(name) {
		if strings.EqualFold(w, "and") {
			return true
		}
	}
	return false
}

// csvCell is the one place the CSV writer's text goes through.
func csvCell(s string) string { return neutralizeFormula(safetext.Escape(s)) }

// neutralizeFormula keeps a spreadsheet from running a cell as a formula
// (CSV injection): a cell that starts with =, +, -, @, tab or CR gets a
// quote prefix. So that a reader can take the prefix off again without
// guessing, a cell that starts with quotes followed by one of those gets
// one too ("'=x" is written "”=x"): a reader takes one quote off a cell
// that starts with a quote and, after its quotes, one of those characters,
// and gets the text back exactly.
func neutralizeFormula(s string) string {
	rest := strings.TrimLeft(s, "'")
	if rest != "" && strings.ContainsRune("=+-@\t\r", rune(rest[0])) {
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

// Paper is the paper a page is laid out for when it is printed (its CSS
// @page size); the zero value sets no size: the page prints on whatever
// paper the printer holds (A4 or Letter; its margins suit both).
type Paper string

// The papers a page can be laid out for.
const (
	PaperA4     Paper = "A4"
	PaperLetter Paper = "Letter"
)

// ErrPaper: a page was asked for on a paper other than A4 or Letter.
var ErrPaper = errors.New("unknown paper: want A4 or Letter")

// CSS returns the paper's name as a CSS @page size ("A4", "letter"; ""
// for the zero Paper, which sets none), or an error wrapping [ErrPaper].
func (p Paper) CSS() (string, error) {
	switch p {
	case "":
		return "", nil
	case PaperA4:
		return "A4", nil
	case PaperLetter:
		return "letter", nil
	}
	return "", fmt.Errorf("paper %q: %w", string(p), ErrPaper)
}

// HTMLOptions are what [Matrix.WriteHTMLPage] prints besides the matrix:
// the paper, and the document-control block and running header and footer
// an auditor files the page with. The zero value is valid: the printer's
// paper, and "—" where a value is unknown.
type HTMLOptions struct {
	// Paper is the paper the page prints on, landscape; zero: the
	// printer's.
	Paper Paper
	// Version says which version of the plan the matrix is of: a store's
	// version number ("3") or what identifies a plan file (its digest).
	Version string
	// Approved is the plan's latest approval (comms.Plan.Approved).
	Approved *comms.Approval
	// Generated is when the page was written, shown in its own location
	// with the zone; zero: not shown.
	Generated time.Time
}

// printView is the page's document-control block and running header and
// footer, escaped as every text of the page is.
type printView struct {
	Size string
	// HeaderLeft, HeaderRight and FooterLeft are CSS string literals.
	HeaderLeft, HeaderRight, FooterLeft template.CSS
	Version, ApprovedBy, ApprovedOn     string
	Generated                           string
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// WriteHTML writes m as [Matrix.WriteHTMLPage] does with the zero
// HTMLOptions: landscape on the printer's paper, with nothing known of the plan's version, approval
// or when the page was written.
func (m Matrix) WriteHTML(w io.Writer) error {
	return m.WriteHTMLPage(w, HTMLOptions{})
}

// WriteHTMLPage writes m as a standalone HTML page with no external assets
// and no script (a Content-Security-Policy says so), which prints as a
// document to file: landscape on opts.Paper, a document-control block at
// the top (plan, version, approver, approval date, when generated), a
// running header (organization, plan and version) and footer (when
// generated, page N of M) on every page, the table's header repeated on
// each page and no row split across two. All text is escaped: markup by
// html/template, control and bidirectional formatting characters spelled
// out ("\u202e") with a note at the top of the page saying how many texts
// held them. It writes as it goes, through a buffer.
func (m Matrix) WriteHTMLPage(w io.Writer, opts HTMLOptions) error {
	size, err := opts.Paper.CSS()
	if err != nil {
		return fmt.Errorf("matrix: write HTML: %w", err)
	}
	// The note comes first, so the texts are counted before the page is
	// written; each is escaped where the template shows it (esc).
	n := 0
	m.eachText(func(s string) {
		if safetext.Index(s, false) >= 0 {
			n++
		}
	})
	for _, s := range []string{opts.Version, approver(opts.Approved)} {
		if safetext.Index(s, false) >= 0 {
			n++
		}
	}
	pv := printView{Size: size, Version: dash(safetext.Escape(opts.Version)), ApprovedBy: dash(safetext.Escape(approver(opts.Approved))), ApprovedOn: "—", Generated: "—"}
	if a := opts.Approved; a != nil && !a.Date.IsZero() {
		pv.ApprovedOn = a.Date.String()
	}
	if !opts.Generated.IsZero() {
		// The zone's abbreviation comes from the zone database: escaped.
		pv.Generated = safetext.Escape(opts.Generated.Format("2006-01-02 15:04 MST"))
	}
	head := "plan " + safetext.Escape(m.PlanID)
	if opts.Version != "" {
		head += ", version " + pv.Version
	}
	if m.Organization != "" {
		// A browser does not clip a margin box: a name longer than the
		// header ends in "…" (the document-control block has it whole).
		head = safetext.Escape(safetext.Shorten(m.Organization, 60)) + " · " + head
	}
	foot := "Communication matrix"
	if !opts.Generated.IsZero() {
		foot += " · generated " + pv.Generated
	}
	pv.HeaderLeft, pv.HeaderRight, pv.FooterLeft = cssString(head), cssString("ISO/IEC 27001:2022 Clause 7.4"), cssString(foot)
	bw := bufio.NewWriterSize(w, outputBuffer)
	err = htmlTemplate.Execute(bw, struct {
		Matrix
		Columns [6]string
		Escaped int
		Print   printView
	}{m, Columns, n, pv})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("matrix: write HTML: %w", err)
	}
	return nil
}

// cssString is s, escaped, as a CSS string literal for a margin box.
func cssString(s string) template.CSS { return template.CSS(safetext.CSSString(s)) }

func approver(a *comms.Approval) string {
	if a == nil {
		return ""
	}
	return a.By
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
