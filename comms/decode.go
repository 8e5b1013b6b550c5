package comms

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxPlanSize is the largest plan file the decoder reads: 4 MiB, far more
// than a plan with thousands of activities needs. Larger input is refused
// before it is parsed, so hostile input cannot exhaust memory.
const MaxPlanSize = 4 << 20

// maxValues bounds the number of values decoded, counting each expansion
// of a YAML alias, so that an "alias bomb" fails fast.
const maxValues = 200_000

// LoadPlan reads and decodes a plan file (.yaml, .yml or .json) and
// validates it. Every problem is reported at once in a *[PlanError] whose
// problems carry the file's line and column.
func LoadPlan(path string) (Plan, error) {
	p, _, err := LoadPlanSource(path)
	return p, err
}

// LoadPlanSource is [LoadPlan] that also returns the positions of the
// plan's elements in the file, for tools that point at lines.
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
	data, err := readLimited(f)
	if err != nil {
		return Plan{}, nil, fmt.Errorf("comms: load %s: %w", path, err)
	}
	return ParsePlan(path, data)
}

// DecodePlan reads a plan in YAML or JSON from r and validates it, like
// [LoadPlan].
func DecodePlan(r io.Reader) (Plan, error) {
	data, err := readLimited(r)
	if err != nil {
		return Plan{}, fmt.Errorf("comms: decode plan: %w", err)
	}
	p, _, err := ParsePlan("", data)
	return p, err
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPlanSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxPlanSize {
		return nil, fmt.Errorf("plan is larger than %d bytes", MaxPlanSize)
	}
	return data, nil
}

// ParsePlan decodes a plan in YAML or JSON (JSON when the first
// non-blank character is '{') and validates it. name is used in messages
// and may be empty.
//
// Decoding is strict about form: unknown fields, wrong types, duplicate
// keys or IDs, unknown references and enumeration values, bad time zones,
// rules and deadlines are errors. It accepts what is well formed but
// incomplete (an activity with no channel or owner), which is for
// matrix.Check to report. On error the returned Plan holds what could be
// decoded, and the error is a *[PlanError] listing every problem.
func ParsePlan(name string, data []byte) (Plan, *Source, error) {
	src := &Source{File: name, pos: map[string]Position{}}
	perr := &PlanError{File: name}
	fail := func(pos Position, format string, args ...any) (Plan, *Source, error) {
		perr.Problems = append(perr.Problems, Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
		return Plan{}, src, perr
	}
	if len(data) > MaxPlanSize {
		return fail(Position{}, "plan is larger than %d bytes", MaxPlanSize)
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return fail(offsetPosition(data, i), "invalid UTF-8 (byte 0x%02x)", data[i])
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var root *yaml.Node
	if len(trimmed) > 0 && trimmed[0] == '{' {
		n, err := jsonNode(data)
		if err != nil {
			var se *jsonSyntaxError
			if errors.As(err, &se) {
				return fail(offsetPosition(data, se.offset), "%s", se.msg)
			}
			return fail(Position{}, "%v", err)
		}
		root = n
	} else {
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return fail(Position{}, "the plan is empty")
			}
			return fail(yamlErrorPosition(err), "%s", strings.TrimPrefix(yamlErrorMessage(err), "yaml: "))
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); err == nil {
			return fail(Position{Line: extra.Line, Column: extra.Column}, "a plan file holds one YAML document; found another")
		} else if !errors.Is(err, io.EOF) {
			return fail(yamlErrorPosition(err), "%s", strings.TrimPrefix(yamlErrorMessage(err), "yaml: "))
		}
		root = &doc
		if root.Kind == yaml.DocumentNode {
			if len(root.Content) == 0 {
				return fail(Position{}, "the plan is empty")
			}
			root = root.Content[0]
		}
	}

	d := &decoder{src: src}
	var p Plan
	d.decode(root, reflect.ValueOf(&p).Elem(), "")
	perr.Problems = d.problems
	malformed := make(map[string]bool, len(d.problems))
	for _, prob := range d.problems {
		malformed[prob.Path] = true
	}
	for _, prob := range p.problems() {
		if reported(malformed, prob.Path) {
			continue // already reported as malformed; the rest is noise
		}
		prob.Pos = src.Position(prob.Path)
		perr.Problems = append(perr.Problems, prob)
	}
	if len(perr.Problems) > 0 {
		sortProblems(perr.Problems)
		return p, src, perr
	}
	return p, src, nil
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
// (counted in characters).
func offsetPosition(data []byte, off int) Position {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return Position{Line: line, Column: utf8.RuneCount(before[start:]) + 1}
}

// yaml.v3 reports errors as text, "yaml: line 3: ...", and as *TypeError
// lists; the parser errors carry the line only.
func yamlErrorPosition(err error) Position {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				return Position{Line: n, Column: 1}
			}
		}
	}
	return Position{}
}

func yamlErrorMessage(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			return strings.TrimSpace(rest[i+1:])
		}
	}
	return msg
}

