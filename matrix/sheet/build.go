package sheet

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ismscomms/ismscomms/comms"
)

// builder makes a plan of a grid.
type builder struct {
	g    *grid
	opts Options
	res  *Result
	plan comms.Plan

	header int          // index in g.rows of the header row
	col    [nFields]int // 0-based column of each field; -1: missing

	start    comms.Date
	startWhy string
	current  string // the ID of the activity being read

	// merged maps a cell (row, 0-based column) that a merged range
	// covers, other than its first, to the range.
	merged map[[2]int]string

	stakeholders, channels, roles, activities *idSet
	// cells[i] locates activity i: its row and each field's column.
	rows []int
	// pending are activity triggers to resolve by name.
	pending []pendingRef

	comments map[string][]string // inferred values, by path
	heads    map[string][]string // problems, by the path of an activity
}

type pendingRef struct {
	activity int
	name     string
}

// idSet gives elements IDs made from their names, the same for the same
// name (ignoring case and space) and unique.
type idSet struct {
	byKey map[string]int
	used  map[string]bool
	// next is, for each base, the suffix to try first: many names making
	// one slug cost one probe each, not one per name made before.
	next map[string]int
	fall string
	// probes counts the IDs tried (for the tests).
	probes int
}

func newIDSet(fallback string) *idSet {
	return &idSet{byKey: map[string]int{}, used: map[string]bool{}, next: map[string]int{}, fall: fallback}
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
	base := slug(name, 60)
	if base == "" {
		base = s.fall + "-" + strconv.Itoa(next+1)
	}
	id = s.unique(base, 2)
	s.byKey[key] = next
	return next, id, true
}

func build(g *grid, name string, opts Options) (*Result, error) {
	b := &builder{
		g: g, opts: opts, res: &Result{Sheet: g.sheet},
		stakeholders: newIDSet("stakeholder"), channels: newIDSet("channel"),
		roles: newIDSet("role"), activities: newIDSet("row"),
		comments: map[string][]string{}, heads: map[string][]string{},
	}
	b.start, b.startWhy = opts.Start, "the start date given"
	if b.start.IsZero() {
		b.start = defaultStart(opts.Now)
		b.startWhy = "the spreadsheet gives no start: the default, the first Monday of next month"
	}
	b.readProblems()
	if err := b.findHeader(); err != nil {
		return nil, err
	}
	b.planHeader(name)
	b.applyMerges()
	for _, row := range g.rows[b.header+1:] {
		b.readRow(row)
	}
	b.unreadCells()
	b.resolve()
	if err := b.validate(); err != nil {
		return nil, err
	}
	if err := b.encodeAndCheck(); err != nil {
		return nil, err
	}
	b.res.Header = g.rows[b.header].n
	return b.res, nil
}

