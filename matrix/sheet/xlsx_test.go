package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)

// book is a workbook written part by part, for input no spreadsheet
// program would write.
type book struct {
	// sheets are the worksheets' names and sheetData contents; state the
	// sheets' states ("hidden"), by index.
	sheets []bookPart
	// strings are the shared strings' si contents, if any.
	strings []string
	// styles is the styles part, if not empty; pr the workbook's
	// elements before its sheets (workbookPr).
	styles, pr string
	// active is the workbookView's activeTab, if not empty.
	active string
	// extra are parts added as they are, by name.
	extra map[string]string
	// method is the ZIP method of every part (zip.Deflate by default).
	method uint16
}

type bookPart struct {
	name, state string
	// data is the sheetData element's content; head what precedes it
	// (cols), tail what follows it (mergeCells).
	data, head, tail string
}

// bytes writes the package.
func (b book) bytes(t testing.TB) []byte {
	t.Helper()
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	}
	var sheets, rels strings.Builder
	for i, s := range b.sheets {
		state := ""
		if s.state != "" {
			state = ` state="` + s.state + `"`
		}
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.name, i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
		parts[fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)] = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			s.head + `<sheetData>` + s.data + `</sheetData>` + s.tail + `</worksheet>`
	}
	if b.strings != nil {
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, len(b.sheets)+1)
		var sst strings.Builder
		fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d">`, len(b.strings))
		for _, s := range b.strings {
			sst.WriteString("<si>" + s + "</si>")
		}
		sst.WriteString("</sst>")
		parts["xl/sharedStrings.xml"] = sst.String()
	}
	if b.styles != "" {
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, len(b.sheets)+2)
		parts["xl/styles.xml"] = b.styles
	}
	view := b.pr
	if b.active != "" {
		view = `<bookViews><workbookView activeTab="` + b.active + `"/></bookViews>`
	}
	parts["xl/workbook.xml"] = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		view + `<sheets>` + sheets.String() + `</sheets></workbook>`
	parts["xl/_rels/workbook.xml.rels"] = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`
	for name, text := range b.extra {
		parts[name] = text
	}
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	method := b.method
	if method == 0 {
		method = zip.Deflate
	}
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// row spells a row of inline strings from column A, "" for no cell.
func row(n int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, n)
	for i, c := range cells {
		if c != "" {
			fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, colName(i+1), n, c)
		}
	}
	b.WriteString("</row>")
	return b.String()
}

var matrixHeader = []string{"Activity", "Key message", "Audience", "Method", "Timing", "Owner", "Notes"}

func readBook(t *testing.T, data []byte, opts Options) (*Result, error) {
	t.Helper()
	opts.Now = testNow
	return Read(bytes.NewReader(data), "book.xlsx", opts)
}

func mustRead(t *testing.T, data []byte, opts Options) *Result {
	t.Helper()
	res, err := readBook(t, data, opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return res
}

func hasProblem(res *Result, row, col int, parts ...string) bool {
	return slices.ContainsFunc(res.Problems, func(p Problem) bool {
		if p.Row != row || p.Column != col {
			return false
		}
		for _, s := range parts {
			if !strings.Contains(p.Message, s) {
				return false
			}
		}
		return true
	})
}

// TestXLSXCellValues: each kind of cell reads as a spreadsheet shows it:
// inline strings and shared strings (rich text runs joined, phonetic runs
// left out), numbers in the General format, booleans, the cached values
// of formulas; an error value is no value, but a cell noted as unread.
func TestXLSXCellValues(t *testing.T) {
	data := book{
		strings: []string{
			`<t>plain</t>`,
			`<r><rPr><b/></rPr><t xml:space="preserve">Rich </t></r><r><t>text</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>`,
			`<t>a &amp; b</t>`,
		},
		sheets: []bookPart{{name: "S", data: `<row r="1">` +
			`<c r="A1" t="s"><v>0</v></c>` +
			`<c r="B1" t="s"><v>1</v></c>` +
			`<c r="C1" t="s"><v>2</v></c>` +
			`<c r="D1"><v>0.30000000000000004</v></c>` +
			`<c r="E1" t="n"><v>42</v></c>` +
			`<c r="F1" t="b"><v>1</v></c>` +
			`<c r="G1" t="str"><f>CONCAT("x","y")</f><v>xy</v></c>` +
			`<c r="H1"><f>1+1</f><v>2</v></c>` +
			`<c r="I1" t="e"><f>1/0</f><v>#DIV/0!</v></c>` +
			`<c r="J1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>` +
			`<c r="K1" s="3"/>` + // formatting only
			`<c r="L1"><v>1E+22</v></c>` +
			`</row>`}},
	}.bytes(t)
	g, err := readXLSX(data, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"plain", "Rich text", "a & b", "0.3", "42", "TRUE", "xy", "2", "", "inline", "", "1E+22"}
	if len(g.rows) != 1 || !slices.Equal(g.rows[0].cells, want) {
		t.Errorf("rows %v,\nwant one of %q", g.rows, want)
	}
	if why := g.unread[[2]int{1, 9}]; !strings.Contains(why, `the error "#DIV/0!" (from the formula "=1/0")`) {
		t.Errorf("I1, an error value: %q", why)
	}
}

