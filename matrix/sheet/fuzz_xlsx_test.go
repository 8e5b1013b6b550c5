package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// FuzzReadXLSX: no workbook makes Read panic, hang, return an error that
// is not one of bad input, or write a plan that does not decode; the rows
// it reads are in order, distinct, non-blank and within MaxColumns. Each
// input is read twice: the bytes raw as a file (ZIP-level hostility), and
// a package whose workbook, sheet, shared strings and styles parts are
// the other four inputs, stored, not compressed (so that the mutations reach the
// XML). The seeds are small valid and hostile workbooks; what the fuzzer
// finds is kept under testdata/fuzz/FuzzReadXLSX.
func FuzzReadXLSX(f *testing.F) {
	ref := referenceBook(f)
	header := row(1, matrixHeader...)
	seeds := []book{
		ref,
		{sheets: []bookPart{{name: "S", data: header + row(2, "Policy communication", "The policy", "All staff", "Email", "Annually on 15 January", "CISO")}}},
		{strings: []string{`<t>Activity</t>`, `<r><t>Tim</t></r><r><t>ing</t></r><rPh><t>x</t></rPh>`, `<t>Monthly</t>`},
			sheets: []bookPart{{name: "S", data: `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row><row r="1"><c r="B1" t="s"><v>2</v></c></row>`}}},
		{active: "1", sheets: []bookPart{{name: "Lists", state: "hidden", data: header}, {name: "Matrix", data: header + row(3, "a", "b")}}},
		{sheets: []bookPart{{name: "S", data: row(1, "Title") + header + row(3, "x", "", "", "", "Monthly"),
			tail: `<mergeCells count="2"><mergeCell ref="A1:XFD1048576"/><mergeCell ref="B3:B9"/></mergeCells>`}}},
		{sheets: []bookPart{{name: "S", data: header + `<row r="2"><c r="A2"><f>B2&amp;C2</f></c><c r="B2" t="str"><f>X</f><v>y</v></c><c r="C2" t="b"><v>1</v></c><c r="D2"><v>1e308</v></c><c r="E2" t="e"><v>#N/A</v></c></row>`}}},
		{sheets: []bookPart{{name: "S", data: header + `<row r="2"><c r="XFD2" t="inlineStr"><is><t> </t></is></c></row>`}}},
		{sheets: []bookPart{{name: "S", data: header + row(2, "a") + row(2, "b") + `<row r="1048577"/>`}}},
		{pr: `<workbookPr date1904="1"/>`, styles: `<styleSheet><numFmts><numFmt numFmtId="164" formatCode="[$-409]d\-mmm;&quot;x&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>`,
			sheets: []bookPart{{name: "S", data: header + `<row r="2"><c r="A2" s="1"><v>46037.25</v></c><c r="B2" s="2"><v>60</v></c><c r="C2" s="2"><v>-1</v></c></row>`}}},
		// Nesting past MaxDepth, hidden rows and columns, one shared
		// string shown in many cells.
		{sheets: []bookPart{{name: "S", data: header, tail: strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth)}}},
		{sheets: []bookPart{{name: "S", head: `<cols><col min="2" max="3" hidden="1"/></cols>`,
			data: header + strings.Replace(row(2, "a", "b", "c"), "<row ", `<row hidden="1" `, 1)}}},
		{strings: []string{"<t>" + strings.Repeat("x ", 100) + "</t>"},
			sheets: []bookPart{{name: "S", data: header + `<row r="2">` + strings.Repeat(`<c t="s"><v>0</v></c>`, 20) + `</row>`}}},
	}
	for _, b := range seeds {
		raw := b.bytes(f)
		stored := b
		stored.method = zip.Store
		parts := partsOf(f, stored.bytes(f))
		f.Add(raw, parts["xl/workbook.xml"], parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"], parts["xl/styles.xml"])
	}
	f.Fuzz(func(t *testing.T, raw, workbook, sheet, sst, styles []byte) {
		checkXLSX(t, raw)
		b := book{sheets: []bookPart{{name: "S"}}, method: zip.Store, extra: map[string]string{
			"xl/workbook.xml":          string(workbook),
			"xl/worksheets/sheet1.xml": string(sheet),
		}}
		if len(sst) > 0 {
			b.strings = []string{}
			b.extra["xl/sharedStrings.xml"] = string(sst)
		}
		b.styles = string(styles)
		checkXLSX(t, b.bytes(t))
	})
}

// checkXLSX reads data as a workbook, and checks what came of it.
func checkXLSX(t *testing.T, data []byte) {
	t.Helper()
	if len(data) > MaxInputSize {
		return
	}
	if g, err := readGrid(data, "fuzz.xlsx", ""); err == nil {
		for i, r := range g.rows {
			switch {
			case i > 0 && r.n <= g.rows[i-1].n:
				t.Fatalf("row %d after row %d", r.n, g.rows[i-1].n)
			case len(r.cells) > MaxColumns || blank(r.cells):
				t.Fatalf("row %d: %d cells, blank %v", r.n, len(r.cells), blank(r.cells))
			}
		}
	} else if !knownErr(err) {
		t.Fatalf("readGrid: an error that is not one of bad input: %v", err)
	}
	res, err := Read(bytes.NewReader(data), "fuzz.xlsx", Options{Now: testNow})
	if err != nil {
		if !knownErr(err) {
			t.Fatalf("an error that is not one of bad input: %v", err)
		}
		return
	}
	p, err := comms.DecodePlan(bytes.NewReader(res.YAML))
	if err != nil {
		t.Fatalf("the plan written does not decode: %v\n%s", err, res.YAML)
	}
	if len(p.Activities) != len(res.Plan.Activities) {
		t.Fatalf("%d activities written, %d returned", len(p.Activities), len(res.Plan.Activities))
	}
}

func knownErr(err error) bool {
	for _, e := range []error{ErrTooLarge, ErrUnreadable, ErrNoHeader, ErrSheetNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// partsOf returns a package's parts by name.
func partsOf(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		out[f.Name] = buf.Bytes()
	}
	return out
}

// referenceBook is the reference's matrix (testdata/reference.csv) as a
// workbook of inline strings.
func referenceBook(t testing.TB) book {
	t.Helper()
	data, err := os.ReadFile("testdata/reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, r := range rows {
		for j := range r {
			r[j] = xmlText(r[j])
		}
		b.WriteString(row(i+1, r...))
	}
	return book{sheets: []bookPart{{name: "Matrix", data: b.String()}}}
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}
