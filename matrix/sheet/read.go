package sheet

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/csvlimit"
)

// Limits of what Read reads. Larger input is refused with [ErrTooLarge]
// before it is parsed.
const (
	// MaxInputSize is the largest input, CSV or XLSX: 8 MiB, far more
	// than a matrix of a thousand rows takes.
	MaxInputSize = 8 << 20
	// MaxUnpackedSize bounds the bytes the parts of an XLSX file that
	// are read (the workbook, its relationships, the sheet, its shared
	// strings) unpack to, all together: far more than a matrix of
	// [MaxRows] rows takes. Each part's size is checked, as the ZIP
	// directory declares it, before it is unpacked, and archive/zip
	// refuses a part that unpacks to more than it declares.
	MaxUnpackedSize = 16 << 20
	// MaxUnpackRatio bounds how many times its packed size a part of
	// more than 64 KiB may unpack to (XML packs to a tenth or so; a
	// zip bomb to a thousandth).
	MaxUnpackRatio = 100
	// MaxParts bounds the parts (files) of an XLSX package.
	MaxParts = 2000
	// MaxMergedRanges bounds the merged ranges of the XLSX sheet read.
	MaxMergedRanges = 1000
	// MaxRows is the most non-empty rows a sheet may have, the header
	// included.
	MaxRows = 2000
	// MaxSheetRows is the most rows an XLSX sheet may hold, blank ones
	// included (a workbook may list rows that hold nothing).
	MaxSheetRows = 10 * MaxRows
	// MaxColumns is the most columns a row may have; an XLSX cell past
	// it that holds a value is refused.
	MaxColumns = 1024
	// MaxCells bounds the cells of an XLSX sheet's non-empty rows, each
	// counted up to its last cell that holds a value.
	MaxCells = 64 * MaxRows
	// MaxCellSize is the longest cell read, in bytes; a longer one is a
	// problem and left out.
	MaxCellSize = 8 << 10
	// MaxSheetText bounds the text of an XLSX sheet's cells that hold a
	// value, all together, a shared string counted at each cell that
	// shows it (a cell longer than MaxCellSize as MaxCellSize): twice
	// what a plan file may be ([comms.MaxPlanSize]), and at most
	// [SheetTextRatio] times the input's size or 1 MiB, whichever is
	// more. A shared string is stored once but may be shown in every
	// cell; past the bound the sheet is refused at the cell.
	MaxSheetText = 2 * comms.MaxPlanSize
	// SheetTextRatio is how many times its size an XLSX input's cells'
	// text may be, all together, when that is more than 1 MiB (see
	// MaxSheetText).
	SheetTextRatio = 64
	// MaxDepth bounds how deep the elements of an XLSX part may nest:
	// SpreadsheetML nests about six deep.
	MaxDepth = 64
	// MaxTokenRatio bounds the XML tokens (tags, runs of text) of an
	// XLSX part per byte it packs to, once it has more than 65,536. A
	// worksheet has one to four a byte, shared strings in rich text
	// runs up to about nine; tiny elements that pack well ("<a/>" over
	// and over) have fifty. Reading a token costs far more than
	// unpacking its bytes, so this bounds the cost of XML that is well
	// formed but large, per byte of the input.
	MaxTokenRatio = 16
)

// sheetText is the most text the cells of an XLSX input of n bytes may
// hold, all together (see MaxSheetText).
func sheetText(n int) int {
	return min(MaxSheetText, max(1<<20, SheetTextRatio*n))
}

// Errors of Read. Each is wrapped with what was being read.
var (
	// ErrTooLarge: the input is over one of the limits above.
	ErrTooLarge = errors.New("too large")
	// ErrUnreadable: the input is not a CSV or XLSX file that can be read
	// (a CSV syntax error, a corrupt or encrypted workbook, a legacy .xls).
	ErrUnreadable = errors.New("unreadable")
	// ErrSheetNotFound: the workbook has no sheet of the name asked for.
	ErrSheetNotFound = errors.New("no such sheet")
	// ErrNoHeader: no row among the first ten names two of the matrix's
	// columns.
	ErrNoHeader = errors.New("no header row")
)