// TestXLSXRowNumbers: rows are numbered by their r attribute, in any
// order and with gaps, and the messages give those numbers.
func TestXLSXRowNumbers(t *testing.T) {
	data := book{sheets: []bookPart{{name: "S", data: row(3, matrixHeader...) +
		row(9, "Awareness training", "Why security matters", "All staff", "Email", "Fortnightly-ish", "CISO") +
		row(5, "Policy communication", "The policy", "All staff", "Email", "Annually", "CISO") +
		// Cells without r follow the one before.
		`<row r="7"><c t="inlineStr"><is><t>Board report</t></is></c><c t="inlineStr"><is><t>Status</t></is></c></row>` +
		// A row without r has its cells' number.
		`<row><c r="A12" t="inlineStr"><is><t>Supplier review</t></is></c><c r="E12" t="inlineStr"><is><t>Sometime</t></is></c></row>`}}}.bytes(t)
	res := mustRead(t, data, Options{})
	if res.Header != 3 {
		t.Errorf("header row %d, want 3", res.Header)
	}
	var names []string
	for _, a := range res.Plan.Activities {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"Policy communication", "Board report", "Awareness training", "Supplier review"}) {
		t.Errorf("activities %q, want them in the order of their rows", names)
	}
	if !hasProblem(res, 9, 5, "Fortnightly-ish") {
		t.Errorf("the unknown phrase is not located at row 9, column E: %v", res.Problems)
	}
	if !hasProblem(res, 12, 5, "Sometime") {
		t.Errorf("the unknown phrase is not located at row 12, column E: %v", res.Problems)
	}
	if !hasProblem(res, 7, 3) {
		t.Errorf("row 7's empty audience is not located at row 7: %v", res.Problems)
	}
}

