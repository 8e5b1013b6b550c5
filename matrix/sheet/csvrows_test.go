package sheet_test

import (
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/matrix/sheet"
)

// Row numbers are the spreadsheet's: empty lines, which encoding/csv
// skips, are rows, and a cell of several lines is one row; the header
// row too is numbered so. (Excel shows this file as: 1 title, 2 blank,
// 3 header, 4 blank, 5 the two-line cell, 6 and 7 blank, 8 Second.)
func TestCSVRowNumbers(t *testing.T) {
	data := "Matrix; v2\n\nActivity;Key message;Audience;Method;Timing;Owner\n\n" +
		"Policy talk;\"The policy\non two lines\";All staff;Email;Zorbly;CISO\n\n\r\n" +
		"Second;Msg;All staff;Email;Whenever-ish;CISO\n"
	res := read(t, []byte(data), "rows.csv", sheet.Options{})
	if res.Header != 3 {
		t.Errorf("header row %d, want 3", res.Header)
	}
	var rows []int
	for _, p := range res.Problems {
		if strings.Contains(p.Message, "is not a timing phrase") {
			rows = append(rows, p.Row)
		}
	}
	if len(rows) != 2 || rows[0] != 5 || rows[1] != 8 {
		t.Errorf("the unknown timings are on rows %v, want [5 8]", rows)
	}
}
