package comms

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ismscomms/ismscomms/internal/csvlimit"
)

// MaxRosterSize is the largest roster source (a CSV or SCIM file) the
// decoders read: 32 MiB, some 200,000 people. Larger input is refused
// before it is parsed.
const MaxRosterSize = 32 << 20

// RosterOptions configures [DecodeRosterCSV] and [DecodeRosterSCIM]. A
// nil *RosterOptions means the zero value.
type RosterOptions struct {
	// ID is the ID of the roster decoded; empty means "staff".
	ID string
	// Name names the input in errors (a file name); it may be empty.
	Name string
	// Plan, when set, is the plan whose stakeholders the roster's (and the
	// group mapping's) stakeholder IDs must name.
	Plan *Plan
	// Groups maps the groups of the source to stakeholder IDs. SCIM needs
	// it. For CSV it is optional: with it, the stakeholders column holds
	// group names, each of which it must map.
	Groups *GroupMapping
	// IgnoreColumns names CSV columns to skip (an HR export's department
	// or manager), matched as headers are (ignoring case, spaces, '-',
	// '_' and '.'). Any other column the decoder does not know is an
	// error, so that a misspelt header is not silently dropped.
	IgnoreColumns []string
}

func (o *RosterOptions) rosterID() string {
	if o == nil || o.ID == "" {
		return "staff"
	}
	return o.ID
}

// csvField is a column of a roster CSV file.
type csvField int

const (
	csvID csvField = iota
	csvName
	csvEmail
	csvStakeholders
	csvFrom
	csvUntil
	csvFields
)

var csvFieldNames = [csvFields]string{"id", "name", "email", "stakeholders", "from", "until"}

// csvHeaders maps a normalised header to its column.
var csvHeaders = map[string]csvField{
	"id": csvID, "employeeid": csvID, "employeenumber": csvID, "employeeno": csvID, "personid": csvID,
	"personnelnumber": csvID, "staffid": csvID, "userid": csvID, "externalid": csvID,
	"name": csvName, "fullname": csvName, "displayname": csvName,
	"email": csvEmail, "mail": csvEmail, "emailaddress": csvEmail, "workemail": csvEmail,
	"stakeholders": csvStakeholders, "stakeholder": csvStakeholders, "groups": csvStakeholders, "group": csvStakeholders,
	"from": csvFrom, "start": csvFrom, "startdate": csvFrom, "since": csvFrom, "validfrom": csvFrom,
	"until": csvUntil, "end": csvUntil, "enddate": csvUntil, "validuntil": csvUntil,
}

// normalHeader lower-cases h and drops spaces, '-', '_' and '.'.
func normalHeader(h string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.', '\t':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, strings.TrimSpace(h))
}

// DecodeRosterCSV reads a roster from a CSV export: a header row, then one
// person a row. It reads at most [MaxRosterSize] bytes (and one more, to
// tell a larger file), in time linear in its size.
//
// Headers are matched ignoring case, spaces, '-', '_' and '.': id
// (employee id, employee number, user id, external id), name (full name,
// display name), email (e-mail, mail, email address), stakeholders
// (groups), from (start, start date, valid from) and until (end, end date,
// valid until). Only id is required. A column the decoder does not know
// is an error unless [RosterOptions.IgnoreColumns] names it. The delimiter
// is a comma, or a semicolon or tab if the header row holds one and no
// comma (as spreadsheets localised for Europe write). A UTF-8 byte order
// mark is skipped; rows whose cells are all empty are skipped; cells are
// trimmed of surrounding space. A stakeholders cell lists IDs separated by
// '|', ';' or ','; dates are YYYY-MM-DD.
//
// Every problem is reported at once in a *[RosterError], each with its
// line and column and the path of the person's field (people[3].email),
// after the checks of [Roster.Validate]; the Roster then holds what could
// be decoded. A CSV syntax error (an unclosed quote) ends decoding there.
func DecodeRosterCSV(r io.Reader, o *RosterOptions) (Roster, error) {
	var opt RosterOptions
	if o != nil {
		opt = *o
	}
	data, err := readRoster(r, opt.Name)
	if err != nil {
		return Roster{}, err
	}
	d := csvDecoder{opt: opt, roster: Roster{ID: o.rosterID()}}
	d.decode(data)
	return d.finish()
}

