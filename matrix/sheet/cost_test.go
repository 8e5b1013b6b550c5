package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
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
