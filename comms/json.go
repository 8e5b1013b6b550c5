package comms

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// jsonParser parses strict JSON (RFC 8259, as encoding/json reads it) into
// a yaml.Node tree with the line and column of every value, so that JSON
// and YAML plans share one decoder and one set of messages. It keeps the
// position as it goes, so parsing is linear in the input however long its
// lines; it counts the values as it builds them and stops at maxValues;
// and it allocates nodes in blocks and each list of children once.
type jsonParser struct {
	data      []byte
	i         int // offset of the next byte
	line, col int // position of data[i]; col counts characters
	values    int
	slab      []yaml.Node
	children  []*yaml.Node // children of the open collections, innermost last
	err       *jsonError
}

// jsonError is a problem with JSON input, at a position.
type jsonError struct {
	pos Position
	msg string
}

// maxJSONDepth bounds the nesting of a JSON plan: a plan needs 5 levels.
const maxJSONDepth = 64

// parseJSON parses body (a plan without its byte order mark) as JSON, and
// returns the number of nodes too.
func parseJSON(body []byte) (*yaml.Node, int, *jsonError) {
	p := &jsonParser{data: body, line: 1, col: 1}
	p.space()
	root := p.value(0)
	if p.err != nil {
		return nil, 0, p.err
	}
	if p.space(); p.i < len(p.data) {
		return nil, 0, &jsonError{p.pos(), "invalid JSON: unexpected data after the top-level value"}
	}
	return root, p.values, nil
}

func (p *jsonParser) pos() Position { return Position{Line: p.line, Column: p.col} }

func (p *jsonParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = &jsonError{p.pos(), "invalid JSON: " + fmt.Sprintf(format, args...)}
	}
}

// unexpected reports the byte at p.i, or the end of the input.
func (p *jsonParser) unexpected(context string) {
	if p.i >= len(p.data) {
		p.fail("unexpected end of input")
		return
	}
	r, _ := utf8.DecodeRune(p.data[p.i:])
	p.fail("invalid character %s %s", strconv.QuoteRune(r), context)
}

// space skips blanks.
func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case '\n':
			p.line, p.col = p.line+1, 1
		case ' ', '\t', '\r':
			p.col++
		default:
			return
		}
		p.i++
	}
}

// next consumes one ASCII byte that is not a line break.
func (p *jsonParser) next() { p.i, p.col = p.i+1, p.col+1 }

func (p *jsonParser) node(kind yaml.Kind, tag string, pos Position) *yaml.Node {
	if p.values++; p.values > maxValues {
		p.err = &jsonError{pos, fmt.Sprintf("the plan has more than %d values; refusing to decode it", maxValues)}
		return nil
	}
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 256)
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	n.Kind, n.Tag, n.Line, n.Column = kind, tag, pos.Line, pos.Column
	return n
}

func (p *jsonParser) value(depth int) *yaml.Node {
	if p.i >= len(p.data) {
		p.fail("unexpected end of input")
		return nil
	}
	pos := p.pos()
	switch c := p.data[p.i]; {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			p.err = &jsonError{pos, fmt.Sprintf("the plan is nested more than %d levels deep", maxJSONDepth)}
			return nil
		}
		if c == '{' {
			return p.object(pos, depth)
		}
		return p.array(pos, depth)
	case c == '"':
		n := p.node(yaml.ScalarNode, "!!str", pos)
		if n != nil {
			n.Value = p.string()
		}
		return n
	case c == '-' || c >= '0' && c <= '9':
		return p.number(pos)
	case c == 't':
		return p.literal(pos, "true", "!!bool")
	case c == 'f':
		return p.literal(pos, "false", "!!bool")
	case c == 'n':
		return p.literal(pos, "null", "!!null")
	}
	p.unexpected("looking for beginning of value")
	return nil
}

func (p *jsonParser) object(pos Position, depth int) *yaml.Node {
	n := p.node(yaml.MappingNode, "!!map", pos)
	if n == nil {
		return nil
	}
	p.next()
	base := len(p.children)
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.next()
		return n
	}
	for {
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			p.unexpected("looking for beginning of object key string")
			return nil
		}
		key := p.node(yaml.ScalarNode, "!!str", p.pos())
		if key == nil {
			return nil
		}
		key.Value = p.string()
		if p.space(); p.err != nil || p.i >= len(p.data) || p.data[p.i] != ':' {
			p.unexpected("after object key")
			return nil
		}
		p.next()
		p.space()
		val := p.value(depth + 1)
		if p.err != nil {
			return nil
		}
		p.children = append(p.children, key, val)
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.next()
			p.space()
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.next()
			break
		}
		p.unexpected("after object key:value pair")
		return nil
	}
	n.Content = append([]*yaml.Node(nil), p.children[base:]...)
	p.children = p.children[:base]
	return n
}