// readRoster reads at most MaxRosterSize bytes of r, and one more to tell
// a larger source.
func readRoster(r io.Reader, name string) ([]byte, error) {
	var buf bytes.Buffer
	if n := sizeOf(r); n > 0 {
		buf.Grow(min(n, MaxRosterSize+1) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxRosterSize+1)); err != nil {
		return nil, fmt.Errorf("comms: read roster %s: %w", name, err)
	}
	if buf.Len() > MaxRosterSize {
		return nil, &RosterError{File: name, Problems: []Problem{{Message: fmt.Sprintf("the roster is larger than %d bytes (%d MiB)", MaxRosterSize, MaxRosterSize>>20)}}}
	}
	return buf.Bytes(), nil
}

type csvDecoder struct {
	opt    RosterOptions
	roster Roster
	probs  problems
	// pos holds, per person, the position of each field's cell, and of
	// the row itself (at csvFields).
	pos [][csvFields + 1]Position
}

func (d *csvDecoder) add(pos Position, path, format string, args ...any) {
	if !d.probs.room() {
		d.probs.more++
		return
	}
	d.probs.add(Problem{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

// delimiter picks the delimiter from the header row.
func delimiter(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	if bytes.IndexByte(line, ',') < 0 {
		if bytes.IndexByte(line, ';') >= 0 {
			return ';'
		}
		if bytes.IndexByte(line, '\t') >= 0 {
			return '\t'
		}
	}
	return ','
}

func (d *csvDecoder) decode(data []byte) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	comma := delimiter(data)
	var tooWide *csvlimit.Error
	if errors.As(csvlimit.Check(data, byte(comma), csvlimit.MaxFields), &tooWide) {
		d.add(Position{Line: tooWide.Line, Column: 1}, "", "more than %d fields in one record: not a roster", tooWide.Max)
		return
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		d.add(Position{}, "", "the file is empty: a roster CSV starts with a header row (id, name, email, stakeholders, from, until)")
		return
	}
	if err != nil {
		d.syntax(err)
		return
	}
	cols := make([]csvField, len(header)) // csvFields: skip
	seen := [csvFields]int{-1, -1, -1, -1, -1, -1}
	ignore := map[string]bool{}
	for _, h := range d.opt.IgnoreColumns {
		ignore[normalHeader(h)] = true
	}
	for i, h := range header {
		line, col := cr.FieldPos(i)
		pos := Position{Line: line, Column: col}
		n := normalHeader(h)
		f, ok := csvHeaders[n]
		switch {
		case ignore[n]:
			cols[i] = csvFields
		case !ok:
			cols[i] = csvFields
			d.add(pos, "", "unknown column %s: the columns are id, name, email, stakeholders, from and until (or skip it with IgnoreColumns)", quoteValue(h))
		case seen[f] >= 0:
			cols[i] = csvFields
			d.add(pos, "", "column %s is column %s again (column %d)", quoteValue(h), csvFieldNames[f], seen[f]+1)
		default:
			cols[i], seen[f] = f, i
		}
	}
	if seen[csvID] < 0 {
		d.add(Position{Line: 1, Column: 1}, "", "no id column: a roster CSV needs one (id, employee id, user id, ...)")
		return
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			d.syntax(err)
			return
		}
		if blank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		k := len(d.roster.People)
		path := idx("people", k)
		var p Person
		var pos [csvFields + 1]Position
		pos[csvFields] = Position{Line: line, Column: 1}
		if len(rec) > len(header) {
			l, c := cr.FieldPos(len(header))
			d.add(Position{Line: l, Column: c}, path, "the row has %d cells, the header %d", len(rec), len(header))
		}
		for i, cell := range rec[:min(len(rec), len(header))] {
			f := cols[i]
			if f == csvFields {
				continue
			}
			l, c := cr.FieldPos(i)
			at := Position{Line: l, Column: c}
			pos[f] = at
			cell = strings.TrimSpace(cell)
			switch f {
			case csvID:
				p.ID = cell
			case csvName:
				p.Name = cell
			case csvEmail:
				p.Email = cell
			case csvStakeholders:
				p.Stakeholders = d.stakeholders(cell, at, path+".stakeholders")
			case csvFrom, csvUntil:
				if cell == "" {
					continue
				}
				date, err := ParseDate(cell)
				if err != nil {
					d.add(at, path+"."+csvFieldNames[f], "%s is not a date: write YYYY-MM-DD", quoteValue(cell))
				} else if f == csvFrom {
					p.From = date
				} else {
					p.Until = date
				}
			}
		}
		d.roster.People = append(d.roster.People, p)
		d.pos = append(d.pos, pos)
	}
}

// stakeholders splits a stakeholders cell and maps its groups, if the
// options give a mapping.
func (d *csvDecoder) stakeholders(cell string, at Position, path string) []string {
	if cell == "" {
		return nil
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == ';' || r == ',' })
	var out []string
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if d.opt.Groups == nil {
			out = append(out, part)
			continue
		}
		ids, ok := d.opt.Groups.Groups[part]
		if !ok {
			d.add(at, path, "group %s is not in the group mapping", quoteValue(part))
			continue
		}
		for _, id := range ids {
			if indexOf(out, id) < 0 {
				out = append(out, id)
			}
		}
	}
	return out
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// syntax reports a CSV syntax error.
func (d *csvDecoder) syntax(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		d.add(Position{Line: pe.Line, Column: pe.Column}, "", "CSV: %v (decoding stops here)", pe.Err)
		return
	}
	d.add(Position{}, "", "CSV: %v", err)
}