// grid is a sheet's non-empty rows, each with its number (from 1), in
// the order of their numbers.
type grid struct {
	sheet string
	rows  []gridRow
	// merged are the XLSX sheet's merged ranges, as 1-based inclusive
	// coordinates.
	merged []mergedRange
	// sheets describes the workbook's sheets, for messages: `"Cover"
	// (hidden), "Matrix"`; empty for CSV.
	sheets string
	// problems are what reading found about the whole sheet (the
	// encoding a CSV file was read in).
	problems []string
	// unread holds the cells (row, column from 1) that reading left
	// without a value although they hold something (a formula whose
	// value was never calculated, an error value such as #N/A), with
	// why.
	unread map[[2]int]string
	// moreUnread counts such cells past maxUnread, which are not listed.
	moreUnread int
	// comma is a CSV file's delimiter when it is not a comma (an
	// inference), and commaRow the line of the header row it was chosen
	// by (0: by the first line).
	comma    byte
	commaRow int
	// hiddenCols are the XLSX sheet's hidden columns, as ranges (from
	// 1, inclusive), up to MaxColumns.
	hiddenCols [][2]int
}

type gridRow struct {
	n     int
	cells []string
	// hidden: the XLSX sheet hides the row.
	hidden bool
}

type mergedRange struct {
	ref                    string
	col1, row1, col2, row2 int
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// readGrid reads data as XLSX (by its content, or a name ending in .xlsx
// or .xlsm) or else as CSV.
func readGrid(data []byte, name, sheet string) (*grid, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, oleMagic):
		return nil, fmt.Errorf("an encrypted workbook or a legacy .xls file, which cannot be read: save it as .xlsx (without a password) or CSV: %w", ErrUnreadable)
	case bytes.HasPrefix(data, zipMagic):
		g, err := readXLSX(data, sheet)
		if err != nil {
			return nil, err
		}
		errorValues(g)
		return g, nil
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, fmt.Errorf("the name says XLSX but the content is not a workbook (a ZIP package): %w", ErrUnreadable)
	case ext == ".xls":
		return nil, fmt.Errorf("a legacy .xls file, which cannot be read: save it as .xlsx or CSV: %w", ErrUnreadable)
	}
	if sheet != "" {
		return nil, fmt.Errorf("sheet %q: a CSV file has no sheets: %w", sheet, ErrSheetNotFound)
	}
	g, err := readCSV(data, name)
	if err != nil {
		return nil, err
	}
	errorValues(g)
	return g, nil
}

// excelErrors are the error values a spreadsheet program shows in a cell
// whose formula fails, which it exports to CSV as the cell's text.
var excelErrors = map[string]bool{
	"#N/A": true, "#REF!": true, "#VALUE!": true, "#DIV/0!": true, "#NAME?": true,
	"#NULL!": true, "#NUM!": true, "#SPILL!": true, "#CALC!": true, "#GETTING_DATA": true,
	"#FIELD!": true, "#BLOCKED!": true, "#CONNECT!": true, "#UNKNOWN!": true, "#BUSY!": true,
}

// errorValues leaves out each cell that holds one of excelErrors, as
// the whole cell or as an item of a list in it ("All staff, #N/A"),
// noted as unread, as an XLSX cell of type error is: a lookup that failed
// in the workbook is no name of an owner or key message, and splitting it
// ("#N", "A") would hide what it is. CSV cells hold them as text, and so
// may XLSX string cells (a value pasted from another sheet).
func errorValues(g *grid) {
	for i := range g.rows {
		for j, c := range g.rows[i].cells {
			if len(c) < 4 || !strings.Contains(c, "#") {
				continue
			}
			v, ok := errorValueIn(c)
			if !ok {
				continue
			}
			g.rows[i].cells[j] = ""
			if strings.TrimSpace(c) == v {
				g.noteUnread(g.rows[i].n, j+1, fmt.Sprintf("the cell holds %q, the error a spreadsheet shows when a formula fails, not a value: correct the formula in the workbook and export it again, or type the value", v))
			} else {
				g.noteUnread(g.rows[i].n, j+1, fmt.Sprintf("the cell %q holds %q, the error a spreadsheet shows when a formula fails, so none of it is read: correct the formula in the workbook and export it again, or type the values", shorten(c, 80), v))
			}
		}
	}
}

