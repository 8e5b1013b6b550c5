package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSSString returns s as a quoted CSS string literal ("…") that holds
// only printable ASCII letters, digits, spaces and ".,:/()-" as they are,
// and every other character as a CSS hex escape ("\b7 " for "·",
// "\22 " for a quote, "\202e " for U+202E): nothing in it can end the
// string, the declaration or the style element it is written into, and a
// browser shows the text of s itself. It is for the running header and
// footer of a printed page (CSS margin boxes' content), which
// html/template would otherwise refuse as a possible URL; pass s through
// [Escape] first to show control and bidirectional characters spelled
// out rather than their effect.
func CSSString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', strings.ContainsRune(".,:/()-", r):
			b.WriteRune(r)
		default:
			if r == 0 || r > 0x10ffff {
				r = 0xfffd // CSS reads \0 as U+FFFD too
			}
			b.WriteByte('\\')
			b.WriteString(strconv.FormatInt(int64(r), 16))
			b.WriteByte(' ')
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Shorten returns s cut to at most n runes, the last of them "…" when it
// was cut: for a running header, which a browser does not clip.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n || n < 1 {
		return s
	}
	r := []rune(s)[:n-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}