// TestXLSXRefused: references past the limits, and sheets that are not
// well formed, are errors that say where.
func TestXLSXRefused(t *testing.T) {
	header := row(1, "Activity", "Timing")
	blank := func(n int) string {
		var b strings.Builder
		for r := 2; r < n+2; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="B%d" t="inlineStr"><is><t> </t></is></c></row>`, r, r)
		}
		return b.String()
	}
	wide := func(n int) string {
		var b strings.Builder
		for r := 2; r < n+2; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="%s%d" t="inlineStr"><is><t>x</t></is></c></row>`, r, colName(MaxColumns), r)
		}
		return b.String()
	}
	merges := func(n int) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<mergeCells count="%d">`, n)
		for i := range n {
			fmt.Fprintf(&b, `<mergeCell ref="A%d:B%d"/>`, 2*i+10, 2*i+10)
		}
		b.WriteString("</mergeCells>")
		return b.String()
	}
	cases := []struct {
		name       string
		data, tail string
		want       error
		says       string
	}{
		{"past MaxColumns", header + `<row r="2"><c r="XFD2" t="inlineStr"><is><t> </t></is></c></row>`, "", ErrTooLarge, `row 2, column XFD: a value past column AMJ`},
		{"past XFD", header + `<row r="2"><c r="XFE2"><v>1</v></c></row>`, "", ErrUnreadable, `a cell named "XFE2"`},
		{"past the last row", header + `<row r="1048577"/>`, "", ErrUnreadable, `a row numbered "1048577"`},
		{"cell of another row", header + `<row r="2"><c r="A3"><v>1</v></c></row>`, "", ErrUnreadable, `the cell A3 is in row 2`},
		{"row twice", header + row(2, "a") + row(2, "b"), "", ErrUnreadable, `row 2 is in the sheet twice`},
		{"cell twice", header + `<row r="2"><c r="A2"><v>1</v></c><c r="A2"><v>2</v></c></row>`, "", ErrUnreadable, `row 2, column A: the cell is in the sheet twice`},
		{"shared string missing", header + `<row r="2"><c r="A2" t="s"><v>7</v></c></row>`, "", ErrUnreadable, `row 2, column A: shared string "7", of 0`},
		{"blank rows", header + blank(MaxSheetRows), "", ErrTooLarge, `more than 20000 rows, blank ones included`},
		{"wide rows", header + wide(MaxCells/MaxColumns+1), "", ErrTooLarge, `more than 128000 cells`},
		{"merged ranges", header, merges(MaxMergedRanges + 1), ErrTooLarge, `more than 1000 merged ranges`},
		{"bad merged range", header, `<mergeCells><mergeCell ref="A1:"/></mergeCells>`, ErrUnreadable, `a merged range "A1:"`},
		{"not XML", header + `<row r="2"><c r="A2"><v>1</c></row>`, "", ErrUnreadable, `line 1: an end tag </c> that closes no element`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := book{sheets: []bookPart{{name: "S", data: c.data, tail: c.tail}}}.bytes(t)
			_, err := readBook(t, data, Options{})
			if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.says) {
				t.Errorf("%v\nwant %v saying %q", err, c.want, c.says)
			}
		})
	}
	// A cell of formatting only past the limit holds nothing to refuse.
	data := book{sheets: []bookPart{{name: "S", data: row(1, "Activity", "Timing") + `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2" t="inlineStr"><is><t>Monthly</t></is></c><c r="XFD2" s="1"/></row>`}}}.bytes(t)
	if res := mustRead(t, data, Options{}); len(res.Plan.Activities) != 1 {
		t.Errorf("%d activities, want 1", len(res.Plan.Activities))
	}
}