// errorValueIn returns the first of excelErrors in s that is the whole
// of s or of an item of a list in it: between the start or a list
// separator (comma, semicolon, line break) and the end or one, blanks
// aside (case does not matter). "#N/A for now" is text.
func errorValueIn(s string) (string, bool) {
	sep := func(b byte) bool { return b == ',' || b == ';' || b == '\n' || b == '\r' }
	blank := func(b byte) bool { return b == ' ' || b == '\t' }
	for at := 0; ; {
		k := strings.IndexByte(s[at:], '#')
		if k < 0 {
			return "", false
		}
		k += at
		b := k
		for b > 0 && blank(s[b-1]) {
			b--
		}
		if b == 0 || sep(s[b-1]) {
			for e := k + 4; e <= min(len(s), k+len("#GETTING_DATA")); e++ {
				v := strings.ToUpper(s[k:e])
				if !excelErrors[v] {
					continue
				}
				f := e
				for f < len(s) && blank(s[f]) {
					f++
				}
				if f == len(s) || sep(s[f]) {
					return v, true
				}
			}
		}
		at = k + 1
	}
}

// readCSV reads CSV: the delimiter a comma, a semicolon or a tab, the
// one with which a header row is found among the first ten rows (see
// csvDelimiter); the text UTF-8 (a byte order mark skipped), UTF-16 with
// a byte order mark, or else Windows-1252, which is a problem to review
// (see decodeCSV).
func readCSV(data []byte, name string) (*grid, error) {
	base := filepath.Base(name)
	if name == "" {
		base = "CSV"
	}
	g := &grid{sheet: base}
	data, err := decodeCSV(data, g)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("it holds NUL bytes, so it is neither CSV text nor a workbook (UTF-16 text without a byte order mark? save it as UTF-8): %w", ErrUnreadable)
	}
	comma, header := csvDelimiter(data)
	if comma != ',' {
		g.comma, g.commaRow = comma, header
	}
	if err := csvlimit.Check(data, comma, MaxColumns); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrTooLarge)
	}
	r := newCSVReader(data, comma)
	rows := csvRows{r: r, data: data}
	for {
		n, rec, err := rows.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %w: %w", err, ErrUnreadable)
		}
		if blank(rec) {
			continue
		}
		if len(g.rows) == MaxRows {
			return nil, fmt.Errorf("more than %d rows: %w", MaxRows, ErrTooLarge)
		}
		g.rows = append(g.rows, gridRow{n: n, cells: rec})
	}
	return g, nil
}

// csvRows numbers the records of a CSV file as a spreadsheet shows its
// rows: the records before, and the empty lines between them, which
// encoding/csv skips but a spreadsheet shows as blank rows. A record's
// lines (a quoted cell may hold line breaks) make one row.
type csvRows struct {
	r      *csv.Reader
	data   []byte // what r reads
	n      int    // the last row's number
	lines  int    // the lines read so far
	offset int64  // the bytes read so far
}

// next returns the next record and its row number.
func (c *csvRows) next() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		return 0, nil, err
	}
	start, _ := c.r.FieldPos(0)
	c.n += 1 + max(0, start-1-c.lines) // the empty lines skipped are rows
	end := c.r.InputOffset()
	c.lines += bytes.Count(c.data[c.offset:end], []byte("\n"))
	c.offset = end
	return c.n, rec, nil
}

func newCSVReader(data []byte, comma byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = rune(comma)
	r.FieldsPerRecord = -1
	return r
}

// csvDelimiters are the delimiters a CSV file is tried with, in the
// order a tie is decided in.
var csvDelimiters = []byte{',', ';', '\t'}