// findHeader finds the header row and maps its columns.
func (b *builder) findHeader() error {
	for i, row := range b.g.rows {
		if i == 10 {
			break
		}
		n := 0
		seen := map[field]bool{}
		for _, c := range row.cells {
			if f, ok := headers[headerKey(c)]; ok && !seen[f] {
				seen[f] = true
				n++
			}
		}
		if n < 2 {
			continue
		}
		b.header = i
		for f := range b.col {
			b.col[f] = -1
		}
		for j, c := range row.cells {
			text, _ := clean(c, false)
			f, ok := headers[headerKey(c)]
			switch {
			case text == "":
			case !ok:
				b.res.Ignored = append(b.res.Ignored, Column{Sheet: b.g.sheet, Index: j + 1, Header: text, Why: "not a column of the communication matrix"})
			case b.col[f] >= 0:
				b.res.Ignored = append(b.res.Ignored, Column{Sheet: b.g.sheet, Index: j + 1, Header: text,
					Why: fmt.Sprintf("a second %q column (the first is %s)", fieldNames[f], colName(b.col[f]+1))})
			default:
				b.col[f] = j
			}
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

// cell returns the cleaned text of field f in row, reporting what clean
// removed, and noting a value carried from a merged range.
func (b *builder) cell(row gridRow, f field, multi bool, path string) string {
	c := b.col[f]
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

func (b *builder) readRow(row gridRow) {
	empty := true
	for _, c := range b.col {
		if c >= 0 && c < len(row.cells) && strings.TrimSpace(row.cells[c]) != "" {
			empty = false
		}
	}
	if empty {
		return // a row of other columns only
	}
	i := len(b.plan.Activities)
	p := "activities[" + strconv.Itoa(i) + "]"
	a := comms.Activity{}

	name := b.cell(row, fActivity, false, p+".name")
	if stripped, num := stripNumbering(name); num != "" {
		b.infer(row.n, b.col[fActivity]+1, p+".name", stripped, fmt.Sprintf("the row number %q left out of the name", num))
		name = stripped
	}
	_, id, _ := b.activities.id(name, i)
	if name == "" {
		id = b.activities.unique("row-"+strconv.Itoa(row.n), 2)
		if b.col[fActivity] >= 0 {
			b.problem(row.n, b.col[fActivity]+1, p+".name", "empty: the activity has no name (its ID is "+id+")")
		}
	} else if id == "" {
		// The same name twice: a second activity of its own.
		base := slug(name, 60)
		if base == "" {
			base = "row"
		}
		id = b.activities.unique(base, 2)
	}
	a.ID, a.Name = id, name
	b.current = id
	b.rows = append(b.rows, row.n)

	a.What.Message = b.cell(row, fMessage, true, p+".what.message")
	if a.What.Message == "" && b.col[fMessage] >= 0 {
		b.problem(row.n, b.col[fMessage]+1, p+".what.message", "empty: the activity has no key message")
	}
	if topic, ok := topicOf(name, a.What.Message); ok {
		a.What.Topic = topic
		b.infer(row.n, b.col[fActivity]+1, p+".what.topic", string(topic), "from the words of the activity's name and key message")
	} else {
		b.problem(row.n, max(b.col[fActivity], b.col[fMessage])+1, p+".what.topic",
			"no topic could be read from the name and key message: set what.topic (policy, awareness, incident, …)")
	}

	a.Whom = b.list(row, fAudience, p+".whom", b.stakeholder)
	a.How = b.list(row, fMethod, p+".how", b.channel)
	owners := b.list(row, fOwner, p+".owner", b.role)
	if len(owners) > 0 {
		a.Owner = owners[0]
		a.Support = owners[1:]
		if len(owners) > 1 {
			b.infer(row.n, b.col[fOwner]+1, p+".support", strings.Join(a.Support, ", "), "the first responsible party is the owner, the others support")
		}
	}
	a.Notes = b.cell(row, fNotes, true, p+".notes")

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
			}
		}
	}
	b.plan.Activities = append(b.plan.Activities, a)
}

// list reads a list cell, making each item an element through add.
func (b *builder) list(row gridRow, f field, path string, add func(name string, row, col int) string) []string {
	text := b.cell(row, f, false, path)
	if b.col[f] < 0 {
		return nil
	}
	col := b.col[f] + 1
	if text == "" {
		b.problem(row.n, col, path, "empty: "+map[field]string{fAudience: "the activity has no audience", fMethod: "the activity has no channel", fOwner: "the activity has no owner"}[f])
		return nil
	}
	items, and := splitList(text)
	var ids []string
	for _, item := range items {
		id := add(item, row.n, col)
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if and {
		b.infer(row.n, col, path, strings.Join(ids, ", "), fmt.Sprintf("%q split on \"and\" into %d names; join them where one name holds the word", text, len(items)))
	}
	return ids
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (b *builder) stakeholder(name string, row, col int) string {
	pos, id, isNew := b.stakeholders.id(name, len(b.plan.Stakeholders))
	if !isNew {
		return b.plan.Stakeholders[pos].ID
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
	b.plan.Stakeholders = append(b.plan.Stakeholders, s)
	return id
}

func (b *builder) channel(name string, row, col int) string {
	pos, id, isNew := b.channels.id(name, len(b.plan.Channels))
	if !isNew {
		return b.plan.Channels[pos].ID
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
	b.plan.Channels = append(b.plan.Channels, c)
	return id
}

func (b *builder) role(name string, row, col int) string {
	pos, id, isNew := b.roles.id(name, len(b.plan.Roles))
	if !isNew {
		return b.plan.Roles[pos].ID
	}
	b.plan.Roles = append(b.plan.Roles, comms.Role{ID: id, Name: name})
	_ = pos
	return id
}

// resolve sets the triggers that name another activity.
func (b *builder) resolve() {
	for _, ref := range b.pending {
		a := &b.plan.Activities[ref.activity]
		p := "activities[" + strconv.Itoa(ref.activity) + "].when"
		target := ""
		for _, other := range b.plan.Activities {
			if strings.EqualFold(other.Name, ref.name) || other.ID == ref.name {
				target = other.ID
				break
			}
		}
		if target == "" || target == a.ID {
			b.problem(b.rows[ref.activity], b.col[fTiming]+1, p, fmt.Sprintf("%q names no other activity of the sheet", ref.name))
			a.When = comms.Timing{}
			continue
		}
		a.When.Trigger = comms.ActivityTriggerPrefix + target
	}
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
		dropped := map[string]bool{}
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
				b.plan.Activities[i].When = comms.Timing{}
				p := "activities[" + strconv.Itoa(i) + "].when"
				b.problem(b.rows[i], b.col[fTiming]+1, p, "the timing read does not make a valid plan: "+prob.Message)
				for _, f := range []string{".rrule", ".start", ".until", ".trigger", ".within"} {
					delete(b.comments, p+f)
				}
				dropped[p] = true
			}
		}
		b.dropInferences(dropped)
		if len(dropped) == 0 {
			return fmt.Errorf("the plan made does not validate: %w", err)
		}
	}
}

// dropInferences removes the inferences about the timings dropped (by
// their paths, "activities[3].when") and what is below them.
func (b *builder) dropInferences(dropped map[string]bool) {
	if len(dropped) == 0 {
		return
	}
	kept := b.res.Inferences[:0]
	for _, inf := range b.res.Inferences {
		p := inf.Path
		if i := strings.Index(p, ".when"); i >= 0 {
			p = p[:i+len(".when")]
		}
		if !dropped[p] {
			kept = append(kept, inf)
		}
	}
	b.res.Inferences = kept
}

func (b *builder) infer(row, col int, path, value, why string) {
	b.res.Inferences = append(b.res.Inferences, Inference{Sheet: b.g.sheet, Row: row, Column: col, Path: path, Value: value, Why: why})
	b.comments[path] = append(b.comments[path], "inferred: "+why)
}

func (b *builder) problem(row, col int, path, msg string) {
	msg = b.unreadWhy(row, col, msg)
	b.res.Problems = append(b.res.Problems, Problem{Sheet: b.g.sheet, Row: row, Column: col, Path: path, Message: msg})
	// A problem of an element's field goes above the element (the
	// field itself may be left out of the plan).
	key := path
	if i, j := strings.Index(key, "["), strings.Index(key, "]"); i > 0 && j > i {
		key = key[:j+1]
	}
	b.heads[key] = append(b.heads[key], "to review: "+location(b.g.sheet, row, col)+": "+msg)
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
