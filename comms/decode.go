package comms

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/internal/safetext"
	"go.yaml.in/yaml/v3"
)

// MaxPlanSize is the largest plan file the decoder reads: 4 MiB, far more
// than a plan with thousands of activities needs. Larger input is refused
// before it is parsed, so hostile input cannot exhaust memory.
const MaxPlanSize = 4 << 20

// maxValues bounds the number of values decoded, counting each expansion
// of a YAML alias, so that an "alias bomb" fails fast; it bounds the nodes
// of a JSON plan too. A stored plan of 20,000 activities has about 300,000.
const maxValues = 500_000

// maxTextBytes bounds the bytes of all the strings decoded, counting each
// expansion of a YAML alias: a plan without aliases cannot reach it (its
// strings are part of a file of at most MaxPlanSize bytes), but one
// megabyte aliased three hundred times would otherwise decode into 300 MB
// that every report and store then copies.
const maxTextBytes = MaxPlanSize

// MaxProblems is how many problems a [PlanError] lists at most. When a
// plan has more, the list ends with one more [Problem], without a path or
// position, that says how many were left out ("and 12345 more problems").
const MaxProblems = 300

// maxRuleWork is the work budget, in recur's units (some tens of
// nanoseconds each), of checking the recurrence rules of one plan: at most
// about a fifth of a second, and five times what a plan of 20,000
// activities with rules of their own needs. A plan that exceeds it is
// refused, naming the rule at which the budget ran out.
const maxRuleWork = 4_000_000

// LoadPlan reads a plan file (.yaml, .yml or .json) and decodes and
// validates it; problems carry the file's name, line and column. It is one
// of the four plan loaders, which take their input, decode and validate it
// and fail alike (see "Loading plans" in the package documentation): on a
// *[PlanError] the Plan holds what could be decoded; when the file cannot
// be read, the error wraps the cause and the Plan is zero.
func LoadPlan(path string) (Plan, error) {
	p, _, err := LoadPlanSource(path)
	return p, err
}

// LoadPlanSource is [LoadPlan] that also returns the positions of the
// plan's elements in the file, for tools that point at lines
// (matrix.WithSource). On a *[PlanError] the Source holds the positions
// of what could be decoded; when the file cannot be read it is nil.
func LoadPlanSource(path string) (Plan, *Source, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
	default:
		return Plan{}, nil, fmt.Errorf("comms: load %s: a plan file ends in .yaml, .yml or .json", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return Plan{}, nil, fmt.Errorf("comms: load plan: %w", err)
	}
	defer f.Close()
	return decodeFrom(f, path, "load "+path)
}

// DecodePlan reads a plan in YAML or JSON from r and decodes and
// validates it, like [LoadPlan]. It reads at most [MaxPlanSize] bytes
// and one more, to tell a plan that is too large.
func DecodePlan(r io.Reader) (Plan, error) {
	p, _, err := DecodePlanSource(r, "")
	return p, err
}

// DecodePlanSource is [DecodePlan] that also returns the positions of the
// plan's elements, as [LoadPlanSource] does for a file. A reader has no
// name, so name gives one (a file name, an upload's name) for
// [PlanError].File and Source.File; it may be empty.
func DecodePlanSource(r io.Reader, name string) (Plan, *Source, error) {
	return decodeFrom(r, name, "decode plan")
}

// decodeFrom reads r (at most MaxPlanSize bytes, and one more to tell a
// larger plan) and parses it; op names the operation in a read error.
func decodeFrom(r io.Reader, name, op string) (Plan, *Source, error) {
	var buf bytes.Buffer
	// Read into a buffer of the input's size where it is known (a file, a
	// bytes.Reader), so that reading costs one copy, not the doublings of
	// a buffer that grows.
	if n := sizeOf(r); n > 0 {
		buf.Grow(min(n, MaxPlanSize+1) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxPlanSize+1)); err != nil {
		return Plan{}, nil, fmt.Errorf("comms: %s: %w", op, err)
	}
	return parsePlan(name, buf.Bytes())
}