// TestXLSXSheetChoice: without a sheet named, the active sheet is read,
// or the first visible one when the active one is hidden; the no-header
// error names the workbook's sheets.
func TestXLSXSheetChoice(t *testing.T) {
	matrix := row(1, "Activity", "Timing") + row(2, "Policy communication", "Annually")
	cover := row(1, "Internal use only")
	cases := []struct {
		name   string
		b      book
		opts   Options
		sheet  string
		errSay string
	}{
		{"hidden first", book{sheets: []bookPart{{name: "Lists", state: "hidden", data: cover}, {name: "Matrix", data: matrix}}}, Options{}, "Matrix", ""},
		{"very hidden first", book{sheets: []bookPart{{name: "Lists", state: "veryHidden", data: cover}, {name: "Matrix", data: matrix}}}, Options{}, "Matrix", ""},
		{"active", book{active: "2", sheets: []bookPart{{name: "Cover", data: cover}, {name: "Old", data: cover}, {name: "Matrix", data: matrix}}}, Options{}, "Matrix", ""},
		{"active hidden", book{active: "0", sheets: []bookPart{{name: "Lists", state: "hidden", data: cover}, {name: "Matrix", data: matrix}}}, Options{}, "Matrix", ""},
		{"named hidden", book{sheets: []bookPart{{name: "Matrix", state: "hidden", data: matrix}, {name: "Cover", data: cover}}}, Options{Sheet: "Matrix"}, "Matrix", ""},
		{"named in other case", book{sheets: []bookPart{{name: "Cover", data: cover}, {name: "Matrix", data: matrix}}}, Options{Sheet: "matrix"}, "Matrix", ""},
		{"no header", book{sheets: []bookPart{{name: "Lists", state: "hidden", data: matrix}, {name: "Cover", data: cover}}}, Options{}, "",
			`none of the first ten rows of sheet "Cover" names two of the matrix's columns (Communication activity, Key message, Target audience, Communication method, Timing, Responsible party) (the workbook's sheets: "Lists" (hidden), "Cover")`},
		{"all hidden", book{sheets: []bookPart{{name: "A", state: "hidden", data: matrix}}}, Options{}, "", `no visible worksheet (it has "A" (hidden))`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := readBook(t, c.b.bytes(t), c.opts)
			if c.errSay != "" {
				if err == nil || !strings.Contains(err.Error(), c.errSay) {
					t.Fatalf("%v\nwant an error saying %s", err, c.errSay)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Sheet != c.sheet || len(res.Plan.Activities) != 1 {
				t.Errorf("read sheet %q (%d activities), want %q", res.Sheet, len(res.Plan.Activities), c.sheet)
			}
		})
	}
}

// TestXLSXUncalculatedFormula: a formula cell saved without its value is
// reported as such, where it is, not as an empty cell; in a column read
// as optional (notes) and in a row of formulas only too.
func TestXLSXUncalculatedFormula(t *testing.T) {
	inline := func(ref, text string) string {
		return `<c r="` + ref + `" t="inlineStr"><is><t>` + text + `</t></is></c>`
	}
	rest := func(n int) string { // columns B to F
		r := fmt.Sprint(n)
		return inline("B"+r, "The policy") + inline("C"+r, "All staff") + inline("D"+r, "Email") + inline("E"+r, "Annually") + inline("F"+r, "CISO")
	}
	data := book{sheets: []bookPart{{name: "S", data: row(1, matrixHeader...) +
		// The name is a formula never calculated.
		`<row r="2"><c r="A2"><f>Lists!A2&amp;" policy"</f></c>` + rest(2) + `</row>` +
		// The notes are a shared formula never calculated.
		`<row r="3">` + inline("A3", "Awareness") + rest(3) + `<c r="G3"><f t="shared" si="0"/></c></row>` +
		// A row of formulas only.
		`<row r="4"><c r="A4" t="str"><f>Lists!A4</f></c><c r="E4"><f>Lists!E4</f></c></row>` +
		// A formula whose value is the empty text.
		`<row r="5"><c r="A5" t="str"><f>""</f><v></v></c>` + rest(5) + `</row>`}}}.bytes(t)
	res := mustRead(t, data, Options{})
	for _, c := range []struct{ row, col int }{{2, 1}, {3, 7}, {4, 1}, {4, 5}} {
		if !hasProblem(res, c.row, c.col, "never calculated") {
			t.Errorf("row %d, column %s: no problem saying the formula was not calculated: %v", c.row, colName(c.col), res.Problems)
		}
	}
	if !hasProblem(res, 2, 1, `"=Lists!A2&\" policy\""`, "read as empty", "the activity has no name") {
		t.Errorf("row 2's name: %v", res.Problems)
	}
	for _, p := range res.Problems {
		if p.Row == 2 && p.Column == 1 && strings.HasPrefix(p.Message, "empty") {
			t.Errorf("reported as empty: %v", p)
		}
	}
	if !strings.Contains(string(res.YAML), "never calculated") {
		t.Errorf("the plan file does not say so:\n%s", res.YAML)
	}
	// A formula whose value is the empty text was calculated.
	if hasProblem(res, 5, 1, "never calculated") {
		t.Errorf("a calculated empty value is reported as not calculated")
	}
}

// TestApplyMergesAboveHeader: a merged range that starts on or above the
// header row does not overwrite the rows below with its title, and is a
// problem; one below the header still applies.
func TestApplyMergesAboveHeader(t *testing.T) {
	data := book{sheets: []bookPart{{name: "S",
		data: row(1, "ISMS communication matrix") + row(2, matrixHeader...) +
			row(3, "Policy communication", "The policy", "All staff", "Email", "Annually", "CISO") +
			row(4, "Awareness training", "Why security matters", "", "Email", "Monthly", "CISO"),
		tail: `<mergeCells count="3"><mergeCell ref="A1:XFD1048576"/><mergeCell ref="C3:C4"/><mergeCell ref="A1:G1"/></mergeCells>`}}}.bytes(t)
	res := mustRead(t, data, Options{})
	var names []string
	for _, a := range res.Plan.Activities {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"Policy communication", "Awareness training"}) {
		t.Errorf("activities %q: the title overwrote them", names)
	}
	if got := res.Plan.Activities[1].Whom; !slices.Equal(got, []string{"all-staff"}) {
		t.Errorf("the merged C3:C4 gives row 4 %v, want [all-staff]", got)
	}
	if !hasProblem(res, 1, 1, "A1:XFD1048576", "header row (2)") {
		t.Errorf("the range over the header is not reported: %v", res.Problems)
	}
	if hasProblem(res, 1, 1, "A1:G1") {
		t.Errorf("a title merged above the header is reported: %v", res.Problems)
	}
}