// csvDelimiter chooses the delimiter of a CSV file: of a comma, a
// semicolon and a tab, the one with which a header row (a row naming two
// of the matrix's columns, as build finds it) is found among the first
// maxHeaderRow non-empty rows; the one whose header row names the most
// columns, then the one that finds it first, then the earlier in
// csvDelimiters. A title row above the header (a sheet's name, which may
// hold any of them) does not decide: "Matrix; v2" over a comma-separated
// header is read with commas. It returns the header row's number
// too (0 when no delimiter finds one: then the first line decides, a
// semicolon or tab when it holds one and no comma, and build reports
// that no header row was found), numbered as readCSV numbers rows (by
// record). Each delimiter reads the first rows
// only, once csvlimit has bounded their fields.
func csvDelimiter(data []byte) (comma byte, row int) {
	best, bestFields, bestAt, bestLine := byte(0), 0, 0, 0
	for _, c := range csvDelimiters {
		if csvlimit.Check(data, c, MaxColumns) != nil {
			continue
		}
		rows := csvRows{r: newCSVReader(data, c), data: data}
		for at := 0; at < maxHeaderRow; {
			n, rec, err := rows.next()
			if err != nil {
				break // EOF, or text this delimiter does not read
			}
			if blank(rec) {
				continue
			}
			at++
			if k := headerFields(rec); k >= 2 {
				if k > bestFields || k == bestFields && at < bestAt {
					best, bestFields, bestAt, bestLine = c, k, at, n
				}
				break
			}
		}
	}
	if best != 0 {
		return best, bestLine
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.IndexByte(first, ',') < 0 {
		if bytes.IndexByte(first, ';') >= 0 {
			return ';', 0
		} else if bytes.IndexByte(first, '\t') >= 0 {
			return '\t', 0
		}
	}
	return ',', 0
}

var (
	bomUTF8    = []byte("\xef\xbb\xbf")
	bomUTF16LE = []byte("\xff\xfe")
	bomUTF16BE = []byte("\xfe\xff")
)

// decodeCSV returns the text of a CSV file as UTF-8. A byte order mark
// says UTF-8 or UTF-16. Without one, text that is valid UTF-8 is UTF-8;
// text that is not, and holds no multi-byte UTF-8 sequence either, is
// read as Windows-1252, what Excel on Windows saves as "CSV" (ISO 8859-1
// is its subset), and that is a problem of the sheet, since the bytes do
// not say which code page they are in. Text that mixes UTF-8 sequences
// with bytes that are not is UTF-8 with damaged bytes, which clean
// removes from each cell and reports.
func decodeCSV(data []byte, g *grid) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return data[len(bomUTF8):], nil
	case bytes.HasPrefix(data, bomUTF16LE) || bytes.HasPrefix(data, bomUTF16BE):
		// ExpectBOM: the mark says the byte order, and is dropped.
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("UTF-16 text: %w: %w", err, ErrUnreadable)
		}
		return out, nil
	case utf8.Valid(data) || hasMultibyte(data):
		return data, nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("Windows-1252 text: %w: %w", err, ErrUnreadable)
	}
	g.problems = append(g.problems, fmt.Sprintf("the file is not UTF-8 text, so it was read as Windows-1252, which Excel on Windows saves as \"CSV\" (the first word it changes reads %q): check the names with letters outside A to Z, or save the file as \"CSV UTF-8\"", firstWord(data)))
	return out, nil
}

// hasMultibyte reports whether data holds a valid multi-byte UTF-8
// sequence.
func hasMultibyte(data []byte) bool {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, n := utf8.DecodeRune(data[i:])
		if n > 1 {
			return true
		}
		i += n
	}
	return false
}

// firstWord returns, read as Windows-1252, the word around the first byte
// of data that is not ASCII, at most 40 bytes of it.
func firstWord(data []byte) string {
	at := bytes.IndexFunc(data, func(r rune) bool { return r >= utf8.RuneSelf })
	if at < 0 {
		return ""
	}
	const stops = " \t\r\n,;\""
	from := max(bytes.LastIndexAny(data[:at], stops)+1, at-20)
	to := len(data)
	if i := bytes.IndexAny(data[at:], stops); i >= 0 {
		to = at + i
	}
	to = min(to, at+20)
	word, _ := charmap.Windows1252.NewDecoder().Bytes(data[from:to])
	return string(word)
}