// sizeOf returns how many bytes r holds, where it can tell: a regular
// file's size, or what a bytes.Reader, strings.Reader or bytes.Buffer has
// left; 0 otherwise.
func sizeOf(r io.Reader) int {
	switch v := r.(type) {
	case interface{ Len() int }:
		return v.Len()
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return int(min(fi.Size(), MaxPlanSize+1))
		}
	}
	return 0
}

// parsePlan decodes and validates data, the content of the plan name (for
// messages; may be empty).
func parsePlan(name string, data []byte) (Plan, *Source, error) {
	src := &Source{File: name, pos: map[string]Position{}}
	perr := &PlanError{File: name}
	fail := func(prob Problem) (Plan, *Source, error) {
		perr.Problems = append(perr.Problems, prob)
		return Plan{}, src, perr
	}
	if len(data) > MaxPlanSize {
		return fail(Problem{Message: fmt.Sprintf("plan is larger than %d bytes", MaxPlanSize)})
	}
	sc := scanPlan(data)
	if sc.bad != "" {
		return fail(Problem{Pos: sc.badAt, Message: sc.bad})
	}
	root, values, prob := parseTree(&sc)
	if prob != nil {
		return fail(*prob)
	}

	// One position per value: sized up front, the map never grows.
	if sc.json {
		src.pos = make(map[string]Position, values)
	} else {
		src.pos = make(map[string]Position, min(sc.nodes/2, maxValues))
	}
	d := &decoder{src: src}
	var p Plan
	d.decode(root, reflect.ValueOf(&p).Elem(), "")
	if decodeSteps != nil {
		*decodeSteps = d.steps
	}
	probs := d.problems
	if !d.overflow {
		// The rest of a plan cut short by a limit is noise.
		checkDecoded(&p, src, &sc, &probs)
	}
	if len(probs.list) > 0 || probs.more > 0 {
		perr.Problems = probs.sorted()
		return p, src, perr
	}
	return p, src, nil
}

// parseTree parses the scanned plan sc into its tree of nodes, JSON or
// YAML as sc tells, and returns the number of nodes of a JSON plan too
// (a YAML plan's is bounded by sc.nodes). When the plan cannot be parsed
// it returns the problem instead.
func parseTree(sc *scan) (*yaml.Node, int, *Problem) {
	if sc.json {
		root, values, jerr := parseJSON(sc.body)
		if jerr != nil {
			return nil, 0, &Problem{Pos: jerr.pos, Message: jerr.msg}
		}
		return root, values, nil
	}
	if sc.overAt.IsValid() {
		return nil, 0, &Problem{Pos: sc.overAt, Message: fmt.Sprintf("the plan has too many elements: a YAML plan may have at most about %d (lines, list entries and keys); refusing to parse it", maxYAMLNodes/2)}
	}
	root, prob := parseYAML(sc.body)
	return root, 0, prob
}

