package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file reads XLSX packages itself, with encoding/xml, in one pass
// over each part it needs (the package and workbook relationships, the
// workbook, the shared strings and the one worksheet read): a workbook is
// untrusted input, and a general library pads rows out to their last
// cell and loads whole sheets to find merged ranges, which costs
// gigabytes for a file of kilobytes. Each cell costs what its XML does:
// nothing is padded before the limits have been checked.

// ratioFloor is the size up to which a part may unpack to any multiple
// of its packed size (a small part costs little however well it packs).
const ratioFloor = 64 << 10

// maxUnread bounds the cells listed in grid.unread; the rest are counted.
const maxUnread = 1000

// lastColumn and lastRow are the largest cell reference a worksheet may
// hold (XFD1048576).
const (
	lastColumn = 16384
	lastRow    = 1 << 20
)

// xlsxPackage is an XLSX package being read: its parts by name in lower
// case (part names are case-insensitive), and the bytes the parts read
// so far leave to unpack.
type xlsxPackage struct {
	parts map[string]*zip.File
	left  uint64
	// tokens is how many XML tokens the part being read may have.
	tokens int
}

// readXLSX reads a sheet of the workbook data: the one named sheet, or
// else the active sheet, or the first visible one when the active one is
// hidden.
func readXLSX(data []byte, sheet string) (*grid, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("XLSX: %w: %w", err, ErrUnreadable)
	}
	if len(zr.File) > MaxParts {
		return nil, fmt.Errorf("XLSX: %d parts, more than %d: %w", len(zr.File), MaxParts, ErrTooLarge)
	}
	x := &xlsxPackage{parts: make(map[string]*zip.File, len(zr.File)), left: MaxUnpackedSize}
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if x.parts[name] != nil {
			return nil, fmt.Errorf("XLSX: the part %q is in the package twice: %w", f.Name, ErrUnreadable)
		}
		x.parts[name] = f
	}
	book := "xl/workbook.xml"
	rels, err := x.rels("_rels/.rels", "")
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			book = r.target
			break
		}
	}
	wb, err := x.workbook(book)
	if err != nil {
		return nil, err
	}
	chosen, err := wb.choose(sheet)
	if err != nil {
		return nil, fmt.Errorf("XLSX: %w", err)
	}
	s := &cellScan{date1904: wb.date1904, textLimit: sheetText(len(data))}
	if wb.strings != "" {
		if s.sst, err = x.sharedStrings(wb.strings); err != nil {
			return nil, err
		}
	}
	if wb.styles != "" {
		if s.dates, err = x.dateStyles(wb.styles); err != nil {
			return nil, err
		}
	}
	g := &grid{sheet: chosen.name, sheets: wb.describe()}
	if err := x.worksheet(chosen.part, s, g); err != nil {
		return nil, err
	}
	return g, nil
}

// read decodes the XML of the part name with fn, after checking its size
// against what is left to unpack and its packed size. It reports whether
// the package has the part.
func (x *xlsxPackage) read(name string, fn func(d *xml.Decoder) error) (bool, error) {
	f := x.parts[strings.ToLower(name)]
	if f == nil {
		return false, nil
	}
	size := f.UncompressedSize64
	if size > x.left {
		return true, fmt.Errorf("XLSX: %s: the parts read unpack to more than %d bytes: %w", name, MaxUnpackedSize, ErrTooLarge)
	}
	if size > ratioFloor && size/MaxUnpackRatio > f.CompressedSize64 {
		return true, fmt.Errorf("XLSX: %s: unpacks to %d bytes from %d, more than %d times its size: %w", name, size, f.CompressedSize64, MaxUnpackRatio, ErrTooLarge)
	}
	x.left -= size
	x.tokens = max(minTokens, MaxTokenRatio*int(min(f.CompressedSize64, MaxInputSize)))
	rc, err := f.Open()
	if err != nil {
		return true, fmt.Errorf("XLSX: %s: %w: %w", name, err, ErrUnreadable)
	}
	defer rc.Close()
	// archive/zip refuses more bytes than the directory declares; the
	// limit holds whatever the reader does.
	d := xml.NewDecoder(io.LimitReader(rc, int64(size)))
	if err := fn(d); err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnreadable) {
			return true, fmt.Errorf("XLSX: %s: %w", name, err)
		}
		return true, fmt.Errorf("XLSX: %s: %w: %w", name, err, ErrUnreadable)
	}
	return true, nil
}

