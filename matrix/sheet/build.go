package sheet

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/ismscomms/ismscomms/comms"
)

// MaxElements is the most stakeholders, the most channels and the most
// roles a sheet may make (each; the activities are at most [MaxRows]). A
// sheet that names more is refused with [ErrTooLarge], at the cell where
// the limit was passed.
const MaxElements = 2000

// maxStrayCells is how many cells outside the matrix's columns are each
// a problem of their own; the others are counted, a problem a column.
const maxStrayCells = 100

// builder makes a plan of a grid.
type builder struct {
	g    *grid
	opts Options
	res  *Result
	plan comms.Plan

	header int          // index in g.rows of the header row
	col    [nFields]int // 0-based column of each field; -1: missing
	// more holds, for each field, the further columns headed as it (a
	// "Stakeholders" column next to "Audience"), in order: a list's
	// cells are merged into its list, and so are the notes'; any other
	// field's cell is a problem (see readMore).
	more [nFields][]int
	// once are the further columns of the fields an activity has one of
	// (its name, key message and timing), in the order of the sheet.
	once []fieldColumn
	// headed reports, for each column of the header row, whether it has
	// a heading: a cell under no heading is outside the matrix.
	headed []bool
	// numbered: every activity's name starts with its row number, in
	// order (1., 2., 3., …), which is left out.
	numbered bool

	start    comms.Date
	startWhy string
	current  string // the ID of the activity being read

	// merged maps a cell (row, 0-based column) that a merged range
	// covers, other than its first, to the range.
	merged map[[2]int]string

	stakeholders, channels, roles, activities *idSet
	// rows[i] is the row of activity i.
	rows []int
	// firstRow maps an element ("stakeholders[3]") to the row that
	// made it.
	firstRow map[string]int
	// pending are activity triggers to resolve by name.
	pending []pendingRef

	comments map[string][]string // inferred values, by path
	heads    map[string][]string // problems, by the path of an activity

	// strays counts the cells outside the matrix's columns; those after
	// the first maxStrayCells are counted by column.
	strays    int
	strayCols map[int]*strayColumn

	// size bounds the plan file made so far; err is set, and the sheet
	// refused, when it passes a limit (or an element limit is passed).
	size size
	err  error

	seen map[string]int // list's (an ID's position), kept from cell to cell
}

type pendingRef struct {
	activity int
	name     string
}

type strayColumn struct{ n, first, last int }

type fieldColumn struct {
	f field
	c int // 0-based
}

// idSet gives elements IDs made from their names, the same for the same
// name (ignoring case) and unique.
type idSet struct {
	byKey map[string]int
	// byFold maps a name's letters and digits, in lower case, to the
	// first element whose name has them: a near-duplicate ("R&D", "R-D")
	// is told about.
	byFold map[string]int
	used   map[string]bool
	// at maps an ID to the element that has it.
	at map[string]int
	// next is, for each base, the suffix to try first: many names making
	// one slug cost one probe each, not one per name made before.
	next map[string]int
	fall string
	// probes counts the IDs tried (for the tests).
	probes int
}

func newIDSet(fallback string) *idSet {
	return &idSet{byKey: map[string]int{}, byFold: map[string]int{}, used: map[string]bool{}, at: map[string]int{},
		next: map[string]int{}, fall: fallback}
}

// unique returns base, or base-N with the first N from from on that no
// element has, and marks it used.
func (s *idSet) unique(base string, from int) string {
	id := base
	s.probes++
	if s.used[id] {
		n := max(s.next[base], from)
		for {
			id = base + "-" + strconv.Itoa(n)
			s.probes++
			n++
			if !s.used[id] {
				break
			}
		}
		s.next[base] = n
	}
	s.used[id] = true
	return id
}

// id returns the position of name's element, and whether it is new with
// the ID it gets.
func (s *idSet) id(name string, next int) (pos int, id string, isNew bool) {
	key := strings.ToLower(name)
	if i, ok := s.byKey[key]; ok {
		return i, "", false
	}
	base := s.base(name, next)
	id = s.unique(base, 2)
	s.byKey[key] = next
	s.at[id] = next
	return next, id, true
}

// base is the ID name makes before it is made unique.
func (s *idSet) base(name string, next int) string {
	if base := slug(name, 60); base != "" {
		return base
	}
	return s.fall + "-" + strconv.Itoa(next+1)
}

// lookalike returns the element, other than pos, whose name has the same
// letters and digits as name (case, accents, spaces and punctuation
// aside), and records name's as pos's when it is the first.
func (s *idSet) lookalike(name string, pos int) (int, bool) {
	f := fold(name)
	if f == "" {
		return 0, false
	}
	if i, ok := s.byFold[f]; ok && i != pos {
		return i, true
	}
	s.byFold[f] = pos
	return 0, false
}

