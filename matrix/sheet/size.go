package sheet

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/safetext"
)

// The plan file Read writes must decode: it may be at most
// comms.MaxPlanSize bytes, and the decoder refuses a YAML file whose
// nodes, as it bounds them, pass its limit (300,000 in comms/scan.go,
// unexported; TestNodeLimitDecodes holds this copy to it). The builder
// keeps an upper bound of both while it reads the sheet, and refuses the
// sheet with ErrTooLarge at the row where a bound passes its limit,
// before the plan is encoded: an encoder's node tree of a plan too large
// to write would cost far more than the input (D3).
const (
	// planBytesLimit is the most bytes the bound may reach.
	planBytesLimit = comms.MaxPlanSize
	// planNodesLimit is the most nodes the bound may reach: comms's
	// maxYAMLNodes.
	planNodesLimit = 300_000
)

// The bound's allowances, for how yaml.v3 writes a value at the depths of
// a plan file: an indent of at most maxIndent (a literal block's lines
// under activities[i].what.message are at 8), a value starting at most at
// column maxStart (after its indent and key), and a line folded at a space
// once it passes column 80: the first time after 80-maxStart columns of
// the value, then each foldEvery columns.
const (
	maxIndent  = 16
	maxStart   = 40
	foldEvery  = 80 - maxIndent
	lineCost   = maxIndent + 2 // a line break, the indent and a '\' or '#'
	blockExtra = 4             // a block scalar's "|-" or "|2+" header
)

// folds bounds the times a value of cols columns is folded.
func folds(cols int) int { return (cols + foldEvery - 1 - (80 - maxStart)) / foldEvery }

// size is an upper bound of what part of a plan file costs: its bytes,
// and its nodes as comms's decoder bounds them (two for each ',', '[',
// '{' and ':', and for each '-' or '?' before a blank, and one for each
// line break, wherever they are, in comments and quoted text too).
type size struct{ bytes, nodes int }

func (s *size) add(o size) { s.bytes += o.bytes; s.nodes += o.nodes }

// textSize bounds a scalar holding s, after its key: the widest yaml.v3
// writes it (double-quoted, every character it does not print escaped:
// "\U0001F642" for a character of four bytes, "\"" and "\\"), or as a
// block whose every line is indented, folded every foldEvery columns.
func textSize(s string) size {
	cols, nodes, lines := 2, 0, 0 // the quotes
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\t':
				cols += 2
			case c == '\n':
				cols += 2
				lines++
			case c < 0x20 || c == 0x7f:
				cols += 4 // \xNN
			case c == ',' || c == '[' || c == '{' || c == ':' || c == '-' || c == '?':
				cols++
				nodes += 2
			default:
				cols++
			}
			i++
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		switch n {
		case 4:
			cols += 10 // \UXXXXXXXX
		default:
			cols += 6 // at most \uXXXX, for two or three bytes
		}
		i += n
	}
	f := folds(cols)
	if lines > 0 { // a literal block: its header, and a line each
		f += lines + 1
		cols += blockExtra
	}
	return size{bytes: cols + f*lineCost, nodes: nodes + f}
}

// flowSize bounds a sequence of text on one line ("[a, b]"), folded as a
// line is.
func flowSize(v reflect.Value) size {
	s := size{bytes: 2, nodes: 2} // "[" and "]"
	for i := 0; i < v.Len(); i++ {
		t := textSize(v.Index(i).String())
		s.add(size{bytes: t.bytes + 2, nodes: t.nodes + 2}) // ", "
	}
	f := s.bytes/foldEvery + 1
	s.add(size{bytes: f * lineCost, nodes: f})
	return s
}

// keySize bounds a key of a mapping, on its line: the indent, "key: ",
// the line break; a sequence's "- " is in it too.
func keySize(key string) size {
	return size{bytes: maxIndent + len(key) + 5, nodes: 5}
}