// finish validates the roster decoded and returns it, with every problem
// located.
func (d *csvDecoder) finish() (Roster, error) {
	var vp problems
	plan := d.opt.Plan
	if d.opt.Groups != nil && plan != nil {
		d.opt.Groups.check(&vp, plan)
		for _, p := range vp.list {
			d.add(d.opt.Groups.pos[p.Path], "groups mapping: "+p.Path, "%s", p.Message)
		}
		vp = problems{}
		plan = nil // the stakeholders come from the mapping, checked here
	}
	d.roster.check(&vp, plan)
	for _, p := range vp.list {
		if p.Path == "id" {
			p.Path = "roster id"
		}
		d.add(d.position(p.Path), p.Path, "%s", p.Message)
	}
	d.probs.more += vp.more
	if len(d.probs.list) == 0 && d.probs.more == 0 {
		return d.roster, nil
	}
	return d.roster, &RosterError{File: d.opt.Name, Problems: d.probs.sorted()}
}

// position finds the cell of a path people[k].field..., or its row.
func (d *csvDecoder) position(path string) Position {
	k, field, ok := personPath(path)
	if !ok || k >= len(d.pos) {
		return Position{}
	}
	for f, name := range csvFieldNames {
		if field == name && d.pos[k][f].IsValid() {
			return d.pos[k][f]
		}
	}
	return d.pos[k][csvFields]
}

// personPath splits "people[12].email..." into 12 and "email".
func personPath(path string) (k int, field string, ok bool) {
	rest, ok := strings.CutPrefix(path, "people[")
	if !ok {
		return 0, "", false
	}
	num, rest, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, "", false
	}
	k, err := strconv.Atoi(num)
	if err != nil || k < 0 {
		return 0, "", false
	}
	rest = strings.TrimPrefix(rest, ".")
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		rest = rest[:i]
	}
	return k, rest, true
}
