package safetext

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// unCSS reads a string literal as CSS Syntax 4.3.5 does (the escapes
// CSSString writes: a backslash, hex digits, one space).
func unCSS(t *testing.T, lit string) string {
	t.Helper()
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		t.Fatalf("not a quoted literal: %q", lit)
	}
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			b.WriteByte(body[i])
			continue
		}
		j := i + 1
		for j < len(body) && j-i <= 6 && strings.IndexByte("0123456789abcdef", body[j]) >= 0 {
			j++
		}
		n, err := strconv.ParseInt(body[i+1:j], 16, 32)
		if err != nil || j >= len(body) || body[j] != ' ' {
			t.Fatalf("bad escape at %d in %q", i, lit)
		}
		b.WriteRune(rune(n))
		i = j
	}
	return b.String()
}

func TestCSSString(t *testing.T) {
	for _, s := range []string{
		"", "Acme Corp · plan starter, version 3", `"; } body { display: none } @page { content: "`,
		"</style><script>alert(1)</script>", "a\\b", "line\nbreak\r\x0c", "Generated 2026-12-20 09:00 CET",
		"\u202egnp.exe", "情報セキュリティ", "emoji 🙂", "url(http://x.example/)",
	} {
		lit := CSSString(s)
		for _, r := range lit[1 : len(lit)-1] {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(` .,:/()-\`, r)) {
				t.Errorf("CSSString(%q) = %s holds %q", s, lit, r)
			}
		}
		if got := unCSS(t, lit); got != s && utf8.ValidString(s) {
			t.Errorf("CSSString(%q) reads back as %q", s, got)
		}
	}
	if got := CSSString("a\x00b"); got != `"a\fffd b"` {
		t.Errorf("NUL: %s", got)
	}
}

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"Acme Corp", 60, "Acme Corp"},
		{"Acme Corp", 9, "Acme Corp"},
		{"Acme Corp", 8, "Acme Co…"},
		{"Acme Corp", 6, "Acme…"}, // no space before the ellipsis
		{"Äöü€ßxyz", 5, "Äöü€…"},
	} {
		if got := Shorten(tc.s, tc.n); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