func (p *jsonParser) array(pos Position, depth int) *yaml.Node {
	n := p.node(yaml.SequenceNode, "!!seq", pos)
	if n == nil {
		return nil
	}
	p.next()
	base := len(p.children)
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.next()
		return n
	}
	for {
		item := p.value(depth + 1)
		if p.err != nil {
			return nil
		}
		p.children = append(p.children, item)
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.next()
			p.space()
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.next()
			break
		}
		p.unexpected("after array element")
		return nil
	}
	n.Content = append([]*yaml.Node(nil), p.children[base:]...)
	p.children = p.children[:base]
	return n
}

// string consumes a string literal (p.data[p.i] is its opening quote) and
// returns its value.
func (p *jsonParser) string() string {
	p.next()
	start := p.i
	// The common case: no escapes.
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			s := string(p.data[start:p.i])
			p.next()
			return s
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			p.unexpected("in string literal")
			return ""
		}
		p.advanceByte(c)
	}
	p.fail("unexpected end of input")
	return ""
}

// advanceByte consumes byte c of a string, counting a column per
// character.
func (p *jsonParser) advanceByte(c byte) {
	if c&0xc0 != 0x80 {
		p.col++
	}
	p.i++
}

// escaped continues a string literal that has escapes; the part from
// start to p.i has none.
func (p *jsonParser) escaped(start int) string {
	var b strings.Builder
	b.Write(p.data[start:p.i])
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.next()
			return b.String()
		case c < 0x20:
			p.unexpected("in string literal")
			return ""
		case c != '\\':
			b.WriteByte(c)
			p.advanceByte(c)
			continue
		}
		p.next()
		if p.i >= len(p.data) {
			break
		}
		switch e := p.data[p.i]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			p.next()
			r, ok := p.hex4()
			if !ok {
				return ""
			}
			if utf16.IsSurrogate(r) {
				// A pair \uD83D\uDE00 is one character; an unpaired half is
				// U+FFFD, as encoding/json reads it.
				if p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
					save, saveCol := p.i, p.col
					p.next()
					p.next()
					r2, ok := p.hex4()
					if !ok {
						return ""
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b.WriteRune(dec)
						continue
					}
					p.i, p.col = save, saveCol
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			p.unexpected("in string escape code")
			return ""
		}
		p.next()
	}
	p.fail("unexpected end of input")
	return ""
}

// hex4 consumes the four hexadecimal digits of a \u escape.
func (p *jsonParser) hex4() (rune, bool) {
	var r rune
	for k := 0; k < 4; k++ {
		if p.i >= len(p.data) {
			p.fail("unexpected end of input")
			return 0, false
		}
		c := p.data[p.i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			p.unexpected("in \\u hexadecimal character escape")
			return 0, false
		}
		r = r<<4 | rune(v)
		p.next()
	}
	return r, true
}

func (p *jsonParser) digits() int {
	n := 0
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.next()
		n++
	}
	return n
}

// number consumes a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonParser) number(pos Position) *yaml.Node {
	start := p.i
	if p.data[p.i] == '-' {
		p.next()
	}
	switch {
	case p.i < len(p.data) && p.data[p.i] == '0':
		p.next()
	case p.digits() == 0:
		p.unexpected("in numeric literal")
		return nil
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.next()
		if p.digits() == 0 {
			p.unexpected("after decimal point in numeric literal")
			return nil
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.next()
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.next()
		}
		if p.digits() == 0 {
			p.unexpected("in exponent of numeric literal")
			return nil
		}
	}
	n := p.node(yaml.ScalarNode, "!!float", pos)
	if n == nil {
		return nil
	}
	n.Value = string(p.data[start:p.i])
	if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
		n.Tag = "!!int"
	}
	return n
}

func (p *jsonParser) literal(pos Position, word, tag string) *yaml.Node {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.data) || p.data[p.i] != word[k] {
			p.unexpected(fmt.Sprintf("in literal %s (expecting %s)", word, strconv.QuoteRune(rune(word[k]))))
			return nil
		}
		p.next()
	}
	n := p.node(yaml.ScalarNode, tag, pos)
	if n != nil {
		n.Value = word
	}
	return n
}
