package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// maxAllocPerByte bounds the bytes Read may allocate per byte of its
// input. A workbook unpacks to about ten times its size, and decoding
// its XML allocates a few bytes per byte.
const maxAllocPerByte = 200

// allocated returns the bytes Read allocates reading data, and its error.
func allocated(t *testing.T, data []byte) (uint64, error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(data), "cost.xlsx", Options{Now: testNow})
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

// padded is the review's workbook: a header, then rows whose one cell,
// a space, is at column col, so that each row is blank.
func padded(t *testing.T, rows int, col string) []byte {
	var b strings.Builder
	b.WriteString(row(1, "Activity", "Timing"))
	for r := 2; r < rows+2; r++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="%s%d" t="inlineStr"><is><t> </t></is></c></row>`, r, col, r)
	}
	return book{sheets: []bookPart{{name: "S", data: b.String()}}}.bytes(t)
}

// TestCostPadding: rows of one blank cell far to the right cost what
// their bytes do, however many there are: past MaxColumns (XFD) they are
// refused at the first, and at MaxColumns (AMJ) they are read and
// skipped, never padded out to their column.
func TestCostPadding(t *testing.T) {
	perByte := map[string]float64{}
	for _, c := range []struct {
		col  string
		want error
	}{{"XFD", ErrTooLarge}, {colName(MaxColumns), nil}} {
		for _, rows := range []int{1000, 4000} {
			data := padded(t, rows, c.col)
			n, err := allocated(t, data)
			if !errors.Is(err, c.want) {
				t.Fatalf("%d rows at %s: %v, want %v", rows, c.col, err, c.want)
			}
			per := float64(n) / float64(len(data))
			perByte[fmt.Sprint(c.col, rows)] = per
			t.Logf("%d rows at column %s: %d bytes in, %d allocated, %.1f per byte", rows, c.col, len(data), n, per)
			if per > maxAllocPerByte {
				t.Errorf("%d rows at column %s: %.0f bytes allocated per input byte, more than %d", rows, c.col, per, maxAllocPerByte)
			}
		}
	}
	// Linear: four times the rows cost no more per byte (with room for
	// what does not grow with the input).
	if a, b := perByte["AMJ1000"], perByte["AMJ4000"]; b > 1.5*a {
		t.Errorf("%.1f bytes allocated per byte at 4,000 rows, %.1f at 1,000: not linear", b, a)
	}
}

// TestCostSharedStringsBomb: the review's 60 MB sharedStrings.xml packed
// into about 150 KB is refused before it is unpacked, and so is one that
// unpacks to less than MaxUnpackedSize but more than MaxUnpackRatio
// times its size.
func TestCostSharedStringsBomb(t *testing.T) {
	for _, size := range []int{60 << 20, MaxUnpackedSize / 2} {
		data := bomb(t, size)
		n, err := allocated(t, data)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%d bytes of shared strings: %v, want %v", size, err, ErrTooLarge)
		}
		per := float64(n) / float64(len(data))
		t.Logf("%d bytes of shared strings in %d: %d allocated, %.1f per byte: %v", size, len(data), n, per, err)
		// Refused from the ZIP directory: a few bytes per input byte
		// (Read copies its input), far less than the part unpacks to.
		if n > uint64(size)/20 {
			t.Errorf("%d bytes of shared strings: %d bytes allocated (%.1f per input byte): unpacked before it was refused", size, n, per)
		}
	}
}

// bomb is a workbook whose sharedStrings.xml of size bytes holds the
// string "a" over and over.
func bomb(t *testing.T, size int) []byte {
	t.Helper()
	data := book{strings: []string{"<t>a</t>"}, sheets: []bookPart{{name: "S", data: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`}}}.bytes(t)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != "xl/sharedStrings.xml" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		item := []byte("<si><t>a</t></si>")
		io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		chunk := bytes.Repeat(item, 64<<10/len(item))
		for n := 0; n < size; n += len(chunk) {
			w.Write(chunk)
		}
		io.WriteString(w, `</sst>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCostReference: an ordinary workbook of MaxRows rows costs what its
// bytes do too, to read into rows. (Making the plan of them costs more:
// its YAML is written and decoded again.)
func TestCostReference(t *testing.T) {
	var b strings.Builder
	b.WriteString(row(1, matrixHeader...))
	for r := 2; r <= MaxRows; r++ {
		b.WriteString(row(r, fmt.Sprintf("Activity %d", r), "The policy", "All staff", "Email", "Monthly", "CISO", "A note"))
	}
	data := book{sheets: []bookPart{{name: "S", data: b.String()}}}.bytes(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g, err := readXLSX(data, "")
	runtime.ReadMemStats(&after)
	if err != nil || len(g.rows) != MaxRows {
		t.Fatalf("%v, %d rows", err, len(g.rows))
	}
	n := after.TotalAlloc - before.TotalAlloc
	per := float64(n) / float64(len(data))
	t.Logf("%d rows: %d bytes in, %d allocated, %.1f per byte", MaxRows, len(data), n, per)
	if per > maxAllocPerByte {
		t.Errorf("%.0f bytes allocated per input byte, more than %d", per, maxAllocPerByte)
	}
}

// sharedRefs is the review's s0.xlsx: a matrix in columns A to F, and in
// each of its rows cols-6 cells past them, under no heading, that show
// one shared string of size bytes.
func sharedRefs(t *testing.T, rows, cols, size int) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(row(1, matrixHeader[:6]...))
	for r := 2; r <= rows; r++ {
		b.WriteString(strings.TrimSuffix(row(r, fmt.Sprintf("Activity %d", r), "The policy", "All staff", "Email", "Monthly", "CISO"), "</row>"))
		for j := 6; j < cols; j++ {
			b.WriteString(`<c t="s"><v>0</v></c>`)
		}
		b.WriteString("</row>")
	}
	return book{strings: []string{"<t>" + strings.Repeat("x ", size/2) + "</t>"}, sheets: []bookPart{{name: "S", data: b.String()}}}.bytes(t)
}

// TestCostSharedStringRefs: a shared string is stored once but may be
// shown in every cell; the cells' text is charged at each, and refused at
// the cell where it passes sheetText of the input (the review's 58 KB
// workbook of 8,000-byte references cost 26 s and 0.9 GB of cleaning).
func TestCostSharedStringRefs(t *testing.T) {
	data := sharedRefs(t, MaxRows, 64, 8000)
	n, err := allocated(t, data)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "column ") || !strings.Contains(err.Error(), "shared string counted at each cell") {
		t.Fatalf("%d bytes: %v, want %v at a cell", len(data), err, ErrTooLarge)
	}
	per := float64(n) / float64(len(data))
	t.Logf("%d bytes in, %d allocated, %.1f per byte: %v", len(data), n, per, err)
	if per > maxAllocPerByte {
		t.Errorf("%.0f bytes allocated per input byte, more than %d", per, maxAllocPerByte)
	}
	// Under the bound, the same sheet of short references is read.
	if _, err := readXLSX(sharedRefs(t, MaxRows, 64, 10), ""); err != nil {
		t.Errorf("10-byte references: %v", err)
	}
}

// TestCostStrayCells: past the first maxStrayCells, a cell outside the
// matrix's columns is only counted, not cleaned, and the first are
// cleaned on their start only: a grid of 116,000 such cells of 8,000
// bytes each (one string, as shared strings give) costs what its rows
// do, not a pass over 0.9 GB of text.
func TestCostStrayCells(t *testing.T) {
	long := strings.Repeat("line\r\n", 8000/6) // clean rewrites each
	sheet := func(strays int) *grid {
		g := &grid{sheet: "S", rows: []gridRow{{n: 1, cells: matrixHeader[:6]}}}
		for r := 2; r <= MaxRows; r++ {
			cells := []string{fmt.Sprintf("Activity %d", r), "The policy", "All staff", "Email", "Monthly", "CISO"}
			for range strays {
				cells = append(cells, long)
			}
			g.rows = append(g.rows, gridRow{n: r, cells: cells})
		}
		return g
	}
	cost := func(g *grid) (uint64, *Result) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := build(g, "cost.xlsx", Options{Now: testNow})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		return after.TotalAlloc - before.TotalAlloc, res
	}
	plain, _ := cost(sheet(0))
	n, res := cost(sheet(58))
	t.Logf("%d stray cells of %d bytes: %d bytes allocated, %d without them", (MaxRows-1)*58, len(long), n, plain)
	// Cleaning each stray cell would cost 0.9 GB more.
	if n > plain+16<<20 {
		t.Errorf("%d bytes allocated, %d without the stray cells: they were cleaned", n, plain)
	}
	// The first maxStrayCells are reported a cell each (rows 2 and 3),
	// the others a column each.
	if !hasProblem(res, 2, 7, `"line line line`) || !hasProblem(res, 4, 7, "more cells outside the matrix's columns in column G (rows 4 to 2000)") {
		t.Errorf("the stray cells are not reported: %v", res.Problems[:min(3, len(res.Problems))])
	}
}

