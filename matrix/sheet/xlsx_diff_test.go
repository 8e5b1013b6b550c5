package sheet

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The XLSX reader is our own (excelize pads every row to its last column
// and loads whole sheets, which made a few-KB workbook cost gigabytes),
// so it is checked against excelize, the well-kept library, on what
// excelize writes: random workbooks of shared and inline strings, rich
// text, numbers, booleans, dates, blank cells and rows, in several sheets.
// Every cell must read as excelize's GetRows shows it.
func TestXLSXMatchesExcelize(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	alphabet := []string{"a", "Z", " ", "é", "ß", "中", "😀", ",", "\"", "'", "<", "&", "]]>", "\t", "\n", "=", "-", "1", "0"}
	text := func() string {
		var b strings.Builder
		for n := 1 + rng.IntN(12); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return strings.TrimSpace(b.String()) + "x" // excelize trims nothing; keep a visible end
	}
	compared, dates := 0, 0
	for round := range 80 {
		f := excelize.NewFile()
		dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // m/d/yy: a date
		if err != nil {
			t.Fatal(err)
		}
		sheets := []string{"Sheet1"}
		for i := range rng.IntN(3) {
			name := fmt.Sprintf("S%d", i+2)
			if _, err := f.NewSheet(name); err != nil {
				t.Fatal(err)
			}
			sheets = append(sheets, name)
		}
		target := sheets[rng.IntN(len(sheets))]
		f.SetActiveSheet(must(f.GetSheetIndex(target)))
		for _, sh := range sheets {
			for r := 1; r <= 1+rng.IntN(25); r++ {
				if rng.IntN(6) == 0 {
					continue // a blank row
				}
				for c := 1; c <= 1+rng.IntN(9); c++ {
					cell, _ := excelize.CoordinatesToCellName(c, r)
					switch rng.IntN(8) {
					case 0: // blank
					case 1:
						check(t, f.SetCellInt(sh, cell, int64(rng.IntN(2_000_000)-1_000_000)))
					case 2:
						check(t, f.SetCellFloat(sh, cell, float64(rng.IntN(100_000))/float64(1+rng.IntN(1000)), -1, 64))
					case 3:
						check(t, f.SetCellBool(sh, cell, rng.IntN(2) == 0))
					case 4:
						d := time.Date(1990+rng.IntN(60), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
						check(t, f.SetCellValue(sh, cell, d))
						check(t, f.SetCellStyle(sh, cell, cell, dateStyle))
					case 5:
						check(t, f.SetCellRichText(sh, cell, []excelize.RichTextRun{{Text: text()}, {Text: text(), Font: &excelize.Font{Bold: true}}}))
					default:
						check(t, f.SetCellStr(sh, cell, text()))
					}
				}
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		want, err := f.GetRows(target)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		g, err := readXLSX(buf.Bytes(), "")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if g.sheet != target {
			t.Errorf("round %d: read sheet %q, want the active sheet %q", round, g.sheet, target)
		}
		got := map[int][]string{}
		for _, row := range g.rows {
			got[row.n] = row.cells
		}
		for i, cells := range want {
			n := i + 1
			for c, v := range cells {
				var have string
				if c < len(got[n]) {
					have = got[n][c]
				}
				if v != "" {
					compared++
				}
				if have != v && sameDate(have, v) {
					dates++
				} else if have != v {
					cell, _ := excelize.CoordinatesToCellName(c+1, n)
					t.Errorf("round %d, sheet %s, %s: read %q, excelize shows %q", round, target, cell, have, v)
				}
			}
			for c := len(cells); c < len(got[n]); c++ {
				if got[n][c] != "" {
					t.Errorf("round %d, sheet %s, row %d, column %d: read %q where excelize shows nothing", round, target, n, c+1, got[n][c])
				}
			}
		}
		for n, cells := range got {
			if n > len(want) && strings.Join(cells, "") != "" {
				t.Errorf("round %d, sheet %s: row %d read %q where excelize shows none", round, target, n, cells)
			}
		}
	}
	if compared < 600 || dates < 40 {
		t.Errorf("compared %d cells, %d of them dates: the generator makes too few to test", compared, dates)
	}
}

// sameDate: our reader writes a date cell as its ISO 8601 date, where
// excelize applies the cell's format (m/d/yy, "01-02-06"); the day must
// be the same.
func sameDate(iso, formatted string) bool {
	d, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return false
	}
	return d.Format("01-02-06") == formatted
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