// parseYAML parses body as the one YAML document of a plan file and
// returns the document's content, or the problem that it is empty, is not
// YAML or holds another document.
func parseYAML(body []byte) (*yaml.Node, *Problem) {
	syntax := func(dec *yaml.Decoder, err error) *Problem {
		pos, context := yamlErrorPosition(dec, body, err)
		return &Problem{Pos: pos, Message: yamlErrorText(err, body, pos, context)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{Message: "the plan is empty"}
		}
		return nil, syntax(dec, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Problem{Pos: Position{Line: extra.Line, Column: extra.Column}, Message: "a plan file holds one YAML document; found another"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntax(dec, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &Problem{Message: "the plan is empty"}
		}
		root = root.Content[0]
	}
	return root, nil
}

// checkDecoded validates p, decoded from sc into probs without reaching a
// limit, and adds the problems it finds to probs, each at the position
// src has for its path, except those under a path already reported as
// malformed.
func checkDecoded(p *Plan, src *Source, sc *scan, probs *problems) {
	malformed := make(map[string]bool, len(probs.list))
	for _, prob := range probs.list {
		malformed[prob.Path] = true
	}
	v := newValidator()
	p.check(v)
	for _, prob := range v.probs.list {
		if reported(malformed, prob.Path) {
			continue // already reported as malformed; the rest is noise
		}
		prob.Pos = src.Position(prob.Path)
		probs.add(prob)
	}
	probs.more += v.probs.more
	// A scale names both its ends: {max: 5} is not silently 0 to 5. Only
	// the file tells a missing end from a zero one.
	if f := p.Feedback; f != nil && f.Scale != nil && !reported(malformed, "feedback.scale") {
		for _, end := range []string{"min", "max"} {
			if _, ok := src.pos["feedback.scale."+end]; !ok {
				probs.add(Problem{Path: "feedback.scale", Pos: src.Position("feedback.scale"),
					Message: fmt.Sprintf("a feedback scale names both its ends: %s is missing (such as {min: 1, max: 5})", end)})
			}
		}
	}
	if sc.later != "" && len(v.badText) == 0 {
		// An unsafe character no field check saw: in a comment or a key.
		probs.add(Problem{Pos: sc.laterAt, Message: sc.later})
	}
}

// problems collects the problems of a plan, keeping the first MaxProblems
// and counting the rest.
type problems struct {
	list []Problem
	more int
}

// room reports whether another problem would be kept; when it is false,
// callers count the problem (add it anyway) without the cost of its
// message.
func (ps *problems) room() bool { return len(ps.list) < MaxProblems }

func (ps *problems) add(p Problem) {
	if ps.room() {
		ps.list = append(ps.list, p)
	} else {
		ps.more++
	}
}

// sorted returns the problems kept, in order of position, with a last one
// that counts those left out.
func (ps *problems) sorted() []Problem {
	out := ps.list
	sortProblems(out)
	if ps.more > 0 {
		out = append(out, Problem{Message: fmt.Sprintf("and %d more problems", ps.more)})
	}
	return out
}

// sortProblems orders problems by position, then path, keeping problems
// without a position in their original order at the end.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		switch {
		case a.Pos.IsValid() != b.Pos.IsValid():
			if a.Pos.IsValid() {
				return -1
			}
			return 1
		case a.Pos.Line != b.Pos.Line:
			return a.Pos.Line - b.Pos.Line
		case a.Pos.Column != b.Pos.Column:
			return a.Pos.Column - b.Pos.Column
		}
		return 0
	})
}

// offsetPosition converts a byte offset into a 1-based line and column
// (counted in characters). It counts from the start: use it once, for an
// error.
func offsetPosition(data []byte, off int) Position {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return Position{Line: line, Column: utf8.RuneCount(before[start:]) + 1}
}

// yamlErrorPosition returns where the YAML parser stopped with err, and
// what it was reading when that construct started elsewhere (" (while
// scanning a quoted scalar that starts at 2:7)"). Its messages name a line
// only ("yaml: line 3: ..."), and that line is counted from 0 for parser
// errors and is the line of the enclosing collection, not of the problem,
// for some; so the position is read from the parser's state, which holds
// the problem's own mark. Should that state change shape in another
// version of the parser, the line of the message is used.
func yamlErrorPosition(dec *yaml.Decoder, body []byte, err error) (Position, string) {
	if pos, context, ok := yamlMark(dec, body); ok {
		return pos, context
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				return Position{Line: n, Column: 1}, ""
			}
		}
	}
	return Position{}, ""
}

// The error kinds of the YAML parser's state (yaml_error_type_t).
const (
	yamlNoError     = 0
	yamlReaderError = 2
)