// TestCSVEncodings: CSV in Windows-1252 (Excel's "CSV" on Windows) keeps
// its letters, as a problem naming the encoding; UTF-16 with a byte order
// mark and UTF-8 with one read as UTF-8 does.
func TestCSVEncodings(t *testing.T) {
	text := "Activity,Key message,Audience,Method,Timing,Owner\nPolicy communication,Die Richtlinie,Alle Mitarbeiter,E-Mail,Jährlich,Jürgen Müller\n"
	utf16 := func(big bool, s string) []byte {
		out := []byte{0xff, 0xfe}
		if big {
			out = []byte{0xfe, 0xff}
		}
		for _, r := range s { // BMP only
			if big {
				out = append(out, byte(r>>8), byte(r))
			} else {
				out = append(out, byte(r), byte(r>>8))
			}
		}
		return out
	}
	cp1252 := bytes.ReplaceAll(bytes.ReplaceAll([]byte(text), []byte("ä"), []byte{0xe4}), []byte("ü"), []byte{0xfc})
	want := mustReadCSV(t, []byte(text))
	for name, data := range map[string][]byte{
		"utf8-bom":    append([]byte("\xef\xbb\xbf"), text...),
		"utf16le-bom": utf16(false, text),
		"utf16be-bom": utf16(true, text),
		"cp1252":      cp1252,
	} {
		t.Run(name, func(t *testing.T) {
			res := mustReadCSV(t, data)
			if got := res.Plan.Roles[0].Name; got != "Jürgen Müller" {
				t.Errorf("owner %q, want Jürgen Müller", got)
			}
			if !bytes.Equal(res.YAML, want.YAML) && name != "cp1252" {
				t.Errorf("the plan differs from UTF-8's:\n%s", res.YAML)
			}
			said := hasProblem(res, 0, 0, "Windows-1252", `"Jährlich"`)
			if said != (name == "cp1252") {
				t.Errorf("a problem naming Windows-1252: %v, want %v: %v", said, name == "cp1252", res.Problems)
			}
		})
	}
	// UTF-8 with a damaged byte stays UTF-8: the byte is removed, and
	// said so, and the rest keeps its letters.
	damaged := strings.Replace(text, "Alle", "Al\xffle", 1)
	res := mustReadCSV(t, []byte(damaged))
	if got := res.Plan.Roles[0].Name; got != "Jürgen Müller" || hasProblem(res, 0, 0, "Windows-1252") {
		t.Errorf("UTF-8 with a stray byte read as Windows-1252: %q %v", got, res.Problems)
	}
	// UTF-16 without a byte order mark is refused, saying what it may be.
	_, err := Read(bytes.NewReader(utf16(false, text)[2:]), "m.csv", Options{Now: testNow})
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("UTF-16 without a mark: %v", err)
	}
}