// tokens is a workbook whose sheet holds, after its data, n elements
// nested (deep) or one after the other, and pad bytes of incompressible
// text in a comment, so that the part packs to more than a
// MaxUnpackRatio-th of its size.
func tokens(t *testing.T, n, pad int, deep bool) []byte {
	t.Helper()
	tail := strings.Repeat("<a/>", n)
	if deep {
		tail = strings.Repeat("<a>", n) + strings.Repeat("</a>", n)
	}
	noise := make([]byte, pad)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	head := "<!--" + base64.StdEncoding.EncodeToString(noise) + "-->"
	data := row(1, matrixHeader...) + row(2, "Policy communication", "The policy", "All staff", "Email", "Monthly", "CISO")
	return book{sheets: []bookPart{{name: "S", head: head, data: data, tail: tail}}}.bytes(t)
}

// TestCostXMLTokens: XML that is well formed and within the size limits
// costs at most MaxTokenRatio tokens for each byte it packs to: the
// review's deep.xlsx (2.3 million nested elements: 1,400 times its size
// in memory, 14 s) is refused at MaxDepth, and as many elements one after
// the other (4.5 s) once they pass MaxTokenRatio a packed byte.
func TestCostXMLTokens(t *testing.T) {
	for _, c := range []struct {
		name string
		deep bool
		want string
	}{{"deep", true, "nests more than"}, {"flat", false, "XML tags and texts"}} {
		data := tokens(t, 2_000_000, 150_000, c.deep)
		n, err := allocated(t, data)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: %v, want %v saying %q", c.name, err, ErrTooLarge, c.want)
		}
		per := float64(n) / float64(len(data))
		t.Logf("%s: %d bytes in, %d allocated, %.1f per byte: %v", c.name, len(data), n, per, err)
		// encoding/xml's RawToken allocates about 50 bytes a token, all
		// garbage: at most MaxTokenRatio of them for each byte.
		if most := MaxTokenRatio * 64; per > float64(most) {
			t.Errorf("%s: %.0f bytes allocated per input byte, more than %d", c.name, per, most)
		}
	}
}