// commentSize bounds a comment: on its own line above a node or at the
// file's head (where path comes first: "path: text"), or at the end of a
// value's line after "; " or " # ". The text is written as [oneLine]
// makes it, which only shortens runs of space and spells out what
// safetext.Unsafe refuses (at most "\U0010ffff" for a character).
func commentSize(path, text string) size {
	s := size{bytes: len(path) + maxIndent + 6, nodes: 1}
	for _, w := range []string{path, text} {
		for _, r := range w {
			switch {
			case r == ',' || r == '[' || r == '{' || r == ':' || r == '-' || r == '?':
				s.nodes += 2
				s.bytes++
			case r < utf8.RuneSelf && !safetext.Unsafe(r):
				s.bytes++
			case r == utf8.RuneError || safetext.Unsafe(r):
				s.bytes += 10
			default:
				s.bytes += utf8.RuneLen(r)
			}
		}
	}
	return s
}

// valueSize bounds the YAML of v, a plan's element (or any part of it),
// as yaml.v3 writes it: each field its tag names and omitempty does not
// leave out, text as textSize bounds it, sequences of text on one line
// ([a, b], as yaml() writes them) or of elements a line each.
func valueSize(v reflect.Value) size {
	if v.CanInterface() {
		if m, ok := v.Interface().(encoding.TextMarshaler); ok {
			text, err := m.MarshalText()
			if err != nil {
				return size{bytes: 64, nodes: 4}
			}
			return textSize(string(text))
		}
	}
	switch v.Kind() {
	case reflect.String:
		return textSize(v.String())
	case reflect.Bool:
		return size{bytes: 5}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return size{bytes: 32, nodes: 2} // a number, "-1.5e+10"
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return size{bytes: 4}
		}
		return valueSize(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.String {
			return flowSize(v)
		}
		s := size{bytes: 2, nodes: 2} // "[" and "]", or "[]"
		for i := 0; i < v.Len(); i++ {
			e := v.Index(i)
			s.add(valueSize(e))
			s.add(size{bytes: maxIndent + 4, nodes: 3}) // ", ", or "- " on a line of its own
		}
		return s
	case reflect.Map:
		s := size{bytes: 2, nodes: 2}
		iter := v.MapRange()
		for iter.Next() {
			s.add(keySize(fmt.Sprint(iter.Key().Interface())))
			s.add(textSize(fmt.Sprint(iter.Key().Interface())))
			s.add(valueSize(iter.Value()))
		}
		return s
	case reflect.Struct:
		s := size{bytes: 2, nodes: 2} // "{}" when nothing is written
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			if tag == "-" || !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && fv.IsZero() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if strings.Contains(opts, "inline") {
				s.add(valueSize(fv))
				continue
			}
			s.add(keySize(name))
			s.add(valueSize(fv))
		}
		return s
	}
	return size{bytes: 64, nodes: 4}
}

// spend adds what part of the plan (an element, a comment) costs to the
// bound, and refuses the sheet at the cell it came from once the bound
// passes a limit: the plan could not be written as a file that decodes.
func (b *builder) spend(row, col int, s size) {
	b.size.add(s)
	if b.err != nil {
		return
	}
	switch {
	case b.size.bytes > planBytesLimit:
		b.err = fmt.Errorf("%s: the plan would be more than %d bytes, more than a plan file may be: %w",
			location(b.g.sheet, row, col), planBytesLimit, ErrTooLarge)
	case b.size.nodes > planNodesLimit:
		b.err = fmt.Errorf("%s: the plan would have more than about %d elements (lines, list entries and keys), more than a plan file may have: %w",
			location(b.g.sheet, row, col), planNodesLimit/2, ErrTooLarge)
	}
}

// spendValue adds the bound of v, a plan's element or field, under key
// (empty for an element of a sequence).
func (b *builder) spendValue(row, col int, key string, v any) {
	s := valueSize(reflect.ValueOf(v))
	s.add(keySize(key))
	b.spend(row, col, s)
}

// scanNodes counts the nodes of a YAML file as comms's decoder bounds
// them (comms/scan.go: four, and two for each ',', '[', '{' and ':' and
// each '-' or '?' followed by a blank or the end, and one for each line
// break). The tests hold the builder's bound to it.
func scanNodes(data []byte) int {
	n := 4
	for i, c := range data {
		switch c {
		case '\n':
			n++
		case ',', '[', '{', ':':
			n += 2
		case '-', '?':
			if i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\t' || data[i+1] == '\r' || data[i+1] == '\n' {
				n += 2
			}
		}
	}
	return n
}