func mustReadCSV(t *testing.T, data []byte) *Result {
	t.Helper()
	res, err := Read(bytes.NewReader(data), "m.csv", Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestReadDirectory: the error for a file that cannot be read names it
// once.
func TestReadDirectory(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Read(f, dir, Options{Now: testNow})
	if err == nil || strings.Count(err.Error(), dir) != 1 || !strings.HasPrefix(err.Error(), "sheet: ") {
		t.Errorf("%v: want the directory named once", err)
	}
}

// TestXLSXDates: a number in a date or time format reads as the ISO 8601
// date (and time) a spreadsheet shows, not as its serial number; in the
// 1904 date system too; other formats keep the number.
func TestXLSXDates(t *testing.T) {
	styles := `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\ hh:mm"/><numFmt numFmtId="165" formatCode="&quot;day&quot;\ 0.00"/><numFmt numFmtId="166" formatCode="[Red][&lt;0]0;0"/></numFmts>` +
		`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
		`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="20"/></cellXfs></styleSheet>`
	sheet := `<row r="1"><c r="A1" s="1"><v>46037</v></c><c r="B1" s="2"><v>46037.5</v></c><c r="C1" s="3"><v>46037</v></c>` +
		`<c r="D1" s="4"><v>46037</v></c><c r="E1" s="5"><v>0.375</v></c><c r="F1"><v>46037</v></c><c r="G1" s="1"><v>60</v></c><c r="H1" s="1"><v>59</v></c><c r="I1" s="9"><v>1</v></c></row>`
	for _, c := range []struct {
		name string
		pr   string
		want []string
	}{
		{"1900", "", []string{"2026-01-15", "2026-01-15 12:00", "46037", "46037", "09:00:00", "46037", "60", "1900-02-28", "1"}},
		{"1904", `<workbookPr date1904="1"/>`, []string{"2030-01-16", "2030-01-16 12:00", "46037", "46037", "1904-01-01 09:00", "46037", "1904-03-01", "1904-02-29", "1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := book{styles: styles, pr: c.pr, sheets: []bookPart{{name: "S", data: sheet}}}
			g, err := readXLSX(b.bytes(t), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(g.rows) != 1 || !slices.Equal(g.rows[0].cells, c.want) {
				t.Errorf("rows %v,\nwant %q", g.rows, c.want)
			}
		})
	}
}

// TestXLSXErrorValues: a cell holding an error value (t="e": a lookup
// that failed, a reference to a deleted cell) is a problem of its cell,
// saying which error and from which formula, and no value of the plan
// (the review's err2.xlsx: an owner "#REF!" and a message "#N/A" were
// read as text, exit 0).
func TestXLSXErrorValues(t *testing.T) {
	data := book{sheets: []bookPart{{name: "S", data: row(1, matrixHeader...) +
		`<row r="2">` +
		`<c r="A2" t="inlineStr"><is><t>Policy communication</t></is></c>` +
		`<c r="B2" t="e"><f>VLOOKUP(A2,Msgs!A:B,2,0)</f><v>#N/A</v></c>` +
		`<c r="C2" t="inlineStr"><is><t>All staff</t></is></c>` +
		`<c r="D2" t="inlineStr"><is><t>Email</t></is></c>` +
		`<c r="E2" t="inlineStr"><is><t>Monthly</t></is></c>` +
		`<c r="F2" t="e"><f>Owners!B7</f><v>#REF!</v></c>` +
		`<c r="G2" t="e"><v>#VALUE!</v></c>` + // typed, no formula
		`</row>`}}}.bytes(t)
	res := mustRead(t, data, Options{})
	for _, c := range []struct {
		col   int
		parts []string
	}{
		{2, []string{`the error "#N/A" (from the formula "=VLOOKUP(A2,Msgs!A:B,2,0)")`, "the activity has no key message"}},
		{6, []string{`the error "#REF!" (from the formula "=Owners!B7")`, "the activity has no owner"}},
		{7, []string{`the error "#VALUE!", not a value`}},
	} {
		if !hasProblem(res, 2, c.col, c.parts...) {
			t.Errorf("column %s: no problem saying %q: %v", colName(c.col), c.parts, res.Problems)
		}
	}
	if len(res.Plan.Roles) != 0 || res.Plan.Activities[0].What.Message != "" || res.Plan.Activities[0].Notes != "" {
		t.Errorf("an error value made a plan value: roles %v, activity %+v", res.Plan.Roles, res.Plan.Activities[0])
	}
	if res.Complete() {
		t.Error("a sheet of error values is complete")
	}
}

// TestCSVErrorValues: in CSV, which Excel exports an error value to as
// its text, a cell that is one of the error values is a problem of its
// cell too, and no value; text that only starts with one, or another
// "#" word, is text.
func TestCSVErrorValues(t *testing.T) {
	data := "Activity,Key message,Audience,Method,Timing,Owner,Notes\n" +
		"Policy communication,#N/A,All staff,Email,Monthly, #REF! ,#DIV/0!\n" +
		"Awareness training,#N/A for now,#staff,Email,Monthly,CISO,#name?\n"
	res := mustReadCSV(t, []byte(data))
	for _, c := range []struct {
		row, col int
		value    string
	}{{2, 2, "#N/A"}, {2, 6, "#REF!"}, {2, 7, "#DIV/0!"}, {3, 7, "#name?"}} {
		if !hasProblem(res, c.row, c.col, strconv.Quote(c.value), "formula fails") {
			t.Errorf("row %d, column %s: no problem about %s: %v", c.row, colName(c.col), c.value, res.Problems)
		}
	}
	a := res.Plan.Activities
	if len(a) != 2 || a[0].What.Message != "" || a[0].Owner != "" || a[0].Notes != "" || a[1].Notes != "" {
		t.Errorf("an error value made a plan value: %+v", a)
	}
	if a[1].What.Message != "#N/A for now" || len(a[1].Whom) != 1 {
		t.Errorf("text that is no error value was changed: %+v", a[1])
	}
	if strings.Contains(string(res.YAML), "name: '#REF!'") {
		t.Errorf("a role named #REF!:\n%s", res.YAML)
	}
}

