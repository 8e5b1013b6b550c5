package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ismscomms/ismscomms/comms"
)

// Options configures [Read]. Now is required; the zero value of every
// other field means its default.
type Options struct {
	// Sheet names the XLSX sheet to read; empty means the active sheet,
	// or the first visible one when the active one is hidden. A CSV
	// file has no sheets: naming one is an error.
	Sheet string
	// Start is the date recurrences start from: each starts on the first
	// date on or after it that its phrase names, at 09:00. Zero means
	// the first Monday of the month after Now.
	Start comms.Date
	// Now is the present, which the default Start counts from. Required:
	// Read returns an error for the zero time.
	Now time.Time
	// ID is the plan's ID; empty means one made from the input's name
	// (its base without the extension, as an ID: "isms-matrix" for
	// ISMS Matrix.xlsx), or "imported" when there is none.
	ID string
	// TimeZone is the plan's IANA time zone; empty leaves it out (UTC),
	// which is listed as an inference.
	TimeZone string
}

// Result is what [Read] made of a spreadsheet.
type Result struct {
	// Plan is the plan, as the YAML decodes to it.
	Plan comms.Plan
	// YAML is the plan file: a comment at every inferred value and at
	// every activity with a problem.
	YAML []byte
	// Sheet is the name of the sheet read (for CSV, the file's base name).
	Sheet string
	// Header is the row the column names were read from.
	Header int
	// Inferences lists every value that was not in the spreadsheet as
	// such, in the order of the sheet.
	Inferences []Inference
	// Problems lists every cell that could not be read, and every column
	// missing, in the order of the sheet.
	Problems []Problem
	// Ignored lists the columns that are not the matrix's, which were not
	// read, and the rows above the header row (titles). A cell outside
	// the matrix's columns (under no heading, or past the header row's
	// last) is a Problem instead: what it means is unknown.
	Ignored []Column
}

// Complete reports whether every cell was read, every required value was
// there and no value was chosen that the sheet does not state (a default
// deadline): no [Problem]. Inferences do not count: they are marked in
// the plan file for review.
func (r *Result) Complete() bool { return len(r.Problems) == 0 }

// Inference is a value of the plan that the spreadsheet did not hold as
// such: read from its words (a stakeholder's kind), chosen by a
// documented default (a start date), or carried from a merged cell.
type Inference struct {
	// Sheet, Row and Column locate the cell it was read from (from 1);
	// Row or Column is 0 for a value of no one cell.
	Sheet       string
	Row, Column int
	// Path is the plan field that holds the value
	// ("stakeholders[2].kind", "activities[4].when.rrule"); empty for
	// what was inferred about the file (a CSV file's delimiter).
	Path string
	// Value is the value, as the plan file writes it.
	Value string
	// Why says what it was inferred from.
	Why string
}

func (i Inference) String() string {
	if i.Path == "" { // of the file, not of a field: "delimiter \";\""
		return fmt.Sprintf("%s: inferred %s: %s", location(i.Sheet, i.Row, i.Column), i.Value, i.Why)
	}
	return fmt.Sprintf("%s: inferred %s = %s: %s", location(i.Sheet, i.Row, i.Column), i.Path, i.Value, i.Why)
}

// Problem is a cell that could not be read, a column missing, or a value
// kept in the plan that the sheet does not state and must be checked (a
// deadline chosen for "as needed"), marked "# to review" at the value.
type Problem struct {
	// Sheet, Row and Column locate the cell (from 1); Column is 0 for a
	// row, Row 0 for the sheet.
	Sheet       string
	Row, Column int
	// Path is the plan field left without the value, if any.
	Path    string
	Message string
}

func (p Problem) String() string {
	s := location(p.Sheet, p.Row, p.Column) + ": "
	if p.Path != "" {
		s += p.Path + ": "
	}
	return s + p.Message
}