// fold is a name's letters and digits in lower case, without accents.
func fold(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func build(g *grid, name string, opts Options) (*Result, error) {
	b := &builder{
		g: g, opts: opts, res: &Result{Sheet: g.sheet},
		stakeholders: newIDSet("stakeholder"), channels: newIDSet("channel"),
		roles: newIDSet("role"), activities: newIDSet("row"),
		comments: map[string][]string{}, heads: map[string][]string{},
		firstRow: map[string]int{}, strayCols: map[int]*strayColumn{},
	}
	b.start, b.startWhy = opts.Start, "the spreadsheet gives no start: the default, the first Monday of next month"
	if !b.start.IsZero() {
		b.startWhy = "the start date given"
	} else {
		b.start = defaultStart(opts.Now)
	}
	b.readProblems()
	if err := b.findHeader(); err != nil {
		return nil, err
	}
	b.planHeader(name)
	b.applyMerges()
	b.numbered = b.rowsNumbered()
	for _, row := range g.rows[b.header+1:] {
		i := b.readRow(row)
		b.strayCells(row, i)
		if b.err != nil {
			return nil, b.err
		}
	}
	b.unreadCells()
	b.hiddenCells()
	b.strayColumns()
	b.resolve()
	if b.err != nil {
		return nil, b.err
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	if err := b.encodeAndCheck(); err != nil {
		return nil, err
	}
	b.res.Header = g.rows[b.header].n
	return b.res, nil
}

// findHeader finds the header row and maps its columns; the rows above it
// are titles, listed as ignored.
func (b *builder) findHeader() error {
	for i, row := range b.g.rows {
		if i == maxHeaderRow {
			break
		}
		if headerFields(row.cells) < 2 {
			continue
		}
		b.header = i
		for f := range b.col {
			b.col[f] = -1
		}
		b.headed = make([]bool, len(row.cells))
		for j, c := range row.cells {
			text, _ := clean(c, false)
			f, ok := headers[headerKey(c)]
			b.headed[j] = text != ""
			switch {
			case text == "":
			case !ok:
				b.res.Ignored = append(b.res.Ignored, Column{Sheet: b.g.sheet, Index: j + 1, Header: text, Why: "not a column of the communication matrix"})
			case b.col[f] >= 0:
				// Read with the first: its cells are the field's data.
				b.more[f] = append(b.more[f], j)
				if f == fActivity || f == fMessage || f == fTiming {
					b.once = append(b.once, fieldColumn{f, j})
				}
			default:
				b.col[f] = j
			}
		}
		for _, title := range b.g.rows[:i] {
			b.titleRow(title, row.n)
		}
		for f := fActivity; f < fNotes; f++ {
			if b.col[f] < 0 {
				b.problem(row.n, 0, "", fmt.Sprintf("no %q column: %s", fieldNames[f], missingEffect[f]))
			}
		}
		return nil
	}
	return fmt.Errorf("%w: none of the first ten rows of sheet %q names two of the matrix's columns (%s)%s", ErrNoHeader, b.g.sheet, strings.Join(fieldNames[:fNotes], ", "), b.g.sheetsNote())
}

// maxHeaderRow is how many rows, from the first non-empty one, are
// searched for the header row.
const maxHeaderRow = 10

// headerFields counts the matrix's fields that cells name as headings,
// each once: a row that names two is the header row.
func headerFields(cells []string) int {
	var seen [nFields]bool
	n := 0
	for _, c := range cells {
		if f, ok := headers[headerKey(c)]; ok && !seen[f] {
			seen[f] = true
			n++
		}
	}
	return n
}

// fieldOf returns the field whose data column c (0-based) holds: its
// first column or a further one.
func (b *builder) fieldOf(c int) (field, bool) {
	for f := range nFields {
		if c >= 0 && (b.col[f] == c || slices.Contains(b.more[f], c)) {
			return f, true
		}
	}
	return 0, false
}

// secondColumn says where a further column of field f is.
func (b *builder) secondColumn(f field, c int) string {
	return fmt.Sprintf("column %s is a second %q column (the first is %s)", colName(c+1), fieldNames[f], colName(b.col[f]+1))
}

// titleRow lists a row above the header (a title, a date, a version) as
// ignored: its first cell's column and its text.
func (b *builder) titleRow(row gridRow, header int) {
	var texts []string
	first, n := 0, 0
	for j, c := range row.cells {
		text, _ := clean(c, false)
		if text == "" {
			continue
		}
		if n == 0 {
			first = j + 1
		}
		n++
		if len(texts) < 3 {
			texts = append(texts, shorten(text, 80))
		}
	}
	if n == 0 {
		return // blank but for what clean removes
	}
	why := fmt.Sprintf("a row above the header row (row %d): a title, not read", header)
	if n > 1 {
		why = fmt.Sprintf("a row of %d cells above the header row (row %d), not read", n, header)
	}
	text := strings.Join(texts, " | ")
	if n > len(texts) {
		text += " | …"
	}
	b.res.Ignored = append(b.res.Ignored, Column{Sheet: b.g.sheet, Row: row.n, Index: first, Header: text, Why: why})
}

// shorten cuts s to at most n runes, the last of them "…" when it was cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// strayCells reports each non-empty cell of row outside the matrix's
// columns (under no heading, or past the header's last): its meaning is
// unknown, so it is a problem, not a column ignored. activity is the
// activity the row made, or -1.
func (b *builder) strayCells(row gridRow, activity int) {
	path := ""
	if activity >= 0 {
		path = "activities[" + strconv.Itoa(activity) + "]"
	}
	for j, c := range row.cells {
		if j < len(b.headed) && b.headed[j] || strings.TrimSpace(c) == "" {
			continue
		}
		// Past the first maxStrayCells a cell is only counted: cleaning
		// each would cost a pass over text a shared string may repeat
		// in every cell.
		if b.strays >= maxStrayCells {
			b.strays++
			sc := b.strayCols[j]
			if sc == nil {
				sc = &strayColumn{first: row.n}
				b.strayCols[j] = sc
			}
			sc.n++
			sc.last = row.n
			continue
		}
		// Its start is all the message quotes.
		text, _ := clean(c[:min(len(c), 1024)], false)
		if text == "" {
			continue // blank but for what clean removes
		}
		b.strays++
		where := fmt.Sprintf("column %s has no heading", colName(j+1))
		if j >= len(b.headed) {
			where = fmt.Sprintf("past the header row's last column (%s)", colName(len(b.headed)))
		}
		b.problem(row.n, j+1, path, fmt.Sprintf("%q is outside the matrix's columns (%s), so it is not read: head the column (Notes keeps it as the activity's notes) or move the text",
			shorten(text, 80), where))
	}
}

// strayColumns reports the cells outside the matrix's columns past the
// first maxStrayCells, a problem a column.
func (b *builder) strayColumns() {
	for j := 0; j < MaxColumns && len(b.strayCols) > 0; j++ {
		sc := b.strayCols[j]
		if sc == nil {
			continue
		}
		delete(b.strayCols, j)
		b.problem(sc.first, j+1, "", fmt.Sprintf("%d more cells outside the matrix's columns in column %s (rows %d to %d), not read", sc.n, colName(j+1), sc.first, sc.last))
	}
}

var missingEffect = [nFields]string{
	fActivity: "the activities are named after their rows",
	fMessage:  "the activities have no key message",
	fAudience: "the activities have no audience",
	fMethod:   "the activities have no channel",
	fTiming:   "the activities have no timing",
	fOwner:    "the activities have no owner",
}

func (b *builder) planHeader(name string) {
	b.plan.Format = comms.Format
	b.plan.ID = b.opts.ID
	if b.plan.ID == "" {
		base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		b.plan.ID = slug(base, 60)
		why := fmt.Sprintf("made from the file name %q", filepath.Base(name))
		if b.plan.ID == "" || name == "" {
			b.plan.ID, why = "imported", "no ID given and no file name to make one of"
		}
		b.infer(0, 0, "id", b.plan.ID, why)
	}
	b.plan.TimeZone = b.opts.TimeZone
	if b.plan.TimeZone == "" {
		b.infer(0, 0, "timezone", "UTC", "no time zone given: the plan's times are UTC until a timezone field names the organization's zone")
	}
	// The file's head comment, the plan's fields and the keys of its
	// lists.
	s := commentSize("", "Imported by ismscomms import from sheet "+strconv.Quote(b.g.sheet)+".")
	s.add(size{bytes: 300, nodes: 12})
	b.spend(0, 0, s)
	for _, key := range []string{"format", "id", "timezone", "roles", "stakeholders", "channels", "activities"} {
		b.spend(0, 0, keySize(key))
	}
	b.spendValue(0, 0, "", []string{b.plan.Format, b.plan.ID, b.plan.TimeZone})
}

// applyMerges copies the value of each merged range's first cell to the
// other cells it covers, in the rows after the header and the matrix's
// columns, and remembers which they are. A range that starts on or above
// the header row and reaches below it is not copied (its first cell is a
// title or a heading, not a value of the rows below: A1:XFD1048576 would
// make every cell the title): it is a problem to review.
func (b *builder) applyMerges() {
	if len(b.g.merged) == 0 {
		return
	}
	b.merged = map[[2]int]string{}
	byNumber := make(map[int]int, len(b.g.rows))
	for i, r := range b.g.rows {
		byNumber[r.n] = i
	}
	headerRow := b.g.rows[b.header].n
	for _, m := range b.g.merged {
		value := ""
		if i, ok := byNumber[m.row1]; ok && m.col1-1 < len(b.g.rows[i].cells) {
			value = b.g.rows[i].cells[m.col1-1]
		}
		if strings.TrimSpace(value) == "" || m.row2 <= headerRow {
			continue
		}
		covers := slices.ContainsFunc(b.col[:], func(c int) bool { return c >= 0 && c+1 >= m.col1 && c+1 <= m.col2 })
		if m.row1 <= headerRow {
			if covers {
				b.problem(m.row1, m.col1, "", fmt.Sprintf("the merged range %s starts on or above the header row (%d) and reaches below it: its value is not copied to the rows below; unmerge it", m.ref, headerRow))
			}
			continue
		}
		// The rows the range covers that the grid holds: a range is at
		// most as tall as the sheet, so walk the grid's rows, not the
		// range's.
		for i := b.header + 1; i < len(b.g.rows); i++ {
			r := &b.g.rows[i]
			if r.n < m.row1 || r.n > m.row2 {
				continue
			}
			for _, c := range b.col {
				if c < 0 || c+1 < m.col1 || c+1 > m.col2 || r.n == m.row1 && c+1 == m.col1 {
					continue
				}
				for len(r.cells) <= c {
					r.cells = append(r.cells, "")
				}
				r.cells[c] = value
				b.merged[[2]int{r.n, c}] = m.ref
			}
		}
	}
	// A range that spans rows may cover rows that were blank, which the
	// grid left out: they stay out (a blank row is skipped).
}

// cell returns the cleaned text of field f's (first) column in row, reporting what clean
// removed, and noting a value carried from a merged range.
func (b *builder) cell(row gridRow, f field, multi bool, path string) string {
	return b.cellAt(row, b.col[f], multi, path)
}

// cellAt is cell for column c (0-based; -1 for none).
func (b *builder) cellAt(row gridRow, c int, multi bool, path string) string {
	if c < 0 || c >= len(row.cells) {
		return ""
	}
	text, problem := clean(row.cells[c], multi)
	if problem != "" {
		b.problem(row.n, c+1, path, problem)
	}
	if ref, ok := b.merged[[2]int{row.n, c}]; ok && text != "" {
		b.infer(row.n, c+1, path, text, fmt.Sprintf("the cell is part of the merged range %s, whose value applies to each cell it covers", ref))
	}
	return text
}

// activityRow reports whether row holds a cell of the matrix's columns
// (a field's first or a further one):
// a row of other columns only is not an activity.
func (b *builder) activityRow(row gridRow) bool {
	for f, c := range b.col {
		if c >= 0 && c < len(row.cells) && strings.TrimSpace(row.cells[c]) != "" {
			return true
		}
		for _, c := range b.more[f] {
			if c < len(row.cells) && strings.TrimSpace(row.cells[c]) != "" {
				return true
			}
		}
	}
	return false
}

// rowsNumbered reports whether the activities' names are numbered as a
// spreadsheet numbers its rows: at least two, each name starting with a
// number ("1. ", "2) ", "3 - "), the numbers counting up by one. Only then
// are the numbers left out of the names: "1. Kickoff" alone, or among
// names without numbers, is a name.
func (b *builder) rowsNumbered() bool {
	if b.col[fActivity] < 0 {
		return false
	}
	n, last := 0, 0
	for _, row := range b.g.rows[b.header+1:] {
		if !b.activityRow(row) {
			continue
		}
		c := b.col[fActivity]
		if c >= len(row.cells) {
			return false
		}
		name, _ := clean(row.cells[c], false)
		_, num, ok := rowNumber(name)
		if !ok || n > 0 && num != last+1 {
			return false
		}
		n, last = n+1, num
	}
	return n >= 2
}

// readRow reads a row of the matrix as an activity and returns its index,
// or -1 for a row of other columns only.
func (b *builder) readRow(row gridRow) int {
	if !b.activityRow(row) {
		return -1
	}
	i := len(b.plan.Activities)
	p := "activities[" + strconv.Itoa(i) + "]"
	a := comms.Activity{}
	nameCol := b.col[fActivity] + 1

	name := b.cell(row, fActivity, false, p+".name")
	if b.numbered {
		stripped, num, _ := rowNumber(name)
		b.infer(row.n, nameCol, p+".name", stripped, fmt.Sprintf("the row number %d left out of the name, as every activity's name starts with its number", num))
		name = stripped
	}
	_, id, isNew := b.activities.id(name, i)
	switch {
	case name == "":
		id = b.activities.unique("row-"+strconv.Itoa(row.n), 2)
		if b.col[fActivity] >= 0 {
			b.problem(row.n, nameCol, p+".name", "empty: the activity has no name (its ID is "+id+")")
		}
	case !isNew:
		// The same name twice: a second activity of its own.
		id = b.activities.unique(b.activities.base(name, i), 2)
	}
	if base := b.activities.base(name, i); name != "" && id != base {
		why := fmt.Sprintf("the ID %s that the name makes is taken", base)
		if j, ok := b.activities.at[base]; ok && j < len(b.plan.Activities) {
			other := b.plan.Activities[j]
			why = fmt.Sprintf("the ID %s that the name makes is the activity's of row %d (%q)", base, b.rows[j], other.Name)
			if strings.EqualFold(other.Name, name) {
				why = fmt.Sprintf("a second activity named %q (the first is row %d, %s)", name, b.rows[j], base)
			}
		}
		b.infer(row.n, nameCol, p+".id", id, why+": a suffix makes this one's ID unique")
	}
	b.activities.at[id] = i
	a.ID, a.Name = id, name
	b.current = id
	b.rows = append(b.rows, row.n)

	a.What.Message = b.cell(row, fMessage, true, p+".what.message")
	if a.What.Message == "" && b.col[fMessage] >= 0 {
		b.problem(row.n, b.col[fMessage]+1, p+".what.message", "empty: the activity has no key message")
	}
	if topic, ok := topicOf(name, a.What.Message); ok {
		a.What.Topic = topic
		b.infer(row.n, nameCol, p+".what.topic", string(topic), "from the words of the activity's name and key message")
	} else {
		b.problem(row.n, max(b.col[fActivity], b.col[fMessage])+1, p+".what.topic",
			"no topic could be read from the name and key message: set what.topic (policy, awareness, incident, …)")
	}

	a.Whom = b.list(row, fAudience, p+".whom", b.stakeholder)
	a.How = b.list(row, fMethod, p+".how", b.channel)
	owners := b.list(row, fOwner, p+".owner", b.role)
	if b.err != nil {
		return -1
	}
	if len(owners) > 0 {
		a.Owner = owners[0]
		a.Support = owners[1:]
		if len(owners) > 1 {
			b.infer(row.n, b.col[fOwner]+1, p+".support", strings.Join(a.Support, ", "), "the first responsible party is the owner, the others support")
		}
	}
	a.Notes = b.cell(row, fNotes, true, p+".notes")
	a.Notes = b.moreNotes(row, p+".notes", a.Notes)
	b.readOnce(row, p)

	if b.col[fTiming] >= 0 {
		text := b.cell(row, fTiming, false, p+".when")
		t := b.readTiming(text, a.What.Topic)
		col := b.col[fTiming] + 1
		if t.problem != "" {
			b.problem(row.n, col, p+".when", t.problem)
		} else {
			a.When = t.when
			b.keepTiming(row.n, col, p, a.What.Topic, t)
			if t.activity != "" {
				b.pending = append(b.pending, pendingRef{activity: i, name: t.activity})
				// The trigger resolve sets: "activity:" and an ID.
				b.spend(row.n, col, textSize(comms.ActivityTriggerPrefix+strings.Repeat("x", 64)))
			}
		}
	}
	b.spendValue(row.n, nameCol, "", a)
	b.plan.Activities = append(b.plan.Activities, a)
	return i
}

// list reads the list cells of field f in row, its first column's and
// then each further one's (a "Stakeholders" column next to "Audience"),
// making each item an element through add. A name is listed once, however
// many cells name it; the names of a further column's cell are an
// inference at that cell.
func (b *builder) list(row gridRow, f field, path string, add func(name string, row, col int) (id, earlier string)) []string {
	if b.col[f] < 0 {
		return nil
	}
	var ids []string
	read := false
	for k, c := range append([]int{b.col[f]}, b.more[f]...) {
		text := b.cellAt(row, c, true, path)
		if text == "" {
			continue
		}
		read = true
		before := len(ids)
		ids = b.listCell(row.n, c, path, text, ids, add)
		if b.err != nil {
			return nil
		}
		if k > 0 {
			added, at := ids[before:], path
			switch {
			case len(added) == 0:
				b.infer(row.n, c+1, path, shorten(oneLineText(text), 80), b.secondColumn(f, c)+": the names it holds are the activity's already")
				continue
			case f == fOwner && before > 0:
				at = strings.TrimSuffix(path, ".owner") + ".support" // the owner is the first column's
			}
			b.infer(row.n, c+1, at, strings.Join(added, ", "), b.secondColumn(f, c)+": its names are added to the activity's "+listNoun[f])
		}
	}
	if !read {
		b.problem(row.n, b.col[f]+1, path, "empty: "+map[field]string{fAudience: "the activity has no audience", fMethod: "the activity has no channel", fOwner: "the activity has no owner"}[f])
		return nil
	}
	return ids
}

// listNoun names what a list field's names are of an activity.
var listNoun = map[field]string{fAudience: "audience", fMethod: "channels", fOwner: "owner and support"}

// listCell reads the list cell text of column c (0-based), appending to
// ids the IDs of the names it holds that ids does not hold yet.
func (b *builder) listCell(row, c int, path, text string, ids []string, add func(name string, row, col int) (id, earlier string)) []string {
	col := c + 1
	items, and := splitList(text)
	before := len(ids)
	var seen map[string]int // for a long list; a short one is searched
	if len(ids)+len(items) > 8 {
		if b.seen == nil {
			b.seen = make(map[string]int, len(ids)+len(items))
		}
		seen = b.seen
		clear(seen)
		for i, id := range ids {
			seen[id] = i
		}
	}
	twice, first := 0, ""
	again := ""
	for _, item := range items {
		id, earlier := add(item, row, col)
		if b.err != nil {
			return nil
		}
		if earlier != "" && earlier != item {
			b.infer(row, col, path, id, fmt.Sprintf("%q is %q (%s) in another case: one element", item, earlier, id))
		}
		at, dup := -1, false
		if seen != nil {
			at, dup = seen[id]
		} else if at = slices.Index(ids, id); at >= 0 {
			dup = true
		}
		if dup {
			switch {
			case at >= before && twice == 0:
				twice, first = 1, item
			case at >= before:
				twice++
			case again == "":
				again = item
			}
			continue
		}
		if seen != nil {
			seen[id] = len(ids)
		}
		ids = append(ids, id)
	}
	if twice > 0 {
		why := fmt.Sprintf("%q is named twice in the cell (ignoring case): the activity lists it once", first)
		if twice > 1 {
			why = fmt.Sprintf("%d names are named twice in the cell (ignoring case), the first %q: the activity lists each once", twice, first)
		}
		b.infer(row, col, path, strings.Join(ids, ", "), why)
	}
	if again != "" {
		b.infer(row, col, path, strings.Join(ids, ", "), fmt.Sprintf("%q is named in an earlier column of the row too (ignoring case): the activity lists it once", again))
	}
	if and {
		b.infer(row, col, path, strings.Join(ids[before:], ", "), fmt.Sprintf("%q split on \"and\" into %d names; join them where one name holds the word", text, len(items)))
	}
	return ids
}

// moreNotes adds to notes, a blank line apart, the text of each further
// Notes column's cell in row ("Comments" next to "Notes"), an inference
// at that cell.
func (b *builder) moreNotes(row gridRow, path, notes string) string {
	for _, c := range b.more[fNotes] {
		text := b.cellAt(row, c, true, path)
		if text == "" {
			continue
		}
		if notes != "" {
			notes += "\n\n"
		}
		notes += text
		b.infer(row.n, c+1, path, shorten(oneLineText(text), 80), b.secondColumn(fNotes, c)+": its text is added to the activity's notes")
	}
	return notes
}

// readOnce reports each cell of a further column of a field an activity
// has one of (a name, a key message, a timing) that holds a value: it is
// not read, so it is a problem. p is the activity's path.
func (b *builder) readOnce(row gridRow, p string) {
	for _, fc := range b.once {
		path := p + fieldPaths[fc.f]
		text := b.cellAt(row, fc.c, false, path)
		if text == "" {
			continue
		}
		b.problem(row.n, fc.c+1, path, fmt.Sprintf("%q is not read: %s, and an activity has one %s; move the text into column %s (or Notes), or rename the heading",
			shorten(text, 80), b.secondColumn(fc.f, fc.c), strings.ToLower(fieldNames[fc.f]), colName(b.col[fc.f]+1)))
	}
}

// element gets name's element of set, whose elements the plan holds n
// of, under section ("stakeholders"): its position and ID, and whether
// it is new. A new one over MaxElements refuses the sheet. A name that
// is an earlier one in another case is that element, and a name that
// looks like an earlier one (the same letters and digits) is an element
// of its own: both are said, and so is an ID made unique with a suffix.
func (b *builder) element(set *idSet, n int, section, what, name string, row, col int) (pos int, id string, isNew bool) {
	pos, id, isNew = set.id(name, n)
	if !isNew {
		return pos, "", false
	}
	p := section + "[" + strconv.Itoa(pos) + "]"
	if n >= MaxElements {
		b.err = fmt.Errorf("%s: more than %d %s: %w", location(b.g.sheet, row, col), MaxElements, section, ErrTooLarge)
		return pos, id, true
	}
	b.firstRow[p] = row
	base := set.base(name, n)
	if other, ok := set.lookalike(name, pos); ok {
		op := section + "[" + strconv.Itoa(other) + "]"
		why := fmt.Sprintf("%q looks like %q (row %d), the same but for case, accents, spaces or punctuation: kept apart as a %s of its own", name, b.elementName(section, other), b.firstRow[op], what)
		if id != base {
			why += fmt.Sprintf(", whose ID %s is made unique with a suffix", base)
		}
		b.infer(row, col, p+".id", id, why+"; where they are one, write them alike")
	} else if id != base {
		b.infer(row, col, p+".id", id, fmt.Sprintf("the ID %s that %q makes is taken: a suffix makes this one's unique", base, name))
	}
	return pos, id, true
}

// elementName is the name of element i of section.
func (b *builder) elementName(section string, i int) string {
	switch section {
	case "stakeholders":
		return b.plan.Stakeholders[i].Name
	case "channels":
		return b.plan.Channels[i].Name
	case "roles":
		return b.plan.Roles[i].Name
	}
	return ""
}

// stakeholder returns the ID of name's stakeholder, made if it is new,
// and the stakeholder's name when it is an earlier one; channel and role
// do the same for channels and roles.
func (b *builder) stakeholder(name string, row, col int) (string, string) {
	pos, id, isNew := b.element(b.stakeholders, len(b.plan.Stakeholders), "stakeholders", "stakeholder", name, row, col)
	if !isNew {
		s := b.plan.Stakeholders[pos]
		return s.ID, s.Name
	}
	if b.err != nil {
		return "", ""
	}
	s := comms.Stakeholder{ID: id, Name: name}
	s.Kind, s.Scope = stakeholderOf(name)
	p := "stakeholders[" + strconv.Itoa(pos) + "]"
	if s.Kind != "" {
		b.infer(row, col, p+".kind", string(s.Kind), fmt.Sprintf("from the words of %q", name))
	} else {
		b.problem(row, col, p+".kind", fmt.Sprintf("no kind could be read from %q: set kind (employees, management, customers, suppliers, regulator, …) and scope", name))
	}
	if s.Scope != "" {
		b.infer(row, col, p+".scope", string(s.Scope), fmt.Sprintf("from the words of %q", name))
	}
	b.spendValue(row, col, "", s)
	b.plan.Stakeholders = append(b.plan.Stakeholders, s)
	return id, ""
}

func (b *builder) channel(name string, row, col int) (string, string) {
	pos, id, isNew := b.element(b.channels, len(b.plan.Channels), "channels", "channel", name, row, col)
	if !isNew {
		c := b.plan.Channels[pos]
		return c.ID, c.Name
	}
	if b.err != nil {
		return "", ""
	}
	c := comms.Channel{ID: id, Name: name}
	c.Kind, c.Reach = channelOf(name)
	p := "channels[" + strconv.Itoa(pos) + "]"
	if c.Kind != "" {
		b.infer(row, col, p+".kind", string(c.Kind), fmt.Sprintf("from the words of %q", name))
		reach := make([]string, len(c.Reach))
		for i, r := range c.Reach {
			reach[i] = string(r)
		}
		b.infer(row, col, p+".reach", strings.Join(reach, ", "), fmt.Sprintf("what a channel of kind %s reaches", c.Kind))
	} else {
		b.problem(row, col, p+".kind", fmt.Sprintf("no kind could be read from %q: set kind (email, meeting, intranet, training, report, …) and reach", name))
	}
	b.spendValue(row, col, "", c)
	b.plan.Channels = append(b.plan.Channels, c)
	return id, ""
}

func (b *builder) role(name string, row, col int) (string, string) {
	pos, id, isNew := b.element(b.roles, len(b.plan.Roles), "roles", "role", name, row, col)
	if !isNew {
		r := b.plan.Roles[pos]
		return r.ID, r.Name
	}
	if b.err != nil {
		return "", ""
	}
	r := comms.Role{ID: id, Name: name}
	b.spendValue(row, col, "", r)
	b.plan.Roles = append(b.plan.Roles, r)
	return id, ""
}

// cutUnquoted is strings.Cut at the first sep outside double quotes (a
// quote inside them escaped with a backslash, as Go's %q writes it): the
// name in `Monthly; within 3 days of "A; B" being sent` is one.
func cutUnquoted(s, sep string) (before, after string, found bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], sep):
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

// resolve sets the triggers that name another activity; one that names
// none is dropped, with what was inferred about it. The name is matched
// ignoring case and runs of space (the timing phrase is read so), as it
// is written or as a Go string's body (ismscomms matrix writes it with
// %q: "\"Quoted\" name").
func (b *builder) resolve() {
	if len(b.pending) == 0 {
		return
	}
	byName := make(map[string]string, len(b.plan.Activities))
	for i := len(b.plan.Activities) - 1; i >= 0; i-- { // the first of a name wins
		a := b.plan.Activities[i]
		byName[strings.ToLower(strings.Join(strings.Fields(a.Name), " "))] = a.ID
	}
	ids := make(map[string]bool, len(b.plan.Activities))
	for _, a := range b.plan.Activities {
		ids[a.ID] = true
	}
	for _, ref := range b.pending {
		a := &b.plan.Activities[ref.activity]
		names := []string{ref.name}
		if u, err := strconv.Unquote(`"` + ref.name + `"`); err == nil && u != ref.name {
			names = append(names, u)
		}
		target := ""
		for _, n := range names {
			if id, ok := byName[strings.ToLower(strings.Join(strings.Fields(n), " "))]; ok {
				target = id
				break
			}
			if ids[n] {
				target = n
				break
			}
		}
		if target == "" || target == a.ID {
			b.dropTiming(ref.activity, fmt.Sprintf("%q names no other activity of the sheet", ref.name))
			continue
		}
		a.When.Trigger = comms.ActivityTriggerPrefix + target
	}
}

// dropTiming leaves activity i without a timing, as a problem, and takes
// what was inferred about it out of the inferences and the file.
func (b *builder) dropTiming(i int, why string) {
	p := "activities[" + strconv.Itoa(i) + "].when"
	b.plan.Activities[i].When = comms.Timing{}
	b.problem(b.rows[i], b.col[fTiming]+1, p, why)
	for c := range b.comments {
		if c == p || strings.HasPrefix(c, p+".") {
			delete(b.comments, c)
		}
	}
	kept := b.res.Inferences[:0]
	for _, inf := range b.res.Inferences {
		if inf.Path != p && !strings.HasPrefix(inf.Path, p+".") {
			kept = append(kept, inf)
		}
	}
	b.res.Inferences = kept
}

// validate validates the plan and drops a timing that does not (an RRULE
// that does not compile): the plan written always decodes. A PlanError
// lists at most comms.MaxProblems problems, and then one without a path
// ("and N more"): each round drops every invalid timing listed, and the
// rounds go on while one is dropped, at most MaxRows/MaxProblems+2 of
// them (each drops at least one of at most MaxRows timings).
func (b *builder) validate() error {
	for {
		err := b.plan.Validate()
		if err == nil {
			return nil
		}
		var pe *comms.PlanError
		if !errors.As(err, &pe) {
			return err
		}
		dropped := 0
		for _, prob := range pe.Problems {
			if prob.Path == "" {
				continue // "and N more problems": the next round lists them
			}
			var i int
			if _, e := fmt.Sscanf(prob.Path, "activities[%d]", &i); e != nil || i < 0 || i >= len(b.plan.Activities) {
				return fmt.Errorf("the plan made does not validate: %w", err)
			}
			rest := strings.TrimPrefix(prob.Path, "activities["+strconv.Itoa(i)+"]")
			if !strings.HasPrefix(rest, ".when") {
				return fmt.Errorf("the plan made does not validate: %w", err)
			}
			if w := b.plan.Activities[i].When; w.RRule != "" || w.Trigger != "" || w.Within != "" || !w.Start.IsZero() {
				b.dropTiming(i, "the timing read does not make a valid plan: "+prob.Message)
				dropped++
			}
		}
		if dropped == 0 {
			return fmt.Errorf("the plan made does not validate: %w", err)
		}
	}
}

func (b *builder) infer(row, col int, path, value, why string) {
	why = shortenQuoted(why)
	b.res.Inferences = append(b.res.Inferences, Inference{Sheet: b.g.sheet, Row: row, Column: col, Path: path, Value: value, Why: why})
	text := "inferred: " + why
	b.comments[path] = append(b.comments[path], text)
	b.spend(row, col, commentSize(path, text))
}

func (b *builder) problem(row, col int, path, msg string) {
	msg = shortenQuoted(b.unreadWhy(row, col, msg))
	b.res.Problems = append(b.res.Problems, Problem{Sheet: b.g.sheet, Row: row, Column: col, Path: path, Message: msg})
	// A problem of an element's field goes above the element (the
	// field itself may be left out of the plan).
	key := path
	if i, j := strings.Index(key, "["), strings.Index(key, "]"); i > 0 && j > i {
		key = key[:j+1]
	}
	text := "to review: " + location(b.g.sheet, row, col) + ": " + msg
	b.heads[key] = append(b.heads[key], text)
	b.spend(row, col, commentSize(key, text))
}

// quotedMax is the longest text a message quotes from a cell, in runes.
const quotedMax = 80

// shortenQuoted cuts each Go-quoted text in msg (a cell, as the messages
// quote cells with %q) to quotedMax runes, so that a message about an 8
// KiB cell is a line, not the cell; the location says where the rest is.
func shortenQuoted(msg string) string {
	if len(msg) < quotedMax {
		return msg
	}
	var b strings.Builder
	for i := 0; i < len(msg); {
		q, err := strconv.QuotedPrefix(msg[i:])
		if err != nil || msg[i] != '"' {
			b.WriteByte(msg[i])
			i++
			continue
		}
		if text, err := strconv.Unquote(q); err == nil && utf8.RuneCountInString(text) > quotedMax {
			b.WriteString(strconv.Quote(shorten(text, quotedMax)))
		} else {
			b.WriteString(q)
		}
		i += len(q)
	}
	return b.String()
}

func colName(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}