// noteUnread notes that reading left the cell at row and col (from 1)
// without a value, and why; past maxUnread cells, it only counts them.
func (g *grid) noteUnread(row, col int, why string) {
	if g.unread == nil {
		g.unread = map[[2]int]string{}
	}
	if len(g.unread) == maxUnread {
		g.moreUnread++
		return
	}
	g.unread[[2]int{row, col}] = why
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func quoteList(items []string, most int) string {
	var b strings.Builder
	for i, s := range items {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(items)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	return b.String()
}

// readProblems reports what reading found about the whole sheet (build
// calls it before it reads the rows).
func (b *builder) readProblems() {
	for _, msg := range b.g.problems {
		b.problem(0, 0, "", msg)
	}
	if b.g.comma != 0 {
		name := map[byte]string{';': "semicolons", '\t': "tabs"}[b.g.comma]
		why := fmt.Sprintf("the CSV file's delimiter: with %s, not commas, row %d names the matrix's columns", name, b.g.commaRow)
		if b.g.commaRow == 0 {
			why = fmt.Sprintf("the CSV file's delimiter: its first line holds %s and no comma", name)
		}
		b.infer(0, 0, "", "delimiter "+strconv.Quote(string(b.g.comma)), why)
	}
}

// fieldPaths are the plan fields each column's cell goes to, below the
// activity's path.
var fieldPaths = [nFields]string{".name", ".what.message", ".whom", ".how", ".when", ".owner", ".notes"}

// unreadCells reports the cells of the matrix's columns below the header
// that reading left without a value (build calls it once the rows are
// read). A cell the rows reported a problem of already says why (see
// unreadWhy); each other one is a problem of its own, even in a row
// skipped as empty.
func (b *builder) unreadCells() {
	if len(b.g.unread) == 0 {
		return
	}
	said := make(map[[2]int]bool, len(b.res.Problems))
	for _, p := range b.res.Problems {
		said[[2]int{p.Row, p.Column}] = true
	}
	activity := make(map[int]int, len(b.rows))
	for i, r := range b.rows {
		activity[r] = i
	}
	header := b.g.rows[b.header].n
	cells := make([][2]int, 0, len(b.g.unread))
	for k := range b.g.unread {
		cells = append(cells, k)
	}
	slices.SortFunc(cells, func(x, y [2]int) int { return cmp.Or(x[0]-y[0], x[1]-y[1]) })
	for _, k := range cells {
		f, ok := b.fieldOf(k[1] - 1)
		if k[0] <= header || said[k] || !ok {
			continue
		}
		path := ""
		if i, ok := activity[k[0]]; ok {
			path = "activities[" + strconv.Itoa(i) + "]" + fieldPaths[f]
		}
		b.problem(k[0], k[1], path, b.g.unread[k])
	}
	if b.g.moreUnread > 0 {
		b.problem(0, 0, "", fmt.Sprintf("%d more cells hold no value that can be read (a formula whose value was never calculated, or an error such as #N/A); they are read as empty", b.g.moreUnread))
	}
}

// hiddenCells tells of what the workbook hides but the plan reads (build
// calls it once the rows are read): each activity of a hidden row, an
// inference, as a hidden row is often a retired or draft activity, or
// one a filter hides; and each matrix column hidden, a problem to
// review, as its cells make the plan but do not show in the sheet.
func (b *builder) hiddenCells() {
	at := make(map[int]bool)
	for _, r := range b.g.rows[b.header+1:] {
		if r.hidden {
			at[r.n] = true
		}
	}
	for i, n := range b.rows {
		if at[n] {
			b.infer(n, b.col[fActivity]+1, "activities["+strconv.Itoa(i)+"].name", b.plan.Activities[i].Name,
				"the row is hidden in the workbook, and read as an activity: a hidden row is often a retired or draft one, or one a filter hides; delete the activity if it is not meant to be in the plan")
		}
	}
	header := b.g.rows[b.header].n
	for f, c := range b.col {
		if c < 0 {
			continue
		}
		for _, h := range b.g.hiddenCols {
			if c+1 >= h[0] && c+1 <= h[1] {
				b.problem(header, c+1, "", fmt.Sprintf("the column %s (%s) is hidden in the workbook, and its cells are read as the activities' %s: check them, or delete the column if it is not meant to be read", colName(c+1), fieldNames[f], fieldNames[f]))
				break
			}
		}
	}
}

// unreadWhy returns msg, a problem of the cell at row and col, prefixed
// with why reading left the cell without a value, if it did: "empty" is
// not what the sheet holds.
func (b *builder) unreadWhy(row, col int, msg string) string {
	why, ok := b.g.unread[[2]int{row, col}]
	if !ok || col == 0 || msg == why {
		return msg
	}
	return why + "; so it is read as empty: " + strings.TrimPrefix(msg, "empty: ")
}

// sheetsNote names the workbook's sheets for the error that no header was
// found ("" for CSV).
func (g *grid) sheetsNote() string {
	if g.sheets == "" {
		return ""
	}
	return " (the workbook's sheets: " + g.sheets + ")"
}
