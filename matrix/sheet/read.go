package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ismscomms/ismscomms/internal/csvlimit"
)

// Limits of what Read reads. Larger input is refused with [ErrTooLarge]
// before it is parsed.
const (
	// MaxInputSize is the largest input, CSV or XLSX: 8 MiB, far more
	// than a matrix of a thousand rows takes.
	MaxInputSize = 8 << 20
	// MaxUnpackedSize bounds the bytes an XLSX file's parts unpack to,
	// all together (a zip bomb is refused before it is unpacked).
	MaxUnpackedSize = 64 << 20
	// MaxParts bounds the parts (files) of an XLSX package.
	MaxParts = 2000
	// MaxMergedRanges bounds the merged ranges of an XLSX workbook.
	MaxMergedRanges = 1000
	// MaxRows is the most non-empty rows a sheet may have, the header
	// included.
	MaxRows = 2000
	// MaxColumns is the most columns a row may have.
	MaxColumns = 1024
	// MaxCellSize is the longest cell read, in bytes; a longer one is a
	// problem and left out.
	MaxCellSize = 8 << 10
)

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

// grid is a sheet's non-empty rows, each with its number (from 1).
type grid struct {
	sheet string
	rows  []gridRow
	// merged are the XLSX sheet's merged ranges, as 1-based inclusive
	// coordinates.
	merged []mergedRange
}

type gridRow struct {
	n     int
	cells []string
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
		return readXLSX(data, sheet)
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, fmt.Errorf("the name says XLSX but the content is not a workbook (a ZIP package): %w", ErrUnreadable)
	case ext == ".xls":
		return nil, fmt.Errorf("a legacy .xls file, which cannot be read: save it as .xlsx or CSV: %w", ErrUnreadable)
	}
	if sheet != "" {
		return nil, fmt.Errorf("sheet %q: a CSV file has no sheets: %w", sheet, ErrSheetNotFound)
	}
	return readCSV(data, name)
}

// readCSV reads CSV: a UTF-8 byte order mark skipped, the delimiter a
// comma, or a semicolon or tab when the first line holds one and no comma.
func readCSV(data []byte, name string) (*grid, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("it holds NUL bytes, so it is neither CSV text nor a workbook: %w", ErrUnreadable)
	}
	comma := byte(',')
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.IndexByte(first, ',') < 0 {
		if bytes.IndexByte(first, ';') >= 0 {
			comma = ';'
		} else if bytes.IndexByte(first, '\t') >= 0 {
			comma = '\t'
		}
	}
	if err := csvlimit.Check(data, comma, MaxColumns); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrTooLarge)
	}
	base := filepath.Base(name)
	if name == "" {
		base = "CSV"
	}
	g := &grid{sheet: base}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = rune(comma)
	r.FieldsPerRecord = -1
	for n := 1; ; n++ {
		rec, err := r.Read()
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

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readXLSX reads the sheet of the workbook data (the first when sheet is
// empty), after checking the package against the limits: its parts and
// what they unpack to (as the ZIP directory declares it; archive/zip
// refuses a part that unpacks to more than it declares), and the merged
// ranges of its worksheets, which excelize compares pairwise.
func readXLSX(data []byte, sheet string) (*grid, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("XLSX: %w: %w", err, ErrUnreadable)
	}
	if len(zr.File) > MaxParts {
		return nil, fmt.Errorf("XLSX: %d parts, more than %d: %w", len(zr.File), MaxParts, ErrTooLarge)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxUnpackedSize || f.UncompressedSize64 > MaxUnpackedSize {
			return nil, fmt.Errorf("XLSX: unpacks to more than %d bytes: %w", MaxUnpackedSize, ErrTooLarge)
		}
	}
	merges := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		n, err := countMerges(f)
		if err != nil {
			return nil, fmt.Errorf("XLSX: %s: %w: %w", f.Name, err, ErrUnreadable)
		}
		if merges += n; merges > MaxMergedRanges {
			return nil, fmt.Errorf("XLSX: more than %d merged ranges: %w", MaxMergedRanges, ErrTooLarge)
		}
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxUnpackedSize, UnzipXMLSizeLimit: MaxUnpackedSize,
	})
	if err != nil {
		return nil, fmt.Errorf("XLSX: %w: %w", err, ErrUnreadable)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	switch {
	case len(sheets) == 0:
		return nil, fmt.Errorf("XLSX: the workbook has no sheet: %w", ErrUnreadable)
	case sheet == "":
		sheet = sheets[0]
	default:
		found := false
		for _, s := range sheets {
			if s == sheet {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("XLSX: sheet %q (the workbook has %s): %w", sheet, quoteList(sheets, 10), ErrSheetNotFound)
		}
	}
	g := &grid{sheet: sheet}
	rows, err := wb.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("XLSX: sheet %q: %w: %w", sheet, err, ErrUnreadable)
	}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("XLSX: sheet %q, row %d: %w: %w", sheet, n, err, ErrUnreadable)
		}
		if blank(cells) {
			continue
		}
		if len(g.rows) == MaxRows {
			rows.Close()
			return nil, fmt.Errorf("XLSX: sheet %q: more than %d rows: %w", sheet, MaxRows, ErrTooLarge)
		}
		if len(cells) > MaxColumns {
			rows.Close()
			return nil, fmt.Errorf("XLSX: sheet %q, row %d: more than %d columns: %w", sheet, n, MaxColumns, ErrTooLarge)
		}
		g.rows = append(g.rows, gridRow{n: n, cells: cells})
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("XLSX: sheet %q: %w: %w", sheet, err, ErrUnreadable)
	}
	merged, err := wb.GetMergeCells(sheet, true)
	if err != nil {
		return nil, fmt.Errorf("XLSX: sheet %q: merged cells: %w: %w", sheet, err, ErrUnreadable)
	}
	for _, m := range merged {
		ref := m.GetStartAxis() + ":" + m.GetEndAxis()
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		g.merged = append(g.merged, mergedRange{ref: ref, col1: min(c1, c2), row1: min(r1, r2), col2: max(c1, c2), row2: max(r1, r2)})
	}
	return g, nil
}

// countMerges counts the merged ranges a worksheet part declares: the
// elements named mergeCell (with any namespace prefix), in one pass.
func countMerges(f *zip.File) (int, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	const word = "mergeCell"
	buf := make([]byte, 64<<10)
	n, carry := 0, 0
	for {
		k, err := rc.Read(buf[carry:])
		chunk := buf[:carry+k]
		end := len(chunk)
		if err == nil {
			// Keep the tail, which may hold a word cut in two.
			end = max(0, len(chunk)-len(word))
		}
		for i := 0; i < end; {
			j := bytes.Index(chunk[i:], []byte(word))
			if j < 0 || i+j >= end {
				break
			}
			at := i + j + len(word)
			if at >= len(chunk) || chunk[at] != 's' {
				n++
			}
			i = at
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		carry = copy(buf, chunk[end:])
	}
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