// Column is a column of the sheet that was not read (not one of the
// matrix's, or a second of one), or a row above the header row (a title):
// what is ignored, which is not a problem.
type Column struct {
	Sheet string
	// Row is the row of a title (from 1); 0 for a column.
	Row int
	// Index is the column's number, from 1 (A); for a title row, the
	// column of its first cell.
	Index int
	// Header is the column's heading, or the title row's text (its first
	// cells, shortened).
	Header string
	// Why says why it was not read.
	Why string
}

func (c Column) String() string {
	if c.Row > 0 {
		return fmt.Sprintf("%s: %q ignored: %s", location(c.Sheet, c.Row, c.Index), c.Header, c.Why)
	}
	return fmt.Sprintf("%s: column %q ignored: %s", location(c.Sheet, 0, c.Index), c.Header, c.Why)
}

// location spells a cell: `sheet "S", row 4, column C`.
func location(sheet string, row, col int) string {
	s := fmt.Sprintf("sheet %q", sheet)
	if row > 0 {
		s += ", row " + strconv.Itoa(row)
	}
	if col > 0 {
		name, err := excelize.ColumnNumberToName(col)
		if err != nil {
			name = strconv.Itoa(col)
		}
		s += ", column " + name
	}
	return s
}

// Read reads a communication matrix from r, a CSV or XLSX file (told apart
// by its content, and by name's extension where the content is not a
// workbook), and returns the plan made of it. name names the input (a file
// name) for the plan's default ID and the sheet of a CSV file; it may be
// empty.
//
// An error means there is no plan: the input is over a limit
// ([ErrTooLarge]), unreadable ([ErrUnreadable]), has no such sheet
// ([ErrSheetNotFound]) or no header row ([ErrNoHeader]). Otherwise the
// plan is there, and [Result.Problems] says what could not be read.
func Read(r io.Reader, name string, opts Options) (*Result, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("sheet: read: Options.Now is required")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if _, named := err.(*fs.PathError); named {
		return nil, fmt.Errorf("sheet: %w", err) // it names the file
	}
	if err != nil {
		return nil, fmt.Errorf("sheet: read %s: %w", orInput(name), err)
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("sheet: read %s: more than %d bytes: %w", orInput(name), MaxInputSize, ErrTooLarge)
	}
	g, err := readGrid(data, name, opts.Sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet: read %s: %w", orInput(name), err)
	}
	res, err := build(g, name, opts)
	if err != nil {
		return nil, fmt.Errorf("sheet: read %s: %w", orInput(name), err)
	}
	return res, nil
}

func orInput(name string) string {
	if name == "" {
		return "input"
	}
	return name
}

// checkSize makes encodeAndCheck hold the plan file to the bound the
// builder kept of it (set by the tests, and so by the fuzz targets): a
// file larger than its bound is an error of its own.
var checkSize = false

// encodeAndCheck writes the plan's YAML and decodes it again: the plan
// Read returns is the one its file holds. The builder has kept the file
// within the decoder's limits (see size.go), so a file that does not
// decode is a bug.
func (b *builder) encodeAndCheck() error {
	data, err := b.yaml()
	if err != nil {
		return err
	}
	if checkSize {
		if n := scanNodes(data); len(data) > b.size.bytes || n > b.size.nodes {
			return fmt.Errorf("the plan file is %d bytes and %d nodes, over the bound of %d bytes and %d nodes kept while it was made", len(data), n, b.size.bytes, b.size.nodes)
		}
	}
	if len(data) > comms.MaxPlanSize {
		return fmt.Errorf("the plan would be %d bytes, more than a plan file may be (%d): %w", len(data), comms.MaxPlanSize, ErrTooLarge)
	}
	p, err := comms.DecodePlan(bytes.NewReader(data))
	if err != nil {
		// A bug: build drops every value that does not validate, and
		// keeps the file within the decoder's limits.
		return fmt.Errorf("the plan made does not decode: %w", err)
	}
	b.res.Plan, b.res.YAML = p, data
	return nil
}