// yamlMark reads the position of the problem from the parser's state:
// the problem mark of a reader, scanner or parser error, or the start of
// the event at which decoding failed otherwise (an unknown anchor).
func yamlMark(dec *yaml.Decoder, body []byte) (Position, string, bool) {
	field := func(v reflect.Value, name string) reflect.Value {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		return v.FieldByName(name)
	}
	integer := func(v reflect.Value) (int, bool) {
		if !v.IsValid() || !v.CanInt() {
			return 0, false
		}
		return int(v.Int()), true
	}
	mark := func(m reflect.Value) (Position, bool) {
		line, ok1 := integer(field(m, "line"))
		col, ok2 := integer(field(m, "column"))
		return Position{Line: line + 1, Column: col + 1}, ok1 && ok2 && line >= 0 && col >= 0
	}
	parser := field(reflect.ValueOf(dec), "parser")
	state := field(parser, "parser")
	kind, ok := integer(field(state, "error"))
	if !ok {
		return Position{}, "", false
	}
	switch kind {
	case yamlNoError:
		pos, ok := mark(field(field(parser, "event"), "start_mark"))
		return pos, "", ok
	case yamlReaderError:
		if off, ok := integer(field(state, "problem_offset")); ok && off >= 0 && off <= len(body) {
			return offsetPosition(body, off), "", true
		}
		return Position{}, "", false
	}
	pos, ok := mark(field(state, "problem_mark"))
	if !ok {
		return Position{}, "", false
	}
	context := ""
	if c := field(state, "context"); c.IsValid() && c.Kind() == reflect.String && c.String() != "" {
		if at, ok := mark(field(state, "context_mark")); ok && at != pos {
			context = fmt.Sprintf(" (%s that starts at %s)", c.String(), at)
		}
	}
	return pos, context, true
}

// yamlErrorText is the message for the YAML parser's err at pos, with
// the context yamlErrorPosition found: the parser's own words
// (yamlErrorMessage), except where the character at pos is a TAB, which
// the parser calls "a character that cannot start any token" or "a tab
// character that violates indentation" without saying that YAML forbids
// tabs for indentation.
func yamlErrorText(err error, body []byte, pos Position, context string) string {
	msg := yamlErrorMessage(err)
	if r, indent := charAt(body, pos); r == '\t' && indent {
		return "a tab is used for indentation: YAML forbids tabs there; indent with spaces"
	} else if r == '\t' {
		return "a tab where YAML expects a key or a value (" + msg + "): YAML forbids tabs for indentation; use spaces"
	}
	return msg + context
}

// charAt returns the character at pos (its column counted in characters)
// in body, and whether only blanks come before it on its line. It counts
// from the start: use it once, for an error.
func charAt(body []byte, pos Position) (rune, bool) {
	if !pos.IsValid() {
		return 0, false
	}
	line := body
	for n := 1; n < pos.Line; n++ {
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			return 0, false
		}
		line = line[i+1:]
	}
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	indent := true
	for col := 1; len(line) > 0; col++ {
		r, size := utf8.DecodeRune(line)
		if col == pos.Column {
			return r, indent
		}
		if r != ' ' && r != '\t' {
			indent = false
		}
		line = line[size:]
	}
	return 0, false
}

// yamlErrorMessage returns the YAML parser's message without its "yaml:"
// and line prefixes, which the position replaces.
func yamlErrorMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if _, err := strconv.Atoi(rest[:i]); err == nil {
				return strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return msg
}

// decoder turns a yaml.Node tree into Go values by their yaml tags,
// recording every problem and the position of every value.
type decoder struct {
	src      *Source
	problems problems
	// values counts the nodes walked: every value decoded, every key that
	// is not (unknown, duplicate, overridden by an explicit key), every
	// node a merge key walks; each use of an alias anew.
	values   int
	text     int // bytes of the strings decoded, likewise
	overflow bool
	// merging holds the mappings whose merge keys are being resolved,
	// innermost last: a merge that reaches one of them again is a cycle.
	merging []*yaml.Node
	// steps counts every step of every walk, counted or not: the tests
	// hold it to a small multiple of maxValues.
	steps int
}

// decodeSteps, when a test sets it, receives the steps of the last decode.
var decodeSteps *int

// maxMergeDepth bounds how deeply merge keys nest (a mapping merging a
// mapping that merges another, ...): a plan needs one or two levels.
const maxMergeDepth = 32