// TestXLSXHidden: an activity of a hidden row is read and noted (a
// hidden row is often a retired or draft activity), and a matrix column
// the workbook hides is a problem to review; a hidden column outside the
// matrix, or a visible row, is neither.
func TestXLSXHidden(t *testing.T) {
	data := book{sheets: []bookPart{{name: "S",
		head: `<cols><col min="1" max="1" width="30"/><col min="6" max="6" hidden="1"/><col min="9" max="12" hidden="true"/></cols>`,
		data: row(1, matrixHeader...) +
			row(2, "Policy communication", "The policy", "All staff", "Email", "Monthly", "CISO") +
			strings.Replace(row(3, "Old awareness", "Retired", "All staff", "Email", "Monthly", "CISO"), `<row r="3">`, `<row r="3" hidden="1">`, 1)}}}.bytes(t)
	res := mustRead(t, data, Options{})
	hidden := func(row int) bool {
		return slices.ContainsFunc(res.Inferences, func(i Inference) bool {
			return i.Row == row && strings.Contains(i.Why, "the row is hidden")
		})
	}
	if !hidden(3) || hidden(2) {
		t.Errorf("hidden row 3 noted: %v, visible row 2 noted: %v: %v", hidden(3), hidden(2), res.Inferences)
	}
	if !strings.Contains(string(res.YAML), "the row is hidden") {
		t.Errorf("the plan file does not say row 3 is hidden:\n%s", res.YAML)
	}
	if len(res.Plan.Activities) != 2 {
		t.Errorf("%d activities, want 2", len(res.Plan.Activities))
	}
	if !hasProblem(res, 1, 6, "column F", "is hidden") {
		t.Errorf("no problem for the hidden Owner column: %v", res.Problems)
	}
	for _, p := range res.Problems {
		if strings.Contains(p.Message, "is hidden") && p.Column != 6 {
			t.Errorf("a problem for a column not hidden or outside the matrix: %v", p)
		}
	}
}

// TestXLSXDepth: a part whose elements nest deeper than MaxDepth is
// refused where it does, in the sheet and in the shared strings; one as
// deep as MaxDepth is read.
func TestXLSXDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	header := row(1, matrixHeader...) + row(2, "Policy communication", "The policy", "All staff", "Email", "Monthly", "CISO")
	// The worksheet element is one deep.
	if _, err := readXLSX(book{sheets: []bookPart{{name: "S", data: header, tail: nest(MaxDepth - 1)}}}.bytes(t), ""); err != nil {
		t.Errorf("%d deep: %v", MaxDepth, err)
	}
	for name, b := range map[string]book{
		"sheet":   {sheets: []bookPart{{name: "S", data: header, tail: nest(MaxDepth)}}},
		"strings": {strings: []string{nest(MaxDepth)}, sheets: []bookPart{{name: "S", data: header}}},
	} {
		_, err := readXLSX(b.bytes(t), "")
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("nests more than %d elements deep", MaxDepth)) || !strings.Contains(err.Error(), "line 1, column ") {
			t.Errorf("%s, %d deep: %v", name, MaxDepth+1, err)
		}
	}
}

// TestXLSXRichStrings: shared strings in rich text runs, the XLSX text
// with the most tokens a packed byte, are not refused by MaxTokenRatio.
func TestXLSXRichStrings(t *testing.T) {
	words := []string{"policy", "staff", "email", "monthly", "CISO", "board", "awareness", "incident", "report", "training"}
	items := make([]string, 5000)
	for i := range items {
		var b strings.Builder
		for k := 0; k < 3; k++ {
			fmt.Fprintf(&b, `<r><rPr><b/><sz val="11"/><color theme="1"/><rFont val="Calibri"/><family val="2"/><scheme val="minor"/></rPr><t xml:space="preserve">%s </t></r>`, words[(i*7+k*3)%len(words)])
		}
		items[i] = b.String()
	}
	data := book{strings: items, sheets: []bookPart{{name: "S", data: row(1, matrixHeader...) + `<row r="2"><c r="A2" t="s"><v>4999</v></c></row>`}}}.bytes(t)
	if _, err := readXLSX(data, ""); err != nil {
		t.Fatal(err)
	}
}