// minTokens is the most XML tokens a part may have whatever its packed
// size (see MaxTokenRatio).
const minTokens = 1 << 16

// each calls fn with each token of d, up to the end of the part, which
// must be well formed, nest at most MaxDepth deep and have at most
// x.tokens tokens: RawToken leaves matching end elements to its caller,
// and Token's namespace translation costs more than this.
func (x *xlsxPackage) each(d *xml.Decoder, fn func(tok xml.Token) error) error {
	open := make([]xml.Name, 0, MaxDepth)
	for n := 0; ; n++ {
		if n == x.tokens {
			line, col := d.InputPos()
			return fmt.Errorf("line %d, column %d: more than %d XML tags and texts, %d for each byte the part packs to: %w", line, col, x.tokens, MaxTokenRatio, ErrTooLarge)
		}
		tok, err := d.RawToken()
		if err == io.EOF {
			if len(open) > 0 {
				return fmt.Errorf("the part ends inside <%s>", open[len(open)-1].Local)
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(open) == MaxDepth {
				line, col := d.InputPos()
				return fmt.Errorf("line %d, column %d: <%s> nests more than %d elements deep: %w", line, col, e.Name.Local, MaxDepth, ErrTooLarge)
			}
			open = append(open, e.Name)
		case xml.EndElement:
			line, _ := d.InputPos()
			if len(open) == 0 || open[len(open)-1] != e.Name {
				return fmt.Errorf("line %d: an end tag </%s> that closes no element", line, e.Name.Local)
			}
			open = open[:len(open)-1]
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// attrOr returns the value of e's attribute local, or "".
func attrOr(e xml.StartElement, local string) string {
	v, _ := attr(e, local)
	return v
}

// isTrue reports whether e's boolean attribute local is true.
func isTrue(e xml.StartElement, local string) bool {
	v, _ := attr(e, local)
	return v == "1" || v == "true"
}

func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

type relationship struct{ id, typ, target string }

// rels reads the relationships part name of the part source ("" for the
// package): each internal one with its target resolved to a part name.
// A package without it has none.
func (x *xlsxPackage) rels(name, source string) ([]relationship, error) {
	var out []relationship
	_, err := x.read(name, func(d *xml.Decoder) error {
		return x.each(d, func(tok xml.Token) error {
			e, ok := tok.(xml.StartElement)
			if !ok || e.Name.Local != "Relationship" {
				return nil
			}
			if mode, _ := attr(e, "TargetMode"); mode == "External" {
				return nil
			}
			id, _ := attr(e, "Id")
			typ, _ := attr(e, "Type")
			target, _ := attr(e, "Target")
			if strings.HasPrefix(target, "/") {
				target = path.Clean(target[1:])
			} else {
				target = path.Join(path.Dir(source), target)
			}
			out = append(out, relationship{id: id, typ: typ, target: target})
			if len(out) > MaxParts {
				return fmt.Errorf("more than %d relationships: %w", MaxParts, ErrTooLarge)
			}
			return nil
		})
	})
	return out, err
}

type workbook struct {
	sheets []bookSheet
	active int
	// strings and styles are the shared strings and styles parts, if
	// any.
	strings, styles string
	// date1904 is whether dates count from 1904, not 1900.
	date1904 bool
}

type bookSheet struct {
	name, state, rid string
	// part is the sheet's part; worksheet whether it is a worksheet (not
	// a chart or dialog sheet).
	part      string
	worksheet bool
}

func (s bookSheet) visible() bool { return s.state == "" || s.state == "visible" }

// workbook reads the workbook part name and its relationships.
func (x *xlsxPackage) workbook(name string) (*workbook, error) {
	wb := &workbook{}
	views := 0
	found, err := x.read(name, func(d *xml.Decoder) error {
		return x.each(d, func(tok xml.Token) error {
			e, ok := tok.(xml.StartElement)
			if !ok {
				return nil
			}
			switch e.Name.Local {
			case "sheet":
				s := bookSheet{}
				s.name, _ = attr(e, "name")
				s.state, _ = attr(e, "state")
				for _, a := range e.Attr {
					if a.Name.Local == "id" && a.Name.Space != "" {
						s.rid = a.Value
					}
				}
				if wb.sheets = append(wb.sheets, s); len(wb.sheets) > MaxParts {
					return fmt.Errorf("more than %d sheets: %w", MaxParts, ErrTooLarge)
				}
			case "workbookPr":
				v, _ := attr(e, "date1904")
				wb.date1904 = v == "1" || v == "true"
			case "workbookView":
				if views++; views == 1 {
					v, _ := attr(e, "activeTab")
					wb.active, _ = strconv.Atoi(v)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("XLSX: the package has no workbook part (%s): %w", name, ErrUnreadable)
	}
	rels, err := x.rels(path.Join(path.Dir(name), "_rels", path.Base(name)+".rels"), name)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]relationship, len(rels))
	for _, r := range rels {
		byID[r.id] = r
		if strings.HasSuffix(r.typ, "/sharedStrings") && wb.strings == "" {
			wb.strings = r.target
		}
		if strings.HasSuffix(r.typ, "/styles") && wb.styles == "" {
			wb.styles = r.target
		}
	}
	for i := range wb.sheets {
		s := &wb.sheets[i]
		if r, ok := byID[s.rid]; ok {
			s.part, s.worksheet = r.target, strings.HasSuffix(r.typ, "/worksheet")
		}
	}
	return wb, nil
}

// choose returns the sheet named name; with no name, the active sheet,
// or the first visible worksheet when the active one is hidden or not a
// worksheet.
func (wb *workbook) choose(name string) (bookSheet, error) {
	if len(wb.sheets) == 0 {
		return bookSheet{}, fmt.Errorf("the workbook has no sheet: %w", ErrUnreadable)
	}
	if name != "" {
		i := slices.IndexFunc(wb.sheets, func(s bookSheet) bool { return s.name == name })
		if i < 0 {
			// Excel's sheet names are unique ignoring case.
			i = slices.IndexFunc(wb.sheets, func(s bookSheet) bool { return strings.EqualFold(s.name, name) })
		}
		switch {
		case i < 0:
			return bookSheet{}, fmt.Errorf("sheet %q (the workbook has %s): %w", name, wb.describe(), ErrSheetNotFound)
		case !wb.sheets[i].worksheet:
			return bookSheet{}, fmt.Errorf("sheet %q is not a worksheet (a chart or dialog sheet; the workbook has %s): %w", name, wb.describe(), ErrSheetNotFound)
		}
		return wb.sheets[i], nil
	}
	if a := wb.active; a >= 0 && a < len(wb.sheets) && wb.sheets[a].visible() && wb.sheets[a].worksheet {
		return wb.sheets[a], nil
	}
	for _, s := range wb.sheets {
		if s.visible() && s.worksheet {
			return s, nil
		}
	}
	return bookSheet{}, fmt.Errorf("the workbook has no visible worksheet (it has %s): name the sheet to read: %w", wb.describe(), ErrSheetNotFound)
}

// describe lists the sheets for messages: `"Cover" (hidden), "Matrix"`.
func (wb *workbook) describe() string {
	names := make([]string, len(wb.sheets))
	for i, s := range wb.sheets {
		names[i] = strconv.Quote(s.name)
		switch {
		case !s.worksheet:
			names[i] += " (not a worksheet)"
		case !s.visible():
			names[i] += " (" + s.state + ")"
		}
	}
	if len(names) > 10 {
		names = append(names[:10], fmt.Sprintf("and %d more", len(wb.sheets)-10))
	}
	return strings.Join(names, ", ")
}

// stringTable is the shared strings: their texts one after the other,
// and where each ends (4 bytes an item, not a string header each).
type stringTable struct {
	text string
	ends []uint32
}

func (t *stringTable) len() int { return len(t.ends) }

// at returns the i-th string, a slice of the table's text.
func (t *stringTable) at(i int) string {
	from := uint32(0)
	if i > 0 {
		from = t.ends[i-1]
	}
	return t.text[from:t.ends[i]]
}

// sharedStrings reads the shared strings part: each string item's text,
// its rich text runs joined, without its phonetic runs (rPh).
func (x *xlsxPackage) sharedStrings(name string) (stringTable, error) {
	var ends []uint32
	var buf []byte
	inItem, inText, phonetic := false, false, 0
	_, err := x.read(name, func(d *xml.Decoder) error {
		return x.each(d, func(tok xml.Token) error {
			switch tok := tok.(type) {
			case xml.StartElement:
				switch tok.Name.Local {
				case "si":
					inItem = true
				case "rPh":
					phonetic++
				case "t":
					inText = inItem && phonetic == 0
				}
			case xml.EndElement:
				switch tok.Name.Local {
				case "si":
					// The part is at most MaxUnpackedSize bytes.
					ends = append(ends, uint32(len(buf)))
					inItem = false
				case "rPh":
					phonetic--
				case "t":
					inText = false
				}
			case xml.CharData:
				if inText {
					buf = append(buf, tok...)
				}
			}
			return nil
		})
	})
	return stringTable{text: string(buf), ends: ends}, err
}

// cellScan is the state of a worksheet's scan.
type cellScan struct {
	g   *grid
	sst stringTable
	// dates are the cell formats (by index) that show a number as a
	// date or time; date1904 is whether dates count from 1904.
	dates    []bool
	date1904 bool
	style    int // the cell's format

	inData     bool // in sheetData
	row        int  // the row being read; 0 between rows
	numbered   bool // whether the row says its number (r)
	rowHidden  bool // whether the row is hidden
	lastRow    int  // the row read before
	sheetRows  int  // rows met, blank ones included
	cells      int  // the cells of the grid's rows
	lastCol    int  // the column of the cell before, in the row
	rowCells   []cellAt
	inCell     bool
	cell       cellAt
	typ        string
	hasValue   bool   // a v element
	hasInline  bool   // an is element
	hasFormula bool   // an f element
	value      []byte // the text of v, or of is's t elements
	formula    []byte // the start of f's text
	text       int    // the element whose text is read: 0, 'v', 't' (of is) or 'f'
	phonetic   int
	merges     int
	// textBytes is the text of the cells read so far, textLimit the most
	// it may be (see MaxSheetText).
	textBytes, textLimit int
}

type cellAt struct {
	col  int
	text string
}

// worksheet reads the worksheet part name into g: its rows that hold a
// value, and its merged ranges, in one pass that refuses a reference
// past the limits before it costs anything.
func (x *xlsxPackage) worksheet(name string, s *cellScan, g *grid) error {
	s.g = g
	found, err := x.read(name, func(d *xml.Decoder) error {
		return x.each(d, s.token)
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("XLSX: sheet %q: the package has no part %s: %w", g.sheet, name, ErrUnreadable)
	}
	slices.SortStableFunc(g.rows, func(a, b gridRow) int { return a.n - b.n })
	for i := 1; i < len(g.rows); i++ {
		if g.rows[i].n == g.rows[i-1].n {
			return fmt.Errorf("XLSX: %s: row %d is in the sheet twice: %w", location(g.sheet, 0, 0), g.rows[i].n, ErrUnreadable)
		}
	}
	return nil
}

func (s *cellScan) token(tok xml.Token) error {
	switch tok := tok.(type) {
	case xml.StartElement:
		return s.start(tok)
	case xml.EndElement:
		return s.end(tok)
	case xml.CharData:
		switch s.text {
		case 'v':
			s.value = append(s.value, tok...)
		case 't':
			if s.phonetic == 0 {
				s.value = append(s.value, tok...)
			}
		case 'f':
			// The formula is for messages: its start is enough.
			if n := 60 - len(s.formula); n > 0 {
				s.formula = append(s.formula, tok[:min(n, len(tok))]...)
			}
		}
	}
	return nil
}

func (s *cellScan) start(e xml.StartElement) error {
	switch e.Name.Local {
	case "sheetData":
		s.inData = true
	case "row":
		if !s.inData {
			return nil
		}
		if s.sheetRows++; s.sheetRows > MaxSheetRows {
			return fmt.Errorf("%s: more than %d rows, blank ones included: %w", location(s.g.sheet, 0, 0), MaxSheetRows, ErrTooLarge)
		}
		s.row = s.lastRow + 1
		v, ok := attr(e, "r")
		if s.numbered = ok; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > lastRow {
				return fmt.Errorf("%s: a row numbered %q: %w", location(s.g.sheet, 0, 0), v, ErrUnreadable)
			}
			s.row = n
		}
		s.lastRow, s.lastCol = s.row, 0
		s.rowCells = s.rowCells[:0]
		s.rowHidden = isTrue(e, "hidden")
	case "c":
		if s.row == 0 {
			return nil
		}
		s.inCell = true
		s.cell = cellAt{col: s.lastCol + 1}
		s.typ, _ = attr(e, "t")
		s.style = 0
		if v, ok := attr(e, "s"); ok {
			s.style, _ = strconv.Atoi(v)
		}
		s.hasValue, s.hasInline, s.hasFormula = false, false, false
		s.value, s.formula = s.value[:0], s.formula[:0]
		if ref, ok := attr(e, "r"); ok {
			col, row, ok := cellRef(ref)
			if !ok {
				return fmt.Errorf("%s: a cell named %q: %w", location(s.g.sheet, s.row, 0), ref, ErrUnreadable)
			}
			if !s.numbered {
				// A row that does not say its number has its cells'.
				s.row, s.lastRow, s.numbered = row, row, true
			}
			if row != s.row {
				return fmt.Errorf("%s: the cell %s is in row %d: %w", location(s.g.sheet, s.row, 0), ref, s.row, ErrUnreadable)
			}
			s.cell.col = col
		}
		if s.cell.col > lastColumn {
			return fmt.Errorf("%s: a cell past column XFD: %w", location(s.g.sheet, s.row, 0), ErrUnreadable)
		}
		s.lastCol = s.cell.col
	case "v":
		if s.inCell {
			s.hasValue, s.text = true, 'v'
		}
	case "f":
		if s.inCell {
			s.hasFormula, s.text = true, 'f'
		}
	case "is":
		if s.inCell {
			s.hasInline = true
		}
	case "t":
		if s.inCell && s.hasInline {
			s.text = 't'
		}
	case "rPh":
		s.phonetic++
	case "col":
		// <cols><col min="3" max="5" hidden="1"/></cols>, before sheetData.
		if s.inData || !isTrue(e, "hidden") || len(s.g.hiddenCols) == MaxColumns {
			return nil
		}
		lo, err1 := strconv.Atoi(attrOr(e, "min"))
		hi, err2 := strconv.Atoi(attrOr(e, "max"))
		if err1 != nil || err2 != nil || lo < 1 || hi < lo || lo > MaxColumns {
			return nil // a column past those read, or none: nothing hidden is read
		}
		s.g.hiddenCols = append(s.g.hiddenCols, [2]int{lo, min(hi, MaxColumns)})
	case "mergeCell":
		ref, _ := attr(e, "ref")
		if s.merges++; s.merges > MaxMergedRanges {
			return fmt.Errorf("%s: more than %d merged ranges: %w", location(s.g.sheet, 0, 0), MaxMergedRanges, ErrTooLarge)
		}
		first, last, isRange := strings.Cut(ref, ":")
		if !isRange {
			last = first
		}
		c1, r1, ok1 := cellRef(first)
		c2, r2, ok2 := cellRef(last)
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: a merged range %q: %w", location(s.g.sheet, 0, 0), ref, ErrUnreadable)
		}
		s.g.merged = append(s.g.merged, mergedRange{ref: ref, col1: min(c1, c2), row1: min(r1, r2), col2: max(c1, c2), row2: max(r1, r2)})
	}
	return nil
}

func (s *cellScan) end(e xml.EndElement) error {
	switch e.Name.Local {
	case "sheetData":
		s.inData = false
	case "v", "f", "t":
		s.text = 0
	case "rPh":
		s.phonetic--
	case "c":
		if !s.inCell {
			return nil
		}
		s.inCell = false
		return s.endCell()
	case "row":
		if s.row == 0 {
			return nil
		}
		err := s.endRow()
		s.row = 0
		return err
	}
	return nil
}

// endCell reads the cell just ended: a value past MaxColumns is refused,
// a formula with no value saved is noted, and a value kept.
func (s *cellScan) endCell() error {
	col := s.cell.col
	if !s.hasValue && !s.hasInline && !s.hasFormula {
		return nil // a cell of formatting only
	}
	if col > MaxColumns {
		return fmt.Errorf("%s: a value past column %s, the last read: %w", location(s.g.sheet, s.row, col), colName(MaxColumns), ErrTooLarge)
	}
	if s.hasFormula && !s.hasValue && !s.hasInline {
		s.noteUnread(col)
		return nil
	}
	if s.typ == "e" {
		s.noteError(col)
		return nil
	}
	if s.typ != "s" && len(bytes.TrimSpace(s.value)) == 0 {
		return nil // blank: the row reads the same without it
	}
	raw := string(s.value)
	var text string
	switch s.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || i < 0 || i >= s.sst.len() {
			return fmt.Errorf("%s: shared string %q, of %d: %w", location(s.g.sheet, s.row, col), raw, s.sst.len(), ErrUnreadable)
		}
		text = s.sst.at(i)
	case "b":
		switch strings.TrimSpace(raw) {
		case "1":
			text = "TRUE"
		case "0":
			text = "FALSE"
		default:
			text = raw
		}
	case "", "n":
		text = general(raw)
		if s.style >= 0 && s.style < len(s.dates) && s.dates[s.style] {
			if d, ok := dateOf(raw, s.date1904); ok {
				text = d
			}
		}
	default: // inlineStr, str (a formula's text), d (an ISO 8601 date)
		text = raw
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	// A shared string costs nothing more for each cell that shows it,
	// but what reads the cells does.
	if s.textBytes += min(len(text), MaxCellSize+1); s.textBytes > s.textLimit {
		return fmt.Errorf("%s: the sheet's cells hold more text than the %d bytes a workbook of its size may, all together (a shared string counted at each cell that shows it): %w",
			location(s.g.sheet, s.row, col), s.textLimit, ErrTooLarge)
	}
	s.rowCells = append(s.rowCells, cellAt{col: col, text: text})
	return nil
}

// noteUnread notes the cell, a formula whose value was never
// calculated.
func (s *cellScan) noteUnread(col int) {
	s.g.noteUnread(s.row, col, "the cell holds "+s.formulaText("a formula")+" whose value was never calculated (the workbook was saved by a program that does not calculate): open and save it in a spreadsheet program, or type the value")
}

// noteError notes the cell, an error value (t="e": #N/A, #REF!): what a
// formula that fails shows is no value of the plan.
func (s *cellScan) noteError(col int) {
	v := shorten(strings.ToValidUTF8(strings.TrimSpace(string(s.value)), ""), 40)
	why := "the cell holds the error " + strconv.Quote(v)
	if s.hasFormula {
		why += " (from " + s.formulaText("a formula") + ")"
	}
	s.g.noteUnread(s.row, col, why+", not a value: correct the formula, or type the value")
}

// formulaText names the cell's formula for a message: "the formula
// \"=A1\"", or what when the cell has none.
func (s *cellScan) formulaText(what string) string {
	f := strings.TrimSpace(string(s.formula))
	switch {
	case !s.hasFormula:
		return what
	case f == "":
		return "a formula shared with another cell"
	case len(s.formula) >= 60:
		return fmt.Sprintf("the formula %q", "="+strings.ToValidUTF8(f, "")+"…")
	}
	return fmt.Sprintf("the formula %q", "="+f)
}

// endRow keeps the row just ended if it holds a value, as wide as its
// last cell that does.
func (s *cellScan) endRow() error {
	width := 0
	for _, c := range s.rowCells {
		width = max(width, c.col)
	}
	if width == 0 {
		return nil // a blank row
	}
	if len(s.g.rows) == MaxRows {
		return fmt.Errorf("%s: more than %d rows: %w", location(s.g.sheet, 0, 0), MaxRows, ErrTooLarge)
	}
	if s.cells += width; s.cells > MaxCells {
		return fmt.Errorf("%s: more than %d cells in its rows, each counted up to its last: %w", location(s.g.sheet, 0, 0), MaxCells, ErrTooLarge)
	}
	cells := make([]string, width)
	for _, c := range s.rowCells {
		if cells[c.col-1] != "" {
			return fmt.Errorf("%s: the cell is in the sheet twice: %w", location(s.g.sheet, s.row, c.col), ErrUnreadable)
		}
		cells[c.col-1] = c.text
	}
	s.g.rows = append(s.g.rows, gridRow{n: s.row, cells: cells, hidden: s.rowHidden})
	return nil
}

// cellRef reads a cell reference, "B12", as its column and row (from 1).
func cellRef(ref string) (col, row int, ok bool) {
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		if col = col*26 + int(c-'a') + 1; col > lastColumn {
			return 0, 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	for ; i < len(ref); i++ {
		if ref[i] < '0' || ref[i] > '9' {
			return 0, 0, false
		}
		if row = row*10 + int(ref[i]-'0'); row > lastRow {
			return 0, 0, false
		}
	}
	return col, row, row > 0
}

// general spells a number cell's value as a spreadsheet shows it in the
// General format: to at most 15 significant digits ("0.3" for
// 0.30000000000000004), with an exponent only for the very large and
// the very small.
func general(raw string) string {
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return raw
	}
	mantissa, _, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	if len(strings.TrimLeft(mantissa, "-")) > 16 { // 15 digits and the point
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	}
	if a := math.Abs(v); a != 0 && (a >= 1e21 || a < 1e-7) {
		return strconv.FormatFloat(v, 'G', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// maxStyles bounds the cell formats read: Excel has at most 64,000.
const maxStyles = 1 << 16

// dateStyles reads the styles part: for each cell format (cellXfs' xf
// elements, by index), whether its number format shows a date or time.
func (x *xlsxPackage) dateStyles(name string) ([]bool, error) {
	custom := map[int]bool{} // numFmtId: a date format
	var ids []int
	inXfs := false
	_, err := x.read(name, func(d *xml.Decoder) error {
		return x.each(d, func(tok xml.Token) error {
			switch tok := tok.(type) {
			case xml.StartElement:
				switch tok.Name.Local {
				case "numFmt":
					id, _ := attr(tok, "numFmtId")
					code, _ := attr(tok, "formatCode")
					if n, err := strconv.Atoi(id); err == nil && len(custom) < maxStyles {
						custom[n] = isDateFormat(code)
					}
				case "cellXfs":
					inXfs = true
				case "xf":
					if inXfs && len(ids) < maxStyles {
						v, _ := attr(tok, "numFmtId")
						n, _ := strconv.Atoi(v)
						ids = append(ids, n)
					}
				}
			case xml.EndElement:
				if tok.Name.Local == "cellXfs" {
					inXfs = false
				}
			}
			return nil
		})
	})
	dates := make([]bool, len(ids))
	for i, id := range ids {
		if isDate, ok := custom[id]; ok {
			dates[i] = isDate
		} else {
			// The built-in date and time formats.
			dates[i] = id >= 14 && id <= 22 || id >= 45 && id <= 47
		}
	}
	return dates, err
}

// isDateFormat reports whether a number format code shows a date or time:
// whether it has a day, month, year, hour or second, outside quoted text,
// escaped characters and [brackets] (colours, conditions, locales).
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i] | 0x20; {
		case code[i] == '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case code[i] == '[':
			if j := strings.IndexByte(code[i+1:], ']'); j >= 0 {
				inner := strings.ToLower(code[i+1 : i+1+j])
				if inner == "h" || inner == "hh" || inner == "m" || inner == "mm" || inner == "s" || inner == "ss" {
					return true // elapsed time
				}
				i += j + 1
			}
		case code[i] == '\\' || code[i] == '_' || code[i] == '*':
			i++ // the next character is literal, or padding
		case c == 'd' || c == 'm' || c == 'y' || c == 'h' || c == 's':
			return true
		}
	}
	return false
}

// dateOf spells a date cell's serial number as an ISO 8601 date, with
// the time of day where it has one; false for a number that is no date
// (negative, past 9999, or 29 February 1900, which the 1900 date system
// counts but which did not exist).
func dateOf(raw string, from1904 bool) (string, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v >= 2958466 {
		return "", false
	}
	days := math.Floor(v)
	secs := math.Round((v - days) * 86400)
	if secs == 86400 {
		days, secs = days+1, 0
	}
	var t time.Time
	switch {
	case from1904:
		t = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 60:
		return "", false
	case days < 60:
		t = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		t = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	t = t.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case v < 1 && !from1904:
		return t.Format("15:04:05"), true // a time of day only
	case secs == 0:
		return t.Format("2006-01-02"), true
	case int(secs)%60 == 0:
		return t.Format("2006-01-02 15:04"), true
	}
	return t.Format("2006-01-02 15:04:05"), true
}