// count adds k to the nodes walked and stops decoding, reporting at n,
// once they pass maxValues. It reports whether decoding goes on. Every
// walk of the decoder counts what it walks through it (or through decode,
// which counts each value), so that no input makes the decoder do more
// than about maxValues steps, however it uses aliases and merge keys.
func (d *decoder) count(n *yaml.Node, path string, k int) bool {
	if d.overflow {
		return false
	}
	if d.values += k; d.values > maxValues {
		d.stop(n, path, "the plan has more than %d values (counting each use of a YAML alias); refusing to decode it", maxValues)
		return false
	}
	return true
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// reported reports whether a decoding problem concerns path or an element
// that encloses it.
func reported(malformed map[string]bool, path string) bool {
	if len(malformed) == 0 {
		return false
	}
	for {
		if malformed[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

func (d *decoder) problem(n *yaml.Node, path, format string, args ...any) {
	if !d.problems.room() {
		d.problems.more++
		return
	}
	d.problems.add(Problem{
		Path:    path,
		Pos:     Position{Line: n.Line, Column: n.Column},
		Message: fmt.Sprintf(format, args...),
	})
}

// stop reports a limit reached at n and stops decoding.
func (d *decoder) stop(n *yaml.Node, path, format string, args ...any) {
	d.overflow = true
	d.problem(n, path, format, args...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			if len(n.Value) > 64 {
				return "the number " + n.Value[:64] + "…"
			}
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return quoteValue(n.Value)
	}
	return "a value"
}

// quoteValue quotes a value of the plan for a message: escaped, so that no
// control character reaches a terminal, and cut to a length a message can
// hold.
func quoteValue(s string) string {
	const max = 64
	if len(s) <= max {
		return strconv.Quote(s)
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strconv.Quote(s[:i]) + "…"
}

// tagFor is the tag a value of type t has when it is written plainly; an
// explicit tag other than it ("!!binary", "!!python/object", "!foo") is
// refused.
func tagFor(t reflect.Type) string {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "!!str"
	}
	switch t.Kind() {
	case reflect.String:
		return "!!str"
	case reflect.Int:
		return "!!int"
	case reflect.Bool:
		return "!!bool"
	case reflect.Slice:
		return "!!seq"
	case reflect.Map, reflect.Struct:
		return "!!map"
	}
	return ""
}

// decode decodes the node n into v, the value at path: it records the
// node's position, follows an alias, refuses a tag other than v's plain
// one and passes the node on to the step for v's kind.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.steps++
	if !d.count(n, path, 1) {
		return
	}
	// A path is decoded once (merge keys give way to explicit ones), or
	// twice from one node (a pointer and its value).
	d.src.pos[path] = Position{Line: n.Line, Column: n.Column}
	use := n // where the value is used: an alias, or the value itself
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.Kind() == reflect.Pointer {
		d.decodePointer(use, n, v, path)
		return
	}
	if n.Style&yaml.TaggedStyle != 0 && n.Tag != tagFor(v.Type()) {
		d.problem(n, path, "the YAML tag %s is not allowed here: write the value without a tag", quoteValue(n.Tag))
		return
	}
	if n.Kind == yaml.ScalarNode && !d.scalarText(use, n, path) {
		return
	}

	if reflect.PointerTo(v.Type()).Implements(textUnmarshaler) {
		d.decodeText(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.problem(n, path, "expected %s, found %s", typeName(v.Type()), kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		d.decodeInt(n, v, path)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.problem(n, path, "expected true or false, found %s", kindName(n))
			return
		}
		v.SetBool(n.Value == "true")
	case reflect.Slice:
		d.decodeList(use, n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	default:
		// Unreachable with the plan's types; reported rather than panicking.
		d.problem(n, path, "cannot decode a value of Go type %s", v.Type())
	}
}

// decodePointer decodes n, used at use (an alias of it, or n itself),
// into a new value for the pointer v to point to; an empty value leaves v
// nil.
func (d *decoder) decodePointer(use, n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Style&yaml.TaggedStyle == 0 {
		return // an empty value leaves the pointer nil
	}
	elem := reflect.New(v.Type().Elem())
	d.values-- // the pointer and its value are one value
	d.decode(use, elem.Elem(), path)
	v.Set(elem)
}

// scalarText counts the text of the scalar n, used at use, against
// maxTextBytes, stopping the decoding once it passes them. It reports
// whether there is a value to decode: not when decoding stopped, nor for
// an empty value, which leaves the zero value.
func (d *decoder) scalarText(use, n *yaml.Node, path string) bool {
	if d.text += len(n.Value); d.text > maxTextBytes {
		d.stop(use, path, "the plan's text is longer than %d bytes (counting each use of a YAML alias); refusing to decode it", maxTextBytes)
		return false
	}
	return n.Tag != "!!null" // an empty value leaves the zero value
}

// decodeText decodes the scalar n into v, whose pointer is an
// encoding.TextUnmarshaler.
func (d *decoder) decodeText(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.problem(n, path, "expected %s, found %s", typeName(v.Type()), kindName(n))
		return
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
		d.problem(n, path, "%v", err)
	}
}

// decodeInt decodes n into v, an int that holds a whole number from 0 to
// maxNumber.
func (d *decoder) decodeInt(n *yaml.Node, v reflect.Value, path string) {
	var i int64
	var err error
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		i, err = strconv.ParseInt(n.Value, 0, 64)
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || i < 0 || i > maxNumber {
		d.problem(n, path, "expected a whole number, found %s", kindName(n))
		return
	}
	v.SetInt(i)
}

// decodeList decodes the sequence n, used at use, into the slice v; an
// empty list leaves v nil. A list that would take the values decoded past
// maxValues stops the decoding before it is allocated.
func (d *decoder) decodeList(use, n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.problem(n, path, "expected a list, found %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		return // an empty list is the same as none
	}
	if d.values+len(n.Content) > maxValues {
		// Refused before the list is allocated.
		d.stop(use, path, "the plan has more than %d values (counting each use of a YAML alias); refusing to decode it", maxValues)
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), path+"["+strconv.Itoa(i)+"]")
	}
	v.Set(s)
}

// decodeMap decodes the mapping n into the map v; an empty mapping leaves
// v nil.
func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "expected a mapping, found %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		return
	}
	m := reflect.MakeMap(v.Type())
	for _, kv := range d.pairs(n, path) {
		val := reflect.New(v.Type().Elem()).Elem()
		d.decode(kv.value, val, joinPath(path, kv.key.Value))
		m.SetMapIndex(reflect.ValueOf(kv.key.Value), val)
	}
	v.Set(m)
}

