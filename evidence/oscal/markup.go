package oscal

import (
	"encoding/json"
	"strings"
)

// markup is the text of an OSCAL markup-line or markup-multiline field
// (titles, descriptions, remarks, link text). OSCAL reads these fields as
// Markdown (a CommonMark subset with OSCAL's "{{ insert: … }}"), so text
// taken from a plan or a record - "*", "_", "<b>", "[x](y)", "# heading",
// "1. step", "{{ insert: param, x }}" - would be read as formatting, a
// link or a parameter where it is only text. markup escapes it when it is
// written: the characters that open inline markup always, and the ones
// that start a block only at the start of a line. CommonMark's backslash
// escape of ASCII punctuation undoes it exactly.
type markup string

// MarshalJSON writes the escaped text as a JSON string.
func (m markup) MarshalJSON() ([]byte, error) { return json.Marshal(escapeMarkup(string(m))) }

// inlineMarks open inline markup anywhere in a line: code spans,
// emphasis, links and images, raw HTML and entities, tables, strike-
// through and the escape character itself; "{{" (an OSCAL insert) is
// escaped where it occurs.
const inlineMarks = "\\`*_[]<>&|~"

// blockMarks start a block (heading, list, quote, setext underline,
// fenced code) where a line starts with them.
const blockMarks = "#-+=>"

// escapeMarkup backslash-escapes the Markdown in s (see markup).
func escapeMarkup(s string) string {
	if !strings.ContainsAny(s, inlineMarks+blockMarks+".){") {
		return s
	}
	// opens reports whether the character after a line's first marks
	// makes them a block: a space, a tab, the end of the line, or (for a
	// heading, a rule or a setext underline) the same mark again.
	opens := func(i int, c byte) bool {
		if i+1 >= len(s) {
			return true
		}
		n := s[i+1]
		return n == ' ' || n == '\t' || n == '\n' || n == '\r' || n == c
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true // at the start of a line, after at most its indentation
	digits := false   // the line so far is indentation and digits (an ordered-list number?)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			lineStart, digits = true, false
		case strings.IndexByte(inlineMarks, c) >= 0, c == '{' && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte('\\')
			lineStart, digits = false, false
		case lineStart && strings.IndexByte(blockMarks, c) >= 0:
			if opens(i, c) {
				b.WriteByte('\\')
			}
			lineStart = false
		case (lineStart || digits) && '0' <= c && c <= '9':
			lineStart, digits = false, true
		case digits && (c == '.' || c == ')'):
			if opens(i, 0) {
				b.WriteByte('\\') // "1. " or "1) " opening a line: an ordered list
			}
			digits = false
		case lineStart && (c == ' ' || c == '\t'):
			// indentation: still the start of the line
		default:
			lineStart, digits = false, false
		}
		b.WriteByte(c)
	}
	return b.String()
}
