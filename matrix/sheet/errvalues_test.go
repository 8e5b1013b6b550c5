package sheet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An Excel error value that reaches the file as text - an XLSX string
// cell (pasted from another sheet), or an item of a list cell - is a
// problem of its cell and no value, as a cell of type error is: never a
// role named "#REF!", and never split into "#N" and "A".
func TestErrorValuesAsText(t *testing.T) {
	rows := [][]string{
		{"Activity", "Key message", "Audience", "Method", "Timing", "Owner"},
		{"Policy communication", "The policy", "All staff, #N/A", "Email", "Monthly", "#REF!"},
		{"Awareness", "#n/a for now", "All staff;#DIV/0! ", "Email", "Monthly", "CISO"},
	}
	for _, in := range []struct {
		name string
		data []byte
	}{
		{"m.xlsx", bookOf(t, rows)},
		{"m.csv", csvOf(rows)},
	} {
		g, err := readGrid(in.data, in.name, "")
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		want := map[[2]int]string{{2, 3}: `"#N/A"`, {2, 6}: `"#REF!"`, {3, 3}: `"#DIV/0!"`}
		for at, v := range want {
			if why := g.unread[at]; !strings.Contains(why, v) {
				t.Errorf("%s: row %d, column %d: noted %q, want the error value %s", in.name, at[0], at[1], why, v)
			}
		}
		if why, ok := g.unread[[2]int{3, 2}]; ok {
			t.Errorf("%s: text that only starts with an error value was left out: %s", in.name, why)
		}
		for _, row := range g.rows {
			for j, c := range row.cells {
				if _, ok := want[[2]int{row.n, j + 1}]; ok && c != "" {
					t.Errorf("%s: row %d, column %d kept %q", in.name, row.n, j+1, c)
				}
			}
		}
	}
}

func csvOf(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		for j, c := range r {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// bookOf is a workbook of rows on Sheet1, every cell a shared string.
func bookOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			check(t, f.SetCellStr("Sheet1", cell, v))
		}
	}
	var buf bytes.Buffer
	check(t, f.Write(&buf))
	return buf.Bytes()
}