// decodeStruct decodes the mapping n into the struct v, field by field,
// reporting the keys that name no field.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "expected a mapping, found %s", kindName(n))
		return
	}
	fields := structFields(v.Type())
	for _, kv := range d.pairs(n, path) {
		i, ok := fields[kv.key.Value]
		if !ok {
			if !d.count(kv.key, path, 1) {
				return
			}
			if d.problems.room() {
				d.problem(kv.key, keyPath(path, kv.key.Value), "unknown field %s%s", quoteValue(kv.key.Value), suggest(kv.key.Value, fields))
			} else {
				d.problems.more++
			}
			continue
		}
		d.decode(kv.value, v.Field(i), joinPath(path, kv.key.Value))
	}
}

type pair struct{ key, value *yaml.Node }

// pairs returns a mapping's key-value pairs, resolving YAML merge keys
// ("<<: *defaults"; explicit keys win) and reporting duplicate and
// non-string keys.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	out := make([]pair, 0, len(n.Content)/2)
	var merged []pair
	// Keys seen: a linear search for the few keys of a plan's mappings, a
	// map beyond.
	var seenMap map[string]bool
	seen := func(k string) bool {
		if seenMap != nil {
			return seenMap[k]
		}
		for _, kv := range out {
			if kv.key.Value == k {
				return true
			}
		}
		return false
	}
	mark := func() {
		if seenMap == nil && len(out) > 16 {
			seenMap = make(map[string]bool, len(n.Content)/2)
			for _, kv := range out {
				seenMap[kv.key.Value] = true
			}
		} else if seenMap != nil {
			seenMap[out[len(out)-1].key.Value] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		d.steps++
		if d.overflow {
			return nil
		}
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" && k.Style&yaml.TaggedStyle == 0 {
			merged = append(merged, d.mergePairs(v, path, false)...)
			continue
		}
		if (k.Kind != yaml.ScalarNode || k.Style&yaml.TaggedStyle != 0 && k.Tag != "!!str") && !d.count(k, path, 1) {
			return nil
		}
		if k.Kind != yaml.ScalarNode {
			d.problem(k, path, "a key must be a plain name, found %s", kindName(k))
			continue
		}
		if k.Style&yaml.TaggedStyle != 0 && k.Tag != "!!str" {
			d.problem(k, keyPath(path, k.Value), "the YAML tag %s is not allowed on a key", quoteValue(k.Tag))
			continue
		}
		if seen(k.Value) {
			if !d.count(k, path, 1) {
				return nil
			}
			d.problem(k, keyPath(path, k.Value), "%s is given more than once", quoteValue(k.Value))
			continue
		}
		out = append(out, pair{k, v})
		mark()
	}
	for _, kv := range merged {
		d.steps++
		if !seen(kv.key.Value) {
			out = append(out, kv)
			mark()
		}
	}
	return out
}

