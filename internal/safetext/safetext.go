// Package safetext keeps text from plans, records and stores from
// attacking the terminal or the reader it is shown to.
//
// A terminal obeys control characters: ESC starts sequences that move the
// cursor, recolour, retitle the window or reset it ("ESC c"); BEL rings;
// CR returns to the start of the line so that later text hides earlier
// text. Bidirectional formatting characters (U+202E RIGHT-TO-LEFT OVERRIDE
// and friends) reorder what a reader sees, in a terminal, a spreadsheet or
// a browser, so that "txt.exe" reads "exe.txt" (the "Trojan Source"
// attack, CVE-2021-42574). [Unsafe] names them all; decoders refuse them
// where they have no business, and writers of text show whatever arrives
// by other paths through [Escape] or [Line], which spell each one out
// ("\x1b", "\u202e") instead of obeying it.
package safetext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether r is a character that text outputs must not pass
// through as it is: a C0 control other than TAB and LF (so CR, ESC, BEL
// and NUL), DEL, a C1 control (U+0080–U+009F), a bidirectional formatting
// character (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), or
// the line and paragraph separators U+2028 and U+2029. Bytes that are not
// valid UTF-8 are unsafe too; [Index] and [Escape] treat them so.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t' && r != '\n'
	case r < 0x7f:
		return false
	case r <= 0x9f: // DEL and the C1 controls
		return true
	}
	switch r {
	case 0x061c, 0x200e, 0x200f, 0x2028, 0x2029,
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2066, 0x2067, 0x2068, 0x2069:
		return true
	}
	return false
}

// Index returns the byte index of the first character of s that is
// [Unsafe] or not valid UTF-8, or -1 if there is none. With line set,
// TAB and LF count as unsafe too (for a value that must fit on one line).
func Index(s string, line bool) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return i
			}
		}
		if Unsafe(r) || line && (r == '\t' || r == '\n') {
			return i
		}
	}
	return -1
}

// Escape returns s with every [Unsafe] character, and every byte that is
// not valid UTF-8, spelled out as a Go escape ("\x1b", "\u202e", "\xff"),
// so that it is shown rather than obeyed. TAB and LF pass through. s is
// returned as it is, without allocating, when it holds nothing to escape.
func Escape(s string) string { return escape(s, false) }

// Line is [Escape] for a value shown on one line, such as a table cell or a
// terminal line: TAB and LF are spelled out too ("\t", "\n").
func Line(s string) string { return escape(s, true) }

func escape(s string, line bool) string {
	i := Index(s, line)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case line && r == '\t':
			b.WriteString(`\t`)
		case line && r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case Unsafe(r) && r < 0x100:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case Unsafe(r):
			q := strconv.QuoteRuneToASCII(r) // '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