// decoder turns a yaml.Node tree into Go values by their yaml tags,
// recording every problem and the position of every value.
type decoder struct {
	src      *Source
	problems []Problem
	values   int
	overflow bool
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
	d.problems = append(d.problems, Problem{
		Path:    path,
		Pos:     Position{Line: n.Line, Column: n.Column},
		Message: fmt.Sprintf(format, args...),
	})
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
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "a value"
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if d.overflow {
		return
	}
	if d.values++; d.values > maxValues {
		d.overflow = true
		d.problem(n, path, "the plan has more than %d values (counting each use of a YAML alias); refusing to decode it", maxValues)
		return
	}
	if _, seen := d.src.pos[path]; !seen {
		d.src.pos[path] = Position{Line: n.Line, Column: n.Column}
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the zero value
	}

	if reflect.PointerTo(v.Type()).Implements(textUnmarshaler) {
		if n.Kind != yaml.ScalarNode {
			d.problem(n, path, "expected %s, found %s", typeName(v.Type()), kindName(n))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.problem(n, path, "%v", err)
		}
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
		var i int64
		var err error
		if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
			i, err = strconv.ParseInt(n.Value, 0, 64)
		}
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || i < 0 || i > 1<<31 {
			d.problem(n, path, "expected a whole number, found %s", kindName(n))
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.problem(n, path, "expected true or false, found %s", kindName(n))
			return
		}
		v.SetBool(n.Value == "true")
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		d.decode(n, elem.Elem(), path)
		v.Set(elem)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.problem(n, path, "expected a list, found %s", kindName(n))
			return
		}
		if len(n.Content) == 0 {
			return // an empty list is the same as none
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	case reflect.Map:
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
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.problem(n, path, "expected a mapping, found %s", kindName(n))
			return
		}
		fields := structFields(v.Type())
		for _, kv := range d.pairs(n, path) {
			i, ok := fields[kv.key.Value]
			if !ok {
				d.problem(kv.key, joinPath(path, kv.key.Value), "unknown field %q%s", kv.key.Value, suggest(kv.key.Value, fields))
				continue
			}
			d.decode(kv.value, v.Field(i), joinPath(path, kv.key.Value))
		}
	default:
		// Unreachable with the plan's types; reported rather than panicking.
		d.problem(n, path, "cannot decode a value of Go type %s", v.Type())
	}
}

type pair struct{ key, value *yaml.Node }

// pairs returns a mapping's key-value pairs, resolving YAML merge keys
// ("<<: *defaults"; explicit keys win) and reporting duplicate and
// non-string keys.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	var out []pair
	seen := map[string]bool{}
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged = append(merged, d.mergePairs(v, path)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.problem(k, path, "a key must be a plain name, found %s", kindName(k))
			continue
		}
		if seen[k.Value] {
			d.problem(k, joinPath(path, k.Value), "%q is given more than once", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{k, v})
	}
	for _, kv := range merged {
		if !seen[kv.key.Value] {
			seen[kv.key.Value] = true
			out = append(out, kv)
		}
	}
	return out
}

func (d *decoder) mergePairs(v *yaml.Node, path string) []pair {
	for v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		if d.values += len(v.Content) / 2; d.values > maxValues {
			return nil
		}
		return d.pairs(v, path)
	case yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			out = append(out, d.mergePairs(item, path)...)
		}
		return out
	}
	d.problem(v, path, "a merge key (<<) needs a mapping or a list of mappings, found %s", kindName(v))
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structFields maps the yaml names of t's fields to their indexes.
func structFields(t reflect.Type) map[string]int {
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

// jsonSyntaxError is a JSON syntax error at a byte offset.
type jsonSyntaxError struct {
	offset int
	msg    string
}

func (e *jsonSyntaxError) Error() string { return e.msg }

// jsonNode parses strict JSON into a yaml.Node tree with positions, so that
// JSON and YAML plans share one decoder and one set of messages.
func jsonNode(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// start returns the position of the next token: InputOffset points at
	// the end of the previous token, before separators and blanks.
	start := func() Position {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return offsetPosition(data, off)
	}
	wrap := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return &jsonSyntaxError{offset: int(se.Offset), msg: "invalid JSON: " + se.Error()}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return &jsonSyntaxError{offset: len(data), msg: "invalid JSON: unexpected end of input"}
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	var value func(depth int) (*yaml.Node, error)
	value = func(depth int) (*yaml.Node, error) {
		pos := start()
		tok, err := dec.Token()
		if err != nil {
			return nil, wrap(err)
		}
		n := &yaml.Node{Line: pos.Line, Column: pos.Column}
		switch t := tok.(type) {
		case json.Delim:
			if depth > 64 {
				return nil, &jsonSyntaxError{offset: int(dec.InputOffset()) - 1, msg: "the plan is nested more than 64 levels deep"}
			}
			if t == '{' {
				n.Kind, n.Tag = yaml.MappingNode, "!!map"
				for dec.More() {
					kpos := start()
					ktok, err := dec.Token()
					if err != nil {
						return nil, wrap(err)
					}
					key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ktok.(string), Line: kpos.Line, Column: kpos.Column}
					val, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, key, val)
				}
			} else {
				n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
				for dec.More() {
					item, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, item)
				}
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return nil, wrap(err)
			}
		case string:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", t
		case json.Number:
			n.Kind, n.Value = yaml.ScalarNode, t.String()
			n.Tag = "!!float"
			if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				n.Tag = "!!int"
			}
		case bool:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(t)
		case nil:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
		}
		return n, nil
	}
	root, err := value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &jsonSyntaxError{offset: int(dec.InputOffset()), msg: "invalid JSON: unexpected data after the top-level value"}
	}
	return root, nil
}