// mergePairs returns the pairs that the value v of a merge key brings:
// a mapping's, or those of each mapping of a list (YAML's merge key takes
// a mapping or a list of mappings, nothing deeper; a list inside the list
// is refused, as the YAML library refuses it). Every node it walks is
// counted (see count), each use of an alias anew, and the pairs of the
// merged mappings too, whether an explicit key overrides them or not; a
// mapping that merges itself through aliases is refused, and so are merge
// keys nested more than maxMergeDepth deep. So the walk costs at most
// about maxValues steps, however the aliases multiply.
func (d *decoder) mergePairs(v *yaml.Node, path string, inList bool) []pair {
	d.steps++
	at := v
	for v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if !d.count(at, path, 1) {
		return nil
	}
	switch {
	case v.Kind == yaml.MappingNode:
		if slices.Contains(d.merging, v) {
			d.problem(at, path, "a merge key (<<) brings in a mapping that contains it (through an alias): the merge never ends")
			return nil
		}
		if len(d.merging) >= maxMergeDepth {
			d.problem(at, path, "merge keys (<<) nest more than %d levels deep", maxMergeDepth)
			return nil
		}
		if !d.count(at, path, len(v.Content)/2) {
			return nil
		}
		d.merging = append(d.merging, v)
		out := d.pairs(v, path)
		d.merging = d.merging[:len(d.merging)-1]
		return out
	case v.Kind == yaml.SequenceNode && !inList:
		var out []pair
		for _, item := range v.Content {
			out = append(out, d.mergePairs(item, path, true)...)
			if d.overflow {
				return nil
			}
		}
		return out
	case v.Kind == yaml.SequenceNode:
		d.problem(at, path, "a merge key (<<) needs a mapping or a list of mappings, found a list inside the list")
		return nil
	}
	d.problem(at, path, "a merge key (<<) needs a mapping or a list of mappings, found %s", kindName(v))
	return nil
}

// keyPath is joinPath for a key of the file that may be anything: shown
// escaped and cut short.
func keyPath(path, key string) string {
	if len(key) > 64 || safetext.Index(key, true) >= 0 {
		q := quoteValue(key)
		end := strings.LastIndexByte(q, '"')
		key = q[1:end] + q[end+1:] // unquoted, with the "…" of a key cut short
	}
	return joinPath(path, key)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var fieldCache sync.Map // reflect.Type → map[string]int

// structFields maps the yaml names of t's fields to their indexes.
func structFields(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}

func typeName(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Date]():
		return "a date (YYYY-MM-DD)"
	case reflect.TypeFor[DateTime]():
		return "a date-time (YYYY-MM-DDTHH:MM)"
	}
	if t.Kind() == reflect.String {
		return "a string"
	}
	return "a " + t.String()
}

// suggest proposes the field name closest to an unknown one.
func suggest(name string, fields map[string]int) string {
	best, bestDist := "", 3
	for f := range fields {
		if dist := editDistance(name, f); dist < bestDist || dist == bestDist && f < best {
			best, bestDist = f, dist
		}
	}
	if best == "" {
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		slices.Sort(names)
		return " (known fields: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
